//! 16 lanes of a 31-bit Montgomery field in an AVX-512 register.
//!
//! Multiplication follows the even/odd scheme of Plonky3's `monty-31/src/x86_64_avx512/packing.rs`
//! (`vpmuludq` multiplies the even 32-bit lanes of two vectors into 64-bit products, so the odd lanes
//! are moved down first), with the standard `−p⁻¹` Montgomery reduction done on 64-bit lanes and a
//! `min`-based final subtraction; see [`mul`].

use core::arch::asm;
use core::arch::x86_64::{
    __m512i, __mmask16, _mm512_add_epi32, _mm512_add_epi64, _mm512_and_si512, _mm512_castps_si512,
    _mm512_castsi512_ps, _mm512_loadu_si512, _mm512_mask_add_epi32, _mm512_mask_sub_epi32,
    _mm512_maskz_sub_epi32, _mm512_min_epu32, _mm512_movehdup_ps, _mm512_mul_epi32,
    _mm512_mul_epu32, _mm512_set1_epi32, _mm512_setzero_si512, _mm512_sllv_epi32,
    _mm512_srli_epi32, _mm512_srli_epi64, _mm512_srlv_epi32, _mm512_sub_epi32,
    _mm512_test_epi32_mask,
};
use core::mem::transmute;
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use super::{MontyField31, MontyParameters31};
use crate::PackedField;

const WIDTH: usize = 16;

/// 16 elements of a 31-bit Montgomery field, operated on lane by lane with AVX-512.
///
/// The layout is `[MontyField31<P>; 16]` (alignment 4: loads and stores are unaligned), every lane
/// canonical.
#[derive(Copy, Clone, Default, PartialEq, Eq)]
#[repr(transparent)]
pub struct PackedMontyField31Avx512<P: MontyParameters31>(pub [MontyField31<P>; WIDTH]);

impl<P: MontyParameters31> core::fmt::Debug for PackedMontyField31Avx512<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.0, f)
    }
}

impl<P: MontyParameters31> PackedMontyField31Avx512<P> {
    #[inline(always)]
    fn to_vector(self) -> __m512i {
        // SAFETY: `[MontyField31<P>; 16]` is 64 bytes of `u32`s (`MontyField31` is
        // `repr(transparent)` over `u32`, beside a zero-sized marker), and every bit pattern is a
        // valid `__m512i`.
        unsafe { transmute::<[MontyField31<P>; WIDTH], __m512i>(self.0) }
    }

    /// Wraps a vector whose 32-bit lanes are all canonical (`< p`) Montgomery words.
    #[inline(always)]
    fn from_vector(v: __m512i) -> Self {
        // SAFETY: same size; callers only pass vectors with lanes `< p` (each arithmetic routine
        // below says why its output is canonical), which is the `MontyField31` invariant.
        Self(unsafe { transmute::<__m512i, [MontyField31<P>; WIDTH]>(v) })
    }
}

#[inline(always)]
fn splat(x: u32) -> __m512i {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`)
    unsafe { _mm512_set1_epi32(x as i32) }
}

/// Hides a vector's provenance from LLVM, so that it keeps `vpmuludq` on the Montgomery quotient
/// instead of fusing the 32-bit masking of `q` into a 64-bit `vpmullq` (slower). An empty `asm!`
/// block costs nothing at run time. The same trick as Plonky3's `confuse_compiler`.
// In a build without avx512f this is reached only through a `#[target_feature]` entry point
// (`monty31::with_packing`), and `zmm_reg` operands need the feature on the function itself.
#[cfg_attr(target_feature = "avx512f", inline(always))]
#[cfg_attr(not(target_feature = "avx512f"), inline)]
#[cfg_attr(not(target_feature = "avx512f"), target_feature(enable = "avx512f"))]
#[cfg_attr(not(target_feature = "avx512f"), allow(unused_unsafe))]
unsafe fn opaque(x: __m512i) -> __m512i {
    let y: __m512i;
    // SAFETY: the assembly is empty: it reads and writes nothing but the register it is given.
    unsafe {
        asm!("/* {0} */", inlateout(zmm_reg) x => y, options(pure, nomem, nostack, preserves_flags));
    }
    y
}

/// Lanes `2i` of the result take lane `2i + 1` of `a`; the odd lanes keep `src` (`vmovshdup` with a
/// merge mask). Written in assembly because LLVM otherwise tends to pick a two-source permute
/// (`vpermt2ps`), which is slower (the observation is Plonky3's).
// In a build without avx512f this is reached only through a `#[target_feature]` entry point
// (`monty31::with_packing`), and `zmm_reg` operands need the feature on the function itself.
#[cfg_attr(target_feature = "avx512f", inline(always))]
#[cfg_attr(not(target_feature = "avx512f"), inline)]
#[cfg_attr(not(target_feature = "avx512f"), target_feature(enable = "avx512f"))]
#[cfg_attr(not(target_feature = "avx512f"), allow(unused_unsafe))]
unsafe fn mask_movehdup_evens(src: __m512i, a: __m512i) -> __m512i {
    const EVENS: __mmask16 = 0x5555;
    let dst: __m512i;
    // SAFETY: one AVX-512F register-only instruction; the mask register is an input.
    unsafe {
        asm!(
            "vmovshdup {dst}{{{k}}}, {a}",
            dst = inlateout(zmm_reg) src => dst,
            k = in(kreg) EVENS,
            a = in(zmm_reg) a,
            options(pure, nomem, nostack, preserves_flags),
        );
    }
    dst
}

/// Lane-wise Montgomery product of canonical inputs, canonical output.
///
/// For each lane, with `x = a·b < p²`: `q = x·(−p⁻¹) mod 2^32`, `s = x + q·p ≡ 0 (mod 2^32)`,
/// `t = s / 2^32 < 2p`, result `min(t, t − p)` (wrapping, so the subtraction is kept only when it
/// does not underflow). `vpmuludq` reads only the even 32-bit lanes, so the odd lanes are first copied
/// down (`vmovshdup`); the sums `s` stay 64-bit so that the carry out of the low halves reaches the
/// high halves, and the two high-half vectors are merged with one masked `vmovshdup`.
/// Per 16 lanes: 6 `vpmuludq`, 2 `vpaddq`, 3 `vmovshdup`, `vpsubd`, `vpminud`.
#[inline(always)]
fn mul<P: MontyParameters31>(lhs: __m512i, rhs: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`); every intrinsic works on registers only.
    unsafe {
        let p = splat(P::PRIME);
        let mu = splat(P::MONTY_NEG_P_INV);
        let lhs_odd = _mm512_castps_si512(_mm512_movehdup_ps(_mm512_castsi512_ps(lhs)));
        let rhs_odd = _mm512_castps_si512(_mm512_movehdup_ps(_mm512_castsi512_ps(rhs)));
        let x_evn = _mm512_mul_epu32(lhs, rhs);
        let x_odd = _mm512_mul_epu32(lhs_odd, rhs_odd);
        let q_evn = opaque(_mm512_mul_epu32(x_evn, mu));
        let q_odd = opaque(_mm512_mul_epu32(x_odd, mu));
        let s_evn = _mm512_add_epi64(x_evn, _mm512_mul_epu32(q_evn, p));
        let s_odd = _mm512_add_epi64(x_odd, _mm512_mul_epu32(q_odd, p));
        // High halves: odd lanes already hold those of s_odd; even lanes take those of s_evn.
        let t = mask_movehdup_evens(s_odd, s_evn);
        _mm512_min_epu32(t, _mm512_sub_epi32(t, p))
    }
}

/// [`PackedField::dot_limbs`] on 16 lanes: the lazy dot product. For the even and the odd 32-bit
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
) -> __m512i {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`); the
    // loads read `16` `u32`s from a slice of exactly that length (bounds-checked slicing
    // above them), unaligned loads; everything else works on registers.
    unsafe {
        let mask = splat(0xffff);
        let mut acc_evn = _mm512_setzero_si512();
        let mut acc_odd = _mm512_setzero_si512();
        for (w, x) in ws.iter().zip(words) {
            let x = &x[at..at + 16];
            let v = _mm512_loadu_si512(x.as_ptr().cast());
            let lo = _mm512_and_si512(v, mask);
            let hi = _mm512_srli_epi32::<16>(v);
            let lo_odd = _mm512_srli_epi64::<32>(lo);
            let hi_odd = _mm512_srli_epi64::<48>(v);
            let (a, b) = (splat(w[0].to_monty()), splat(w[1].to_monty()));
            acc_evn = _mm512_add_epi64(acc_evn, _mm512_mul_epu32(lo, a));
            acc_evn = _mm512_add_epi64(acc_evn, _mm512_mul_epu32(hi, b));
            acc_odd = _mm512_add_epi64(acc_odd, _mm512_mul_epu32(lo_odd, a));
            acc_odd = _mm512_add_epi64(acc_odd, _mm512_mul_epu32(hi_odd, b));
        }
        let p = splat(P::PRIME);
        let mu = splat(P::MONTY_NEG_P_INV);
        let q_evn = opaque(_mm512_mul_epu32(acc_evn, mu));
        let q_odd = opaque(_mm512_mul_epu32(acc_odd, mu));
        let s_evn = _mm512_add_epi64(acc_evn, _mm512_mul_epu32(q_evn, p));
        let s_odd = _mm512_add_epi64(acc_odd, _mm512_mul_epu32(q_odd, p));
        let t = mask_movehdup_evens(s_odd, s_evn);
        _mm512_min_epu32(t, _mm512_sub_epi32(t, p))
    }
}

/// Lane-wise `a + b mod p`: `a + b < 2p < 2^32`, then `min(s, s − p)`.
#[inline(always)]
fn add<P: MontyParameters31>(lhs: __m512i, rhs: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`); register-only intrinsics.
    unsafe {
        let s = _mm512_add_epi32(lhs, rhs);
        _mm512_min_epu32(s, _mm512_sub_epi32(s, splat(P::PRIME)))
    }
}

/// Lane-wise `a − b mod p`: when `a < b` the difference wraps above `2^31` and `d + p` (wrapping) is
/// the smaller, canonical one.
#[inline(always)]
fn sub<P: MontyParameters31>(lhs: __m512i, rhs: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`); register-only intrinsics.
    unsafe {
        let d = _mm512_sub_epi32(lhs, rhs);
        _mm512_min_epu32(d, _mm512_add_epi32(d, splat(P::PRIME)))
    }
}

/// Lane-wise `−a`: `p − a` on the non-zero lanes, zero elsewhere (a zero-masked subtraction).
#[inline(always)]
fn neg<P: MontyParameters31>(a: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`); register-only intrinsics.
    unsafe { _mm512_maskz_sub_epi32(_mm512_test_epi32_mask(a, a), splat(P::PRIME), a) }
}

/// The odd 32-bit lanes copied onto the even ones (`vmovshdup`, a shuffle: it does not compete
/// with `vpmuludq` for port 0).
#[inline(always)]
fn dup_odd(x: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`); register-only intrinsics.
    unsafe { _mm512_castps_si512(_mm512_movehdup_ps(_mm512_castsi512_ps(x))) }
}

/// Signed Montgomery product of the even 32-bit lanes, each a signed value in `[−p, p]`; the
/// result, in `(−p, p)`, lands in the odd 32-bit lanes (the even ones are garbage).
///
/// `x = a·b` (signed, `|x| ≤ p²`), `q = x·p⁻¹ mod 2^32` read as a signed 32-bit value, so that
/// `x − q·p ≡ 0 (mod 2^32)` and `|x − q·p| < p² + 2^31·p < p·2^32`: its high half is the exact
/// quotient. The low halves of `x` and `q·p` are equal, so a 32-bit subtraction of the high halves
/// needs no borrow. Three `vpmul*dq`, one `vpsubd`; no canonical fix-up until the caller's last
/// step (the signed-Montgomery idea of Plonky3's `monty-31` AVX-512 S-box).
#[inline(always)]
fn mul_signed_to_odd<P: MontyParameters31>(a: __m512i, b: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`); register-only intrinsics.
    unsafe {
        let x = _mm512_mul_epi32(a, b);
        let q = opaque(_mm512_mul_epu32(x, splat(P::MONTY_NEG_P_INV.wrapping_neg())));
        let qp = _mm512_mul_epi32(q, splat(P::PRIME));
        _mm512_sub_epi32(x, qp)
    }
}

/// `a^D` on the even lanes (signed, in `[−p, p]`), result in `(−p, p)` on the odd lanes.
#[inline(always)]
fn exp_even_to_odd<P: MontyParameters31, const D: u64>(a: __m512i) -> __m512i {
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

/// `(x + c)^D` for `D` ∈ {3, 5, 7}, canonical in and out: `x + c − p ∈ [−p, p)` is a valid signed
/// input, the even and odd lanes go through [`exp_even_to_odd`] separately, one masked
/// `vmovshdup` merges them, and one `min` maps `(−p, p)` to `[0, p)`.
#[inline(always)]
fn add_exp<P: MontyParameters31, const D: u64>(x: __m512i, c: u32) -> __m512i {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`); register-only intrinsics.
    unsafe {
        let a = _mm512_add_epi32(x, splat(c.wrapping_sub(P::PRIME)));
        let r_evn = exp_even_to_odd::<P, D>(a);
        let r_odd = exp_even_to_odd::<P, D>(dup_odd(a));
        let t = mask_movehdup_evens(r_odd, r_evn);
        _mm512_min_epu32(t, _mm512_add_epi32(t, splat(P::PRIME)))
    }
}

/// [`add_exp`] for `D = 7` on up to four vectors, stage by stage (all squares, then all cubes and
/// fourth powers, then all products), so that the eight independent half-vector chains
/// interleave instead of running one after the other.
#[inline(always)]
fn add_exp7_x4<P: MontyParameters31>(
    xs: &mut [PackedMontyField31Avx512<P>],
    cs: &[MontyField31<P>],
) {
    let n = xs.len().min(cs.len()).min(4);
    let mut a = [splat(0); 4];
    for i in 0..n {
        // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
        // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`);
        // register-only intrinsics.
        a[i] = unsafe {
            _mm512_add_epi32(xs[i].to_vector(), splat(cs[i].to_monty().wrapping_sub(P::PRIME)))
        };
    }
    exp7_x4::<P>(&mut xs[..n], &a);
}

/// [`add_exp7_x4`] with negated constant vectors: `a = x − neg_c ∈ (−p, p)`.
#[inline(always)]
fn sub_exp7_x4<P: MontyParameters31>(
    xs: &mut [PackedMontyField31Avx512<P>],
    neg_cs: &[PackedMontyField31Avx512<P>],
) {
    let n = xs.len().min(neg_cs.len()).min(4);
    let mut a = [splat(0); 4];
    for i in 0..n {
        // SAFETY: as in `add_exp7_x4`.
        a[i] = unsafe { _mm512_sub_epi32(xs[i].to_vector(), neg_cs[i].to_vector()) };
    }
    exp7_x4::<P>(&mut xs[..n], &a);
}

/// `xs[i] ← a[i]^7` for signed `a[i] ∈ [−p, p]` (at most four vectors), stage by stage.
#[inline(always)]
fn exp7_x4<P: MontyParameters31>(xs: &mut [PackedMontyField31Avx512<P>], a_in: &[__m512i; 4]) {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`); register-only intrinsics.
    unsafe {
        let n = xs.len().min(4);
        let zero = splat(0);
        // Index 2i: the even lanes of cell i; 2i + 1: its odd lanes moved down.
        let mut a = [zero; 8];
        for i in 0..n {
            a[2 * i] = a_in[i];
            a[2 * i + 1] = dup_odd(a_in[i]);
        }
        let mut x2 = [zero; 8];
        for k in 0..2 * n {
            x2[k] = dup_odd(mul_signed_to_odd::<P>(a[k], a[k]));
        }
        let mut x3 = [zero; 8];
        let mut x4 = [zero; 8];
        for k in 0..2 * n {
            x3[k] = dup_odd(mul_signed_to_odd::<P>(x2[k], a[k]));
            x4[k] = dup_odd(mul_signed_to_odd::<P>(x2[k], x2[k]));
        }
        for i in 0..n {
            let r_evn = mul_signed_to_odd::<P>(x3[2 * i], x4[2 * i]);
            let r_odd = mul_signed_to_odd::<P>(x3[2 * i + 1], x4[2 * i + 1]);
            let t = mask_movehdup_evens(r_odd, r_evn);
            xs[i] = PackedMontyField31Avx512::from_vector(_mm512_min_epu32(
                t,
                _mm512_add_epi32(t, splat(P::PRIME)),
            ));
        }
    }
}

/// `a^D` for `D` ∈ {3, 5, 7} and signed `a ∈ [−p, p]`, canonical out (the tail of [`add_exp`]).
#[inline(always)]
fn exp_signed<P: MontyParameters31, const D: u64>(a: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`); register-only intrinsics.
    unsafe {
        let r_evn = exp_even_to_odd::<P, D>(a);
        let r_odd = exp_even_to_odd::<P, D>(dup_odd(a));
        let t = mask_movehdup_evens(r_odd, r_evn);
        _mm512_min_epu32(t, _mm512_add_epi32(t, splat(P::PRIME)))
    }
}

/// `x/2` on Montgomery words: `x >> 1`, plus `(p + 1)/2` where `x` is odd (then
/// `(x − 1)/2 + (p + 1)/2 ≤ p − 1`, canonical). Three instructions, one of them a mask test.
#[inline(always)]
fn halve<P: MontyParameters31>(x: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`); register-only intrinsics.
    unsafe {
        let odd = _mm512_test_epi32_mask(x, splat(1));
        let h = _mm512_srli_epi32::<1>(x);
        _mm512_mask_add_epi32(h, odd, h, splat(P::PRIME.div_ceil(2)))
    }
}

/// `−x·2^{−n}` for `1 ≤ n ≤ s` on Montgomery words, in `[0, p]` (not always canonical), for
/// `p = 2^31 − 2^s + 1`: as in [`mul_inv_2exp`], `−x·2^{−n} ≡ t − hi` with `t = c·lo·2^{s−n}`; when
/// `lo ≥ 1`, `t ≥ c·2^{s−n} ≥ hi` (`hi ≤ (p − 1)/2^n = c·2^{s−n}`), so the difference is already in
/// `[0, p)`, and when `lo = 0` the masked
/// subtraction puts `p` in place of `t`, giving `p − hi ∈ (0, p]`. No sign fix-up (the masking
/// idea is Plonky3's `mul_neg_2exp_neg_n`).
#[inline(always)]
fn mul_neg_inv_2exp<P: MontyParameters31>(x: __m512i, n: u32) -> __m512i {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`); register-only intrinsics.
    unsafe {
        let low_mask = splat((1u32 << n) - 1);
        let hi = _mm512_srlv_epi32(x, splat(n));
        let lo = _mm512_and_si512(x, low_mask);
        let lo_nonzero = _mm512_test_epi32_mask(x, low_mask);
        let t = _mm512_mask_sub_epi32(
            splat(P::PRIME),
            lo_nonzero,
            _mm512_sllv_epi32(lo, splat(31 - n)),
            _mm512_sllv_epi32(lo, splat(P::TWO_ADICITY as u32 - n)),
        );
        _mm512_sub_epi32(t, hi)
    }
}

/// `x·2^{−n}` for `1 ≤ n ≤ s` on Montgomery words (a product by a constant commutes with the
/// Montgomery map, so the words are scaled directly), for `p = 2^31 − 2^s + 1`
/// ([`MontyParameters31::SHAPED`]; `c = 2^{31−s} − 1`, so `p − 1 = c·2^s`; BabyBear: `s = 27`,
/// `c = 15`). With `x = hi·2^n + lo` and `2^{−n} ≡ −c·2^{s−n}` (as `2^n·c·2^{s−n} = p − 1`):
/// `x·2^{−n} ≡ hi − c·lo·2^{s−n}`, where `c·lo·2^{s−n} = lo·2^{31−n} − lo·2^{s−n} < p` and
/// `hi < 2^{31−n}`; the difference lies in `(−p, p)` and one `min` fixes its sign. Nine simple
/// instructions, no multiplication.
#[inline(always)]
fn mul_inv_2exp<P: MontyParameters31>(x: __m512i, n: u32) -> __m512i {
    // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
    // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`); register-only intrinsics.
    unsafe {
        let hi = _mm512_srlv_epi32(x, splat(n));
        let lo = _mm512_and_si512(x, splat((1u32 << n) - 1));
        let t = _mm512_sub_epi32(
            _mm512_sllv_epi32(lo, splat(31 - n)),
            _mm512_sllv_epi32(lo, splat(P::TWO_ADICITY as u32 - n)),
        );
        let d = _mm512_sub_epi32(hi, t);
        _mm512_min_epu32(d, _mm512_add_epi32(d, splat(P::PRIME)))
    }
}

impl<P: MontyParameters31> Add for PackedMontyField31Avx512<P> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self::from_vector(add::<P>(self.to_vector(), rhs.to_vector()))
    }
}

impl<P: MontyParameters31> Sub for PackedMontyField31Avx512<P> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self::from_vector(sub::<P>(self.to_vector(), rhs.to_vector()))
    }
}

impl<P: MontyParameters31> Mul for PackedMontyField31Avx512<P> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Self::from_vector(mul::<P>(self.to_vector(), rhs.to_vector()))
    }
}

impl<P: MontyParameters31> Neg for PackedMontyField31Avx512<P> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Self::from_vector(neg::<P>(self.to_vector()))
    }
}

impl<P: MontyParameters31> Add<MontyField31<P>> for PackedMontyField31Avx512<P> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: MontyField31<P>) -> Self {
        self + Self::broadcast(rhs)
    }
}

impl<P: MontyParameters31> Sub<MontyField31<P>> for PackedMontyField31Avx512<P> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: MontyField31<P>) -> Self {
        self - Self::broadcast(rhs)
    }
}

impl<P: MontyParameters31> Mul<MontyField31<P>> for PackedMontyField31Avx512<P> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: MontyField31<P>) -> Self {
        self * Self::broadcast(rhs)
    }
}

impl<P: MontyParameters31> AddAssign for PackedMontyField31Avx512<P> {
    #[inline(always)]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl<P: MontyParameters31> SubAssign for PackedMontyField31Avx512<P> {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl<P: MontyParameters31> MulAssign for PackedMontyField31Avx512<P> {
    #[inline(always)]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

// SAFETY: `repr(transparent)` over `[MontyField31<P>; 16]`, and every lane written through
// `as_slice_mut` is a `MontyField31<P>`, hence canonical, which is all the arithmetic above requires.
unsafe impl<P: MontyParameters31> PackedField for PackedMontyField31Avx512<P> {
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
    fn add_exp_small<const D: u64>(self, c: MontyField31<P>) -> Self {
        if matches!(D, 3 | 5 | 7) {
            Self::from_vector(add_exp::<P, D>(self.to_vector(), c.to_monty()))
        } else {
            crate::exp_small::<Self, D>(self + c)
        }
    }

    #[inline(always)]
    fn add_exp_small_batch<const D: u64>(xs: &mut [Self], cs: &[MontyField31<P>]) {
        if D == 7 {
            for (xs, cs) in xs.chunks_mut(4).zip(cs.chunks(4)) {
                add_exp7_x4::<P>(xs, cs);
            }
        } else {
            for (x, &c) in xs.iter_mut().zip(cs) {
                *x = x.add_exp_small::<D>(c);
            }
        }
    }

    const PACKED_NEG_CONSTANTS: bool = true;

    #[inline(always)]
    fn sub_exp_small<const D: u64>(self, neg_c: Self) -> Self {
        if matches!(D, 3 | 5 | 7) {
            // SAFETY: AVX-512F is available (enabled at compile time, or reached only through
            // `monty31::with_packing`'s `#[target_feature]` entry after `cpu::level() ≥ Avx512`);
            // a register-only intrinsic. `x − neg_c ∈ (−p, p)` is a valid signed input.
            let a = unsafe { _mm512_sub_epi32(self.to_vector(), neg_c.to_vector()) };
            Self::from_vector(exp_signed::<P, D>(a))
        } else {
            crate::exp_small::<Self, D>(self - neg_c)
        }
    }

    #[inline(always)]
    fn sub_exp_small_batch<const D: u64>(xs: &mut [Self], neg_cs: &[Self]) {
        if D == 7 {
            for (xs, cs) in xs.chunks_mut(4).zip(neg_cs.chunks(4)) {
                sub_exp7_x4::<P>(xs, cs);
            }
        } else {
            for (x, &c) in xs.iter_mut().zip(neg_cs) {
                *x = x.sub_exp_small::<D>(c);
            }
        }
    }

    #[inline(always)]
    fn mul_inv_2exp_add(self, n: u32, v: MontyField31<P>, acc: Self, negate: bool) -> Self {
        if P::SHAPED && (2..=P::TWO_ADICITY as u32).contains(&n) {
            // y = −self·2^{−n} ∈ [0, p]; `add` and `sub` accept p (their sums stay below 2p).
            let y = mul_neg_inv_2exp::<P>(self.to_vector(), n);
            let acc = acc.to_vector();
            Self::from_vector(if negate { add::<P>(acc, y) } else { sub::<P>(acc, y) })
        } else {
            let y = self.mul_inv_2exp(n, v);
            if negate { acc - y } else { acc + y }
        }
    }

    #[inline(always)]
    fn mul_inv_2exp(self, n: u32, v: MontyField31<P>) -> Self {
        if n == 1 {
            Self::from_vector(halve::<P>(self.to_vector()))
        } else if P::SHAPED && (2..=P::TWO_ADICITY as u32).contains(&n) {
            Self::from_vector(mul_inv_2exp::<P>(self.to_vector(), n))
        } else {
            self * v
        }
    }
}
