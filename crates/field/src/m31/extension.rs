//! `CM31 = M31[i]/(i² + 1)` and `QM31 = CM31[u]/(u² − (2 + i))`, as binomial extensions, plus the
//! view of `QM31` as a degree-4 extension of `M31` in the basis `1, i, u, iu`.
//!
//! The non-residues are the ones stwo and Plonky3 use (Plonky3's
//! `HasComplexBinomialExtension<2>::W = 2 + i` in `mersenne-31/src/extension.rs`), so that values
//! agree with theirs coefficient by coefficient.

use core::ops::{Add, Mul, Sub};

use super::M31;
use crate::{BinomialExtension, BinomialParams, ExtensionField, Field, FieldError};

/// The parameter of [`CM31`]: `i² = −1`.
///
/// `X² + 1` is irreducible over M31 because `−1` is a square mod `p` only when `p ≡ 1 (mod 4)`, and
/// `p = 2^31 − 1 ≡ 3 (mod 4)`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct CM31Params;

impl BinomialParams<M31, 2> for CM31Params {
    const W: M31 = M31::NEG_ONE;

    #[inline]
    fn mul_by_w(x: M31) -> M31 {
        -x
    }
}

/// The complex extension `M31[i]`, `i² = −1`; elements `a + b·i` are stored as `[a, b]`.
pub type CM31 = BinomialExtension<M31, 2, CM31Params>;

/// The parameter of [`QM31`]: `u² = 2 + i`.
///
/// `X² − (2 + i)` is irreducible over CM31 because `2 + i` is not a square there: its norm
/// `2² + 1² = 5` is not a square mod `p` (by quadratic reciprocity, `(5/p) = (p/5) = (2/5) = −1`
/// since `p ≡ 2 (mod 5)`), and the norm of a square is a square. The tests also check that sampled
/// elements are invertible.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct QM31Params;

impl BinomialParams<CM31, 2> for QM31Params {
    const W: CM31 = CM31::new([M31::TWO, M31::ONE]);

    /// `(2 + i)(a + bi) = (2a − b) + (a + 2b)i`: additions only.
    #[inline]
    fn mul_by_w(x: CM31) -> CM31 {
        let [a, b] = *x.coeffs();
        CM31::new([a.double() - b, a + b.double()])
    }

    /// `(a + b·u)(c + d·u) = ac + (2 + i)·bd + (ad + bc)·u` over the four M31 coordinates, as
    /// sums of 64-bit products reduced once per coordinate (two early folds for `bd`): 16
    /// multiplications and 6 reductions instead of Karatsuba's 9 multiplications with a reduction
    /// after every operation. Negative terms are added as `k·p − t` with `k·p ≥ t`.
    #[inline(always)]
    fn mul(x: &[CM31; 2], y: &[CM31; 2]) -> [CM31; 2] {
        const P2: u64 = (super::P as u64) * (super::P as u64);
        const P8: u64 = 8 * super::P as u64;
        let m = |u: M31, v: M31| u64::from(u.0) * u64::from(v.0);
        let fold = |t: u64| (t & super::P as u64) + (t >> 31);
        let [a0, a1] = *x[0].coeffs();
        let [b0, b1] = *x[1].coeffs();
        let [c0, c1] = *y[0].coeffs();
        let [d0, d1] = *y[1].coeffs();
        // bd = r + s·i, each folded below 2^33 (from sums below 2p² < 2^63).
        let r = fold(m(b0, d0) + (P2 - m(b1, d1)));
        let s = fold(m(b0, d1) + m(b1, d0));
        // ac + (2 + i)·bd = (ac_re + 2r − s) + (ac_im + r + 2s)·i; every sum below 2^63.
        let o0 = m(a0, c0) + (P2 - m(a1, c1)) + 2 * r + (P8 - s);
        let o1 = m(a0, c1) + m(a1, c0) + r + 2 * s;
        // ad + bc; the real part below 4p² < 2^64, the imaginary part below 4(p − 1)².
        let o2 = m(a0, d0) + m(b0, c0) + (P2 - m(a1, d1)) + (P2 - m(b1, c1));
        let o3 = m(a0, d1) + m(a1, d0) + m(b0, c1) + m(b1, c0);
        let red = M31::from_u64_reduce;
        [CM31::new([red(o0), red(o1)]), CM31::new([red(o2), red(o3)])]
    }
}

/// The quartic extension `CM31[u]`, `u² = 2 + i`; elements `a + b·u` (`a, b ∈ CM31`) are stored as
/// `[a, b]`, which is `[a.re, a.im, b.re, b.im]` over M31 (the basis `1, i, u, iu`).
pub type QM31 = BinomialExtension<CM31, 2, QM31Params>;

impl BinomialExtension<M31, 2, CM31Params> {
    /// `re + im·i`.
    #[inline]
    pub const fn new_complex(re: M31, im: M31) -> Self {
        Self::new([re, im])
    }

    /// The real part.
    #[inline]
    pub const fn re(&self) -> M31 {
        self.coeffs()[0]
    }

    /// The imaginary part.
    #[inline]
    pub const fn im(&self) -> M31 {
        self.coeffs()[1]
    }

    /// The complex conjugate `re − im·i`.
    #[inline]
    pub fn conjugate(&self) -> Self {
        Self::new([self.re(), -self.im()])
    }
}

impl BinomialExtension<CM31, 2, QM31Params> {
    /// `(a + b·i) + (c + d·i)·u`, i.e. the coefficients over M31 in the basis `1, i, u, iu`.
    #[inline]
    pub const fn from_m31(a: M31, b: M31, c: M31, d: M31) -> Self {
        Self::new([CM31::new([a, b]), CM31::new([c, d])])
    }

    /// The four coefficients over M31 in the basis `1, i, u, iu`.
    #[inline]
    pub const fn to_m31_array(&self) -> [M31; 4] {
        let [x, y] = *self.coeffs();
        let [a, b] = *x.coeffs();
        let [c, d] = *y.coeffs();
        [a, b, c, d]
    }
}

impl From<M31> for QM31 {
    #[inline]
    fn from(x: M31) -> Self {
        Self::new([CM31::from(x), CM31::ZERO])
    }
}

impl Add<M31> for QM31 {
    type Output = Self;
    #[inline]
    fn add(self, rhs: M31) -> Self {
        self + CM31::from(rhs)
    }
}

impl Sub<M31> for QM31 {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: M31) -> Self {
        self - CM31::from(rhs)
    }
}

impl Mul<M31> for QM31 {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: M31) -> Self {
        let [a, b, c, d] = self.to_m31_array();
        Self::from_m31(a * rhs, b * rhs, c * rhs, d * rhs)
    }
}

/// QM31 over M31 directly (degree 4), beside the tower view `ExtensionField<CM31>` that
/// [`BinomialExtension`] provides. The two impls do not overlap: the generic one has base `CM31`.
impl ExtensionField<M31> for QM31 {
    const DEGREE: usize = 4;

    fn from_base_slice(coeffs: &[M31]) -> Result<Self, FieldError> {
        match *coeffs {
            [a, b, c, d] => Ok(Self::from_m31(a, b, c, d)),
            _ => Err(FieldError::WrongLength { expected: 4, got: coeffs.len() }),
        }
    }

    #[inline]
    fn as_base_slice(&self) -> &[M31] {
        let pair: &[CM31; 2] = self.coeffs();
        // SAFETY: `BinomialExtension<F, D, P>` is `#[repr(transparent)]` over `[F; D]` (its other
        // field is a `PhantomData`, a 1-aligned ZST), so `CM31` has the layout of `[M31; 2]` and
        // `[CM31; 2]` that of `[M31; 4]`: the pointer is valid and aligned for 4 reads of `M31`,
        // every value in it is a canonical `M31`, and the slice borrows `self`.
        unsafe { core::slice::from_raw_parts(pair.as_ptr().cast::<M31>(), 4) }
    }
}
