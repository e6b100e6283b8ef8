//! Eight BN254-style 256-bit field elements at once on AVX-512 IFMA (`vpmadd52luq`/`vpmadd52huq`).
//!
//! Layout: radix `2^52`, five limbs, one `__m512i` per limb; lane `l` of limb vector `i` holds bits
//! `52·i .. 52·i + 52` of element `l`. Each lane's integer is the *same* Montgomery integer
//! `x·2^256 mod p` as the scalar [`Fp256`] (no second Montgomery domain), so converting to and from
//! `[Fp256<P>; 8]` is only a transposition and a change of radix.
//!
//! Multiplication is schoolbook (25 `lo` + 25 `hi` products accumulated in ten 64-bit columns: the
//! 12 spare bits of every lane absorb the carries, so none is propagated while multiplying), then a
//! word-by-word Montgomery reduction: four rounds dividing by `2^52` and a fifth, masked to 48 bits,
//! dividing by `2^48`, so the total is `2^256` exactly, the scalar field's `R`. The result is then
//! realigned by 4 bits (≈ 20 cheap shifts/masks per product, instead of converting between
//! `R = 2^256` and `R' = 2^260` domains at every load and store).
//!
//! Lanes are kept *partially reduced*: below `2p`, limbs normalised below `2^52`. For `a, b < 2p`
//! the Montgomery product is below `ab/2^256 + p < 2p` since `4p < 2^256` (the top limb of `p` is
//! below `2^62`), so multiplication needs no final subtraction; addition and subtraction bring
//! their result back below `2p` with one conditional subtraction/addition of `2p`. Conversions to
//! scalars subtract `p` once more.

use core::arch::x86_64::{
    __m512i, __mmask8, _mm512_add_epi64, _mm512_and_si512, _mm512_loadu_epi64,
    _mm512_madd52hi_epu64, _mm512_madd52lo_epu64, _mm512_mask_blend_epi64, _mm512_movepi64_mask,
    _mm512_or_si512, _mm512_permutex2var_epi64, _mm512_set_epi64, _mm512_set1_epi64,
    _mm512_setzero_si512, _mm512_slli_epi64, _mm512_srai_epi64, _mm512_srli_epi64,
    _mm512_storeu_epi64, _mm512_sub_epi64,
};
use core::fmt;
use core::marker::PhantomData;
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use super::fp256::{Fp256, Fp256Params};
use super::fp256x8::impl_fp256_lanes;

// ---------------------------------------------------------------------------------------------
// Safe wrappers of the register-only intrinsics used below. Rust requires `unsafe` to call a
// `#[target_feature]` function from one without the attribute even when the whole build enables
// the feature, and `#[target_feature]` functions cannot be `#[inline(always)]`; so each intrinsic
// is called once here, and everything else is safe code. None of them touches memory.
// ---------------------------------------------------------------------------------------------

macro_rules! wrap {
    ($(#[$doc:meta] fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty = $intr:ident;)*) => {$(
        #[$doc]
        #[inline(always)]
        fn $name($($arg: $ty),*) -> $ret {
            // SAFETY: this code runs only where AVX-512F, AVX-512DQ and AVX-512 IFMA are
            // available: either the whole build enables them (then `Fp256x8Ifma` is public), or
            // it is reached only through `#[target_feature]` entry points entered after
            // `cpu::level() ≥ Ifma` (`ntt_x8::kernels_ifma_runtime`, `fp256x8::with_fp256x8`,
            // which hands the type to a kernel as a generic parameter only; then the type is
            // private to the crate). That is all the intrinsic requires; it operates on registers
            // only.
            unsafe { $intr($($arg),*) }
        }
    )*};
}

wrap! {
    /// `a + b` per 64-bit lane (wrapping).
    fn add64(a: __m512i, b: __m512i) -> __m512i = _mm512_add_epi64;
    /// `a − b` per 64-bit lane (wrapping).
    fn sub64(a: __m512i, b: __m512i) -> __m512i = _mm512_sub_epi64;
    /// Bitwise and.
    fn and(a: __m512i, b: __m512i) -> __m512i = _mm512_and_si512;
    /// Bitwise or.
    fn or(a: __m512i, b: __m512i) -> __m512i = _mm512_or_si512;
    /// `acc + lo52(lo52(a)·lo52(b))` per lane (`vpmadd52luq`).
    fn madd_lo(acc: __m512i, a: __m512i, b: __m512i) -> __m512i = _mm512_madd52lo_epu64;
    /// `acc + hi52(lo52(a)·lo52(b))` per lane (`vpmadd52huq`).
    fn madd_hi(acc: __m512i, a: __m512i, b: __m512i) -> __m512i = _mm512_madd52hi_epu64;
    /// Lane `i` from `b` where bit `i` of `k` is set, else from `a`.
    fn blend(k: __mmask8, a: __m512i, b: __m512i) -> __m512i = _mm512_mask_blend_epi64;
    /// The sign bits of the eight lanes.
    fn sign_mask(a: __m512i) -> __mmask8 = _mm512_movepi64_mask;
    /// Lane `i` = element `idx[i]` of the 16 lanes of `a` then `b`.
    fn permute2(a: __m512i, idx: __m512i, b: __m512i) -> __m512i = _mm512_permutex2var_epi64;
    /// Lanes from the arguments, highest first.
    fn set8(e7: i64, e6: i64, e5: i64, e4: i64, e3: i64, e2: i64, e1: i64, e0: i64) -> __m512i = _mm512_set_epi64;
    /// Every lane `x`.
    fn set1(x: i64) -> __m512i = _mm512_set1_epi64;
    /// Every lane zero.
    fn zero() -> __m512i = _mm512_setzero_si512;
}

/// Logical right shift of each lane by `N`.
#[inline(always)]
fn srli<const N: u32>(a: __m512i) -> __m512i {
    // SAFETY: as in `wrap!`: AVX-512F is available wherever this runs; registers only.
    unsafe { _mm512_srli_epi64::<N>(a) }
}

/// Arithmetic right shift of each lane by `N`.
#[inline(always)]
fn srai<const N: u32>(a: __m512i) -> __m512i {
    // SAFETY: as in `wrap!`: AVX-512F is available wherever this runs; registers only.
    unsafe { _mm512_srai_epi64::<N>(a) }
}

/// Left shift of each lane by `N`.
#[inline(always)]
fn slli<const N: u32>(a: __m512i) -> __m512i {
    // SAFETY: as in `wrap!`: AVX-512F is available wherever this runs; registers only.
    unsafe { _mm512_slli_epi64::<N>(a) }
}

const MASK52: u64 = (1 << 52) - 1;
const MASK48: u64 = (1 << 48) - 1;

/// The radix-`2^52` limbs of a value below `2^256`.
const fn to_radix52(w: &[u64; 4]) -> [u64; 5] {
    [
        w[0] & MASK52,
        ((w[0] >> 52) | (w[1] << 12)) & MASK52,
        ((w[1] >> 40) | (w[2] << 24)) & MASK52,
        ((w[2] >> 28) | (w[3] << 36)) & MASK52,
        w[3] >> 16,
    ]
}

/// `2p` as four 64-bit limbs (`2p < 2^256` for every [`Fp256Params`]).
const fn double_limbs(p: &[u64; 4]) -> [u64; 4] {
    [p[0] << 1, (p[1] << 1) | (p[0] >> 63), (p[2] << 1) | (p[1] >> 63), (p[3] << 1) | (p[2] >> 63)]
}

#[inline(always)]
fn splat(x: u64) -> __m512i {
    set1(x as i64)
}

/// Eight elements of the field given by `P`, in AVX-512 IFMA lanes (module docs).
pub struct Fp256x8Ifma<P: Fp256Params> {
    limbs: [__m512i; 5],
    _params: PhantomData<P>,
}

impl<P: Fp256Params> Clone for Fp256x8Ifma<P> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Fp256Params> Copy for Fp256x8Ifma<P> {}

impl<P: Fp256Params> Default for Fp256x8Ifma<P> {
    #[inline(always)]
    fn default() -> Self {
        Self::from_limbs([zero(); 5])
    }
}

impl<P: Fp256Params> fmt::Debug for Fp256x8Ifma<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.to_array()).finish()
    }
}

impl<P: Fp256Params> PartialEq for Fp256x8Ifma<P> {
    /// Lane-wise equality of the field elements (not of the partially reduced limbs).
    fn eq(&self, other: &Self) -> bool {
        self.to_array() == other.to_array()
    }
}

impl<P: Fp256Params> Eq for Fp256x8Ifma<P> {}

impl<P: Fp256Params> Fp256x8Ifma<P> {
    /// Whether this type is the AVX-512 IFMA implementation (`true`) or the portable loop.
    pub const IS_SIMD: bool = true;

    /// `p` in radix `2^52`.
    const P52: [u64; 5] = to_radix52(&P::MODULUS);
    /// `2p` in radix `2^52`.
    const P2_52: [u64; 5] = to_radix52(&double_limbs(&P::MODULUS));
    /// `−p⁻¹ mod 2^52`.
    const PINV52: u64 = Fp256::<P>::INV & MASK52;
    /// Compile-time checks of the bounds the arithmetic relies on: `4p < 2^256` (products of
    /// values below `2p` reduce below `2p`).
    const BOUNDS_OK: () = {
        assert!(P::MODULUS[3] < 1 << 62, "IFMA lanes need 4p < 2^256");
        assert!(P::MODULUS[0] & 1 == 1, "p must be odd");
    };

    #[inline(always)]
    fn from_limbs(limbs: [__m512i; 5]) -> Self {
        Self { limbs, _params: PhantomData }
    }

    #[inline(always)]
    fn p52() -> [__m512i; 5] {
        Self::P52.map(splat)
    }

    #[inline(always)]
    fn p2_52() -> [__m512i; 5] {
        Self::P2_52.map(splat)
    }

    /// Every lane equal to `x`.
    #[inline(always)]
    pub fn broadcast(x: Fp256<P>) -> Self {
        Self::from_limbs(to_radix52(&x.to_raw_limbs()).map(splat))
    }

    /// The eight elements, lane `l` = `xs[l]`: a transposition and a change of radix.
    #[inline(always)]
    pub fn from_array(xs: &[Fp256<P>; 8]) -> Self {
        let ptr = xs.as_ptr().cast::<i64>();
        // SAFETY: `Fp256<P>` is `repr(transparent)` over `[u64; 4]`, so `xs` is 256 contiguous
        // initialised bytes, read here as four unaligned 64-byte vectors (`loadu` needs no
        // alignment).
        let v = unsafe {
            [
                _mm512_loadu_epi64(ptr),
                _mm512_loadu_epi64(ptr.add(8)),
                _mm512_loadu_epi64(ptr.add(16)),
                _mm512_loadu_epi64(ptr.add(24)),
            ]
        };
        let w = transpose_in(v);
        Self::from_limbs(radix64_to_52(w))
    }

    /// The eight elements, fully reduced: `to_array()[l]` is lane `l`.
    #[inline(always)]
    pub fn to_array(&self) -> [Fp256<P>; 8] {
        let r = reduce_below(self.limbs, &Self::p52());
        let v = transpose_out(radix52_to_64(r));
        let mut out = [Fp256::<P>::default(); 8];
        let ptr = out.as_mut_ptr().cast::<i64>();
        // SAFETY: `out` is 256 bytes laid out as `[[u64; 4]; 8]` (`Fp256` is `repr(transparent)`
        // over `[u64; 4]`), written as four unaligned 64-byte vectors; every element written is
        // below `p` (reduced just above), so each is a valid `Fp256`.
        unsafe {
            _mm512_storeu_epi64(ptr, v[0]);
            _mm512_storeu_epi64(ptr.add(8), v[1]);
            _mm512_storeu_epi64(ptr.add(16), v[2]);
            _mm512_storeu_epi64(ptr.add(24), v[3]);
        }
        out
    }

    /// Lane `i` of the result is lane `idx[i]` of the sixteen lanes of `self` then `other`
    /// (`0..8` from `self`, `8..16` from `other`): one two-source permutation per limb.
    #[inline(always)]
    pub fn shuffle2(&self, other: &Self, idx_lanes: [i64; 8]) -> Self {
        let i = idx(idx_lanes);
        Self::from_limbs(core::array::from_fn(|k| permute2(self.limbs[k], i, other.limbs[k])))
    }

    /// Lane-wise square (15 products instead of 25).
    #[inline(always)]
    pub fn square(&self) -> Self {
        let () = Self::BOUNDS_OK;
        let a = &self.limbs;
        let z = zero();
        let mut t = [z; 10];
        for i in 0..5 {
            for j in i + 1..5 {
                t[i + j] = madd_lo(t[i + j], a[i], a[j]);
                t[i + j + 1] = madd_hi(t[i + j + 1], a[i], a[j]);
            }
        }
        for c in t.iter_mut().take(9).skip(1) {
            *c = add64(*c, *c);
        }
        for i in 0..5 {
            t[2 * i] = madd_lo(t[2 * i], a[i], a[i]);
            t[2 * i + 1] = madd_hi(t[2 * i + 1], a[i], a[i]);
        }
        Self::from_limbs(Self::redc(t))
    }

    /// Lane-wise `2·self`.
    #[inline(always)]
    pub fn double(&self) -> Self {
        *self + *self
    }

    /// Montgomery reduction of the ten product columns `t` (value `T < 4p·2^256`): `T / 2^256 mod
    /// p`, below `T/2^256 + p`, normalised.
    #[inline(always)]
    fn redc(mut t: [__m512i; 10]) -> [__m512i; 5] {
        let z = zero();
        let p = Self::p52();
        let pinv = splat(Self::PINV52);
        let mask = splat(MASK52);
        for i in 0..5 {
            let mut m = madd_lo(z, t[i], pinv);
            if i == 4 {
                // The fifth round divides by 2^48 only: 4·52 + 48 = 256.
                m = and(m, splat(MASK48));
            }
            for j in 0..5 {
                t[i + j] = madd_lo(t[i + j], m, p[j]);
                t[i + j + 1] = madd_hi(t[i + j + 1], m, p[j]);
            }
            if i < 4 {
                // The low 52 bits of t[i] are now zero: carry the rest up.
                t[i + 1] = add64(t[i + 1], srli::<52>(t[i]));
            }
        }
        // Normalise t[4..10] (t[4] has its low 48 bits zero), then shift right by 48 bits.
        let mut n = [z; 6];
        let mut carry = z;
        for k in 0..6 {
            let v = add64(t[4 + k], carry);
            carry = srli::<52>(v);
            n[k] = and(v, mask);
        }
        let mut r = [z; 5];
        for k in 0..5 {
            r[k] = or(srli::<48>(n[k]), and(slli::<4>(n[k + 1]), mask));
        }
        r
    }

    /// Lane-wise Montgomery product.
    #[inline(always)]
    fn mul_lanes(&self, rhs: &Self) -> Self {
        let () = Self::BOUNDS_OK;
        let (a, b) = (&self.limbs, &rhs.limbs);
        let z = zero();
        let mut t = [z; 10];
        for i in 0..5 {
            for j in 0..5 {
                t[i + j] = madd_lo(t[i + j], a[i], b[j]);
                t[i + j + 1] = madd_hi(t[i + j + 1], a[i], b[j]);
            }
        }
        Self::from_limbs(Self::redc(t))
    }

    /// Lane-wise sum, below `2p`.
    #[inline(always)]
    fn add_lanes(&self, rhs: &Self) -> Self {
        let s: [__m512i; 5] = core::array::from_fn(|i| add64(self.limbs[i], rhs.limbs[i]));
        // Both s and s − 2p, normalised; keep s − 2p unless it is negative.
        let d = normalise_signed(sub_limbs(&s, &Self::p2_52()));
        let s = normalise_signed(s);
        Self::from_limbs(select_nonneg(d, s))
    }

    /// Lane-wise difference, below `2p`.
    #[inline(always)]
    fn sub_lanes(&self, rhs: &Self) -> Self {
        let d = sub_limbs(&self.limbs, &rhs.limbs);
        let e: [__m512i; 5] = core::array::from_fn(|i| add64(d[i], Self::p2_52()[i]));
        let d = normalise_signed(d);
        let e = normalise_signed(e);
        Self::from_limbs(select_nonneg(d, e))
    }
}

/// Limb-wise `a − b` (no carries yet; limbs may go negative as signed 64-bit values).
#[inline(always)]
fn sub_limbs(a: &[__m512i; 5], b: &[__m512i; 5]) -> [__m512i; 5] {
    core::array::from_fn(|i| sub64(a[i], b[i]))
}

/// Carry-propagates signed limbs (each `|limb| < 2^62`): limbs 0..4 end in `[0, 2^52)`, the top
/// limb keeps the sign of the whole value.
#[inline(always)]
fn normalise_signed(mut x: [__m512i; 5]) -> [__m512i; 5] {
    let mask = splat(MASK52);
    for i in 0..4 {
        let carry = srai::<52>(x[i]);
        x[i] = and(x[i], mask);
        x[i + 1] = add64(x[i + 1], carry);
    }
    x
}

/// Lane-wise: `d` where its value is non-negative, else `other`.
#[inline(always)]
fn select_nonneg(d: [__m512i; 5], other: [__m512i; 5]) -> [__m512i; 5] {
    let negative = sign_mask(d[4]);
    core::array::from_fn(|i| blend(negative, d[i], other[i]))
}

/// Lane-wise `x mod p` for `x < 2p` (normalised).
#[inline(always)]
fn reduce_below(x: [__m512i; 5], p: &[__m512i; 5]) -> [__m512i; 5] {
    select_nonneg(normalise_signed(sub_limbs(&x, p)), x)
}

/// 64-bit limbs `w[0..4]` (one vector per limb) to radix `2^52`.
#[inline(always)]
fn radix64_to_52(w: [__m512i; 4]) -> [__m512i; 5] {
    let mask = splat(MASK52);
    [
        and(w[0], mask),
        and(or(srli::<52>(w[0]), slli::<12>(w[1])), mask),
        and(or(srli::<40>(w[1]), slli::<24>(w[2])), mask),
        and(or(srli::<28>(w[2]), slli::<36>(w[3])), mask),
        srli::<16>(w[3]),
    ]
}

/// Normalised radix-`2^52` limbs of a value below `2^256` to 64-bit limbs.
#[inline(always)]
fn radix52_to_64(l: [__m512i; 5]) -> [__m512i; 4] {
    [
        or(l[0], slli::<52>(l[1])),
        or(srli::<12>(l[1]), slli::<40>(l[2])),
        or(srli::<24>(l[2]), slli::<28>(l[3])),
        or(srli::<36>(l[3]), slli::<16>(l[4])),
    ]
}

/// Index vector for `_mm512_permutex2var_epi64` (lane `i` takes element `idx[i]`, 8.. = second
/// operand).
#[inline(always)]
fn idx(i: [i64; 8]) -> __m512i {
    set8(i[7], i[6], i[5], i[4], i[3], i[2], i[1], i[0])
}

/// Four vectors holding elements `(2k, 2k+1)` as `[e0 w0..w3, e1 w0..w3]` to four vectors `w_j`
/// holding word `j` of elements 0..8.
#[inline(always)]
fn transpose_in(v: [__m512i; 4]) -> [__m512i; 4] {
    // Stage 1: t0 = [a0 b0 c0 d0 a1 b1 c1 d1], t1 = [a2 b2 c2 d2 a3 b3 c3 d3] from v0 = [a, b],
    // v1 = [c, d]; the same for v2, v3 (elements e..h).
    let lo = idx([0, 4, 8, 12, 1, 5, 9, 13]);
    let hi = idx([2, 6, 10, 14, 3, 7, 11, 15]);
    let t0 = permute2(v[0], lo, v[1]);
    let t1 = permute2(v[0], hi, v[1]);
    let t2 = permute2(v[2], lo, v[3]);
    let t3 = permute2(v[2], hi, v[3]);
    // Stage 2: the low halves of t0 and t2 are word 0 of a..d and e..h.
    let first = idx([0, 1, 2, 3, 8, 9, 10, 11]);
    let second = idx([4, 5, 6, 7, 12, 13, 14, 15]);
    [
        permute2(t0, first, t2),
        permute2(t0, second, t2),
        permute2(t1, first, t3),
        permute2(t1, second, t3),
    ]
}

/// The inverse of [`transpose_in`].
#[inline(always)]
fn transpose_out(w: [__m512i; 4]) -> [__m512i; 4] {
    // w_j = [a_j b_j c_j d_j e_j f_j g_j h_j]. Want v0 = [a0 a1 a2 a3 b0 b1 b2 b3], ...
    // Stage 1: u0 = [a0 a1 b0 b1 c0 c1 d0 d1] from w0, w1; u1 = [e0 e1 f0 f1 g0 g1 h0 h1];
    // u2, u3 the same for words 2, 3.
    let lo = idx([0, 8, 1, 9, 2, 10, 3, 11]);
    let hi = idx([4, 12, 5, 13, 6, 14, 7, 15]);
    let u0 = permute2(w[0], lo, w[1]);
    let u1 = permute2(w[0], hi, w[1]);
    let u2 = permute2(w[2], lo, w[3]);
    let u3 = permute2(w[2], hi, w[3]);
    // Stage 2: v0 = [a0 a1 a2 a3 b0 b1 b2 b3] = u0[0,1], u2[0,1], u0[2,3], u2[2,3].
    let first = idx([0, 1, 8, 9, 2, 3, 10, 11]);
    let second = idx([4, 5, 12, 13, 6, 7, 14, 15]);
    [
        permute2(u0, first, u2),
        permute2(u0, second, u2),
        permute2(u1, first, u3),
        permute2(u1, second, u3),
    ]
}

impl<P: Fp256Params> Add for Fp256x8Ifma<P> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        self.add_lanes(&rhs)
    }
}

impl<P: Fp256Params> Sub for Fp256x8Ifma<P> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        self.sub_lanes(&rhs)
    }
}

impl<P: Fp256Params> Mul for Fp256x8Ifma<P> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        self.mul_lanes(&rhs)
    }
}

impl<P: Fp256Params> Neg for Fp256x8Ifma<P> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Self::default() - self
    }
}

impl<P: Fp256Params> AddAssign for Fp256x8Ifma<P> {
    #[inline(always)]
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl<P: Fp256Params> SubAssign for Fp256x8Ifma<P> {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl<P: Fp256Params> MulAssign for Fp256x8Ifma<P> {
    #[inline(always)]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}

impl_fp256_lanes!(Fp256x8Ifma);
