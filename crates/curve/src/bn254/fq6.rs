//! `F_q⁶ = F_q²[v]/(v³ − ξ)` with `ξ = 9 + u`, the middle floor of the BN254 tower used by
//! arkworks and by snarkjs (ffjavascript's `F6 = F3Field(F2, [9, 1])`).
//!
//! A dedicated type rather than a `BinomialExtension` instance: multiplication is Karatsuba over
//! `F_q²` (6 multiplications instead of 9), squaring is Chung–Hasan's SQR2 (2 multiplications and 3
//! squarings), the inverse goes down the norm tower, and the sparse products used by the Miller
//! loop's line evaluations have their own entry points.

use core::fmt;
use core::ops::{Add, Div, Mul, Neg, Sub};

use zkprove_field::Field;
use zkprove_field::bn254::Fq;

use super::Fq2;

/// An `Fq2` constant from the canonical limbs of its two coefficients (checked at compile time).
pub(crate) const fn fq2(c0: [u64; 4], c1: [u64; 4]) -> Fq2 {
    Fq2::new([super::fq(c0), super::fq(c1)])
}

/// `ξ·a` for `ξ = 9 + u`: `(9a₀ − a₁) + (a₀ + 9a₁)u`, additions only.
#[inline(always)]
pub(crate) fn mul_by_xi(a: Fq2) -> Fq2 {
    // A closure here was left out of line by LLVM (10% of an Fq12 product); a function is not.
    #[inline(always)]
    fn nine(x: Fq) -> Fq {
        x.double().double().double() + x
    }
    let [a0, a1] = *a.coeffs();
    Fq2::new([nine(a0) - a1, a0 + nine(a1)])
}

/// `a·b` in `F_q²` (Karatsuba, 3 `F_q` multiplications), forced inline: the generic
/// `BinomialExtension` product stays an out-of-line call in the tower's hot loops, and with
/// `u² = −1` known here the reduction is one subtraction.
#[inline]
pub(crate) fn mul2(a: Fq2, b: Fq2) -> Fq2 {
    let [a0, a1] = *a.coeffs();
    let [b0, b1] = *b.coeffs();
    let v0 = a0 * b0;
    let v1 = a1 * b1;
    Fq2::new([v0 - v1, (a0 + a1) * (b0 + b1) - v0 - v1])
}

/// `a²` in `F_q²`: `(a₀ + a₁)(a₀ − a₁) + 2a₀a₁·u`, 2 multiplications and 3 additions.
#[inline]
pub(crate) fn square2(a: Fq2) -> Fq2 {
    let [a0, a1] = *a.coeffs();
    let p = a0 * a1;
    Fq2::new([(a0 + a1) * (a0 - a1), p.double()])
}

/// The conjugate `a₀ − a₁u`, which is `a^q` (the Frobenius map of `F_q²`).
#[inline(always)]
pub(crate) fn conjugate2(a: Fq2) -> Fq2 {
    let [a0, a1] = *a.coeffs();
    Fq2::new([a0, -a1])
}

/// `a^(q^k)` in `F_q²`: the conjugate for odd `k`, `a` for even `k`.
#[inline(always)]
pub(crate) fn frobenius2(a: Fq2, k: usize) -> Fq2 {
    if k % 2 == 1 { conjugate2(a) } else { a }
}

/// `ξ^((q^k − 1)/3)`, for `k = 0..6`: `v^(q^k) = v·ξ^((q^k − 1)/3)`. Derived by exponentiation in
/// a script and checked by the test `frobenius_constants` (crates/curve/tests/pairing.rs).
pub const FROBENIUS_COEFF_FQ6_C1: [Fq2; 6] = [
    fq2([1, 0, 0, 0], [0, 0, 0, 0]),
    fq2(
        [0x99e39557176f553d, 0xb78cc310c2c3330c, 0x4c0bec3cf559b143, 0x2fb347984f7911f7],
        [0x1665d51c640fcba2, 0x32ae2a1d0b7c9dce, 0x4ba4cc8bd75a0794, 0x16c9e55061ebae20],
    ),
    fq2([0xe4bd44e5607cfd48, 0xc28f069fbb966e3d, 0x5e6dd9e7e0acccb0, 0x30644e72e131a029], [0; 4]),
    fq2(
        [0x7b746ee87bdcfb6d, 0x805ffd3d5d6942d3, 0xbaff1c77959f25ac, 0x0856e078b755ef0a],
        [0x380cab2baaa586de, 0x0fdf31bf98ff2631, 0xa9f30e6dec26094f, 0x04f1de41b3d1766f],
    ),
    fq2([0x5763473177fffffe, 0xd4f263f1acdb5c4f, 0x59e26bcea0d48bac, 0], [0; 4]),
    fq2(
        [0x62e913ee1dada9e4, 0xf71614d4b0b71f3a, 0x699582b87809d9ca, 0x28be74d4bb943f51],
        [0xedae0bcec9c7aac7, 0x54f40eb4c3f6068d, 0xc2b86abcbe01477a, 0x14a88ae0cb747b99],
    ),
];

/// `ξ^(2(q^k − 1)/3)`, for `k = 0..6`: `(v²)^(q^k) = v²·ξ^(2(q^k − 1)/3)`.
pub const FROBENIUS_COEFF_FQ6_C2: [Fq2; 6] = [
    fq2([1, 0, 0, 0], [0, 0, 0, 0]),
    fq2(
        [0x848a1f55921ea762, 0xd33365f7be94ec72, 0x80f3c0b75a181e84, 0x05b54f5e64eea801],
        [0xc13b4711cd2b8126, 0x3685d2ea1bdec763, 0x9f3a80b03b0b1c92, 0x2c145edbe7fd8aee],
    ),
    fq2([0x5763473177fffffe, 0xd4f263f1acdb5c4f, 0x59e26bcea0d48bac, 0], [0; 4]),
    fq2(
        [0x0e1a92bc3ccbf066, 0xe633094575b06bcb, 0x19bee0f7b5b2444e, 0x0bc58c6611c08dab],
        [0x5fe3ed9d730c239f, 0xa44a9e08737f96e5, 0xfeb0f6ef0cd21d04, 0x23d5e999e1910a12],
    ),
    fq2([0xe4bd44e5607cfd48, 0xc28f069fbb966e3d, 0x5e6dd9e7e0acccb0, 0x30644e72e131a029], [0; 4]),
    fq2(
        [0xa97bda050992657f, 0xde1afb54342c724f, 0x1d9da40771b6f589, 0x1ee972ae6a826a7d],
        [0x5721e37e70c255c9, 0x54326430418536d1, 0xd2b513cdbb257724, 0x10de546ff8d4ab51],
    ),
];

/// An element `c0 + c1·v + c2·v²` of `F_q⁶ = F_q²[v]/(v³ − ξ)`.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Default)]
pub struct Fq6 {
    /// The coefficient of `1`.
    pub c0: Fq2,
    /// The coefficient of `v`.
    pub c1: Fq2,
    /// The coefficient of `v²`.
    pub c2: Fq2,
}

impl Fq6 {
    /// Builds `c0 + c1·v + c2·v²`.
    #[inline]
    pub const fn new(c0: Fq2, c1: Fq2, c2: Fq2) -> Self {
        Self { c0, c1, c2 }
    }

    /// `v·self = ξc₂ + c₀v + c₁v²` (additions only): the non-residue of `F_q¹²` over `F_q⁶`.
    #[inline(always)]
    pub fn mul_by_v(&self) -> Self {
        Self::new(mul_by_xi(self.c2), self.c0, self.c1)
    }

    /// `self·s` for `s ∈ F_q²` (3 `F_q²` multiplications).
    #[inline]
    pub fn mul_by_fq2(&self, s: Fq2) -> Self {
        Self::new(mul2(self.c0, s), mul2(self.c1, s), mul2(self.c2, s))
    }

    /// `self·(b0 + b1·v)` (5 `F_q²` multiplications, Karatsuba with `b2 = 0`).
    #[inline]
    pub fn mul_by_01(&self, b0: Fq2, b1: Fq2) -> Self {
        let (a0, a1, a2) = (self.c0, self.c1, self.c2);
        let t0 = mul2(a0, b0);
        let t1 = mul2(a1, b1);
        // c0 = a0b0 + ξ·a2b1; c1 = a0b1 + a1b0; c2 = a1b1 + a2b0.
        let c0 = mul_by_xi(mul2(a1 + a2, b1) - t1) + t0;
        let c1 = mul2(a0 + a1, b0 + b1) - t0 - t1;
        let c2 = mul2(a0 + a2, b0) - t0 + t1;
        Self::new(c0, c1, c2)
    }

    /// `self^(q^k)` (a Frobenius power): coefficient-wise conjugation for odd `k`, and the
    /// precomputed `v^(q^k)/v` factors.
    #[inline]
    pub fn frobenius_map(&self, k: usize) -> Self {
        let k6 = k % 6;
        Self::new(
            frobenius2(self.c0, k),
            frobenius2(self.c1, k) * FROBENIUS_COEFF_FQ6_C1[k6],
            frobenius2(self.c2, k) * FROBENIUS_COEFF_FQ6_C2[k6],
        )
    }
}

impl fmt::Debug for Fq6 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Fq6 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}, {}]", self.c0, self.c1, self.c2)
    }
}

impl Add for Fq6 {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self::new(self.c0 + rhs.c0, self.c1 + rhs.c1, self.c2 + rhs.c2)
    }
}

impl Sub for Fq6 {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self::new(self.c0 - rhs.c0, self.c1 - rhs.c1, self.c2 - rhs.c2)
    }
}

impl Neg for Fq6 {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Self::new(-self.c0, -self.c1, -self.c2)
    }
}

impl Mul for Fq6 {
    type Output = Self;
    /// Karatsuba over `F_q²` (Devegili–Ó hÉigeartaigh–Scott–Dahab, "Multiplication and squaring
    /// on pairing-friendly fields", §4): 6 multiplications.
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        let (a0, a1, a2) = (self.c0, self.c1, self.c2);
        let (b0, b1, b2) = (rhs.c0, rhs.c1, rhs.c2);
        let t0 = mul2(a0, b0);
        let t1 = mul2(a1, b1);
        let t2 = mul2(a2, b2);
        // c0 = t0 + ξ(a1b2 + a2b1), c1 = a0b1 + a1b0 + ξ·t2, c2 = a0b2 + a2b0 + t1.
        let c0 = mul_by_xi(mul2(a1 + a2, b1 + b2) - t1 - t2) + t0;
        let c1 = mul2(a0 + a1, b0 + b1) - t0 - t1 + mul_by_xi(t2);
        let c2 = mul2(a0 + a2, b0 + b2) - t0 - t2 + t1;
        Self::new(c0, c1, c2)
    }
}

impl Div for Fq6 {
    type Output = Self;
    /// # Panics
    /// If `rhs` is zero.
    #[inline]
    fn div(self, rhs: Self) -> Self {
        #[allow(clippy::expect_used)]
        let inv = rhs.inverse().expect("division by zero in Fq6");
        self * inv
    }
}

macro_rules! assign_ops {
    ($ty:ty) => {
        impl core::ops::AddAssign for $ty {
            #[inline(always)]
            fn add_assign(&mut self, rhs: Self) {
                *self = *self + rhs;
            }
        }
        impl core::ops::SubAssign for $ty {
            #[inline(always)]
            fn sub_assign(&mut self, rhs: Self) {
                *self = *self - rhs;
            }
        }
        impl core::ops::MulAssign for $ty {
            #[inline(always)]
            fn mul_assign(&mut self, rhs: Self) {
                *self = *self * rhs;
            }
        }
        impl core::ops::DivAssign for $ty {
            #[inline]
            fn div_assign(&mut self, rhs: Self) {
                *self = *self / rhs;
            }
        }
        impl core::iter::Sum for $ty {
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(<Self as Field>::ZERO, |a, b| a + b)
            }
        }
        impl core::iter::Product for $ty {
            fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(<Self as Field>::ONE, |a, b| a * b)
            }
        }
    };
}
pub(crate) use assign_ops;

assign_ops!(Fq6);

impl Field for Fq6 {
    type Packing = Self;

    const ZERO: Self = Self::new(Fq2::ZERO, Fq2::ZERO, Fq2::ZERO);
    const ONE: Self = Self::new(Fq2::ONE, Fq2::ZERO, Fq2::ZERO);
    const TWO: Self = Self::new(Fq2::TWO, Fq2::ZERO, Fq2::ZERO);
    const NEG_ONE: Self = Self::new(Fq2::NEG_ONE, Fq2::ZERO, Fq2::ZERO);

    fn order_string() -> String {
        format!("({})^6", Fq::order_string())
    }

    /// Chung–Hasan SQR2: 2 multiplications and 3 squarings in `F_q²`.
    #[inline]
    fn square(&self) -> Self {
        let (a0, a1, a2) = (self.c0, self.c1, self.c2);
        let s0 = square2(a0);
        let s1 = mul2(a0, a1).double();
        let s2 = square2(a0 - a1 + a2);
        let s3 = mul2(a1, a2).double();
        let s4 = square2(a2);
        Self::new(s0 + mul_by_xi(s3), s1 + mul_by_xi(s4), s1 + s2 + s3 - s0 - s4)
    }

    #[inline(always)]
    fn double(&self) -> Self {
        Self::new(self.c0.double(), self.c1.double(), self.c2.double())
    }

    /// Down the tower: with `t₀ = c₀² − ξc₁c₂`, `t₁ = ξc₂² − c₀c₁`, `t₂ = c₁² − c₀c₂`,
    /// `self·(t₀ + t₁v + t₂v²) = c₀t₀ + ξ(c₂t₁ + c₁t₂) ∈ F_q²`, one `F_q²` inverse.
    fn inverse(&self) -> Option<Self> {
        let (c0, c1, c2) = (self.c0, self.c1, self.c2);
        let t0 = c0.square() - mul_by_xi(c1 * c2);
        let t1 = mul_by_xi(c2.square()) - c0 * c1;
        let t2 = c1.square() - c0 * c2;
        let norm = c0 * t0 + mul_by_xi(c2 * t1 + c1 * t2);
        let inv = norm.inverse()?;
        Some(Self::new(t0 * inv, t1 * inv, t2 * inv))
    }

    #[inline]
    fn from_u64(v: u64) -> Self {
        Self::new(Fq2::from_u64(v), Fq2::ZERO, Fq2::ZERO)
    }

    fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        Self::new(Fq2::random(rng), Fq2::random(rng), Fq2::random(rng))
    }
}
