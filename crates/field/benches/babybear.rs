//! BabyBear multiplication throughput, zkprove against Plonky3 (`p3-baby-bear`) on the same data.
//!
//! Every iteration multiplies 2^14 elements into `N_CHAINS` independent running products, so the
//! multiplier's throughput (not its latency) is timed: packed (`Field::Packing` of both crates: 16
//! AVX-512 lanes with this repository's `target-cpu=native`, 8 AVX2 lanes with `x86-64-v3`) and
//! scalar. Inversion (ours: addition chain for `p − 2`; Plonky3 0.8: a binary GCD) is timed too, and
//! so is the product in the quartic extension (`mul/babybear-ext4`, 2^12 elements, same chains).

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use p3_field::{BasedVectorSpace, PackedValue, PrimeField32};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::babybear::{BabyBear, BabyBearExt4, P};
use zkprove_field::{Field, PackedField};

type Theirs = p3_baby_bear::BabyBear;
type TheirsPacked = <Theirs as p3_field::Field>::Packing;
type OursPacked = <BabyBear as Field>::Packing;
type TheirsExt4 = p3_field::extension::BinomialExtensionField<Theirs, 4>;

const LOG_N: usize = 14;
/// Independent multiplication chains: the AVX-512 product has a latency of ~20 cycles and issues
/// every few cycles, so eight chains keep the multipliers busy.
const N_CHAINS: usize = 8;

/// Multiplies `xs[i]` into running product `i mod N_CHAINS` and returns the products.
#[inline(always)]
fn product_chains<T: Copy + core::ops::Mul<Output = T>>(xs: &[T]) -> [T; N_CHAINS] {
    let (head, rest) = xs.split_at(N_CHAINS);
    let mut acc: [T; N_CHAINS] = core::array::from_fn(|k| head[k]);
    for block in rest.chunks_exact(N_CHAINS) {
        for k in 0..N_CHAINS {
            acc[k] = acc[k] * block[k];
        }
    }
    acc
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

fn bench_mul(c: &mut Criterion) {
    let n = 1usize << LOG_N;
    let mut rng = StdRng::seed_from_u64(0xb0b0);
    let values: Vec<u32> = (0..n).map(|_| rng.random_range(0..P)).collect();
    let ours: Vec<BabyBear> = values.iter().map(|&v| BabyBear::new(v)).collect();
    let theirs: Vec<Theirs> = values.iter().map(|&v| Theirs::new(v)).collect();
    let ours_packed: Vec<OursPacked> =
        ours.chunks_exact(OursPacked::WIDTH).map(|c| OursPacked::from_fn(|i| c[i])).collect();
    let theirs_packed: Vec<TheirsPacked> =
        theirs.chunks_exact(TheirsPacked::WIDTH).map(|c| TheirsPacked::from_fn(|i| c[i])).collect();

    // Both compute the same products (the lane layouts agree when the widths do).
    if OursPacked::WIDTH == TheirsPacked::WIDTH {
        let (a, b) = (product_chains(&ours_packed), product_chains(&theirs_packed));
        for (x, y) in a.iter().zip(&b) {
            for (u, v) in x.as_slice().iter().zip(y.as_slice()) {
                assert_eq!(u.as_canonical_u32(), v.as_canonical_u32());
            }
        }
    }
    let (a, b) = (product_chains(&ours), product_chains(&theirs));
    for (u, v) in a.iter().zip(&b) {
        assert_eq!(u.as_canonical_u32(), v.as_canonical_u32());
    }

    let mut group = c.benchmark_group("mul/babybear-packed");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("zkprove", |bench| bench.iter(|| product_chains(black_box(&ours_packed))));
    group.bench_function("plonky3", |bench| {
        bench.iter(|| product_chains(black_box(&theirs_packed)))
    });
    group.finish();

    let mut group = c.benchmark_group("mul/babybear");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("zkprove", |bench| bench.iter(|| product_chains(black_box(&ours))));
    group.bench_function("plonky3", |bench| bench.iter(|| product_chains(black_box(&theirs))));
    group.finish();
}

fn bench_inverse(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(0x1b1b);
    let values: Vec<u32> = (0..1024).map(|_| rng.random_range(1..P)).collect();
    let ours: Vec<BabyBear> = values.iter().map(|&v| BabyBear::new(v)).collect();
    let theirs: Vec<Theirs> = values.iter().map(|&v| Theirs::new(v)).collect();

    let mut group = c.benchmark_group("inverse/babybear");
    group.throughput(Throughput::Elements(values.len() as u64));
    group.bench_function("zkprove", |bench| {
        bench.iter(|| {
            black_box(&ours).iter().map(|x| x.inverse().unwrap()).fold(BabyBear::ZERO, |s, x| s + x)
        })
    });
    group.bench_function("zkprove-pow", |bench| {
        bench.iter(|| {
            black_box(&ours)
                .iter()
                .map(|x| x.pow(u64::from(P) - 2))
                .fold(BabyBear::ZERO, |s, x| s + x)
        })
    });
    group.bench_function("plonky3", |bench| {
        bench.iter(|| {
            black_box(&theirs)
                .iter()
                .map(p3_field::Field::inverse)
                .fold(Theirs::new(0), |s, x| s + x)
        })
    });
    group.finish();
}

fn bench_ext4_mul(c: &mut Criterion) {
    let n = 1usize << 12;
    let mut rng = StdRng::seed_from_u64(0xe4e4);
    let ours: Vec<BabyBearExt4> = (0..n).map(|_| BabyBearExt4::random(&mut rng)).collect();
    let theirs: Vec<TheirsExt4> = ours
        .iter()
        .map(|x| {
            TheirsExt4::from_basis_coefficients_fn(|i| {
                Theirs::new(x.coeffs()[i].as_canonical_u32())
            })
        })
        .collect();
    let (a, b) = (product_chains(&ours), product_chains(&theirs));
    for (u, v) in a.iter().zip(&b) {
        let v = <TheirsExt4 as BasedVectorSpace<Theirs>>::as_basis_coefficients_slice(v);
        for (x, y) in u.coeffs().iter().zip(v) {
            assert_eq!(x.as_canonical_u32(), y.as_canonical_u32());
        }
    }

    let mut group = c.benchmark_group("mul/babybear-ext4");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("zkprove", |bench| bench.iter(|| product_chains(black_box(&ours))));
    group.bench_function("plonky3", |bench| bench.iter(|| product_chains(black_box(&theirs))));
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_mul, bench_inverse, bench_ext4_mul
}
criterion_main!(benches);
