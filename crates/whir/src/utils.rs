//! The small algebra WHIR needs: coefficient/evaluation conversions, encoding, folding, the
//! degree-2 sumcheck round, `eq` and proof-of-work grinding.
//!
//! Internal variable order: variable `j` of an `m`-variate table is bit `j` of the index (so the
//! table is the same array as an [`zkprove_poly::Mle`] table, whose *last* variable is bit 0).
//! Variable 0 is folded first. A multilinear `f̂` with coefficients `c_i` (monomial
//! `Π_{j ∈ bits(i)} X_j`) is the univariate `p(x) = Σ c_i x^i` at `pow(x) = (x, x², x⁴, …)`.

use core::marker::PhantomData;
use core::ops::{Add, Mul};

use rayon::prelude::*;
use zkprove_field::{ExtensionField, Field, PrimeField64, TwoAdicField};
use zkprove_hash::{MerkleHash, Transcript};
use zkprove_poly::{CpuBackend, Direction, NttOps, Order};

use crate::WhirError;

/// Below this many pairs, table operations run on one thread.
const PAR_MIN: usize = 1 << 12;

/// Hypercube values → multilinear coefficients (Möbius transform), in place.
///
/// Blocked for the cache and both cores: the variables inside a block of [`MOBIUS_BLOCK`]
/// values are done block by block (in parallel, one pass over the table; all-zero blocks,
/// such as a stacked trace's padding columns, are left as they are), then each higher variable
/// is one parallel pass. The result is the plain transform's ([`evals_to_coeffs_ref`]).
pub(crate) fn evals_to_coeffs<F: Field>(a: &mut [F]) {
    let n = a.len();
    if n < 2 * PAR_MIN {
        return evals_to_coeffs_ref(a);
    }
    let block = n.min(MOBIUS_BLOCK);
    a.par_chunks_mut(block).for_each(|b| {
        if b.iter().any(|x| !x.is_zero()) {
            evals_to_coeffs_ref(b);
        }
    });
    let mut h = block;
    while h < n {
        a.par_chunks_mut(2 * h).for_each(|chunk| {
            let (lo, hi) = chunk.split_at_mut(h);
            hi.par_chunks_mut(PAR_MIN).zip(lo.par_chunks(PAR_MIN)).for_each(|(x, l)| {
                for (x, &l) in x.iter_mut().zip(l) {
                    *x -= l;
                }
            });
        });
        h *= 2;
    }
}

/// Values per block of [`evals_to_coeffs`]' first pass (64 KiB of BabyBear, 256 KiB of its
/// quartic extension).
const MOBIUS_BLOCK: usize = 1 << 14;

/// The Möbius transform, one variable at a time on one thread (the reference, and small
/// tables).
pub(crate) fn evals_to_coeffs_ref<F: Field>(a: &mut [F]) {
    let n = a.len();
    let mut h = 1;
    while h < n {
        for chunk in a.chunks_mut(2 * h) {
            let (lo, hi) = chunk.split_at_mut(h);
            for (l, x) in lo.iter().zip(hi.iter_mut()) {
                *x -= *l;
            }
        }
        h *= 2;
    }
}

/// The multilinear extension of `evals` (internal order) at `pow(z) = (z, z², z⁴, …)` for each
/// `z` in `zs`, which is `Σ c_i z^i` for its coefficients `c` (the out-of-domain answers of a
/// commitment, without the coefficients): `eq(pow(z), ·)` as a low and a high table of
/// `2^(m/2)` values, one base-by-extension product per value and point, in parallel, one pass
/// over `evals` for all points (all-zero rows of the tables skipped).
pub(crate) fn mle_at_pow<F: Field, E: ExtensionField<F>>(evals: &[F], zs: &[E]) -> Vec<E> {
    let m = evals.len().trailing_zeros() as usize;
    let a = m / 2;
    let tables: Vec<(Vec<E>, Vec<E>)> = zs
        .iter()
        .map(|&z| {
            let p = pow_point(z, m);
            (eq_tensor(&p[..a], E::ONE), eq_tensor(&p[a..], E::ONE))
        })
        .collect();
    let width = 1usize << a;
    // The low tables by coefficient, for the SIMD dot products: lows[(t·D + c)·width + j] =
    // coefficient c of point t's low table at j.
    let lanes = zkprove_field::packing_width::<F>();
    let packed = (E::DEGREE == 4 || E::DEGREE == 2) && lanes > 1 && width.is_multiple_of(lanes);
    let lows: Vec<F> = if packed {
        let mut v = vec![F::ZERO; zs.len() * E::DEGREE * width];
        for (t, (low, _)) in tables.iter().enumerate() {
            for (j, l) in low.iter().enumerate() {
                for (c, &x) in l.as_base_slice().iter().enumerate() {
                    v[(t * E::DEGREE + c) * width + j] = x;
                }
            }
        }
        v
    } else {
        Vec::new()
    };
    let row = |(r, chunk): (usize, &[F])| -> Vec<E> {
        if chunk.iter().all(|x| x.is_zero()) {
            return vec![E::ZERO; zs.len()];
        }
        if packed {
            let dots = F::with_packing(DotKernel::<F, E> { chunk, lows: &lows, _e: PhantomData });
            return tables.iter().zip(dots).map(|((_, high), d)| high[r] * d).collect();
        }
        tables
            .iter()
            .map(|(low, high)| {
                high[r] * chunk.iter().zip(low).fold(E::ZERO, |acc, (&v, &l)| acc + l * v)
            })
            .collect()
    };
    let add = |mut x: Vec<E>, y: Vec<E>| {
        x.iter_mut().zip(y).for_each(|(x, y)| *x += y);
        x
    };
    if evals.len() >= 2 * PAR_MIN {
        evals.par_chunks(width).enumerate().map(row).reduce(|| vec![E::ZERO; zs.len()], add)
    } else {
        evals.chunks(width).enumerate().map(row).fold(vec![E::ZERO; zs.len()], add)
    }
}

/// [`mle_at_pow`]'s dot products of one row chunk of base-field values with every point's low
/// table (by coefficient), on SIMD lanes: `D` packed products per `W` values and point.
struct DotKernel<'a, F, E> {
    chunk: &'a [F],
    lows: &'a [F],
    _e: PhantomData<fn() -> E>,
}

/// `values` (a multiple of `P::WIDTH` long) copied onto lanes (a copy, not
/// `PackedField::pack_slice`'s view: the scalars need not be aligned for the packing).
fn packed_copy<P: zkprove_field::PackedField>(values: &[P::Scalar]) -> Vec<P> {
    values
        .chunks_exact(P::WIDTH)
        .map(|c| {
            let mut v = P::default();
            v.as_slice_mut().copy_from_slice(c);
            v
        })
        .collect()
}

impl<F: Field, E: ExtensionField<F>> DotKernel<'_, F, E> {
    #[inline(always)]
    fn run_d<P: zkprove_field::PackedField<Scalar = F>, const D: usize>(self) -> Vec<E> {
        let Self { chunk, lows, .. } = self;
        let width = chunk.len();
        let w = P::WIDTH;
        let n_points = lows.len() / (D * width);
        let values: Vec<P> = packed_copy(chunk);
        // Loops, not closures, around the packed arithmetic: a closure that is not inlined
        // would run it outside the `#[target_feature]` entry point.
        let mut out = Vec::with_capacity(n_points);
        let mut low_v = P::default();
        for t in 0..n_points {
            let mut coeffs = [F::ZERO; D];
            for (c, coeff) in coeffs.iter_mut().enumerate() {
                let low = &lows[(t * D + c) * width..(t * D + c + 1) * width];
                let mut acc = P::default();
                for (&x, l) in values.iter().zip(low.chunks_exact(w)) {
                    low_v.as_slice_mut().copy_from_slice(l);
                    acc += x * low_v;
                }
                *coeff = acc.as_slice().iter().fold(F::ZERO, |s, &y| s + y);
            }
            // `D == E::DEGREE` (checked by the caller).
            out.push(E::from_base_slice(&coeffs).unwrap_or(E::ZERO));
        }
        out
    }
}

impl<F: Field, E: ExtensionField<F>> zkprove_field::PackedKernel<F> for DotKernel<'_, F, E> {
    type Output = Vec<E>;

    #[inline(always)]
    fn run<P: zkprove_field::PackedField<Scalar = F>>(self) -> Vec<E> {
        if E::DEGREE == 4 { self.run_d::<P, 4>() } else { self.run_d::<P, 2>() }
    }
}

/// The Reed–Solomon codeword of the multilinear polynomial with hypercube values `evals`
/// (base field) on the subgroup of order `2^log_domain`, in [`encode`]'s layout: the values are
/// copied into the codeword's buffer, turned into coefficients there and transformed in place
/// (no separate coefficient table). The same codeword as `encode` of the coefficients.
pub(crate) fn encode_evals<F: TwoAdicField>(
    evals: &[F],
    log_domain: usize,
) -> Result<Vec<F>, WhirError> {
    let n = 1usize << log_domain;
    if evals.len() > n {
        return Err(WhirError::WrongLength { what: "codeword", expected: n, got: evals.len() });
    }
    let mut buf = vec![F::ZERO; n];
    let head = &mut buf[..evals.len()];
    if evals.len() >= PAR_MIN {
        head.par_chunks_mut(PAR_MIN).zip(evals.par_chunks(PAR_MIN)).for_each(|(o, i)| {
            o.copy_from_slice(i);
        });
    } else {
        head.copy_from_slice(evals);
    }
    evals_to_coeffs(head);
    let mut cols = vec![buf];
    <CpuBackend as NttOps<F>>::ntt_batch(
        &mut cols,
        Direction::Forward,
        Order::NaturalToBitReversed,
        F::ONE,
    )?;
    Ok(cols.pop().unwrap_or_default())
}

/// `(x, x², x⁴, …)`: `m` coordinates, variable 0 first.
pub(crate) fn pow_point<E: Field>(x: E, m: usize) -> Vec<E> {
    let mut out = Vec::with_capacity(m);
    let mut cur = x;
    for _ in 0..m {
        out.push(cur);
        cur = cur.square();
    }
    out
}

/// `w += g·eq(p, ·)` over `{0,1}^m` in internal order (`p[j]` ↔ index bit `j`), `p` over `F` or
/// `E`.
///
/// `eq(p, (lo, hi)) = eq(p_lo, lo)·eq(p_hi, hi)`: two tables of `2^(m/2)` values (the low one
/// over `T`, the high one scaled by `g`), then one `E × T` product and one addition per entry of
/// `w` — no temporary of `w`'s size (a fresh one per point cost more in page faults than the
/// arithmetic when the prover accumulates a hundred query points).
pub(crate) fn accumulate_eq<T, E>(w: &mut [E], p: &[T], g: E)
where
    T: Field,
    E: Field + Mul<T, Output = E>,
{
    let a = p.len() / 2;
    let low = eq_tensor(&p[..a], T::ONE);
    let high = eq_tensor(&p[a..], g);
    let row = |(chunk, &h): (&mut [E], &E)| {
        chunk.iter_mut().zip(&low).for_each(|(x, &l)| *x += h * l);
    };
    if w.len() >= PAR_MIN {
        w.par_chunks_mut(low.len()).zip(high.par_iter()).for_each(row);
    } else {
        w.chunks_mut(low.len()).zip(high.iter()).for_each(row);
    }
}

/// [`accumulate_eq`] for many base-field points at once: `w += Σ_q g_q·eq(p_q, ·)`, the same
/// values (field arithmetic is exact, the order of the additions does not matter).
///
/// With `eq(p, (lo, hi)) = eq(p_lo, lo)·eq(p_hi, hi)` as in [`accumulate_eq`], row `hi` of `w`
/// gains `Σ_q (g_q·eq(p_q,hi, hi))·eq(p_q,lo, ·)`: an extension scalar per point times a
/// base-field row. Each block of `W` entries of a row is loaded once onto SIMD lanes (one packed
/// vector per extension coefficient), every point adds its `D` packed base products, and the
/// block is stored back — instead of one pass over `w` and `D` scalar products per entry and
/// point. Falls back to one [`accumulate_eq`] per point where the lanes do not fit (a low half
/// shorter than the packing, an extension of degree other than 2 or 4).
pub(crate) fn accumulate_eq_batch<F, E>(w: &mut [E], points: &[Vec<F>], gs: &[E])
where
    F: Field,
    E: ExtensionField<F>,
{
    let m = points.first().map_or(0, Vec::len);
    let a = m / 2;
    let lanes = zkprove_field::packing_width::<F>();
    let fits = (E::DEGREE == 4 || E::DEGREE == 2)
        && lanes > 1
        && (1usize << a).is_multiple_of(lanes)
        && w.len() == 1 << m
        && points.len() == gs.len()
        && points.iter().all(|p| p.len() == m);
    if !fits {
        for (p, &g) in points.iter().zip(gs) {
            accumulate_eq(w, p, g);
        }
        return;
    }
    let n_low = 1usize << a;
    let n_high = 1usize << (m - a);
    let n_q = points.len();
    // lows[q·n_low + lo] = eq(p_q,lo, lo); highs[(hi·n_q + q)·D + c] = coefficient c of
    // g_q·eq(p_q,hi, hi).
    let mut lows = Vec::with_capacity(n_q * n_low);
    let mut highs = vec![F::ZERO; n_high * n_q * E::DEGREE];
    for (q, (p, &g)) in points.iter().zip(gs).enumerate() {
        lows.extend(eq_tensor(&p[..a], F::ONE));
        for (hi, h) in eq_tensor(&p[a..], g).iter().enumerate() {
            let at = (hi * n_q + q) * E::DEGREE;
            highs[at..at + E::DEGREE].copy_from_slice(h.as_base_slice());
        }
    }
    let rows_per_task = (n_high / (4 * rayon::current_num_threads())).max(1);
    w.par_chunks_mut(rows_per_task * n_low).enumerate().for_each(|(t, rows)| {
        let hi0 = t * rows_per_task;
        F::with_packing(EqBatchKernel { rows, lows: &lows, highs: &highs, n_low, n_q, hi0 });
    });
}

/// The rows `hi0..` of [`accumulate_eq_batch`] on one thread.
struct EqBatchKernel<'a, F, E> {
    rows: &'a mut [E],
    lows: &'a [F],
    highs: &'a [F],
    n_low: usize,
    n_q: usize,
    hi0: usize,
}

impl<F: Field, E: ExtensionField<F>> EqBatchKernel<'_, F, E> {
    #[inline(always)]
    fn run_d<P: zkprove_field::PackedField<Scalar = F>, const D: usize>(self) {
        let Self { rows, lows, highs, n_low, n_q, hi0 } = self;
        let width = P::WIDTH;
        // The low tables on lanes: packed[q·(n_low / W) + v] = lanes v·W.. of point q's.
        let per_q = n_low / width;
        let packed: Vec<P> = packed_copy(lows);
        for (r, row) in rows.chunks_mut(n_low).enumerate() {
            let h = &highs[(hi0 + r) * n_q * D..(hi0 + r + 1) * n_q * D];
            for (v, block) in row.chunks_mut(width).enumerate() {
                // Loops, not closures, around the packed arithmetic (see `DotKernel`).
                let mut acc = [P::default(); D];
                for (l, x) in block.iter().enumerate() {
                    for (c, &v) in x.as_base_slice().iter().enumerate() {
                        acc[c].as_slice_mut()[l] = v;
                    }
                }
                for q in 0..n_q {
                    let lo = packed[q * per_q + v];
                    let hq = &h[q * D..q * D + D];
                    for c in 0..D {
                        acc[c] += lo * hq[c];
                    }
                }
                for (l, x) in block.iter_mut().enumerate() {
                    let coeffs: [F; D] = core::array::from_fn(|c| acc[c].as_slice()[l]);
                    // `D == E::DEGREE` (checked by the caller).
                    if let Ok(e) = E::from_base_slice(&coeffs) {
                        *x = e;
                    }
                }
            }
        }
    }
}

impl<F: Field, E: ExtensionField<F>> zkprove_field::PackedKernel<F> for EqBatchKernel<'_, F, E> {
    type Output = ();

    #[inline(always)]
    fn run<P: zkprove_field::PackedField<Scalar = F>>(self) {
        if E::DEGREE == 4 {
            self.run_d::<P, 4>();
        } else {
            self.run_d::<P, 2>();
        }
    }
}

/// `s·eq(p, ·)` over `{0,1}^m` (`p[j]` ↔ index bit `j`), `s` and the table in the field of
/// `s`, `p` over that field or a subfield.
pub(crate) fn eq_tensor<T, S>(p: &[T], s: S) -> Vec<S>
where
    T: Field,
    S: Field + Mul<T, Output = S>,
{
    let mut table = Vec::with_capacity(1 << p.len());
    table.push(s);
    for &pj in p.iter().rev() {
        table = table
            .iter()
            .flat_map(|&t: &S| {
                let hi = t * pj;
                [t - hi, hi]
            })
            .collect();
    }
    table
}

/// `eq(a, b) = Π (a_j b_j + (1 − a_j)(1 − b_j))`.
pub(crate) fn eq_eval<E: Field>(a: &[E], b: &[E]) -> E {
    a.iter().zip(b).map(|(&x, &y)| x * y + (E::ONE - x) * (E::ONE - y)).product()
}

/// `Σ c_i x^i` (Horner).
pub(crate) fn horner<E: Field>(coeffs: &[E], x: E) -> E {
    coeffs.iter().rev().fold(E::ZERO, |acc, &c| acc * x + c)
}

/// `Σ c_i x^i` for base-field coefficients and an extension-field point (the reference for
/// [`horner_base_blocked`]).
#[cfg(test)]
pub(crate) fn horner_base<F: Field, E: ExtensionField<F>>(coeffs: &[F], x: E) -> E {
    coeffs.iter().rev().fold(E::ZERO, |acc, &c| acc * x + c)
}

/// `Σ c_i x^i` (Horner) in blocks of `2^10` coefficients, in parallel: with `x^0 … x^(B−1)` made
/// once, each block `Σ_i c_(jB+i)·x^i` costs base-by-extension products only, and the blocks
/// are combined by Horner in `x^B`. The same value as plain Horner (exact arithmetic), for the
/// out-of-domain answers of a commitment, which were one thread's `2^n` extension products.
pub(crate) fn horner_base_blocked<T, E>(coeffs: &[T], x: E) -> E
where
    T: Copy + Send + Sync,
    E: Field + Mul<T, Output = E> + Add<T, Output = E>,
{
    const BLOCK: usize = 1 << 10;
    if coeffs.len() < 2 * PAR_MIN {
        return coeffs.iter().rev().fold(E::ZERO, |acc, &c| acc * x + c);
    }
    let mut pows = Vec::with_capacity(BLOCK);
    let mut p = E::ONE;
    for _ in 0..BLOCK {
        pows.push(p);
        p *= x;
    }
    let x_block = p;
    let blocks: Vec<E> =
        coeffs.par_chunks(BLOCK).map(|c| c.iter().zip(&pows).map(|(&c, &w)| w * c).sum()).collect();
    horner(&blocks, x_block)
}

/// The multilinear polynomial with coefficients `coeffs` at `p` (internal order).
pub(crate) fn eval_ml_coeffs<E: Field>(coeffs: &[E], p: &[E]) -> E {
    let mut cur = coeffs.to_vec();
    for &x in p {
        cur = cur.chunks(2).map(|c| c[0] + x * c[1]).collect();
    }
    cur.first().copied().unwrap_or(E::ZERO)
}

/// Fixes variable 0 of a table of values (over `F` or `E`) to `a ∈ E`:
/// `v[2i] + a·(v[2i+1] − v[2i])`.
pub(crate) fn fold_evals<T: Field, E: Field + Mul<T, Output = E> + Add<T, Output = E>>(
    v: &[T],
    a: E,
) -> Vec<E> {
    let f = |p: &[T]| a * (p[1] - p[0]) + p[0];
    if v.len() >= 2 * PAR_MIN {
        v.par_chunks(2).map(f).collect()
    } else {
        v.chunks(2).map(f).collect()
    }
}

/// The sumcheck round polynomial `h(X) = Σ_b f(X, b)·w(X, b)` in variable 0, as coefficients
/// `[h₀, h₁, h₂]` (`h(X) = h₀ + h₁X + h₂X²`); `f` over `F` (first round) or `E`.
pub(crate) fn round_poly<T: Field, E: Field + Mul<T, Output = E>>(f: &[T], w: &[E]) -> [E; 3] {
    let term = |(a, b): (&[T], &[E])| {
        let df = a[1] - a[0];
        let dw = b[1] - b[0];
        [b[0] * a[0], dw * a[0] + b[0] * df, dw * df]
    };
    let add = |x: [E; 3], y: [E; 3]| [x[0] + y[0], x[1] + y[1], x[2] + y[2]];
    if f.len() >= 2 * PAR_MIN {
        f.par_chunks(2).zip(w.par_chunks(2)).map(term).reduce(|| [E::ZERO; 3], add)
    } else {
        f.chunks(2).zip(w.chunks(2)).map(term).fold([E::ZERO; 3], add)
    }
}

/// `x` with its low `bits` bits in reverse order.
pub(crate) fn reverse_bits(x: usize, bits: usize) -> usize {
    if bits == 0 { 0 } else { x.reverse_bits() >> (usize::BITS as usize - bits) }
}

/// Encodes a polynomial given by its coefficients (`2^m` of them, over `E ⊇ F`) on the subgroup
/// `⟨ω⟩` of order `2^L` (`L = log_domain`) and lays the codeword out as Merkle rows of `2^k`
/// values, each as its `E::DEGREE` coordinates over `F`.
///
/// The NTT writes its output in bit-reversed order, and that order already groups the values
/// that fold together: row `b` holds, at position `s < 2^k`, the value at
/// `ω^(t + rev_k(s)·2^(L−k))` with `t = rev_{L−k}(b)` — the `2^k` points whose `2^k`-th powers
/// are `ω^(t·2^k)`. No transpose is needed.
pub(crate) fn encode<F: TwoAdicField, E: ExtensionField<F>>(
    coeffs: &[E],
    log_domain: usize,
) -> Result<Vec<F>, WhirError> {
    let n = 1usize << log_domain;
    let d = E::DEGREE;
    let mut cols: Vec<Vec<F>> = (0..d)
        .map(|j| {
            let mut col = vec![F::ZERO; n];
            let gather = |(x, c): (&mut F, &E)| *x = c.as_base_slice()[j];
            if coeffs.len() >= PAR_MIN {
                col[..coeffs.len()].par_iter_mut().zip(coeffs.par_iter()).for_each(gather);
            } else {
                col.iter_mut().zip(coeffs).for_each(gather);
            }
            col
        })
        .collect();
    <CpuBackend as NttOps<F>>::ntt_batch(
        &mut cols,
        Direction::Forward,
        Order::NaturalToBitReversed,
        F::ONE,
    )?;
    if d == 1 {
        return Ok(cols.pop().unwrap_or_default());
    }
    let mut rows = vec![F::ZERO; n * d];
    let fill = |(i, out): (usize, &mut [F])| {
        for (o, col) in out.iter_mut().zip(&cols) {
            *o = col[i];
        }
    };
    if n >= PAR_MIN {
        rows.par_chunks_mut(d).enumerate().for_each(fill);
    } else {
        rows.chunks_mut(d).enumerate().for_each(fill);
    }
    Ok(rows)
}

/// Folds the `2^k` values `vals[j] = f(x₀·η^j)` (`η` of order `2^k`) with `alphas[0..k]`:
/// the value at `x₀^(2^k)` of the codeword of `f̂(α₀, …, α_{k−1}, ·)`.
///
/// Step `s` pairs `x` with `−x` and takes `(f(x) + f(−x))/2 + α_s·(f(x) − f(−x))/(2x)`, the
/// even part plus `α_s` times the odd part (coefficient bit `s` ↔ variable `s`).
pub(crate) fn fold_row<F: TwoAdicField, E: ExtensionField<F>>(
    mut vals: Vec<E>,
    x0: F,
    eta: F,
    alphas: &[E],
) -> Option<E> {
    let inv2 = F::TWO.inverse()?;
    let mut x = x0;
    let mut eta = eta;
    let mut size = vals.len();
    for &alpha in alphas {
        let half = size / 2;
        let x_inv = x.inverse()?;
        let eta_inv = eta.inverse()?;
        let mut xj_inv = x_inv;
        for j in 0..half {
            let a = vals[j];
            let b = vals[j + half];
            vals[j] = (a + b) * inv2 + alpha * ((a - b) * (inv2 * xj_inv));
            xj_inv *= eta_inv;
        }
        x = x.square();
        eta = eta.square();
        size = half;
    }
    vals.first().copied()
}

/// Base-field elements of the proof-of-work challenge drawn from the transcript.
const POW_CHALLENGE_LEN: usize = 4;

/// Whether `hash(challenge ‖ nonce)` has its `bits` low bits zero (first digest element).
fn pow_passes<H: MerkleHash>(digest: &H::Digest, bits: usize) -> bool
where
    H::F: PrimeField64,
    H::Digest: AsRef<[H::F]>,
{
    // WhirConfig caps the bits at ⌊log2 p⌋ − 4 (< 64); refuse anything wider rather than wrap.
    if bits >= 64 {
        return false;
    }
    let mask = (1u64 << bits) - 1;
    digest.as_ref().first().is_some_and(|x| x.as_canonical_u64() & mask == 0)
}

/// Proof of work: draws a challenge `c` (4 base-field elements) and grinds a nonce with
/// `hash_row(c ‖ nonce)` zero in its `bits` low bits, then observes the nonce. Returns the nonce
/// (zero, with nothing drawn or observed, when `bits = 0`).
///
/// The leaf hash of the Merkle scheme is used so that nonces are tried in SIMD batches
/// (`hash_rows`) on every thread; the smallest passing nonce is taken, so proofs do not depend on
/// the number of threads.
pub(crate) fn grind<F: PrimeField64, H, const W: usize, const R: usize>(
    t: &mut Transcript<F, W, R>,
    hasher: &H,
    bits: usize,
) -> Result<F, WhirError>
where
    H: MerkleHash<F = F>,
    H::Digest: AsRef<[F]>,
{
    if bits == 0 {
        return Ok(F::ZERO);
    }
    let challenge: Vec<F> = (0..POW_CHALLENGE_LEN).map(|_| t.sample()).collect();
    const BATCH: u64 = 1 << 14;
    const CHUNK: usize = 1 << 10;
    let row_len = POW_CHALLENGE_LEN + 1;
    let mut start = 0u64;
    while start < F::ORDER_U64 {
        let end = (start + BATCH).min(F::ORDER_U64);
        let found = (start..end).collect::<Vec<u64>>().par_chunks(CHUNK).find_map_first(|nonces| {
            let mut rows = Vec::with_capacity(nonces.len() * row_len);
            for &nonce in nonces {
                rows.extend_from_slice(&challenge);
                rows.push(F::from_u64(nonce));
            }
            let mut out = vec![H::Digest::default(); nonces.len()];
            hasher.hash_rows(&rows, row_len, &mut out);
            out.iter().position(|d| pow_passes::<H>(d, bits)).map(|i| nonces[i])
        });
        if let Some(nonce) = found {
            let x = F::from_u64(nonce);
            t.observe(x);
            return Ok(x);
        }
        start = end;
    }
    Err(WhirError::Params { reason: format!("no proof-of-work nonce for {bits} bits") })
}

/// Checks a proof-of-work nonce as [`grind`] made it. With `bits = 0` nothing is ground or
/// observed and the nonce must be zero (so that a proof has one form: no malleable field).
pub(crate) fn check_pow<F: PrimeField64, H, const W: usize, const R: usize>(
    t: &mut Transcript<F, W, R>,
    hasher: &H,
    bits: usize,
    nonce: F,
) -> bool
where
    H: MerkleHash<F = F>,
    H::Digest: AsRef<[F]>,
{
    if bits == 0 {
        return nonce == F::ZERO;
    }
    let mut row: Vec<F> = (0..POW_CHALLENGE_LEN).map(|_| t.sample()).collect();
    row.push(nonce);
    t.observe(nonce);
    pow_passes::<H>(&hasher.hash_row(&row), bits)
}

/// Draws `n` query indices below `2^bits`, sorted and without repeats.
pub(crate) fn sample_queries<F: PrimeField64, const W: usize, const R: usize>(
    t: &mut Transcript<F, W, R>,
    n: usize,
    bits: usize,
) -> Result<Vec<usize>, WhirError> {
    let mut idx = (0..n).map(|_| t.sample_bits(bits as u32)).collect::<Result<Vec<_>, _>>()?;
    idx.sort_unstable();
    idx.dedup();
    Ok(idx)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use zkprove_field::babybear::{BabyBear, BabyBearExt4};
    use zkprove_poly::{Mle, eq_table};

    use super::*;

    #[test]
    fn accumulate_eq_matches_eq_table() {
        let mut rng = StdRng::seed_from_u64(1);
        for m in (0..8).chain([12, 13]) {
            let p: Vec<BabyBearExt4> = (0..m).map(|_| BabyBearExt4::random(&mut rng)).collect();
            let g = BabyBearExt4::random(&mut rng);
            let mut w: Vec<BabyBearExt4> =
                (0..1 << m).map(|_| BabyBearExt4::random(&mut rng)).collect();
            let before = w.clone();
            accumulate_eq(&mut w, &p, g);
            let rev: Vec<BabyBearExt4> = p.iter().rev().copied().collect();
            let expected: Vec<BabyBearExt4> =
                before.iter().zip(eq_table(&rev)).map(|(&a, b)| a + g * b).collect();
            assert_eq!(w, expected, "m = {m}");
            // The same point's coordinates in the base field (the query points).
            let pb: Vec<BabyBear> = (0..m).map(|_| BabyBear::random(&mut rng)).collect();
            let mut wb = before.clone();
            accumulate_eq(&mut wb, &pb, g);
            let lifted: Vec<BabyBearExt4> =
                pb.iter().rev().map(|&x| BabyBearExt4::from(x)).collect();
            let expected: Vec<BabyBearExt4> =
                before.iter().zip(eq_table(&lifted)).map(|(&a, b)| a + g * b).collect();
            assert_eq!(wb, expected, "base-field point, m = {m}");
        }
    }

    #[test]
    fn accumulate_eq_batch_matches_one_by_one() {
        let mut rng = StdRng::seed_from_u64(7);
        for (m, n_q) in [(0, 1), (3, 2), (8, 5), (9, 3), (10, 17), (13, 4)] {
            let points: Vec<Vec<BabyBear>> =
                (0..n_q).map(|_| (0..m).map(|_| BabyBear::random(&mut rng)).collect()).collect();
            let gs: Vec<BabyBearExt4> = (0..n_q).map(|_| BabyBearExt4::random(&mut rng)).collect();
            let w0: Vec<BabyBearExt4> =
                (0..1 << m).map(|_| BabyBearExt4::random(&mut rng)).collect();
            let mut want = w0.clone();
            for (p, &g) in points.iter().zip(&gs) {
                accumulate_eq(&mut want, p, g);
            }
            let mut got = w0.clone();
            accumulate_eq_batch(&mut got, &points, &gs);
            assert_eq!(got, want, "m = {m}, {n_q} points");
        }
    }

    #[test]
    fn coefficients_at_pow_point_are_the_mle_value() {
        let mut rng = StdRng::seed_from_u64(2);
        let m = 6;
        let evals: Vec<BabyBear> = (0..1 << m).map(|_| BabyBear::random(&mut rng)).collect();
        let mut coeffs = evals.clone();
        evals_to_coeffs(&mut coeffs);
        let z = BabyBearExt4::random(&mut rng);
        let rev: Vec<BabyBearExt4> = pow_point(z, m).into_iter().rev().collect();
        let mle = Mle::new(evals).expect("power of two");
        assert_eq!(horner_base(&coeffs, z), mle.evaluate(&rev).expect("dims"));
    }

    /// The blocked, parallel Möbius transform is the plain one (one block, several, zero
    /// blocks), and `encode_evals` / `mle_at_pow` give `encode` and Horner of the coefficients.
    #[test]
    fn blocked_transform_and_fused_encoding_match_references() {
        let mut rng = StdRng::seed_from_u64(4);
        for m in [3, 13, 14, 16] {
            let mut evals: Vec<BabyBear> =
                (0..1usize << m).map(|_| BabyBear::random(&mut rng)).collect();
            if m == 16 {
                // A zero block inside and a zero tail, as a stacked trace has.
                evals[1 << 14..2 << 14].fill(BabyBear::ZERO);
                evals[3 << 14..].fill(BabyBear::ZERO);
            }
            let mut fast = evals.clone();
            evals_to_coeffs(&mut fast);
            let mut reference = evals.clone();
            evals_to_coeffs_ref(&mut reference);
            assert_eq!(fast, reference, "m = {m}");
            let zs: Vec<BabyBearExt4> = (0..3).map(|_| BabyBearExt4::random(&mut rng)).collect();
            let answers = mle_at_pow(&evals, &zs);
            for (z, a) in zs.iter().zip(&answers) {
                assert_eq!(*a, horner_base(&reference, *z), "m = {m}");
            }
            let log_domain = m + 1;
            assert_eq!(
                encode_evals(&evals, log_domain).expect("encodes"),
                encode::<BabyBear, BabyBear>(&reference, log_domain).expect("encodes"),
                "m = {m}"
            );
        }
    }

    #[test]
    fn blocked_horner_is_horner() {
        let mut rng = StdRng::seed_from_u64(3);
        let z = BabyBearExt4::random(&mut rng);
        // Below the threshold, a whole number of blocks, and a ragged last block.
        for len in [0, 5, 1 << 13, (1 << 13) + 1000] {
            let coeffs: Vec<BabyBear> = (0..len).map(|_| BabyBear::random(&mut rng)).collect();
            assert_eq!(horner_base_blocked(&coeffs, z), horner_base(&coeffs, z), "len {len}");
            let ext: Vec<BabyBearExt4> = coeffs.iter().map(|&c| BabyBearExt4::from(c)).collect();
            assert_eq!(horner_base_blocked(&ext, z), horner(&ext, z), "len {len}");
        }
    }
}
