//! `zkprove bench poseidon2` and `zkprove bench merkle`: Poseidon2 permutation throughput (2^N
//! independent permutations, SIMD-packed, on every thread) and a Merkle commitment to 2^N rows of
//! 8 field elements (`--row-len`; Plonky3's sponge + truncated-permutation scheme over Poseidon2
//! width 16). `bench merkle --device cuda|opencl` (M31, BabyBear) commits rows already resident in
//! device memory and reads back the root only; its warm-up root is checked against the CPU's.
//! One JSON line with `--json`:
//! `{"kernel":…,"field":…,"log_n":…,"device":…,"median_ms":…,"reps":…,"threads":…,"width":…,"mops_per_s":…}`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use zkprove_field::Field;
use zkprove_field::babybear::BabyBear;
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::m31::M31;
use zkprove_gpu::{
    ClDevice, CudaDevice, GpuBuffer, MERKLE_OUT, Poseidon2GpuField, Runtime,
    gpu_merkle_root_resident,
};
use zkprove_hash::{MerkleHash, MerkleTree, Poseidon2, Poseidon2Merkle};

use super::bench::{Device, median, thread_pool, time_reps};

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
    field: HashField,
    /// log2 of the number of permutations (poseidon2) or leaves (merkle).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(0..=26))]
    log_n: u32,
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

/// Arguments of `zkprove bench poseidon2`.
#[derive(Debug, Args)]
pub struct BenchPoseidon2Args {
    #[command(flatten)]
    common: HashCommonArgs,
    /// The permutation width: 16 or 24 (BabyBear), 16 (M31), 8 or 12 (Goldilocks).
    #[arg(long, default_value_t = 16)]
    width: usize,
}

/// Arguments of `zkprove bench merkle`.
#[derive(Debug, Args)]
pub struct BenchMerkleArgs {
    #[command(flatten)]
    common: HashCommonArgs,
    /// Field elements per leaf row (2^N rows of this many elements are committed).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1024))]
    row_len: u32,
    /// Where to commit: the CPU, or a GPU with the rows resident in its memory (M31, BabyBear).
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
}

#[derive(Debug, Serialize)]
struct HashReport {
    kernel: &'static str,
    field: &'static str,
    log_n: u32,
    device: &'static str,
    median_ms: f64,
    reps: u32,
    threads: usize,
    /// poseidon2: the permutation width; merkle: the row length (8 unless `--row-len`).
    width: usize,
    /// Millions of permutations (poseidon2) or leaves (merkle) per second at the median.
    mops_per_s: f64,
}

/// Runs `zkprove bench poseidon2`.
pub fn run_poseidon2(args: BenchPoseidon2Args) -> Result<()> {
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

/// Runs `zkprove bench merkle` (rows of `--row-len` elements, width-16 Poseidon2; Goldilocks uses
/// width 12 with rate 8 and 4-element digests).
pub fn run_merkle(args: BenchMerkleArgs) -> Result<()> {
    let c = &args.common;
    let row_len = args.row_len as usize;
    let pool = thread_pool(c.threads)?;
    let report = pool.install(|| match (args.device.resolved(), c.field) {
        (Device::Cpu | Device::Auto, HashField::Babybear) => merkle(
            c,
            Poseidon2Merkle::<BabyBear, 16, 8, 8>::new(Poseidon2::babybear_16())?,
            row_len,
        ),
        (Device::Cpu | Device::Auto, HashField::M31) => {
            merkle(c, Poseidon2Merkle::<M31, 16, 8, 8>::new(Poseidon2::m31_16())?, row_len)
        }
        (Device::Cpu | Device::Auto, HashField::Goldilocks) => merkle(
            c,
            Poseidon2Merkle::<Goldilocks, 12, 8, 4>::new(Poseidon2::goldilocks_12())?,
            row_len,
        ),
        (Device::Cuda, field) => {
            let dev = CudaDevice::get().context("--device cuda (see `zkprove devices`)")?;
            merkle_gpu_field(c, &dev, field, row_len, "cuda")
        }
        (Device::Opencl, field) => {
            let dev = ClDevice::get().context("--device opencl (see `zkprove devices`)")?;
            merkle_gpu_field(c, &dev, field, row_len, "opencl")
        }
    })?;
    print_report(&report, c.json)
}

fn merkle_gpu_field<R: Runtime>(
    c: &HashCommonArgs,
    dev: &Arc<R>,
    field: HashField,
    row_len: usize,
    device: &'static str,
) -> Result<HashReport> {
    match field {
        HashField::M31 => merkle_gpu::<R, M31>(c, dev, row_len, device),
        HashField::Babybear => merkle_gpu::<R, BabyBear>(c, dev, row_len, device),
        HashField::Goldilocks => {
            bail!("bench merkle on a GPU: m31 or babybear (no Goldilocks Poseidon2 device program)")
        }
    }
}

/// Each rep commits the resident rows (leaf hashes, then one launch per layer) and downloads the
/// root, which waits for the device. The warm-up root must equal the CPU backend's.
fn merkle_gpu<R: Runtime, F: Poseidon2GpuField>(
    c: &HashCommonArgs,
    dev: &Arc<R>,
    row_len: usize,
    device: &'static str,
) -> Result<HashReport> {
    let n = 1usize << c.log_n;
    let mut rng = StdRng::seed_from_u64(4);
    let rows: Vec<F> = (0..n * row_len).map(|_| F::random(&mut rng)).collect();
    let resident = GpuBuffer::upload(dev, &rows).context("uploading the rows")?;
    let hasher = Poseidon2Merkle::<F, 16, 8, MERKLE_OUT>::new(F::poseidon2())?;
    let expected = MerkleTree::commit(hasher, rows, row_len)?.root();
    let root = gpu_merkle_root_resident(&resident, row_len)?;
    if root != expected {
        bail!("the {device} Merkle root differs from the CPU's: the device program is wrong");
    }
    let mut times = Vec::with_capacity(c.reps as usize);
    for _ in 0..c.reps {
        let start = Instant::now();
        black_box(gpu_merkle_root_resident(&resident, row_len)?);
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let mut report = report("merkle", c, row_len, n, times);
    report.device = device;
    Ok(report)
}

fn permutations<F: Field, const W: usize>(
    c: &HashCommonArgs,
    perm: &Poseidon2<F, W>,
) -> Result<HashReport> {
    let n = 1usize << c.log_n;
    let mut rng = StdRng::seed_from_u64(3);
    let mut states: Vec<[F; W]> =
        (0..n).map(|_| core::array::from_fn(|_| F::random(&mut rng))).collect();
    // Each rep permutes the previous outputs: the values change, the work does not.
    let times = time_reps(c.reps, || {
        perm.permute_batch(black_box(&mut states));
        Ok(())
    })?;
    Ok(report("poseidon2", c, W, n, times))
}

fn merkle<H: MerkleHash>(c: &HashCommonArgs, hasher: H, row_len: usize) -> Result<HashReport> {
    let n = 1usize << c.log_n;
    let mut rng = StdRng::seed_from_u64(4);
    let rows: Vec<H::F> = (0..n * row_len).map(|_| H::F::random(&mut rng)).collect();
    // The rows are cloned outside the timed region: the tree keeps them for openings.
    let mut times = Vec::with_capacity(c.reps as usize);
    for rep in 0..=c.reps {
        let input = rows.clone();
        let start = Instant::now();
        let tree = MerkleTree::commit(hasher.clone(), input, row_len)?;
        black_box(tree.root());
        let ms = start.elapsed().as_secs_f64() * 1e3;
        if rep > 0 {
            times.push(ms);
        }
    }
    Ok(report("merkle", c, row_len, n, times))
}

fn report(
    kernel: &'static str,
    c: &HashCommonArgs,
    width: usize,
    n: usize,
    times: Vec<f64>,
) -> HashReport {
    let median_ms = median(times);
    HashReport {
        kernel,
        field: c.field.name(),
        log_n: c.log_n,
        device: "cpu",
        median_ms,
        reps: c.reps,
        threads: rayon::current_num_threads(),
        width,
        mops_per_s: n as f64 / (median_ms * 1e3),
    }
}

fn print_report(report: &HashReport, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        println!(
            "{} {} 2^{} on {} ({} threads, width {}): median {:.3} ms over {} reps, {:.2} M/s",
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
