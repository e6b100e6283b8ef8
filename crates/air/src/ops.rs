//! The backend operations of the AIR prover's own phases ([`AirOps`]) and the CPU
//! implementation, the oracle.
//!
//! Tables follow `zkprove-sumcheck`'s conventions: the first variable is the most significant
//! index bit, and folds go through its [`SumcheckOps`] (`fold_base`, `fold_ext`,
//! `first_entries`), so a backend that runs the sumcheck runs those too.

use rayon::prelude::*;
use zkprove_field::{ExtensionField, Field, batch_inverse_in_place};
use zkprove_poly::{Backend, ColumnOps, CpuBackend, DeviceError};
use zkprove_sumcheck::SumcheckOps;

use crate::AirError;
use crate::air::{Air, AirShape, Interaction, LinearExpr, PointBuilder};
use crate::packed_round::{PackedRows, zerocheck_round_packed};

/// The challenges the constraints are combined with in the zerocheck.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZerocheckChallenges<E> {
    /// LogUp: the shift `β` of the denominators.
    pub beta: E,
    /// LogUp: `1, γ_1, γ_2, …` combining a tuple's columns (`γ_k` independent challenges,
    /// [`fingerprint_challenges`]).
    pub gamma_pows: Vec<E>,
    /// `1, α, α², …`: one per AIR constraint, then one per LogUp term.
    pub alpha_pows: Vec<E>,
    /// The weight of the LogUp sum against the zero constraints.
    pub lambda: E,
}

/// The coefficients of a LogUp fingerprint `e_0 + γ_1·e_1 + … + γ_{w−1}·e_{w−1}` of tuples of up
/// to `width` values: `1` and `width − 1` independent challenges from the transcript. Every
/// denominator `β − fp` is then linear in `(β, γ_1, …)`, so a multiset identity that fails is
/// caught except with probability `(N − 1)/|E|` over `N` fractions, instead of `N·(w − 1)/|E|`
/// with the powers `1, γ, γ², …` of one challenge.
pub fn fingerprint_challenges<F: Field, E: ExtensionField<F>, const W: usize, const R: usize>(
    transcript: &mut zkprove_hash::Transcript<F, W, R>,
    width: usize,
) -> Vec<E> {
    let mut out = Vec::with_capacity(width.max(1));
    out.push(E::ONE);
    for _ in 1..width {
        out.push(transcript.sample_ext());
    }
    out
}

/// The zerocheck's row tables: main columns, next-row columns (when the AIR reads the next row),
/// then the first- and last-row selectors; in the base field before the first challenge, in the
/// extension afterwards.
pub enum RowTables<'a, B: Backend, F: Field, E: Field> {
    /// Before the first fold.
    Base(&'a [B::Column<F>]),
    /// After it.
    Ext(&'a [B::Column<E>]),
}

/// One zerocheck round's inputs.
pub struct ZerocheckRound<'a, B: Backend, F: Field, E: Field> {
    /// The row tables.
    pub rows: RowTables<'a, B, F, E>,
    /// The LogUp columns `h_t`.
    pub ext: &'a [B::Column<E>],
    /// `eq(τ_{>k}, ·)` over the variables after this round's (`len / 2` entries): the eq factor
    /// of the round's variable and of the bound ones is applied by the prover (Gruen's
    /// factoring, ePrint 2024/108 §3), so the constraints are evaluated at one point fewer.
    pub eq: &'a B::Column<E>,
    /// Live entries per table (`2^k`, `k ≥ 1`).
    pub len: usize,
    /// Main columns.
    pub n_columns: usize,
    /// Whether next-row tables are present.
    pub uses_next: bool,
    /// The round polynomial's degree.
    pub degree: usize,
}

/// What [`AirOps::zerocheck_round`] returns: the round's two sums as polynomials in the round's
/// variable `X`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZerocheckSums<E> {
    /// `q(X) = Σ_x eq(τ_{>k}, x)·(Σ_i α^i C_i + Σ_t α^(K+t)(h_t(β − fp_t) − 1))(X, x)` at
    /// `X = 0, 2, 3, …, degree − 1` (`q` has degree ≤ `degree − 1`; the prover derives `q(1)`
    /// from the claim).
    pub eq_part: Vec<E>,
    /// `L(X) = Σ_x Σ_t ±m_t·h_t (X, x)` at `X = 0, 1, 2` (zeros without LogUp).
    pub logup_part: [E; 3],
}

/// What a backend provides for the AIR prover, beyond the sumcheck operations.
pub trait AirOps<F: Field, E: ExtensionField<F>>:
    SumcheckOps<F, E> + ColumnOps<F> + ColumnOps<E>
{
    /// The columns one after the other, then zeros, `2^log_cols` columns in all.
    ///
    /// # Errors
    /// Backend failures.
    fn stack(columns: &[&Self::Column<F>], log_cols: usize)
    -> Result<Self::Column<F>, DeviceError>;

    /// The column moved up one row, cyclically: `out[i] = column[i + 1 mod len]`.
    ///
    /// # Errors
    /// Backend failures.
    fn next_rows(column: &Self::Column<F>) -> Result<Self::Column<F>, DeviceError>;

    /// A column of `len` zeros with a one at `row`.
    ///
    /// # Errors
    /// Backend failures.
    fn row_selector(len: usize, row: usize) -> Result<Self::Column<F>, DeviceError>;

    /// `eq(point, ·)` over the hypercube ([`zkprove_poly::eq_table`]).
    ///
    /// # Errors
    /// Backend failures.
    fn eq_table(point: &[E]) -> Result<Self::Column<E>, DeviceError>;

    /// `h = 1/(β − Σ_k γ_k·columns[k])` (`γ_0 = 1`) by batch inversion.
    ///
    /// # Errors
    /// [`AirError::LogUpDenominatorZero`] when a denominator vanishes; backend failures.
    fn logup_column(
        columns: &[&Self::Column<F>],
        beta: E,
        gamma_pows: &[E],
    ) -> Result<Self::Column<E>, AirError>;

    /// `Σ_rows Σ_t ±m_t·h_t` (the prover's check that the LogUp terms cancel).
    ///
    /// # Errors
    /// Backend failures.
    fn logup_sum(
        h: &[Self::Column<E>],
        multiplicities: &[Option<&Self::Column<F>>],
        negate: &[bool],
    ) -> Result<E, DeviceError>;

    /// The column of `expr` over `columns` (`rows` entries; a constant expression gives a
    /// constant column).
    ///
    /// # Errors
    /// Backend failures, or an expression naming a missing column.
    fn linear_column(
        columns: &[Self::Column<F>],
        expr: &LinearExpr<F>,
        rows: usize,
    ) -> Result<Self::Column<F>, DeviceError>;

    /// The `[E:F]` base coordinates of an extension-field column, each as a column.
    ///
    /// # Errors
    /// Backend failures.
    fn coordinates(column: &Self::Column<E>) -> Result<Vec<Self::Column<F>>, DeviceError>;

    /// `Σ_i a[i]·b[i]`.
    ///
    /// # Errors
    /// Backend failures or different lengths.
    fn dot(a: &Self::Column<E>, b: &Self::Column<F>) -> Result<E, DeviceError>;

    /// `a[i] + μ·a[i − 1 mod len]`: `eq(r, ·) + μ·S(r, ·)`, the kernel of the opening's
    /// reduction.
    ///
    /// # Errors
    /// Backend failures.
    fn shift_kernel(eq_r: &Self::Column<E>, mu: E) -> Result<Self::Column<E>, DeviceError>;

    /// `w[j·rows + y] = eq_s[j]·kernel[y]` for `j < eq_s.len()`.
    ///
    /// # Errors
    /// Backend failures.
    fn outer_product(eq_s: &[E], kernel: &Self::Column<E>) -> Result<Self::Column<E>, DeviceError>;

    /// `out[y] = Σ_j weights[j]·stacked[j·rows + y]` for `y < rows`: the stacked columns
    /// combined with `weights` (one per column; columns beyond them are ignored).
    ///
    /// # Errors
    /// Backend failures, or a stack shorter than `weights.len()` columns of `rows`.
    fn combine_stacked(
        stacked: &Self::Column<F>,
        weights: &[E],
        rows: usize,
    ) -> Result<Self::Column<E>, DeviceError>;

    /// `column[i] ← s·column[i]`.
    ///
    /// # Errors
    /// Backend failures.
    fn scale(column: &mut Self::Column<E>, s: E) -> Result<(), DeviceError>;

    /// The first round of `Σ p·w` with `p` in the base field: `(p(0), p(2))` of the round
    /// polynomial.
    ///
    /// # Errors
    /// Backend failures.
    fn product_round_base(p: &Self::Column<F>, w: &Self::Column<E>) -> Result<(E, E), DeviceError>;

    /// The zerocheck round's sums ([`ZerocheckSums`]): the tables at `X` (`lo + X·(hi − lo)`)
    /// and `air`'s constraints evaluated there, combined as
    /// `eq(τ_{>k}, ·)·(Σ α^i C_i + Σ_t α^(K+t)(h_t(β − fp_t) − 1))` and `Σ_t ±m_t h_t`.
    ///
    /// The constraints are Rust code ([`Air::eval`]): a device backend needs them as data (a
    /// constraint DAG recorded by a builder) or a kernel per AIR.
    ///
    /// # Errors
    /// Backend failures.
    fn zerocheck_round<A: Air<F> + ?Sized>(
        air: &A,
        shape: &AirShape,
        lookups: &[Interaction<F>],
        challenges: &ZerocheckChallenges<E>,
        round: ZerocheckRound<'_, Self, F, E>,
    ) -> Result<ZerocheckSums<E>, DeviceError>;
}

/// Evaluates every constraint of `air` at one point and combines them (see
/// [`AirOps::zerocheck_round`]); also what the verifier computes at the final point.
pub(crate) fn eval_point<F, V, E, A>(
    air: &A,
    shape: &AirShape,
    lookups: &[Interaction<F>],
    ch: &ZerocheckChallenges<E>,
    point: (&[V], &[V], V, V),
    eq: E,
    aux: &[E],
    buf: &mut Vec<V>,
) -> E
where
    F: Field,
    V: Field + From<F>,
    E: ExtensionField<V>,
    A: Air<F> + ?Sized,
{
    let (acc, sum) = eval_parts(air, shape, lookups, ch, point, aux, buf);
    eq * acc + ch.lambda * sum
}

/// The two parts of [`eval_point`]: the α-combination of the constraints (AIR and LogUp) and
/// the signed LogUp sum `Σ_t ±m_t h_t`.
pub(crate) fn eval_parts<F, V, E, A>(
    air: &A,
    shape: &AirShape,
    lookups: &[Interaction<F>],
    ch: &ZerocheckChallenges<E>,
    point: (&[V], &[V], V, V),
    aux: &[E],
    buf: &mut Vec<V>,
) -> (E, E)
where
    F: Field,
    V: Field + From<F>,
    E: ExtensionField<V>,
    A: Air<F> + ?Sized,
{
    let (current, next, first, last) = point;
    buf.clear();
    let mut b = PointBuilder { current, next, first, last, values: core::mem::take(buf) };
    air.eval(&mut b);
    let mut acc = E::ZERO;
    for (&v, &a) in b.values.iter().zip(&ch.alpha_pows) {
        acc += a * v;
    }
    *buf = b.values;
    let k = shape.n_constraints;
    let mut sum = E::ZERO;
    for (t, term) in lookups.iter().enumerate() {
        let h = aux[t];
        let mut fp = E::ZERO;
        for (&g, e) in ch.gamma_pows.iter().zip(&term.tuple) {
            fp += g * e.eval(current);
        }
        acc += ch.alpha_pows[k + t] * (h * (ch.beta - fp) - E::ONE);
        let s = h * term.multiplicity.eval(current);
        if term.negate {
            sum -= s;
        } else {
            sum += s;
        }
    }
    (acc, sum)
}

/// `Σ_t ±m_t h_t` on one row (`current` the main columns, `h` the LogUp columns there).
fn logup_sum_at<F, V, E>(lookups: &[Interaction<F>], current: &[V], h: &[E]) -> E
where
    F: Field,
    V: Field + From<F>,
    E: ExtensionField<V>,
{
    let mut sum = E::ZERO;
    for (term, &h) in lookups.iter().zip(h) {
        let s = h * term.multiplicity.eval(current);
        if term.negate {
            sum -= s;
        } else {
            sum += s;
        }
    }
    sum
}

/// Per-thread buffers of a zerocheck round.
struct RoundScratch<V, E> {
    q: Vec<E>,
    l: [E; 3],
    d_v: Vec<V>,
    cur_v: Vec<V>,
    hi_v: Vec<V>,
    d_e: Vec<E>,
    cur_e: Vec<E>,
    hi_e: Vec<E>,
    buf: Vec<V>,
}

/// The CPU zerocheck round over row tables in `V` (`F` or `E`).
///
/// The points `X = 0, 2, 3, …` are reached by adding `hi − lo` (no multiplications), and
/// `X = 1` (the `hi` row) is read only for the LogUp sum.
#[allow(clippy::too_many_arguments)]
pub(crate) fn zerocheck_round_cpu<F, V, E, A>(
    air: &A,
    shape: &AirShape,
    lookups: &[Interaction<F>],
    ch: &ZerocheckChallenges<E>,
    vt: &[Vec<V>],
    et: &[Vec<E>],
    eq: &[E],
    round: (usize, usize, bool, usize),
) -> ZerocheckSums<E>
where
    F: Field,
    V: Field + From<F>,
    E: ExtensionField<V>,
    A: Air<F> + ?Sized,
{
    let (len, m, uses_next, degree) = round;
    let half = len / 2;
    // q at X = 0, 2, …, degree − 1.
    let n_points = degree.max(2) - 1;
    let sel = if uses_next { 2 * m } else { m };
    let logup = !lookups.is_empty();
    let new_scratch = || RoundScratch {
        q: vec![E::ZERO; n_points],
        l: [E::ZERO; 3],
        d_v: vec![V::ZERO; vt.len()],
        cur_v: vec![V::ZERO; vt.len()],
        hi_v: vec![V::ZERO; if logup { vt.len() } else { 0 }],
        d_e: vec![E::ZERO; et.len()],
        cur_e: vec![E::ZERO; et.len()],
        hi_e: vec![E::ZERO; et.len()],
        buf: Vec::with_capacity(shape.n_constraints),
    };
    let sums = (0..half)
        .into_par_iter()
        .with_min_len(16)
        .fold(new_scratch, |mut s, i| {
            for (c, t) in vt.iter().enumerate() {
                s.cur_v[c] = t[i];
                s.d_v[c] = t[i + half] - t[i];
            }
            for (c, t) in et.iter().enumerate() {
                s.cur_e[c] = t[i];
                s.hi_e[c] = t[i + half];
                s.d_e[c] = t[i + half] - t[i];
            }
            if logup {
                for (c, t) in vt.iter().enumerate().take(m) {
                    s.hi_v[c] = t[i + half];
                }
                s.l[1] += logup_sum_at(lookups, &s.hi_v[..m], &s.hi_e);
            }
            let e = eq[i];
            for p in 0..n_points {
                if p == 1 {
                    // From X = 0 to X = 2.
                    for c in 0..vt.len() {
                        s.cur_v[c] += s.d_v[c].double();
                    }
                    for c in 0..et.len() {
                        s.cur_e[c] += s.d_e[c].double();
                    }
                } else if p > 1 {
                    for c in 0..vt.len() {
                        s.cur_v[c] += s.d_v[c];
                    }
                    for c in 0..et.len() {
                        s.cur_e[c] += s.d_e[c];
                    }
                }
                let next = if uses_next { &s.cur_v[m..2 * m] } else { &s.cur_v[..m] };
                let (acc, sum) = eval_parts(
                    air,
                    shape,
                    lookups,
                    ch,
                    (&s.cur_v[..m], next, s.cur_v[sel], s.cur_v[sel + 1]),
                    &s.cur_e,
                    &mut s.buf,
                );
                s.q[p] += e * acc;
                // L at X = 0 and X = 2 (points 0 and 1 of the list).
                if p < 2 {
                    s.l[2 * p] += sum;
                }
            }
            if logup && n_points < 2 {
                // Degree 2 without X = 2 in the list: L(2) = 2·L(1) − L(0) row by row.
                let l0 = logup_sum_at(lookups, &s.cur_v[..m], &s.cur_e);
                let l1 = logup_sum_at(lookups, &s.hi_v[..m], &s.hi_e);
                s.l[2] += l1.double() - l0;
            }
            s
        })
        .map(|s| (s.q, s.l))
        .reduce(
            || (vec![E::ZERO; n_points], [E::ZERO; 3]),
            |mut a, b| {
                for (x, y) in a.0.iter_mut().zip(b.0) {
                    *x += y;
                }
                for (x, y) in a.1.iter_mut().zip(b.1) {
                    *x += y;
                }
                a
            },
        );
    ZerocheckSums { eq_part: sums.0, logup_part: sums.1 }
}

fn unsupported(what: String) -> DeviceError {
    DeviceError::Unsupported { backend: "cpu", what }
}

impl<F: Field, E: ExtensionField<F>> AirOps<F, E> for CpuBackend {
    fn stack(columns: &[&Vec<F>], log_cols: usize) -> Result<Vec<F>, DeviceError> {
        let rows = columns.first().map_or(0, |c| c.len());
        if columns.len() > 1 << log_cols || columns.iter().any(|c| c.len() != rows) {
            return Err(unsupported(format!(
                "stacking {} columns into 2^{log_cols}",
                columns.len()
            )));
        }
        let mut out = Vec::with_capacity(rows << log_cols);
        for c in columns {
            out.extend_from_slice(c);
        }
        out.resize(rows << log_cols, F::ZERO);
        Ok(out)
    }

    fn next_rows(column: &Vec<F>) -> Result<Vec<F>, DeviceError> {
        let mut out = column.clone();
        if !out.is_empty() {
            out.rotate_left(1);
        }
        Ok(out)
    }

    fn row_selector(len: usize, row: usize) -> Result<Vec<F>, DeviceError> {
        let mut out = vec![F::ZERO; len];
        *out.get_mut(row).ok_or_else(|| unsupported(format!("row {row} of {len}")))? = F::ONE;
        Ok(out)
    }

    fn eq_table(point: &[E]) -> Result<Vec<E>, DeviceError> {
        Ok(zkprove_poly::eq_table(point))
    }

    fn logup_column(columns: &[&Vec<F>], beta: E, gamma_pows: &[E]) -> Result<Vec<E>, AirError> {
        let rows = columns.first().map_or(0, |c| c.len());
        let mut h: Vec<E> = (0..rows)
            .into_par_iter()
            .map(|i| beta - gamma_pows.iter().zip(columns).map(|(&g, c)| g * c[i]).sum::<E>())
            .collect();
        if h.par_iter().any(|x| x.is_zero()) {
            return Err(AirError::LogUpDenominatorZero);
        }
        batch_inverse_in_place(&mut h);
        Ok(h)
    }

    fn logup_sum(
        h: &[Vec<E>],
        multiplicities: &[Option<&Vec<F>>],
        negate: &[bool],
    ) -> Result<E, DeviceError> {
        let rows = h.first().map_or(0, Vec::len);
        Ok((0..rows)
            .into_par_iter()
            .map(|i| {
                let mut s = E::ZERO;
                for ((h, m), &neg) in h.iter().zip(multiplicities).zip(negate) {
                    let v = match m {
                        Some(m) => h[i] * m[i],
                        None => h[i],
                    };
                    if neg {
                        s -= v;
                    } else {
                        s += v;
                    }
                }
                s
            })
            .sum())
    }

    fn coordinates(column: &Vec<E>) -> Result<Vec<Vec<F>>, DeviceError> {
        Ok((0..E::DEGREE)
            .map(|k| column.par_iter().map(|x| x.as_base_slice()[k]).collect())
            .collect())
    }

    fn dot(a: &Vec<E>, b: &Vec<F>) -> Result<E, DeviceError> {
        if a.len() != b.len() {
            return Err(unsupported(format!("dot of {} and {} entries", a.len(), b.len())));
        }
        Ok(a.par_iter().zip(b.par_iter()).with_min_len(4096).map(|(&x, &y)| x * y).sum())
    }

    fn shift_kernel(eq_r: &Vec<E>, mu: E) -> Result<Vec<E>, DeviceError> {
        let n = eq_r.len();
        Ok((0..n).into_par_iter().map(|y| eq_r[y] + mu * eq_r[(y + n - 1) % n]).collect())
    }

    fn outer_product(eq_s: &[E], kernel: &Vec<E>) -> Result<Vec<E>, DeviceError> {
        Ok(eq_s.iter().flat_map(|&s| kernel.iter().map(move |&k| s * k)).collect())
    }

    fn combine_stacked(
        stacked: &Vec<F>,
        weights: &[E],
        rows: usize,
    ) -> Result<Vec<E>, DeviceError> {
        if stacked.len() < weights.len() * rows {
            return Err(unsupported(format!(
                "{} columns of {rows} in a stack of {}",
                weights.len(),
                stacked.len()
            )));
        }
        // Row blocks in parallel, every column into the block (the block stays in cache).
        const BLOCK: usize = 1024;
        let mut out = vec![E::ZERO; rows];
        out.par_chunks_mut(BLOCK).enumerate().for_each(|(b, chunk)| {
            let start = b * BLOCK;
            for (j, &wj) in weights.iter().enumerate() {
                let col = &stacked[j * rows + start..j * rows + start + chunk.len()];
                for (o, &x) in chunk.iter_mut().zip(col) {
                    *o += wj * x;
                }
            }
        });
        Ok(out)
    }

    fn scale(column: &mut Vec<E>, s: E) -> Result<(), DeviceError> {
        column.par_iter_mut().with_min_len(4096).for_each(|x| *x *= s);
        Ok(())
    }

    fn product_round_base(p: &Vec<F>, w: &Vec<E>) -> Result<(E, E), DeviceError> {
        if p.len() != w.len() || p.len() < 2 {
            return Err(unsupported(format!("product of {} and {} entries", p.len(), w.len())));
        }
        let half = p.len() / 2;
        let two = F::TWO;
        Ok((0..half)
            .into_par_iter()
            .with_min_len(1024)
            .map(|i| {
                let (pl, ph, wl, wh) = (p[i], p[i + half], w[i], w[i + half]);
                (wl * pl, (wh * two - wl) * (ph * two - pl))
            })
            .reduce(|| (E::ZERO, E::ZERO), |a, b| (a.0 + b.0, a.1 + b.1)))
    }

    fn zerocheck_round<A: Air<F> + ?Sized>(
        air: &A,
        shape: &AirShape,
        lookups: &[Interaction<F>],
        challenges: &ZerocheckChallenges<E>,
        round: ZerocheckRound<'_, Self, F, E>,
    ) -> Result<ZerocheckSums<E>, DeviceError> {
        let args = (round.len, round.n_columns, round.uses_next, round.degree);
        let (ch, ext, eq) = (challenges, round.ext, round.eq);
        if eq.len() * 2 != round.len {
            return Err(unsupported(format!("eq table of {} for {} rows", eq.len(), round.len)));
        }
        Ok(match round.rows {
            // SIMD lanes where the field and extension allow it (the same sums, see
            // `packed_round`), else row by row.
            RowTables::Base(vt) => {
                let rows = PackedRows::Base(vt);
                zerocheck_round_packed(air, shape, lookups, ch, rows, ext, eq, args).unwrap_or_else(
                    || {
                        zerocheck_round_cpu::<F, F, E, A>(
                            air, shape, lookups, ch, vt, ext, eq, args,
                        )
                    },
                )
            }
            RowTables::Ext(vt) => {
                let rows = PackedRows::Ext(vt);
                zerocheck_round_packed(air, shape, lookups, ch, rows, ext, eq, args).unwrap_or_else(
                    || {
                        zerocheck_round_cpu::<F, E, E, A>(
                            air, shape, lookups, ch, vt, ext, eq, args,
                        )
                    },
                )
            }
        })
    }

    fn linear_column(
        columns: &[Vec<F>],
        expr: &LinearExpr<F>,
        rows: usize,
    ) -> Result<Vec<F>, DeviceError> {
        if let Some(j) = expr.terms.iter().map(|&(j, _)| j).find(|&j| j >= columns.len()) {
            return Err(unsupported(format!("column {j} of {}", columns.len())));
        }
        Ok((0..rows)
            .into_par_iter()
            .with_min_len(1024)
            .map(|i| {
                let mut acc = expr.constant;
                for &(j, c) in &expr.terms {
                    acc += c * columns[j][i];
                }
                acc
            })
            .collect())
    }
}
