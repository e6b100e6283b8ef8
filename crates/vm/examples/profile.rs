//! Where trace generation spends its time, on one thread: `cargo run --release -p zkprove-vm
//! --example profile -- prog.elf [shard_log]` prints the time of each phase for one program
//! (buffers reused as `zkprove_vm::shard::generate_trace_reusing` does; every phase run twice,
//! the second, warm run reported).

use std::time::Instant;

use zkprove_vm::logup::{Challenges, FixedTables, LogUpColumns};
use zkprove_vm::trace::{ShardTables, TableScratch, build_tables_into};
use zkprove_vm::{Program, TraceBuffer, run, run_traced_into};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: profile prog.elf [shard_log]")?;
    let k = 1usize << args.get(2).map_or(Ok(18), |s| s.parse())?;
    let program = Program::from_elf(&std::fs::read(path)?)?;
    rayon::ThreadPoolBuilder::new().num_threads(1).build_global()?;
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let out = run(&program, &[])?;
    let cycles = out.exit.cycles as f64;
    let report =
        |what: &str, ms: f64| println!("{what:<28} {ms:9.1} ms  {:8.1} MHz", cycles / ms / 1e3);
    let t = Instant::now();
    run(&program, &[])?;
    report("execute (fast)", ms(t));
    let mut trace = TraceBuffer::default();
    run_traced_into(&program, &[], &mut trace)?;
    let t = Instant::now();
    run_traced_into(&program, &[], &mut trace)?;
    report("execute + capture", ms(t));
    let t = Instant::now();
    let fixed = FixedTables::new(&program, &Challenges::from_seed(1));
    println!("{:<28} {:9.1} ms", "fixed tables (once)", ms(t));
    let mut tables = ShardTables::default();
    let mut scratch = TableScratch::default();
    let mut columns = LogUpColumns::default();
    for pass in 0..2 {
        let (mut tables_ms, mut logup_ms) = (0.0, 0.0);
        let mut regs = zkprove_vm::Machine::new(&program, &[]).regs;
        let mut io_pos = 0;
        for (i, steps) in trace.steps.chunks(k).enumerate() {
            let start = (i * k) as u64;
            let end = start + steps.len() as u64;
            let io_end = io_pos + trace.io[io_pos..].iter().take_while(|a| a.clk < end).count();
            let t = Instant::now();
            build_tables_into(
                &mut tables,
                &mut scratch,
                &program,
                start,
                regs,
                steps,
                &trace.io[io_pos..io_end],
            );
            tables_ms += ms(t);
            io_pos = io_end;
            regs = tables.final_regs;
            let t = Instant::now();
            columns.compute_into(&tables, &fixed);
            logup_ms += ms(t);
            std::hint::black_box(&columns);
        }
        if pass == 1 {
            report("tables", tables_ms);
            report("LogUp columns", logup_ms);
        }
    }
    Ok(())
}
