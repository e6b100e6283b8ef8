//! Device LogUp columns on a CUDA device against the CPU: M31/QM31,
//! BabyBear/BabyBear⁴, Goldilocks/Goldilocks² (`logup_common`). Skips without a CUDA device (or
//! NVRTC) unless `ZKPROVE_REQUIRE_CUDA=1`.

#![cfg(feature = "cuda")]

use std::sync::Arc;

use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_field::m31::{M31, QM31};
use zkprove_gpu::CudaDevice;

use crate::logup_common::{errors, matches_cpu};

fn device() -> Option<Arc<CudaDevice>> {
    crate::common::cuda_device()
}

#[test]
fn logup_columns_match_cpu() {
    let Some(dev) = device() else { return };
    matches_cpu::<_, M31, QM31>(&dev, 1);
    matches_cpu::<_, BabyBear, BabyBearExt4>(&dev, 2);
    matches_cpu::<_, Goldilocks, GoldilocksExt2>(&dev, 3);
}

#[test]
fn logup_column_errors() {
    let Some(dev) = device() else { return };
    errors::<_, M31, QM31>(&dev);
    errors::<_, BabyBear, BabyBearExt4>(&dev);
    errors::<_, Goldilocks, GoldilocksExt2>(&dev);
}
