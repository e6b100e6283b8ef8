//! The NTT backend trait and its CPU implementation.
//!
//! Conventions: a column of length `n = 2^log_n` holds either coefficients `c₀ … c_{n−1}` or
//! evaluations on the coset `s·H`, where `H = ⟨ω⟩` with `ω = F::two_adic_generator(log_n)` and `s`
//! the shift (1 for the subgroup itself): evaluation `i` is `p(s·ωⁱ)`. The forward transform maps
//! coefficients to evaluations, the inverse one maps evaluations back (including the `1/n` factor).
//!
//! CPU algorithm: radix-2 Gentleman–Sande (decimation in frequency, natural → bit-reversed) and
//! Cooley–Tukey (decimation in time, bit-reversed → natural) with per-stage contiguous twiddles, so
//! butterflies run on `F::Packing` lanes. Stages whose butterfly blocks fit in a cache-sized chunk are
//! run together chunk by chunk (one pass over memory instead of one per stage); larger stages split
//! their butterflies across threads.

use rayon::prelude::*;
use zkprove_field::{Field, PackedField, TwoAdicField};

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
        let inverse = direction == Direction::Inverse;
        let tw = twiddles::<F>(log_n, inverse)
            .ok_or(PolyError::TooLarge { log_n, two_adicity: F::TWO_ADICITY })?;
        // Scaling by powers of the shift (and 1/n for the inverse), precomputed once for the batch.
        let scale = scaling(n, direction, order, shift);
        // A batch of many small columns parallelises across columns; few large ones inside each.
        if cols.len() >= rayon::current_num_threads() && n <= CHUNK {
            cols.par_iter_mut().for_each(|c| transform(c, &tw, direction, order, scale.as_deref()));
        } else {
            for c in cols.iter_mut() {
                transform(c, &tw, direction, order, scale.as_deref());
            }
        }
        Ok(())
    }
}

/// Elements per cache block: stages whose blocks fit are run together, chunk by chunk.
const CHUNK: usize = 1 << 12;

/// The per-position factors to apply before a forward or after an inverse transform (in the order of
/// the coefficient side), or `None` when they are all one.
fn scaling<F: TwoAdicField>(
    n: usize,
    direction: Direction,
    order: Order,
    shift: F,
) -> Option<Vec<F>> {
    let (base, start) = match direction {
        Direction::Forward => (shift, F::ONE),
        // 1/n exists: n is a power of two below the field's characteristic.
        Direction::Inverse => (shift.inverse()?, F::from_u64(n as u64).inverse()?),
    };
    if base.is_one() && start.is_one() {
        return None;
    }
    let mut s = vec![F::ZERO; n];
    const POW_CHUNK: usize = 1 << 10;
    s.par_chunks_mut(POW_CHUNK).enumerate().for_each(|(c, chunk)| {
        let mut cur = start * base.pow((c * POW_CHUNK) as u64);
        for x in chunk {
            *x = cur;
            cur *= base;
        }
    });
    // The coefficient side is bit-reversed for a forward BitReversedToNatural and an inverse
    // NaturalToBitReversed transform.
    let coeffs_bit_reversed = matches!(
        (direction, order),
        (Direction::Forward, Order::BitReversedToNatural)
            | (Direction::Inverse, Order::NaturalToBitReversed)
    );
    if coeffs_bit_reversed {
        bit_reverse_permute(&mut s);
    }
    Some(s)
}

fn transform<F: TwoAdicField>(
    data: &mut [F],
    tw: &Twiddles<F>,
    direction: Direction,
    order: Order,
    scale: Option<&[F]>,
) {
    if direction == Direction::Forward
        && let Some(s) = scale
    {
        mul_pointwise(data, s);
    }
    match order {
        Order::NaturalToBitReversed => dif(data, tw),
        Order::BitReversedToNatural => dit(data, tw),
        Order::NaturalToNatural => {
            dif(data, tw);
            bit_reverse_permute(data);
        }
    }
    if direction == Direction::Inverse
        && let Some(s) = scale
    {
        mul_pointwise(data, s);
    }
}

fn mul_pointwise<F: Field>(data: &mut [F], s: &[F]) {
    data.par_chunks_mut(CHUNK).zip(s.par_chunks(CHUNK)).for_each(|(d, s)| {
        let (pd, sd) = F::Packing::pack_slice_with_suffix_mut(d);
        let n_packed = pd.len() * F::Packing::WIDTH;
        let ps = F::Packing::pack_slice(&s[..n_packed]);
        for (x, y) in pd.iter_mut().zip(ps) {
            *x *= *y;
        }
        for (x, y) in sd.iter_mut().zip(&s[n_packed..]) {
            *x *= *y;
        }
    });
}

/// Decimation in frequency: natural order in, bit-reversed out. Stages from half-size n/2 down to 1.
fn dif<F: TwoAdicField>(data: &mut [F], tw: &Twiddles<F>) {
    let n = data.len();
    let mut h = n / 2;
    // Large stages: blocks bigger than a chunk, butterflies split across threads.
    while h >= 1 && 2 * h > CHUNK {
        let w = tw.stage(h);
        for block in data.chunks_mut(2 * h) {
            let (lo, hi) = block.split_at_mut(h);
            lo.par_chunks_mut(CHUNK / 2)
                .zip(hi.par_chunks_mut(CHUNK / 2))
                .zip(w.par_chunks(CHUNK / 2))
                .for_each(|((lo, hi), w)| dif_butterflies(lo, hi, w));
        }
        h /= 2;
    }
    // Small stages: every remaining block fits a chunk; run them all per chunk.
    if h >= 1 {
        let h_top = h;
        data.par_chunks_mut(CHUNK.min(n)).for_each(|chunk| {
            let mut h = h_top;
            while h >= 1 {
                let w = tw.stage(h);
                for block in chunk.chunks_mut(2 * h) {
                    let (lo, hi) = block.split_at_mut(h);
                    dif_butterflies(lo, hi, w);
                }
                h /= 2;
            }
        });
    }
}

/// Decimation in time: bit-reversed order in, natural out. Stages from half-size 1 up to n/2.
fn dit<F: TwoAdicField>(data: &mut [F], tw: &Twiddles<F>) {
    let n = data.len();
    if n < 2 {
        return;
    }
    // Small stages first, per chunk.
    let h_small_end = (CHUNK.min(n)) / 2; // last half-size whose blocks fit a chunk
    data.par_chunks_mut(CHUNK.min(n)).for_each(|chunk| {
        let mut h = 1;
        while h <= h_small_end {
            let w = tw.stage(h);
            for block in chunk.chunks_mut(2 * h) {
                let (lo, hi) = block.split_at_mut(h);
                dit_butterflies(lo, hi, w);
            }
            h *= 2;
        }
    });
    let mut h = 2 * h_small_end;
    while h < n {
        let w = tw.stage(h);
        for block in data.chunks_mut(2 * h) {
            let (lo, hi) = block.split_at_mut(h);
            lo.par_chunks_mut(CHUNK / 2)
                .zip(hi.par_chunks_mut(CHUNK / 2))
                .zip(w.par_chunks(CHUNK / 2))
                .for_each(|((lo, hi), w)| dit_butterflies(lo, hi, w));
        }
        h *= 2;
    }
}

/// `(a, b) ← (a + b, (a − b)·w)` lane-wise, packed where the slice is long enough.
#[inline]
fn dif_butterflies<F: Field>(lo: &mut [F], hi: &mut [F], w: &[F]) {
    let width = F::Packing::WIDTH;
    if width > 1 && lo.len().is_multiple_of(width) {
        let (plo, phi, pw) = (
            F::Packing::pack_slice_mut(lo),
            F::Packing::pack_slice_mut(hi),
            F::Packing::pack_slice(w),
        );
        for ((a, b), w) in plo.iter_mut().zip(phi.iter_mut()).zip(pw) {
            let (x, y) = (*a, *b);
            *a = x + y;
            *b = (x - y) * *w;
        }
    } else {
        for ((a, b), w) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
            let (x, y) = (*a, *b);
            *a = x + y;
            *b = (x - y) * *w;
        }
    }
}

/// `(a, b) ← (a + b·w, a − b·w)` lane-wise, packed where the slice is long enough.
#[inline]
fn dit_butterflies<F: Field>(lo: &mut [F], hi: &mut [F], w: &[F]) {
    let width = F::Packing::WIDTH;
    if width > 1 && lo.len().is_multiple_of(width) {
        let (plo, phi, pw) = (
            F::Packing::pack_slice_mut(lo),
            F::Packing::pack_slice_mut(hi),
            F::Packing::pack_slice(w),
        );
        for ((a, b), w) in plo.iter_mut().zip(phi.iter_mut()).zip(pw) {
            let (x, y) = (*a, *b * *w);
            *a = x + y;
            *b = x - y;
        }
    } else {
        for ((a, b), w) in lo.iter_mut().zip(hi.iter_mut()).zip(w) {
            let (x, y) = (*a, *b * *w);
            *a = x + y;
            *b = x - y;
        }
    }
}

/// Permutes `data` (power-of-two length) into bit-reversed index order, in parallel.
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
    let src = data.to_vec();
    data.par_iter_mut().enumerate().for_each(|(i, d)| *d = src[i.reverse_bits() >> shift]);
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
