//! The circle group over M31 and its FFT (Haböck, Levit, Papini, "Circle STARKs", 2024).
//!
//! M31 has `p − 1 = 2·(2^30 − 1)`, so no large multiplicative subgroup of power-of-two order; the
//! *circle* `C = {(x, y) : x² + y² = 1}` over M31, with the group law of unit complex numbers
//! `(x₀, y₀)·(x₁, y₁) = (x₀x₁ − y₀y₁, x₀y₁ + y₀x₁)` (written additively here, as in stwo and
//! Plonky3), has order `p + 1 = 2^31`, and its subgroups `G_n` of every power-of-two order carry an
//! FFT.
//!
//! - [`CirclePoint`]: points and the group law, over M31 or an extension (for out-of-domain points).
//! - [`CircleDomain`]: a *twin coset* `(q + G_{n/2}) ∪ (−q + G_{n/2})` of size `n = 2^log_n`;
//!   [`CircleDomain::canonic`] is the canonic coset `q + G_n` with `q` of order `2n` (as stwo's
//!   `CanonicCoset` and Plonky3's `CircleDomain::standard`).
//! - [`CircleFftOps`]: forward (coefficients → evaluations), inverse and low-degree extension on
//!   batches of columns; [`CpuBackend`](crate::CpuBackend) implements it.
//! - [`RowMajorCircleFftOps`] / [`circle_fft_rows`]: the same transforms on the columns of one
//!   row-major `n × w` matrix, in place (a committed trace's layout, Plonky3's `RowMajorMatrix`).
//! - [`naive_circle_evaluate`]: the O(n²) oracle.
//!
//! **Basis.** A column of `n = 2^k` coefficients `c_j` stands for `f = Σ_j c_j·b_j` with
//! `b_j(x, y) = y^{j₀} · x^{j₁} · π(x)^{j₂} ⋯ π^{k−2}(x)^{j_{k−1}}`, `j = Σ jᵢ2ⁱ` and
//! `π(x) = 2x² − 1` (the x-coordinate of the doubled point). This is the basis of stwo and
//! Plonky3's `circle_basis`; coefficients of a domain of size `n` zero-padded to `N > n` describe the
//! same function, which is what the low-degree extension uses.
//!
//! **Orders.** [`CircleOrder::Natural`] lists a domain with shift `q` and half-coset generator `g`
//! as `q, −q + g, q + g, −q + 2g, q + 2g, …` (index `2i` is `q + i·g`, index `2i + 1` is
//! `−q + (i + 1)·g`); for the canonic coset this is `(2i + 1)·q`, `i = 0, 1, …`.
//! [`CircleOrder::BitReversed`] is the FFT's own order, index `2b` is `q + rev(b)·g` and `2b + 1`
//! its conjugate `−q − rev(b)·g` (`rev` reverses `k − 1` bits): Plonky3's "cfft order".

mod fft;
mod twiddles;

use core::ops::{Add, Neg, Sub};

use zkprove_field::Field;
use zkprove_field::m31::M31;

use crate::PolyError;

pub use fft::{CircleFftOps, RowMajorCircleFftOps, circle_fft_rows, naive_circle_evaluate};

/// log2 of the order of the circle group over M31 (`p + 1 = 2^31`).
pub const M31_CIRCLE_LOG_ORDER: usize = 31;

/// A point `(x, y)` with `x² + y² = 1` of the circle over a field `F`.
///
/// The group operation is written additively: `P + Q` is the complex product, `−P = (x, −y)` the
/// conjugate, the identity is `(1, 0)`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct CirclePoint<F> {
    /// The x-coordinate.
    pub x: F,
    /// The y-coordinate.
    pub y: F,
}

impl<F: Field> CirclePoint<F> {
    /// The identity `(1, 0)`.
    pub const IDENTITY: Self = Self { x: F::ONE, y: F::ZERO };

    /// `(x, y)`, unchecked (see [`CirclePoint::is_on_circle`]).
    pub const fn new(x: F, y: F) -> Self {
        Self { x, y }
    }

    /// Whether `x² + y² = 1`.
    pub fn is_on_circle(&self) -> bool {
        self.x.square() + self.y.square() == F::ONE
    }

    /// `2·P = (2x² − 1, 2xy)`.
    #[inline]
    pub fn double(&self) -> Self {
        Self { x: self.x.square().double() - F::ONE, y: (self.x * self.y).double() }
    }

    /// `2^k·P`.
    pub fn repeated_double(&self, k: usize) -> Self {
        (0..k).fold(*self, |p, _| p.double())
    }

    /// `m·P` by double-and-add.
    pub fn mul(&self, mut m: u64) -> Self {
        let (mut acc, mut base) = (Self::IDENTITY, *self);
        while m != 0 {
            if m & 1 == 1 {
                acc = acc + base;
            }
            base = base.double();
            m >>= 1;
        }
        acc
    }

    /// log2 of the order of the point, if it is a power of two below `2^64` (every point of the
    /// M31 circle), else `None`.
    pub fn log_order(&self) -> Option<usize> {
        let mut p = *self;
        for k in 0..64 {
            if p == Self::IDENTITY {
                return Some(k);
            }
            p = p.double();
        }
        None
    }
}

impl<F: Field> Add for CirclePoint<F> {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        Self { x: self.x * rhs.x - self.y * rhs.y, y: self.x * rhs.y + self.y * rhs.x }
    }
}

impl<F: Field> Neg for CirclePoint<F> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self { x: self.x, y: -self.y }
    }
}

impl<F: Field> Sub for CirclePoint<F> {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        self + (-rhs)
    }
}

impl CirclePoint<M31> {
    /// The generator of the whole M31 circle group (order `2^31`), stwo's `M31_CIRCLE_GEN`:
    /// `(2, 1268011823)`.
    pub const GENERATOR: Self = Self { x: M31::new(2), y: M31::new(1_268_011_823) };

    /// The generator `2^(31 − log_order)·GENERATOR` of the subgroup of order `2^log_order`, or
    /// `None` when `log_order > 31`.
    pub fn generator(log_order: usize) -> Option<Self> {
        let k = M31_CIRCLE_LOG_ORDER.checked_sub(log_order)?;
        Some(Self::GENERATOR.repeated_double(k))
    }
}

/// Evaluation order of a circle-domain column (see the [module docs](self)).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CircleOrder {
    /// `q, −q + g, q + g, −q + 2g, …`: for the canonic coset, `(2i + 1)·q`.
    Natural,
    /// The FFT's own order (Plonky3's "cfft order"): `2b ↦ q + rev(b)·g`, `2b + 1 ↦ −q − rev(b)·g`.
    BitReversed,
}

/// A twin coset `(q + G_{n/2}) ∪ (−q + G_{n/2})` of `n = 2^log_n` points of the M31 circle, with
/// `1 ≤ log_n ≤ 30`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct CircleDomain {
    log_n: usize,
    shift: CirclePoint<M31>,
}

impl CircleDomain {
    /// The largest supported `log_n`: the canonic coset of size `2^30` has a shift of order `2^31`.
    pub const MAX_LOG_N: usize = M31_CIRCLE_LOG_ORDER - 1;

    /// The canonic coset `q + G_n`, `q` of order `2n` (`q = CirclePoint::generator(log_n + 1)`):
    /// the standard evaluation domain of size `2^log_n` (stwo's `CanonicCoset`, Plonky3's
    /// `CircleDomain::standard`). As a set it does not depend on the choice of `q`.
    ///
    /// # Errors
    /// [`PolyError::CircleDomainSize`] unless `1 ≤ log_n ≤ 30`.
    pub fn canonic(log_n: usize) -> Result<Self, PolyError> {
        Self::check_log_n(log_n)?;
        let shift = CirclePoint::generator(log_n + 1)
            .ok_or(PolyError::CircleDomainSize { log_n, max_log_n: Self::MAX_LOG_N })?;
        Ok(Self { log_n, shift })
    }

    /// The twin coset with shift `q`: `(q + G_{n/2}) ∪ (−q + G_{n/2})`.
    ///
    /// # Errors
    /// [`PolyError::CircleDomainSize`] unless `1 ≤ log_n ≤ 30`; [`PolyError::NotOnCircle`] when
    /// `shift` is not a point of the circle; [`PolyError::DegenerateCircleDomain`] when the two
    /// halves meet or a point of the domain has `y = 0` (no FFT exists: the map `(x, y) ↦ x` must
    /// be two-to-one on the domain).
    pub fn new(log_n: usize, shift: CirclePoint<M31>) -> Result<Self, PolyError> {
        Self::check_log_n(log_n)?;
        if !shift.is_on_circle() {
            return Err(PolyError::NotOnCircle);
        }
        // The two halves are disjoint and no point is its own conjugate iff 2q ∉ G_{n/2}, i.e.
        // the order of 2q exceeds n/2 (orders are powers of two).
        let order_2q = shift.double().log_order().unwrap_or(usize::MAX);
        if order_2q < log_n {
            return Err(PolyError::DegenerateCircleDomain);
        }
        Ok(Self { log_n, shift })
    }

    fn check_log_n(log_n: usize) -> Result<(), PolyError> {
        if (1..=Self::MAX_LOG_N).contains(&log_n) {
            Ok(())
        } else {
            Err(PolyError::CircleDomainSize { log_n, max_log_n: Self::MAX_LOG_N })
        }
    }

    /// log2 of the number of points.
    pub fn log_n(&self) -> usize {
        self.log_n
    }

    /// The number of points `2^log_n`.
    pub fn size(&self) -> usize {
        1 << self.log_n
    }

    /// The shift `q`.
    pub fn shift(&self) -> CirclePoint<M31> {
        self.shift
    }

    /// The generator `g` of the half coset's subgroup `G_{n/2}`.
    pub fn half_generator(&self) -> CirclePoint<M31> {
        // log_n ≥ 1 and log_n − 1 ≤ 31: always a valid generator.
        CirclePoint::GENERATOR.repeated_double(M31_CIRCLE_LOG_ORDER + 1 - self.log_n)
    }

    /// Whether this is the canonic coset of its size.
    pub fn is_canonic(&self) -> bool {
        // Canonic iff q has order exactly 2n.
        self.shift.log_order() == Some(self.log_n + 1)
    }

    /// The point at index `i` of the given order.
    ///
    /// # Panics
    /// If `i ≥ self.size()`.
    pub fn point(&self, i: usize, order: CircleOrder) -> CirclePoint<M31> {
        assert!(i < self.size(), "index {i} out of a domain of size {}", self.size());
        let g = self.half_generator();
        let (half, odd) = (i >> 1, i & 1 == 1);
        match order {
            CircleOrder::Natural if odd => -self.shift + g.mul(half as u64 + 1),
            CircleOrder::Natural => self.shift + g.mul(half as u64),
            CircleOrder::BitReversed => {
                let p = self.shift + g.mul(reverse_bits(half, self.log_n - 1) as u64);
                if odd { -p } else { p }
            }
        }
    }

    /// Every point, in the given order.
    pub fn points(&self, order: CircleOrder) -> Vec<CirclePoint<M31>> {
        let half = self.half_coset();
        let n = self.size();
        let mut out = Vec::with_capacity(n);
        match order {
            CircleOrder::Natural => {
                for i in 0..n / 2 {
                    out.push(half[i]);
                    // −q + (i + 1)g = −(q + (n/2 − 1 − i)·g)... written directly from the half coset:
                    // the conjugate of q − (i + 1)g = q + (n/2 − i − 1)g.
                    out.push(-half[n / 2 - 1 - i]);
                }
            }
            CircleOrder::BitReversed => {
                for b in 0..n / 2 {
                    let p = half[reverse_bits(b, self.log_n - 1)];
                    out.push(p);
                    out.push(-p);
                }
            }
        }
        out
    }

    /// `q + i·g` for `i < n/2`, natural order.
    pub(crate) fn half_coset(&self) -> Vec<CirclePoint<M31>> {
        let g = self.half_generator();
        let mut p = self.shift;
        (0..self.size() / 2)
            .map(|_| {
                let cur = p;
                p = p + g;
                cur
            })
            .collect()
    }
}

/// Reverses the low `bits` bits of `i`.
#[inline]
pub(crate) fn reverse_bits(i: usize, bits: usize) -> usize {
    if bits == 0 { 0 } else { i.reverse_bits() >> (usize::BITS as usize - bits) }
}

/// Position in [`CircleOrder::Natural`] of the point at position `r` of
/// [`CircleOrder::BitReversed`], for a domain of `2^log_n` points.
#[inline]
pub fn bit_reversed_to_natural_index(r: usize, log_n: usize) -> usize {
    let (b, odd) = (r >> 1, r & 1 == 1);
    let rb = reverse_bits(b, log_n - 1);
    // 2b ↦ q + rb·g = natural 2·rb; 2b + 1 ↦ −q − rb·g = −q + (n/2 − rb)·g = natural 2(n/2 − rb − 1) + 1.
    if odd { 2 * ((1 << (log_n - 1)) - rb - 1) + 1 } else { 2 * rb }
}
