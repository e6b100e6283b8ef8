//! The proof.

use zkprove_field::{ExtensionField, PrimeField64};
use zkprove_sumcheck::SumcheckProof;
use zkprove_whir::{WhirCommitment, WhirProof};

/// The opening of one committed (stacked) trace: a degree-2 sumcheck that reduces the column
/// claims at the zerocheck's point (and, for the main trace, the next-row claims) to one point of
/// the stacked polynomial, its value there, and WHIR's proof of that value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnOpening<F, E, D> {
    /// The reduction sumcheck (`Σ P·W`, degree 2).
    pub reduction: SumcheckProof<E>,
    /// `P(z)` at the reduction's point `z`.
    pub value: E,
    /// WHIR's proof of `P(z)`.
    pub whir: WhirProof<F, E, D>,
}

/// A proof that a trace satisfies an AIR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AirProof<F, E, D> {
    /// WHIR commitment to the main trace (columns stacked into one multilinear polynomial).
    pub main_commitment: WhirCommitment<E, D>,
    /// WHIR commitment to the LogUp columns (each extension-field column as its `[E:F]` base
    /// coordinates), present when the AIR has LogUp terms.
    pub aux_commitment: Option<WhirCommitment<E, D>>,
    /// The zerocheck: a sumcheck of `eq(τ, x)·Σ α^i C_i(x) + λ·L(x)` with claim 0.
    pub zerocheck: SumcheckProof<E>,
    /// The main columns at the zerocheck's point `r`.
    pub main_evals: Vec<E>,
    /// The main columns' next-row shifts at `r` (empty when no constraint reads the next row).
    pub next_evals: Vec<E>,
    /// The base coordinates of the LogUp columns at `r` (`[E:F]` per column).
    pub aux_evals: Vec<E>,
    /// Opening of the main trace.
    pub main_opening: ColumnOpening<F, E, D>,
    /// Opening of the LogUp columns.
    pub aux_opening: Option<ColumnOpening<F, E, D>>,
}

impl<F: PrimeField64, E: ExtensionField<F>, D: AsRef<[F]>> AirProof<F, E, D> {
    /// The number of base-field elements in the proof (roots, OOD answers, sumcheck values,
    /// evaluations, WHIR proofs with every Merkle path in full).
    pub fn n_base_elements(&self) -> usize {
        let d = E::DEGREE;
        let commitment = |c: &WhirCommitment<E, D>| c.root.as_ref().len() + c.ood_answers.len() * d;
        let opening = |o: &ColumnOpening<F, E, D>| {
            o.reduction.n_elements() * d + d + o.whir.n_base_elements()
        };
        commitment(&self.main_commitment)
            + self.aux_commitment.as_ref().map_or(0, commitment)
            + self.zerocheck.n_elements() * d
            + (self.main_evals.len() + self.next_evals.len() + self.aux_evals.len()) * d
            + opening(&self.main_opening)
            + self.aux_opening.as_ref().map_or(0, opening)
    }

    /// The proof size in bytes, each base-field element in `⌈log2 p / 8⌉` bytes.
    pub fn size_bytes(&self) -> usize {
        self.n_base_elements() * (F::NUM_BITS as usize).div_ceil(8)
    }
}

/// A table's reduction of its column claims to one value of its stacked polynomial, opened
/// together with the other tables' in a [`crate::MultiProof`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnReduction<E> {
    /// The reduction sumcheck (`Σ P·W`, degree 2).
    pub reduction: SumcheckProof<E>,
    /// The table's stacked polynomial `P` at the reduction's point.
    pub value: E,
}

/// One table's part of a [`crate::MultiProof`]: its zerocheck, its columns at the zerocheck's
/// point and the reductions of those claims (the commitments and WHIR openings are shared by
/// all tables).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableProof<E> {
    /// The zerocheck: a sumcheck of `eq(τ, x)·Σ α^i C_i(x) + λ·L(x)`.
    pub zerocheck: SumcheckProof<E>,
    /// The main columns at the zerocheck's point `r`.
    pub main_evals: Vec<E>,
    /// The main columns' next-row shifts at `r` (empty when no constraint reads the next row).
    pub next_evals: Vec<E>,
    /// The base coordinates of the LogUp columns at `r` (`[E:F]` per column).
    pub aux_evals: Vec<E>,
    /// The main trace's reduction.
    pub main_reduction: ColumnReduction<E>,
    /// The LogUp columns' reduction (tables with bus interactions).
    pub aux_reduction: Option<ColumnReduction<E>>,
}

impl<E: zkprove_field::Field> TableProof<E> {
    /// The number of extension-field elements.
    pub fn n_ext_elements(&self) -> usize {
        self.zerocheck.n_elements()
            + self.main_evals.len()
            + self.next_evals.len()
            + self.aux_evals.len()
            + self.main_reduction.reduction.n_elements()
            + 1
            + self.aux_reduction.as_ref().map_or(0, |r| r.reduction.n_elements() + 1)
    }
}
