//! 16 lanes of M31 in one AVX-512 register.
//!
//! Every lane stays canonical (`0 ≤ x < p`), so the lanes seen through
//! [`PackedField::as_slice`](crate::PackedField::as_slice) are valid [`M31`] values.
//!
//! Multiplication follows the layout idea of Plonky3's `mersenne-31/src/x86_64_avx512/packing.rs`
//! (double one operand so that the 62-bit product `2ab` splits at the 32-bit boundary into
//! `⌊ab / 2^31⌋` and `2·(ab mod 2^31)`), written from scratch here with integer shuffles.

use core::arch::x86_64::{
    __m512i, _mm512_add_epi32, _mm512_add_epi64, _mm512_and_si512, _mm512_andnot_si512,
    _mm512_cmplt_epi32_mask, _mm512_mask_add_epi32, _mm512_mask_blend_epi32,
    _mm512_mask_shuffle_epi32, _mm512_maskz_sub_epi32, _mm512_min_epu32, _mm512_mul_epi32,
    _mm512_mul_epu32, _mm512_or_si512, _mm512_set1_epi32, _mm512_set1_epi64, _mm512_setzero_si512,
    _mm512_shuffle_epi32, _mm512_sllv_epi32, _mm512_srli_epi32, _mm512_srli_epi64,
    _mm512_srlv_epi32, _mm512_sub_epi32, _mm512_sub_epi64, _mm512_test_epi32_mask,
};
use core::fmt::{self, Debug};
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use super::{M31, P};
use crate::PackedField;

const WIDTH: usize = 16;

/// Lanes 0, 2, 4, … of a 16-lane mask.
const EVENS: u16 = 0x5555;
/// Lanes 1, 3, 5, … of a 16-lane mask.
const ODDS: u16 = 0xaaaa;
/// `pshufd` selector copying the odd dword of each pair down onto both: `[1, 1, 3, 3]`.
const DUP_ODD: i32 = 0b11_11_01_01;
/// `pshufd` selector copying the even dword of each pair up onto both: `[0, 0, 2, 2]`.
const DUP_EVEN: i32 = 0b10_10_00_00;

/// 16 canonical M31 values, lane `i` in element `i`.
#[derive(Copy, Clone, Default, PartialEq, Eq)]
#[repr(transparent)]
pub struct PackedM31Avx512(pub [M31; WIDTH]);

impl PackedM31Avx512 {
    #[inline(always)]
    fn to_vector(self) -> __m512i {
        // SAFETY: `[M31; 16]` is 64 bytes of plain `u32`s (M31 is `repr(transparent)`), the same
        // size as `__m512i`, and every bit pattern is a valid `__m512i`.
        unsafe { core::mem::transmute::<[M31; WIDTH], __m512i>(self.0) }
    }

    /// Wraps a vector whose lanes are all canonical (below `p`); every caller below proves that.
    #[inline(always)]
    fn from_vector(v: __m512i) -> Self {
        // SAFETY: same size, plain data; the lanes are canonical by the caller's argument, so each
        // is a valid `M31`.
        Self(unsafe { core::mem::transmute::<__m512i, [M31; WIDTH]>(v) })
    }
}

#[inline(always)]
fn p_vec() -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe { _mm512_set1_epi32(P as i32) }
}

/// `a + b mod p` lane-wise for canonical inputs: `t = a + b < 2p` fits 32 bits, and
/// `min(t, t − p)` (unsigned, wrapping) is `t − p` exactly when `t ≥ p`.
#[inline(always)]
fn add(a: __m512i, b: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        let t = _mm512_add_epi32(a, b);
        _mm512_min_epu32(t, _mm512_sub_epi32(t, p_vec()))
    }
}

/// `a − b mod p` lane-wise: `t = a − b` wraps above `2^31` when `a < b`, and then `t + p` (wrapping)
/// is the smaller, correct value; otherwise `t` is.
#[inline(always)]
fn sub(a: __m512i, b: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        let t = _mm512_sub_epi32(a, b);
        _mm512_min_epu32(t, _mm512_add_epi32(t, p_vec()))
    }
}

/// `−a mod p`: `p − a` in the lanes where `a ≠ 0`, zero elsewhere (2 instructions).
#[inline(always)]
fn neg(a: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe { _mm512_maskz_sub_epi32(_mm512_test_epi32_mask(a, a), p_vec(), a) }
}

/// `a·b mod p` lane-wise for canonical inputs.
///
/// `vpmuludq` multiplies the even dwords of two vectors into 64-bit products. Feeding it `2a`
/// makes each product `2ab = hi·2^32 + 2·lo` with `ab = hi·2^31 + lo`, so the Mersenne fold
/// `lo + hi` needs only a 1-bit shift of the low dword. The odd lanes are shifted down by a 64-bit
/// shift of 31 (which also doubles them: bit 31 of the even lane below is zero), and the two sets of
/// halves are merged with masked `pshufd`s. Expected: 2 `vpmuludq`, 3 shuffles, 6 simple ops.
#[inline(always)]
fn mul(a: __m512i, b: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        let a_even_dbl = _mm512_add_epi32(a, a);
        let a_odd_dbl = _mm512_srli_epi64::<31>(a);
        let b_odd = _mm512_shuffle_epi32::<DUP_ODD>(b);
        // Products 2ab of lanes (2k, 2k) and (2k+1, 2k+1), one per 64-bit element.
        let prod_even = _mm512_mul_epu32(a_even_dbl, b);
        let prod_odd = _mm512_mul_epu32(a_odd_dbl, b_odd);
        // hi: the high dword of each product, in its lane's position.
        let hi = _mm512_mask_shuffle_epi32::<DUP_ODD>(prod_odd, EVENS, prod_even);
        // 2·lo: the low dword of each product, in its lane's position.
        let lo_dbl = _mm512_mask_shuffle_epi32::<DUP_EVEN>(prod_even, ODDS, prod_odd);
        let lo = _mm512_srli_epi32::<1>(lo_dbl);
        // lo ≤ p and hi < p − 1 (as for the scalar fold), so lo + hi < 2p.
        let t = _mm512_add_epi32(lo, hi);
        _mm512_min_epu32(t, _mm512_sub_epi32(t, p_vec()))
    }
}

/// `x·2^n mod p` for `1 ≤ n ≤ 30`, canonical in and out: multiplying by `2^n` modulo `2^31 − 1` is a
/// rotation of the 31-bit word, `((x << n) & p) | (x >> (31 − n))` — four simple instructions
/// instead of a product. (A canonical `x` is not all ones, nor is its rotation.)
#[inline(always)]
fn mul_2exp(x: __m512i, n: u32) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        let l = _mm512_and_si512(_mm512_sllv_epi32(x, _mm512_set1_epi32(n as i32)), p_vec());
        let r = _mm512_srlv_epi32(x, _mm512_set1_epi32((31 - n) as i32));
        _mm512_or_si512(l, r)
    }
}

/// The packed form of [`mul_2exp`], for `packed_common!`.
#[inline(always)]
fn packed_mul_2exp(x: PackedM31Avx512, n: u32, v: M31) -> PackedM31Avx512 {
    if (1..=30).contains(&n) {
        PackedM31Avx512::from_vector(mul_2exp(x.to_vector(), n))
    } else {
        x * v
    }
}

/// `s mod p` up to a sign, for a square `s = x²` of a signed `x ∈ [−p, p]` on the even lanes
/// (`0 ≤ s ≤ p² < 2^62` in each 64-bit lane): with `s = hi·2^31 + lo`, `s ≡ hi + lo`, and
/// `hi − (p − lo) ∈ [−p, p)` is returned as a signed 64-bit lane (its low dword is the signed
/// 32-bit value). `p − lo` is `!s & p` (one `vpandnq`).
#[inline(always)]
fn square_partial(x: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        let s = _mm512_mul_epi32(x, x);
        let hi = _mm512_srli_epi64::<31>(s);
        let p_minus_lo = _mm512_andnot_si512(s, _mm512_set1_epi64(i64::from(P)));
        _mm512_sub_epi64(hi, p_minus_lo)
    }
}

/// `(x + c)^5` for canonical `x`: `a = x + c − p ∈ [−p, p)`, then on the even and the odd lanes
/// separately (signed products, `vpmuldq`) `a² → a⁴` with [`square_partial`], `v = a⁴·a` with
/// `|v| ≤ p²`, and one reduction of both halves at the end: `v = h·2^31 + l` with `l = v mod 2^31`
/// and `h = ⌊v / 2^31⌋ ∈ (−p, p)` (signed), so `t = h + l ∈ (−p, 2p)` and one conditional `∓ p`
/// chosen by the sign of `h` makes it canonical. Three multiplications per half, no shuffles
/// between them (the signed-representation idea of Plonky3's Mersenne-31 AVX-512 `exp5`).
#[inline(always)]
fn add_exp5(x: __m512i, c: u32) -> __m512i {
    let (a_evn, a_odd) = exp5_inputs(x, c);
    let v_evn = exp5_half(a_evn, square_partial(square_partial(a_evn)));
    let v_odd = exp5_half(a_odd, square_partial(square_partial(a_odd)));
    exp5_reduce(v_evn, v_odd)
}

/// The signed inputs of [`add_exp5`]: `a = x + c − p ∈ [−p, p)` on the even lanes, and its odd
/// lanes moved down.
#[inline(always)]
fn exp5_inputs(x: __m512i, c: u32) -> (__m512i, __m512i) {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        let a_evn = _mm512_sub_epi32(_mm512_add_epi32(x, _mm512_set1_epi32(c as i32)), p_vec());
        (a_evn, _mm512_shuffle_epi32::<DUP_ODD>(a_evn))
    }
}

/// `v = a⁴·a` on the even lanes (signed 64-bit, `|v| ≤ p²`).
#[inline(always)]
fn exp5_half(a: __m512i, a4: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe { _mm512_mul_epi32(a4, a) }
}

/// The canonical values of the even-lane and odd-lane products `v` of [`add_exp5`], merged.
#[inline(always)]
fn exp5_reduce(v_evn: __m512i, v_odd: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        // l: the low dword of each v, in its lane's position, bit 31 cleared.
        let l =
            _mm512_and_si512(_mm512_mask_shuffle_epi32::<DUP_EVEN>(v_evn, ODDS, v_odd), p_vec());
        // h: bits 31..62 of each v, in its lane's position (even: v >> 31; odd: the high dword
        // of 2v).
        let h = _mm512_mask_blend_epi32(
            ODDS,
            _mm512_srli_epi64::<31>(v_evn),
            _mm512_add_epi64(v_odd, v_odd),
        );
        let negative = _mm512_cmplt_epi32_mask(h, _mm512_setzero_si512());
        let t = _mm512_add_epi32(h, l);
        // t − p where h ≥ 0 (t ∈ [0, 2p)), t + p where h < 0 (t ∈ (−p, p)); the unsigned minimum
        // of t and that is the canonical value in both cases.
        let u = _mm512_mask_add_epi32(_mm512_sub_epi32(t, p_vec()), negative, t, p_vec());
        _mm512_min_epu32(t, u)
    }
}

/// [`add_exp5`] on up to eight vectors, stage by stage (all squares, all fourth powers, all
/// products, all reductions), so that the sixteen independent half-vector chains interleave (eight
/// vectors measured fastest: four leave latency exposed, sixteen spill registers).
#[inline(always)]
fn add_exp5_x8(xs: &mut [PackedM31Avx512], cs: &[M31]) {
    let n = xs.len().min(cs.len()).min(8);
    let mut a = [p_vec(); 16];
    for i in 0..n {
        (a[2 * i], a[2 * i + 1]) = exp5_inputs(xs[i].to_vector(), cs[i].as_canonical_u32());
    }
    exp5_x8(&mut xs[..n], &a);
}

/// [`add_exp5_x8`] with negated constant vectors: `a = x − neg_c ∈ (−p, p)`.
#[inline(always)]
fn sub_exp5_x8(xs: &mut [PackedM31Avx512], neg_cs: &[PackedM31Avx512]) {
    let n = xs.len().min(neg_cs.len()).min(8);
    let mut a = [p_vec(); 16];
    for i in 0..n {
        (a[2 * i], a[2 * i + 1]) = exp5_inputs_sub(xs[i].to_vector(), neg_cs[i].to_vector());
    }
    exp5_x8(&mut xs[..n], &a);
}

/// `xs[i] ← a_i^5`, where `a[2i]`, `a[2i + 1]` are the even and the moved-down odd lanes of the
/// signed `a_i` (at most eight vectors), stage by stage.
#[inline(always)]
fn exp5_x8(xs: &mut [PackedM31Avx512], a: &[__m512i; 16]) {
    let n = xs.len().min(8);
    let mut t = [p_vec(); 16];
    for k in 0..2 * n {
        t[k] = square_partial(a[k]);
    }
    for k in 0..2 * n {
        t[k] = square_partial(t[k]);
    }
    for k in 0..2 * n {
        t[k] = exp5_half(a[k], t[k]);
    }
    for i in 0..n {
        xs[i] = PackedM31Avx512::from_vector(exp5_reduce(t[2 * i], t[2 * i + 1]));
    }
}

/// The signed S-box inputs from a negated constant vector: `a = x − neg_c ∈ (−p, p)` for
/// canonical `x` and `neg_c` (one subtraction), and its odd lanes moved down.
#[inline(always)]
fn exp5_inputs_sub(x: __m512i, neg_c: __m512i) -> (__m512i, __m512i) {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        let a_evn = _mm512_sub_epi32(x, neg_c);
        (a_evn, _mm512_shuffle_epi32::<DUP_ODD>(a_evn))
    }
}

/// `(x − neg_c)^D`, for `packed_common!`: the [`add_exp5`] chain on `x − neg_c` for `D = 5`.
#[inline(always)]
fn packed_sub_exp_small<const D: u64>(
    x: PackedM31Avx512,
    neg_c: PackedM31Avx512,
) -> PackedM31Avx512 {
    if D == 5 {
        let (a_evn, a_odd) = exp5_inputs_sub(x.to_vector(), neg_c.to_vector());
        let v_evn = exp5_half(a_evn, square_partial(square_partial(a_evn)));
        let v_odd = exp5_half(a_odd, square_partial(square_partial(a_odd)));
        PackedM31Avx512::from_vector(exp5_reduce(v_evn, v_odd))
    } else {
        crate::exp_small::<PackedM31Avx512, D>(x - neg_c)
    }
}

/// The batch form of [`packed_sub_exp_small`], for `packed_common!`: [`sub_exp5_x8`] for `D = 5`.
#[inline(always)]
fn packed_sub_exp_small_batch<const D: u64>(
    xs: &mut [PackedM31Avx512],
    neg_cs: &[PackedM31Avx512],
) {
    if D == 5 {
        for (xs, cs) in xs.chunks_mut(8).zip(neg_cs.chunks(8)) {
            sub_exp5_x8(xs, cs);
        }
    } else {
        for (x, &c) in xs.iter_mut().zip(neg_cs) {
            *x = packed_sub_exp_small::<D>(*x, c);
        }
    }
}

/// A full S-box layer, for `packed_common!`: [`add_exp5_x8`] for `D = 5`.
#[inline(always)]
fn packed_add_exp_small_batch<const D: u64>(xs: &mut [PackedM31Avx512], cs: &[M31]) {
    if D == 5 {
        for (xs, cs) in xs.chunks_mut(8).zip(cs.chunks(8)) {
            add_exp5_x8(xs, cs);
        }
    } else {
        for (x, &c) in xs.iter_mut().zip(cs) {
            *x = packed_add_exp_small::<D>(*x, c);
        }
    }
}

/// `(x + c)^D`, for `packed_common!`: [`add_exp5`] for `D = 5`, the generic chain otherwise.
#[inline(always)]
fn packed_add_exp_small<const D: u64>(x: PackedM31Avx512, c: M31) -> PackedM31Avx512 {
    if D == 5 {
        PackedM31Avx512::from_vector(add_exp5(x.to_vector(), c.as_canonical_u32()))
    } else {
        crate::exp_small::<PackedM31Avx512, D>(x + c)
    }
}

impl Debug for PackedM31Avx512 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Debug::fmt(&self.0, f)
    }
}

impl Add for PackedM31Avx512 {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self::from_vector(add(self.to_vector(), rhs.to_vector()))
    }
}

impl Sub for PackedM31Avx512 {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self::from_vector(sub(self.to_vector(), rhs.to_vector()))
    }
}

impl Neg for PackedM31Avx512 {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Self::from_vector(neg(self.to_vector()))
    }
}

impl Mul for PackedM31Avx512 {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Self::from_vector(mul(self.to_vector(), rhs.to_vector()))
    }
}

super::packed_common!(PackedM31Avx512, WIDTH);
