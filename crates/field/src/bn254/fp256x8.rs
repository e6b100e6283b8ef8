//! The portable 8-lane type: an array of eight [`Fp256`] and a loop per operation, with the same
//! API as the AVX-512 IFMA lanes, so callers need no `cfg` (see [`super::Fp256x8`]).

use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use super::fp256::{Fp256, Fp256Params};
use crate::Field;

/// Eight elements of the field given by `P`, one scalar operation per lane.
pub struct Fp256x8Portable<P: Fp256Params>([Fp256<P>; 8]);

impl<P: Fp256Params> Clone for Fp256x8Portable<P> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Fp256Params> Copy for Fp256x8Portable<P> {}

impl<P: Fp256Params> Default for Fp256x8Portable<P> {
    #[inline(always)]
    fn default() -> Self {
        Self([Fp256::ZERO; 8])
    }
}

impl<P: Fp256Params> core::fmt::Debug for Fp256x8Portable<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.0).finish()
    }
}

impl<P: Fp256Params> PartialEq for Fp256x8Portable<P> {
    /// Lane-wise equality.
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<P: Fp256Params> Eq for Fp256x8Portable<P> {}

impl<P: Fp256Params> Fp256x8Portable<P> {
    /// Whether this type is the AVX-512 IFMA implementation (`true`) or the portable loop.
    pub const IS_SIMD: bool = false;

    /// Every lane equal to `x`.
    #[inline(always)]
    pub fn broadcast(x: Fp256<P>) -> Self {
        Self([x; 8])
    }

    /// The eight elements, lane `l` = `xs[l]`.
    #[inline(always)]
    pub fn from_array(xs: &[Fp256<P>; 8]) -> Self {
        Self(*xs)
    }

    /// The eight elements: `to_array()[l]` is lane `l`.
    #[inline(always)]
    pub fn to_array(&self) -> [Fp256<P>; 8] {
        self.0
    }

    /// Lane `i` of the result is lane `idx[i]` of the sixteen lanes of `self` then `other`
    /// (`0..8` from `self`, `8..16` from `other`; only the low four bits of an index count).
    #[inline(always)]
    pub fn shuffle2(&self, other: &Self, idx: [i64; 8]) -> Self {
        Self(idx.map(|i| {
            let i = (i & 15) as usize;
            if i < 8 { self.0[i] } else { other.0[i - 8] }
        }))
    }

    /// Lane-wise square.
    #[inline(always)]
    pub fn square(&self) -> Self {
        Self(self.0.map(|x| x.square()))
    }

    /// Lane-wise `2·self`.
    #[inline(always)]
    pub fn double(&self) -> Self {
        Self(self.0.map(|x| x.double()))
    }
}

macro_rules! lane_op {
    ($tr:ident, $f:ident, $tra:ident, $fa:ident, $op:tt) => {
        impl<P: Fp256Params> $tr for Fp256x8Portable<P> {
            type Output = Self;
            #[inline(always)]
            fn $f(self, rhs: Self) -> Self {
                Self(core::array::from_fn(|i| self.0[i] $op rhs.0[i]))
            }
        }

        impl<P: Fp256Params> $tra for Fp256x8Portable<P> {
            #[inline(always)]
            fn $fa(&mut self, rhs: Self) {
                *self = *self $op rhs;
            }
        }
    };
}

lane_op!(Add, add, AddAssign, add_assign, +);
lane_op!(Sub, sub, SubAssign, sub_assign, -);
lane_op!(Mul, mul, MulAssign, mul_assign, *);

impl<P: Fp256Params> Neg for Fp256x8Portable<P> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Self(self.0.map(|x| -x))
    }
}

/// Eight lanes of the field given by `P`: the operations shared by [`Fp256x8Portable`] and the
/// AVX-512 IFMA lanes, so that a kernel written once against this trait runs on either
/// ([`with_fp256x8`]).
pub trait Fp256Lanes<P: Fp256Params>:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
{
    /// Whether this is the AVX-512 IFMA implementation (`true`) or the portable loop.
    const IS_SIMD: bool;
    /// Every lane equal to `x`.
    fn broadcast(x: Fp256<P>) -> Self;
    /// The eight elements, lane `l` = `xs[l]`.
    fn from_array(xs: &[Fp256<P>; 8]) -> Self;
    /// The eight elements: `to_array()[l]` is lane `l`.
    fn to_array(&self) -> [Fp256<P>; 8];
    /// Lane-wise square.
    fn square(&self) -> Self;
    /// Lane-wise `2·self`.
    fn double(&self) -> Self;
}

/// Forwards [`Fp256Lanes`] to a lane type's inherent methods (all `#[inline(always)]`, so that a
/// kernel run under `#[target_feature]` is compiled whole with those features).
macro_rules! impl_fp256_lanes {
    ($ty:ident) => {
        impl<P: $crate::bn254::Fp256Params> $crate::bn254::Fp256Lanes<P> for $ty<P> {
            const IS_SIMD: bool = $ty::<P>::IS_SIMD;
            #[inline(always)]
            fn broadcast(x: $crate::bn254::Fp256<P>) -> Self {
                $ty::broadcast(x)
            }
            #[inline(always)]
            fn from_array(xs: &[$crate::bn254::Fp256<P>; 8]) -> Self {
                $ty::from_array(xs)
            }
            #[inline(always)]
            fn to_array(&self) -> [$crate::bn254::Fp256<P>; 8] {
                $ty::to_array(self)
            }
            #[inline(always)]
            fn square(&self) -> Self {
                $ty::square(self)
            }
            #[inline(always)]
            fn double(&self) -> Self {
                $ty::double(self)
            }
        }
    };
}
pub(crate) use impl_fp256_lanes;

impl_fp256_lanes!(Fp256x8Portable);

/// A computation over eight-lane field elements, written once for any [`Fp256Lanes`] type and
/// run by [`with_fp256x8`] on the fastest one this process may use.
///
/// `run` should be `#[inline(always)]`, and so should everything it calls that operates on the
/// lanes: under the run-time dispatch only code inlined into the `#[target_feature]` entry point
/// is compiled with AVX-512 IFMA enabled (an out-of-line helper would call every intrinsic).
pub trait Fp256x8Kernel<P: Fp256Params> {
    /// What the computation returns.
    type Output;
    /// The computation on lanes `L`.
    fn run<L: Fp256Lanes<P>>(self) -> Self::Output;
}

/// Runs `kernel` on the AVX-512 IFMA lanes when [`crate::cpu::level`] is at least
/// [`crate::cpu::CpuLevel::Ifma`] — in any x86-64 build, the baseline one included: the IFMA code
/// is compiled into a `#[target_feature]` entry point chosen at run time — and on
/// [`Fp256x8Portable`] otherwise (a lowered cap, another CPU, another architecture).
#[inline]
pub fn with_fp256x8<P: Fp256Params, K: Fp256x8Kernel<P>>(kernel: K) -> K::Output {
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::level() >= crate::cpu::CpuLevel::Ifma {
        // SAFETY: `cpu::level()` never exceeds `cpu::detected_level()`, and `Ifma` is detected
        // only where the CPU has AVX-512 F, DQ and IFMA: every feature the entry point enables.
        return unsafe { run_ifma::<P, K>(kernel) };
    }
    kernel.run::<Fp256x8Portable<P>>()
}

/// The IFMA entry point of [`with_fp256x8`]: the kernel, inlined, compiled with AVX-512 F/DQ/IFMA.
///
/// # Safety
/// The CPU must have AVX-512 F, DQ and IFMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512ifma")]
unsafe fn run_ifma<P: Fp256Params, K: Fp256x8Kernel<P>>(kernel: K) -> K::Output {
    kernel.run::<super::Fp256x8Ifma<P>>()
}
