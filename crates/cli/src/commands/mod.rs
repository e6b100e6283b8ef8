//! One module per command, each with a `run()`.

pub mod bench;
pub mod bench_gpu;
pub mod bench_groth16;
pub mod bench_hash;
pub mod bench_kzg;
pub mod bench_sumcheck;
pub mod bench_whir;
pub mod devices;
pub mod groth16;
pub mod groth16_many;
pub mod zkey;
