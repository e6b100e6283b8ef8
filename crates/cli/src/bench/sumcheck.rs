//! `zkprove bench sumcheck`: a whole sumcheck proof (every round, Poseidon2 transcript included)
//! for the product of `--degree` random base-field tables of 2^N entries, with extension-field
//! challenges (M31/QM31, BabyBear/BabyBear⁴, Goldilocks/Goldilocks²). One JSON line with `--json`:
//! `{"kernel":"sumcheck","field":…,"log_n":…,"device":…,"median_ms":…,"reps":…,"threads":…,"width":…,"mops_per_s":…}`
//! (`width` is the degree; `mops_per_s` is millions of hypercube points per second).
//!
//! `--device cuda|opencl` runs the prover on a GPU backend (zkprove-gpu's `SumcheckOps`): the
//! tables are uploaded before each timed proof (the prover consumes its columns), so the time is
//! the rounds on the device plus one small download and the transcript per round.

use std::hint::black_box;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_field::m31::{M31, QM31};
use zkprove_field::{ExtensionField, Field};
use zkprove_gpu::{ClDevice, CudaBackend, CudaDevice, GpuBuffer, OpenClBackend};
use zkprove_hash::{Poseidon2, Transcript};
use zkprove_poly::CpuBackend;
use zkprove_sumcheck::{SumcheckOps, SumcheckProver, Term};

use super::report::{Report, Throughput, thread_pool, time_reps_prepared};
use crate::device::{Device, resolve_device};

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
    /// The backend that runs the prover (`auto`: CUDA when usable, else the CPU).
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
}

/// Runs `zkprove bench sumcheck`.
pub fn run(mut args: BenchSumcheckArgs) -> Result<()> {
    args.device = resolve_device(args.device)?;
    let pool = thread_pool(args.threads)?;
    let m31 = || Transcript::with_label(Poseidon2::m31_16(), b"bench");
    let babybear = || Transcript::with_label(Poseidon2::babybear_16(), b"bench");
    let goldilocks = || Transcript::with_label(Poseidon2::goldilocks_12(), b"bench");
    // One arm per (device, field); GPU columns are uploaded from the host tables before each rep.
    macro_rules! on_device {
        ($backend:ty, $dev:expr) => {{
            let dev = $dev.context("opening the device")?;
            match args.field {
                SumcheckField::M31 => {
                    time_prove::<M31, QM31, $backend, 16, 8>(&args, m31, |t: &[M31]| {
                        GpuBuffer::upload(&dev, t).context("upload")
                    })
                }
                SumcheckField::Babybear => time_prove::<BabyBear, BabyBearExt4, $backend, 16, 8>(
                    &args,
                    babybear,
                    |t: &[BabyBear]| GpuBuffer::upload(&dev, t).context("upload"),
                ),
                SumcheckField::Goldilocks => {
                    time_prove::<Goldilocks, GoldilocksExt2, $backend, 12, 8>(
                        &args,
                        goldilocks,
                        |t: &[Goldilocks]| GpuBuffer::upload(&dev, t).context("upload"),
                    )
                }
            }
        }};
    }
    let median_ms = pool.install(|| match args.device {
        Device::Cpu | Device::Auto => match args.field {
            SumcheckField::M31 => {
                time_prove::<M31, QM31, CpuBackend, 16, 8>(&args, m31, |t| Ok(t.to_vec()))
            }
            SumcheckField::Babybear => {
                time_prove::<BabyBear, BabyBearExt4, CpuBackend, 16, 8>(&args, babybear, |t| {
                    Ok(t.to_vec())
                })
            }
            SumcheckField::Goldilocks => {
                time_prove::<Goldilocks, GoldilocksExt2, CpuBackend, 12, 8>(
                    &args,
                    goldilocks,
                    |t| Ok(t.to_vec()),
                )
            }
        },
        Device::Cuda => on_device!(CudaBackend, CudaDevice::get()),
        Device::Opencl => on_device!(OpenClBackend, ClDevice::get()),
    })?;
    let report = Report {
        kernel: "sumcheck",
        field: Some(args.field.name()),
        log_n: args.log_n,
        device: args.device.name(),
        median_ms,
        reps: args.reps,
        threads: pool.current_num_threads(),
        extra: Throughput {
            width: args.degree as usize,
            mops_per_s: (1u64 << args.log_n) as f64 / (median_ms * 1e3),
            detail: None,
        },
    };
    report.print(args.json, |r| {
        format!(
            "sumcheck {} 2^{} degree {} on {} ({} threads): median {:.3} ms over {} reps, {:.1} M \
             points/s",
            r.field.unwrap_or("-"),
            r.log_n,
            r.extra.width,
            r.device,
            r.threads,
            r.median_ms,
            r.reps,
            r.extra.mops_per_s
        )
    })
}

/// The median time of a whole proof on backend `B`, milliseconds; the columns are made from the
/// host tables by `column` outside the timed region (the prover consumes them).
fn time_prove<
    F: Field,
    E: ExtensionField<F>,
    B: SumcheckOps<F, E>,
    const W: usize,
    const R: usize,
>(
    args: &BenchSumcheckArgs,
    transcript: impl Fn() -> Result<Transcript<F, W, R>, zkprove_hash::HashError>,
    column: impl Fn(&[F]) -> Result<B::Column<F>>,
) -> Result<f64> {
    let n = 1usize << args.log_n;
    let mut rng = StdRng::seed_from_u64(5);
    let tables: Vec<Vec<F>> =
        (0..args.degree).map(|_| (0..n).map(|_| F::random(&mut rng)).collect()).collect();
    let terms = vec![Term::<E>::product((0..args.degree as usize).collect())];
    let samples = time_reps_prepared(
        args.reps,
        || {
            let input = tables.iter().map(|t| column(t)).collect::<Result<Vec<_>>>()?;
            Ok((input, transcript().context("transcript")?))
        },
        |(input, mut t)| {
            let prover = SumcheckProver::<F, E, B>::new(input, terms.clone())?;
            Ok(black_box(prover.prove(E::ZERO, &mut t)?))
        },
    )?;
    Ok(samples.median_ms())
}
