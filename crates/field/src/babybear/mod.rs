//! BabyBear, `p = 2^31 − 2^27 + 1 = 15·2^27 + 1`, and its quartic extension `BabyBear[X]/(X⁴ − 11)`.
//!
//! Elements are kept in 32-bit Montgomery form `x·R mod p` with `R = 2^32`, always canonical
//! (`< p`), so equality and hashing work on the stored word. `p < 2^31` leaves one spare bit, which
//! the addition (`a + b < 2^32`) and the Montgomery reduction (`a·b + q·p < 2^64`) rely on.
//!
//! SIMD packings: [`PackedBabyBearAvx512`] (16 lanes) when AVX-512F is enabled, else
//! [`PackedBabyBearAvx2`] (8 lanes) with AVX2, else the scalar itself (one lane).
//!
//! The two-adic generators are those of Plonky3's `p3-baby-bear` (`TwoAdicField::two_adic_generator`),
//! so that evaluation domains agree with Plonky3-based provers; the tests compare every one.

use core::cmp::Ordering;
use core::fmt::{self, Debug, Display};
use core::iter::{Product, Sum};
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::{BinomialExtension, BinomialParams, Field, PrimeField, PrimeField64, TwoAdicField};

#[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
mod x86_64_avx2;
#[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
pub use x86_64_avx2::PackedBabyBearAvx2;

#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
mod x86_64_avx512;
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
pub use x86_64_avx512::PackedBabyBearAvx512;

/// The modulus `p = 15·2^27 + 1`.
pub const P: u32 = (15 << 27) + 1;

/// `−p⁻¹ mod 2^32`, the Montgomery multiplier: `q = (x mod 2^32)·MONTY_NEG_P_INV` makes `x + q·p`
/// divisible by `2^32`.
pub(crate) const MONTY_NEG_P_INV: u32 = neg_inverse_mod_2_32(P);

/// `R² mod p` with `R = 2^32`; the Montgomery product of `x` and `R²` is `x·R`, the Montgomery form.
const R2: u32 = ((1u128 << 64) % P as u128) as u32;

/// `−m⁻¹ mod 2^32` for odd `m`, by Newton's iteration `y ← y·(2 − m·y)`, which doubles the number
/// of correct low bits; `y = m` is already right modulo 8 (every odd square is 1 mod 8), so four
/// steps reach 48 ≥ 32 bits.
const fn neg_inverse_mod_2_32(m: u32) -> u32 {
    let mut y = m;
    let mut i = 0;
    while i < 4 {
        y = y.wrapping_mul(2u32.wrapping_sub(m.wrapping_mul(y)));
        i += 1;
    }
    y.wrapping_neg()
}

/// Montgomery reduction: `x·R⁻¹ mod p`, canonical, for `x < p·2^32`.
///
/// With `q = x·(−p⁻¹) mod 2^32`, `x + q·p ≡ 0 (mod 2^32)` and `(x + q·p)/2^32 < 2p`, so one
/// conditional subtraction finishes (Montgomery 1985; Brent–Zimmermann, *Modern Computer
/// Arithmetic*, algorithm 2.6). The subtraction is a `min` on the wrapped difference: when `t < p`,
/// `t − p` wraps above `t`.
#[inline(always)]
const fn monty_reduce(x: u64) -> u32 {
    let q = (x as u32).wrapping_mul(MONTY_NEG_P_INV);
    let t = ((x + q as u64 * P as u64) >> 32) as u32;
    let u = t.wrapping_sub(P);
    if u < t { u } else { t }
}

/// A BabyBear element in Montgomery form.
#[derive(Copy, Clone, Default, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct BabyBear {
    /// `x·2^32 mod p`, always `< p`.
    value: u32,
}

impl BabyBear {
    /// `p`, as the field's order.
    pub const ORDER_U32: u32 = P;

    /// A generator of the multiplicative group (31, as in Plonky3 and risc0).
    pub const GENERATOR: Self = Self::new(31);

    /// The image of `x` (reduced modulo `p`); usable in `const` items, e.g. round constants.
    #[inline]
    pub const fn new(x: u32) -> Self {
        Self { value: monty_reduce((x % P) as u64 * R2 as u64) }
    }

    /// Builds an element of each value of an array (reduced modulo `p`), in `const` context.
    pub const fn new_array<const N: usize>(xs: [u32; N]) -> [Self; N] {
        let mut out = [Self::ZERO; N];
        let mut i = 0;
        while i < N {
            out[i] = Self::new(xs[i]);
            i += 1;
        }
        out
    }

    /// The canonical value `0 ≤ x < p`.
    #[inline]
    pub const fn as_canonical_u32(&self) -> u32 {
        monty_reduce(self.value as u64)
    }

    /// The Montgomery form `x·2^32 mod p` (the raw representation).
    #[inline]
    pub const fn to_monty(self) -> u32 {
        self.value
    }

    /// The element whose Montgomery form is `monty`, or `None` unless `monty < p`.
    #[inline]
    pub const fn from_monty(monty: u32) -> Option<Self> {
        if monty < P { Some(Self { value: monty }) } else { None }
    }

    /// `self · rhs`, usable in `const` context.
    #[inline(always)]
    pub const fn mul_const(self, rhs: Self) -> Self {
        Self { value: monty_reduce(self.value as u64 * rhs.value as u64) }
    }

    /// `self^(2^k)` by `k` squarings.
    #[inline]
    pub const fn square_n(self, k: usize) -> Self {
        let mut x = self;
        let mut i = 0;
        while i < k {
            x = x.mul_const(x);
            i += 1;
        }
        x
    }

    /// `self^(p−2)` through an addition chain: 30 squarings and 11 multiplications, against 30 + 29
    /// for square-and-multiply over the 31 bits of `p − 2` and 64 + 29 for the generic
    /// [`Field::pow`].
    ///
    /// `p − 2 = 0b111_0111_111_111_111_111_111_111_111_111` (bit 27 is the only zero below bit 31):
    /// with `e₃ = x^7`, the exponent is read as the window `111`, the window `0111`, and eight
    /// windows `111`, each costing its squarings and one multiplication by `e₃`.
    #[inline]
    const fn pow_p_minus_2(self) -> Self {
        let x = self;
        let e2 = x.mul_const(x).mul_const(x); // x^3
        let e3 = e2.mul_const(e2).mul_const(x); // x^7
        let mut acc = e3.square_n(4).mul_const(e3); // x^0b1110111
        let mut i = 0;
        while i < 8 {
            acc = acc.square_n(3).mul_const(e3);
            i += 1;
        }
        acc
    }

    /// The generators `g_k` of the subgroups of order `2^k`, `k = 0..=27`: `g_27 = 31^15` (31 generates
    /// the whole group and `p − 1 = 15·2^27`) and `g_(k−1) = g_k²`. This is Plonky3's chain; the
    /// tests check each against `p3-baby-bear`.
    const TWO_ADIC_GENERATORS: [Self; 28] = {
        let mut out = [Self::ONE; 28];
        // 31^15 by squaring and multiplying (15 = 0b1111).
        let g = Self::GENERATOR;
        let g3 = g.mul_const(g).mul_const(g);
        let g15 = g3.square_n(2).mul_const(g3);
        let mut k = 27;
        let mut cur = g15;
        loop {
            out[k] = cur;
            if k == 0 {
                break;
            }
            cur = cur.mul_const(cur);
            k -= 1;
        }
        out
    };
}

impl Debug for BabyBear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.as_canonical_u32(), f)
    }
}

impl Display for BabyBear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.as_canonical_u32(), f)
    }
}

impl PartialOrd for BabyBear {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BabyBear {
    /// Compares canonical values (the Montgomery words do not follow the integer order).
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_canonical_u32().cmp(&other.as_canonical_u32())
    }
}

impl Add for BabyBear {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        // a + b < 2p < 2^32; subtract p when the sum reaches it (min of the wrapped difference).
        let s = self.value + rhs.value;
        Self { value: s.min(s.wrapping_sub(P)) }
    }
}

impl Sub for BabyBear {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        // When a < b the difference wraps above 2^31 and adding p brings it back below p.
        let d = self.value.wrapping_sub(rhs.value);
        Self { value: d.min(d.wrapping_add(P)) }
    }
}

impl Neg for BabyBear {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self::ZERO - self
    }
}

impl Mul for BabyBear {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        self.mul_const(rhs)
    }
}

impl Div for BabyBear {
    type Output = Self;
    /// # Panics
    /// If `rhs` is zero.
    #[inline]
    fn div(self, rhs: Self) -> Self {
        #[allow(clippy::expect_used)]
        let inv = rhs.inverse().expect("division by zero in BabyBear");
        self * inv
    }
}

macro_rules! assign_ops {
    ($($trait:ident $method:ident $op:tt),*) => {$(
        impl $trait for BabyBear {
            #[inline]
            fn $method(&mut self, rhs: Self) {
                *self = *self $op rhs;
            }
        }
    )*};
}
assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

impl Sum for BabyBear {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        // Montgomery form is linear, so the words can be added as integers and reduced once:
        // a u64 holds 2^33 words below 2^31, far more than any slice here (reduce every 2^32 anyway).
        let mut acc = 0u64;
        let mut n = 0u32;
        for x in iter {
            acc += u64::from(x.value);
            n = n.wrapping_add(1);
            if n == 0 {
                acc %= u64::from(P);
            }
        }
        Self { value: (acc % u64::from(P)) as u32 }
    }
}

impl Product for BabyBear {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ONE, |a, b| a * b)
    }
}

impl Field for BabyBear {
    #[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
    type Packing = PackedBabyBearAvx512;
    #[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
    type Packing = PackedBabyBearAvx2;
    #[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
    type Packing = Self;

    const ZERO: Self = Self { value: 0 };
    const ONE: Self = Self::new(1);
    const TWO: Self = Self::new(2);
    const NEG_ONE: Self = Self::new(P - 1);

    fn order_string() -> String {
        P.to_string()
    }

    #[inline]
    fn inverse(&self) -> Option<Self> {
        if self.value == 0 { None } else { Some(self.pow_p_minus_2()) }
    }

    #[inline]
    fn from_u64(v: u64) -> Self {
        Self::new((v % u64::from(P)) as u32)
    }

    fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        // Rejection sampling on 31 bits: accepted with probability p/2^31 = 15/16. Any value below
        // p is as good a Montgomery word as a canonical one, so no conversion is needed.
        loop {
            let v = rng.next_u32() >> 1;
            if v < P {
                return Self { value: v };
            }
        }
    }
}

impl PrimeField for BabyBear {
    type Repr = [u8; 4];

    const MODULUS: &'static [u64] = &[P as u64];
    const NUM_BITS: u32 = 31;

    #[inline]
    fn to_bytes_le(&self) -> [u8; 4] {
        self.as_canonical_u32().to_le_bytes()
    }

    #[inline]
    fn from_bytes_le(bytes: &[u8; 4]) -> Option<Self> {
        let v = u32::from_le_bytes(*bytes);
        if v < P { Some(Self::new(v)) } else { None }
    }

    #[inline]
    fn to_raw_bytes_le(&self) -> [u8; 4] {
        self.value.to_le_bytes()
    }

    #[inline]
    fn from_raw_bytes_le(bytes: &[u8; 4]) -> Option<Self> {
        Self::from_monty(u32::from_le_bytes(*bytes))
    }
}

impl PrimeField64 for BabyBear {
    const ORDER_U64: u64 = P as u64;

    #[inline]
    fn as_canonical_u64(&self) -> u64 {
        u64::from(self.as_canonical_u32())
    }
}

impl TwoAdicField for BabyBear {
    const TWO_ADICITY: usize = 27;

    #[inline]
    fn two_adic_generator(log_n: usize) -> Option<Self> {
        Self::TWO_ADIC_GENERATORS.get(log_n).copied()
    }
}

/// `W = 11` for BabyBear⁴ = `BabyBear[X]/(X⁴ − 11)`, as in Plonky3's
/// `BinomialExtensionField<BabyBear, 4>`.
///
/// Why `X⁴ − 11` is irreducible: by the theorem on binomials (Lidl–Niederreiter, *Finite Fields*,
/// theorem 3.75 / Lang, *Algebra*, VI §9), `X⁴ − a` is irreducible over `F_p` iff `a` is not a square
/// and `a ∉ −4·F_p⁴`. Here `p ≡ 1 (mod 4)`, so `−1`, hence `−4`, is a square and `−4·F_p⁴` holds only
/// squares; both conditions thus reduce to "11 is a quadratic non-residue", i.e. Euler's criterion
/// `11^((p−1)/2) = −1`, which the tests check.
#[derive(Copy, Clone, Default, Debug, PartialEq, Eq, Hash)]
pub struct BabyBearExt4Params;

impl BinomialParams<BabyBear, 4> for BabyBearExt4Params {
    const W: BabyBear = BabyBear::new(11);
}

/// The quartic extension `BabyBear[X]/(X⁴ − 11)`.
pub type BabyBearExt4 = BinomialExtension<BabyBear, 4, BabyBearExt4Params>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn montgomery_constants() {
        assert_eq!(P, 0x7800_0001);
        assert_eq!(P.wrapping_mul(MONTY_NEG_P_INV), u32::MAX, "p·(−p⁻¹) = −1 mod 2^32");
        assert_eq!(u64::from(R2), (1u128 << 64).rem_euclid(u128::from(P)) as u64);
        assert_eq!(BabyBear::new(5).as_canonical_u32(), 5);
    }
}
