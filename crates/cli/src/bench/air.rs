//! `zkprove bench air`: proves and verifies an example AIR (`fibonacci`, `lookup` — a range check
//! by LogUp —, or `poseidon2`, one permutation per row) of 2^N rows. One JSON line with `--json`:
//! `{"kernel":"air","field":…,"log_n":N,"device":"cpu","median_ms":…,"reps":…,"threads":…,
//! "air":…,"columns":…,"verify_ms":…,"proof_bytes":…,"achieved_bits":…,"rows_per_s":…}` where
//! `median_ms` is the prover's median (trace given; commitment, zerocheck and openings),
//! `verify_ms` the verifier's median and `proof_bytes` every base-field element of the proof in
//! 4 (BabyBear) or 8 (Goldilocks) bytes, Merkle paths in full. For `poseidon2`, `rows_per_s` is
//! permutations proved per second; `phases_ms` maps each prover phase (`check`, `commit`,
//! `logup`, `zerocheck`, `evals`, `reduction`, `whir_open`) to its median time; `transfers`
//! counts one proof's host↔backend transfers (`uploads`, `upload_bytes`, `downloads`,
//! `download_bytes`).

use std::collections::BTreeMap;
use std::hint::black_box;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use zkprove_air::examples::{FibonacciAir, Poseidon2Air, RangeCheckAir};
use zkprove_air::{Air, AirOps, AirParams, AirProver, DEFAULT_DOMAIN_REDUCTION, Trace};
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_field::{ExtensionField, Field, PrimeField64, TwoAdicField};
use zkprove_hash::{MerkleHash, Poseidon2, Poseidon2Merkle, Transcript};
use zkprove_poly::CpuBackend;

use super::report::{Report, median, thread_pool, time_reps};
use crate::device::{Device, resolve_device};
use zkprove_gpu::{CudaBackend, OpenClBackend};

/// The example AIRs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AirName {
    /// Two columns, `(a, b) → (b, a + b)`.
    Fibonacci,
    /// A range check of one column into `[0, 2^8)` by LogUp (three columns).
    Lookup,
    /// The Poseidon2 permutation, one per row (BabyBear width 16, Goldilocks width 12).
    Poseidon2,
}

impl AirName {
    fn name(self) -> &'static str {
        match self {
            Self::Fibonacci => "fibonacci",
            Self::Lookup => "lookup",
            Self::Poseidon2 => "poseidon2",
        }
    }
}

/// The fields `bench air` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AirField {
    /// BabyBear trace, BabyBear⁴ challenges.
    Babybear,
    /// Goldilocks trace, Goldilocks² challenges.
    Goldilocks,
}

/// Arguments of `zkprove bench air`.
#[derive(Debug, Args)]
pub struct BenchAirArgs {
    /// The AIR.
    #[arg(long, value_enum, default_value_t = AirName::Fibonacci)]
    air: AirName,
    /// The field.
    #[arg(long, value_enum, default_value_t = AirField::Babybear)]
    field: AirField,
    /// log2 of the number of rows.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(8..=22))]
    log_rows: u32,
    /// Where to run: the CPU, or a GPU backend (`cuda`, `opencl`; `auto` is CUDA when usable).
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
    /// Timed repetitions after one warm-up (the median is reported).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    reps: u32,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON line instead of text.
    #[arg(long)]
    json: bool,
    /// WHIR's domain reduction per round (log2; default `zkprove_air::DEFAULT_DOMAIN_REDUCTION`,
    /// 1 halves the domain per round as before 2026-12-07).
    #[arg(long)]
    whir_domain_reduction: Option<usize>,
    /// WHIR's folding factor (default `zkprove_air::DEFAULT_FOLDING_FACTOR`, 5).
    #[arg(long)]
    whir_folding_factor: Option<usize>,
}

/// The extra fields of `bench air`.
#[derive(Debug, Serialize)]
struct AirFields {
    air: &'static str,
    columns: usize,
    verify_ms: f64,
    proof_bytes: usize,
    achieved_bits: f64,
    rows_per_s: f64,
    /// The prover's phases (`check`, `commit`, `logup`, `zerocheck`, `evals`, `reduction`,
    /// `whir_open`): each phase's median over the timed reps, in ms.
    phases_ms: BTreeMap<&'static str, f64>,
    /// Host↔backend transfers of one proof (`zkprove_air::AirProfile`): on the CPU backend the
    /// same calls, without a copy.
    transfers: Transfers,
}

/// The transfers of one proof.
#[derive(Debug, Serialize)]
struct Transfers {
    uploads: usize,
    upload_bytes: usize,
    downloads: usize,
    download_bytes: usize,
}

/// Runs `zkprove bench air`.
pub fn run(args: BenchAirArgs) -> Result<()> {
    let device = resolve_device(args.device)?;
    let report = match device {
        Device::Cuda => run_on::<CudaBackend>(&args)?,
        Device::Opencl => run_on::<OpenClBackend>(&args)?,
        Device::Cpu | Device::Auto => run_on::<CpuBackend>(&args)?,
    };
    report.print(args.json, |r| {
        let a = &r.extra;
        format!(
            "air {} over {} 2^{} rows, {} columns, on {} ({} threads, {:.1} bits): prover median \
             {:.3} ms ({:.0} rows/s), verifier {:.3} ms, proof {} bytes over {} reps",
            a.air,
            r.field.unwrap_or("-"),
            r.log_n,
            a.columns,
            r.device,
            r.threads,
            a.achieved_bits,
            r.median_ms,
            a.rows_per_s,
            a.verify_ms,
            a.proof_bytes,
            r.reps,
        )
    })
}

/// The benchmark on backend `B` (the CPU, the oracle, or a GPU backend: the trace uploaded once,
/// the proof verified on the CPU).
fn run_on<B>(args: &BenchAirArgs) -> Result<Report<AirFields>>
where
    B: AirOps<BabyBear, BabyBearExt4> + AirOps<Goldilocks, GoldilocksExt2>,
{
    let pool = thread_pool(args.threads)?;
    let n = args.log_rows as usize;
    let defaults = AirParams::default();
    let params = AirParams {
        domain_reduction: args.whir_domain_reduction.unwrap_or(DEFAULT_DOMAIN_REDUCTION),
        folding_factor: args.whir_folding_factor.unwrap_or(defaults.folding_factor),
        ..defaults
    };
    pool.install(|| match args.field {
        AirField::Babybear => {
            let prover: AirProver<BabyBear, BabyBearExt4, _> = AirProver::new(
                params,
                Poseidon2Merkle::<BabyBear, 16, 8, 8>::new(Poseidon2::babybear_16())?,
            );
            let t = Transcript::<BabyBear, 16, 8>::with_label(
                Poseidon2::babybear_16(),
                b"zkprove-bench-air",
            )?;
            match args.air {
                AirName::Poseidon2 => {
                    let air = Poseidon2Air::new(Poseidon2::babybear_16());
                    let trace = air.generate(n, &random_states::<BabyBear, 16>(n))?;
                    bench::<B, _, _, _, _, 16, 8>(args, &prover, &air, &trace, t, "babybear")
                }
                other => example::<B, _, _, _, 16, 8>(args, &prover, other, t, "babybear"),
            }
        }
        AirField::Goldilocks => {
            let prover: AirProver<Goldilocks, GoldilocksExt2, _> = AirProver::new(
                params,
                Poseidon2Merkle::<Goldilocks, 12, 8, 4>::new(Poseidon2::goldilocks_12())?,
            );
            let t = Transcript::<Goldilocks, 12, 8>::with_label(
                Poseidon2::goldilocks_12(),
                b"zkprove-bench-air",
            )?;
            match args.air {
                AirName::Poseidon2 => {
                    let air = Poseidon2Air::new(Poseidon2::goldilocks_12());
                    let trace = air.generate(n, &random_states::<Goldilocks, 12>(n))?;
                    bench::<B, _, _, _, _, 12, 8>(args, &prover, &air, &trace, t, "goldilocks")
                }
                other => example::<B, _, _, _, 12, 8>(args, &prover, other, t, "goldilocks"),
            }
        }
    })
}

fn random_states<F: Field, const W: usize>(log_rows: usize) -> Vec<[F; W]> {
    let mut rng = StdRng::seed_from_u64(23);
    (0..1usize << log_rows).map(|_| core::array::from_fn(|_| F::random(&mut rng))).collect()
}

/// Fibonacci or the range check.
fn example<B, F, E, H, const W: usize, const R: usize>(
    args: &BenchAirArgs,
    prover: &AirProver<F, E, H>,
    air: AirName,
    transcript: Transcript<F, W, R>,
    field: &'static str,
) -> Result<Report<AirFields>>
where
    F: PrimeField64 + TwoAdicField,
    E: ExtensionField<F>,
    H: MerkleHash<F = F>,
    H::Digest: AsRef<[F]>,
    B: AirOps<F, E>,
{
    let n = args.log_rows as usize;
    if air == AirName::Fibonacci {
        let (fib, trace) = FibonacciAir::generate(n, F::ZERO, F::ONE)?;
        return bench::<B, _, _, _, _, W, R>(args, prover, &fib, &trace, transcript, field);
    }
    let range = RangeCheckAir { bits: 8 };
    let mut rng = StdRng::seed_from_u64(24);
    let values: Vec<u64> = (0..1usize << n).map(|_| rng.random_range(0..256)).collect();
    let trace = range.generate::<F>(n, &values)?;
    bench::<B, _, _, _, _, W, R>(args, prover, &range, &trace, transcript, field)
}

fn bench<B, F, E, H, A, const W: usize, const R: usize>(
    args: &BenchAirArgs,
    prover: &AirProver<F, E, H>,
    air: &A,
    trace: &Trace<F>,
    transcript: Transcript<F, W, R>,
    field: &'static str,
) -> Result<Report<AirFields>>
where
    F: PrimeField64 + TwoAdicField,
    E: ExtensionField<F>,
    H: MerkleHash<F = F>,
    H::Digest: AsRef<[F]>,
    A: Air<F>,
    B: AirOps<F, E>,
{
    let n = trace.log_rows();
    let mut profiles = Vec::with_capacity(args.reps as usize + 1);
    let proving = time_reps(args.reps, || {
        let (proof, profile) =
            prover.prove_on::<B, A, W, R>(air, trace, &mut transcript.clone(), true)?;
        profiles.push(profile);
        Ok(proof)
    })?;
    let proof = &proving.warm_up;
    // The warm-up's profile is left out, like its time.
    let timed = profiles.get(1..).unwrap_or_default();
    let mut phases_ms = BTreeMap::new();
    for (name, _) in timed.first().map(|p| p.phases.as_slice()).unwrap_or_default() {
        phases_ms.insert(*name, median(timed.iter().map(|p| p.phase(name).as_secs_f64() * 1e3)));
    }
    let verifying = time_reps(args.reps, || {
        if let Err(e) = prover.verify(air, n, black_box(proof), &mut transcript.clone()) {
            bail!("AIR proof did not verify: {e}");
        }
        Ok(())
    })?;
    let median_ms = proving.median_ms();
    let last = timed.last().or(profiles.first()).cloned().unwrap_or_default();
    Ok(Report {
        kernel: "air",
        field: Some(field),
        log_n: args.log_rows,
        device: B::NAME,
        median_ms,
        reps: args.reps,
        threads: rayon::current_num_threads(),
        extra: AirFields {
            air: args.air.name(),
            columns: air.n_columns(),
            verify_ms: verifying.median_ms(),
            proof_bytes: proof.size_bytes(),
            achieved_bits: prover.achieved_bits(air, n)?,
            rows_per_s: (1u64 << n) as f64 / (median_ms / 1e3),
            phases_ms,
            transfers: Transfers {
                uploads: last.uploads,
                upload_bytes: last.upload_bytes,
                downloads: last.downloads,
                download_bytes: last.download_bytes,
            },
        },
    })
}
