//! 8 lanes of M31 in one AVX2 register, for CPUs without AVX-512.
//!
//! Same arithmetic as the AVX-512 module (canonical lanes; `min(t, t ∓ p)` for the conditional
//! correction; `2ab` split at the dword boundary for the Mersenne fold), with immediate blends in
//! place of AVX-512 masks.

use core::arch::x86_64::{
    __m256i, _mm256_add_epi32, _mm256_add_epi64, _mm256_and_si256, _mm256_andnot_si256,
    _mm256_blend_epi32, _mm256_min_epu32, _mm256_mul_epi32, _mm256_mul_epu32, _mm256_or_si256,
    _mm256_set1_epi32, _mm256_set1_epi64x, _mm256_setzero_si256, _mm256_shuffle_epi32,
    _mm256_sign_epi32, _mm256_sllv_epi32, _mm256_srli_epi32, _mm256_srli_epi64, _mm256_srlv_epi32,
    _mm256_sub_epi32, _mm256_sub_epi64,
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

/// `s mod p` up to a sign, for a square `s = x²` of a signed `x ∈ [−p, p]` on the even lanes
/// (`0 ≤ s ≤ p² < 2^62` in each 64-bit lane): with `s = hi·2^31 + lo`, `s ≡ hi + lo`, and
/// `hi − (p − lo) ∈ [−p, p)` is returned as a signed 64-bit lane (its low dword is the signed
/// 32-bit value). `p − lo` is `!s & p` (one `vpandn`).
#[inline(always)]
fn square_partial(x: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        let s = _mm256_mul_epi32(x, x);
        let hi = _mm256_srli_epi64::<31>(s);
        let p_minus_lo = _mm256_andnot_si256(s, _mm256_set1_epi64x(i64::from(P)));
        _mm256_sub_epi64(hi, p_minus_lo)
    }
}

/// The signed inputs of [`add_exp5`]: `a = x + c − p ∈ [−p, p)` on the even lanes, and its odd
/// lanes moved down.
#[inline(always)]
fn exp5_inputs(x: __m256i, c: u32) -> (__m256i, __m256i) {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    split_signed(unsafe { _mm256_add_epi32(x, _mm256_set1_epi32(c.wrapping_sub(P) as i32)) })
}

/// The signed inputs of the S-box from a negated constant vector: `a = x − neg_c ∈ (−p, p)` for
/// canonical `x` and `neg_c`, and its odd lanes moved down.
#[inline(always)]
fn exp5_inputs_sub(x: __m256i, neg_c: __m256i) -> (__m256i, __m256i) {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    split_signed(unsafe { _mm256_sub_epi32(x, neg_c) })
}

/// A signed vector (even lanes as they are) and its odd lanes moved down.
#[inline(always)]
fn split_signed(a_evn: __m256i) -> (__m256i, __m256i) {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    (a_evn, unsafe { _mm256_shuffle_epi32::<DUP_ODD>(a_evn) })
}

/// `v = a⁴·a` on the even lanes (signed 64-bit, `|v| ≤ p²`).
#[inline(always)]
fn exp5_half(a: __m256i, a4: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe { _mm256_mul_epi32(a4, a) }
}

/// The canonical values of the even-lane and odd-lane products `v` of [`add_exp5`], merged:
/// `v = h·2^31 + l` with `l = v mod 2^31` and `h = ⌊v / 2^31⌋ ∈ (−p, p)` (signed), so
/// `t = h + l ∈ (−p, 2p]` and `min(t, t ∓ p)` (unsigned; `−p` where `h ≥ 0`, `+p` where `h < 0`,
/// the sign taken by `vpsignd` from `h | 1`, which is never zero) is canonical.
#[inline(always)]
fn exp5_reduce(v_evn: __m256i, v_odd: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `m31`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        // l: the low dword of each v, in its lane's position, bit 31 cleared.
        let l = _mm256_and_si256(
            _mm256_blend_epi32::<ODDS>(v_evn, _mm256_shuffle_epi32::<DUP_EVEN>(v_odd)),
            p_vec(),
        );
        // h: bits 31..62 of each v, in its lane's position (even: v >> 31; odd: the high dword
        // of 2v).
        let h = _mm256_blend_epi32::<ODDS>(
            _mm256_srli_epi64::<31>(v_evn),
            _mm256_add_epi64(v_odd, v_odd),
        );
        let t = _mm256_add_epi32(h, l);
        let corr = _mm256_sign_epi32(p_vec(), _mm256_or_si256(h, _mm256_set1_epi32(1)));
        _mm256_min_epu32(t, _mm256_sub_epi32(t, corr))
    }
}

/// `(x + c)^5` for canonical `x`: `a = x + c − p ∈ [−p, p)`, then [`exp5_signed`].
#[inline(always)]
fn add_exp5(x: __m256i, c: u32) -> __m256i {
    exp5_signed(exp5_inputs(x, c))
}

/// `a^5` for a signed `a` given as its even lanes and its odd lanes moved down: on each half
/// separately (signed products, `vpmuldq`) `a² → a⁴` with [`square_partial`], `v = a⁴·a` with
/// `|v| ≤ p²`, and one reduction of both halves at the end ([`exp5_reduce`]); the AVX-512
/// module's S-box with blends in place of masks.
#[inline(always)]
fn exp5_signed((a_evn, a_odd): (__m256i, __m256i)) -> __m256i {
    let v_evn = exp5_half(a_evn, square_partial(square_partial(a_evn)));
    let v_odd = exp5_half(a_odd, square_partial(square_partial(a_odd)));
    exp5_reduce(v_evn, v_odd)
}

/// [`exp5_signed`] on [`SBOX_GROUP`] vectors in place, stage by stage (all squares, all fourth
/// powers, all products, all reductions), so that the independent half-vector chains interleave:
/// `a[2i]`, `a[2i + 1]` are the even and the moved-down odd lanes of vector `i`; `xs` receives the
/// results.
#[inline(always)]
fn exp5_signed_xn(xs: &mut [PackedM31Avx2], a: &[__m256i; 2 * SBOX_GROUP]) {
    let mut t = [p_vec(); 2 * SBOX_GROUP];
    for k in 0..2 * SBOX_GROUP {
        t[k] = square_partial(a[k]);
    }
    for k in 0..2 * SBOX_GROUP {
        t[k] = square_partial(t[k]);
    }
    for k in 0..2 * SBOX_GROUP {
        t[k] = exp5_half(a[k], t[k]);
    }
    for i in 0..SBOX_GROUP {
        xs[i] = PackedM31Avx2::from_vector(exp5_reduce(t[2 * i], t[2 * i + 1]));
    }
}

/// How many vectors [`exp5_signed_xn`] interleaves in a full S-box layer.
const SBOX_GROUP: usize = 4;

/// `(x + c)^D`, for `packed_common!`: [`add_exp5`] for `D = 5`, the generic chain otherwise.
#[inline(always)]
fn packed_add_exp_small<const D: u64>(x: PackedM31Avx2, c: M31) -> PackedM31Avx2 {
    if D == 5 {
        PackedM31Avx2::from_vector(add_exp5(x.to_vector(), c.as_canonical_u32()))
    } else {
        crate::exp_small::<PackedM31Avx2, D>(x + c)
    }
}

/// A full S-box layer, for `packed_common!`: [`exp5_signed_xn`] for `D = 5`, cell by cell
/// otherwise.
#[inline(always)]
fn packed_add_exp_small_batch<const D: u64>(xs: &mut [PackedM31Avx2], cs: &[M31]) {
    if D == 5 {
        let mut groups = xs.chunks_exact_mut(SBOX_GROUP);
        let mut consts = cs.chunks_exact(SBOX_GROUP);
        for (xs, cs) in (&mut groups).zip(&mut consts) {
            let mut a = [p_vec(); 2 * SBOX_GROUP];
            for i in 0..SBOX_GROUP {
                (a[2 * i], a[2 * i + 1]) = exp5_inputs(xs[i].to_vector(), cs[i].as_canonical_u32());
            }
            exp5_signed_xn(xs, &a);
        }
        for (x, &c) in groups.into_remainder().iter_mut().zip(consts.remainder()) {
            *x = packed_add_exp_small::<D>(*x, c);
        }
    } else {
        for (x, &c) in xs.iter_mut().zip(cs) {
            *x = packed_add_exp_small::<D>(*x, c);
        }
    }
}

/// `(x − neg_c)^D`, for `packed_common!`: [`exp5_signed`] for `D = 5`.
#[inline(always)]
fn packed_sub_exp_small<const D: u64>(x: PackedM31Avx2, neg_c: PackedM31Avx2) -> PackedM31Avx2 {
    if D == 5 {
        PackedM31Avx2::from_vector(exp5_signed(exp5_inputs_sub(x.to_vector(), neg_c.to_vector())))
    } else {
        crate::exp_small::<PackedM31Avx2, D>(x - neg_c)
    }
}

/// The batch form of [`packed_sub_exp_small`], for `packed_common!`: groups of [`SBOX_GROUP`].
#[inline(always)]
fn packed_sub_exp_small_batch<const D: u64>(xs: &mut [PackedM31Avx2], neg_cs: &[PackedM31Avx2]) {
    if D == 5 {
        let mut groups = xs.chunks_exact_mut(SBOX_GROUP);
        let mut consts = neg_cs.chunks_exact(SBOX_GROUP);
        for (xs, cs) in (&mut groups).zip(&mut consts) {
            let mut a = [p_vec(); 2 * SBOX_GROUP];
            for i in 0..SBOX_GROUP {
                (a[2 * i], a[2 * i + 1]) = exp5_inputs_sub(xs[i].to_vector(), cs[i].to_vector());
            }
            exp5_signed_xn(xs, &a);
        }
        for (x, &c) in groups.into_remainder().iter_mut().zip(consts.remainder()) {
            *x = packed_sub_exp_small::<D>(*x, c);
        }
    } else {
        for (x, &c) in xs.iter_mut().zip(neg_cs) {
            *x = packed_sub_exp_small::<D>(*x, c);
        }
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
