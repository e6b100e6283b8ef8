//! Splitting a captured run (one shard of it) into the tables the AIRs need: CPU/decode rows,
//! ALU rows, memory-access rows with their offline-memory-checking data (previous timestamp and
//! value; init and final sets), and the multiplicities of the program and range-check tables.

use crate::decode::{Instr, Op, alu};
use crate::elf::Program;
use crate::exec::{IoAccess, Step};

/// Address spaces of the memory argument.
pub mod space {
    /// The 32 registers (`x0` is never accessed: it is the constant 0).
    pub const REG: u32 = 0;
    /// Byte-addressed memory, one entry per 4-aligned word.
    pub const MEM: u32 = 1;
}

/// Timestamp slots within a cycle: `ts = 4·(local_clk + 1) + slot`.
pub mod slot {
    /// `rs1` read.
    pub const RS1: u32 = 0;
    /// `rs2` read.
    pub const RS2: u32 = 1;
    /// The load, store or system-call memory accesses.
    pub const MEM: u32 = 2;
    /// The `rd` write.
    pub const RD: u32 = 3;
}

/// Largest shard, in cycles: timestamps stay below 2^24, so `ts − prev_ts − 1` is range
/// checked by two 16-bit limbs and every value is a canonical BabyBear element.
pub const MAX_SHARD_CYCLES: u64 = 1 << 22;

/// One CPU row per cycle: the decoded instruction (looked up in the program table) and the
/// values it read and wrote. An `ecall` row has `rs1 = x17`, `rs2 = x10`, `rd = x10`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CpuRow {
    /// The instruction's address.
    pub pc: u32,
    /// The operation's id (`Op as u8`).
    pub op: u8,
    /// Destination register.
    pub rd: u8,
    /// First source register.
    pub rs1: u8,
    /// Second source register.
    pub rs2: u8,
    /// The immediate.
    pub imm: u32,
    /// `rs1`'s value.
    pub a: u32,
    /// `rs2`'s value.
    pub b: u32,
    /// The value written to `rd` (0 for `x0` or none).
    pub rd_val: u32,
    /// For an ALU operation, its result as sent to the ALU table (equal to `rd_val` unless
    /// `rd = x0`; for a branch, whether it is taken); else 0.
    pub res: u32,
    /// The accessed word's address (loads and stores), else 0.
    pub mem_addr: u32,
    /// The accessed word after the access.
    pub mem_val: u32,
}

/// One ALU row per arithmetic, logic, M-extension or branch-comparison cycle:
/// `res = op(a, b)` (what the ALU AIR constrains; branches: `res` = taken).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AluRow {
    /// The operation's id.
    pub op: u8,
    /// First operand (`rs1`).
    pub a: u32,
    /// Second operand (`rs2` or the immediate).
    pub b: u32,
    /// The result.
    pub res: u32,
}

/// One memory-argument row per access to a register or memory word: it reads
/// `(space, addr, prev_val, prev_ts)` and writes `(space, addr, val, ts)`, with
/// `ts − prev_ts − 1` range checked (two 16-bit limbs), and `val = prev_val` for a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemRow {
    /// [`space::REG`] or [`space::MEM`].
    pub space: u32,
    /// Register number, or the word's byte address.
    pub addr: u32,
    /// This access's timestamp.
    pub ts: u32,
    /// The previous access's timestamp (0: the init set).
    pub prev_ts: u32,
    /// The value after the access.
    pub val: u32,
    /// The value before it.
    pub prev_val: u32,
}

/// An entry of the init or final set: `(space, addr, val, ts)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MemBoundary {
    /// [`space::REG`] or [`space::MEM`].
    pub space: u32,
    /// Register number or word address.
    pub addr: u32,
    /// The value at the shard's start (init) or end (final).
    pub val: u32,
    /// 0 (init) or the last access's timestamp (final).
    pub ts: u32,
}

/// [`ShardTables::mem_prev`] of a first access (its read tuple is the init set's entry).
pub const NO_PREV: u32 = u32::MAX;

/// The tables of one shard.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShardTables {
    /// The global cycle of the shard's first row.
    pub start_clk: u64,
    /// One row per cycle.
    pub cpu: Vec<CpuRow>,
    /// One row per ALU cycle.
    pub alu: Vec<AluRow>,
    /// One row per register or memory access.
    pub mem: Vec<MemRow>,
    /// Per memory row, the index of the previous row of the same address in this shard
    /// ([`NO_PREV`] for the first): that row's write tuple is this row's read tuple, so the
    /// LogUp columns copy its fraction instead of inverting again (checking that the tuples are
    /// equal, so that any tables give the reference's columns).
    pub mem_prev: Vec<u32>,
    /// Init set: every address the shard touches, its value at the start, timestamp 0
    /// (sorted by space and address).
    pub mem_init: Vec<MemBoundary>,
    /// Final set: the same addresses, their values and last timestamps at the end.
    pub mem_final: Vec<MemBoundary>,
    /// How often each text word was executed (the program table's multiplicities).
    pub program_mult: Vec<u32>,
    /// How often each 16-bit value was range checked.
    pub range_mult: Vec<u32>,
    /// The registers at the shard's end.
    pub final_regs: [u32; 32],
}

/// Where a memory word was last accessed within the shard, by its index in the init list; kept
/// between shards ([`TableScratch`]) with its slots reset, so its address-sized map is allocated
/// once. (Registers have their own small array, [`RegState`].)
#[derive(Debug, Default)]
struct Touched {
    /// `slot[word] = index + 1` into `entries` (0: not yet touched).
    slot: Vec<u32>,
    /// `(init, final, index of the last memory row)` per touched word.
    entries: Vec<(MemBoundary, MemBoundary, u32)>,
}

impl Touched {
    /// Empties the map for a program of `words` memory words, clearing only the slots the last
    /// shard set.
    fn reset(&mut self, words: usize) {
        if self.slot.len() == words {
            for (init, _, _) in &self.entries {
                if let Some(s) = self.slot.get_mut((init.addr / 4) as usize) {
                    *s = 0;
                }
            }
        } else {
            self.slot = vec![0u32; words];
        }
        self.entries.clear();
    }
}

/// A register's last access within the shard.
#[derive(Debug, Clone, Copy, Default)]
struct RegState {
    /// Its timestamp; 0 while the register has not been accessed (every access's is ≥ 4).
    ts: u32,
    /// The value after it.
    val: u32,
    /// Its memory row.
    row: u32,
    /// The value at the shard's start (set at the first access).
    init: u32,
}

/// Range-check values counted in [`Rows::small`] instead of `range_mult`.
const SMALL: usize = 1 << 10;

/// The memory rows of a shard as [`build_tables_into`] appends them, with their range checks.
struct Rows<'a> {
    mem: &'a mut Vec<MemRow>,
    mem_prev: &'a mut Vec<u32>,
    range_mult: &'a mut [u32],
    /// Counts of the low limbs below [`SMALL`] (nearly all: accesses of one address a few
    /// cycles apart), four copies taken in turn by the row index: a run of equal limbs (a loop)
    /// would otherwise make one chain of dependent increments of one counter, each waiting for
    /// the last one's store. Added into `range_mult` at the end.
    small: [[u32; SMALL]; 4],
    /// High limbs equal to 0 (nearly all), counted here for the same reason.
    hi_zero: u32,
    regs: [RegState; 32],
}

impl Rows<'_> {
    /// Appends an access's memory row (the previous row of its address: `prev_row`).
    #[inline(always)]
    fn push(&mut self, row: MemRow, prev_row: u32) {
        let d = row.ts.wrapping_sub(row.prev_ts).wrapping_sub(1);
        let lo = (d & 0xffff) as usize;
        if lo < SMALL {
            self.small[self.mem.len() & 3][lo] += 1;
        } else {
            self.range_mult[lo] += 1;
        }
        if d >> 16 == 0 {
            self.hi_zero += 1;
        } else {
            self.range_mult[(d >> 16) as usize] += 1;
        }
        self.mem.push(row);
        self.mem_prev.push(prev_row);
    }

    /// An access of register `r` (`1 ≤ r < 32`) at timestamp `ts`, which holds `prev` before it
    /// (read only at the shard's first access: later ones know it) and `val` after.
    #[inline(always)]
    fn reg(&mut self, r: u8, ts: u32, prev: u32, val: u32) {
        let row = self.mem.len() as u32;
        let s = &mut self.regs[usize::from(r & 31)];
        let (prev_ts, prev_val, prev_row) = if s.ts == 0 {
            s.init = prev;
            (0, prev, NO_PREV)
        } else {
            (s.ts, s.val, s.row)
        };
        *s = RegState { ts, val, row, init: s.init };
        self.push(
            MemRow { space: space::REG, addr: u32::from(r), ts, prev_ts, val, prev_val },
            prev_row,
        );
    }

    /// An access of the memory word at byte address `addr` (4-aligned) at timestamp `ts`, which
    /// holds `prev` before it and `val` after.
    #[inline(always)]
    fn word(&mut self, touched: &mut Touched, addr: u32, ts: u32, prev: u32, val: u32) {
        let row = self.mem.len() as u32;
        let key = (addr / 4) as usize;
        let idx = touched.slot[key];
        let (prev_ts, prev_val, prev_row) = if idx == 0 {
            touched.entries.push((
                MemBoundary { space: space::MEM, addr, val: prev, ts: 0 },
                MemBoundary { space: space::MEM, addr, val, ts },
                row,
            ));
            touched.slot[key] = touched.entries.len() as u32;
            (0, prev, NO_PREV)
        } else {
            let (_, f, last) = &mut touched.entries[idx as usize - 1];
            let p = (f.ts, f.val, *last);
            f.ts = ts;
            f.val = val;
            *last = row;
            p
        };
        self.push(MemRow { space: space::MEM, addr, ts, prev_ts, val, prev_val }, prev_row);
    }
}

/// Scratch space [`build_tables_into`] keeps between shards (the address map of the memory
/// argument).
#[derive(Debug, Default)]
pub struct TableScratch {
    touched: Touched,
}

/// Builds the tables of one shard from its steps, the system-call accesses of those cycles
/// (`io`, in order), the registers at its start and the global cycle of its first step.
///
/// The steps must come from running `program` (the executor's trace); shards are at most
/// [`MAX_SHARD_CYCLES`] long (longer ones are the caller's bug, checked by a debug assertion).
#[must_use]
pub fn build_tables(
    program: &Program,
    start_clk: u64,
    regs: [u32; 32],
    steps: &[Step],
    io: &[IoAccess],
) -> ShardTables {
    let mut out = ShardTables::default();
    build_tables_into(&mut out, &mut TableScratch::default(), program, start_clk, regs, steps, io);
    out
}

/// The accesses of one step in timestamp order, as `(space, addr, ts, prev, val)` (`addr` a
/// register number or a word's byte address), for [`build_tables_reference`] (the order
/// [`build_tables_into`] follows too).
fn step_accesses(
    program: &Program,
    base: u32,
    regs: &[u32; 32],
    s: &Step,
    io: &[IoAccess],
    mut access: impl FnMut(u32, u32, u32, u32, u32),
) {
    let ins = program.code[((s.pc - program.text_start) / 4) as usize];
    let (rs1, rs2, rd) = ins.row_registers();
    if rs1 != 0 {
        access(space::REG, u32::from(rs1), base + slot::RS1, s.a, s.a);
    }
    if rs2 != 0 {
        access(space::REG, u32::from(rs2), base + slot::RS2, s.b, s.b);
    }
    if matches!(ins.op, Op::Lb | Op::Lh | Op::Lw | Op::Lbu | Op::Lhu | Op::Sb | Op::Sh | Op::Sw) {
        access(space::MEM, s.mem_addr, base + slot::MEM, s.mem_prev, s.mem_val);
    }
    for a in io {
        access(space::MEM, a.addr, base + slot::MEM, a.prev, a.val);
    }
    if rd != 0 {
        access(space::REG, u32::from(rd), base + slot::RD, regs[rd as usize], s.rd_val);
    }
}

/// The CPU row of a step of instruction `ins` and its ALU row (for an ALU operation).
#[inline(always)]
fn cpu_row(ins: Instr, s: &Step) -> (CpuRow, Option<AluRow>) {
    let (rs1, rs2, rd) = ins.row_registers();
    let mut res = 0;
    let mut alu_row = None;
    if ins.op.is_alu() {
        let rhs = if ins.op.reads_rs2() { s.b } else { ins.imm as u32 };
        res = if rd != 0 { s.rd_val } else { alu(ins.op, s.a, rhs).unwrap_or(0) };
        alu_row = Some(AluRow { op: ins.op as u8, a: s.a, b: rhs, res });
    }
    let row = CpuRow {
        pc: s.pc,
        op: ins.op as u8,
        rd,
        rs1,
        rs2,
        imm: ins.imm as u32,
        a: s.a,
        b: s.b,
        rd_val: s.rd_val,
        res,
        mem_addr: s.mem_addr,
        mem_val: s.mem_val,
    };
    (row, alu_row)
}

/// [`build_tables`] into `out`, reusing its buffers and `scratch` (a shard no larger than the
/// last one allocates nothing). Registers keep their last access in a 32-entry array, memory
/// words in an address-indexed map; the same tables as [`build_tables_reference`].
pub fn build_tables_into(
    out: &mut ShardTables,
    scratch: &mut TableScratch,
    program: &Program,
    start_clk: u64,
    regs: [u32; 32],
    steps: &[Step],
    io: &[IoAccess],
) {
    debug_assert!(steps.len() as u64 <= MAX_SHARD_CYCLES);
    let mut regs = regs;
    let ShardTables {
        start_clk: out_start,
        cpu,
        alu: alu_rows,
        mem,
        mem_prev,
        mem_init,
        mem_final,
        program_mult,
        range_mult,
        final_regs,
    } = out;
    *out_start = start_clk;
    cpu.clear();
    cpu.reserve(steps.len());
    alu_rows.clear();
    mem.clear();
    mem.reserve(steps.len() * 3);
    mem_prev.clear();
    mem_prev.reserve(steps.len() * 3);
    program_mult.clear();
    program_mult.resize(program.code.len(), 0);
    range_mult.clear();
    range_mult.resize(1 << 16, 0);
    let touched = &mut scratch.touched;
    touched.reset((program.config.mem_size / 4) as usize);
    let mut rows = Rows {
        mem,
        mem_prev,
        range_mult,
        small: [[0; SMALL]; 4],
        hi_zero: 0,
        regs: [RegState::default(); 32],
    };
    let mut io_pos = 0;
    for (i, s) in steps.iter().enumerate() {
        let base = 4 * (i as u32 + 1);
        let idx = ((s.pc - program.text_start) / 4) as usize;
        program_mult[idx] += 1;
        let ins = program.code[idx];
        let (rs1, rs2, rd) = ins.row_registers();
        if rs1 != 0 {
            rows.reg(rs1, base + slot::RS1, s.a, s.a);
        }
        if rs2 != 0 {
            rows.reg(rs2, base + slot::RS2, s.b, s.b);
        }
        if matches!(ins.op, Op::Lb | Op::Lh | Op::Lw | Op::Lbu | Op::Lhu | Op::Sb | Op::Sh | Op::Sw)
        {
            rows.word(touched, s.mem_addr, base + slot::MEM, s.mem_prev, s.mem_val);
        }
        let clk = start_clk + i as u64;
        while io_pos < io.len() && io[io_pos].clk == clk {
            let a = io[io_pos];
            rows.word(touched, a.addr, base + slot::MEM, a.prev, a.val);
            io_pos += 1;
        }
        if rd != 0 {
            rows.reg(rd, base + slot::RD, regs[rd as usize], s.rd_val);
            regs[rd as usize] = s.rd_val;
        }
        let (row, alu_row) = cpu_row(ins, s);
        if let Some(a) = alu_row {
            alu_rows.push(a);
        }
        cpu.push(row);
    }
    let Rows { range_mult, small, hi_zero, regs: reg_states, .. } = rows;
    range_mult[0] += hi_zero;
    for copy in &small {
        for (m, &c) in range_mult.iter_mut().zip(copy) {
            *m += c;
        }
    }
    touched.entries.sort_unstable();
    mem_init.clear();
    mem_final.clear();
    // Registers (space 0) before memory words (space 1), each by address.
    for (r, st) in reg_states.iter().enumerate().filter(|(_, st)| st.ts != 0) {
        let addr = r as u32;
        mem_init.push(MemBoundary { space: space::REG, addr, val: st.init, ts: 0 });
        mem_final.push(MemBoundary { space: space::REG, addr, val: st.val, ts: st.ts });
    }
    mem_init.extend(touched.entries.iter().map(|e| e.0));
    mem_final.extend(touched.entries.iter().map(|e| e.1));
    *final_regs = regs;
}

/// The same tables made plainly (an ordered map from address to its last access, every range
/// limb counted in `range_mult`): the oracle [`build_tables_into`] is tested against.
#[must_use]
pub fn build_tables_reference(
    program: &Program,
    start_clk: u64,
    regs: [u32; 32],
    steps: &[Step],
    io: &[IoAccess],
) -> ShardTables {
    use std::collections::BTreeMap;
    let mut out = ShardTables {
        start_clk,
        program_mult: vec![0; program.code.len()],
        range_mult: vec![0; 1 << 16],
        ..ShardTables::default()
    };
    let mut regs = regs;
    // (space, addr) → (init, final, last row).
    let mut last: BTreeMap<(u32, u32), (MemBoundary, MemBoundary, u32)> = BTreeMap::new();
    let mut io_pos = 0;
    for (i, s) in steps.iter().enumerate() {
        let clk = start_clk + i as u64;
        let io_end = io_pos + io[io_pos..].iter().take_while(|a| a.clk == clk).count();
        out.program_mult[((s.pc - program.text_start) / 4) as usize] += 1;
        let ShardTables { mem, mem_prev, range_mult, .. } = &mut out;
        step_accesses(
            program,
            4 * (i as u32 + 1),
            &regs,
            s,
            &io[io_pos..io_end],
            |space, addr, ts, prev, val| {
                let row = mem.len() as u32;
                let (prev_ts, prev_val, prev_row) = match last.get_mut(&(space, addr)) {
                    None => {
                        last.insert(
                            (space, addr),
                            (
                                MemBoundary { space, addr, val: prev, ts: 0 },
                                MemBoundary { space, addr, val, ts },
                                row,
                            ),
                        );
                        (0, prev, NO_PREV)
                    }
                    Some((_, f, r)) => {
                        let p = (f.ts, f.val, *r);
                        (f.ts, f.val, *r) = (ts, val, row);
                        p
                    }
                };
                let d = ts.wrapping_sub(prev_ts).wrapping_sub(1);
                range_mult[(d & 0xffff) as usize] += 1;
                range_mult[(d >> 16) as usize] += 1;
                mem.push(MemRow { space, addr, ts, prev_ts, val, prev_val });
                mem_prev.push(prev_row);
            },
        );
        io_pos = io_end;
        let ins = program.code[((s.pc - program.text_start) / 4) as usize];
        let (row, alu_row) = cpu_row(ins, s);
        if row.rd != 0 {
            regs[row.rd as usize] = s.rd_val;
        }
        out.alu.extend(alu_row);
        out.cpu.push(row);
    }
    out.mem_init = last.values().map(|e| e.0).collect();
    out.mem_final = last.values().map(|e| e.1).collect();
    out.final_regs = regs;
    out
}
