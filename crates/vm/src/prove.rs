//! Proving runs with `zkprove-air`'s multi-table prover: the VM's tables as AIRs on shared LogUp
//! buses ([`VmTable`]), the proof ([`prove`]) and its check ([`verify`]).
//!
//! # What is proved today (a sound subset)
//! All of RV32IM except `fence`: the CPU AIR constrains RV32I: `add`, `addi`, `sub`, `lui`,
//! `auipc`, `and`, `or`, `xor`, `andi`, `ori`, `xori`, `sll`, `srl`, `sra`, `slli`, `srli`, `srai`,
//! `slt`, `sltu`, `slti`, `sltiu`, `jal`, `jalr`, `beq`, `bne`, `blt`, `bge`, `bltu`, `bgeu`,
//! `lw`, `lh`, `lhu`, `lb`, `lbu`, `sw`, `sh`, `sb`, and `ecall` for `read` (fd 0, the
//! private input), `write` (fd 1, the public output), `exit`/`exit_group`; the MulDiv table the
//! M extension (`mul`, `mulh`, `mulhsu`, `mulhu`, `div`, `divu`, `rem`, `remu`, division by
//! zero and `INT_MIN / −1` as RISC-V defines them). [`prove`] refuses a
//! run that executes any other instruction (`fence`), naming it
//! ([`ProveError::Unsupported`]), another system call ([`ProveError::UnsupportedSyscall`]), or
//! a load, store or I/O buffer below or between the ELF's segments
//! ([`ProveError::MemoryOutside`]): a proof never covers an executed instruction without its
//! constraint. The statement is: this ELF, on some input, wrote exactly these bytes and exited
//! with this status.
//!
//! [`prove`] makes one proof of a whole run (up to [`MAX_PROVABLE_CYCLES`]); longer runs are
//! proved in segments by [`crate::continuation`] (what `zkprove vm prove` does), with the same
//! tables but for three changes described there (the CPU's start pc and clock and its segment
//! end `IS_END`, public final registers, and a boundary table of the touched words in place of
//! the image and RAM tables).
//!
//! # Tables and buses
//! Values are 32-bit words as two 16-bit limbs `(lo, hi)`; every limb a table computes is range
//! checked (`range16` bus, or bytes on the `bytes` bus), so words read back from the memory
//! argument are canonical by induction (init values come from the verifier).
//! - **CPU** (one row per cycle, padded with `is_real = 0` rows): `pc`, `clk` (`start_clk +
//!   row + 1`; `start_clk = 0` for a whole run, a segment's start in a continuation), one
//!   selector per supported operation, the decoded fields, the operands `a`, `b` (the values of
//!   `rs1`, `rs2`), the result `res`, and the memory-argument data. Constraints: the first row
//!   is real with `pc = entry` (a segment's start pc), `clk` counts rows, real rows form a
//!   prefix ending in the exiting `ecall` (in a non-final segment: in the row flagged `IS_END`,
//!   which publishes its `next_pc`, see [`crate::continuation`]), `pc' = next_pc` with `next_pc = pc + 4` or the static jump/branch `target`
//!   (branch taken iff `a = b` for `beq`, `a ≠ b` for `bne`, decided limb by limb with inverse
//!   witnesses; `bltu`/`bgeu` by the borrow of `a − b`), `add`/`addi`/`sub` limb by limb with
//!   carries, `lui`'s and `auipc`'s result is the program table's word (`imm`, `pc + imm`),
//!   `jal`'s and `jalr`'s result `pc + 4` (with `res_hi < 2^14`), `jalr` jumps to
//!   `(a + imm) & !1` (limbs with carries, the low bit split off, `< 2^30`), `ecall` has
//!   `a7 ∈ {93, 94}`.
//!   - *Comparisons* (`slt*`, `blt`, `bge`): `t = a − x` (`x` = `rs2` or the immediate) limb
//!     by limb, `t` range checked, the borrow is `a <u x`; for the signed ones `a_hi` and
//!     `x_hi` are split into a sign bit and a rest `< 2^15` (range checked), and `a <s x` is
//!     the borrow when the signs agree, else `a`'s sign.
//!   - *Logic* (`and`/`or`/`xor` and immediates): `a`, `x` and `res` as four bytes each; each
//!     byte triple is looked up as `(op, x_i, y_i, r_i)` in the **bytes** table (preprocessed,
//!     2^16 rows: every byte pair with its and/or/xor, one multiplicity column per operation
//!     and one for plain byte-pair range checks). Bytes, not nibbles: 4 lookups per operation
//!     instead of 8, for one 2^16-row table like the range table; the table is only part of
//!     the proof when the text has a logic or shift instruction (the verifier decides from the
//!     ELF).
//!   - *Shifts*: the amount `s = k + 8·m` (`k` as 3 bits, `m` one-hot; `rs2`'s bits above 5
//!     split off and range checked, or the immediate), `P = 2^k` from the bits, for right
//!     shifts `Q = 2^(8−k)` with `P·Q = 256`; each byte `a_i·P` (left) or `a_i·Q` (right) is
//!     split into a low and a high byte (byte-pair range checks: no product exceeds 2^15, far
//!     below the field), the bit-shifted bytes recombine neighbours, `m` moves them by whole
//!     bytes, and `sra` fills with `a`'s sign (`255·sgn`, `sgn·(256 − Q)` in the top byte).
//!   - *M extension*: one selector `S_M` for the eight operations; the operation id (the
//!     program table's, `38 + funct3`) is a column `MOP` that counts in the program tuple's
//!     `op` in place of the selector's weight, and is 0 on other rows (so a row with another
//!     selector cannot add it to reach an M instruction's id). The row sends `(MOP, a_lo,
//!     a_hi, b_lo, b_hi, res_lo, res_hi)` on the `muldiv` bus; the MulDiv table receives only
//!     the eight ids, so the result is its result (and range checked there).
//!   - *Loads and stores*: the address `a + imm` limb by limb (`T_LO`, `T_HI` with carries),
//!     `T_LO = 4·q + o₀ + 2·o₁` (`q < 2^14`, `T_HI < 2^16` by lookups, `o` bits) and the word
//!     index `q + 2^14·T_HI < 2^30` (one field element, no wrap); natural alignment
//!     (`o = 0` for words, `o₀ = 0` for halves). The word is read with its previous value and
//!     timestamp and written back at `4·clk + 2` (a load writes what it read). The addressed
//!     half is `lo` or `hi` by `o₁`, its bytes `bl + 256·bh` (`bh < 2^8`, `256·bl < 2^16`), the
//!     byte by `o₀`; signed loads split off the sign bit (`rest < 2^7` / `2^15` by a scaled
//!     lookup) and extend it; `sh`/`sb` rebuild the word with the new half (for `sb`, `rs2`'s
//!     low byte `xb < 2^8` spliced next to the other byte of the half).
//! - **Program** (preprocessed from the ELF: one row per text word): the tuple
//!   `(pc, op, rd, rs1, rs2, imm_lo, imm_hi, target, reads_rs1, reads_rs2, writes_rd)` with
//!   `op = 0` for an instruction the CPU AIR does not support (so no real row can match it) and
//!   the flags 0 for `x0`; the CPU sends its row's tuple on the `program` bus, the table receives
//!   it with its execution count.
//! - **Memory argument** (`memory` bus, tuples `(space, addr, lo, hi, ts)`; registers in space
//!   0, RAM words in space 1 by word index): each access of cycle `clk` receives `(…, prev,
//!   prev_ts)` and sends `(…, new, ts)` with `ts = 4·clk + slot` (slots: `rs1` 0, `rs2` 1, RAM
//!   2, `rd` 3) and `ts − prev_ts − 1 ∈ [0, 2^24)` (two range-checked limbs, the high one also
//!   `< 2^8`); reads send back what they receive.
//! - **Registers** (32 rows; preprocessed address and initial value): sends each register's
//!   initial value at `ts = 0` (`4·start_clk` in a segment), receives its final value
//!   (preprocessed, public, in a segment) and timestamp.
//! - **Image** (preprocessed from the ELF: one row per word holding file bytes of a loadable
//!   segment, text included): sends `(1, w, init, 0)`, receives the final value and timestamp.
//! - **RAM** (the other words the run touches, all zero at the start: `.bss`, the stack): word
//!   indices `base + u` with `base` one above the image's last word, `u` strictly increasing
//!   (`u' − u − 1` as range-checked limbs) and `u ≤ limit − 1 − base` (`limit` = memory words),
//!   every limb `< 2^16` and every high limb `< 2^14` (so the sums cannot wrap the field): no
//!   word twice, none in the image, none outside memory. Sends `(1, w, 0, 0)`, receives the
//!   final value and timestamp. A run that touches a word below the image's end that is not in
//!   the image (a gap between segments) is refused by the prover.
//!   Text words are read-only: their final value must equal the initial one.
//! - **Range** (2^16 rows, preprocessed `0..2^16`): receives the `range16` checks.
//! - **MulDiv** (one row per executed M instruction, only in the proof when the text has one;
//!   the bytes table then too): one-hot flags (the row's id `38 + m` and its multiplicity on
//!   `muldiv` from them), bytes `X`, `Y` (= `rs2`, its limbs in the bus tuple), `R` (4 each) and
//!   `Z` (8), every byte range checked as pairs on the `bytes` bus. Each top byte is `128·t +
//!   l` (`t` a bit, `2·l` a byte, so `l < 2^7`). Sign extensions `s_X, s_Y, s_R, s_N` (bits;
//!   the 64-bit value of a 4-byte string is its value minus `2^32·s`, written as four bytes
//!   `255·s`). The identity `X·Y + R ≡ Z (mod 2^64)` is eight equations
//!   `Σ_{i+j=k} X̂_i·Ŷ_j + R̂_k + c_{k−1} = Z_k + 256·c_k` (`X̂`, `Ŷ`, `R̂` the extended bytes,
//!   `c_{−1} = 0`, the last carry dropped), the carries range checked `< 2^16`: a left side is
//!   at most `2·4·255² + 255 + 2^16 < 2^21`, a right side `< 2^25`, both below `p`, so each
//!   equation holds over the integers and the chain gives the identity mod 2^64.
//!   - `mul`/`mulh`/`mulhsu`/`mulhu`: `X = rs1`, `R = 0`, `s_X = t_X` for `mulh`/`mulhsu`
//!     (else 0), `s_Y = t_Y` for `mulh`; the result is `Z`'s low word (`mul`) or high word.
//!     The extended operands' product is the exact signed/unsigned 64-bit product.
//!   - `div`/`divu`/`rem`/`remu`: `Z = rs1` with `Z_4..7 = 255·s_N`, `X` the quotient, `R` the
//!     remainder, the result `X` or `R`; for the signed ones `s_Y = t_Y`, `s_R = t_R`, `s_N =
//!     t_N`, and `s_X ∈ {0, t_X}` (`s_X·(1 − t_X) = 0`), else all 0. With `d = rs2 ≠ 0`
//!     (flag `dz = [Σ Y_i = 0]` by an inverse witness): `|r| < |d|` — `U = |d|`, `V = |r|` as
//!     range-checked limbs (`U = d` when `s_Y = 0`, else `U + d = 2^32` limb by limb with a
//!     carry bit), `U − V − 1 = D_lo + 2^16·D_hi` limb by limb with a borrow bit and no final
//!     borrow (`D` range checked); and `r = 0` (flag by an inverse) or `s_R = s_N`. The values
//!     then lie in `(−2^63, 2^63]`, so the identity is exact over the integers, and truncated
//!     division's `(q, r)` is unique: the quotient fits `X`'s signed reading except for
//!     `INT_MIN / −1` (quotient 2^31), which only the reading `s_X = 0` allows — so `s_X`'s
//!     freedom gives exactly RISC-V's `INT_MIN`, `r = 0`, nothing else. Unsigned: `q·d + r <
//!     (q + 1)·d ≤ 2^64 − 2^32`, no wrap. With `d = 0` the quotient bytes are `255` (all ones)
//!     and the identity forces `r = rs1`.
//! - **Bytes** (see *Logic*).
//! - **System calls**: an `ecall` row is an exit (`a7 ∈ {93, 94}`, `a0` rewritten unchanged) or
//!   a read/write, sent on the `syscall` bus as `(clk, a7, fd, ret)`; `ecall` writes `a0`.
//!   The **calls** table (one row per read/write) receives it with `a7 = 63 + w`, `fd = w`
//!   (`w` = is write), reads `a1` (buf) and `a2` (len) at `4·clk`, `4·clk + 1` on the memory
//!   bus (`buf < 2^30`, `len < 2^29` so `buf + len` cannot wrap), returns `len` for a write and
//!   `ret ≤ len` for a read (range-checked difference), and opens a chain on the `io` bus from
//!   `(clk, buf, pos)` to `(clk, buf + ret, pos + ret)`. The **I/O** table has one row per word
//!   of that range: lane flags one contiguous non-empty run starting at `os`, linking
//!   `(clk, 4w + os, pos)` to `(clk, 4w + os + cnt, pos + cnt)` (addresses strictly increase,
//!   so the links form one path from `buf` to `buf + ret`); the word is accessed at
//!   `4·clk + 2` on the memory bus, as bytes (range checked); a write keeps it and sends each
//!   covered byte as `(position, byte)` on the `output` bus; a read replaces the covered lanes
//!   with any bytes (the input is private). Writes are ordered: each receives `(pos, prev_clk)`
//!   and sends `(pos + len, clk)` on `outpos` with `clk > prev_clk`.
//! - **Public** (the verifier's own tuples): `(code, output length)` on `exit`, received from
//!   the exiting `ecall` row (which also closes the `outpos` chain at that length), the chain's
//!   start `(0, 0)`, and every output byte `(i, out[i])` on `output`.
//!
//! What the proof does not check that the executor does: a read that returns fewer bytes than
//! asked before the input's end (the prover chooses the input, so this only shortens it), and a
//! store into the text of the value already there (the executor stops on any store into text).
//!
//! The transcript starts with the ELF's bytes (a sponge hash of the file), so a proof is bound
//! to the program; the preprocessed columns are recomputed by the verifier from the ELF.
//!
//! # Security
//! `zkprove-air`'s multi-table bound (see `zkprove_air::multi`): over BabyBear⁴ the LogUp term
//! (`N/|E|`, `N` ≈ 60 interactions per CPU row, one more for the `muldiv` send, and 27 per
//! MulDiv row: its receive, 12 byte pairs, 14 16-bit checks — each tuple fingerprinted with
//! independent challenges, so the width of a tuple costs nothing) keeps ≥ 100 bits up to about
//! 2^16–2^17 cycles per proof; longer runs are refused by the set-up ([`ProveError::Air`] with
//! `AirError::Security`), or before by [`MAX_PROVABLE_CYCLES`]: prove them in segments
//! ([`crate::continuation`], each segment a proof of this kind with its own bound, the run's
//! bound a union over segments).
//!
//! Parameters: [`AirParams::default`] (target 100 bits, WHIR at rate 1/2, conjectured list
//! decoding, ≤ 24 bits of grinding per challenge) with WHIR folding [`VM_FOLDING_FACTOR`] = 6
//! variables per round and shrinking its domain by `2^`[`VM_DOMAIN_REDUCTION`] = 8 per round
//! (since 2026-12-08; before, the defaults: folding 5, domain 4× smaller per round — proofs of
//! earlier binaries do not verify).
//! WHIR's terms are its configuration's own (`WhirConfig::achieved_bits`, each opening asked
//! for the target plus 3 bits); the set-up refuses a proof whose total is below 100 bits.

use zkprove_air::{
    Air, AirError, AirOps, AirParams, AirProfile, AirProver, BusInteraction, ConstraintBuilder,
    LinearExpr, MultiProof, PublicTuple, TableAir, Trace,
};
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::{Field, PrimeField64};
use zkprove_hash::{Poseidon2, Poseidon2Merkle, Transcript};
use zkprove_poly::CpuBackend;

use crate::decode::Op;
use crate::elf::Program;
use crate::{ExecError, LoadError};

type F = BabyBear;
type E = BabyBearExt4;
type Hash = Poseidon2Merkle<BabyBear, 16, 8, 8>;
/// The VM's proof.
pub type VmProof = MultiProof<BabyBear, BabyBearExt4, [BabyBear; 8]>;
pub(crate) type VmTranscript = Transcript<BabyBear, 16, 8>;

/// The operations the CPU AIR constrains, in selector order (operation id = index + 1);
/// `auipc` shares `lui`'s selector (its word, `pc + imm`, is static: the program table holds it).
pub const SUPPORTED: [Op; 37] = [
    Op::Add,
    Op::Addi,
    Op::Sub,
    Op::Lui,
    Op::Jal,
    Op::Beq,
    Op::Bne,
    Op::Ecall,
    Op::Bltu,
    Op::Bgeu,
    Op::Jalr,
    Op::Lw,
    Op::Lh,
    Op::Lhu,
    Op::Lb,
    Op::Lbu,
    Op::Sw,
    Op::Sh,
    Op::Sb,
    Op::Slt,
    Op::Sltu,
    Op::Slti,
    Op::Sltiu,
    Op::Blt,
    Op::Bge,
    Op::And,
    Op::Or,
    Op::Xor,
    Op::Andi,
    Op::Ori,
    Op::Xori,
    Op::Sll,
    Op::Srl,
    Op::Sra,
    Op::Slli,
    Op::Srli,
    Op::Srai,
];

/// The M extension, in the order of their operation ids (`M_OP_BASE + index`): all of them share
/// one CPU selector and are proved by the MulDiv table.
pub const M_OPS: [Op; 8] =
    [Op::Mul, Op::Mulh, Op::Mulhsu, Op::Mulhu, Op::Div, Op::Divu, Op::Rem, Op::Remu];
/// The operation id of `mul` (the other M operations follow it).
const M_OP_BASE: u64 = SUPPORTED.len() as u64 + 1;

/// The selector of an operation, if the CPU AIR constrains it (the M extension's is the last).
fn selector(op: Op) -> Option<usize> {
    let op = if op == Op::Auipc { Op::Lui } else { op };
    if M_OPS.contains(&op) {
        return Some(SUPPORTED.len());
    }
    SUPPORTED.iter().position(|&o| o == op)
}

/// The operation id of an instruction in the program table (0: not supported).
fn op_id(op: Op) -> u32 {
    if let Some(m) = M_OPS.iter().position(|&o| o == op) {
        return M_OP_BASE as u32 + m as u32;
    }
    selector(op).map_or(0, |k| k as u32 + 1)
}

/// Errors of [`prove`] and [`verify`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProveError {
    /// The ELF file cannot be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The program failed.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// The run executes an instruction whose constraints are not written yet.
    #[error(
        "cannot prove: instruction `{mnemonic}` at pc {pc:#x} has no AIR yet (supported: RV32IM but fence)"
    )]
    Unsupported {
        /// Its address.
        pc: u32,
        /// Its mnemonic.
        mnemonic: &'static str,
    },
    /// A system call other than `exit`/`exit_group`.
    #[error(
        "cannot prove: system call {number} at pc {pc:#x} has no AIR yet (only read, write, exit)"
    )]
    UnsupportedSyscall {
        /// Its address.
        pc: u32,
        /// `a7`.
        number: u32,
    },
    /// A load or store outside the words a proof covers (the segments and the memory above
    /// them).
    #[error(
        "cannot prove: the access to {addr:#x} at pc {pc:#x} is below or between the ELF's segments"
    )]
    MemoryOutside {
        /// The instruction's address.
        pc: u32,
        /// The accessed byte address.
        addr: u32,
    },
    /// No longer returned (`write` is proved); kept for callers that match on it.
    #[error("cannot prove: the program writes output, and `write` has no AIR yet")]
    Output,
    /// The prover or verifier failed (a rejected proof is [`AirError`]).
    #[error(transparent)]
    Air(#[from] AirError),
    /// The proof is for a run of another shape than the tables allow.
    #[error("malformed proof: {what}")]
    ProofShape {
        /// What is wrong.
        what: &'static str,
    },
    /// The run is longer than one proof can cover ([`MAX_PROVABLE_CYCLES`]; the security
    /// target refuses most runs well before that, see the module docs), or than a segmented
    /// proof covers ([`crate::continuation::MAX_RUN_CYCLES`] or the configured limit).
    #[error(
        "cannot prove: the run takes {cycles} cycles, more than the {max} allowed \
         (one proof covers 2^16; prove longer runs in segments, up to 2^25)"
    )]
    TooManyCycles {
        /// The run's cycles.
        cycles: u64,
        /// [`MAX_PROVABLE_CYCLES`].
        max: u64,
    },
    /// A segment configuration out of range.
    #[error("bad segment configuration: {what}")]
    Config {
        /// What is wrong.
        what: &'static str,
    },
    /// A segmented proof file that cannot be read (foreign, truncated, another version).
    #[error("{what}")]
    ProofFile {
        /// What is wrong, and where.
        what: String,
    },
}

/// The longest run [`prove`] proves in one proof (longer ones: [`crate::continuation`]): 2^16
/// cycles, about what the security target
/// admits (decided by the set-up, see the module docs) and far below the memory argument's
/// timestamp bound (`4·clk + slot` differences are range checked below 2^24). A longer run is
/// refused before any trace is built ([`ProveError::TooManyCycles`]), so a long program costs
/// neither gigabytes of trace nor a range check out of bounds.
pub const MAX_PROVABLE_CYCLES: u64 = 1 << 16;

// CPU columns.
const IS_REAL: usize = 0;
const PC: usize = 1;
const CLK: usize = 2;
const SEL: usize = 3;
const N_SEL: usize = SUPPORTED.len() + 1;
const RD: usize = SEL + N_SEL;
const RS1: usize = RD + 1;
const RS2: usize = RD + 2;
const IMM_LO: usize = RD + 3;
const IMM_HI: usize = RD + 4;
const TARGET: usize = RD + 5;
const R1: usize = RD + 6;
const R2: usize = RD + 7;
const WR: usize = RD + 8;
const A_LO: usize = WR + 1;
const A_HI: usize = WR + 2;
const B_LO: usize = WR + 3;
const B_HI: usize = WR + 4;
const RES_LO: usize = WR + 5;
const RES_HI: usize = WR + 6;
const C0: usize = WR + 7;
const C1: usize = WR + 8;
const PREV_LO: usize = WR + 9;
const PREV_HI: usize = WR + 10;
const TS1: usize = WR + 11;
const TS2: usize = WR + 12;
const TSD: usize = WR + 13;
const D1L: usize = WR + 14;
const D1H: usize = WR + 15;
const D2L: usize = WR + 16;
const D2H: usize = WR + 17;
const DDL: usize = WR + 18;
const DDH: usize = WR + 19;
const NEXT_PC: usize = WR + 20;
const INV_LO: usize = WR + 21;
const INV_HI: usize = WR + 22;
const E_LO: usize = WR + 23;
const E_HI: usize = WR + 24;
const EQ: usize = WR + 25;
const TAKEN: usize = WR + 26;
/// `jalr`: the target sum `a + imm` as limbs, its low limb halved, and its low bit.
const T_LO: usize = TAKEN + 1;
const T_HI: usize = TAKEN + 2;
const T_HALF: usize = TAKEN + 3;
const T_BIT: usize = TAKEN + 4;
/// Loads and stores: the byte offset's bits (the word index is `T_HALF + 2^14·T_HI`, `T_HALF`
/// then holding the low limb's upper 14 bits), the word after (`MV`) and before (`MP`) the
/// access, the previous timestamp and the timestamp gap's limbs.
const O0: usize = T_BIT + 1;
const O1: usize = T_BIT + 2;
const MV_LO: usize = T_BIT + 3;
const MV_HI: usize = T_BIT + 4;
const MP_LO: usize = T_BIT + 5;
const MP_HI: usize = T_BIT + 6;
const MTS: usize = T_BIT + 7;
const MDL: usize = T_BIT + 8;
const MDH: usize = T_BIT + 9;
/// The addressed half-word of the old word, its bytes, the addressed byte, the sign bit and
/// the rest of a signed load (`SCALED` = `2·SLOW` for `lh`, `512·SLOW` for `lb`).
const HALF: usize = T_BIT + 10;
const BL: usize = T_BIT + 11;
const BH: usize = T_BIT + 12;
const BYTE: usize = T_BIT + 13;
const SGN: usize = T_BIT + 14;
const SLOW: usize = T_BIT + 15;
const SCALED: usize = T_BIT + 16;
/// `sb`: the low two bytes of `rs2`; `sh`/`sb`: the new half-word.
const XB: usize = T_BIT + 17;
const YB: usize = T_BIT + 18;
const NH: usize = T_BIT + 19;
/// Comparisons: the second operand's sign bit and rest (`x_hi = 2^15·SB2 + RB2`), the signs'
/// xor, the result (`a < x`). The first operand's sign uses `SGN`/`SLOW`/`SCALED`, the
/// difference `a − x` `T_LO`/`T_HI` with the borrow `C1`.
const SB2: usize = NH + 1;
const RB2: usize = NH + 2;
const XS: usize = NH + 3;
const LT: usize = NH + 4;
/// and/or/xor: the bytes of `a`, of the second operand and of the result (4 each).
const LA: usize = NH + 5;
const LB: usize = LA + 4;
const LR: usize = LB + 4;
/// Shifts by `s = k + 8·m`: the bits of `k` (3), `m` one-hot (4), `b_lo >> 5` for a register
/// amount, `2^k` (with a partial product), `2^(8−k)`, the high bytes of `a_i·2^k` (left) or
/// `a_i·2^(8−k)` (right) — their low bytes are in `LB` — and an arithmetic shift's fill bits.
const SK: usize = LR + 4;
const SM: usize = SK + 3;
const BQ: usize = SM + 4;
const P1: usize = BQ + 1;
const POW: usize = BQ + 2;
const QPOW: usize = BQ + 3;
const PH: usize = BQ + 4;
const FILL: usize = PH + 4;
/// `ecall`: exit (93/94) or a `read`/`write` (63/64, handed to the calls table); at exit the
/// output's length and the clock of the last `write` (the end of the output chain).
const IS_EXIT: usize = FILL + 1;
const IS_IO: usize = FILL + 2;
const OUTLEN: usize = FILL + 3;
const PREVCLK: usize = FILL + 4;
/// The M extension: the operation id (`M_OP_BASE + m`, 0 on other rows), sent with the
/// operands and the result to the MulDiv table.
const MOP: usize = PREVCLK + 1;
/// The last real row of a non-final segment (see [`crate::continuation`]): it closes the output
/// chain like the exit does and publishes its `next_pc`, output position and clock.
const IS_END: usize = MOP + 1;
const CPU_COLS: usize = IS_END + 1;

const S_ADD: usize = SEL;
const S_ADDI: usize = SEL + 1;
const S_SUB: usize = SEL + 2;
const S_LUI: usize = SEL + 3;
const S_JAL: usize = SEL + 4;
const S_BEQ: usize = SEL + 5;
const S_BNE: usize = SEL + 6;
const S_ECALL: usize = SEL + 7;
const S_BLTU: usize = SEL + 8;
const S_BGEU: usize = SEL + 9;
const S_JALR: usize = SEL + 10;
const S_LW: usize = SEL + 11;
const S_LH: usize = SEL + 12;
const S_LHU: usize = SEL + 13;
const S_LB: usize = SEL + 14;
const S_LBU: usize = SEL + 15;
const S_SW: usize = SEL + 16;
const S_SH: usize = SEL + 17;
const S_SB: usize = SEL + 18;
const S_SLT: usize = SEL + 19;
const S_SLTU: usize = SEL + 20;
const S_SLTI: usize = SEL + 21;
const S_SLTIU: usize = SEL + 22;
const S_BLT: usize = SEL + 23;
const S_BGE: usize = SEL + 24;
const S_AND: usize = SEL + 25;
const S_OR: usize = SEL + 26;
const S_XOR: usize = SEL + 27;
const S_ANDI: usize = SEL + 28;
const S_ORI: usize = SEL + 29;
const S_XORI: usize = SEL + 30;
const S_SLL: usize = SEL + 31;
const S_SRL: usize = SEL + 32;
const S_SRA: usize = SEL + 33;
const S_SLLI: usize = SEL + 34;
const S_SRLI: usize = SEL + 35;
const S_SRAI: usize = SEL + 36;
const S_M: usize = SEL + 37;
const SHIFTS: [usize; 6] = [S_SLL, S_SRL, S_SRA, S_SLLI, S_SRLI, S_SRAI];
/// Operations that split `a_hi` into its sign bit and the rest.
const SIGN_A: [usize; 6] = [S_SLT, S_SLTI, S_BLT, S_BGE, S_SRA, S_SRAI];
/// Comparisons with `rs2`, with the immediate; signed ones; those that set `rd`.
const CMP_REG: [usize; 4] = [S_SLT, S_SLTU, S_BLT, S_BGE];
const CMP_IMM: [usize; 2] = [S_SLTI, S_SLTIU];
const CMP_SIGNED: [usize; 4] = [S_SLT, S_SLTI, S_BLT, S_BGE];
const LOGIC: [usize; 6] = [S_AND, S_OR, S_XOR, S_ANDI, S_ORI, S_XORI];
const LOADS: [usize; 5] = [S_LW, S_LH, S_LHU, S_LB, S_LBU];
const STORES: [usize; 3] = [S_SW, S_SH, S_SB];
/// The memory space of RAM words on the `memory` bus (registers are space 0).
const RAM: u64 = 1;

/// Program table width (11 preprocessed columns, then the multiplicity).
const PROG_COLS: usize = 12;
const LOG_RANGE: usize = 16;

/// The VM's tables. One type for all of them (see [`TableAir`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VmTable {
    /// The CPU: one row per cycle.
    Cpu {
        /// The first row's pc: the entry point, or a segment's start pc.
        entry: u32,
        /// The clock before the first row (0, or a segment's start: row `i` has clock
        /// `start_clk + i + 1`).
        start_clk: u32,
        /// Whether the run ends in this table (the last real row is the exit); else the last
        /// real row is a segment's end (`IS_END`).
        last: bool,
    },
    /// The program: the preprocessed tuples of the text words.
    Program {
        /// The tuples, one per text word (11 values each).
        rows: Vec<[u32; 11]>,
    },
    /// The 32 registers' initial values and final state.
    Registers {
        /// The initial values.
        init: Box<[u32; 32]>,
        /// The final values when they are public (a segment's boundary), else a witness.
        fin: Option<Box<[u32; 32]>>,
        /// The initial values' timestamp (`4·start_clk`).
        ts0: u32,
    },
    /// The 16-bit range table.
    Range,
    /// The RAM words of the ELF's loadable segments (preprocessed word index and initial
    /// value, one row per word; final value and timestamp as witness).
    Image {
        /// `(word index, initial value)`, sorted by index.
        words: Vec<(u32, u32)>,
        /// The text's word indices `[start, end)`: read-only (final value = initial value).
        text: (u32, u32),
    },
    /// The other RAM words the run touches, all zero at the start: word indices `base + u`,
    /// strictly increasing, `u ≤ limit − 1 − base` (so every one is above the image and inside
    /// memory); final value and timestamp as witness.
    Ram {
        /// The first word index above the image.
        base: u32,
        /// The number of words of memory.
        limit: u32,
    },
    /// All pairs of bytes `(x, y)` (2^16 rows, preprocessed) with `x & y`, `x | y`, `x ^ y`.
    Bytes,
    /// One row per `read`/`write` call: its registers, return value, and links in the output
    /// chain and in its own chain of I/O words.
    Calls,
    /// One row per word a `write` reads: the bytes of the call it covers, sent to the output.
    Io,
    /// One row per executed M-extension instruction: the byte-wise 64-bit product (and, for
    /// a division, the quotient, remainder and their bounds).
    MulDiv,
    /// A segment's memory boundary: the RAM words it touches with their values before and
    /// after (all preprocessed: the verifier knows them), the final timestamp as witness.
    Boundary {
        /// `(word index, initial value, final value)`, strictly increasing word indices.
        words: Vec<(u32, u32, u32)>,
        /// The initial values' timestamp (`4·start_clk`).
        ts0: u32,
    },
}

// MulDiv table columns: the operation flags (mul, mulh, mulhsu, mulhu, div, divu, rem, remu);
// the factors' bytes X (rs1, or the quotient) and Y (rs2); the 64-bit sum's bytes Z (the
// product, or the dividend sign-extended); the remainder's bytes R; each top byte's sign bit
// and low seven bits (T·, L· for X, Y, R, Z); the sign extensions S· used; the carries; the
// CPU's operand rs1 and result as limbs; rs2 = 0 and r = 0 flags with inverses; |rs2| and |r|
// as limbs with their carries; |rs2| − |r| − 1 as limbs with its borrow.
const MD_F: usize = 0;
const MD_X: usize = 8;
const MD_Y: usize = 12;
const MD_Z: usize = 16;
const MD_R: usize = 24;
/// Sign bit and low bits of the top byte of X, Y, R, Z (in that order).
const MD_T: usize = 28;
const MD_L: usize = 32;
/// Sign extensions used by the product: of X, Y, R, and of the dividend Z.
const MD_S: usize = 36;
const MD_CA: usize = 40;
const MD_A: usize = 48;
const MD_RES: usize = 50;
const MD_DZ: usize = 52;
const MD_DINV: usize = 53;
const MD_RZ: usize = 54;
const MD_RINV: usize = 55;
/// |rs2| (U) and |r| (V) as limbs, each with the carry of its negation.
const MD_U: usize = 56;
const MD_UE: usize = 58;
const MD_V: usize = 59;
const MD_VE: usize = 61;
/// |rs2| − |r| − 1 as limbs and the borrow of its low limb.
const MD_D: usize = 62;
const MD_DB: usize = 64;
const MD_COLS: usize = 65;
/// Flag indices within `MD_F` (the order of [`M_OPS`]).
const F_MUL: usize = 0;
const F_MULH: usize = 1;
const F_MULHSU: usize = 2;
const F_MULHU: usize = 3;
const F_DIV: usize = 4;
const F_DIVU: usize = 5;
const F_REM: usize = 6;
const F_REMU: usize = 7;

// Calls table columns.
const CL_REAL: usize = 0;
const CL_CLK: usize = 1;
const CL_WRITE: usize = 2;
const CL_BUF: usize = 3;
const CL_LEN: usize = 5;
const CL_RET: usize = 7;
const CL_POS: usize = 9;
const CL_PREV: usize = 10;
const CL_CD: usize = 11;
const CL_TS1: usize = 13;
const CL_D1: usize = 14;
const CL_TS2: usize = 16;
const CL_D2: usize = 17;
/// `len − ret` as limbs (a read may return fewer bytes than asked).
const CL_DR: usize = 19;
const CALLS_COLS: usize = 21;
// Io table columns.
const IO_REAL: usize = 0;
const IO_CLK: usize = 1;
const IO_W: usize = 2;
const IO_F: usize = 3;
const IO_OS: usize = 7;
const IO_V: usize = 8;
const IO_TS: usize = 12;
const IO_D: usize = 13;
const IO_POS: usize = 15;
/// Whether the row is a write's (else a read's), the word's new bytes (a read replaces the
/// flagged lanes), the lanes sent to the output (`f_k` of a write).
const IO_WRITE: usize = 16;
const IO_N: usize = 17;
const IO_G: usize = 21;
const IO_COLS: usize = 25;

/// The `bytes` bus's operation ids.
const BYTE_AND: u64 = 1;
const BYTE_OR: u64 = 2;
const BYTE_XOR: u64 = 3;
/// `(0, x, y, 0)`: both bytes in range.
const BYTE_RANGE: u64 = 0;
/// The range check's multiplicity column among the bytes table's four.
const BYTE_RANGE_IDX: usize = 3;
/// Bytes table: x, y, x & y, x | y, x ^ y (preprocessed), one multiplicity per operation
/// (and, or, xor, range).
const BYTES_COLS: usize = 9;

// Ram table columns.
const RAM_REAL: usize = 0;
const RAM_U: usize = 1;
const RAM_V: usize = 3;
const RAM_G: usize = 5;
const RAM_FIN: usize = 7;
const RAM_COLS: usize = 10;
/// Image table: real (preprocessed), word, init lo/hi (preprocessed), final lo/hi/ts, and
/// whether the word is text (preprocessed).
const IMAGE_COLS: usize = 8;
/// Boundary table: real, word, init lo/hi, final lo/hi (preprocessed), final timestamp.
const BOUNDARY_COLS: usize = 7;

fn f(v: u64) -> F {
    F::from_u64(v)
}

fn lo(v: u32) -> u64 {
    u64::from(v & 0xffff)
}

fn hi(v: u32) -> u64 {
    u64::from(v >> 16)
}

impl Air<F> for VmTable {
    fn name(&self) -> String {
        match self {
            VmTable::Cpu { .. } => "zkprove-vm-cpu-v4".into(),
            VmTable::Program { .. } => "zkprove-vm-program-v1".into(),
            VmTable::Registers { .. } => "zkprove-vm-registers-v2".into(),
            VmTable::Boundary { .. } => "zkprove-vm-boundary-v1".into(),
            VmTable::Range => "zkprove-vm-range16-v1".into(),
            VmTable::Image { .. } => "zkprove-vm-image-v1".into(),
            VmTable::Ram { .. } => "zkprove-vm-ram-v1".into(),
            VmTable::Bytes => "zkprove-vm-bytes-v1".into(),
            VmTable::Calls => "zkprove-vm-calls-v1".into(),
            VmTable::Io => "zkprove-vm-io-v1".into(),
            VmTable::MulDiv => "zkprove-vm-muldiv-v1".into(),
        }
    }

    fn n_columns(&self) -> usize {
        match self {
            VmTable::Cpu { .. } => CPU_COLS,
            VmTable::Program { .. } => PROG_COLS,
            VmTable::Registers { .. } => 6,
            VmTable::Boundary { .. } => BOUNDARY_COLS,
            VmTable::Range => 2,
            VmTable::Image { .. } => IMAGE_COLS,
            VmTable::Ram { .. } => RAM_COLS,
            VmTable::Bytes => BYTES_COLS,
            VmTable::Calls => CALLS_COLS,
            VmTable::Io => IO_COLS,
            VmTable::MulDiv => MD_COLS,
        }
    }

    fn public_values(&self) -> Vec<F> {
        match self {
            VmTable::Cpu { entry, start_clk, last } => {
                vec![f(u64::from(*entry)), f(u64::from(*start_clk)), f(u64::from(*last))]
            }
            VmTable::Registers { fin, ts0, .. } => {
                vec![f(u64::from(fin.is_some())), f(u64::from(*ts0))]
            }
            VmTable::Boundary { words, ts0 } => vec![f(words.len() as u64), f(u64::from(*ts0))],
            VmTable::Program { rows } => vec![f(rows.len() as u64)],
            VmTable::Image { words, text } => {
                vec![f(words.len() as u64), f(u64::from(text.0)), f(u64::from(text.1))]
            }
            VmTable::Ram { base, limit } => vec![f(u64::from(*base)), f(u64::from(*limit))],
            _ => Vec::new(),
        }
    }

    fn eval<B: ConstraintBuilder<F>>(&self, b: &mut B) {
        if let VmTable::Ram { base, limit } = self {
            return eval_ram(b, *base, *limit);
        }
        if let VmTable::Calls = self {
            return eval_calls(b);
        }
        if let VmTable::Image { .. } = self {
            // Text is read-only: a store or a read into it must leave it as it was.
            let c = b.current().to_vec();
            for j in [4, 5] {
                b.assert_zero(c[7].clone() * (c[j].clone() - c[j - 2].clone()));
            }
            return;
        }
        if let VmTable::Io = self {
            return eval_io(b);
        }
        if let VmTable::MulDiv = self {
            return eval_muldiv(b);
        }
        let VmTable::Cpu { entry, start_clk, last } = self else { return };
        let c = b.current().to_vec();
        let n = b.next().to_vec();
        let k = |v: u64| B::Expr::from(f(v));
        let one = || k(1);
        let two16 = || k(1 << 16);
        let bool_c = |x: B::Expr| x.clone() * (x - k(1));
        // Booleans and the one-hot selectors.
        b.assert_zero(bool_c(c[IS_REAL].clone()));
        let mut sum = k(0);
        for s in SEL..SEL + N_SEL {
            b.assert_zero(bool_c(c[s].clone()));
            sum = sum + c[s].clone();
        }
        b.assert_zero(sum - c[IS_REAL].clone());
        b.assert_zero(bool_c(c[C0].clone()));
        b.assert_zero(bool_c(c[C1].clone()));
        // Boundary: the first row is real, at the entry point, clk 1.
        b.assert_zero_first_row(c[IS_REAL].clone() - one());
        b.assert_zero_first_row(c[PC].clone() - k(u64::from(*entry)));
        b.assert_zero_first_row(c[CLK].clone() - k(u64::from(*start_clk) + 1));
        // Transitions: clk counts, real rows are a prefix, the pc follows next_pc, the last
        // real row is the exiting ecall or (in a non-final segment) the segment's end, and
        // neither is followed by a real row.
        b.assert_zero_transition(n[CLK].clone() - c[CLK].clone() - one());
        b.assert_zero_transition(n[IS_REAL].clone() * (one() - c[IS_REAL].clone()));
        b.assert_zero_transition(n[IS_REAL].clone() * (n[PC].clone() - c[NEXT_PC].clone()));
        b.assert_zero_transition(c[IS_EXIT].clone() * n[IS_REAL].clone());
        b.assert_zero_transition(c[IS_END].clone() * n[IS_REAL].clone());
        let closes = || one() - c[IS_EXIT].clone() - c[IS_END].clone();
        b.assert_zero_transition((c[IS_REAL].clone() - n[IS_REAL].clone()) * closes());
        b.assert_zero_last_row(c[IS_REAL].clone() * closes());
        b.assert_zero(bool_c(c[IS_END].clone()));
        b.assert_zero((one() - c[IS_REAL].clone()) * c[IS_END].clone());
        // The final table exits and has no segment end; another one never exits.
        if *last {
            b.assert_zero(c[IS_END].clone());
        } else {
            b.assert_zero(c[IS_EXIT].clone());
        }
        // Padding rows access nothing: their access flags are not bound by the program table,
        // and a flag of −1 there would turn a memory read into a forged write.
        for flag in [R1, R2, WR] {
            b.assert_zero((one() - c[IS_REAL].clone()) * c[flag].clone());
        }
        // Registers not read are zero.
        for (flag, lo_c, hi_c) in [(R1, A_LO, A_HI), (R2, B_LO, B_HI)] {
            b.assert_zero((one() - c[flag].clone()) * c[lo_c].clone());
            b.assert_zero((one() - c[flag].clone()) * c[hi_c].clone());
        }
        // Timestamps: ts − prev_ts − 1 = d_lo + 2^16·d_hi.
        let ts = |slot: u64| k(4) * c[CLK].clone() + k(slot);
        for (flag, slot, prev, dl, dh) in
            [(R1, 0, TS1, D1L, D1H), (R2, 1, TS2, D2L, D2H), (WR, 3, TSD, DDL, DDH)]
        {
            b.assert_zero(
                c[flag].clone()
                    * (ts(slot)
                        - c[prev].clone()
                        - one()
                        - c[dl].clone()
                        - two16() * c[dh].clone()),
            );
        }
        // add, addi, sub, limb by limb.
        let (a_lo, a_hi, b_lo, b_hi) =
            (c[A_LO].clone(), c[A_HI].clone(), c[B_LO].clone(), c[B_HI].clone());
        let (r_lo, r_hi, c0, c1) =
            (c[RES_LO].clone(), c[RES_HI].clone(), c[C0].clone(), c[C1].clone());
        let (i_lo, i_hi) = (c[IMM_LO].clone(), c[IMM_HI].clone());
        for (s, x_lo, x_hi) in
            [(S_ADD, b_lo.clone(), b_hi.clone()), (S_ADDI, i_lo.clone(), i_hi.clone())]
        {
            b.assert_zero(
                c[s].clone() * (a_lo.clone() + x_lo - r_lo.clone() - two16() * c0.clone()),
            );
            b.assert_zero(
                c[s].clone()
                    * (a_hi.clone() + x_hi + c0.clone() - r_hi.clone() - two16() * c1.clone()),
            );
        }
        // sub, and the comparison of bltu/bgeu: res = a − b, c1 the borrow (a < b).
        let subtracts = c[S_SUB].clone() + c[S_BLTU].clone() + c[S_BGEU].clone();
        b.assert_zero(
            subtracts.clone() * (r_lo.clone() + b_lo.clone() - a_lo.clone() - two16() * c0.clone()),
        );
        b.assert_zero(
            subtracts * (r_hi.clone() + b_hi.clone() + c0 - a_hi.clone() - two16() * c1.clone()),
        );
        // lui: the immediate; jal: pc + 4.
        b.assert_zero(c[S_LUI].clone() * (r_lo.clone() - i_lo));
        b.assert_zero(c[S_LUI].clone() * (r_hi.clone() - i_hi));
        b.assert_zero(
            (c[S_JAL].clone() + c[S_JALR].clone()) * (r_lo + two16() * r_hi - c[PC].clone() - k(4)),
        );
        // jalr's target and a load's or store's address: t = a + imm limb by limb; for jalr
        // t_lo = 2·t_half + t_bit and the jump goes to t − t_bit.
        let s_jalr = c[S_JALR].clone();
        let sum_of = |sels: &[usize]| sels.iter().fold(k(0), |acc, &s| acc + c[s].clone());
        let s_load = sum_of(&LOADS);
        let s_mem = s_load.clone() + sum_of(&STORES);
        let s_addr = s_jalr.clone() + s_mem.clone();
        b.assert_zero(bool_c(c[T_BIT].clone()));
        b.assert_zero(
            s_addr.clone()
                * (c[A_LO].clone() + c[IMM_LO].clone() - c[T_LO].clone() - two16() * c[C0].clone()),
        );
        b.assert_zero(
            s_addr
                * (c[A_HI].clone() + c[IMM_HI].clone() + c[C0].clone()
                    - c[T_HI].clone()
                    - two16() * c[C1].clone()),
        );
        eval_memory(b, &c, s_load, s_mem);
        eval_compare_logic(b, &c);
        b.assert_zero(
            s_jalr.clone() * (c[T_LO].clone() - k(2) * c[T_HALF].clone() - c[T_BIT].clone()),
        );
        // Equality of a and b, limb by limb: e = [d = 0] with d·e = 0, e = 1 − d·inv.
        for (dl, dh, inv, e) in [(a_lo, b_lo, INV_LO, E_LO), (a_hi, b_hi, INV_HI, E_HI)] {
            let d = dl - dh;
            b.assert_zero(c[e].clone() - one() + d.clone() * c[inv].clone());
            b.assert_zero(d * c[e].clone());
        }
        b.assert_zero(c[EQ].clone() - c[E_LO].clone() * c[E_HI].clone());
        b.assert_zero(
            c[TAKEN].clone()
                - c[S_BEQ].clone() * c[EQ].clone()
                - c[S_BNE].clone() * (one() - c[EQ].clone())
                - c[S_BLTU].clone() * c1.clone()
                - c[S_BGEU].clone() * (one() - c1)
                - c[S_BLT].clone() * c[LT].clone()
                - c[S_BGE].clone() * (one() - c[LT].clone()),
        );
        // next_pc = pc + 4, or the target for jal and a taken branch.
        let seq = c[PC].clone() + k(4);
        b.assert_zero(
            c[IS_REAL].clone()
                * (c[NEXT_PC].clone()
                    - seq.clone()
                    - (c[S_JAL].clone() + c[TAKEN].clone()) * (c[TARGET].clone() - seq.clone())
                    - s_jalr * (k(2) * c[T_HALF].clone() + two16() * c[T_HI].clone() - seq)),
        );
        // ecall: a7 ∈ {93, 94} (exit, exit_group).
        b.assert_zero(c[S_ECALL].clone() * c[A_HI].clone());
        // An ecall exits (a7 ∈ {93, 94}, a0 rewritten unchanged) or is a read/write (its a7,
        // fd and return value are the calls table's).
        b.assert_zero(bool_c(c[IS_EXIT].clone()));
        b.assert_zero(bool_c(c[IS_IO].clone()));
        b.assert_zero(c[S_ECALL].clone() - c[IS_EXIT].clone() - c[IS_IO].clone());
        b.assert_zero(c[IS_EXIT].clone() * (c[A_LO].clone() - k(93)) * (c[A_LO].clone() - k(94)));
        b.assert_zero(c[IS_EXIT].clone() * (c[RES_LO].clone() - c[B_LO].clone()));
        b.assert_zero(c[IS_EXIT].clone() * (c[RES_HI].clone() - c[B_HI].clone()));
        // The M extension's id is zero on other rows (its value is the program table's and
        // the MulDiv table's, which accepts only the eight ids).
        b.assert_zero((one() - c[S_M].clone()) * c[MOP].clone());
    }
}

/// The CPU's load and store constraints (see the module docs, "Memory").
fn eval_memory<B: ConstraintBuilder<F>>(b: &mut B, c: &[B::Expr], s_load: B::Expr, s_mem: B::Expr) {
    let k = |v: u64| B::Expr::from(f(v));
    let bool_c = |x: B::Expr| x.clone() * (x - k(1));
    let x = |j: usize| c[j].clone();
    for j in [O0, O1, SGN] {
        b.assert_zero(bool_c(x(j)));
    }
    // The address's low limb: 4·q + o0 + 2·o1 (q in T_HALF, < 2^14 by lookups).
    b.assert_zero(s_mem.clone() * (x(T_LO) - k(4) * x(T_HALF) - x(O0) - k(2) * x(O1)));
    // Natural alignment: words at offset 0, half-words at an even offset.
    b.assert_zero((x(S_LW) + x(S_SW)) * x(O1));
    b.assert_zero((x(S_LW) + x(S_SW) + x(S_LH) + x(S_LHU) + x(S_SH)) * x(O0));
    // The access's timestamp 4·clk + 2 follows the word's previous one.
    b.assert_zero(
        s_mem.clone() * (k(4) * x(CLK) + k(2) - x(MTS) - k(1) - x(MDL) - k(1 << 16) * x(MDH)),
    );
    // A load leaves the word as it was.
    b.assert_zero(s_load.clone() * (x(MV_LO) - x(MP_LO)));
    b.assert_zero(s_load * (x(MV_HI) - x(MP_HI)));
    // The addressed half-word of the old word, its bytes, the addressed byte.
    b.assert_zero(s_mem * (x(HALF) - x(MP_LO) - x(O1) * (x(MP_HI) - x(MP_LO))));
    let s_byte = x(S_LB) + x(S_LBU) + x(S_SB);
    b.assert_zero(s_byte.clone() * (x(HALF) - x(BL) - k(256) * x(BH)));
    b.assert_zero(s_byte * (x(BYTE) - x(BL) - x(O0) * (x(BH) - x(BL))));
    // Signed loads: the value is 2^(w−1)·sgn + low, low < 2^(w−1) by the SCALED lookup.
    b.assert_zero(x(S_LB) * (x(BYTE) - k(128) * x(SGN) - x(SLOW)));
    b.assert_zero(x(S_LH) * (x(HALF) - k(1 << 15) * x(SGN) - x(SLOW)));
    b.assert_zero(
        x(S_LB) * (x(SCALED) - k(512) * x(SLOW)) + x(S_LH) * (x(SCALED) - k(2) * x(SLOW)),
    );
    // Load results.
    b.assert_zero(x(S_LW) * (x(RES_LO) - x(MV_LO)));
    b.assert_zero(x(S_LW) * (x(RES_HI) - x(MV_HI)));
    b.assert_zero((x(S_LH) + x(S_LHU)) * (x(RES_LO) - x(HALF)));
    b.assert_zero(x(S_LBU) * (x(RES_LO) - x(BYTE)));
    b.assert_zero(x(S_LB) * (x(RES_LO) - x(BYTE) - k(0xff00) * x(SGN)));
    b.assert_zero((x(S_LHU) + x(S_LBU)) * x(RES_HI));
    b.assert_zero((x(S_LH) + x(S_LB)) * (x(RES_HI) - k(0xffff) * x(SGN)));
    // Stores: sw writes rs2; sh and sb replace the addressed half-word by NH.
    b.assert_zero(x(S_SW) * (x(MV_LO) - x(B_LO)));
    b.assert_zero(x(S_SW) * (x(MV_HI) - x(B_HI)));
    b.assert_zero(x(S_SH) * (x(NH) - x(B_LO)));
    b.assert_zero(x(S_SB) * (x(B_LO) - x(XB) - k(256) * x(YB)));
    b.assert_zero(
        x(S_SB)
            * (x(NH)
                - x(XB)
                - k(256) * x(BH)
                - x(O0) * (x(BL) + k(256) * x(XB) - x(XB) - k(256) * x(BH))),
    );
    let s_part = x(S_SH) + x(S_SB);
    b.assert_zero(s_part.clone() * (x(MV_LO) - x(NH) - x(O1) * (x(MP_LO) - x(NH))));
    b.assert_zero(s_part * (x(MV_HI) - x(MP_HI) - x(O1) * (x(NH) - x(MP_HI))));
}

fn sum_sel<E: Clone + core::ops::Add<Output = E> + From<F>>(c: &[E], sels: &[usize]) -> E {
    sels.iter().fold(E::from(F::ZERO), |acc, &s| acc + c[s].clone())
}

/// Comparisons (slt, sltu, slti, sltiu, blt, bge) and the byte-wise logic operations.
fn eval_compare_logic<B: ConstraintBuilder<F>>(b: &mut B, c: &[B::Expr]) {
    let k = |v: u64| B::Expr::from(f(v));
    let x = |j: usize| c[j].clone();
    let two16 = || k(1 << 16);
    // a − x = t with the borrow c1 (= a < x unsigned); t's limbs are range checked.
    let s_reg = sum_sel(c, &CMP_REG);
    let s_imm = sum_sel(c, &CMP_IMM);
    for (s, x_lo, x_hi) in [(s_reg, B_LO, B_HI), (s_imm, IMM_LO, IMM_HI)] {
        b.assert_zero(s.clone() * (x(T_LO) + x(x_lo) - x(A_LO) - two16() * x(C0)));
        b.assert_zero(s * (x(T_HI) + x(x_hi) + x(C0) - x(A_HI) - two16() * x(C1)));
    }
    // Signed: the operands' sign bits; a < x is the borrow when they agree, else a's sign.
    let s_signed = sum_sel(c, &CMP_SIGNED);
    b.assert_zero(x(SB2) * (x(SB2) - k(1)));
    b.assert_zero(x(LT) * (x(LT) - k(1)));
    let s_sign_a = sum_sel(c, &SIGN_A);
    b.assert_zero(s_sign_a.clone() * (x(A_HI) - k(1 << 15) * x(SGN) - x(SLOW)));
    b.assert_zero(s_sign_a * (x(SCALED) - k(2) * x(SLOW)));
    b.assert_zero((x(S_SLT) + x(S_BLT) + x(S_BGE)) * (x(B_HI) - k(1 << 15) * x(SB2) - x(RB2)));
    b.assert_zero(x(S_SLTI) * (x(IMM_HI) - k(1 << 15) * x(SB2) - x(RB2)));
    b.assert_zero(s_signed.clone() * (x(XS) - x(SGN) - x(SB2) + k(2) * x(SGN) * x(SB2)));
    b.assert_zero(s_signed * (x(LT) - x(C1) - x(XS) * (x(SGN) - x(C1))));
    b.assert_zero((x(S_SLTU) + x(S_SLTIU)) * (x(LT) - x(C1)));
    let s_set = x(S_SLT) + x(S_SLTU) + x(S_SLTI) + x(S_SLTIU);
    b.assert_zero(s_set.clone() * (x(RES_LO) - x(LT)));
    b.assert_zero(s_set * x(RES_HI));
    // Logic: the operands and the result as bytes (the `bytes` lookups check them).
    let s_logic = sum_sel(c, &LOGIC);
    let s_shift = sum_sel(c, &SHIFTS);
    let s_la = s_logic.clone() + s_shift.clone();
    let s_lreg = x(S_AND) + x(S_OR) + x(S_XOR);
    let s_limm = x(S_ANDI) + x(S_ORI) + x(S_XORI);
    let limb = |base: usize, half: usize| x(base + 2 * half) + k(256) * x(base + 2 * half + 1);
    for half in 0..2 {
        let (a_c, b_c, i_c, r_c) =
            if half == 0 { (A_LO, B_LO, IMM_LO, RES_LO) } else { (A_HI, B_HI, IMM_HI, RES_HI) };
        b.assert_zero(s_la.clone() * (x(a_c) - limb(LA, half)));
        b.assert_zero(s_lreg.clone() * (x(b_c) - limb(LB, half)));
        b.assert_zero(s_limm.clone() * (x(i_c) - limb(LB, half)));
        b.assert_zero(s_logic.clone() * (x(r_c) - limb(LR, half)));
    }
    eval_shift(b, c, s_shift);
}

/// Shifts: `s = k + 8·m`; a's bytes times `2^k` (left) or `2^(8−k)` (right) split into bytes
/// (`LB` low, `PH` high, range checked on the `bytes` bus) give the bit-shifted bytes; `m`
/// one-hot moves them by whole bytes.
fn eval_shift<B: ConstraintBuilder<F>>(b: &mut B, c: &[B::Expr], s_shift: B::Expr) {
    let k = |v: u64| B::Expr::from(f(v));
    let x = |j: usize| c[j].clone();
    for j in (SK..SK + 3).chain(SM..SM + 4) {
        b.assert_zero(x(j) * (x(j) - k(1)));
    }
    let ms = (0..4).fold(k(0), |acc, m| acc + x(SM + m));
    b.assert_zero(s_shift.clone() * (ms - k(1)));
    let amount = x(SK)
        + k(2) * x(SK + 1)
        + k(4) * x(SK + 2)
        + k(8) * (x(SM + 1) + k(2) * x(SM + 2) + k(3) * x(SM + 3));
    let s_sreg = x(S_SLL) + x(S_SRL) + x(S_SRA);
    let s_simm = x(S_SLLI) + x(S_SRLI) + x(S_SRAI);
    b.assert_zero(s_sreg * (x(B_LO) - amount.clone() - k(32) * x(BQ)));
    b.assert_zero(s_simm * (x(IMM_LO) - amount));
    b.assert_zero(s_shift.clone() * (x(P1) - (k(1) + x(SK)) * (k(1) + k(3) * x(SK + 1))));
    b.assert_zero(s_shift * (x(POW) - x(P1) * (k(1) + k(15) * x(SK + 2))));
    let s_left = x(S_SLL) + x(S_SLLI);
    let s_right = x(S_SRL) + x(S_SRLI) + x(S_SRA) + x(S_SRAI);
    b.assert_zero(s_right.clone() * (x(POW) * x(QPOW) - k(256)));
    for i in 0..4 {
        b.assert_zero(s_left.clone() * (x(LA + i) * x(POW) - x(LB + i) - k(256) * x(PH + i)));
        b.assert_zero(s_right.clone() * (x(LA + i) * x(QPOW) - x(LB + i) - k(256) * x(PH + i)));
    }
    b.assert_zero(s_right.clone() * (x(FILL) - x(SGN) * (k(256) - x(QPOW))));
    b.assert_zero((x(S_SRL) + x(S_SRLI)) * x(SGN));
    // The bit-shifted bytes, then the byte move.
    let wl = [x(LB), x(LB + 1) + x(PH), x(LB + 2) + x(PH + 1), x(LB + 3) + x(PH + 2)];
    let wr = [x(PH) + x(LB + 1), x(PH + 1) + x(LB + 2), x(PH + 2) + x(LB + 3), x(PH + 3) + x(FILL)];
    let fb = k(255) * x(SGN);
    let rl = |j: usize| (0..=j).fold(k(0), |acc, m| acc + x(SM + m) * wl[j - m].clone());
    let rr = |j: usize| {
        (0..4).fold(k(0), |acc, m| {
            acc + x(SM + m) * if j + m <= 3 { wr[j + m].clone() } else { fb.clone() }
        })
    };
    b.assert_zero(s_left.clone() * (x(RES_LO) - rl(0) - k(256) * rl(1)));
    b.assert_zero(s_left * (x(RES_HI) - rl(2) - k(256) * rl(3)));
    b.assert_zero(s_right.clone() * (x(RES_LO) - rr(0) - k(256) * rr(1)));
    b.assert_zero(s_right * (x(RES_HI) - rr(2) - k(256) * rr(3)));
}

/// The calls table: a write returns its length, a read at most its length (the input is
/// private: any bytes); `a1`/`a2` read at `4·clk`/`4·clk + 1`; a write's clock follows the
/// previous write's (the output chain is in program order).
fn eval_calls<B: ConstraintBuilder<F>>(b: &mut B) {
    let c = b.current().to_vec();
    let k = |v: u64| B::Expr::from(f(v));
    let x = |j: usize| c[j].clone();
    let two16 = || k(1 << 16);
    b.assert_zero(x(CL_REAL) * (x(CL_REAL) - k(1)));
    b.assert_zero(x(CL_WRITE) * (x(CL_WRITE) - k(1)));
    b.assert_zero((k(1) - x(CL_REAL)) * x(CL_WRITE));
    for h in 0..2 {
        b.assert_zero(x(CL_WRITE) * (x(CL_RET + h) - x(CL_LEN + h)));
    }
    b.assert_zero(
        x(CL_REAL)
            * (x(CL_LEN) + two16() * x(CL_LEN + 1)
                - x(CL_RET)
                - two16() * x(CL_RET + 1)
                - x(CL_DR)
                - two16() * x(CL_DR + 1)),
    );
    for (slot, ts, d) in [(0, CL_TS1, CL_D1), (1, CL_TS2, CL_D2)] {
        b.assert_zero(
            x(CL_REAL) * (k(4) * x(CL_CLK) + k(slot) - x(ts) - k(1) - x(d) - two16() * x(d + 1)),
        );
    }
    b.assert_zero(
        x(CL_WRITE) * (x(CL_CLK) - x(CL_PREV) - k(1) - x(CL_CD) - two16() * x(CL_CD + 1)),
    );
}

/// The I/O words: flags `f_k` (the call's bytes in this word) one contiguous non-empty run,
/// `os` its first offset; the word's timestamp follows its previous one.
fn eval_io<B: ConstraintBuilder<F>>(b: &mut B) {
    let c = b.current().to_vec();
    let k = |v: u64| B::Expr::from(f(v));
    let x = |j: usize| c[j].clone();
    b.assert_zero(x(IO_REAL) * (x(IO_REAL) - k(1)));
    let mut starts = k(0);
    let mut os = k(0);
    for j in 0..4 {
        let fj = x(IO_F + j);
        b.assert_zero(fj.clone() * (fj.clone() - k(1)));
        b.assert_zero((k(1) - x(IO_REAL)) * fj.clone());
        let start = if j == 0 { fj } else { fj * (k(1) - x(IO_F + j - 1)) };
        starts = starts + start.clone();
        os = os + k(j as u64) * start;
    }
    b.assert_zero(starts - x(IO_REAL));
    b.assert_zero(x(IO_OS) - os);
    let w = x(IO_WRITE);
    b.assert_zero(w.clone() * (w.clone() - k(1)));
    b.assert_zero((k(1) - x(IO_REAL)) * w.clone());
    for j in 0..4 {
        // Output lanes: a write's flags. New bytes: a write keeps the word, a read keeps the
        // lanes it does not cover.
        b.assert_zero(x(IO_G + j) - x(IO_F + j) * w.clone());
        b.assert_zero(w.clone() * (x(IO_N + j) - x(IO_V + j)));
        b.assert_zero((k(1) - x(IO_F + j)) * (x(IO_N + j) - x(IO_V + j)));
    }
    b.assert_zero(
        x(IO_REAL)
            * (k(4) * x(IO_CLK) + k(2) - x(IO_TS) - k(1) - x(IO_D) - k(1 << 16) * x(IO_D + 1)),
    );
}

/// The MulDiv table (see the module docs, "MulDiv").
fn eval_muldiv<B: ConstraintBuilder<F>>(b: &mut B) {
    let c = b.current().to_vec();
    let k = |v: u64| B::Expr::from(f(v));
    let x = |j: usize| c[j].clone();
    let bool_c = |e: B::Expr| e.clone() * (e - k(1));
    let fl = |m: usize| x(MD_F + m);
    let real = (0..8).fold(k(0), |acc, m| acc + fl(m));
    for m in 0..8 {
        b.assert_zero(bool_c(fl(m)));
    }
    b.assert_zero(bool_c(real.clone()));
    let s_mul = fl(F_MUL) + fl(F_MULH) + fl(F_MULHSU) + fl(F_MULHU);
    let s_high = fl(F_MULH) + fl(F_MULHSU) + fl(F_MULHU);
    let s_div = fl(F_DIV) + fl(F_DIVU) + fl(F_REM) + fl(F_REMU);
    let s_signed_div = fl(F_DIV) + fl(F_REM);
    let limb = |base: usize| x(base) + k(256) * x(base + 1);
    // Top bytes: 128·t + l (t a bit, 2·l a byte by lookup).
    for (i, top) in [MD_X + 3, MD_Y + 3, MD_R + 3, MD_Z + 3].into_iter().enumerate() {
        b.assert_zero(bool_c(x(MD_T + i)));
        b.assert_zero(x(top) - k(128) * x(MD_T + i) - x(MD_L + i));
    }
    let (sx, sy, sr, sn) = (x(MD_S), x(MD_S + 1), x(MD_S + 2), x(MD_S + 3));
    let (tx, ty, tr, tn) = (x(MD_T), x(MD_T + 1), x(MD_T + 2), x(MD_T + 3));
    // Sign extensions: X by its sign for mulh/mulhsu; for div/rem X (the quotient) by its sign
    // or not (0 only in the overflow case: see the docs); Y for mulh/div/rem; R, Z for div/rem.
    b.assert_zero(bool_c(sx.clone()));
    b.assert_zero(
        sx.clone() * (k(1) - s_signed_div.clone()) - (fl(F_MULH) + fl(F_MULHSU)) * tx.clone(),
    );
    b.assert_zero(sx.clone() * (k(1) - tx));
    b.assert_zero(sy.clone() - (fl(F_MULH) + s_signed_div.clone()) * ty);
    b.assert_zero(sr.clone() - s_signed_div.clone() * tr);
    b.assert_zero(sn.clone() - s_signed_div * tn);
    // The 64-bit identity X·Y + R = Z (mod 2^64, sign-extended), byte by byte with carries.
    let ext = |base: usize, s: &B::Expr, i: usize| {
        if i < 4 { x(base + i) } else { k(255) * s.clone() }
    };
    for kk in 0..8 {
        let mut conv = k(0);
        for i in 0..=kk {
            let j = kk - i;
            if i >= 4 && j >= 4 {
                continue;
            }
            conv = conv + ext(MD_X, &sx, i) * ext(MD_Y, &sy, j);
        }
        let carry_in = if kk == 0 { k(0) } else { x(MD_CA + kk - 1) };
        b.assert_zero(conv + ext(MD_R, &sr, kk) + carry_in - x(MD_Z + kk) - k(256) * x(MD_CA + kk));
    }
    // Multiplications: X = rs1, Y = rs2 (in the bus tuple), R = 0; the result is Z's low or
    // high word.
    for j in 0..4 {
        b.assert_zero(s_mul.clone() * x(MD_R + j));
    }
    for h in 0..2 {
        b.assert_zero(s_mul.clone() * (x(MD_A + h) - limb(MD_X + 2 * h)));
        b.assert_zero(fl(F_MUL) * (x(MD_RES + h) - limb(MD_Z + 2 * h)));
        b.assert_zero(s_high.clone() * (x(MD_RES + h) - limb(MD_Z + 4 + 2 * h)));
    }
    // Divisions: Z = rs1 sign-extended, Y = rs2, X the quotient, R the remainder.
    for h in 0..2 {
        b.assert_zero(s_div.clone() * (x(MD_A + h) - limb(MD_Z + 2 * h)));
        b.assert_zero((fl(F_DIV) + fl(F_DIVU)) * (x(MD_RES + h) - limb(MD_X + 2 * h)));
        b.assert_zero((fl(F_REM) + fl(F_REMU)) * (x(MD_RES + h) - limb(MD_R + 2 * h)));
    }
    for j in 4..8 {
        b.assert_zero(s_div.clone() * (x(MD_Z + j) - k(255) * sn.clone()));
    }
    // rs2 = 0 and r = 0 (sums of bytes, so no wrap): flags with inverse witnesses.
    let sum4 = |base: usize| (0..4).fold(k(0), |acc, j| acc + x(base + j));
    for (base, z, inv) in [(MD_Y, MD_DZ, MD_DINV), (MD_R, MD_RZ, MD_RINV)] {
        b.assert_zero(sum4(base) * x(z));
        b.assert_zero(real.clone() * (x(z) - k(1) + sum4(base) * x(inv)));
    }
    let dz = x(MD_DZ);
    // Division by zero: the quotient is all ones (the identity then makes r = rs1).
    for j in 0..4 {
        b.assert_zero(s_div.clone() * dz.clone() * (x(MD_X + j) - k(255)));
    }
    // The remainder has the dividend's sign (or is zero).
    b.assert_zero(s_div.clone() * (k(1) - x(MD_RZ)) * (sr.clone() - sn));
    // U = |rs2|, V = |r| (the negation limb by limb with a carry); U − V − 1 ≥ 0.
    let two16 = || k(1 << 16);
    for (base, s, u, e) in [(MD_Y, sy, MD_U, MD_UE), (MD_R, sr, MD_V, MD_VE)] {
        b.assert_zero(bool_c(x(e)));
        for h in 0..2 {
            b.assert_zero((k(1) - s.clone()) * (x(u + h) - limb(base + 2 * h)));
        }
        b.assert_zero(s.clone() * (x(u) + limb(base) - two16() * x(e)));
        b.assert_zero(s * (x(u + 1) + limb(base + 2) + x(e) - two16()));
    }
    let cmp = s_div * (k(1) - dz);
    b.assert_zero(bool_c(x(MD_DB)));
    b.assert_zero(cmp.clone() * (x(MD_U) - x(MD_V) - k(1) - x(MD_D) + two16() * x(MD_DB)));
    b.assert_zero(cmp * (x(MD_U + 1) - x(MD_V + 1) - x(MD_DB) - x(MD_D + 1)));
}

/// The zero-initialised RAM table: real rows a prefix, `u = u_lo + 2^16·u_hi`, `u + v =
/// limit − 1 − base`, and `u' = u + 1 + g'` between real rows (limbs range checked).
fn eval_ram<B: ConstraintBuilder<F>>(b: &mut B, base: u32, limit: u32) {
    let c = b.current().to_vec();
    let n = b.next().to_vec();
    let k = |v: u64| B::Expr::from(f(v));
    let two16 = || k(1 << 16);
    let real = c[RAM_REAL].clone();
    b.assert_zero(real.clone() * (real.clone() - k(1)));
    b.assert_zero_transition(n[RAM_REAL].clone() * (k(1) - real.clone()));
    let u = |r: &[B::Expr]| r[RAM_U].clone() + two16() * r[RAM_U + 1].clone();
    let span = u64::from(limit.saturating_sub(base).saturating_sub(1));
    b.assert_zero(real * (u(&c) + c[RAM_V].clone() + two16() * c[RAM_V + 1].clone() - k(span)));
    b.assert_zero_transition(
        n[RAM_REAL].clone()
            * (u(&n) - u(&c) - k(1) - n[RAM_G].clone() - two16() * n[RAM_G + 1].clone()),
    );
}

fn col(j: usize) -> LinearExpr<F> {
    LinearExpr::col(j)
}

fn cst(v: u64) -> LinearExpr<F> {
    LinearExpr::constant(f(v))
}

fn mem_tuple(addr: usize, lo_c: usize, hi_c: usize, ts: LinearExpr<F>) -> Vec<LinearExpr<F>> {
    vec![cst(0), col(addr), col(lo_c), col(hi_c), ts]
}

impl TableAir<F> for VmTable {
    fn interactions(&self) -> Vec<BusInteraction<F>> {
        match self {
            VmTable::Cpu { .. } => {
                let mut out = Vec::new();
                let mut op = LinearExpr::constant(F::ZERO);
                for s in 0..SUPPORTED.len() {
                    op = op.plus(SEL + s, f(s as u64 + 1));
                }
                // The M extension's selector stands for the id in MOP (its own weight is 0).
                op = op.plus(MOP, F::ONE);
                let mut prog = vec![col(PC), op];
                prog.extend([RD, RS1, RS2, IMM_LO, IMM_HI, TARGET, R1, R2, WR].map(col));
                out.push(BusInteraction::send("program", prog, col(IS_REAL)));
                let ts = |slot: u64| LinearExpr::new(vec![(CLK, f(4))], f(slot));
                for (flag, reg, vl, vh, prev, slot) in
                    [(R1, RS1, A_LO, A_HI, TS1, 0), (R2, RS2, B_LO, B_HI, TS2, 1)]
                {
                    out.push(BusInteraction::receive(
                        "memory",
                        mem_tuple(reg, vl, vh, col(prev)),
                        col(flag),
                    ));
                    out.push(BusInteraction::send(
                        "memory",
                        mem_tuple(reg, vl, vh, ts(slot)),
                        col(flag),
                    ));
                }
                out.push(BusInteraction::receive(
                    "memory",
                    mem_tuple(RD, PREV_LO, PREV_HI, col(TSD)),
                    col(WR),
                ));
                out.push(BusInteraction::send(
                    "memory",
                    mem_tuple(RD, RES_LO, RES_HI, ts(3)),
                    col(WR),
                ));
                for (flag, dl, dh) in [(R1, D1L, D1H), (R2, D2L, D2H), (WR, DDL, DDH)] {
                    out.push(BusInteraction::send("range16", vec![col(dl)], col(flag)));
                    out.push(BusInteraction::send("range16", vec![col(dh)], col(flag)));
                    out.push(BusInteraction::send(
                        "range16",
                        vec![LinearExpr::new(vec![(dh, f(256))], F::ZERO)],
                        col(flag),
                    ));
                }
                let computes = LinearExpr::new(
                    vec![
                        (S_ADD, F::ONE),
                        (S_ADDI, F::ONE),
                        (S_SUB, F::ONE),
                        (S_JAL, F::ONE),
                        (S_BLTU, F::ONE),
                        (S_BGEU, F::ONE),
                        (S_JALR, F::ONE),
                    ],
                    F::ZERO,
                );
                out.push(BusInteraction::send("range16", vec![col(RES_LO)], computes.clone()));
                out.push(BusInteraction::send("range16", vec![col(RES_HI)], computes));
                let jumps = LinearExpr::new(vec![(S_JAL, F::ONE), (S_JALR, F::ONE)], F::ZERO);
                out.push(BusInteraction::send(
                    "range16",
                    vec![LinearExpr::new(vec![(RES_HI, f(4))], F::ZERO)],
                    jumps,
                ));
                // jalr's target limbs, its halved low limb, and target_hi < 2^14; a load's or
                // store's address limbs (the low one is 4·q + offset, q < 2^14).
                let sels = |s: &[usize]| {
                    LinearExpr::new(s.iter().map(|&j| (j, F::ONE)).collect(), F::ZERO)
                };
                let mem_sels: Vec<usize> = LOADS.iter().chain(&STORES).copied().collect();
                let s_mem = sels(&mem_sels);
                let mut s_addr = mem_sels.clone();
                s_addr.push(S_JALR);
                let mut s_cmp: Vec<usize> = CMP_REG.iter().chain(&CMP_IMM).copied().collect();
                s_cmp.push(S_JALR);
                out.push(BusInteraction::send("range16", vec![col(T_LO)], sels(&s_cmp)));
                s_cmp.extend(&mem_sels);
                out.push(BusInteraction::send("range16", vec![col(T_HI)], sels(&s_cmp)));
                out.push(BusInteraction::send("range16", vec![col(T_HALF)], sels(&s_addr)));
                let scaled = |j: usize, m: u64| LinearExpr::new(vec![(j, f(m))], F::ZERO);
                out.push(BusInteraction::send("range16", vec![scaled(T_HALF, 4)], s_mem.clone()));
                // The RAM word: received with its previous value and timestamp, sent back
                // with its new value at 4·clk + 2.
                let word = LinearExpr::new(vec![(T_HALF, F::ONE), (T_HI, f(1 << 14))], F::ZERO);
                out.push(BusInteraction::receive(
                    "memory",
                    vec![cst(RAM), word.clone(), col(MP_LO), col(MP_HI), col(MTS)],
                    s_mem.clone(),
                ));
                out.push(BusInteraction::send(
                    "memory",
                    vec![cst(RAM), word, col(MV_LO), col(MV_HI), ts(2)],
                    s_mem.clone(),
                ));
                out.push(BusInteraction::send("range16", vec![col(MDL)], s_mem.clone()));
                out.push(BusInteraction::send("range16", vec![col(MDH)], s_mem.clone()));
                out.push(BusInteraction::send("range16", vec![scaled(MDH, 256)], s_mem));
                // Bytes: h = bl + 256·bh with bh < 2^8 and 256·bl < 2^16 (so bl < 2^8, as h
                // is a canonical limb); sb's rs2 low limb likewise; a signed load's rest.
                let s_byte = sels(&[S_LB, S_LBU, S_SB]);
                out.push(BusInteraction::send("range16", vec![col(BH)], s_byte.clone()));
                out.push(BusInteraction::send("range16", vec![scaled(BH, 256)], s_byte.clone()));
                out.push(BusInteraction::send("range16", vec![scaled(BL, 256)], s_byte));
                out.push(BusInteraction::send("range16", vec![col(YB)], col(S_SB)));
                out.push(BusInteraction::send("range16", vec![scaled(YB, 256)], col(S_SB)));
                out.push(BusInteraction::send("range16", vec![scaled(XB, 256)], col(S_SB)));
                let mut signed = vec![S_LB, S_LH];
                signed.extend(SIGN_A);
                let s_signed = sels(&signed);
                out.push(BusInteraction::send("range16", vec![col(SLOW)], s_signed.clone()));
                out.push(BusInteraction::send("range16", vec![col(SCALED)], s_signed));
                // A signed comparison's second operand: its rest < 2^15.
                let s_cmp_signed = sels(&CMP_SIGNED);
                out.push(BusInteraction::send("range16", vec![col(RB2)], s_cmp_signed.clone()));
                out.push(BusInteraction::send("range16", vec![scaled(RB2, 2)], s_cmp_signed));
                // and/or/xor byte by byte: (op, a_i, x_i, r_i) in the bytes table.
                let op = LinearExpr::new(
                    vec![
                        (S_AND, f(BYTE_AND)),
                        (S_ANDI, f(BYTE_AND)),
                        (S_OR, f(BYTE_OR)),
                        (S_ORI, f(BYTE_OR)),
                        (S_XOR, f(BYTE_XOR)),
                        (S_XORI, f(BYTE_XOR)),
                    ],
                    F::ZERO,
                );
                // Shifts send (0, a_i, lo_i, 0): a range check of both bytes.
                let mut byte_ops: Vec<usize> = LOGIC.to_vec();
                byte_ops.extend(SHIFTS);
                for i in 0..4 {
                    out.push(BusInteraction::send(
                        "bytes",
                        vec![op.clone(), col(LA + i), col(LB + i), col(LR + i)],
                        sels(&byte_ops),
                    ));
                }
                for i in [0, 2] {
                    out.push(BusInteraction::send(
                        "bytes",
                        vec![cst(BYTE_RANGE), col(PH + i), col(PH + i + 1), cst(0)],
                        sels(&SHIFTS),
                    ));
                }
                let s_sreg = sels(&[S_SLL, S_SRL, S_SRA]);
                out.push(BusInteraction::send("range16", vec![col(BQ)], s_sreg.clone()));
                out.push(BusInteraction::send("range16", vec![scaled(BQ, 32)], s_sreg));
                out.push(BusInteraction::send(
                    "range16",
                    vec![LinearExpr::new(vec![(T_HI, f(4))], F::ZERO)],
                    col(S_JALR),
                ));
                out.push(BusInteraction::send(
                    "exit",
                    vec![col(B_LO), col(B_HI), col(OUTLEN)],
                    col(IS_EXIT),
                ));
                // The end of the output chain (at the exit or a segment's end), the segment's end
                // state, and the read/write calls.
                out.push(BusInteraction::receive(
                    "outpos",
                    vec![col(OUTLEN), col(PREVCLK)],
                    LinearExpr::new(vec![(IS_EXIT, F::ONE), (IS_END, F::ONE)], F::ZERO),
                ));
                out.push(BusInteraction::send(
                    "segend",
                    vec![col(NEXT_PC), col(OUTLEN), col(CLK)],
                    col(IS_END),
                ));
                out.push(BusInteraction::send(
                    "syscall",
                    vec![col(CLK), col(A_LO), col(B_LO), col(B_HI), col(RES_LO), col(RES_HI)],
                    col(IS_IO),
                ));
                out.push(BusInteraction::send(
                    "muldiv",
                    [MOP, A_LO, A_HI, B_LO, B_HI, RES_LO, RES_HI].map(col).to_vec(),
                    col(S_M),
                ));
                out
            }
            VmTable::Program { .. } => {
                vec![BusInteraction::receive("program", (0..11).map(col).collect(), col(11))]
            }
            VmTable::Registers { ts0, .. } => vec![
                BusInteraction::send(
                    "memory",
                    vec![cst(0), col(0), col(1), col(2), cst(u64::from(*ts0))],
                    cst(1),
                ),
                BusInteraction::receive(
                    "memory",
                    vec![cst(0), col(0), col(3), col(4), col(5)],
                    cst(1),
                ),
            ],
            VmTable::Range => vec![BusInteraction::receive("range16", vec![col(0)], col(1))],
            VmTable::Bytes => {
                let mut out: Vec<_> = [BYTE_AND, BYTE_OR, BYTE_XOR]
                    .into_iter()
                    .enumerate()
                    .map(|(j, op)| {
                        BusInteraction::receive(
                            "bytes",
                            vec![cst(op), col(0), col(1), col(2 + j)],
                            col(5 + j),
                        )
                    })
                    .collect();
                out.push(BusInteraction::receive(
                    "bytes",
                    vec![cst(BYTE_RANGE), col(0), col(1), cst(0)],
                    col(8),
                ));
                out
            }
            VmTable::Calls => {
                let real = col(CL_REAL);
                let w = col(CL_WRITE);
                let lin = |t: Vec<(usize, u64)>, c0: u64| {
                    LinearExpr::new(t.into_iter().map(|(j, v)| (j, f(v))).collect(), f(c0))
                };
                let clk4 = |slot: u64| lin(vec![(CL_CLK, 4)], slot);
                let buf = lin(vec![(CL_BUF, 1), (CL_BUF + 1, 1 << 16)], 0);
                let len = lin(vec![(CL_LEN, 1), (CL_LEN + 1, 1 << 16)], 0);
                let mut out = vec![BusInteraction::receive(
                    "syscall",
                    vec![
                        col(CL_CLK),
                        lin(vec![(CL_WRITE, 1)], 63),
                        col(CL_WRITE),
                        cst(0),
                        col(CL_RET),
                        col(CL_RET + 1),
                    ],
                    real.clone(),
                )];
                for (reg, v, ts, slot) in [(11, CL_BUF, CL_TS1, 0), (12, CL_LEN, CL_TS2, 1)] {
                    out.push(BusInteraction::receive(
                        "memory",
                        vec![cst(0), cst(reg), col(v), col(v + 1), col(ts)],
                        real.clone(),
                    ));
                    out.push(BusInteraction::send(
                        "memory",
                        vec![cst(0), cst(reg), col(v), col(v + 1), clk4(slot)],
                        real.clone(),
                    ));
                }
                for d in [CL_D1, CL_D2] {
                    out.push(BusInteraction::send("range16", vec![col(d)], real.clone()));
                    out.push(BusInteraction::send("range16", vec![col(d + 1)], real.clone()));
                    out.push(BusInteraction::send(
                        "range16",
                        vec![lin(vec![(d + 1, 256)], 0)],
                        real.clone(),
                    ));
                }
                // buf < 2^30, len < 2^29: buf + len stays below the field's order.
                out.push(BusInteraction::send(
                    "range16",
                    vec![lin(vec![(CL_BUF + 1, 4)], 0)],
                    real.clone(),
                ));
                out.push(BusInteraction::send(
                    "range16",
                    vec![lin(vec![(CL_LEN + 1, 8)], 0)],
                    real.clone(),
                ));
                // A write: its chain of words from buf to buf + len, its link in the output
                // chain (positions, clocks increasing).
                let pos = col(CL_POS);
                let mut end = buf.clone();
                for (j, v) in [(CL_LEN, F::ONE), (CL_LEN + 1, f(1 << 16))] {
                    end = end.plus(j, v);
                }
                let pos_end = pos.clone().plus(CL_LEN, F::ONE).plus(CL_LEN + 1, f(1 << 16));
                let _ = len;
                // Every call's chain of words runs from buf to buf + ret.
                let ret = |e: LinearExpr<F>| e.plus(CL_RET, F::ONE).plus(CL_RET + 1, f(1 << 16));
                out.push(BusInteraction::send(
                    "io",
                    vec![col(CL_CLK), buf.clone(), pos.clone()],
                    real.clone(),
                ));
                out.push(BusInteraction::receive(
                    "io",
                    vec![col(CL_CLK), ret(buf), ret(pos.clone())],
                    real.clone(),
                ));
                let _ = end;
                for (j, m) in [(CL_DR, 1), (CL_DR + 1, 1), (CL_DR + 1, 8)] {
                    out.push(BusInteraction::send(
                        "range16",
                        vec![lin(vec![(j, m)], 0)],
                        real.clone(),
                    ));
                }
                out.push(BusInteraction::receive("outpos", vec![pos, col(CL_PREV)], w.clone()));
                out.push(BusInteraction::send("outpos", vec![pos_end, col(CL_CLK)], w.clone()));
                for j in [CL_CD, CL_CD + 1] {
                    out.push(BusInteraction::send("range16", vec![col(j)], w.clone()));
                }
                out.push(BusInteraction::send("range16", vec![lin(vec![(CL_CD + 1, 256)], 0)], w));
                out
            }
            VmTable::Io => {
                let real = col(IO_REAL);
                let lin = |t: Vec<(usize, u64)>, c0: u64| {
                    LinearExpr::new(t.into_iter().map(|(j, v)| (j, f(v))).collect(), f(c0))
                };
                let v_lo = lin(vec![(IO_V, 1), (IO_V + 1, 256)], 0);
                let v_hi = lin(vec![(IO_V + 2, 1), (IO_V + 3, 256)], 0);
                let mut out = vec![
                    BusInteraction::receive(
                        "memory",
                        vec![cst(RAM), col(IO_W), v_lo.clone(), v_hi.clone(), col(IO_TS)],
                        real.clone(),
                    ),
                    BusInteraction::send(
                        "memory",
                        vec![
                            cst(RAM),
                            col(IO_W),
                            lin(vec![(IO_N, 1), (IO_N + 1, 256)], 0),
                            lin(vec![(IO_N + 2, 1), (IO_N + 3, 256)], 0),
                            lin(vec![(IO_CLK, 4)], 2),
                        ],
                        real.clone(),
                    ),
                ];
                let _ = (v_lo, v_hi);
                // The new bytes: each < 2^8 (n and 256·n below 2^16).
                for j in 0..4 {
                    out.push(BusInteraction::send("range16", vec![col(IO_N + j)], real.clone()));
                    out.push(BusInteraction::send(
                        "range16",
                        vec![lin(vec![(IO_N + j, 256)], 0)],
                        real.clone(),
                    ));
                }
                out.push(BusInteraction::send("range16", vec![col(IO_D)], real.clone()));
                out.push(BusInteraction::send("range16", vec![col(IO_D + 1)], real.clone()));
                out.push(BusInteraction::send(
                    "range16",
                    vec![lin(vec![(IO_D + 1, 256)], 0)],
                    real.clone(),
                ));
                // Bytes: v1, v3 < 2^8 and 256·v0, 256·v2 < 2^16 (the limbs are canonical).
                for j in [1, 3] {
                    out.push(BusInteraction::send("range16", vec![col(IO_V + j)], real.clone()));
                    out.push(BusInteraction::send(
                        "range16",
                        vec![lin(vec![(IO_V + j, 256)], 0)],
                        real.clone(),
                    ));
                    out.push(BusInteraction::send(
                        "range16",
                        vec![lin(vec![(IO_V + j - 1, 256)], 0)],
                        real.clone(),
                    ));
                }
                // The chain: from 4w + os to 4w + os + cnt, positions along.
                let cnt: Vec<(usize, u64)> = (0..4).map(|j| (IO_F + j, 1)).collect();
                let start = lin(vec![(IO_W, 4), (IO_OS, 1)], 0);
                let mut end = start.clone();
                let mut pos_end = col(IO_POS);
                for &(j, _) in &cnt {
                    end = end.plus(j, F::ONE);
                    pos_end = pos_end.plus(j, F::ONE);
                }
                out.push(BusInteraction::receive(
                    "io",
                    vec![col(IO_CLK), start, col(IO_POS)],
                    real.clone(),
                ));
                out.push(BusInteraction::send("io", vec![col(IO_CLK), end, pos_end], real));
                // Byte k goes to the output at pos + (flags before k).
                for j in 0..4 {
                    let mut at = col(IO_POS);
                    for i in 0..j {
                        at = at.plus(IO_F + i, F::ONE);
                    }
                    out.push(BusInteraction::send(
                        "output",
                        vec![at, col(IO_V + j)],
                        col(IO_G + j),
                    ));
                }
                out
            }
            VmTable::MulDiv => {
                let real = LinearExpr::new((0..8).map(|m| (MD_F + m, F::ONE)).collect(), F::ZERO);
                let op = LinearExpr::new(
                    (0..8).map(|m| (MD_F + m, f(M_OP_BASE + m as u64))).collect(),
                    F::ZERO,
                );
                let limb = |j: usize| LinearExpr::new(vec![(j, F::ONE), (j + 1, f(256))], F::ZERO);
                let mut out = vec![BusInteraction::receive(
                    "muldiv",
                    vec![
                        op,
                        col(MD_A),
                        col(MD_A + 1),
                        limb(MD_Y),
                        limb(MD_Y + 2),
                        col(MD_RES),
                        col(MD_RES + 1),
                    ],
                    real.clone(),
                )];
                // Every byte in range (pairs on the bytes bus), the top bytes' low bits < 2^7.
                let mut pairs: Vec<(LinearExpr<F>, LinearExpr<F>)> =
                    [MD_X, MD_Y, MD_Z, MD_Z + 4, MD_R]
                        .into_iter()
                        .flat_map(|base| {
                            [(col(base), col(base + 1)), (col(base + 2), col(base + 3))]
                        })
                        .collect();
                let scaled = |j: usize| LinearExpr::new(vec![(j, f(2))], F::ZERO);
                pairs.push((scaled(MD_L), scaled(MD_L + 1)));
                pairs.push((scaled(MD_L + 2), scaled(MD_L + 3)));
                for (p, q) in pairs {
                    out.push(BusInteraction::send(
                        "bytes",
                        vec![cst(BYTE_RANGE), p, q, cst(0)],
                        real.clone(),
                    ));
                }
                // Carries, |rs2|, |r| and their difference: 16-bit.
                for j in (MD_CA..MD_CA + 8).chain([MD_U, MD_U + 1, MD_V, MD_V + 1, MD_D, MD_D + 1])
                {
                    out.push(BusInteraction::send("range16", vec![col(j)], real.clone()));
                }
                out
            }
            VmTable::Boundary { ts0, .. } => vec![
                BusInteraction::send(
                    "memory",
                    vec![cst(RAM), col(1), col(2), col(3), cst(u64::from(*ts0))],
                    col(0),
                ),
                BusInteraction::receive(
                    "memory",
                    vec![cst(RAM), col(1), col(4), col(5), col(6)],
                    col(0),
                ),
            ],
            VmTable::Image { .. } => vec![
                BusInteraction::send(
                    "memory",
                    vec![cst(RAM), col(1), col(2), col(3), cst(0)],
                    col(0),
                ),
                BusInteraction::receive(
                    "memory",
                    vec![cst(RAM), col(1), col(4), col(5), col(6)],
                    col(0),
                ),
            ],
            VmTable::Ram { base, .. } => {
                let word = LinearExpr::new(
                    vec![(RAM_U, F::ONE), (RAM_U + 1, f(1 << 16))],
                    f(u64::from(*base)),
                );
                let real = col(RAM_REAL);
                let mut out = vec![
                    BusInteraction::send(
                        "memory",
                        vec![cst(RAM), word.clone(), cst(0), cst(0), cst(0)],
                        real.clone(),
                    ),
                    BusInteraction::receive(
                        "memory",
                        vec![cst(RAM), word, col(RAM_FIN), col(RAM_FIN + 1), col(RAM_FIN + 2)],
                        real.clone(),
                    ),
                ];
                // Every limb < 2^16, every high limb < 2^14 (values < 2^30).
                for j in [RAM_U, RAM_V, RAM_G] {
                    out.push(BusInteraction::send("range16", vec![col(j)], real.clone()));
                    out.push(BusInteraction::send("range16", vec![col(j + 1)], real.clone()));
                    out.push(BusInteraction::send(
                        "range16",
                        vec![LinearExpr::new(vec![(j + 1, f(4))], F::ZERO)],
                        real.clone(),
                    ));
                }
                out
            }
        }
    }

    fn preprocessed(&self, log_rows: usize) -> Vec<(usize, Vec<F>)> {
        let rows = 1usize << log_rows;
        match self {
            VmTable::Cpu { .. } => Vec::new(),
            VmTable::Program { rows: tuples } => (0..11)
                .map(|j| {
                    let mut v: Vec<F> = tuples.iter().map(|t| f(u64::from(t[j]))).collect();
                    v.resize(rows, F::ZERO);
                    (j, v)
                })
                .collect(),
            VmTable::Registers { init, fin, .. } => {
                let pad = |v: Vec<F>| {
                    let mut v = v;
                    v.resize(rows, F::ZERO);
                    v
                };
                let mut cols = vec![
                    (0, pad((0..32).map(f).collect())),
                    (1, pad(init.iter().map(|&x| f(lo(x))).collect())),
                    (2, pad(init.iter().map(|&x| f(hi(x))).collect())),
                ];
                if let Some(fin) = fin {
                    cols.push((3, pad(fin.iter().map(|&x| f(lo(x))).collect())));
                    cols.push((4, pad(fin.iter().map(|&x| f(hi(x))).collect())));
                }
                cols
            }
            VmTable::Boundary { words, .. } => {
                let column = |g: &dyn Fn(&(u32, u32, u32)) -> u64| {
                    let mut v: Vec<F> = words.iter().map(|w| f(g(w))).collect();
                    v.resize(rows, F::ZERO);
                    v
                };
                vec![
                    (0, column(&|_| 1)),
                    (1, column(&|w| u64::from(w.0))),
                    (2, column(&|w| lo(w.1))),
                    (3, column(&|w| hi(w.1))),
                    (4, column(&|w| lo(w.2))),
                    (5, column(&|w| hi(w.2))),
                ]
            }
            VmTable::Range => vec![(0, (0..rows as u64).map(f).collect())],
            VmTable::Image { words, text } => {
                let column = |g: &dyn Fn(&(u32, u32)) -> u64| {
                    let mut v: Vec<F> = words.iter().map(|w| f(g(w))).collect();
                    v.resize(rows, F::ZERO);
                    v
                };
                vec![
                    (0, column(&|_| 1)),
                    (1, column(&|w| u64::from(w.0))),
                    (2, column(&|w| lo(w.1))),
                    (3, column(&|w| hi(w.1))),
                    (7, column(&|w| u64::from(w.0 >= text.0 && w.0 < text.1))),
                ]
            }
            VmTable::Ram { .. } | VmTable::Calls | VmTable::Io | VmTable::MulDiv => Vec::new(),
            VmTable::Bytes => {
                let (x, y): (Vec<u64>, Vec<u64>) =
                    (0..rows as u64).map(|i| (i & 0xff, i >> 8)).unzip();
                let op =
                    |g: fn(u64, u64) -> u64| x.iter().zip(&y).map(|(&a, &b)| f(g(a, b))).collect();
                vec![
                    (0, x.iter().map(|&v| f(v)).collect()),
                    (1, y.iter().map(|&v| f(v)).collect()),
                    (2, op(|a, b| a & b)),
                    (3, op(|a, b| a | b)),
                    (4, op(|a, b| a ^ b)),
                ]
            }
        }
    }
}

/// The program table's tuple of each text word (`op = 0` for an unsupported instruction).
pub(crate) fn program_rows(program: &Program) -> Vec<[u32; 11]> {
    program
        .code
        .iter()
        .enumerate()
        .map(|(i, ins)| {
            let pc = program.text_start.wrapping_add(4 * i as u32);
            let id = op_id(ins.op);
            let (rs1, rs2, rd) = ins.row_registers();
            // auipc's word is static: the table holds pc + imm as its immediate.
            let imm =
                if ins.op == Op::Auipc { pc.wrapping_add(ins.imm as u32) } else { ins.imm as u32 };
            let target = (u64::from(pc.wrapping_add(imm)) % F::ORDER_U64) as u32;
            let r1 = u32::from((ins.op.reads_rs1() || ins.op == Op::Ecall) && rs1 != 0);
            let r2 = u32::from((ins.op.reads_rs2() || ins.op == Op::Ecall) && rs2 != 0);
            let wr = u32::from((ins.op.writes_rd() || ins.op == Op::Ecall) && rd != 0);
            [
                pc,
                id,
                u32::from(rd),
                u32::from(rs1),
                u32::from(rs2),
                imm & 0xffff,
                imm >> 16,
                target,
                r1,
                r2,
                wr,
            ]
        })
        .collect()
}

/// The RAM words of the loadable segments' file bytes (text included: programs read constants
/// from it), `(word index, initial value)` sorted by index. Their zero-filled tails (`.bss`)
/// are not listed: they are zero-initialised words like the stack, in the RAM table.
pub(crate) fn image_words(program: &Program) -> Vec<(u32, u32)> {
    let mut words = std::collections::BTreeMap::new();
    for s in &program.segments {
        let end = (u64::from(s.vaddr) + s.data.len() as u64).div_ceil(4);
        for w in u64::from(s.vaddr / 4)..end {
            words.entry(w as u32).or_insert(0u32);
        }
        for (i, &byte) in s.data.iter().enumerate() {
            let a = s.vaddr as usize + i;
            if let Some(v) = words.get_mut(&((a / 4) as u32)) {
                *v |= u32::from(byte) << (8 * (a % 4));
            }
        }
    }
    words.into_iter().collect()
}

/// The zero-initialised words a proof covers: `[base, limit)`, from just above the image to
/// the end of memory.
pub(crate) fn ram_bounds(
    program: &Program,
    image: &std::collections::BTreeMap<u32, u32>,
) -> (u32, u32) {
    let base = image.keys().next_back().map_or(0, |&w| w + 1);
    (base, program.config.mem_size / 4)
}

/// Whether the program's text has an M-extension instruction (the MulDiv table is left out
/// otherwise).
fn uses_muldiv(program: &Program) -> bool {
    program.code.iter().any(|i| M_OPS.contains(&i.op))
}

/// Whether the program's text has an instruction that looks up the bytes table (the table is
/// left out otherwise: it is as large as the range table).
fn uses_bytes(program: &Program) -> bool {
    uses_muldiv(program)
        || program.code.iter().any(|i| {
            matches!(
                i.op,
                Op::And
                    | Op::Or
                    | Op::Xor
                    | Op::Andi
                    | Op::Ori
                    | Op::Xori
                    | Op::Sll
                    | Op::Srl
                    | Op::Sra
                    | Op::Slli
                    | Op::Srli
                    | Op::Srai
            )
        })
}

/// The tables of a program: CPU, program, registers, range, image, RAM, calls, I/O, the bytes
/// table when the text has a logic, shift or M instruction, and the MulDiv table when it has an
/// M instruction (in this order).
#[must_use]
pub fn tables(program: &Program) -> Vec<VmTable> {
    let mut init = [0u32; 32];
    init[2] = program.config.stack_top();
    let words = image_words(program);
    let (base, limit) = ram_bounds(program, &words.iter().copied().collect());
    let mut t = vec![
        VmTable::Cpu { entry: program.entry, start_clk: 0, last: true },
        VmTable::Program { rows: program_rows(program) },
        VmTable::Registers { init: Box::new(init), fin: None, ts0: 0 },
        VmTable::Range,
        VmTable::Image { words, text: (program.text_start / 4, program.text_end() / 4) },
        VmTable::Ram { base, limit },
        VmTable::Calls,
        VmTable::Io,
    ];
    if uses_bytes(program) {
        t.push(VmTable::Bytes);
    }
    if uses_muldiv(program) {
        t.push(VmTable::MulDiv);
    }
    t
}

/// The tables of one segment of a run (see [`crate::continuation`]): as [`tables`], with the
/// CPU starting at `start_pc` after `start_clk` cycles (ending in the exit when `last`), the
/// registers from `regs_init` to `regs_fin` (public), and one boundary table of the RAM words
/// the segment touches `(word, initial, final)` in place of the image and RAM tables.
pub(crate) fn segment_tables(
    program: &Program,
    start_pc: u32,
    start_clk: u32,
    last: bool,
    regs: ([u32; 32], [u32; 32]),
    words: Vec<(u32, u32, u32)>,
) -> Vec<VmTable> {
    let ts0 = 4 * start_clk;
    let mut t = vec![
        VmTable::Cpu { entry: start_pc, start_clk, last },
        VmTable::Program { rows: program_rows(program) },
        VmTable::Registers { init: Box::new(regs.0), fin: Some(Box::new(regs.1)), ts0 },
        VmTable::Range,
        VmTable::Boundary { words, ts0 },
        VmTable::Calls,
        VmTable::Io,
    ];
    if uses_bytes(program) {
        t.push(VmTable::Bytes);
    }
    if uses_muldiv(program) {
        t.push(VmTable::MulDiv);
    }
    t
}

pub(crate) fn log2_rows(n: usize) -> usize {
    n.max(2).next_power_of_two().trailing_zeros() as usize
}

pub(crate) fn transcript(elf: &[u8]) -> Result<VmTranscript, ProveError> {
    let mut t = Transcript::with_label(Poseidon2::babybear_16(), b"zkprove-vm-v1")
        .map_err(|_| ProveError::ProofShape { what: "Poseidon2 width" })?;
    t.observe(f(elf.len() as u64));
    for chunk in elf.chunks(3) {
        let mut v = 0u64;
        for (i, &b) in chunk.iter().enumerate() {
            v |= u64::from(b) << (8 * i);
        }
        t.observe(f(v));
    }
    Ok(t)
}

/// WHIR's folding factor for the zkVM's commitments ([`AirParams::folding_factor`]): 6
/// variables per round (leaves of 64 values), one more than the AIR prover's default.
pub const VM_FOLDING_FACTOR: usize = 6;

/// WHIR's domain reduction for the zkVM's commitments ([`AirParams::domain_reduction`]): each
/// later codeword's domain is `2^3` times smaller than the one before (the default is `2^2`).
///
/// Why (BENCHMARKS.md, "zkVM proving: WHIR's schedule for the zkVM's commitments"): the
/// zkVM's two shared commitments hold 2^23 base-field values each (sieve of 2000, 24k cycles), and with the default schedule
/// (folding 5, reduction 2) round 1 encodes the folded 2^18-value polynomial over the
/// extension on a 2^23-point domain — 2^25 base elements to transform and hash per
/// commitment, twice the commitment itself, and `whir_open` was the largest phase (≈ 40 % of
/// `vm prove`). With folding 6 and reduction 3, round 1 is 2^17 values on 2^22 points (rate
/// 2^-5, as before; 2^24 base elements, half) and round 2 is on 2^19 points instead of 2^21,
/// for a few more queries (proof +8 %). The security
/// level is WHIR's own accounting at the same target (`vm prove -v` prints it; unchanged at
/// 101.3 bits for the sieve, 101.0 for fib(16), the LogUp term being the smallest).
pub const VM_DOMAIN_REDUCTION: usize = 3;

/// The AIR prover of the zkVM's proofs: [`AirParams::default`] (100 bits, rate 1/2) with
/// WHIR's schedule [`VM_FOLDING_FACTOR`], [`VM_DOMAIN_REDUCTION`]. Prover and verifier use the
/// same; the schedule is bound into each WHIR transcript.
pub(crate) fn prover() -> Result<AirProver<F, E, Hash>, ProveError> {
    let hasher = Hash::new(Poseidon2::babybear_16())
        .map_err(|_| ProveError::ProofShape { what: "Poseidon2 width" })?;
    let params = AirParams {
        folding_factor: VM_FOLDING_FACTOR,
        domain_reduction: VM_DOMAIN_REDUCTION,
        ..AirParams::default()
    };
    Ok(AirProver::new(params, hasher))
}

/// The verifier's tuples: the exit code with the output's length, the start of the output
/// chain, and each output byte at its position.
fn public(exit_code: u32, output: &[u8]) -> Vec<PublicTuple<F>> {
    public_at(0, 0, output, Close::Exit { code: exit_code, len: output.len() as u64 })
}

/// How a run or a segment ends: the exit (its code, the whole output's length), or a segment's
/// end (the next pc, the output position, the clock of the last row).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Close {
    Exit { code: u32, len: u64 },
    End { pc: u32, pos: u64, clk: u32 },
}

/// The verifier's tuples of a run or segment that starts after `start_clk` cycles at output
/// position `out_start` and writes `output` (the bytes from there on): its close, the start of
/// the output chain, and each output byte at its position.
pub(crate) fn public_at(
    start_clk: u32,
    out_start: u64,
    output: &[u8],
    close: Close,
) -> Vec<PublicTuple<F>> {
    let tuple = |bus: &str, tuple: Vec<F>, direction| PublicTuple {
        bus: bus.into(),
        tuple,
        multiplicity: F::ONE,
        direction,
    };
    use zkprove_air::Direction::{Receive, Send};
    let mut out = vec![
        match close {
            Close::Exit { code, len } => {
                tuple("exit", vec![f(lo(code)), f(hi(code)), f(len)], Receive)
            }
            Close::End { pc, pos, clk } => {
                tuple("segend", vec![f(u64::from(pc)), f(pos), f(u64::from(clk))], Receive)
            }
        },
        tuple("outpos", vec![f(out_start), f(u64::from(start_clk))], Send),
    ];
    out.extend(output.iter().enumerate().map(|(i, &byte)| {
        tuple("output", vec![f(out_start + i as u64), f(u64::from(byte))], Receive)
    }));
    out
}

/// A proved run: its public part and the proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvedRun {
    /// The exit code (`a0` at `exit`).
    pub exit_code: u32,
    /// The public output (empty: `write` is not proved yet).
    pub output: Vec<u8>,
    /// Cycles.
    pub cycles: u64,
    /// The proof.
    pub proof: VmProof,
    /// Where the proving time went: the AIR prover's phases (summed over the tables), the
    /// execution and trace building before them under `"trace"`.
    pub profile: AirProfile,
}

/// The registers at the start of a run (all zero but the stack pointer).
pub(crate) fn initial_registers(program: &Program) -> [u32; 32] {
    let mut init = [0u32; 32];
    init[2] = program.config.stack_top();
    init
}

/// Where a run or a segment starts: registers, clock (cycles before it), output position and
/// input bytes read so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SegStart {
    pub(crate) regs: [u32; 32],
    pub(crate) clk: u32,
    pub(crate) out_pos: u64,
    pub(crate) input_pos: usize,
}

impl SegStart {
    pub(crate) fn initial(program: &Program) -> Self {
        SegStart { regs: initial_registers(program), clk: 0, out_pos: 0, input_pos: 0 }
    }
}

/// Which tables hold the memory: the whole run's (image and RAM tables), or a segment's
/// boundary table with the memory it starts from (the words written by earlier segments; the
/// others are the image's or zero).
pub(crate) enum Layout<'a> {
    Single,
    Segment { mem: &'a std::collections::HashMap<u32, u32>, last: bool },
}

/// What a segment leaves: registers, the words it touched `(word, initial, final)` in
/// increasing order, the output position and input bytes read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SegEnd {
    pub(crate) regs: [u32; 32],
    pub(crate) words: Vec<(u32, u32, u32)>,
    pub(crate) out_pos: u64,
    pub(crate) input_pos: usize,
}

/// The traces of a whole run's tables (see [`tables`]).
fn traces(
    program: &Program,
    steps: &[crate::Step],
    input: &[u8],
) -> Result<Vec<Trace<F>>, ProveError> {
    Ok(traces_at(program, steps, input, &SegStart::initial(program), &Layout::Single)?.0)
}

/// The traces of the tables for `steps` from `start`: a whole run ([`Layout::Single`]) or one
/// segment ([`Layout::Segment`], the tables of [`segment_tables`]).
pub(crate) fn traces_at(
    program: &Program,
    steps: &[crate::Step],
    input: &[u8],
    start: &SegStart,
    layout: &Layout<'_>,
) -> Result<(Vec<Trace<F>>, SegEnd), ProveError> {
    let n = log2_rows(steps.len());
    let rows = 1usize << n;
    let mut cpu = vec![vec![F::ZERO; rows]; CPU_COLS];
    let mut prog_mult = vec![0u64; program.code.len()];
    let mut range_mult = vec![0u64; 1 << LOG_RANGE];
    let mut regs = start.regs;
    let ts0 = 4 * start.clk;
    let mut reg_ts = [ts0; 32];
    let rows_tuples = program_rows(program);
    let image: std::collections::BTreeMap<u32, u32> = image_words(program).into_iter().collect();
    let (base, limit) = ram_bounds(program, &image);
    let (seg_mem, last) = match layout {
        Layout::Single => (None, true),
        Layout::Segment { mem, last } => (Some(*mem), *last),
    };
    let init_of = |w: u32| {
        seg_mem.and_then(|m| m.get(&w).copied()).or_else(|| image.get(&w).copied()).unwrap_or(0)
    };
    // RAM words touched so far: (value, last timestamp).
    let mut ram: std::collections::HashMap<u32, (u32, u32)> = Default::default();
    let mut byte_mult = vec![vec![0u64; 1 << 16]; 4];
    let (mut calls_rows, mut io_rows, mut md_rows) = (Vec::new(), Vec::new(), Vec::new());
    let (mut out_pos, mut last_write_clk) = (start.out_pos, u64::from(start.clk));
    let mut input_pos = start.input_pos;
    for (i, s) in steps.iter().enumerate() {
        let idx = ((s.pc - program.text_start) / 4) as usize;
        let ins = program.code[idx];
        let Some(k) = selector(ins.op) else {
            return Err(ProveError::Unsupported { pc: s.pc, mnemonic: ins.op.mnemonic() });
        };
        if ins.op == Op::Ecall && !matches!(s.a, 63 | 64 | 93 | 94) {
            return Err(ProveError::UnsupportedSyscall { pc: s.pc, number: s.a });
        }
        prog_mult[idx] += 1;
        let t = rows_tuples[idx];
        let clk = start.clk + i as u32 + 1;
        cpu[IS_REAL][i] = F::ONE;
        cpu[PC][i] = f(u64::from(s.pc));
        cpu[SEL + k][i] = F::ONE;
        for (j, c) in [RD, RS1, RS2, IMM_LO, IMM_HI, TARGET, R1, R2, WR].into_iter().enumerate() {
            cpu[c][i] = f(u64::from(t[j + 2]));
        }
        let (rs1, rs2, rd) = (t[3] as usize, t[4] as usize, t[2] as usize);
        let (r1, r2, wr) = (t[8] == 1, t[9] == 1, t[10] == 1);
        let mut access =
            |cpu: &mut [Vec<F>], reg: usize, slot: u32, cols: (usize, usize, usize)| {
                let ts = 4 * clk + slot;
                let d = ts - reg_ts[reg] - 1;
                cpu[cols.0][i] = f(u64::from(reg_ts[reg]));
                cpu[cols.1][i] = f(u64::from(d & 0xffff));
                cpu[cols.2][i] = f(u64::from(d >> 16));
                range_mult[(d & 0xffff) as usize] += 1;
                range_mult[(d >> 16) as usize] += 1;
                range_mult[((d >> 16) * 256) as usize] += 1;
                reg_ts[reg] = ts;
            };
        let (a, b) = (s.a, s.b);
        if r1 {
            access(&mut cpu, rs1, 0, (TS1, D1L, D1H));
            cpu[A_LO][i] = f(lo(a));
            cpu[A_HI][i] = f(hi(a));
        }
        if r2 {
            access(&mut cpu, rs2, 1, (TS2, D2L, D2H));
            cpu[B_LO][i] = f(lo(b));
            cpu[B_HI][i] = f(hi(b));
        }
        let (a, b) = (if r1 { a } else { 0 }, if r2 { b } else { 0 });
        let imm = ins.imm as u32;
        let mem_res = if LOADS.contains(&(SEL + k)) || STORES.contains(&(SEL + k)) {
            let addr = a.wrapping_add(imm);
            let w = addr >> 2;
            if !image.contains_key(&w) && (w < base || w >= limit) {
                return Err(ProveError::MemoryOutside { pc: s.pc, addr });
            }
            let (prev, prev_ts) = *ram.entry(w).or_insert_with(|| (init_of(w), ts0));
            let (o0, o1) = (addr & 1, (addr >> 1) & 1);
            let half = if o1 == 1 { prev >> 16 } else { prev & 0xffff };
            let (bl, bh) = (half & 0xff, half >> 8);
            let byte = if o0 == 1 { bh } else { bl };
            let (xb, yb) = (b & 0xff, (b >> 8) & 0xff);
            let (res, new, nh, sgn, slow, scaled) = match ins.op {
                Op::Lw => (prev, prev, 0, 0, 0, 0),
                Op::Lhu => (half, prev, 0, 0, 0, 0),
                Op::Lbu => (byte, prev, 0, 0, 0, 0),
                Op::Lh => {
                    let sgn = half >> 15;
                    (half | (0xffff_0000 * sgn), prev, 0, sgn, half & 0x7fff, 2 * (half & 0x7fff))
                }
                Op::Lb => {
                    let sgn = byte >> 7;
                    (byte | (0xffff_ff00 * sgn), prev, 0, sgn, byte & 0x7f, 512 * (byte & 0x7f))
                }
                Op::Sw => (0, b, 0, 0, 0, 0),
                _ => {
                    let nh = match (ins.op, o0) {
                        (Op::Sh, _) => b & 0xffff,
                        (_, 0) => xb | (bh << 8),
                        _ => bl | (xb << 8),
                    };
                    let new =
                        if o1 == 1 { (prev & 0xffff) | (nh << 16) } else { (prev & !0xffff) | nh };
                    (0, new, nh, 0, 0, 0)
                }
            };
            if new != s.mem_val || w != s.mem_addr >> 2 {
                return Err(ProveError::ProofShape {
                    what: "memory trace disagrees with the executor",
                });
            }
            let ts = 4 * clk + 2;
            let d = ts - prev_ts - 1;
            ram.insert(w, (new, ts));
            let t_lo = addr & 0xffff;
            let vals = [
                (O0, o0),
                (O1, o1),
                (T_HALF, t_lo >> 2),
                (MV_LO, new & 0xffff),
                (MV_HI, new >> 16),
                (MP_LO, prev & 0xffff),
                (MP_HI, prev >> 16),
                (MTS, prev_ts),
                (MDL, d & 0xffff),
                (MDH, d >> 16),
                (HALF, half),
                (BL, bl),
                (BH, bh),
                (BYTE, byte),
                (SGN, sgn),
                (SLOW, slow),
                (SCALED, scaled),
                (XB, xb),
                (YB, yb),
                (NH, nh),
                (T_LO, t_lo),
                (T_HI, addr >> 16),
            ];
            for (j, v) in vals {
                cpu[j][i] = f(u64::from(v));
            }
            let mut checks =
                vec![addr >> 16, t_lo >> 2, t_lo & !3, d & 0xffff, d >> 16, (d >> 16) * 256];
            if matches!(ins.op, Op::Lb | Op::Lbu | Op::Sb) {
                checks.extend([bh, bh * 256, bl * 256]);
            }
            if ins.op == Op::Sb {
                checks.extend([yb, yb * 256, xb * 256]);
            }
            if matches!(ins.op, Op::Lb | Op::Lh) {
                checks.extend([slow, scaled]);
            }
            for v in checks {
                range_mult[v as usize] += 1;
            }
            Some(res)
        } else {
            None
        };
        let second = if matches!(ins.op, Op::Slti | Op::Sltiu | Op::Andi | Op::Ori | Op::Xori) {
            imm
        } else {
            b
        };
        let mut lt = false;
        if matches!(ins.op, Op::Slt | Op::Sltu | Op::Slti | Op::Sltiu | Op::Blt | Op::Bge) {
            let t = a.wrapping_sub(second);
            let signed = matches!(ins.op, Op::Slt | Op::Slti | Op::Blt | Op::Bge);
            lt = if signed { (a as i32) < (second as i32) } else { a < second };
            let (sa, sb) = (a >> 31, second >> 31);
            let (ra, rb) = ((a >> 16) & 0x7fff, (second >> 16) & 0x7fff);
            let mut vals = vec![(T_LO, t & 0xffff), (T_HI, t >> 16), (LT, u32::from(lt))];
            range_mult[(t & 0xffff) as usize] += 1;
            range_mult[(t >> 16) as usize] += 1;
            if signed {
                vals.extend([
                    (SGN, sa),
                    (SLOW, ra),
                    (SCALED, 2 * ra),
                    (SB2, sb),
                    (RB2, rb),
                    (XS, sa ^ sb),
                ]);
                for v in [ra, 2 * ra, rb, 2 * rb] {
                    range_mult[v as usize] += 1;
                }
            }
            for (j, v) in vals {
                cpu[j][i] = f(u64::from(v));
            }
        }
        let logic = match ins.op {
            Op::And | Op::Andi => Some((BYTE_AND, a & second)),
            Op::Or | Op::Ori => Some((BYTE_OR, a | second)),
            Op::Xor | Op::Xori => Some((BYTE_XOR, a ^ second)),
            _ => None,
        };
        if let Some((op, r)) = logic {
            for j in 0..4 {
                let (xa, xb, xr) =
                    ((a >> (8 * j)) & 0xff, (second >> (8 * j)) & 0xff, (r >> (8 * j)) & 0xff);
                cpu[LA + j][i] = f(u64::from(xa));
                cpu[LB + j][i] = f(u64::from(xb));
                cpu[LR + j][i] = f(u64::from(xr));
                byte_mult[(op - 1) as usize][(xa | (xb << 8)) as usize] += 1;
            }
        }
        let shift = match ins.op {
            Op::Sll | Op::Slli => Some((true, false)),
            Op::Srl | Op::Srli => Some((false, false)),
            Op::Sra | Op::Srai => Some((false, true)),
            _ => None,
        };
        let shifted = if let Some((left, arith)) = shift {
            let amount = if matches!(ins.op, Op::Slli | Op::Srli | Op::Srai) { imm } else { b };
            let sh = amount & 31;
            let (kk, m) = (sh & 7, sh >> 3);
            let pow = 1u32 << kk;
            let q = 256 >> kk;
            let sgn = if arith { a >> 31 } else { 0 };
            let mut vals = vec![
                (SK, kk & 1),
                (SK + 1, (kk >> 1) & 1),
                (SK + 2, kk >> 2),
                (SM + m as usize, 1),
                (P1, (1 + (kk & 1)) * (1 + 3 * ((kk >> 1) & 1))),
                (POW, pow),
                (QPOW, if left { 0 } else { q }),
                (FILL, if left { 0 } else { sgn * (256 - q) }),
            ];
            if matches!(ins.op, Op::Sll | Op::Srl | Op::Sra) {
                let bq = (b & 0xffff) >> 5;
                vals.push((BQ, bq));
                range_mult[bq as usize] += 1;
                range_mult[(bq * 32) as usize] += 1;
            }
            if arith {
                let ra = (a >> 16) & 0x7fff;
                vals.extend([(SGN, sgn), (SLOW, ra), (SCALED, 2 * ra)]);
                range_mult[ra as usize] += 1;
                range_mult[(2 * ra) as usize] += 1;
            }
            let mut ph = [0u32; 4];
            for (j, phj) in ph.iter_mut().enumerate() {
                let aj = (a >> (8 * j)) & 0xff;
                let prod = aj * if left { pow } else { q };
                vals.extend([(LA + j, aj), (LB + j, prod & 0xff), (PH + j, prod >> 8)]);
                *phj = prod >> 8;
                byte_mult[BYTE_RANGE_IDX][(aj | ((prod & 0xff) << 8)) as usize] += 1;
            }
            byte_mult[BYTE_RANGE_IDX][(ph[0] | (ph[1] << 8)) as usize] += 1;
            byte_mult[BYTE_RANGE_IDX][(ph[2] | (ph[3] << 8)) as usize] += 1;
            for (j, v) in vals {
                cpu[j][i] = f(u64::from(v));
            }
            Some(if left {
                a << sh
            } else if arith {
                ((a as i32) >> sh) as u32
            } else {
                a >> sh
            })
        } else {
            None
        };
        let md_res = if let Some(m) = M_OPS.iter().position(|&o| o == ins.op) {
            let (row, res) = muldiv_row(m, a, b);
            if res != s.rd_val && wr {
                return Err(ProveError::ProofShape {
                    what: "M-extension result disagrees with the executor",
                });
            }
            cpu[MOP][i] = f(M_OP_BASE + m as u64);
            let pair = |x: i64, y: i64| (x | (y << 8)) as usize;
            for base in [MD_X, MD_Y, MD_Z, MD_Z + 4, MD_R] {
                byte_mult[BYTE_RANGE_IDX][pair(row[base], row[base + 1])] += 1;
                byte_mult[BYTE_RANGE_IDX][pair(row[base + 2], row[base + 3])] += 1;
            }
            byte_mult[BYTE_RANGE_IDX][pair(2 * row[MD_L], 2 * row[MD_L + 1])] += 1;
            byte_mult[BYTE_RANGE_IDX][pair(2 * row[MD_L + 2], 2 * row[MD_L + 3])] += 1;
            for j in (MD_CA..MD_CA + 8).chain([MD_U, MD_U + 1, MD_V, MD_V + 1, MD_D, MD_D + 1]) {
                range_mult[row[j] as usize] += 1;
            }
            md_rows.push(row);
            Some(res)
        } else {
            None
        };
        let ecall_res = if ins.op == Op::Ecall {
            if matches!(s.a, 93 | 94) {
                cpu[IS_EXIT][i] = F::ONE;
                cpu[OUTLEN][i] = f(out_pos);
                cpu[PREVCLK][i] = f(last_write_clk);
                Some(b)
            } else {
                cpu[IS_IO][i] = F::ONE;
                let write = s.a == 64;
                let (buf, len) = (regs[11], regs[12]);
                let ret = if write { len } else { s.rd_val };
                let dr = len.wrapping_sub(ret);
                let mut row = [0u32; CALLS_COLS];
                row[CL_REAL] = 1;
                row[CL_CLK] = clk;
                row[CL_WRITE] = u32::from(write);
                row[CL_BUF] = buf & 0xffff;
                row[CL_BUF + 1] = buf >> 16;
                row[CL_LEN] = len & 0xffff;
                row[CL_LEN + 1] = len >> 16;
                row[CL_RET] = ret & 0xffff;
                row[CL_RET + 1] = ret >> 16;
                row[CL_DR] = dr & 0xffff;
                row[CL_DR + 1] = dr >> 16;
                for v in [dr & 0xffff, dr >> 16, (dr >> 16) * 8] {
                    let Some(m) = range_mult.get_mut(v as usize) else {
                        return Err(ProveError::ProofShape { what: "read count" });
                    };
                    *m += 1;
                }
                for (reg, slot, ts_c, d_c) in [(11, 0, CL_TS1, CL_D1), (12, 1, CL_TS2, CL_D2)] {
                    let ts = 4 * clk + slot;
                    let d = ts - reg_ts[reg] - 1;
                    row[ts_c] = reg_ts[reg];
                    row[d_c] = d & 0xffff;
                    row[d_c + 1] = d >> 16;
                    for v in [d & 0xffff, d >> 16, (d >> 16) * 256] {
                        range_mult[v as usize] += 1;
                    }
                    reg_ts[reg] = ts;
                }
                for v in [(buf >> 16) * 4, (len >> 16) * 8] {
                    let Some(m) = range_mult.get_mut(v as usize) else {
                        return Err(ProveError::MemoryOutside { pc: s.pc, addr: buf });
                    };
                    *m += 1;
                }
                let mut pos = 0u64;
                if write {
                    pos = out_pos;
                    row[CL_POS] = out_pos as u32;
                    row[CL_PREV] = last_write_clk as u32;
                    let cd = clk - last_write_clk as u32 - 1;
                    row[CL_CD] = cd & 0xffff;
                    row[CL_CD + 1] = cd >> 16;
                    for v in [cd & 0xffff, cd >> 16, (cd >> 16) * 256] {
                        range_mult[v as usize] += 1;
                    }
                    last_write_clk = u64::from(clk);
                }
                let end = u64::from(buf) + u64::from(ret);
                let mut addr = u64::from(buf);
                while addr < end {
                    let w = (addr / 4) as u32;
                    let (lo_lane, hi_lane) =
                        ((addr % 4) as u32, (end - u64::from(w) * 4).min(4) as u32);
                    if !image.contains_key(&w) && (w < base || w >= limit) {
                        return Err(ProveError::MemoryOutside { pc: s.pc, addr: addr as u32 });
                    }
                    let (v, prev_ts) = *ram.entry(w).or_insert_with(|| (init_of(w), ts0));
                    let mut new = v;
                    if !write {
                        for lane in lo_lane..hi_lane {
                            let Some(&byte) = input.get(input_pos) else {
                                return Err(ProveError::ProofShape { what: "read past the input" });
                            };
                            input_pos += 1;
                            new = (new & !(0xff << (8 * lane))) | (u32::from(byte) << (8 * lane));
                        }
                    }
                    let ts = 4 * clk + 2;
                    let d = ts - prev_ts - 1;
                    ram.insert(w, (new, ts));
                    let mut io = [0u32; IO_COLS];
                    io[IO_REAL] = 1;
                    io[IO_CLK] = clk;
                    io[IO_W] = w;
                    io[IO_WRITE] = u32::from(write);
                    for lane in lo_lane..hi_lane {
                        io[IO_F + lane as usize] = 1;
                        io[IO_G + lane as usize] = u32::from(write);
                    }
                    io[IO_OS] = lo_lane;
                    for j in 0..4 {
                        io[IO_V + j] = (v >> (8 * j)) & 0xff;
                        io[IO_N + j] = (new >> (8 * j)) & 0xff;
                    }
                    io[IO_TS] = prev_ts;
                    io[IO_D] = d & 0xffff;
                    io[IO_D + 1] = d >> 16;
                    io[IO_POS] = pos as u32;
                    let b = |j: usize| io[IO_V + j];
                    let n = |j: usize| io[IO_N + j];
                    for x in [
                        d & 0xffff,
                        d >> 16,
                        (d >> 16) * 256,
                        b(1),
                        256 * b(1),
                        256 * b(0),
                        b(3),
                        256 * b(3),
                        256 * b(2),
                        n(0),
                        256 * n(0),
                        n(1),
                        256 * n(1),
                        n(2),
                        256 * n(2),
                        n(3),
                        256 * n(3),
                    ] {
                        range_mult[x as usize] += 1;
                    }
                    io_rows.push(io);
                    pos += u64::from(hi_lane - lo_lane);
                    addr = u64::from(w) * 4 + 4;
                }
                if write {
                    out_pos = pos;
                }
                calls_rows.push(row);
                Some(ret)
            }
        } else {
            None
        };
        let (res, carry) = match ins.op {
            _ if ecall_res.is_some() => (ecall_res.unwrap_or(0), (0, 0)),
            _ if md_res.is_some() => (md_res.unwrap_or(0), (0, 0)),
            _ if shifted.is_some() => (shifted.unwrap_or(0), (0, 0)),
            _ if mem_res.is_some() => (mem_res.unwrap_or(0), add_carries(a, imm)),
            _ if logic.is_some() => (logic.map_or(0, |l| l.1), (0, 0)),
            Op::Slt | Op::Sltu | Op::Slti | Op::Sltiu => {
                (u32::from(lt), add_carries(a.wrapping_sub(second), second))
            }
            Op::Blt | Op::Bge => (0, add_carries(a.wrapping_sub(second), second)),
            Op::Bltu | Op::Bgeu => {
                let r = a.wrapping_sub(b);
                (r, add_carries(r, b))
            }
            Op::Auipc => (s.pc.wrapping_add(imm), (0, 0)),
            Op::Add => (a.wrapping_add(b), add_carries(a, b)),
            Op::Addi => (a.wrapping_add(imm), add_carries(a, imm)),
            Op::Sub => {
                let r = a.wrapping_sub(b);
                (r, add_carries(r, b))
            }
            Op::Lui => (imm, (0, 0)),
            Op::Jal => (s.pc.wrapping_add(4), (0, 0)),
            Op::Jalr => (s.pc.wrapping_add(4), add_carries(a, imm)),
            _ => (0, (0, 0)),
        };
        let computes = matches!(
            ins.op,
            Op::Add | Op::Addi | Op::Sub | Op::Jal | Op::Bltu | Op::Bgeu | Op::Jalr
        );
        cpu[RES_LO][i] = f(lo(res));
        cpu[RES_HI][i] = f(hi(res));
        cpu[C0][i] = f(carry.0);
        cpu[C1][i] = f(carry.1);
        if computes {
            range_mult[lo(res) as usize] += 1;
            range_mult[hi(res) as usize] += 1;
        }
        if matches!(ins.op, Op::Jal | Op::Jalr) {
            range_mult[(hi(res) * 4) as usize] += 1;
        }
        let mut jalr_target = 0;
        if ins.op == Op::Jalr {
            let t = a.wrapping_add(imm);
            cpu[T_LO][i] = f(lo(t));
            cpu[T_HI][i] = f(hi(t));
            cpu[T_HALF][i] = f(lo(t) >> 1);
            cpu[T_BIT][i] = f(u64::from(t & 1));
            for v in [lo(t), hi(t), lo(t) >> 1, hi(t) * 4] {
                range_mult[v as usize] += 1;
            }
            jalr_target = t & !1;
        }
        if wr {
            cpu[PREV_LO][i] = f(lo(regs[rd]));
            cpu[PREV_HI][i] = f(hi(regs[rd]));
            let ts = 4 * clk + 3;
            let d = ts - reg_ts[rd] - 1;
            cpu[TSD][i] = f(u64::from(reg_ts[rd]));
            cpu[DDL][i] = f(u64::from(d & 0xffff));
            cpu[DDH][i] = f(u64::from(d >> 16));
            range_mult[(d & 0xffff) as usize] += 1;
            range_mult[(d >> 16) as usize] += 1;
            range_mult[((d >> 16) * 256) as usize] += 1;
            reg_ts[rd] = ts;
            regs[rd] = res;
        }
        let dl = f(lo(a)) - f(lo(b));
        let dh = f(hi(a)) - f(hi(b));
        let eq = dl.is_zero() && dh.is_zero();
        let taken = match ins.op {
            Op::Beq => eq,
            Op::Bne => !eq,
            Op::Bltu => a < b,
            Op::Bgeu => a >= b,
            Op::Blt | Op::Bge => lt == (ins.op == Op::Blt),
            _ => false,
        };
        let next = if ins.op == Op::Jal || taken {
            t[7]
        } else if ins.op == Op::Jalr {
            jalr_target
        } else {
            s.pc.wrapping_add(4)
        };
        cpu[NEXT_PC][i] = f(u64::from(next));
        cpu[TAKEN][i] = f(u64::from(taken));
        fill_eq(&mut cpu, i, dl, dh);
        if !last && i + 1 == steps.len() {
            // A segment's end closes the output chain where this row leaves it.
            cpu[IS_END][i] = F::ONE;
            cpu[OUTLEN][i] = f(out_pos);
            cpu[PREVCLK][i] = f(last_write_clk);
        }
    }
    for i in 0..rows {
        cpu[CLK][i] = f(u64::from(start.clk) + i as u64 + 1);
        if i >= steps.len() {
            fill_eq(&mut cpu, i, F::ZERO, F::ZERO);
            cpu[NEXT_PC][i] = F::ZERO;
        }
    }
    let mut prog = program_trace_cols(&rows_tuples);
    let prog_rows = prog[0].len();
    let mut mult: Vec<F> = prog_mult.iter().map(|&m| f(m)).collect();
    mult.resize(prog_rows, F::ZERO);
    prog.push(mult);
    let mut regs_cols = vec![vec![F::ZERO; 32]; 6];
    let init = start.regs;
    for r in 0..32 {
        regs_cols[0][r] = f(r as u64);
        regs_cols[1][r] = f(lo(init[r]));
        regs_cols[2][r] = f(hi(init[r]));
        regs_cols[3][r] = f(lo(regs[r]));
        regs_cols[4][r] = f(hi(regs[r]));
        regs_cols[5][r] = f(u64::from(reg_ts[r]));
    }
    let mut touched: Vec<(u32, (u32, u32))> = ram.iter().map(|(&w, &v)| (w, v)).collect();
    touched.sort_unstable();
    let words: Vec<(u32, u32, u32)> =
        touched.iter().map(|&(w, (v, _))| (w, init_of(w), v)).collect();
    let memory = if seg_mem.is_some() {
        // A segment: the words it touches, with their values before and after.
        let b_rows = 1usize << log2_rows(touched.len());
        let mut bt = vec![vec![F::ZERO; b_rows]; BOUNDARY_COLS];
        for (r, (&(w, (_, ts)), &(_, init, fin))) in touched.iter().zip(&words).enumerate() {
            for (j, x) in [(0, 1), (1, w), (2, init & 0xffff), (3, init >> 16)].into_iter().chain([
                (4, fin & 0xffff),
                (5, fin >> 16),
                (6, ts),
            ]) {
                bt[j][r] = f(u64::from(x));
            }
        }
        vec![Trace::new(bt)?]
    } else {
        // The image's final state, and the other words in increasing order.
        let img_rows = 1usize << log2_rows(image.len());
        let mut img = vec![vec![F::ZERO; img_rows]; IMAGE_COLS];
        for (r, (&w, &init)) in image.iter().enumerate() {
            let (v, ts) = ram.get(&w).copied().unwrap_or((init, 0));
            for (j, x) in [
                (0, 1),
                (1, w),
                (2, init & 0xffff),
                (3, init >> 16),
                (4, v & 0xffff),
                (5, v >> 16),
                (6, ts),
                (7, u32::from(w >= program.text_start / 4 && w < program.text_end() / 4)),
            ] {
                img[j][r] = f(u64::from(x));
            }
        }
        let mut others: Vec<(u32, (u32, u32))> =
            ram.iter().filter(|(w, _)| !image.contains_key(w)).map(|(&w, &v)| (w, v)).collect();
        others.sort_unstable();
        let ram_rows = 1usize << log2_rows(others.len());
        let mut rt = vec![vec![F::ZERO; ram_rows]; RAM_COLS];
        let span = limit.saturating_sub(base).saturating_sub(1);
        let mut last_u = None;
        for (r, &(w, (v, ts))) in others.iter().enumerate() {
            let u = w - base;
            let g = last_u.map_or(0, |l: u32| u - l - 1);
            last_u = Some(u);
            let vv = span - u;
            let cols = [
                (RAM_REAL, 1),
                (RAM_U, u & 0xffff),
                (RAM_U + 1, u >> 16),
                (RAM_V, vv & 0xffff),
                (RAM_V + 1, vv >> 16),
                (RAM_G, g & 0xffff),
                (RAM_G + 1, g >> 16),
                (RAM_FIN, v & 0xffff),
                (RAM_FIN + 1, v >> 16),
                (RAM_FIN + 2, ts),
            ];
            for (j, x) in cols {
                rt[j][r] = f(u64::from(x));
            }
            for x in [u, vv, g] {
                for y in [x & 0xffff, x >> 16, (x >> 16) * 4] {
                    range_mult[y as usize] += 1;
                }
            }
        }
        vec![Trace::new(img)?, Trace::new(rt)?]
    };
    let range =
        vec![(0..1u64 << LOG_RANGE).map(f).collect(), range_mult.iter().map(|&m| f(m)).collect()];
    let traces = [Trace::new(cpu)?, Trace::new(prog)?, Trace::new(regs_cols)?, Trace::new(range)?]
        .into_iter()
        .chain(memory)
        .chain([
            Trace::new(rows_to_cols(&calls_rows, CALLS_COLS))?,
            Trace::new(rows_to_cols(&io_rows, IO_COLS))?,
        ])
        .map(Ok)
        .chain(uses_bytes(program).then(|| Trace::new(bytes_trace(&byte_mult))))
        .chain(uses_muldiv(program).then(|| Trace::new(muldiv_trace(&md_rows))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((traces, SegEnd { regs, words, out_pos, input_pos }))
}

/// The MulDiv table's columns: its rows (signed values as field elements), padded with zero
/// rows; the rs2 = 0 and r = 0 flags and their inverses from the bytes.
fn muldiv_trace(rows: &[[i64; MD_COLS]]) -> Vec<Vec<F>> {
    let n = 1usize << log2_rows(rows.len());
    let fi = |v: i64| if v < 0 { -f(v.unsigned_abs()) } else { f(v as u64) };
    let mut cols = vec![vec![F::ZERO; n]; MD_COLS];
    for (i, r) in rows.iter().enumerate() {
        for (j, &v) in r.iter().enumerate() {
            cols[j][i] = fi(v);
        }
        for (base, z, inv) in [(MD_Y, MD_DZ, MD_DINV), (MD_R, MD_RZ, MD_RINV)] {
            let sum = (0..4).fold(F::ZERO, |acc, j| acc + fi(r[base + j]));
            cols[inv][i] = sum.inverse().unwrap_or(F::ZERO);
            cols[z][i] = f(u64::from(sum.is_zero()));
        }
    }
    cols
}

/// The MulDiv row of M operation `m` (index in [`M_OPS`]) on `a`, `b`, and its result (the
/// RISC-V semantics, division by zero and overflow included). The flags of rs2 = 0 and r = 0
/// are left to [`muldiv_trace`].
fn muldiv_row(m: usize, a: u32, b: u32) -> ([i64; MD_COLS], u32) {
    let mut row = [0i64; MD_COLS];
    row[MD_F + m] = 1;
    let op = M_OPS[m];
    let signed_div = matches!(op, Op::Div | Op::Rem);
    let is_div = matches!(op, Op::Div | Op::Divu | Op::Rem | Op::Remu);
    // X·Y + R = Z as 64-bit two's complement: the factors, the signs extended.
    let (xv, rv, zv, sx, sy, sr, sn, res);
    if is_div {
        let overflow = signed_div && a == 0x8000_0000 && b == u32::MAX;
        let (q, r) = match op {
            _ if b == 0 => (u32::MAX, a),
            Op::Divu | Op::Remu => (a / b, a % b),
            _ if overflow => (a, 0),
            _ => ((a as i32 / b as i32) as u32, (a as i32 % b as i32) as u32),
        };
        (xv, rv) = (q, r);
        // The quotient of INT_MIN / −1 is 2^31 (not sign-extended).
        sx = u32::from(signed_div && !overflow) & (q >> 31);
        sy = u32::from(signed_div) & (b >> 31);
        sr = u32::from(signed_div) & (r >> 31);
        sn = u32::from(signed_div) & (a >> 31);
        zv = u64::from(a) | ((u64::from(sn) * 0xffff_ffff) << 32);
        res = if matches!(op, Op::Div | Op::Divu) { q } else { r };
    } else {
        sx = u32::from(matches!(op, Op::Mulh | Op::Mulhsu)) & (a >> 31);
        sy = u32::from(op == Op::Mulh) & (b >> 31);
        (xv, rv, sr, sn) = (a, 0, 0, 0);
        let ext = |v: u32, s: u32| u64::from(v) | ((u64::from(s) * 0xffff_ffff) << 32);
        zv = ext(a, sx).wrapping_mul(ext(b, sy));
        res = if op == Op::Mul { zv as u32 } else { (zv >> 32) as u32 };
    }
    let byte = |v: u64, i: usize| ((v >> (8 * i)) & 0xff) as i64;
    for i in 0..4 {
        row[MD_X + i] = byte(u64::from(xv), i);
        row[MD_Y + i] = byte(u64::from(b), i);
        row[MD_R + i] = byte(u64::from(rv), i);
    }
    for i in 0..8 {
        row[MD_Z + i] = byte(zv, i);
    }
    for (j, s) in [sx, sy, sr, sn].into_iter().enumerate() {
        row[MD_S + j] = i64::from(s);
    }
    row[MD_A] = i64::from(a & 0xffff);
    row[MD_A + 1] = i64::from(a >> 16);
    row[MD_RES] = i64::from(res & 0xffff);
    row[MD_RES + 1] = i64::from(res >> 16);
    muldiv_fill(&mut row);
    (row, res)
}

/// The columns of a MulDiv row that follow from its flags, bytes and sign extensions: the top
/// bytes' sign bits, the carries, |rs2|, |r| and their difference (any integers: a forged row
/// in the tests may have values out of range).
fn muldiv_fill(row: &mut [i64; MD_COLS]) {
    for (i, top) in [MD_X + 3, MD_Y + 3, MD_R + 3, MD_Z + 3].into_iter().enumerate() {
        row[MD_T + i] = row[top] >> 7;
        row[MD_L + i] = row[top] - 128 * (row[top] >> 7);
    }
    let bytes = *row;
    let ext =
        |base: usize, s: usize, i: usize| if i < 4 { bytes[base + i] } else { 255 * bytes[s] };
    let mut carry = 0i64;
    for k in 0..8 {
        let mut t = carry + ext(MD_R, MD_S + 2, k);
        for i in 0..=k {
            if i < 4 || k - i < 4 {
                t += ext(MD_X, MD_S, i) * ext(MD_Y, MD_S + 1, k - i);
            }
        }
        carry = (t - bytes[MD_Z + k]).div_euclid(256);
        row[MD_CA + k] = carry;
    }
    // |v| for the bytes at `base` with sign extension s, limb by limb, with the low limb's
    // carry of the negation.
    let limbs = |base: usize| {
        (bytes[base] + 256 * bytes[base + 1], bytes[base + 2] + 256 * bytes[base + 3])
    };
    let abs = |base: usize, s: i64| {
        let (l, h) = limbs(base);
        if s == 1 {
            let e = i64::from(l != 0);
            ((1 << 16) * e - l, (1 << 16) - h - e, e)
        } else {
            (l, h, 0)
        }
    };
    let (ul, uh, ue) = abs(MD_Y, bytes[MD_S + 1]);
    let (vl, vh, ve) = abs(MD_R, bytes[MD_S + 2]);
    row[MD_U] = ul;
    row[MD_U + 1] = uh;
    row[MD_UE] = ue;
    row[MD_V] = vl;
    row[MD_V + 1] = vh;
    row[MD_VE] = ve;
    let is_div = (4..8).any(|m| bytes[MD_F + m] == 1);
    if is_div && (0..4).any(|j| bytes[MD_Y + j] != 0) {
        let db = i64::from(ul - vl - 1 < 0);
        row[MD_DB] = db;
        row[MD_D] = ul - vl - 1 + (1 << 16) * db;
        row[MD_D + 1] = uh - vh - db;
    } else {
        row[MD_DB] = 0;
        row[MD_D] = 0;
        row[MD_D + 1] = 0;
    }
}

/// Rows of `u32` values as columns, padded with zero rows to a power of two (at least 2).
fn rows_to_cols<const N: usize>(rows: &[[u32; N]], n_cols: usize) -> Vec<Vec<F>> {
    let n = 1usize << log2_rows(rows.len());
    (0..n_cols)
        .map(|j| {
            let mut v: Vec<F> = rows.iter().map(|r| f(u64::from(r[j]))).collect();
            v.resize(n, F::ZERO);
            v
        })
        .collect()
}

/// The bytes table: `x = i & 0xff`, `y = i >> 8`, their and/or/xor, the multiplicities.
fn bytes_trace(mult: &[Vec<u64>]) -> Vec<Vec<F>> {
    let mut cols: Vec<Vec<F>> =
        VmTable::Bytes.preprocessed(16).into_iter().map(|(_, v)| v).collect();
    for m in mult {
        cols.push(m.iter().map(|&v| f(v)).collect());
    }
    cols
}

fn add_carries(a: u32, b: u32) -> (u64, u64) {
    let c0 = (lo(a) + lo(b)) >> 16;
    let c1 = (hi(a) + hi(b) + c0) >> 16;
    (c0, c1)
}

fn fill_eq(cpu: &mut [Vec<F>], i: usize, dl: F, dh: F) {
    let e = |d: F| {
        if d.is_zero() { (F::ZERO, F::ONE) } else { (d.inverse().unwrap_or(F::ZERO), F::ZERO) }
    };
    let (inv_lo, e_lo) = e(dl);
    let (inv_hi, e_hi) = e(dh);
    cpu[INV_LO][i] = inv_lo;
    cpu[INV_HI][i] = inv_hi;
    cpu[E_LO][i] = e_lo;
    cpu[E_HI][i] = e_hi;
    cpu[EQ][i] = e_lo * e_hi;
}

fn program_trace_cols(rows: &[[u32; 11]]) -> Vec<Vec<F>> {
    let n = 1usize << log2_rows(rows.len());
    (0..11)
        .map(|j| {
            let mut v: Vec<F> = rows.iter().map(|t| f(u64::from(t[j]))).collect();
            v.resize(n, F::ZERO);
            v
        })
        .collect()
}

/// Runs the ELF `elf` on `input` and proves the run.
///
/// # Errors
/// [`ProveError::Load`] / [`ProveError::Exec`] for a program that does not load or run;
/// [`ProveError::Unsupported`] (naming the instruction), [`ProveError::UnsupportedSyscall`],
/// [`ProveError::Output`] for a run this version cannot prove;
/// [`ProveError::TooManyCycles`] for a run longer than [`MAX_PROVABLE_CYCLES`] (checked by a
/// plain run first, before any trace is built); [`ProveError::Air`] for a refused set-up
/// (e.g. too many cycles for the security target).
pub fn prove(elf: &[u8], input: &[u8]) -> Result<ProvedRun, ProveError> {
    prove_on::<CpuBackend>(elf, input)
}

/// [`prove`] with the AIR prover on backend `B` (the CPU, the oracle, or a GPU backend
/// implementing [`AirOps`]): the traces are generated on the CPU and uploaded once, column by
/// column; the proof is the same, byte for byte, whatever the backend (same transcript).
/// `ProvedRun::profile` counts the host↔backend transfers.
///
/// # Errors
/// As [`prove`], plus [`ProveError::Air`] wrapping a backend failure.
pub fn prove_on<B: AirOps<F, BabyBearExt4>>(
    elf: &[u8],
    input: &[u8],
) -> Result<ProvedRun, ProveError> {
    let program = Program::from_elf(elf)?;
    let cycles = crate::run(&program, input)?.exit.cycles;
    if cycles > MAX_PROVABLE_CYCLES {
        return Err(ProveError::TooManyCycles { cycles, max: MAX_PROVABLE_CYCLES });
    }
    let start = std::time::Instant::now();
    let trace = crate::run_traced(&program, input)?;
    let tr = traces(&program, &trace.steps, input)?;
    let traced = start.elapsed();
    let exit_code = trace.run.exit.code;
    let output = trace.run.output;
    let (proof, mut profile) = prover()?.prove_tables_on::<B, _, 16, 8>(
        &tables(&program),
        &tr,
        &public(exit_code, &output),
        &mut transcript(elf)?,
        true,
    )?;
    profile.phases.insert(0, ("trace", traced));
    Ok(ProvedRun { exit_code, output, cycles: trace.run.exit.cycles, proof, profile })
}

/// Checks that `proof` shows a run of the ELF `elf` that wrote `output` and exited with
/// `exit_code`.
///
/// # Errors
/// [`ProveError::Load`] for an ELF that does not load; [`ProveError::ProofShape`] for a proof
/// whose table heights do not fit the program; [`ProveError::Output`] for a non-empty output
/// (not provable yet); [`ProveError::Air`] for a rejected proof.
pub fn verify(
    elf: &[u8],
    proof: &VmProof,
    output: &[u8],
    exit_code: u32,
) -> Result<(), ProveError> {
    let program = Program::from_elf(elf)?;
    let t = tables(&program);
    let expect = [
        None,
        Some(log2_rows(program.code.len())),
        Some(5),
        Some(LOG_RANGE),
        Some(log2_rows(image_words(&program).len())),
        None,
        None,
        None,
        Some(16),
        None,
    ];
    let expect = &expect[..t.len()];
    if proof.log_rows.len() != expect.len()
        || proof.log_rows.iter().zip(expect).any(|(&n, e)| e.is_some_and(|e| e != n))
        || proof.log_rows[0] > 22
        || proof.log_rows[5..8].iter().any(|&n| n > 22)
        || proof.log_rows.get(9).is_some_and(|&n| n > 22)
    {
        return Err(ProveError::ProofShape { what: "table heights" });
    }
    prover()?.verify_tables(&t, &public(exit_code, output), proof, &mut transcript(elf)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUM: &[u8] = include_bytes!("../programs/sum.elf");
    const FIB: &[u8] = include_bytes!("../programs/fib.elf");
    const MEM: &[u8] = include_bytes!("../programs/mem.elf");
    const SIEVE: &[u8] = include_bytes!("../programs/sieve.elf");

    /// The last row of the run that executes `op`.
    fn row_of(elf: &[u8], op: Op) -> usize {
        row_where(elf, op, |_| true)
    }

    /// The last row of the run that executes `op` on a step that satisfies `pred`.
    fn row_where(elf: &[u8], op: Op, pred: impl Fn(&crate::Step) -> bool) -> usize {
        let program = Program::from_elf(elf).expect("elf");
        let steps = crate::run_traced(&program, &[]).expect("run").steps;
        steps
            .iter()
            .rposition(|s| {
                program.code[((s.pc - program.text_start) / 4) as usize].op == op && pred(s)
            })
            .expect("the program has it")
    }

    #[test]
    fn memory_program_proves_and_verifies() {
        let program = Program::from_elf(MEM).expect("elf");
        let code = crate::run(&program, &[]).expect("run").exit.code;
        // qemu-riscv32 exits with 202 (the low byte): tests/programs.rs compares the rest.
        assert_eq!(code & 0xff, 202);
        let run = prove(MEM, &[]).expect("prove");
        assert_eq!(run.exit_code, code);
        verify(MEM, &run.proof, &[], code).expect("verify");
        assert!(verify(MEM, &run.proof, &[], code ^ 1).is_err());
        assert!(verify(SUM, &run.proof, &[], code).is_err());
    }

    const ALU: &[u8] = include_bytes!("../programs/alu.elf");
    const IO: &[u8] = include_bytes!("../programs/io.elf");

    #[test]
    fn output_is_proved_and_another_output_is_rejected() {
        let run = prove(IO, &[]).expect("prove");
        // What qemu-riscv32 prints (and its exit status).
        assert_eq!(run.output, b"ello, proof\nH!\n");
        assert_eq!(run.exit_code, 7);
        verify(IO, &run.proof, &run.output, 7).expect("verify");
        let mut flipped = run.output.clone();
        flipped[3] ^= 1;
        assert!(verify(IO, &run.proof, &flipped, 7).is_err());
        assert!(verify(IO, &run.proof, &run.output[..14], 7).is_err());
        let mut longer = run.output.clone();
        longer.push(b'x');
        assert!(verify(IO, &run.proof, &longer, 7).is_err());
        let mut swapped = run.output.clone();
        swapped.rotate_left(12);
        assert!(verify(IO, &run.proof, &swapped, 7).is_err());
        assert!(verify(IO, &run.proof, &[], 7).is_err());
        assert!(verify(IO, &run.proof, &run.output, 8).is_err());
        // A write whose word lanes are moved (the chain then skips a byte), a call whose
        // return value differs from its length.
        assert!(witness_rejected(
            IO,
            |t| {
                t[7].columns_mut()[IO_F][0] = F::ONE;
                t[7].columns_mut()[IO_OS][0] = F::ZERO;
            },
            7
        ));
        assert!(witness_rejected(IO, |t| t[6].columns_mut()[CL_RET][0] += F::ONE, 7));
        // With input: the read returns its 4 bytes (private), the exit code says so.
        let run = prove(IO, b"abcd").expect("prove with input");
        assert_eq!(run.exit_code, 11);
        verify(IO, &run.proof, b"ello, proof\nH!\n", 11).expect("verify");
    }

    #[test]
    fn sort_program_proves_end_to_end() {
        // The repo's heap sort (C, gcc -O2) on 12 words: input, output, exit status public.
        let sort: &[u8] = include_bytes!("../programs/sort.elf");
        let input = 12u32.to_le_bytes();
        let expected = crate::run(&Program::from_elf(sort).expect("elf"), &input).expect("run");
        let run = prove(sort, &input).expect("prove");
        assert_eq!((run.output.as_slice(), run.exit_code), (expected.output.as_slice(), 0));
        assert!(String::from_utf8_lossy(&run.output).starts_with("n=0000000c\n"));
        verify(sort, &run.proof, &run.output, 0).expect("verify");
        let mut out = run.output.clone();
        out[5] ^= 1;
        assert!(verify(sort, &run.proof, &out, 0).is_err());
        assert!(verify(sort, &run.proof, &run.output, 1).is_err());
    }

    #[test]
    fn alu_program_proves_and_wrong_results_are_rejected() {
        let program = Program::from_elf(ALU).expect("elf");
        let code = crate::run(&program, &[]).expect("run").exit.code;
        // qemu-riscv32 exits with 255 (the low byte).
        assert_eq!(code & 0xff, 255);
        let run = prove(ALU, &[]).expect("prove");
        verify(ALU, &run.proof, &[], code).expect("verify");
        // A signed comparison that reports the unsigned order.
        let slt = row_of(ALU, Op::Slt);
        // (The verifier's side of a tampered witness is exercised by the memory and sum
        // tests; here the prover's check, which is what the constraints decide.)
        assert!(witness_rejected(
            ALU,
            |t| {
                let v = F::ONE - t[0].columns()[LT][slt];
                t[0].columns_mut()[LT][slt] = v;
                t[0].columns_mut()[RES_LO][slt] = v;
            },
            code
        ));
        // A bge that falls through although taken.
        let bge = row_of(ALU, Op::Bge);
        assert!(witness_rejected(
            ALU,
            |t| {
                let v = F::ONE - t[0].columns()[TAKEN][bge];
                t[0].columns_mut()[TAKEN][bge] = v;
            },
            code
        ));
        // An arithmetic shift that fills with zeros (its last `srai` shifts INT_MIN).
        let sra = row_where(ALU, Op::Sra, |s| s.a >> 31 == 1);
        assert!(witness_rejected(ALU, |t| t[0].columns_mut()[FILL][sra] = F::ZERO, code));
        let srai = row_of(ALU, Op::Srai);
        assert!(witness_rejected(
            ALU,
            |t| {
                t[0].columns_mut()[SGN][srai] = F::ZERO;
                t[0].columns_mut()[RES_HI][srai] = F::ZERO;
            },
            code
        ));
        // A shift by another amount than rs2's low five bits.
        let sll = row_of(ALU, Op::Sll);
        assert!(witness_rejected(ALU, |t| t[0].columns_mut()[BQ][sll] += F::ONE, code));
        // An xor whose result byte (and limb) is off by one.
        let xor = row_of(ALU, Op::Xori);
        assert!(witness_rejected(
            ALU,
            |t| {
                t[0].columns_mut()[LR][xor] += F::ONE;
                t[0].columns_mut()[RES_LO][xor] += F::ONE;
            },
            code
        ));
    }

    #[test]
    fn wrong_memory_accesses_are_rejected() {
        let code = crate::run(&Program::from_elf(MEM).expect("elf"), &[]).expect("run").exit.code;
        let cpu = |t: &mut [Trace<F>], c: usize, r: usize, d: F| t[0].columns_mut()[c][r] += d;
        // A load that returns another value (and the register it writes follows it).
        let lw = row_of(MEM, Op::Lw);
        assert!(
            forged_run(
                MEM,
                |t| {
                    cpu(t, MV_LO, lw, F::ONE);
                    cpu(t, MP_LO, lw, F::ONE);
                    cpu(t, RES_LO, lw, F::ONE);
                },
                code
            )
            .is_err()
        );
        // A signed byte load that drops its sign.
        let lb = row_of(MEM, Op::Lb);
        assert!(witness_rejected(
            MEM,
            |t| {
                t[0].columns_mut()[SGN][lb] = F::ZERO;
                t[0].columns_mut()[RES_HI][lb] = F::ZERO;
            },
            code
        ));
        // A byte store that writes another byte of the word.
        let sb = row_of(MEM, Op::Sb);
        assert!(witness_rejected(MEM, |t| cpu(t, O0, sb, F::ONE), code));
        // A load from another word (the address off by 4).
        assert!(witness_rejected(MEM, |t| cpu(t, T_HALF, lw, F::ONE), code));
        // A zero-initialised word claimed twice (the RAM table's second row = its first).
        assert!(witness_rejected(
            MEM,
            |t| {
                for j in [RAM_U, RAM_U + 1] {
                    let v = t[5].columns()[j][0];
                    t[5].columns_mut()[j][1] = v;
                }
            },
            code
        ));
        // An image word's final value changed.
        assert!(witness_rejected(MEM, |t| t[4].columns_mut()[4][0] += F::ONE, code));
    }

    #[test]
    fn sum_program_proves_and_verifies() {
        let run = prove(SUM, &[]).expect("prove");
        assert_eq!(run.exit_code, 5050);
        assert!(run.cycles > 300);
        verify(SUM, &run.proof, &[], 5050).expect("verify");
        // Another exit code, another program, another table height: rejected.
        assert!(matches!(
            verify(SUM, &run.proof, &[], 5051),
            Err(ProveError::Air(AirError::BusSum))
        ));
        assert!(verify(FIB, &run.proof, &[], 5050).is_err());
        let mut elf = SUM.to_vec();
        let last = elf.len() - 1;
        elf[last] ^= 1;
        assert!(verify(&elf, &run.proof, &[], 5050).is_err());
        let mut p = run.proof.clone();
        p.log_rows[0] += 1;
        assert!(verify(SUM, &p, &[], 5050).is_err());
        let mut p = run.proof.clone();
        p.tables[0].main_evals[PC] += E::ONE;
        assert!(verify(SUM, &p, &[], 5050).is_err());
    }

    #[test]
    fn unsupported_instructions_are_refused_by_name() {
        // fence, then exit.
        let elf = tiny_elf(&[0x0ff0_000f, i_type(93, 0, 17), ECALL]);
        match prove(&elf, &[]) {
            Err(ProveError::Unsupported { mnemonic, .. }) => assert_eq!(mnemonic, "fence"),
            other => panic!("expected an unsupported instruction, got {other:?}"),
        }
    }

    // A tiny ELF writer for hand-written programs (text at 0x10000, 16 bytes of data).
    const ECALL: u32 = 0x73;

    fn r_type(f7: u32, rs2: u32, rs1: u32, f3: u32, rd: u32) -> u32 {
        (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x33
    }

    /// `addi rd, rs1, imm`.
    fn i_type(imm: i32, rs1: u32, rd: u32) -> u32 {
        (((imm as u32) & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x13
    }

    /// `li rd, v` as `lui` + `addi`.
    fn li(code: &mut Vec<u32>, rd: u32, v: u32) {
        let hi = v.wrapping_add(0x800) & 0xffff_f000;
        code.push(hi | (rd << 7) | 0x37);
        code.push(i_type(v.wrapping_sub(hi) as i32, rd, rd));
    }

    fn tiny_elf(code: &[u32]) -> Vec<u8> {
        let text: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
        let (text_off, data_off) =
            (0x1000u32, 0x1000 + (text.len() as u32).next_multiple_of(0x1000));
        let mut out = vec![0x7f, b'E', b'L', b'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        for v in [2u16, 243] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [1u32, 0x1_0000, 52, 0, 0] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [52u16, 32, 2, 40, 0, 0] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for (off, vaddr, filesz, memsz, flags) in [
            (text_off, 0x1_0000, text.len() as u32, text.len() as u32, 5u32),
            (data_off, 0x2_0000, 16, 16, 6),
        ] {
            for v in [1, off, vaddr, vaddr, filesz, memsz, flags, 0x1000] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out.resize(text_off as usize, 0);
        out.extend_from_slice(&text);
        out.resize(data_off as usize + 16, 0);
        out
    }

    /// The RISC-V M extension, written from the spec (not the executor's code): operation
    /// `m` (funct3) on `a`, `b`.
    fn m_reference(m: u32, a: u32, b: u32) -> u32 {
        let (sa, sb) = (i64::from(a as i32), i64::from(b as i32));
        let (ua, ub) = (i64::from(a), i64::from(b));
        match m {
            0 => (sa * sb) as u32,
            1 => ((sa * sb) >> 32) as u32,
            2 => ((i128::from(sa) * i128::from(ub)) >> 32) as u32,
            3 => ((u64::from(a) * u64::from(b)) >> 32) as u32,
            4 if b == 0 => u32::MAX,
            4 => (sa / sb).clamp(i64::from(i32::MIN), i64::from(i32::MAX) + 1) as u32,
            5 if b == 0 => u32::MAX,
            5 => (ua / ub) as u32,
            6 if b == 0 => a,
            6 => (sa % sb) as u32,
            _ if b == 0 => a,
            _ => (ua % ub) as u32,
        }
    }

    /// Pairs whose every M operation the hand-written program checks; then single operations
    /// with `rd = x0` (their results go nowhere, so the tamper tests change them alone).
    const M_PAIRS: [(u32, u32); 12] = [
        (7, 3),
        (-7i32 as u32, 3),
        (7, -3i32 as u32),
        (-7i32 as u32, -3i32 as u32),
        (0x8000_0000, u32::MAX),
        (0x8000_0000, 1),
        (5, 0),
        (-5i32 as u32, 0),
        (0, 0),
        (u32::MAX, u32::MAX),
        (0x8000_0000, 0x8000_0000),
        (0x1234_5678, 0x9abc_def0),
    ];
    const M_X0: [(u32, u32, u32); 6] = [
        (0, 1000, 3001),
        (4, 17, 5),
        (6, -17i32 as u32, 5),
        (5, 9, 0),
        (4, 0x8000_0000, u32::MAX),
        (7, 0x7fff_ffff, 0x8000_0000),
    ];

    /// Every M operation on each pair, folded into `a0` (`acc·3 + rd`), then the `rd = x0`
    /// operations, `div` with `rs1 = x0`, and exit with `a0`.
    fn m_program() -> (Vec<u8>, u32) {
        let mut code = Vec::new();
        let mut acc = 0u32;
        let fold = |code: &mut Vec<u32>| {
            code.push(r_type(0, 10, 10, 0, 28));
            code.push(r_type(0, 10, 28, 0, 10));
            code.push(r_type(0, 7, 10, 0, 10));
        };
        for (a, b) in M_PAIRS {
            li(&mut code, 5, a);
            li(&mut code, 6, b);
            for m in 0..8 {
                code.push(r_type(1, 6, 5, m, 7));
                fold(&mut code);
                acc = acc.wrapping_mul(3).wrapping_add(m_reference(m, a, b));
            }
        }
        for (m, a, b) in M_X0 {
            li(&mut code, 5, a);
            li(&mut code, 6, b);
            code.push(r_type(1, 6, 5, m, 0));
        }
        li(&mut code, 6, 3);
        code.push(r_type(1, 6, 0, 4, 7));
        fold(&mut code);
        acc = acc.wrapping_mul(3).wrapping_add(m_reference(4, 0, 3));
        code.extend([i_type(93, 0, 17), ECALL]);
        (tiny_elf(&code), acc)
    }

    #[test]
    fn m_extension_program_proves_with_edge_cases() {
        let (elf, expected) = m_program();
        let program = Program::from_elf(&elf).expect("elf");
        assert!(tables(&program).contains(&VmTable::MulDiv));
        let code = crate::run(&program, &[]).expect("run").exit.code;
        assert_eq!(code, expected);
        let run = prove(&elf, &[]).expect("prove");
        assert_eq!(run.exit_code, expected);
        verify(&elf, &run.proof, &[], expected).expect("verify");
        assert!(verify(&elf, &run.proof, &[], expected ^ 1).is_err());
        // Without the MulDiv table the proof does not fit the program.
        assert!(verify(SUM, &run.proof, &[], expected).is_err());
    }

    /// The MulDiv table's index among a program's tables (bytes and MulDiv last).
    const MD_TABLE: usize = 9;

    /// The CPU row and MulDiv row of the last `rd = x0` operation `m` on `(a, b)`.
    fn md_rows(elf: &[u8], m: usize, a: u32, b: u32) -> (usize, usize) {
        let program = Program::from_elf(elf).expect("elf");
        let steps = crate::run_traced(&program, &[]).expect("run").steps;
        let op_at = |s: &crate::Step| program.code[((s.pc - program.text_start) / 4) as usize];
        let cpu = steps
            .iter()
            .rposition(|s| op_at(s).op == M_OPS[m] && op_at(s).rd == 0 && s.a == a && s.b == b)
            .expect("the program has it");
        let md = steps[..cpu].iter().filter(|s| M_OPS.contains(&op_at(s).op)).count();
        (cpu, md)
    }

    /// Replaces the MulDiv row of `(m, a, b)` (an `rd = x0` operation) by `edit` of the honest
    /// one, with the derived columns recomputed when `refill`, and its result in the CPU row.
    fn forge_md(
        t: &mut [Trace<F>],
        (cpu, md): (usize, usize),
        (m, a, b): (usize, u32, u32),
        refill: bool,
        edit: &dyn Fn(&mut [i64; MD_COLS]),
    ) {
        let (mut row, _) = muldiv_row(m, a, b);
        if refill {
            edit(&mut row);
            muldiv_fill(&mut row);
        } else {
            muldiv_fill(&mut row);
            edit(&mut row);
        }
        let cols = muldiv_trace(&[row]);
        set_md_row(t, md, cols.iter().map(|c| c[0]).collect());
        for h in 0..2 {
            t[0].columns_mut()[RES_LO + h][cpu] = cols[MD_RES + h][0];
        }
    }

    /// Replaces MulDiv row `md` by `new`, the range and byte tables' multiplicities following
    /// the lookups (those in range: the others cannot be matched).
    fn set_md_row(t: &mut [Trace<F>], md: usize, new: Vec<F>) {
        let old: Vec<F> = (0..MD_COLS).map(|j| t[MD_TABLE].columns()[j][md]).collect();
        for (vals, delta) in [(&old, -F::ONE), (&new, F::ONE)] {
            if (0..8).fold(F::ZERO, |acc, m| acc + vals[MD_F + m]) != F::ONE {
                continue;
            }
            let v = |j: usize| vals[j].as_canonical_u64();
            for j in (MD_CA..MD_CA + 8).chain([MD_U, MD_U + 1, MD_V, MD_V + 1, MD_D, MD_D + 1]) {
                if v(j) < 1 << 16 {
                    t[3].columns_mut()[1][v(j) as usize] += delta;
                }
            }
            let mut pairs: Vec<(u64, u64)> = [MD_X, MD_Y, MD_Z, MD_Z + 4, MD_R]
                .into_iter()
                .flat_map(|base| [(v(base), v(base + 1)), (v(base + 2), v(base + 3))])
                .collect();
            let l2 = |j: usize| (vals[j] + vals[j]).as_canonical_u64();
            pairs.extend([(l2(MD_L), l2(MD_L + 1)), (l2(MD_L + 2), l2(MD_L + 3))]);
            for (x, y) in pairs {
                if x < 256 && y < 256 {
                    t[8].columns_mut()[5 + BYTE_RANGE_IDX][(x | (y << 8)) as usize] += delta;
                }
            }
        }
        for (j, c) in new.into_iter().enumerate() {
            t[MD_TABLE].columns_mut()[j][md] = c;
        }
    }

    /// Sets the bytes at `base` (and `n` of them) to `v`'s.
    fn set_bytes(row: &mut [i64; MD_COLS], base: usize, n: usize, v: u64) {
        for i in 0..n {
            row[base + i] = ((v >> (8 * i)) & 0xff) as i64;
        }
    }

    fn set_res(row: &mut [i64; MD_COLS], v: u32) {
        row[MD_RES] = i64::from(v & 0xffff);
        row[MD_RES + 1] = i64::from(v >> 16);
    }

    #[test]
    fn m_extension_forgeries_are_rejected() {
        let (elf, code) = m_program();
        let elf: &[u8] = &elf;
        let case = |i: usize| {
            let (m, a, b) = M_X0[i];
            (md_rows(elf, m as usize, a, b), (m as usize, a, b))
        };
        let rejected = |i: usize, refill: bool, edit: &dyn Fn(&mut [i64; MD_COLS])| {
            let (rows, op) = case(i);
            witness_rejected(elf, |t| forge_md(t, rows, op, refill, edit), code)
        };
        // The honest rows pass (so each rejection below is the forgery's).
        assert!(!witness_rejected(
            elf,
            |t| {
                for i in 0..M_X0.len() {
                    let (rows, op) = case(i);
                    forge_md(t, rows, op, true, &|_| {});
                }
            },
            code
        ));
        // mul: a wrong product byte; a wrong carry (the byte then out of range).
        assert!(rejected(0, false, &|r| {
            r[MD_Z] += 1;
            r[MD_RES] += 1;
        }));
        assert!(rejected(0, false, &|r| {
            r[MD_CA] += 1;
            r[MD_Z] -= 256;
            r[MD_Z + 1] += 1;
        }));
        // div 17 / 5 as q = 2, r = 7 (17 = 2·5 + 7 but r ≥ d).
        assert!(rejected(1, true, &|r| {
            set_bytes(r, MD_X, 4, 2);
            set_bytes(r, MD_R, 4, 7);
            set_res(r, 2);
        }));
        // The same with the comparison's limbs in range but its low limb wrong (no borrow).
        assert!(rejected(1, false, &|r| {
            set_bytes(r, MD_X, 4, 2);
            set_bytes(r, MD_R, 4, 7);
            set_res(r, 2);
            muldiv_fill(r);
            r[MD_DB] = 0;
            r[MD_D] = 0;
            r[MD_D + 1] = 0;
        }));
        // rem −17 % 5 as 3 (q = −4: −17 = −4·5 + 3, |r| < |d|, but r's sign is not n's).
        assert!(rejected(2, true, &|r| {
            set_bytes(r, MD_X, 4, u64::from(-4i32 as u32));
            set_bytes(r, MD_R, 4, 3);
            r[MD_S + 2] = 0;
            set_res(r, 3);
        }));
        // div INT_MIN / −1 with the quotient sign-extended (−2^31 · −1 ≠ −2^31), or as
        // INT_MAX with r = −1.
        assert!(rejected(4, true, &|r| r[MD_S] = 1));
        assert!(rejected(4, true, &|r| {
            set_bytes(r, MD_X, 4, 0x7fff_ffff);
            set_bytes(r, MD_R, 4, u64::from(u32::MAX));
            r[MD_S] = 0;
            r[MD_S + 2] = 1;
            set_res(r, 0x7fff_ffff);
        }));
        // remu 0x7fffffff % 2^31 as q = 1, r = n − d mod 2^32 (the identity holds mod 2^32
        // only).
        assert!(rejected(5, true, &|r| {
            set_bytes(r, MD_X, 4, 1);
            set_bytes(r, MD_R, 4, u64::from(0x7fff_ffffu32.wrapping_sub(0x8000_0000)));
            set_res(r, 0x7fff_ffffu32.wrapping_sub(0x8000_0000));
        }));
        // div as divu (another operation than the program's): flag and CPU id both changed.
        let ((cpu, md), _) = case(1);
        assert!(witness_rejected(
            elf,
            |t| {
                t[MD_TABLE].columns_mut()[MD_F + F_DIV][md] = F::ZERO;
                t[MD_TABLE].columns_mut()[MD_F + F_DIVU][md] = F::ONE;
                t[0].columns_mut()[MOP][cpu] += F::ONE;
            },
            code
        ));
        // The mul row run as an add (selector add, id 1 + 37 = mul's): its MulDiv row gone.
        let ((cpu, md), (_, a, b)) = case(0);
        assert!(witness_rejected(
            elf,
            |t| {
                set_md_row(t, md, vec![F::ZERO; MD_COLS]);
                let sum = a.wrapping_add(b);
                for v in [lo(sum), hi(sum)] {
                    t[3].columns_mut()[1][v as usize] += F::ONE;
                }
                let cols = t[0].columns_mut();
                cols[S_M][cpu] = F::ZERO;
                cols[S_ADD][cpu] = F::ONE;
                cols[MOP][cpu] = f(M_OP_BASE - 1);
                let (c0, c1) = add_carries(a, b);
                cols[RES_LO][cpu] = f(lo(a.wrapping_add(b)));
                cols[RES_HI][cpu] = f(hi(a.wrapping_add(b)));
                cols[C0][cpu] = f(c0);
                cols[C1][cpu] = f(c1);
            },
            code
        ));
        // divu 9 / 0 with q = 0 (the identity holds for any q): through the verifier.
        let (rows, op) = case(3);
        let edit = |r: &mut [i64; MD_COLS]| {
            set_bytes(r, MD_X, 4, 0);
            set_res(r, 0);
        };
        assert!(forged_run(elf, |t| forge_md(t, rows, op, true, &edit), code).is_err());
    }

    /// A run longer than one proof covers is refused by name before any trace is built (the
    /// committed sieve on its default input runs ~2^21 cycles; it used to panic in the range
    /// check of the memory argument's timestamp difference, or build gigabytes of trace).
    #[test]
    fn too_long_runs_are_refused_before_tracing() {
        let input = 20_000u32.to_le_bytes();
        let cycles =
            crate::run(&Program::from_elf(SIEVE).expect("elf"), &input).expect("run").exit.cycles;
        assert!(cycles > MAX_PROVABLE_CYCLES, "{cycles}");
        match prove(SIEVE, &input) {
            Err(ProveError::TooManyCycles { cycles: c, max }) => {
                assert_eq!((c, max), (cycles, MAX_PROVABLE_CYCLES));
            }
            other => panic!("expected TooManyCycles, got {:?}", other.map(|r| r.cycles)),
        }
    }

    #[test]
    fn fib_and_sieve_prove_end_to_end() {
        // The repo's C programs (gcc -O2, mul/div/rem) on small inputs.
        for (elf, input) in [(FIB, vec![6u8]), (SIEVE, 60u32.to_le_bytes().to_vec())] {
            let expected = crate::run(&Program::from_elf(elf).expect("elf"), &input).expect("run");
            let run = prove(elf, &input).expect("prove");
            assert_eq!(run.output, expected.output);
            assert_eq!(run.exit_code, expected.exit.code);
            verify(elf, &run.proof, &run.output, run.exit_code).expect("verify");
            let mut out = run.output.clone();
            out[0] ^= 1;
            assert!(verify(elf, &run.proof, &out, run.exit_code).is_err());
        }
    }

    /// Proves a tampered witness without the prover's checks and expects the verifier to
    /// reject it.
    fn forged(edit: impl Fn(&mut [Trace<F>]), exit_code: u32) -> Result<(), ProveError> {
        forged_run(SUM, edit, exit_code)
    }

    /// The prover's own check refuses a tampered witness (a failed constraint or an
    /// unbalanced bus): cheaper than [`forged_run`], for the cases beside the one per test that
    /// goes through the verifier.
    fn witness_rejected(elf: &[u8], edit: impl Fn(&mut [Trace<F>]), exit_code: u32) -> bool {
        let program = Program::from_elf(elf).expect("elf");
        let trace = crate::run_traced(&program, &[]).expect("run");
        let mut tr = traces(&program, &trace.steps, &[]).expect("traces");
        edit(&mut tr);
        let checked = prover().expect("prover").prove_tables(
            &tables(&program),
            &tr,
            &public(exit_code, &trace.run.output),
            &mut transcript(elf).expect("t"),
        );
        matches!(checked, Err(AirError::ConstraintFailed { .. } | AirError::BusUnbalanced { .. }))
    }

    fn forged_run(
        elf: &[u8],
        edit: impl Fn(&mut [Trace<F>]),
        exit_code: u32,
    ) -> Result<(), ProveError> {
        let program = Program::from_elf(elf).expect("elf");
        let trace = crate::run_traced(&program, &[]).expect("run");
        let mut tr = traces(&program, &trace.steps, &[]).expect("traces");
        edit(&mut tr);
        let airs = tables(&program);
        let prover = prover().expect("prover");
        let checked = prover.prove_tables(
            &airs,
            &tr,
            &public(exit_code, &[]),
            &mut transcript(elf).expect("t"),
        );
        assert!(checked.is_err(), "the prover accepted a wrong witness");
        let proof = prover
            .prove_tables_unchecked(
                &airs,
                &tr,
                &public(exit_code, &[]),
                &mut transcript(elf).expect("t"),
            )
            .expect("forced proof");
        verify(elf, &proof, &[], exit_code)
    }

    #[test]
    fn wrong_executions_are_rejected() {
        // A wrong addition result (the first `add`, row 2).
        assert!(forged(|t| t[0].columns_mut()[RES_LO][2] += F::ONE, 5050).is_err());
        // A branch not taken although its operands differ (the `bne` at row 4).
        assert!(forged(|t| t[0].columns_mut()[TAKEN][4] = F::ZERO, 5050).is_err());
        let program = Program::from_elf(SUM).expect("elf");
        let last = crate::run_traced(&program, &[]).expect("run").steps.len() - 1;
        let steps = crate::run_traced(&program, &[]).expect("run").steps;
        let row_of = |op: Op| {
            steps
                .iter()
                .rposition(|s| program.code[((s.pc - program.text_start) / 4) as usize].op == op)
                .expect("sum.S has it")
        };
        // The taken `bltu` (the last one) not taken, or with the borrow flipped.
        let bltu = row_of(Op::Bltu);
        assert!(forged(|t| t[0].columns_mut()[TAKEN][bltu] = F::ZERO, 5050).is_err());
        assert!(forged(|t| t[0].columns_mut()[C1][bltu] = F::ZERO, 5050).is_err());
        // A jalr that jumps elsewhere (its target sum off by 2, next row unchanged).
        let jalr_row = row_of(Op::Jalr);
        assert!(
            forged(
                |t| {
                    t[0].columns_mut()[T_HALF][jalr_row] += F::ONE;
                    t[0].columns_mut()[T_LO][jalr_row] += F::TWO;
                },
                5050
            )
            .is_err()
        );
        // A padding row that reads a register (its flag is not bound by the program table).
        let pad = last + 1;
        assert!(forged(|t| t[0].columns_mut()[R1][pad] = -F::ONE, 5050).is_err());
        // Another exit code claimed by the ecall row.
        assert!(forged(|t| t[0].columns_mut()[B_LO][last] += F::ONE, 5051).is_err());
        // A register read that returns another value than was written.
        assert!(forged(|t| t[0].columns_mut()[A_LO][3] += F::ONE, 5050).is_err());
        // An instruction the program does not have at that pc.
        assert!(forged(|t| t[0].columns_mut()[IMM_LO][3] += F::ONE, 5050).is_err());
    }
}
