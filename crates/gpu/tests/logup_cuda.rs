//! Device LogUp columns on a CUDA device against the CPU: M31/QM31,
//! BabyBear/BabyBear⁴, Goldilocks/Goldilocks² (`logup_common`). Skips without a CUDA device (or
//! NVRTC) unless `ZKPROVE_REQUIRE_CUDA=1`.

#![cfg(feature = "cuda")]

use std::sync::Arc;

use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_field::m31::{M31, QM31};
use zkprove_gpu::{CudaDevice, GpuError};

use crate::logup_common::{errors, matches_cpu};

fn device() -> Option<Arc<CudaDevice>> {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
    let dev = match CudaDevice::get() {
        Ok(d) => d,
        Err(e) => {
            let required = std::env::var("ZKPROVE_REQUIRE_CUDA").is_ok_and(|v| v == "1");
            assert!(!required, "ZKPROVE_REQUIRE_CUDA=1 but: {e}");
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
