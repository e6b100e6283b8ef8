//! Device MSM (BN254 G1 and G2) on a CUDA device against crates/curve's CPU MSM: the same tests as
//! `msm_opencl.rs`, larger sizes. Skips where there is no CUDA device (or no NVRTC).

#![cfg(feature = "cuda")]

use crate::msm_common;

use std::sync::Arc;

use msm_common::{G1, G2};
use zkprove_gpu::{CudaBackend, CudaDevice, GpuError};

fn device() -> Option<Arc<CudaDevice>> {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
    match CudaDevice::get() {
        Ok(d) => {
            eprintln!("CUDA device: {} ({})", d.name().unwrap_or_default(), d.arch());
            Some(d)
        }
        Err(e) => {
            assert!(
                !msm_common::required("ZKPROVE_REQUIRE_CUDA"),
                "ZKPROVE_REQUIRE_CUDA=1 but: {e}"
            );
            eprintln!("skipped: no CUDA device ({e})");
            None
        }
    }
}

/// Skips (returns false) when neither NVRTC nor prebuilt CUBINs (`ZKPROVE_CUDA_CUBIN_DIR`) are
/// there on a machine with a device.
fn nvrtc_ok() -> bool {
    if zkprove_gpu::nvrtc::is_available() || std::env::var_os(zkprove_gpu::CUBIN_DIR_ENV).is_some()
    {
        return true;
    }
    eprintln!("skipped: {}", GpuError::NoNvrtc);
    false
}

#[test]
fn g1_random_sizes_match_cpu() {
    let Some(dev) = device() else { return };
    if !nvrtc_ok() {
        return;
    }
    msm_common::random_sizes::<_, G1>(&dev, &[0, 1, 2, 3, 100, 1 << 10, 1 << 12, 1 << 16, 100_003]);
}

#[test]
fn g1_edge_cases_match_cpu() {
    let Some(dev) = device() else { return };
    if !nvrtc_ok() {
        return;
    }
    msm_common::edge_cases::<_, G1>(&dev, &[2, 3, 5, 8, 13, 16]);
    msm_common::errors::<_, G1>(&dev);
    msm_common::through_msm_ops::<CudaBackend, G1>(3000);
    msm_common::chunks::<_, G1>(&dev, 10_000);
    msm_common::skewed::<_, G1>(&dev, 1 << 16);
}

#[test]
fn g2_random_sizes_match_cpu() {
    let Some(dev) = device() else { return };
    if !nvrtc_ok() {
        return;
    }
    msm_common::random_sizes::<_, G2>(&dev, &[0, 1, 3, 100, 1 << 10, 1 << 14]);
}

#[test]
fn g2_edge_cases_match_cpu() {
    let Some(dev) = device() else { return };
    if !nvrtc_ok() {
        return;
    }
    msm_common::edge_cases::<_, G2>(&dev, &[3, 7, 12]);
    msm_common::errors::<_, G2>(&dev);
    msm_common::through_msm_ops::<CudaBackend, G2>(500);
    msm_common::chunks::<_, G2>(&dev, 3000);
}

#[test]
fn g1_precomputed_bases_match_cpu() {
    let Some(dev) = device() else { return };
    if !nvrtc_ok() {
        return;
    }
    msm_common::precomputed::<_, G1>(&dev, 1000, &[4, 9, 13, 16]);
    msm_common::precomputed::<_, G1>(&dev, 5000, &[]);
}

#[test]
fn g2_precomputed_bases_match_cpu() {
    let Some(dev) = device() else { return };
    if !nvrtc_ok() {
        return;
    }
    msm_common::precomputed::<_, G2>(&dev, 500, &[7, 12]);
}
