//! The device pieces of the Groth16 quotient through OpenCL (PoCL in CI) against the host
//! (`quotient_common`): the coset NTT, `a·b − c` in place, and MSMs over device-resident scalars.
//! Skips without an OpenCL device unless `ZKPROVE_REQUIRE_OPENCL=1`.

#![cfg(feature = "opencl")]

use crate::quotient_common;

use std::sync::Arc;

use zkprove_gpu::ClDevice;

fn device() -> Option<Arc<ClDevice>> {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
    match ClDevice::get() {
        Ok(d) => Some(d),
        Err(e) => {
            assert!(
                std::env::var("ZKPROVE_REQUIRE_OPENCL").as_deref() != Ok("1"),
                "ZKPROVE_REQUIRE_OPENCL=1 but: {e}"
            );
            eprintln!("skipped: no OpenCL device ({e})");
            None
        }
    }
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
