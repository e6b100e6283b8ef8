//! WHIR parameters: what the caller chooses ([`WhirParams`]) and what follows from it
//! ([`WhirConfig`]: rounds, queries, out-of-domain samples and proof-of-work bits per round), with
//! every round-by-round soundness term derived in this one file ([`SecurityTerm`]).
//!
//! # The terms
//!
//! Notation for a round with `m` variables left: degree bound `d = 2^m`, rate `ρ = 2^-r`,
//! evaluation domain `|L| = 2^(m+r)`, challenges in `E` with `|E| = 2^b`, decoding slack `η`
//! and list size `ℓ` at the radius `δ` the analysis uses. Every term is `−log2` of an error
//! probability; proof of work ground before a challenge adds what the check enforces
//! ([`pow_credit`]); each term plus its grinding must reach the target `λ`.
//!
//! | assumption | `δ` | `η` | `ℓ` |
//! |---|---|---|---|
//! | [`SoundnessType::ConjectureList`] | `1 − ρ − η` | `ρ/20` … `256ρ` | `d/(ρη)` (STIR Conj. 5.6, `c = 1`) |
//! | [`SoundnessType::ProvableList`] | `1 − √ρ − η` | `√ρ/20` … `√ρ/6` | `1/(2η√ρ)` (Johnson bound) |
//! | [`SoundnessType::UniqueDecoding`] | `(1 − ρ)/2` | — | `1` |
//!
//! `η` is chosen per code ([`ETA_FACTORS`], smallest first): the smallest whose folding terms
//! reach `λ` within the grinding budget ([`RoundConfig::log_eta`] reports it).
//!
//! * **Folding, proximity gaps** (one term per round, charged at the round's `m` for each of its
//!   `k` sumcheck challenges): conjecture `d/(η·ρ²·|E|)` (STIR Conjecture 5.6 as the WHIR
//!   reference uses it); Johnson `(1 + 1/(2μ))^7 μ^7/(3ρ^1.5) · |L|²/|E|` with `μ = √ρ/(2η)`
//!   (BCIKS20 Theorem 1.5, `μ ≥ 3`; at `η = √ρ/20`, `μ = 10`: `10.5^7/3`); unique decoding
//!   `|L|/|E|` (BCIKS20 Theorem 1.4).
//! * **Folding, sumcheck**: `2ℓ/|E|` (a degree-2 round polynomial, for each of the `ℓ` list
//!   members; WHIR §5).
//! * **Out-of-domain samples** (`s` of them): `C(ℓ, 2)·(d/|E|)^s`, i.e. `s(b − m) − 2 log2 ℓ + 1`
//!   bits (two list members agreeing on all `s` points of a degree-`d` polynomial).
//! * **Combination** (the random `γ` merging `c` constraints): `c·ℓ·2/|E|`, i.e.
//!   `b − log2 c − log2 ℓ − 1`: at the start `c = 1 + s₀` (the claim and the commitment's OOD
//!   answers), after round `i`'s queries `c = s_{i+1} + t_i`.
//! * **Queries** (`t` of them): `(1 − δ)^t`: conjecture `(ρ + η)^t` (`(1.05ρ)^t` at `ρ/20`),
//!   Johnson `(√ρ + η)^t`, unique decoding `((1 + ρ)/2)^t`. The query and combination
//!   challenges of a round are one verifier message, protected by the same proof of work.
//!
//! **Proof of work** ([`pow_credit`]): the check asks for the low `b` bits of one base-field
//! element of a hash to be zero; for a uniform element of `F_p` that happens with probability
//! `⌈p/2^b⌉/p`, a little above `2^-b`, and that exact figure is what is credited. Grinding is
//! capped at `⌊log2 p⌋ − 4` bits ([`max_pow_bits_for`]: 26 for BabyBear, 59 for Goldilocks) so
//! that a nonce in `F_p` exists with overwhelming probability.

use crate::WhirError;

/// Which bound on the distance of the committed words the soundness analysis assumes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SoundnessType {
    /// Unique decoding radius `δ = (1 − ρ)/2`: proven, no list, no OOD samples, most queries
    /// (`(1 + ρ)/2` error per query).
    UniqueDecoding,
    /// Johnson bound `δ = 1 − √ρ − η`, `η ≥ √ρ/20`: proven (list decoding up to Johnson plus the
    /// BCIKS20 proximity gaps); `1.05√ρ` error per query; the proximity-gaps term costs about
    /// `2m + 3.5r + 22.2` bits of the field, so it needs a large field or proof of work.
    ProvableList,
    /// Up to capacity `δ = 1 − ρ − η`, `η ≥ ρ/20` (the conjecture the WHIR, STIR and FRI
    /// deployments use): `1.05ρ` error per query.
    ConjectureList,
}

impl core::fmt::Display for SoundnessType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::UniqueDecoding => "UniqueDecoding",
            Self::ProvableList => "ProvableList",
            Self::ConjectureList => "ConjectureList",
        })
    }
}

/// The caller's choice of WHIR parameters.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct WhirParams {
    /// `n`: the committed multilinear polynomial has `n` variables (`2^n` hypercube values).
    pub log_n: usize,
    /// `r`: the first codeword has rate `2^-r` (domain of size `2^(n + r)`), `r ≥ 1`.
    pub log_inv_rate: usize,
    /// `k`: variables folded per round (leaves hold the `2^k` values that fold together), `k ≥ 1`.
    pub folding_factor: usize,
    /// `λ`: target security in bits.
    pub security_bits: usize,
    /// The most proof-of-work bits the prover may grind per challenge (at most
    /// [`max_pow_bits_for`] the field).
    pub max_pow_bits: usize,
    /// The decoding bound the analysis assumes.
    pub soundness: SoundnessType,
}

/// Proof-of-work bits allowed by default ([`WhirParams::new`]).
pub const DEFAULT_MAX_POW_BITS: usize = 20;

/// The most grinding the query count is planned for: past it, more queries are cheaper than
/// grinding (4 more bits of grinding — 16× the hashes — replace ~4 queries at rate 1/2, about
/// 3 KB of proof). Folding challenges, which queries cannot replace, grind up to
/// [`WhirParams::max_pow_bits`].
pub const QUERY_POW_BITS: usize = 16;

impl WhirParams {
    /// Parameters for `log_n` variables with the defaults used by the benchmarks: rate 1/2,
    /// folding factor 4, 100 bits, conjectured list decoding up to capacity, at most
    /// [`DEFAULT_MAX_POW_BITS`] bits of proof of work per challenge.
    pub fn new(log_n: usize) -> Self {
        Self {
            log_n,
            log_inv_rate: 1,
            folding_factor: 4,
            security_bits: 100,
            max_pow_bits: DEFAULT_MAX_POW_BITS,
            soundness: SoundnessType::ConjectureList,
        }
    }
}

/// Folding stops once at most this many variables are left; the rest is sent in the clear.
pub const MAX_FINAL_VARS: usize = 6;

/// One WHIR round: `k` sumcheck rounds on the round's polynomial, then queries to its codeword.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct RoundConfig {
    /// Variables of the round's polynomial (before folding).
    pub n_vars: usize,
    /// log2 of the round's evaluation domain (a subgroup of `F*`).
    pub log_domain: usize,
    /// `r_i`: the round's codeword has rate `2^-r_i`.
    pub log_inv_rate: usize,
    /// `log2 η` of the round's code (negative; 0 for unique decoding, which has no slack): the
    /// slack every term of this code uses (see [`ETA_FACTORS`]).
    pub log_eta: f64,
    /// Proof-of-work bits ground before each folding challenge of this round.
    pub folding_pow_bits: usize,
    /// Out-of-domain samples of the next codeword (0 in the last round).
    pub n_ood: usize,
    /// Shift queries to this round's codeword (before de-duplication).
    pub n_queries: usize,
    /// Proof-of-work bits ground before the query indices (and the combination challenge).
    pub query_pow_bits: usize,
}

/// Which challenge (or check) a [`SecurityTerm`] bounds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum TermKind {
    /// The out-of-domain samples after a commitment (round `None`: the first commitment).
    OutOfDomain,
    /// The combination challenge `γ` (round `None`: the one before the first sumcheck).
    Combination,
    /// A folding challenge against the proximity-gaps bound.
    FoldingProximityGaps,
    /// A folding challenge against the sumcheck's degree.
    FoldingSumcheck,
    /// The shift queries of a round (the last round's check the final polynomial).
    Queries,
}

impl core::fmt::Display for TermKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::OutOfDomain => "ood",
            Self::Combination => "combination",
            Self::FoldingProximityGaps => "folding_proximity_gaps",
            Self::FoldingSumcheck => "folding_sumcheck",
            Self::Queries => "queries",
        })
    }
}

/// One round-by-round soundness term: the error of one verifier challenge, before and after the
/// proof of work ground for it.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct SecurityTerm {
    /// The WHIR round (`None`: at the commitment / before the first round).
    pub round: Option<usize>,
    /// Which challenge.
    pub kind: TermKind,
    /// `−log2` of the error without proof of work.
    pub error_bits: f64,
    /// Proof-of-work bits ground before the challenge (the difficulty asked).
    pub pow_bits: usize,
    /// `error_bits` plus what the proof-of-work check really enforces ([`pow_credit`]).
    pub bits: f64,
}

/// Everything that follows from [`WhirParams`] and the field sizes.
#[derive(Clone, Debug, PartialEq)]
pub struct WhirConfig {
    /// The parameters this was derived from.
    pub params: WhirParams,
    /// log2 of the extension field's size (`D·log2 p`).
    pub field_bits: f64,
    /// Out-of-domain samples sent with the commitment.
    pub commit_ood: usize,
    /// Proof-of-work bits ground before the first combination challenge `γ`.
    pub combination_pow_bits: usize,
    /// `j`: log2 of how much the evaluation domain shrinks from one round's codeword to the
    /// next (1 for [`WhirConfig::new`]: the domain halves; at most `k`). Round `i`'s codeword
    /// then has rate `2^-(r + i(k − j))` on a domain of `2^(n + r − i·j)` points.
    pub domain_reduction: usize,
    /// The number of evaluation points one opening proves at once (1 for [`WhirConfig::new`];
    /// see [`WhirConfig::with_points`]): the first combination merges them with the
    /// commitment's OOD answers.
    pub n_points: usize,
    /// The rounds, first to last; the last one ends with the final polynomial.
    pub rounds: Vec<RoundConfig>,
    /// Variables of the final polynomial (sent as its `2^final_vars` coefficients).
    pub final_vars: usize,
    /// Every round-by-round term, in protocol order.
    pub terms: Vec<SecurityTerm>,
    /// The achieved security in bits: the minimum of [`SecurityTerm::bits`] over all terms.
    pub achieved_bits: f64,
}

/// One Reed–Solomon code of the protocol, as the analysis sees it: `2^n_vars` coefficients, rate
/// `2^-log_inv_rate`, and the slack `η` below the decoding radius the terms of this code use.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Code {
    /// `m`: the code's messages are polynomials of `2^m` coefficients.
    pub n_vars: usize,
    /// `r`: rate `2^-r`.
    pub log_inv_rate: usize,
    /// `log2 η` (0 for unique decoding, which has no slack).
    pub log_eta: f64,
}

/// The default `log2 η` of a code of rate `2^-log_inv_rate`: `ρ/20` up to capacity, `√ρ/20` up
/// to Johnson (BCIKS20's `m = 10`), 0 (unused) for unique decoding. [`WhirConfig::new`] starts
/// from it and takes a larger `η` for a code whose folding terms would otherwise need more
/// grinding than allowed (see [`ETA_FACTORS`]).
pub fn log_eta(s: SoundnessType, log_inv_rate: usize) -> f64 {
    let log20 = 20f64.log2();
    match s {
        SoundnessType::ConjectureList => -(log_inv_rate as f64) - log20,
        SoundnessType::ProvableList => -(log_inv_rate as f64) / 2.0 - log20,
        SoundnessType::UniqueDecoding => 0.0,
    }
}

/// The slacks tried per code, as multiples `c` of `ρ` (up to capacity: `η = cρ`) or of `√ρ`
/// (Johnson: `η = c√ρ`, where BCIKS20 Theorem 1.5 needs `c ≤ 1/6`), smallest first. A larger
/// `η` shrinks the list and the proximity-gaps error and costs query bits (`1 − δ = ρ + η`):
/// worth it in late rounds, where `ρ` is small and the gaps term `d/(ηρ²)` is what needs grinding.
pub const ETA_FACTORS: [f64; 14] =
    [0.05, 0.125, 1.0 / 6.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// Whether `η = c·ρ` (capacity) or `c·√ρ` (Johnson) is a slack the analysis may use for a code
/// of rate `2^-log_inv_rate`: up to capacity `ρ + η ≤ 0.6` (queries worth ≥ 0.74 bits each; at
/// rate 1/2 only `c ≤ 1/6`), up to Johnson `c ≤ 1/6` (BCIKS20's `μ ≥ 3`) and `√ρ + η < 1`.
fn eta_allowed(s: SoundnessType, log_inv_rate: usize, c: f64) -> bool {
    let rho = (-(log_inv_rate as f64)).exp2();
    match s {
        SoundnessType::ConjectureList => rho * (1.0 + c) <= 0.6,
        SoundnessType::ProvableList => c <= 1.0 / 6.0 + 1e-12 && rho.sqrt() * (1.0 + c) < 1.0,
        SoundnessType::UniqueDecoding => c == ETA_FACTORS[0],
    }
}

/// The code with slack `η = c·ρ` (capacity) or `c·√ρ` (Johnson).
fn code_with(s: SoundnessType, n_vars: usize, log_inv_rate: usize, c: f64) -> Code {
    let r = log_inv_rate as f64;
    let log_eta = match s {
        SoundnessType::ConjectureList => c.log2() - r,
        SoundnessType::ProvableList => c.log2() - r / 2.0,
        SoundnessType::UniqueDecoding => 0.0,
    };
    Code { n_vars, log_inv_rate, log_eta }
}

/// `log2 ℓ`: the list size at the code's decoding radius: `d/(ρη)` up to capacity,
/// `1/(2η√ρ)` up to Johnson, 1 for unique decoding.
pub fn list_size_bits(s: SoundnessType, code: &Code) -> f64 {
    let (m, r) = (code.n_vars as f64, code.log_inv_rate as f64);
    match s {
        SoundnessType::ConjectureList => m + r - code.log_eta,
        SoundnessType::ProvableList => r / 2.0 - 1.0 - code.log_eta,
        SoundnessType::UniqueDecoding => 0.0,
    }
}

/// Bits of `n_ood` out-of-domain samples: `C(ℓ, 2)·(d/|E|)^s`.
pub fn ood_bits(s: SoundnessType, code: &Code, field_bits: f64, n_ood: usize) -> f64 {
    if s == SoundnessType::UniqueDecoding {
        return f64::INFINITY;
    }
    let list = list_size_bits(s, code);
    n_ood as f64 * (field_bits - code.n_vars as f64) - 2.0 * list + 1.0
}

/// Bits of a folding challenge against proximity gaps: `d/(ηρ²)/|E|` up to capacity (STIR
/// Conjecture 5.6), `(1 + 1/(2μ))^7 μ^7/(3ρ^1.5)·|L|²/|E|` with `μ = √ρ/(2η)` up to Johnson
/// (BCIKS20 Theorem 1.5; `10.5^7/3` at `η = √ρ/20`), `|L|/|E|` for unique decoding.
pub fn proximity_gaps_bits(s: SoundnessType, code: &Code, field_bits: f64) -> f64 {
    let (m, r) = (code.n_vars as f64, code.log_inv_rate as f64);
    let error = match s {
        SoundnessType::ConjectureList => m - code.log_eta + 2.0 * r,
        SoundnessType::ProvableList => {
            // μ = √ρ/(2η): log2 μ = −r/2 − 1 − log2 η.
            let mu = (-r / 2.0 - 1.0 - code.log_eta).exp2();
            7.0 * (mu + 0.5).log2() - 3f64.log2() + 1.5 * r + 2.0 * (m + r)
        }
        SoundnessType::UniqueDecoding => m + r,
    };
    field_bits - error
}

/// Bits of a folding challenge against the degree-2 sumcheck: `2ℓ/|E|`.
pub fn fold_sumcheck_bits(s: SoundnessType, code: &Code, field_bits: f64) -> f64 {
    field_bits - (list_size_bits(s, code) + 1.0)
}

/// Bits of one query to the code: `−log2(1 − δ)`, i.e. `−log2(ρ + η)`, `−log2(√ρ + η)` or
/// `−log2((1 + ρ)/2)`.
pub fn query_bits_each(s: SoundnessType, code: &Code) -> f64 {
    let rate = (-(code.log_inv_rate as f64)).exp2();
    let eta = code.log_eta.exp2();
    -match s {
        SoundnessType::ConjectureList => rate + eta,
        SoundnessType::ProvableList => rate.sqrt() + eta,
        SoundnessType::UniqueDecoding => 0.5 * (1.0 + rate),
    }
    .log2()
}

/// Bits of a combination challenge merging `n_constraints` constraints on the code:
/// `b − log2 c − log2 ℓ − 1`.
pub fn combination_bits(
    s: SoundnessType,
    code: &Code,
    field_bits: f64,
    n_constraints: usize,
) -> f64 {
    field_bits - ((n_constraints.max(1) as f64).log2() + list_size_bits(s, code) + 1.0)
}

/// The most proof-of-work bits a nonce of one element of `F_p` can be ground for:
/// `⌊log2 p⌋ − 4` (a passing nonce then exists except with probability `e^-16`).
pub fn max_pow_bits_for(order: u64) -> usize {
    (63 - order.leading_zeros() as usize).saturating_sub(4)
}

/// What a proof-of-work check of `bits` low zero bits of a uniform element of `F_p` enforces, in
/// bits: `−log2(⌈p/2^bits⌉/p)` (slightly below `bits`; 0 for `bits = 0`).
pub fn pow_credit(order: u64, bits: usize) -> f64 {
    if bits == 0 {
        return 0.0;
    }
    let p = order as u128;
    let passing = p.div_ceil(1u128 << bits.min(127));
    (p as f64).log2() - (passing as f64).log2()
}

/// The fewest proof-of-work bits (at most `max`) lifting `error_bits` to `lambda`; `None` when
/// `max` bits are not enough.
fn pow_for(order: u64, lambda: usize, error_bits: f64, max: usize) -> Option<usize> {
    (0..=max).find(|&b| error_bits + pow_credit(order, b) >= lambda as f64)
}

impl WhirConfig {
    /// Derives the rounds for a base field of order `base_order` (a prime `p < 2^64`), an
    /// extension of degree `ext_degree` and a base field of two-adicity `two_adicity`, with the
    /// domain halving from one round to the next (`domain_reduction = 1`, see
    /// [`WhirConfig::with_domain_reduction`]).
    ///
    /// # Errors
    /// [`WhirError::Params`] for `r = 0`, `k = 0`, `k > n`, a domain beyond the two-adicity, a
    /// query domain too small, `max_pow_bits` above [`max_pow_bits_for`] the field, or a
    /// security target the field cannot reach within `max_pow_bits` of proof of work.
    pub fn new(
        params: WhirParams,
        base_order: u64,
        ext_degree: usize,
        two_adicity: usize,
    ) -> Result<Self, WhirError> {
        Self::with_domain_reduction(params, 1, base_order, ext_degree, two_adicity)
    }

    /// As [`WhirConfig::new`], with the domain shrinking by `2^j` (`j = domain_reduction`,
    /// `1 ≤ j ≤ k`) from one round's codeword to the next instead of halving: round `i` encodes
    /// its `2^(n − ik)` coefficients on `2^(n + r − ij)` points, rate `2^-r_i` with
    /// `r_i = r + i(k − j)`. A larger `j` makes the later (extension-field) codewords `2^(j−1)`
    /// times smaller per round, at the price of more queries there (their rate improves less).
    /// Every term is charged at its own code's `m` and `r_i`, exactly as for `j = 1`: in the
    /// analysis (ACFY24 §5) each round's codeword may live on any smooth domain — the shift
    /// queries lie in `L_i^(2^k)` and reach the next function only through its constraints — so
    /// the next domain's size enters the terms only through that code's rate. (The WHIR
    /// reference implementation's `rs_domain_initial_reduction_factor` is this choice for the
    /// first round.)
    ///
    /// # Errors
    /// As [`WhirConfig::new`], and [`WhirError::Params`] for `j = 0` or `j > k`.
    pub fn with_domain_reduction(
        params: WhirParams,
        domain_reduction: usize,
        base_order: u64,
        ext_degree: usize,
        two_adicity: usize,
    ) -> Result<Self, WhirError> {
        let j = domain_reduction;
        let WhirParams {
            log_n: n, log_inv_rate: r, folding_factor: k, security_bits: lambda, ..
        } = params;
        let s = params.soundness;
        let bad = |reason: String| Err(WhirError::Params { reason });
        if r == 0 {
            return bad("the rate must be below 1 (log_inv_rate ≥ 1)".into());
        }
        if k == 0 || k > n {
            return bad(format!("folding factor {k} must be in 1..={n} (the number of variables)"));
        }
        if j == 0 || j > k {
            return bad(format!("domain reduction {j} must be in 1..={k} (the folding factor)"));
        }
        if n + r > two_adicity {
            return bad(format!(
                "domain 2^{} exceeds the field's two-adicity {two_adicity}",
                n + r
            ));
        }
        if base_order < 3 {
            return bad(format!("base field order {base_order} is too small"));
        }
        let pow_cap = max_pow_bits_for(base_order);
        if params.max_pow_bits > pow_cap {
            return bad(format!(
                "max_pow_bits {} is above {pow_cap}, the most one nonce of this field can be \
                 ground for",
                params.max_pow_bits
            ));
        }
        let field_bits = (base_order as f64).log2() * ext_degree as f64;
        // Rounds: fold k variables at a time until at most MAX_FINAL_VARS are left (at least once).
        let n_rounds =
            if n <= MAX_FINAL_VARS { 1 } else { (n - MAX_FINAL_VARS).div_ceil(k).min(n / k) };
        let n_rounds = n_rounds.max(1);
        let final_vars = n - n_rounds * k;
        let max_pow = params.max_pow_bits;
        // What the queries must reach themselves: λ minus the most the query grinding enforces.
        let query_pow_plan = max_pow.min(QUERY_POW_BITS);
        let protocol_bits = lambda as f64 - pow_credit(base_order, query_pow_plan);

        let mut terms = Vec::new();
        // The grinding for a term, or the error saying how far it is from the target.
        let grind_for = |round: Option<usize>, kind: TermKind, error_bits: f64| {
            pow_for(base_order, lambda, error_bits, max_pow).ok_or_else(|| {
                let at = round.map_or("at the commitment".to_string(), |i| format!("round {i}"));
                WhirError::Params {
                    reason: format!(
                        "{at}: the {kind} term gives {error_bits:.1} bits with {s} over a \
                         {field_bits:.1}-bit field; {lambda} bits need {:.1} bits of proof of \
                         work (max_pow_bits = {max_pow})",
                        lambda as f64 - error_bits
                    ),
                }
            })
        };
        // Adds a term ground by `pow` bits.
        let mut push = |round, kind, error_bits: f64, pow: usize| {
            let bits = error_bits + pow_credit(base_order, pow);
            terms.push(SecurityTerm { round, kind, error_bits, pow_bits: pow, bits });
        };

        // The codes, one per round: the slack η of each is the smallest of ETA_FACTORS whose
        // folding terms reach λ with at most QUERY_POW_BITS of grinding, else with max_pow_bits,
        // else the default (and the error below says how far it falls short).
        let codes: Vec<Code> = (0..n_rounds)
            .map(|i| {
                let (m, ri) = (n - i * k, r + i * (k - j));
                let fold = |c: &Code| {
                    proximity_gaps_bits(s, c, field_bits).min(fold_sumcheck_bits(s, c, field_bits))
                };
                let allowed: Vec<Code> = ETA_FACTORS
                    .iter()
                    .filter(|&&c| eta_allowed(s, ri, c))
                    .map(|&c| code_with(s, m, ri, c))
                    .collect();
                let reaches = |pow: usize| {
                    move |c: &&Code| fold(c) + pow_credit(base_order, pow) >= lambda as f64
                };
                allowed
                    .iter()
                    .find(reaches(query_pow_plan))
                    .or_else(|| allowed.iter().find(reaches(max_pow)))
                    .copied()
                    .unwrap_or_else(|| code_with(s, m, ri, ETA_FACTORS[0]))
            })
            .collect();

        // The commitment's OOD samples: no grinding possible (the prover chose the codeword).
        let commit_ood = ood_samples(s, lambda, &codes[0], field_bits)?;
        if commit_ood > 0 {
            push(None, TermKind::OutOfDomain, ood_bits(s, &codes[0], field_bits, commit_ood), 0);
        }
        // The first combination: the claim and the commitment's OOD answers.
        let comb0 = combination_bits(s, &codes[0], field_bits, 1 + commit_ood);
        let combination_pow_bits = grind_for(None, TermKind::Combination, comb0)?;
        push(None, TermKind::Combination, comb0, combination_pow_bits);

        let mut rounds = Vec::with_capacity(n_rounds);
        for i in 0..n_rounds {
            let n_vars = n - i * k;
            let rate = r + i * (k - j);
            let log_domain = n + r - i * j;
            if log_domain < k {
                return bad(format!("round {i}: domain 2^{log_domain} smaller than a leaf 2^{k}"));
            }
            let code = &codes[i];
            let gaps = proximity_gaps_bits(s, code, field_bits);
            let sumcheck = fold_sumcheck_bits(s, code, field_bits);
            let (kind, worst) = if gaps <= sumcheck {
                (TermKind::FoldingProximityGaps, gaps)
            } else {
                (TermKind::FoldingSumcheck, sumcheck)
            };
            let folding_pow_bits = grind_for(Some(i), kind, worst)?;
            push(Some(i), TermKind::FoldingProximityGaps, gaps, folding_pow_bits);
            push(Some(i), TermKind::FoldingSumcheck, sumcheck, folding_pow_bits);

            let next = codes.get(i + 1);
            let n_ood = if let Some(next) = next {
                let n_ood = ood_samples(s, lambda, next, field_bits)?;
                if n_ood > 0 {
                    let b = ood_bits(s, next, field_bits, n_ood);
                    push(Some(i), TermKind::OutOfDomain, b, 0);
                }
                n_ood
            } else {
                0
            };
            let each = query_bits_each(s, code);
            let mut n_queries = ((protocol_bits / each).ceil().max(1.0)) as usize;
            while (n_queries as f64) * each < protocol_bits {
                n_queries += 1;
            }
            let q_bits = n_queries as f64 * each;
            let comb = next.map_or(f64::INFINITY, |next| {
                combination_bits(s, next, field_bits, n_ood + n_queries)
            });
            let (kind, worst) = if q_bits <= comb {
                (TermKind::Queries, q_bits)
            } else {
                (TermKind::Combination, comb)
            };
            let query_pow_bits = grind_for(Some(i), kind, worst)?;
            push(Some(i), TermKind::Queries, q_bits, query_pow_bits);
            if comb.is_finite() {
                push(Some(i), TermKind::Combination, comb, query_pow_bits);
            }
            rounds.push(RoundConfig {
                n_vars,
                log_domain,
                log_inv_rate: rate,
                log_eta: code.log_eta,
                folding_pow_bits,
                n_ood,
                n_queries,
                query_pow_bits,
            });
        }
        let achieved_bits = terms.iter().map(|t| t.bits).fold(f64::INFINITY, f64::min);
        Ok(Self {
            params,
            field_bits,
            domain_reduction: j,
            commit_ood,
            combination_pow_bits,
            n_points: 1,
            rounds,
            final_vars,
            terms,
            achieved_bits,
        })
    }
}

impl WhirConfig {
    /// This configuration for openings at `n_points ≥ 1` points at once (`Whir::open_many`):
    /// the first combination challenge `γ` then merges `n_points + commit_ood` constraints, so
    /// its term is `b − log2(n_points + commit_ood) − log2 ℓ − 1` bits, ground up to `λ` again
    /// (at most `max_pow_bits`). Every other term is unchanged: after `γ` the protocol is that
    /// of one weighted claim. `base_order` is the base field's order, as for
    /// [`WhirConfig::new`].
    ///
    /// # Errors
    /// [`WhirError::Params`] for `n_points = 0`, or when the combination term cannot reach the
    /// target within `max_pow_bits`.
    pub fn with_points(mut self, n_points: usize, base_order: u64) -> Result<Self, WhirError> {
        if n_points == 0 {
            return Err(WhirError::Params { reason: "an opening needs at least one point".into() });
        }
        let p = &self.params;
        let first = self
            .rounds
            .first()
            .ok_or_else(|| WhirError::Params { reason: "a configuration without rounds".into() })?;
        let code =
            Code { n_vars: first.n_vars, log_inv_rate: first.log_inv_rate, log_eta: first.log_eta };
        let comb0 =
            combination_bits(p.soundness, &code, self.field_bits, n_points + self.commit_ood);
        let pow = pow_for(base_order, p.security_bits, comb0, p.max_pow_bits).ok_or_else(|| {
            WhirError::Params {
                reason: format!(
                    "the combination of {n_points} points gives {comb0:.1} bits; {} bits need \
                     more than max_pow_bits = {} of proof of work",
                    p.security_bits, p.max_pow_bits
                ),
            }
        })?;
        for t in &mut self.terms {
            if t.round.is_none() && t.kind == TermKind::Combination {
                t.error_bits = comb0;
                t.pow_bits = pow;
                t.bits = comb0 + pow_credit(base_order, pow);
            }
        }
        self.combination_pow_bits = pow;
        self.n_points = n_points;
        self.achieved_bits = self.terms.iter().map(|t| t.bits).fold(f64::INFINITY, f64::min);
        Ok(self)
    }
}

/// The fewest OOD samples reaching `lambda` bits (0 for unique decoding).
fn ood_samples(
    s: SoundnessType,
    lambda: usize,
    code: &Code,
    field_bits: f64,
) -> Result<usize, WhirError> {
    if s == SoundnessType::UniqueDecoding {
        return Ok(0);
    }
    (1..64).find(|&t| ood_bits(s, code, field_bits, t) >= lambda as f64).ok_or_else(|| {
        WhirError::Params {
            reason: format!(
                "no number of OOD samples reaches {lambda} bits in a {field_bits:.1}-bit field"
            ),
        }
    })
}
