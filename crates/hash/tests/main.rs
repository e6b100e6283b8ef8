//! The integration tests of zkprove-hash, one test binary (one link, one copy of the
//! generic code they instantiate) instead of one per file; each file is a module.

mod merkle;
mod poseidon2;
mod poseidon_bn254;
mod transcript;
