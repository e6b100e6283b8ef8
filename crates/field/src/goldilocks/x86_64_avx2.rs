//! Four Goldilocks lanes in an AVX2 `__m256i`, for CPUs without AVX-512.
//!
//! Same arithmetic as the AVX-512 module, but AVX2 has neither mask registers nor unsigned 64-bit
//! compares: `a < b` (unsigned) is computed as a signed compare of `a ⊕ 2^63` and `b ⊕ 2^63`, and a
//! compare yields an all-ones lane that is ANDed with the correction (`ε`, `p`) before adding it.

use core::arch::x86_64::{
    __m256i, _mm256_add_epi64, _mm256_and_si256, _mm256_blend_epi32, _mm256_castps_si256,
    _mm256_castsi256_ps, _mm256_cmpgt_epi64, _mm256_movehdup_ps, _mm256_mul_epu32,
    _mm256_set1_epi64x, _mm256_slli_epi64, _mm256_sllv_epi64, _mm256_srli_epi64, _mm256_srlv_epi64,
    _mm256_sub_epi64, _mm256_xor_si256,
};

use super::{EPSILON, Goldilocks, P};

const WIDTH: usize = 4;

/// Four [`Goldilocks`] lanes, operated on with AVX2.
#[derive(Copy, Clone, Default)]
#[repr(transparent)]
pub struct PackedGoldilocksAvx2(pub [Goldilocks; WIDTH]);

impl PackedGoldilocksAvx2 {
    #[inline(always)]
    fn to_vector(self) -> __m256i {
        // SAFETY: `Self` is `repr(transparent)` over `[Goldilocks; 4]`, `Goldilocks` is
        // `repr(transparent)` over `u64`, so this is 32 bytes of plain integers, as is `__m256i`.
        unsafe { core::mem::transmute::<Self, __m256i>(self) }
    }

    #[inline(always)]
    fn from_vector(v: __m256i) -> Self {
        // SAFETY: same layout as in `to_vector`; every `u64` is a valid `Goldilocks`.
        unsafe { core::mem::transmute::<__m256i, Self>(v) }
    }
}

impl_packed_goldilocks!(PackedGoldilocksAvx2, WIDTH);

#[inline(always)]
fn splat(x: u64) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe { _mm256_set1_epi64x(x as i64) }
}

/// All-ones lanes where `a < b` as unsigned 64-bit integers.
#[inline(always)]
fn lt_u64(a: __m256i, b: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        let sign = splat(1 << 63);
        _mm256_cmpgt_epi64(_mm256_xor_si256(b, sign), _mm256_xor_si256(a, sign))
    }
}

/// Lane-wise `x mod p` (any `u64` is below `2p`).
#[inline(always)]
fn canonicalize(x: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        // x ≥ p ⇔ x ⊕ 2^63 > (p − 1) ⊕ 2^63 as signed.
        let ge =
            _mm256_cmpgt_epi64(_mm256_xor_si256(x, splat(1 << 63)), splat((P - 1) ^ (1 << 63)));
        _mm256_sub_epi64(x, _mm256_and_si256(ge, splat(P)))
    }
}

/// `x + y` for any `x` and `y < p` (see the AVX-512 module for the bound).
#[inline(always)]
fn add_canonical_rhs(x: __m256i, y: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        let s = _mm256_add_epi64(x, y);
        let carry = lt_u64(s, y);
        _mm256_add_epi64(s, _mm256_and_si256(carry, splat(EPSILON)))
    }
}

/// `x − y` for any `x` and `y < p`.
#[inline(always)]
fn sub_canonical_rhs(x: __m256i, y: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        let borrow = lt_u64(x, y);
        let d = _mm256_sub_epi64(x, y);
        _mm256_sub_epi64(d, _mm256_and_si256(borrow, splat(EPSILON)))
    }
}

#[inline(always)]
fn add(x: __m256i, y: __m256i) -> __m256i {
    add_canonical_rhs(x, canonicalize(y))
}

#[inline(always)]
fn sub(x: __m256i, y: __m256i) -> __m256i {
    sub_canonical_rhs(x, canonicalize(y))
}

#[inline(always)]
fn neg(x: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe { _mm256_sub_epi64(splat(P), canonicalize(x)) }
}

/// The high 32 bits of every lane moved to the low half (a shuffle, not a shift).
#[inline(always)]
fn high_halves(x: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe { _mm256_castps_si256(_mm256_movehdup_ps(_mm256_castsi256_ps(x))) }
}

/// Reduces `hi·2^64 + lo` mod p: `lo − h₁ + h₀·ε` with `hi = h₁·2^32 + h₀`.
#[inline(always)]
fn reduce128(hi: __m256i, lo: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        let t = sub_canonical_rhs(lo, _mm256_srli_epi64::<32>(hi));
        add_canonical_rhs(t, _mm256_mul_epu32(hi, splat(EPSILON)))
    }
}

/// Lane-wise product mod p (inputs and output any `u64`).
#[inline(always)]
fn mul(x: __m256i, y: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        let (x1, y1) = (high_halves(x), high_halves(y));
        let ll = _mm256_mul_epu32(x, y);
        let lh = _mm256_mul_epu32(x, y1);
        let hl = _mm256_mul_epu32(x1, y);
        let hh = _mm256_mul_epu32(x1, y1);
        let t0 = _mm256_add_epi64(hl, _mm256_srli_epi64::<32>(ll));
        let t1 = _mm256_add_epi64(lh, _mm256_and_si256(t0, splat(EPSILON)));
        let hi = _mm256_add_epi64(
            _mm256_add_epi64(hh, _mm256_srli_epi64::<32>(t0)),
            _mm256_srli_epi64::<32>(t1),
        );
        // lo = low half of t1 in the odd dwords, low half of ll in the even ones.
        let lo = _mm256_blend_epi32::<0b1010_1010>(ll, _mm256_slli_epi64::<32>(t1));
        reduce128(hi, lo)
    }
}

/// Lane-wise square mod p (three partial products).
#[inline(always)]
fn square(x: __m256i) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        let x1 = high_halves(x);
        let ll = _mm256_mul_epu32(x, x);
        let lh = _mm256_mul_epu32(x, x1);
        let hh = _mm256_mul_epu32(x1, x1);
        let lo = _mm256_add_epi64(ll, _mm256_slli_epi64::<33>(lh));
        let t = _mm256_add_epi64(lh, _mm256_srli_epi64::<33>(ll));
        let hi = _mm256_add_epi64(hh, _mm256_srli_epi64::<31>(t));
        reduce128(hi, lo)
    }
}

/// `x·2^{−n}` for `1 ≤ n ≤ 32` and any `x`, with shifts instead of a product: with
/// `x = hi·2^n + lo` and `2^{−n} ≡ −(2^{64−n} − 2^{32−n})` (as `2^64 − 2^32 ≡ −1`),
/// `x·2^{−n} ≡ hi − w` where `w = lo·2^{64−n} − lo·2^{32−n} < p` (no overflow: `lo < 2^n`).
#[inline(always)]
fn mul_inv_2exp(x: __m256i, n: u32) -> __m256i {
    // SAFETY: AVX2 is available: enabled for the whole build, or this code is reached only
    // through `goldilocks`'s `with_packing` `#[target_feature]` entry point after
    // `cpu::level() ≥ Avx2`.
    unsafe {
        let n64 = u64::from(n);
        let hi = _mm256_srlv_epi64(x, splat(n64));
        let lo = _mm256_and_si256(x, splat((1u64 << n64) - 1));
        let w = _mm256_sub_epi64(
            _mm256_sllv_epi64(lo, splat(64 - n64)),
            _mm256_sllv_epi64(lo, splat(32 - n64)),
        );
        sub_canonical_rhs(hi, w)
    }
}

/// The packed form of [`mul_inv_2exp`], for `impl_packed_goldilocks!`.
#[inline(always)]
fn packed_mul_inv_2exp(x: PackedGoldilocksAvx2, n: u32, v: Goldilocks) -> PackedGoldilocksAvx2 {
    if (1..=32).contains(&n) {
        PackedGoldilocksAvx2::from_vector(mul_inv_2exp(x.to_vector(), n))
    } else {
        x * v
    }
}

/// `(x + c)^D` for `D` ∈ {3, 5, 7}: the constant is canonical, so its addition skips the
/// canonicalisation of the right-hand side, and the squarings use [`square`] (three partial
/// products instead of four).
#[inline(always)]
fn packed_add_exp_small<const D: u64>(
    x: PackedGoldilocksAvx2,
    c: Goldilocks,
) -> PackedGoldilocksAvx2 {
    let a = add_canonical_rhs(x.to_vector(), splat(c.to_canonical_u64()));
    let r = match D {
        3 => mul(square(a), a),
        5 => mul(square(square(a)), a),
        7 => {
            let a2 = square(a);
            mul(mul(a2, a), square(a2))
        }
        _ => return crate::exp_small::<PackedGoldilocksAvx2, D>(x + c),
    };
    PackedGoldilocksAvx2::from_vector(r)
}

/// `xs[i] ← (xs[i] + cs[i])^D` stage by stage for `D = 7` (all `a²`, then all `a³` and `a⁴`,
/// then all products), eight cells at a time, so that the cells' multiplication chains
/// interleave; other `D` cell by cell.
#[inline(always)]
fn packed_add_exp_small_batch<const D: u64>(xs: &mut [PackedGoldilocksAvx2], cs: &[Goldilocks]) {
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
            xs[i] = PackedGoldilocksAvx2::from_vector(mul(a[i], a2[i]));
        }
    }
}
