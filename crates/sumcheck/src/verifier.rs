//! The verifier: reduces the claim to one about the tables at a random point.

use zkprove_field::{ExtensionField, Field};
use zkprove_hash::Transcript;

use crate::prover::validate_terms;
use crate::{RoundPoly, SumcheckError, SumcheckParams, Term, evaluate_terms, observe_instance};

/// A sumcheck proof: one [`RoundPoly`] per variable, first variable first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SumcheckProof<E> {
    /// The round polynomials, each as its values at `0, 2, …, d`.
    pub rounds: Vec<RoundPoly<E>>,
}

impl<E: Field> SumcheckProof<E> {
    /// The number of extension-field elements sent (`n · d`).
    pub fn n_elements(&self) -> usize {
        self.rounds.iter().map(RoundPoly::degree).sum()
    }
}

/// What an accepted proof leaves to check: `Σ_t c_t Π_{j∈t} f_j(point) = expected_eval`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubClaim<E> {
    /// The challenges `(r₁, …, r_n)`, in [`zkprove_poly::Mle::evaluate`] order.
    pub point: Vec<E>,
    /// The value the summand must take at `point`.
    pub expected_eval: E,
}

impl<E: Field> SubClaim<E> {
    /// Checks the sub-claim given the tables' values at `point` (from the prover, to be checked
    /// in turn by a commitment opening, or computed by the verifier itself).
    ///
    /// # Errors
    /// [`SumcheckError::FinalEvaluationMismatch`] when the summand does not match,
    /// [`SumcheckError::FactorOutOfRange`] when a term names a table not given.
    pub fn check(&self, terms: &[Term<E>], table_evals: &[E]) -> Result<(), SumcheckError> {
        for (term, t) in terms.iter().enumerate() {
            if let Some(&index) = t.factors.iter().find(|&&j| j >= table_evals.len()) {
                return Err(SumcheckError::FactorOutOfRange {
                    term,
                    index,
                    n_tables: table_evals.len(),
                });
            }
        }
        if evaluate_terms(terms, table_evals) == self.expected_eval {
            Ok(())
        } else {
            Err(SumcheckError::FinalEvaluationMismatch)
        }
    }
}

/// Verifies a sumcheck proof for `claim = Σ_x Σ_t c_t Π_{j∈t} f_j(x)` over `n_vars` variables,
/// with the default [`SumcheckParams`] (challenge fields below `2^63` elements refused): see
/// [`verify_with`].
///
/// # Errors
/// As [`verify_with`].
pub fn verify<F: Field, E: ExtensionField<F>, const WIDTH: usize, const RATE: usize>(
    claim: E,
    n_vars: usize,
    terms: &[Term<E>],
    proof: &SumcheckProof<E>,
    transcript: &mut Transcript<F, WIDTH, RATE>,
) -> Result<SubClaim<E>, SumcheckError> {
    verify_with(SumcheckParams::new(), claim, n_vars, terms, proof, transcript)
}

/// Verifies a sumcheck proof for `claim = Σ_x Σ_t c_t Π_{j∈t} f_j(x)` over `n_vars` variables;
/// the round degree `d` is the largest product in `terms`. The transcript calls are the
/// prover's: observe the instance ([`observe_instance`]: `n_vars`, `d`, the terms) and `claim`;
/// per round observe the values, sample `r`. Each round's claim is `p_i(r_i)`, with
/// `p_i(1) = claim_i − p_i(0)`.
///
/// Returns the [`SubClaim`] the caller must check (e.g. with [`SubClaim::check`] on opened
/// evaluations, with the same `terms`): without that check nothing is verified. Soundness error
/// `n·d/|E|` ([`crate::soundness_bits`]).
///
/// # Errors
/// [`SumcheckError::NoTerms`], [`SumcheckError::EmptyTerm`], [`SumcheckError::DegreeTooLarge`];
/// [`SumcheckError::WrongRoundCount`], [`SumcheckError::WrongDegree`] (with the round);
/// [`SumcheckError::ChallengeFieldTooSmall`] unless `params` allow a small field.
pub fn verify_with<F: Field, E: ExtensionField<F>, const WIDTH: usize, const RATE: usize>(
    params: SumcheckParams,
    claim: E,
    n_vars: usize,
    terms: &[Term<E>],
    proof: &SumcheckProof<E>,
    transcript: &mut Transcript<F, WIDTH, RATE>,
) -> Result<SubClaim<E>, SumcheckError> {
    let degree = validate_terms(terms, usize::MAX)?;
    if proof.rounds.len() != n_vars {
        return Err(SumcheckError::WrongRoundCount { expected: n_vars, got: proof.rounds.len() });
    }
    if let Some((round, p)) = proof.rounds.iter().enumerate().find(|(_, p)| p.degree() != degree) {
        return Err(SumcheckError::WrongDegree { round, expected: degree, got: p.degree() });
    }
    params.check::<E>(n_vars, degree)?;
    observe_instance(transcript, n_vars, terms);
    transcript.observe_ext(&claim);
    let mut claim = claim;
    let mut point = Vec::with_capacity(n_vars);
    for poly in &proof.rounds {
        poly.observe(transcript);
        let r: E = transcript.sample_ext();
        claim = poly.evaluate(claim, r);
        point.push(r);
    }
    Ok(SubClaim { point, expected_eval: claim })
}
