//! `zkprove vm prove prog.elf --input in.bin --proof proof.bin [--output out.bin]
//! [--segment-log N]` proves a run (the part of RV32IM that `zkprove_vm::prove` constrains:
//! RV32IM but `fence`, with read/write/exit; another instruction or system call is refused,
//! named, with status 3) in segments of 2^N cycles (default 2^16, runs up to 2^25 cycles:
//! `zkprove_vm::continuation`) and writes the proof (a segmented proof file, magic
//! `ZKVMSEGS`) and the public output; `zkprove vm verify prog.elf proof.bin --output out.bin
//! --exit-code N` checks it (a segmented proof, or a single `MultiProof` file as written before
//! continuations): status 0 valid, 1 invalid, 3 bad input (an unreadable, truncated or foreign
//! file, named).
//!
//! `zkprove vm run prog.elf [--input in.bin] [--json]`: runs an RV32IM ELF program (fast mode, no
//! trace). The program's output goes to stdout and its exit status becomes zkprove's; with
//! `--json` one line instead: `{"cycles":…,"exit_code":…,"mhz":…,"output_len":…,"output_hex":…}`
//! (`output_hex` only for outputs up to 64 KiB). A file that is not an RV32IM executable, or a
//! program that stops with an error (illegal instruction, bad system call, …), exits with 3.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use serde::Serialize;
use zkprove_gpu::{CudaBackend, OpenClBackend};
use zkprove_poly::CpuBackend;
use zkprove_vm::Program;

use crate::device::{Device, resolve_device};

/// Arguments of `zkprove vm`.
#[derive(Debug, Args)]
pub struct VmArgs {
    #[command(subcommand)]
    command: VmCommand,
}

#[derive(Debug, Subcommand)]
enum VmCommand {
    /// Run an RV32IM ELF program: its output to stdout, its exit status as zkprove's.
    Run(RunArgs),
    /// Prove a run of an RV32IM ELF program: the proof to --proof, the output to --output.
    Prove(ProveArgs),
    /// Verify a proof of a run: exit 0 valid, 1 invalid, 3 bad input.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
struct ProveArgs {
    /// The program: an ELF32 RV32IM little-endian static executable.
    elf: PathBuf,
    /// The private input, read by the program from fd 0 (default: none).
    #[arg(long)]
    input: Option<PathBuf>,
    /// Where to write the proof.
    #[arg(long)]
    proof: PathBuf,
    /// Where to write the public output (the bytes the program wrote to fd 1).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Where the AIR prover runs: the CPU, or a GPU backend (the traces are generated on the CPU
    /// and uploaded once; the proof is the same, byte for byte). `auto` is CUDA when usable.
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
    /// log2 of the cycles per segment (2..=20; the default keeps every segment at ≥ 100 bits,
    /// larger segments may be refused by the security check).
    #[arg(long, default_value_t = zkprove_vm::continuation::DEFAULT_LOG_SEGMENT)]
    segment_log: u32,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// The program the proof is about.
    elf: PathBuf,
    /// The proof.
    proof: PathBuf,
    /// The claimed public output (default: empty).
    #[arg(long)]
    output: Option<PathBuf>,
    /// The claimed exit code (`a0` at exit).
    #[arg(long)]
    exit_code: u32,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The program: an ELF32 RV32IM little-endian static executable.
    elf: PathBuf,
    /// The private input, read by the program from fd 0 (default: none).
    #[arg(long)]
    input: Option<PathBuf>,
    /// Print one JSON line (cycles, exit code, MHz, output) instead of the program's output.
    #[arg(long)]
    json: bool,
}

/// The `--json` line of `vm run`.
#[derive(Debug, Serialize)]
struct RunReport {
    cycles: u64,
    exit_code: u8,
    mhz: f64,
    output_len: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_hex: Option<String>,
}

/// Loads an ELF program, naming the file in any error.
pub fn load_program(path: &Path) -> Result<Program> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Program::from_elf(&bytes).with_context(|| format!("loading {}", path.display()))
}

/// Reads `--input` (none: empty).
pub fn load_input(path: Option<&Path>) -> Result<Vec<u8>> {
    match path {
        Some(p) => std::fs::read(p).with_context(|| format!("reading {}", p.display())),
        None => Ok(Vec::new()),
    }
}

/// Runs `zkprove vm`. On success the process exits with the program's status.
pub fn run(args: VmArgs) -> Result<()> {
    match args.command {
        VmCommand::Run(a) => run_program(a),
        VmCommand::Prove(a) => prove(a),
        VmCommand::Verify(a) => verify(a),
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn prove(args: ProveArgs) -> Result<()> {
    let elf = read(&args.elf)?;
    let input = load_input(args.input.as_deref())?;
    let device = resolve_device(args.device)?;
    use zkprove_vm::continuation::{SegmentConfig, prove_segments_on};
    let config = SegmentConfig::with_log_cycles(args.segment_log);
    let start = Instant::now();
    let run = match device {
        Device::Cpu | Device::Auto => prove_segments_on::<CpuBackend>(&elf, &input, &config),
        Device::Cuda => prove_segments_on::<CudaBackend>(&elf, &input, &config),
        Device::Opencl => prove_segments_on::<OpenClBackend>(&elf, &input, &config),
    }
    .with_context(|| format!("proving {} on {}", args.elf.display(), device.name()))?;
    let secs = start.elapsed().as_secs_f64();
    let bytes = run.proof.to_bytes();
    std::fs::write(&args.proof, &bytes)
        .with_context(|| format!("writing {}", args.proof.display()))?;
    if let Some(out) = &args.output {
        std::fs::write(out, &run.output).with_context(|| format!("writing {}", out.display()))?;
    }
    eprintln!(
        "proved {} cycles in {:.0} ms ({:.0} cycles/s), {} segment(s) of 2^{} cycles at ≥ {:.1} \
         bits each, exit code {}, proof {} bytes",
        run.cycles,
        secs * 1e3,
        run.cycles as f64 / secs.max(1e-9),
        run.proof.segments.len(),
        args.segment_log,
        run.bits,
        run.exit_code,
        bytes.len()
    );
    let p = &run.profile;
    tracing::debug!(
        device = device.name(),
        uploads = p.uploads,
        upload_bytes = p.upload_bytes,
        downloads = p.downloads,
        download_bytes = p.download_bytes,
        "vm prove transfers"
    );
    for (phase, d) in &run.profile.phases {
        tracing::debug!(phase, ms = d.as_secs_f64() * 1e3, "vm prove phase");
    }
    Ok(())
}

fn verify(args: VerifyArgs) -> Result<()> {
    use zkprove_vm::continuation::{SegmentedProof, verify_segments};
    use zkprove_vm::prove::{ProveError, VmProof};
    let elf = read(&args.elf)?;
    let proof_bytes = read(&args.proof)?;
    let context = || format!("reading the proof {}", args.proof.display());
    let output = load_input(args.output.as_deref())?;
    let verdict = if SegmentedProof::is_segmented(&proof_bytes) {
        let proof = SegmentedProof::from_bytes(&proof_bytes).with_context(context)?;
        verify_segments(&elf, &proof, &output, args.exit_code)
    } else {
        // A single proof, as `vm prove` wrote before continuations.
        let proof = VmProof::from_bytes(&proof_bytes).with_context(context)?;
        zkprove_vm::prove::verify(&elf, &proof, &output, args.exit_code)
    };
    match verdict {
        Ok(()) => {
            println!("valid");
            Ok(())
        }
        Err(e @ (ProveError::Air(_) | ProveError::ProofShape { .. } | ProveError::Output)) => {
            println!("invalid: {e}");
            std::process::exit(1);
        }
        Err(e) => Err(e).with_context(|| format!("loading {}", args.elf.display())),
    }
}

fn run_program(args: RunArgs) -> Result<()> {
    let program = load_program(&args.elf)?;
    let input = load_input(args.input.as_deref())?;
    let start = Instant::now();
    let out = zkprove_vm::run(&program, &input)
        .with_context(|| format!("running {}", args.elf.display()))?;
    let secs = start.elapsed().as_secs_f64();
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let report = RunReport {
            cycles: out.exit.cycles,
            exit_code: out.exit.status(),
            mhz: out.exit.cycles as f64 / secs.max(1e-9) / 1e6,
            output_len: out.output.len(),
            output_hex: (out.output.len() <= 1 << 16)
                .then(|| out.output.iter().map(|b| format!("{b:02x}")).collect()),
        };
        writeln!(stdout, "{}", serde_json::to_string(&report)?)?;
    } else {
        stdout.write_all(&out.output)?;
    }
    stdout.flush()?;
    std::process::exit(i32::from(out.exit.status()));
}
