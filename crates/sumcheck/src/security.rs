//! The soundness error of the sumcheck protocol, and the refusal of small challenge fields.

use zkprove_field::{ExtensionField, Field};
use zkprove_hash::Transcript;

use crate::{SumcheckError, Term};

/// The smallest challenge field accepted without [`SumcheckParams::allow_small_field`]:
/// `|E| ≥ 2^63` (Goldilocks, and every extension the workspace uses; not a 31-bit field alone).
pub const MIN_CHALLENGE_FIELD_BITS: u32 = 63;

/// `log2 |E|`, from [`Field::order_string`] (a decimal prime, or `(…)^d` for an extension).
/// An order the crate cannot read counts as `0` bits (so it is refused by default).
pub fn challenge_field_bits<E: Field>() -> f64 {
    log2_order(&E::order_string()).unwrap_or(0.0)
}

/// `log2` of an order written as a decimal integer or `(order)^d`, nested.
fn log2_order(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('(') {
        let close = rest.rfind(")^")?;
        let inner = log2_order(rest.get(..close)?)?;
        let exp: u32 = rest.get(close + 2..)?.trim().parse().ok()?;
        return Some(inner * f64::from(exp));
    }
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The leading 17 digits carry all of an f64's precision; the rest count as powers of ten.
    let lead = s.get(..s.len().min(17))?;
    let lead_value: f64 = lead.parse().ok()?;
    Some(lead_value.log2() + (s.len() - lead.len()) as f64 * core::f64::consts::LOG2_10)
}

/// The sumcheck's soundness in bits, `−log2(n·d/|E|) = log2|E| − log2(n·d)`, for `n_vars` rounds
/// of degree `degree` with challenges in `E` (infinite for `n·d = 0`: nothing is sent or drawn).
///
/// A prover whose claim is false passes round `i` only if the verifier's challenge `r_i` is a
/// root of the difference between its round polynomial and the honest one — a non-zero
/// polynomial of degree `≤ d`, so at most `d` of the `|E|` challenges — and a union bound over
/// the `n` rounds gives an error of at most `n·d/|E|` (Lund, Fortnow, Karloff, Nisan, "Algebraic
/// methods for interactive proof systems", JACM 1992; Thaler, "Proofs, Arguments, and
/// Zero-Knowledge", §4.1, Proposition 4.1). In the Fiat–Shamir (non-interactive) form the error
/// is that per hash query of the prover (the round-by-round soundness of the sumcheck carries
/// through Fiat–Shamir: Canetti et al., STOC 2019).
pub fn soundness_bits<E: Field>(n_vars: usize, degree: usize) -> f64 {
    let nd = n_vars as f64 * degree as f64;
    if nd == 0.0 { f64::INFINITY } else { challenge_field_bits::<E>() - nd.log2() }
}

/// Options of the transcript-driven prover ([`crate::SumcheckProver::prove`]) and verifier
/// ([`crate::verify_with`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SumcheckParams {
    /// Accept a challenge field of fewer than `2^MIN_CHALLENGE_FIELD_BITS` elements (e.g.
    /// `E = F` = BabyBear: `n·d/|E| ≈ 2^−25` for `n = 20`, `d = 3`). Off by default: such a
    /// field is refused with [`SumcheckError::ChallengeFieldTooSmall`].
    pub allow_small_field: bool,
}

impl SumcheckParams {
    /// The defaults: challenge fields below `2^63` elements refused.
    pub const fn new() -> Self {
        Self { allow_small_field: false }
    }

    /// The same options with small challenge fields accepted (an explicit opt-in: the
    /// soundness error is then [`soundness_bits`], perhaps 25 bits).
    pub const fn allow_small_field(mut self) -> Self {
        self.allow_small_field = true;
        self
    }

    /// Checks the challenge field `E` for `n_vars` rounds of degree `degree` and returns the
    /// soundness in bits ([`soundness_bits`]).
    ///
    /// # Errors
    /// [`SumcheckError::ChallengeFieldTooSmall`] when `|E| < 2^63` and small fields are not
    /// allowed.
    pub fn check<E: Field>(&self, n_vars: usize, degree: usize) -> Result<f64, SumcheckError> {
        let field_bits = challenge_field_bits::<E>();
        let bits = soundness_bits::<E>(n_vars, degree);
        if field_bits < f64::from(MIN_CHALLENGE_FIELD_BITS) && !self.allow_small_field {
            return Err(SumcheckError::ChallengeFieldTooSmall {
                order: E::order_string(),
                field_bits: field_bits.max(0.0) as u32,
                n_vars,
                degree,
                soundness_bits: bits.max(0.0) as u32,
                min_bits: MIN_CHALLENGE_FIELD_BITS,
            });
        }
        Ok(bits)
    }
}

/// Absorbs the instance into `transcript`: the number of variables, the degree, the number of
/// terms and, per term, its coefficient (an `E` element), its number of factors and the index of
/// each table it multiplies. [`crate::SumcheckProver::prove`] and [`crate::verify`] call it
/// before the claim, so a proof made for one instance draws other challenges (and fails) on any
/// other instance with the same claimed sum. Protocols running the incremental API on their own
/// transcript call it themselves (or bind the instance otherwise).
pub fn observe_instance<F: Field, E: ExtensionField<F>, const WIDTH: usize, const RATE: usize>(
    transcript: &mut Transcript<F, WIDTH, RATE>,
    n_vars: usize,
    terms: &[Term<E>],
) {
    let int = |v: usize| F::from_u64(v as u64);
    let degree = terms.iter().map(|t| t.factors.len()).max().unwrap_or(0);
    transcript.observe_slice(&[int(n_vars), int(degree), int(terms.len())]);
    for t in terms {
        transcript.observe_ext(&t.coeff);
        transcript.observe(int(t.factors.len()));
        for &j in &t.factors {
            transcript.observe(int(j));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::log2_order;

    #[test]
    fn orders() {
        let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
        assert!(close(log2_order("2147483647"), (2147483647f64).log2()));
        assert!(close(log2_order("(2147483647)^4"), 4.0 * (2147483647f64).log2()));
        assert!(close(log2_order("((2147483647)^2)^2"), 4.0 * (2147483647f64).log2()));
        assert!(close(log2_order("18446744069414584321"), 64.0 - 3.4e-10));
        assert!(log2_order("p").is_none() && log2_order("(7)^x").is_none());
    }
}
