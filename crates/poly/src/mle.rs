//! Multilinear polynomials given by their values on the boolean hypercube.
//!
//! Convention (as in stwo): for `k` variables, `evals[i]` is `f(b₁, …, b_k)` where `b₁` is the most
//! significant bit of `i`. So the first variable splits the table into halves
//! (`f(0, ·)` = first half, `f(1, ·)` = second half) and the last variable pairs neighbours.
//! Restrictions take a point in an extension field `E ⊇ F`, so tables stay in the (cheap) base field
//! until the first challenge.

use rayon::prelude::*;
use zkprove_field::{ExtensionField, Field};

use crate::PolyError;

/// Below this many output elements, folding runs on one thread.
const PAR_MIN: usize = 1 << 12;

/// A multilinear polynomial in `k` variables, as its `2^k` values on `{0,1}^k`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mle<F> {
    evals: Vec<F>,
}

impl<F: Field> Mle<F> {
    /// Wraps a table of `2^k` values.
    ///
    /// # Errors
    /// [`PolyError::NotPowerOfTwo`] unless the length is a power of two (1 = a constant).
    pub fn new(evals: Vec<F>) -> Result<Self, PolyError> {
        if !evals.len().is_power_of_two() {
            return Err(PolyError::NotPowerOfTwo { len: evals.len() });
        }
        Ok(Self { evals })
    }

    /// The table.
    pub fn evals(&self) -> &[F] {
        &self.evals
    }

    /// The table, consuming the polynomial.
    pub fn into_evals(self) -> Vec<F> {
        self.evals
    }

    /// The number of variables `k`.
    pub fn n_variables(&self) -> usize {
        self.evals.len().trailing_zeros() as usize
    }

    /// `Σ_{x ∈ {0,1}^k} f(x)`.
    pub fn sum_over_hypercube(&self) -> F {
        self.evals.par_iter().copied().sum()
    }

    /// `f(r, x₂, …, x_k)`: the first variable fixed to `r` (halves combined as `lo + r·(hi − lo)`).
    /// A constant (no variables) is returned as is, lifted to `E`.
    pub fn fix_first_variable<E: ExtensionField<F>>(&self, r: E) -> Mle<E> {
        let half = self.evals.len() / 2;
        if half == 0 {
            return Mle { evals: vec![E::from_base(self.evals[0])] };
        }
        let (lo, hi) = self.evals.split_at(half);
        let fold = |(&l, &h): (&F, &F)| r * (h - l) + l;
        let evals = if half >= PAR_MIN {
            lo.par_iter().zip(hi).map(fold).collect()
        } else {
            lo.iter().zip(hi).map(fold).collect()
        };
        Mle { evals }
    }

    /// `f(x₁, …, x_{k−1}, r)`: the last variable fixed to `r` (neighbours combined).
    pub fn fix_last_variable<E: ExtensionField<F>>(&self, r: E) -> Mle<E> {
        if self.evals.len() == 1 {
            return Mle { evals: vec![E::from_base(self.evals[0])] };
        }
        let fold = |p: &[F]| r * (p[1] - p[0]) + p[0];
        let evals = if self.evals.len() / 2 >= PAR_MIN {
            self.evals.par_chunks(2).map(fold).collect()
        } else {
            self.evals.chunks(2).map(fold).collect()
        };
        Mle { evals }
    }

    /// `f(point)`, `point = (r₁, …, r_k)` in an extension field.
    ///
    /// # Errors
    /// [`PolyError::LengthMismatch`] unless `point` has one coordinate per variable.
    pub fn evaluate<E: ExtensionField<F>>(&self, point: &[E]) -> Result<E, PolyError> {
        if point.len() != self.n_variables() {
            return Err(PolyError::LengthMismatch {
                expected: self.n_variables(),
                got: point.len(),
            });
        }
        let Some((&r0, rest)) = point.split_first() else { return Ok(E::from_base(self.evals[0])) };
        let mut cur = self.fix_first_variable(r0);
        for &r in rest {
            cur = cur.fix_first_variable(r);
        }
        Ok(cur.evals[0])
    }
}

/// The table of `eq(r, x) = Π (r_j·x_j + (1 − r_j)(1 − x_j))` over `x ∈ {0,1}^k`, in the
/// [`Mle`] index convention (`r₁` ↔ most significant bit). `Σ_x eq(r, x)·f(x) = f(r)`.
pub fn eq_table<E: Field>(r: &[E]) -> Vec<E> {
    let mut table = Vec::with_capacity(1 << r.len());
    table.push(E::ONE);
    for &rj in r {
        // Each entry t splits into (t·(1 − r_j), t·r_j), the new variable becoming the lowest bit.
        let prev = std::mem::take(&mut table);
        table = if prev.len() >= PAR_MIN {
            prev.par_iter()
                .flat_map_iter(|&t| {
                    let hi = t * rj;
                    [t - hi, hi]
                })
                .collect()
        } else {
            prev.iter()
                .flat_map(|&t| {
                    let hi = t * rj;
                    [t - hi, hi]
                })
                .collect()
        };
    }
    table
}
