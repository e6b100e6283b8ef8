//! The M31 circle FFT through OpenCL (PoCL on the CPU in CI) against zkprove-poly's CPU backend,
//! bit for bit. Skips without an OpenCL device unless `ZKPROVE_REQUIRE_OPENCL=1`.

#![cfg(feature = "opencl")]

use crate::circle_common;

use std::sync::Arc;

use zkprove_gpu::ClDevice;

fn device() -> Option<Arc<ClDevice>> {
    crate::common::opencl_device()
}

#[test]
fn circle_fft_matches_cpu_backend() {
    let Some(dev) = device() else { return };
    circle_common::matches_cpu(&dev, 12);
    circle_common::large_sizes(&dev, &[13, 14, 15, 16]);
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
