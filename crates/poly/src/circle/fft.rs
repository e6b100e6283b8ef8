//! The circle FFT: trait and CPU implementation.
//!
//! Forward (coefficients → evaluations), layer by layer from `l = 0` (half-size `n/2`) to
//! `l = k − 1` (half-size 1): `(a, b) ← (a + t·b, a − t·b)` with one twiddle `t` per block. The
//! inverse runs the layers backwards with `(a, b) ← (a + b, (a − b)·t⁻¹)` and `1/n` folded into its
//! first layer. Both work in place on the FFT's own order ([`CircleOrder::BitReversed`]); the natural
//! order costs one extra in-place permutation (odd rows reversed, then pairs of rows bit-reversed).
//!
//! Memory: layers whose blocks are larger than a cache chunk stream the data through memory, two at
//! a time (radix 4) on rows; all later ones run chunk by chunk (one pass for all of them).
//! Butterflies use SIMD lanes (the packing `M31::with_packing` picks at run time, per Rayon task)
//! with a broadcast twiddle. One column: the last `log2(W)`
//! layers, whose blocks are narrower than a SIMD vector, run on `W × W` tiles transposed into
//! registers, so they are packed too. Rows (a row-major matrix, or a group of `W` columns): a row of
//! `W` values is one vector, so every layer is full-width; a group of columns runs its large layers
//! on each column in place and the rest on a chunk-sized buffer of packed rows.

use rayon::prelude::*;
use zkprove_field::m31::M31;
use zkprove_field::{Field, PackedField, PackedKernel, packing_width};

use super::twiddles::{CircleTwiddles, circle_twiddles, uses_tiles};
use super::{CircleDomain, CircleOrder, CirclePoint};
use crate::ntt::for_each_row_chunk_lanes;
use crate::ntt_rows::row_count;
use crate::{Backend, CpuBackend, Direction, PolyError, bit_reverse_rows};

/// Circle FFTs over M31 on a backend's columns.
pub trait CircleFftOps: Backend {
    /// Transforms every column of `cols` (each of `domain.size()` elements) in place: forward maps
    /// coefficients in the circle basis (see the [module docs](super)) to evaluations on `domain`
    /// in `order`; inverse maps such evaluations back to coefficients.
    ///
    /// # Errors
    /// [`PolyError::DomainSizeMismatch`] when a column's length is not the domain's size.
    fn circle_fft_batch(
        cols: &mut [Self::Column<M31>],
        domain: &CircleDomain,
        direction: Direction,
        order: CircleOrder,
    ) -> Result<(), PolyError>;

    /// Low-degree extension: every column of `cols` holds evaluations on `from` (in `order`) of a
    /// polynomial of the circle basis of size `from.size()`; returns its evaluations on the larger
    /// domain `to`, in `order`.
    ///
    /// # Errors
    /// [`PolyError::DomainSizeMismatch`] as for [`CircleFftOps::circle_fft_batch`];
    /// [`PolyError::LdeShrinks`] when `to` is smaller than `from`.
    fn circle_lde_batch(
        cols: &[Self::Column<M31>],
        from: &CircleDomain,
        to: &CircleDomain,
        order: CircleOrder,
    ) -> Result<Vec<Self::Column<M31>>, PolyError>;

    /// Coefficients → evaluations on `domain`, natural order.
    ///
    /// # Errors
    /// As [`CircleFftOps::circle_fft_batch`].
    fn circle_evaluate(
        col: &mut Self::Column<M31>,
        domain: &CircleDomain,
    ) -> Result<(), PolyError> {
        Self::circle_fft_batch(
            core::slice::from_mut(col),
            domain,
            Direction::Forward,
            CircleOrder::Natural,
        )
    }

    /// Evaluations on `domain` (natural order) → coefficients.
    ///
    /// # Errors
    /// As [`CircleFftOps::circle_fft_batch`].
    fn circle_interpolate(
        col: &mut Self::Column<M31>,
        domain: &CircleDomain,
    ) -> Result<(), PolyError> {
        Self::circle_fft_batch(
            core::slice::from_mut(col),
            domain,
            Direction::Inverse,
            CircleOrder::Natural,
        )
    }
}

impl CircleFftOps for CpuBackend {
    fn circle_fft_batch(
        cols: &mut [Vec<M31>],
        domain: &CircleDomain,
        direction: Direction,
        order: CircleOrder,
    ) -> Result<(), PolyError> {
        check_lengths(cols, domain)?;
        if cols.is_empty() {
            return Ok(());
        }
        let inverse = direction == Direction::Inverse;
        let tw = circle_twiddles(domain, inverse);
        let log_n = domain.log_n();
        // Groups of W columns run as rows of packed vectors (full-width SIMD in every layer).
        let width = packing_width::<M31>();
        let n_grouped = if width > 1 { cols.len() / width * width } else { 0 };
        let (grouped, cols) = cols.split_at_mut(n_grouped);
        grouped
            .par_chunks_mut(width.max(1))
            .for_each(|g| group_transform(g, &tw, log_n, direction, order));
        cols.par_iter_mut().for_each(|c| column_fft(c, &tw, log_n, direction, order));
        Ok(())
    }

    fn circle_lde_batch(
        cols: &[Vec<M31>],
        from: &CircleDomain,
        to: &CircleDomain,
        order: CircleOrder,
    ) -> Result<Vec<Vec<M31>>, PolyError> {
        check_lengths(cols, from)?;
        if to.log_n() < from.log_n() {
            return Err(PolyError::LdeShrinks { from_log_n: from.log_n(), to_log_n: to.log_n() });
        }
        let (k, big_k) = (from.log_n(), to.log_n());
        let inv = circle_twiddles(from, true);
        let fwd = circle_twiddles(to, false);
        let (n, big_n) = (from.size(), to.size());
        Ok(cols
            .par_iter()
            .map(|c| {
                let mut coeffs = c.clone();
                if order == CircleOrder::Natural {
                    natural_to_bit_reversed_rows(&mut coeffs, 1);
                }
                inverse_fft(&mut coeffs, &inv, k);
                // The first K − k forward layers see a zero upper half: they copy the lower half
                // up, so after them the coefficients are tiled 2^(K − k) times.
                let mut out = vec![M31::ZERO; big_n];
                out.par_chunks_mut(n).for_each(|dst| dst.copy_from_slice(&coeffs));
                forward(&mut out, &fwd, big_k, big_k - k);
                if order == CircleOrder::Natural {
                    bit_reversed_to_natural_rows(&mut out, 1);
                }
                out
            })
            .collect())
    }
}

/// Circle FFTs over M31 on row-major matrices held in one backend column.
pub trait RowMajorCircleFftOps: CircleFftOps {
    /// Transforms in place every column of the row-major `n × width` matrix `data`
    /// (`data.len() = n·width`, row `i` at `data[i·width .. (i+1)·width]`, `n = domain.size()`), with
    /// the conventions of [`CircleFftOps::circle_fft_batch`]: `order` is the order of the rows of
    /// the evaluations (output of the forward transform, input of the inverse). The result equals
    /// [`CircleFftOps::circle_fft_batch`] on the `width` columns. This is the layout of a committed
    /// trace (Plonky3's `RowMajorMatrix`); when `width` is a multiple of the packing width a row is
    /// a whole number of SIMD vectors and nothing is transposed or copied.
    ///
    /// # Errors
    /// [`PolyError::RowMajorShape`] when `width` does not divide the length (or is 0 for a
    /// non-empty matrix), [`PolyError::DomainSizeMismatch`] when the number of rows is not the
    /// domain's size.
    fn circle_fft_rows(
        data: &mut Self::Column<M31>,
        width: usize,
        domain: &CircleDomain,
        direction: Direction,
        order: CircleOrder,
    ) -> Result<(), PolyError>;
}

impl RowMajorCircleFftOps for CpuBackend {
    fn circle_fft_rows(
        data: &mut Vec<M31>,
        width: usize,
        domain: &CircleDomain,
        direction: Direction,
        order: CircleOrder,
    ) -> Result<(), PolyError> {
        circle_fft_rows(data, width, domain, direction, order)
    }
}

/// [`RowMajorCircleFftOps::circle_fft_rows`] on a host slice.
///
/// # Errors
/// As [`RowMajorCircleFftOps::circle_fft_rows`].
pub fn circle_fft_rows(
    data: &mut [M31],
    width: usize,
    domain: &CircleDomain,
    direction: Direction,
    order: CircleOrder,
) -> Result<(), PolyError> {
    let Some(n) = row_count(data.len(), width)? else { return Ok(()) };
    if n != domain.size() {
        return Err(PolyError::DomainSizeMismatch { domain_size: domain.size(), got: n });
    }
    let tw = circle_twiddles(domain, direction == Direction::Inverse);
    let k = domain.log_n();
    if width == 1 {
        column_fft(data, &tw, k, direction, order);
        return Ok(());
    }
    rows_transform(data, width, &tw, k, direction, order);
    Ok(())
}

/// One column (length `2^k`), packed along the column with the tile pass for the narrow layers,
/// with the permutation `order` asks for.
fn column_fft(
    data: &mut [M31],
    tw: &CircleTwiddles,
    k: usize,
    direction: Direction,
    order: CircleOrder,
) {
    let natural = order == CircleOrder::Natural;
    match direction {
        Direction::Forward => {
            forward(data, tw, k, 0);
            if natural {
                bit_reversed_to_natural_rows(data, 1);
            }
        }
        Direction::Inverse => {
            if natural {
                natural_to_bit_reversed_rows(data, 1);
            }
            inverse_fft(data, tw, k);
        }
    }
}

/// The transform on rows of `w` values, with the permutation `order` asks for.
fn rows_transform(
    data: &mut [M31],
    w: usize,
    tw: &CircleTwiddles,
    k: usize,
    direction: Direction,
    order: CircleOrder,
) {
    let natural = order == CircleOrder::Natural;
    match direction {
        Direction::Forward => {
            rows_fft(data, w, tw, k, false);
            if natural {
                bit_reversed_to_natural_rows(data, w);
            }
        }
        Direction::Inverse => {
            if natural {
                natural_to_bit_reversed_rows(data, w);
            }
            rows_fft(data, w, tw, k, true);
        }
    }
}

fn check_lengths(cols: &[Vec<M31>], domain: &CircleDomain) -> Result<(), PolyError> {
    match cols.iter().find(|c| c.len() != domain.size()) {
        Some(bad) => {
            Err(PolyError::DomainSizeMismatch { domain_size: domain.size(), got: bad.len() })
        }
        None => Ok(()),
    }
}

/// Elements per cache chunk: layers whose blocks fit run together, chunk by chunk.
const CHUNK: usize = 1 << 14;

/// `(a, b) ← (a + t·b, a − t·b)` (or, `inverse`, `(a + b, (a − b)·t)` with the sum times `scale`
/// when given) on one block, on the packing picked at run time.
struct Block<'a> {
    lo: &'a mut [M31],
    hi: &'a mut [M31],
    t: M31,
    scale: Option<M31>,
    inverse: bool,
}

impl PackedKernel<M31> for Block<'_> {
    type Output = ();
    #[inline(always)]
    fn run<P: PackedField<Scalar = M31>>(self) {
        let Self { lo, hi, t, scale, inverse } = self;
        if inverse {
            inv_block::<P>(lo, hi, t, scale);
        } else {
            fwd_block::<P>(lo, hi, t);
        }
    }
}

/// The layers of one chunk of a column (chunk `c`, from layer `first` forward, down to layer
/// `l_small` inverse), with the tile pass for the narrow layers when the packing picked at run
/// time is the one the twiddles' tiles were laid out for (else plain blocks, packed where wide).
struct ColumnChunk<'a> {
    part: &'a mut [M31],
    tw: &'a CircleTwiddles,
    c: usize,
    chunk: usize,
    k: usize,
    first: usize,
    l_small: usize,
    inverse: bool,
}

impl PackedKernel<M31> for ColumnChunk<'_> {
    type Output = ();
    #[inline(always)]
    fn run<P: PackedField<Scalar = M31>>(self) {
        let Self { part, tw, c, chunk, k, first, l_small, inverse } = self;
        let n = 1usize << k;
        let lw = tw.log_w;
        let tiles = lw > 0 && P::WIDTH == 1 << lw && uses_tiles(k, lw);
        let l_tiles = if tiles { k - lw } else { k };
        if inverse {
            if l_tiles < k {
                tile_pass::<P>(part, tw, c * chunk, k, l_tiles, true);
            }
            for l in (l_small..l_tiles).rev() {
                let h = n >> (l + 1);
                let b0 = c * chunk / (2 * h);
                let scaled = l == k - 1;
                for (block, t) in part.chunks_mut(2 * h).zip(&tw.layers[l][b0..]) {
                    let (lo, hi) = block.split_at_mut(h);
                    inv_block::<P>(lo, hi, *t, scaled.then_some(tw.n_inv));
                }
            }
        } else {
            for l in first..l_tiles {
                let h = n >> (l + 1);
                let b0 = c * chunk / (2 * h);
                for (block, t) in part.chunks_mut(2 * h).zip(&tw.layers[l][b0..]) {
                    let (lo, hi) = block.split_at_mut(h);
                    fwd_block::<P>(lo, hi, *t);
                }
            }
            if l_tiles < k {
                tile_pass::<P>(part, tw, c * chunk, k, first.max(l_tiles), false);
            }
        }
    }
}

/// Forward layers `start..k` in place on `data` (length `2^k`): coefficients (tiled, when
/// `start > 0`) → evaluations in bit-reversed order.
fn forward(data: &mut [M31], tw: &CircleTwiddles, k: usize, start: usize) {
    let n = data.len();
    let chunk = CHUNK.min(n);
    // Layers l < l_small have blocks (size n >> l) larger than a chunk.
    let l_small = k - chunk.trailing_zeros() as usize;
    for l in start..l_small {
        let h = n >> (l + 1);
        for (block, t) in data.chunks_mut(2 * h).zip(&tw.layers[l]) {
            let (lo, hi) = block.split_at_mut(h);
            lo.par_chunks_mut(chunk / 2).zip(hi.par_chunks_mut(chunk / 2)).for_each(|(lo, hi)| {
                M31::with_packing(Block { lo, hi, t: *t, scale: None, inverse: false })
            });
        }
    }
    let first = start.max(l_small);
    data.par_chunks_mut(chunk).enumerate().for_each(|(c, part)| {
        M31::with_packing(ColumnChunk { part, tw, c, chunk, k, first, l_small, inverse: false })
    });
}

/// Inverse layers `k − 1 … 0` in place on `data` (length `2^k`): evaluations in bit-reversed order →
/// coefficients (times one: `1/n` is in the twiddles).
fn inverse_fft(data: &mut [M31], tw: &CircleTwiddles, k: usize) {
    let n = data.len();
    let chunk = CHUNK.min(n);
    let l_small = k - chunk.trailing_zeros() as usize;
    data.par_chunks_mut(chunk).enumerate().for_each(|(c, part)| {
        M31::with_packing(ColumnChunk { part, tw, c, chunk, k, first: 0, l_small, inverse: true })
    });
    for l in (0..l_small).rev() {
        let h = n >> (l + 1);
        for (block, t) in data.chunks_mut(2 * h).zip(&tw.layers[l]) {
            let (lo, hi) = block.split_at_mut(h);
            lo.par_chunks_mut(chunk / 2).zip(hi.par_chunks_mut(chunk / 2)).for_each(|(lo, hi)| {
                M31::with_packing(Block { lo, hi, t: *t, scale: None, inverse: true })
            });
        }
    }
}

/// `(a, b) ← (a + t·b, a − t·b)` on one block (a run of elements, or of whole rows: the twiddle is
/// the same for all), on `P` where the length is a multiple of its width, on scalars otherwise.
#[inline(always)]
fn fwd_block<P: PackedField<Scalar = M31>>(lo: &mut [M31], hi: &mut [M31], t: M31) {
    if P::WIDTH > 1 && lo.len().is_multiple_of(P::WIDTH) {
        let tp = P::broadcast(t);
        for (a, b) in P::pack_slice_mut(lo).iter_mut().zip(P::pack_slice_mut(hi).iter_mut()) {
            let (x, y) = (*a, *b * tp);
            *a = x + y;
            *b = x - y;
        }
    } else {
        for (a, b) in lo.iter_mut().zip(hi.iter_mut()) {
            let (x, y) = (*a, *b * t);
            *a = x + y;
            *b = x - y;
        }
    }
}

/// `(a, b) ← (a + b, (a − b)·t)` on one block (as [`fwd_block`]); with `scale = Some(s)` the sum
/// is also multiplied by `s` (the first inverse layer, whose twiddles already carry `s = 1/n`).
#[inline(always)]
fn inv_block<P: PackedField<Scalar = M31>>(
    lo: &mut [M31],
    hi: &mut [M31],
    t: M31,
    scale: Option<M31>,
) {
    let s = scale.unwrap_or(M31::ONE);
    if P::WIDTH > 1 && lo.len().is_multiple_of(P::WIDTH) {
        let (tp, sp) = (P::broadcast(t), P::broadcast(s));
        for (a, b) in P::pack_slice_mut(lo).iter_mut().zip(P::pack_slice_mut(hi).iter_mut()) {
            let (x, y) = (*a, *b);
            *a = if scale.is_some() { (x + y) * sp } else { x + y };
            *b = (x - y) * tp;
        }
    } else {
        for (a, b) in lo.iter_mut().zip(hi.iter_mut()) {
            let (x, y) = (*a, *b);
            *a = if scale.is_some() { (x + y) * s } else { x + y };
            *b = (x - y) * t;
        }
    }
}

/// Layers `l_from..k` (forward) or `k − 1 … l_from` (inverse) of one chunk, all of half-size below
/// the packing width `W = P::WIDTH` (the width the twiddles' tiles were laid out for), on `W × W`
/// tiles transposed into packed registers: lane `r` of register `j` is element `j` of row `r`
/// (rows are the tile's `W` consecutive runs of `W` elements), so a butterfly inside a row becomes
/// a packed butterfly between two registers, with the twiddles of the `W` rows loaded as one
/// vector from the tile-transposed table.
#[inline(always)]
fn tile_pass<P: PackedField<Scalar = M31>>(
    part: &mut [M31],
    tw: &CircleTwiddles,
    offset: usize,
    k: usize,
    l_from: usize,
    inverse: bool,
) {
    let w = P::WIDTH;
    let lw = tw.log_w;
    let mut v = vec![P::default(); w];
    let tables: Vec<&[P]> = tw.tiled.iter().map(|t| P::pack_slice(t)).collect();
    let sp = P::broadcast(tw.n_inv);
    for (i, tile) in part.chunks_mut(w * w).enumerate() {
        let t_idx = offset / (w * w) + i;
        for r in 0..w {
            for j in 0..w {
                v[j].as_slice_mut()[r] = tile[r * w + j];
            }
        }
        // Plain loops and `#[inline(always)]` functions, no closures: a closure is a function of
        // its own, compiled without the entry point's target features.
        if inverse {
            for l in (l_from..k).rev() {
                tile_layer::<P>(&mut v, tables[l - (k - lw)], t_idx, k, l, sp, true);
            }
        } else {
            for l in l_from..k {
                tile_layer::<P>(&mut v, tables[l - (k - lw)], t_idx, k, l, sp, false);
            }
        }
        for r in 0..w {
            for j in 0..w {
                tile[r * w + j] = v[j].as_slice()[r];
            }
        }
    }
}

/// Layer `l` of [`tile_pass`] on the transposed tile `v` (tile `t_idx`, twiddles `table`).
#[inline(always)]
fn tile_layer<P: PackedField<Scalar = M31>>(
    v: &mut [P],
    table: &[P],
    t_idx: usize,
    k: usize,
    l: usize,
    sp: P,
    inverse: bool,
) {
    let w = P::WIDTH;
    let h = 1usize << (k - 1 - l);
    let m = w / (2 * h);
    for kb in 0..m {
        let t = table[t_idx * m + kb];
        for j in kb * 2 * h..kb * 2 * h + h {
            let (x, y) = (v[j], v[j + h]);
            if inverse {
                v[j] = if l == k - 1 { (x + y) * sp } else { x + y };
                v[j + h] = (x - y) * t;
            } else {
                let y = y * t;
                v[j] = x + y;
                v[j + h] = x - y;
            }
        }
    }
}

/// Rows per cache chunk in the row-packed batch transform.
const ROW_CHUNK: usize = 1 << 11;

/// `W` columns (one group, `W` the width of the packing picked at run time) transformed together.
/// The layers over blocks larger than a row chunk have one twiddle per block, so they run on each
/// column in place, packed along the column (radix 4, as [`rows_fft`]); the remaining layers run
/// chunk by chunk on a small buffer of rows (lane `c` of row `i` is element `i` of column `c`),
/// filled from the columns and written back. The columns are read and written once for those
/// layers, and no matrix-sized buffer is made.
fn group_transform(
    g: &mut [Vec<M31>],
    tw: &CircleTwiddles,
    k: usize,
    direction: Direction,
    order: CircleOrder,
) {
    let n = 1usize << k;
    let lanes = g.len();
    let chunk = chunk_rows(lanes, n);
    let l_small = k - chunk.trailing_zeros() as usize;
    let natural = order == CircleOrder::Natural;
    let inverse = direction == Direction::Inverse;
    // A column's large layers see it as rows of W consecutive elements, in pieces of this many.
    let col_chunk = (chunk / lanes).max(2);
    if inverse && natural {
        g.par_iter_mut().for_each(|c| natural_to_bit_reversed_rows(c, 1));
    }
    if !inverse && l_small > 0 {
        g.par_iter_mut().for_each(|c| big_layers(c, lanes, tw, l_small, col_chunk, false));
    }
    for_each_row_chunk_lanes(g, chunk, |c, buf: &mut [M31]| {
        M31::with_packing(SmallLayers {
            part: buf,
            w: lanes,
            tw,
            k,
            l_from: l_small,
            row0: c * chunk,
            inverse,
        })
    });
    if inverse && l_small > 0 {
        g.par_iter_mut().for_each(|c| big_layers(c, lanes, tw, l_small, col_chunk, true));
    }
    if !inverse && natural {
        g.par_iter_mut().for_each(|c| bit_reversed_to_natural_rows(c, 1));
    }
}

/// Bytes of rows per cache chunk in the row-packed transforms (2^11 rows of one AVX-512 vector).
const ROW_CHUNK_BYTES: usize = ROW_CHUNK * 64;

/// Rows per cache chunk for rows of `w` elements: a power of two in `2..=n`.
fn chunk_rows(w: usize, n: usize) -> usize {
    let row_bytes = (w * core::mem::size_of::<M31>()).max(1);
    let fit = (ROW_CHUNK_BYTES / row_bytes).max(2);
    (1usize << fit.ilog2()).min(n)
}

/// [`forward`] (or, with `inverse`, [`inverse_fft`]) on `n` rows of `w` values each
/// (`data.len() = n·w`, `n = 2^k ≥ 2`): every butterfly pairs two whole rows with one twiddle, so it
/// runs lane by lane (on the packing picked at run time in each task).
fn rows_fft(data: &mut [M31], w: usize, tw: &CircleTwiddles, k: usize, inverse: bool) {
    let n = data.len() / w;
    let chunk = chunk_rows(w, n);
    let l_small = k - chunk.trailing_zeros() as usize;
    if !inverse {
        big_layers(data, w, tw, l_small, chunk, false);
    }
    data.par_chunks_mut(chunk * w).enumerate().for_each(|(c, part)| {
        M31::with_packing(SmallLayers { part, w, tw, k, l_from: l_small, row0: c * chunk, inverse })
    });
    if inverse {
        big_layers(data, w, tw, l_small, chunk, true);
    }
}

/// Layers `0..l_end` on all of `data` (rows of `w` values; the layers' blocks span at least
/// `chunk` rows) — forward in that order, inverse in the reverse one — in parallel pieces of at most
/// a chunk. Each streams the whole matrix through memory, so they go two at a time (radix 4), which
/// halves those passes; an odd one out runs alone (last forward, first inverse).
fn big_layers(
    data: &mut [M31],
    w: usize,
    tw: &CircleTwiddles,
    l_end: usize,
    chunk: usize,
    inverse: bool,
) {
    let n = data.len() / w;
    let pairs: Vec<usize> = (0..l_end / 2).map(|i| 2 * i).collect();
    let single = |data: &mut [M31]| {
        let l = l_end - 1;
        let h = (n >> (l + 1)) * w;
        let piece = (chunk / 2).min(n >> (l + 1)).max(1) * w;
        for (block, t) in data.chunks_mut(2 * h).zip(&tw.layers[l]) {
            let (lo, hi) = block.split_at_mut(h);
            lo.par_chunks_mut(piece).zip(hi.par_chunks_mut(piece)).for_each(|(lo, hi)| {
                M31::with_packing(Block { lo, hi, t: *t, scale: None, inverse })
            });
        }
    };
    if inverse {
        if l_end % 2 == 1 {
            single(data);
        }
        for &l in pairs.iter().rev() {
            rows_layer_pair(data, w, tw, l, chunk, true);
        }
    } else {
        for &l in &pairs {
            rows_layer_pair(data, w, tw, l, chunk, false);
        }
        if l_end % 2 == 1 {
            single(data);
        }
    }
}

/// Layers `l_from..k` on `part` — forward in that order, inverse in the reverse one with `1/n`
/// applied in layer `k − 1` — where `part` is rows `row0 ..` of a matrix of `2^k` rows of `w`
/// values, holding whole blocks of those layers; one task, on the packing picked at run time.
struct SmallLayers<'a> {
    part: &'a mut [M31],
    w: usize,
    tw: &'a CircleTwiddles,
    k: usize,
    l_from: usize,
    row0: usize,
    inverse: bool,
}

impl PackedKernel<M31> for SmallLayers<'_> {
    type Output = ();
    #[inline(always)]
    fn run<P: PackedField<Scalar = M31>>(self) {
        let Self { part, w, tw, k, l_from, row0, inverse } = self;
        let n = 1usize << k;
        // Loops, not closures (see `tile_pass`).
        if inverse {
            for l in (l_from..k).rev() {
                let h = n >> (l + 1);
                let s = (l == k - 1).then_some(tw.n_inv);
                for (block, t) in part.chunks_mut(2 * h * w).zip(&tw.layers[l][row0 / (2 * h)..]) {
                    let (lo, hi) = block.split_at_mut(h * w);
                    inv_block::<P>(lo, hi, *t, s);
                }
            }
        } else {
            for l in l_from..k {
                let h = n >> (l + 1);
                for (block, t) in part.chunks_mut(2 * h * w).zip(&tw.layers[l][row0 / (2 * h)..]) {
                    let (lo, hi) = block.split_at_mut(h * w);
                    fwd_block::<P>(lo, hi, *t);
                }
            }
        }
    }
}

/// Layers `l` and `l + 1` in one pass over `data` (rows of `w` values), both over blocks of at
/// least a chunk: each block of layer `l` (`2h` rows, twiddle `t`) holds two blocks of layer
/// `l + 1` (`h` rows, twiddles `u₀, u₁`), so every quadruple of rows `j, j + h/2, j + h, j + 3h/2`
/// is finished by four butterflies — forward: layer `l` then `l + 1`; inverse: `l + 1` then `l`.
fn rows_layer_pair(
    data: &mut [M31],
    w: usize,
    tw: &CircleTwiddles,
    l: usize,
    chunk: usize,
    inverse: bool,
) {
    let n = data.len() / w;
    let h = n >> (l + 1);
    let q = h / 2;
    let piece = (chunk / 4).min(q).max(1) * w;
    for (b, block) in data.chunks_mut(2 * h * w).enumerate() {
        let t = tw.layers[l][b];
        let (u0, u1) = (tw.layers[l + 1][2 * b], tw.layers[l + 1][2 * b + 1]);
        let (lo, hi) = block.split_at_mut(h * w);
        let (q0, q1) = lo.split_at_mut(q * w);
        let (q2, q3) = hi.split_at_mut(q * w);
        q0.par_chunks_mut(piece)
            .zip(q1.par_chunks_mut(piece))
            .zip(q2.par_chunks_mut(piece).zip(q3.par_chunks_mut(piece)))
            .for_each(|((q0, q1), (q2, q3))| {
                M31::with_packing(Quads { q: [q0, q1, q2, q3], t, u0, u1, inverse })
            });
    }
}

/// The four butterflies of [`rows_layer_pair`] on the quarters `q` of one piece, on the packing
/// picked at run time (scalars when the length is not a multiple of its width).
struct Quads<'a> {
    q: [&'a mut [M31]; 4],
    t: M31,
    u0: M31,
    u1: M31,
    inverse: bool,
}

impl PackedKernel<M31> for Quads<'_> {
    type Output = ();
    #[inline(always)]
    fn run<P: PackedField<Scalar = M31>>(self) {
        let Self { q: [q0, q1, q2, q3], t, u0, u1, inverse } = self;
        if P::WIDTH > 1 && q0.len().is_multiple_of(P::WIDTH) {
            let q = [q0, q1, q2, q3].map(|x| P::pack_slice_mut(x));
            quads::<P>(q, t, u0, u1, inverse);
        } else {
            quads::<M31>([q0, q1, q2, q3], t, u0, u1, inverse);
        }
    }
}

#[inline(always)]
fn quads<Q: PackedField<Scalar = M31>>(q: [&mut [Q]; 4], t: M31, u0: M31, u1: M31, inverse: bool) {
    let (t, u0, u1) = (Q::broadcast(t), Q::broadcast(u0), Q::broadcast(u1));
    let [q0, q1, q2, q3] = q;
    for (((a0, a1), a2), a3) in
        q0.iter_mut().zip(q1.iter_mut()).zip(q2.iter_mut()).zip(q3.iter_mut())
    {
        let (x0, x1, x2, x3) = (*a0, *a1, *a2, *a3);
        if inverse {
            let (y0, y1) = (x0 + x1, (x0 - x1) * u0);
            let (y2, y3) = (x2 + x3, (x2 - x3) * u1);
            (*a0, *a2) = (y0 + y2, (y0 - y2) * t);
            (*a1, *a3) = (y1 + y3, (y1 - y3) * t);
        } else {
            let (m2, m3) = (x2 * t, x3 * t);
            let (y0, y2) = (x0 + m2, x0 - m2);
            let (y1, y3) = (x1 + m3, x1 - m3);
            let (m1, m3) = (y1 * u0, y3 * u1);
            (*a0, *a1) = (y0 + m1, y0 - m1);
            (*a2, *a3) = (y2 + m3, y2 - m3);
        }
    }
}

/// Permutes the rows of `data` (rows of `wp` values, a power-of-two number `n = 2^k` of them) from
/// [`CircleOrder::BitReversed`] into [`CircleOrder::Natural`], in place.
///
/// The row at bit-reversed position `r = 2m + b` goes to natural position
/// `2·rev_{k−1}(m ⊕ b·(2^{k−1} − 1)) + b`: first the odd rows are put in reverse order (`m ↦ m ⊕ mask`
/// for `b = 1`), then the pairs of rows `(2m, 2m + 1)` are bit-reversed as rows of `2·wp` values.
/// Both steps are involutions.
fn bit_reversed_to_natural_rows<T: Copy + Send + Sync>(data: &mut [T], wp: usize) {
    reverse_odd_rows(data, wp);
    bit_reverse_rows(data, 2 * wp);
}

/// The inverse of [`bit_reversed_to_natural_rows`] (its two steps in the other order).
fn natural_to_bit_reversed_rows<T: Copy + Send + Sync>(data: &mut [T], wp: usize) {
    bit_reverse_rows(data, 2 * wp);
    reverse_odd_rows(data, wp);
}

/// Swaps odd row `2m + 1` with odd row `2(n/2 − 1 − m) + 1` for every `m`, in place.
fn reverse_odd_rows<T: Copy + Send + Sync>(data: &mut [T], wp: usize) {
    let n = data.len() / wp;
    if n <= 2 {
        return;
    }
    // Odd row m of the first half pairs with odd row n/4 − 1 − m of the second.
    let (lo, hi) = data.split_at_mut(n / 2 * wp);
    // Pieces of `PIECE` row pairs: piece `i` of the first half pairs with piece `count − 1 − i` of
    // the second, walked backwards.
    const PIECE: usize = 512;
    lo.par_chunks_mut(2 * wp * PIECE).zip(hi.par_chunks_mut(2 * wp * PIECE).rev()).for_each(
        |(a, b)| {
            let pairs = a.len() / (2 * wp);
            for i in 0..pairs {
                let (x, y) = (&mut a[(2 * i + 1) * wp..], &mut b[(2 * (pairs - 1 - i) + 1) * wp..]);
                if wp == 1 {
                    core::mem::swap(&mut x[0], &mut y[0]);
                } else {
                    x[..wp].swap_with_slice(&mut y[..wp]);
                }
            }
        },
    );
}

/// The O(n²) oracle: evaluations on `domain`, in `order`, of `Σ_j coeffs[j]·b_j` (the circle basis
/// of size `coeffs.len()`, which may be smaller than the domain), by evaluating the basis at every
/// point.
///
/// # Errors
/// [`PolyError::NotPowerOfTwo`] for a coefficient count that is not a power of two,
/// [`PolyError::LdeShrinks`] when there are more coefficients than points.
pub fn naive_circle_evaluate(
    coeffs: &[M31],
    domain: &CircleDomain,
    order: CircleOrder,
) -> Result<Vec<M31>, PolyError> {
    let m = coeffs.len();
    if !m.is_power_of_two() {
        return Err(PolyError::NotPowerOfTwo { len: m });
    }
    let log_m = m.trailing_zeros() as usize;
    if log_m > domain.log_n() {
        return Err(PolyError::LdeShrinks { from_log_n: log_m, to_log_n: domain.log_n() });
    }
    Ok(domain
        .points(order)
        .iter()
        .map(|p| {
            let basis = circle_basis(*p, log_m);
            coeffs.iter().zip(&basis).map(|(c, b)| *c * *b).sum()
        })
        .collect())
}

/// `b_j(p)` for `j < 2^log_m`: `y^{j₀}·x^{j₁}·π(x)^{j₂}⋯`.
fn circle_basis(p: CirclePoint<M31>, log_m: usize) -> Vec<M31> {
    let mut b = vec![M31::ONE];
    let mut factor = p.y;
    let mut x = p.x;
    for i in 0..log_m {
        if i >= 1 {
            factor = x;
            x = x.square().double() - M31::ONE;
        }
        let len = b.len();
        for j in 0..len {
            let v = b[j] * factor;
            b.push(v);
        }
    }
    b
}
