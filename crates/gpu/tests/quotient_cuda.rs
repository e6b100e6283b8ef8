//! The device pieces of the Groth16 quotient on a CUDA device against the host
//! (`quotient_common`, as `quotient_opencl.rs`, larger sizes). Skips where there is no CUDA
//! device (or neither NVRTC nor prebuilt CUBINs), unless `ZKPROVE_REQUIRE_CUDA=1`.

#![cfg(feature = "cuda")]

use crate::quotient_common;

use std::sync::Arc;

use zkprove_gpu::{CudaDevice, GpuError};

fn device() -> Option<Arc<CudaDevice>> {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
    match CudaDevice::get() {
        Ok(d) => {
            if !zkprove_gpu::nvrtc::is_available()
                && std::env::var_os(zkprove_gpu::CUBIN_DIR_ENV).is_none()
            {
                eprintln!("skipped: {}", GpuError::NoNvrtc);
                return None;
            }
            Some(d)
        }
        Err(e) => {
            assert!(
                std::env::var("ZKPROVE_REQUIRE_CUDA").as_deref() != Ok("1"),
                "ZKPROVE_REQUIRE_CUDA=1 but: {e}"
            );
            eprintln!("skipped: no CUDA device ({e})");
            None
        }
    }
}

#[test]
fn coset_ntt_matches_two_cpu_transforms() {
    let Some(dev) = device() else { return };
    let sizes = [0, 1, 2, 3, 5, 9, 10, 12, 13, 16, 20];
    quotient_common::coset_ntt_matches_two_cpu_transforms(&dev, &sizes);
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
