//! Where trace generation spends its time, on one thread: `cargo run --release -p zkprove-vm
//! --example profile -- prog.elf [shard_log]` prints the time of each phase for one program
//! (buffers reused as `zkprove_vm::shard::generate_trace_reusing` does; the tables and LogUp
//! phases run over the whole trace `PASSES` times, the fastest pass reported, which filters out
//! the time other processes take the core on a shared machine). Next to the wall time it prints
//! the CPU time the process's threads got (Linux: `/proc/self/task/*/schedstat`), which on a
//! loaded machine is the better measure of the code itself.

use std::time::Instant;

use zkprove_vm::logup::{Challenges, FixedTables, LogUpColumns};
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
    report("execute + capture", t.ms());
    let t = Clock::start();
    let fixed = FixedTables::new(&program, &Challenges::from_seed(1));
    println!("{:<28} {:9.1} ms", "fixed tables (once)", t.ms().0);
    let mut tables = ShardTables::default();
    let mut scratch = TableScratch::default();
    let mut columns = LogUpColumns::default();
    const PASSES: usize = 5;
    let mut best_tables = (f64::MAX, f64::MAX);
    let mut best_logup = (f64::MAX, f64::MAX);
    let min = |a: (f64, f64), b: (f64, f64)| (a.0.min(b.0), a.1.min(b.1));
    let (mut alu_rows, mut mem_rows, mut boundary_rows) = (0, 0, 0);
    for _ in 0..PASSES {
        let (mut tables_ms, mut logup_ms) = ((0.0, 0.0), (0.0, 0.0));
        let add = |a: &mut (f64, f64), (w, c): (f64, f64)| {
            a.0 += w;
            a.1 += c;
        };
        let mut regs = zkprove_vm::Machine::new(&program, &[]).regs;
        let mut io_pos = 0;
        for (i, steps) in trace.steps.chunks(k).enumerate() {
            let start = (i * k) as u64;
            let end = start + steps.len() as u64;
            let io_end = io_pos + trace.io[io_pos..].iter().take_while(|a| a.clk < end).count();
            let t = Clock::start();
            build_tables_into(
                &mut tables,
                &mut scratch,
                &program,
                start,
                regs,
                steps,
                &trace.io[io_pos..io_end],
            );
            add(&mut tables_ms, t.ms());
            alu_rows += tables.alu.len();
            mem_rows += tables.mem.len();
            boundary_rows += tables.mem_init.len();
            io_pos = io_end;
            regs = tables.final_regs;
            let t = Clock::start();
            columns.compute_into(&tables, &fixed);
            add(&mut logup_ms, t.ms());
            std::hint::black_box(&columns);
        }
        best_tables = min(best_tables, tables_ms);
        best_logup = min(best_logup, logup_ms);
    }
    let per = |n: usize| n as f64 / PASSES as f64 / cycles;
    println!(
        "rows per cycle: ALU {:.2}, memory {:.2}, init/final {:.4}",
        per(alu_rows),
        per(mem_rows),
        per(boundary_rows)
    );
    report("tables", best_tables);
    report("LogUp columns", best_logup);
    Ok(())
}
