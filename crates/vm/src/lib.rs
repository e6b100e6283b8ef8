//! The zkVM front end: run RISC-V RV32IM programs and generate the traces a prover needs.
//!
//! # Programs
//! ELF32, little-endian, `EM_RISCV`, `ET_EXEC` (static) executables without compressed
//! instructions, loaded by their `PT_LOAD` program headers ([`Program::from_elf`], with the
//! `object` crate). Anything else is a typed [`LoadError`].
//!
//! # Memory model
//! One flat, byte-addressed address space `[0, mem_size)` ([`VmConfig`], default 16 MiB),
//! zero-initialised, with the segments copied in. The top `stack_size` bytes (default and minimum
//! 1 MiB) are the stack; `sp` starts at `mem_size` (16-byte aligned); every other register is 0.
//! Segments must lie below the stack. The executable segments form the text: it is decoded once
//! at load time, a store into it stops the run (text is read-only, no self-modifying code), and a
//! jump or fall-through outside it stops the run. Loads and stores must be naturally aligned
//! (a misaligned one stops the run; QEMU would emulate it). There is no heap system call: a
//! program uses static buffers or its stack.
//!
//! # System calls (`ecall`, Linux RISC-V numbers in `a7`)
//! - `read` (63): fd 0 only, the private input; returns the bytes copied (0 at its end).
//! - `write` (64): fd 1 only, the public output; returns the count.
//! - `exit` (93) and `exit_group` (94): stop with status `a0` (a process sees `a0 & 0xff`).
//!
//! Any other number, another fd, an illegal instruction (including `ebreak`, CSR instructions,
//! `fence.i`), a misaligned jump target or access, an access outside memory, or reaching
//! [`VmConfig::max_cycles`] stops the run with an [`ExecError`] that names the pc and the
//! instruction.
//!
//! # Modes
//! [`run`]: the fast interpreter, no trace. [`run_traced`] (or [`run_traced_into`], reusing its
//! buffers): the same interpreter recording one
//! 28-byte [`Step`] per cycle (plus an [`IoAccess`] per word a system call touches), no
//! allocation per cycle beyond the growing trace vector. [`shard::generate_trace_with`] runs the
//! program once with trace capture, `K` cycles at a time, the machine handed between the worker
//! threads: whichever thread is free captures the next shard and turns it into its tables and
//! LogUp columns while another executes, and each shard is handed to a consumer as soon as it is
//! made ([`shard::generate_trace`] collects them; both equal [`shard::generate_trace_sequential`],
//! the one-thread reference). [`shard::run_with_checkpoints`] records a [`shard::Checkpoint`]
//! every `K` cycles, from which a shard can be re-executed on its own.
//!
//! # Speed
//! See BENCHMARKS.md ("zkVM front end" and the later sections): execution with trace capture
//! runs at 50–120 MHz on one core, full trace generation (tables and LogUp columns with their
//! inverses) at ≈ 80 ns of CPU time per cycle in shards of 2^16 cycles (`examples/profile.rs`
//! prints the split and the threads' use).
//!
//! # Tables (per shard, [`trace::ShardTables`]) and how they map onto AIRs
//! Timestamps are shard-local: cycle `i` of the shard accesses `rs1` at `4(i+1)`, `rs2` at
//! `4(i+1)+1`, memory at `4(i+1)+2` and `rd` at `4(i+1)+3` (a shard is at most 2^22 cycles, so
//! every timestamp is below 2^24).
//! - **CPU** ([`trace::CpuRow`], one per cycle): `pc, op, rd, rs1, rs2, imm, a, b, rd_val, res,
//!   mem_addr, mem_val`. An AIR constrains the pc update (`pc + 4`, jump and branch targets from
//!   `imm`, `a` and `res`), `rd_val` per op class (ALU `res`, `pc + 4` for jumps, `imm`/`pc + imm`
//!   for LUI/AUIPC, the selected byte/half/word of `mem_val` for loads), and sends on three
//!   buses: the program bus `(pc, op, rd, rs1, rs2, imm)` (so every row is an instruction of the
//!   ELF), the ALU bus `(op, a, b|imm, res)`, and its register and memory accesses to the memory
//!   argument. An `ecall` row reads `a7` (as `rs1`) and `a0` (as `rs2`) and writes `a0`; its
//!   memory accesses are the system call's words (reads for `write`: the public output; writes
//!   for `read`: the private input).
//! - **Program** (preprocessed, one row per text word, bound to the ELF): the same tuple with the
//!   execution count as its multiplicity.
//! - **ALU** ([`trace::AluRow`]): `(op, a, b, res)` for every arithmetic, logic, M-extension and
//!   branch-comparison cycle; its AIR proves `res = op(a, b)` ([`decode::alu`] is the reference,
//!   [`logup::alu_rows_valid`] checks it) with byte/limb decompositions and the M extension's
//!   64-bit products as range-checked limbs (not yet written).
//! - **Memory** ([`trace::MemRow`], one per register or memory-word access, `x0` excluded):
//!   `(space, addr, ts, prev_ts, val, prev_val)`; offline memory checking: the multiset of
//!   `init ∪ writes` equals `reads ∪ final`, where each access reads `(space, addr, prev_val,
//!   prev_ts)` and writes `(space, addr, val, ts)`, `val = prev_val` for a read, and
//!   `ts − prev_ts − 1` is range checked by two 16-bit limbs. Init and final sets
//!   ([`trace::MemBoundary`]) hold every address the shard touches: its value at the start (ts 0)
//!   and at the end (last ts). Across shards, shard `j`'s final values are shard `j+1`'s init
//!   values (a global memory argument over the boundaries, not yet written).
//! - **Range** (preprocessed, 2^16 rows): the multiplicity of each 16-bit value.
//!
//! # LogUp ([`logup`])
//! Over BabyBear with challenges in its quartic extension: a tuple `(f_1..f_k)` on bus `id`
//! contributes `1 / (α − (id + Σ β^k f_k))` (32-bit values as two 16-bit limbs). All of a shard's
//! data-dependent denominators are inverted in one batch (Montgomery's trick, chunked over the
//! rayon pool); the fixed tables' (program, range) once per program. A consistent shard's signed
//! sum ([`logup::LogUpColumns::balance`]) is zero; the AIR prover turns each column into a
//! running-sum column and checks the bus sums.
//!
//! # Limits
//! RV32IM only (no C, A, F, Zicsr); user mode only; one input stream and one output stream;
//! `mem_size` ≤ 1 GiB.
//!
//! # Proving ([`prove`])
//! [`prove::prove`] / [`prove::verify`]: a multi-table proof on `zkprove-air`'s shared LogUp
//! buses (CPU, program, registers, range, ELF image, zero-initialised RAM, byte, system-call
//! and I/O tables) of a run that uses the part of RV32IM whose AIR is written (all of RV32I but
//! `fence`: ALU, shifts, comparisons, branches, jumps, loads and stores with a memory argument,
//! and the `read`, `write`, `exit` system calls, the output public); the M extension and any
//! other executed instruction are refused by name (see [`prove`]'s docs for the tables, buses
//! and bounds). The proof's tables are
//! built there, from the captured steps, not from the [`trace`] tables above (which also cover
//! memory, the ALU table and system-call accesses, and are the front end's benchmark).

#![forbid(unsafe_code)]

pub mod continuation;
pub mod decode;
pub mod elf;
pub mod exec;
pub mod logup;
pub mod prove;
pub mod shard;
pub mod trace;

pub use elf::{Program, Segment};
pub use exec::{IoAccess, Machine, Step};

use exec::TraceSink;

/// The memory layout and limits of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VmConfig {
    /// Bytes of address space, `[0, mem_size)` (a multiple of 4 KiB, at most 1 GiB).
    pub mem_size: u32,
    /// Bytes of stack at the top of memory (at least 1 MiB).
    pub stack_size: u32,
    /// A run stops with [`ExecError::CycleLimit`] after this many cycles.
    pub max_cycles: u64,
}

impl Default for VmConfig {
    fn default() -> Self {
        Self { mem_size: 16 << 20, stack_size: 1 << 20, max_cycles: 1 << 32 }
    }
}

impl VmConfig {
    /// The lowest stack address (segments must end at or below it).
    #[must_use]
    pub fn stack_bottom(&self) -> u32 {
        self.mem_size - self.stack_size
    }

    /// The initial `sp`.
    #[must_use]
    pub fn stack_top(&self) -> u32 {
        self.mem_size
    }

    fn check(&self) -> Result<(), LoadError> {
        if !self.mem_size.is_multiple_of(4096)
            || self.mem_size > 1 << 30
            || self.stack_size < 1 << 20
            || self.stack_size >= self.mem_size
        {
            return Err(LoadError::BadConfig {
                mem_size: self.mem_size,
                stack_size: self.stack_size,
            });
        }
        Ok(())
    }
}

/// Why an ELF file cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// Not an ELF file.
    #[error("not an ELF file (format: {kind})")]
    NotElf {
        /// What the bytes look like.
        kind: String,
    },
    /// A truncated or inconsistent ELF file.
    #[error("malformed ELF file: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// An ELF64 file.
    #[error("ELF{class} file; an RV32IM program is ELF32")]
    WrongClass {
        /// 64.
        class: u8,
    },
    /// A big-endian file.
    #[error("big-endian ELF file; RISC-V is little-endian")]
    WrongEndianness,
    /// Another machine.
    #[error("ELF machine {machine} is not RISC-V (243)")]
    WrongMachine {
        /// `e_machine`.
        machine: u16,
    },
    /// Not a static executable.
    #[error("ELF type {e_type} is not a static executable (ET_EXEC = 2)")]
    NotExecutable {
        /// `e_type`.
        e_type: u16,
    },
    /// Compressed instructions (RVC) or the RV32E register set.
    #[error("ELF flags {flags:#x}: compressed instructions (RVC) or RV32E are not supported")]
    UnsupportedFlags {
        /// `e_flags`.
        flags: u32,
    },
    /// A segment that does not fit below the stack.
    #[error(
        "segment at {vaddr:#x} ({mem_size} bytes) lies outside memory [0, {limit:#x}) below the stack"
    )]
    SegmentOutsideMemory {
        /// `p_vaddr`.
        vaddr: u32,
        /// `p_memsz`.
        mem_size: u32,
        /// The stack's bottom.
        limit: u32,
    },
    /// No executable segment.
    #[error("no executable segment")]
    NoText,
    /// The entry point is not a 4-aligned address in the text.
    #[error("entry point {entry:#x} is not an aligned address in an executable segment")]
    BadEntry {
        /// `e_entry`.
        entry: u32,
    },
    /// An unusable [`VmConfig`].
    #[error(
        "bad memory layout: mem_size {mem_size:#x} (multiple of 4 KiB, ≤ 1 GiB), stack_size {stack_size:#x} (≥ 1 MiB, < mem_size)"
    )]
    BadConfig {
        /// The memory size asked for.
        mem_size: u32,
        /// The stack size asked for.
        stack_size: u32,
    },
}

/// Why a run stopped before the program exited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    /// A word that is not an RV32IM instruction.
    #[error("illegal instruction {word:#010x} at pc {pc:#x}")]
    IllegalInstruction {
        /// Its address.
        pc: u32,
        /// The word.
        word: u32,
    },
    /// The pc ran past the text.
    #[error("pc {pc:#x} is outside the executable segments")]
    PcOutsideText {
        /// The pc.
        pc: u32,
    },
    /// A jump or branch to an address outside the text.
    #[error("jump to {target:#x} outside the executable segments at pc {pc:#x}: {instr}")]
    JumpOutsideText {
        /// The jump's address.
        pc: u32,
        /// The jump (word and decoding).
        instr: String,
        /// Where it went.
        target: u32,
    },
    /// A jump or branch to an address that is not 4-aligned.
    #[error("misaligned jump target {target:#x} at pc {pc:#x}: {instr}")]
    MisalignedJump {
        /// The jump's address.
        pc: u32,
        /// The jump.
        instr: String,
        /// Where it went.
        target: u32,
    },
    /// A load or store that is not naturally aligned.
    #[error("misaligned access to {addr:#x} at pc {pc:#x}: {instr}")]
    MisalignedAccess {
        /// The instruction's address.
        pc: u32,
        /// The instruction.
        instr: String,
        /// The address accessed.
        addr: u32,
    },
    /// A load, store or system-call buffer outside memory.
    #[error("access to {addr:#x} outside memory at pc {pc:#x}: {instr}")]
    AccessOutsideMemory {
        /// The instruction's address.
        pc: u32,
        /// The instruction.
        instr: String,
        /// The address accessed.
        addr: u32,
    },
    /// A store (or `read` buffer) into the read-only text.
    #[error("store to {addr:#x} in the read-only text at pc {pc:#x}: {instr}")]
    StoreToText {
        /// The instruction's address.
        pc: u32,
        /// The instruction.
        instr: String,
        /// The address written.
        addr: u32,
    },
    /// An `ecall` with another number than read, write, exit, exit_group.
    #[error("unsupported system call {number} (a7) at pc {pc:#x}: ecall")]
    UnsupportedSyscall {
        /// The `ecall`'s address.
        pc: u32,
        /// `a7`.
        number: u32,
    },
    /// `read` from another fd than 0, or `write` to another than 1.
    #[error("{syscall} on fd {fd} at pc {pc:#x}: ecall (only read fd 0 and write fd 1 exist)")]
    BadFileDescriptor {
        /// The `ecall`'s address.
        pc: u32,
        /// `read` or `write`.
        syscall: &'static str,
        /// `a0`.
        fd: u32,
    },
    /// The run reached [`VmConfig::max_cycles`].
    #[error("cycle limit {cycles} reached at pc {pc:#x}")]
    CycleLimit {
        /// The next instruction's address.
        pc: u32,
        /// Cycles executed.
        cycles: u64,
    },
}

/// Errors of trace generation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VmError {
    /// The program failed.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// A shard size of 0 or above the maximum.
    #[error("shard size {k} must be between 1 and {max} cycles")]
    ShardSize {
        /// The size asked for.
        k: u64,
        /// The largest allowed.
        max: u64,
    },
    /// A run did not end where it should: a shard re-executed from a checkpoint that missed the
    /// next one, or a shared run that stopped without an exit (an internal error).
    #[error("shard {shard} diverged from its checkpoint on re-execution")]
    Diverged {
        /// The shard's index.
        shard: usize,
    },
    /// The backend that made the LogUp columns failed ([`shard::generate_trace_reusing_on`]).
    #[error("LogUp columns on the backend: {0}")]
    Backend(zkprove_poly::DeviceError),
}

/// How a program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit {
    /// `a0` at `exit`/`exit_group`.
    pub code: u32,
    /// Cycles executed, the exiting `ecall` included.
    pub cycles: u64,
}

impl Exit {
    /// The status a process would see (`code & 0xff`).
    #[must_use]
    pub fn status(&self) -> u8 {
        self.code as u8
    }
}

/// A finished run: how it ended and what it wrote to fd 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutput {
    /// Exit status and cycle count.
    pub exit: Exit,
    /// The public output.
    pub output: Vec<u8>,
}

/// A finished run with its trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// Exit status, cycles, output.
    pub run: RunOutput,
    /// One step per cycle.
    pub steps: Vec<Step>,
    /// The system calls' memory accesses.
    pub io: Vec<IoAccess>,
}

/// Runs `program` on `input` (fd 0) without a trace: the fast mode.
///
/// # Errors
/// The [`ExecError`] that stopped it.
pub fn run(program: &Program, input: &[u8]) -> Result<RunOutput, ExecError> {
    let mut m = Machine::new(program, input);
    match m.run_until(&mut (), u64::MAX)? {
        Some(exit) => Ok(RunOutput { exit, output: m.output }),
        None => Err(ExecError::CycleLimit { pc: m.pc, cycles: m.clk }),
    }
}

/// Runs `program` on `input` capturing the trace (one [`Step`] per cycle).
///
/// # Errors
/// The [`ExecError`] that stopped it.
pub fn run_traced(program: &Program, input: &[u8]) -> Result<Trace, ExecError> {
    let mut m = Machine::new(program, input);
    let mut sink = TraceSink::default();
    match m.run_until(&mut sink, u64::MAX)? {
        Some(exit) => {
            Ok(Trace { run: RunOutput { exit, output: m.output }, steps: sink.steps, io: sink.io })
        }
        None => Err(ExecError::CycleLimit { pc: m.pc, cycles: m.clk }),
    }
}

/// Reusable trace buffers for [`run_traced_into`]: a prover that traces run after run keeps
/// their capacity (and their memory pages) instead of growing new vectors each time.
#[derive(Debug, Default, Clone)]
pub struct TraceBuffer {
    /// One step per cycle of the last run.
    pub steps: Vec<Step>,
    /// The system calls' memory accesses of the last run.
    pub io: Vec<IoAccess>,
}

/// [`run_traced`] into `buf` (cleared first, capacity kept).
///
/// # Errors
/// The [`ExecError`] that stopped it (`buf` then holds the trace up to there).
pub fn run_traced_into(
    program: &Program,
    input: &[u8],
    buf: &mut TraceBuffer,
) -> Result<RunOutput, ExecError> {
    let mut sink =
        TraceSink { steps: std::mem::take(&mut buf.steps), io: std::mem::take(&mut buf.io) };
    sink.steps.clear();
    sink.io.clear();
    let mut m = Machine::new(program, input);
    let result = m.run_until(&mut sink, u64::MAX);
    buf.steps = sink.steps;
    buf.io = sink.io;
    match result? {
        Some(exit) => Ok(RunOutput { exit, output: m.output }),
        None => Err(ExecError::CycleLimit { pc: m.pc, cycles: m.clk }),
    }
}
