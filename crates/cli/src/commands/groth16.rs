//! `zkprove groth16 prove|verify`: snarkjs/rapidsnark-compatible Groth16 proving and verification.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use zkprove_circom::{Proof, VerificationKey, Witness, read_public_signals, write_public_signals};
use zkprove_groth16::{Groth16Prover, validate_verification_key, verify};

/// Where to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Device {
    /// The CPU backend (all cores).
    Cpu,
    /// An NVIDIA GPU through CUDA (not built yet: see the GPU issues).
    Cuda,
    /// A GPU through OpenCL (not built yet: see the GPU issues).
    Opencl,
    /// A GPU when one is usable, the CPU otherwise.
    Auto,
}

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
    /// Where to prove.
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
    /// Skip verifying the proof before writing it (not recommended: a few milliseconds saved).
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

/// Phase messages on a terminal (stderr), silent when piped: scripts read exit codes and files.
pub struct Progress {
    enabled: bool,
}

impl Progress {
    /// Progress that prints only when stderr is a terminal.
    pub fn new() -> Self {
        Self { enabled: std::io::stderr().is_terminal() }
    }

    /// Runs `f` as a named phase, printing its duration on a terminal.
    pub fn phase<T>(&self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        if self.enabled {
            eprint!("{name}… ");
        }
        let start = Instant::now();
        let out = f();
        if self.enabled {
            match &out {
                Ok(_) => eprintln!("done ({:.2} s)", start.elapsed().as_secs_f64()),
                Err(_) => eprintln!("failed"),
            }
        }
        out
    }
}

/// Checks the device choice: only the CPU backend exists so far.
pub fn check_device(device: Device) -> Result<()> {
    match device {
        Device::Cpu | Device::Auto => Ok(()),
        Device::Cuda | Device::Opencl => bail!(
            "the {device:?} backend is not available in this build yet; use --device cpu (or auto)"
        ),
    }
}

/// Runs `zkprove groth16 …`.
pub fn run(args: Groth16Args) -> Result<()> {
    match args.command {
        Groth16Command::Prove(a) => prove(&a),
        Groth16Command::Verify(a) => verify_files(&a.verification_key, &a.public, &a.proof),
    }
}

fn prove(args: &ProveArgs) -> Result<()> {
    check_device(args.device)?;
    let progress = Progress::new();
    let prover: Groth16Prover =
        progress.phase("loading proving key", || Ok(Groth16Prover::load(&args.zkey)?))?;
    let witness = progress.phase("reading witness", || Ok(Witness::open(&args.witness)?))?;
    witness.check_against(prover.header())?;
    let values = &witness.values;
    let proof = progress.phase("proving", || Ok(prover.prove(values)?))?;
    let public = prover.public_signals(values)?;
    if !args.no_verify {
        progress.phase("verifying", || {
            verify(prover.verification_key(), public, &proof).context(
                "the proof does not verify: the witness does not satisfy the circuit of this \
                 proving key (nothing written)",
            )
        })?;
    }
    proof.write(&args.proof)?;
    write_public_signals(&args.public, public)?;
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
