//! `zkprove bench ntt`: a forward NTT of `--width` random columns of 2^N elements, natural order
//! in and out (M31: the circle FFT on the canonic coset). On `--device cuda|opencl` the columns
//! are uploaded once and each rep transforms them in device memory ([`super::gpu::NttJob`]; M31:
//! [`super::gpu::NttJob::run_circle`]); `--devices N` splits host columns across N devices.

use anyhow::{Context, Result, bail};
use clap::Args;
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::{Field, TwoAdicField, babybear, bn254, goldilocks, m31};
use zkprove_poly::{CircleDomain, CircleFftOps, CircleOrder, CpuBackend, Direction, NttOps, Order};

use super::report::{Report, Throughput, thread_pool, time_reps};
use super::{CommonArgs, FieldName, throughput_text};
use crate::device::resolve_device;

/// Arguments of `zkprove bench ntt`.
#[derive(Debug, Args)]
pub struct NttArgs {
    /// The field: bn254, goldilocks and babybear run the two-adic NTT; m31 runs the circle FFT
    /// on the canonic coset.
    #[arg(long, value_enum)]
    field: FieldName,
    /// log2 of the column length.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=28))]
    log_n: u32,
    /// Number of columns transformed together.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=4096))]
    width: u32,
    /// On `--device cuda|opencl`: split the columns across this many devices of that kind
    /// (`zkprove_gpu::DeviceSet`); each rep uploads, transforms and reads back (transfers
    /// included, unlike the default single-device run over resident columns).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=64))]
    devices: Option<u32>,
    #[command(flatten)]
    common: CommonArgs,
}

/// Runs `zkprove bench ntt`.
pub fn run(mut a: NttArgs) -> Result<()> {
    a.common.device = resolve_device(a.common.device)?;
    if a.devices.is_some() && !a.common.device.is_gpu() {
        bail!("--devices applies to --device cuda|opencl");
    }
    let report = if let Some(count) = a.devices.filter(|_| a.common.device.is_gpu()) {
        match a.field {
            FieldName::Bn254Fr => ntt_split::<bn254::Fr>(&a, count),
            FieldName::Goldilocks => ntt_split::<goldilocks::Goldilocks>(&a, count),
            FieldName::Babybear => ntt_split::<babybear::BabyBear>(&a, count),
            FieldName::M31 => circle_fft_split(&a, count),
            other => bail!(
                "no device NTT for field {}: choose bn254, goldilocks, babybear or m31",
                other.name()
            ),
        }?
    } else if a.common.device.is_gpu() {
        match a.field {
            FieldName::Bn254Fr => ntt_gpu::<bn254::Fr>(&a),
            FieldName::Goldilocks => ntt_gpu::<goldilocks::Goldilocks>(&a),
            FieldName::Babybear => ntt_gpu::<babybear::BabyBear>(&a),
            FieldName::M31 => circle_fft_gpu(&a),
            other => bail!(
                "no device NTT for field {}: choose bn254, goldilocks, babybear or m31",
                other.name()
            ),
        }?
    } else {
        let pool = thread_pool(a.common.threads)?;
        pool.install(|| match a.field {
            FieldName::Bn254Fr => ntt::<bn254::Fr>(&a),
            FieldName::Goldilocks => ntt::<goldilocks::Goldilocks>(&a),
            FieldName::Babybear => ntt::<babybear::BabyBear>(&a),
            FieldName::M31 => circle_fft(&a),
            other => bail!(
                "no NTT for field {}: choose bn254, goldilocks, babybear or m31 (circle FFT)",
                other.name()
            ),
        })?
    };
    report.print(a.common.json, throughput_text)
}

fn check_two_adicity<F: TwoAdicField>(args: &NttArgs) -> Result<()> {
    if args.log_n as usize > F::TWO_ADICITY {
        bail!(
            "2^{} exceeds the two-adicity {} of {}",
            args.log_n,
            F::TWO_ADICITY,
            args.field.name()
        );
    }
    Ok(())
}

fn report(args: &NttArgs, median_ms: f64, threads: usize) -> Report<Throughput> {
    let mut r = report_with(args, median_ms, threads);
    if let Some(count) = args.devices {
        r.extra.detail = Some(format!("devices={count} (split, host columns: transfers included)"));
    }
    r
}

fn report_with(args: &NttArgs, median_ms: f64, threads: usize) -> Report<Throughput> {
    let n = 1usize << args.log_n;
    Report {
        kernel: "ntt",
        field: Some(args.field.name()),
        log_n: args.log_n,
        device: args.common.device.name(),
        median_ms,
        reps: args.common.reps,
        threads,
        extra: Throughput {
            width: args.width as usize,
            mops_per_s: (n as f64 * f64::from(args.width)) / (median_ms * 1e-3) / 1e6,
            detail: None,
        },
    }
}

/// Times a forward natural-order NTT of `--width` random columns (the columns are re-transformed each
/// rep: the values change but the work does not).
fn ntt<F: TwoAdicField>(args: &NttArgs) -> Result<Report<Throughput>> {
    check_two_adicity::<F>(args)?;
    let n = 1usize << args.log_n;
    let mut rng = StdRng::seed_from_u64(2);
    let mut cols: Vec<Vec<F>> =
        (0..args.width).map(|_| (0..n).map(|_| F::random(&mut rng)).collect()).collect();
    let samples = time_reps(args.common.reps, || {
        CpuBackend::ntt_batch(&mut cols, Direction::Forward, Order::NaturalToNatural, F::ONE)
            .context("NTT failed")
    })?;
    Ok(report(args, samples.median_ms(), rayon::current_num_threads()))
}

/// Times a forward natural-order NTT of `--width` random columns on a GPU (or OpenCL) device,
/// uploaded once: each rep transforms the resident columns and waits for the device.
fn ntt_gpu<F: TwoAdicField + zkprove_gpu::GpuField>(args: &NttArgs) -> Result<Report<Throughput>> {
    check_two_adicity::<F>(args)?;
    let mut job = super::gpu::NttJob::<F>::new(args.common.device, args.log_n, args.width)?;
    let samples = time_reps(args.common.reps, || job.run())?;
    Ok(report(args, samples.median_ms(), 1))
}

/// Times a forward M31 circle FFT (coefficients → evaluations on the canonic coset, natural
/// order) of `--width` random columns.
fn circle_fft(args: &NttArgs) -> Result<Report<Throughput>> {
    let n = 1usize << args.log_n;
    let domain = CircleDomain::canonic(args.log_n as usize).context("circle domain")?;
    let mut rng = StdRng::seed_from_u64(2);
    let mut cols: Vec<Vec<m31::M31>> =
        (0..args.width).map(|_| (0..n).map(|_| m31::M31::random(&mut rng)).collect()).collect();
    let samples = time_reps(args.common.reps, || {
        CpuBackend::circle_fft_batch(&mut cols, &domain, Direction::Forward, CircleOrder::Natural)
            .context("circle FFT failed")
    })?;
    Ok(report(args, samples.median_ms(), rayon::current_num_threads()))
}

/// Times a forward natural-order M31 circle FFT (canonic coset) of `--width` random columns on a
/// GPU (or OpenCL) device, uploaded once: each rep transforms the resident columns and waits.
fn circle_fft_gpu(args: &NttArgs) -> Result<Report<Throughput>> {
    let domain = CircleDomain::canonic(args.log_n as usize).context("circle domain")?;
    let mut job = super::gpu::NttJob::<m31::M31>::new(args.common.device, args.log_n, args.width)?;
    let samples = time_reps(args.common.reps, || job.run_circle(&domain))?;
    Ok(report(args, samples.median_ms(), 1))
}

/// Times a forward natural-order NTT of `--width` host columns split across `count` devices.
fn ntt_split<F: TwoAdicField + zkprove_gpu::GpuField>(
    args: &NttArgs,
    count: u32,
) -> Result<Report<Throughput>> {
    check_two_adicity::<F>(args)?;
    let mut job =
        super::gpu::SplitNttJob::<F>::new(args.common.device, args.log_n, args.width, count)?;
    let samples = time_reps(args.common.reps, || job.run_ntt())?;
    Ok(report(args, samples.median_ms(), count as usize))
}

/// Times a forward natural-order M31 circle FFT of `--width` host columns split across `count`
/// devices.
fn circle_fft_split(args: &NttArgs, count: u32) -> Result<Report<Throughput>> {
    let domain = CircleDomain::canonic(args.log_n as usize).context("circle domain")?;
    let mut job = super::gpu::SplitNttJob::<m31::M31>::new(
        args.common.device,
        args.log_n,
        args.width,
        count,
    )?;
    let samples = time_reps(args.common.reps, || job.run_circle(&domain))?;
    Ok(report(args, samples.median_ms(), count as usize))
}
