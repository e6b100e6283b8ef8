//! Sumcheck prover time: a whole proof (every round, Poseidon2 transcript) for the product of
//! `d` random base-field tables of 2^N entries, `d ∈ {2, 3}`, for M31/QM31, BabyBear/BabyBear⁴ and
//! Goldilocks/Goldilocks²; plus the first round alone (base-field, SIMD-packed) for M31.
//! The tables are cloned outside the timed region.
//!
//! `ZKPROVE_BENCH_LOG_N` (comma-separated, default "16") picks the sizes.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_field::m31::{M31, QM31};
use zkprove_field::{ExtensionField, Field};
use zkprove_hash::{Poseidon2, Transcript};
use zkprove_poly::CpuBackend;
use zkprove_sumcheck::{SumcheckProver, Term};

fn sizes() -> Vec<usize> {
    std::env::var("ZKPROVE_BENCH_LOG_N")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![16])
}

fn tables<F: Field>(d: usize, log_n: usize) -> Vec<Vec<F>> {
    let mut rng = StdRng::seed_from_u64(9);
    (0..d).map(|_| (0..1usize << log_n).map(|_| F::random(&mut rng)).collect()).collect()
}

fn bench_field<F: Field, E: ExtensionField<F>, const W: usize, const R: usize>(
    c: &mut Criterion,
    name: &str,
    transcript: impl Fn() -> Transcript<F, W, R>,
) {
    let mut g = c.benchmark_group(format!("sumcheck_prove_{name}"));
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for log_n in sizes() {
        for d in [2usize, 3] {
            let t = tables::<F>(d, log_n);
            let terms = vec![Term::<E>::product((0..d).collect())];
            g.bench_function(BenchmarkId::new(format!("degree{d}"), log_n), |b| {
                b.iter_batched(
                    || (t.clone(), transcript()),
                    |(t, mut tr)| {
                        let p = SumcheckProver::<F, E, CpuBackend>::new(t, terms.clone())
                            .expect("prover");
                        black_box(p.prove(E::ZERO, &mut tr).expect("prove"))
                    },
                    BatchSize::LargeInput,
                )
            });
        }
    }
    g.finish();
}

fn first_round(c: &mut Criterion) {
    let mut g = c.benchmark_group("sumcheck_first_round_m31");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for log_n in sizes() {
        for d in [2usize, 3] {
            let terms = vec![Term::<QM31>::product((0..d).collect())];
            let p = SumcheckProver::<M31, QM31, CpuBackend>::new(tables(d, log_n), terms)
                .expect("prover");
            g.bench_function(BenchmarkId::new(format!("degree{d}"), log_n), |b| {
                b.iter(|| black_box(p.round_polynomial().expect("round")))
            });
        }
    }
    g.finish();
}

fn benches(c: &mut Criterion) {
    first_round(c);
    bench_field::<M31, QM31, 16, 8>(c, "m31", || {
        Transcript::with_label(Poseidon2::m31_16(), b"bench").expect("shape")
    });
    bench_field::<BabyBear, BabyBearExt4, 16, 8>(c, "babybear", || {
        Transcript::with_label(Poseidon2::babybear_16(), b"bench").expect("shape")
    });
    bench_field::<Goldilocks, GoldilocksExt2, 12, 8>(c, "goldilocks", || {
        Transcript::with_label(Poseidon2::goldilocks_12(), b"bench").expect("shape")
    });
}

criterion_group!(sumcheck, benches);
criterion_main!(sumcheck);
