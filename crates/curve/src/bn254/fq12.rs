//! `F_q¹² = F_q⁶[w]/(w² − v)`, the top of the BN254 tower and the home of pairing values.
//!
//! The same tower as arkworks and snarkjs (ffjavascript's `F12 = F2Field(F6, …)` with the
//! non-residue multiplication `(a₀, a₁, a₂) ↦ (ξa₂, a₀, a₁)`, which is multiplication by `v`), so
//! an element `c0 + c1·w` lists its twelve `F_q` coefficients in snarkjs's `vk_alphabeta_12` order
//! `[[c0.c0, c0.c1, c0.c2], [c1.c0, c1.c1, c1.c2]]`, each an `F_q²` pair `[x.c0, x.c1]`.
//!
//! Multiplication is Karatsuba over `F_q⁶`, squaring the complex method, the inverse goes through
//! the norm to `F_q⁶`; for the pairing there are Frobenius powers with precomputed constants, the
//! sparse product by a line value and Granger–Scott's squaring in the cyclotomic subgroup.

use core::fmt;
use core::ops::{Add, Div, Mul, Neg, Sub};

use zkprove_field::Field;
use zkprove_field::bn254::Fq;

use super::Fq2;
use super::fq6::{Fq6, assign_ops, fq2, mul_by_xi, square2};

/// `ξ^((q^k − 1)/6)`, for `k = 0..12`: `w^(q^k) = w·ξ^((q^k − 1)/6)`. Derived by exponentiation in
/// a script and checked by the test `frobenius_constants` (crates/curve/tests/pairing.rs).
pub const FROBENIUS_COEFF_FQ12_C1: [Fq2; 12] = [
    fq2([0x0000000000000001, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000], [0; 4]),
    fq2(
        [0xd60b35dadcc9e470, 0x5c521e08292f2176, 0xe8b99fdd76e68b60, 0x1284b71c2865a7df],
        [0xca5cf05f80f362ac, 0x747992778eeec7e5, 0xa6327cfe12150b8e, 0x246996f3b4fae7e6],
    ),
    fq2([0xe4bd44e5607cfd49, 0xc28f069fbb966e3d, 0x5e6dd9e7e0acccb0, 0x30644e72e131a029], [0; 4]),
    fq2(
        [0xe86f7d391ed4a67f, 0x894cb38dbe55d24a, 0xefe9608cd0acaa90, 0x19dc81cfcc82e4bb],
        [0x7694aa2bf4c0c101, 0x7f03a5e397d439ec, 0x06cbeee33576139d, 0x00abf8b60be77d73],
    ),
    fq2([0xe4bd44e5607cfd48, 0xc28f069fbb966e3d, 0x5e6dd9e7e0acccb0, 0x30644e72e131a029], [0; 4]),
    fq2(
        [0x1264475e420ac20f, 0x2cfa95859526b0d4, 0x072fc0af59c61f30, 0x0757cab3a41d3cdc],
        [0xe85845e34c4a5b9c, 0xa20b7dfd71573c93, 0x18e9b79ba4e2606c, 0x0ca6b035381e35b6],
    ),
    fq2([0x3c208c16d87cfd46, 0x97816a916871ca8d, 0xb85045b68181585d, 0x30644e72e131a029], [0; 4]),
    fq2(
        [0x6615563bfbb318d7, 0x3b2f4c893f42a916, 0xcf96a5d90a9accfd, 0x1ddf9756b8cbf849],
        [0x71c39bb757899a9b, 0x2307d819d98302a7, 0x121dc8b86f6c4ccf, 0x0bfab77f2c36b843],
    ),
    fq2([0x5763473177fffffe, 0xd4f263f1acdb5c4f, 0x59e26bcea0d48bac, 0x0000000000000000], [0; 4]),
    fq2(
        [0x53b10eddb9a856c8, 0x0e34b703aa1bf842, 0xc866e529b0d4adcd, 0x1687cca314aebb6d],
        [0xc58be1eae3bc3c46, 0x187dc4add09d90a0, 0xb18456d34c0b44c0, 0x2fb855bcd54a22b6],
    ),
    fq2([0x5763473177ffffff, 0xd4f263f1acdb5c4f, 0x59e26bcea0d48bac, 0x0000000000000000], [0; 4]),
    fq2(
        [0x29bc44b896723b38, 0x6a86d50bd34b19b9, 0xb120850727bb392d, 0x290c83bf3d14634d],
        [0x53c846338c32a1ab, 0xf575ec93f71a8df9, 0x9f668e1adc9ef7f0, 0x23bd9e3da9136a73],
    ),
];

/// An element `c0 + c1·w` of `F_q¹² = F_q⁶[w]/(w² − v)`.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Default)]
pub struct Fq12 {
    /// The coefficient of `1`.
    pub c0: Fq6,
    /// The coefficient of `w`.
    pub c1: Fq6,
}

impl Fq12 {
    /// Builds `c0 + c1·w`.
    #[inline]
    pub const fn new(c0: Fq6, c1: Fq6) -> Self {
        Self { c0, c1 }
    }

    /// The conjugate `c0 − c1·w`, which is `self^(q⁶)`; in the cyclotomic subgroup (every pairing
    /// value after the easy part of the final exponentiation) it is the inverse.
    #[inline(always)]
    pub fn conjugate(&self) -> Self {
        Self::new(self.c0, -self.c1)
    }

    /// `self^(q^k)` (a Frobenius power), with the precomputed constants.
    #[inline]
    pub fn frobenius_map(&self, k: usize) -> Self {
        let c0 = self.c0.frobenius_map(k);
        let c1 = self.c1.frobenius_map(k).mul_by_fq2(FROBENIUS_COEFF_FQ12_C1[k % 12]);
        Self::new(c0, c1)
    }

    /// `self·(a + (b + c·v)·w)`: the product by a line value of the Miller loop (the twist is of
    /// D type, so lines have non-zero coefficients only at `1`, `w` and `w³ = v·w`). 13 `F_q²`
    /// multiplications instead of 18.
    #[inline]
    pub fn mul_by_034(&self, a: Fq2, b: Fq2, c: Fq2) -> Self {
        // (f0 + f1 w)(l0 + l1 w) with l0 = a, l1 = b + cv, Karatsuba over F_q⁶.
        let t0 = self.c0.mul_by_fq2(a);
        let t1 = self.c1.mul_by_01(b, c);
        let c1 = (self.c0 + self.c1).mul_by_01(a + b, c) - t0 - t1;
        let c0 = t0 + t1.mul_by_v();
        Self::new(c0, c1)
    }

    /// `self²` for `self` in the cyclotomic subgroup (order dividing `Φ₁₂(q) = q⁴ − q² + 1`: every
    /// value after the easy part of the final exponentiation) (Granger–Scott, "Faster squaring in the cyclotomic subgroup of sixth degree extensions",
    /// PKC 2010): 9 `F_q²` squarings instead of 12 multiplications. Wrong outside that subgroup.
    ///
    /// View `F_q¹² = F_q⁴[w]/(w³ − s)` with `F_q⁴ = F_q²[s]/(s² − ξ)`, `s = w³`, and
    /// `f = A + B·w + C·w²` with `A = g0 + h1·s`, `B = h0 + g2·s`, `C = g1 + h2·s` (where
    /// `c0 = g0 + g1v + g2v²`, `c1 = h0 + h1v + h2v²`). For cyclotomic `f`,
    /// `f² = (3A² − 2Ā) + (3sC² + 2B̄)·w + (3B² − 2C̄)·w²` with `x̄` the conjugate over `F_q²`.
    #[inline]
    pub fn cyclotomic_square(&self) -> Self {
        // (x + ys)² = (x² + ξy²) + ((x + y)² − x² − y²)s.
        #[inline(always)]
        fn fq4_square(x: Fq2, y: Fq2) -> (Fq2, Fq2) {
            let t0 = square2(x);
            let t1 = square2(y);
            (t0 + mul_by_xi(t1), square2(x + y) - t0 - t1)
        }
        // 3z − 2x = 2(z − x) + z and 3z + 2x = 2(z + x) + z.
        #[inline(always)]
        fn minus(z: Fq2, x: Fq2) -> Fq2 {
            (z - x).double() + z
        }
        #[inline(always)]
        fn plus(z: Fq2, x: Fq2) -> Fq2 {
            (z + x).double() + z
        }
        let (g0, g1, g2) = (self.c0.c0, self.c0.c1, self.c0.c2);
        let (h0, h1, h2) = (self.c1.c0, self.c1.c1, self.c1.c2);
        let (a0, a1) = fq4_square(g0, h1);
        let (b0, b1) = fq4_square(h0, g2);
        let (c0, c1) = fq4_square(g1, h2);
        // A' = 3A² − 2Ā.
        let ng0 = minus(a0, g0);
        let nh1 = plus(a1, h1);
        // B' = 3s·C² + 2B̄, s·(c0 + c1 s) = ξc1 + c0 s.
        let nh0 = plus(mul_by_xi(c1), h0);
        let ng2 = minus(c0, g2);
        // C' = 3B² − 2C̄.
        let ng1 = minus(b0, g1);
        let nh2 = plus(b1, h2);
        Self::new(Fq6::new(ng0, ng1, ng2), Fq6::new(nh0, nh1, nh2))
    }

    /// The twelve `F_q` coefficients in snarkjs's nesting: `[c0, c1]`, each `[x.c0, x.c1, x.c2]`,
    /// each `[y.c0, y.c1]` (the layout of `vk_alphabeta_12`).
    pub fn to_nested_coeffs(&self) -> [[[Fq; 2]; 3]; 2] {
        let f6 = |x: &Fq6| [*x.c0.coeffs(), *x.c1.coeffs(), *x.c2.coeffs()];
        [f6(&self.c0), f6(&self.c1)]
    }

    /// The inverse of [`Fq12::to_nested_coeffs`].
    pub fn from_nested_coeffs(c: [[[Fq; 2]; 3]; 2]) -> Self {
        let f6 = |x: [[Fq; 2]; 3]| Fq6::new(Fq2::new(x[0]), Fq2::new(x[1]), Fq2::new(x[2]));
        Self::new(f6(c[0]), f6(c[1]))
    }
}

impl fmt::Debug for Fq12 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Fq12 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}]", self.c0, self.c1)
    }
}

impl Add for Fq12 {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Self::new(self.c0 + rhs.c0, self.c1 + rhs.c1)
    }
}

impl Sub for Fq12 {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Self::new(self.c0 - rhs.c0, self.c1 - rhs.c1)
    }
}

impl Neg for Fq12 {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Self::new(-self.c0, -self.c1)
    }
}

impl Mul for Fq12 {
    type Output = Self;
    /// Karatsuba over `F_q⁶`: 3 `F_q⁶` multiplications (18 in `F_q²`).
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        let t0 = self.c0 * rhs.c0;
        let t1 = self.c1 * rhs.c1;
        let c1 = (self.c0 + self.c1) * (rhs.c0 + rhs.c1) - t0 - t1;
        Self::new(t0 + t1.mul_by_v(), c1)
    }
}

impl Div for Fq12 {
    type Output = Self;
    /// # Panics
    /// If `rhs` is zero.
    #[inline]
    fn div(self, rhs: Self) -> Self {
        #[allow(clippy::expect_used)]
        let inv = rhs.inverse().expect("division by zero in Fq12");
        self * inv
    }
}

assign_ops!(Fq12);

impl Field for Fq12 {
    type Packing = Self;

    const ZERO: Self = Self::new(Fq6::ZERO, Fq6::ZERO);
    const ONE: Self = Self::new(Fq6::ONE, Fq6::ZERO);
    const TWO: Self = Self::new(Fq6::TWO, Fq6::ZERO);
    const NEG_ONE: Self = Self::new(Fq6::NEG_ONE, Fq6::ZERO);

    fn order_string() -> String {
        format!("({})^12", Fq::order_string())
    }

    /// The complex method: `(a + bw)² = (a + b)(a + vb) − ab − v·ab + 2ab·w`, 2 `F_q⁶`
    /// multiplications.
    #[inline]
    fn square(&self) -> Self {
        let (a, b) = (self.c0, self.c1);
        let ab = a * b;
        let c0 = (a + b) * (a + b.mul_by_v()) - ab - ab.mul_by_v();
        Self::new(c0, ab.double())
    }

    #[inline(always)]
    fn double(&self) -> Self {
        Self::new(self.c0.double(), self.c1.double())
    }

    /// `(a + bw)⁻¹ = (a − bw)/(a² − v·b²)`, one `F_q⁶` inverse.
    fn inverse(&self) -> Option<Self> {
        let (a, b) = (self.c0, self.c1);
        let norm = a.square() - b.square().mul_by_v();
        let inv = norm.inverse()?;
        Some(Self::new(a * inv, -(b * inv)))
    }

    #[inline]
    fn from_u64(v: u64) -> Self {
        Self::new(Fq6::from_u64(v), Fq6::ZERO)
    }

    fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        Self::new(Fq6::random(rng), Fq6::random(rng))
    }
}
