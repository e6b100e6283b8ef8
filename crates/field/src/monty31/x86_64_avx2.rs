//! 8 lanes of a 31-bit Montgomery field in an AVX2 register (for CPUs without AVX-512).
//!
//! Multiplication follows the even/odd scheme of Plonky3's `monty-31/src/x86_64_avx2/packing.rs`
//! (`vpmuludq` multiplies the even 32-bit lanes of two vectors into 64-bit products, so the odd lanes
//! are moved down first), with the standard `−p⁻¹` Montgomery reduction done on 64-bit lanes and a
//! `min`-based final subtraction; see [`mul`].

use core::arch::asm;
use core::arch::x86_64::{
    __m256i, _mm256_add_epi32, _mm256_add_epi64, _mm256_and_si256, _mm256_blend_epi32,
    _mm256_castps_si256, _mm256_castsi256_ps, _mm256_loadu_si256, _mm256_madd_epi16,
    _mm256_min_epu32, _mm256_movehdup_ps, _mm256_mul_epi32, _mm256_mul_epu32,
    _mm256_permute2x128_si256, _mm256_set1_epi32, _mm256_setzero_si256, _mm256_sign_epi32,
    _mm256_sllv_epi32, _mm256_srli_epi32, _mm256_srli_epi64, _mm256_srlv_epi32, _mm256_sub_epi32,
    _mm256_unpackhi_epi32, _mm256_unpackhi_epi64, _mm256_unpacklo_epi32, _mm256_unpacklo_epi64,
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

/// [`PackedField::dot_limbs`] on 8 lanes: the lazy dot product. For the even and the odd 32-bit
/// lanes separately (`vpmuludq` reads the low half of each 64-bit lane; the odd lanes' limbs are
/// shifted down), `x = Σ_k (a_k·lo_k + b_k·hi_k)` with Montgomery words `a_k, b_k < p` and limbs
/// `< 2^16`, so `x < 128·2^16·2^31 = 2^54 < p·2^32`; one Montgomery reduction gives
/// `t = x/2^32 + (q·p)/2^32 < 2p`, then `min(t, t − p)`. The weights carry an extra factor `R`
/// ([`MontyField31::limb_weight_scaled`]), which the reduction's `R⁻¹` removes. Per word and 16
/// lanes: 4 `vpmuludq`, 4 `vpaddq`, 3 shifts and an `and`, instead of two full products.
#[inline(always)]
fn dot_limbs<P: MontyParameters31, const K: usize>(
    ws: &[[MontyField31<P>; 2]; K],
    words: &[&[u32]; K],
    at: usize,
) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); the
    // loads read `8` `u32`s from a slice of exactly that length (bounds-checked slicing
    // above them), unaligned loads; everything else works on registers.
    unsafe {
        let mask = splat(0xffff);
        let mut acc_evn = _mm256_setzero_si256();
        let mut acc_odd = _mm256_setzero_si256();
        for (w, x) in ws.iter().zip(words) {
            let x = &x[at..at + 8];
            let v = _mm256_loadu_si256(x.as_ptr().cast());
            let lo = _mm256_and_si256(v, mask);
            let hi = _mm256_srli_epi32::<16>(v);
            let lo_odd = _mm256_srli_epi64::<32>(lo);
            let hi_odd = _mm256_srli_epi64::<48>(v);
            let (a, b) = (splat(w[0].to_monty()), splat(w[1].to_monty()));
            acc_evn = _mm256_add_epi64(acc_evn, _mm256_mul_epu32(lo, a));
            acc_evn = _mm256_add_epi64(acc_evn, _mm256_mul_epu32(hi, b));
            acc_odd = _mm256_add_epi64(acc_odd, _mm256_mul_epu32(lo_odd, a));
            acc_odd = _mm256_add_epi64(acc_odd, _mm256_mul_epu32(hi_odd, b));
        }
        let p = splat(P::PRIME);
        let mu = splat(P::MONTY_NEG_P_INV);
        let q_evn = opaque(_mm256_mul_epu32(acc_evn, mu));
        let q_odd = opaque(_mm256_mul_epu32(acc_odd, mu));
        let s_evn = _mm256_add_epi64(acc_evn, _mm256_mul_epu32(q_evn, p));
        let s_odd = _mm256_add_epi64(acc_odd, _mm256_mul_epu32(q_odd, p));
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

/// The odd 32-bit lanes copied onto the even ones (`vmovshdup`, a shuffle: it does not compete
/// with `vpmuludq` for the multiplier ports).
#[inline(always)]
fn dup_odd(x: __m256i) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only
    // intrinsics.
    unsafe { _mm256_castps_si256(_mm256_movehdup_ps(_mm256_castsi256_ps(x))) }
}

/// Signed Montgomery product of the even 32-bit lanes, each a signed value in `[−p, p]`; the
/// result, in `(−p, p)`, lands in the odd 32-bit lanes (the even ones are garbage).
///
/// `x = a·b` (signed, `|x| ≤ p²`), `q = x·p⁻¹ mod 2^32` read as a signed 32-bit value, so that
/// `x − q·p ≡ 0 (mod 2^32)` and `|x − q·p| < p² + 2^31·p < p·2^32`: its high half is the exact
/// quotient. The low halves of `x` and `q·p` are equal, so a 32-bit subtraction of the high halves
/// needs no borrow. Three `vpmul*dq`, one `vpsubd`, and no canonical fix-up until the caller's
/// last step (as the AVX-512 module's S-box).
#[inline(always)]
fn mul_signed_to_odd<P: MontyParameters31>(a: __m256i, b: __m256i) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only
    // intrinsics.
    unsafe {
        let x = _mm256_mul_epi32(a, b);
        let q = opaque(_mm256_mul_epu32(x, splat(P::MONTY_NEG_P_INV.wrapping_neg())));
        let qp = _mm256_mul_epi32(q, splat(P::PRIME));
        _mm256_sub_epi32(x, qp)
    }
}

/// `a^D` on the even lanes (signed, in `[−p, p]`), result in `(−p, p)` on the odd lanes.
#[inline(always)]
fn exp_even_to_odd<P: MontyParameters31, const D: u64>(a: __m256i) -> __m256i {
    match D {
        3 => {
            let x2 = dup_odd(mul_signed_to_odd::<P>(a, a));
            mul_signed_to_odd::<P>(x2, a)
        }
        5 => {
            let x2 = dup_odd(mul_signed_to_odd::<P>(a, a));
            let x4 = dup_odd(mul_signed_to_odd::<P>(x2, x2));
            mul_signed_to_odd::<P>(x4, a)
        }
        _ => {
            // 7: x³·x⁴.
            let x2 = dup_odd(mul_signed_to_odd::<P>(a, a));
            let x3 = dup_odd(mul_signed_to_odd::<P>(x2, a));
            let x4 = dup_odd(mul_signed_to_odd::<P>(x2, x2));
            mul_signed_to_odd::<P>(x3, x4)
        }
    }
}

/// `x + c − p` lane-wise for canonical `x` and `c`: a signed value in `[−p, p)`, the input range
/// of [`exp_even_to_odd`], with one addition (`c − p` is folded into the broadcast constant).
#[inline(always)]
fn add_neg_form<P: MontyParameters31>(x: __m256i, c: u32) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only
    // intrinsics.
    unsafe { _mm256_add_epi32(x, splat(c.wrapping_sub(P::PRIME))) }
}

/// The canonical form of the odd-lane results of [`exp_even_to_odd`] on the even (`r_evn`) and the
/// odd (`r_odd`) lanes of one vector: merged (`vmovshdup` + `vpblendd`), then `(−p, p)` mapped to
/// `[0, p)` by `min(t, t + p)`.
#[inline(always)]
fn merge_signed<P: MontyParameters31>(r_evn: __m256i, r_odd: __m256i) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only
    // intrinsics.
    unsafe {
        let t = movehdup_evens(r_odd, r_evn);
        _mm256_min_epu32(t, _mm256_add_epi32(t, splat(P::PRIME)))
    }
}

/// `a^D` for `D` ∈ {3, 5, 7} and signed `a ∈ [−p, p]`, canonical out: the even and odd lanes go
/// through [`exp_even_to_odd`] separately and [`merge_signed`] joins them. `a` is `x + c − p`
/// ([`add_neg_form`]) or `x − (−c)` for canonical `x`, `c`.
#[inline(always)]
fn exp_signed<P: MontyParameters31, const D: u64>(a: __m256i) -> __m256i {
    let r_evn = exp_even_to_odd::<P, D>(a);
    let r_odd = exp_even_to_odd::<P, D>(dup_odd(a));
    merge_signed::<P>(r_evn, r_odd)
}

/// `x − y` lane-wise without reduction: for canonical `x`, `y` a signed value in `(−p, p)`.
#[inline(always)]
fn sub_signed(x: __m256i, y: __m256i) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only
    // intrinsics.
    unsafe { _mm256_sub_epi32(x, y) }
}

/// [`exp_signed`] on two vectors at once, stage by stage, so that the four independent half-vector
/// chains interleave instead of running one after the other (written out with named values: a
/// fixed-size array here is not always kept in registers).
#[inline(always)]
fn exp_signed_x2<P: MontyParameters31, const D: u64>(a: [__m256i; 2]) -> [__m256i; 2] {
    let (e0, o0, e1, o1) = (a[0], dup_odd(a[0]), a[1], dup_odd(a[1]));
    let sq = |v: __m256i| dup_odd(mul_signed_to_odd::<P>(v, v));
    let (e0_2, o0_2, e1_2, o1_2) = (sq(e0), sq(o0), sq(e1), sq(o1));
    let (r_e0, r_o0, r_e1, r_o1) = match D {
        3 => (
            mul_signed_to_odd::<P>(e0_2, e0),
            mul_signed_to_odd::<P>(o0_2, o0),
            mul_signed_to_odd::<P>(e1_2, e1),
            mul_signed_to_odd::<P>(o1_2, o1),
        ),
        5 => {
            let (e0_4, o0_4, e1_4, o1_4) = (sq(e0_2), sq(o0_2), sq(e1_2), sq(o1_2));
            (
                mul_signed_to_odd::<P>(e0_4, e0),
                mul_signed_to_odd::<P>(o0_4, o0),
                mul_signed_to_odd::<P>(e1_4, e1),
                mul_signed_to_odd::<P>(o1_4, o1),
            )
        }
        _ => {
            let cube = |v2: __m256i, v: __m256i| dup_odd(mul_signed_to_odd::<P>(v2, v));
            let (e0_3, o0_3, e1_3, o1_3) =
                (cube(e0_2, e0), cube(o0_2, o0), cube(e1_2, e1), cube(o1_2, o1));
            let (e0_4, o0_4, e1_4, o1_4) = (sq(e0_2), sq(o0_2), sq(e1_2), sq(o1_2));
            (
                mul_signed_to_odd::<P>(e0_3, e0_4),
                mul_signed_to_odd::<P>(o0_3, o0_4),
                mul_signed_to_odd::<P>(e1_3, e1_4),
                mul_signed_to_odd::<P>(o1_3, o1_4),
            )
        }
    };
    [merge_signed::<P>(r_e0, r_o0), merge_signed::<P>(r_e1, r_o1)]
}

/// `x/2` on canonical Montgomery words: `x >> 1`, plus `(p + 1)/2` where `x` is odd (then
/// `(x − 1)/2 + (p + 1)/2 ≤ p − 1`, canonical). `vpsignd` turns the constant into zero where the
/// low bit is clear: four instructions.
#[inline(always)]
fn halve<P: MontyParameters31>(x: __m256i) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only
    // intrinsics.
    unsafe {
        let low_bit = _mm256_and_si256(x, splat(1));
        let h = _mm256_srli_epi32::<1>(x);
        _mm256_add_epi32(h, _mm256_sign_epi32(splat(P::PRIME.div_ceil(2)), low_bit))
    }
}

/// `acc + d mod p` for canonical `acc` and a signed `d ∈ (−p, p)`: `t = acc + d` lies in
/// `[0, 2p)` when `d ≥ 0` and in `(−p, p)` when `d < 0`, so `min(t, t ∓ p)` (unsigned, the sign
/// taken from `d` by `vpsignd`; `d = 0` leaves `t = acc`) is canonical. Four instructions.
#[inline(always)]
fn add_signed<P: MontyParameters31>(acc: __m256i, d: __m256i) -> __m256i {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only
    // intrinsics.
    unsafe {
        let t = _mm256_add_epi32(acc, d);
        let corr = _mm256_sign_epi32(splat(P::PRIME), d);
        _mm256_min_epu32(t, _mm256_sub_epi32(t, corr))
    }
}

/// `±x·2^{−n}` for `1 ≤ n ≤ s` as a signed value in `(−p, p)`, for `p = 2^31 − 2^s + 1`
/// ([`MontyParameters31::SHAPED`]): as in [`mul_inv_2exp`], `x·2^{−n} ≡ hi − t` with
/// `t = c·lo·2^{s−n} ∈ [0, p)` and `hi < 2^{31−n}`; the negation is `t − hi`. No sign fix-up: the
/// caller adds it with [`add_signed`].
///
/// `c·lo` is one `vpmaddwd` where `lo < 2^n ≤ 2^15` and `c < 2^15` (BabyBear's 15, KoalaBear's
/// 127; the high 16-bit half of `lo` is zero), else `(lo << (31 − s)) − lo`. Either way no
/// `vpmulld`, which LLVM would otherwise form from the two shifts (two µops and a ten-cycle latency
/// on Intel cores).
#[inline(always)]
fn mul_inv_2exp_signed<P: MontyParameters31>(x: __m256i, n: u32, negate: bool) -> __m256i {
    let s = P::TWO_ADICITY as u32;
    let c = (1u32 << (31 - s)) - 1;
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only
    // intrinsics (and `opaque`, which needs AVX2 and reads and writes one register).
    unsafe {
        let hi = _mm256_srlv_epi32(x, splat(n));
        let lo = _mm256_and_si256(x, splat((1u32 << n) - 1));
        let c_lo = if n <= 15 && c < (1 << 15) {
            _mm256_madd_epi16(lo, splat(c))
        } else {
            _mm256_sub_epi32(opaque(_mm256_sllv_epi32(lo, splat(31 - s))), lo)
        };
        let t = _mm256_sllv_epi32(c_lo, splat(s - n));
        if negate { _mm256_sub_epi32(t, hi) } else { _mm256_sub_epi32(hi, t) }
    }
}

/// The transpose of an 8 × 8 matrix of 32-bit words held as 8 row vectors: `unpack{lo,hi}_epi32`
/// interleaves row pairs, `unpack{lo,hi}_epi64` row quadruples (within each 128-bit half), and
/// `vperm2i128` joins the halves. 24 shuffles; the words are moved, never changed.
#[inline(always)]
fn transpose8(v: [__m256i; 8]) -> [__m256i; 8] {
    // SAFETY: AVX2 is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx2`); register-only
    // intrinsics.
    unsafe {
        // Rows a..h; t0 = a0 b0 a1 b1 | a4 b4 a5 b5, t1 = a2 b2 a3 b3 | a6 b6 a7 b7, …
        let t0 = _mm256_unpacklo_epi32(v[0], v[1]);
        let t1 = _mm256_unpackhi_epi32(v[0], v[1]);
        let t2 = _mm256_unpacklo_epi32(v[2], v[3]);
        let t3 = _mm256_unpackhi_epi32(v[2], v[3]);
        let t4 = _mm256_unpacklo_epi32(v[4], v[5]);
        let t5 = _mm256_unpackhi_epi32(v[4], v[5]);
        let t6 = _mm256_unpacklo_epi32(v[6], v[7]);
        let t7 = _mm256_unpackhi_epi32(v[6], v[7]);
        // u0 = a0 b0 c0 d0 | a4 b4 c4 d4, u1 = a1 b1 c1 d1 | a5 …, u2: columns 2 | 6, u3: 3 | 7;
        // u4..u7 the same for rows e..h.
        let u0 = _mm256_unpacklo_epi64(t0, t2);
        let u1 = _mm256_unpackhi_epi64(t0, t2);
        let u2 = _mm256_unpacklo_epi64(t1, t3);
        let u3 = _mm256_unpackhi_epi64(t1, t3);
        let u4 = _mm256_unpacklo_epi64(t4, t6);
        let u5 = _mm256_unpackhi_epi64(t4, t6);
        let u6 = _mm256_unpacklo_epi64(t5, t7);
        let u7 = _mm256_unpackhi_epi64(t5, t7);
        [
            _mm256_permute2x128_si256::<0x20>(u0, u4),
            _mm256_permute2x128_si256::<0x20>(u1, u5),
            _mm256_permute2x128_si256::<0x20>(u2, u6),
            _mm256_permute2x128_si256::<0x20>(u3, u7),
            _mm256_permute2x128_si256::<0x31>(u0, u4),
            _mm256_permute2x128_si256::<0x31>(u1, u5),
            _mm256_permute2x128_si256::<0x31>(u2, u6),
            _mm256_permute2x128_si256::<0x31>(u3, u7),
        ]
    }
}

/// Eight consecutive scalars as a vector (an unaligned load).
#[inline(always)]
fn load8<P: MontyParameters31>(xs: &[MontyField31<P>]) -> __m256i {
    let mut a = [MontyField31::<P>::default(); WIDTH];
    a.copy_from_slice(&xs[..WIDTH]);
    PackedMontyField31Avx2(a).to_vector()
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
    fn limb_weight(w: MontyField31<P>) -> MontyField31<P> {
        w.limb_weight_scaled()
    }

    #[inline(always)]
    fn dot_limbs<const K: usize>(
        ws: &[[MontyField31<P>; 2]; K],
        words: &[&[u32]; K],
        at: usize,
    ) -> Self {
        const { assert!(K <= 64, "dot_limbs takes at most 64 words") };
        Self::from_vector(dot_limbs::<P, K>(ws, words, at))
    }

    #[inline(always)]
    fn mul_inv_2exp(self, n: u32, v: MontyField31<P>) -> Self {
        if n == 1 {
            Self::from_vector(halve::<P>(self.to_vector()))
        } else if P::SHAPED && (1..=P::TWO_ADICITY as u32).contains(&n) {
            Self::from_vector(mul_inv_2exp::<P>(self.to_vector(), n))
        } else {
            self * v
        }
    }

    #[inline(always)]
    fn mul_inv_2exp_add(self, n: u32, v: MontyField31<P>, acc: Self, negate: bool) -> Self {
        if P::SHAPED && (2..=P::TWO_ADICITY as u32).contains(&n) {
            let d = mul_inv_2exp_signed::<P>(self.to_vector(), n, negate);
            Self::from_vector(add_signed::<P>(acc.to_vector(), d))
        } else {
            let y = self.mul_inv_2exp(n, v);
            if negate { acc - y } else { acc + y }
        }
    }

    #[inline(always)]
    fn add_exp_small<const D: u64>(self, c: MontyField31<P>) -> Self {
        if matches!(D, 3 | 5 | 7) {
            Self::from_vector(exp_signed::<P, D>(add_neg_form::<P>(self.to_vector(), c.to_monty())))
        } else {
            crate::exp_small::<Self, D>(self + c)
        }
    }

    #[inline(always)]
    fn add_exp_small_batch<const D: u64>(xs: &mut [Self], cs: &[MontyField31<P>]) {
        if matches!(D, 3 | 5 | 7) {
            let mut pairs = xs.chunks_exact_mut(2);
            let mut consts = cs.chunks_exact(2);
            for (x, c) in (&mut pairs).zip(&mut consts) {
                let r = exp_signed_x2::<P, D>([
                    add_neg_form::<P>(x[0].to_vector(), c[0].to_monty()),
                    add_neg_form::<P>(x[1].to_vector(), c[1].to_monty()),
                ]);
                x[0] = Self::from_vector(r[0]);
                x[1] = Self::from_vector(r[1]);
            }
            for (x, &c) in pairs.into_remainder().iter_mut().zip(consts.remainder()) {
                *x = x.add_exp_small::<D>(c);
            }
        } else {
            for (x, &c) in xs.iter_mut().zip(cs) {
                *x = x.add_exp_small::<D>(c);
            }
        }
    }

    const PACKED_NEG_CONSTANTS: bool = true;

    #[inline(always)]
    fn pack_rows<const N: usize>(rows: &[[MontyField31<P>; N]]) -> [Self; N] {
        assert_eq!(rows.len(), WIDTH, "pack_rows needs WIDTH rows");
        let mut cells = [Self::default(); N];
        // Whole 8 × 8 blocks by register transposes; a ragged tail lane by lane.
        let blocks = N / WIDTH;
        for b in 0..blocks {
            let cols = b * WIDTH..(b + 1) * WIDTH;
            let mut v = [splat(0); WIDTH];
            for (v, row) in v.iter_mut().zip(rows) {
                *v = load8::<P>(&row[cols.clone()]);
            }
            for (cell, t) in cells[cols].iter_mut().zip(transpose8(v)) {
                // The words are the canonical lanes of `rows`, moved.
                *cell = Self::from_vector(t);
            }
        }
        for (i, cell) in cells.iter_mut().enumerate().skip(blocks * WIDTH) {
            for (lane, v) in cell.0.iter_mut().enumerate() {
                *v = rows[lane][i];
            }
        }
        cells
    }

    #[inline(always)]
    fn unpack_rows<const N: usize>(cells: &[Self; N], rows: &mut [[MontyField31<P>; N]]) {
        assert_eq!(rows.len(), WIDTH, "unpack_rows needs WIDTH rows");
        let blocks = N / WIDTH;
        for b in 0..blocks {
            let cols = b * WIDTH..(b + 1) * WIDTH;
            let mut v = [splat(0); WIDTH];
            for (v, cell) in v.iter_mut().zip(&cells[cols.clone()]) {
                *v = cell.to_vector();
            }
            for (row, t) in rows.iter_mut().zip(transpose8(v)) {
                row[cols.clone()].copy_from_slice(&Self::from_vector(t).0);
            }
        }
        for (i, cell) in cells.iter().enumerate().skip(blocks * WIDTH) {
            for (lane, v) in cell.0.iter().enumerate() {
                rows[lane][i] = *v;
            }
        }
    }

    #[inline(always)]
    fn sub_exp_small<const D: u64>(self, neg_c: Self) -> Self {
        if matches!(D, 3 | 5 | 7) {
            Self::from_vector(exp_signed::<P, D>(sub_signed(self.to_vector(), neg_c.to_vector())))
        } else {
            crate::exp_small::<Self, D>(self - neg_c)
        }
    }

    #[inline(always)]
    fn sub_exp_small_batch<const D: u64>(xs: &mut [Self], neg_cs: &[Self]) {
        if matches!(D, 3 | 5 | 7) {
            let mut pairs = xs.chunks_exact_mut(2);
            let mut consts = neg_cs.chunks_exact(2);
            for (x, c) in (&mut pairs).zip(&mut consts) {
                let r = exp_signed_x2::<P, D>([
                    sub_signed(x[0].to_vector(), c[0].to_vector()),
                    sub_signed(x[1].to_vector(), c[1].to_vector()),
                ]);
                x[0] = Self::from_vector(r[0]);
                x[1] = Self::from_vector(r[1]);
            }
            for (x, &c) in pairs.into_remainder().iter_mut().zip(consts.remainder()) {
                *x = x.sub_exp_small::<D>(c);
            }
        } else {
            for (x, &c) in xs.iter_mut().zip(neg_cs) {
                *x = x.sub_exp_small::<D>(c);
            }
        }
    }
}
