//! The integration tests of zkprove-cli, one test binary (one link, one copy of the
//! generic code they instantiate) instead of one per file; each file is a module.

mod bench;
mod bench_air;
mod bench_fields;
mod bench_kzg;
mod bench_sumcheck;
mod bench_whir;
mod devices;
mod groth16;
mod groth16_device;
mod ml;
mod service_crash;
mod service_postgres;
mod vm;
