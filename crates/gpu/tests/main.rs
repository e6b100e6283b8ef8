//! The integration tests of zkprove-gpu, one test binary (one link, one copy of the
//! generic code they instantiate) instead of one per file; each file is a module.

#[macro_use]
mod air_common;
mod air_cuda;
mod air_opencl;
mod circle_common;
mod circle_cuda;
mod circle_opencl;
mod common;
mod csr_opencl;
mod cuda;
mod device_set_common;
mod device_set_cuda;
mod device_set_opencl;
mod groth16_device;
#[macro_use]
mod logup_common;
mod logup_cuda;
mod logup_opencl;
mod merkle_common;
mod merkle_cuda;
mod merkle_opencl;
mod merkle_ops_opencl;
mod ml_opencl;
mod msm_common;
mod msm_cuda;
mod msm_opencl;
mod nvrtc;
mod nvrtc_circle;
mod nvrtc_merkle;
mod nvrtc_msm;
mod nvrtc_sumcheck;
mod opencl;
mod quotient_common;
mod quotient_cuda;
mod quotient_opencl;
#[macro_use]
mod sumcheck_common;
mod sumcheck_cuda;
mod sumcheck_opencl;
#[macro_use]
mod zerocheck_common;
mod zerocheck_cuda;
mod zerocheck_opencl;
