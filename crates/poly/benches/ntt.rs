//! NTT throughput against the fastest Rust peers, same process, same inputs, same thread pool
//! (Plonky3 built with its `parallel` feature, so every peer uses both cores):
//! - BN254 Fr, natural → natural: halo2curves `best_fft`, arkworks `Radix2EvaluationDomain::fft_in_place`.
//! - Goldilocks / BabyBear: Plonky3 `Radix2DitParallel` and (BabyBear) `RecursiveDft`, which return a
//!   bit-reversed view, against our natural → bit-reversed; Plonky3 `Radix2DFTSmallBatch` (natural
//!   output) against our natural → natural.
//! - M31: Plonky3 `CircleEvaluations::evaluate` (coefficients → evaluations in "cfft order") against
//!   our forward circle FFT in [`CircleOrder::BitReversed`] (the same order), on the canonic coset.
//!
//! Width `w > 1`: `w` columns, one `Vec` each, for our column API (`zkprove-*`), and the same
//! row-major `n × w` matrix for our `ntt_rows` / `circle_fft_rows` (`zkprove-rows-*`, in place) and
//! for Plonky3.
//! `ZKPROVE_BENCH_LOG_N` (comma-separated, default "16,20") picks the sizes, `ZKPROVE_BENCH_WIDTH`
//! (default "1,16") the widths of the small-field groups.

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::time::Duration;
use zkprove_field::{Field, PrimeField, PrimeField64, TwoAdicField};
use zkprove_poly::{
    CircleDomain, CircleFftOps, CircleOrder, CpuBackend, Direction, NttOps, Order,
    RowMajorCircleFftOps, RowMajorNttOps,
};

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

fn sizes() -> Vec<usize> {
    env_list("ZKPROVE_BENCH_LOG_N", &[16, 20])
}

fn widths() -> Vec<usize> {
    env_list("ZKPROVE_BENCH_WIDTH", &[1, 16])
}

fn random<F: Field>(n: usize, seed: u64) -> Vec<F> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| F::random(&mut rng)).collect()
}

fn ours<F: TwoAdicField>(v: &mut [Vec<F>], order: Order) {
    CpuBackend::ntt_batch(v, Direction::Forward, order, F::ONE).expect("ntt");
}

fn group<'a>(
    c: &'a mut Criterion,
    name: String,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    g
}

fn bn254(c: &mut Criterion) {
    use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
    use halo2curves::ff::PrimeField as _;
    use zkprove_field::bn254::Fr;
    let mut g = group(c, "ntt/bn254".into());
    for log_n in sizes() {
        let n = 1usize << log_n;
        let data: Vec<Fr> = random(n, n as u64);
        let mut v = vec![data.clone()];
        g.bench_with_input(BenchmarkId::new("zkprove", log_n), &log_n, |b, _| {
            b.iter(|| ours(&mut v, Order::NaturalToNatural))
        });

        let h: Vec<halo2curves::bn256::Fr> = data
            .iter()
            .map(|x| halo2curves::bn256::Fr::from_repr(x.to_bytes_le().into()).expect("canonical"))
            .collect();
        let mut omega = halo2curves::bn256::Fr::ROOT_OF_UNITY;
        for _ in log_n..halo2curves::bn256::Fr::S as usize {
            omega = omega.square();
        }
        let mut hv = h.clone();
        g.bench_with_input(BenchmarkId::new("halo2curves-best_fft", log_n), &log_n, |b, _| {
            b.iter(|| halo2curves::fft::best_fft(&mut hv, omega, log_n as u32))
        });

        let a: Vec<ark_bn254::Fr> = data
            .iter()
            .map(|x| {
                <ark_bn254::Fr as ark_ff::PrimeField>::from_le_bytes_mod_order(&x.to_bytes_le())
            })
            .collect();
        let dom = Radix2EvaluationDomain::<ark_bn254::Fr>::new(n).expect("domain");
        let mut av = a.clone();
        g.bench_with_input(BenchmarkId::new("arkworks", log_n), &log_n, |b, _| {
            b.iter(|| dom.fft_in_place(&mut av))
        });
    }
    g.finish();
}

/// A field-specific Plonky3 DFT run on an `n`-row matrix.
type ExtraDft<'a, P> = (&'a str, &'a dyn Fn(usize, p3_matrix::dense::RowMajorMatrix<P>));

/// Our N→R and N→N, and Plonky3's `Radix2DitParallel` (R), `Radix2DFTSmallBatch` (N) and, when
/// given, a field-specific DFT `extra` (R), at every size and width.
fn small_field<F, P>(c: &mut Criterion, name: &str, extra: Option<ExtraDft<'_, P>>)
where
    F: TwoAdicField + PrimeField64,
    P: p3_field::TwoAdicField + p3_field::PrimeCharacteristicRing + Copy + Ord,
{
    use p3_dft::{Radix2DFTSmallBatch, Radix2DitParallel, TwoAdicSubgroupDft};
    use p3_matrix::dense::RowMajorMatrix;
    for w in widths() {
        let mut g = group(c, format!("ntt/{name}/w{w}"));
        for log_n in sizes() {
            let n = 1usize << log_n;
            let cols: Vec<Vec<F>> = (0..w).map(|i| random(n, (n + i) as u64)).collect();
            let mut v = cols.clone();
            g.bench_with_input(BenchmarkId::new("zkprove-bitrev-out", log_n), &log_n, |b, _| {
                b.iter(|| ours(&mut v, Order::NaturalToBitReversed))
            });
            g.bench_with_input(BenchmarkId::new("zkprove-natural-out", log_n), &log_n, |b, _| {
                b.iter(|| ours(&mut v, Order::NaturalToNatural))
            });
            // Row-major n × w.
            let pdata: Vec<P> =
                (0..n * w).map(|k| P::from_u64(cols[k % w][k / w].as_canonical_u64())).collect();
            if w > 1 {
                // Ours on the same row-major matrix, in place.
                let mut rows: Vec<F> = (0..n * w).map(|k| cols[k % w][k / w]).collect();
                for (label, order) in [
                    ("zkprove-rows-bitrev-out", Order::NaturalToBitReversed),
                    ("zkprove-rows-natural-out", Order::NaturalToNatural),
                ] {
                    g.bench_with_input(BenchmarkId::new(label, log_n), &log_n, |b, _| {
                        b.iter(|| {
                            CpuBackend::ntt_rows(&mut rows, w, Direction::Forward, order, F::ONE)
                                .expect("ntt")
                        })
                    });
                }
            }
            let dft = Radix2DitParallel::<P>::default();
            g.bench_with_input(
                BenchmarkId::new("plonky3-Radix2DitParallel-bitrev-out", log_n),
                &log_n,
                |b, _| {
                    b.iter_batched(
                        || RowMajorMatrix::new(pdata.clone(), w),
                        |m| dft.dft_batch(m),
                        BatchSize::LargeInput,
                    )
                },
            );
            let dft = Radix2DFTSmallBatch::<P>::new(n);
            g.bench_with_input(
                BenchmarkId::new("plonky3-Radix2DFTSmallBatch-natural-out", log_n),
                &log_n,
                |b, _| {
                    b.iter_batched(
                        || RowMajorMatrix::new(pdata.clone(), w),
                        |m| dft.dft_batch(m),
                        BatchSize::LargeInput,
                    )
                },
            );
            if let Some((label, run)) = &extra {
                g.bench_with_input(BenchmarkId::new(*label, log_n), &log_n, |b, _| {
                    b.iter_batched(
                        || RowMajorMatrix::new(pdata.clone(), w),
                        |m| run(n, m),
                        BatchSize::LargeInput,
                    )
                });
            }
        }
        g.finish();
    }
}

fn goldilocks(c: &mut Criterion) {
    small_field::<zkprove_field::goldilocks::Goldilocks, p3_goldilocks::Goldilocks>(
        c,
        "goldilocks",
        None,
    );
}

fn babybear(c: &mut Criterion) {
    use p3_dft::TwoAdicSubgroupDft;
    use p3_monty_31::dft::RecursiveDft;
    // RecursiveDft keeps its twiddles per instance: one instance per size, built outside the timing.
    let dfts: std::sync::Mutex<std::collections::HashMap<usize, RecursiveDft<_>>> =
        Default::default();
    let run = |n: usize, m: p3_matrix::dense::RowMajorMatrix<p3_baby_bear::BabyBear>| {
        let mut d = dfts.lock().expect("lock");
        let dft = d.entry(n).or_insert_with(|| RecursiveDft::new(n));
        let _ = dft.dft_batch(m);
    };
    small_field::<zkprove_field::babybear::BabyBear, p3_baby_bear::BabyBear>(
        c,
        "babybear",
        Some(("plonky3-RecursiveDft-bitrev-out", &run)),
    );
}

fn m31_circle(c: &mut Criterion) {
    use p3_circle::{CircleDomain as P3Domain, CircleEvaluations};
    use p3_matrix::dense::RowMajorMatrix;
    use p3_mersenne_31::Mersenne31;
    use zkprove_field::m31::M31;
    for w in widths() {
        let mut g = group(c, format!("ntt/m31-circle/w{w}"));
        for log_n in sizes() {
            let n = 1usize << log_n;
            let domain = CircleDomain::canonic(log_n).expect("domain");
            let cols: Vec<Vec<M31>> = (0..w).map(|i| random(n, (n + i) as u64)).collect();
            let mut v = cols.clone();
            g.bench_with_input(BenchmarkId::new("zkprove-bitrev-out", log_n), &log_n, |b, _| {
                b.iter(|| {
                    CpuBackend::circle_fft_batch(
                        &mut v,
                        &domain,
                        Direction::Forward,
                        CircleOrder::BitReversed,
                    )
                    .expect("circle fft")
                })
            });
            g.bench_with_input(BenchmarkId::new("zkprove-natural-out", log_n), &log_n, |b, _| {
                b.iter(|| {
                    CpuBackend::circle_fft_batch(
                        &mut v,
                        &domain,
                        Direction::Forward,
                        CircleOrder::Natural,
                    )
                    .expect("circle fft")
                })
            });
            let pdata: Vec<Mersenne31> = (0..n * w)
                .map(|k| {
                    <Mersenne31 as p3_field::PrimeCharacteristicRing>::from_u32(
                        cols[k % w][k / w].as_canonical_u32(),
                    )
                })
                .collect();
            if w > 1 {
                // Ours on the same row-major matrix, in place.
                let mut rows: Vec<M31> = (0..n * w).map(|k| cols[k % w][k / w]).collect();
                for (label, order) in [
                    ("zkprove-rows-bitrev-out", CircleOrder::BitReversed),
                    ("zkprove-rows-natural-out", CircleOrder::Natural),
                ] {
                    g.bench_with_input(BenchmarkId::new(label, log_n), &log_n, |b, _| {
                        b.iter(|| {
                            CpuBackend::circle_fft_rows(
                                &mut rows,
                                w,
                                &domain,
                                Direction::Forward,
                                order,
                            )
                            .expect("circle fft")
                        })
                    });
                }
            }
            let pd = P3Domain::<Mersenne31>::standard(log_n);
            g.bench_with_input(
                BenchmarkId::new("plonky3-circle-evaluate-bitrev-out", log_n),
                &log_n,
                |b, _| {
                    b.iter_batched(
                        || RowMajorMatrix::new(pdata.clone(), w),
                        |m| CircleEvaluations::evaluate(pd, m),
                        BatchSize::LargeInput,
                    )
                },
            );
        }
        g.finish();
    }
}

criterion_group!(benches, bn254, goldilocks, babybear, m31_circle);
criterion_main!(benches);
