//! The executor: an interpreter over the pre-decoded text, generic over what it records
//! (nothing, the trace, or the words a store dirtied since the last checkpoint).

use crate::decode::{Instr, Op, alu};
use crate::elf::Program;
use crate::{ExecError, Exit};

/// One executed cycle, as trace capture records it (28 bytes). The instruction itself is the
/// program's decoded word at `pc`; `clk` is the position in the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Step {
    /// The instruction's address.
    pub pc: u32,
    /// The value of `rs1` (0 when the instruction reads none).
    pub a: u32,
    /// The value of `rs2` (0 when the instruction reads none).
    pub b: u32,
    /// The value written to `rd` (0 when none is written).
    pub rd_val: u32,
    /// For a load or store: the address of the accessed word (4-aligned); else 0.
    pub mem_addr: u32,
    /// For a load: the word read; for a store: the word after the store.
    pub mem_val: u32,
    /// For a store: the word before the store; for a load the word read.
    pub mem_prev: u32,
}

/// A memory access made by a system call (`read` writes the input into memory, `write` reads
/// the output from it), one per word touched, at cycle `clk`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoAccess {
    /// The cycle of the `ecall`.
    pub clk: u64,
    /// The word's address (4-aligned).
    pub addr: u32,
    /// The word before.
    pub prev: u32,
    /// The word after (equal to `prev` for a read).
    pub val: u32,
    /// Whether the system call wrote the word.
    pub write: bool,
}

/// What the interpreter reports to while it runs. The default methods do nothing, so the fast
/// mode compiles to the bare interpreter.
pub(crate) trait Sink {
    /// Whether [`Sink::step`] wants the steps (the interpreter skips building them otherwise).
    const TRACE: bool;
    #[inline(always)]
    fn step(&mut self, _s: Step) {}
    #[inline(always)]
    fn store(&mut self, _word: u32) {}
    #[inline(always)]
    fn io(&mut self, _a: IoAccess) {}
}

impl Sink for () {
    const TRACE: bool = false;
}

/// Records every step and system-call access.
#[derive(Debug, Default)]
pub(crate) struct TraceSink {
    pub steps: Vec<Step>,
    pub io: Vec<IoAccess>,
}

impl Sink for TraceSink {
    const TRACE: bool = true;
    #[inline(always)]
    fn step(&mut self, s: Step) {
        self.steps.push(s);
    }
    #[inline(always)]
    fn io(&mut self, a: IoAccess) {
        self.io.push(a);
    }
}

/// Records which words were written since the last checkpoint (a bitmap and a list).
#[derive(Debug)]
pub(crate) struct DirtySink {
    pub bits: Vec<u64>,
    pub list: Vec<u32>,
}

impl DirtySink {
    pub fn new(words: usize) -> Self {
        Self { bits: vec![0; words.div_ceil(64)], list: Vec::new() }
    }

    /// The dirtied words and their current values; clears the set.
    pub fn take(&mut self, mem: &[u32]) -> Vec<(u32, u32)> {
        let mut out: Vec<(u32, u32)> = self.list.drain(..).map(|w| (w, mem[w as usize])).collect();
        for &(w, _) in &out {
            self.bits[(w / 64) as usize] = 0;
        }
        out.sort_unstable();
        out
    }
}

impl Sink for DirtySink {
    const TRACE: bool = false;
    #[inline(always)]
    fn store(&mut self, word: u32) {
        let (i, m) = ((word / 64) as usize, 1u64 << (word % 64));
        if self.bits[i] & m == 0 {
            self.bits[i] |= m;
            self.list.push(word);
        }
    }
    #[inline(always)]
    fn io(&mut self, a: IoAccess) {
        if a.write {
            self.store(a.addr / 4);
        }
    }
}

/// The machine state: registers, pc, memory, cycle count, input position and output.
#[derive(Debug, Clone)]
pub struct Machine<'p> {
    program: &'p Program,
    input: &'p [u8],
    /// The registers (`regs[0]` is always 0).
    pub regs: [u32; 32],
    /// The next instruction's address.
    pub pc: u32,
    /// Memory, one little-endian word per 4 bytes of the address space.
    pub mem: Vec<u32>,
    /// Cycles executed so far.
    pub clk: u64,
    /// Bytes of the input consumed by `read`.
    pub input_pos: usize,
    /// Bytes written by `write` so far.
    pub output: Vec<u8>,
    /// Set once the program has exited.
    pub exit: Option<Exit>,
}

/// `a0`..`a2`, `a7`: the system-call registers.
const A0: usize = 10;
const A1: usize = 11;
const A2: usize = 12;
const A7: usize = 17;
/// `sp`.
const SP: usize = 2;

impl<'p> Machine<'p> {
    /// A machine at the program's entry point, `sp` at the top of the stack, `input` as fd 0.
    #[must_use]
    pub fn new(program: &'p Program, input: &'p [u8]) -> Self {
        let mut regs = [0u32; 32];
        regs[SP] = program.config.stack_top();
        Self {
            program,
            input,
            regs,
            pc: program.entry,
            mem: program.initial_memory(),
            clk: 0,
            input_pos: 0,
            output: Vec::new(),
            exit: None,
        }
    }

    /// The program this machine runs.
    #[must_use]
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// The private input.
    #[must_use]
    pub fn input(&self) -> &'p [u8] {
        self.input
    }

    #[cold]
    #[inline(never)]
    fn describe(&self, pc: u32) -> String {
        let off = pc.wrapping_sub(self.program.text_start) as usize / 4;
        match (self.program.text_words.get(off), self.program.code.get(off)) {
            (Some(w), Some(i)) => format!("{w:#010x} ({i})"),
            _ => "none".into(),
        }
    }

    #[cold]
    #[inline(never)]
    fn access_error(&self, pc: u32, addr: u32, misaligned: bool, store_to_text: bool) -> ExecError {
        let instr = self.describe(pc);
        if misaligned {
            ExecError::MisalignedAccess { pc, instr, addr }
        } else if store_to_text {
            ExecError::StoreToText { pc, instr, addr }
        } else {
            ExecError::AccessOutsideMemory { pc, instr, addr }
        }
    }

    #[cold]
    #[inline(never)]
    fn jump_error(&self, pc: u32, target: u32) -> ExecError {
        let instr = self.describe(pc);
        if !target.is_multiple_of(4) {
            ExecError::MisalignedJump { pc, instr, target }
        } else {
            ExecError::JumpOutsideText { pc, instr, target }
        }
    }

    /// Whether `[addr, addr + len)` overlaps the text.
    #[inline(always)]
    fn in_text(&self, addr: u32, len: u32) -> bool {
        u64::from(addr) + u64::from(len) > u64::from(self.program.text_start)
            && addr < self.program.text_end()
    }

    /// Runs until the program exits or `stop_at` cycles have been executed in all (then
    /// `Ok(None)`), reporting to `sink`.
    #[inline(always)]
    #[allow(clippy::modulo_one)] // the alignment macros are also instantiated for bytes
    pub(crate) fn run_until<S: Sink>(
        &mut self,
        sink: &mut S,
        stop_at: u64,
    ) -> Result<Option<Exit>, ExecError> {
        if let Some(e) = self.exit {
            return Ok(Some(e));
        }
        let code: &[Instr] = &self.program.code;
        let text_start = self.program.text_start;
        let text_bytes = 4 * code.len() as u32;
        let max_cycles = self.program.config.max_cycles;
        let stop = stop_at.min(max_cycles);
        let mut pc = self.pc;
        let mut clk = self.clk;
        let mut regs = self.regs;
        let result = loop {
            if clk >= stop {
                if clk >= max_cycles {
                    break Err(ExecError::CycleLimit { pc, cycles: clk });
                }
                break Ok(None);
            }
            let off = pc.wrapping_sub(text_start);
            let Some(&ins) = code.get((off / 4) as usize) else {
                break Err(ExecError::PcOutsideText { pc });
            };
            let a = regs[ins.rs1 as usize];
            let b = regs[ins.rs2 as usize];
            let imm = ins.imm as u32;
            let mut next = pc.wrapping_add(4);
            let mut rd_val = 0u32;
            let (mut mem_addr, mut mem_val, mut mem_prev) = (0u32, 0u32, 0u32);
            macro_rules! jump {
                ($t:expr) => {{
                    let t: u32 = $t;
                    if !t.is_multiple_of(4) || t.wrapping_sub(text_start) >= text_bytes {
                        break Err(self.jump_error(pc, t));
                    }
                    next = t;
                }};
            }
            macro_rules! load {
                ($align:expr) => {{
                    let addr = a.wrapping_add(imm);
                    if addr % $align != 0 {
                        break Err(self.access_error(pc, addr, true, false));
                    }
                    let Some(&w) = self.mem.get((addr / 4) as usize) else {
                        break Err(self.access_error(pc, addr, false, false));
                    };
                    mem_addr = addr & !3;
                    mem_val = w;
                    mem_prev = w;
                    (w >> (8 * (addr % 4)), addr)
                }};
            }
            macro_rules! store {
                ($align:expr, $mask:expr) => {{
                    let addr = a.wrapping_add(imm);
                    if addr % $align != 0 {
                        break Err(self.access_error(pc, addr, true, false));
                    }
                    if addr.wrapping_sub(text_start) < text_bytes {
                        break Err(self.access_error(pc, addr, false, true));
                    }
                    let word = addr / 4;
                    let Some(slot) = self.mem.get_mut(word as usize) else {
                        break Err(self.access_error(pc, addr, false, false));
                    };
                    let shift = 8 * (addr % 4);
                    let mask: u32 = $mask << shift;
                    let old = *slot;
                    let new = (old & !mask) | ((b << shift) & mask);
                    *slot = new;
                    sink.store(word);
                    mem_addr = addr & !3;
                    mem_val = new;
                    mem_prev = old;
                }};
            }
            let rd = ins.rd as usize;
            match ins.op {
                Op::Lui => rd_val = imm,
                Op::Auipc => rd_val = pc.wrapping_add(imm),
                Op::Jal => {
                    rd_val = pc.wrapping_add(4);
                    jump!(pc.wrapping_add(imm));
                }
                Op::Jalr => {
                    rd_val = pc.wrapping_add(4);
                    jump!(a.wrapping_add(imm) & !1);
                }
                Op::Beq | Op::Bne | Op::Blt | Op::Bge | Op::Bltu | Op::Bgeu => {
                    if alu(ins.op, a, b) == Some(1) {
                        jump!(pc.wrapping_add(imm));
                    }
                }
                Op::Lb => rd_val = load!(1).0 as u8 as i8 as i32 as u32,
                Op::Lbu => rd_val = load!(1).0 & 0xff,
                Op::Lh => rd_val = load!(2).0 as u16 as i16 as i32 as u32,
                Op::Lhu => rd_val = load!(2).0 & 0xffff,
                Op::Lw => rd_val = load!(4).0,
                Op::Sb => store!(1, 0xffu32),
                Op::Sh => store!(2, 0xffffu32),
                Op::Sw => store!(4, 0xffff_ffffu32),
                Op::Fence => {}
                Op::Ecall => {
                    let (nr, a0) = (regs[A7], regs[A0]);
                    self.pc = pc;
                    self.clk = clk;
                    match self.syscall(sink, &mut regs) {
                        Ok(exit) => {
                            if S::TRACE {
                                let s =
                                    Step { pc, a: nr, b: a0, rd_val: regs[A0], ..Step::default() };
                                sink.step(s);
                            }
                            clk += 1;
                            if let Some(e) = exit {
                                self.exit = Some(e);
                                break Ok(Some(e));
                            }
                            pc = next;
                            continue;
                        }
                        Err(e) => break Err(e),
                    }
                }
                Op::Illegal => {
                    break Err(ExecError::IllegalInstruction {
                        pc,
                        word: self.program.text_words[(off / 4) as usize],
                    });
                }
                op => {
                    let rhs = if (op as u8) <= (Op::Remu as u8) { b } else { imm };
                    // Every remaining operation is an ALU one.
                    rd_val = alu(op, a, rhs).unwrap_or(0);
                }
            }
            // Operations that write no register decode with `rd = 0`; `x0` stays 0.
            regs[rd] = rd_val;
            regs[0] = 0;
            if S::TRACE {
                let rd_val = if rd == 0 { 0 } else { rd_val };
                sink.step(Step { pc, a, b, rd_val, mem_addr, mem_val, mem_prev });
            }
            pc = next;
            clk += 1;
        };
        self.pc = pc;
        self.clk = clk;
        self.regs = regs;
        result
    }

    /// Runs one `ecall` at `self.pc`: `read`, `write`, `exit`/`exit_group`.
    fn syscall<S: Sink>(
        &mut self,
        sink: &mut S,
        regs: &mut [u32; 32],
    ) -> Result<Option<Exit>, ExecError> {
        let pc = self.pc;
        let (nr, fd, buf, count) = (regs[A7], regs[A0], regs[A1], regs[A2]);
        match nr {
            63 => {
                if fd != 0 {
                    return Err(ExecError::BadFileDescriptor { pc, syscall: "read", fd });
                }
                let n = (self.input.len() - self.input_pos).min(count as usize) as u32;
                self.check_buffer(pc, buf, n, true)?;
                let bytes = &self.input[self.input_pos..self.input_pos + n as usize];
                self.input_pos += n as usize;
                for_words(buf, n, |word, lo, hi| {
                    let old = self.mem[word as usize];
                    let mut new = old;
                    for k in lo..hi {
                        let byte = bytes[(word * 4 + k - buf) as usize];
                        new = (new & !(0xff << (8 * k))) | (u32::from(byte) << (8 * k));
                    }
                    self.mem[word as usize] = new;
                    sink.io(IoAccess {
                        clk: self.clk,
                        addr: word * 4,
                        prev: old,
                        val: new,
                        write: true,
                    });
                });
                regs[A0] = n;
                Ok(None)
            }
            64 => {
                if fd != 1 {
                    return Err(ExecError::BadFileDescriptor { pc, syscall: "write", fd });
                }
                self.check_buffer(pc, buf, count, false)?;
                for_words(buf, count, |word, lo, hi| {
                    let w = self.mem[word as usize];
                    for k in lo..hi {
                        self.output.push((w >> (8 * k)) as u8);
                    }
                    sink.io(IoAccess {
                        clk: self.clk,
                        addr: word * 4,
                        prev: w,
                        val: w,
                        write: false,
                    });
                });
                regs[A0] = count;
                Ok(None)
            }
            93 | 94 => Ok(Some(Exit { code: fd, cycles: self.clk + 1 })),
            number => Err(ExecError::UnsupportedSyscall { pc, number }),
        }
    }

    fn check_buffer(&self, pc: u32, buf: u32, len: u32, write: bool) -> Result<(), ExecError> {
        if len == 0 {
            return Ok(());
        }
        let end = u64::from(buf) + u64::from(len);
        if end > u64::from(self.program.config.mem_size) {
            return Err(ExecError::AccessOutsideMemory { pc, instr: self.describe(pc), addr: buf });
        }
        if write && self.in_text(buf, len) {
            return Err(ExecError::StoreToText { pc, instr: self.describe(pc), addr: buf });
        }
        Ok(())
    }
}

/// Calls `f(word, lo, hi)` for each word overlapping `[buf, buf + len)`, with the byte lanes
/// `lo..hi` of that word inside the range.
fn for_words(buf: u32, len: u32, mut f: impl FnMut(u32, u32, u32)) {
    if len == 0 {
        return;
    }
    let end = u64::from(buf) + u64::from(len);
    let mut addr = u64::from(buf);
    while addr < end {
        let word = (addr / 4) as u32;
        let lo = (addr % 4) as u32;
        let hi = (end - u64::from(word) * 4).min(4) as u32;
        f(word, lo, hi);
        addr = u64::from(word) * 4 + 4;
    }
}
