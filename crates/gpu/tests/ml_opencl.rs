//! zkprove-ml on the OpenCL backend (PoCL on the CPU in CI) against the CPU backend: the weights'
//! commitment (circle code of the committed rows, Poseidon2-M31 Merkle tree) and every sumcheck
//! run on the device through `MlBackend`, and the proofs must be the CPU's bytes and verify, for
//! small MLPs (power-of-two and other widths) and int8 matrix products `n = 16 … 64`; the
//! row-major circle FFT under the commitment must equal the CPU's. Skips without an OpenCL device
//! unless `ZKPROVE_REQUIRE_OPENCL=1`.

#![cfg(feature = "opencl")]

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::Field;
use zkprove_field::m31::M31;
use zkprove_gpu::{ClDevice, GpuBuffer, OpenClBackend};
use zkprove_ml::matmul::{CommittedMatrix, prove_matmul, prove_matmul_on, verify_matmul};
use zkprove_ml::pcs::PcsParams;
use zkprove_ml::{
    CommittedModel, FloatLayer, FloatModel, QuantConfig, QuantModel, prove, prove_on, verify,
};
use zkprove_poly::{
    CircleDomain, CircleOrder, ColumnOps, CpuBackend, Direction, RowMajorCircleFftOps,
};

fn device() -> Option<Arc<ClDevice>> {
    crate::common::opencl_device()
}

fn random_mlp(rng: &mut StdRng, widths: &[usize]) -> FloatModel {
    let layers = widths
        .windows(2)
        .enumerate()
        .map(|(i, w)| FloatLayer {
            n_in: w[0],
            n_out: w[1],
            weight: (0..w[0] * w[1])
                .map(|_| rng.random_range(-1.0f32..1.0) / (w[0] as f32).sqrt())
                .collect(),
            bias: (0..w[1]).map(|_| rng.random_range(-0.1f32..0.1)).collect(),
            relu: i + 2 < widths.len(),
            residual: None,
        })
        .collect();
    FloatModel { layers }
}

#[test]
fn ml_row_major_circle_fft_matches_cpu() {
    let Some(_dev) = device() else { return };
    let mut rng = StdRng::seed_from_u64(3);
    for (log_n, width) in [(1usize, 1usize), (3, 5), (6, 16), (10, 3)] {
        let domain = CircleDomain::canonic(log_n).expect("domain");
        let data: Vec<M31> = (0..width << log_n).map(|_| M31::random(&mut rng)).collect();
        for direction in [Direction::Forward, Direction::Inverse] {
            for order in [CircleOrder::BitReversed, CircleOrder::Natural] {
                let mut want = data.clone();
                CpuBackend::circle_fft_rows(&mut want, width, &domain, direction, order)
                    .expect("cpu");
                let mut col: GpuBuffer<ClDevice, M31> =
                    OpenClBackend::upload(&data).expect("upload");
                OpenClBackend::circle_fft_rows(&mut col, width, &domain, direction, order)
                    .expect("device");
                let got = OpenClBackend::download(&col).expect("download");
                assert_eq!(got, want, "2^{log_n} × {width}, {direction:?}, {order:?}");
            }
        }
    }
}

#[test]
fn ml_mlp_proofs_match_cpu() {
    let Some(_dev) = device() else { return };
    let mut rng = StdRng::seed_from_u64(5);
    let params = PcsParams::default();
    for widths in [&[16usize, 32, 8][..], &[5, 7, 3], &[1, 1]] {
        let float = random_mlp(&mut rng, widths);
        let quant = QuantModel::quantize(&float, &QuantConfig::default()).expect("quantize");
        let cpu = CommittedModel::new(quant.clone(), params).expect("cpu commit");
        let dev = CommittedModel::new_on::<OpenClBackend>(quant, params).expect("device commit");
        assert_eq!(dev.commitment, cpu.commitment, "{widths:?}: commitment");
        let x: Vec<f32> = (0..widths[0]).map(|_| rng.random_range(-1.0f32..1.0)).collect();
        let (y, want) = prove(&cpu, &x).expect("cpu proof");
        let (y_dev, got) = prove_on::<OpenClBackend>(&dev, &x).expect("device proof");
        assert_eq!(y_dev, y, "{widths:?}: output");
        assert_eq!(got.to_bytes(), want.to_bytes(), "{widths:?}: proof bytes");
        verify(&dev.commitment, &x, &y_dev, &got).expect("device proof verifies");
        let mut y_bad = y.clone();
        y_bad[0] += 1;
        assert!(verify(&dev.commitment, &x, &y_bad, &got).unwrap_err().is_rejection());
    }
}

#[test]
fn ml_matmul_proofs_match_cpu() {
    let Some(_dev) = device() else { return };
    let mut rng = StdRng::seed_from_u64(9);
    let params = PcsParams::default();
    for n in [16usize, 37, 64] {
        let a: Vec<i8> = (0..n * n).map(|_| rng.random_range(-128i32..128) as i8).collect();
        let b: Vec<i8> = (0..n * n).map(|_| rng.random_range(-128i32..128) as i8).collect();
        let c = zkprove_ml::matmul::product(n, &a, &b);
        let cpu = CommittedMatrix::new(n, a.clone(), params).expect("cpu commit");
        let dev = CommittedMatrix::new_on::<OpenClBackend>(n, a, params).expect("device commit");
        assert_eq!(dev.commitment, cpu.commitment, "n = {n}: commitment");
        let want = prove_matmul(&cpu, &b, &c).expect("cpu proof");
        let got = prove_matmul_on::<OpenClBackend>(&dev, &b, &c).expect("device proof");
        assert_eq!(got.to_bytes(), want.to_bytes(), "n = {n}: proof bytes");
        verify_matmul(&dev.commitment, &b, &c, &got).expect("device proof verifies");
        let mut c_bad = c.clone();
        c_bad[n] += 1;
        assert!(verify_matmul(&dev.commitment, &b, &c_bad, &got).unwrap_err().is_rejection());
    }
}
