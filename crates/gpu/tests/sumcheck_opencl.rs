//! Device sumcheck (folds, fused round kernels, whole proofs) through OpenCL (PoCL on the CPU in
//! CI) against zkprove-sumcheck's CPU backend: M31/QM31, BabyBear/BabyBear⁴, Goldilocks/
//! Goldilocks². Skips without an OpenCL device unless `ZKPROVE_REQUIRE_OPENCL=1`.

#![cfg(feature = "opencl")]

use zkprove_gpu::{ClDevice, OpenClBackend};

sumcheck_tests!(OpenClBackend, ClDevice);

fn device() -> Option<Arc<ClDevice>> {
    crate::common::opencl_device()
}

#[test]
fn m31_rounds_match_cpu() {
    let Some(dev) = device() else { return };
    rounds_match_cpu::<M31, QM31>(&dev, 12);
    errors_match_cpu::<M31, QM31>(&dev);
}

#[test]
fn babybear_rounds_match_cpu() {
    let Some(dev) = device() else { return };
    rounds_match_cpu::<BabyBear, BabyBearExt4>(&dev, 12);
    errors_match_cpu::<BabyBear, BabyBearExt4>(&dev);
}

#[test]
fn goldilocks_rounds_match_cpu() {
    let Some(dev) = device() else { return };
    rounds_match_cpu::<Goldilocks, GoldilocksExt2>(&dev, 12);
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
    for log_n in [0, 1, 2, 10] {
        proof_matches_cpu::<M31, QM31, 16, 8>(&dev, Poseidon2::m31_16(), log_n);
        proof_matches_cpu::<BabyBear, BabyBearExt4, 16, 8>(&dev, Poseidon2::babybear_16(), log_n);
        proof_matches_cpu::<Goldilocks, GoldilocksExt2, 12, 8>(
            &dev,
            Poseidon2::goldilocks_12(),
            log_n,
        );
    }
}
