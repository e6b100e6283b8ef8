//! `zkprove groth16 prove|verify`: snarkjs/rapidsnark-compatible Groth16 proving and verification.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use zkprove_circom::{Proof, VerificationKey, Witness, read_public_signals, write_public_signals};
use zkprove_gpu::{CudaBackend, OpenClBackend};
use zkprove_groth16::{
    Groth16Backend, Groth16Prover, KeyUse, StreamingProver, validate_verification_key, verify,
};
use zkprove_poly::CpuBackend;

use crate::device::{Device, resolve_device};
use crate::progress::Progress;

/// Arguments of `zkprove groth16`.
#[derive(Debug, Args)]
pub struct Groth16Args {
    #[command(subcommand)]
    command: Groth16Command,
}

#[derive(Debug, Subcommand)]
enum Groth16Command {
    /// Prove: `zkprove groth16 prove circuit.zkey witness.wtns proof.json public.json` (the
    /// argument order of snarkjs and rapidsnark). The proof is verified before it is written.
    Prove(ProveArgs),
    /// Prove many witnesses with the key loaded once: `zkprove groth16 prove-many circuit.zkey
    /// OUT_DIR a.wtns b.wtns …` writes `OUT_DIR/a.proof.json`, `OUT_DIR/a.public.json`, … Every
    /// proof is verified before it is written; on a GPU the next proof is queued while the current
    /// one is verified, and a GPU proof that fails is made again on the CPU. A witness that cannot
    /// be proved is reported and skipped (the exit status is then that of the first failure).
    ProveMany(super::groth16_many::ProveManyArgs),
    /// Verify: `zkprove groth16 verify verification_key.json public.json proof.json`; exit status
    /// 0 only when the proof is valid, 1 when it is not.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
struct ProveArgs {
    /// The proving key (snarkjs `.zkey`, Groth16 over BN254).
    zkey: PathBuf,
    /// The witness (`.wtns`, as `snarkjs wtns calculate` or circom's witness generator writes it).
    witness: PathBuf,
    /// Where to write the proof (snarkjs `proof.json` shape).
    proof: PathBuf,
    /// Where to write the public signals (snarkjs `public.json` shape).
    public: PathBuf,
    /// Where to prove: `auto` (the default) is a CUDA GPU when one is usable, else the CPU (OpenCL
    /// only when asked for). A GPU proof that fails or does not verify is made again on the CPU.
    #[arg(long, value_enum, default_value_t = Device::Auto)]
    device: Device,
    /// Skip verifying a CPU proof before writing it (not recommended: a few milliseconds saved).
    /// GPU proofs are always verified on the CPU.
    #[arg(long)]
    no_verify: bool,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// The verification key (`verification_key.json`).
    verification_key: PathBuf,
    /// The public signals (`public.json`).
    public: PathBuf,
    /// The proof (`proof.json`).
    proof: PathBuf,
}

/// Runs `zkprove groth16 …`.
pub fn run(args: Groth16Args) -> Result<()> {
    match args.command {
        Groth16Command::Prove(a) => prove(&a),
        Groth16Command::ProveMany(a) => super::groth16_many::run(&a),
        Groth16Command::Verify(a) => verify_files(&a.verification_key, &a.public, &a.proof),
    }
}

/// A proof, the key's verification key and its number of public signals.
type Proved = (Proof, VerificationKey, usize);

/// Loads the key on backend `B` and proves.
fn prove_on<B: Groth16Backend>(
    zkey: &Path,
    witness: &Witness,
    progress: &Progress,
) -> Result<Proved> {
    let prover: Groth16Prover<B> = progress
        .phase(&format!("loading proving key ({})", B::NAME), || {
            Ok(Groth16Prover::<B>::load_for(zkey, KeyUse::OneProof)?)
        })?;
    witness.check_against(prover.header())?;
    let proof =
        progress.phase(&format!("proving ({})", B::NAME), || Ok(prover.prove(&witness.values)?))?;
    let n_public = prover.public_signals(&witness.values)?.len();
    Ok((proof, prover.verification_key().clone(), n_public))
}

/// A CPU proof reading the key one section at a time ([`StreamingProver`]): one proof per run,
/// so the key is never held whole (peak memory well under the key's size for large keys).
fn prove_cpu(zkey: &Path, witness: &Witness, progress: &Progress) -> Result<Proved> {
    let mut prover =
        progress.phase("reading proving key headers", || Ok(StreamingProver::open(zkey)?))?;
    witness.check_against(prover.header())?;
    let proof = progress.phase("proving (cpu, reading the key as it goes)", || {
        Ok(prover.prove::<CpuBackend>(&witness.values)?)
    })?;
    let n_public = prover.header().n_public as usize;
    Ok((proof, prover.verification_key().clone(), n_public))
}

/// A GPU proof, verified on the CPU; when the device fails or its proof does not verify, the
/// failure is logged with the device named and the proof is made on the CPU instead.
fn prove_gpu<B: Groth16Backend>(
    args: &ProveArgs,
    witness: &Witness,
    progress: &Progress,
) -> Result<Proved> {
    let failure = match prove_on::<B>(&args.zkey, witness, progress) {
        Ok((proof, vk, n_public)) => {
            let public = &witness.values[1..=n_public];
            match progress.phase("verifying on the CPU", || Ok(verify(&vk, public, &proof)?)) {
                Ok(()) => return Ok((proof, vk, n_public)),
                Err(e) => format!("the {} proof does not verify ({e})", B::NAME),
            }
        }
        Err(e) => format!("proving on {} failed: {e:#}", B::NAME),
    };
    eprintln!("warning: {failure}; proving on the CPU instead");
    tracing::warn!(device = B::NAME, "{failure}; proving on the CPU instead");
    let proved = prove_cpu(&args.zkey, witness, progress)?;
    verify_before_write(&proved, witness, progress)?;
    Ok(proved)
}

fn verify_before_write(proved: &Proved, witness: &Witness, progress: &Progress) -> Result<()> {
    let (proof, vk, n_public) = proved;
    progress.phase("verifying", || {
        verify(vk, &witness.values[1..=*n_public], proof).context(
            "the proof does not verify: the witness does not satisfy the circuit of this \
             proving key (nothing written)",
        )
    })
}

fn prove(args: &ProveArgs) -> Result<()> {
    let device = resolve_device(args.device)?;
    let progress = Progress::new();
    let witness = progress.phase("reading witness", || Ok(Witness::open(&args.witness)?))?;
    let proved = match device {
        Device::Cuda => prove_gpu::<CudaBackend>(args, &witness, &progress)?,
        Device::Opencl => prove_gpu::<OpenClBackend>(args, &witness, &progress)?,
        Device::Cpu | Device::Auto => {
            let proved = prove_cpu(&args.zkey, &witness, &progress)?;
            if !args.no_verify {
                verify_before_write(&proved, &witness, &progress)?;
            }
            proved
        }
    };
    let (proof, _, n_public) = proved;
    proof.write(&args.proof)?;
    write_public_signals(&args.public, &witness.values[1..=n_public])?;
    Ok(())
}

/// Verifies `proof` against `public` and `verification_key`; an invalid proof is an error of type
/// [`zkprove_groth16::Groth16Error::InvalidProof`] (exit status 1).
pub fn verify_files(verification_key: &Path, public: &Path, proof: &Path) -> Result<()> {
    let vk = VerificationKey::read(verification_key)?;
    validate_verification_key(&vk)
        .with_context(|| format!("{} is not a valid key", verification_key.display()))?;
    let public = read_public_signals(public)?;
    let proof = Proof::read(proof)?;
    verify(&vk, &public, &proof)?;
    println!("OK: the proof is valid");
    Ok(())
}
