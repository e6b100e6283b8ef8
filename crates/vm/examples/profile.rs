//! Where trace generation spends its time, on one thread: `cargo run --release -p zkprove-vm
//! --example profile -- prog.elf [shard_log]` prints the time of each phase for one program
//! (buffers reused as `zkprove_vm::shard::generate_trace_reusing` does; the tables and LogUp
//! phases run over the whole trace `PASSES` times, the fastest pass reported, which filters out
//! the time other processes take the core on a shared machine; the LogUp phase is timed as the
//! difference of a pass with and one without it). Next to the wall time it prints
//! the CPU time the process's threads got (Linux: `/proc/self/task/*/schedstat`), which on a
//! loaded machine is the better measure of the code itself.

use std::time::Instant;

use zkprove_vm::logup::{Challenges, FixedTables, LogUpColumns};
use zkprove_vm::shard::{TraceBuffers, generate_trace_reusing};
use zkprove_vm::trace::{ShardTables, TableScratch, build_tables_into};
use zkprove_vm::{Program, TraceBuffer, run, run_traced_into};

/// CPU time of all the process's threads so far, in ms (0 where `/proc` is not readable).
fn cpu_ms() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0.0 };
    let ns: u64 = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    ns as f64 / 1e6
}

/// Wall and CPU time since it was made, in ms.
struct Clock(Instant, f64);

impl Clock {
    fn start() -> Self {
        Self(Instant::now(), cpu_ms())
    }
    fn ms(&self) -> (f64, f64) {
        (self.0.elapsed().as_secs_f64() * 1e3, cpu_ms() - self.1)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: profile prog.elf [shard_log]")?;
    let k = 1usize << args.get(2).map_or(Ok(18), |s| s.parse())?;
    let program = Program::from_elf(&std::fs::read(path)?)?;
    rayon::ThreadPoolBuilder::new().num_threads(1).build_global()?;
    let out = run(&program, &[])?;
    let cycles = out.exit.cycles as f64;
    let report = |what: &str, (wall, cpu): (f64, f64)| {
        println!(
            "{what:<28} {wall:9.1} ms  {:8.1} MHz   cpu {cpu:9.1} ms  {:8.1} MHz",
            cycles / wall / 1e3,
            cycles / cpu / 1e3
        );
    };
    let t = Clock::start();
    run(&program, &[])?;
    report("execute (fast)", t.ms());
    let mut trace = TraceBuffer::default();
    run_traced_into(&program, &[], &mut trace)?;
    let t = Clock::start();
    run_traced_into(&program, &[], &mut trace)?;
    let capture = t.ms();
    report("execute + capture", capture);
    let capture_cpu = capture.1;
    let t = Clock::start();
    let fixed = FixedTables::new(&program, &Challenges::from_seed(1));
    println!("{:<28} {:9.1} ms", "fixed tables (once)", t.ms().0);
    let mut tables = ShardTables::default();
    let mut scratch = TableScratch::default();
    let mut columns = LogUpColumns::default();
    const PASSES: usize = 5;
    // Each pass goes over the whole trace twice, timing whole passes (the CPU time of a
    // thread is only brought up to date at scheduler ticks, so intervals of a few ms, such as
    // one shard's tables, read too short or too long): tables alone, then tables and LogUp
    // columns; the LogUp figure is the difference.
    let mut best_tables = (f64::MAX, f64::MAX);
    let mut best_both = (f64::MAX, f64::MAX);
    let mut best_logup = (f64::MAX, f64::MAX);
    let min = |a: (f64, f64), b: (f64, f64)| (a.0.min(b.0), a.1.min(b.1));
    let (mut alu_rows, mut mem_rows, mut boundary_rows) = (0, 0, 0);
    for _ in 0..PASSES {
        let mut times = [(0.0, 0.0); 2];
        for (with_logup, time) in [false, true].into_iter().zip(&mut times) {
            let mut regs = zkprove_vm::Machine::new(&program, &[]).regs;
            let mut io_pos = 0;
            let t = Clock::start();
            for (i, steps) in trace.steps.chunks(k).enumerate() {
                let start = (i * k) as u64;
                let end = start + steps.len() as u64;
                let io_end = io_pos + trace.io[io_pos..].iter().take_while(|a| a.clk < end).count();
                build_tables_into(
                    &mut tables,
                    &mut scratch,
                    &program,
                    start,
                    regs,
                    steps,
                    &trace.io[io_pos..io_end],
                );
                if with_logup {
                    alu_rows += tables.alu.len();
                    mem_rows += tables.mem.len();
                    boundary_rows += tables.mem_init.len();
                    columns.compute_into(&tables, &fixed);
                    std::hint::black_box(&columns);
                }
                std::hint::black_box(&tables);
                io_pos = io_end;
                regs = tables.final_regs;
            }
            *time = t.ms();
        }
        best_tables = min(best_tables, times[0]);
        best_both = min(best_both, times[1]);
        best_logup = min(best_logup, (times[1].0 - times[0].0, times[1].1 - times[0].1));
    }
    let per = |n: usize| n as f64 / PASSES as f64 / cycles;
    println!(
        "rows per cycle: ALU {:.2}, memory {:.2}, init/final {:.4}",
        per(alu_rows),
        per(mem_rows),
        per(boundary_rows)
    );
    report("tables", best_tables);
    report("LogUp columns (difference)", best_logup);
    report("tables + LogUp", best_both);
    println!(
        "CPU ns per cycle: capture + tables + LogUp = {:.1} + {:.1} = {:.1}",
        capture_cpu / cycles * 1e6,
        best_both.1 / cycles * 1e6,
        (capture_cpu + best_both.1) / cycles * 1e6
    );
    // The whole of `generate_trace_reusing` (what `zkprove bench vm` times) on 1 and 2 threads:
    // wall time, the CPU time of all threads, and how much of the threads' time was work.
    let challenges = Challenges::from_seed(1);
    // Both pools made first and kept: a thread that exits takes its CPU time out of the sum.
    let pools = [1, 2]
        .iter()
        .map(|&threads| rayon::ThreadPoolBuilder::new().num_threads(threads).build())
        .collect::<Result<Vec<_>, _>>()?;
    for (threads, pool) in [1, 2].into_iter().zip(&pools) {
        let mut buffers = TraceBuffers::default();
        let mut best = (f64::MAX, f64::MAX);
        for _ in 0..PASSES + 1 {
            let t = Clock::start();
            pool.install(|| {
                generate_trace_reusing(
                    &mut buffers,
                    &program,
                    &[],
                    k as u64,
                    &challenges,
                    |_, _, l| {
                        std::hint::black_box(l);
                    },
                )
            })?;
            best = min(best, t.ms());
        }
        report(&format!("full trace, {threads} thread(s)"), best);
        println!(
            "{:<28} CPU ns per cycle {:.1}, CPU / (threads x wall) = {:.2}",
            "",
            best.1 / cycles * 1e6,
            best.1 / (threads as f64 * best.0)
        );
    }
    Ok(())
}
