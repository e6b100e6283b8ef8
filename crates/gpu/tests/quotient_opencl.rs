//! The device pieces of the Groth16 quotient through OpenCL (PoCL in CI) against the host
//! (`quotient_common`): the coset NTT, `a·b − c` in place, and MSMs over device-resident scalars.
//! Skips without an OpenCL device unless `ZKPROVE_REQUIRE_OPENCL=1`.

#![cfg(feature = "opencl")]

use crate::quotient_common;

use std::sync::Arc;

use zkprove_gpu::ClDevice;

fn device() -> Option<Arc<ClDevice>> {
    crate::common::opencl_device()
}

#[test]
fn coset_ntt_matches_two_cpu_transforms() {
    let Some(dev) = device() else { return };
    quotient_common::coset_ntt_matches_two_cpu_transforms(&dev, &[0, 1, 2, 3, 5, 9, 10, 12]);
}

#[test]
fn mul_sub_assign_matches_host() {
    let Some(dev) = device() else { return };
    quotient_common::mul_sub_assign_matches_host(&dev);
}

#[test]
fn msm_over_device_scalars_matches_host_scalars() {
    let Some(dev) = device() else { return };
    quotient_common::msm_over_device_scalars_matches_host_scalars(&dev);
}

#[test]
fn download_enqueue_reads_before_later_work() {
    let Some(dev) = device() else { return };
    quotient_common::download_enqueue_reads_before_later_work(&dev);
}
