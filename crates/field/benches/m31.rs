//! M31 multiplication throughput, zkprove against Plonky3 on the same data.
//!
//! Each iteration multiplies 2^14 field elements into eight independent accumulators (so the
//! multiplier's throughput, not its latency, is what is timed): packed (`Field::Packing` of both
//! crates: 16 lanes with AVX-512, 8 with `target-cpu=x86-64-v3`), scalar, and QM31 (2^12 elements).
//! Also scalar inversion (addition chain vs Plonky3's).

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use p3_field::extension::Complex;
use p3_field::{PackedValue, PrimeField32};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::m31::{CM31, M31, P, QM31};
use zkprove_field::{Field, PackedField};

type P3 = p3_mersenne_31::Mersenne31;
type P3Qm31 = p3_mersenne_31::QM31;
type P3Packed = <P3 as p3_field::Field>::Packing;
type OurPacked = <M31 as Field>::Packing;

const LOG_N: usize = 14;
const N_CHAINS: usize = 8;

/// Folds `data` into `N_CHAINS` running products, one chain per position mod `N_CHAINS`.
#[inline(always)]
fn chains<T: Copy + core::ops::Mul<Output = T>>(data: &[T]) -> [T; N_CHAINS] {
    let mut acc: [T; N_CHAINS] = core::array::from_fn(|j| data[j]);
    for chunk in data[N_CHAINS..].chunks_exact(N_CHAINS) {
        for j in 0..N_CHAINS {
            acc[j] = acc[j] * chunk[j];
        }
    }
    acc
}

fn criterion_config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

fn random_u32s(n: usize, seed: u64) -> Vec<u32> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(0..P)).collect()
}

fn bench_mul(c: &mut Criterion) {
    let n = 1usize << LOG_N;
    let raw = random_u32s(n, 0x3131);
    let ours: Vec<M31> = raw.iter().map(|&v| M31::new(v)).collect();
    let theirs: Vec<P3> = raw.iter().map(|&v| P3::new(v)).collect();
    let ours_packed: Vec<OurPacked> =
        ours.chunks_exact(OurPacked::WIDTH).map(|c| OurPacked::from_fn(|i| c[i])).collect();
    let theirs_packed: Vec<P3Packed> =
        theirs.chunks_exact(P3Packed::WIDTH).map(|c| P3Packed::from_fn(|i| c[i])).collect();
    // Same lanes, same products.
    let (a, b) = (chains(&ours_packed), chains(&theirs_packed));
    let a: Vec<u32> =
        a.iter().flat_map(|x| x.as_slice().iter().map(M31::as_canonical_u32)).collect();
    let b: Vec<u32> =
        b.iter().flat_map(|x| x.as_slice().iter().map(PrimeField32::as_canonical_u32)).collect();
    if OurPacked::WIDTH == P3Packed::WIDTH {
        assert_eq!(a, b);
    }

    let mut group = c.benchmark_group("mul/m31-packed");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("zkprove", |bench| bench.iter(|| chains(black_box(&ours_packed))));
    group.bench_function("plonky3", |bench| bench.iter(|| chains(black_box(&theirs_packed))));
    group.finish();

    let mut group = c.benchmark_group("mul/m31");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("zkprove", |bench| bench.iter(|| chains(black_box(&ours))));
    group.bench_function("plonky3", |bench| bench.iter(|| chains(black_box(&theirs))));
    group.finish();
}

fn bench_qm31_mul(c: &mut Criterion) {
    let n = 1usize << (LOG_N - 2);
    let raw = random_u32s(4 * n, 0x9431);
    let ours: Vec<QM31> = raw
        .chunks_exact(4)
        .map(|q| QM31::from_m31(M31::new(q[0]), M31::new(q[1]), M31::new(q[2]), M31::new(q[3])))
        .collect();
    let theirs: Vec<P3Qm31> = raw
        .chunks_exact(4)
        .map(|q| {
            P3Qm31::new([
                Complex::new_complex(P3::new(q[0]), P3::new(q[1])),
                Complex::new_complex(P3::new(q[2]), P3::new(q[3])),
            ])
        })
        .collect();
    let (a, b) = (chains(&ours), chains(&theirs));
    for (x, y) in a.iter().zip(&b) {
        let ys: Vec<u32> = p3_field::BasedVectorSpace::<P3>::as_basis_coefficients_slice(y)
            .iter()
            .map(PrimeField32::as_canonical_u32)
            .collect();
        assert_eq!(x.to_m31_array().map(|c| c.as_canonical_u32()).to_vec(), ys);
    }

    let mut group = c.benchmark_group("mul/qm31");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("zkprove", |bench| bench.iter(|| chains(black_box(&ours))));
    group.bench_function("plonky3", |bench| bench.iter(|| chains(black_box(&theirs))));
    group.finish();

    // CM31 for reference (no peer of the same shape is timed here).
    let ours_c: Vec<CM31> =
        raw.chunks_exact(2).map(|q| CM31::new_complex(M31::new(q[0]), M31::new(q[1]))).collect();
    let theirs_c: Vec<Complex<P3>> =
        raw.chunks_exact(2).map(|q| Complex::new_complex(P3::new(q[0]), P3::new(q[1]))).collect();
    let mut group = c.benchmark_group("mul/cm31");
    group.throughput(Throughput::Elements(ours_c.len() as u64));
    group.bench_function("zkprove", |bench| bench.iter(|| chains(black_box(&ours_c))));
    group.bench_function("plonky3", |bench| bench.iter(|| chains(black_box(&theirs_c))));
    group.finish();
}

fn bench_inverse(c: &mut Criterion) {
    let raw: Vec<u32> = random_u32s(256, 0x1a7).into_iter().map(|v| v.max(1)).collect();
    let ours: Vec<M31> = raw.iter().map(|&v| M31::new(v)).collect();
    let theirs: Vec<P3> = raw.iter().map(|&v| P3::new(v)).collect();
    let mut group = c.benchmark_group("inverse/m31");
    group.throughput(Throughput::Elements(raw.len() as u64));
    group.bench_function("zkprove", |bench| {
        bench.iter(|| {
            black_box(&ours).iter().map(|x| x.inverse().unwrap()).fold(M31::ZERO, |s, x| s + x)
        })
    });
    group.bench_function("plonky3", |bench| {
        bench.iter(|| {
            black_box(&theirs).iter().map(p3_field::Field::inverse).fold(P3::new(0), |s, x| s + x)
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = criterion_config();
    targets = bench_mul, bench_qm31_mul, bench_inverse
}
criterion_main!(benches);
