//! Eight Goldilocks lanes in an AVX-512 `__m512i`.
//!
//! Lanes hold any `u64` (the representation of [`Goldilocks`]). The multiply forms the 128-bit
//! product from four `vpmuludq` 32×32→64 partial products and reduces it with
//! `2^64 ≡ 2^32 − 1`, `2^96 ≡ −1`, all lane-wise; carries and borrows become AVX-512 mask
//! registers that drive masked adds. The idea of building the product from `vpmuludq` with
//! `vmovshdup` for the high halves is Plonky3's (`p3-goldilocks/src/x86_64_avx512/packing.rs`);
//! this version assembles the low word with a single merge-masked `vpshufd` instead of a shuffle and
//! a blend.

use core::arch::x86_64::{
    __m512i, _MM_PERM_CCAA, _mm512_add_epi64, _mm512_and_si512, _mm512_castps_si512,
    _mm512_castsi512_ps, _mm512_cmpge_epu64_mask, _mm512_cmplt_epu64_mask, _mm512_mask_add_epi64,
    _mm512_mask_shuffle_epi32, _mm512_mask_sub_epi64, _mm512_movehdup_ps, _mm512_mul_epu32,
    _mm512_set1_epi64, _mm512_slli_epi64, _mm512_sllv_epi64, _mm512_srli_epi64, _mm512_srlv_epi64,
    _mm512_sub_epi64, _mm512_test_epi64_mask,
};

use super::{EPSILON, Goldilocks, P};

const WIDTH: usize = 8;

/// Eight [`Goldilocks`] lanes, operated on with AVX-512F.
#[derive(Copy, Clone, Default)]
#[repr(transparent)]
pub struct PackedGoldilocksAvx512(pub [Goldilocks; WIDTH]);

impl PackedGoldilocksAvx512 {
    #[inline(always)]
    fn to_vector(self) -> __m512i {
        // SAFETY: `Self` is `repr(transparent)` over `[Goldilocks; 8]`, `Goldilocks` is
        // `repr(transparent)` over `u64`, so this is 64 bytes of plain integers, as is `__m512i`.
        unsafe { core::mem::transmute::<Self, __m512i>(self) }
    }

    #[inline(always)]
    fn from_vector(v: __m512i) -> Self {
        // SAFETY: same layout as in `to_vector`; every `u64` is a valid `Goldilocks`.
        unsafe { core::mem::transmute::<__m512i, Self>(v) }
    }
}

impl_packed_goldilocks!(PackedGoldilocksAvx512, WIDTH);

#[inline(always)]
fn splat(x: u64) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe { _mm512_set1_epi64(x as i64) }
}

/// Lane-wise `x mod p` (any `u64` is below `2p`, so one masked subtraction).
#[inline(always)]
fn canonicalize(x: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        let ge = _mm512_cmpge_epu64_mask(x, splat(P));
        _mm512_mask_sub_epi64(x, ge, x, splat(P))
    }
}

/// `x + y` for any `x` and `y < p`: on a carry the wrapped sum is `< p − 1`, and `+ ε` (`2^64 ≡ ε`)
/// cannot carry again.
#[inline(always)]
fn add_canonical_rhs(x: __m512i, y: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        let s = _mm512_add_epi64(x, y);
        let carry = _mm512_cmplt_epu64_mask(s, y);
        _mm512_mask_add_epi64(s, carry, s, splat(EPSILON))
    }
}

/// `x − y` for any `x` and `y < p`: on a borrow the wrapped difference is `≥ ε`, and `− ε` cannot
/// borrow again.
#[inline(always)]
fn sub_canonical_rhs(x: __m512i, y: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        let borrow = _mm512_cmplt_epu64_mask(x, y);
        let d = _mm512_sub_epi64(x, y);
        _mm512_mask_sub_epi64(d, borrow, d, splat(EPSILON))
    }
}

#[inline(always)]
fn add(x: __m512i, y: __m512i) -> __m512i {
    add_canonical_rhs(x, canonicalize(y))
}

#[inline(always)]
fn sub(x: __m512i, y: __m512i) -> __m512i {
    sub_canonical_rhs(x, canonicalize(y))
}

#[inline(always)]
fn neg(x: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        // p − x for canonical x lies in (0, p]; p stands for 0.
        _mm512_sub_epi64(splat(P), canonicalize(x))
    }
}

/// The high 32 bits of every lane moved to the low half (`vmovshdup`: a shuffle, so it does not
/// compete with the shifts below for the shift unit; `vpmuludq` ignores the upper half anyway).
#[inline(always)]
fn high_halves(x: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe { _mm512_castps_si512(_mm512_movehdup_ps(_mm512_castsi512_ps(x))) }
}

/// Reduces `hi·2^64 + lo` mod p, to a `u64` per lane: `lo − h₁ + h₀·ε` with `hi = h₁·2^32 + h₀`.
#[inline(always)]
fn reduce128(hi: __m512i, lo: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        // h₁ < 2^32 < p, so the borrow fix of `sub_canonical_rhs` applies.
        let t = sub_canonical_rhs(lo, _mm512_srli_epi64::<32>(hi));
        // vpmuludq reads only the low 32 bits of hi: h₀·ε ≤ (2^32 − 1)² < p.
        add_canonical_rhs(t, _mm512_mul_epu32(hi, splat(EPSILON)))
    }
}

/// Lane-wise product mod p (inputs and output any `u64`).
#[inline(always)]
fn mul(x: __m512i, y: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        // x = x₁·2^32 + x₀, y = y₁·2^32 + y₀; xy = ll + (lh + hl)·2^32 + hh·2^64.
        let (x1, y1) = (high_halves(x), high_halves(y));
        let ll = _mm512_mul_epu32(x, y);
        let lh = _mm512_mul_epu32(x, y1);
        let hl = _mm512_mul_epu32(x1, y);
        let hh = _mm512_mul_epu32(x1, y1);
        // Column sums in 32-bit digits; each fits 64 bits because (2^32 − 1)² + 2·(2^32 − 1) < 2^64.
        let mask32 = splat(EPSILON);
        let t0 = _mm512_add_epi64(hl, _mm512_srli_epi64::<32>(ll));
        let t1 = _mm512_add_epi64(lh, _mm512_and_si512(t0, mask32));
        let hi = _mm512_add_epi64(
            _mm512_add_epi64(hh, _mm512_srli_epi64::<32>(t0)),
            _mm512_srli_epi64::<32>(t1),
        );
        // lo = (low half of t1) · 2^32 + (low half of ll): copy dword 0 of each t1 lane onto dword 1
        // (vpshufd pattern [0, 0, 2, 2]) and merge it over ll in the odd dwords only.
        let lo = _mm512_mask_shuffle_epi32::<_MM_PERM_CCAA>(ll, 0xAAAA, t1);
        reduce128(hi, lo)
    }
}

/// Lane-wise square mod p: three partial products, since `lh = hl`.
#[inline(always)]
fn square(x: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        // x² = ll + lh·2^33 + hh·2^64.
        let x1 = high_halves(x);
        let ll = _mm512_mul_epu32(x, x);
        let lh = _mm512_mul_epu32(x, x1);
        let hh = _mm512_mul_epu32(x1, x1);
        // lo = (ll + lh·2^33) mod 2^64; what overflows goes to hi: with t = lh + ⌊ll / 2^33⌋
        // (no overflow), lh·2^33 + ll = t·2^33 + (ll mod 2^33), so hi = hh + ⌊t / 2^31⌋.
        let lo = _mm512_add_epi64(ll, _mm512_slli_epi64::<33>(lh));
        let t = _mm512_add_epi64(lh, _mm512_srli_epi64::<33>(ll));
        let hi = _mm512_add_epi64(hh, _mm512_srli_epi64::<31>(t));
        reduce128(hi, lo)
    }
}

/// `x/2` for any `x`: `x >> 1`, plus `(p + 1)/2` where `x` is odd (`(x − 1)/2 + (p + 1)/2`; at
/// most `2^64 − 2^31`, so no wrap). Three instructions, one of them a mask test.
#[inline(always)]
fn halve(x: __m512i) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        let odd = _mm512_test_epi64_mask(x, splat(1));
        let h = _mm512_srli_epi64::<1>(x);
        _mm512_mask_add_epi64(h, odd, h, splat(P.div_ceil(2)))
    }
}

/// `x·2^{−n}` for `1 ≤ n ≤ 32` and any `x`, with shifts instead of a product: with
/// `x = hi·2^n + lo` and `2^{−n} ≡ −(2^{64−n} − 2^{32−n})` (as `2^64 − 2^32 ≡ −1`),
/// `x·2^{−n} ≡ hi − w` where `w = lo·2^{64−n} − lo·2^{32−n} < p` (no overflow: `lo < 2^n`).
#[inline(always)]
fn mul_inv_2exp(x: __m512i, n: u32) -> __m512i {
    // SAFETY: AVX-512F is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx512`.
    unsafe {
        let n64 = u64::from(n);
        let hi = _mm512_srlv_epi64(x, splat(n64));
        let lo = _mm512_and_si512(x, splat((1u64 << n64) - 1));
        let w = _mm512_sub_epi64(
            _mm512_sllv_epi64(lo, splat(64 - n64)),
            _mm512_sllv_epi64(lo, splat(32 - n64)),
        );
        sub_canonical_rhs(hi, w)
    }
}

/// The packed form of [`mul_inv_2exp`], for `impl_packed_goldilocks!`.
#[inline(always)]
fn packed_mul_inv_2exp(x: PackedGoldilocksAvx512, n: u32, v: Goldilocks) -> PackedGoldilocksAvx512 {
    if n == 1 {
        PackedGoldilocksAvx512::from_vector(halve(x.to_vector()))
    } else if (2..=32).contains(&n) {
        PackedGoldilocksAvx512::from_vector(mul_inv_2exp(x.to_vector(), n))
    } else {
        x * v
    }
}

/// `(x + c)^D` for `D` ∈ {3, 5, 7}: the constant is canonical, so its addition skips the
/// canonicalisation of the right-hand side, and the squarings use [`square`] (three partial
/// products instead of four).
#[inline(always)]
fn packed_add_exp_small<const D: u64>(
    x: PackedGoldilocksAvx512,
    c: Goldilocks,
) -> PackedGoldilocksAvx512 {
    let a = add_canonical_rhs(x.to_vector(), splat(c.to_canonical_u64()));
    let r = match D {
        3 => mul(square(a), a),
        5 => mul(square(square(a)), a),
        7 => {
            let a2 = square(a);
            mul(mul(a2, a), square(a2))
        }
        _ => return crate::exp_small::<PackedGoldilocksAvx512, D>(x + c),
    };
    PackedGoldilocksAvx512::from_vector(r)
}

/// `xs[i] ← (xs[i] + cs[i])^D` stage by stage for `D = 7` (all `a²`, then all `a³` and `a⁴`,
/// then all products), eight cells at a time, so that the cells' multiplication chains
/// interleave; other `D` cell by cell.
#[inline(always)]
fn packed_add_exp_small_batch<const D: u64>(xs: &mut [PackedGoldilocksAvx512], cs: &[Goldilocks]) {
    if D != 7 {
        for (x, &c) in xs.iter_mut().zip(cs) {
            *x = packed_add_exp_small::<D>(*x, c);
        }
        return;
    }
    for (xs, cs) in xs.chunks_mut(8).zip(cs.chunks(8)) {
        let n = xs.len().min(cs.len());
        let mut a = [splat(0); 8];
        let mut a2 = [splat(0); 8];
        for i in 0..n {
            a[i] = add_canonical_rhs(xs[i].to_vector(), splat(cs[i].to_canonical_u64()));
            a2[i] = square(a[i]);
        }
        for i in 0..n {
            let a3 = mul(a2[i], a[i]);
            let a4 = square(a2[i]);
            a[i] = a3;
            a2[i] = a4;
        }
        for i in 0..n {
            xs[i] = PackedGoldilocksAvx512::from_vector(mul(a[i], a2[i]));
        }
    }
}
