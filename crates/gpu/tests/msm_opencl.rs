//! Device MSM (BN254 G1 and G2) through OpenCL (PoCL on the CPU in CI) against crates/curve's CPU
//! MSM. Skips without an OpenCL device unless `ZKPROVE_REQUIRE_OPENCL=1`. PoCL runs 256-bit
//! arithmetic at a few million products per second on a small CPU, so sizes stay at most 2^12 for
//! G1 and 2^10 for G2.

#![cfg(feature = "opencl")]

use crate::msm_common;

use std::sync::Arc;

use msm_common::{G1, G2};
use zkprove_gpu::{ClDevice, OpenClBackend};

fn device() -> Option<Arc<ClDevice>> {
    crate::common::opencl_device()
}

#[test]
fn g1_random_sizes_match_cpu() {
    let Some(dev) = device() else { return };
    msm_common::random_sizes::<_, G1>(&dev, &[0, 1, 2, 3, 100, 1 << 10, 1 << 12]);
}

#[test]
fn g1_edge_cases_match_cpu() {
    let Some(dev) = device() else { return };
    msm_common::edge_cases::<_, G1>(&dev, &[2, 3, 5, 8]);
    msm_common::errors::<_, G1>(&dev);
}

#[test]
fn g1_msm_ops() {
    if device().is_none() {
        return;
    }
    msm_common::through_msm_ops::<OpenClBackend, G1>(300);
    let dev = device().expect("device");
    msm_common::chunks::<_, G1>(&dev, 2500);
    msm_common::skewed::<_, G1>(&dev, 2000);
}

#[test]
fn g1_equal_scalars_one_bucket() {
    let Some(dev) = device() else { return };
    msm_common::one_bucket::<_, G1>(&dev, 1 << 12);
}

#[test]
fn g2_random_sizes_match_cpu() {
    let Some(dev) = device() else { return };
    msm_common::random_sizes::<_, G2>(&dev, &[0, 1, 3, 100, 1 << 10]);
}

#[test]
fn g2_edge_cases_match_cpu() {
    let Some(dev) = device() else { return };
    msm_common::edge_cases::<_, G2>(&dev, &[3, 7]);
    msm_common::errors::<_, G2>(&dev);
    msm_common::through_msm_ops::<OpenClBackend, G2>(50);
}

#[test]
fn g1_precomputed_bases_match_cpu() {
    let Some(dev) = device() else { return };
    msm_common::precomputed::<_, G1>(&dev, 100, &[4, 9]);
    msm_common::precomputed::<_, G1>(&dev, 1500, &[]);
}

#[test]
fn g2_precomputed_bases_match_cpu() {
    let Some(dev) = device() else { return };
    msm_common::precomputed::<_, G2>(&dev, 40, &[7]);
}
