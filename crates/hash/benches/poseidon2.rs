//! Poseidon2 throughput against Plonky3 (`p3-poseidon2` 0.8 instances), same process, same inputs:
//! - `*_packed`: `2^N / lanes` packed states (`[F::Packing; W]`), permuted in place on every thread
//!   (Rayon) — the permutation alone, ours vs Plonky3's packed implementation;
//! - `ours_batch`: [`Poseidon2::permute_batch`] on `2^N` scalar states (packing and unpacking
//!   included), what the Merkle and CLI paths pay;
//! - `single`: one scalar permutation (latency).
//!
//! `ZKPROVE_BENCH_LOG_N` (comma-separated, default "14") picks the number of permutations.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use p3_symmetric::Permutation;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use zkprove_field::babybear::BabyBear;
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::m31::M31;
use zkprove_field::{PackedField, PrimeField64};
use zkprove_hash::Poseidon2;

fn sizes() -> Vec<usize> {
    std::env::var("ZKPROVE_BENCH_LOG_N")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![14])
}

/// Benchmarks one instance: `to_p3` maps a canonical value to Plonky3's field.
fn bench_instance<F, P3F, P3, const W: usize>(
    c: &mut Criterion,
    name: &str,
    ours: &Poseidon2<F, W>,
    theirs: &P3,
    to_p3: impl Fn(u64) -> P3F + Copy,
) where
    F: PrimeField64,
    P3F: p3_field::Field,
    P3: Permutation<[P3F; W]> + Permutation<[P3F::Packing; W]> + Sync,
{
    let mut g = c.benchmark_group(format!("poseidon2_{name}"));
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    let mut rng = StdRng::seed_from_u64(1);
    for log_n in sizes() {
        let n = 1usize << log_n;
        let raw: Vec<[u64; W]> =
            (0..n).map(|_| core::array::from_fn(|_| rng.random_range(0..F::ORDER_U64))).collect();

        let lanes = <F::Packing as PackedField>::WIDTH;
        let mut ours_packed: Vec<[F::Packing; W]> = raw
            .chunks(lanes)
            .map(|ch| {
                core::array::from_fn(|i| {
                    <F::Packing as PackedField>::from_fn(|l| F::from_u64(ch[l % ch.len()][i]))
                })
            })
            .collect();
        g.bench_function(BenchmarkId::new("ours_packed", log_n), |b| {
            b.iter(|| {
                ours_packed.par_iter_mut().for_each(|s| ours.permute_packed_mut(s));
                black_box(&ours_packed);
            })
        });

        let p3_lanes = <P3F::Packing as p3_field::PackedValue>::WIDTH;
        let mut theirs_packed: Vec<[P3F::Packing; W]> = raw
            .chunks(p3_lanes)
            .map(|ch| {
                core::array::from_fn(|i| {
                    <P3F::Packing as p3_field::PackedValue>::from_fn(|l| to_p3(ch[l % ch.len()][i]))
                })
            })
            .collect();
        g.bench_function(BenchmarkId::new("plonky3_packed", log_n), |b| {
            b.iter(|| {
                theirs_packed.par_iter_mut().for_each(|s| theirs.permute_mut(s));
                black_box(&theirs_packed);
            })
        });

        let mut states: Vec<[F; W]> = raw.iter().map(|s| s.map(F::from_u64)).collect();
        g.bench_function(BenchmarkId::new("ours_batch", log_n), |b| {
            b.iter(|| {
                ours.permute_batch(&mut states);
                black_box(&states);
            })
        });
    }
    let one: [F; W] = core::array::from_fn(|i| F::from_u64(i as u64));
    let one_p3: [P3F; W] = core::array::from_fn(|i| to_p3(i as u64));
    g.bench_function("ours_single", |b| b.iter(|| ours.permute(black_box(one))));
    g.bench_function("plonky3_single", |b| b.iter(|| theirs.permute(black_box(one_p3))));
    g.finish();
}

fn benches(c: &mut Criterion) {
    bench_instance(
        c,
        "babybear16",
        &Poseidon2::<BabyBear, 16>::babybear_16(),
        &p3_baby_bear::default_babybear_poseidon2_16(),
        |v| p3_baby_bear::BabyBear::new(v as u32),
    );
    bench_instance(
        c,
        "babybear24",
        &Poseidon2::<BabyBear, 24>::babybear_24(),
        &p3_baby_bear::default_babybear_poseidon2_24(),
        |v| p3_baby_bear::BabyBear::new(v as u32),
    );
    bench_instance(
        c,
        "m31_16",
        &Poseidon2::<M31, 16>::m31_16(),
        &p3_mersenne_31::default_mersenne31_poseidon2_16(),
        |v| p3_mersenne_31::Mersenne31::new(v as u32),
    );
    bench_instance(
        c,
        "goldilocks8",
        &Poseidon2::<Goldilocks, 8>::goldilocks_8(),
        &p3_goldilocks::default_goldilocks_poseidon2_8(),
        p3_goldilocks::Goldilocks::new,
    );
    bench_instance(
        c,
        "goldilocks12",
        &Poseidon2::<Goldilocks, 12>::goldilocks_12(),
        &p3_goldilocks::default_goldilocks_poseidon2_12(),
        p3_goldilocks::Goldilocks::new,
    );
}

criterion_group!(poseidon2, benches);
criterion_main!(poseidon2);
