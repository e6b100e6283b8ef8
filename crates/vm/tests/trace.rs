//! Trace generation: the tables of real runs, their memory-consistency data, LogUp columns by
//! batch inversion (checked against one-by-one inversion), balanced sums for real runs and
//! unbalanced ones for tampered traces, and parallel shards equal to the sequential trace.

use std::collections::HashMap;
use std::path::PathBuf;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::cpu::{CpuLevel, set_max_cpu_level};
use zkprove_field::{ExtensionField, Field, batch_inverse_in_place};
use zkprove_poly::CpuBackend;
use zkprove_vm::logup::{Challenges, E, F, FixedTables, LogUpColumns, alu_rows_valid};
use zkprove_vm::shard::{
    TraceBuffers, generate_trace, generate_trace_reusing_on, generate_trace_sequential,
    run_with_checkpoints,
};
use zkprove_vm::trace::{
    ShardTables, TableScratch, build_tables_into, build_tables_reference, space,
};
use zkprove_vm::{Program, VmError, run, run_traced};

fn load(name: &str) -> Program {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("programs").join(name);
    Program::from_elf(&std::fs::read(path).expect("committed program")).expect("loads")
}

fn random_ext(rng: &mut StdRng) -> E {
    let c: Vec<F> = (0..4).map(|_| F::from_u64(rng.random())).collect();
    E::from_base_slice(&c).expect("4 coefficients")
}

fn challenges(rng: &mut StdRng) -> Challenges {
    Challenges { alpha: random_ext(rng), beta: random_ext(rng) }
}

/// Small inputs so the whole trace of each program stays around 10^5 cycles.
fn cases() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("sha256.elf", Vec::new()),
        ("sort.elf", 600u32.to_le_bytes().to_vec()),
        ("sieve.elf", 20_000u32.to_le_bytes().to_vec()),
        ("fib.elf", vec![16]),
    ]
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool")
}

#[test]
fn batch_inversion_matches_one_by_one() {
    let mut rng = StdRng::seed_from_u64(1);
    for n in [0usize, 1, 2, 3, 5, 4095, 4096, 10_001] {
        let mut v: Vec<E> = (0..n).map(|_| random_ext(&mut rng)).collect();
        if n > 3 {
            v[2] = E::ZERO;
            v[n - 1] = E::ZERO;
        }
        let expected: Vec<E> = v.iter().map(|x| x.inverse().unwrap_or(E::ZERO)).collect();
        pool(3).install(|| batch_inverse_in_place(&mut v));
        assert_eq!(v, expected, "n = {n}");
    }
    // The base field too.
    let mut v: Vec<F> = (0..9000u64).map(|i| F::from_u64(i * 7919)).collect();
    let expected: Vec<F> = v.iter().map(|x| x.inverse().unwrap_or(F::ZERO)).collect();
    pool(2).install(|| batch_inverse_in_place(&mut v));
    assert_eq!(v, expected);
}

/// Checks a whole run's memory-consistency data: every shard's init values are the memory image
/// (or the previous shards' final values), reads keep the value, timestamps increase.
fn check_memory_chain(program: &Program, shards: &[ShardTables]) {
    let image = program.initial_memory();
    let mut regs: HashMap<u32, u32> = HashMap::new();
    regs.insert(2, program.config.stack_top());
    let mut mem: HashMap<u32, u32> = HashMap::new();
    for (j, t) in shards.iter().enumerate() {
        for b in &t.mem_init {
            let expected = if b.space == space::REG {
                regs.get(&b.addr).copied().unwrap_or(0)
            } else {
                mem.get(&b.addr).copied().unwrap_or(image[(b.addr / 4) as usize])
            };
            assert_eq!(b.val, expected, "shard {j}: init of {b:?}");
            assert_eq!(b.ts, 0);
        }
        for r in &t.mem {
            assert!(r.ts > r.prev_ts, "shard {j}: {r:?}");
        }
        for b in &t.mem_final {
            if b.space == space::REG {
                regs.insert(b.addr, b.val);
            } else {
                mem.insert(b.addr, b.val);
            }
        }
        assert!(alu_rows_valid(&t.alu), "shard {j}: an ALU row is wrong");
    }
}

#[test]
fn real_runs_balance_and_parallel_shards_equal_sequential() {
    let mut rng = StdRng::seed_from_u64(2);
    let ch = challenges(&mut rng);
    for (name, input) in cases() {
        let p = load(name);
        let expected = run(&p, &input).expect("runs");
        let k = 1 << 13;
        let par = pool(3).install(|| generate_trace(&p, &input, k, &ch)).expect("trace");
        assert_eq!(par.run, expected, "{name}");
        let n_shards = expected.exit.cycles.div_ceil(k) as usize;
        assert_eq!(par.shards.len(), n_shards, "{name}");
        assert!(n_shards >= 3, "{name}: only {n_shards} shards");
        let seq = pool(1).install(|| generate_trace_sequential(&p, &input, k, &ch)).expect("trace");
        assert!(seq == par, "{name}: parallel shards differ from the sequential trace");
        let rows: usize = par.shards.iter().map(|s| s.cpu.len()).sum();
        assert_eq!(rows as u64, expected.exit.cycles);
        for (j, l) in par.logup.iter().enumerate() {
            assert_eq!(l.balance(), E::ZERO, "{name}: shard {j} does not balance");
        }
        check_memory_chain(&p, &par.shards);
        // One big shard gives the same run and balances too.
        let one = generate_trace(&p, &input, 1 << 22, &ch).expect("trace");
        assert_eq!(one.shards.len(), 1);
        assert_eq!(one.logup[0].balance(), E::ZERO);
    }
}

/// The table builder against the plain one ([`build_tables_reference`]) on real runs, in shards
/// of several sizes (one of a single cycle), with its buffers reused across shards and
/// programs as trace generation does.
#[test]
fn tables_equal_the_reference_builder() {
    let mut out = ShardTables::default();
    let mut scratch = TableScratch::default();
    for (name, input) in cases() {
        let p = load(name);
        let trace = run_traced(&p, &input).expect("runs");
        for k in [1usize, 37, 4099, 1 << 13] {
            let mut regs = zkprove_vm::Machine::new(&p, &input).regs;
            let mut io_pos = 0;
            // The first 40 shards (all of them for the larger sizes but sha256's).
            for (i, steps) in trace.steps.chunks(k).enumerate().take(40) {
                let start = (i * k) as u64;
                let end = start + steps.len() as u64;
                let io_end = io_pos + trace.io[io_pos..].iter().take_while(|a| a.clk < end).count();
                let io = &trace.io[io_pos..io_end];
                build_tables_into(&mut out, &mut scratch, &p, start, regs, steps, io);
                let expected = build_tables_reference(&p, start, regs, steps, io);
                assert!(out == expected, "{name}: shard {i} of {k} cycles differs");
                regs = out.final_regs;
                io_pos = io_end;
            }
        }
    }
}

#[test]
fn checkpoints_hold_the_state() {
    let p = load("sort.elf");
    let input = 300u32.to_le_bytes();
    let (out, cps) = run_with_checkpoints(&p, &input, 5000).expect("runs");
    assert_eq!(out, run(&p, &input).expect("runs"));
    assert_eq!(cps[0].clk, 0);
    assert_eq!(cps[0].pc, p.entry);
    assert!(cps.windows(2).all(|w| w[1].clk == w[0].clk + 5000));
    assert!(cps.iter().skip(1).any(|c| !c.mem_delta.is_empty()));
    assert!(cps.iter().all(|c| c.mem_delta.windows(2).all(|w| w[0].0 < w[1].0)));
    assert!(matches!(
        generate_trace(&p, &input, 0, &Challenges::from_seed(1)),
        Err(VmError::ShardSize { .. })
    ));
}

#[test]
fn tampered_traces_do_not_balance() {
    let mut rng = StdRng::seed_from_u64(3);
    let ch = challenges(&mut rng);
    let p = load("fib.elf");
    let input = [12u8];
    let trace = generate_trace(&p, &input, 1 << 12, &ch).expect("trace");
    let fixed = FixedTables::new(&p, &ch);
    let t0 = &trace.shards[0];
    assert_eq!(LogUpColumns::compute(t0, &fixed).balance(), E::ZERO);
    type Tamper = Box<dyn Fn(&mut ShardTables)>;
    let tampers: Vec<(&str, Tamper)> = vec![
        (
            "memory value",
            Box::new(|t| {
                let i = t.mem.len() / 2;
                t.mem[i].val ^= 1;
            }),
        ),
        ("memory previous timestamp", Box::new(|t| t.mem[7].prev_ts += 1)),
        (
            "register read value",
            Box::new(|t| {
                let i = t
                    .mem
                    .iter()
                    .position(|r| r.space == space::REG && r.val == r.prev_val && r.prev_ts > 0)
                    .expect("a read");
                t.mem[i].val += 1;
                t.mem[i].prev_val += 1;
            }),
        ),
        ("ALU result", Box::new(|t| t.alu[3].res ^= 0x100)),
        ("CPU pc", Box::new(|t| t.cpu[10].pc += 4)),
        ("CPU immediate", Box::new(|t| t.cpu[10].imm ^= 1)),
        (
            "CPU ALU operand",
            Box::new(|t| {
                let i = t.cpu.iter().position(|r| r.res != 0).expect("an ALU row");
                t.cpu[i].a ^= 1 << 20;
            }),
        ),
        ("final value", Box::new(|t| t.mem_final[0].val ^= 1)),
        ("init value", Box::new(|t| t.mem_init[1].val ^= 1)),
        ("range multiplicity", Box::new(|t| t.range_mult[0] += 1)),
        ("program multiplicity", Box::new(|t| t.program_mult[0] += 1)),
    ];
    for (what, tamper) in tampers {
        let mut t = t0.clone();
        tamper(&mut t);
        assert_ne!(t, *t0, "{what}: tamper changed nothing");
        let l = LogUpColumns::compute(&t, &fixed);
        assert_ne!(l.balance(), E::ZERO, "tampered {what} still balances");
    }
    // A tampered ALU row is also caught by the ALU check.
    let mut t = t0.clone();
    t.alu[0].res ^= 1;
    assert!(!alu_rows_valid(&t.alu));
}

/// Random tables (values anywhere in `u32`, most above the field's modulus p: the fast path
/// reduces them as `F::from_u64` does), rows that send nothing included.
fn random_tables(rng: &mut StdRng, program: &Program, rows: usize) -> ShardTables {
    use zkprove_vm::trace::{AluRow, CpuRow, MemBoundary, MemRow};
    let mut t = generate_trace(program, &[10], 1 << 12, &Challenges::from_seed(1))
        .expect("trace")
        .shards
        .swap_remove(0);
    let mut r32 = || rng.random::<u32>();
    t.cpu = (0..rows)
        .map(|_| CpuRow {
            pc: r32(),
            op: (r32() % 48) as u8,
            rd: (r32() % 32) as u8,
            rs1: (r32() % 32) as u8,
            rs2: (r32() % 32) as u8,
            imm: r32(),
            a: r32(),
            b: r32(),
            rd_val: r32(),
            res: r32(),
            mem_addr: r32(),
            mem_val: r32(),
        })
        .collect();
    t.alu =
        (0..rows / 2).map(|_| AluRow { op: r32() as u8, a: r32(), b: r32(), res: r32() }).collect();
    t.mem = (0..rows * 3)
        .map(|_| MemRow {
            space: r32() % 2,
            addr: r32(),
            ts: r32(),
            prev_ts: r32(),
            val: r32(),
            prev_val: r32(),
        })
        .collect();
    t.mem_init = (0..rows / 3)
        .map(|_| MemBoundary { space: r32(), addr: r32(), val: r32(), ts: r32() })
        .collect();
    t.mem_final = t.mem_init.iter().map(|b| MemBoundary { ts: r32(), ..*b }).collect();
    for m in t.program_mult.iter_mut().chain(t.range_mult.iter_mut()) {
        *m = r32() % 1000;
    }
    t
}

#[test]
fn fast_logup_columns_equal_one_by_one_reference() {
    let mut rng = StdRng::seed_from_u64(24);
    let p = load("fib.elf");
    let ch = challenges(&mut rng);
    let fixed = FixedTables::new(&p, &ch);
    // One buffer set reused across shards of different sizes, as trace generation does.
    let mut reused = LogUpColumns::default();
    for rows in [0usize, 1, 5, 17, 1000, 5000, 300] {
        let t = random_tables(&mut rng, &p, rows);
        let want = LogUpColumns::compute_reference(&t, &fixed);
        for threads in [1, 3] {
            pool(threads).install(|| reused.compute_into(&t, &fixed));
            assert_eq!(reused, want, "{rows} random rows, {threads} threads");
        }
        // Through the backend trait (the GPU's path), here the CPU backend's `logup_column`.
        reused.compute_on::<CpuBackend>(&t, &fixed).expect("CPU backend");
        assert_eq!(reused, want, "{rows} random rows, on the backend");
    }
    // Every packing (portable, AVX2, AVX-512 where the CPU has them): the lazy limb fold and the
    // packed inversion on each, against the same reference. (Other tests running meanwhile
    // only see a different packing, never a different result.)
    let t = random_tables(&mut rng, &p, 700);
    let want = LogUpColumns::compute_reference(&t, &fixed);
    for level in [CpuLevel::Portable, CpuLevel::Avx2, CpuLevel::Avx512] {
        set_max_cpu_level(level);
        let fixed_here = FixedTables::new(&p, &ch);
        assert_eq!(fixed_here.program_inv, fixed.program_inv, "{level:?}");
        assert_eq!(fixed_here.range_inv, fixed.range_inv, "{level:?}");
        assert_eq!(LogUpColumns::compute(&t, &fixed_here), want, "{level:?}");
    }
    set_max_cpu_level(CpuLevel::Ifma);
    // A real shard (CPU ALU fractions and memory reads copied from the equal tuples').
    let t = generate_trace(&p, &[14], 1 << 10, &ch).expect("trace").shards.swap_remove(1);
    assert_eq!(LogUpColumns::compute(&t, &fixed), LogUpColumns::compute_reference(&t, &fixed));
    // The same shard tampered where those copies come from: the fast path checks the tuples and
    // makes those fractions itself.
    let mut bad = t.clone();
    bad.mem[3].prev_val ^= 1;
    bad.mem[10].val ^= 1;
    bad.mem_init[0].val ^= 1;
    bad.alu[2].res ^= 1;
    bad.cpu[5].a ^= 1;
    // Program-bus rows off their instruction: another immediate, register, a misaligned pc.
    bad.cpu[6].imm ^= 1 << 20;
    bad.cpu[7].rd ^= 1;
    bad.cpu[8].pc = bad.cpu[8].pc.wrapping_add(2);
    bad.cpu[9].op ^= 1;
    bad.mem_prev[20] = 0;
    assert_eq!(LogUpColumns::compute(&bad, &fixed), LogUpColumns::compute_reference(&bad, &fixed));
}

#[test]
fn zero_denominators_give_zero_fractions() {
    // α chosen so that one memory row's write denominator is zero: the packed block holding it
    // falls back to one-by-one inversion, and that fraction is 0 as in the reference.
    let mut rng = StdRng::seed_from_u64(5);
    let p = load("fib.elf");
    let beta = random_ext(&mut rng);
    let t = generate_trace(&p, &[12], 1 << 12, &Challenges::from_seed(3))
        .expect("trace")
        .shards
        .swap_remove(0);
    for row in [0usize, 7, 100, t.mem.len() - 1] {
        let r = &t.mem[row];
        let tuple = [r.space, r.addr, r.val & 0xffff, r.val >> 16, r.ts];
        let probe = zkprove_vm::logup::Folder::new(&Challenges { alpha: E::ZERO, beta });
        let alpha = -probe.denominator(3, &tuple);
        let fixed = FixedTables::new(&p, &Challenges { alpha, beta });
        let fast = LogUpColumns::compute(&t, &fixed);
        assert_eq!(fast.mem_write[row], E::ZERO);
        assert_eq!(fast, LogUpColumns::compute_reference(&t, &fixed), "row {row}");
        // The backend refuses the zero denominator; that table is then made on the CPU.
        let mut on = LogUpColumns::default();
        on.compute_on::<CpuBackend>(&t, &fixed).expect("CPU backend");
        assert_eq!(on, fast, "row {row}, on the backend");
    }
}

#[test]
fn shards_on_a_backend_equal_the_cpu_path() {
    let p = load("fib.elf");
    let ch = Challenges::from_seed(9);
    let want = generate_trace(&p, &[14], 1 << 10, &ch).expect("trace");
    let got = std::sync::Mutex::new(Vec::new());
    let run = generate_trace_reusing_on::<CpuBackend, _>(
        &mut TraceBuffers::default(),
        &p,
        &[14],
        1 << 10,
        &ch,
        |i, _, l| got.lock().expect("lock").push((i, l.clone())),
    )
    .expect("trace on the backend");
    assert_eq!(run, want.run);
    let mut got = got.into_inner().expect("lock");
    got.sort_by_key(|(i, _)| *i);
    let columns: Vec<LogUpColumns> = got.into_iter().map(|(_, l)| l).collect();
    assert_eq!(columns, want.logup);
}
