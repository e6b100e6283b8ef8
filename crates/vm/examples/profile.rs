//! Where trace generation spends its time, on one thread: `cargo run --release -p zkprove-vm
//! --example profile -- prog.elf [shard_log]` prints the time of each phase for one program.

use std::time::Instant;

use zkprove_vm::logup::{Challenges, FixedTables, LogUpColumns};
use zkprove_vm::trace::build_tables;
use zkprove_vm::{Program, run, run_traced};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: profile prog.elf [shard_log]")?;
    let k = 1usize << args.get(2).map_or(Ok(18), |s| s.parse())?;
    let program = Program::from_elf(&std::fs::read(path)?)?;
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let out = run(&program, &[])?;
    let cycles = out.exit.cycles as f64;
    let report =
        |what: &str, ms: f64| println!("{what:<28} {ms:9.1} ms  {:8.1} MHz", cycles / ms / 1e3);
    report("execute (fast)", ms(t));
    let t = Instant::now();
    let trace = run_traced(&program, &[])?;
    report("execute + capture", ms(t));
    let fixed = FixedTables::new(&program, &Challenges::from_seed(1));
    let (mut tables_ms, mut logup_ms) = (0.0, 0.0);
    let mut regs = zkprove_vm::Machine::new(&program, &[]).regs;
    let mut io_pos = 0;
    for (i, steps) in trace.steps.chunks(k).enumerate() {
        let start = (i * k) as u64;
        let end = start + steps.len() as u64;
        let io_end = io_pos + trace.io[io_pos..].iter().take_while(|a| a.clk < end).count();
        let t = Instant::now();
        let tables = build_tables(&program, start, regs, steps, &trace.io[io_pos..io_end]);
        tables_ms += ms(t);
        io_pos = io_end;
        regs = tables.final_regs;
        let t = Instant::now();
        let l = LogUpColumns::compute(&tables, &fixed);
        logup_ms += ms(t);
        std::hint::black_box(l);
    }
    report("tables", tables_ms);
    {
        use zkprove_field::Field;
        use zkprove_vm::logup::batch_inverse_in_place;
        use zkprove_vm::logup::{E, F, Folder};
        let n = 1 << 20;
        let f = Folder::new(&Challenges::from_seed(2));
        let t = Instant::now();
        let mut v: Vec<E> = (0..n as u32).map(|i| f.denominator(3, &[1, i, i ^ 5, 7, i])).collect();
        println!("2^20 denominators (5 fields)  {:9.1} ms", ms(t));
        let t = Instant::now();
        batch_inverse_in_place(&mut v);
        println!("2^20 batch inverse            {:9.1} ms", ms(t));
        let t = Instant::now();
        let mut acc = E::ONE;
        for x in &v {
            acc *= *x;
        }
        println!("2^20 ext muls                 {:9.1} ms {:?}", ms(t), acc.is_zero());
        let t = Instant::now();
        let s: F = (0..n as u64).map(F::from_u64).sum();
        println!("2^20 from_u64                 {:9.1} ms {:?}", ms(t), s.is_zero());
    }
    report("LogUp columns", logup_ms);
    Ok(())
}
