//! The device AIR zerocheck round through OpenCL (PoCL on the CPU in CI) against the CPU backend
//! (`zerocheck_common`). Skips without an OpenCL device unless `ZKPROVE_REQUIRE_OPENCL=1`.

#![cfg(feature = "opencl")]

crate::zerocheck_tests!(crate::common::opencl_device);
