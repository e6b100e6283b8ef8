//! The quotient tests, generic over the runtime (`quotient_opencl.rs`, `quotient_cuda.rs`):
//! [`CosetNtt`] (domain → odd coset, against two CPU NTTs), [`mul_sub_assign`], and MSMs over
//! device-resident scalars ([`GpuBases::msm_device`] / [`GpuBases::msm_enqueue`], against the
//! host-scalar MSM).

use std::sync::Arc;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_curve::Projective;
use zkprove_curve::bn254::{G1Config, G2Config};
use zkprove_curve::msm::random_points;
use zkprove_field::bn254::Fr;
use zkprove_field::{Field, TwoAdicField};
use zkprove_gpu::{CosetNtt, GpuBases, GpuBuffer, GpuError, Runtime, mul_sub_assign};
use zkprove_poly::{CpuBackend, Direction, NttOps, Order};

fn random(n: usize, rng: &mut StdRng) -> Vec<Fr> {
    (0..n).map(|_| Fr::random(&mut *rng)).collect()
}

/// The CPU prover's move: iNTT (natural → bit-reversed), then the forward NTT over `shift·H`.
fn cpu_to_coset(values: &[Fr], shift: Fr) -> Vec<Fr> {
    let mut cols = [values.to_vec()];
    CpuBackend::ntt_batch(&mut cols, Direction::Inverse, Order::NaturalToBitReversed, Fr::ONE)
        .expect("cpu intt");
    CpuBackend::ntt_batch(&mut cols, Direction::Forward, Order::BitReversedToNatural, shift)
        .expect("cpu ntt");
    let [col] = cols;
    col
}

/// [`CosetNtt`] against the CPU transforms at `log_sizes`, one column and batches of three.
pub fn coset_ntt_matches_two_cpu_transforms<R: Runtime>(dev: &Arc<R>, log_sizes: &[usize]) {
    let dev = dev.clone();
    let mut rng = StdRng::seed_from_u64(71);
    for &log_n in log_sizes {
        // ω_{2n}: Groth16's odd coset; also an arbitrary shift at one size.
        let shifts = if log_n == 10 {
            vec![Fr::two_adic_generator(log_n + 1).expect("root"), Fr::from_u64(25)]
        } else {
            vec![Fr::two_adic_generator(log_n + 1).expect("root")]
        };
        for shift in shifts {
            let n = 1usize << log_n;
            let coset = CosetNtt::<_, Fr>::new(&dev, log_n, shift).expect("coset plan");
            // One column, and a batch of three in one buffer.
            for n_cols in [1usize, 3] {
                let host = random(n * n_cols, &mut rng);
                let mut buf = GpuBuffer::upload(&dev, &host).expect("upload");
                coset.apply(&mut buf).expect("apply");
                let got = buf.download().expect("download");
                let want: Vec<Fr> =
                    host.chunks(n).flat_map(|col| cpu_to_coset(col, shift)).collect();
                assert_eq!(got, want, "log_n {log_n}, {n_cols} columns, shift {shift:?}");
            }
        }
    }
    // A length that is not a multiple of n, a zero shift, a size beyond the two-adicity.
    let coset = CosetNtt::<_, Fr>::new(&dev, 4, Fr::from_u64(5)).expect("plan");
    let mut odd = GpuBuffer::upload(&dev, &random(24, &mut rng)).expect("upload");
    assert!(coset.apply(&mut odd).is_err());
    assert!(CosetNtt::<_, Fr>::new(&dev, 4, Fr::ZERO).is_err());
    assert!(CosetNtt::<_, Fr>::new(&dev, Fr::TWO_ADICITY + 1, Fr::ONE).is_err());
}

/// [`mul_sub_assign`] against the host, and its length check.
pub fn mul_sub_assign_matches_host<R: Runtime>(dev: &Arc<R>) {
    let dev = dev.clone();
    let mut rng = StdRng::seed_from_u64(72);
    for n in [0usize, 1, 7, 1000] {
        let (a, b, c) = (random(n, &mut rng), random(n, &mut rng), random(n, &mut rng));
        let mut da = GpuBuffer::upload(&dev, &a).expect("upload");
        let db = GpuBuffer::upload(&dev, &b).expect("upload");
        let dc = GpuBuffer::upload(&dev, &c).expect("upload");
        mul_sub_assign(&mut da, &db, &dc).expect("mul_sub");
        let want: Vec<Fr> = (0..n).map(|i| a[i] * b[i] - c[i]).collect();
        assert_eq!(da.download().expect("download"), want, "n = {n}");
    }
    let mut a = GpuBuffer::upload(&dev, &random(4, &mut rng)).expect("upload");
    let b = GpuBuffer::upload(&dev, &random(4, &mut rng)).expect("upload");
    let short = GpuBuffer::upload(&dev, &random(3, &mut rng)).expect("upload");
    assert_eq!(
        mul_sub_assign(&mut a, &b, &short),
        Err(GpuError::LengthMismatch { expected: 4, got: 3 })
    );
}

/// [`GpuBuffer::download_enqueue`]: the copy is ordered after the work queued before it and before
/// the work queued after it (the later in-place update does not show in it); several pending at
/// once, of the same and of different lengths; one dropped unwaited, its buffer then reused.
pub fn download_enqueue_reads_before_later_work<R: Runtime>(dev: &Arc<R>) {
    let dev = dev.clone();
    let mut rng = StdRng::seed_from_u64(74);
    for n in [0usize, 1, 33, 1000, 1000] {
        let (a, b, c) = (random(n, &mut rng), random(n, &mut rng), random(n, &mut rng));
        let mut da = GpuBuffer::upload(&dev, &a).expect("upload");
        let db = GpuBuffer::upload(&dev, &b).expect("upload");
        let dc = GpuBuffer::upload(&dev, &c).expect("upload");
        let before = da.download_enqueue().expect("queue download");
        let dropped = da.download_enqueue().expect("queue download");
        mul_sub_assign(&mut da, &db, &dc).expect("mul_sub");
        let after = da.download_enqueue().expect("queue download");
        drop(dropped);
        mul_sub_assign(&mut da, &db, &dc).expect("mul_sub again");
        let once: Vec<Fr> = (0..n).map(|i| a[i] * b[i] - c[i]).collect();
        let twice: Vec<Fr> = (0..n).map(|i| once[i] * b[i] - c[i]).collect();
        // Waited for out of order: each holds what the buffer held when it was queued.
        assert_eq!(after.wait().expect("after"), once, "n = {n}: queued after one update");
        assert_eq!(before.wait().expect("before"), a, "n = {n}: queued before the updates");
        let last = da.download_enqueue().expect("queue download");
        drop(da);
        assert_eq!(last.wait().expect("last"), twice, "n = {n}: the buffer dropped meanwhile");
    }
}

/// MSMs over a device column (from offsets, queued back to back) against host scalars.
pub fn msm_over_device_scalars_matches_host_scalars<R: Runtime>(dev: &Arc<R>) {
    let dev = dev.clone();
    let mut rng = StdRng::seed_from_u64(73);
    // A witness-like column shared by several MSMs, one of them from an offset (the C query).
    let n = 1500;
    let offset = 37;
    let mut scalars = random(n, &mut rng);
    for s in scalars.iter_mut().step_by(3) {
        *s = Fr::ONE;
    }
    scalars[5] = Fr::ZERO;
    let column = GpuBuffer::upload(&dev, &scalars).expect("upload");
    let g1 = GpuBases::<_, G1Config>::new(&dev, &random_points(n, &mut rng)).expect("bases");
    let g1_tail =
        GpuBases::<_, G1Config>::new(&dev, &random_points(n - offset, &mut rng)).expect("bases");
    let g2 = GpuBases::<_, G2Config>::new(&dev, &random_points(300, &mut rng)).expect("bases");
    let g2_column = GpuBuffer::upload(&dev, &scalars[..300]).expect("upload");

    let want_g1 = g1.msm(&scalars, None).expect("host scalars");
    let want_tail = g1_tail.msm(&scalars[offset..], None).expect("host scalars");
    let want_g2 = g2.msm(&scalars[..300], None).expect("host scalars");
    assert_eq!(g1.msm_device(&column, 0, None).expect("device scalars"), want_g1);
    // Queued back to back, finished afterwards.
    let p1 = g1.msm_enqueue(&column, 0, Some(7)).expect("enqueue");
    let p2 = g1_tail.msm_enqueue(&column, offset, None).expect("enqueue");
    let p3 = g2.msm_enqueue(&g2_column, 0, None).expect("enqueue");
    drop(column);
    assert_eq!(p3.finish().expect("finish"), want_g2);
    assert_eq!(p2.finish().expect("finish"), want_tail);
    assert_eq!(p1.finish().expect("finish"), want_g1);
    // Wrong lengths.
    let column = GpuBuffer::upload(&dev, &scalars).expect("upload");
    assert!(matches!(
        g1_tail.msm_device(&column, offset + 1, None),
        Err(GpuError::LengthMismatch { .. })
    ));
    assert!(matches!(g1.msm_device(&column, n + 1, None), Err(GpuError::LengthMismatch { .. })));
    let empty = GpuBases::<_, G1Config>::new(&dev, &[]).expect("bases");
    assert_eq!(empty.msm_device(&column, n, None).expect("empty"), Projective::identity());
}
