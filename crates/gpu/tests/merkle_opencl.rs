//! Device Poseidon2-16 (M31, BabyBear) and Poseidon2 Merkle roots through OpenCL (PoCL on the CPU
//! in CI) against crates/hash. Skips without an OpenCL device unless `ZKPROVE_REQUIRE_OPENCL=1`.

#![cfg(feature = "opencl")]

use crate::merkle_common;

use std::sync::Arc;

use zkprove_field::babybear::BabyBear;
use zkprove_field::m31::M31;
use zkprove_gpu::ClDevice;

fn device() -> Option<Arc<ClDevice>> {
    crate::common::opencl_device()
}

#[test]
fn m31_permutation_matches_cpu() {
    let Some(dev) = device() else { return };
    merkle_common::permutation::<_, M31>(&dev, 1000);
}

#[test]
fn babybear_permutation_matches_cpu() {
    let Some(dev) = device() else { return };
    merkle_common::permutation::<_, BabyBear>(&dev, 1000);
}

#[test]
fn m31_roots_match_cpu() {
    let Some(dev) = device() else { return };
    merkle_common::roots::<_, M31>(&dev, 12, &[1, 8, 13]);
    merkle_common::errors::<_, M31>(&dev);
}

#[test]
fn babybear_roots_match_cpu() {
    let Some(dev) = device() else { return };
    merkle_common::roots::<_, BabyBear>(&dev, 12, &[3, 8, 16]);
    merkle_common::errors::<_, BabyBear>(&dev);
}
