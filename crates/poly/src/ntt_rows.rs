//! Row-major batches: one `n × w` matrix (row `i` is `data[i·w .. (i+1)·w]`) whose `w` columns are
//! transformed in place, with the conventions of [`crate::NttOps`] (domain, coset, orders, `1/n`).
//!
//! Every butterfly of a column batch pairs two whole rows with one scalar twiddle, so a row is the
//! unit of work: when `w` is a multiple of the packing width `W` a row is `w/W` packed vectors
//! (BabyBear w = 16: one AVX-512 vector; Goldilocks w = 16: two) and every butterfly is a full-width
//! SIMD operation with a broadcast twiddle. No transposition, no copy.
//!
//! Memory passes, not multiplications, bound a large batch, so the transform is a recursion of
//! radix-2^k passes (k ≤ 4): a pass applies `k` consecutive stages to the `2^k` rows
//! `j, j + q, …, j + (2^k − 1)·q` of a block of `2^k·q` rows, a few `j` at a time so that the rows in
//! flight (`2^k × b` rows, ~32 KiB) stay in L1, after which the `2^k` sub-blocks of `q` rows are
//! independent transforms of their own (Gentleman–Sande: DIF twiddles depend only on the stage and
//! the position in the block; Cooley–Tukey mirrors it). A 2^20-row batch is thus read and written
//! four or five times (the later ones from cache) instead of twenty; blocks of at most ~16 KiB run
//! all their stages in place, the two smallest fused (their twiddles are 1 and `ω₄`). Passes over
//! large blocks split their `j` range over Rayon tasks and sub-blocks run in parallel. Coset and `1/n` factors are applied where
//! a row is first (forward) or last (inverse) touched, so they cost no pass of their own.
//! Natural-order output ends with [`bit_reverse_rows`], an in-place blocked permutation of rows.

use rayon::prelude::*;
use zkprove_field::{PackedField, PackedKernel, TwoAdicField};

use crate::ntt::{Direction, NttOps, Order, Scaling, column_twiddles, transform};
use crate::twiddles::{Twiddles, twiddles};
use crate::{CpuBackend, PolyError};

/// NTTs on row-major matrices held in one backend column.
pub trait RowMajorNttOps<F: TwoAdicField>: NttOps<F> {
    /// Transforms in place every column of the row-major `n × width` matrix `data`
    /// (`data.len() = n·width`, row `i` at `data[i·width .. (i+1)·width]`), over the coset `shift·H`
    /// of the subgroup `H` of order `n` (`shift = F::ONE` for `H` itself), with the conventions of
    /// [`NttOps::ntt_batch`]: `order` says how the rows are ordered on input and on output.
    /// The result equals [`NttOps::ntt_batch`] on the `width` columns.
    ///
    /// # Errors
    /// [`PolyError::RowMajorShape`] when `width` does not divide the length (or is 0 for a
    /// non-empty matrix), [`PolyError::NotPowerOfTwo`] for the number of rows,
    /// [`PolyError::TooLarge`], [`PolyError::ZeroShift`].
    fn ntt_rows(
        data: &mut Self::Column<F>,
        width: usize,
        direction: Direction,
        order: Order,
        shift: F,
    ) -> Result<(), PolyError>;
}

impl<F: TwoAdicField> RowMajorNttOps<F> for CpuBackend {
    fn ntt_rows(
        data: &mut Vec<F>,
        width: usize,
        direction: Direction,
        order: Order,
        shift: F,
    ) -> Result<(), PolyError> {
        ntt_rows(data, width, direction, order, shift)
    }
}

/// [`RowMajorNttOps::ntt_rows`] on a host slice.
///
/// # Errors
/// As [`RowMajorNttOps::ntt_rows`].
pub fn ntt_rows<F: TwoAdicField>(
    data: &mut [F],
    width: usize,
    direction: Direction,
    order: Order,
    shift: F,
) -> Result<(), PolyError> {
    let Some(n) = row_count(data.len(), width)? else { return Ok(()) };
    if !n.is_power_of_two() {
        return Err(PolyError::NotPowerOfTwo { len: n });
    }
    if shift.is_zero() {
        return Err(PolyError::ZeroShift);
    }
    let log_n = n.trailing_zeros() as usize;
    if width == 1 {
        // One column: the column transform (packed along the column) is the fast path.
        let tw = column_twiddles::<F>(log_n, direction)?;
        let scale = Scaling::new(n, direction, order, shift);
        transform(data, &tw, direction, order, scale.as_ref());
        return Ok(());
    }
    let inverse = direction == Direction::Inverse;
    let tw = twiddles::<F>(log_n, inverse)
        .ok_or(PolyError::TooLarge { log_n, two_adicity: F::TWO_ADICITY })?;
    let scale = RowScaling::new(n, direction, order, shift);
    transform_rows_matrix(data, width, &tw, direction, order, scale.as_ref());
    Ok(())
}

/// The number of rows of a row-major matrix of `len` values in rows of `width`, or `None` when there
/// is nothing to transform (no columns and no values, as an empty batch of columns).
///
/// # Errors
/// [`PolyError::RowMajorShape`] when `width` does not divide `len`, or is 0 while `len` is not.
pub(crate) fn row_count(len: usize, width: usize) -> Result<Option<usize>, PolyError> {
    match width {
        0 if len == 0 => Ok(None),
        0 => Err(PolyError::RowMajorShape { len, width }),
        _ if !len.is_multiple_of(width) => Err(PolyError::RowMajorShape { len, width }),
        _ => Ok(Some(len / width)),
    }
}

/// The transform on rows of `w` values each. The recursion and the passes work on scalar slices;
/// the arithmetic of each in-cache block and each group of a pass runs through
/// [`zkprove_field::Field::with_packing`] on rows of packed vectors (when the packing picked at run
/// time divides `w`; scalars otherwise), so a baseline build runs it with the CPU's SIMD.
pub(crate) fn transform_rows_matrix<F: TwoAdicField>(
    data: &mut [F],
    w: usize,
    tw: &Twiddles<F>,
    direction: Direction,
    order: Order,
    scale: Option<&RowScaling<F>>,
) {
    let (pre, post) = match direction {
        Direction::Forward => (scale, None),
        Direction::Inverse => (None, scale),
    };
    match order {
        Order::NaturalToBitReversed => dif_rec(data, w, tw, 0, pre, post),
        Order::BitReversedToNatural => dit_rec(data, w, tw, 0, pre, post),
        Order::NaturalToNatural => {
            dif_rec(data, w, tw, 0, pre, post);
            bit_reverse_rows(data, w);
        }
    }
}

/// Blocks of at most this many bytes run all their stages in place.
const BASE_BYTES: usize = 16 << 10;
/// Bytes of rows in flight in one radix-2^k group of a pass.
const GROUP_BYTES: usize = 32 << 10;
/// Blocks above this many bytes split their passes and sub-blocks over Rayon tasks.
const PAR_BYTES: usize = 128 << 10;
/// Stages per pass at most (2^4 rows in flight per `j`).
const MAX_RADIX_LOG: u32 = 4;
/// Rows per factor granule of [`RowScaling`].
const SCALE_GRANULE: usize = 64;

/// Largest power of two `≤ x` (and at least 1).
fn floor_pow2(x: usize) -> usize {
    if x <= 1 { 1 } else { 1 << (usize::BITS - 1 - x.leading_zeros()) }
}

/// Reverses the low `bits` bits of `x`.
#[inline]
fn rev(x: usize, bits: u32) -> usize {
    if bits == 0 { 0 } else { x.reverse_bits() >> (usize::BITS - bits) }
}

/// Per-row factors `start·base^e(i)` applied before a forward / after an inverse transform (on the
/// coefficient side), where `e(i) = i`, or `rev(i)` when the coefficient side is bit-reversed at the
/// moment the factors are applied. Produced granule by granule from one small table:
/// `e(g + i) = e(g) + e'(i)` for `g` a multiple of the granule `G` and `i < G`.
pub(crate) struct RowScaling<F> {
    start: F,
    base: F,
    log_n: u32,
    bit_reversed: bool,
    log_granule: u32,
    /// `base^i` (natural) or `base^(rev_G(i)·n/G)` (bit-reversed), `i < G`.
    table: Vec<F>,
}

impl<F: TwoAdicField> RowScaling<F> {
    /// `None` when every factor is one (a forward transform on the subgroup).
    pub(crate) fn new(n: usize, direction: Direction, order: Order, shift: F) -> Option<Self> {
        let (base, start) = match direction {
            Direction::Forward => (shift, F::ONE),
            // 1/n exists: n is a power of two below the characteristic.
            Direction::Inverse => (shift.inverse()?, F::from_u64(n as u64).inverse()?),
        };
        if base.is_one() && start.is_one() {
            return None;
        }
        // Forward R→N reads bit-reversed coefficients; the inverse factors are applied right after
        // the DIF (N→R, and N→N before its final permutation) or the DIT (R→N, natural).
        let bit_reversed = matches!(
            (direction, order),
            (Direction::Forward, Order::BitReversedToNatural)
                | (Direction::Inverse, Order::NaturalToBitReversed)
                | (Direction::Inverse, Order::NaturalToNatural)
        );
        let log_n = n.trailing_zeros();
        let granule = SCALE_GRANULE.min(n);
        let log_granule = granule.trailing_zeros();
        let step = if bit_reversed { base.pow((n / granule) as u64) } else { base };
        let mut powers = Vec::with_capacity(granule);
        let mut cur = F::ONE;
        for _ in 0..granule {
            powers.push(cur);
            cur *= step;
        }
        let table = if bit_reversed {
            (0..granule).map(|i| powers[rev(i, log_granule)]).collect()
        } else {
            powers
        };
        Some(Self { start, base, log_n, bit_reversed, log_granule, table })
    }

    /// Multiplies `rows` (of `wp` values each), which are the rows `first..` of the matrix.
    #[inline(always)]
    fn apply<P: PackedField<Scalar = F>>(&self, rows: &mut [P], wp: usize, first: usize) {
        let granule = 1usize << self.log_granule;
        let mut lead = F::ONE;
        for (i, row) in rows.chunks_exact_mut(wp).enumerate() {
            let p = first + i;
            let (g, within) = (p & !(granule - 1), p & (granule - 1));
            // One `pow` per granule (and at the start of a call).
            if i == 0 || within == 0 {
                let e = if self.bit_reversed { rev(g, self.log_n) } else { g };
                lead = self.start * self.base.pow(e as u64);
            }
            let f = P::broadcast(lead * self.table[within]);
            for x in row {
                *x *= f;
            }
        }
    }
}

/// Calls `f::<P, WP>(args)` with the row width as a constant for the common widths (1, 2, 4
/// packed vectors a row), so the per-row loops unroll; `WP = 0` means "read `wp` at run time".
macro_rules! dispatch {
    ($wp:expr, $f:ident($($arg:expr),*)) => {
        match $wp {
            1 => $f::<P, 1>($($arg),*),
            2 => $f::<P, 2>($($arg),*),
            4 => $f::<P, 4>($($arg),*),
            _ => $f::<P, 0>($($arg),*),
        }
    };
}

/// The stage split of a block of `2^log_n` rows: `(k, q)` = stages of its first pass and the rows
/// of each of its `2^k` sub-blocks, or `None` when the block runs in place ([`BASE_BYTES`]).
/// Stages are spread evenly over the passes (18 stages above the base: 4 + 4 + 4 + 3 + 3).
fn split(n: usize, row_bytes: usize) -> Option<(u32, usize)> {
    let base_rows = floor_pow2(BASE_BYTES / row_bytes.max(1)).max(4);
    if n <= base_rows {
        return None;
    }
    let rest = n.trailing_zeros() - base_rows.trailing_zeros();
    let passes = rest.div_ceil(MAX_RADIX_LOG);
    let k = rest.div_ceil(passes);
    Some((k, n >> k))
}

/// Decimation in frequency (natural → bit-reversed) on rows of `w` values; `offset` is the index of
/// the block's first row in the whole matrix, `pre` / `post` the factors to apply before / after.
pub(crate) fn dif_rec<F: TwoAdicField>(
    data: &mut [F],
    w: usize,
    tw: &Twiddles<F>,
    offset: usize,
    pre: Option<&RowScaling<F>>,
    post: Option<&RowScaling<F>>,
) {
    let n = data.len() / w;
    let bytes = core::mem::size_of_val(data);
    let Some((k, q)) = split(n, bytes / n.max(1)) else {
        F::with_packing(Base { data, w, tw, offset, pre, post, dit: false });
        return;
    };
    pass(data, w, tw, q, k, offset, pre, None, false);
    let sub = |(b, d): (usize, &mut [F])| dif_rec(d, w, tw, offset + b * q, None, post);
    if bytes > PAR_BYTES {
        data.par_chunks_mut(q * w).enumerate().for_each(sub);
    } else {
        data.chunks_mut(q * w).enumerate().for_each(sub);
    }
}

/// Decimation in time (bit-reversed → natural) on rows; the mirror image of [`dif_rec`].
pub(crate) fn dit_rec<F: TwoAdicField>(
    data: &mut [F],
    w: usize,
    tw: &Twiddles<F>,
    offset: usize,
    pre: Option<&RowScaling<F>>,
    post: Option<&RowScaling<F>>,
) {
    let n = data.len() / w;
    let bytes = core::mem::size_of_val(data);
    let Some((k, q)) = split(n, bytes / n.max(1)) else {
        F::with_packing(Base { data, w, tw, offset, pre, post, dit: true });
        return;
    };
    let sub = |(b, d): (usize, &mut [F])| dit_rec(d, w, tw, offset + b * q, pre, None);
    if bytes > PAR_BYTES {
        data.par_chunks_mut(q * w).enumerate().for_each(sub);
    } else {
        data.chunks_mut(q * w).enumerate().for_each(sub);
    }
    pass(data, w, tw, q, k, offset, None, post, true);
}

/// Views rows of `w` scalars as rows of `w / P::WIDTH` packed vectors when the width divides `w`:
/// `Some((rows, wp))`, else `None` (run on scalars).
#[inline(always)]
fn pack_rows<P: PackedField>(data: &mut [P::Scalar], w: usize) -> Option<(&mut [P], usize)> {
    (P::WIDTH > 1 && w.is_multiple_of(P::WIDTH)).then(|| (P::pack_slice_mut(data), w / P::WIDTH))
}

/// An in-cache block of rows: its factors and all its stages ([`dif_base`] / [`dit_base`]), as
/// one [`PackedKernel`].
struct Base<'a, F> {
    data: &'a mut [F],
    w: usize,
    tw: &'a Twiddles<F>,
    offset: usize,
    pre: Option<&'a RowScaling<F>>,
    post: Option<&'a RowScaling<F>>,
    dit: bool,
}

impl<F: TwoAdicField> PackedKernel<F> for Base<'_, F> {
    type Output = ();
    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) {
        let Self { data, w, tw, offset, pre, post, dit } = self;
        match pack_rows::<P>(data, w) {
            Some((rows, wp)) => base_on::<P>(rows, wp, tw, offset, pre, post, dit),
            None => base_on::<F>(data, w, tw, offset, pre, post, dit),
        }
    }
}

#[inline(always)]
fn base_on<P: PackedField>(
    data: &mut [P],
    wp: usize,
    tw: &Twiddles<P::Scalar>,
    offset: usize,
    pre: Option<&RowScaling<P::Scalar>>,
    post: Option<&RowScaling<P::Scalar>>,
    dit: bool,
) where
    P::Scalar: TwoAdicField,
{
    if let Some(s) = pre {
        s.apply(data, wp, offset);
    }
    if dit {
        dit_base(data, wp, tw);
    } else {
        dif_base(data, wp, tw);
    }
    if let Some(s) = post {
        s.apply(data, wp, offset);
    }
}

/// One radix-2^k pass over a block of `2^k·q` rows: the `k` stages of half-size `q·2^(k−1)` down
/// to `q` (DIF) or `q` up to `q·2^(k−1)` (DIT), on groups of `b` consecutive `j` of the `2^k` slices
/// of `q` rows. `pre` factors are applied to a group before its stages, `post` after.
#[allow(clippy::too_many_arguments)]
fn pass<F: TwoAdicField>(
    data: &mut [F],
    w: usize,
    tw: &Twiddles<F>,
    q: usize,
    k: u32,
    offset: usize,
    pre: Option<&RowScaling<F>>,
    post: Option<&RowScaling<F>>,
    dit: bool,
) {
    let r = 1usize << k;
    let bytes = core::mem::size_of_val(data);
    let row_bytes = bytes / (r * q);
    let b = floor_pow2(GROUP_BYTES / (r * row_bytes).max(1)).min(q);
    let mut slices: [&mut [F]; 1 << MAX_RADIX_LOG] = Default::default();
    for (s, c) in slices.iter_mut().zip(data.chunks_mut(q * w)) {
        *s = c;
    }
    let job = Group { w, tw, q, r, b, offset, pre, post, dit };
    if bytes > PAR_BYTES {
        // Split the j range into tasks (several per thread, for balance).
        let n_tasks = (rayon::current_num_threads() * 4).next_power_of_two();
        let tj = (q / n_tasks).max(b);
        let mut tasks = Vec::with_capacity(q / tj);
        for t in 0..q / tj {
            let mut runs: [&mut [F]; 1 << MAX_RADIX_LOG] = Default::default();
            for (run, s) in runs.iter_mut().zip(slices.iter_mut().take(r)) {
                let (head, tail) = core::mem::take(s).split_at_mut(tj * w);
                *run = head;
                *s = tail;
            }
            tasks.push((t * tj, runs));
        }
        tasks.into_par_iter().for_each(|(j0, mut runs)| {
            F::with_packing(GroupRun { job: &job, runs: &mut runs[..r], j0 })
        });
    } else {
        F::with_packing(GroupRun { job: &job, runs: &mut slices[..r], j0: 0 });
    }
}

/// What a pass does to each of its groups (rows of `w` scalars).
struct Group<'a, F> {
    w: usize,
    tw: &'a Twiddles<F>,
    q: usize,
    r: usize,
    b: usize,
    offset: usize,
    pre: Option<&'a RowScaling<F>>,
    post: Option<&'a RowScaling<F>>,
    dit: bool,
}

/// [`Group::run`] on the runs of one task, as a [`PackedKernel`].
struct GroupRun<'a, 'b, F> {
    job: &'a Group<'a, F>,
    runs: &'a mut [&'b mut [F]],
    j0: usize,
}

impl<F: TwoAdicField> PackedKernel<F> for GroupRun<'_, '_, F> {
    type Output = ();
    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) {
        let Self { job, runs, j0 } = self;
        let w = job.w;
        if P::WIDTH > 1 && w.is_multiple_of(P::WIDTH) {
            let mut packed: [&mut [P]; 1 << MAX_RADIX_LOG] = Default::default();
            for (p, s) in packed.iter_mut().zip(runs.iter_mut()) {
                *p = P::pack_slice_mut(core::mem::take(s));
            }
            job.run::<P>(&mut packed[..runs.len()], j0, w / P::WIDTH);
        } else {
            job.run::<F>(runs, j0, w);
        }
    }
}

impl<F: TwoAdicField> Group<'_, F> {
    /// Runs the groups of `runs` (the `r` slices restricted to rows `j0..`, equal lengths, rows of
    /// `wp` values of `P`).
    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(&self, runs: &mut [&mut [P]], j0: usize, wp: usize) {
        let Self { tw, q, r, b, offset, pre, post, dit, .. } = *self;
        let mut j = j0;
        loop {
            let len = runs[0].len();
            if len == 0 {
                return;
            }
            let take = (b * wp).min(len);
            let mut group: [&mut [P]; 1 << MAX_RADIX_LOG] = Default::default();
            for (g, s) in group.iter_mut().zip(runs.iter_mut()) {
                let (head, tail) = core::mem::take(s).split_at_mut(take);
                *g = head;
                *s = tail;
            }
            let group = &mut group[..r];
            if let Some(s) = pre {
                for (m, g) in group.iter_mut().enumerate() {
                    s.apply(g, wp, offset + m * q + j);
                }
            }
            let rows = take / wp;
            // Loops, not a closure: a closure is a function of its own, compiled without the
            // target features of the `with_packing` entry point this is inlined into.
            let mut hs = if dit { 1 } else { r / 2 };
            while hs >= 1 && hs < r {
                let w = tw.stage(hs * q);
                for blk in (0..r).step_by(2 * hs) {
                    for m in blk..blk + hs {
                        let t = &w[j + (m - blk) * q..][..rows];
                        let (lo, hi) = group.split_at_mut(m + hs);
                        if dit {
                            dit_run(lo[m], hi[0], t, wp);
                        } else {
                            dif_run(lo[m], hi[0], t, wp);
                        }
                    }
                }
                if dit {
                    hs *= 2;
                } else {
                    hs /= 2;
                }
            }
            if let Some(s) = post {
                for (m, g) in group.iter_mut().enumerate() {
                    s.apply(g, wp, offset + m * q + j);
                }
            }
            j += rows;
        }
    }
}

/// Every DIF stage of a block that fits in cache; the last two fused.
#[inline(always)]
fn dif_base<P>(data: &mut [P], wp: usize, tw: &Twiddles<P::Scalar>)
where
    P: PackedField,
    P::Scalar: TwoAdicField,
{
    let n = data.len() / wp;
    let mut h = n / 2;
    while h >= 4 {
        let w = tw.stage(h);
        for blk in data.chunks_mut(2 * h * wp) {
            let (lo, hi) = blk.split_at_mut(h * wp);
            dif_run(lo, hi, w, wp);
        }
        h /= 2;
    }
    if n >= 4 {
        dispatch!(wp, last2_dif(data, wp, tw.stage(2)[1]));
    } else if n == 2 {
        let (lo, hi) = data.split_at_mut(wp);
        dispatch!(wp, add_sub(lo, hi, wp));
    }
}

/// Every DIT stage of a block that fits in cache; the first two fused.
#[inline(always)]
fn dit_base<P>(data: &mut [P], wp: usize, tw: &Twiddles<P::Scalar>)
where
    P: PackedField,
    P::Scalar: TwoAdicField,
{
    let n = data.len() / wp;
    if n >= 4 {
        dispatch!(wp, first2_dit(data, wp, tw.stage(2)[1]));
    } else if n == 2 {
        let (lo, hi) = data.split_at_mut(wp);
        dispatch!(wp, add_sub(lo, hi, wp));
    }
    let mut h = 4;
    while h < n {
        let w = tw.stage(h);
        for blk in data.chunks_mut(2 * h * wp) {
            let (lo, hi) = blk.split_at_mut(h * wp);
            dit_run(lo, hi, w, wp);
        }
        h *= 2;
    }
}

/// `(a, b) ← (a + b, (a − b)·wᵢ)` for row `i` of the runs `lo`, `hi`.
#[inline(always)]
fn dif_run<P: PackedField>(lo: &mut [P], hi: &mut [P], w: &[P::Scalar], wp: usize) {
    dispatch!(wp, dif_run_w(lo, hi, w, wp));
}

#[inline(always)]
fn dif_run_w<P: PackedField, const WP: usize>(
    lo: &mut [P],
    hi: &mut [P],
    w: &[P::Scalar],
    wp: usize,
) {
    let wp = if WP == 0 { wp } else { WP };
    for ((a, b), &t) in lo.chunks_exact_mut(wp).zip(hi.chunks_exact_mut(wp)).zip(w) {
        let t = P::broadcast(t);
        for (x, y) in a.iter_mut().zip(b.iter_mut()) {
            let (u, v) = (*x, *y);
            *x = u + v;
            *y = (u - v) * t;
        }
    }
}

/// `(a, b) ← (a + b·wᵢ, a − b·wᵢ)` for row `i` of the runs `lo`, `hi`.
#[inline(always)]
fn dit_run<P: PackedField>(lo: &mut [P], hi: &mut [P], w: &[P::Scalar], wp: usize) {
    dispatch!(wp, dit_run_w(lo, hi, w, wp));
}

#[inline(always)]
fn dit_run_w<P: PackedField, const WP: usize>(
    lo: &mut [P],
    hi: &mut [P],
    w: &[P::Scalar],
    wp: usize,
) {
    let wp = if WP == 0 { wp } else { WP };
    for ((a, b), &t) in lo.chunks_exact_mut(wp).zip(hi.chunks_exact_mut(wp)).zip(w) {
        let t = P::broadcast(t);
        for (x, y) in a.iter_mut().zip(b.iter_mut()) {
            let (u, v) = (*x, *y * t);
            *x = u + v;
            *y = u - v;
        }
    }
}

/// `(a, b) ← (a + b, a − b)` row-wise (a stage whose twiddle is one).
#[inline(always)]
fn add_sub<P: PackedField, const WP: usize>(lo: &mut [P], hi: &mut [P], wp: usize) {
    let wp = if WP == 0 { wp } else { WP };
    for (x, y) in lo.iter_mut().zip(hi.iter_mut()).take(wp) {
        let (u, v) = (*x, *y);
        *x = u + v;
        *y = u - v;
    }
}

/// The last two DIF stages (half-sizes 2 and 1) on every 4 rows: twiddles 1 and `ω₄` (`w4`).
#[inline(always)]
fn last2_dif<P: PackedField, const WP: usize>(data: &mut [P], wp: usize, w4: P::Scalar) {
    let wp = if WP == 0 { wp } else { WP };
    let w4 = P::broadcast(w4);
    for quad in data.chunks_exact_mut(4 * wp) {
        let (r01, r23) = quad.split_at_mut(2 * wp);
        let (r0, r1) = r01.split_at_mut(wp);
        let (r2, r3) = r23.split_at_mut(wp);
        for (((x0, x1), x2), x3) in
            r0.iter_mut().zip(r1.iter_mut()).zip(r2.iter_mut()).zip(r3.iter_mut())
        {
            let (a, c) = (*x0 + *x2, *x0 - *x2);
            let (b, d) = (*x1 + *x3, (*x1 - *x3) * w4);
            *x0 = a + b;
            *x1 = a - b;
            *x2 = c + d;
            *x3 = c - d;
        }
    }
}

/// The first two DIT stages (half-sizes 1 and 2) on every 4 rows: twiddles 1 and `ω₄` (`w4`).
#[inline(always)]
fn first2_dit<P: PackedField, const WP: usize>(data: &mut [P], wp: usize, w4: P::Scalar) {
    let wp = if WP == 0 { wp } else { WP };
    let w4 = P::broadcast(w4);
    for quad in data.chunks_exact_mut(4 * wp) {
        let (r01, r23) = quad.split_at_mut(2 * wp);
        let (r0, r1) = r01.split_at_mut(wp);
        let (r2, r3) = r23.split_at_mut(wp);
        for (((x0, x1), x2), x3) in
            r0.iter_mut().zip(r1.iter_mut()).zip(r2.iter_mut()).zip(r3.iter_mut())
        {
            let (a, b) = (*x0 + *x1, *x0 - *x1);
            let (c, d) = (*x2 + *x3, (*x2 - *x3) * w4);
            *x0 = a + c;
            *x2 = a - c;
            *x1 = b + d;
            *x3 = b - d;
        }
    }
}

/// Permutes the rows of the row-major matrix `data` (rows of `width` values, a power-of-two number
/// of them) into bit-reversed row order, in place and in parallel.
///
/// Blocked: with a row index `i = (a, m, c)` split into its top `B` bits, middle bits and low `B`
/// bits, `rev(i) = (rev c, rev m, rev a)`, so the `2^B` runs `(·, m, ·)` of `2^B` consecutive rows
/// and the runs `(·, rev m, ·)` hold each other's rows: each such pair of tiles is read once into a
/// small buffer and written back permuted, every run a contiguous copy.
///
/// # Panics
/// If `width` is 0 while `data` is not empty, does not divide `data.len()`, or the number of rows
/// is not a power of two (callers check first).
pub fn bit_reverse_rows<T: Copy + Send + Sync>(data: &mut [T], width: usize) {
    if data.is_empty() {
        return;
    }
    assert!(width > 0 && data.len().is_multiple_of(width), "rows of width {width}");
    let n = data.len() / width;
    assert!(n.is_power_of_two(), "bit reversal needs a power-of-two row count, got {n}");
    if n <= 2 {
        return;
    }
    let log_n = n.trailing_zeros();
    let row_bytes = (width * core::mem::size_of::<T>()).max(1);
    // Runs of ~1 KiB: long enough for full-speed copies, tiles of 2^2B rows small enough for L1/L2.
    let bits = (floor_pow2((1024 / row_bytes).max(1)).trailing_zeros()).clamp(2, 6);
    if log_n <= 2 * bits {
        for i in 0..n {
            let j = rev(i, log_n);
            if i < j {
                let (lo, hi) = data.split_at_mut(j * width);
                lo[i * width..(i + 1) * width].swap_with_slice(&mut hi[..width]);
            }
        }
        return;
    }
    let mid = log_n - 2 * bits;
    // Any value fills the tile buffers before they are overwritten.
    let fill = data[0];
    let side = 1usize << bits;
    let run_len = width << bits;
    let mut runs: Vec<Option<&mut [T]>> = data.chunks_mut(run_len).map(Some).collect();
    let mut pairs: Vec<&mut [T]> = Vec::new();
    let mut selfs: Vec<&mut [T]> = Vec::new();
    for m in 0..1usize << mid {
        let rm = rev(m, mid);
        if m < rm {
            pairs.extend((0..side).filter_map(|a| runs[(a << mid) | m].take()));
            pairs.extend((0..side).filter_map(|a| runs[(a << mid) | rm].take()));
        } else if m == rm {
            selfs.extend((0..side).filter_map(|a| runs[(a << mid) | m].take()));
        }
    }
    let rev_b: Vec<usize> = (0..side).map(|x| rev(x, bits)).collect();
    let tile = side * run_len;
    // A tile is read with its runs in bit-reversed order (buffer run `c` = old run `rev(c)`), so that
    // row `c` of run `a` of the new tile — row `rev(a)` of old run `rev(c)` — is row `rev(a)` of
    // buffer run `c`: an affine, strided read.
    let write = |dst: &mut [&mut [T]], buf: &[T]| {
        for (a, run) in dst.iter_mut().enumerate() {
            let ra = rev_b[a];
            // Rows of one or two values (a column, or a circle FFT's pairs) by plain moves: a
            // `copy_from_slice` of a run-time length would be a call per row.
            match width {
                1 => {
                    for (c, x) in run.iter_mut().enumerate() {
                        *x = buf[c * side + ra];
                    }
                }
                2 => {
                    for (c, row) in run.chunks_exact_mut(2).enumerate() {
                        let src = (c * side + ra) * 2;
                        row[0] = buf[src];
                        row[1] = buf[src + 1];
                    }
                }
                _ => {
                    for (c, row) in run.chunks_exact_mut(width).enumerate() {
                        let src = (c * side + ra) * width;
                        row.copy_from_slice(&buf[src..src + width]);
                    }
                }
            }
        }
    };
    let read = |src: &[&mut [T]], buf: &mut [T]| {
        for (r, run) in src.iter().enumerate() {
            buf[rev_b[r] * run_len..][..run_len].copy_from_slice(run);
        }
    };
    pairs.par_chunks_mut(2 * side).for_each_init(
        || vec![fill; 2 * tile],
        |buf, g| {
            let (t0, t1) = g.split_at_mut(side);
            let (b0, b1) = buf.split_at_mut(tile);
            read(t0, b0);
            read(t1, b1);
            write(t0, b1);
            write(t1, b0);
        },
    );
    selfs.par_chunks_mut(side).for_each_init(
        || vec![fill; tile],
        |buf, g| {
            read(g, buf);
            write(g, buf);
        },
    );
}
