//! WHIR (Arnon, Chiesa, Fenzi, Yogev 2024, "WHIR: Reed–Solomon Proximity Testing with
//! Super-Fast Verification"): a multilinear polynomial commitment over small two-adic fields,
//! with challenges in an extension field.
//!
//! # Protocol
//!
//! **Commit** ([`Whir::commit`]). A multilinear `f` in `n` variables over `F`, given by its `2^n`
//! hypercube values ([`zkprove_poly::Mle`] order), is turned into its coefficients `c_i`
//! (Möbius transform) and read as the univariate `p(x) = Σ c_i x^i`, so that
//! `f̂(x, x², x⁴, …) = p(x)` (variable `j` of the internal order ↔ coefficient bit `j` ↔ the
//! `(n−j)`-th coordinate of an [`zkprove_poly::Mle`] point). `p` is encoded on the subgroup
//! `L₀ ⊂ F*` of order `2^(n + r)` (rate `2^-r`) by an NTT with bit-reversed output; Merkle leaf
//! `b` is then a contiguous block: the `2^k` values at the points `x` with
//! `x^(2^k) = ω^(rev(b)·2^k)`, those that fold together (`k` = folding factor). The commitment is the root plus the answers `p(z_j)` at out-of-domain points `z_j ∈ E`
//! drawn from the transcript after the root.
//!
//! **Open** ([`Whir::open`]) at `z ∈ E^n`: the claim `Σ_b f(b)·w(b) = σ` with
//! `w = eq(z, ·) + Σ γ^j eq(pow(z_j), ·)` and `σ = f(z) + Σ γ^j p(z_j)`. Each round:
//! 1. `k` sumcheck rounds on `f·w` (degree 2: `[h₀, h₁, h₂]` sent, `h(0) + h(1)` checked against
//!    the running claim, optional proof of work, challenge `α`), fixing variables 0..k of `f` and
//!    `w`;
//! 2. the folded polynomial is encoded on a domain half as large (so the rate improves by
//!    `2^(k−1)` per round) and committed, followed by out-of-domain samples and answers — or, in
//!    the last round, sent in the clear as its `2^final_vars` coefficients;
//! 3. proof of work, then STIR-style shift queries: leaves of the current codeword are opened
//!    (Merkle paths) and folded by the verifier with `α₀..α_{k−1}` ("Fold" of the paper: even
//!    part plus `α` times odd part, `k` times) into the value of the folded polynomial at
//!    `y = x^(2^k)`;
//! 4. a combination challenge `γ` adds `Σ γ^j eq(pow(y_j), ·)` (OOD and query points) to the
//!    weight and the answers to the claim.
//!
//! The verifier ([`Whir::verify`]) replays the transcript, checks every sumcheck polynomial, proof
//! of work, Merkle path and folded query value, the last queries against the final polynomial, and
//! finally that `Σ_b f_final(b)·w(α, b)` equals the reduced claim, computing the weight itself
//! from its terms (each an `eq` at a known point): `O(#queries · n)` work plus the Merkle paths.
//! The sumcheck's degree-2 round logic is written here (a few lines in `utils`, the first round
//! on the base-field table): `zkprove-sumcheck` arrived while this crate was written, and its
//! convention fixes the *most significant* table variable first and sends `p(0), p(2)`, whereas
//! WHIR must fix coefficient bit 0 first (the `x ↦ x²` pairing of the codeword); using it means
//! bit-reversing the tables, left for a later merge.
//!
//! # Security (≥ 100 bits) — which bound, and what the field size means
//!
//! [`WhirParams`] fixes `n`, `r`, `k`, the target `λ` (100 by default), the most proof-of-work bits
//! per challenge, and a [`SoundnessType`]; [`WhirConfig::new`] derives every round's queries,
//! OOD samples and grinding from the round-by-round soundness terms of the paper (§5; the same
//! terms as the authors' reference implementation), with `m` the variables left, `r_i = r + i(k−1)`
//! the round's `log2(1/rate)`, `b = D·log2 p` the extension's size in bits and `ℓ` the list size:
//!
//! * queries per round: `t_i = ⌈(λ − pow) / r_i⌉` (**ConjectureList**, up to capacity
//!   `δ = 1 − ρ − η`), `t_i = ⌈2(λ − pow) / r_i⌉` (**ProvableList**, Johnson bound
//!   `δ = 1 − √ρ − η`), `t_i = ⌈(λ − pow) / −log2((1 + ρ_i)/2)⌉` (**UniqueDecoding**);
//! * OOD samples `s`: the least with `s·b + 1 − 2·log2 ℓ − m·s ≥ λ` (none for unique decoding);
//! * folding: `b − (m + r_i + log2 1/η)` (conjecture) or `b − (2m + 3.5 r_i + log2 10)` (Johnson,
//!   from the BCIKS20 proximity gaps) and `b − log2 ℓ − 1` for the sumcheck;
//! * combination: `b − log2(s + t) − log2 ℓ − 1`.
//!
//! Whatever a term lacks below `λ` is ground as proof of work before that challenge; parameters
//! whose need exceeds `max_pow_bits` are refused ([`WhirError::Params`]), and
//! [`WhirConfig::achieved_bits`] reports the minimum over all terms.
//!
//! **Field size.** BabyBear⁴ has `b ≈ 123.6` bits, Goldilocks² `b ≈ 128`. With the conjectured
//! bound (the default, as in the WHIR paper's benchmarks and the deployed FRI/STIR/WHIR systems)
//! the field terms reach 100 bits with little grinding — for BabyBear⁴ at `n = 20`, `r = 1`,
//! `k = 4`: 2 OOD samples per commitment, folding proof of work of 1, 3, 5 and 7 bits in rounds
//! 0..3 — and the queries give the rest: `t = [84, 21, 12, 9]` with 16 bits of query grinding
//! (`max_pow_bits = 16`, the default), `[70, 18, 10, 7]` with 30. With the **proven** Johnson
//! bound the folding term is `b − 2m − 3.5 r_i − log2 10`, and `r_i` grows by `k − 1` per round:
//! for BabyBear⁴ at `n = 20, r = 1` it is ≈ 77 bits in round 0 and ≈ 69 bits in round 3, so 100
//! proven bits need 23–31 bits of grinding per folding challenge, which [`WhirConfig::new`]
//! refuses above `max_pow_bits` (30 at most is sensible); at `n = 16` it needs 16–21 bits.
//! Goldilocks² is ~4 bits better (19–27 bits at `n = 20`). 100 proven bits without heavy
//! grinding need a larger extension (BabyBear⁸, Goldilocks³: `b ≈ 190` bits). Unique decoding is
//! proven with no list terms but needs ~2.4× the queries at rate 1/2 (`t = 169` for 70 bits
//! plus 30 bits of grinding in round 0).
//!
//! # Fields
//!
//! Generic over a two-adic prime field `F` (`PrimeField64 + TwoAdicField`) and any extension
//! `E`; tested with BabyBear/BabyBear⁴ and Goldilocks/Goldilocks². **M31 is not supported**: its
//! multiplicative group has two-adicity 1, so there is no smooth multiplicative domain for the
//! Reed–Solomon code over M31 (Circle STARKs use the circle group instead, whose folding maps —
//! `y` then `x ↦ 2x² − 1` — are not the `x ↦ x²` that WHIR's `pow` map and multilinear folding
//! rely on). A domain inside QM31 (whose multiplicative group has two-adicity 33) would work,
//! at the price of committing to extension-field codewords (4× the hashing), but the field crate
//! does not expose QM31 as a [`zkprove_field::TwoAdicField`], and it is not done here.
//!
//! # Size and speed
//!
//! `zkprove bench whir --field babybear --log-n N --json` (defaults: rate 1/2, `k = 4`, 100 bits
//! ConjectureList, ≤ 16 bits of grinding), on the 2-core development machine shared with other
//! builds (load ≈ 9, so times are pessimistic): `N = 16`: prover 135 ms (commit 29 + open 106),
//! verifier 7 ms, 62 KB; `N = 20`: prover 1.69 s (commit 433 ms + open 1.25 s), verifier 12 ms,
//! 84 KB. Proof sizes count the commitment (root + OOD answers) and every Merkle path in full.
//!
//! # Not done
//!
//! Batch openings (several points or polynomials), Merkle multi-proofs (every path is sent in
//! full), a backend trait for the GPU.

#![forbid(unsafe_code)]

mod params;
mod protocol;
mod utils;

pub use params::{
    DEFAULT_MAX_POW_BITS, MAX_FINAL_VARS, RoundConfig, SecurityTerm, SoundnessType, TermKind,
    WhirConfig, WhirParams, combination_bits, fold_sumcheck_bits, list_size_bits, log_eta,
    max_pow_bits_for, ood_bits, pow_credit, proximity_gaps_bits, query_bits_each,
};
pub use protocol::{
    Committed, Opened, QueryOpening, ReceivedCommitment, Whir, WhirCommitment, WhirProof,
    WhirRoundProof, WhirWitness,
};

use zkprove_hash::{HashError, MerkleError};
use zkprove_poly::PolyError;

/// Errors from setting up, proving and verifying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhirError {
    /// Parameters that cannot be used (or cannot reach the security target).
    #[error("bad WHIR parameters: {reason}")]
    Params {
        /// What is wrong.
        reason: String,
    },
    /// An input or proof part of the wrong length.
    #[error("{what}: expected {expected}, got {got}")]
    WrongLength {
        /// Which input.
        what: &'static str,
        /// The length required.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A proof whose structure does not match the configuration.
    #[error("malformed proof: {what}")]
    ProofShape {
        /// What is wrong.
        what: &'static str,
    },
    /// A sumcheck polynomial with `h(0) + h(1)` different from the running claim.
    #[error("sumcheck round {step} of WHIR round {round}: h(0) + h(1) differs from the claim")]
    SumcheckRound {
        /// The WHIR round.
        round: usize,
        /// The sumcheck round within it.
        step: usize,
    },
    /// A proof-of-work nonce that does not meet the difficulty.
    #[error("proof of work fails in round {round}")]
    ProofOfWork {
        /// The WHIR round.
        round: usize,
    },
    /// A Merkle path that does not lead to the committed root.
    #[error("Merkle path of query {query} in round {round}: {source}")]
    MerklePath {
        /// The WHIR round.
        round: usize,
        /// The query (in increasing index order).
        query: usize,
        /// The Merkle error.
        source: MerkleError,
    },
    /// An opened leaf that cannot be folded (wrong length, not field elements).
    #[error("query {query} in round {round}: malformed answer")]
    QueryAnswer {
        /// The WHIR round.
        round: usize,
        /// The query.
        query: usize,
    },
    /// A last-round query whose folded value is not the final polynomial's.
    #[error("final polynomial disagrees with query {query}")]
    FinalPoly {
        /// The query.
        query: usize,
    },
    /// The final polynomial does not satisfy the reduced sumcheck claim.
    #[error("final polynomial does not satisfy the reduced claim")]
    FinalClaim,
    /// A Merkle error while proving.
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    /// An NTT or polynomial error.
    #[error(transparent)]
    Poly(#[from] PolyError),
    /// A transcript error.
    #[error(transparent)]
    Hash(#[from] HashError),
}
