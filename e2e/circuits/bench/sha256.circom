pragma circom 2.0.0;

include "circomlib/circuits/sha256/sha256.circom";

// SHA-256 of N_BYTES bytes (circomlib Sha256, one ~30k-constraint compression per 512-bit block
// after padding): the message bits are private, the 256 digest bits the public outputs.
// scripts/make-bench-circuits.sh appends `component main = Sha256Bytes(N_BYTES);` and writes the
// input (deterministic bytes, most significant bit first).
template Sha256Bytes(N_BYTES) {
    signal input in[N_BYTES * 8];
    signal output out[256];

    component h = Sha256(N_BYTES * 8);
    for (var i = 0; i < N_BYTES * 8; i++) {
        h.in[i] <== in[i];
    }
    for (var i = 0; i < 256; i++) {
        out[i] <== h.out[i];
    }
}
