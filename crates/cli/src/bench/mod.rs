//! `zkprove bench`: measures one kernel and prints its median time, as text or as one JSON line
//! (`{"kernel":…,"field":…,"log_n":…,"device":…,"median_ms":…,"reps":…,…}`, see
//! [`report::Report`]). One module per benchmark family, each with a `run()`; what they share
//! (the report, the timing helper, the worker pool) is in [`report`].

mod air;
mod field;
mod gpu;
mod groth16;
mod kzg;
mod merkle;
mod ml;
mod msm;
mod ntt;
mod pairing;
mod poseidon2;
mod report;
mod service;
mod sumcheck;
mod vm;
pub(crate) mod whir;

use anyhow::{Result, bail};
use clap::{Args, Subcommand, ValueEnum};

use crate::device::Device;

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
    Field(field::FieldArgs),
    /// Forward NTT of `--width` columns of 2^N elements, natural order in and out, data in memory.
    Ntt(ntt::NttArgs),
    /// Multi-scalar multiplication `Σ sᵢ·Pᵢ` of 2^N random points and scalars, bases prepared once
    /// (as a zkey's are).
    Msm(msm::MsmArgs),
    /// One BN254 optimal ate pairing `e(P, Q)` of random points: Miller loop and final
    /// exponentiation.
    Pairing(pairing::PairingArgs),
    /// A whole Groth16 proof from a snarkjs `.zkey` and `.wtns`, the key loaded once.
    Groth16(groth16::BenchGroth16Args),
    /// Poseidon2 throughput: 2^N independent permutations (SIMD-packed, every thread).
    Poseidon2(poseidon2::BenchPoseidon2Args),
    /// Merkle commitment to 2^N rows of 8 elements (Poseidon2 sponge leaves, 2-to-1 compression).
    Merkle(merkle::BenchMerkleArgs),
    /// KZG over BN254: commit to, open and verify a polynomial of degree 2^N − 1 (insecure SRS).
    Kzg(kzg::BenchKzgArgs),
    /// A WHIR commitment and opening of a random multilinear polynomial in N variables, then its
    /// verification: prover and verifier times, proof size.
    Whir(whir::BenchWhirArgs),
    /// A whole sumcheck proof for the product of `--degree` tables of 2^N base-field entries.
    Sumcheck(sumcheck::BenchSumcheckArgs),
    /// Proves and verifies an example AIR (Fibonacci, a LogUp range check, Poseidon2) of 2^N
    /// rows: prover and verifier times, proof size.
    Air(air::BenchAirArgs),
    /// A zkML proof: an ONNX model's inference (`--model`) or an int8 `N × N` matrix–vector
    /// product (`--matmul N`): prover and verifier times, proof size.
    Ml(ml::BenchMlArgs),
    /// The zkVM front end on an RV32IM ELF program: full trace generation (tables and LogUp
    /// columns, parallel shards), execution with and without trace capture.
    Vm(vm::BenchVmArgs),
    /// The proving service in process on loopback: overhead per proof (submission to proof,
    /// minus proving), back-to-back idle time, and the queue alone (claims per second).
    Service(service::BenchServiceArgs),
}

/// Options shared by `bench field`, `ntt`, `msm` and `pairing`.
#[derive(Debug, Args)]
struct CommonArgs {
    /// Where to run the kernel (`cuda` and `opencl`: `bench ntt` and `bench msm`; `auto`: CUDA
    /// when usable, else the CPU, and the report names the device used).
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

/// An error for kernels that have no GPU implementation yet (`auto` runs them on the CPU).
fn require_cpu(device: Device, kernel: &str) -> Result<()> {
    if device.is_gpu() {
        bail!("bench {kernel} runs on --device cpu only (no {} kernel yet)", device.name());
    }
    Ok(())
}

/// The fields `bench field` and `bench ntt` know.
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

/// Runs `zkprove bench`.
pub fn run(args: BenchArgs) -> Result<()> {
    match args.kernel {
        Kernel::Field(a) => field::run(a),
        Kernel::Ntt(a) => ntt::run(a),
        Kernel::Msm(a) => msm::run(a),
        Kernel::Pairing(a) => pairing::run(a),
        Kernel::Groth16(a) => groth16::run(a),
        Kernel::Poseidon2(a) => poseidon2::run(a),
        Kernel::Merkle(a) => merkle::run(a),
        Kernel::Kzg(a) => kzg::run(a),
        Kernel::Whir(a) => whir::run(a),
        Kernel::Sumcheck(a) => sumcheck::run(a),
        Kernel::Air(a) => air::run(a),
        Kernel::Ml(a) => ml::run(a),
        Kernel::Vm(a) => vm::run(a),
        Kernel::Service(a) => service::run(a),
    }
}

/// The text line of a throughput report (`field`, `ntt`, `msm`, `pairing`).
fn throughput_text(r: &report::Report<report::Throughput>) -> String {
    format!(
        "{} {} 2^{} on {} ({} threads, width {}): median {:.3} ms over {} reps, {:.1} M ops/s",
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
}
