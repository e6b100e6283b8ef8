//! 8 lanes of a 31-bit Montgomery field in an AVX2 register (for CPUs without AVX-512).
//!
//! Multiplication follows the even/odd scheme of Plonky3's `monty-31/src/x86_64_avx2/packing.rs`
//! (`vpmuludq` multiplies the even 32-bit lanes of two vectors into 64-bit products, so the odd lanes
//! are moved down first), with the standard `−p⁻¹` Montgomery reduction done on 64-bit lanes and a
//! `min`-based final subtraction; see [`mul`].

use core::arch::asm;
use core::arch::x86_64::{
    __m256i, _mm256_add_epi32, _mm256_add_epi64, _mm256_and_si256, _mm256_blend_epi32,
    _mm256_castps_si256, _mm256_castsi256_ps, _mm256_min_epu32, _mm256_movehdup_ps,
    _mm256_mul_epu32, _mm256_set1_epi32, _mm256_sllv_epi32, _mm256_srlv_epi32, _mm256_sub_epi32,
};
use core::mem::transmute;
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use super::{MontyField31, MontyParameters31};
use crate::PackedField;

const WIDTH: usize = 8;

/// 8 elements of a 31-bit Montgomery field, operated on lane by lane with AVX2.
///
/// The layout is `[MontyField31<P>; 8]` (alignment 4: loads and stores are unaligned), every lane
/// canonical.
#[derive(Copy, Clone, Default, PartialEq, Eq)]
#[repr(transparent)]
pub struct PackedMontyField31Avx2<P: MontyParameters31>(pub [MontyField31<P>; WIDTH]);

impl<P: MontyParameters31> core::fmt::Debug for PackedMontyField31Avx2<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.0, f)
    }
}

impl<P: MontyParameters31> PackedMontyField31Avx2<P> {
    #[inline(always)]
    fn to_vector(self) -> __m256i {
        // SAFETY: `[MontyField31<P>; 8]` is 32 bytes of `u32`s (`MontyField31` is
        // `repr(transparent)` over `u32`, beside a zero-sized marker), and every bit pattern is a
        // valid `__m256i`.
        unsafe { transmute::<[MontyField31<P>; WIDTH], __m256i>(self.0) }
    }

    /// Wraps a vector whose 32-bit lanes are all canonical (`< p`) Montgomery words.
    #[inline(always)]
    fn from_vector(v: __m256i) -> Self {
        // SAFETY: same size; callers only pass vectors with lanes `< p` (each arithmetic routine
        // below says why its output is canonical), which is the `MontyField31` invariant.
        Self(unsafe { transmute::<__m256i, [MontyField31<P>; WIDTH]>(v) })
    }
}

#[inline(always)]
fn splat(x: u32) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`)
    unsafe { _mm256_set1_epi32(x as i32) }
}

/// Hides a vector's provenance from LLVM, so that it keeps `vpmuludq` on the Montgomery quotient
/// instead of fusing the 32-bit masking of `q` into a 64-bit `vpmullq` (slower). An empty `asm!`
/// block costs nothing at run time. The same trick as Plonky3's `confuse_compiler`.
// In a build without avx2 this is reached only through a `#[target_feature]` entry point
// (`monty31::with_packing`), and `ymm_reg` operands need the feature on the function itself.
#[cfg_attr(target_feature = "avx2", inline(always))]
#[cfg_attr(not(target_feature = "avx2"), inline)]
#[cfg_attr(not(target_feature = "avx2"), target_feature(enable = "avx2"))]
#[cfg_attr(not(target_feature = "avx2"), allow(unused_unsafe))]
unsafe fn opaque(x: __m256i) -> __m256i {
    let y: __m256i;
    // SAFETY: the assembly is empty: it reads and writes nothing but the register it is given.
    unsafe {
        asm!("/* {0} */", inlateout(ymm_reg) x => y, options(pure, nomem, nostack, preserves_flags));
    }
    y
}

/// Lanes `2i` of the result take lane `2i + 1` of `a`; the odd lanes keep `src` (`vmovshdup` then
/// `vpblendd`, as AVX2 has no merge masks).
#[inline(always)]
fn movehdup_evens(src: __m256i, a: __m256i) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only intrinsics.
    unsafe {
        let hi = _mm256_castps_si256(_mm256_movehdup_ps(_mm256_castsi256_ps(a)));
        _mm256_blend_epi32::<0b1010_1010>(hi, src)
    }
}

/// Lane-wise Montgomery product of canonical inputs, canonical output.
///
/// For each lane, with `x = a·b < p²`: `q = x·(−p⁻¹) mod 2^32`, `s = x + q·p ≡ 0 (mod 2^32)`,
/// `t = s / 2^32 < 2p`, result `min(t, t − p)` (wrapping, so the subtraction is kept only when it
/// does not underflow). `vpmuludq` reads only the even 32-bit lanes, so the odd lanes are first copied
/// down (`vmovshdup`); the sums `s` stay 64-bit so that the carry out of the low halves reaches the
/// high halves, and the two high-half vectors are merged with `vmovshdup` + `vpblendd`.
/// Per 8 lanes: 6 `vpmuludq`, 2 `vpaddq`, 3 `vmovshdup`, `vpblendd`, `vpsubd`, `vpminud`.
#[inline(always)]
fn mul<P: MontyParameters31>(lhs: __m256i, rhs: __m256i) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); every intrinsic works on registers only.
    unsafe {
        let p = splat(P::PRIME);
        let mu = splat(P::MONTY_NEG_P_INV);
        let lhs_odd = _mm256_castps_si256(_mm256_movehdup_ps(_mm256_castsi256_ps(lhs)));
        let rhs_odd = _mm256_castps_si256(_mm256_movehdup_ps(_mm256_castsi256_ps(rhs)));
        let x_evn = _mm256_mul_epu32(lhs, rhs);
        let x_odd = _mm256_mul_epu32(lhs_odd, rhs_odd);
        let q_evn = opaque(_mm256_mul_epu32(x_evn, mu));
        let q_odd = opaque(_mm256_mul_epu32(x_odd, mu));
        let s_evn = _mm256_add_epi64(x_evn, _mm256_mul_epu32(q_evn, p));
        let s_odd = _mm256_add_epi64(x_odd, _mm256_mul_epu32(q_odd, p));
        // High halves: odd lanes already hold those of s_odd; even lanes take those of s_evn.
        let t = movehdup_evens(s_odd, s_evn);
        _mm256_min_epu32(t, _mm256_sub_epi32(t, p))
    }
}

/// Lane-wise `a + b mod p`: `a + b < 2p < 2^32`, then `min(s, s − p)`.
#[inline(always)]
fn add<P: MontyParameters31>(lhs: __m256i, rhs: __m256i) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only intrinsics.
    unsafe {
        let s = _mm256_add_epi32(lhs, rhs);
        _mm256_min_epu32(s, _mm256_sub_epi32(s, splat(P::PRIME)))
    }
}

/// Lane-wise `a − b mod p`: when `a < b` the difference wraps above `2^31` and `d + p` (wrapping) is
/// the smaller, canonical one.
#[inline(always)]
fn sub<P: MontyParameters31>(lhs: __m256i, rhs: __m256i) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only intrinsics.
    unsafe {
        let d = _mm256_sub_epi32(lhs, rhs);
        _mm256_min_epu32(d, _mm256_add_epi32(d, splat(P::PRIME)))
    }
}

/// Lane-wise `−a`: `p − a` is in `(0, p]`, and `min(t, t − p)` maps `p` (from `a = 0`) to zero.
#[inline(always)]
fn neg<P: MontyParameters31>(a: __m256i) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only intrinsics.
    unsafe {
        let t = _mm256_sub_epi32(splat(P::PRIME), a);
        _mm256_min_epu32(t, _mm256_sub_epi32(t, splat(P::PRIME)))
    }
}

/// `x·2^{−n}` for `1 ≤ n ≤ s` on Montgomery words, by shifts, for `p = 2^31 − 2^s + 1`
/// ([`MontyParameters31::SHAPED`]; `c = 2^{31−s} − 1`, so `p − 1 = c·2^s`; BabyBear: `s = 27`,
/// `c = 15`): with `x = hi·2^n + lo` and `2^{−n} ≡ −c·2^{s−n}` (as `2^n·c·2^{s−n} = p − 1`),
/// `x·2^{−n} ≡ hi − c·lo·2^{s−n}` with `c·lo·2^{s−n} = lo·2^{31−n} − lo·2^{s−n} < p` and
/// `hi < 2^{31−n}`; one `min` fixes the sign.
#[inline(always)]
fn mul_inv_2exp<P: MontyParameters31>(x: __m256i, n: u32) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only
    // intrinsics.
    unsafe {
        let hi = _mm256_srlv_epi32(x, splat(n));
        let lo = _mm256_and_si256(x, splat((1u32 << n) - 1));
        let t = _mm256_sub_epi32(
            _mm256_sllv_epi32(lo, splat(31 - n)),
            _mm256_sllv_epi32(lo, splat(P::TWO_ADICITY as u32 - n)),
        );
        let d = _mm256_sub_epi32(hi, t);
        _mm256_min_epu32(d, _mm256_add_epi32(d, splat(P::PRIME)))
    }
}

impl<P: MontyParameters31> Add for PackedMontyField31Avx2<P> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self::from_vector(add::<P>(self.to_vector(), rhs.to_vector()))
    }
}

impl<P: MontyParameters31> Sub for PackedMontyField31Avx2<P> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self::from_vector(sub::<P>(self.to_vector(), rhs.to_vector()))
    }
}

impl<P: MontyParameters31> Mul for PackedMontyField31Avx2<P> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Self::from_vector(mul::<P>(self.to_vector(), rhs.to_vector()))
    }
}

impl<P: MontyParameters31> Neg for PackedMontyField31Avx2<P> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Self::from_vector(neg::<P>(self.to_vector()))
    }
}

impl<P: MontyParameters31> Add<MontyField31<P>> for PackedMontyField31Avx2<P> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: MontyField31<P>) -> Self {
        self + Self::broadcast(rhs)
    }
}

impl<P: MontyParameters31> Sub<MontyField31<P>> for PackedMontyField31Avx2<P> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: MontyField31<P>) -> Self {
        self - Self::broadcast(rhs)
    }
}

impl<P: MontyParameters31> Mul<MontyField31<P>> for PackedMontyField31Avx2<P> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: MontyField31<P>) -> Self {
        self * Self::broadcast(rhs)
    }
}

impl<P: MontyParameters31> AddAssign for PackedMontyField31Avx2<P> {
    #[inline(always)]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl<P: MontyParameters31> SubAssign for PackedMontyField31Avx2<P> {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl<P: MontyParameters31> MulAssign for PackedMontyField31Avx2<P> {
    #[inline(always)]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

// SAFETY: `repr(transparent)` over `[MontyField31<P>; 8]`, and every lane written through
// `as_slice_mut` is a `MontyField31<P>`, hence canonical, which is all the arithmetic above requires.
unsafe impl<P: MontyParameters31> PackedField for PackedMontyField31Avx2<P> {
    type Scalar = MontyField31<P>;
    const WIDTH: usize = WIDTH;

    #[inline(always)]
    fn broadcast(s: MontyField31<P>) -> Self {
        Self([s; WIDTH])
    }

    #[inline(always)]
    fn from_fn<Fun: FnMut(usize) -> MontyField31<P>>(f: Fun) -> Self {
        Self(core::array::from_fn(f))
    }

    #[inline(always)]
    fn mul_inv_2exp(self, n: u32, v: MontyField31<P>) -> Self {
        if P::SHAPED && (1..=P::TWO_ADICITY as u32).contains(&n) {
            Self::from_vector(mul_inv_2exp::<P>(self.to_vector(), n))
        } else {
            self * v
        }
    }
}
