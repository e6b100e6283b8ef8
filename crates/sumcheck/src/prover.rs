//! The incremental prover and the one-shot [`prove`].

use zkprove_field::{ExtensionField, Field};
use zkprove_hash::Transcript;
use zkprove_poly::{Column, CpuBackend};

use crate::{
    MAX_DEGREE, RoundPoly, SumcheckError, SumcheckOps, SumcheckParams, SumcheckProof, Term,
    observe_instance,
};

/// The prover's tables: base field until the first challenge, extension field afterwards.
enum Tables<F: Field, E: ExtensionField<F>, B: SumcheckOps<F, E>> {
    Base(Vec<B::Column<F>>),
    Ext(Vec<B::Column<E>>),
}

/// A sumcheck prover for `Σ_{x∈{0,1}^n} Σ_t c_t · Π_{j∈t} f_j(x)`, one round at a time.
///
/// Each round: [`SumcheckProver::round_polynomial`] (the message), then
/// [`SumcheckProver::fold`] with the verifier's challenge `r` (fixes the **first** remaining
/// variable to `r`). After `n` rounds [`SumcheckProver::final_evaluations`] gives `f_j(r₁, …, r_n)`,
/// which equals `Mle::new(f_j).evaluate(&[r₁, …, r_n])` — challenges in the order they were drawn.
/// The prover can stop early (a few rounds at a time, as WHIR does) and take the partially folded
/// tables with [`SumcheckProver::into_ext_tables`].
///
/// The prover does not touch a transcript; [`SumcheckProver::prove`] / [`prove`] drive it with one.
pub struct SumcheckProver<F: Field, E: ExtensionField<F>, B: SumcheckOps<F, E> = CpuBackend> {
    tables: Tables<F, E, B>,
    terms: Vec<Term<E>>,
    degree: usize,
    n_vars: usize,
    /// A first challenge not yet applied to base-field tables (see
    /// [`SumcheckOps::defers_first_fold`]); the tables then have `2^(n_vars + 1)` entries.
    deferred: Option<E>,
    /// Options of [`SumcheckProver::prove`].
    params: SumcheckParams,
}

impl<F: Field, E: ExtensionField<F>, B: SumcheckOps<F, E>> core::fmt::Debug
    for SumcheckProver<F, E, B>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SumcheckProver")
            .field("backend", &B::NAME)
            .field("n_tables", &self.n_tables())
            .field("terms", &self.terms)
            .field("degree", &self.degree)
            .field("n_vars", &self.n_vars)
            .field("params", &self.params)
            .finish()
    }
}

/// Checks the terms against `n_tables` and returns the degree (largest product).
pub(crate) fn validate_terms<E>(
    terms: &[Term<E>],
    n_tables: usize,
) -> Result<usize, SumcheckError> {
    if terms.is_empty() {
        return Err(SumcheckError::NoTerms);
    }
    let mut degree = 0;
    for (term, t) in terms.iter().enumerate() {
        if t.factors.is_empty() {
            return Err(SumcheckError::EmptyTerm { term });
        }
        if let Some(&index) = t.factors.iter().find(|&&j| j >= n_tables) {
            return Err(SumcheckError::FactorOutOfRange { term, index, n_tables });
        }
        degree = degree.max(t.factors.len());
    }
    if degree > MAX_DEGREE {
        return Err(SumcheckError::DegreeTooLarge { degree, max: MAX_DEGREE });
    }
    Ok(degree)
}

/// Checks that all tables have one power-of-two length and returns `log2` of it.
fn validate_lengths(lens: impl Iterator<Item = usize>) -> Result<usize, SumcheckError> {
    let mut expected = None;
    for (index, len) in lens.enumerate() {
        match expected {
            None => {
                if !len.is_power_of_two() {
                    return Err(SumcheckError::NotPowerOfTwo { len });
                }
                expected = Some(len);
            }
            Some(e) if e != len => {
                return Err(SumcheckError::TableLength { index, expected: e, got: len });
            }
            Some(_) => {}
        }
    }
    expected.map(|l| l.trailing_zeros() as usize).ok_or(SumcheckError::NoTables)
}

impl<F: Field, E: ExtensionField<F>, B: SumcheckOps<F, E>> SumcheckProver<F, E, B> {
    /// A prover over base-field tables (all of length `2^n`, [`zkprove_poly::Mle`] order).
    ///
    /// # Errors
    /// [`SumcheckError::NoTables`], [`SumcheckError::NotPowerOfTwo`],
    /// [`SumcheckError::TableLength`] (lengths differ), [`SumcheckError::NoTerms`],
    /// [`SumcheckError::EmptyTerm`], [`SumcheckError::FactorOutOfRange`],
    /// [`SumcheckError::DegreeTooLarge`].
    pub fn new(tables: Vec<B::Column<F>>, terms: Vec<Term<E>>) -> Result<Self, SumcheckError> {
        let n_vars = validate_lengths(tables.iter().map(Column::len))?;
        let degree = validate_terms(&terms, tables.len())?;
        Ok(Self {
            tables: Tables::Base(tables),
            terms,
            degree,
            n_vars,
            deferred: None,
            params: SumcheckParams::new(),
        })
    }

    /// A prover over extension-field tables (e.g. an `eq` weight with an extension-field point,
    /// next to base-field tables lifted with [`ExtensionField::from_base`]).
    ///
    /// # Errors
    /// As [`SumcheckProver::new`].
    pub fn new_ext(tables: Vec<B::Column<E>>, terms: Vec<Term<E>>) -> Result<Self, SumcheckError> {
        let n_vars = validate_lengths(tables.iter().map(Column::len))?;
        let degree = validate_terms(&terms, tables.len())?;
        Ok(Self {
            tables: Tables::Ext(tables),
            terms,
            degree,
            n_vars,
            deferred: None,
            params: SumcheckParams::new(),
        })
    }

    /// The same prover with other options for [`SumcheckProver::prove`] (e.g.
    /// [`SumcheckParams::allow_small_field`] to prove with challenges in a 31-bit field).
    pub fn with_params(mut self, params: SumcheckParams) -> Self {
        self.params = params;
        self
    }

    /// The options [`SumcheckProver::prove`] runs with.
    pub fn params(&self) -> SumcheckParams {
        self.params
    }

    /// The soundness in bits of the rounds left, `log2|E| − log2(n·d)`
    /// ([`crate::soundness_bits`]).
    pub fn soundness_bits(&self) -> f64 {
        crate::soundness_bits::<E>(self.n_vars, self.degree)
    }

    /// The number of variables not yet fixed (rounds left).
    pub fn n_variables(&self) -> usize {
        self.n_vars
    }

    /// The degree `d` of every round polynomial (the largest product in the terms).
    pub fn degree(&self) -> usize {
        self.degree
    }

    /// The terms of the summand.
    pub fn terms(&self) -> &[Term<E>] {
        &self.terms
    }

    /// The number of tables.
    pub fn n_tables(&self) -> usize {
        match &self.tables {
            Tables::Base(t) => t.len(),
            Tables::Ext(t) => t.len(),
        }
    }

    /// This round's polynomial `p(X) = Σ_{x} Σ_t c_t Π_{j∈t} f_j(X, x)` over the remaining
    /// variables after the first, as its values at `0, 2, …, d` (see [`RoundPoly`]).
    ///
    /// # Errors
    /// [`SumcheckError::NoVariablesLeft`] after the last round; backend failures.
    pub fn round_polynomial(&self) -> Result<RoundPoly<E>, SumcheckError> {
        if self.n_vars == 0 {
            return Err(SumcheckError::NoVariablesLeft);
        }
        let len = 1usize << self.n_vars;
        let evals = match (&self.tables, self.deferred) {
            (Tables::Base(t), None) => B::round_evals_base(t, len, &self.terms, self.degree)?,
            (Tables::Base(t), Some(r1)) => {
                B::round_evals_base_deferred(t, 2 * len, r1, &self.terms, self.degree)?
            }
            (Tables::Ext(t), _) => B::round_evals_ext(t, len, &self.terms, self.degree)?,
        };
        Ok(RoundPoly { evals })
    }

    /// Fixes the first remaining variable to the challenge `r` (the tables halve; the first fold
    /// moves them from the base field to the extension, later folds work in place).
    ///
    /// # Errors
    /// [`SumcheckError::NoVariablesLeft`] after the last round; backend failures.
    pub fn fold(&mut self, r: E) -> Result<(), SumcheckError> {
        if self.n_vars == 0 {
            return Err(SumcheckError::NoVariablesLeft);
        }
        let len = 1usize << self.n_vars;
        match (&mut self.tables, self.deferred) {
            (Tables::Base(_), None) if self.n_vars >= 2 && B::defers_first_fold(self.degree) => {
                self.deferred = Some(r);
            }
            (Tables::Base(t), None) => {
                let folded = B::fold_base(t, len, r)?;
                self.tables = Tables::Ext(folded);
            }
            (Tables::Base(t), Some(r1)) => {
                let folded = B::fold_base_twice(t, 2 * len, r1, r)?;
                self.tables = Tables::Ext(folded);
                self.deferred = None;
            }
            (Tables::Ext(t), _) => B::fold_ext(t, len, r)?,
        }
        self.n_vars -= 1;
        Ok(())
    }

    /// [`SumcheckProver::fold`] with `r`, then the next round's polynomial (`None` when `r` fixed
    /// the last variable), computed together: on extension-field tables the backend folds and
    /// evaluates in one pass ([`SumcheckOps::fold_ext_and_round`]). Same results as `fold(r)`
    /// followed by `round_polynomial()`.
    ///
    /// # Errors
    /// [`SumcheckError::NoVariablesLeft`] after the last round; backend failures.
    pub fn fold_and_round(&mut self, r: E) -> Result<Option<RoundPoly<E>>, SumcheckError> {
        if self.n_vars == 0 {
            return Err(SumcheckError::NoVariablesLeft);
        }
        if self.n_vars == 1 {
            self.fold(r)?;
            return Ok(None);
        }
        match &mut self.tables {
            Tables::Ext(t) => {
                let len = 1usize << self.n_vars;
                let evals = B::fold_ext_and_round(t, len, r, &self.terms, self.degree)?;
                self.n_vars -= 1;
                Ok(Some(RoundPoly { evals }))
            }
            Tables::Base(_) => {
                self.fold(r)?;
                self.round_polynomial().map(Some)
            }
        }
    }

    /// The tables' values at the point of challenges, `f_j(r₁, …, r_n)`, in table order, once
    /// every variable is fixed. [`crate::SubClaim::check`] combines them with the terms.
    ///
    /// # Errors
    /// [`SumcheckError::VariablesLeft`] before the last fold; backend failures.
    pub fn final_evaluations(&self) -> Result<Vec<E>, SumcheckError> {
        if self.n_vars != 0 {
            return Err(SumcheckError::VariablesLeft { n_vars: self.n_vars });
        }
        match (&self.tables, self.deferred) {
            (Tables::Ext(t), _) => B::first_entries(t),
            (Tables::Base(t), None) => B::first_entries(&B::lift(t, 1)?),
            (Tables::Base(t), Some(r1)) => B::first_entries(&B::fold_base(t, 2, r1)?),
        }
    }

    /// The tables with the variables fixed so far, in the extension field (the first
    /// `2^n_variables()` entries of each column are live; on the CPU the vectors have exactly that
    /// length). Base-field tables that were never folded are lifted.
    ///
    /// # Errors
    /// Backend failures.
    pub fn into_ext_tables(self) -> Result<Vec<B::Column<E>>, SumcheckError> {
        let len = 1usize << self.n_vars;
        match (self.tables, self.deferred) {
            (Tables::Ext(t), _) => Ok(t),
            (Tables::Base(t), None) => B::lift(&t, len),
            (Tables::Base(t), Some(r1)) => B::fold_base(&t, 2 * len, r1),
        }
    }

    /// Runs every remaining round against a transcript: observes the instance
    /// ([`crate::observe_instance`]: the number of rounds left, the degree, the terms) and
    /// `claim`, then per round observes the round polynomial's values and samples the challenge
    /// `r ∈ E`.
    ///
    /// A wrong `claim` is not detected here: the proof then fails [`crate::verify`]'s final check.
    ///
    /// # Errors
    /// [`SumcheckError::ChallengeFieldTooSmall`] when `|E| < 2^63` and the prover's
    /// [`SumcheckParams`] do not allow it; backend failures.
    pub fn prove<const WIDTH: usize, const RATE: usize>(
        mut self,
        claim: E,
        transcript: &mut Transcript<F, WIDTH, RATE>,
    ) -> Result<ProverOutput<E>, SumcheckError> {
        self.params.check::<E>(self.n_vars, self.degree)?;
        observe_instance(transcript, self.n_vars, &self.terms);
        transcript.observe_ext(&claim);
        let mut rounds = Vec::with_capacity(self.n_vars);
        let mut point = Vec::with_capacity(self.n_vars);
        let mut next = if self.n_vars > 0 { Some(self.round_polynomial()?) } else { None };
        while let Some(poly) = next {
            poly.observe(transcript);
            let r: E = transcript.sample_ext();
            next = self.fold_and_round(r)?;
            rounds.push(poly);
            point.push(r);
        }
        let final_evals = self.final_evaluations()?;
        Ok(ProverOutput { proof: SumcheckProof { rounds }, point, final_evals })
    }
}

/// What the prover ends with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProverOutput<E> {
    /// The messages (one round polynomial per variable).
    pub proof: SumcheckProof<E>,
    /// The challenges `(r₁, …, r_n)`, in [`zkprove_poly::Mle::evaluate`] order.
    pub point: Vec<E>,
    /// `f_j(point)` for each table.
    pub final_evals: Vec<E>,
}

/// Proves `Σ_{x∈{0,1}^n} Σ_t c_t Π_{j∈t} f_j(x) = claim` for base-field tables on the CPU
/// (see [`SumcheckProver::prove`] for the transcript calls), with the default
/// [`SumcheckParams`] (challenge fields below `2^63` elements refused).
///
/// # Errors
/// The input checks of [`SumcheckProver::new`]; [`SumcheckError::ChallengeFieldTooSmall`].
pub fn prove<F: Field, E: ExtensionField<F>, const WIDTH: usize, const RATE: usize>(
    claim: E,
    tables: Vec<Vec<F>>,
    terms: Vec<Term<E>>,
    transcript: &mut Transcript<F, WIDTH, RATE>,
) -> Result<ProverOutput<E>, SumcheckError> {
    SumcheckProver::<F, E, CpuBackend>::new(tables, terms)?.prove(claim, transcript)
}
