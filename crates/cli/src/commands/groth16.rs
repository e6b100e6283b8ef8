//! `zkprove groth16 prove|verify`: snarkjs/rapidsnark-compatible Groth16 proving and verification.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use zkprove_circom::{
    Proof, VerificationKey, Witness, ZkeyReader, read_public_signals, write_proof_and_public,
};
use zkprove_gpu::{CudaBackend, OpenClBackend};
use zkprove_groth16::{
    Groth16Backend, Groth16Error, Groth16Prover, KeyUse, StreamingProver,
    validate_verification_key, verify,
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
    /// Skip verifying a CPU proof before writing it (not recommended: it saves nothing). A
    /// warning says the proof is not verified; the key's B2 points are still checked to be in
    /// G2's subgroup (its other points are always checked), which costs more than the
    /// verification, and a witness that does not satisfy the circuit, or a key corrupt in another
    /// way, gives a proof that fails verification. GPU proofs are always verified on the CPU.
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

/// The label of a path in messages.
fn label(path: &Path) -> String {
    path.display().to_string()
}

/// Loads the key on backend `B` and proves.
fn prove_on<B: Groth16Backend>(
    args: &ProveArgs,
    witness: &Witness,
    progress: &Progress,
) -> Result<Proved> {
    let prover: Groth16Prover<B> = progress
        .phase(&format!("loading proving key ({})", B::NAME), || {
            Ok(Groth16Prover::<B>::load_for(&args.zkey, KeyUse::OneProof)?)
        })?;
    witness.check_file_against(prover.header(), &label(&args.witness))?;
    let proof =
        progress.phase(&format!("proving ({})", B::NAME), || Ok(prover.prove(&witness.values)?))?;
    let n_public = prover.public_signals(&witness.values)?.len();
    Ok((proof, prover.verification_key().clone(), n_public))
}

/// A CPU proof reading the key one section at a time ([`StreamingProver`]): one proof per run,
/// so the key is never held whole (peak memory well under the key's size for large keys).
/// `check_b2`: check that the B2 points lie in G2's subgroup as they are read (for a proof that
/// will not be verified).
fn prove_cpu(
    args: &ProveArgs,
    witness: &Witness,
    check_b2: bool,
    progress: &Progress,
) -> Result<Proved> {
    let mut prover = progress.phase("reading proving key headers", || {
        let reader = ZkeyReader::open(&args.zkey)?.with_b2_subgroup_check(check_b2);
        Ok(StreamingProver::new(reader)?)
    })?;
    witness.check_file_against(prover.header(), &label(&args.witness))?;
    let proof = progress.phase("proving (cpu, reading the key as it goes)", || {
        Ok(prover.prove_column_host::<CpuBackend>(&witness.values, &witness.values)?)
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
    let failure = match prove_on::<B>(args, witness, progress) {
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
    let proved = prove_cpu(args, witness, false, progress)?;
    verify_before_write(&proved, args, witness, progress)?;
    Ok(proved)
}

fn verify_before_write(
    proved: &Proved,
    args: &ProveArgs,
    witness: &Witness,
    progress: &Progress,
) -> Result<()> {
    let (proof, vk, n_public) = proved;
    progress.phase("verifying", || {
        verify(vk, &witness.values[1..=*n_public], proof)
            .map_err(|e| unverified(&args.zkey, &args.witness, e))
    })
}

/// Whether an error is a freshly made proof that failed verification (the pairing check, or a
/// proof point outside its group: only a corrupt key gives one).
pub(super) fn is_verification_failure(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        matches!(
            c.downcast_ref::<Groth16Error>(),
            Some(Groth16Error::InvalidProof | Groth16Error::InvalidPoint { .. })
        )
    })
}

/// The error for a proof of the witness at `wtns` that failed verification (`err`): the key at
/// `zkey` is checked first ([`key_fault`], only on this failure path), so that a fault its points
/// show is reported as the key's (exit status 3, naming the file, the section and the point);
/// otherwise either file may be at fault, and the message names both (exit status 1).
pub(super) fn unverified(zkey: &Path, wtns: &Path, err: impl Into<anyhow::Error>) -> anyhow::Error {
    match key_fault(zkey) {
        Some(fault) => fault.context(format!(
            "the proof does not verify because the key {} is corrupt (nothing written)",
            zkey.display()
        )),
        None => err.into().context(format!(
            "the proof does not verify: the witness does not satisfy the circuit, or the key is \
             corrupt (witness {}, key {}; nothing written)",
            wtns.display(),
            zkey.display()
        )),
    }
}

/// [`zkprove_groth16::key_fault`], as the error to report, if the key shows a fault.
pub(super) fn key_fault(zkey: &Path) -> Option<anyhow::Error> {
    zkprove_groth16::key_fault(zkey).err().map(anyhow::Error::new)
}

fn prove(args: &ProveArgs) -> Result<()> {
    let device = resolve_device(args.device)?;
    let progress = Progress::new();
    let witness = progress.phase("reading witness", || Ok(Witness::open(&args.witness)?))?;
    let proved = match device {
        Device::Cuda => prove_gpu::<CudaBackend>(args, &witness, &progress)?,
        Device::Opencl => prove_gpu::<OpenClBackend>(args, &witness, &progress)?,
        Device::Cpu | Device::Auto => {
            // Without verification, a B2 point outside the subgroup would go unnoticed: check
            // them as they are read (the other points are always checked).
            let proved = prove_cpu(args, &witness, args.no_verify, &progress)?;
            if args.no_verify {
                eprintln!(
                    "warning: --no-verify: the proof is NOT verified; {} may not verify (a \
                     witness that does not satisfy the circuit, or a corrupt key, gives a proof \
                     that fails; the key's points were checked to be in their groups)",
                    args.proof.display()
                );
            } else {
                verify_before_write(&proved, args, &witness, &progress)?;
            }
            proved
        }
    };
    let (proof, _, n_public) = proved;
    // Both files or neither: a proof without its public signals is of no use.
    write_proof_and_public(&args.proof, &proof, &args.public, &witness.values[1..=n_public])?;
    Ok(())
}

/// Verifies `proof` against `public` and `verification_key`; an invalid proof is an error of type
/// [`zkprove_groth16::Groth16Error::InvalidProof`] (exit status 1).
pub fn verify_files(verification_key: &Path, public: &Path, proof: &Path) -> Result<()> {
    let vk = VerificationKey::read(verification_key)?;
    let invalid_key = || format!("{} is not a valid key", verification_key.display());
    validate_verification_key(&vk).with_context(invalid_key)?;
    let signals = read_public_signals(public)?;
    let proof = Proof::read(proof)?;
    match verify(&vk, &signals, &proof) {
        Ok(()) => {}
        Err(e @ Groth16Error::PublicInputCount { .. }) => {
            return Err(anyhow::Error::new(e).context(format!(
                "{} does not match {}",
                public.display(),
                verification_key.display()
            )));
        }
        Err(
            e @ (Groth16Error::VerificationKeyAtInfinity { .. }
            | Groth16Error::UncontributedVerificationKey { .. }),
        ) => {
            return Err(anyhow::Error::new(e).context(invalid_key()));
        }
        Err(e) => return Err(e.into()),
    }
    println!("OK: the proof is valid");
    Ok(())
}
