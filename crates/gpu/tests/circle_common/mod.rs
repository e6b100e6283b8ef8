//! The M31 circle FFT on a device against zkprove-poly's CPU backend (bit for bit), shared by
//! `circle_opencl.rs` (PoCL in CI) and `circle_cuda.rs` (a GPU).

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::Field;
use zkprove_field::m31::M31;
use zkprove_gpu::{GpuBackend, GpuBuffer, Runtime, circle_fft_batch_on, circle_lde_on};
use zkprove_poly::circle::naive_circle_evaluate;
use zkprove_poly::{
    CircleDomain, CircleFftOps, CircleOrder, CirclePoint, CpuBackend, Direction, PolyError,
};

pub fn required(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1")
}

pub fn random_m31(n: usize, rng: &mut StdRng) -> Vec<M31> {
    (0..n).map(|_| M31::from_u64(rng.random::<u64>())).collect()
}

/// The canonic coset and a twin coset that is not canonic, of `2^log_n` points.
pub fn domains(log_n: usize) -> Vec<CircleDomain> {
    let twin = CircleDomain::new(log_n, CirclePoint::GENERATOR.repeated_double(3))
        .expect("a twin coset of order 2^28 shift");
    vec![CircleDomain::canonic(log_n).expect("canonic"), twin]
}

const ORDERS: [CircleOrder; 2] = [CircleOrder::Natural, CircleOrder::BitReversed];
const DIRECTIONS: [Direction; 2] = [Direction::Forward, Direction::Inverse];

/// Every size `2^1 … 2^max_log_n`, both domains, orders and directions: three columns through
/// `CircleFftOps` (one buffer each) and the same three as one batch buffer, against the CPU.
pub fn matches_cpu<R: Runtime>(dev: &Arc<R>, max_log_n: usize) {
    let t = Instant::now();
    let mut rng = StdRng::seed_from_u64(0xc1c1e);
    for log_n in 1..=max_log_n {
        let n = 1usize << log_n;
        for domain in domains(log_n) {
            for direction in DIRECTIONS {
                for order in ORDERS {
                    let cols: Vec<Vec<M31>> = (0..3).map(|_| random_m31(n, &mut rng)).collect();
                    let mut want = cols.clone();
                    CpuBackend::circle_fft_batch(&mut want, &domain, direction, order)
                        .expect("cpu");
                    let what = format!("2^{log_n} {direction:?} {order:?} {:?}", domain.shift());
                    // One buffer per column, through the backend trait.
                    let mut bufs: Vec<GpuBuffer<R, M31>> =
                        cols.iter().map(|c| GpuBuffer::upload(dev, c).expect("upload")).collect();
                    GpuBackend::<R>::circle_fft_batch(&mut bufs, &domain, direction, order)
                        .unwrap_or_else(|e| panic!("{what}: {e}"));
                    for (b, w) in bufs.iter().zip(&want) {
                        assert_eq!(&b.download().expect("download"), w, "{what}: per column");
                    }
                    // One batch buffer.
                    let mut flat = GpuBuffer::upload(dev, &cols.concat()).expect("upload");
                    circle_fft_batch_on(&mut flat, &domain, direction, order)
                        .unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(flat.download().expect("download"), want.concat(), "{what}: batch");
                }
            }
        }
    }
    eprintln!("circle FFT 2^1..2^{max_log_n}: {:.2?}", t.elapsed());
}

/// Larger single sizes (one column, canonic, natural order both ways) and the round trip.
pub fn large_sizes<R: Runtime>(dev: &Arc<R>, logs: &[usize]) {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    for &log_n in logs {
        let t = Instant::now();
        let domain = CircleDomain::canonic(log_n).expect("canonic");
        let coeffs = random_m31(1 << log_n, &mut rng);
        for order in ORDERS {
            let mut want = vec![coeffs.clone()];
            CpuBackend::circle_fft_batch(&mut want, &domain, Direction::Forward, order)
                .expect("cpu");
            let mut buf = GpuBuffer::upload(dev, &coeffs).expect("upload");
            circle_fft_batch_on(&mut buf, &domain, Direction::Forward, order).expect("forward");
            assert_eq!(buf.download().expect("download"), want[0], "2^{log_n} {order:?}");
            circle_fft_batch_on(&mut buf, &domain, Direction::Inverse, order).expect("inverse");
            assert_eq!(buf.download().expect("download"), coeffs, "2^{log_n} {order:?} round trip");
        }
        eprintln!("circle FFT 2^{log_n}: {:.2?}", t.elapsed());
    }
}

/// Small sizes against the O(n²) oracle (independent of the CPU FFT).
pub fn matches_naive<R: Runtime>(dev: &Arc<R>) {
    let mut rng = StdRng::seed_from_u64(7);
    for log_n in 1..=6 {
        for domain in domains(log_n) {
            for order in ORDERS {
                let coeffs = random_m31(1 << log_n, &mut rng);
                let want = naive_circle_evaluate(&coeffs, &domain, order).expect("naive");
                let mut buf = GpuBuffer::upload(dev, &coeffs).expect("upload");
                circle_fft_batch_on(&mut buf, &domain, Direction::Forward, order).expect("fft");
                assert_eq!(buf.download().expect("download"), want, "2^{log_n} {order:?}");
            }
        }
    }
}

/// Low-degree extensions `2^k → 2^K` against the CPU backend's.
pub fn lde_matches_cpu<R: Runtime>(dev: &Arc<R>) {
    let mut rng = StdRng::seed_from_u64(11);
    for (k, big_k) in [(1, 1), (1, 3), (3, 5), (5, 6), (8, 10), (10, 13), (11, 14)] {
        let from = CircleDomain::canonic(k).expect("from");
        let to = CircleDomain::canonic(big_k).expect("to");
        for order in ORDERS {
            let cols: Vec<Vec<M31>> = (0..2).map(|_| random_m31(1 << k, &mut rng)).collect();
            let want = CpuBackend::circle_lde_batch(&cols, &from, &to, order).expect("cpu");
            let bufs: Vec<GpuBuffer<R, M31>> =
                cols.iter().map(|c| GpuBuffer::upload(dev, c).expect("upload")).collect();
            let got = GpuBackend::<R>::circle_lde_batch(&bufs, &from, &to, order).expect("lde");
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(&g.download().expect("download"), w, "2^{k} → 2^{big_k} {order:?}");
            }
            // The inputs are left as they were.
            assert_eq!(bufs[0].download().expect("download"), cols[0]);
            let flat = GpuBuffer::upload(dev, &cols.concat()).expect("upload");
            let got = circle_lde_on(&flat, &from, &to, order).expect("lde batch");
            assert_eq!(got.download().expect("download"), want.concat(), "2^{k} → 2^{big_k}");
        }
    }
}

/// Bad shapes are typed errors, not panics.
pub fn errors<R: Runtime>(dev: &Arc<R>) {
    let d4 = CircleDomain::canonic(4).expect("domain");
    let d3 = CircleDomain::canonic(3).expect("domain");
    let mut odd = GpuBuffer::upload(dev, &[M31::ONE; 24]).expect("upload");
    assert_eq!(
        circle_fft_batch_on(&mut odd, &d4, Direction::Forward, CircleOrder::Natural),
        Err(PolyError::DomainSizeMismatch { domain_size: 16, got: 24 })
    );
    let mut cols = vec![GpuBuffer::upload(dev, &[M31::ONE; 8]).expect("upload")];
    assert_eq!(
        GpuBackend::<R>::circle_fft_batch(&mut cols, &d4, Direction::Inverse, CircleOrder::Natural),
        Err(PolyError::DomainSizeMismatch { domain_size: 16, got: 8 })
    );
    let r = GpuBackend::<R>::circle_lde_batch(
        &cols,
        &d3,
        &CircleDomain::canonic(2).expect("d2"),
        CircleOrder::Natural,
    );
    assert!(
        matches!(r, Err(PolyError::LdeShrinks { from_log_n: 3, to_log_n: 2 })),
        "{:?}",
        r.err()
    );
    // An empty batch is a no-op.
    let mut empty = GpuBuffer::<R, M31>::zeros(dev, 0).expect("empty");
    circle_fft_batch_on(&mut empty, &d4, Direction::Forward, CircleOrder::Natural).expect("empty");
    GpuBackend::<R>::circle_fft_batch(&mut [], &d4, Direction::Forward, CircleOrder::Natural)
        .expect("no columns");
}
