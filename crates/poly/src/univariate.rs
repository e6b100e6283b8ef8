//! Univariate polynomials in coefficient form ([`Polynomial`]), evaluations over a power-of-two
//! domain ([`Evaluations`]) and the domains themselves ([`Radix2Domain`]: the subgroup `H` of order
//! `2^log_n` or a coset `s·H`).

use core::ops::{Add, Mul, Neg, Sub};

use rayon::prelude::*;
use zkprove_field::{Field, TwoAdicField};

use crate::{CpuBackend, NttOps, PolyError};

/// A power-of-two multiplicative domain `s·H = {s·ωⁱ : 0 ≤ i < 2^log_n}`, `ω` =
/// `F::two_adic_generator(log_n)`, `s` the shift (1 for the subgroup).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Radix2Domain<F> {
    log_n: usize,
    generator: F,
    shift: F,
}

impl<F: TwoAdicField> Radix2Domain<F> {
    /// The subgroup of order `2^log_n`.
    ///
    /// # Errors
    /// [`PolyError::TooLarge`] beyond the field's two-adicity.
    pub fn new(log_n: usize) -> Result<Self, PolyError> {
        Self::coset(log_n, F::ONE)
    }

    /// The coset `shift·H` of the subgroup of order `2^log_n`.
    ///
    /// # Errors
    /// [`PolyError::TooLarge`] beyond the field's two-adicity, [`PolyError::ZeroShift`].
    pub fn coset(log_n: usize, shift: F) -> Result<Self, PolyError> {
        if shift.is_zero() {
            return Err(PolyError::ZeroShift);
        }
        let generator = F::two_adic_generator(log_n)
            .ok_or(PolyError::TooLarge { log_n, two_adicity: F::TWO_ADICITY })?;
        Ok(Self { log_n, generator, shift })
    }

    /// The smallest subgroup with at least `n` elements.
    ///
    /// # Errors
    /// [`PolyError::TooLarge`] when no such subgroup exists.
    pub fn for_size(n: usize) -> Result<Self, PolyError> {
        Self::new(n.max(1).next_power_of_two().trailing_zeros() as usize)
    }

    /// log2 of the number of elements.
    pub fn log_n(&self) -> usize {
        self.log_n
    }

    /// The number of elements.
    pub fn size(&self) -> usize {
        1 << self.log_n
    }

    /// `ω`, the generator of the subgroup.
    pub fn generator(&self) -> F {
        self.generator
    }

    /// `s`, the shift.
    pub fn shift(&self) -> F {
        self.shift
    }

    /// Element `i`: `s·ωⁱ`.
    pub fn element(&self, i: usize) -> F {
        self.shift * self.generator.pow(i as u64)
    }

    /// All elements, natural order.
    pub fn elements(&self) -> Vec<F> {
        let mut out = self.generator.powers(self.size());
        if !self.shift.is_one() {
            out.par_iter_mut().for_each(|x| *x *= self.shift);
        }
        out
    }

    /// The vanishing polynomial `Z(X) = Xⁿ − sⁿ` evaluated at `x`.
    pub fn evaluate_vanishing(&self, x: F) -> F {
        x.pow(self.size() as u64) - self.shift.pow(self.size() as u64)
    }

    /// The vanishing polynomial `Xⁿ − sⁿ` as a polynomial.
    pub fn vanishing_polynomial(&self) -> Polynomial<F> {
        let mut c = vec![F::ZERO; self.size() + 1];
        c[0] = -self.shift.pow(self.size() as u64);
        c[self.size()] = F::ONE;
        Polynomial::new(c)
    }
}

/// A polynomial `c₀ + c₁X + … + c_d X^d`, coefficients lowest degree first. Trailing zero
/// coefficients are allowed (and kept) so that sizes stay what the caller chose; [`Polynomial::degree`]
/// ignores them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Polynomial<F>(Vec<F>);

impl<F: Field> Polynomial<F> {
    /// Wraps coefficients (lowest degree first).
    pub fn new(coeffs: Vec<F>) -> Self {
        Self(coeffs)
    }

    /// The zero polynomial.
    pub fn zero() -> Self {
        Self(Vec::new())
    }

    /// The coefficients, lowest degree first.
    pub fn coeffs(&self) -> &[F] {
        &self.0
    }

    /// The coefficients, consuming the polynomial.
    pub fn into_coeffs(self) -> Vec<F> {
        self.0
    }

    /// The degree, or `None` for the zero polynomial.
    pub fn degree(&self) -> Option<usize> {
        self.0.iter().rposition(|c| !c.is_zero())
    }

    /// Whether every coefficient is zero.
    pub fn is_zero(&self) -> bool {
        self.degree().is_none()
    }

    /// Drops trailing zero coefficients.
    pub fn truncate(&mut self) {
        let len = self.degree().map_or(0, |d| d + 1);
        self.0.truncate(len);
    }

    /// `p(x)` by Horner's rule; long polynomials are split into chunks evaluated in parallel and
    /// recombined with powers of `x`.
    pub fn evaluate(&self, x: F) -> F {
        self.evaluate_ext(x)
    }

    /// `p(x)` at a point of an extension field (base-field coefficients).
    pub fn evaluate_ext<E: zkprove_field::ExtensionField<F>>(&self, x: E) -> E {
        const CHUNK: usize = 1 << 12;
        let horner = |c: &[F]| c.iter().rev().fold(E::ZERO, |acc, &c| acc * x + c);
        if self.0.len() <= CHUNK {
            return horner(&self.0);
        }
        let x_chunk = x.pow(CHUNK as u64);
        let partial: Vec<E> = self.0.par_chunks(CHUNK).map(horner).collect();
        partial.iter().rev().fold(E::ZERO, |acc, &p| acc * x_chunk + p)
    }

    /// Multiplies every coefficient by `s`.
    pub fn scale(&self, s: F) -> Self {
        Self(self.0.par_iter().map(|&c| c * s).collect())
    }

    /// Divides by `X − z` (synthetic division): returns the quotient, and `p(z)` as the remainder.
    pub fn divide_by_linear(&self, z: F) -> (Self, F) {
        let n = self.0.len();
        if n == 0 {
            return (Self::zero(), F::ZERO);
        }
        let mut q = vec![F::ZERO; n - 1];
        let mut acc = F::ZERO;
        for i in (0..n).rev() {
            acc = acc * z + self.0[i];
            if i > 0 {
                q[i - 1] = acc;
            }
        }
        (Self(q), acc)
    }

    /// Divides by `Xⁿ − c` (the vanishing polynomial of a domain of size `n` with `c = sⁿ`): returns
    /// the quotient and the remainder (degree < n). Linear time.
    ///
    /// # Panics
    /// If `n` is zero.
    pub fn divide_by_binomial(&self, n: usize, c: F) -> (Self, Self) {
        assert!(n > 0, "division by a constant binomial X^0 − c");
        let len = self.0.len();
        if len <= n {
            return (Self::zero(), self.clone());
        }
        // p = q·(Xⁿ − c) + r: working down from the top, q[i] = p[i + n] + c·q[i + n].
        let mut q = vec![F::ZERO; len - n];
        for i in (0..len - n).rev() {
            let above = if i + n < len - n { q[i + n] } else { F::ZERO };
            q[i] = self.0[i + n] + c * above;
        }
        let mut r: Vec<F> = self.0[..n].to_vec();
        for i in 0..n.min(q.len()) {
            r[i] += c * q[i];
        }
        (Self(q), Self(r))
    }

    /// Lagrange interpolation through arbitrary distinct points, O(n²). For a power-of-two domain use
    /// [`Evaluations::interpolate`] (an inverse NTT).
    ///
    /// # Errors
    /// [`PolyError::LengthMismatch`] if the slices differ in length, [`PolyError::RepeatedPoint`] if
    /// two points coincide.
    pub fn interpolate(xs: &[F], ys: &[F]) -> Result<Self, PolyError> {
        if xs.len() != ys.len() {
            return Err(PolyError::LengthMismatch { expected: xs.len(), got: ys.len() });
        }
        let n = xs.len();
        // Z(X) = Π (X − x_j), then p = Σ y_i / Z'(x_i) · Z(X)/(X − x_i).
        let mut z = Self(vec![F::ONE]);
        for &x in xs {
            z = z.mul_naive(&Self(vec![-x, F::ONE]));
        }
        let mut out = vec![F::ZERO; n];
        for (i, (&xi, &yi)) in xs.iter().zip(ys).enumerate() {
            let (basis, _) = z.divide_by_linear(xi);
            let denom = basis.evaluate(xi);
            let inv = denom.inverse().ok_or(PolyError::RepeatedPoint { index: i })?;
            let w = yi * inv;
            for (o, b) in out.iter_mut().zip(basis.coeffs()) {
                *o += w * *b;
            }
        }
        Ok(Self(out))
    }

    /// Schoolbook product, O(n·m): the right choice for short operands.
    pub fn mul_naive(&self, other: &Self) -> Self {
        if self.0.is_empty() || other.0.is_empty() {
            return Self::zero();
        }
        let mut out = vec![F::ZERO; self.0.len() + other.0.len() - 1];
        for (i, &a) in self.0.iter().enumerate() {
            for (j, &b) in other.0.iter().enumerate() {
                out[i + j] += a * b;
            }
        }
        Self(out)
    }
}

impl<F: TwoAdicField> Polynomial<F> {
    /// The product, through NTTs of the next power of two above the result's length (schoolbook for
    /// short operands).
    ///
    /// # Errors
    /// [`PolyError::TooLarge`] when the product needs a larger domain than the field has.
    pub fn mul(&self, other: &Self) -> Result<Self, PolyError> {
        if self.0.is_empty() || other.0.is_empty() {
            return Ok(Self::zero());
        }
        if self.0.len().min(other.0.len()) <= 32 {
            return Ok(self.mul_naive(other));
        }
        let len = self.0.len() + other.0.len() - 1;
        let n = len.next_power_of_two();
        let mut a = self.0.clone();
        let mut b = other.0.clone();
        a.resize(n, F::ZERO);
        b.resize(n, F::ZERO);
        CpuBackend::ntt(&mut a)?;
        CpuBackend::ntt(&mut b)?;
        a.par_iter_mut().zip(&b).for_each(|(x, y)| *x *= *y);
        CpuBackend::intt(&mut a)?;
        a.truncate(len);
        Ok(Self(a))
    }

    /// Evaluates on every point of `domain` (zero-padding, or folding coefficients beyond the domain
    /// size, which is exact because `Xⁿ = sⁿ` on `s·H`).
    ///
    /// # Errors
    /// As [`NttOps::ntt_batch`].
    pub fn evaluate_over_domain(
        &self,
        domain: &Radix2Domain<F>,
    ) -> Result<Evaluations<F>, PolyError> {
        let n = domain.size();
        let mut v = vec![F::ZERO; n];
        let sn = domain.shift.pow(n as u64);
        // Coefficient i lands on i mod n with weight (sⁿ)^(i / n).
        let mut weight = F::ONE;
        for chunk in self.0.chunks(n) {
            for (o, &c) in v.iter_mut().zip(chunk) {
                *o += c * weight;
            }
            weight *= sn;
        }
        CpuBackend::coset_ntt(&mut v, domain.shift)?;
        Ok(Evaluations { values: v, domain: *domain })
    }
}

impl<F: Field> Add for &Polynomial<F> {
    type Output = Polynomial<F>;
    fn add(self, rhs: Self) -> Polynomial<F> {
        let (long, short) = if self.0.len() >= rhs.0.len() { (self, rhs) } else { (rhs, self) };
        let mut out = long.0.clone();
        for (o, &s) in out.iter_mut().zip(&short.0) {
            *o += s;
        }
        Polynomial(out)
    }
}

impl<F: Field> Sub for &Polynomial<F> {
    type Output = Polynomial<F>;
    fn sub(self, rhs: Self) -> Polynomial<F> {
        self + &(-rhs)
    }
}

impl<F: Field> Neg for &Polynomial<F> {
    type Output = Polynomial<F>;
    fn neg(self) -> Polynomial<F> {
        Polynomial(self.0.iter().map(|&c| -c).collect())
    }
}

impl<F: Field> Mul<F> for &Polynomial<F> {
    type Output = Polynomial<F>;
    fn mul(self, rhs: F) -> Polynomial<F> {
        self.scale(rhs)
    }
}

/// The values of a polynomial on every point of a [`Radix2Domain`], natural order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluations<F> {
    values: Vec<F>,
    domain: Radix2Domain<F>,
}

impl<F: TwoAdicField> Evaluations<F> {
    /// Wraps values (natural order) on `domain`.
    ///
    /// # Errors
    /// [`PolyError::LengthMismatch`] unless there is exactly one value per domain point.
    pub fn new(values: Vec<F>, domain: Radix2Domain<F>) -> Result<Self, PolyError> {
        if values.len() != domain.size() {
            return Err(PolyError::LengthMismatch { expected: domain.size(), got: values.len() });
        }
        Ok(Self { values, domain })
    }

    /// The values, natural order.
    pub fn values(&self) -> &[F] {
        &self.values
    }

    /// The domain.
    pub fn domain(&self) -> &Radix2Domain<F> {
        &self.domain
    }

    /// The unique polynomial of degree < n through these values (an inverse NTT on the coset).
    ///
    /// # Errors
    /// As [`NttOps::ntt_batch`].
    pub fn interpolate(&self) -> Result<Polynomial<F>, PolyError> {
        let mut v = self.values.clone();
        CpuBackend::coset_intt(&mut v, self.domain.shift)?;
        Ok(Polynomial(v))
    }

    /// Low-degree extension: the same polynomial evaluated on a domain `2^log_blowup` times larger,
    /// shifted by `shift` (a coset disjoint from this domain when `shift` is outside the subgroup).
    ///
    /// # Errors
    /// As [`NttOps::ntt_batch`], or [`PolyError::TooLarge`] for the larger domain.
    pub fn lde(&self, log_blowup: usize, shift: F) -> Result<Self, PolyError> {
        let big = Radix2Domain::coset(self.domain.log_n + log_blowup, shift)?;
        self.interpolate()?.evaluate_over_domain(&big)
    }
}
