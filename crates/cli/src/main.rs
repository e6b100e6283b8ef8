//! `zkprove`: the command line of the zkprove prover core.
//!
//! This file only declares the command-line shape; each command lives in `commands/<name>.rs` with a
//! `run()` function.

#![forbid(unsafe_code)]

mod commands;

use clap::{Parser, Subcommand};

/// A zero-knowledge prover core: fields, NTT, MSM, Groth16 for circom, on CPU and GPU.
#[derive(Debug, Parser)]
#[command(name = "zkprove", version, about, propagate_version = true)]
struct Cli {
    /// More log output (-v: debug, -vv: trace). `RUST_LOG` overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Measure a kernel and print its median time (`--json`: one JSON line).
    Bench(commands::bench::BenchArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    match cli.command {
        Command::Bench(args) => commands::bench::run(args),
    }
}

/// Logs go to stderr so that stdout stays machine-readable (`--json`).
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
