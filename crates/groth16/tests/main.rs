//! The integration tests of zkprove-groth16, one test binary (one link, one copy of the
//! generic code they instantiate) instead of one per file; each file is a module.

mod degenerate_key;
mod setup;
mod snarkjs;
mod stream_faults;
