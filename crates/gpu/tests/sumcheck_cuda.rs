//! Device sumcheck on a CUDA device against zkprove-sumcheck's CPU backend: the same tests as
//! `sumcheck_opencl.rs`, larger tables. Skips where there is no CUDA device (or no NVRTC and no
//! prebuilt CUBINs) unless `ZKPROVE_REQUIRE_CUDA=1`.

#![cfg(feature = "cuda")]

use crate::sumcheck_common;

use zkprove_gpu::{CudaBackend, CudaDevice, GpuError};

sumcheck_tests!(CudaBackend, CudaDevice);

fn device() -> Option<Arc<CudaDevice>> {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
    let dev = match CudaDevice::get() {
        Ok(d) => d,
        Err(e) => {
            assert!(
                !sumcheck_common::required("ZKPROVE_REQUIRE_CUDA"),
                "ZKPROVE_REQUIRE_CUDA=1 but: {e}"
            );
            eprintln!("skipped: no CUDA device ({e})");
            return None;
        }
    };
    if !zkprove_gpu::nvrtc::is_available() && std::env::var_os(zkprove_gpu::CUBIN_DIR_ENV).is_none()
    {
        assert!(
            !sumcheck_common::required("ZKPROVE_REQUIRE_CUDA"),
            "ZKPROVE_REQUIRE_CUDA=1 but: {}",
            GpuError::NoNvrtc
        );
        eprintln!("skipped: {}", GpuError::NoNvrtc);
        return None;
    }
    Some(dev)
}

#[test]
fn m31_rounds_match_cpu() {
    let Some(dev) = device() else { return };
    rounds_match_cpu::<M31, QM31>(&dev, 16);
    errors_match_cpu::<M31, QM31>(&dev);
}

#[test]
fn babybear_rounds_match_cpu() {
    let Some(dev) = device() else { return };
    rounds_match_cpu::<BabyBear, BabyBearExt4>(&dev, 16);
    errors_match_cpu::<BabyBear, BabyBearExt4>(&dev);
}

#[test]
fn goldilocks_rounds_match_cpu() {
    let Some(dev) = device() else { return };
    rounds_match_cpu::<Goldilocks, GoldilocksExt2>(&dev, 16);
    errors_match_cpu::<Goldilocks, GoldilocksExt2>(&dev);
}

#[test]
fn many_tables_match_cpu_all_fields() {
    let Some(dev) = device() else { return };
    many_tables_match_cpu::<M31, QM31>(&dev);
    many_tables_match_cpu::<BabyBear, BabyBearExt4>(&dev);
    many_tables_match_cpu::<Goldilocks, GoldilocksExt2>(&dev);
}

#[test]
fn proofs_match_cpu() {
    let Some(dev) = device() else { return };
    proof_matches_cpu::<M31, QM31, 16, 8>(&dev, Poseidon2::m31_16(), 16);
    proof_matches_cpu::<BabyBear, BabyBearExt4, 16, 8>(&dev, Poseidon2::babybear_16(), 16);
    proof_matches_cpu::<Goldilocks, GoldilocksExt2, 12, 8>(&dev, Poseidon2::goldilocks_12(), 16);
}
