//! Goldilocks multiplication throughput, zkprove against Plonky3 on the same data, plus inversion.
//!
//! Each iteration multiplies 2^14 field elements into eight independent accumulators (so the
//! multiplier's throughput, not its latency, is what is timed): packed (`Field::Packing` of both
//! crates: AVX-512 8 lanes here, AVX2 4 lanes with `target-cpu=x86-64-v3`) and scalar.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use p3_field::PackedValue;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::goldilocks::{Goldilocks, P};
use zkprove_field::{Field, PackedField};

type P3 = p3_goldilocks::Goldilocks;
type P3Packed = <P3 as p3_field::Field>::Packing;
type OurPacked = <Goldilocks as Field>::Packing;

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

fn bench_mul(c: &mut Criterion) {
    let n = 1usize << LOG_N;
    let mut rng = StdRng::seed_from_u64(0x601d);
    let raw: Vec<u64> = (0..n).map(|_| rng.random_range(0..P)).collect();

    let ours: Vec<Goldilocks> = raw.iter().map(|&v| Goldilocks::new(v)).collect();
    let theirs: Vec<P3> = raw.iter().map(|&v| P3::new(v)).collect();
    let ours_packed: Vec<OurPacked> =
        ours.chunks_exact(OurPacked::WIDTH).map(|c| OurPacked::from_fn(|i| c[i])).collect();
    let theirs_packed: Vec<P3Packed> =
        theirs.chunks_exact(P3Packed::WIDTH).map(|c| P3Packed::from_fn(|i| c[i])).collect();
    // Same lanes, same products.
    let (a, b) = (chains(&ours_packed), chains(&theirs_packed));
    for (x, y) in a.iter().zip(&b) {
        for (u, v) in x.as_slice().iter().zip(y.as_slice()) {
            assert_eq!(u.to_canonical_u64(), p3_field::PrimeField64::as_canonical_u64(v));
        }
    }

    let mut group = c.benchmark_group("mul/goldilocks-packed");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("zkprove", |bench| bench.iter(|| chains(black_box(&ours_packed))));
    group.bench_function("plonky3", |bench| bench.iter(|| chains(black_box(&theirs_packed))));
    group.finish();

    let mut group = c.benchmark_group("mul/goldilocks");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("zkprove", |bench| bench.iter(|| chains(black_box(&ours))));
    group.bench_function("plonky3", |bench| bench.iter(|| chains(black_box(&theirs))));
    group.finish();
}

fn bench_inverse(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(0x1a7);
    let raw: Vec<u64> = (0..256).map(|_| rng.random_range(1..P)).collect();
    let ours: Vec<Goldilocks> = raw.iter().map(|&v| Goldilocks::new(v)).collect();
    let theirs: Vec<P3> = raw.iter().map(|&v| P3::new(v)).collect();

    let mut group = c.benchmark_group("inverse/goldilocks");
    group.throughput(Throughput::Elements(raw.len() as u64));
    group.bench_function("zkprove-addition-chain", |bench| {
        bench.iter(|| {
            black_box(&ours)
                .iter()
                .map(|x| x.inverse().unwrap())
                .fold(Goldilocks::ZERO, |s, x| s + x)
        })
    });
    group.bench_function("zkprove-fermat-square-and-multiply", |bench| {
        bench.iter(|| {
            black_box(&ours).iter().map(|x| x.pow(P - 2)).fold(Goldilocks::ZERO, |s, x| s + x)
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
    targets = bench_mul, bench_inverse
}
criterion_main!(benches);
