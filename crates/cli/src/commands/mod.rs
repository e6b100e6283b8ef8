//! One module per command, each with a `run()`.

pub mod bench;
pub mod groth16;
pub mod zkey;
pub mod bench_groth16;
