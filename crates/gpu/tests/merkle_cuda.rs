//! Device Poseidon2-16 (M31, BabyBear) and Poseidon2 Merkle roots on a CUDA device against
//! crates/hash: the same tests as `merkle_opencl.rs`, larger sizes. Skips where there is no CUDA
//! device (or no NVRTC) unless `ZKPROVE_REQUIRE_CUDA=1`.

#![cfg(feature = "cuda")]

use crate::merkle_common;

use std::sync::Arc;

use zkprove_field::babybear::BabyBear;
use zkprove_field::m31::M31;
use zkprove_gpu::{CudaDevice, GpuError};

fn device() -> Option<Arc<CudaDevice>> {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
    let dev = match CudaDevice::get() {
        Ok(d) => d,
        Err(e) => {
            assert!(
                !merkle_common::required("ZKPROVE_REQUIRE_CUDA"),
                "ZKPROVE_REQUIRE_CUDA=1 but: {e}"
            );
            eprintln!("skipped: no CUDA device ({e})");
            return None;
        }
    };
    if !zkprove_gpu::nvrtc::is_available() && std::env::var_os(zkprove_gpu::CUBIN_DIR_ENV).is_none()
    {
        eprintln!("skipped: {}", GpuError::NoNvrtc);
        return None;
    }
    Some(dev)
}

#[test]
fn m31_permutation_matches_cpu() {
    let Some(dev) = device() else { return };
    merkle_common::permutation::<_, M31>(&dev, 100_000);
}

#[test]
fn babybear_permutation_matches_cpu() {
    let Some(dev) = device() else { return };
    merkle_common::permutation::<_, BabyBear>(&dev, 100_000);
}

#[test]
fn m31_roots_match_cpu() {
    let Some(dev) = device() else { return };
    merkle_common::roots::<_, M31>(&dev, 14, &[1, 8, 13]);
    merkle_common::errors::<_, M31>(&dev);
}

#[test]
fn babybear_roots_match_cpu() {
    let Some(dev) = device() else { return };
    merkle_common::roots::<_, BabyBear>(&dev, 14, &[3, 8, 16]);
    merkle_common::errors::<_, BabyBear>(&dev);
}
