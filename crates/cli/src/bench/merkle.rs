//! `zkprove bench merkle`: a Merkle commitment to 2^N rows of 8 field elements (`--row-len`;
//! Plonky3's sponge + truncated-permutation scheme over Poseidon2 width 16). `--device
//! cuda|opencl` (M31, BabyBear) commits rows already resident in device memory and reads back the
//! root only; its warm-up root is checked against the CPU's.

use std::hint::black_box;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::Field;
use zkprove_field::babybear::BabyBear;
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::m31::M31;
use zkprove_gpu::{
    ClDevice, CudaDevice, GpuBuffer, MERKLE_OUT, Poseidon2GpuField, Runtime,
    gpu_merkle_root_resident,
};
use zkprove_hash::{MerkleHash, MerkleTree, Poseidon2, Poseidon2Merkle};

use super::poseidon2::{HashCommonArgs, HashField, print_report, report};
use super::report::{Report, Throughput, thread_pool, time_reps, time_reps_prepared};
use crate::device::{Device, resolve_device};

/// Arguments of `zkprove bench merkle`.
#[derive(Debug, Args)]
pub struct BenchMerkleArgs {
    #[command(flatten)]
    common: HashCommonArgs,
    /// Field elements per leaf row (2^N rows of this many elements are committed).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1024))]
    row_len: u32,
    /// Where to commit: the CPU, or a GPU with the rows resident in its memory (M31, BabyBear;
    /// `auto`: CUDA when usable, else the CPU).
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
}

/// Runs `zkprove bench merkle` (rows of `--row-len` elements, width-16 Poseidon2; Goldilocks uses
/// width 12 with rate 8 and 4-element digests).
pub fn run(args: BenchMerkleArgs) -> Result<()> {
    let c = &args.common;
    let row_len = args.row_len as usize;
    let device = resolve_device(args.device)?;
    let pool = thread_pool(c.threads)?;
    let report = pool.install(|| match (device, c.field) {
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
) -> Result<Report<Throughput>> {
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
) -> Result<Report<Throughput>> {
    let n = 1usize << c.log_n;
    let mut rng = StdRng::seed_from_u64(4);
    let rows: Vec<F> = (0..n * row_len).map(|_| F::random(&mut rng)).collect();
    let resident = GpuBuffer::upload(dev, &rows).context("uploading the rows")?;
    let hasher = Poseidon2Merkle::<F, 16, 8, MERKLE_OUT>::new(F::poseidon2())?;
    let expected = MerkleTree::commit(hasher, rows, row_len)?.root();
    let samples = time_reps(c.reps, || Ok(gpu_merkle_root_resident(&resident, row_len)?))?;
    if samples.warm_up != expected {
        bail!("the {device} Merkle root differs from the CPU's: the device program is wrong");
    }
    Ok(report("merkle", c, device, row_len, n, &samples))
}

/// Each rep commits a copy of the rows (made outside the timed region: the tree keeps them for
/// openings).
fn merkle<H: MerkleHash>(
    c: &HashCommonArgs,
    hasher: H,
    row_len: usize,
) -> Result<Report<Throughput>> {
    let n = 1usize << c.log_n;
    let mut rng = StdRng::seed_from_u64(4);
    let rows: Vec<H::F> = (0..n * row_len).map(|_| H::F::random(&mut rng)).collect();
    let samples = time_reps_prepared(
        c.reps,
        || Ok(rows.clone()),
        |input| {
            let tree = MerkleTree::commit(hasher.clone(), input, row_len)?;
            black_box(tree.root());
            // Dropped after the clock stops, as the rows' copy was made before it started.
            Ok(tree)
        },
    )?;
    Ok(report("merkle", c, "cpu", row_len, n, &samples))
}
