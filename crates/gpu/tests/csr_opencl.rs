//! Device CSR sparse matrix–vector products over BN254 Fr through OpenCL (PoCL in CI) against a
//! host computation. Skips without an OpenCL device unless `ZKPROVE_REQUIRE_OPENCL=1`.

#![cfg(feature = "opencl")]

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::Field;
use zkprove_field::bn254::Fr;
use zkprove_gpu::{ClDevice, GpuBuffer, GpuCsr, GpuError};

fn device() -> Option<Arc<ClDevice>> {
    crate::common::opencl_device()
}

#[test]
fn csr_mul_vec_matches_host() {
    let Some(dev) = device() else { return };
    let mut rng = StdRng::seed_from_u64(23);
    let (n_rows, n_cols) = (1 << 10, 700);
    // A few distinct values (1, −1 and random ones), 0..6 entries per row, repeated cells.
    let values = vec![Fr::ONE, -Fr::ONE, Fr::random(&mut rng), Fr::random(&mut rng)];
    let mut row_start = vec![0u32];
    let (mut cols, mut value_index) = (Vec::new(), Vec::new());
    for _ in 0..n_rows {
        for _ in 0..rng.random_range(0..6) {
            cols.push(rng.random_range(0..n_cols as u32));
            value_index.push(rng.random_range(0..values.len() as u32));
        }
        row_start.push(cols.len() as u32);
    }
    let w: Vec<Fr> = (0..n_cols).map(|_| Fr::random(&mut rng)).collect();
    let want: Vec<Fr> = (0..n_rows)
        .map(|i| {
            (row_start[i]..row_start[i + 1])
                .map(|k| values[value_index[k as usize] as usize] * w[cols[k as usize] as usize])
                .fold(Fr::ZERO, |a, b| a + b)
        })
        .collect();
    let m = GpuCsr::new(&dev, &row_start, &cols, &value_index, &values, n_cols).expect("upload");
    assert_eq!((m.n_rows(), m.n_cols()), (n_rows, n_cols));
    let wd = GpuBuffer::upload(&dev, &w).expect("upload w");
    let got = m.mul_vec(&wd).expect("spmv").download().expect("download");
    assert_eq!(got, want);

    // Bad inputs are errors.
    let short = GpuBuffer::upload(&dev, &w[..10]).expect("upload");
    assert!(matches!(m.mul_vec(&short), Err(GpuError::LengthMismatch { .. })));
    let bad_col = GpuCsr::new(&dev, &[0, 1], &[n_cols as u32], &[0], &values, n_cols);
    assert!(matches!(bad_col, Err(GpuError::Unsupported { .. })));
    let bad_rows = GpuCsr::new(&dev, &[0, 2], &[0], &[0], &values, n_cols);
    assert!(matches!(bad_rows, Err(GpuError::Unsupported { .. })));
    let bad_value = GpuCsr::new(&dev, &[0, 1], &[0], &[9], &values, n_cols);
    assert!(matches!(bad_value, Err(GpuError::Unsupported { .. })));
}
