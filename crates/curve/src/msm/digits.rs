//! Scalars as canonical limbs and their signed (Booth) window digits.
//!
//! A scalar `x = Σ bⱼ·2ʲ` is cut into windows of `c` bits. The Booth digit of window `w` is
//!
//! ```text
//! d_w = Σ_{j<c} b_{wc+j}·2ʲ + b_{wc−1} − b_{wc+c−1}·2^c        (b_{−1} = 0)
//! ```
//!
//! so `d_w ∈ [−2^(c−1), 2^(c−1)]` and `Σ_w d_w·2^(wc) = x − b_{Wc−1}·2^(Wc)` (the sum telescopes);
//! with `W·c > NUM_BITS` the top bit is zero and the digits recompose `x` exactly. Each digit reads
//! only its own `c + 1` bits, so windows are independent (no carry runs from window to window) and
//! can be computed by different threads — the same recoding halo2curves calls `get_booth_index`.
//! Negative digits add `−P`, which is free in affine coordinates, so a window needs `2^(c−1)`
//! buckets instead of `2^c − 1`.

use rayon::prelude::*;
use zkprove_field::PrimeField;

use super::glv::{GLV_HALF_BITS, GlvParams};

/// Scalars converted once from Montgomery form to canonical little-endian `u64` limbs, flat:
/// `parts` entries per scalar (1, or 2 for the GLV halves), each `n_limbs` limbs and a sign.
#[derive(Clone, Debug)]
pub(crate) struct ScalarLimbs {
    limbs: Vec<u64>,
    n_limbs: usize,
    /// Per entry: whether its value is negated (empty when no entry is).
    negative: Vec<bool>,
    parts: usize,
    num_bits: usize,
}

/// Scalars per parallel conversion job.
const CONVERT_CHUNK: usize = 1024;

impl ScalarLimbs {
    /// Converts every scalar (in parallel).
    pub(crate) fn new<S: PrimeField>(scalars: &[S]) -> Self {
        let n_limbs = (S::NUM_BITS as usize).div_ceil(64).max(1);
        let mut limbs = vec![0u64; scalars.len() * n_limbs];
        limbs
            .par_chunks_mut(n_limbs * CONVERT_CHUNK)
            .zip(scalars.par_chunks(CONVERT_CHUNK))
            .for_each(|(out, s)| {
                for (dst, s) in out.chunks_exact_mut(n_limbs).zip(s) {
                    canonical_limbs(s, dst);
                }
            });
        Self { limbs, n_limbs, negative: Vec::new(), parts: 1, num_bits: S::NUM_BITS as usize }
    }

    /// Converts every scalar and splits it into its two GLV halves `k₁ + k₂·λ` (entries `2i`,
    /// `2i + 1`: 127-bit magnitudes and signs). `None` if a scalar does not split (inconsistent
    /// parameters; never for the curves of this crate) or the scalars are not 256-bit.
    pub(crate) fn new_glv<S: PrimeField>(scalars: &[S], glv: &GlvParams) -> Option<Self> {
        if (S::NUM_BITS as usize).div_ceil(64) != 4 {
            return None;
        }
        let mut limbs = vec![0u64; scalars.len() * 4];
        let mut negative = vec![false; scalars.len() * 2];
        let ok = limbs
            .par_chunks_mut(4 * CONVERT_CHUNK)
            .zip(negative.par_chunks_mut(2 * CONVERT_CHUNK))
            .zip(scalars.par_chunks(CONVERT_CHUNK))
            .all(|((out, neg), s)| {
                for ((dst, neg), s) in out.chunks_exact_mut(4).zip(neg.chunks_exact_mut(2)).zip(s) {
                    let mut k = [0u64; 4];
                    canonical_limbs(s, &mut k);
                    let Some([(n1, k1), (n2, k2)]) = glv.decompose(&k) else {
                        return false;
                    };
                    dst.copy_from_slice(&[
                        k1 as u64,
                        (k1 >> 64) as u64,
                        k2 as u64,
                        (k2 >> 64) as u64,
                    ]);
                    neg.copy_from_slice(&[n1, n2]);
                }
                true
            });
        ok.then_some(Self { limbs, n_limbs: 2, negative, parts: 2, num_bits: GLV_HALF_BITS })
    }

    /// Scalars below `2^64` given as integers, `num_bits` an upper bound on their bit length.
    pub(crate) fn from_u64s(values: Vec<u64>, num_bits: usize) -> Self {
        Self { limbs: values, n_limbs: 1, negative: Vec::new(), parts: 1, num_bits }
    }

    /// The limbs of entry `e`.
    #[inline(always)]
    pub(crate) fn get(&self, e: usize) -> &[u64] {
        &self.limbs[e * self.n_limbs..(e + 1) * self.n_limbs]
    }

    /// Whether entry `e` stands for its negation.
    #[inline(always)]
    pub(crate) fn is_negative(&self, e: usize) -> bool {
        self.negative.get(e).copied().unwrap_or(false)
    }

    /// Entries per scalar.
    #[inline(always)]
    pub(crate) fn parts(&self) -> usize {
        self.parts
    }

    /// An upper bound on the bit length of every entry.
    pub(crate) fn num_bits(&self) -> usize {
        self.num_bits
    }
}

/// The canonical little-endian limbs of `s` into `dst` (`dst.len()` limbs).
#[inline]
fn canonical_limbs<S: PrimeField>(s: &S, dst: &mut [u64]) {
    let bytes = s.to_bytes_le();
    for (k, chunk) in bytes.as_ref().chunks(8).enumerate().take(dst.len()) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        dst[k] = u64::from_le_bytes(word);
    }
}

/// `len ≤ 57` bits of `limbs` starting at bit `pos` (bits past the end read as zero).
#[inline(always)]
fn bits(limbs: &[u64], pos: usize, len: usize) -> u64 {
    let k = pos / 64;
    let off = pos % 64;
    let mut v = match limbs.get(k) {
        Some(l) => l >> off,
        None => return 0,
    };
    // off + len > 64 implies off > 0, so the shift is below 64.
    if off + len > 64
        && let Some(next) = limbs.get(k + 1)
    {
        v |= next << (64 - off);
    }
    v & ((1u64 << len) - 1)
}

/// The Booth digit of window `w` (width `c ≤ 30`) of a scalar given as canonical limbs.
#[inline(always)]
pub(crate) fn booth_digit(limbs: &[u64], w: usize, c: usize) -> i32 {
    // raw: bit 0 is b_{wc−1}, bits 1..=c are b_{wc}..b_{wc+c−1}.
    let raw = if w == 0 { bits(limbs, 0, c) << 1 } else { bits(limbs, w * c - 1, c + 1) };
    let top = raw >> c;
    ((raw >> 1) + (raw & 1)) as i32 - ((top as i32) << c)
}

/// The number of `c`-bit windows whose Booth digits recompose every scalar of `num_bits` bits:
/// the least `W` with `W·c > num_bits`.
#[inline]
pub(crate) fn n_booth_windows(num_bits: usize, c: usize) -> usize {
    num_bits / c + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recomposes `Σ d_w·2^(wc)` in i128 for 120-bit values and compares.
    #[test]
    fn booth_digits_recompose() {
        let mut x: u128 = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210;
        for c in 1usize..=20 {
            for _ in 0..50 {
                x = x
                    .wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
                    .wrapping_add(c as u128);
                let v = x >> 8; // 120 bits
                let limbs = [v as u64, (v >> 64) as u64];
                let mut acc: i128 = 0;
                for w in (0..n_booth_windows(120, c)).rev() {
                    let d = booth_digit(&limbs, w, c);
                    assert!(d.unsigned_abs() <= 1 << (c - 1), "c = {c}, d = {d}");
                    acc = (acc << c) + d as i128;
                }
                assert_eq!(acc, v as i128, "c = {c}");
            }
        }
    }
}
