//! `zkprove groth16 prove-many circuit.zkey OUT_DIR a.wtns b.wtns …`: many proofs with one key
//! loaded once, through [`Groth16Prover::prove_stream`] (on a GPU the next proof is queued on the
//! device before the current one is waited for). Every proof is verified before it is written; a
//! GPU proof that fails or does not verify is made again on the CPU, with a warning naming the
//! device; a witness that cannot be read or does not satisfy the circuit is reported and skipped,
//! and the others are still proved.

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use zkprove_circom::{Groth16Header, Witness, write_proof_and_public};
use zkprove_field::bn254::Fr;
use zkprove_gpu::{CudaBackend, OpenClBackend};
use zkprove_groth16::{Groth16Backend, Groth16Prover, KeyUse};
use zkprove_poly::CpuBackend;

use super::groth16::{is_verification_failure, key_fault};
use crate::device::{Device, resolve_device};
use crate::progress::Progress;

/// Arguments of `zkprove groth16 prove-many`.
#[derive(Debug, Args)]
pub struct ProveManyArgs {
    /// The proving key (snarkjs `.zkey`, Groth16 over BN254).
    zkey: PathBuf,
    /// Where to write, for each witness `NAME.wtns`, `NAME.proof.json` and `NAME.public.json`
    /// (made if missing).
    out_dir: PathBuf,
    /// The witnesses (`.wtns`), proved in this order; their file names (less `.wtns`) must differ.
    #[arg(required = true)]
    witnesses: Vec<PathBuf>,
    /// Where to prove: `auto` (the default) is a CUDA GPU when one is usable, else the CPU (OpenCL
    /// only when asked for). GPU proofs that fail or do not verify are made again on the CPU.
    #[arg(long, value_enum, default_value_t = Device::Auto)]
    device: Device,
}

/// The output name of a witness: its file name without `.wtns`. A path with no file name (`/`,
/// `..`) or a name that is not UTF-8 is bad input (exit status 3), named in the error.
fn output_name(witness: &Path) -> Result<String> {
    let name = witness.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{}: not usable as a witness: its outputs are named after its file name, and it \
                 has none or one that is not UTF-8",
                witness.display()
            ),
        )
    })?;
    Ok(name.strip_suffix(".wtns").unwrap_or(name).to_owned())
}

/// Runs `zkprove groth16 prove-many`.
pub fn run(args: &ProveManyArgs) -> Result<()> {
    let device = resolve_device(args.device)?;
    let mut seen = HashSet::new();
    let mut names = Vec::with_capacity(args.witnesses.len());
    for w in &args.witnesses {
        let name = output_name(w)?;
        if !seen.insert(name.clone()) {
            // Bad input (exit status 3), as any other unusable file argument.
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("two witnesses named {name:?}: their proofs would overwrite each other"),
            )
            .into());
        }
        names.push(name);
    }
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("making {}", args.out_dir.display()))?;
    match device {
        Device::Cuda => prove_all::<CudaBackend>(args, &names, true),
        Device::Opencl => prove_all::<OpenClBackend>(args, &names, true),
        Device::Cpu | Device::Auto => prove_all::<CpuBackend>(args, &names, false),
    }
}

/// A witness read for the stream: its values, or why it could not be (the stream then gets an
/// empty witness, whose result is replaced by this error).
fn read_witness(path: &Path, header: &Groth16Header) -> Result<Witness> {
    let witness = Witness::open(path)?;
    witness.check_file_against(header, &path.display().to_string())?;
    Ok(witness)
}

/// Proves every witness on backend `B` (`gpu`: fall back to the CPU per proof).
fn prove_all<B: Groth16Backend>(args: &ProveManyArgs, names: &[String], gpu: bool) -> Result<()> {
    let progress = Progress::new();
    let key_use = if args.witnesses.len() > 1 { KeyUse::ManyProofs } else { KeyUse::OneProof };
    let prover = progress.phase(&format!("loading proving key ({})", B::NAME), || {
        Ok(Groth16Prover::<B>::load_for(&args.zkey, key_use)?)
    })?;
    let header = prover.header().clone();
    let n_public = header.n_public as usize;
    // Per witness, in order: its public signals, or why it could not be read.
    let read: RefCell<Vec<Result<Vec<Fr>>>> = RefCell::new(Vec::new());
    let witnesses = args.witnesses.iter().map(|path| match read_witness(path, &header) {
        Ok(w) => {
            read.borrow_mut().push(Ok(w.values[1..=n_public].to_vec()));
            w.values
        }
        Err(e) => {
            read.borrow_mut().push(Err(e));
            Vec::new()
        }
    });
    let mut cpu: Option<Groth16Prover<CpuBackend>> = None;
    let mut failures: Vec<anyhow::Error> = Vec::new();
    // Whether the key was checked after a proof failed verification (once: the answer holds for
    // every witness).
    let mut key_checked = false;
    let start = Instant::now();
    let mut proved = 0usize;
    let stream = prover.prove_stream(witnesses, true);
    for (i, result) in progress.track(stream, args.witnesses.len(), "proving").enumerate() {
        let path = &args.witnesses[i];
        let entry = std::mem::replace(&mut read.borrow_mut()[i], Ok(Vec::new()));
        let public = match entry {
            Ok(public) => public,
            Err(e) => {
                // The reader's errors name the file already.
                eprintln!("error: {e:#}");
                failures.push(e);
                continue;
            }
        };
        let proof = match result {
            Ok(proof) => Ok(proof),
            Err(e) if gpu => {
                // A device fault or an unsatisfied witness: the CPU tells which.
                let why = format!("proof of {} on {} failed: {e}", path.display(), B::NAME);
                eprintln!("warning: {why}; proving on the CPU instead");
                tracing::warn!(device = B::NAME, "{why}; proving on the CPU instead");
                prove_on_cpu(&args.zkey, path, &mut cpu, &header)
            }
            Err(e) => Err(anyhow::Error::new(e)),
        };
        let proof = match proof {
            Ok(p) => p,
            Err(e) if is_verification_failure(&e) => {
                // Only now is the key checked for a fault its points show (once): then every
                // proof would fail, so the others are not tried.
                if !key_checked {
                    key_checked = true;
                    if let Some(fault) = key_fault(&args.zkey) {
                        let e = fault.context(format!(
                            "{}: no proof: the key {} is corrupt",
                            path.display(),
                            args.zkey.display()
                        ));
                        eprintln!("error: {e:#}");
                        failures.push(e);
                        break;
                    }
                }
                let e = e.context(format!(
                    "{}: no proof: the witness does not satisfy the circuit, or the key is \
                     corrupt (key {})",
                    path.display(),
                    args.zkey.display()
                ));
                eprintln!("error: {e:#}");
                failures.push(e);
                continue;
            }
            Err(e) => {
                let e = e.context(format!("{}: no proof (the prover failed)", path.display()));
                eprintln!("error: {e:#}");
                failures.push(e);
                continue;
            }
        };
        let out = |suffix: &str| args.out_dir.join(format!("{}.{suffix}", names[i]));
        // Both files or neither.
        write_proof_and_public(out("proof.json"), &proof, out("public.json"), &public)?;
        proved += 1;
    }
    let n = args.witnesses.len();
    let elapsed = start.elapsed().as_secs_f64();
    eprintln!(
        "proved {proved} of {n} witnesses on {} in {elapsed:.2} s ({:.1} ms per proof, key loaded)",
        B::NAME,
        elapsed * 1e3 / proved.max(1) as f64
    );
    match failures.into_iter().next() {
        None => Ok(()),
        Some(first) => Err(first.context(format!("{} of {n} witnesses not proved", n - proved))),
    }
}

/// The proof of the witness at `path` on the CPU, verified (the CPU prover loaded on first need).
fn prove_on_cpu(
    zkey: &Path,
    path: &Path,
    cpu: &mut Option<Groth16Prover<CpuBackend>>,
    header: &Groth16Header,
) -> Result<zkprove_circom::Proof> {
    let prover = match cpu {
        Some(p) => p,
        None => cpu.insert(
            Groth16Prover::<CpuBackend>::load_for(zkey, KeyUse::ManyProofs)
                .context("loading the key on the CPU")?,
        ),
    };
    let witness = read_witness(path, header)?;
    Ok(prover.prove_verified(&witness.values)?)
}
