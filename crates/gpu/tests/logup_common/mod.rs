//! Shared tests of the device LogUp columns (`zkprove_gpu::logup_column`) against the CPU's
//! definition: `h = 1/(β − Σ_k γ_k·col_k)` row by row, inverted by `zkprove_field::batch_inverse`;
//! tuple widths 1–3, row counts around the kernel's chunk; the errors. Instantiated by
//! `logup_opencl.rs` and `logup_cuda.rs`.

use std::sync::Arc;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::{ExtensionField, Field, batch_inverse};
use zkprove_gpu::{
    GpuBuffer, GpuError, GpuExtension, GpuField, LOGUP_CHUNK, Runtime, ext_download, logup_column,
};

/// The CPU's LogUp column, written out: denominators, then one batch inversion.
fn reference<F: Field, E: ExtensionField<F>>(cols: &[Vec<F>], beta: E, gammas: &[E]) -> Vec<E> {
    let n = cols.first().map_or(0, Vec::len);
    let d: Vec<E> =
        (0..n).map(|i| beta - gammas.iter().zip(cols).map(|(&g, c)| g * c[i]).sum::<E>()).collect();
    batch_inverse(&d)
}

pub fn matches_cpu<R: Runtime, F: GpuField, E: GpuExtension<F>>(dev: &Arc<R>, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    for n in [0, 1, 5, LOGUP_CHUNK - 1, LOGUP_CHUNK, LOGUP_CHUNK + 1, 1000] {
        for width in 1..=3 {
            let cols: Vec<Vec<F>> =
                (0..width).map(|_| (0..n).map(|_| F::random(&mut rng)).collect()).collect();
            let beta = E::random(&mut rng);
            let gamma = E::random(&mut rng);
            let gammas: Vec<E> = (0..width).map(|k| gamma.pow(k as u64)).collect();
            let up: Vec<GpuBuffer<R, F>> =
                cols.iter().map(|c| GpuBuffer::upload(dev, c).expect("upload")).collect();
            let refs: Vec<&GpuBuffer<R, F>> = up.iter().collect();
            let h = logup_column::<_, F, E>(&refs, beta, &gammas).expect("device LogUp column");
            assert_eq!(h.len(), n);
            let got = ext_download::<_, F, E>(&h, n).expect("download");
            assert_eq!(got, reference(&cols, beta, &gammas), "n = {n}, width = {width}");
        }
    }
}

pub fn errors<R: Runtime, F: GpuField, E: GpuExtension<F>>(dev: &Arc<R>) {
    let mut rng = StdRng::seed_from_u64(7);
    let col: Vec<F> = (0..200).map(|_| F::random(&mut rng)).collect();
    let up = GpuBuffer::upload(dev, &col).expect("upload");
    // β equal to one row's value: that row's denominator is zero, as the CPU refuses.
    let beta = E::from(col[150]);
    assert_eq!(
        logup_column::<_, F, E>(&[&up], beta, &[E::ONE]).err(),
        Some(GpuError::ZeroDenominator)
    );
    let short = GpuBuffer::upload(dev, &col[..10]).expect("upload");
    let r = logup_column::<_, F, E>(&[&up, &short], E::ONE, &[E::ONE, E::ONE]);
    assert_eq!(r.err(), Some(GpuError::LengthMismatch { expected: 200, got: 10 }));
    assert!(matches!(
        logup_column::<_, F, E>(&[&up, &up], E::ONE, &[E::ONE]),
        Err(GpuError::Unsupported { .. })
    ));
    assert!(matches!(logup_column::<R, F, E>(&[], E::ONE, &[]), Err(GpuError::Unsupported { .. })));
}

/// The LogUp tests for one runtime, given its `device()` getter (`Option<Arc<R>>`).
#[macro_export]
macro_rules! logup_tests {
    ($device:path) => {
        #[test]
        fn logup_columns_match_cpu() {
            use zkprove_field::babybear::{BabyBear, BabyBearExt4};
            use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
            use zkprove_field::m31::{M31, QM31};
            let Some(dev) = $device() else { return };
            $crate::logup_common::matches_cpu::<_, M31, QM31>(&dev, 1);
            $crate::logup_common::matches_cpu::<_, BabyBear, BabyBearExt4>(&dev, 2);
            $crate::logup_common::matches_cpu::<_, Goldilocks, GoldilocksExt2>(&dev, 3);
        }

        #[test]
        fn logup_column_errors() {
            use zkprove_field::babybear::{BabyBear, BabyBearExt4};
            use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
            use zkprove_field::m31::{M31, QM31};
            let Some(dev) = $device() else { return };
            $crate::logup_common::errors::<_, M31, QM31>(&dev);
            $crate::logup_common::errors::<_, BabyBear, BabyBearExt4>(&dev);
            $crate::logup_common::errors::<_, Goldilocks, GoldilocksExt2>(&dev);
        }
    };
}
