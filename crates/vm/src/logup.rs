//! LogUp columns over BabyBear's quartic extension: for every lookup or memory-argument tuple
//! `t = (f_1, …, f_k)` of bus `id`, the fraction `1 / (α − (id + β·f_1 + … + β^k·f_k))`, the
//! inverses made in one batch per shard by Montgomery's trick (chunked, in parallel).
//!
//! 32-bit values enter a tuple as two 16-bit limbs, so that no two different words are the same
//! field element.

use rayon::prelude::*;
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::{ExtensionField, Field};

use crate::decode::{Op, alu};
use crate::elf::Program;
use crate::trace::{AluRow, CpuRow, MemBoundary, MemRow, ShardTables};

/// The base field of the traces.
pub type F = BabyBear;
/// The extension the LogUp challenges and fractions live in.
pub type E = BabyBearExt4;

/// Bus ids (the first, unweighted element of every tuple).
pub mod bus {
    /// CPU rows look up `(pc, op, rd, rs1, rs2, imm)` in the program table.
    pub const PROGRAM: u32 = 1;
    /// CPU rows send `(op, a, b, res)` to the ALU table.
    pub const ALU: u32 = 2;
    /// The memory argument's `(space, addr, val, ts)` tuples.
    pub const MEMORY: u32 = 3;
    /// 16-bit range checks.
    pub const RANGE: u32 = 4;
}

/// Rows of denominators handled per parallel task.
const PAR_MIN: usize = 1 << 12;

/// Independent product chains interleaved by [`batch_inverse_in_place`]: a chain of extension
/// multiplications is latency-bound, four in flight keep the multiplier busy.
const LANES: usize = 4;

/// Replaces every non-zero element by its inverse (zeros stay zero): Montgomery's trick, one
/// inversion per lane per chunk and about three multiplications per element, with [`LANES`]
/// interleaved chains, in chunks over the rayon pool.
pub fn batch_inverse_in_place<T: Field>(values: &mut [T]) {
    let threads = rayon::current_num_threads().max(1);
    let chunk = values.len().div_ceil(threads).max(PAR_MIN);
    values.par_chunks_mut(chunk).for_each(batch_inverse_chunk);
}

fn batch_inverse_chunk<T: Field>(values: &mut [T]) {
    // prefix[i] = product of the non-zero values[j], j < i, j ≡ i (mod LANES).
    let mut prefix = Vec::with_capacity(values.len());
    let mut acc = [T::ONE; LANES];
    for group in values.chunks(LANES) {
        for (l, v) in group.iter().enumerate() {
            prefix.push(acc[l]);
            if !v.is_zero() {
                acc[l] *= *v;
            }
        }
    }
    // Each lane's product is a product of non-zero field elements, hence invertible.
    let mut inv = acc.map(|a| a.inverse().unwrap_or(T::ZERO));
    for i in (0..values.len()).rev() {
        let v = values[i];
        if !v.is_zero() {
            let l = i % LANES;
            values[i] = inv[l] * prefix[i];
            inv[l] *= v;
        }
    }
}

/// The LogUp challenges. A prover draws them from the transcript after committing the main
/// trace; tests draw them at random, benchmarks fix them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Challenges {
    /// The point the fractions' denominators are taken at.
    pub alpha: E,
    /// The weight folding a tuple into one element.
    pub beta: E,
}

impl Challenges {
    /// Deterministic challenges from a seed (for benchmarks and examples; not Fiat–Shamir).
    #[must_use]
    pub fn from_seed(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            // SplitMix64.
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            F::from_u64(z ^ (z >> 31))
        };
        let mut ext = || E::from_base_slice(&[next(), next(), next(), next()]).unwrap_or(E::ONE);
        Self { alpha: ext(), beta: ext() }
    }
}

/// Folds tuples into denominators: `α − (id + Σ β^k·f_k)`.
#[derive(Debug, Clone)]
pub struct Folder {
    alpha: E,
    powers: [E; 8],
}

impl Folder {
    /// The folder for `challenges`.
    #[must_use]
    pub fn new(challenges: &Challenges) -> Self {
        let mut powers = [E::ONE; 8];
        for k in 1..8 {
            powers[k] = powers[k - 1] * challenges.beta;
        }
        Self { alpha: challenges.alpha, powers }
    }

    /// The denominator of `fields` on bus `id` (at most 7 fields).
    #[inline]
    #[must_use]
    pub fn denominator(&self, id: u32, fields: &[u32]) -> E {
        let mut acc = E::from(F::from_u64(u64::from(id)));
        for (k, &f) in fields.iter().enumerate() {
            acc += self.powers[k + 1] * F::from_u64(u64::from(f));
        }
        self.alpha - acc
    }

    fn cpu_program(&self, r: &CpuRow) -> E {
        self.denominator(
            bus::PROGRAM,
            &[
                r.pc,
                u32::from(r.op),
                u32::from(r.rd),
                u32::from(r.rs1),
                u32::from(r.rs2),
                r.imm & 0xffff,
                r.imm >> 16,
            ],
        )
    }

    fn alu(&self, op: u8, a: u32, b: u32, res: u32) -> E {
        self.denominator(
            bus::ALU,
            &[u32::from(op), a & 0xffff, a >> 16, b & 0xffff, b >> 16, res & 0xffff, res >> 16],
        )
    }

    fn memory(&self, space: u32, addr: u32, val: u32, ts: u32) -> E {
        self.denominator(bus::MEMORY, &[space, addr, val & 0xffff, val >> 16, ts])
    }

    fn boundary(&self, b: &MemBoundary) -> E {
        self.memory(b.space, b.addr, b.val, b.ts)
    }
}

/// The program table's tuple for text word `idx`: `(pc, op, rd, rs1, rs2, imm_lo, imm_hi)`, with
/// the registers an `ecall` row uses (`rs1 = x17`, `rs2 = x10`, `rd = x10`).
#[must_use]
pub fn program_tuple(program: &Program, idx: usize) -> [u32; 7] {
    let ins = program.code[idx];
    let (rs1, rs2, rd) =
        if ins.op == Op::Ecall { (17, 10, 10) } else { (ins.rs1, ins.rs2, ins.rd) };
    let imm = ins.imm as u32;
    [
        program.text_start + 4 * idx as u32,
        ins.op as u8 as u32,
        u32::from(rd),
        u32::from(rs1),
        u32::from(rs2),
        imm & 0xffff,
        imm >> 16,
    ]
}

/// A CPU row's program-bus tuple.
fn cpu_program_tuple(r: &CpuRow) -> [u32; 7] {
    [
        r.pc,
        u32::from(r.op),
        u32::from(r.rd),
        u32::from(r.rs1),
        u32::from(r.rs2),
        r.imm & 0xffff,
        r.imm >> 16,
    ]
}

/// The inverted denominators of the fixed tables (program and range), computed once per program
/// and challenges and shared by every shard.
#[derive(Debug, Clone)]
pub struct FixedTables {
    folder: Folder,
    text_start: u32,
    program_tuples: Vec<[u32; 7]>,
    /// `1 / (α − program tuple)` per text word.
    pub program_inv: Vec<E>,
    /// `1 / (α − (RANGE + β·v))` for `v < 2^16`.
    pub range_inv: Vec<E>,
}

impl FixedTables {
    /// Computes the fixed tables' fractions.
    #[must_use]
    pub fn new(program: &Program, challenges: &Challenges) -> Self {
        let folder = Folder::new(challenges);
        let program_tuples: Vec<[u32; 7]> =
            (0..program.code.len()).map(|i| program_tuple(program, i)).collect();
        let mut program_inv: Vec<E> = program_tuples
            .par_iter()
            .with_min_len(PAR_MIN)
            .map(|t| folder.denominator(bus::PROGRAM, t))
            .collect();
        batch_inverse_in_place(&mut program_inv);
        let mut range_inv: Vec<E> = (0..1u32 << 16)
            .into_par_iter()
            .with_min_len(PAR_MIN)
            .map(|v| folder.denominator(bus::RANGE, &[v]))
            .collect();
        batch_inverse_in_place(&mut range_inv);
        Self { folder, text_start: program.text_start, program_tuples, program_inv, range_inv }
    }
}

/// A shard's LogUp fraction columns (one entry per row of the named table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogUpColumns {
    /// CPU: `1 / (α − program tuple)`.
    pub cpu_program: Vec<E>,
    /// CPU: `1 / (α − ALU tuple)`, 0 on rows that are not ALU.
    pub cpu_alu: Vec<E>,
    /// ALU: `1 / (α − ALU tuple)`.
    pub alu: Vec<E>,
    /// Memory: `1 / (α − (space, addr, prev_val, prev_ts))`.
    pub mem_read: Vec<E>,
    /// Memory: `1 / (α − (space, addr, val, ts))`.
    pub mem_write: Vec<E>,
    /// Memory: the range-check fractions of `ts − prev_ts − 1`, low limb.
    pub mem_range_lo: Vec<E>,
    /// Memory: the same, high limb.
    pub mem_range_hi: Vec<E>,
    /// The init set's fractions.
    pub mem_init: Vec<E>,
    /// The final set's fractions.
    pub mem_final: Vec<E>,
    /// Program table: `multiplicity / (α − tuple)` per text word.
    pub program_table: Vec<E>,
    /// Range table: `multiplicity / (α − v)` per `v < 2^16`.
    pub range_table: Vec<E>,
}

fn sum(v: &[E]) -> E {
    v.par_iter().with_min_len(PAR_MIN).copied().reduce(|| E::ZERO, |a, b| a + b)
}

/// The two 16-bit limbs of `ts − prev_ts − 1` (wrapping: a tampered row must not panic).
fn limbs_d(r: &MemRow) -> (u32, u32) {
    let d = r.ts.wrapping_sub(r.prev_ts).wrapping_sub(1);
    (d & 0xffff, d >> 16)
}

/// The range bus fraction of `v`: the fixed table's inverse for `v < 2^16`, else (only in a
/// tampered trace) its own.
fn range_frac(fixed: &FixedTables, v: u32) -> E {
    match fixed.range_inv.get(v as usize) {
        Some(&inv) => inv,
        None => fixed.folder.denominator(bus::RANGE, &[v]).inverse().unwrap_or(E::ZERO),
    }
}

impl LogUpColumns {
    /// Computes a shard's fraction columns: every denominator, then batch inversions.
    #[must_use]
    pub fn compute(t: &ShardTables, fixed: &FixedTables) -> Self {
        let f = &fixed.folder;
        // Every data-dependent denominator (0 where a CPU row sends nothing), then the inverses.
        let mut cpu_alu: Vec<E> = t
            .cpu
            .par_iter()
            .with_min_len(PAR_MIN)
            .map(|r| if is_alu(r.op) { f.alu(r.op, r.a, alu_rhs(r), r.res) } else { E::ZERO })
            .collect();
        let mut alu: Vec<E> = t
            .alu
            .par_iter()
            .with_min_len(PAR_MIN)
            .map(|r: &AluRow| f.alu(r.op, r.a, r.b, r.res))
            .collect();
        let mut mem_read: Vec<E> = t
            .mem
            .par_iter()
            .with_min_len(PAR_MIN)
            .map(|r| f.memory(r.space, r.addr, r.prev_val, r.prev_ts))
            .collect();
        let mut mem_write: Vec<E> = t
            .mem
            .par_iter()
            .with_min_len(PAR_MIN)
            .map(|r| f.memory(r.space, r.addr, r.val, r.ts))
            .collect();
        let mut mem_init: Vec<E> = t.mem_init.iter().map(|b| f.boundary(b)).collect();
        let mut mem_final: Vec<E> = t.mem_final.iter().map(|b| f.boundary(b)).collect();
        for v in
            [&mut cpu_alu, &mut alu, &mut mem_read, &mut mem_write, &mut mem_init, &mut mem_final]
        {
            batch_inverse_in_place(v);
        }
        let cpu_program = t
            .cpu
            .par_iter()
            .with_min_len(PAR_MIN)
            .map(|r| {
                // The fixed table's inverse where the row is the instruction at its pc (always,
                // for an honest trace); else the row's own fraction.
                let idx = (r.pc.wrapping_sub(fixed.text_start) / 4) as usize;
                match fixed.program_tuples.get(idx) {
                    Some(t) if *t == cpu_program_tuple(r) => fixed.program_inv[idx],
                    _ => f.cpu_program(r).inverse().unwrap_or(E::ZERO),
                }
            })
            .collect();
        let (mem_range_lo, mem_range_hi) = t
            .mem
            .par_iter()
            .with_min_len(PAR_MIN)
            .map(|r| {
                let (lo, hi) = limbs_d(r);
                (range_frac(fixed, lo), range_frac(fixed, hi))
            })
            .unzip();
        let program_table = t
            .program_mult
            .iter()
            .zip(&fixed.program_inv)
            .map(|(&m, &inv)| inv * F::from_u64(u64::from(m)))
            .collect();
        let range_table = t
            .range_mult
            .iter()
            .zip(&fixed.range_inv)
            .map(|(&m, &inv)| inv * F::from_u64(u64::from(m)))
            .collect();
        Self {
            cpu_program,
            cpu_alu,
            alu,
            mem_read,
            mem_write,
            mem_range_lo,
            mem_range_hi,
            mem_init,
            mem_final,
            program_table,
            range_table,
        }
    }

    /// The sum of every bus's fractions with their signs (looked up − table, sent − received,
    /// init + writes − reads − final). Zero when the shard's tables are consistent.
    #[must_use]
    pub fn balance(&self) -> E {
        sum(&self.cpu_program) - sum(&self.program_table) + sum(&self.cpu_alu) - sum(&self.alu)
            + sum(&self.mem_init)
            + sum(&self.mem_write)
            - sum(&self.mem_read)
            - sum(&self.mem_final)
            + sum(&self.mem_range_lo)
            + sum(&self.mem_range_hi)
            - sum(&self.range_table)
    }
}

fn is_alu(op: u8) -> bool {
    Op::from_id(op).is_some_and(Op::is_alu)
}

/// The ALU's second operand of a CPU row: `rs2`'s value, or the immediate.
fn alu_rhs(r: &CpuRow) -> u32 {
    if Op::from_id(r.op).is_some_and(Op::reads_rs2) { r.b } else { r.imm }
}

/// Checks every ALU row against the operation it names (what the ALU AIR constrains).
#[must_use]
pub fn alu_rows_valid(rows: &[AluRow]) -> bool {
    rows.iter().all(|r| Op::from_id(r.op).and_then(|op| alu(op, r.a, r.b)) == Some(r.res))
}
