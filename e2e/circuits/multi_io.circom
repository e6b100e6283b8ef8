pragma circom 2.0.0;

// Several public inputs and outputs, plus private inputs and intermediate signals.
// Public signals, in wire order: sum, prod, check (outputs), then x, y, z (public inputs).
template MultiIO() {
    signal input x;
    signal input y;
    signal input z;
    signal input secret[2];
    signal output sum;
    signal output prod;
    signal output check;

    signal t1;
    signal t2;
    signal t3;
    t1 <== x * secret[0];
    t2 <== y * secret[1];
    t3 <== t1 * t2;
    sum <== t1 + t2 + z;
    prod <== t3 * z;
    check <== secret[0] * secret[1];
}

component main {public [x, y, z]} = MultiIO();
