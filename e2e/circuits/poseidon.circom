pragma circom 2.0.0;

include "circomlib/circuits/poseidon.circom";

// circomlib Poseidon over two private inputs; the hash is the only public signal.
template PoseidonHash() {
    signal input preimage[2];
    signal output hash;

    component h = Poseidon(2);
    h.inputs[0] <== preimage[0];
    h.inputs[1] <== preimage[1];
    hash <== h.out;
}

component main = PoseidonHash();
