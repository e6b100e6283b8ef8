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
//! 2. the folded polynomial is encoded on a domain `2^j` times smaller (`j` =
//!    [`WhirConfig::domain_reduction`]: 1 by default, so the domain halves and the rate improves
//!    by `2^(k−1)` per round; [`Whir::with_domain_reduction`] takes `1 ≤ j ≤ k`, the rate then
//!    improves by `2^(k−j)`) and committed, followed by out-of-domain samples and answers — or, in
//!    the last round, sent in the clear as its `2^final_vars` coefficients;
//! 3. proof of work, then STIR-style shift queries: leaves of the current codeword are opened
//!    (Merkle paths) and folded by the verifier with `α₀..α_{k−1}` ("Fold" of the paper: even
//!    part plus `α` times odd part, `k` times) into the value of the folded polynomial at
//!    `y = x^(2^k)`;
//! 4. a combination challenge `γ` adds `Σ γ^j eq(pow(y_j), ·)` (OOD and query points) to the
//!    weight and the answers to the claim.
//!
//! **The prover's first round** never builds `w` (a table of `2^n` extension values): every
//! term of `w` is an `eq` at a point `p`, and `eq(p, (X, t)) = eq(p_s, X)·eq(p_{>s}, t)`, so each
//! sumcheck polynomial is `Σ_p g_p·eq(p_s, X)·(A_p + X·B_p)` with `A_p`, `B_p` dot products of
//! `f` against a small table of `p`'s remaining coordinates, split per chunk of `2^c` values
//! (`c ≥ k`; `eq` of the chunk index is one scalar per chunk). The first pass also gives the
//! claimed values. Chunks of `f` that are all zero (a stacked trace's padding columns, the tail
//! of a multi-table layout) are skipped: they stay zero through the round's `k` folds. `w` is
//! built once, after the first round, at `2^(n−k)` values. The proof is byte for byte the one
//! the earlier prover (which built `w`) made; a test checks that skipping the zero chunks does
//! not change it either.
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
//! # Security (≥ 100 bits): the bounds, the parameters, what is assumed
//!
//! [`WhirParams`] fixes `n`, `r`, `k`, the target `λ` (100 by default), the most proof-of-work bits
//! per challenge ([`DEFAULT_MAX_POW_BITS`] = 20) and a [`SoundnessType`]; [`WhirConfig::new`]
//! derives every round's queries, OOD samples and grinding from the round-by-round soundness
//! terms of the WHIR paper (ACFY24 §5), each written once in `params.rs` with its source and
//! listed in [`WhirConfig::terms`] ([`SecurityTerm`]: the error in bits, the grinding before the
//! challenge, the sum); [`WhirConfig::achieved_bits`] is their minimum. `zkprove whir params
//! --field F --log-n N [--json]` prints them. With `m` the variables left, `d = 2^m`,
//! `r_i = r + i(k−j)` the round's `log2(1/ρ)` (`j` the domain reduction, 1 by default), `|L| = 2^(m + r_i)` and `b = D·log2 p`:
//!
//! | term | ConjectureList (`η ≥ ρ/20`) | ProvableList (`√ρ/20 ≤ η ≤ √ρ/6`) | UniqueDecoding |
//! |---|---|---|---|
//! | decoding radius `δ` | `1 − ρ − η` | `1 − √ρ − η` (Johnson) | `(1 − ρ)/2` |
//! | list size `ℓ` | `d/(ρη)` | `1/(2η√ρ)` | 1 |
//! | folding, proximity gaps | `d/(ηρ²)/|E|` (STIR Conj. 5.6) | `(1+1/2μ)^7 μ^7/(3ρ^1.5)·|L|²/|E|`, `μ = √ρ/2η` (BCIKS20 Thm 1.5; `10.5^7/3` at `η = √ρ/20`) | `|L|/|E|` (BCIKS20 Thm 1.4) |
//! | folding, sumcheck | `2ℓ/|E|` | `2ℓ/|E|` | `2/|E|` |
//! | OOD (`s` samples) | `C(ℓ,2)(d/|E|)^s` | same | none |
//! | combination (`c` constraints) | `2cℓ/|E|` | same | same |
//! | queries (`t`) | `(ρ + η)^t` | `(√ρ + η)^t` | `((1 + ρ)/2)^t` |
//!
//! **The slack `η`** is an analysis parameter, chosen per code ([`RoundConfig::log_eta`],
//! reported by `whir params` and in `bench whir`'s `rounds_detail`): the smallest of
//! [`ETA_FACTORS`] (`ρ/20` first) whose folding terms reach `λ` with ≤ [`QUERY_POW_BITS`] of
//! grinding, else with ≤ `max_pow_bits`. A larger `η` shrinks the list and the gaps error and
//! costs query bits — cheap in late rounds, where `ρ` is small; every term of a code uses its `η`.
//!
//! **Proof of work** is credited at what the check enforces: `b` low zero bits of one base-field
//! element pass with probability `⌈p/2^b⌉/p` ([`pow_credit`]: 15.99998 bits for 16 over
//! BabyBear), and grinding is capped at [`max_pow_bits_for`] the field (`⌊log2 p⌋ − 4`: 26 for
//! BabyBear, 59 for Goldilocks) so that a nonce exists. Query counts are planned for at most
//! [`QUERY_POW_BITS`] = 16 bits of query grinding (more queries are cheaper than more grinding);
//! folding challenges, which queries cannot replace, grind up to `max_pow_bits`. The first
//! combination challenge (the claim and the commitment's OOD answers) has its own grinding
//! ([`WhirProof::combination_pow`]). The verifier checks the number of OOD samples against the
//! configuration, and every Merkle path against the height of the committed tree.
//!
//! **What it comes to.** BabyBear⁴ has `b ≈ 123.6` bits, Goldilocks² `b ≈ 128`. The default
//! (conjectured list decoding up to capacity, as in the WHIR paper's benchmarks and deployed
//! FRI/STIR/WHIR systems) at `n = 20`, `r = 1`, `k = 4` over BabyBear⁴: 2 OOD samples per
//! commitment, 6 bits of grinding before the first combination, folding grinding of 4, 9, 14 and
//! 16 bits in rounds 0..3 (the `1/ρ²` of the gaps term grows with `r_i`; round 3 takes
//! `η = ρ/2`), queries `t = [91, 22, 13, 9]` with ≤ 16 bits of query grinding: 100.3 bits. Over
//! Goldilocks² the folding grinding is 4 bits less. The **proven** Johnson bound costs `2m + 3.5 r_i + 22.2`
//! bits of the field in the gaps term: BabyBear⁴ cannot reach 100 bits within one nonce's 26
//! bits of grinding at `n ≥ 12` and is refused; Goldilocks² reaches it for small `n` (e.g.
//! `n = 8`, `k = 2`: 14 bits of grinding). 100 proven bits at scale need a larger extension
//! (BabyBear⁸, Goldilocks³: `b ≈ 190` bits). Unique decoding is proven with no list terms but
//! needs ~2.2× the queries at rate 1/2 (`t = 203` in round 0 with 16 bits of grinding).
//!
//! The accounting before 2026-12-06 credited `t·r` bits to the queries while using `η = ρ/2`
//! elsewhere (the default then reached ≈ 51 bits, not 100), took `d/(ρη)` for the conjectured
//! gaps term, dropped the factor `10.5^7/3` and the `η` of the Johnson terms, and credited up to
//! 60 bits of proof of work that one BabyBear element cannot enforce;
//! `tests/whir.rs::security_recomputed_from_first_principles` recomputes every accepted
//! configuration of a grid independently and fails if the code claims more.
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
//! `cargo run --release -p zkprove-whir --example whir_time -- 16 20` (defaults), AMD EPYC with
//! AVX-512 IFMA, 2 cores shared with other builds (load ≈ 9, so times are pessimistic), medians
//! of 5: BabyBear⁴ `n = 16`: prover 63–84 ms, verifier 2.4 ms, 66.3 KB; `n = 20`: prover
//! 0.96–1.04 s, verifier 3.2 ms, 89.5 KB (the accounting of 2026-12-06 grew proofs by 6.6–8.4 %
//! and the `n = 20` provers by 4–11 %; see BENCHMARKS.md).
//! Proof sizes count the commitment (root + OOD answers) and every Merkle path in full.
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
    Code, DEFAULT_MAX_POW_BITS, ETA_FACTORS, MAX_FINAL_VARS, QUERY_POW_BITS, RoundConfig,
    SecurityTerm, SoundnessType, TermKind, WhirConfig, WhirParams, combination_bits,
    fold_sumcheck_bits, list_size_bits, log_eta, max_pow_bits_for, ood_bits, pow_credit,
    proximity_gaps_bits, query_bits_each,
};
pub use protocol::{
    Committed, Opened, OpenedMany, QueryOpening, ReceivedCommitment, Whir, WhirCommitment,
    WhirProof, WhirRoundProof, WhirWitness,
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
