//! The NTT backend trait and its CPU implementation.
//!
//! Conventions: a column of length `n = 2^log_n` holds either coefficients `c₀ … c_{n−1}` or
//! evaluations on the coset `s·H`, where `H = ⟨ω⟩` with `ω = F::two_adic_generator(log_n)` and `s`
//! the shift (1 for the subgroup itself): evaluation `i` is `p(s·ωⁱ)`. The forward transform maps
//! coefficients to evaluations, the inverse one maps evaluations back (including the `1/n` factor).
//!
//! CPU algorithm: Gentleman–Sande (decimation in frequency, natural → bit-reversed) and
//! Cooley–Tukey (decimation in time, bit-reversed → natural) with per-stage contiguous twiddles, so
//! butterflies run on SIMD lanes (`zkprove_field::ntt_packed`, on the packing that
//! `Field::with_packing` picks at run time, so a baseline build uses the CPU's SIMD). Arrays larger than a cache chunk are split recursively:
//! one radix-2² pass (two stages per pass over memory) and then four independent quarter-size
//! transforms in parallel (`rayon::join`), until a piece fits a chunk and all its remaining stages
//! run in cache; the stages narrower than a SIMD vector run on transposed `W × W` tiles, and
//! butterflies whose twiddle is one skip the multiplication.

use std::sync::Arc;

use rayon::prelude::*;
use zkprove_field::{Field, PackedField, PackedKernel, TwoAdicField, ntt_packed, packing_width};

use crate::ntt_rows::{bit_reverse_rows, dif_rec, dit_rec};
use crate::twiddles::{Twiddles, twiddles};
use crate::{Backend, CpuBackend, PolyError};

/// Which way a transform goes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Coefficients → evaluations.
    Forward,
    /// Evaluations → coefficients (scaled by `1/n`).
    Inverse,
}

/// Input → output ordering of a transform. Bit-reversed orders skip a permutation pass; protocols
/// that only need *some* fixed order (FRI folding, Merkle commitments) use them.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Order {
    /// Natural order in and out.
    NaturalToNatural,
    /// Natural order in, bit-reversed order out.
    NaturalToBitReversed,
    /// Bit-reversed order in, natural order out.
    BitReversedToNatural,
}

/// NTTs on a backend's columns. Only [`NttOps::ntt_batch`] is required; the rest are conveniences.
pub trait NttOps<F: TwoAdicField>: Backend {
    /// Transforms every column of `cols` (all of one power-of-two length) in place, over the coset
    /// `shift·H` (`shift = F::ONE` for the subgroup).
    ///
    /// # Errors
    /// [`PolyError::NotPowerOfTwo`], [`PolyError::TooLarge`] (beyond the field's two-adicity),
    /// [`PolyError::LengthMismatch`] between columns, [`PolyError::ZeroShift`].
    fn ntt_batch(
        cols: &mut [Self::Column<F>],
        direction: Direction,
        order: Order,
        shift: F,
    ) -> Result<(), PolyError>;

    /// Coefficients → evaluations on `H`, natural order.
    ///
    /// # Errors
    /// As [`NttOps::ntt_batch`].
    fn ntt(col: &mut Self::Column<F>) -> Result<(), PolyError> {
        Self::ntt_batch(
            core::slice::from_mut(col),
            Direction::Forward,
            Order::NaturalToNatural,
            F::ONE,
        )
    }

    /// Evaluations on `H` → coefficients, natural order.
    ///
    /// # Errors
    /// As [`NttOps::ntt_batch`].
    fn intt(col: &mut Self::Column<F>) -> Result<(), PolyError> {
        Self::ntt_batch(
            core::slice::from_mut(col),
            Direction::Inverse,
            Order::NaturalToNatural,
            F::ONE,
        )
    }

    /// Coefficients → evaluations on `shift·H`, natural order.
    ///
    /// # Errors
    /// As [`NttOps::ntt_batch`].
    fn coset_ntt(col: &mut Self::Column<F>, shift: F) -> Result<(), PolyError> {
        Self::ntt_batch(
            core::slice::from_mut(col),
            Direction::Forward,
            Order::NaturalToNatural,
            shift,
        )
    }

    /// Evaluations on `shift·H` → coefficients, natural order.
    ///
    /// # Errors
    /// As [`NttOps::ntt_batch`].
    fn coset_intt(col: &mut Self::Column<F>, shift: F) -> Result<(), PolyError> {
        Self::ntt_batch(
            core::slice::from_mut(col),
            Direction::Inverse,
            Order::NaturalToNatural,
            shift,
        )
    }
}

impl<F: TwoAdicField> NttOps<F> for CpuBackend {
    fn ntt_batch(
        cols: &mut [Vec<F>],
        direction: Direction,
        order: Order,
        shift: F,
    ) -> Result<(), PolyError> {
        let Some(first) = cols.first() else { return Ok(()) };
        let n = first.len();
        if let Some(bad) = cols.iter().find(|c| c.len() != n) {
            return Err(PolyError::LengthMismatch { expected: n, got: bad.len() });
        }
        if !n.is_power_of_two() {
            return Err(PolyError::NotPowerOfTwo { len: n });
        }
        if shift.is_zero() {
            return Err(PolyError::ZeroShift);
        }
        let log_n = n.trailing_zeros() as usize;
        let tw = column_twiddles::<F>(log_n, direction)?;
        // Scaling by powers of the shift (and 1/n for the inverse), precomputed once for the batch.
        let scale = Scaling::new(n, direction, order, shift);
        let nn_post = (direction == Direction::Inverse && order == Order::NaturalToNatural)
            .then(|| Scaling::new(n, direction, Order::NaturalToBitReversed, shift))
            .flatten();
        // Groups of W columns (W = SIMD width of a packed field) are transformed together, one
        // packed vector per row: every butterfly is then a full-width SIMD operation with a scalar
        // twiddle. The other columns go one by one. Both in parallel; each transform splits further.
        let width = packing_width::<F>();
        let n_grouped = if width > 1 && n >= 2 { cols.len() / width * width } else { 0 };
        let (grouped, rest) = cols.split_at_mut(n_grouped);
        rayon::join(
            || {
                grouped.par_chunks_mut(width.max(1)).for_each(|g| {
                    transform_rows(g, &tw, direction, order, scale.as_ref(), nn_post.as_ref())
                })
            },
            || {
                rest.par_iter_mut()
                    .for_each(|c| transform(c, &tw, direction, order, scale.as_ref()))
            },
        );
        Ok(())
    }
}

/// Moves a column of evaluations on `H` (natural order) to evaluations on the coset `shift·H`
/// (natural order), in place, on the CPU: the inverse transform to bit-reversed coefficients, one
/// pass multiplying coefficient `i` by `shiftⁱ/n`, and the forward transform back to natural
/// order. The same values as [`NttOps::ntt_batch`] with ([`Direction::Inverse`],
/// [`Order::NaturalToBitReversed`], `1`) then ([`Direction::Forward`],
/// [`Order::BitReversedToNatural`], `shift`), whose two scaling passes (`1/n`, then the powers of
/// the shift: two products per element each) are fused into one. Groth16's quotient moves three
/// columns this way.
///
/// # Errors
/// As [`NttOps::ntt_batch`].
pub fn coset_move<F: TwoAdicField>(data: &mut [F], shift: F) -> Result<(), PolyError> {
    let n = data.len();
    if !n.is_power_of_two() {
        return Err(PolyError::NotPowerOfTwo { len: n });
    }
    if shift.is_zero() {
        return Err(PolyError::ZeroShift);
    }
    let log_n = n.trailing_zeros() as usize;
    let tw_inv = column_twiddles::<F>(log_n, Direction::Inverse)?;
    transform(data, &tw_inv, Direction::Inverse, Order::NaturalToBitReversed, None);
    drop(tw_inv);
    // The inverse transform's 1/n (a constant; `None` for n = 1) folded into the forward scaling
    // of the bit-reversed coefficients by `shift^rev(i)` (`None` for shift = 1).
    let inverse = Scaling::new(n, Direction::Inverse, Order::NaturalToBitReversed, F::ONE);
    let forward = Scaling::new(n, Direction::Forward, Order::BitReversedToNatural, shift);
    let scale = match (forward, inverse) {
        (Some(mut f), Some(i)) => {
            f.start *= i.start;
            Some(f)
        }
        (f, i) => f.or(i),
    };
    if let Some(s) = scale {
        s.apply(data);
    }
    let tw = column_twiddles::<F>(log_n, Direction::Forward)?;
    transform(data, &tw, Direction::Forward, Order::BitReversedToNatural, None);
    Ok(())
}

/// Elements per cache block: stages whose blocks fit are run together, chunk by chunk.
const CHUNK: usize = 1 << 12;

/// The per-position factors `start·base^e(i)` to apply before a forward or after an inverse
/// transform (on the coefficient side), where `e(i) = i`, or its bit reversal when the coefficient
/// side is bit-reversed. Produced chunk by chunk from two small tables instead of one table of
/// `n` factors, so a coset transform needs no extra column of memory.
pub(crate) struct Scaling<F> {
    start: F,
    base: F,
    log_n: u32,
    bit_reversed: bool,
    /// `log2` of the chunk length the factors are produced in.
    log_chunk: u32,
    /// Natural order: `base^j`; bit-reversed: `base^(rev(j)·n/chunk)`, for `j < chunk`.
    table: Vec<F>,
}

impl<F: TwoAdicField> Scaling<F> {
    /// `None` when every factor is one (a forward transform on the subgroup itself).
    pub(crate) fn new(n: usize, direction: Direction, order: Order, shift: F) -> Option<Self> {
        let (base, start) = match direction {
            Direction::Forward => (shift, F::ONE),
            // 1/n exists: n is a power of two below the field's characteristic.
            Direction::Inverse => (shift.inverse()?, F::from_u64(n as u64).inverse()?),
        };
        if base.is_one() && start.is_one() {
            return None;
        }
        let log_n = n.trailing_zeros();
        let log_chunk = log_n.min(ROW_CHUNK.trailing_zeros());
        let chunk = 1usize << log_chunk;
        // The coefficient side is bit-reversed for a forward BitReversedToNatural and an inverse
        // NaturalToBitReversed transform.
        let bit_reversed = matches!(
            (direction, order),
            (Direction::Forward, Order::BitReversedToNatural)
                | (Direction::Inverse, Order::NaturalToBitReversed)
        );
        let step = if bit_reversed { base.pow((n / chunk) as u64) } else { base };
        let mut table = Vec::with_capacity(chunk);
        let mut cur = F::ONE;
        for _ in 0..chunk {
            table.push(cur);
            cur *= step;
        }
        if bit_reversed {
            bit_reverse_permute(&mut table);
        }
        Some(Self { start, base, log_n, bit_reversed, log_chunk, table })
    }

    /// The factors for positions `offset..offset + out.len()`; `offset` is a multiple of the chunk
    /// length and `out` at most one chunk long.
    fn fill(&self, offset: usize, out: &mut [F]) {
        let chunk_index = offset >> self.log_chunk;
        // Position i = chunk_index·chunk + j: e(i) = i, or rev(i) = rev(j)·n/chunk + rev(chunk_index).
        let exponent = if self.bit_reversed {
            let bits = self.log_n - self.log_chunk;
            if bits == 0 { 0 } else { chunk_index.reverse_bits() >> (usize::BITS - bits) }
        } else {
            offset
        };
        let c = self.start * self.base.pow(exponent as u64);
        for (o, t) in out.iter_mut().zip(&self.table) {
            *o = c * *t;
        }
    }

    /// Multiplies `data` (length n) by the factors, in parallel chunks.
    fn apply(&self, data: &mut [F]) {
        let chunk = 1usize << self.log_chunk;
        data.par_chunks_mut(chunk).enumerate().for_each(|(k, d)| {
            let mut factors = vec![F::ZERO; d.len()];
            self.fill(k * chunk, &mut factors);
            mul_pointwise(d, &factors);
        });
    }
}

/// Whether the inverse column transform of `F` runs on the forward twiddles (see
/// [`column_twiddles`]): for fields transformed one element at a time (no SIMD packing) and wide
/// enough that a second table matters — BN254 Fr, whose table for 2^16 points is 2 MB.
#[inline]
pub(crate) fn negates_for_inverse<F: TwoAdicField>() -> bool {
    F::Packing::WIDTH == 1 && core::mem::size_of::<F>() >= 16
}

/// The twiddles [`transform`] expects for `direction`. The inverse DFT is the forward one with the
/// indices negated (`Σ_k X_k ω^{−jk} = Σ_k X_{−k} ω^{jk}`), so for the fields of
/// [`negates_for_inverse`] an inverse transform reuses the forward table and [`transform`] swaps
/// `k ↔ n − k` on the natural-order side: one cheap pass instead of a second cached table.
pub(crate) fn column_twiddles<F: TwoAdicField>(
    log_n: usize,
    direction: Direction,
) -> Result<Arc<Twiddles<F>>, PolyError> {
    let inverse = direction == Direction::Inverse && !negates_for_inverse::<F>();
    twiddles::<F>(log_n, inverse).ok_or(PolyError::TooLarge { log_n, two_adicity: F::TWO_ADICITY })
}

/// Swaps `data[k]` and `data[n − k]` for `0 < k < n/2` (index negation modulo `n`), in parallel.
fn negate_indices<F: Send>(data: &mut [F]) {
    let n = data.len();
    if n < 4 {
        return;
    }
    let (low, high) = data[1..].split_at_mut(n / 2 - 1);
    // low[i] = data[1 + i] pairs with data[n − 1 − i] = high[n/2 − 1 − i]; high[0] = data[n/2] stays.
    low.par_iter_mut()
        .with_min_len(1 << 12)
        .zip(high[1..].par_iter_mut().rev())
        .for_each(|(a, b)| core::mem::swap(a, b));
}

/// One column transform with twiddles from [`column_twiddles`].
pub(crate) fn transform<F: TwoAdicField>(
    data: &mut [F],
    tw: &Twiddles<F>,
    direction: Direction,
    order: Order,
    scale: Option<&Scaling<F>>,
) {
    if direction == Direction::Forward
        && let Some(s) = scale
    {
        s.apply(data);
    }
    let negate = direction == Direction::Inverse && negates_for_inverse::<F>();
    // Negate where the order is natural: the input unless only the output is.
    let negate_input = negate && order != Order::BitReversedToNatural;
    if negate_input {
        negate_indices(data);
    }
    match order {
        Order::NaturalToBitReversed => dif(data, tw),
        Order::BitReversedToNatural => dit(data, tw),
        Order::NaturalToNatural => {
            dif(data, tw);
            bit_reverse_permute(data);
        }
    }
    if negate && !negate_input {
        negate_indices(data);
    }
    if direction == Direction::Inverse
        && let Some(s) = scale
    {
        s.apply(data);
    }
}

/// Rows per cache chunk in the row-packed batch transform (a row is one packed vector).
const ROW_CHUNK: usize = 1 << 11;

/// Transforms `W` columns together (`W` = the width of the packing picked at run time,
/// [`packing_width`]). The stages over blocks larger than a row
/// chunk run on each column in place, packed along the column (the radix-4 passes of [`dif`] /
/// [`dit`]); each chunk-sized sub-block then runs its remaining stages (an independent transform
/// of its own) on a small buffer of packed rows — lane `c` of row `i` is element `i` of column
/// `c`, so every butterfly is full-width with a scalar twiddle — filled from the columns and
/// written back. Coset and `1/n` factors ride on that fill or write-back where the chunk phase is
/// the first or last to touch the data. No matrix-sized buffer is made.
///
/// `nn_post`: for an inverse natural → natural transform, the output factors at bit-reversed
/// positions (they are applied before the final bit reversal).
fn transform_rows<F: TwoAdicField>(
    group: &mut [Vec<F>],
    tw: &Twiddles<F>,
    direction: Direction,
    order: Order,
    scale: Option<&Scaling<F>>,
    nn_post: Option<&Scaling<F>>,
) {
    let n = group[0].len();
    let chunk = ROW_CHUNK.min(n);
    let big = n > chunk;
    let dit_order = order == Order::BitReversedToNatural;
    let (pre, post) = match direction {
        Direction::Forward => (scale, None),
        Direction::Inverse => {
            (None, if order == Order::NaturalToNatural { nn_post } else { scale })
        }
    };
    // The column passes come first for DIF, last for DIT: the input factors go on the columns in
    // the first case, the output factors in the second; the chunk phase takes the others.
    let cols_first = big && !dit_order;
    let cols_last = big && dit_order;
    let (pre_cols, pre_rows) = if cols_first { (pre, None) } else { (None, pre) };
    let (post_cols, post_rows) = if cols_last { (post, None) } else { (None, post) };
    if cols_first {
        group.par_iter_mut().for_each(|col| {
            if let Some(s) = pre_cols {
                s.apply(col);
            }
            dif_split(col, tw, chunk, &|_| {});
        });
    }
    let lanes = group.len();
    for_each_row_chunk_lanes(group, chunk, |c, buf: &mut [F]| {
        let offset = c * chunk;
        if let Some(s) = pre_rows {
            scale_rows(buf, lanes, s, offset);
        }
        if dit_order {
            dit_rec(buf, lanes, tw, 0, None, None);
        } else {
            dif_rec(buf, lanes, tw, 0, None, None);
        }
        if let Some(s) = post_rows {
            scale_rows(buf, lanes, s, offset);
        }
    });
    if cols_last {
        group.par_iter_mut().for_each(|col| {
            dit_split(col, tw, chunk, &|_| {});
            if let Some(s) = post_cols {
                s.apply(col);
            }
        });
    }
    if order == Order::NaturalToNatural {
        group.par_iter_mut().for_each(|col| bit_reverse_permute(col));
    }
}

/// Multiplies rows `offset..` (rows of `lanes` values, one chunk at most) by the factors of `s`,
/// on the packing picked at run time.
fn scale_rows<F: TwoAdicField>(rows: &mut [F], lanes: usize, s: &Scaling<F>, offset: usize) {
    struct Scale<'a, F> {
        rows: &'a mut [F],
        lanes: usize,
        factors: &'a [F],
    }
    impl<F: Field> PackedKernel<F> for Scale<'_, F> {
        type Output = ();
        #[inline(always)]
        fn run<P: PackedField<Scalar = F>>(self) {
            let Self { rows, lanes, factors } = self;
            if P::WIDTH > 1 && lanes.is_multiple_of(P::WIDTH) {
                let wp = lanes / P::WIDTH;
                for (r, f) in P::pack_slice_mut(rows).chunks_exact_mut(wp).zip(factors) {
                    let f = P::broadcast(*f);
                    for x in r {
                        *x *= f;
                    }
                }
            } else {
                for (r, f) in rows.chunks_exact_mut(lanes).zip(factors) {
                    for x in r {
                        *x *= *f;
                    }
                }
            }
        }
    }
    let mut factors = vec![F::ZERO; rows.len() / lanes.max(1)];
    s.fill(offset, &mut factors);
    F::with_packing(Scale { rows, lanes, factors: &factors });
}

/// Runs `f(c, rows)` for every chunk `c` of `chunk` rows of the columns `group`, in parallel, on a
/// row-major buffer gathered from the columns (row `r`, lane `l` at `rows[r·L + l]`, `L` =
/// `group.len()`, lane `l` = column `l`) and scattered back afterwards.
pub(crate) fn for_each_row_chunk_lanes<F, Fun>(group: &mut [Vec<F>], chunk: usize, f: Fun)
where
    F: Field,
    Fun: Fn(usize, &mut [F]) + Sync,
{
    let n = group[0].len();
    let lanes = group.len();
    let mut parts: Vec<Vec<&mut [F]>> = (0..n.div_ceil(chunk)).map(|_| Vec::new()).collect();
    for col in group.iter_mut() {
        for (c, part) in col.chunks_mut(chunk).enumerate() {
            parts[c].push(part);
        }
    }
    parts.into_par_iter().enumerate().for_each_init(
        || vec![F::ZERO; chunk * lanes],
        |buf, (c, mut cols)| {
            let rows = &mut buf[..cols[0].len() * lanes];
            for (lane, col) in cols.iter().enumerate() {
                for (r, x) in rows.chunks_exact_mut(lanes).zip(col.iter()) {
                    r[lane] = *x;
                }
            }
            f(c, rows);
            for (lane, col) in cols.iter_mut().enumerate() {
                for (x, r) in col.iter_mut().zip(rows.chunks_exact(lanes)) {
                    *x = r[lane];
                }
            }
        },
    );
}

/// `data[i] *= s[i]`, in parallel chunks, each on the packing picked at run time.
fn mul_pointwise<F: Field>(data: &mut [F], s: &[F]) {
    struct MulPointwise<'a, F>(&'a mut [F], &'a [F]);
    impl<F: Field> PackedKernel<F> for MulPointwise<'_, F> {
        type Output = ();
        #[inline(always)]
        fn run<P: PackedField<Scalar = F>>(self) {
            let MulPointwise(d, s) = self;
            let (pd, sd) = P::pack_slice_with_suffix_mut(d);
            let n_packed = pd.len() * P::WIDTH;
            let ps = P::pack_slice(&s[..n_packed]);
            for (x, y) in pd.iter_mut().zip(ps) {
                *x *= *y;
            }
            for (x, y) in sd.iter_mut().zip(&s[n_packed..]) {
                *x *= *y;
            }
        }
    }
    data.par_chunks_mut(CHUNK)
        .zip(s.par_chunks(CHUNK))
        .for_each(|(d, s)| F::with_packing(MulPointwise(d, s)));
}

/// Decimation in frequency: natural order in, bit-reversed out (stages from half-size n/2 down
/// to 1).
///
/// Recursive split: while the array is larger than a cache chunk, one pass applies the top two
/// stages (radix-2², so half as many passes over memory), after which the four quarters are
/// independent DIFs of a quarter of the size (DIF twiddles depend on the stage and the position in
/// the block only), run in parallel with `rayon::join`. Once a quarter fits a chunk, all its stages
/// run in cache, the last `log2(W)` of them on transposed SIMD tiles.
fn dif<F: TwoAdicField>(data: &mut [F], tw: &Twiddles<F>) {
    dif_split(data, tw, CHUNK, &|d| dif_in_cache(d, tw));
}

/// The passes of [`dif`] over blocks larger than `leaf` elements, then `run_leaf` on each block of
/// `leaf` elements (which holds an independent DIF of its own).
fn dif_split<F: TwoAdicField>(
    data: &mut [F],
    tw: &Twiddles<F>,
    leaf: usize,
    run_leaf: &(impl Fn(&mut [F]) + Sync),
) {
    let n = data.len();
    if n <= leaf {
        run_leaf(data);
        return;
    }
    if n > 2 * leaf {
        let q = n / 4;
        let (w1, w2) = (tw.stage(2 * q), tw.stage(q));
        let (w1a, w1b) = w1.split_at(q);
        let (h0, h1) = data.split_at_mut(2 * q);
        let (q0, q1) = h0.split_at_mut(q);
        let (q2, q3) = h1.split_at_mut(q);
        let c = CHUNK / 4;
        q0.par_chunks_mut(c)
            .zip(q1.par_chunks_mut(c))
            .zip(q2.par_chunks_mut(c))
            .zip(q3.par_chunks_mut(c))
            .zip(w1a.par_chunks(c).zip(w1b.par_chunks(c)).zip(w2.par_chunks(c)))
            .for_each(|((((a0, a1), a2), a3), ((w1a, w1b), w2))| {
                ntt_packed::run_dif_radix4::<F>(a0, a1, a2, a3, w1a, w1b, w2)
            });
        rayon::join(
            || {
                rayon::join(
                    || dif_split(q0, tw, leaf, run_leaf),
                    || dif_split(q1, tw, leaf, run_leaf),
                )
            },
            || {
                rayon::join(
                    || dif_split(q2, tw, leaf, run_leaf),
                    || dif_split(q3, tw, leaf, run_leaf),
                )
            },
        );
    } else {
        let h = n / 2;
        let w = tw.stage(h);
        let (lo, hi) = data.split_at_mut(h);
        lo.par_chunks_mut(CHUNK / 2)
            .zip(hi.par_chunks_mut(CHUNK / 2))
            .zip(w.par_chunks(CHUNK / 2))
            .for_each(|((lo, hi), w)| ntt_packed::run_dif_butterflies(lo, hi, w));
        rayon::join(|| dif_split(lo, tw, leaf, run_leaf), || dif_split(hi, tw, leaf, run_leaf));
    }
}

/// Every DIF stage of a chunk-sized array (the field's kernels, on the packing picked at run time).
fn dif_in_cache<F: TwoAdicField>(data: &mut [F], tw: &Twiddles<F>) {
    ntt_packed::run_dif_all(data, tw.table());
}

/// Decimation in time: bit-reversed order in, natural out (stages from half-size 1 up to n/2); the
/// mirror image of [`dif`].
fn dit<F: TwoAdicField>(data: &mut [F], tw: &Twiddles<F>) {
    dit_split(data, tw, CHUNK, &|d| dit_in_cache(d, tw));
}

/// `run_leaf` on each block of `leaf` elements, then the passes of [`dit`] over larger blocks.
fn dit_split<F: TwoAdicField>(
    data: &mut [F],
    tw: &Twiddles<F>,
    leaf: usize,
    run_leaf: &(impl Fn(&mut [F]) + Sync),
) {
    let n = data.len();
    if n <= leaf {
        run_leaf(data);
        return;
    }
    if n > 2 * leaf {
        let q = n / 4;
        let (w1, w2) = (tw.stage(2 * q), tw.stage(q));
        let (w1a, w1b) = w1.split_at(q);
        let (h0, h1) = data.split_at_mut(2 * q);
        let (q0, q1) = h0.split_at_mut(q);
        let (q2, q3) = h1.split_at_mut(q);
        rayon::join(
            || {
                rayon::join(
                    || dit_split(q0, tw, leaf, run_leaf),
                    || dit_split(q1, tw, leaf, run_leaf),
                )
            },
            || {
                rayon::join(
                    || dit_split(q2, tw, leaf, run_leaf),
                    || dit_split(q3, tw, leaf, run_leaf),
                )
            },
        );
        let c = CHUNK / 4;
        q0.par_chunks_mut(c)
            .zip(q1.par_chunks_mut(c))
            .zip(q2.par_chunks_mut(c))
            .zip(q3.par_chunks_mut(c))
            .zip(w1a.par_chunks(c).zip(w1b.par_chunks(c)).zip(w2.par_chunks(c)))
            .for_each(|((((a0, a1), a2), a3), ((w1a, w1b), w2))| {
                ntt_packed::run_dit_radix4::<F>(a0, a1, a2, a3, w1a, w1b, w2)
            });
    } else {
        let h = n / 2;
        let w = tw.stage(h);
        let (lo, hi) = data.split_at_mut(h);
        rayon::join(|| dit_split(lo, tw, leaf, run_leaf), || dit_split(hi, tw, leaf, run_leaf));
        lo.par_chunks_mut(CHUNK / 2)
            .zip(hi.par_chunks_mut(CHUNK / 2))
            .zip(w.par_chunks(CHUNK / 2))
            .for_each(|((lo, hi), w)| ntt_packed::run_dit_butterflies(lo, hi, w));
    }
}

/// Every DIT stage of a chunk-sized array (the field's kernels, on the packing picked at run time).
fn dit_in_cache<F: TwoAdicField>(data: &mut [F], tw: &Twiddles<F>) {
    ntt_packed::run_dit_all(data, tw.table());
}

/// Permutes `data` (power-of-two length) into bit-reversed index order, in parallel.
///
/// Large arrays are permuted in place tile by tile ([`bit_reverse_rows`] with rows of one element).
///
/// # Panics
/// If the length is not a power of two (callers check first).
pub fn bit_reverse_permute<T: Copy + Send + Sync>(data: &mut [T]) {
    let n = data.len();
    if n <= 2 {
        return;
    }
    assert!(n.is_power_of_two(), "bit reversal needs a power-of-two length, got {n}");
    let shift = usize::BITS - n.trailing_zeros();
    if n <= CHUNK {
        for i in 0..n {
            let j = i.reverse_bits() >> shift;
            if i < j {
                data.swap(i, j);
            }
        }
        return;
    }
    // The blocked in-place permutation of rows, with rows of one element.
    bit_reverse_rows(data, 1);
}

/// The O(n²) oracle: evaluations of the polynomial with coefficients `coeffs` at `shift·ωⁱ`,
/// `ω = F::two_adic_generator(log2 n)`, natural order.
///
/// # Errors
/// As [`NttOps::ntt_batch`] for the length.
pub fn naive_dft<F: TwoAdicField>(coeffs: &[F], shift: F) -> Result<Vec<F>, PolyError> {
    let n = coeffs.len();
    if !n.is_power_of_two() {
        return Err(PolyError::NotPowerOfTwo { len: n });
    }
    let log_n = n.trailing_zeros() as usize;
    let omega = F::two_adic_generator(log_n)
        .ok_or(PolyError::TooLarge { log_n, two_adicity: F::TWO_ADICITY })?;
    let mut x = shift;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        // Horner at x.
        out.push(coeffs.iter().rev().fold(F::ZERO, |acc, &c| acc * x + c));
        x *= omega;
    }
    Ok(out)
}
