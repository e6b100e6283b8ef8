//! `zkprove bench sumcheck`: a whole sumcheck proof (every round, Poseidon2 transcript included)
//! for the product of `--degree` random base-field tables of 2^N entries, with extension-field
//! challenges (M31/QM31, BabyBear/BabyBear⁴, Goldilocks/Goldilocks²). One JSON line with `--json`:
//! `{"kernel":"sumcheck","field":…,"log_n":…,"device":…,"median_ms":…,"reps":…,"threads":…,"width":…,"mops_per_s":…}`
//! (`width` is the degree; `mops_per_s` is millions of hypercube points per second).

use std::hint::black_box;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_field::m31::{M31, QM31};
use zkprove_field::{ExtensionField, Field};
use zkprove_hash::{Poseidon2, Transcript};
use zkprove_poly::CpuBackend;
use zkprove_sumcheck::{SumcheckProver, Term};

use super::bench::{median, thread_pool};

/// The fields `bench sumcheck` knows (tables in the field, challenges in its extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SumcheckField {
    /// Mersenne-31 tables, QM31 challenges.
    M31,
    /// BabyBear tables, quartic-extension challenges.
    Babybear,
    /// Goldilocks tables, quadratic-extension challenges.
    Goldilocks,
}

impl SumcheckField {
    fn name(self) -> &'static str {
        match self {
            Self::M31 => "m31",
            Self::Babybear => "babybear",
            Self::Goldilocks => "goldilocks",
        }
    }
}

/// Arguments of `zkprove bench sumcheck`.
#[derive(Debug, Args)]
pub struct BenchSumcheckArgs {
    /// The base field of the tables.
    #[arg(long, value_enum, default_value_t = SumcheckField::M31)]
    field: SumcheckField,
    /// log2 of the table length (the number of variables).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=28))]
    log_n: u32,
    /// The number of tables multiplied together (the round degree).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=8))]
    degree: u32,
    /// Timed repetitions after one warm-up (the median is reported).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    reps: u32,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON line instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct SumcheckReport {
    kernel: &'static str,
    field: &'static str,
    log_n: u32,
    device: &'static str,
    median_ms: f64,
    reps: u32,
    threads: usize,
    /// The degree (number of tables in the product).
    width: usize,
    /// Millions of hypercube points per second at the median.
    mops_per_s: f64,
}

/// Runs `zkprove bench sumcheck`.
pub fn run(args: BenchSumcheckArgs) -> Result<()> {
    let pool = thread_pool(args.threads)?;
    let times = pool.install(|| match args.field {
        SumcheckField::M31 => time_prove::<M31, QM31, 16, 8>(&args, || {
            Transcript::with_label(Poseidon2::m31_16(), b"bench")
        }),
        SumcheckField::Babybear => time_prove::<BabyBear, BabyBearExt4, 16, 8>(&args, || {
            Transcript::with_label(Poseidon2::babybear_16(), b"bench")
        }),
        SumcheckField::Goldilocks => time_prove::<Goldilocks, GoldilocksExt2, 12, 8>(&args, || {
            Transcript::with_label(Poseidon2::goldilocks_12(), b"bench")
        }),
    })?;
    let median_ms = median(times);
    let report = SumcheckReport {
        kernel: "sumcheck",
        field: args.field.name(),
        log_n: args.log_n,
        device: "cpu",
        median_ms,
        reps: args.reps,
        threads: pool.current_num_threads(),
        width: args.degree as usize,
        mops_per_s: (1u64 << args.log_n) as f64 / (median_ms * 1e3),
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "sumcheck {} 2^{} degree {} on cpu ({} threads): median {:.3} ms over {} reps, {:.1} M points/s",
            report.field,
            report.log_n,
            report.width,
            report.threads,
            report.median_ms,
            report.reps,
            report.mops_per_s
        );
    }
    Ok(())
}

/// Times whole proofs; the tables are cloned outside the timed region (the prover consumes them).
fn time_prove<F: Field, E: ExtensionField<F>, const W: usize, const R: usize>(
    args: &BenchSumcheckArgs,
    transcript: impl Fn() -> Result<Transcript<F, W, R>, zkprove_hash::HashError>,
) -> Result<Vec<f64>> {
    let n = 1usize << args.log_n;
    let mut rng = StdRng::seed_from_u64(5);
    let tables: Vec<Vec<F>> =
        (0..args.degree).map(|_| (0..n).map(|_| F::random(&mut rng)).collect()).collect();
    let terms = vec![Term::<E>::product((0..args.degree as usize).collect())];
    let mut times = Vec::with_capacity(args.reps as usize);
    for rep in 0..=args.reps {
        let input = tables.clone();
        let mut t = transcript().context("transcript")?;
        let start = Instant::now();
        let prover = SumcheckProver::<F, E, CpuBackend>::new(input, terms.clone())?;
        let out = prover.prove(E::ZERO, &mut t)?;
        black_box(out);
        let ms = start.elapsed().as_secs_f64() * 1e3;
        if rep > 0 {
            times.push(ms);
        }
    }
    Ok(times)
}
