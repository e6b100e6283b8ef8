//! NTT throughput against the fastest Rust peers, same process, same inputs, same thread pool:
//! - BN254 Fr, natural → natural: halo2curves `best_fft`, arkworks `Radix2EvaluationDomain::fft_in_place`.
//! - Goldilocks / BabyBear, natural → bit-reversed (Plonky3's DFTs skip the final permutation and
//!   return a bit-reversed view): `Radix2DitParallel`.
//!
//! `ZKPROVE_BENCH_LOG_N` (comma-separated, default "16,20") picks the sizes.

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::time::Duration;
use zkprove_field::{Field, PrimeField, PrimeField64, TwoAdicField};
use zkprove_poly::{CpuBackend, Direction, NttOps, Order};

fn sizes() -> Vec<usize> {
    std::env::var("ZKPROVE_BENCH_LOG_N")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![16, 20])
}

fn random<F: Field>(n: usize) -> Vec<F> {
    let mut rng = StdRng::seed_from_u64(n as u64);
    (0..n).map(|_| F::random(&mut rng)).collect()
}

fn ours<F: TwoAdicField>(v: &mut Vec<F>, order: Order) {
    CpuBackend::ntt_batch(core::slice::from_mut(v), Direction::Forward, order, F::ONE)
        .expect("ntt");
}

fn bn254(c: &mut Criterion) {
    use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
    use halo2curves::ff::PrimeField as _;
    use zkprove_field::bn254::Fr;
    let mut g = c.benchmark_group("ntt/bn254");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    for log_n in sizes() {
        let n = 1usize << log_n;
        let data: Vec<Fr> = random(n);
        let mut v = data.clone();
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

fn small_field<F, P>(c: &mut Criterion, name: &str)
where
    F: TwoAdicField + PrimeField64,
    P: p3_field::TwoAdicField + p3_field::PrimeCharacteristicRing + Copy + Ord,
{
    use p3_dft::{Radix2DitParallel, TwoAdicSubgroupDft};
    use p3_matrix::dense::RowMajorMatrix;
    let mut g = c.benchmark_group(format!("ntt/{name}"));
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    for log_n in sizes() {
        let n = 1usize << log_n;
        let data: Vec<F> = random(n);
        let mut v = data.clone();
        g.bench_with_input(BenchmarkId::new("zkprove-bitrev-out", log_n), &log_n, |b, _| {
            b.iter(|| ours(&mut v, Order::NaturalToBitReversed))
        });
        let pdata: Vec<P> = data.iter().map(|x| P::from_u64(x.as_canonical_u64())).collect();
        let dft = Radix2DitParallel::<P>::default();
        g.bench_with_input(BenchmarkId::new("plonky3-Radix2DitParallel", log_n), &log_n, |b, _| {
            b.iter_batched(
                || RowMajorMatrix::new_col(pdata.clone()),
                |m| dft.dft_batch(m),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

fn goldilocks(c: &mut Criterion) {
    small_field::<zkprove_field::goldilocks::Goldilocks, p3_goldilocks::Goldilocks>(
        c,
        "goldilocks",
    );
}

fn babybear(c: &mut Criterion) {
    small_field::<zkprove_field::babybear::BabyBear, p3_baby_bear::BabyBear>(c, "babybear");
}

criterion_group!(benches, bn254, goldilocks, babybear);
criterion_main!(benches);
