//! The backend operations of a sumcheck round, and the CPU implementation.
//!
//! A round is two operations: evaluate the round polynomial (one pass over the tables, a sum over
//! the hypercube's first half) and fold the tables with the challenge (fix the first variable).
//! A GPU backend implements both, or fuses them into one kernel per round; the protocol code in
//! [`crate::SumcheckProver`] is written once against this trait.

use core::ops::{Add, AddAssign, Mul, Sub};

use rayon::prelude::*;
use zkprove_field::{ExtensionField, Field, PackedField};
use zkprove_poly::{Backend, CpuBackend};

use crate::{MAX_DEGREE, SumcheckError, Term};

/// Operations a backend provides to run sumcheck rounds on its own columns.
///
/// Tables are columns of `2^k` values in the [`zkprove_poly::Mle`] order (the first variable is
/// the most significant index bit: `f(0, ·)` is the first half, `f(1, ·)` the second). `len` is the
/// number of live entries (`2^k`, `k ≥ 1` for the round operations); a backend may keep longer
/// buffers and ignore the tail. Terms have been validated by the caller (indices in range, degree
/// `1..=MAX_DEGREE`).
pub trait SumcheckOps<F: Field, E: ExtensionField<F>>: Backend {
    /// The length of a base-field column.
    fn column_len_base(col: &Self::Column<F>) -> usize;

    /// The length of an extension-field column.
    fn column_len_ext(col: &Self::Column<E>) -> usize;

    /// The round polynomial's values at `X = 0, 2, 3, …, degree` on base-field tables:
    /// `p(X) = Σ_{x ∈ {0,1}^{k−1}} Σ_t c_t Π_{j∈t} f_j(X, x)`.
    ///
    /// # Errors
    /// A backend failure ([`SumcheckError::Backend`]).
    fn round_evals_base(
        tables: &[Self::Column<F>],
        len: usize,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError>;

    /// As [`SumcheckOps::round_evals_base`] on extension-field tables.
    ///
    /// # Errors
    /// A backend failure ([`SumcheckError::Backend`]).
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
    /// A backend failure ([`SumcheckError::Backend`]).
    fn fold_base(
        tables: &[Self::Column<F>],
        len: usize,
        r: E,
    ) -> Result<Vec<Self::Column<E>>, SumcheckError>;

    /// Fixes the first variable of extension-field tables to `r`, in place: afterwards the first
    /// `len / 2` entries are the folded table.
    ///
    /// # Errors
    /// A backend failure ([`SumcheckError::Backend`]).
    fn fold_ext(tables: &mut [Self::Column<E>], len: usize, r: E) -> Result<(), SumcheckError>;

    /// The embedding of base-field tables (their first `len` entries) into the extension.
    ///
    /// # Errors
    /// A backend failure ([`SumcheckError::Backend`]).
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
/// `k = 0, 2, 3, …, D` (`D` slots per term, slot 0 ↔ `k = 0`, slot `s ≥ 1` ↔ `k = s + 1`).
fn term_sums<T: Alg, const D: usize>(
    halves: &[Halves<'_, T>],
    terms: &[Term<impl Sync>],
    zero: T,
) -> Vec<[T; D]> {
    let n = halves.first().map_or(0, |h| h.0.len());
    let n_tables = halves.len();
    let run = |start: usize, end: usize| -> Vec<[T; D]> {
        let mut acc = vec![[zero; D]; terms.len()];
        let mut vals = vec![[zero; D]; n_tables];
        for i in start..end {
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
                let (first, rest) = match term.factors.split_first() {
                    Some(x) => x,
                    None => continue,
                };
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
        acc
    };
    if n < PAR_MIN {
        return run(0, n);
    }
    let add = |mut a: Vec<[T; D]>, b: Vec<[T; D]>| {
        for (x, y) in a.iter_mut().zip(&b) {
            for s in 0..D {
                x[s] += y[s];
            }
        }
        a
    };
    (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| run(c * CHUNK, ((c + 1) * CHUNK).min(n)))
        .reduce(|| vec![[zero; D]; terms.len()], add)
}

/// The special case `f · g` (one term, two factors, degree 2): `p(0) = Σ lo_f·lo_g`,
/// `p(2) = Σ (2hi_f − lo_f)(2hi_g − lo_g)`, with no scratch tables.
fn product2_sums<T: Alg>(f: Halves<'_, T>, g: Halves<'_, T>, zero: T) -> [T; 2] {
    let n = f.0.len();
    let run = |start: usize, end: usize| -> [T; 2] {
        let mut a0 = zero;
        let mut a2 = zero;
        for i in start..end {
            let (fl, fh, gl, gh) = (f.0[i], f.1[i], g.0[i], g.1[i]);
            a0 += fl * gl;
            a2 += (fh + fh - fl) * (gh + gh - gl);
        }
        [a0, a2]
    };
    if n < PAR_MIN {
        return run(0, n);
    }
    (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| run(c * CHUNK, ((c + 1) * CHUNK).min(n)))
        .reduce(|| [zero; 2], |a, b| [a[0] + b[0], a[1] + b[1]])
}

/// Runs the round kernel on `halves` and returns per-term sums as `terms.len() × degree` values,
/// reduced to the scalar type by `reduce`.
fn dispatch<T: Alg, S: Copy>(
    halves: &[Halves<'_, T>],
    terms: &[Term<impl Sync>],
    degree: usize,
    zero: T,
    reduce: impl Fn(T) -> S,
) -> Result<Vec<Vec<S>>, SumcheckError> {
    fn flat<T: Copy, S, const D: usize>(v: Vec<[T; D]>, reduce: impl Fn(T) -> S) -> Vec<Vec<S>> {
        v.into_iter().map(|a| a.into_iter().map(&reduce).collect()).collect()
    }
    if let [term] = terms
        && let [a, b] = term.factors[..]
    {
        let s = product2_sums(halves[a], halves[b], zero);
        return Ok(vec![s.into_iter().map(reduce).collect()]);
    }
    Ok(match degree {
        1 => flat(term_sums::<T, 1>(halves, terms, zero), reduce),
        2 => flat(term_sums::<T, 2>(halves, terms, zero), reduce),
        3 => flat(term_sums::<T, 3>(halves, terms, zero), reduce),
        4 => flat(term_sums::<T, 4>(halves, terms, zero), reduce),
        5 => flat(term_sums::<T, 5>(halves, terms, zero), reduce),
        6 => flat(term_sums::<T, 6>(halves, terms, zero), reduce),
        7 => flat(term_sums::<T, 7>(halves, terms, zero), reduce),
        8 => flat(term_sums::<T, 8>(halves, terms, zero), reduce),
        _ => return Err(SumcheckError::DegreeTooLarge { degree, max: MAX_DEGREE }),
    })
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
    fn column_len_base(col: &Vec<F>) -> usize {
        col.len()
    }

    fn column_len_ext(col: &Vec<E>) -> usize {
        col.len()
    }

    /// Packs `F::Packing::WIDTH` hypercube points per lane group (base-field arithmetic only; the
    /// extension coefficients are applied to the per-term sums at the end).
    fn round_evals_base(
        tables: &[Vec<F>],
        len: usize,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError> {
        check_len(len, tables.iter().map(Vec::len))?;
        let half = len / 2;
        let width = F::Packing::WIDTH;
        let sums: Vec<Vec<F>> = if half >= width {
            let halves: Vec<Halves<'_, F::Packing>> = tables
                .iter()
                .map(|t| {
                    (F::Packing::pack_slice(&t[..half]), F::Packing::pack_slice(&t[half..len]))
                })
                .collect();
            let zero = F::Packing::broadcast(F::ZERO);
            dispatch(&halves, terms, degree, zero, |p: F::Packing| {
                p.as_slice().iter().copied().sum::<F>()
            })?
        } else {
            let halves: Vec<Halves<'_, F>> =
                tables.iter().map(|t| (&t[..half], &t[half..len])).collect();
            dispatch(&halves, terms, degree, F::ZERO, |x| x)?
        };
        Ok(combine(sums, terms, degree))
    }

    fn round_evals_ext(
        tables: &[Vec<E>],
        len: usize,
        terms: &[Term<E>],
        degree: usize,
    ) -> Result<Vec<E>, SumcheckError> {
        check_len(len, tables.iter().map(Vec::len))?;
        let half = len / 2;
        let halves: Vec<Halves<'_, E>> =
            tables.iter().map(|t| (&t[..half], &t[half..len])).collect();
        let sums = dispatch(&halves, terms, degree, E::ZERO, |x| x)?;
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
