//! The backend operations of a sumcheck round, and the CPU implementation.
//!
//! A round is two operations: evaluate the round polynomial (one pass over the tables, a sum over
//! the hypercube's first half) and fold the tables with the challenge (fix the first variable).
//! A GPU backend implements both, or fuses them into one kernel per round; the protocol code in
//! [`crate::SumcheckProver`] is written once against this trait.

use core::ops::{Add, AddAssign, Mul, Sub};

use rayon::prelude::*;
use zkprove_field::{ExtensionField, Field, PackedField, PackedKernel, packing_width};
use zkprove_poly::{Backend, CpuBackend};

use crate::round::lagrange_weights_integers;
use crate::{MAX_DEGREE, SumcheckError, Term};

/// Operations a backend provides to run sumcheck rounds on its own columns.
///
/// Tables are columns of `2^k` values in the [`zkprove_poly::Mle`] order (the first variable is
/// the most significant index bit: `f(0, ·)` is the first half, `f(1, ·)` the second). `len` is the
/// number of live entries (`2^k`, `k ≥ 1` for the round operations); a backend may keep longer
/// buffers and ignore the tail. Terms have been validated by the caller (indices in range, degree
/// `1..=MAX_DEGREE`).
pub trait SumcheckOps<F: Field, E: ExtensionField<F>>: Backend {
    /// The round polynomial's values at `X = 0, 2, 3, …, degree` on base-field tables:
    /// `p(X) = Σ_{x ∈ {0,1}^{k−1}} Σ_t c_t Π_{j∈t} f_j(X, x)`.
    ///
    /// # Errors
    /// A backend failure ([`SumcheckError::Device`]).
    fn round_evals_base(
        tables: &[Self::Column<F>],
        len: usize,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError>;

    /// As [`SumcheckOps::round_evals_base`] on extension-field tables.
    ///
    /// # Errors
    /// A backend failure ([`SumcheckError::Device`]).
    fn round_evals_ext(
        tables: &[Self::Column<E>],
        len: usize,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError>;

    /// Fixes the first variable of base-field tables to `r` (`lo + r·(hi − lo)`), giving
    /// extension-field tables of `len / 2` entries.
    ///
    /// # Errors
    /// A backend failure ([`SumcheckError::Device`]).
    fn fold_base(
        tables: &[Self::Column<F>],
        len: usize,
        r: E,
    ) -> Result<Vec<Self::Column<E>>, SumcheckError>;

    /// Fixes the first variable of extension-field tables to `r`, in place: afterwards the first
    /// `len / 2` entries are the folded table.
    ///
    /// # Errors
    /// A backend failure ([`SumcheckError::Device`]).
    fn fold_ext(tables: &mut [Self::Column<E>], len: usize, r: E) -> Result<(), SumcheckError>;

    /// [`SumcheckOps::fold_ext`] followed by [`SumcheckOps::round_evals_ext`] on the folded
    /// tables (of `len / 2 ≥ 2` entries): the next round's values. Backends override it to fuse
    /// the two passes (one read of the tables per round).
    ///
    /// # Errors
    /// [`SumcheckError::NoVariablesLeft`] when `len < 4`; backend failures.
    fn fold_ext_and_round(
        tables: &mut [Self::Column<E>],
        len: usize,
        r: E,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError> {
        if len < 4 {
            return Err(SumcheckError::NoVariablesLeft);
        }
        Self::fold_ext(tables, len, r)?;
        Self::round_evals_ext(tables, len / 2, terms, degree)
    }

    /// Whether the prover should keep base-field tables through the second round for this degree:
    /// the first challenge is then held back, round 2 is computed from the base-field tables by
    /// [`SumcheckOps::round_evals_base_deferred`], and the first two variables are fixed together
    /// by [`SumcheckOps::fold_base_twice`]. The default is `false` (fold at once).
    fn defers_first_fold(degree: usize) -> bool {
        let _ = degree;
        false
    }

    /// The round polynomial of the base-field tables (of `len` entries) with their first variable
    /// fixed to `r1` but not folded: round 2's values at `0, 2, …, degree`. The default folds
    /// (allocating) and evaluates.
    ///
    /// # Errors
    /// Backend failures.
    fn round_evals_base_deferred(
        tables: &[Self::Column<F>],
        len: usize,
        r1: E,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError> {
        let folded = Self::fold_base(tables, len, r1)?;
        Self::round_evals_ext(&folded, len / 2, terms, degree)
    }

    /// Fixes the first two variables of base-field tables (of `len ≥ 4` entries) to `r1`, `r2`,
    /// giving extension-field tables of `len / 4` entries. The default folds twice.
    ///
    /// # Errors
    /// Backend failures.
    fn fold_base_twice(
        tables: &[Self::Column<F>],
        len: usize,
        r1: E,
        r2: E,
    ) -> Result<Vec<Self::Column<E>>, SumcheckError> {
        let mut folded = Self::fold_base(tables, len, r1)?;
        Self::fold_ext(&mut folded, len / 2, r2)?;
        Ok(folded)
    }

    /// The embedding of base-field tables (their first `len` entries) into the extension.
    ///
    /// # Errors
    /// A backend failure ([`SumcheckError::Device`]).
    fn lift(tables: &[Self::Column<F>], len: usize) -> Result<Vec<Self::Column<E>>, SumcheckError>;

    /// The first entry of each table (the tables' values once every variable is fixed), on the
    /// host.
    ///
    /// # Errors
    /// A backend failure, or an empty column.
    fn first_entries(tables: &[Self::Column<E>]) -> Result<Vec<E>, SumcheckError>;
}

/// The two halves `(f(0, ·), f(1, ·))` of one table.
type Halves<'a, T> = (&'a [T], &'a [T]);

/// Below this many pairs, a round runs on one thread.
const PAR_MIN: usize = 1 << 11;
/// Pairs per Rayon task in the round sums.
const CHUNK: usize = 1 << 10;

/// The arithmetic the round kernel needs: fields and packed fields alike.
trait Alg:
    Copy + Send + Sync + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + AddAssign
{
}
impl<T: Copy + Send + Sync + Add<Output = T> + Sub<Output = T> + Mul<Output = T> + AddAssign> Alg
    for T
{
}

/// Per-term sums `S_t(k) = Σ_i Π_{j∈t} (lo_j[i] + k·(hi_j[i] − lo_j[i]))` for
/// `k = 0, 2, 3, …, D` (`D` slots per term, slot 0 ↔ `k = 0`, slot `s ≥ 1` ↔ `k = s + 1`), on one
/// thread over every pair of `halves`.
#[inline(always)]
fn term_sums_seq<T: Alg, const D: usize>(
    halves: &[Halves<'_, T>],
    terms: &[Term<impl Sync>],
    zero: T,
) -> Vec<Vec<T>> {
    let n = halves.first().map_or(0, |h| h.0.len());
    let mut acc = vec![[zero; D]; terms.len()];
    let mut vals = vec![[zero; D]; halves.len()];
    for i in 0..n {
        for (v, (lo, hi)) in vals.iter_mut().zip(halves) {
            let l = lo[i];
            let h = hi[i];
            v[0] = l;
            if D >= 2 {
                let diff = h - l;
                let mut cur = h + diff;
                v[1] = cur;
                for s in 2..D {
                    cur += diff;
                    v[s] = cur;
                }
            }
        }
        for (a, term) in acc.iter_mut().zip(terms) {
            let Some((first, rest)) = term.factors.split_first() else { continue };
            let mut p = vals[*first];
            for &j in rest {
                let vj = &vals[j];
                for s in 0..D {
                    p[s] = p[s] * vj[s];
                }
            }
            for s in 0..D {
                a[s] += p[s];
            }
        }
    }
    acc.into_iter().map(Vec::from).collect()
}

/// The special case `f · g` (one term, two factors, degree 2): `p(0) = Σ lo_f·lo_g`,
/// `p(2) = Σ (2hi_f − lo_f)(2hi_g − lo_g)`, with no scratch tables.
#[inline(always)]
fn product2_seq<T: Alg>(f: Halves<'_, T>, g: Halves<'_, T>, zero: T) -> Vec<Vec<T>> {
    let mut a0 = zero;
    let mut a2 = zero;
    for (((&fl, &fh), &gl), &gh) in f.0.iter().zip(f.1).zip(g.0).zip(g.1) {
        a0 += fl * gl;
        a2 += (fh + fh - fl) * (gh + gh - gl);
    }
    vec![vec![a0, a2]]
}

/// The round kernel on one thread: per-term sums, `terms.len() × degree` values. The caller has
/// checked `1 ≤ degree ≤ MAX_DEGREE` (larger degrees would be truncated to `MAX_DEGREE` slots).
#[inline(always)]
fn sums_seq<T: Alg>(
    halves: &[Halves<'_, T>],
    terms: &[Term<impl Sync>],
    degree: usize,
    zero: T,
) -> Vec<Vec<T>> {
    if let [term] = terms
        && let [a, b] = term.factors[..]
    {
        return product2_seq(halves[a], halves[b], zero);
    }
    match degree {
        0 | 1 => term_sums_seq::<T, 1>(halves, terms, zero),
        2 => term_sums_seq::<T, 2>(halves, terms, zero),
        3 => term_sums_seq::<T, 3>(halves, terms, zero),
        4 => term_sums_seq::<T, 4>(halves, terms, zero),
        5 => term_sums_seq::<T, 5>(halves, terms, zero),
        6 => term_sums_seq::<T, 6>(halves, terms, zero),
        7 => term_sums_seq::<T, 7>(halves, terms, zero),
        _ => term_sums_seq::<T, MAX_DEGREE>(halves, terms, zero),
    }
}

fn add_sums<T: Alg>(mut a: Vec<Vec<T>>, b: Vec<Vec<T>>) -> Vec<Vec<T>> {
    for (x, y) in a.iter_mut().zip(b) {
        for (u, v) in x.iter_mut().zip(y) {
            *u += v;
        }
    }
    a
}

/// The round kernel over all pairs, split into Rayon tasks of [`CHUNK`] pairs above [`PAR_MIN`].
fn sums_par<T: Alg>(
    halves: &[Halves<'_, T>],
    terms: &[Term<impl Sync>],
    degree: usize,
    zero: T,
) -> Vec<Vec<T>> {
    let n = halves.first().map_or(0, |h| h.0.len());
    if n < PAR_MIN {
        return sums_seq(halves, terms, degree, zero);
    }
    (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let (start, end) = (c * CHUNK, ((c + 1) * CHUNK).min(n));
            let sub: Vec<Halves<'_, T>> =
                halves.iter().map(|(l, h)| (&l[start..end], &h[start..end])).collect();
            sums_seq(&sub, terms, degree, zero)
        })
        .reduce(|| vec![vec![zero; degree]; terms.len()], add_sums)
}

/// [`sums_seq`] on base-field tables as a [`PackedKernel`]: on packed lanes (`P::WIDTH` hypercube
/// points at a time) when the packing picked at run time divides the length, on scalars otherwise;
/// the lanes are summed before returning, so every task returns scalar sums.
struct BaseSums<'a, F, E> {
    halves: &'a [Halves<'a, F>],
    terms: &'a [Term<E>],
    degree: usize,
}

impl<F: Field, E: Sync> PackedKernel<F> for BaseSums<'_, F, E> {
    type Output = Vec<Vec<F>>;
    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) -> Vec<Vec<F>> {
        let Self { halves, terms, degree } = self;
        let n = halves.first().map_or(0, |h| h.0.len());
        if P::WIDTH > 1 && n.is_multiple_of(P::WIDTH) {
            let packed: Vec<Halves<'_, P>> =
                halves.iter().map(|(l, h)| (P::pack_slice(l), P::pack_slice(h))).collect();
            let sums = sums_seq(&packed, terms, degree, P::broadcast(F::ZERO));
            sums.into_iter()
                .map(|t| t.into_iter().map(|p| p.as_slice().iter().copied().sum()).collect())
                .collect()
        } else {
            sums_seq(halves, terms, degree, F::ZERO)
        }
    }
}

/// The base-field round kernel over all pairs, in Rayon tasks of [`CHUNK`] pairs above
/// [`PAR_MIN`], each task on the packing [`Field::with_packing`] picks at run time.
fn base_sums_par<F: Field, E: Sync>(
    halves: &[Halves<'_, F>],
    terms: &[Term<E>],
    degree: usize,
) -> Vec<Vec<F>> {
    let n = halves.first().map_or(0, |h| h.0.len());
    if n < PAR_MIN {
        return F::with_packing(BaseSums { halves, terms, degree });
    }
    (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let (start, end) = (c * CHUNK, ((c + 1) * CHUNK).min(n));
            let sub: Vec<Halves<'_, F>> =
                halves.iter().map(|(l, h)| (&l[start..end], &h[start..end])).collect();
            F::with_packing(BaseSums { halves: &sub, terms, degree })
        })
        .reduce(|| vec![vec![F::ZERO; degree]; terms.len()], add_sums)
}

/// One table's share of a fused fold + round task: the quarters `(q0, q1)` that are overwritten
/// with the folded table's halves, and `(q2, q3)` read.
type FoldParts<'a, E> = (&'a mut [E], &'a mut [E], &'a [E], &'a [E]);

/// Folds extension tables in place with `r` and returns the next round's per-term sums, in one
/// pass: the folded table `t'` has halves `t'[i] = q0[i] + r(q2[i] − q0[i])` and
/// `t'[i + len/4] = q1[i] + r(q3[i] − q1[i])`, so each task folds its slice of both halves and
/// evaluates the next round on them while they are in cache. Needs `len ≥ 4`.
fn fold_and_sums_ext<E: Field>(
    tables: &mut [Vec<E>],
    len: usize,
    r: E,
    terms: &[Term<E>],
    degree: usize,
) -> Vec<Vec<E>> {
    let (half, quarter) = (len / 2, len / 4);
    let chunk = CHUNK.min(quarter);
    let n_chunks = quarter.div_ceil(chunk);
    let mut tasks: Vec<Vec<FoldParts<'_, E>>> =
        (0..n_chunks).map(|_| Vec::with_capacity(tables.len())).collect();
    for t in tables.iter_mut() {
        let (lo, hi) = t[..len].split_at_mut(half);
        let (q0, q1) = lo.split_at_mut(quarter);
        let (q2, q3) = hi.split_at(quarter);
        let parts = q0.chunks_mut(chunk).zip(q1.chunks_mut(chunk)).zip(q2.chunks(chunk));
        for (task, (((a, b), c), d)) in tasks.iter_mut().zip(parts.zip(q3.chunks(chunk))) {
            task.push((a, b, c, d));
        }
    }
    let work = |mut parts: Vec<FoldParts<'_, E>>| {
        for (a, b, c, d) in parts.iter_mut() {
            for (x, &y) in a.iter_mut().zip(c.iter()) {
                *x += r * (y - *x);
            }
            for (x, &y) in b.iter_mut().zip(d.iter()) {
                *x += r * (y - *x);
            }
        }
        let halves: Vec<Halves<'_, E>> = parts.iter().map(|(a, b, _, _)| (&**a, &**b)).collect();
        sums_seq(&halves, terms, degree, E::ZERO)
    };
    let zero = || vec![vec![E::ZERO; degree]; terms.len()];
    let sums = if quarter < PAR_MIN {
        tasks.into_iter().map(work).fold(zero(), add_sums)
    } else {
        tasks.into_par_iter().map(work).reduce(zero, add_sums)
    };
    for t in tables.iter_mut() {
        t.truncate(half);
    }
    sums
}

/// Round 2 on base-field tables with the first challenge `r1` held back (the small-value
/// optimisation of Bagad, Domb and Thaler, "The Sum-Check Protocol over Fields of Small
/// Characteristic", 2024). For a term of `m ≤ D` factors and a point `X`, the summand
/// `Π_j f_j(r1, X, x)` is a polynomial `Q(r1)` of degree `m` whose values at `r1 = k ∈ {0, …, D}`
/// are products of base-field values `f_j(k, X, x) = f_j(0, X, x) + k·(f_j(1, X, x) − f_j(0, X, x))`.
/// So the sums `Σ_x Q(k)` are packed base-field sums, and `r1` enters once per term at the end
/// through the Lagrange basis at `r1`. `quarters[j]` are table `j`'s quarters
/// `f(0,0,·), f(0,1,·), f(1,0,·), f(1,1,·)`; returns `[term][slot][k]`, slots for `X = 0, 2, …, D`.
#[inline(always)]
fn deferred_sums_seq<T: Alg, const D: usize, const R: usize>(
    quarters: &[[&[T]; 4]],
    terms: &[Term<impl Sync>],
    zero: T,
) -> Vec<[[T; R]; D]> {
    let n = quarters.first().map_or(0, |q| q[0].len());
    let mut acc = vec![[[zero; R]; D]; terms.len()];
    // Per table, slot and node k: f(k, X_slot, x).
    let mut vals = vec![[[zero; R]; D]; quarters.len()];
    for i in 0..n {
        for (val, q) in vals.iter_mut().zip(quarters) {
            let (a0, a1, b0, b1) = (q[0][i], q[1][i], q[2][i], q[3][i]);
            let (da, db) = (a1 - a0, b1 - b0);
            // Slot 0 is X = 0; slot s ≥ 1 is X = s + 1.
            let (mut u, mut v) = (a0, b0);
            for s in 0..D {
                if s == 1 {
                    u = a1 + da;
                    v = b1 + db;
                } else if s > 1 {
                    u += da;
                    v += db;
                }
                let delta = v - u;
                let w = &mut val[s];
                w[0] = u;
                w[1] = v;
                for k in 2..R {
                    w[k] = w[k - 1] + delta;
                }
            }
        }
        for (a, term) in acc.iter_mut().zip(terms) {
            let Some((first, rest)) = term.factors.split_first() else { continue };
            let mut p = vals[*first];
            for &j in rest {
                let vj = &vals[j];
                for s in 0..D {
                    for k in 0..R {
                        p[s][k] = p[s][k] * vj[s][k];
                    }
                }
            }
            for s in 0..D {
                for k in 0..R {
                    a[s][k] += p[s][k];
                }
            }
        }
    }
    acc
}

/// [`deferred_sums_seq`] on base-field quarters as a [`PackedKernel`] (packed where the packing
/// picked at run time divides the length, lanes summed before returning).
struct DeferredSums<'a, F, E, const D: usize, const R: usize> {
    quarters: &'a [[&'a [F]; 4]],
    terms: &'a [Term<E>],
}

impl<F: Field, E: Sync, const D: usize, const R: usize> PackedKernel<F>
    for DeferredSums<'_, F, E, D, R>
{
    type Output = Vec<[[F; R]; D]>;
    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) -> Vec<[[F; R]; D]> {
        let Self { quarters, terms } = self;
        let n = quarters.first().map_or(0, |q| q[0].len());
        if P::WIDTH > 1 && n.is_multiple_of(P::WIDTH) {
            let packed: Vec<[&[P]; 4]> = quarters.iter().map(|q| q.map(P::pack_slice)).collect();
            let raw = deferred_sums_seq::<P, D, R>(&packed, terms, P::broadcast(F::ZERO));
            raw.into_iter()
                .map(|slots| slots.map(|ks| ks.map(|p| p.as_slice().iter().copied().sum())))
                .collect()
        } else {
            deferred_sums_seq::<F, D, R>(quarters, terms, F::ZERO)
        }
    }
}

/// [`deferred_sums_seq`] over all `x`, in Rayon tasks above [`PAR_MIN`] (each on the packing
/// picked at run time), combined with `r1`: per-term values at the slots, `terms.len() × D`, in `E`.
fn deferred_sums<F: Field, E: ExtensionField<F>, const D: usize, const R: usize>(
    quarters: &[[&[F]; 4]],
    terms: &[Term<E>],
    r1: E,
) -> Vec<Vec<E>> {
    let n = quarters.first().map_or(0, |q| q[0].len());
    let add = |mut a: Vec<[[F; R]; D]>, b: Vec<[[F; R]; D]>| {
        for (x, y) in a.iter_mut().zip(&b) {
            for s in 0..D {
                for k in 0..R {
                    x[s][k] += y[s][k];
                }
            }
        }
        a
    };
    let raw = if n < PAR_MIN {
        F::with_packing(DeferredSums::<F, E, D, R> { quarters, terms })
    } else {
        (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let (start, end) = (c * CHUNK, ((c + 1) * CHUNK).min(n));
                let sub: Vec<[&[F]; 4]> =
                    quarters.iter().map(|q| q.map(|x| &x[start..end])).collect();
                F::with_packing(DeferredSums::<F, E, D, R> { quarters: &sub, terms })
            })
            .reduce(|| vec![[[F::ZERO; R]; D]; terms.len()], add)
    };
    let weights = lagrange_weights_integers(R, r1);
    raw.into_iter()
        .map(|slots| {
            slots.iter().map(|qk| weights.iter().zip(qk).map(|(&w, &q)| w * q).sum()).collect()
        })
        .collect()
}

/// Dispatches [`deferred_sums`] on the degree (`R = D + 1` nodes).
fn deferred_dispatch<F: Field, E: ExtensionField<F>>(
    quarters: &[[&[F]; 4]],
    terms: &[Term<E>],
    degree: usize,
    r1: E,
) -> Vec<Vec<E>> {
    match degree {
        0 | 1 => deferred_sums::<F, E, 1, 2>(quarters, terms, r1),
        2 => deferred_sums::<F, E, 2, 3>(quarters, terms, r1),
        3 => deferred_sums::<F, E, 3, 4>(quarters, terms, r1),
        4 => deferred_sums::<F, E, 4, 5>(quarters, terms, r1),
        5 => deferred_sums::<F, E, 5, 6>(quarters, terms, r1),
        6 => deferred_sums::<F, E, 6, 7>(quarters, terms, r1),
        7 => deferred_sums::<F, E, 7, 8>(quarters, terms, r1),
        _ => deferred_sums::<F, E, MAX_DEGREE, { MAX_DEGREE + 1 }>(quarters, terms, r1),
    }
}

/// `Σ_t c_t · S_t(k)` with per-term values already in `E`.
fn combine_ext<E: Field>(sums: Vec<Vec<E>>, terms: &[Term<E>], degree: usize) -> Vec<E> {
    combine::<E, E>(sums, terms, degree)
}

/// `Σ_t c_t · S_t(k)` for each evaluation slot: the coefficients are applied once per term, not
/// once per hypercube point. Terms of degree below `degree` still have one sum per slot.
fn combine<F: Field, E: ExtensionField<F>>(
    sums: Vec<Vec<F>>,
    terms: &[Term<E>],
    degree: usize,
) -> Vec<E> {
    let mut out = vec![E::ZERO; degree];
    for (term, s) in terms.iter().zip(sums) {
        for (o, v) in out.iter_mut().zip(s) {
            *o += term.coeff * v;
        }
    }
    out
}

/// The checks the prover's constructors make, repeated at the public entry points of the CPU
/// backend so that a direct caller gets an error rather than an out-of-bounds panic.
fn check_terms<E>(terms: &[Term<E>], n_tables: usize, degree: usize) -> Result<(), SumcheckError> {
    if degree > MAX_DEGREE {
        return Err(SumcheckError::DegreeTooLarge { degree, max: MAX_DEGREE });
    }
    if terms.is_empty() {
        return Err(SumcheckError::NoTerms);
    }
    for (term, t) in terms.iter().enumerate() {
        if t.factors.is_empty() {
            return Err(SumcheckError::EmptyTerm { term });
        }
        if let Some(&index) = t.factors.iter().find(|&&j| j >= n_tables) {
            return Err(SumcheckError::FactorOutOfRange { term, index, n_tables });
        }
        if t.factors.len() > degree {
            return Err(SumcheckError::TermDegree { term, factors: t.factors.len(), degree });
        }
    }
    Ok(())
}

fn check_len(len: usize, cols: impl Iterator<Item = usize>) -> Result<(), SumcheckError> {
    if len < 2 || !len.is_power_of_two() {
        return Err(SumcheckError::NotPowerOfTwo { len });
    }
    for (index, got) in cols.enumerate() {
        if got < len {
            return Err(SumcheckError::TableLength { index, expected: len, got });
        }
    }
    Ok(())
}

fn fold_in_place<E: Field>(col: &mut Vec<E>, len: usize, r: E) {
    let half = len / 2;
    col.truncate(len);
    let (lo, hi) = col.split_at_mut(half);
    if half >= PAR_MIN {
        lo.par_iter_mut().zip(hi.par_iter()).for_each(|(l, &h)| *l += r * (h - *l));
    } else {
        lo.iter_mut().zip(hi.iter()).for_each(|(l, &h)| *l += r * (h - *l));
    }
    col.truncate(half);
}

impl<F: Field, E: ExtensionField<F>> SumcheckOps<F, E> for CpuBackend {
    /// Packs `W` hypercube points per lane group (`W` the width of the packing picked at run time
    /// in each task; base-field arithmetic only, the extension coefficients are applied to the
    /// per-term sums at the end).
    fn round_evals_base(
        tables: &[Vec<F>],
        len: usize,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError> {
        check_len(len, tables.iter().map(Vec::len))?;
        check_terms(terms, tables.len(), degree)?;
        let half = len / 2;
        let halves: Vec<Halves<'_, F>> =
            tables.iter().map(|t| (&t[..half], &t[half..len])).collect();
        let sums = base_sums_par(&halves, terms, degree);
        Ok(combine(sums, terms, degree))
    }

    fn round_evals_ext(
        tables: &[Vec<E>],
        len: usize,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError> {
        check_len(len, tables.iter().map(Vec::len))?;
        check_terms(terms, tables.len(), degree)?;
        let half = len / 2;
        let halves: Vec<Halves<'_, E>> =
            tables.iter().map(|t| (&t[..half], &t[half..len])).collect();
        let sums = sums_par(&halves, terms, degree, E::ZERO);
        Ok(combine::<E, E>(sums, terms, degree))
    }

    /// One pass: each Rayon task folds a slice of both halves of the folded tables and runs the
    /// next round's kernel on it while it is in cache.
    fn fold_ext_and_round(
        tables: &mut [Vec<E>],
        len: usize,
        r: E,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError> {
        check_len(len, tables.iter().map(Vec::len))?;
        check_terms(terms, tables.len(), degree)?;
        if len < 4 {
            return Err(SumcheckError::NoVariablesLeft);
        }
        let sums = fold_and_sums_ext(tables, len, r, terms, degree);
        Ok(combine::<E, E>(sums, terms, degree))
    }

    fn fold_base(tables: &[Vec<F>], len: usize, r: E) -> Result<Vec<Vec<E>>, SumcheckError> {
        check_len(len, tables.iter().map(Vec::len))?;
        let half = len / 2;
        let fold = |(&l, &h): (&F, &F)| r * (h - l) + l;
        Ok(tables
            .iter()
            .map(|t| {
                let (lo, hi) = (&t[..half], &t[half..len]);
                if half >= PAR_MIN {
                    lo.par_iter().zip(hi).map(fold).collect()
                } else {
                    lo.iter().zip(hi).map(fold).collect()
                }
            })
            .collect())
    }

    fn fold_ext(tables: &mut [Vec<E>], len: usize, r: E) -> Result<(), SumcheckError> {
        check_len(len, tables.iter().map(Vec::len))?;
        for t in tables.iter_mut() {
            fold_in_place(t, len, r);
        }
        Ok(())
    }

    /// When the challenges are in a proper extension: round 2 then costs `(d + 1)×` the base-field
    /// products of round 1 (packed) instead of extension-field products and a full-size fold.
    /// Without SIMD packing, only up to degree 3.
    fn defers_first_fold(degree: usize) -> bool {
        E::DEGREE > 1 && (degree <= 3 || packing_width::<F>() > 1)
    }

    fn round_evals_base_deferred(
        tables: &[Vec<F>],
        len: usize,
        r1: E,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError> {
        check_len(len, tables.iter().map(Vec::len))?;
        check_terms(terms, tables.len(), degree)?;
        if len < 4 {
            return Err(SumcheckError::NoVariablesLeft);
        }
        let q = len / 4;
        fn quarters<X>(t: &[X], q: usize) -> [&[X]; 4] {
            [&t[..q], &t[q..2 * q], &t[2 * q..3 * q], &t[3 * q..4 * q]]
        }
        let qs: Vec<[&[F]; 4]> = tables.iter().map(|t| quarters(t, q)).collect();
        let sums = deferred_dispatch(&qs, terms, degree, r1);
        Ok(combine_ext(sums, terms, degree))
    }

    /// `t(r1, r2, x) = t00 + r2·(t01 − t00) + r1·(t10 − t00) + r1r2·(t11 − t10 − t01 + t00)`:
    /// three extension-by-base products per output, differences in the base field.
    fn fold_base_twice(
        tables: &[Vec<F>],
        len: usize,
        r1: E,
        r2: E,
    ) -> Result<Vec<Vec<E>>, SumcheckError> {
        check_len(len, tables.iter().map(Vec::len))?;
        if len < 4 {
            return Err(SumcheckError::NoVariablesLeft);
        }
        let q = len / 4;
        let r12 = r1 * r2;
        Ok(tables
            .iter()
            .map(|t| {
                let (q0, q1, q2, q3) = (&t[..q], &t[q..2 * q], &t[2 * q..3 * q], &t[3 * q..len]);
                let f = |i: usize| {
                    let (a, b, c, d) = (q0[i], q1[i], q2[i], q3[i]);
                    r2 * (b - a) + r1 * (c - a) + r12 * (d - c - b + a) + a
                };
                if q >= PAR_MIN {
                    (0..q).into_par_iter().map(f).collect()
                } else {
                    (0..q).map(f).collect()
                }
            })
            .collect())
    }

    fn lift(tables: &[Vec<F>], len: usize) -> Result<Vec<Vec<E>>, SumcheckError> {
        Ok(tables.iter().map(|t| t.iter().take(len).map(|&x| E::from_base(x)).collect()).collect())
    }

    fn first_entries(tables: &[Vec<E>]) -> Result<Vec<E>, SumcheckError> {
        tables
            .iter()
            .enumerate()
            .map(|(index, t)| {
                t.first().copied().ok_or(SumcheckError::TableLength { index, expected: 1, got: 0 })
            })
            .collect()
    }
}
