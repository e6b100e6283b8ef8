//! `zkprove bench groth16 <zkey> <wtns>`: the time of a whole proof with the key already loaded
//! (what a long-running prover or the service pays per proof), plus the load time and the peak
//! memory, so it can be compared with `snarkjs groth16 prove` and rapidsnark on the same files.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;
use zkprove_circom::Witness;
use zkprove_groth16::{Groth16Prover, verify};

use super::groth16::{Device, check_device};

/// Arguments of `zkprove bench groth16`.
#[derive(Debug, Args)]
pub struct BenchGroth16Args {
    /// The proving key (`.zkey`).
    zkey: PathBuf,
    /// The witness (`.wtns`).
    witness: PathBuf,
    /// Timed proofs after one warm-up proof.
    #[arg(long, default_value_t = 5)]
    reps: u32,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Where to prove.
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
    /// One JSON line on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Groth16Report {
    kernel: &'static str,
    device: &'static str,
    /// Median time of one proof (key loaded, witness in memory), milliseconds.
    median_ms: f64,
    reps: u32,
    threads: usize,
    /// Loading and preparing the zkey, milliseconds (once per key).
    load_ms: f64,
    n_vars: u32,
    n_public: u32,
    log_n: u32,
    zkey_bytes: u64,
    /// Peak resident memory of the process (`VmHWM`), bytes; 0 where unknown.
    peak_rss_bytes: u64,
}

/// The process's peak resident set size from `/proc/self/status` (Linux), if available.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs `zkprove bench groth16`.
pub fn run(args: BenchGroth16Args) -> Result<()> {
    check_device(args.device)?;
    super::bench::thread_pool(args.threads)?.install(|| bench(&args))
}

fn bench(args: &BenchGroth16Args) -> Result<()> {
    let zkey_bytes = std::fs::metadata(&args.zkey)
        .with_context(|| format!("reading {}", args.zkey.display()))?
        .len();
    let start = Instant::now();
    let prover: Groth16Prover = Groth16Prover::load(&args.zkey)?;
    let load_ms = start.elapsed().as_secs_f64() * 1e3;
    let witness = Witness::open(&args.witness)?;
    witness.check_against(prover.header())?;
    let public = prover.public_signals(&witness.values)?;

    // Warm-up proof, checked: a benchmark of a prover that makes wrong proofs is meaningless.
    let proof = prover.prove(&witness.values)?;
    verify(prover.verification_key(), public, &proof).context("the warm-up proof is invalid")?;
    let mut times = Vec::with_capacity(args.reps as usize);
    for _ in 0..args.reps.max(1) {
        let start = Instant::now();
        let proof = prover.prove(&witness.values)?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(proof);
    }
    times.sort_by(f64::total_cmp);
    let h = prover.header();
    let report = Groth16Report {
        kernel: "groth16",
        device: "cpu",
        median_ms: times[times.len() / 2],
        reps: times.len() as u32,
        threads: rayon::current_num_threads(),
        load_ms,
        n_vars: h.n_vars,
        n_public: h.n_public,
        log_n: h.log_domain_size(),
        zkey_bytes,
        peak_rss_bytes: peak_rss_bytes().unwrap_or(0),
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "groth16 ({} signals, domain 2^{}) on cpu ({} threads): median {:.2} ms over {} proofs; \
             key load {:.0} ms; peak memory {:.1} MB (zkey {:.1} MB)",
            report.n_vars,
            report.log_n,
            report.threads,
            report.median_ms,
            report.reps,
            report.load_ms,
            report.peak_rss_bytes as f64 / 1e6,
            report.zkey_bytes as f64 / 1e6
        );
    }
    Ok(())
}
