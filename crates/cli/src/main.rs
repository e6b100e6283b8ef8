//! `zkprove`: the command line of the zkprove prover core.
//!
//! This file only declares the command-line shape, the verbosity count, the tracing set-up and the
//! mapping from typed errors to exit statuses; each command lives in `commands/<name>.rs` with a
//! `run()` function, the benchmarks in `bench/`, the `--device` choice in `device.rs` and the
//! progress display in `progress.rs`.

#![forbid(unsafe_code)]

mod bench;
mod commands;
mod device;
mod progress;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A zero-knowledge prover core: fields, NTT, MSM, Groth16 for circom, on CPU and GPU.
#[derive(Debug, Parser)]
#[command(name = "zkprove", version, about, propagate_version = true)]
struct Cli {
    /// More log output (-v: debug, -vv: trace). `RUST_LOG` overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    /// Highest CPU code path to use: portable, adx (BMI2+ADX), avx2, avx512, ifma, or native (what
    /// this CPU has, the default). Lowering it runs and benchmarks the slower paths on this machine;
    /// it never rises above the CPU. Default from `ZKPROVE_CPU`.
    #[arg(long, global = true, value_name = "LEVEL")]
    cpu: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Groth16 proofs for circom circuits: `prove` (snarkjs/rapidsnark drop-in) and `verify`.
    Groth16(commands::groth16::Groth16Args),
    /// Inspect a snarkjs proving key, export its verification key, write an insecure test key.
    Zkey(commands::zkey::ZkeyArgs),
    /// Measure a kernel and print its median time (`--json`: one JSON line).
    Bench(bench::BenchArgs),
    /// zkML: commit to an ONNX model's weights, prove an inference, verify it.
    Ml(commands::ml::MlArgs),
    /// List the GPUs (CUDA) and OpenCL devices of this machine; none is not an error.
    Devices(commands::devices::DevicesArgs),
    /// WHIR parameters: `params` prints the rounds and every soundness term.
    Whir(commands::whir::WhirArgs),
    /// The proving service: HTTP API, queue (SQLite, or PostgreSQL for a fleet) and workers.
    Serve(commands::serve::ServeArgs),
    /// Prove jobs of a shared queue (`--db postgres://…`) without serving the API.
    Worker(commands::serve::WorkerArgs),
    /// Client of `zkprove serve`: `job submit|status|cancel|proof`.
    Job(commands::job::JobArgs),
    /// zkVM: run an RV32IM ELF program (`vm run`; its exit status becomes zkprove's), prove a
    /// run (`vm prove`) and verify the proof (`vm verify`).
    Vm(commands::vm::VmArgs),
}

/// Exit statuses a script can rely on.
mod exit {
    /// The proof is invalid (`groth16 verify`), or a freshly made proof failed verification.
    pub const INVALID_PROOF: u8 = 1;
    /// Command-line usage error (clap's own status; also a malformed `ZKPROVE_*` variable).
    pub const USAGE: u8 = 2;
    /// An input file is missing, unreadable, malformed, foreign or does not match the others.
    pub const BAD_INPUT: u8 = 3;
    /// Anything else (a backend failure, an internal error).
    pub const FAILURE: u8 = 4;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The GPU crate reads no environment variable: its configuration comes from here.
    let gpu = match zkprove_gpu::GpuConfig::from_vars(|name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    init_tracing(cli.verbose, gpu.profile);
    // The field crate reads no flag or variable: the cap on its run-time CPU paths comes from here.
    let cpu = cli.cpu.clone().or_else(|| std::env::var("ZKPROVE_CPU").ok());
    match cpu.as_deref().map(parse_cpu_level).transpose() {
        Ok(Some(max)) => {
            let level = zkprove_field::cpu::set_max_cpu_level(max);
            tracing::debug!(%level, requested = %max, "CPU level");
        }
        Ok(None) => tracing::debug!(level = %zkprove_field::cpu::level(), "CPU level"),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(exit::USAGE);
        }
    }
    // The first call in this process: it cannot have been configured before.
    let _ = zkprove_gpu::configure(gpu);
    let result = match cli.command {
        Command::Groth16(args) => commands::groth16::run(args),
        Command::Zkey(args) => commands::zkey::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Devices(args) => commands::devices::run(args),
        Command::Whir(args) => commands::whir::run(args),
        Command::Ml(args) => commands::ml::run(args),
        Command::Serve(args) => commands::serve::serve(args),
        Command::Worker(args) => commands::serve::worker(args),
        Command::Job(args) => commands::job::run(args),
        Command::Vm(args) => commands::vm::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", error_message(&err));
            ExitCode::from(exit_status(&err))
        }
    }
}

/// `--cpu` / `ZKPROVE_CPU`: a [`zkprove_field::cpu::CpuLevel`] name, or `native` (the detected one).
fn parse_cpu_level(
    s: &str,
) -> Result<zkprove_field::cpu::CpuLevel, zkprove_field::cpu::UnknownCpuLevel> {
    if s.trim().eq_ignore_ascii_case("native") {
        Ok(zkprove_field::cpu::detected_level())
    } else {
        s.parse()
    }
}

/// The error and its causes, `a: b: c`, skipping a cause whose text the message already holds
/// (typed errors often print their source in their own message).
fn error_message(err: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if message.is_empty() {
            message = text;
        } else if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}

/// The exit status for an error, from the typed error inside it.
fn exit_status(err: &anyhow::Error) -> u8 {
    use zkprove_groth16::Groth16Error as G;
    for cause in err.chain() {
        if let Some(g) = cause.downcast_ref::<G>() {
            return match g {
                G::InvalidProof => exit::INVALID_PROOF,
                G::Format(_)
                | G::WitnessLength { .. }
                | G::PublicInputCount { .. }
                | G::InvalidPoint { .. }
                | G::VerificationKeyAtInfinity { .. }
                | G::UncontributedVerificationKey { .. }
                | G::DomainTooLarge { .. }
                | G::InvalidCircuit { .. } => exit::BAD_INPUT,
                G::Ntt(_) | G::Msm(_) | G::Device(_) | G::Range(_) | G::MatrixShape { .. } => {
                    exit::FAILURE
                }
            };
        }
        if cause.downcast_ref::<zkprove_whir::WhirError>().is_some() {
            return exit::BAD_INPUT;
        }
        if let Some(m) = cause.downcast_ref::<zkprove_ml::MlError>() {
            return if m.is_rejection() {
                exit::INVALID_PROOF
            } else if matches!(
                m,
                zkprove_ml::MlError::Internal { .. } | zkprove_ml::MlError::Device(_)
            ) {
                exit::FAILURE
            } else {
                exit::BAD_INPUT
            };
        }
        if let Some(p) = cause.downcast_ref::<zkprove_vm::prove::ProveError>() {
            use zkprove_vm::prove::ProveError as P;
            return match p {
                P::Air(_) | P::ProofShape { .. } => exit::FAILURE,
                _ => exit::BAD_INPUT,
            };
        }
        if cause.downcast_ref::<zkprove_air::CodecError>().is_some() {
            return exit::BAD_INPUT;
        }
        if cause.downcast_ref::<zkprove_vm::LoadError>().is_some()
            || cause.downcast_ref::<zkprove_vm::ExecError>().is_some()
        {
            return exit::BAD_INPUT;
        }
        if cause.downcast_ref::<zkprove_circom::CircomError>().is_some()
            || cause.downcast_ref::<std::io::Error>().is_some()
        {
            return exit::BAD_INPUT;
        }
    }
    exit::FAILURE
}

/// Logs go to stderr so that stdout stays machine-readable (`--json`), coloured only on a terminal.
/// With `ZKPROVE_GPU_PROFILE=1` the device MSM phase times (target `zkprove_gpu::profile`) are
/// shown too.
fn init_tracing(verbose: u8, gpu_profile: bool) {
    let level = match verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    };
    let default =
        if gpu_profile { format!("{level},zkprove_gpu::profile=info") } else { level.into() };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
