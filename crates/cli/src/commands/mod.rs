//! One module per command, each with a `run()` (the benchmarks are in `crate::bench`).

pub mod devices;
pub mod groth16;
pub mod groth16_many;
pub mod job;
pub mod ml;
pub mod serve;
pub mod vm;
pub mod whir;
pub mod zkey;
