//! The Goldilocks field `p = 2^64 − 2^32 + 1` and its quadratic extension `Goldilocks[X]/(X² − 7)`.
//!
//! # Representation
//!
//! A [`Goldilocks`] holds any `u64`; the element it stands for is that value mod `p`, so the values
//! `x` and `x + p` (for `x < 2^32 − 1`) name the same element. This is Plonky3's choice
//! (`p3-goldilocks`): it lets multiplication skip the final conditional subtraction (one compare and
//! one masked subtract per SIMD vector, ~8% of a packed multiply). Everything that *observes* a
//! value canonicalises first: `Eq`, `Hash`, `Ord`, `Display`, [`PrimeField64::as_canonical_u64`]
//! and the byte encodings, so two representatives of one element are equal, hash alike and print
//! alike. [`Field::from_u64`] is therefore free.
//!
//! # Reduction
//!
//! With `ε = 2^32 − 1 = 2^64 mod p`, a 128-bit product `hi·2^64 + lo` with `hi = h₁·2^32 + h₀`
//! reduces as `lo + h₀·ε − h₁` because `2^64 ≡ ε` and `2^96 ≡ −1 (mod p)` (the reduction of the
//! Plonky2 paper, §"Goldilocks"; also `p3-goldilocks/src/goldilocks.rs`). `h₀·ε < p`, so one
//! borrow fix and one carry fix give a `u64` congruent to the product.
//!
//! # Packing
//!
//! `Field::Packing` is `PackedGoldilocksAvx512` (8 lanes) where AVX-512F is enabled at compile
//! time, `PackedGoldilocksAvx2` (4 lanes) where only AVX2 is, and `Goldilocks` itself otherwise;
//! on x86-64 [`Field::with_packing`] picks among the three at run time ([`crate::cpu::level`]),
//! whatever the build targets.
//! Packed lanes use the same non-canonical representation.

use core::cmp::Ordering;
use core::fmt::{self, Debug, Display};
use core::hash::{Hash, Hasher};
use core::iter::{Product, Sum};
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::{BinomialExtension, BinomialParams, Field, PrimeField, PrimeField64, TwoAdicField};

/// The operator and [`PackedField`](crate::PackedField) impls shared by the SIMD packings: `$t`
/// wraps `[Goldilocks; $width]` and has `to_vector`/`from_vector` plus free functions `add`, `sub`,
/// `neg`, `mul`, `square` and `canonicalize` on its vector type in the invoking module.
#[cfg(target_arch = "x86_64")]
macro_rules! impl_packed_goldilocks {
    ($t:ident, $width:expr) => {
        impl $t {
            /// Every lane equal to `s`.
            #[inline(always)]
            const fn splat(s: Goldilocks) -> Self {
                Self([s; $width])
            }

            /// Lane-wise square (three partial products per lane instead of four).
            #[inline(always)]
            #[must_use]
            pub fn square(&self) -> Self {
                Self::from_vector(square(self.to_vector()))
            }
        }

        impl core::fmt::Debug for $t {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_list().entries(self.0.iter()).finish()
            }
        }

        impl PartialEq for $t {
            /// Lane-wise equality of the canonical values.
            #[inline(always)]
            fn eq(&self, other: &Self) -> bool {
                let (a, b) = (canonicalize(self.to_vector()), canonicalize(other.to_vector()));
                Self::from_vector(a).0.map(Goldilocks::raw_u64)
                    == Self::from_vector(b).0.map(Goldilocks::raw_u64)
            }
        }

        impl Eq for $t {}

        impl core::ops::Add for $t {
            type Output = Self;
            #[inline(always)]
            fn add(self, rhs: Self) -> Self {
                Self::from_vector(add(self.to_vector(), rhs.to_vector()))
            }
        }

        impl core::ops::Sub for $t {
            type Output = Self;
            #[inline(always)]
            fn sub(self, rhs: Self) -> Self {
                Self::from_vector(sub(self.to_vector(), rhs.to_vector()))
            }
        }

        impl core::ops::Neg for $t {
            type Output = Self;
            #[inline(always)]
            fn neg(self) -> Self {
                Self::from_vector(neg(self.to_vector()))
            }
        }

        impl core::ops::Mul for $t {
            type Output = Self;
            #[inline(always)]
            fn mul(self, rhs: Self) -> Self {
                Self::from_vector(mul(self.to_vector(), rhs.to_vector()))
            }
        }

        impl core::ops::Add<Goldilocks> for $t {
            type Output = Self;
            #[inline(always)]
            fn add(self, rhs: Goldilocks) -> Self {
                self + Self::splat(rhs)
            }
        }

        impl core::ops::Sub<Goldilocks> for $t {
            type Output = Self;
            #[inline(always)]
            fn sub(self, rhs: Goldilocks) -> Self {
                self - Self::splat(rhs)
            }
        }

        impl core::ops::Mul<Goldilocks> for $t {
            type Output = Self;
            #[inline(always)]
            fn mul(self, rhs: Goldilocks) -> Self {
                self * Self::splat(rhs)
            }
        }

        impl core::ops::AddAssign for $t {
            #[inline(always)]
            fn add_assign(&mut self, rhs: Self) {
                *self = *self + rhs;
            }
        }

        impl core::ops::SubAssign for $t {
            #[inline(always)]
            fn sub_assign(&mut self, rhs: Self) {
                *self = *self - rhs;
            }
        }

        impl core::ops::MulAssign for $t {
            #[inline(always)]
            fn mul_assign(&mut self, rhs: Self) {
                *self = *self * rhs;
            }
        }

        // SAFETY: `$t` is `#[repr(transparent)]` over `[Goldilocks; $width]`, and every `u64` (so
        // every bit pattern of a lane) is a valid `Goldilocks` representative that the vector
        // arithmetic accepts.
        unsafe impl crate::PackedField for $t {
            type Scalar = Goldilocks;
            const WIDTH: usize = $width;

            #[inline(always)]
            fn broadcast(s: Goldilocks) -> Self {
                Self::splat(s)
            }

            #[inline(always)]
            fn from_fn<Fun: FnMut(usize) -> Goldilocks>(f: Fun) -> Self {
                Self(core::array::from_fn(f))
            }

            #[inline(always)]
            fn mul_inv_2exp(self, n: u32, v: Goldilocks) -> Self {
                packed_mul_inv_2exp(self, n, v)
            }

            #[inline(always)]
            fn add_exp_small<const D: u64>(self, c: Goldilocks) -> Self {
                packed_add_exp_small::<D>(self, c)
            }

            #[inline(always)]
            fn add_exp_small_batch<const D: u64>(xs: &mut [Self], cs: &[Goldilocks]) {
                packed_add_exp_small_batch::<D>(xs, cs)
            }
        }
    };
}

// Both packings are compiled in every x86-64 build: the one the target features allow is the
// public `Field::Packing`; the others are reached only through `with_packing`'s
// `#[target_feature]` entry points, chosen at run time (as in `monty31`).
#[cfg(target_arch = "x86_64")]
#[cfg_attr(
    not(all(target_feature = "avx2", not(target_feature = "avx512f"))),
    allow(dead_code, unreachable_pub)
)]
mod x86_64_avx2;
#[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
pub use x86_64_avx2::PackedGoldilocksAvx2;
#[cfg(all(
    target_arch = "x86_64",
    not(all(target_feature = "avx2", not(target_feature = "avx512f")))
))]
use x86_64_avx2::PackedGoldilocksAvx2;

#[cfg(target_arch = "x86_64")]
#[cfg_attr(not(target_feature = "avx512f"), allow(dead_code, unreachable_pub))]
mod x86_64_avx512;
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
pub use x86_64_avx512::PackedGoldilocksAvx512;
#[cfg(all(target_arch = "x86_64", not(target_feature = "avx512f")))]
use x86_64_avx512::PackedGoldilocksAvx512;

/// `p = 2^64 − 2^32 + 1`.
pub const P: u64 = 0xFFFF_FFFF_0000_0001;

/// `ε = 2^64 − p = 2^32 − 1`, which is `2^64 mod p`.
pub(crate) const EPSILON: u64 = P.wrapping_neg();

/// The multiplicative generator Plonky3 uses (`Goldilocks::GENERATOR = 7`); 7 is a quadratic
/// non-residue, which is also why `X² − 7` is irreducible (see [`GoldilocksExt2Params`]).
const MULTIPLICATIVE_GENERATOR: u64 = 7;

/// An element of the Goldilocks field; any `u64` is a valid representative (see the module docs).
#[derive(Copy, Clone, Default)]
#[repr(transparent)]
pub struct Goldilocks {
    value: u64,
}

/// `x mod p` for any `u64` (one conditional subtraction: `x < 2p`).
#[inline(always)]
const fn canonicalize(x: u64) -> u64 {
    if x >= P { x - P } else { x }
}

/// Reduces a 128-bit value mod `p`, to a `u64` that may be non-canonical.
///
/// `x = lo + 2^64·(h₀ + 2^32·h₁) ≡ lo − h₁ + h₀·ε`.
#[inline(always)]
const fn reduce128(x: u128) -> u64 {
    let lo = x as u64;
    let hi = (x >> 64) as u64;
    let h1 = hi >> 32;
    let h0 = hi & EPSILON;
    // lo − h₁: on a borrow the wrapped value is `lo − h₁ + 2^64 ≡ lo − h₁ + ε`, so take ε back off.
    // The true difference is > −2^32, so the wrapped value is ≥ 2^64 − 2^32 > ε: no second borrow.
    let (t, borrow) = lo.overflowing_sub(h1);
    let t = if borrow { t.wrapping_sub(EPSILON) } else { t };
    // + h₀·ε, which is ≤ (2^32 − 1)² < p: on a carry add ε back (`2^64 ≡ ε`); the wrapped sum is
    // then < h₀·ε ≤ 2^64 − 2^33 + 1, so adding ε cannot carry again. The carry is data-dependent
    // (about half the time on random inputs), so it is applied without a branch (`sbb; and`), while
    // the borrow above (probability < 2^−32) is left to a well-predicted branch.
    let (s, carry) = t.overflowing_add(h0 * EPSILON);
    s.wrapping_add((carry as u64).wrapping_neg() & EPSILON)
}

/// `a · b mod p` (non-canonical), usable in constants.
#[inline(always)]
const fn mul_raw(a: u64, b: u64) -> u64 {
    reduce128((a as u128) * (b as u128))
}

/// `base^exp mod p`, canonical, for constants.
const fn const_pow(base: u64, mut exp: u64) -> u64 {
    let mut acc = 1u64;
    let mut b = base;
    while exp > 0 {
        if exp & 1 == 1 {
            acc = mul_raw(acc, b);
        }
        b = mul_raw(b, b);
        exp >>= 1;
    }
    canonicalize(acc)
}

/// The two-adic generator chain: `[k]` has order `2^k` and `[k + 1]² = [k]`.
///
/// `[32] = 7^((p − 1)/2^32)`, and the rest are its repeated squares. This is the chain of Plonky3
/// (`p3_goldilocks::Goldilocks::TWO_ADIC_GENERATORS`), which the tests check entry by entry; it is
/// derived here rather than pasted.
const TWO_ADIC_GENERATORS: [u64; 33] = {
    let mut table = [0u64; 33];
    table[32] = const_pow(MULTIPLICATIVE_GENERATOR, (P - 1) >> 32);
    let mut k = 32;
    while k > 0 {
        table[k - 1] = canonicalize(mul_raw(table[k], table[k]));
        k -= 1;
    }
    table
};

impl Goldilocks {
    /// The element `value mod p`; any `u64` is accepted as is (no reduction needed, see the
    /// module docs).
    #[inline]
    pub const fn new(value: u64) -> Self {
        Self { value }
    }

    /// The stored representative, which may be `≥ p` (use
    /// [`PrimeField64::as_canonical_u64`] for the canonical value).
    #[inline]
    pub const fn raw_u64(self) -> u64 {
        self.value
    }

    /// The canonical value, usable in constants.
    #[inline]
    pub const fn to_canonical_u64(self) -> u64 {
        canonicalize(self.value)
    }

    /// `self^(2^n)`.
    #[inline]
    fn exp_power_of_2(self, n: usize) -> Self {
        let mut x = self;
        for _ in 0..n {
            x = x.square();
        }
        x
    }

    /// `self^(p − 2)`: Fermat's little theorem through an addition chain (64 squarings and
    /// 9 multiplications, against 63 + 63 for plain square-and-multiply).
    ///
    /// `p − 2 = 0xFFFF_FFFE_FFFF_FFFF = (2^31 − 1)·2^33 + (2^32 − 1)`. Writing `e_k = x^(2^k − 1)`,
    /// the chain builds `e_k` with `e_(a+b) = e_a^(2^b) · e_b`, then returns `e_31^(2^33) · e_32`.
    fn inverse_unchecked(self) -> Self {
        let e1 = self;
        let e2 = e1.square() * e1;
        let e3 = e2.square() * e1;
        let e6 = e3.exp_power_of_2(3) * e3;
        let e12 = e6.exp_power_of_2(6) * e6;
        let e24 = e12.exp_power_of_2(12) * e12;
        let e30 = e24.exp_power_of_2(6) * e6;
        let e31 = e30.square() * e1;
        let e32 = e31.square() * e1;
        e31.exp_power_of_2(33) * e32
    }
}

impl PartialEq for Goldilocks {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.to_canonical_u64() == other.to_canonical_u64()
    }
}

impl Eq for Goldilocks {}

impl Hash for Goldilocks {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.to_canonical_u64());
    }
}

impl PartialOrd for Goldilocks {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Goldilocks {
    /// Orders by canonical value.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.to_canonical_u64().cmp(&other.to_canonical_u64())
    }
}

impl Debug for Goldilocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(self, f)
    }
}

impl Display for Goldilocks {
    /// The canonical value in decimal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.to_canonical_u64(), f)
    }
}

impl Add for Goldilocks {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        // Canonicalise one side so that a carry can be folded back with a single `+ ε`: after a
        // carry the wrapped sum is < p − 1, and `+ ε` stays below 2^64.
        let (s, carry) = self.value.overflowing_add(canonicalize(rhs.value));
        Self::new(s.wrapping_add(u64::from(carry).wrapping_neg() & EPSILON))
    }
}

impl Sub for Goldilocks {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        // On a borrow the wrapped difference is `a − b + 2^64 ≡ a − b + ε`; with b canonical it is
        // ≥ 2^64 − p = ε, so subtracting ε cannot borrow again.
        let (d, borrow) = self.value.overflowing_sub(canonicalize(rhs.value));
        Self::new(d.wrapping_sub(u64::from(borrow).wrapping_neg() & EPSILON))
    }
}

impl Neg for Goldilocks {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        // p − x for canonical x is in (0, p]; p itself stands for 0.
        Self::new(P - canonicalize(self.value))
    }
}

impl Mul for Goldilocks {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        Self::new(mul_raw(self.value, rhs.value))
    }
}

impl Div for Goldilocks {
    type Output = Self;
    /// # Panics
    /// If `rhs` is zero.
    #[inline]
    #[allow(clippy::suspicious_arithmetic_impl)]
    fn div(self, rhs: Self) -> Self {
        #[allow(clippy::expect_used)]
        let inv = rhs.inverse().expect("division by zero in Goldilocks");
        self * inv
    }
}

macro_rules! assign_ops {
    ($($trait:ident $method:ident $op:tt),*) => {$(
        impl $trait for Goldilocks {
            #[inline]
            fn $method(&mut self, rhs: Self) {
                *self = *self $op rhs;
            }
        }
    )*};
}
assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

impl Sum for Goldilocks {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |a, b| a + b)
    }
}

impl Product for Goldilocks {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ONE, |a, b| a * b)
    }
}

impl Field for Goldilocks {
    #[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
    type Packing = PackedGoldilocksAvx512;
    #[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
    type Packing = PackedGoldilocksAvx2;
    #[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
    type Packing = Self;

    /// AVX-512 (8 lanes) where [`crate::cpu::level`] ≥ [`crate::cpu::CpuLevel::Avx512`], AVX2 (4
    /// lanes) where it is [`crate::cpu::CpuLevel::Avx2`], one lane below — on x86-64, whatever the
    /// build targets (`#[target_feature]` entry points); [`Field::Packing`] elsewhere.
    #[inline(always)]
    fn with_packing<K: crate::PackedKernel<Self>>(kernel: K) -> K::Output {
        #[cfg(target_arch = "x86_64")]
        {
            crate::packed::dispatch_x86::<Self, PackedGoldilocksAvx512, PackedGoldilocksAvx2, K>(
                kernel,
            )
        }
        #[cfg(not(target_arch = "x86_64"))]
        kernel.run::<Self::Packing>()
    }

    const ZERO: Self = Self::new(0);
    const ONE: Self = Self::new(1);
    const TWO: Self = Self::new(2);
    const NEG_ONE: Self = Self::new(P - 1);

    fn order_string() -> String {
        P.to_string()
    }

    #[inline]
    fn is_zero(&self) -> bool {
        self.value == 0 || self.value == P
    }

    #[inline]
    fn square(&self) -> Self {
        *self * *self
    }

    #[inline]
    fn double(&self) -> Self {
        *self + *self
    }

    fn inverse(&self) -> Option<Self> {
        if self.is_zero() {
            return None;
        }
        Some(self.inverse_unchecked())
    }

    #[inline]
    fn from_u64(v: u64) -> Self {
        Self::new(v)
    }

    fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        // Rejection sampling: uniform over [0, p); a draw is rejected with probability < 2^−32.
        loop {
            let v = rng.next_u64();
            if v < P {
                return Self::new(v);
            }
        }
    }
}

impl PrimeField for Goldilocks {
    type Repr = [u8; 8];

    const MODULUS: &'static [u64] = &[P];
    const NUM_BITS: u32 = 64;

    #[inline]
    fn to_bytes_le(&self) -> [u8; 8] {
        self.to_canonical_u64().to_le_bytes()
    }

    #[inline]
    fn from_bytes_le(bytes: &[u8; 8]) -> Option<Self> {
        let v = u64::from_le_bytes(*bytes);
        (v < P).then_some(Self::new(v))
    }

    /// Goldilocks is not in Montgomery form: the raw bytes are the canonical ones.
    #[inline]
    fn to_raw_bytes_le(&self) -> [u8; 8] {
        self.to_bytes_le()
    }

    #[inline]
    fn from_raw_bytes_le(bytes: &[u8; 8]) -> Option<Self> {
        Self::from_bytes_le(bytes)
    }
}

impl PrimeField64 for Goldilocks {
    const ORDER_U64: u64 = P;

    #[inline]
    fn as_canonical_u64(&self) -> u64 {
        self.to_canonical_u64()
    }
}

impl TwoAdicField for Goldilocks {
    const TWO_ADICITY: usize = 32;

    /// Plonky3's chain: `two_adic_generator(32) = 7^((p − 1)/2^32)` and each smaller one is the
    /// square of the next (so `two_adic_generator(1) = −1`, `two_adic_generator(2) = 2^48`).
    fn two_adic_generator(log_n: usize) -> Option<Self> {
        TWO_ADIC_GENERATORS.get(log_n).map(|&g| Self::new(g))
    }
}

/// `X² = 7` for [`GoldilocksExt2`], as in Plonky3's `BinomialExtensionField<Goldilocks, 2>`.
///
/// `X² − 7` is irreducible over `F_p` because 7 is a quadratic non-residue mod `p`: by Euler's
/// criterion `7^((p − 1)/2) = −1` (checked in the tests). In fact 7 generates the whole
/// multiplicative group, which is how the two-adic chain above is built.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct GoldilocksExt2Params;

impl BinomialParams<Goldilocks, 2> for GoldilocksExt2Params {
    const W: Goldilocks = Goldilocks::new(7);
}

/// The quadratic extension `Goldilocks[X]/(X² − 7)`, of order `p²`.
pub type GoldilocksExt2 = BinomialExtension<Goldilocks, 2, GoldilocksExt2Params>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduce128_edges() {
        let p = u128::from(P);
        for x in [
            0u128,
            1,
            p - 1,
            p,
            p + 1,
            u128::from(u64::MAX),
            u128::MAX,
            (p - 1) * (p - 1),
            1 << 96,
            1 << 64,
        ] {
            assert_eq!(u128::from(canonicalize(reduce128(x))), x % p, "x = {x:#x}");
        }
    }
}
