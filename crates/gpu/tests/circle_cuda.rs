//! The circle-FFT differential tests of `tests/circle_opencl.rs` on a CUDA device, at larger sizes
//! too. Skips without a CUDA device unless `ZKPROVE_REQUIRE_CUDA=1` (scripts/gpu-run.sh sets it).

#![cfg(feature = "cuda")]

use crate::circle_common;

use std::sync::Arc;

use zkprove_gpu::{CudaDevice, cuda_available};

fn device() -> Option<Arc<CudaDevice>> {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
    if !cuda_available() {
        assert!(
            !circle_common::required("ZKPROVE_REQUIRE_CUDA"),
            "ZKPROVE_REQUIRE_CUDA=1 but no CUDA device"
        );
        eprintln!("skipped: no CUDA device (set ZKPROVE_REQUIRE_CUDA=1 to make this a failure)");
        return None;
    }
    Some(CudaDevice::get().expect("a CUDA device is present but could not be opened"))
}

#[test]
fn circle_fft_matches_cpu_backend() {
    let Some(dev) = device() else { return };
    circle_common::matches_cpu(&dev, 16);
    circle_common::large_sizes(&dev, &[18, 20, 22]);
}

#[test]
fn circle_fft_matches_naive_oracle() {
    let Some(dev) = device() else { return };
    circle_common::matches_naive(&dev);
}

#[test]
fn circle_lde_matches_cpu_backend() {
    let Some(dev) = device() else { return };
    circle_common::lde_matches_cpu(&dev);
}

#[test]
fn circle_fft_errors_are_typed() {
    let Some(dev) = device() else { return };
    circle_common::errors(&dev);
}
