//! `zkprove-air`'s `AirOps` on a CUDA device against the CPU backend, op by op and whole proofs
//! (`air_common`). Skips without a CUDA device (or NVRTC) unless `ZKPROVE_REQUIRE_CUDA=1`.

#![cfg(feature = "cuda")]

crate::air_ops_tests!(crate::common::cuda_device);
