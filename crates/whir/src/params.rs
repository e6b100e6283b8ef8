//! WHIR parameters: what the caller chooses ([`WhirParams`]) and what follows from it
//! ([`WhirConfig`]: rounds, queries, out-of-domain samples and proof-of-work bits per round).
//!
//! The round-by-round soundness terms are those of the WHIR paper (ACFY24, §5 and the parameter
//! discussion of its reference implementation): for each round `i` with `m_i` variables left, rate
//! `ρ_i = 2^-r_i` and an extension field of `b` bits, every error term is expressed in bits and
//! must reach the target `λ` (security bits), proof of work making up any shortfall up to
//! [`WhirParams::max_pow_bits`].

use crate::WhirError;

/// Which bound on the distance of the committed words the soundness analysis assumes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SoundnessType {
    /// Unique decoding radius `δ = (1 − ρ)/2`: proven, no list, no OOD samples, most queries
    /// (`t = λ / −log2((1 + ρ)/2)`).
    UniqueDecoding,
    /// Johnson bound `δ = 1 − √ρ − η`: proven (list decoding up to Johnson plus the
    /// BCIKS20 proximity gaps), `t = 2λ / r` queries; the proximity-gaps term costs about
    /// `2·m + 3.5·r + log2(10)` bits of the field, so it needs a large field or proof of work.
    ProvableList,
    /// Up to capacity `δ = 1 − ρ − η` (the conjecture the WHIR, STIR and FRI deployments use):
    /// `t = λ / r` queries per round.
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
    /// The most proof-of-work bits the prover may grind per challenge.
    pub max_pow_bits: usize,
    /// The decoding bound the analysis assumes.
    pub soundness: SoundnessType,
}

impl WhirParams {
    /// Parameters for `log_n` variables with the defaults used by the benchmarks: rate 1/2,
    /// folding factor 4, 100 bits, conjectured list decoding up to capacity, at most 16 bits of
    /// proof of work.
    pub fn new(log_n: usize) -> Self {
        Self {
            log_n,
            log_inv_rate: 1,
            folding_factor: 4,
            security_bits: 100,
            max_pow_bits: 16,
            soundness: SoundnessType::ConjectureList,
        }
    }
}

/// Folding stops once at most this many variables are left; the rest is sent in the clear.
pub const MAX_FINAL_VARS: usize = 6;

/// One WHIR round: `k` sumcheck rounds on the round's polynomial, then queries to its codeword.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RoundConfig {
    /// Variables of the round's polynomial (before folding).
    pub n_vars: usize,
    /// log2 of the round's evaluation domain (a subgroup of `F*`).
    pub log_domain: usize,
    /// `r_i`: the round's codeword has rate `2^-r_i`.
    pub log_inv_rate: usize,
    /// Proof-of-work bits ground before each folding challenge of this round.
    pub folding_pow_bits: usize,
    /// Out-of-domain samples of the next codeword (0 in the last round).
    pub n_ood: usize,
    /// Shift queries to this round's codeword (before de-duplication).
    pub n_queries: usize,
    /// Proof-of-work bits ground before the query indices are drawn.
    pub query_pow_bits: usize,
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
    /// The rounds, first to last; the last one ends with the final polynomial.
    pub rounds: Vec<RoundConfig>,
    /// Variables of the final polynomial (sent as its `2^final_vars` coefficients).
    pub final_vars: usize,
    /// The achieved security in bits: the minimum over all round-by-round terms plus the proof of
    /// work ground for it.
    pub achieved_bits: f64,
}

/// `log2(1/η)` with a minus sign: the slack below the decoding radius the analysis uses.
fn log_eta(s: SoundnessType, log_inv_rate: usize) -> f64 {
    match s {
        SoundnessType::ProvableList => {
            -(0.5 * log_inv_rate as f64 + core::f64::consts::LOG2_10 + 1.0)
        }
        SoundnessType::UniqueDecoding => 0.0,
        SoundnessType::ConjectureList => -(log_inv_rate as f64 + 1.0),
    }
}

/// log2 of the list size at the decoding radius.
fn list_size_bits(s: SoundnessType, n_vars: usize, log_inv_rate: usize) -> f64 {
    let eta = log_eta(s, log_inv_rate);
    match s {
        SoundnessType::ConjectureList => (n_vars + log_inv_rate) as f64 - eta,
        SoundnessType::ProvableList => log_inv_rate as f64 / 2.0 - (1.0 + eta),
        SoundnessType::UniqueDecoding => 0.0,
    }
}

/// Bits of security of `n_ood` out-of-domain samples (a wrong list member agreeing on all of them).
fn ood_bits(
    s: SoundnessType,
    n_vars: usize,
    log_inv_rate: usize,
    field_bits: f64,
    n_ood: usize,
) -> f64 {
    let list = list_size_bits(s, n_vars, log_inv_rate);
    (n_ood as f64) * field_bits + 1.0 - (2.0 * list + (n_vars * n_ood) as f64)
}

/// The fewest OOD samples reaching `lambda` bits (0 for unique decoding).
fn ood_samples(
    s: SoundnessType,
    lambda: usize,
    n_vars: usize,
    log_inv_rate: usize,
    field_bits: f64,
) -> Result<usize, WhirError> {
    if s == SoundnessType::UniqueDecoding {
        return Ok(0);
    }
    (1..64).find(|&t| ood_bits(s, n_vars, log_inv_rate, field_bits, t) >= lambda as f64).ok_or_else(
        || WhirError::Params {
            reason: format!(
                "no number of OOD samples reaches {lambda} bits in a {field_bits:.1}-bit field"
            ),
        },
    )
}

/// Bits of security of one folding challenge: min(proximity gaps, sumcheck).
fn fold_bits(s: SoundnessType, n_vars: usize, log_inv_rate: usize, field_bits: f64) -> f64 {
    let prox_gaps = field_bits
        - match s {
            SoundnessType::ConjectureList => {
                (n_vars + log_inv_rate) as f64 - log_eta(s, log_inv_rate)
            }
            SoundnessType::ProvableList => {
                core::f64::consts::LOG2_10 + 3.5 * log_inv_rate as f64 + 2.0 * n_vars as f64
            }
            SoundnessType::UniqueDecoding => (n_vars + log_inv_rate) as f64,
        };
    let sumcheck = field_bits - (list_size_bits(s, n_vars, log_inv_rate) + 1.0);
    prox_gaps.min(sumcheck)
}

/// Queries reaching `bits` bits on a codeword of rate `2^-log_inv_rate`.
fn n_queries(s: SoundnessType, bits: usize, log_inv_rate: usize) -> usize {
    let t = match s {
        SoundnessType::UniqueDecoding => {
            let rate = (-(log_inv_rate as f64)).exp2();
            -(bits as f64) / (0.5 * (1.0 + rate)).log2()
        }
        SoundnessType::ProvableList => 2.0 * bits as f64 / log_inv_rate as f64,
        SoundnessType::ConjectureList => bits as f64 / log_inv_rate as f64,
    };
    t.ceil() as usize
}

/// Bits of security of `t` queries.
fn query_bits(s: SoundnessType, log_inv_rate: usize, t: usize) -> f64 {
    let t = t as f64;
    match s {
        SoundnessType::UniqueDecoding => {
            let rate = (-(log_inv_rate as f64)).exp2();
            -t * (0.5 * (1.0 + rate)).log2()
        }
        SoundnessType::ProvableList => t * 0.5 * log_inv_rate as f64,
        SoundnessType::ConjectureList => t * log_inv_rate as f64,
    }
}

/// Bits of security of the random linear combination of the OOD and query constraints.
fn combination_bits(
    s: SoundnessType,
    n_vars: usize,
    log_inv_rate: usize,
    field_bits: f64,
    n_ood: usize,
    t: usize,
) -> f64 {
    field_bits - (((n_ood + t) as f64).log2() + list_size_bits(s, n_vars, log_inv_rate) + 1.0)
}

/// Rounds up a proof-of-work need, with a little tolerance for floating-point noise.
fn pow_needed(lambda: usize, bits: f64) -> usize {
    let need = lambda as f64 - bits;
    if need <= 1e-9 { 0 } else { (need - 1e-9).ceil() as usize }
}

impl WhirConfig {
    /// Derives the rounds for a base field of `log2 p = base_bits`, an extension of degree
    /// `ext_degree` and a base field of two-adicity `two_adicity`.
    ///
    /// # Errors
    /// [`WhirError::Params`] for `r = 0`, `k = 0`, `k > n`, a domain beyond the two-adicity, a
    /// query domain too small, or a security target the field cannot reach within
    /// `max_pow_bits` of proof of work.
    pub fn new(
        params: WhirParams,
        base_bits: f64,
        ext_degree: usize,
        two_adicity: usize,
    ) -> Result<Self, WhirError> {
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
        if n + r > two_adicity {
            return bad(format!(
                "domain 2^{} exceeds the field's two-adicity {two_adicity}",
                n + r
            ));
        }
        if params.max_pow_bits > 60 {
            return bad(format!("max_pow_bits {} is above 60", params.max_pow_bits));
        }
        let field_bits = base_bits * ext_degree as f64;
        // Rounds: fold k variables at a time until at most MAX_FINAL_VARS are left (at least once).
        let n_rounds =
            if n <= MAX_FINAL_VARS { 1 } else { (n - MAX_FINAL_VARS).div_ceil(k).min(n / k) };
        let n_rounds = n_rounds.max(1);
        let final_vars = n - n_rounds * k;
        let protocol_bits = lambda.saturating_sub(params.max_pow_bits);

        let commit_ood = ood_samples(s, lambda, n, r, field_bits)?;
        let mut achieved =
            if commit_ood > 0 { ood_bits(s, n, r, field_bits, commit_ood) } else { f64::INFINITY };
        let mut rounds = Vec::with_capacity(n_rounds);
        for i in 0..n_rounds {
            let n_vars = n - i * k;
            let rate = r + i * (k - 1);
            let log_domain = n + r - i;
            if log_domain < k {
                return bad(format!("round {i}: domain 2^{log_domain} smaller than a leaf 2^{k}"));
            }
            let fold = fold_bits(s, n_vars, rate, field_bits);
            let folding_pow_bits = pow_needed(lambda, fold);
            achieved = achieved.min(fold + folding_pow_bits as f64);
            let n_queries = n_queries(s, protocol_bits, rate).max(1);
            let q_bits = query_bits(s, rate, n_queries);
            let (n_ood, query_pow_bits) = if i + 1 < n_rounds {
                let next_vars = n_vars - k;
                let next_rate = rate + k - 1;
                let n_ood = ood_samples(s, lambda, next_vars, next_rate, field_bits)?;
                if n_ood > 0 {
                    achieved = achieved.min(ood_bits(s, next_vars, next_rate, field_bits, n_ood));
                }
                let comb = combination_bits(s, next_vars, next_rate, field_bits, n_ood, n_queries);
                let pow = pow_needed(lambda, q_bits.min(comb));
                achieved = achieved.min(q_bits.min(comb) + pow as f64);
                (n_ood, pow)
            } else {
                let pow = pow_needed(lambda, q_bits);
                achieved = achieved.min(q_bits + pow as f64);
                (0, pow)
            };
            for (what, bits) in [("folding", folding_pow_bits), ("query", query_pow_bits)] {
                if bits > params.max_pow_bits {
                    return bad(format!(
                        "round {i}: {lambda} bits with {s} over a {field_bits:.1}-bit field need \
                         {bits} bits of {what} proof of work (max_pow_bits = {})",
                        params.max_pow_bits
                    ));
                }
            }
            rounds.push(RoundConfig {
                n_vars,
                log_domain,
                log_inv_rate: rate,
                folding_pow_bits,
                n_ood,
                n_queries,
                query_pow_bits,
            });
        }
        Ok(Self { params, field_bits, commit_ood, rounds, final_vars, achieved_bits: achieved })
    }
}
