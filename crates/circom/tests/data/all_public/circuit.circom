pragma circom 2.0.0;

// Every signal is public (outputs c, d; public inputs a, b), so the zkey's C section
// (private signals only) is empty.
template AllPublic() {
    signal input a;
    signal input b;
    signal output c;
    signal output d;

    c <== a * b;
    d <== c * a;
}

component main {public [a, b]} = AllPublic();
