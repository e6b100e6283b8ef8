//! The CPU MSM: Pippenger's bucket method with XYZZ buckets, windows in parallel.

use rayon::prelude::*;
use zkprove_field::PrimeField;
use zkprove_poly::CpuBackend;

use super::{MsmError, MsmOps, check_lengths};
use crate::sw::{Affine, Projective, SwCurve, Xyzz};

/// Bases prepared for the CPU backend.
#[derive(Clone, Debug)]
pub struct CpuBases<C: SwCurve> {
    points: Vec<Affine<C>>,
}

impl<C: SwCurve> CpuBases<C> {
    /// The bases as given.
    pub fn points(&self) -> &[Affine<C>] {
        &self.points
    }
}

impl<C: SwCurve> MsmOps<C> for CpuBackend {
    type Bases = CpuBases<C>;

    fn prepare_bases(bases: Vec<Affine<C>>) -> Result<CpuBases<C>, MsmError> {
        Ok(CpuBases { points: bases })
    }

    fn n_bases(bases: &CpuBases<C>) -> usize {
        bases.points.len()
    }

    fn msm(bases: &CpuBases<C>, scalars: &[C::Scalar]) -> Result<Projective<C>, MsmError> {
        msm_pippenger(&bases.points, scalars)
    }
}

/// The window width for `n` terms: about `ln n`, the minimum of Pippenger's cost
/// `(bits / c)·(n + 2^c)`.
fn window_bits(n: usize) -> usize {
    if n < 32 {
        3
    } else {
        // ln n ≈ log2(n)·0.69.
        (usize::BITS - n.leading_zeros()) as usize * 69 / 100 + 2
    }
}

/// The `c`-bit digit of a little-endian byte string starting at bit `start`.
#[inline]
fn digit(bytes: &[u8], start: usize, c: usize) -> usize {
    let mut v = 0usize;
    let first_byte = start / 8;
    let shift = start % 8;
    // c ≤ 24 and shift < 8, so four bytes hold the digit.
    for k in 0..4 {
        if let Some(b) = bytes.get(first_byte + k) {
            v |= (*b as usize) << (8 * k);
        }
    }
    (v >> shift) & ((1 << c) - 1)
}

/// `Σ scalars[i]·bases[i]` by Pippenger's method.
///
/// # Errors
/// [`MsmError::LengthMismatch`] unless the lengths are equal.
pub fn msm_pippenger<C: SwCurve>(
    bases: &[Affine<C>],
    scalars: &[C::Scalar],
) -> Result<Projective<C>, MsmError> {
    check_lengths(bases.len(), scalars.len())?;
    let n = bases.len();
    if n == 0 {
        return Ok(Projective::IDENTITY);
    }
    let c = window_bits(n).min(20);
    let num_bits = C::Scalar::NUM_BITS as usize;
    let n_windows = num_bits.div_ceil(c);
    let reprs: Vec<<C::Scalar as PrimeField>::Repr> =
        scalars.par_iter().map(|s| s.to_bytes_le()).collect();

    let window_sums: Vec<Projective<C>> = (0..n_windows)
        .into_par_iter()
        .map(|w| {
            let start = w * c;
            let mut buckets = vec![Xyzz::<C>::IDENTITY; (1 << c) - 1];
            for (repr, base) in reprs.iter().zip(bases) {
                let d = digit(repr.as_ref(), start, c);
                if d != 0 {
                    buckets[d - 1].add_affine_assign(base);
                }
            }
            // Σ d·bucket[d] by running sums from the top bucket down.
            let mut running = Xyzz::<C>::IDENTITY;
            let mut sum = Xyzz::<C>::IDENTITY;
            for b in buckets.iter().rev() {
                running.add_assign_xyzz(b);
                sum.add_assign_xyzz(&running);
            }
            sum.to_projective()
        })
        .collect();

    let mut acc = Projective::IDENTITY;
    for w in window_sums.iter().rev() {
        for _ in 0..c {
            acc = acc.double();
        }
        acc += *w;
    }
    Ok(acc)
}
