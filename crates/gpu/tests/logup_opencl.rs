//! Device LogUp columns through OpenCL (PoCL on the CPU in CI) against the CPU: M31/QM31,
//! BabyBear/BabyBear⁴, Goldilocks/Goldilocks² (`logup_common`). Skips without an OpenCL device
//! unless `ZKPROVE_REQUIRE_OPENCL=1`.

#![cfg(feature = "opencl")]

crate::logup_tests!(crate::common::opencl_device);
