//! Device LogUp columns on a CUDA device against the CPU: M31/QM31, BabyBear/BabyBear⁴,
//! Goldilocks/Goldilocks² (`logup_common`). Skips without a CUDA device (or NVRTC) unless
//! `ZKPROVE_REQUIRE_CUDA=1`.

#![cfg(feature = "cuda")]

crate::logup_tests!(crate::common::cuda_device);
