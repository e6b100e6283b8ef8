//! `zkprove bench poseidon2`: Poseidon2 permutation throughput, 2^N independent permutations,
//! SIMD-packed, on every thread (`width`: the permutation width). Also the options and fields
//! shared with `zkprove bench merkle` ([`super::merkle`]).

use std::hint::black_box;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::Field;
use zkprove_field::babybear::BabyBear;
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::m31::M31;
use zkprove_hash::Poseidon2;

use super::report::{Report, Samples, Throughput, thread_pool, time_reps};

/// The fields the hash benchmarks know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HashField {
    /// BabyBear (widths 16 and 24, x^7).
    Babybear,
    /// Mersenne-31 (width 16, x^5).
    M31,
    /// Goldilocks (widths 8 and 12, x^7).
    Goldilocks,
}

impl HashField {
    fn name(self) -> &'static str {
        match self {
            Self::Babybear => "babybear",
            Self::M31 => "m31",
            Self::Goldilocks => "goldilocks",
        }
    }
}

/// Options shared by both hash benchmarks.
#[derive(Debug, Args)]
pub struct HashCommonArgs {
    /// The field.
    #[arg(long, value_enum, default_value_t = HashField::Babybear)]
    pub field: HashField,
    /// log2 of the number of permutations (poseidon2) or leaves (merkle).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(0..=26))]
    pub log_n: u32,
    /// Timed repetitions after one warm-up (the median is reported).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub reps: u32,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print one JSON line instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `zkprove bench poseidon2`.
#[derive(Debug, Args)]
pub struct BenchPoseidon2Args {
    #[command(flatten)]
    common: HashCommonArgs,
    /// The permutation width: 16 or 24 (BabyBear), 16 (M31), 8 or 12 (Goldilocks).
    #[arg(long, default_value_t = 16)]
    width: usize,
}

/// Runs `zkprove bench poseidon2`.
pub fn run(args: BenchPoseidon2Args) -> Result<()> {
    let c = &args.common;
    let pool = thread_pool(c.threads)?;
    let report = pool.install(|| match (c.field, args.width) {
        (HashField::Babybear, 16) => permutations(c, &Poseidon2::<BabyBear, 16>::babybear_16()),
        (HashField::Babybear, 24) => permutations(c, &Poseidon2::<BabyBear, 24>::babybear_24()),
        (HashField::M31, 16) => permutations(c, &Poseidon2::<M31, 16>::m31_16()),
        (HashField::Goldilocks, 8) => permutations(c, &Poseidon2::<Goldilocks, 8>::goldilocks_8()),
        (HashField::Goldilocks, 12) => {
            permutations(c, &Poseidon2::<Goldilocks, 12>::goldilocks_12())
        }
        (f, w) => bail!(
            "no Poseidon2 instance of width {w} for {}: babybear 16|24, m31 16, goldilocks 8|12",
            f.name()
        ),
    })?;
    print_report(&report, c.json)
}

fn permutations<F: Field, const W: usize>(
    c: &HashCommonArgs,
    perm: &Poseidon2<F, W>,
) -> Result<Report<Throughput>> {
    let n = 1usize << c.log_n;
    let mut rng = StdRng::seed_from_u64(3);
    let mut states: Vec<[F; W]> =
        (0..n).map(|_| core::array::from_fn(|_| F::random(&mut rng))).collect();
    // Each rep permutes the previous outputs: the values change, the work does not.
    let samples = time_reps(c.reps, || {
        perm.permute_batch(black_box(&mut states));
        Ok(())
    })?;
    Ok(report("poseidon2", c, "cpu", W, n, &samples))
}

/// The report of a hash benchmark over `n` permutations or leaves.
pub fn report<T>(
    kernel: &'static str,
    c: &HashCommonArgs,
    device: &'static str,
    width: usize,
    n: usize,
    samples: &Samples<T>,
) -> Report<Throughput> {
    let median_ms = samples.median_ms();
    Report {
        kernel,
        field: Some(c.field.name()),
        log_n: c.log_n,
        device,
        median_ms,
        reps: c.reps,
        threads: rayon::current_num_threads(),
        extra: Throughput { width, mops_per_s: n as f64 / (median_ms * 1e3), detail: None },
    }
}

/// Prints a hash benchmark's report (its text line says `M/s`).
pub fn print_report(report: &Report<Throughput>, json: bool) -> Result<()> {
    report.print(json, |r| {
        format!(
            "{} {} 2^{} on {} ({} threads, width {}): median {:.3} ms over {} reps, {:.2} M/s",
            r.kernel,
            r.field.unwrap_or("-"),
            r.log_n,
            r.device,
            r.threads,
            r.extra.width,
            r.median_ms,
            r.reps,
            r.extra.mops_per_s
        )
    })
}
