//! `zkprove bench vm prog.elf [--input in.bin]`: the zkVM front end on one program. `median_ms`
//! is full trace generation: one execution with trace capture, `2^--shard-log` cycles at a time
//! (default 2^16, the proof's segment size), handed between the worker threads, each shard
//! turned into its tables and LogUp columns (inverses included) by the thread that captured it,
//! each thread's buffers reused for its next shard (and across repetitions, as a prover
//! generating many traces would: `zkprove_vm::shard::TraceBuffers`). One JSON line with `--json`:
//! `{"kernel":"vm","field":"babybear-ext4","log_n":…,"device":"cpu","median_ms":…,"reps":…,
//! "threads":…,"program":…,"cycles":…,"exit_code":…,"mhz":…,"exec_mhz":…,"fast_mhz":…,
//! "shard_cycles":…,"shards":…,"prove_ms":null,"prove_segments":null,"prove_cycles_per_s":null}`
//! with `log_n` = log2 of the cycle count (rounded up), `mhz` = cycles per second of full trace
//! generation, `exec_mhz` = execution with trace capture on one thread (into trace buffers
//! reused across repetitions), `fast_mhz` = execution without trace, and `prove_ms` the time of
//! a whole proof (execution, the proof's traces and proofs): for a run that fits one proof
//! (≤ 2^16 cycles, and ≤ one segment if `--segment-log` is given) the median of
//! `zkprove_vm::prove::prove` over the repetitions after a warm-up, for a longer one
//! `zkprove_vm::continuation::prove_segments` in segments of `2^--segment-log` cycles (default
//! 2^16; `prove_segments` of them), timed `--prove-reps` times (default
//! once, no warm-up: such a proof takes minutes). `prove_cycles_per_s` = cycles / `prove_ms`.
//! The three are null for a program that executes an instruction the proof does not cover yet,
//! or that runs longer than `--max-prove-cycles` (default 2^20; 0 skips the proof); the reason
//! goes to stderr. With `--device cuda|opencl` the
//! proof runs on that backend and each shard's LogUp inversions too
//! (`zkprove_vm::shard::generate_trace_reusing_on`); `device` names it.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::Args;
use serde::Serialize;
use zkprove_air::AirOps;
use zkprove_field::Field;
use zkprove_field::babybear::BabyBear;
use zkprove_gpu::{CudaBackend, OpenClBackend};
use zkprove_poly::CpuBackend;
use zkprove_vm::logup::{Challenges, E, LogUpColumns};
use zkprove_vm::shard::{TraceBuffers, generate_trace_reusing, generate_trace_reusing_on};
use zkprove_vm::trace::ShardTables;

use super::report::{Report, median, thread_pool, time_reps};
use crate::commands::vm::{load_input, load_program};
use crate::device::{Device, resolve_device};

/// Arguments of `zkprove bench vm`.
#[derive(Debug, Args)]
pub struct BenchVmArgs {
    /// The program: an ELF32 RV32IM little-endian static executable.
    elf: PathBuf,
    /// The private input (fd 0).
    #[arg(long)]
    input: Option<PathBuf>,
    /// log2 of the shard size in cycles, at most 22 (default: the proof's segment size, 2^16).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(10..=22))]
    shard_log: u32,
    /// Where to run: `cpu`, or a GPU backend (`cuda`, `opencl`; `auto` is CUDA when usable) for
    /// the proof (`prove_ms`) and the trace's LogUp inversions; execution and the tables stay on
    /// the CPU threads.
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
    /// Timed repetitions after one warm-up (the median is reported).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    reps: u32,
    /// The longest run to prove for `prove_ms` (0: no proof). Longer runs report `prove_ms`
    /// null.
    #[arg(long, default_value_t = 1 << 20)]
    max_prove_cycles: u64,
    /// log2 of the segment size in cycles (2..=20): runs longer than one segment are proved in
    /// segments. Default: one proof up to 2^16 cycles, segments of 2^16 above.
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=20))]
    segment_log: Option<u32>,
    /// Timed proofs of a run proved in segments (no warm-up; the median is reported).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    prove_reps: u32,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON line instead of text.
    #[arg(long)]
    json: bool,
}

/// The extra fields of `bench vm`.
#[derive(Debug, Serialize)]
struct VmFields {
    program: String,
    cycles: u64,
    exit_code: u8,
    mhz: f64,
    exec_mhz: f64,
    fast_mhz: f64,
    shard_cycles: u64,
    shards: usize,
    prove_ms: Option<f64>,
    prove_segments: Option<usize>,
    prove_cycles_per_s: Option<f64>,
}

/// Runs `zkprove bench vm`.
pub fn run(args: BenchVmArgs) -> Result<()> {
    let report = match resolve_device(args.device)? {
        Device::Cuda => bench_on::<CudaBackend>(&args, true)?,
        Device::Opencl => bench_on::<OpenClBackend>(&args, true)?,
        Device::Cpu | Device::Auto => bench_on::<CpuBackend>(&args, false)?,
    };
    print(&args, &report)
}

/// The benchmark with the proof on backend `B`, and the trace's LogUp inversions too when
/// `device_logup` (`zkprove_vm::shard::generate_trace_reusing_on`; the CPU keeps its SIMD path).
fn bench_on<B: AirOps<BabyBear, E>>(
    args: &BenchVmArgs,
    device_logup: bool,
) -> Result<Report<VmFields>> {
    let pool = thread_pool(args.threads)?;
    let program = load_program(&args.elf)?;
    let input = load_input(args.input.as_deref())?;
    let k = 1u64 << args.shard_log;
    let challenges = Challenges::from_seed(24);
    let time_one = |f: &mut dyn FnMut() -> Result<u64>| -> Result<f64> {
        f()?;
        let mut ms = Vec::new();
        for _ in 0..args.reps {
            let start = Instant::now();
            f()?;
            ms.push(start.elapsed().as_secs_f64() * 1e3);
        }
        Ok(median(ms))
    };
    // Execution alone, on this thread: without and with trace capture.
    let fast_ms = time_one(&mut || Ok(zkprove_vm::run(&program, &input)?.exit.cycles))?;
    let mut trace_buf = zkprove_vm::TraceBuffer::default();
    let exec_ms = time_one(&mut || {
        zkprove_vm::run_traced_into(&program, &input, &mut trace_buf)?;
        Ok(trace_buf.steps.len() as u64)
    })?;
    let elf = std::fs::read(&args.elf)?;
    pool.install(|| -> Result<Report<VmFields>> {
        let cycles = zkprove_vm::run(&program, &input)?.exit.cycles;
        let proved = prove_timed::<B>(args, &elf, &input, cycles)?;
        // The warm-up run checks that every shard's LogUp sums balance.
        let shards = std::sync::atomic::AtomicUsize::new(0);
        let unbalanced = std::sync::atomic::AtomicUsize::new(0);
        let mut buffers = TraceBuffers::default();
        let samples = time_reps(args.reps, || {
            let first = shards.load(std::sync::atomic::Ordering::Relaxed) == 0;
            let consume = |_: usize, _: &ShardTables, l: &LogUpColumns| {
                if first {
                    if l.balance() != E::ZERO {
                        unbalanced.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    shards.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            };
            let run = if device_logup {
                generate_trace_reusing_on::<B, _>(
                    &mut buffers,
                    &program,
                    &input,
                    k,
                    &challenges,
                    consume,
                )?
            } else {
                generate_trace_reusing(&mut buffers, &program, &input, k, &challenges, consume)?
            };
            Ok(run)
        })?;
        if unbalanced.into_inner() != 0 {
            bail!("a shard's LogUp sums do not balance (a bug)");
        }
        let run = samples.warm_up.clone();
        let cycles = run.exit.cycles;
        let mhz = |ms: f64| cycles as f64 / (ms * 1e3);
        Ok(Report {
            kernel: "vm",
            field: Some("babybear-ext4"),
            log_n: cycles.next_power_of_two().trailing_zeros(),
            device: B::NAME,
            median_ms: samples.median_ms(),
            reps: args.reps,
            threads: rayon::current_num_threads(),
            extra: VmFields {
                program: args.elf.display().to_string(),
                cycles,
                exit_code: run.exit.status(),
                mhz: mhz(samples.median_ms()),
                exec_mhz: mhz(exec_ms),
                fast_mhz: mhz(fast_ms),
                shard_cycles: k,
                shards: shards.into_inner(),
                prove_ms: proved.map(|p| p.0),
                prove_segments: proved.map(|p| p.1),
                prove_cycles_per_s: proved.map(|p| cycles as f64 / (p.0 * 1e-3)),
            },
        })
    })
}

/// `prove_ms` and the segment count (see the module docs), or `None` with the reason on stderr.
fn prove_timed<B: AirOps<BabyBear, E>>(
    args: &BenchVmArgs,
    elf: &[u8],
    input: &[u8],
    cycles: u64,
) -> Result<Option<(f64, usize)>> {
    use zkprove_vm::continuation::{SegmentConfig, prove_segments_on};
    use zkprove_vm::prove::{MAX_PROVABLE_CYCLES, ProveError};
    if cycles > args.max_prove_cycles {
        eprintln!(
            "prove_ms: not proved: {cycles} cycles is more than --max-prove-cycles {}",
            args.max_prove_cycles
        );
        return Ok(None);
    }
    let not_proved = |e: ProveError| {
        eprintln!("prove_ms: not proved: {e}");
        None
    };
    let log_segment = args.segment_log.unwrap_or(zkprove_vm::continuation::DEFAULT_LOG_SEGMENT);
    if cycles <= MAX_PROVABLE_CYCLES.min(1 << log_segment) {
        if let Err(e) = zkprove_vm::prove::prove_on::<B>(elf, input) {
            return Ok(not_proved(e));
        }
        let mut ms = Vec::new();
        for _ in 0..args.reps {
            let start = Instant::now();
            zkprove_vm::prove::prove_on::<B>(elf, input)?;
            ms.push(start.elapsed().as_secs_f64() * 1e3);
        }
        return Ok(Some((median(ms), 1)));
    }
    let config = SegmentConfig::with_log_cycles(log_segment);
    let mut ms = Vec::new();
    let mut segments = 0;
    for _ in 0..args.prove_reps {
        let start = Instant::now();
        match prove_segments_on::<B>(elf, input, &config) {
            Ok(run) => segments = run.proof.segments.len(),
            Err(e) => return Ok(not_proved(e)),
        }
        ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    Ok(Some((median(ms), segments)))
}

fn print(args: &BenchVmArgs, report: &Report<VmFields>) -> Result<()> {
    report.print(args.json, |r| {
        let m = &r.extra;
        format!(
            "vm {} ({} cycles, exit {}) on {} ({} threads): trace generation median {:.1} ms = {:.1} MHz \
             ({} shards of {} cycles); execution with trace capture {:.1} MHz, without {:.1} MHz (1 thread); \
             over {} reps; {}",
            m.program, m.cycles, m.exit_code, r.device, r.threads, r.median_ms, m.mhz, m.shards, m.shard_cycles,
            m.exec_mhz, m.fast_mhz, r.reps,
            match (m.prove_ms, m.prove_segments, m.prove_cycles_per_s) {
                (Some(ms), Some(n), Some(c)) => format!("proof {ms:.0} ms ({n} segment(s), {c:.0} cycles/s)"),
                _ => "not proved".to_string(),
            }
        )
    })
}
