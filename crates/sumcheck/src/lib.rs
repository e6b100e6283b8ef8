//! Sumcheck prover and verifier for sums of products of multilinear polynomials (work in progress).

#![forbid(unsafe_code)]
