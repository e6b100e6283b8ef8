//! The Mersenne-31 field `Z/pZ` with `p = 2^31 − 1`, its complex extension [`CM31`] `= M31[i]`
//! (`i² = −1`) and the quartic extension [`QM31`] `= CM31[u]` (`u² = 2 + i`), as in stwo and Plonky3.
//!
//! Elements are stored as their canonical value `0 ≤ x < p` in a `u32` (no Montgomery form): a
//! product `x < 2^62` reduces by folding, `x ≡ (x mod 2^31) + ⌊x / 2^31⌋ (mod p)` since `2^31 ≡ 1`,
//! followed by one conditional subtraction written as `min(t, t − p)` (wrapping), which compiles
//! to branch-free code and has the same shape as the SIMD version.
//!
//! `p − 1 = 2·(2^30 − 1)` has two-adicity 1, so [`M31`] is deliberately not a
//! [`TwoAdicField`](crate::TwoAdicField): NTTs over M31 use the circle group of `CM31` instead
//! (Haböck, Levit, Papini, "Circle STARKs", 2024).
//!
//! Packing: `Field::Packing` is `PackedM31Avx512` (16 lanes) with AVX-512F enabled at compile time,
//! `PackedM31Avx2` (8 lanes) with AVX2 but without AVX-512F, and `M31` itself (1 lane) otherwise.
//! On x86-64 [`Field::with_packing`] picks among the three at run time ([`crate::cpu::level`]),
//! whatever the build targets.

use core::fmt::{self, Debug, Display};
use core::iter::{Product, Sum};
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::{Field, PrimeField, PrimeField64};

mod extension;
pub use extension::{CM31, CM31Params, QM31, QM31Params};

// Both packings are compiled in every x86-64 build: the one the target features allow is the
// public `Field::Packing`; the others are reached only through `with_packing`'s
// `#[target_feature]` entry points, chosen at run time (as in `monty31`).
#[cfg(target_arch = "x86_64")]
#[cfg_attr(not(target_feature = "avx512f"), allow(dead_code, unreachable_pub))]
mod x86_64_avx512;
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
pub use x86_64_avx512::PackedM31Avx512;
#[cfg(all(target_arch = "x86_64", not(target_feature = "avx512f")))]
use x86_64_avx512::PackedM31Avx512;
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
type PackedM31 = PackedM31Avx512;

#[cfg(target_arch = "x86_64")]
#[cfg_attr(
    not(all(target_feature = "avx2", not(target_feature = "avx512f"))),
    allow(dead_code, unreachable_pub)
)]
mod x86_64_avx2;
#[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
pub use x86_64_avx2::PackedM31Avx2;
#[cfg(all(
    target_arch = "x86_64",
    not(all(target_feature = "avx2", not(target_feature = "avx512f")))
))]
use x86_64_avx2::PackedM31Avx2;
#[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
type PackedM31 = PackedM31Avx2;

#[cfg(not(all(target_arch = "x86_64", any(target_feature = "avx2", target_feature = "avx512f"))))]
type PackedM31 = M31;

/// The modulus `p = 2^31 − 1`.
pub const P: u32 = (1 << 31) - 1;

/// `t mod p` for `t < 2p`: subtract `p` once when `t ≥ p`. Written as `min(t, t − p)` with wrapping
/// subtraction (for `t < p`, `t − p` wraps above `2^31 > t`), which is branch-free.
#[inline(always)]
const fn reduce_once(t: u32) -> u32 {
    let u = t.wrapping_sub(P);
    if u < t { u } else { t }
}

/// `x mod p` for a product `x ≤ (p − 1)²` of canonical values, by one Mersenne fold: the low half
/// `x mod 2^31` is at most `p` and the high half `⌊x / 2^31⌋` is below `p − 1`, so their sum is below
/// `2p` and one conditional subtraction finishes.
#[inline(always)]
const fn fold_product(x: u64) -> u32 {
    let lo = (x as u32) & P;
    let hi = (x >> 31) as u32;
    reduce_once(lo + hi)
}

/// An element of the Mersenne-31 field, stored canonically (`0 ≤ x < p`).
///
/// Equality, hashing and ordering are those of the canonical value.
#[derive(Copy, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct M31(u32);

impl M31 {
    /// `v mod p`; usable in `const` items.
    #[inline]
    pub const fn new(v: u32) -> Self {
        // v < 2^32: (v mod 2^31) + ⌊v / 2^31⌋ ≤ (2^31 − 1) + 1 = p + 1 < 2p.
        Self(reduce_once((v & P) + (v >> 31)))
    }

    /// `v` itself, or `None` when `v ≥ p`.
    #[inline]
    pub const fn new_checked(v: u32) -> Option<Self> {
        if v < P { Some(Self(v)) } else { None }
    }

    /// The canonical value `0 ≤ x < p`.
    #[inline]
    pub const fn as_canonical_u32(&self) -> u32 {
        self.0
    }

    /// `v mod p` for any `u64`.
    #[inline]
    pub const fn from_u64_reduce(v: u64) -> Self {
        // Two folds: v < 2^64 → (v mod 2^31) + ⌊v / 2^31⌋ < 2^31 + 2^33 → a second fold leaves
        // at most (2^31 − 1) + 4 < 2p.
        let t = (v & P as u64) + (v >> 31);
        let t = (t & P as u64) + (t >> 31);
        Self(reduce_once(t as u32))
    }

    /// `self^(2^k)`.
    #[inline]
    fn exp_power_of_2(self, k: u32) -> Self {
        let mut x = self;
        for _ in 0..k {
            x = x * x;
        }
        x
    }
}

impl Debug for M31 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.0, f)
    }
}

impl Display for M31 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.0, f)
    }
}

impl Add for M31 {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        // Both below 2^31, so the sum fits a u32 and is below 2p.
        Self(reduce_once(self.0 + rhs.0))
    }
}

impl Sub for M31 {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        // When a < b the wrapping difference is ≥ 2^32 − p + 1 > 2^31, and adding p back (wrapping)
        // gives the smaller value a − b + p; when a ≥ b adding p only makes it larger.
        let d = self.0.wrapping_sub(rhs.0);
        let e = d.wrapping_add(P);
        Self(if e < d { e } else { d })
    }
}

impl Neg for M31 {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        // p − 0 = p reduces to 0; everything else is already below p.
        Self(reduce_once(P - self.0))
    }
}

impl Mul for M31 {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        Self(fold_product(u64::from(self.0) * u64::from(rhs.0)))
    }
}

impl Div for M31 {
    type Output = Self;
    /// # Panics
    /// If `rhs` is zero.
    #[inline]
    fn div(self, rhs: Self) -> Self {
        #[allow(clippy::expect_used)]
        let inv = rhs.inverse().expect("division by zero in M31");
        self * inv
    }
}

macro_rules! assign_ops {
    ($($trait:ident $method:ident $op:tt),*) => {$(
        impl $trait for M31 {
            #[inline]
            fn $method(&mut self, rhs: Self) {
                *self = *self $op rhs;
            }
        }
    )*};
}
assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

impl Sum for M31 {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        // Accumulate in a u64 (no reduction per term): 2^33 terms of < 2^31 each would overflow, so
        // reduce every 2^32 terms — in practice never.
        let mut acc = 0u64;
        let mut n = 0u32;
        for x in iter {
            acc += u64::from(x.0);
            n = n.wrapping_add(1);
            if n == 0 {
                acc = u64::from(Self::from_u64_reduce(acc).0);
            }
        }
        Self::from_u64_reduce(acc)
    }
}

impl Product for M31 {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ONE, |a, b| a * b)
    }
}

impl Field for M31 {
    type Packing = PackedM31;

    /// AVX-512 (16 lanes) where [`crate::cpu::level`] ≥ [`crate::cpu::CpuLevel::Avx512`], AVX2 (8
    /// lanes) where it is [`crate::cpu::CpuLevel::Avx2`], one lane below — on x86-64, whatever the
    /// build targets (`#[target_feature]` entry points); [`Field::Packing`] elsewhere.
    #[inline(always)]
    fn with_packing<K: crate::PackedKernel<Self>>(kernel: K) -> K::Output {
        #[cfg(target_arch = "x86_64")]
        {
            crate::packed::dispatch_x86::<Self, PackedM31Avx512, PackedM31Avx2, K>(kernel)
        }
        #[cfg(not(target_arch = "x86_64"))]
        kernel.run::<Self::Packing>()
    }

    const ZERO: Self = Self(0);
    const ONE: Self = Self(1);
    const TWO: Self = Self(2);
    const NEG_ONE: Self = Self(P - 1);

    fn order_string() -> String {
        P.to_string()
    }

    #[inline]
    fn square(&self) -> Self {
        *self * *self
    }

    #[inline]
    fn double(&self) -> Self {
        *self + *self
    }

    /// `self^(p − 2)` through an addition chain for `p − 2 = 2^31 − 3 = (2^29 − 1)·4 + 1`, built
    /// from `x^(2^k − 1)` by `x^(2^(j+k) − 1) = (x^(2^k − 1))^(2^j) · x^(2^j − 1)`: 30 squarings and
    /// 8 multiplications.
    fn inverse(&self) -> Option<Self> {
        if self.0 == 0 {
            return None;
        }
        let a1 = *self;
        let a2 = a1.exp_power_of_2(1) * a1; // x^(2^2 − 1)
        let a4 = a2.exp_power_of_2(2) * a2; // x^(2^4 − 1)
        let a8 = a4.exp_power_of_2(4) * a4; // x^(2^8 − 1)
        let a16 = a8.exp_power_of_2(8) * a8; // x^(2^16 − 1)
        let a24 = a16.exp_power_of_2(8) * a8; // x^(2^24 − 1)
        let a28 = a24.exp_power_of_2(4) * a4; // x^(2^28 − 1)
        let a29 = a28.exp_power_of_2(1) * a1; // x^(2^29 − 1)
        Some(a29.exp_power_of_2(2) * a1) // x^(2^31 − 4 + 1)
    }

    #[inline]
    fn from_u64(v: u64) -> Self {
        Self::from_u64_reduce(v)
    }

    fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        // Rejection sampling on 31 bits: uniform, and p is hit with probability 2^−31 only.
        loop {
            let v = rng.next_u32() & P;
            if v < P {
                return Self(v);
            }
        }
    }
}

impl PrimeField for M31 {
    type Repr = [u8; 4];

    const MODULUS: &'static [u64] = &[P as u64];
    const NUM_BITS: u32 = 31;

    #[inline]
    fn to_bytes_le(&self) -> [u8; 4] {
        self.0.to_le_bytes()
    }

    #[inline]
    fn from_bytes_le(bytes: &[u8; 4]) -> Option<Self> {
        Self::new_checked(u32::from_le_bytes(*bytes))
    }

    /// The raw representation is the canonical value (M31 does not use Montgomery form).
    #[inline]
    fn to_raw_bytes_le(&self) -> [u8; 4] {
        self.to_bytes_le()
    }

    #[inline]
    fn from_raw_bytes_le(bytes: &[u8; 4]) -> Option<Self> {
        Self::from_bytes_le(bytes)
    }
}

impl PrimeField64 for M31 {
    const ORDER_U64: u64 = P as u64;

    #[inline]
    fn as_canonical_u64(&self) -> u64 {
        u64::from(self.0)
    }
}

/// The parts of a packed M31 type that do not depend on the instruction set: assignment operators,
/// operators with a scalar right-hand side (through `broadcast`), and `PackedField`.
#[cfg(target_arch = "x86_64")]
macro_rules! packed_common {
    ($packed:ident, $width:expr) => {
        impl $packed {
            /// Lane-wise square.
            #[inline(always)]
            pub fn square(&self) -> Self {
                *self * *self
            }
        }

        impl From<M31> for $packed {
            #[inline(always)]
            fn from(s: M31) -> Self {
                Self([s; $width])
            }
        }

        impl AddAssign for $packed {
            #[inline(always)]
            fn add_assign(&mut self, rhs: Self) {
                *self = *self + rhs;
            }
        }

        impl SubAssign for $packed {
            #[inline(always)]
            fn sub_assign(&mut self, rhs: Self) {
                *self = *self - rhs;
            }
        }

        impl MulAssign for $packed {
            #[inline(always)]
            fn mul_assign(&mut self, rhs: Self) {
                *self = *self * rhs;
            }
        }

        impl Add<M31> for $packed {
            type Output = Self;
            #[inline(always)]
            fn add(self, rhs: M31) -> Self {
                self + Self::from(rhs)
            }
        }

        impl Sub<M31> for $packed {
            type Output = Self;
            #[inline(always)]
            fn sub(self, rhs: M31) -> Self {
                self - Self::from(rhs)
            }
        }

        impl Mul<M31> for $packed {
            type Output = Self;
            #[inline(always)]
            fn mul(self, rhs: M31) -> Self {
                self * Self::from(rhs)
            }
        }

        // SAFETY: `#[repr(transparent)]` over `[M31; WIDTH]`, and the arithmetic accepts every
        // array of canonical `M31` values, which is all that `as_slice_mut` can write.
        unsafe impl PackedField for $packed {
            type Scalar = M31;
            const WIDTH: usize = $width;

            #[inline(always)]
            fn broadcast(s: M31) -> Self {
                Self::from(s)
            }

            #[inline(always)]
            fn from_fn<Fun: FnMut(usize) -> M31>(f: Fun) -> Self {
                Self(core::array::from_fn(f))
            }

            #[inline(always)]
            fn mul_2exp(self, n: u32, v: M31) -> Self {
                packed_mul_2exp(self, n, v)
            }

            #[inline(always)]
            fn add_exp_small<const D: u64>(self, c: M31) -> Self {
                packed_add_exp_small::<D>(self, c)
            }

            #[inline(always)]
            fn add_exp_small_batch<const D: u64>(xs: &mut [Self], cs: &[M31]) {
                packed_add_exp_small_batch::<D>(xs, cs)
            }

            const PACKED_NEG_CONSTANTS: bool = true;

            #[inline(always)]
            fn sub_exp_small<const D: u64>(self, neg_c: Self) -> Self {
                packed_sub_exp_small::<D>(self, neg_c)
            }

            #[inline(always)]
            fn sub_exp_small_batch<const D: u64>(xs: &mut [Self], neg_cs: &[Self]) {
                packed_sub_exp_small_batch::<D>(xs, neg_cs)
            }
        }
    };
}
#[cfg(target_arch = "x86_64")]
use packed_common;
