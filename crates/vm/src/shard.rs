//! Checkpoints and parallel shards: a fast run records the machine state every `K` cycles
//! (registers, pc, input position, and the memory words written since the previous checkpoint
//! with their values); then every shard is re-executed with trace capture from its checkpoint,
//! on all cores, and turned into its tables and LogUp columns.

use rayon::prelude::*;
use zkprove_air::AirOps;

use crate::elf::Program;
use crate::exec::{DirtySink, Machine, TraceSink};
use crate::logup::{Challenges, E, F, FixedTables, LogUpColumns};
use crate::trace::{MAX_SHARD_CYCLES, ShardTables, TableScratch, build_tables, build_tables_into};
use crate::{ExecError, RunOutput, VmError};

/// The machine state at a shard boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Cycles executed before this point.
    pub clk: u64,
    /// The next instruction.
    pub pc: u32,
    /// The registers.
    pub regs: [u32; 32],
    /// Input bytes consumed.
    pub input_pos: usize,
    /// Output bytes written.
    pub output_len: usize,
    /// Words written since the previous checkpoint: `(word index, value now)`, sorted.
    pub mem_delta: Vec<(u32, u32)>,
}

/// Runs `program` fast (no trace), recording a checkpoint every `k` cycles (the first at cycle
/// 0; a checkpoint is only taken while the program has not exited).
///
/// # Errors
/// The run's [`ExecError`].
pub fn run_with_checkpoints(
    program: &Program,
    input: &[u8],
    k: u64,
) -> Result<(RunOutput, Vec<Checkpoint>), ExecError> {
    let k = k.max(1);
    let mut m = Machine::new(program, input);
    let mut sink = DirtySink::new(m.mem.len());
    let mut cps = Vec::new();
    loop {
        cps.push(Checkpoint {
            clk: m.clk,
            pc: m.pc,
            regs: m.regs,
            input_pos: m.input_pos,
            output_len: m.output.len(),
            mem_delta: sink.take(&m.mem),
        });
        if let Some(exit) = m.run_until(&mut sink, m.clk + k)? {
            return Ok((RunOutput { exit, output: m.output }, cps));
        }
    }
}

/// A whole run's trace: the run's result and, per shard, its tables and LogUp columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceOutput {
    /// Exit status, cycles and output.
    pub run: RunOutput,
    /// The tables of each shard, in order.
    pub shards: Vec<ShardTables>,
    /// The LogUp columns of each shard.
    pub logup: Vec<LogUpColumns>,
}

fn check_k(k: u64) -> Result<u64, VmError> {
    if k == 0 || k > MAX_SHARD_CYCLES {
        return Err(VmError::ShardSize { k, max: MAX_SHARD_CYCLES });
    }
    Ok(k)
}

/// Full trace generation in parallel shards of `k` cycles, collected: see
/// [`generate_trace_with`].
///
/// # Errors
/// As [`generate_trace_with`].
pub fn generate_trace(
    program: &Program,
    input: &[u8],
    k: u64,
    challenges: &Challenges,
) -> Result<TraceOutput, VmError> {
    let collected = std::sync::Mutex::new(Vec::new());
    let run = generate_trace_with(program, input, k, challenges, |i, t, l| {
        // A poisoned lock means another shard's consumer panicked; that panic propagates.
        if let Ok(mut v) = collected.lock() {
            v.push((i, t.clone(), l.clone()));
        }
    })?;
    let mut all = collected.into_inner().unwrap_or_default();
    all.sort_by_key(|(i, _, _)| *i);
    let (shards, logup) = all.into_iter().map(|(_, t, l)| (t, l)).unzip();
    Ok(TraceOutput { run, shards, logup })
}

/// The buffers one thread of trace generation fills shard after shard: the captured steps, the
/// tables and their LogUp columns.
#[derive(Debug, Default)]
struct GroupBuffers {
    sink: TraceSink,
    tables: ShardTables,
    scratch: TableScratch,
    columns: LogUpColumns,
}

/// Buffers kept between calls of [`generate_trace_reusing`]: each thread's trace, tables and
/// LogUp columns, so that a caller generating many traces (a prover, a benchmark) pays for fresh
/// memory once, not per call. The memory stays allocated until this is dropped (for shards of
/// `2^18` cycles, on the order of 100 MB per thread).
#[derive(Debug, Default)]
pub struct TraceBuffers {
    groups: Vec<GroupBuffers>,
}

/// Full trace generation in parallel shards of `k` cycles: [`generate_trace_reusing`] with
/// buffers of its own.
///
/// # Errors
/// As [`generate_trace_reusing`].
pub fn generate_trace_with<C>(
    program: &Program,
    input: &[u8],
    k: u64,
    challenges: &Challenges,
    consume: C,
) -> Result<RunOutput, VmError>
where
    C: Fn(usize, &ShardTables, &LogUpColumns) + Sync,
{
    generate_trace_reusing(&mut TraceBuffers::default(), program, input, k, challenges, consume)
}

/// Full trace generation in parallel shards of `k` cycles: a fast run with checkpoints, then the
/// shards re-executed with trace capture on all threads of the current rayon pool (contiguous
/// groups of shards, one group per thread), each turned into tables and LogUp columns and handed
/// to `consume(shard_index, tables, columns)` as soon as it is made, in no particular order
/// across groups. The tables and columns live in `buffers` and are overwritten by the group's
/// next shard: a prover proves them inside `consume`, or clones what it keeps.
///
/// # Errors
/// [`VmError::Exec`] if the program fails, [`VmError::ShardSize`] for a bad `k`,
/// [`VmError::Diverged`] if a re-executed shard does not end where the fast run did (a bug).
pub fn generate_trace_reusing<C>(
    buffers: &mut TraceBuffers,
    program: &Program,
    input: &[u8],
    k: u64,
    challenges: &Challenges,
    consume: C,
) -> Result<RunOutput, VmError>
where
    C: Fn(usize, &ShardTables, &LogUpColumns) + Sync,
{
    let columns = |c: &mut LogUpColumns, t: &ShardTables, f: &FixedTables| {
        c.compute_into(t, f);
        Ok(())
    };
    generate_shards(buffers, program, input, k, challenges, columns, consume)
}

/// [`generate_trace_reusing`] with each shard's LogUp inversions on backend `B`
/// ([`LogUpColumns::compute_on`]: a GPU's batch-inversion kernel through `zkprove-gpu`'s
/// `AirOps`); execution and tables stay on the CPU threads, which share the device. The
/// columns handed to `consume` are the same as on the CPU.
///
/// # Errors
/// As [`generate_trace_reusing`], plus [`VmError::Backend`] for a backend failure.
pub fn generate_trace_reusing_on<B, C>(
    buffers: &mut TraceBuffers,
    program: &Program,
    input: &[u8],
    k: u64,
    challenges: &Challenges,
    consume: C,
) -> Result<RunOutput, VmError>
where
    B: AirOps<F, E>,
    C: Fn(usize, &ShardTables, &LogUpColumns) + Sync,
{
    let columns = |c: &mut LogUpColumns, t: &ShardTables, f: &FixedTables| {
        c.compute_on::<B>(t, f).map_err(VmError::Backend)
    };
    generate_shards(buffers, program, input, k, challenges, columns, consume)
}

/// The shards of [`generate_trace_reusing`], their LogUp columns made by `columns`.
fn generate_shards<L, C>(
    buffers: &mut TraceBuffers,
    program: &Program,
    input: &[u8],
    k: u64,
    challenges: &Challenges,
    columns_of: L,
    consume: C,
) -> Result<RunOutput, VmError>
where
    L: Fn(&mut LogUpColumns, &ShardTables, &FixedTables) -> Result<(), VmError> + Sync,
    C: Fn(usize, &ShardTables, &LogUpColumns) + Sync,
{
    let k = check_k(k)?;
    let (run, cps) = run_with_checkpoints(program, input, k)?;
    let fixed = FixedTables::new(program, challenges);
    let n = cps.len();
    let groups = rayon::current_num_threads().clamp(1, n);
    let per = n.div_ceil(groups);
    if buffers.groups.len() < groups {
        buffers.groups.resize_with(groups, GroupBuffers::default);
    }
    buffers.groups[..groups].par_iter_mut().enumerate().try_for_each(
        |(g, buf)| -> Result<(), VmError> {
            let first = g * per;
            let last = ((g + 1) * per).min(n);
            if first >= last {
                return Ok(());
            }
            let mut m = Machine::new(program, input);
            for cp in &cps[1..=first] {
                for &(w, v) in &cp.mem_delta {
                    m.mem[w as usize] = v;
                }
            }
            let cp = &cps[first];
            m.pc = cp.pc;
            m.clk = cp.clk;
            m.regs = cp.regs;
            m.input_pos = cp.input_pos;
            let GroupBuffers { sink, tables, scratch, columns } = buf;
            sink.steps.reserve(k as usize);
            for i in first..last {
                sink.steps.clear();
                sink.io.clear();
                let start = cps[i].clk;
                let exit = m.run_until(sink, start + k)?;
                let ok = match cps.get(i + 1) {
                    Some(next) => {
                        exit.is_none()
                            && m.pc == next.pc
                            && m.regs == next.regs
                            && m.clk == next.clk
                    }
                    None => exit == Some(run.exit),
                };
                if !ok {
                    return Err(VmError::Diverged { shard: i });
                }
                build_tables_into(
                    tables,
                    scratch,
                    program,
                    start,
                    cps[i].regs,
                    &sink.steps,
                    &sink.io,
                );
                columns_of(columns, tables, &fixed)?;
                consume(i, tables, columns);
            }
            Ok(())
        },
    )?;
    Ok(run)
}

/// The same trace made on one thread from one whole traced run, split every `k` cycles: the
/// reference [`generate_trace`] is checked against.
///
/// # Errors
/// As [`generate_trace`].
pub fn generate_trace_sequential(
    program: &Program,
    input: &[u8],
    k: u64,
    challenges: &Challenges,
) -> Result<TraceOutput, VmError> {
    let k = check_k(k)?;
    let mut m = Machine::new(program, input);
    let mut regs = m.regs;
    let mut sink = TraceSink::default();
    let exit = m.run_until(&mut sink, u64::MAX)?.ok_or(VmError::Diverged { shard: 0 })?;
    let fixed = FixedTables::new(program, challenges);
    let mut shards = Vec::new();
    let mut logup = Vec::new();
    let mut io_pos = 0;
    for (i, steps) in sink.steps.chunks(k as usize).enumerate() {
        let start = i as u64 * k;
        let end = start + steps.len() as u64;
        let io_end = io_pos + sink.io[io_pos..].iter().take_while(|a| a.clk < end).count();
        let tables = build_tables(program, start, regs, steps, &sink.io[io_pos..io_end]);
        io_pos = io_end;
        regs = tables.final_regs;
        logup.push(LogUpColumns::compute(&tables, &fixed));
        shards.push(tables);
    }
    Ok(TraceOutput { run: RunOutput { exit, output: m.output }, shards, logup })
}
