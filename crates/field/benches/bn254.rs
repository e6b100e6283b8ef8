//! BN254 Fr multiplication, squaring and inversion: zkprove against arkworks (`ark-bn254`, with
//! ark-ff's `asm` feature, i.e. its hand-written mulx/adox/adcx multiplication) on the same data.
//!
//! Multiplication: each iteration multiplies 2^14 field elements into eight independent
//! accumulators, so the multiplier's throughput, not its latency, is what is timed. Squaring: eight
//! independent chains of repeated squaring, 2^14 squarings in all.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use ark_ff::{AdditiveGroup as _, BigInteger as _, Field as _, PrimeField as _};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::bn254::{Fq, Fqx8, Fr};
use zkprove_field::{Field, PrimeField};

type ArkFr = ark_bn254::Fr;

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

/// `n_rounds` squarings of each of the `N_CHAINS` starting values.
#[inline(always)]
fn square_chains<T: Copy>(start: &[T], n_rounds: usize, sq: impl Fn(&T) -> T) -> [T; N_CHAINS] {
    let mut acc: [T; N_CHAINS] = core::array::from_fn(|j| start[j]);
    for _ in 0..n_rounds {
        for a in acc.iter_mut() {
            *a = sq(a);
        }
    }
    acc
}

fn to_ark(x: &Fr) -> ArkFr {
    ArkFr::from_le_bytes_mod_order(&x.to_bytes_le())
}

fn same(x: &Fr, y: &ArkFr) -> bool {
    x.to_bytes_le().as_slice() == y.into_bigint().to_bytes_le().as_slice()
}

fn criterion_config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

fn inputs(n: usize, seed: u64) -> (Vec<Fr>, Vec<ArkFr>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let ours: Vec<Fr> = (0..n).map(|_| Fr::random(&mut rng)).collect();
    let theirs: Vec<ArkFr> = ours.iter().map(to_ark).collect();
    (ours, theirs)
}

fn bench_mul(c: &mut Criterion) {
    let n = 1usize << LOG_N;
    let (ours, theirs) = inputs(n, 0xb254);
    // Same inputs, same products.
    let (a, b) = (chains(&ours), chains(&theirs));
    assert!(a.iter().zip(&b).all(|(x, y)| same(x, y)));

    let mut group = c.benchmark_group("mul/bn254-fr");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("zkprove", |bench| bench.iter(|| chains(black_box(&ours))));
    group.bench_function("arkworks", |bench| bench.iter(|| chains(black_box(&theirs))));
    group.finish();
}

/// Independent vector chains in the 8-lane benchmarks (4 × 8 = 32 products in flight, against
/// the scalar benchmark's 8).
const N_VEC_CHAINS: usize = 4;

/// `Fqx8` products on the same data as 8-lane scalar chains: `N_VEC_CHAINS` running products of
/// 8 lanes each, every factor converted in from `[Fq; 8]` (one conversion per product, about what
/// the batch-affine MSM pays), and the result converted out once.
#[inline(always)]
fn lanes_chains(data: &[Fq]) -> [[Fq; 8]; N_VEC_CHAINS] {
    let packs: Vec<&[Fq; 8]> =
        data.chunks_exact(8).map(|c| <&[Fq; 8]>::try_from(c).unwrap()).collect();
    let mut acc: [Fqx8; N_VEC_CHAINS] = core::array::from_fn(|j| Fqx8::from_array(packs[j]));
    for group in packs[N_VEC_CHAINS..].chunks_exact(N_VEC_CHAINS) {
        for j in 0..N_VEC_CHAINS {
            acc[j] *= Fqx8::from_array(group[j]);
        }
    }
    acc.map(|a| a.to_array())
}

/// The same products with the factors already in lanes (no conversion in the loop).
#[inline(always)]
fn lanes_chains_preconverted(data: &[Fqx8]) -> [[Fq; 8]; N_VEC_CHAINS] {
    let mut acc: [Fqx8; N_VEC_CHAINS] = core::array::from_fn(|j| data[j]);
    for group in data[N_VEC_CHAINS..].chunks_exact(N_VEC_CHAINS) {
        for j in 0..N_VEC_CHAINS {
            acc[j] *= group[j];
        }
    }
    acc.map(|a| a.to_array())
}

/// Every product converted in and out: `to_array(from_array(a)·from_array(b))`, the worst case.
#[inline(always)]
fn lanes_round_trips(a: &[Fq], b: &[Fq]) -> Fq {
    let mut sum = Fq::ZERO;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let (x, y) = (<&[Fq; 8]>::try_from(x).unwrap(), <&[Fq; 8]>::try_from(y).unwrap());
        let p = (Fqx8::from_array(x) * Fqx8::from_array(y)).to_array();
        sum += p[0] + p[7];
    }
    sum
}

/// BN254 Fq: 8-lane products (AVX-512 IFMA where built for it, else the portable loop) against
/// scalar products on independent data, with and without the conversions.
fn bench_mul_x8(c: &mut Criterion) {
    let n = 1usize << LOG_N;
    let mut rng = StdRng::seed_from_u64(0x1f3a);
    let data: Vec<Fq> = (0..n).map(|_| Fq::random(&mut rng)).collect();
    let other: Vec<Fq> = (0..n).map(|_| Fq::random(&mut rng)).collect();
    let packed: Vec<Fqx8> =
        data.chunks_exact(8).map(|c| Fqx8::from_array(<&[Fq; 8]>::try_from(c).unwrap())).collect();
    // Same products both ways: chain (j, lane l) of the lanes multiplies the elements at
    // positions ≡ 8j + l mod 32, as four scalar sweeps of 8 chains would.
    let lanes = lanes_chains(&data);
    for j in 0..N_VEC_CHAINS {
        for l in 0..8 {
            let want: Fq = data.iter().skip(8 * j + l).step_by(8 * N_VEC_CHAINS).copied().product();
            assert_eq!(lanes[j][l], want);
        }
    }
    assert_eq!(lanes_chains_preconverted(&packed), lanes);

    let mut group = c.benchmark_group("mul-x8/bn254-fq");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("scalar", |bench| bench.iter(|| chains(black_box(&data))));
    let name = if Fqx8::IS_SIMD { "ifma" } else { "portable" };
    group.bench_function(format!("{name}-convert-in"), |bench| {
        bench.iter(|| lanes_chains(black_box(&data)))
    });
    group.bench_function(format!("{name}-preconverted"), |bench| {
        bench.iter(|| lanes_chains_preconverted(black_box(&packed)))
    });
    group.bench_function(format!("{name}-round-trip"), |bench| {
        bench.iter(|| lanes_round_trips(black_box(&data), black_box(&other)))
    });
    group.finish();
}

fn bench_square(c: &mut Criterion) {
    let n_rounds = (1usize << LOG_N) / N_CHAINS;
    let (ours, theirs) = inputs(N_CHAINS, 0x5a);
    let (a, b) =
        (square_chains(&ours, 5, Field::square), square_chains(&theirs, 5, ark_ff::Field::square));
    assert!(a.iter().zip(&b).all(|(x, y)| same(x, y)));

    let mut group = c.benchmark_group("square/bn254-fr");
    group.throughput(Throughput::Elements((n_rounds * N_CHAINS) as u64));
    group.bench_function("zkprove", |bench| {
        bench.iter(|| square_chains(black_box(&ours), n_rounds, Field::square))
    });
    group.bench_function("arkworks", |bench| {
        bench.iter(|| square_chains(black_box(&theirs), n_rounds, ark_ff::Field::square))
    });
    group.finish();
}

fn bench_inverse(c: &mut Criterion) {
    let n = 256;
    let (ours, theirs) = inputs(n, 0x1a7);
    assert!(
        ours.iter().zip(&theirs).all(|(x, y)| same(&x.inverse().unwrap(), &y.inverse().unwrap()))
    );

    let mut group = c.benchmark_group("inverse/bn254-fr");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("zkprove", |bench| {
        bench.iter(|| {
            black_box(&ours).iter().map(|x| x.inverse().unwrap()).fold(Fr::ZERO, |s, x| s + x)
        })
    });
    group.bench_function("zkprove-fermat", |bench| {
        bench.iter(|| {
            black_box(&ours)
                .iter()
                .map(|x| x.inverse_fermat().unwrap())
                .fold(Fr::ZERO, |s, x| s + x)
        })
    });
    group.bench_function("arkworks", |bench| {
        bench.iter(|| {
            black_box(&theirs).iter().map(|x| x.inverse().unwrap()).fold(ArkFr::ZERO, |s, x| s + x)
        })
    });
    group.finish();
}

fn bench_batch_inverse(c: &mut Criterion) {
    let n = 1usize << LOG_N;
    let (ours, theirs) = inputs(n, 0xba7);
    let mut group = c.benchmark_group("batch_inverse/bn254-fr");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_with_input(BenchmarkId::new("zkprove", n), &ours, |bench, xs| {
        bench.iter(|| zkprove_field::batch_inverse(black_box(xs)))
    });
    group.bench_with_input(BenchmarkId::new("arkworks", n), &theirs, |bench, xs| {
        bench.iter(|| {
            let mut v = black_box(xs).clone();
            ark_ff::batch_inversion(&mut v);
            v
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = criterion_config();
    targets = bench_mul, bench_mul_x8, bench_square, bench_inverse, bench_batch_inverse
}
criterion_main!(benches);
