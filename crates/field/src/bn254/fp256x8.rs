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
