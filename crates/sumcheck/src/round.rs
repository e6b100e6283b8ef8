//! Product terms of the summand and round polynomials.

use zkprove_field::{ExtensionField, Field};
use zkprove_hash::Transcript;

/// One product term `c · Π_{j ∈ factors} f_j` of the summand `Σ_t c_t · Π_{j∈t} f_j(x)`.
///
/// `factors` are indices into the prover's list of tables; an index may repeat (`f₀²` is
/// `factors: vec![0, 0]`). The term's degree is `factors.len()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term<E> {
    /// The coefficient `c_t` (in the challenge field, so that random linear combinations of
    /// claims, as in GKR, are terms too).
    pub coeff: E,
    /// Indices of the tables multiplied together.
    pub factors: Vec<usize>,
}

impl<E: Field> Term<E> {
    /// `coeff · Π factors`.
    pub fn new(coeff: E, factors: Vec<usize>) -> Self {
        Self { coeff, factors }
    }

    /// The product `Π factors` with coefficient one.
    pub fn product(factors: Vec<usize>) -> Self {
        Self { coeff: E::ONE, factors }
    }
}

/// `Σ_t c_t · Π_{j∈t} values[j]`: the summand evaluated at one point, given the tables' values
/// there (e.g. the final evaluations after the last round, or a brute-force reference).
///
/// Factor indices beyond `values` count as zero (the prover's constructors reject them).
pub fn evaluate_terms<E: Field>(terms: &[Term<E>], values: &[E]) -> E {
    terms
        .iter()
        .map(|t| {
            t.factors
                .iter()
                .map(|&j| values.get(j).copied().unwrap_or(E::ZERO))
                .fold(t.coeff, |acc, v| acc * v)
        })
        .sum()
}

/// A round polynomial `p(X)` of degree `d`, sent as its values at `X = 0, 2, 3, …, d`.
///
/// `p(1)` is not sent: the verifier derives it as `claim − p(0)` from the running claim
/// `p(0) + p(1) = claim`. That is one value fewer to send and to hash per round; a prover whose
/// `p(0) + p(1)` differs from the claim is caught at the end, where the reduced claim does not
/// match the tables' evaluations (the sumcheck's usual soundness argument, unchanged).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundPoly<E> {
    /// `[p(0), p(2), p(3), …, p(d)]` (`d` values).
    pub evals: Vec<E>,
}

impl<E: Field> RoundPoly<E> {
    /// The degree bound `d` (the number of values sent).
    pub fn degree(&self) -> usize {
        self.evals.len()
    }

    /// `p(0)`.
    pub fn at_zero(&self) -> E {
        self.evals.first().copied().unwrap_or(E::ZERO)
    }

    /// `p(1) = claim − p(0)`.
    pub fn at_one(&self, claim: E) -> E {
        claim - self.at_zero()
    }

    /// All `d + 1` values `p(0), p(1), …, p(d)`, with `p(1)` derived from `claim`.
    pub fn all_evals(&self, claim: E) -> Vec<E> {
        let mut out = Vec::with_capacity(self.evals.len() + 1);
        out.push(self.at_zero());
        out.push(self.at_one(claim));
        out.extend_from_slice(self.evals.get(1..).unwrap_or(&[]));
        out
    }

    /// `p(r)`, by Lagrange interpolation through `X = 0, 1, …, d` (O(d²), `p(1)` derived from
    /// `claim`). This is the next round's claim.
    pub fn evaluate(&self, claim: E, r: E) -> E {
        let ys = self.all_evals(claim);
        lagrange_eval_integers(&ys, r)
    }

    /// Absorbs the sent values into a transcript, in order (what [`crate::prove`] and
    /// [`crate::verify`] do each round before sampling the challenge).
    pub fn observe<F: Field, const WIDTH: usize, const RATE: usize>(
        &self,
        transcript: &mut Transcript<F, WIDTH, RATE>,
    ) where
        E: ExtensionField<F>,
    {
        for e in &self.evals {
            transcript.observe_ext(e);
        }
    }
}

/// Evaluates at `r` the polynomial of degree `< ys.len()` through `(i, ys[i])`, `i = 0, 1, …`.
fn lagrange_eval_integers<E: Field>(ys: &[E], r: E) -> E {
    lagrange_weights_integers(ys.len(), r).iter().zip(ys).map(|(&w, &y)| w * y).sum()
}

/// The Lagrange basis at `r` for the nodes `0, 1, …, n − 1`: `L_i(r) = Π_{j≠i} (r − j)/(i − j)`
/// (O(n²), no division by `r − j`, so also correct when `r` is a node).
pub(crate) fn lagrange_weights_integers<E: Field>(n: usize, r: E) -> Vec<E> {
    if n == 0 {
        return Vec::new();
    }
    let nodes: Vec<E> = (0..n).map(|i| E::from_u64(i as u64)).collect();
    let mut prefix = vec![E::ONE; n];
    for i in 1..n {
        prefix[i] = prefix[i - 1] * (r - nodes[i - 1]);
    }
    let mut suffix = vec![E::ONE; n];
    for i in (0..n - 1).rev() {
        suffix[i] = suffix[i + 1] * (r - nodes[i + 1]);
    }
    // Π_{j≠i} (i − j) = i! · (n−1−i)! · (−1)^(n−1−i).
    let mut fact = vec![E::ONE; n];
    for i in 1..n {
        fact[i] = fact[i - 1] * nodes[i];
    }
    (0..n)
        .map(|i| {
            let mut denom = fact[i] * fact[n - 1 - i];
            if (n - 1 - i) % 2 == 1 {
                denom = -denom;
            }
            // A product of integers below the characteristic for every degree this crate
            // accepts, so invertible.
            prefix[i] * suffix[i] * denom.inverse().unwrap_or(E::ZERO)
        })
        .collect()
}
