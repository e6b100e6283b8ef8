//! Binomial extensions `E = F[X]/(X^D − W)`, generic over the base field, the degree and a
//! parameter type that names `W`. Goldilocks² (`X² = 7`), BabyBear⁴ (`X⁴ = 11`), CM31 = M31[i]
//! (`i² = −1`) and QM31 = CM31[u] (`u² = 2 + i`) are all instances.
//!
//! Multiplication is schoolbook with the reduction `X^D = W` folded in (D ≤ 8 here, so Karatsuba
//! would not pay); inversion uses conjugates for D = 2 and the tower `F[Y]/(Y²−W)[X]/(X²−Y)` for
//! D = 4, and Gaussian elimination on the multiplication matrix for any other degree.

use core::fmt::{self, Debug, Display};
use core::hash::Hash;
use core::iter::{Product, Sum};
use core::marker::PhantomData;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::{ExtensionField, Field, FieldError};

/// Names the non-residue `W` of a binomial extension `F[X]/(X^D − W)`.
///
/// `X^D − W` must be irreducible over `F`; each instance's tests check this by checking that every
/// sampled non-zero element has an inverse that multiplies back to one, and the instance's
/// documentation says why the polynomial is irreducible.
pub trait BinomialParams<F: Field, const D: usize>:
    Copy + Default + Debug + Eq + Hash + Send + Sync + 'static
{
    /// `W`, with `X^D = W`.
    const W: F;

    /// `W·x`. Override where `W` is small or structured (−1, 2 + i, a shift in a tower), since
    /// every extension multiplication multiplies by `W` at least once.
    #[inline]
    fn mul_by_w(x: F) -> F {
        Self::W * x
    }

    /// The product of two elements given by their coefficients. Override with a formula that
    /// reduces lazily where the base field allows it (as [`crate::m31::QM31`] does); the default is
    /// the generic product (Karatsuba for `D = 2`, schoolbook with the wrap-around times `W`
    /// otherwise).
    #[inline(always)]
    fn mul(a: &[F; D], b: &[F; D]) -> [F; D] {
        mul_generic::<F, D, Self>(a, b)
    }

    /// The square of an element given by its coefficients. Override where `W` allows a shorter
    /// formula (`W = −1`: `(a₀ + a₁)(a₀ − a₁) + 2a₀a₁X`); the default is `square_generic`.
    #[inline(always)]
    fn square(a: &[F; D]) -> [F; D] {
        square_generic::<F, D, Self>(a)
    }
}

/// The generic square of [`BinomialParams::square`]: for `D = 2`,
/// `(a₀ + a₁X)² = (a₀ + a₁)(a₀ + W·a₁) − (1 + W)·a₀a₁ + 2·a₀a₁·X` (two multiplications), else
/// the product with itself.
#[inline(always)]
pub fn square_generic<F: Field, const D: usize, P: BinomialParams<F, D>>(a: &[F; D]) -> [F; D] {
    if D == 2 {
        let a0a1 = a[0] * a[1];
        let mut c = [F::ZERO; D];
        c[0] = (a[0] + a[1]) * (a[0] + P::mul_by_w(a[1])) - a0a1 - P::mul_by_w(a0a1);
        c[1] = a0a1.double();
        c
    } else {
        P::mul(a, a)
    }
}

/// The generic product of [`BinomialParams::mul`]: Karatsuba for `D = 2`, else schoolbook with
/// the high half wrapped around times `W`.
#[inline(always)]
pub fn mul_generic<F: Field, const D: usize, P: BinomialParams<F, D>>(
    a: &[F; D],
    b: &[F; D],
) -> [F; D] {
    match D {
        1 => [a[0] * b[0]; D],
        2 => {
            // (a0 + a1X)(b0 + b1X) = a0b0 + W·a1b1 + (a0b1 + a1b0)X, with Karatsuba's middle term.
            let (a0b0, a1b1) = (a[0] * b[0], a[1] * b[1]);
            let mut c = [F::ZERO; D];
            c[0] = a0b0 + P::mul_by_w(a1b1);
            c[1] = (a[0] + a[1]) * (b[0] + b[1]) - a0b0 - a1b1;
            c
        }
        _ => {
            // Split the product into its low half and the high half that wraps around times W.
            let mut lo = [F::ZERO; D];
            let mut hi = [F::ZERO; D];
            for i in 0..D {
                for j in 0..D {
                    let k = i + j;
                    if k < D {
                        lo[k] += a[i] * b[j];
                    } else {
                        hi[k - D] += a[i] * b[j];
                    }
                }
            }
            for k in 0..D {
                lo[k] += P::mul_by_w(hi[k]);
            }
            lo
        }
    }
}

/// An element `c₀ + c₁X + … + c_{D−1}X^{D−1}` of `F[X]/(X^D − W)`.
#[repr(transparent)]
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
pub struct BinomialExtension<F: Field, const D: usize, P: BinomialParams<F, D>> {
    coeffs: [F; D],
    _params: PhantomData<P>,
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> BinomialExtension<F, D, P> {
    /// Builds an element from its coefficients, lowest degree first.
    #[inline]
    pub const fn new(coeffs: [F; D]) -> Self {
        Self { coeffs, _params: PhantomData }
    }

    /// The coefficients, lowest degree first.
    #[inline]
    pub const fn coeffs(&self) -> &[F; D] {
        &self.coeffs
    }

    /// `X`, the generator of the extension over `F`.
    pub fn x() -> Self {
        let mut c = [F::ZERO; D];
        if D > 1 {
            c[1] = F::ONE;
        } else {
            c[0] = P::W;
        }
        Self::new(c)
    }

    #[inline]
    fn map(self, f: impl Fn(F) -> F) -> Self {
        Self::new(self.coeffs.map(f))
    }

    #[inline]
    fn zip(self, other: Self, f: impl Fn(F, F) -> F) -> Self {
        let mut c = self.coeffs;
        for (a, b) in c.iter_mut().zip(other.coeffs) {
            *a = f(*a, b);
        }
        Self::new(c)
    }

    /// The inverse through Gaussian elimination on the matrix of multiplication by `self`.
    fn inverse_by_elimination(&self) -> Option<Self> {
        // Column j of M is self · X^j; solve M·y = e₀.
        let mut m = [[F::ZERO; D]; D];
        let mut col = *self;
        for j in 0..D {
            for i in 0..D {
                m[i][j] = col.coeffs[i];
            }
            col *= Self::x();
        }
        let mut rhs = [F::ZERO; D];
        rhs[0] = F::ONE;
        for c in 0..D {
            let pivot = (c..D).find(|&r| !m[r][c].is_zero())?;
            m.swap(c, pivot);
            rhs.swap(c, pivot);
            let inv = m[c][c].inverse()?;
            for j in c..D {
                m[c][j] *= inv;
            }
            rhs[c] *= inv;
            for r in 0..D {
                if r != c && !m[r][c].is_zero() {
                    let factor = m[r][c];
                    for j in c..D {
                        let v = m[c][j];
                        m[r][j] -= factor * v;
                    }
                    let v = rhs[c];
                    rhs[r] -= factor * v;
                }
            }
        }
        Some(Self::new(rhs))
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Default for BinomialExtension<F, D, P> {
    fn default() -> Self {
        Self::new([F::ZERO; D])
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> From<F> for BinomialExtension<F, D, P> {
    #[inline]
    fn from(b: F) -> Self {
        let mut c = [F::ZERO; D];
        c[0] = b;
        Self::new(c)
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Debug for BinomialExtension<F, D, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(self, f)
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Display for BinomialExtension<F, D, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[")?;
        for (i, c) in self.coeffs.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{c}")?;
        }
        write!(f, "]")
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Add for BinomialExtension<F, D, P> {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        self.zip(rhs, |a, b| a + b)
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Sub for BinomialExtension<F, D, P> {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        self.zip(rhs, |a, b| a - b)
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Neg for BinomialExtension<F, D, P> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        self.map(|a| -a)
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Mul for BinomialExtension<F, D, P> {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        Self::new(P::mul(&self.coeffs, &rhs.coeffs))
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Div for BinomialExtension<F, D, P> {
    type Output = Self;
    /// # Panics
    /// If `rhs` is zero.
    #[inline]
    fn div(self, rhs: Self) -> Self {
        #[allow(clippy::expect_used)]
        let inv = rhs.inverse().expect("division by zero in a binomial extension field");
        self * inv
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Add<F> for BinomialExtension<F, D, P> {
    type Output = Self;
    #[inline]
    fn add(mut self, rhs: F) -> Self {
        self.coeffs[0] += rhs;
        self
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Sub<F> for BinomialExtension<F, D, P> {
    type Output = Self;
    #[inline]
    fn sub(mut self, rhs: F) -> Self {
        self.coeffs[0] -= rhs;
        self
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Mul<F> for BinomialExtension<F, D, P> {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: F) -> Self {
        self.map(|a| a * rhs)
    }
}

macro_rules! assign_ops {
    ($($trait:ident $method:ident $op:tt $rhs:ty),*) => {$(
        impl<F: Field, const D: usize, P: BinomialParams<F, D>> $trait<$rhs> for BinomialExtension<F, D, P> {
            #[inline]
            fn $method(&mut self, rhs: $rhs) {
                *self = *self $op rhs;
            }
        }
    )*};
}
assign_ops!(AddAssign add_assign + Self, SubAssign sub_assign - Self, MulAssign mul_assign * Self,
    DivAssign div_assign / Self, AddAssign add_assign + F, SubAssign sub_assign - F, MulAssign mul_assign * F);

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Sum for BinomialExtension<F, D, P> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |a, b| a + b)
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Product for BinomialExtension<F, D, P> {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ONE, |a, b| a * b)
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> Field for BinomialExtension<F, D, P> {
    type Packing = Self;

    const ZERO: Self = Self::new([F::ZERO; D]);
    const ONE: Self = {
        let mut c = [F::ZERO; D];
        c[0] = F::ONE;
        Self::new(c)
    };
    const TWO: Self = {
        let mut c = [F::ZERO; D];
        c[0] = F::TWO;
        Self::new(c)
    };
    const NEG_ONE: Self = {
        let mut c = [F::ZERO; D];
        c[0] = F::NEG_ONE;
        Self::new(c)
    };

    fn order_string() -> String {
        format!("({})^{D}", F::order_string())
    }

    /// [`BinomialParams::square`]: two multiplications for `D = 2`, the product otherwise.
    #[inline]
    fn square(&self) -> Self {
        Self::new(P::square(&self.coeffs))
    }

    fn inverse(&self) -> Option<Self> {
        if self.is_zero() {
            return None;
        }
        let a = &self.coeffs;
        match D {
            1 => Some(Self::new([a[0].inverse()?; D])),
            2 => {
                // (a0 + a1X)⁻¹ = (a0 − a1X) / (a0² − W·a1²).
                let norm = a[0].square() - P::mul_by_w(a[1].square());
                let inv = norm.inverse()?;
                let mut c = [F::ZERO; D];
                c[0] = a[0] * inv;
                c[1] = -a[1] * inv;
                Some(Self::new(c))
            }
            4 => {
                // With Y = X²: a = A(Y) + X·B(Y), A = a0 + a2Y, B = a1 + a3Y over K = F[Y]/(Y² − W).
                // a·(A − XB) = A² − Y·B² =: N ∈ K, so a⁻¹ = (A − XB)·N⁻¹.
                let w = P::W;
                let (a0, a1, a2, a3) = (a[0], a[1], a[2], a[3]);
                // A² = a0² + W a2² + 2 a0 a2 Y;  Y·B² = 2 W a1 a3 + (a1² + W a3²) Y.
                let n0 = a0.square() + w * a2.square() - (a1 * a3).double() * w;
                let n1 = (a0 * a2).double() - a1.square() - w * a3.square();
                // N⁻¹ = (n0 − n1Y) / (n0² − W n1²).
                let inv = (n0.square() - w * n1.square()).inverse()?;
                let (m0, m1) = (n0 * inv, -n1 * inv);
                // (A − XB)(m0 + m1Y): A·M = (a0 m0 + W a2 m1) + (a0 m1 + a2 m0)Y,
                // B·M = (a1 m0 + W a3 m1) + (a1 m1 + a3 m0)Y, and Y = X².
                let mut c = [F::ZERO; D];
                c[0] = a0 * m0 + w * a2 * m1;
                c[2] = a0 * m1 + a2 * m0;
                c[1] = -(a1 * m0 + w * a3 * m1);
                c[3] = -(a1 * m1 + a3 * m0);
                Some(Self::new(c))
            }
            _ => self.inverse_by_elimination(),
        }
    }

    #[inline]
    fn from_u64(v: u64) -> Self {
        Self::from(F::from_u64(v))
    }

    fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        Self::new(core::array::from_fn(|_| F::random(rng)))
    }
}

impl<F: Field, const D: usize, P: BinomialParams<F, D>> ExtensionField<F>
    for BinomialExtension<F, D, P>
{
    const DEGREE: usize = D;

    fn from_base_slice(coeffs: &[F]) -> Result<Self, FieldError> {
        let c: [F; D] = coeffs
            .try_into()
            .map_err(|_| FieldError::WrongLength { expected: D, got: coeffs.len() })?;
        Ok(Self::new(c))
    }

    #[inline]
    fn as_base_slice(&self) -> &[F] {
        &self.coeffs
    }
}
