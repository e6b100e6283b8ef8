pragma circom 2.0.0;

// A chain of N multiplications: x[0] = a, x[i] = x[i-1]^2 + b, out = x[N]. Each step is one
// quadratic constraint (the final `out <== x[N]` and `x[0] <== a` are linear and circom folds
// them), so the circuit has N constraints and the Groth16 domain is the next power of two above
// N + nPublic (nPublic = 2: `out` and the public input `b`). make-fixtures.sh instantiates it
// with N = 2^k - 3 so that the domain is exactly 2^k.
template MulChain(N) {
    signal input a;
    signal input b;
    signal output out;

    signal x[N + 1];
    x[0] <== a;
    for (var i = 1; i <= N; i++) {
        // One multiplication per step; adding b keeps the chain from collapsing to 0/1.
        x[i] <== x[i - 1] * x[i - 1] + b;
    }
    out <== x[N];
}

component main {public [b]} = MulChain(2045);
