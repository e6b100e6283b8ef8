//! A transparent AIR prover: a trace of `m` columns and `2^n` rows, constraints over the current
//! and next row, boundary constraints and LogUp lookups, proved with a zerocheck (sumcheck) over
//! the multilinear trace and WHIR openings, over BabyBear (BabyBear⁴ challenges) or Goldilocks
//! (Goldilocks² challenges).
//!
//! # Defining an AIR
//! Implement [`Air`]: a name, the number of columns, and `eval`, written once against
//! [`ConstraintBuilder`] (current row, next row, first/last-row selectors, `assert_zero*`), plus
//! optional [`LogUpTerm`]s and public values. The same `eval` runs on base-field rows (the
//! prover's trace check, the first sumcheck round), on extension-field points (later rounds, the
//! verifier) and on [`SymbolicExpr`] (the degree, and whether the next row is read). See
//! [`examples`]: Fibonacci (12 lines of constraints), a range check by LogUp, Poseidon2.
//!
//! # Several tables on shared buses ([`multi`])
//! [`AirProver::prove_tables`] proves several AIRs of different heights under one transcript,
//! each a [`TableAir`] that sends and receives tuples (linear expressions of its row, with a
//! multiplicity expression) on named LogUp buses; the verifier checks that every bus balances
//! against its own public contributions ([`PublicTuple`]) and the preprocessed columns it knows.
//! All tables' main traces are one WHIR commitment, their LogUp columns another (each table's
//! columns in power-of-two parts, no padding columns, [`multi::Layout`]), and each is opened
//! once at every part's point. The single-AIR protocol below is the one-table case; see
//! [`multi`] for the protocol and its security (one LogUp term over all bus fractions, the two
//! shared openings), and [`MultiProof::to_bytes`] /
//! [`MultiProof::from_bytes`] for the proof's encoding.
//!
//! # Protocol ([`AirProver`])
//! 1. The transcript absorbs the AIR's name, shape (`n`, `m`, number and degree of constraints,
//!    LogUp terms) and public values before any challenge.
//! 2. **Commit** the main trace with WHIR: the columns are stacked into one multilinear
//!    polynomial `P(j, y) = T_j(y)` of `n + ⌈log2 m⌉` variables (zero columns pad to a power of
//!    two), so the whole trace is one commitment and one opening.
//! 3. **LogUp** (if any terms): challenges `β` and `γ_1, …, γ_{w−1}` (one per tuple position
//!    after the first, [`fingerprint_challenges`]); for each term `t` the column
//!    `h_t = 1/(β − col_0 − Σ_{k≥1} γ_k·col_k)` (one batch inversion per term,
//!    [`zkprove_field::batch_inverse`]);
//!    the `h_t` (extension field) are committed as their `[E:F]` base coordinates, stacked, with a
//!    second WHIR commitment. They are constrained by `h_t·(β − fp_t) − 1 = 0` on every row and by
//!    `Σ_x Σ_t ±m_t(x)·h_t(x) = 0`.
//! 4. **Zerocheck**: challenges `τ ∈ E^n`, `α`, `λ`; one sumcheck (claim 0, round degree
//!    `D = max(deg C + 1, 3 with LogUp)`) of
//!    `Σ_x eq(τ, x)·(Σ_i α^i·C_i(x) + Σ_t α^(K+t)·(h_t(x)(β − fp_t(x)) − 1)) + λ·Σ_t ±m_t(x)h_t(x)`,
//!    where `C_i(x)` are the AIR's constraints on row `x` and row `x + 1`, with the first/last-row
//!    selectors as multilinear tables (`eq(0…0, ·)`, `eq(1…1, ·)`). The rounds are written here,
//!    not with `zkprove-sumcheck`: that crate proves sums of products of tables (`Σ c·Π f_j`),
//!    and an AIR constraint is an arbitrary arithmetic circuit over the row (Poseidon2's
//!    `(Σ_j M_ij·x_j + c)^3` would expand into thousands of product terms); here each round
//!    evaluates the tables at `X = 0, 2, …, D − 1` and runs the AIR's own `eval` there. The eq
//!    factor is split off (Gruen, ePrint 2024/108 §3): round `k`'s polynomial is
//!    `Π_{i<k} eq(τ_i, r_i)·eq(τ_k, X)·q(X) + λ·L(X)` with `q = Σ_x eq(τ_{>k}, x)·(…)` of degree
//!    `D − 1`, so `q(1)` follows from the round's claim and the constraints run at `D − 1` points
//!    instead of `D`; the polynomial sent is the same. Round 1 runs on base-field rows (the AIR
//!    evaluated in `F`, the constraints combined in `E`).
//! 5. The prover sends the columns at the final point `r`, the next-row columns at `r`
//!    (`T_next(x) = T(x + 1 mod 2^n)`) and the LogUp columns' coordinates at `r`; the verifier
//!    evaluates the summand itself (selectors `Π(1 − r_i)`, `Π r_i`, `eq(τ, r)`).
//! 6. **Openings**, per commitment: the claims `T_j(r) = v_j` and `T_j^next(r) = w_j` are batched
//!    with `s ∈ E^l` and `μ` into `Σ_{j,y} P(j, y)·eq(s, j)·(eq(r, y) + μ·S(r, y))`, where
//!    `S(r, y) = Σ_x eq(r, x)·eq(x + 1, y)` is the shift's multilinear extension, which the
//!    verifier evaluates in `O(n)` ([`shift_eval`]). A degree-2 sumcheck, column bits first,
//!    reduces it to `P(z)` at one point `z`, which WHIR opens. The weight being a tensor
//!    product, the prover runs the `l` column rounds on the `2^l` batched claims and the `n` row
//!    rounds on `P(c, ·) = Σ_j eq(c, j)·T_j` (one pass over the columns), never on the padded
//!    `2^(n + l)` stack.
//!
//! **Why the shift is reduced by a sumcheck.** The next row could be opened as a second WHIR
//! opening at a shifted point, but the shift is not an affine map of the multilinear point (the
//! carry couples the bits), so `T(x + 1)` at a random point is not `T` at another point. The
//! shift's MLE `S(r, y)` is cheap for the verifier, so the next-row claims join the current-row
//! claims in the one reduction sumcheck: one WHIR opening per commitment, not two or more, and
//! no next-row columns committed.
//!
//! **Why a zerocheck and not a quotient.** WHIR commits to multilinear polynomials; the
//! zerocheck needs no quotient commitment and no extension of the trace to a larger domain
//! beyond WHIR's own Reed–Solomon encoding, and the prover's work is linear in the trace.
//!
//! # Security (≥ 100 bits)
//! With `|E|` the challenge field (BabyBear⁴: `2^123.6`, Goldilocks²: `2^128`), `K` constraints,
//! `T` LogUp terms of width ≤ `w`, `l` = log2 of the stacked columns, the error terms are (union
//! bound; computed by [`AirProver::security`] / [`AirProver::achieved_bits`], field by field):
//! - zerocheck: `(n·D + n + K + T) / |E|` (sumcheck rounds, `τ` batching, `α`, `λ`);
//! - LogUp: `T·2^n / |E|` (Schwartz–Zippel in `(β, γ_1, …)` on the identity with denominators
//!   cleared: every denominator is linear in the challenges, so the cleared identity has total
//!   degree `< T·2^n`; needs the rows × multiplicities below the characteristic, true for
//!   `n ≤ 27`. With the powers `γ^k` of one challenge it would be `T·2^n·(w − 1)`);
//! - each reduction: `(2(n + l) + l + 1) / |E|`;
//! - each WHIR opening: `2^-b` with `b` = `WhirConfig::achieved_bits`, for WHIR parameters asked
//!   at `security_bits + 1 + ⌈log2(#openings)⌉` so that the sum stays above the target.
//!
//! WHIR runs at [`AirParams`]' schedule: by default rate 1/2, folding factor 5
//! ([`DEFAULT_FOLDING_FACTOR`]) and the evaluation domain shrinking 4× per round
//! ([`DEFAULT_DOMAIN_REDUCTION`]; `zkprove_whir::WhirConfig::with_domain_reduction`), so round
//! `i`'s code has rate `2^-(1 + 3i)`; WHIR's accounting charges every term at its own round's
//! rate, and the schedule is bound into the transcript.
//!
//! For most AIRs the WHIR term dominates (with its default conjectured list-decoding bound, see
//! `zkprove-whir`) and the AIR's own terms are far below it (Fibonacci at `n = 20` over
//! BabyBear⁴: zerocheck ≈ 117 bits). LogUp is the exception: its term `T·2^n/|E|` grows with
//! the trace, so over BabyBear⁴ a LogUp AIR reaches 100 bits overall only while
//! `T·2^n ≲ 2^21` (the range check, `T = 2`: up to `n = 21`; `n = 22` is refused).
//! Larger lookups need a larger extension (Goldilocks² gives ~4 more bits) or a finer LogUp
//! analysis. A set-up whose total is below [`AirParams::security_bits`] is refused
//! ([`AirError::Security`]).
//!
//! # Backends
//! The prover is written once over [`AirOps`] (stacking, next-row shift, selectors, `eq`
//! tables, LogUp columns by batch inversion, the zerocheck round, the stacked columns' combination)
//! plus `zkprove-sumcheck`'s [`zkprove_sumcheck::SumcheckOps`] (folds, the reduction's later
//! rounds); [`AirProver::prove_on`] runs it on any backend and counts the host↔backend
//! transfers ([`AirProfile`]); [`AirProver::prove`] is the CPU backend, the oracle.
//! A GPU implementation exists in `zkprove-gpu` (`AirOps` for its `GpuBackend`, CUDA and
//! OpenCL; that crate depends on this one, not the other way round): stacking, next-row
//! columns, selectors, `eq` tables, LogUp columns and sums, linear columns, coordinates, dot
//! products, the opening's kernels and the zerocheck round run there as device kernels, with the
//! CPU's proofs byte for byte. [`AirOps::zerocheck_round`] calls the AIR's Rust `eval` on the
//! CPU; a device gets the constraints as data instead, a [`ConstraintProgram`] recorded by a
//! builder ([`program`]; the LogUp interactions included), which zkprove-gpu's zerocheck kernel
//! interprets. What still runs on the host with it:
//! - WHIR has no backend trait (see its docs): each commitment downloads its stacked column and
//!   WHIR commits and opens on the host (two whole-column transfers with LogUp, one without).
//!   With a backend WHIR (NTT + Merkle ops exist) those go, leaving the small read-backs.
//! - The constraint program and each round's challenges go up with every round (tens of kB for
//!   Poseidon2, not counted in [`AirProfile`], which counts the prover's own transfers).
//! - Each round polynomial and final evaluation is a small read-back (the transcript runs on
//!   the host): `n` + `2(n + l)` per proof, a few hundred bytes each.

#![forbid(unsafe_code)]

mod air;
mod codec;
pub mod examples;
pub mod multi;
mod ops;
mod packed_round;
pub mod program;
mod proof;
mod prover;
mod security;
mod shift;

pub use air::{
    Air, AirExpr, AirShape, ConstraintBuilder, Interaction, LinearExpr, LogUpTerm, SymbolicExpr,
};
pub use codec::CodecError;
pub use multi::{
    BusInteraction, Direction, MultiProof, MultiSecurityReport, PublicTuple, TableAir,
};
pub use ops::{
    AirOps, RowTables, ZerocheckChallenges, ZerocheckRound, ZerocheckSums, fingerprint_challenges,
};
pub use program::{
    ConstraintProgram, EncodedProgram, Instr, ProgramError, ProgramExpr, ProgramInput,
};
pub use proof::{AirProof, ColumnOpening, ColumnReduction, TableProof};
pub use prover::{
    AirParams, AirProfile, AirProver, DEFAULT_DOMAIN_REDUCTION, DEFAULT_FOLDING_FACTOR, ProvedOn,
    Trace,
};
pub use security::SecurityReport;
pub use shift::{eq_eval, shift_eval};

use zkprove_poly::PolyError;
use zkprove_sumcheck::SumcheckError;
use zkprove_whir::WhirError;

/// Errors from setting up, proving and verifying.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AirError {
    /// An AIR that cannot be proved (no columns, a LogUp term naming a missing column, …).
    #[error("bad AIR: {reason}")]
    BadAir {
        /// What is wrong.
        reason: String,
    },
    /// A trace of the wrong shape.
    #[error("bad trace: {reason}")]
    TraceShape {
        /// What is wrong.
        reason: String,
    },
    /// The prover's check of the trace: a constraint that does not vanish.
    #[error("constraint {constraint} fails on row {row}")]
    ConstraintFailed {
        /// The row.
        row: usize,
        /// The constraint's index, in the order `eval` records them.
        constraint: usize,
    },
    /// The prover's check of the trace: the LogUp terms do not cancel.
    #[error("the LogUp terms do not sum to zero (a looked-up value is missing from its table)")]
    LogUpUnbalanced,
    /// The prover's check of a multi-table trace: a bus whose sends and receives (with the
    /// public contributions) do not cancel.
    #[error(
        "bus `{bus}` does not balance (a tuple sent but never received, or a wrong multiplicity)"
    )]
    BusUnbalanced {
        /// The bus's name.
        bus: String,
    },
    /// The verifier's check of a multi-table proof: the tables' claimed LogUp sums and the
    /// public contributions do not add up to zero.
    #[error("the buses do not balance: the tables' LogUp sums and the public contributions differ")]
    BusSum,
    /// A preprocessed column whose opened value is not the verifier's own.
    #[error("preprocessed column {column} does not match its known values")]
    FixedColumn {
        /// The column.
        column: usize,
    },
    /// `β` equals a looked-up fingerprint (probability ~ rows/|E|): the prover cannot go on.
    #[error("a LogUp denominator is zero")]
    LogUpDenominatorZero,
    /// The parameters do not reach the security target.
    #[error("{achieved:.1} bits of security, below the target {target}")]
    Security {
        /// What the parameters give.
        achieved: f64,
        /// What was asked.
        target: usize,
    },
    /// A proof whose shape does not match the AIR.
    #[error("malformed proof: {what}")]
    ProofShape {
        /// Which part.
        what: &'static str,
    },
    /// A sumcheck that the verifier rejects.
    #[error("{which} sumcheck: {source}")]
    Sumcheck {
        /// Which sumcheck.
        which: &'static str,
        /// The sumcheck error.
        source: SumcheckError,
    },
    /// The constraints at the zerocheck's point do not match its final claim.
    #[error("the constraints at the zerocheck point do not match the sumcheck")]
    Zerocheck,
    /// An opened value that does not match the reduction's final claim.
    #[error("{which} opening does not match its reduced claim")]
    OpeningMismatch {
        /// Which commitment.
        which: &'static str,
    },
    /// A prover-side failure that should not happen.
    #[error("internal error: {what}")]
    Internal {
        /// What went wrong.
        what: &'static str,
    },
    /// A sumcheck error on the prover's side.
    #[error(transparent)]
    ProverSumcheck(#[from] SumcheckError),
    /// A WHIR error (set-up, commitment, opening, or a rejected WHIR proof).
    #[error(transparent)]
    Whir(#[from] WhirError),
    /// A polynomial error.
    #[error(transparent)]
    Poly(#[from] PolyError),
    /// A backend failure.
    #[error(transparent)]
    Device(#[from] zkprove_poly::DeviceError),
}
