//! LogUp columns over BabyBear's quartic extension: for every lookup or memory-argument tuple
//! `t = (f_1, …, f_k)` of bus `id`, the fraction `1 / (α − (id + β·f_1 + … + β^k·f_k))`, the
//! inverses made in one batch per shard by Montgomery's trick (chunked, in parallel).
//!
//! The hot path ([`LogUpColumns::compute_into`]) folds the tuples and inverts on SIMD lanes
//! ([`zkprove_field::packed_ext`], packing chosen at run time): 16 (AVX-512) or 8 (AVX2) rows at
//! a time, each coefficient of the quartic extension a packed vector (the block's tuple words
//! gathered first as plain `u32`s, then folded by the lazy limb dot product
//! [`PackedExt4::dot_limbs`]: every 32-bit word entered whole, its two 16-bit limbs weighted by
//! `β^k` and `2^16·β^k` — or `β^k`, `β^{k+1}` where the tuple splits the word into two fields —
//! 64-bit sums and one reduction per coefficient), one packed base-field inversion per block of
//! 32 vectors and Montgomery's trick on the norms down to the base field
//! ([`batch_inverse_packed_ext4`]); it writes into the columns' existing buffers. Only the ALU rows' and the memory writes' fractions are inverted:
//! a CPU row's ALU fraction is the matching ALU row's, a memory read's is the previous access's
//! write (or the init set's entry), so they are copied where the tuples are equal (always, for
//! honest tables) and made one by one elsewhere. [`LogUpColumns::compute_reference`] is the
//! one-by-one oracle it is tested against (the results are identical: field arithmetic is exact).
//!
//! 32-bit values enter a tuple as two 16-bit limbs, so that no two different words are the same
//! field element.

use rayon::prelude::*;
use zkprove_air::{AirError, AirOps};
use zkprove_field::babybear::{BabyBear, BabyBearExt4, BabyBearExt4Params};
use zkprove_field::packed_ext::{PackedExt4, batch_inverse_packed_ext4};
use zkprove_field::{ExtensionField, Field, PackedField, PackedKernel};
use zkprove_poly::{ColumnOps, DeviceError};

use crate::decode::{Op, alu};
use crate::elf::Program;
use crate::trace::{AluRow, CpuRow, MemBoundary, MemRow, NO_PREV, ShardTables};

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
        self.denominator(bus::PROGRAM, &cpu_program_tuple(r))
    }

    /// The limb weights of a whole word in tuple position `k` (1-based): `(β^k, 2^16·β^k)`, so
    /// that the word's two 16-bit limbs add up to `β^k·x`.
    fn word(&self, k: usize) -> [E; 2] {
        [self.powers[k], self.powers[k] * F::from_u64(1 << 16)]
    }

    /// The limb weights of a word split into two tuple fields `k` (low limb) and `k + 1`.
    fn limbs(&self, k: usize) -> [E; 2] {
        [self.powers[k], self.powers[k + 1]]
    }

    /// The ALU tuple as the words `(op, a, b, res)` ([`alu_words`]).
    fn alu_weights(&self) -> [[E; 2]; 4] {
        [self.word(1), self.limbs(2), self.limbs(4), self.limbs(6)]
    }

    /// The memory tuple as the words `(space, addr, val, ts)` ([`memory_words`]).
    fn memory_weights(&self) -> [[E; 2]; 4] {
        [self.word(1), self.word(2), self.limbs(3), self.word(5)]
    }

    /// The program tuple as the words `(pc, op, rd, rs1, rs2, imm)`.
    fn program_weights(&self) -> [[E; 2]; 6] {
        [self.word(1), self.word(2), self.word(3), self.word(4), self.word(5), self.limbs(6)]
    }

    /// `α − id`, the constant part of every denominator of bus `id`.
    fn alpha_minus(&self, id: u32) -> E {
        self.alpha - F::from_u64(u64::from(id))
    }
}

/// The ALU bus tuple `(op, a_lo, a_hi, b_lo, b_hi, res_lo, res_hi)`.
#[inline(always)]
fn alu_tuple(op: u8, a: u32, b: u32, res: u32) -> [u32; 7] {
    [u32::from(op), a & 0xffff, a >> 16, b & 0xffff, b >> 16, res & 0xffff, res >> 16]
}

/// The memory bus tuple `(space, addr, val_lo, val_hi, ts)`.
#[inline(always)]
fn memory_tuple(space: u32, addr: u32, val: u32, ts: u32) -> [u32; 5] {
    [space, addr, val & 0xffff, val >> 16, ts]
}

fn boundary_tuple(b: &MemBoundary) -> [u32; 5] {
    memory_tuple(b.space, b.addr, b.val, b.ts)
}

/// The ALU tuple as whole words, for the limb fold ([`Folder::alu_weights`]).
#[inline(always)]
fn alu_words(r: &AluRow) -> [u32; 4] {
    [u32::from(r.op), r.a, r.b, r.res]
}

/// The memory tuple as whole words, for the limb fold ([`Folder::memory_weights`]).
#[inline(always)]
fn memory_words(space: u32, addr: u32, val: u32, ts: u32) -> [u32; 4] {
    [space, addr, val, ts]
}

/// The program tuple `t` ([`program_tuple`]) as whole words, the immediate's limbs joined.
#[inline(always)]
fn program_words(t: &[u32; 7]) -> [u32; 6] {
    [t[0], t[1], t[2], t[3], t[4], t[5] | (t[6] << 16)]
}

/// Packed vectors per block of [`FoldInvert`] (one packed inversion per block; the block's
/// denominators and prefix products stay in the L1 cache).
const BLOCK: usize = 32;

/// Rows per block of [`FoldInvert`] at the widest packing (16 lanes).
const BLOCK_ROWS: usize = BLOCK * 16;

type PE<P> = PackedExt4<P, BabyBearExt4Params>;

/// Sets `v`'s length to `n` without writing the elements it keeps (the caller overwrites all).
fn set_len(v: &mut Vec<E>, n: usize) {
    if v.len() > n {
        v.truncate(n);
    } else {
        v.resize(n, E::ZERO);
    }
}

/// `out[i] = 1 / (α − id − Σ_k (a_k·(x_k mod 2^16) + b_k·(x_k >> 16)))` for `i < n`, with
/// `x = words(i)` and `[a_k, b_k] = weights[k]` (see [`Folder::word`], [`Folder::limbs`]: the tuple
/// fold with every 32-bit word entered whole), and 0 where the denominator is zero; `out` is
/// resized to `n`, its buffer reused. Parallel chunks over the rayon pool, each folded and
/// inverted on SIMD lanes ([`FoldInvert`]).
fn fold_invert<const K: usize, T>(
    out: &mut Vec<E>,
    n: usize,
    folder: &Folder,
    id: u32,
    weights: [[E; 2]; K],
    words: T,
) where
    T: Fn(usize) -> [u32; K] + Sync,
{
    set_len(out, n);
    let threads = rayon::current_num_threads().max(1);
    let chunk = n.div_ceil(threads).max(PAR_MIN);
    let alpha_id = folder.alpha_minus(id);
    let tuple = &words;
    out.par_chunks_mut(chunk).enumerate().for_each(|(c, o)| {
        F::with_packing(FoldInvert { out: o, first_row: c * chunk, alpha_id, weights, tuple });
    });
}

/// [`fold_invert`] on backend `B`: the `K` tuple fields uploaded as base-field columns, then
/// `B::logup_column` with `β' = α − id` and the weights `β^1, …, β^K`; a zero denominator sends
/// the table to [`fold_invert`] (which writes 0 there, as the CPU path does).
fn device_invert<B: AirOps<F, E>, const K: usize, T>(
    out: &mut Vec<E>,
    n: usize,
    folder: &Folder,
    id: u32,
    tuple: T,
) -> Result<(), DeviceError>
where
    T: Fn(usize) -> [u32; K] + Sync,
{
    if n == 0 {
        out.clear();
        return Ok(());
    }
    let mut cols: Vec<Vec<F>> = (0..K).map(|_| Vec::with_capacity(n)).collect();
    for i in 0..n {
        for (c, &v) in cols.iter_mut().zip(&tuple(i)) {
            c.push(F::from_u64(u64::from(v)));
        }
    }
    let up = cols
        .iter()
        .map(|c| <B as ColumnOps<F>>::upload(c))
        .collect::<Result<Vec<_>, DeviceError>>()?;
    let refs: Vec<&B::Column<F>> = up.iter().collect();
    match B::logup_column(&refs, folder.alpha_minus(id), &folder.powers[1..=K]) {
        Ok(h) => {
            *out = <B as ColumnOps<E>>::download(&h)?;
            Ok(())
        }
        Err(AirError::LogUpDenominatorZero) => {
            // The CPU path with the tuple's fields as words of one limb each (`K ≤ 7`).
            let mut weights = [[E::ZERO; 2]; K];
            for (k, w) in weights.iter_mut().enumerate() {
                *w = folder.word(k + 1);
            }
            fold_invert(out, n, folder, id, weights, tuple);
            Ok(())
        }
        Err(AirError::Device(e)) => Err(e),
        Err(e) => Err(DeviceError::Unsupported { backend: B::NAME, what: e.to_string() }),
    }
}

/// One chunk of [`fold_invert`] on the packing `P`.
struct FoldInvert<'a, const K: usize, T> {
    out: &'a mut [E],
    first_row: usize,
    alpha_id: E,
    /// The limb weights of the `K` words ([`fold_invert`]).
    weights: [[E; 2]; K],
    /// Row `i`'s words.
    tuple: &'a T,
}

impl<const K: usize, T> PackedKernel<F> for FoldInvert<'_, K, T>
where
    T: Fn(usize) -> [u32; K] + Sync,
{
    type Output = ();

    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) {
        let w = P::WIDTH;
        let Self { out, first_row, alpha_id, weights, tuple } = self;
        let len = out.len();
        let alpha = PE::<P>::broadcast(alpha_id);
        let weights = PE::<P>::limb_weights(&weights);
        // The block's words, one slice per tuple word, row after row: gathered first (plain
        // `u32` stores, no conversion), then read `w` rows at a time by the lazy limb fold.
        let mut words = [[0u32; BLOCK_ROWS]; K];
        let mut vals = [PE::<P>::default(); BLOCK];
        let mut scratch = [PE::<P>::default(); BLOCK];
        // Vectors per block: `BLOCK`, fewer only for a packing wider than 16 lanes.
        let vectors = (BLOCK_ROWS / w).clamp(1, BLOCK);
        let mut start = 0;
        while start < len {
            let block_len = (vectors * w).min(len - start);
            let n_packed = block_len.div_ceil(w);
            for i in 0..block_len {
                let t = tuple(first_row + start + i);
                for (v, &x) in words.iter_mut().zip(&t) {
                    v[i] = x;
                }
            }
            // Padding lanes of the last partial vector: zero words (their fractions are not
            // written; a zero denominator there only sends the block to the slow path).
            for v in &mut words {
                v[block_len..n_packed * w].fill(0);
            }
            let refs: [&[u32]; K] = core::array::from_fn(|k| &words[k][..]);
            for (b, val) in vals[..n_packed].iter_mut().enumerate() {
                *val = alpha - PE::<P>::dot_limbs(&weights, &refs, b * w);
            }
            let o = &mut out[start..start + block_len];
            if batch_inverse_packed_ext4(&mut vals[..n_packed], &mut scratch[..n_packed]) {
                for (v, o) in vals.iter().zip(o.chunks_mut(w)) {
                    v.write_lanes(o);
                }
            } else {
                // A zero denominator in this block (never for honest data at random
                // challenges): `vals` still holds the denominators; invert one by one.
                for (i, x) in o.iter_mut().enumerate() {
                    *x = vals[i / w].lane(i % w).inverse().unwrap_or(E::ZERO);
                }
            }
            start += block_len;
        }
    }
}

/// The program table's tuple for text word `idx`: `(pc, op, rd, rs1, rs2, imm_lo, imm_hi)`, with
/// the registers an `ecall` row uses (`rs1 = x17`, `rs2 = x10`, `rd = x10`).
#[must_use]
pub fn program_tuple(program: &Program, idx: usize) -> [u32; 7] {
    let ins = program.code[idx];
    let (rs1, rs2, rd) = ins.row_registers();
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

/// `(op, rd, rs1, rs2, imm)` as one integer: two program tuples with the same pc are equal iff
/// their keys are (the register fields are bytes).
#[inline(always)]
fn program_key(op: u8, rd: u8, rs1: u8, rs2: u8, imm: u32) -> u64 {
    u64::from(op)
        | u64::from(rd) << 8
        | u64::from(rs1) << 16
        | u64::from(rs2) << 24
        | u64::from(imm) << 32
}

/// What [`LogUpColumns::derive`] needs of an op id: bit 0 — an ALU op, bit 1 — its second
/// operand is `rs2`'s value (else the immediate).
fn op_kinds() -> [u8; 256] {
    let mut kinds = [0u8; 256];
    for (id, k) in kinds.iter_mut().enumerate() {
        if let Some(op) = Op::from_id(id as u8) {
            *k = u8::from(op.is_alu()) | u8::from(op.reads_rs2()) << 1;
        }
    }
    kinds
}

/// The inverted denominators of the fixed tables (program and range), computed once per program
/// and challenges and shared by every shard.
#[derive(Debug, Clone)]
pub struct FixedTables {
    folder: Folder,
    text_start: u32,
    program_tuples: Vec<[u32; 7]>,
    /// Per text word, the program tuple without its pc as one integer ([`program_key`]).
    program_keys: Vec<u64>,
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
        let mut program_inv = Vec::new();
        fold_invert(
            &mut program_inv,
            program_tuples.len(),
            &folder,
            bus::PROGRAM,
            folder.program_weights(),
            |i| program_words(&program_tuples[i]),
        );
        let mut range_inv = Vec::new();
        fold_invert(&mut range_inv, 1 << 16, &folder, bus::RANGE, [folder.word(1)], |v| [v as u32]);
        let program_keys = program_tuples
            .iter()
            .map(|t| {
                program_key(t[1] as u8, t[2] as u8, t[3] as u8, t[4] as u8, t[5] | (t[6] << 16))
            })
            .collect();
        Self {
            folder,
            text_start: program.text_start,
            program_tuples,
            program_keys,
            program_inv,
            range_inv,
        }
    }
}

/// A shard's LogUp fraction columns (one entry per row of the named table).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
    /// Computes a shard's fraction columns (see [`LogUpColumns::compute_into`]).
    #[must_use]
    pub fn compute(t: &ShardTables, fixed: &FixedTables) -> Self {
        let mut out = Self::default();
        out.compute_into(t, fixed);
        out
    }

    /// Computes a shard's fraction columns into `self`, reusing its buffers (a shard of the same
    /// size as the last one allocates nothing): the ALU, memory-write and
    /// boundary denominators folded and inverted on SIMD lanes in blocks (Montgomery's trick), the
    /// CPU rows' ALU fractions and the memory reads' copied from the equal tuples' (see the
    /// module docs), the program and range buses read from the fixed tables' inverses.
    pub fn compute_into(&mut self, t: &ShardTables, fixed: &FixedTables) {
        let f = &fixed.folder;
        fold_invert(&mut self.alu, t.alu.len(), f, bus::ALU, f.alu_weights(), |i| {
            alu_words(&t.alu[i])
        });
        let mem_w = f.memory_weights();
        fold_invert(&mut self.mem_write, t.mem.len(), f, bus::MEMORY, mem_w, |i| {
            let r = &t.mem[i];
            memory_words(r.space, r.addr, r.val, r.ts)
        });
        fold_invert(&mut self.mem_init, t.mem_init.len(), f, bus::MEMORY, mem_w, |i| {
            let b = &t.mem_init[i];
            memory_words(b.space, b.addr, b.val, b.ts)
        });
        fold_invert(&mut self.mem_final, t.mem_final.len(), f, bus::MEMORY, mem_w, |i| {
            let b = &t.mem_final[i];
            memory_words(b.space, b.addr, b.val, b.ts)
        });
        self.derive(t, fixed);
    }

    /// [`LogUpColumns::compute_into`] with the batch inversions on backend `B` (a GPU through
    /// `zkprove-gpu`'s [`AirOps`] implementation, whose `logup_column` folds the tuples and
    /// inverts them by Montgomery's trick on the device): the ALU, memory-write and boundary
    /// tuples are uploaded as columns of their fields, their fractions read back, and the
    /// copied and fixed-table columns made on the host as in `compute_into`. The columns are
    /// the same, element for element (a table with a zero denominator — never for honest data
    /// at random challenges — is made on the CPU, which writes 0 there).
    ///
    /// # Errors
    /// The backend's failures.
    pub fn compute_on<B: AirOps<F, E>>(
        &mut self,
        t: &ShardTables,
        fixed: &FixedTables,
    ) -> Result<(), DeviceError> {
        let f = &fixed.folder;
        device_invert::<B, 7, _>(&mut self.alu, t.alu.len(), f, bus::ALU, |i| {
            let r = &t.alu[i];
            alu_tuple(r.op, r.a, r.b, r.res)
        })?;
        device_invert::<B, 5, _>(&mut self.mem_write, t.mem.len(), f, bus::MEMORY, |i| {
            let r = &t.mem[i];
            memory_tuple(r.space, r.addr, r.val, r.ts)
        })?;
        device_invert::<B, 5, _>(&mut self.mem_init, t.mem_init.len(), f, bus::MEMORY, |i| {
            boundary_tuple(&t.mem_init[i])
        })?;
        device_invert::<B, 5, _>(&mut self.mem_final, t.mem_final.len(), f, bus::MEMORY, |i| {
            boundary_tuple(&t.mem_final[i])
        })?;
        self.derive(t, fixed);
        Ok(())
    }

    /// The columns made from the inverted ones and the fixed tables (copies, range and table
    /// fractions): the common tail of [`LogUpColumns::compute_into`] and
    /// [`LogUpColumns::compute_on`].
    fn derive(&mut self, t: &ShardTables, fixed: &FixedTables) {
        let f = &fixed.folder;
        // One pass over the CPU rows, in parallel chunks, makes both of their columns.
        // ALU bus: the k-th ALU row of the CPU sends the ALU row k's tuple (for honest tables):
        // its fraction is copied where the tuples are equal (compared field by field: the
        // tuple is an injective image of `(op, a, b, res)`), else made one by one; each chunk
        // starts at the ALU row after the ALU rows of the chunks before it (counted first).
        // Program bus: the fixed table's inverse where the row is the instruction at its pc
        // (always, for an honest trace); else the row's own fraction.
        let kinds = op_kinds();
        let n_cpu = t.cpu.len();
        set_len(&mut self.cpu_alu, n_cpu);
        set_len(&mut self.cpu_program, n_cpu);
        let chunk = n_cpu.div_ceil(rayon::current_num_threads().max(1)).max(PAR_MIN);
        let mut first_alu: Vec<usize> = t
            .cpu
            .par_chunks(chunk)
            .map(|rows| rows.iter().filter(|r| kinds[usize::from(r.op)] & 1 != 0).count())
            .collect();
        let mut before = 0;
        for x in &mut first_alu {
            (*x, before) = (before, before + *x);
        }
        let (alu_rows, alu_fracs) = (&t.alu, &self.alu);
        let text_start = fixed.text_start;
        self.cpu_alu
            .par_chunks_mut(chunk)
            .zip(self.cpu_program.par_chunks_mut(chunk))
            .zip(t.cpu.par_chunks(chunk))
            .zip(first_alu)
            .for_each(|(((alu_out, program_out), rows), mut k)| {
                for ((x, p), r) in alu_out.iter_mut().zip(program_out.iter_mut()).zip(rows) {
                    let off = r.pc.wrapping_sub(text_start);
                    let idx = (off / 4) as usize;
                    let key = program_key(r.op, r.rd, r.rs1, r.rs2, r.imm);
                    *p = match (fixed.program_keys.get(idx), fixed.program_inv.get(idx)) {
                        (Some(&pk), Some(&inv)) if pk == key && off % 4 == 0 => inv,
                        _ => f.cpu_program(r).inverse().unwrap_or(E::ZERO),
                    };
                    let kind = kinds[usize::from(r.op)];
                    if kind & 1 == 0 {
                        *x = E::ZERO;
                        continue;
                    }
                    let rhs = if kind & 2 != 0 { r.b } else { r.imm };
                    *x = match (alu_rows.get(k), alu_fracs.get(k)) {
                        (Some(a), Some(&frac))
                            if a.op == r.op && a.a == r.a && a.b == rhs && a.res == r.res =>
                        {
                            frac
                        }
                        _ => f
                            .denominator(bus::ALU, &alu_tuple(r.op, r.a, rhs, r.res))
                            .inverse()
                            .unwrap_or(E::ZERO),
                    };
                    k += 1;
                }
            });
        // A memory row's read tuple is the previous access's write tuple, or the init set's
        // entry for the first access of its address: copied where the tuples are equal, else
        // (only in tampered tables) made one by one. The same pass makes the row's two range
        // fractions (both limbs are below 2^16: read straight from the fixed table).
        set_len(&mut self.mem_read, t.mem.len());
        set_len(&mut self.mem_range_lo, t.mem.len());
        set_len(&mut self.mem_range_hi, t.mem.len());
        let (mem_write, mem_init) = (&self.mem_write, &self.mem_init);
        let range: Option<&[E; 1 << 16]> = fixed.range_inv.as_slice().try_into().ok();
        self.mem_read
            .par_iter_mut()
            .with_min_len(PAR_MIN)
            .zip(&mut self.mem_range_lo)
            .zip(&mut self.mem_range_hi)
            .enumerate()
            .for_each(|(i, ((x, lo), hi))| {
                let r = &t.mem[i];
                let copied = match t.mem_prev.get(i) {
                    Some(&NO_PREV) => t
                        .mem_init
                        .binary_search_by(|b| (b.space, b.addr).cmp(&(r.space, r.addr)))
                        .ok()
                        .filter(|&j| {
                            let b = &t.mem_init[j];
                            b.val == r.prev_val && b.ts == r.prev_ts
                        })
                        .and_then(|j| mem_init.get(j)),
                    Some(&j) => t
                        .mem
                        .get(j as usize)
                        .filter(|w| {
                            w.space == r.space
                                && w.addr == r.addr
                                && w.val == r.prev_val
                                && w.ts == r.prev_ts
                        })
                        .and_then(|_| mem_write.get(j as usize)),
                    None => None,
                };
                *x = match copied {
                    Some(&frac) => frac,
                    None => f
                        .denominator(
                            bus::MEMORY,
                            &memory_tuple(r.space, r.addr, r.prev_val, r.prev_ts),
                        )
                        .inverse()
                        .unwrap_or(E::ZERO),
                };
                let (l, h) = limbs_d(r);
                match range {
                    Some(table) => {
                        *lo = table[(l & 0xffff) as usize];
                        *hi = table[(h & 0xffff) as usize];
                    }
                    None => {
                        *lo = range_frac(fixed, l);
                        *hi = range_frac(fixed, h);
                    }
                }
            });
        self.program_table.clear();
        self.program_table.extend(
            t.program_mult
                .iter()
                .zip(&fixed.program_inv)
                .map(|(&m, &inv)| inv * F::from_u64(u64::from(m))),
        );
        set_len(&mut self.range_table, t.range_mult.len().min(fixed.range_inv.len()));
        self.range_table
            .par_iter_mut()
            .with_min_len(PAR_MIN)
            .zip(t.range_mult.par_iter().zip(&fixed.range_inv))
            .for_each(|(x, (&m, &inv))| {
                // Most of the 2^16 values are never checked in a shard: no product for them.
                *x = match m {
                    0 => E::ZERO,
                    1 => inv,
                    _ => inv * F::from_u64(u64::from(m)),
                };
            });
    }

    /// The same columns one fraction at a time (each denominator by [`Folder::denominator`],
    /// each inverse by [`Field::inverse`]): the oracle [`LogUpColumns::compute_into`] is tested
    /// against.
    #[must_use]
    pub fn compute_reference(t: &ShardTables, fixed: &FixedTables) -> Self {
        let f = &fixed.folder;
        let inv = |id: u32, fields: &[u32]| f.denominator(id, fields).inverse().unwrap_or(E::ZERO);
        let program_inv: Vec<E> =
            fixed.program_tuples.iter().map(|t| inv(bus::PROGRAM, t)).collect();
        let range_inv: Vec<E> = (0..1u32 << 16).map(|v| inv(bus::RANGE, &[v])).collect();
        let range = |v: u32| inv(bus::RANGE, &[v]);
        Self {
            cpu_program: t.cpu.iter().map(|r| inv(bus::PROGRAM, &cpu_program_tuple(r))).collect(),
            cpu_alu: t
                .cpu
                .iter()
                .map(|r| {
                    if is_alu(r.op) {
                        inv(bus::ALU, &alu_tuple(r.op, r.a, alu_rhs(r), r.res))
                    } else {
                        E::ZERO
                    }
                })
                .collect(),
            alu: t.alu.iter().map(|r| inv(bus::ALU, &alu_tuple(r.op, r.a, r.b, r.res))).collect(),
            mem_read: t
                .mem
                .iter()
                .map(|r| inv(bus::MEMORY, &memory_tuple(r.space, r.addr, r.prev_val, r.prev_ts)))
                .collect(),
            mem_write: t
                .mem
                .iter()
                .map(|r| inv(bus::MEMORY, &memory_tuple(r.space, r.addr, r.val, r.ts)))
                .collect(),
            mem_range_lo: t.mem.iter().map(|r| range(limbs_d(r).0)).collect(),
            mem_range_hi: t.mem.iter().map(|r| range(limbs_d(r).1)).collect(),
            mem_init: t.mem_init.iter().map(|b| inv(bus::MEMORY, &boundary_tuple(b))).collect(),
            mem_final: t.mem_final.iter().map(|b| inv(bus::MEMORY, &boundary_tuple(b))).collect(),
            program_table: t
                .program_mult
                .iter()
                .zip(&program_inv)
                .map(|(&m, &i)| i * F::from_u64(u64::from(m)))
                .collect(),
            range_table: t
                .range_mult
                .iter()
                .zip(&range_inv)
                .map(|(&m, &i)| i * F::from_u64(u64::from(m)))
                .collect(),
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
