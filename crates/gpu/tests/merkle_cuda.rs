//! Device Poseidon2-16 (M31, BabyBear) and Poseidon2 Merkle roots on a CUDA device against
//! crates/hash: the same tests as `merkle_opencl.rs`, larger sizes. Skips where there is no CUDA
//! device (or no NVRTC) unless `ZKPROVE_REQUIRE_CUDA=1`.

#![cfg(feature = "cuda")]

use crate::merkle_common;

use std::sync::Arc;

use zkprove_field::babybear::BabyBear;
use zkprove_field::m31::M31;
use zkprove_gpu::CudaDevice;

fn device() -> Option<Arc<CudaDevice>> {
    crate::common::cuda_device()
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
