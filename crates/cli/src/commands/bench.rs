//! `zkprove bench`: measures one kernel and prints its median time, as text or as one JSON line
//! (`{"kernel":…,"field":…,"log_n":…,"device":…,"median_ms":…,"reps":…}`): field multiplication,
//! NTT, MSM (`"field"` is then the group, `bn254-g1` or `bn254-g2`), the pairing and Groth16.

use std::hint::black_box;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use zkprove_field::{Field, PackedField, TwoAdicField};
use zkprove_field::{babybear, bn254, goldilocks, m31};
use zkprove_poly::{CircleDomain, CircleFftOps, CircleOrder, CpuBackend, Direction, NttOps, Order};

/// Arguments of `zkprove bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    kernel: Kernel,
}

#[derive(Debug, Subcommand)]
enum Kernel {
    /// Field multiplication throughput: the time for 2^N multiplications, using the field's SIMD
    /// packing, on every thread.
    Field(FieldArgs),
    /// Forward NTT of `--width` columns of 2^N elements, natural order in and out, data in memory.
    Ntt(NttArgs),
    /// Multi-scalar multiplication `Σ sᵢ·Pᵢ` of 2^N random points and scalars, bases prepared once
    /// (as a zkey's are).
    Msm(MsmArgs),
    /// One BN254 optimal ate pairing `e(P, Q)` of random points: Miller loop and final
    /// exponentiation.
    Pairing(PairingArgs),
    /// A whole Groth16 proof from a snarkjs `.zkey` and `.wtns`, the key loaded once.
    Groth16(super::bench_groth16::BenchGroth16Args),
    /// Poseidon2 throughput: 2^N independent permutations (SIMD-packed, every thread).
    Poseidon2(super::bench_hash::BenchPoseidon2Args),
    /// Merkle commitment to 2^N rows of 8 elements (Poseidon2 sponge leaves, 2-to-1 compression).
    Merkle(super::bench_hash::BenchMerkleArgs),
    /// KZG over BN254: commit to, open and verify a polynomial of degree 2^N − 1 (insecure SRS).
    Kzg(super::bench_kzg::BenchKzgArgs),
    /// A WHIR commitment and opening of a random multilinear polynomial in N variables, then its
    /// verification: prover and verifier times, proof size.
    Whir(super::bench_whir::BenchWhirArgs),
    /// A whole sumcheck proof for the product of `--degree` tables of 2^N base-field entries.
    Sumcheck(super::bench_sumcheck::BenchSumcheckArgs),
}

/// Options shared by every kernel.
#[derive(Debug, Args)]
struct CommonArgs {
    /// Where to run the kernel.
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
    /// Timed repetitions (the median is reported).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    reps: u32,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON line instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct FieldArgs {
    /// The field.
    #[arg(long, value_enum)]
    field: FieldName,
    /// log2 of the number of multiplications.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=34))]
    log_n: u32,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
struct NttArgs {
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
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
struct MsmArgs {
    /// The group.
    #[arg(long, value_enum, default_value_t = CurveName::Bn254G1)]
    curve: CurveName,
    /// log2 of the number of terms.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=26))]
    log_n: u32,
    /// Fixed-base precomputation factor (1 = none; k = k× the bases' memory, see
    /// `zkprove_curve::msm::CpuBases::with_precomputation`; on a device, k levels of
    /// `zkprove_gpu::GpuBases::with_precomputation`, at most one per window).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    precompute: u32,
    /// Window width in bits on a device (default: `zkprove_gpu::gpu_window_bits`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=20))]
    window: Option<u32>,
    /// On a device, upload the scalars once and time the MSM over them in device memory (as a
    /// Groth16 proof runs its MSMs over the uploaded witness); by default each rep uploads them.
    #[arg(long)]
    resident_scalars: bool,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
struct PairingArgs {
    #[command(flatten)]
    common: CommonArgs,
}

/// The groups `bench msm` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CurveName {
    /// BN254 G1 (over Fq).
    #[value(name = "bn254-g1")]
    Bn254G1,
    /// BN254 G2 (over Fq2).
    #[value(name = "bn254-g2")]
    Bn254G2,
}

impl CurveName {
    fn name(self) -> &'static str {
        match self {
            Self::Bn254G1 => "bn254-g1",
            Self::Bn254G2 => "bn254-g2",
        }
    }
}

/// Where a kernel runs. `cuda` and `opencl` run `bench ntt`, `bench msm`, `bench merkle` and
/// `bench sumcheck` so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Device {
    /// The CPU backend (multi-core, SIMD).
    Cpu,
    /// CUDA device 0 (data resident on the device).
    Cuda,
    /// The first OpenCL device, or `ZKPROVE_OPENCL_DEVICE` (data resident on the device).
    Opencl,
    /// CUDA when a device and a way to build its kernels are present, the CPU otherwise (the
    /// report names the device used).
    Auto,
}

impl Device {
    /// `auto` made concrete; the other choices as they are.
    pub(super) fn resolved(self) -> Device {
        match self {
            Device::Auto if super::groth16::cuda_usable() => Device::Cuda,
            Device::Auto => Device::Cpu,
            other => other,
        }
    }

    /// The GPU runtime of a device choice, or `None` for the CPU.
    fn gpu(self) -> Option<zkprove_gpu::GpuBackendKind> {
        match self {
            Device::Cpu | Device::Auto => None,
            Device::Cuda => Some(zkprove_gpu::GpuBackendKind::Cuda),
            Device::Opencl => Some(zkprove_gpu::GpuBackendKind::OpenCl),
        }
    }

    /// An error for kernels that have no GPU implementation yet.
    fn require_cpu(self, kernel: &str) -> Result<()> {
        match self {
            Device::Cpu | Device::Auto => Ok(()),
            other => bail!("bench {kernel} runs on --device cpu only (no {other:?} kernel yet)"),
        }
    }
}

/// The fields `bench field` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FieldName {
    /// BN254 scalar field Fr.
    #[value(name = "bn254", alias = "bn254-fr")]
    Bn254Fr,
    /// BN254 base field Fq.
    #[value(name = "bn254-fq")]
    Bn254Fq,
    /// Goldilocks, 2^64 − 2^32 + 1.
    Goldilocks,
    /// The quadratic extension of Goldilocks.
    #[value(name = "goldilocks-ext2")]
    GoldilocksExt2,
    /// BabyBear, 2^31 − 2^27 + 1.
    Babybear,
    /// The quartic extension of BabyBear.
    #[value(name = "babybear-ext4")]
    BabybearExt4,
    /// Mersenne-31, 2^31 − 1.
    M31,
    /// The degree-4 extension of M31 (stwo's secure field).
    Qm31,
}

impl FieldName {
    /// The name as the command line spells it (and as the JSON line reports it).
    fn name(self) -> &'static str {
        match self {
            Self::Bn254Fr => "bn254",
            Self::Bn254Fq => "bn254-fq",
            Self::Goldilocks => "goldilocks",
            Self::GoldilocksExt2 => "goldilocks-ext2",
            Self::Babybear => "babybear",
            Self::BabybearExt4 => "babybear-ext4",
            Self::M31 => "m31",
            Self::Qm31 => "qm31",
        }
    }
}

/// One benchmark result, printed as one JSON line with `--json`.
#[derive(Debug, Serialize)]
struct BenchReport {
    kernel: &'static str,
    field: &'static str,
    log_n: u32,
    device: Device,
    median_ms: f64,
    reps: u32,
    threads: usize,
    /// field-mul: SIMD lanes per operation (1 = scalar); ntt: number of columns; msm: the fixed-base
    /// precomputation factor (1 = none).
    width: usize,
    /// Millions of operations (multiplications; NTT: transformed elements; MSM: terms) per second at
    /// the median.
    mops_per_s: f64,
    /// What else shaped the run (device MSM: window width, where the scalars are).
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

/// Runs `zkprove bench`.
pub fn run(mut args: BenchArgs) -> Result<()> {
    let common = match &mut args.kernel {
        Kernel::Field(a) => Some(&mut a.common),
        Kernel::Ntt(a) => Some(&mut a.common),
        Kernel::Msm(a) => Some(&mut a.common),
        Kernel::Pairing(a) => Some(&mut a.common),
        _ => None,
    };
    if let Some(common) = common {
        common.device = common.device.resolved();
    }
    match args.kernel {
        Kernel::Groth16(a) => super::bench_groth16::run(a),
        Kernel::Poseidon2(a) => super::bench_hash::run_poseidon2(a),
        Kernel::Merkle(a) => super::bench_hash::run_merkle(a),
        Kernel::Kzg(a) => super::bench_kzg::run(a),
        Kernel::Whir(a) => super::bench_whir::run(a),
        Kernel::Sumcheck(a) => super::bench_sumcheck::run(a),
        Kernel::Pairing(a) => {
            a.common.device.require_cpu("pairing")?;
            let pool = thread_pool(a.common.threads)?;
            let report = pool.install(|| pairing(&a))?;
            print_report(&report, a.common.json)
        }
        Kernel::Msm(a) => {
            use zkprove_curve::bn254::{G1Config, G2Config};
            use zkprove_gpu::{ClDevice, CudaDevice};
            if a.common.device.gpu().is_none() && (a.window.is_some() || a.resident_scalars) {
                bail!("--window and --resident-scalars apply to --device cuda|opencl");
            }
            let cuda = || CudaDevice::get().context("--device cuda (see `zkprove devices`)");
            let opencl = || ClDevice::get().context("--device opencl (see `zkprove devices`)");
            let pool = thread_pool(a.common.threads)?;
            let report = pool.install(|| match (a.common.device, a.curve) {
                (Device::Cpu | Device::Auto, CurveName::Bn254G1) => msm::<G1Config>(&a),
                (Device::Cpu | Device::Auto, CurveName::Bn254G2) => msm::<G2Config>(&a),
                (Device::Cuda, CurveName::Bn254G1) => msm_device::<G1Config, _>(&a, cuda()?),
                (Device::Cuda, CurveName::Bn254G2) => msm_device::<G2Config, _>(&a, cuda()?),
                (Device::Opencl, CurveName::Bn254G1) => msm_device::<G1Config, _>(&a, opencl()?),
                (Device::Opencl, CurveName::Bn254G2) => msm_device::<G2Config, _>(&a, opencl()?),
            })?;
            print_report(&report, a.common.json)
        }
        Kernel::Field(a) => {
            let common = &a.common;
            common.device.require_cpu("field")?;
            let pool = thread_pool(common.threads)?;
            let report = pool.install(|| match a.field {
                FieldName::Bn254Fr => field_mul::<bn254::Fr>(&a),
                FieldName::Bn254Fq => field_mul::<bn254::Fq>(&a),
                FieldName::Goldilocks => field_mul::<goldilocks::Goldilocks>(&a),
                FieldName::GoldilocksExt2 => field_mul::<goldilocks::GoldilocksExt2>(&a),
                FieldName::Babybear => field_mul::<babybear::BabyBear>(&a),
                FieldName::BabybearExt4 => field_mul::<babybear::BabyBearExt4>(&a),
                FieldName::M31 => field_mul::<m31::M31>(&a),
                FieldName::Qm31 => field_mul::<m31::QM31>(&a),
            })?;
            print_report(&report, common.json)
        }
        Kernel::Ntt(a) if a.common.device.gpu().is_some() => {
            let report = match a.field {
                FieldName::Bn254Fr => ntt_gpu::<bn254::Fr>(&a),
                FieldName::Goldilocks => ntt_gpu::<goldilocks::Goldilocks>(&a),
                FieldName::Babybear => ntt_gpu::<babybear::BabyBear>(&a),
                other => bail!(
                    "no device NTT for field {}: choose bn254, goldilocks or babybear",
                    other.name()
                ),
            }?;
            print_report(&report, a.common.json)
        }
        Kernel::Ntt(a) => {
            let pool = thread_pool(a.common.threads)?;
            let report = pool.install(|| match a.field {
                FieldName::Bn254Fr => ntt::<bn254::Fr>(&a),
                FieldName::Goldilocks => ntt::<goldilocks::Goldilocks>(&a),
                FieldName::Babybear => ntt::<babybear::BabyBear>(&a),
                FieldName::M31 => circle_fft(&a),
                other => bail!(
                    "no NTT for field {}: choose bn254, goldilocks, babybear or m31 (circle FFT)",
                    other.name()
                ),
            })?;
            print_report(&report, a.common.json)
        }
    }
}

/// Times a forward natural-order NTT of `--width` random columns (the columns are re-transformed each
/// rep: the values change but the work does not).
fn ntt<F: TwoAdicField>(args: &NttArgs) -> Result<BenchReport> {
    let n = 1usize << args.log_n;
    if args.log_n as usize > F::TWO_ADICITY {
        bail!(
            "2^{} exceeds the two-adicity {} of {}",
            args.log_n,
            F::TWO_ADICITY,
            args.field.name()
        );
    }
    let mut rng = StdRng::seed_from_u64(2);
    let mut cols: Vec<Vec<F>> =
        (0..args.width).map(|_| (0..n).map(|_| F::random(&mut rng)).collect()).collect();
    let times = time_reps(args.common.reps, || {
        CpuBackend::ntt_batch(&mut cols, Direction::Forward, Order::NaturalToNatural, F::ONE)
            .context("NTT failed")
    })?;
    let median_ms = median(times);
    Ok(BenchReport {
        detail: None,
        kernel: "ntt",
        field: args.field.name(),
        log_n: args.log_n,
        device: args.common.device,
        median_ms,
        reps: args.common.reps,
        threads: rayon::current_num_threads(),
        width: args.width as usize,
        mops_per_s: (n as f64 * f64::from(args.width)) / (median_ms * 1e-3) / 1e6,
    })
}

/// Times a forward natural-order NTT of `--width` random columns on a GPU (or OpenCL) device,
/// uploaded once: each rep transforms the resident columns and waits for the device.
fn ntt_gpu<F: TwoAdicField + zkprove_gpu::GpuField>(args: &NttArgs) -> Result<BenchReport> {
    let n = 1usize << args.log_n;
    if args.log_n as usize > F::TWO_ADICITY {
        bail!(
            "2^{} exceeds the two-adicity {} of {}",
            args.log_n,
            F::TWO_ADICITY,
            args.field.name()
        );
    }
    let kind = args.common.device.gpu().context("not a device")?;
    let mut job = super::bench_gpu::NttJob::<F>::new(kind, args.log_n, args.width)?;
    let times = time_reps(args.common.reps, || job.run())?;
    let median_ms = median(times);
    Ok(BenchReport {
        detail: None,
        kernel: "ntt",
        field: args.field.name(),
        log_n: args.log_n,
        device: args.common.device,
        median_ms,
        reps: args.common.reps,
        threads: 1,
        width: args.width as usize,
        mops_per_s: (n as f64 * f64::from(args.width)) / (median_ms * 1e-3) / 1e6,
    })
}

/// Times a forward M31 circle FFT (coefficients → evaluations on the canonic coset, natural
/// order) of `--width` random columns.
fn circle_fft(args: &NttArgs) -> Result<BenchReport> {
    let n = 1usize << args.log_n;
    let domain = CircleDomain::canonic(args.log_n as usize).context("circle domain")?;
    let mut rng = StdRng::seed_from_u64(2);
    let mut cols: Vec<Vec<m31::M31>> =
        (0..args.width).map(|_| (0..n).map(|_| m31::M31::random(&mut rng)).collect()).collect();
    let times = time_reps(args.common.reps, || {
        CpuBackend::circle_fft_batch(&mut cols, &domain, Direction::Forward, CircleOrder::Natural)
            .context("circle FFT failed")
    })?;
    let median_ms = median(times);
    Ok(BenchReport {
        detail: None,
        kernel: "ntt",
        field: args.field.name(),
        log_n: args.log_n,
        device: args.common.device,
        median_ms,
        reps: args.common.reps,
        threads: rayon::current_num_threads(),
        width: args.width as usize,
        mops_per_s: (n as f64 * f64::from(args.width)) / (median_ms * 1e-3) / 1e6,
    })
}

/// Times `Σ sᵢ·Pᵢ` on a device: bases prepared (uploaded, and with `--precompute k` given k
/// levels of precomputed multiples) once outside the timing; each rep uploads the scalars and
/// waits for the result, or with `--resident-scalars` runs over scalars uploaded once. The untimed
/// first run must equal the CPU backend's result.
fn msm_device<C, R>(args: &MsmArgs, dev: std::sync::Arc<R>) -> Result<BenchReport>
where
    C: zkprove_gpu::GpuCurve,
    R: zkprove_gpu::Runtime,
{
    use zkprove_curve::MsmOps;
    use zkprove_curve::msm::random_points;
    use zkprove_gpu::{GpuBases, GpuBuffer};
    let n = 1usize << args.log_n;
    let mut rng = StdRng::seed_from_u64(3);
    let bases = random_points::<C, _>(n, &mut rng);
    let scalars: Vec<C::Scalar> = (0..n).map(|_| C::Scalar::random(&mut rng)).collect();
    let cpu_bases = <CpuBackend as MsmOps<C>>::prepare_bases(bases.clone())
        .context("preparing the CPU bases")?;
    let expected = <CpuBackend as MsmOps<C>>::msm(&cpu_bases, &scalars).context("CPU MSM")?;
    drop(cpu_bases);
    let c = args.window.unwrap_or_else(|| zkprove_gpu::gpu_window_bits(n));
    let prepared = if args.precompute > 1 {
        GpuBases::<R, C>::with_precomputation(&dev, &bases, args.precompute as usize, Some(c))
            .context("precomputing the bases")?
    } else {
        GpuBases::<R, C>::new(&dev, &bases).context("uploading the bases")?
    };
    drop(bases);
    let on_device = if args.resident_scalars {
        Some(GpuBuffer::upload(&dev, &scalars).context("uploading the scalars")?)
    } else {
        None
    };
    let run = || -> Result<zkprove_curve::Projective<C>> {
        match &on_device {
            Some(buf) => prepared.msm_device(buf, 0, Some(c)),
            None => prepared.msm(&scalars, Some(c)),
        }
        .context("MSM failed")
    };
    // One untimed run: compiles and caches the device program, checked against the CPU.
    if run()? != expected {
        bail!("the device MSM differs from the CPU backend's: the device program is wrong");
    }
    let times = time_reps(args.common.reps, || {
        black_box(run()?);
        Ok(())
    })?;
    let median_ms = median(times);
    Ok(BenchReport {
        detail: Some(format!(
            "c={c}, {} levels, scalars {}",
            prepared.precompute_levels(),
            if args.resident_scalars { "resident" } else { "uploaded per rep" }
        )),
        kernel: "msm",
        field: args.curve.name(),
        log_n: args.log_n,
        device: args.common.device,
        median_ms,
        reps: args.common.reps,
        threads: rayon::current_num_threads(),
        width: prepared.precompute_levels(),
        mops_per_s: n as f64 / (median_ms * 1e-3) / 1e6,
    })
}

/// Times `Σ sᵢ·Pᵢ` over 2^N random points (consecutive multiples of a random point, one addition
/// each to make) and random scalars, the bases prepared once outside the timing.
fn msm<C: zkprove_curve::SwCurve>(args: &MsmArgs) -> Result<BenchReport> {
    use zkprove_curve::MsmOps;
    use zkprove_curve::msm::{CpuBases, random_points};
    let n = 1usize << args.log_n;
    let mut rng = StdRng::seed_from_u64(3);
    let bases = random_points::<C, _>(n, &mut rng);
    let scalars: Vec<C::Scalar> = (0..n).map(|_| C::Scalar::random(&mut rng)).collect();
    let prepared = CpuBases::with_precomputation(bases, args.precompute as usize);
    let times = time_reps(args.common.reps, || {
        black_box(<CpuBackend as MsmOps<C>>::msm(&prepared, &scalars).context("MSM failed")?);
        Ok(())
    })?;
    let median_ms = median(times);
    Ok(BenchReport {
        detail: None,
        kernel: "msm",
        field: args.curve.name(),
        log_n: args.log_n,
        device: args.common.device,
        median_ms,
        reps: args.common.reps,
        threads: rayon::current_num_threads(),
        width: args.precompute as usize,
        mops_per_s: n as f64 / (median_ms * 1e-3) / 1e6,
    })
}

/// Times one pairing of random `P ∈ G1`, `Q ∈ G2` (single-threaded: one pairing has no
/// parallelism to use).
fn pairing(args: &PairingArgs) -> Result<BenchReport> {
    use zkprove_curve::bn254::{G1Affine, G2Affine, pairing};
    let mut rng = StdRng::seed_from_u64(4);
    let p = G1Affine::random(&mut rng);
    let q = G2Affine::random(&mut rng);
    let times = time_reps(args.common.reps, || {
        black_box(pairing(black_box(&p), black_box(&q)));
        Ok(())
    })?;
    let median_ms = median(times);
    Ok(BenchReport {
        detail: None,
        kernel: "pairing",
        field: "bn254",
        log_n: 0,
        device: args.common.device,
        median_ms,
        reps: args.common.reps,
        threads: 1,
        width: 1,
        mops_per_s: 1.0 / (median_ms * 1e-3) / 1e6,
    })
}

/// Runs `f` once to warm up, then `reps` timed times; returns the times in milliseconds.
pub(super) fn time_reps(reps: u32, mut f: impl FnMut() -> Result<()>) -> Result<Vec<f64>> {
    f()?;
    let mut times = Vec::with_capacity(reps as usize);
    for _ in 0..reps {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    Ok(times)
}

pub(super) fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied().unwrap_or(f64::NAN)
}

pub(super) fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            bail!("--threads must be at least 1");
        }
        builder = builder.num_threads(n);
    }
    builder.build().context("starting the worker threads")
}

fn print_report(report: &BenchReport, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        println!(
            "{} {} 2^{} on {:?} ({} threads, width {}): median {:.3} ms over {} reps, {:.1} M ops/s",
            report.kernel,
            report.field,
            report.log_n,
            report.device,
            report.threads,
            report.width,
            report.median_ms,
            report.reps,
            report.mops_per_s
        );
    }
    Ok(())
}

/// Elements per thread-local buffer: small enough to stay in L1/L2, so that the kernel measures
/// multiplication throughput rather than memory bandwidth.
const BUFFER_LEN: usize = 1 << 12;

/// Times 2^log_n multiplications of `F` through `F::Packing`: each thread owns a cache-resident buffer
/// and multiplies it in place by a second one, pass after pass (independent lanes, so throughput
/// rather than latency is measured).
fn field_mul<F: Field>(args: &FieldArgs) -> Result<BenchReport> {
    let n_total: u64 = 1 << args.log_n;
    let threads = rayon::current_num_threads();
    let width = F::Packing::WIDTH;
    // Scalars per buffer, a multiple of the packing width.
    let buf_len = (n_total as usize).clamp(width, BUFFER_LEN).next_multiple_of(width);
    let n_buffers = n_total.div_ceil(buf_len as u64);
    let mut rng = StdRng::seed_from_u64(1);
    let a0: Vec<F> = (0..buf_len).map(|_| F::random(&mut rng)).collect();
    let b: Vec<F> = (0..buf_len).map(|_| F::random(&mut rng)).collect();

    // Split the passes between threads; each thread works on its own copy of the buffer.
    let per_thread = n_buffers.div_ceil(threads as u64);
    let run = || {
        rayon::broadcast(|ctx| {
            let first = ctx.index() as u64 * per_thread;
            let passes = per_thread.min(n_buffers.saturating_sub(first));
            let mut a = a0.clone();
            let pa = F::Packing::pack_slice_mut(&mut a);
            let pb = F::Packing::pack_slice(&b);
            for _ in 0..passes {
                for (x, y) in pa.iter_mut().zip(pb) {
                    *x *= *y;
                }
                black_box(&mut *pa);
            }
            black_box(a);
        });
        Ok(())
    };
    let times = time_reps(args.common.reps, run)?;
    let median_ms = median(times);
    Ok(BenchReport {
        detail: None,
        kernel: "field-mul",
        field: args.field.name(),
        log_n: args.log_n,
        device: args.common.device,
        median_ms,
        reps: args.common.reps,
        threads,
        width,
        mops_per_s: (n_buffers * buf_len as u64) as f64 / (median_ms * 1e-3) / 1e6,
    })
}
