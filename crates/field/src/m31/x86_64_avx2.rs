//! 8 lanes of M31 in one AVX2 register, for CPUs without AVX-512.
//!
//! Same arithmetic as the AVX-512 module (canonical lanes; `min(t, t ∓ p)` for the conditional
//! correction; `2ab` split at the dword boundary for the Mersenne fold), with immediate blends in
//! place of AVX-512 masks.

use core::arch::x86_64::{
    __m256i, _mm256_add_epi32, _mm256_and_si256, _mm256_blend_epi32, _mm256_min_epu32,
    _mm256_mul_epu32, _mm256_or_si256, _mm256_set1_epi32, _mm256_setzero_si256,
    _mm256_shuffle_epi32, _mm256_sllv_epi32, _mm256_srli_epi32, _mm256_srli_epi64,
    _mm256_srlv_epi32, _mm256_sub_epi32,
};
use core::fmt::{self, Debug};
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use super::{M31, P};
use crate::PackedField;

const WIDTH: usize = 8;

/// `vpblendd` selector taking the odd dwords from the second operand.
const ODDS: i32 = 0b1010_1010;
/// `pshufd` selector copying the odd dword of each pair down onto both: `[1, 1, 3, 3]`.
const DUP_ODD: i32 = 0b11_11_01_01;
/// `pshufd` selector copying the even dword of each pair up onto both: `[0, 0, 2, 2]`.
const DUP_EVEN: i32 = 0b10_10_00_00;

/// 8 canonical M31 values, lane `i` in element `i`.
#[derive(Copy, Clone, Default, PartialEq, Eq)]
#[repr(transparent)]
pub struct PackedM31Avx2(pub [M31; WIDTH]);

impl PackedM31Avx2 {
    #[inline(always)]
    fn to_vector(self) -> __m256i {
        // SAFETY: `[M31; 8]` is 32 bytes of plain `u32`s (M31 is `repr(transparent)`), the same size
        // as `__m256i`, and every bit pattern is a valid `__m256i`.
        unsafe { core::mem::transmute::<[M31; WIDTH], __m256i>(self.0) }
    }

    /// Wraps a vector whose lanes are all canonical (below `p`); every caller below proves that.
    #[inline(always)]
    fn from_vector(v: __m256i) -> Self {
        // SAFETY: same size, plain data; the lanes are canonical by the caller's argument.
        Self(unsafe { core::mem::transmute::<__m256i, [M31; WIDTH]>(v) })
    }
}

#[inline(always)]
fn p_vec() -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe { _mm256_set1_epi32(P as i32) }
}

/// `a + b mod p`: `t = a + b < 2p`, then `min(t, t − p)` (unsigned, wrapping).
#[inline(always)]
fn add(a: __m256i, b: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        let t = _mm256_add_epi32(a, b);
        _mm256_min_epu32(t, _mm256_sub_epi32(t, p_vec()))
    }
}

/// `a − b mod p`: `t = a − b` wraps above `2^31` when `a < b`, and then `t + p` is the smaller one.
#[inline(always)]
fn sub(a: __m256i, b: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        let t = _mm256_sub_epi32(a, b);
        _mm256_min_epu32(t, _mm256_add_epi32(t, p_vec()))
    }
}

/// `−a mod p` as `sub(0, a)`.
#[inline(always)]
fn neg(a: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    sub(unsafe { _mm256_setzero_si256() }, a)
}

/// `a·b mod p`: see the AVX-512 module; the merges are `pshufd` + `vpblendd`.
#[inline(always)]
fn mul(a: __m256i, b: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        let a_even_dbl = _mm256_add_epi32(a, a);
        let a_odd_dbl = _mm256_srli_epi64::<31>(a);
        let b_odd = _mm256_srli_epi64::<32>(b);
        let prod_even = _mm256_mul_epu32(a_even_dbl, b);
        let prod_odd = _mm256_mul_epu32(a_odd_dbl, b_odd);
        // hi: even lanes from the high dwords of prod_even, odd lanes from prod_odd as they are.
        let hi = _mm256_blend_epi32::<ODDS>(_mm256_shuffle_epi32::<DUP_ODD>(prod_even), prod_odd);
        // 2·lo: even lanes from prod_even as they are, odd lanes from the low dwords of prod_odd.
        let lo_dbl =
            _mm256_blend_epi32::<ODDS>(prod_even, _mm256_shuffle_epi32::<DUP_EVEN>(prod_odd));
        let t = _mm256_add_epi32(_mm256_srli_epi32::<1>(lo_dbl), hi);
        _mm256_min_epu32(t, _mm256_sub_epi32(t, p_vec()))
    }
}

/// `x·2^n mod p` for `1 ≤ n ≤ 30`, canonical in and out: multiplying by `2^n` modulo `2^31 − 1` is a
/// rotation of the 31-bit word, `((x << n) & p) | (x >> (31 − n))` — four simple instructions
/// instead of a product. (A canonical `x` is not all ones, nor is its rotation.)
#[inline(always)]
fn mul_2exp(x: __m256i, n: u32) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        let l = _mm256_and_si256(_mm256_sllv_epi32(x, _mm256_set1_epi32(n as i32)), p_vec());
        let r = _mm256_srlv_epi32(x, _mm256_set1_epi32((31 - n) as i32));
        _mm256_or_si256(l, r)
    }
}

/// The packed form of [`mul_2exp`], for `packed_common!`.
#[inline(always)]
fn packed_mul_2exp(x: PackedM31Avx2, n: u32, v: M31) -> PackedM31Avx2 {
    if (1..=30).contains(&n) {
        PackedM31Avx2::from_vector(mul_2exp(x.to_vector(), n))
    } else {
        x * v
    }
}

/// `(x + c)^D`, for `packed_common!`: the generic chain (the AVX-512 module has a faster one).
#[inline(always)]
fn packed_add_exp_small<const D: u64>(x: PackedM31Avx2, c: M31) -> PackedM31Avx2 {
    crate::exp_small::<PackedM31Avx2, D>(x + c)
}

/// A full S-box layer, for `packed_common!`: cell by cell.
#[inline(always)]
fn packed_add_exp_small_batch<const D: u64>(xs: &mut [PackedM31Avx2], cs: &[M31]) {
    for (x, &c) in xs.iter_mut().zip(cs) {
        *x = packed_add_exp_small::<D>(*x, c);
    }
}

impl Debug for PackedM31Avx2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Debug::fmt(&self.0, f)
    }
}

impl Add for PackedM31Avx2 {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self::from_vector(add(self.to_vector(), rhs.to_vector()))
    }
}

impl Sub for PackedM31Avx2 {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self::from_vector(sub(self.to_vector(), rhs.to_vector()))
    }
}

impl Neg for PackedM31Avx2 {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Self::from_vector(neg(self.to_vector()))
    }
}

impl Mul for PackedM31Avx2 {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Self::from_vector(mul(self.to_vector(), rhs.to_vector()))
    }
}

super::packed_common!(PackedM31Avx2, WIDTH);
