//! G1 MSM against the fastest Rust peers, same process, same inputs, same rayon thread pool:
//! halo2curves 0.10 `msm::msm_best` (Booth digits, batch-affine buckets, parallel over windows)
//! and arkworks 0.5 `VariableBaseMSM::msm` (`parallel` feature). Ours runs with the default
//! configuration (window width and bucket mode chosen from `n`, GLV endomorphism on), plus the
//! variants without the endomorphism, XYZZ-only, batch-affine-only, and fixed bases precomputed ×4.
//!
//! `ZKPROVE_BENCH_LOG_N` (comma-separated, default "12,16,20") picks the sizes;
//! `ZKPROVE_BENCH_VARIANTS=0` leaves out our variants (default configuration only),
//! `ZKPROVE_BENCH_VARIANTS=tasks` keeps only the one-window-per-task variant (the task layout
//! before windows were grouped).

use std::time::Duration;

use ark_ec::VariableBaseMSM;
use ark_ff::{BigInt, PrimeField as ArkPrimeField};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use halo2curves::CurveAffine;
use halo2curves::ff::PrimeField as _;
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_curve::MsmOps;
use zkprove_curve::bn254::{G1Affine, G1Config};
use zkprove_curve::msm::{
    BucketMode, CpuBases, Endomorphism, PippengerConfig, msm_pippenger_with, random_points,
};
use zkprove_field::bn254::{Fq, Fr};
use zkprove_field::{Field, PrimeField};
use zkprove_poly::CpuBackend;

fn sizes() -> Vec<usize> {
    std::env::var("ZKPROVE_BENCH_LOG_N")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![12, 16, 20])
}

/// Which of our variants to run: all, none, or only the task-layout one.
#[derive(PartialEq)]
enum Variants {
    All,
    None,
    Tasks,
}

fn variants() -> Variants {
    match std::env::var("ZKPROVE_BENCH_VARIANTS").as_deref() {
        Ok("0") => Variants::None,
        Ok("tasks") => Variants::Tasks,
        _ => Variants::All,
    }
}

fn h2_fq(x: Fq) -> halo2curves::bn256::Fq {
    halo2curves::bn256::Fq::from_repr(x.to_bytes_le().into()).expect("canonical")
}

fn ark_fq(x: Fq) -> ark_bn254::Fq {
    ark_bn254::Fq::from_bigint(BigInt(x.to_canonical_limbs())).expect("canonical")
}

fn msm_g1(c: &mut Criterion) {
    let mut g = c.benchmark_group("msm/bn254-g1");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    for log_n in sizes() {
        let n = 1usize << log_n;
        let mut rng = StdRng::seed_from_u64(log_n as u64);
        let bases: Vec<G1Affine> = random_points::<G1Config, _>(n, &mut rng);
        let scalars: Vec<Fr> = (0..n).map(|_| Fr::random(&mut rng)).collect();

        let prepared = <CpuBackend as MsmOps<G1Config>>::prepare_bases(bases.clone()).unwrap();
        g.bench_with_input(BenchmarkId::new("zkprove", log_n), &log_n, |b, _| {
            b.iter(|| <CpuBackend as MsmOps<G1Config>>::msm(&prepared, &scalars).unwrap())
        });
        if variants() != Variants::None {
            let config = PippengerConfig { windows_per_task: Some(1), ..Default::default() };
            g.bench_with_input(
                BenchmarkId::new("zkprove-1-window-per-task", log_n),
                &log_n,
                |b, _| b.iter(|| msm_pippenger_with(&bases, &scalars, &config).unwrap()),
            );
        }
        if variants() == Variants::All {
            for (name, mode, endomorphism) in [
                ("zkprove-no-glv", BucketMode::Auto, Endomorphism::Off),
                ("zkprove-xyzz", BucketMode::Xyzz, Endomorphism::Auto),
                ("zkprove-batch-affine", BucketMode::BatchAffine, Endomorphism::Auto),
            ] {
                let config =
                    PippengerConfig { bucket_mode: mode, endomorphism, ..Default::default() };
                g.bench_with_input(BenchmarkId::new(name, log_n), &log_n, |b, _| {
                    b.iter(|| msm_pippenger_with(&bases, &scalars, &config).unwrap())
                });
            }
            let pre = CpuBases::with_precomputation(bases.clone(), 4);
            g.bench_with_input(
                BenchmarkId::new("zkprove-precomputed-x4", log_n),
                &log_n,
                |b, _| b.iter(|| <CpuBackend as MsmOps<G1Config>>::msm(&pre, &scalars).unwrap()),
            );
        }

        let h_bases: Vec<halo2curves::bn256::G1Affine> = bases
            .iter()
            .map(|p| {
                halo2curves::bn256::G1Affine::from_xy(h2_fq(p.x), h2_fq(p.y)).expect("on curve")
            })
            .collect();
        let h_scalars: Vec<halo2curves::bn256::Fr> = scalars
            .iter()
            .map(|s| halo2curves::bn256::Fr::from_repr(s.to_bytes_le().into()).expect("canonical"))
            .collect();
        g.bench_with_input(BenchmarkId::new("halo2curves-msm_best", log_n), &log_n, |b, _| {
            b.iter(|| halo2curves::msm::msm_best(&h_scalars, &h_bases))
        });

        let a_bases: Vec<ark_bn254::G1Affine> = bases
            .iter()
            .map(|p| ark_bn254::G1Affine::new_unchecked(ark_fq(p.x), ark_fq(p.y)))
            .collect();
        let a_scalars: Vec<ark_bn254::Fr> = scalars
            .iter()
            .map(|s| ark_bn254::Fr::from_bigint(BigInt(s.to_canonical_limbs())).expect("canonical"))
            .collect();
        g.bench_with_input(BenchmarkId::new("arkworks-VariableBaseMSM", log_n), &log_n, |b, _| {
            b.iter(|| ark_bn254::G1Projective::msm(&a_bases, &a_scalars).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, msm_g1);
criterion_main!(benches);
