//! Parallel shards: one execution with trace capture, `K` cycles at a time, taken in turns by
//! the worker threads, each turning the shard it captured into its tables and LogUp columns
//! while the next shard executes on another thread ([`generate_trace_reusing`]). Checkpoints
//! ([`run_with_checkpoints`]: the machine state every `K` cycles — registers, pc, input position,
//! and the memory words written since the previous checkpoint with their values) let a shard be
//! re-executed on its own.

use std::sync::Mutex;

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

/// Full trace generation in parallel shards of `k` cycles: one execution with trace capture,
/// `k` cycles at a time, by whichever thread of the current rayon pool is free (the machine
/// passes from thread to thread; see `generate_shards`), each shard turned into tables and
/// LogUp columns by the thread that captured it and handed to `consume(shard_index, tables,
/// columns)` as soon as it is made, in no particular order. The tables and columns live in
/// `buffers` (one set per thread) and are overwritten by that thread's next shard: a prover
/// proves them inside `consume`, or clones what it keeps.
///
/// # Errors
/// [`VmError::Exec`] if the program fails (the shards before the failure may have been
/// consumed already), [`VmError::ShardSize`] for a bad `k`, [`VmError::Diverged`] if the run
/// ends without an exit (an internal error).
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

/// The machine the workers of [`generate_shards`] take turns at: whoever holds it executes the
/// next shard with trace capture into its own buffers.
struct Executor<'p> {
    machine: Machine<'p>,
    /// The index of the next shard.
    next: usize,
    /// Set once the program has exited or failed: no shard is left.
    done: bool,
}

/// The shards of [`generate_trace_reusing`], their LogUp columns made by `columns`.
///
/// One execution, shared: each worker thread (one per thread of the current rayon pool) takes
/// the machine, executes the next `k` cycles with trace capture into its own buffers, hands the
/// machine on and turns its shard into tables and LogUp columns while another thread executes.
/// Execution is serial but the cheapest phase (≈ 9 ns of ≈ 100 ns per cycle), so two threads
/// wait on it rarely; shards go to whichever thread is free (no fixed split of the shards, so
/// no thread idles while the other has several left), and no fast run or re-execution precedes
/// them. The shards are those of [`generate_trace_sequential`]: every `k` cycles of the one run.
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
    let fixed = FixedTables::new(program, challenges);
    let workers = rayon::current_num_threads().max(1);
    if buffers.groups.len() < workers {
        buffers.groups.resize_with(workers, GroupBuffers::default);
    }
    let exec = Mutex::new(Executor { machine: Machine::new(program, input), next: 0, done: false });
    buffers.groups[..workers].par_iter_mut().try_for_each(|buf| -> Result<(), VmError> {
        let GroupBuffers { sink, tables, scratch, columns } = buf;
        sink.steps.reserve(k as usize);
        loop {
            // The machine is only locked here; a poisoned lock means another worker panicked,
            // and that panic propagates.
            let (i, start, regs) = {
                let Ok(mut ex) = exec.lock() else { return Ok(()) };
                if ex.done {
                    return Ok(());
                }
                let (i, start, regs) = (ex.next, ex.machine.clk, ex.machine.regs);
                sink.steps.clear();
                sink.io.clear();
                let ran = ex.machine.run_until(sink, start + k);
                ex.next += 1;
                match ran {
                    Ok(None) => {}
                    Ok(Some(_)) => ex.done = true,
                    Err(e) => {
                        ex.done = true;
                        return Err(e.into());
                    }
                }
                (i, start, regs)
            };
            if sink.steps.is_empty() {
                // Only after the exit (the exit itself is a step): no shard.
                return Ok(());
            }
            build_tables_into(tables, scratch, program, start, regs, &sink.steps, &sink.io);
            if let Err(e) = columns_of(columns, tables, &fixed) {
                // Stop the other workers at their next shard.
                if let Ok(mut ex) = exec.lock() {
                    ex.done = true;
                }
                return Err(e);
            }
            consume(i, tables, columns);
        }
    })?;
    let ex = exec.into_inner().map_err(|_| VmError::Diverged { shard: 0 })?;
    let exit = ex.machine.exit.ok_or(VmError::Diverged { shard: ex.next })?;
    Ok(RunOutput { exit, output: ex.machine.output })
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
