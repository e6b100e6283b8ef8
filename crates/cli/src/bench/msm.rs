//! `zkprove bench msm`: `Σ sᵢ·Pᵢ` over 2^N random points and scalars, the bases prepared once
//! outside the timing (as a zkey's are), on the CPU or a device (`"field"` is the group,
//! `bn254-g1` or `bn254-g2`; `width` the precomputation factor or levels).

use std::hint::black_box;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_curve::bn254::{G1Config, G2Config};
use zkprove_field::Field;
use zkprove_gpu::{ClDevice, CudaDevice};
use zkprove_poly::CpuBackend;

use super::report::{Report, Throughput, thread_pool, time_reps};
use super::{CommonArgs, throughput_text};
use crate::device::{Device, resolve_device};

/// Arguments of `zkprove bench msm`.
#[derive(Debug, Args)]
pub struct MsmArgs {
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
    /// On `--device cuda|opencl`: split the MSM across this many devices of that kind
    /// (`zkprove_gpu::DeviceSet::split_bases`: each keeps a slice of the bases resident, the host
    /// adds the partial sums); each rep uploads the scalars.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=64))]
    devices: Option<u32>,
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

/// Runs `zkprove bench msm`.
pub fn run(mut a: MsmArgs) -> Result<()> {
    a.common.device = resolve_device(a.common.device)?;
    if !a.common.device.is_gpu() && (a.window.is_some() || a.resident_scalars) {
        bail!("--window and --resident-scalars apply to --device cuda|opencl");
    }
    if a.devices.is_some()
        && (!a.common.device.is_gpu()
            || a.window.is_some()
            || a.resident_scalars
            || a.precompute > 1)
    {
        bail!(
            "--devices applies to --device cuda|opencl without --window/--resident-scalars/--precompute"
        );
    }
    if let Some(count) = a.devices {
        let pool = thread_pool(a.common.threads)?;
        let report = pool.install(|| match (a.common.device, a.curve) {
            (Device::Cuda, CurveName::Bn254G1) => msm_split::<G1Config, CudaDevice>(&a, count),
            (Device::Cuda, CurveName::Bn254G2) => msm_split::<G2Config, CudaDevice>(&a, count),
            (Device::Opencl, CurveName::Bn254G1) => msm_split::<G1Config, ClDevice>(&a, count),
            (Device::Opencl, CurveName::Bn254G2) => msm_split::<G2Config, ClDevice>(&a, count),
            (other, _) => bail!("not a GPU device: {}", other.name()),
        })?;
        return report.print(a.common.json, throughput_text);
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
    report.print(a.common.json, throughput_text)
}

fn report(
    args: &MsmArgs,
    median_ms: f64,
    width: usize,
    detail: Option<String>,
) -> Report<Throughput> {
    let n = 1usize << args.log_n;
    Report {
        kernel: "msm",
        field: Some(args.curve.name()),
        log_n: args.log_n,
        device: args.common.device.name(),
        median_ms,
        reps: args.common.reps,
        threads: rayon::current_num_threads(),
        extra: Throughput { width, mops_per_s: n as f64 / (median_ms * 1e-3) / 1e6, detail },
    }
}

/// Times `Σ sᵢ·Pᵢ` on a device: bases prepared (uploaded, and with `--precompute k` given k
/// levels of precomputed multiples) once outside the timing; each rep uploads the scalars and
/// waits for the result, or with `--resident-scalars` runs over scalars uploaded once. The untimed
/// warm-up run (which compiles and caches the device program) must equal the CPU backend's result.
fn msm_device<C, R>(args: &MsmArgs, dev: Arc<R>) -> Result<Report<Throughput>>
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
    let samples = time_reps(args.common.reps, || {
        match &on_device {
            Some(buf) => prepared.msm_device(buf, 0, Some(c)),
            None => prepared.msm(&scalars, Some(c)),
        }
        .context("MSM failed")
    })?;
    if samples.warm_up != expected {
        bail!("the device MSM differs from the CPU backend's: the device program is wrong");
    }
    let detail = format!(
        "c={c}, {} levels, scalars {}",
        prepared.precompute_levels(),
        if args.resident_scalars { "resident" } else { "uploaded per rep" }
    );
    Ok(report(args, samples.median_ms(), prepared.precompute_levels(), Some(detail)))
}

/// Times `Σ sᵢ·Pᵢ` over 2^N random points (consecutive multiples of a random point, one addition
/// each to make) and random scalars, the bases prepared once outside the timing.
fn msm<C: zkprove_curve::SwCurve>(args: &MsmArgs) -> Result<Report<Throughput>> {
    use zkprove_curve::MsmOps;
    use zkprove_curve::msm::{CpuBases, random_points};
    let n = 1usize << args.log_n;
    let mut rng = StdRng::seed_from_u64(3);
    let bases = random_points::<C, _>(n, &mut rng);
    let scalars: Vec<C::Scalar> = (0..n).map(|_| C::Scalar::random(&mut rng)).collect();
    let prepared = CpuBases::with_precomputation(bases, args.precompute as usize);
    let samples = time_reps(args.common.reps, || {
        Ok(black_box(<CpuBackend as MsmOps<C>>::msm(&prepared, &scalars).context("MSM failed")?))
    })?;
    Ok(report(args, samples.median_ms(), args.precompute as usize, None))
}

/// The device sets `--devices N` opens, by runtime.
trait AllDevices: zkprove_gpu::Runtime {
    fn all() -> Result<zkprove_gpu::DeviceSet<Self>, zkprove_gpu::DeviceSetError>;
}

impl AllDevices for CudaDevice {
    fn all() -> Result<zkprove_gpu::DeviceSet<Self>, zkprove_gpu::DeviceSetError> {
        zkprove_gpu::DeviceSet::<CudaDevice>::all()
    }
}

impl AllDevices for ClDevice {
    fn all() -> Result<zkprove_gpu::DeviceSet<Self>, zkprove_gpu::DeviceSetError> {
        zkprove_gpu::DeviceSet::<ClDevice>::all()
    }
}

/// Times `Σ sᵢ·Pᵢ` split across `count` devices ([`zkprove_gpu::SplitBases`]): each keeps a slice
/// of the bases resident (prepared outside the timing), each rep uploads the scalars' slices and
/// the host adds the partial sums. The warm-up must equal the CPU backend's result.
fn msm_split<C, R>(args: &MsmArgs, count: u32) -> Result<Report<Throughput>>
where
    C: zkprove_gpu::GpuCurve,
    R: AllDevices,
{
    use zkprove_curve::MsmOps;
    use zkprove_curve::msm::random_points;
    let set = super::gpu::device_set(R::all(), count)?;
    let n = 1usize << args.log_n;
    let mut rng = StdRng::seed_from_u64(3);
    let bases = random_points::<C, _>(n, &mut rng);
    let scalars: Vec<C::Scalar> = (0..n).map(|_| C::Scalar::random(&mut rng)).collect();
    let cpu_bases = <CpuBackend as MsmOps<C>>::prepare_bases(bases.clone())
        .context("preparing the CPU bases")?;
    let expected = <CpuBackend as MsmOps<C>>::msm(&cpu_bases, &scalars).context("CPU MSM")?;
    drop(cpu_bases);
    let split = set.split_bases(&bases).context("uploading the bases")?;
    drop(bases);
    let samples = time_reps(args.common.reps, || split.msm(&scalars).context("split MSM failed"))?;
    if samples.warm_up != expected {
        bail!("the split MSM differs from the CPU backend's");
    }
    let detail = format!("devices={count} (split), scalars uploaded per rep");
    Ok(report(args, samples.median_ms(), 1, Some(detail)))
}
