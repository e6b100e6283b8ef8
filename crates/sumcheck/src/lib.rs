//! The sumcheck protocol for sums of products of multilinear polynomials over small fields.
//!
//! The claim is `Σ_{x∈{0,1}^n} Σ_t c_t · Π_{j∈t} f_j(x) = S` for multilinear tables `f_j`
//! (`f·g`, `f·g·h`, `eq·(a·b − c)` as in GKR and Spartan; a [`Term`] is one `c_t · Π f_j`). The
//! round degree `d` is the largest product (`1..=MAX_DEGREE`). Tables start in a base field `F`
//! (M31, BabyBear, Goldilocks); the first challenge `r₁ ∈ E` moves them into the extension `E`
//! (QM31, BabyBear⁴, Goldilocks²) and later rounds run there.
//!
//! # Conventions
//! - **Tables** are in the [`zkprove_poly::Mle`] order: index bit `n−1` (most significant) is the
//!   first variable, so `f(0, ·)` is the first half of the table and `f(1, ·)` the second.
//! - **Variable order**: round `i` fixes the first remaining variable. The challenges
//!   `(r₁, …, r_n)` in the order drawn are the point for `Mle::evaluate`: the final values are
//!   `Mle::new(f_j)?.evaluate(&point)`.
//! - **Round polynomial**: `p_i(X) = Σ_{x} Σ_t c_t Π f_j(r₁, …, r_{i−1}, X, x)`, sent as its
//!   values at `X = 0, 2, 3, …, d` ([`RoundPoly`]); `p_i(1) = claim_i − p_i(0)` is derived by the
//!   verifier, so no explicit round-sum check exists: any inconsistency surfaces in the final
//!   sub-claim ([`SubClaim::check`]). The next claim is `p_i(r_i)` by Lagrange interpolation.
//! - **Transcript** ([`zkprove_hash::Transcript`]): first the instance ([`observe_instance`]:
//!   `n`, `d`, the number of terms, and per term its coefficient, its number of factors and the
//!   index of each table), then `observe_ext(claim)`; per round `observe_ext` of each sent value in
//!   order, then `r_i = sample_ext()`. Binding the instance before the first challenge means a
//!   proof for one instance cannot be replayed on another with the same claimed sum (another
//!   term shape, `n` or `d`): its challenges would differ.
//!
//! # Soundness
//! If the claim is false, the prover passes round `i` only when the challenge `r_i` is a root of
//! a non-zero polynomial of degree `≤ d` (its round polynomial minus the honest one): at most `d`
//! of the `|E|` challenges. A union bound over the `n` rounds gives the soundness error
//! **`ε ≤ n·d/|E|`** (Lund, Fortnow, Karloff, Nisan, "Algebraic methods for interactive proof
//! systems", JACM 39(4), 1992; Thaler, "Proofs, Arguments, and Zero-Knowledge", 2022, §4.1,
//! Proposition 4.1). [`soundness_bits`] is `−log2 ε = log2|E| − log2(n·d)`; for
//! `n = 20`, `d = 3`: QM31 / BabyBear⁴ (`|E| ≈ 2^124`) give ~118 bits, Goldilocks² (`2^128`)
//! ~122 bits, but `E = F` = BabyBear or M31 only ~25 bits. Non-interactively (Fiat–Shamir with
//! the Poseidon2 [`zkprove_hash::Transcript`], modelled as a random oracle) the sumcheck is
//! round-by-round sound, so a prover making `Q` hash queries succeeds with probability at most
//! about `Q·d/|E|` (Canetti et al., "Fiat–Shamir: from practice to theory", STOC 2019); the
//! final sub-claim is the caller's to check (by a commitment opening or directly).
//!
//! [`SumcheckProver::prove`] and [`verify`] therefore refuse a challenge field of fewer than
//! `2^63` elements ([`MIN_CHALLENGE_FIELD_BITS`]: Goldilocks and the extensions pass, a 31-bit
//! field alone does not) with [`SumcheckError::ChallengeFieldTooSmall`], which names the field's
//! order and the error it would give, unless asked explicitly with
//! [`SumcheckParams::allow_small_field`] ([`SumcheckProver::with_params`], [`verify_with`]). The
//! incremental API below does not check: protocols using it account for their own soundness
//! (WHIR's parameters, GKR) and can call [`SumcheckParams::check`] and [`observe_instance`].
//!
//! # Incremental API (for WHIR, GKR and other protocols running their own transcript)
//! ```text
//! let mut prover = SumcheckProver::<F, E>::new(tables, terms)?;   // or new_ext(E tables)
//! for _ in 0..k {
//!     let poly = prover.round_polynomial()?;   // RoundPoly { evals: [p(0), p(2), …, p(d)] }
//!     poly.observe(&mut transcript);           // or the caller's own absorbing
//!     let r: E = transcript.sample_ext();
//!     claim = poly.evaluate(claim, r);         // the verifier's side of the round
//!     prover.fold(r)?;                         // fix the first variable to r
//! }                                            // (fold_and_round(r) = fold + next round, fused)
//! let evals = prover.final_evaluations()?;     // after all n rounds, or
//! let folded = prover.into_ext_tables()?;      // stop early and keep the folded tables
//! ```
//! For `f·w` (WHIR, degree 2): `terms = vec![Term::product(vec![0, 1])]`, which takes the
//! dedicated `f·g` kernel. An `eq(z, ·)` weight (GKR, Spartan) is one more table
//! ([`zkprove_poly::eq_table`]); with `z` in the extension, all tables go through
//! [`SumcheckProver::new_ext`] (base-field tables lifted).
//!
//! Protocols that fix the *last* variable first (WHIR pairs neighbours, `x ↦ x²`): bit-reverse the
//! tables' indices first ([`zkprove_poly::bit_reverse_permute`]). The first variable here is then
//! the original last one, the challenges `(r₁, …, r_n)` are the original point in reverse order,
//! and tables folded `k` times are the original ones with the last `k` variables fixed, in
//! bit-reversed order.
//!
//! # Backends
//! [`SumcheckOps`] holds the per-round operations (round evaluation, fold, and the fused
//! fold + next round), so a GPU backend can run one kernel per round;
//! [`zkprove_poly::CpuBackend`] implements it with:
//! - Rayon over the hypercube's first half (tasks of 1024 pairs above 2048 pairs);
//! - the base field's SIMD packing (`F::Packing`) whenever the tables are still in the base field,
//!   the extension coefficients `c_t` applied once per term at the end;
//! - when the challenges are in a proper extension, the first challenge is held back and round 2
//!   is computed from the base-field tables too (the small-value optimisation of Bagad, Domb and
//!   Thaler, 2024: `Π_j f_j(r₁, X, x)` is a degree-`m` polynomial in `r₁` whose values at
//!   `0, …, d` are base-field products), then both first variables are fixed in one pass — so the
//!   tables are first written in `E` at a quarter of their size;
//! - later rounds fold in place and evaluate the next round in the same pass
//!   ([`SumcheckProver::fold_and_round`], used by [`prove`]);
//! - monomorphised kernels per degree (1..=8) and a dedicated one for a single product `f·g`.
//!
//! [`SumcheckProver::round_polynomial`] / [`SumcheckProver::fold`] and
//! [`SumcheckProver::fold_and_round`] give identical results; the latter saves a pass per round.

#![forbid(unsafe_code)]

mod ops;
mod prover;
mod round;
mod security;
mod verifier;

pub use ops::SumcheckOps;
pub use prover::{ProverOutput, SumcheckProver, prove};
pub use round::{RoundPoly, Term, evaluate_terms};
pub use security::{
    MIN_CHALLENGE_FIELD_BITS, SumcheckParams, challenge_field_bits, observe_instance,
    soundness_bits,
};
pub use verifier::{SubClaim, SumcheckProof, verify, verify_with};

/// The largest round degree (product size) supported.
pub const MAX_DEGREE: usize = 8;

/// Errors from the sumcheck prover and verifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SumcheckError {
    /// No tables were given.
    #[error("no tables")]
    NoTables,
    /// No terms were given.
    #[error("no terms")]
    NoTerms,
    /// A term with no factors.
    #[error("term {term} has no factors")]
    EmptyTerm {
        /// The term's index.
        term: usize,
    },
    /// A term that names a table that does not exist.
    #[error("term {term} uses table {index}, but there are {n_tables} tables")]
    FactorOutOfRange {
        /// The term's index.
        term: usize,
        /// The table index named.
        index: usize,
        /// The number of tables.
        n_tables: usize,
    },
    /// A product of more tables than supported.
    #[error("degree {degree} exceeds the largest supported degree {max}")]
    DegreeTooLarge {
        /// The degree asked for.
        degree: usize,
        /// [`MAX_DEGREE`].
        max: usize,
    },
    /// A term with more factors than the round degree given to a backend operation.
    #[error("term {term} has {factors} factors, more than the degree {degree}")]
    TermDegree {
        /// The term's index.
        term: usize,
        /// Its number of factors.
        factors: usize,
        /// The degree given.
        degree: usize,
    },
    /// A table whose length is not a power of two.
    #[error("table length {len} is not a power of two")]
    NotPowerOfTwo {
        /// The length given.
        len: usize,
    },
    /// Tables of different lengths.
    #[error("table {index} has length {got}, expected {expected}")]
    TableLength {
        /// The table's index.
        index: usize,
        /// The length required.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A round asked for after the last variable was fixed.
    #[error("no variables left: every round has been run")]
    NoVariablesLeft,
    /// Final evaluations asked for before the last round.
    #[error("{n_vars} variables are not fixed yet")]
    VariablesLeft {
        /// The number of variables left.
        n_vars: usize,
    },
    /// A proof with the wrong number of rounds.
    #[error("proof has {got} rounds, expected {expected}")]
    WrongRoundCount {
        /// The number of variables.
        expected: usize,
        /// The number of rounds in the proof.
        got: usize,
    },
    /// A round polynomial of the wrong degree (number of values).
    #[error("round {round} polynomial has {got} values, expected degree {expected}")]
    WrongDegree {
        /// The round (0-based).
        round: usize,
        /// The degree required.
        expected: usize,
        /// The number of values sent.
        got: usize,
    },
    /// The summand at the final point differs from the reduced claim: the claim or a round
    /// polynomial was wrong.
    #[error("final evaluation does not match the reduced claim")]
    FinalEvaluationMismatch,
    /// A challenge field too small for the soundness asked (see [`SumcheckParams`]).
    #[error(
        "challenge field of order {order} (about 2^{field_bits}) refused: the sumcheck's \
         soundness error n·d/|E| with n = {n_vars}, d = {degree} would be about 2^-{soundness_bits}; \
         fields below 2^{min_bits} elements need SumcheckParams::allow_small_field"
    )]
    ChallengeFieldTooSmall {
        /// The field's order ([`zkprove_field::Field::order_string`]).
        order: String,
        /// `⌊log2 |E|⌋`.
        field_bits: u32,
        /// The number of rounds.
        n_vars: usize,
        /// The round degree.
        degree: usize,
        /// `⌊log2|E| − log2(n·d)⌋`, the soundness the proof would have (0 if negative).
        soundness_bits: u32,
        /// [`MIN_CHALLENGE_FIELD_BITS`].
        min_bits: u32,
    },
    /// A backend (GPU) operation failed.
    #[error(transparent)]
    Device(#[from] zkprove_poly::DeviceError),
}
