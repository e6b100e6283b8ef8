pragma circom 2.0.0;

include "circomlib/circuits/poseidon.circom";

// Orders (a, b) by a path bit s: (a, b) when s = 0, (b, a) when s = 1; s is constrained to a bit.
template DualMux() {
    signal input in[2];
    signal input s;
    signal output out[2];

    s * (1 - s) === 0;
    out[0] <== (in[1] - in[0]) * s + in[0];
    out[1] <== (in[0] - in[1]) * s + in[1];
}

// The root of a binary Merkle tree with circomlib Poseidon(2) nodes, from a leaf and its
// authentication path of DEPTH siblings and direction bits (private); the root is the public
// output. scripts/make-bench-circuits.sh appends `component main = MerklePath(DEPTH);` and writes
// the input (deterministic full-size sibling values and direction bits).
template MerklePath(DEPTH) {
    signal input leaf;
    signal input siblings[DEPTH];
    signal input pathBits[DEPTH];
    signal output root;

    component mux[DEPTH];
    component hash[DEPTH];
    signal level[DEPTH + 1];
    level[0] <== leaf;
    for (var i = 0; i < DEPTH; i++) {
        mux[i] = DualMux();
        mux[i].in[0] <== level[i];
        mux[i].in[1] <== siblings[i];
        mux[i].s <== pathBits[i];
        hash[i] = Poseidon(2);
        hash[i].inputs[0] <== mux[i].out[0];
        hash[i].inputs[1] <== mux[i].out[1];
        level[i + 1] <== hash[i].out;
    }
    root <== level[DEPTH];
}
