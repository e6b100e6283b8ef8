//! `zkprove-air`'s `AirOps` on the OpenCL backend (PoCL on the CPU in CI) against the CPU
//! backend, op by op and whole proofs (`air_common`). Skips without an OpenCL device unless
//! `ZKPROVE_REQUIRE_OPENCL=1`.

#![cfg(feature = "opencl")]

crate::air_ops_tests!(crate::common::opencl_device);
