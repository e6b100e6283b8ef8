//! The device AIR zerocheck round on a CUDA device against the CPU backend (`zerocheck_common`).
//! Skips without a CUDA device (or NVRTC) unless `ZKPROVE_REQUIRE_CUDA=1`.

#![cfg(feature = "cuda")]

crate::zerocheck_tests!(crate::common::cuda_device);
