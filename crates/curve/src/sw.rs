//! Short Weierstrass curves `y² = x³ + b` (`a = 0`, as for both BN254 groups) over any field, in
//! three coordinate systems:
//!
//! - [`Affine`]: `(x, y)`, with the point at infinity stored as `(0, 0)` — never on the curve since
//!   `b ≠ 0`, and exactly how snarkjs stores infinity in a `.zkey` (all-zero bytes), so a section of
//!   points maps to a `Vec<Affine<_>>` with no flag byte.
//! - [`Projective`]: Jacobian `(X, Y, Z)` for `(X/Z², Y/Z³)`, infinity when `Z = 0`. General-purpose
//!   arithmetic (scalar multiplication, sums of MSM windows).
//! - [`Xyzz`]: `(X, Y, ZZ, ZZZ)` for `(X/ZZ, Y/ZZZ)` with `ZZ³ = ZZZ²`, infinity when `ZZ = 0`. The
//!   cheapest mixed addition (8M + 2S) and no separate doubling case in the common path, so it is
//!   the bucket representation of Pippenger's MSM.
//!
//! Formulas are from the Explicit-Formulas Database (hyperelliptic.org/EFD, `g1p/auto-shortw-*`):
//! `dbl-2009-l`, `add-2007-bl`, `madd-2007-bl` for Jacobian, `add-2008-s`, `madd-2008-s`,
//! `dbl-2008-s-1`, `mdbl-2008-s-1` for XYZZ. Every addition handles the exceptional cases (equal
//! points, opposite points, infinity), which MSM buckets hit in practice (duplicate bases).

use core::fmt::Debug;
use core::hash::Hash;
use core::iter::Sum;
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use rand::Rng;
use zkprove_field::{Field, PrimeField, batch_inverse};

use crate::msm::GlvParams;

/// The parameters of a curve `y² = x³ + b` with a prime-order subgroup of order `|Scalar|`.
pub trait SwCurve: Copy + Default + Debug + Eq + Hash + Send + Sync + 'static {
    /// The field of the coordinates.
    type Base: Field;
    /// The field of scalars: integers modulo the order of the prime-order subgroup.
    type Scalar: PrimeField;

    /// `b` in `y² = x³ + b`.
    const B: Self::Base;
    /// The standard generator of the prime-order subgroup.
    const GENERATOR: Affine<Self>;
    /// A short name for messages (`"bn254-g1"`).
    const NAME: &'static str;

    /// Whether an on-curve point lies in the prime-order subgroup. The default multiplies by the
    /// group order, which is right for every curve and slow; curves override it with an
    /// endomorphism check, or with `true` when the cofactor is one.
    fn is_in_subgroup(p: &Affine<Self>) -> bool {
        p.mul_by_order_is_identity()
    }

    /// The constants of an efficiently computable endomorphism `φ` with `φ(P) = [λ]P` on the
    /// prime-order subgroup, which the MSM uses to halve its windows (GLV, see
    /// [`crate::msm::GlvParams`]); `None` when the curve has none.
    const GLV: Option<GlvParams> = None;

    /// `φ(P)` for the endomorphism of [`SwCurve::GLV`] (the identity map when there is none).
    /// Maps the point at infinity `(0, 0)` to itself.
    fn endomorphism(p: &Affine<Self>) -> Affine<Self> {
        *p
    }

    /// Whether [`SwCurve::endomorphism`] keeps `y` (`φ(x, y) = (βx, y)`): the MSM then stores only
    /// the images' x coordinates (half the transient copy) and takes `y` from `Pᵢ`.
    const ENDOMORPHISM_KEEPS_Y: bool = false;

    /// `buckets[idx[i]] += points[i]` for every `i`, where every addition is *generic*: the
    /// indices are distinct, no point is the point at infinity, and the two x coordinates differ.
    /// All the slopes share one inversion (Montgomery's trick). The MSM's batch-affine buckets
    /// call this; the default is scalar, BN254 G1 overrides it with eight-lane `F_q` arithmetic
    /// (AVX-512 IFMA where the build targets it). `scratch` is reusable storage.
    #[doc(hidden)]
    fn batch_add_generic(
        buckets: &mut [Affine<Self>],
        idx: &[u32],
        points: &[Affine<Self>],
        scratch: &mut Vec<Self::Base>,
    ) {
        crate::msm::batch_add_generic_scalar(buckets, idx, points, scratch);
    }
}

/// A point in affine coordinates; `(0, 0)` is the point at infinity (see the module docs).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Affine<C: SwCurve> {
    /// The x coordinate (0 for the point at infinity).
    pub x: C::Base,
    /// The y coordinate (0 for the point at infinity).
    pub y: C::Base,
}

/// A point in Jacobian coordinates `(X/Z², Y/Z³)`; `Z = 0` is the point at infinity.
#[derive(Copy, Clone, Debug)]
pub struct Projective<C: SwCurve> {
    /// `X`.
    pub x: C::Base,
    /// `Y`.
    pub y: C::Base,
    /// `Z`.
    pub z: C::Base,
}

/// A point in XYZZ coordinates `(X/ZZ, Y/ZZZ)`; `ZZ = 0` is the point at infinity.
#[derive(Copy, Clone, Debug)]
pub struct Xyzz<C: SwCurve> {
    /// `X`.
    pub x: C::Base,
    /// `Y`.
    pub y: C::Base,
    /// `ZZ` (= Z²).
    pub zz: C::Base,
    /// `ZZZ` (= Z³).
    pub zzz: C::Base,
}

impl<C: SwCurve> Affine<C> {
    /// The point at infinity.
    pub const IDENTITY: Self = Self { x: C::Base::ZERO, y: C::Base::ZERO };

    /// The point at infinity.
    #[inline]
    pub const fn identity() -> Self {
        Self::IDENTITY
    }

    /// The standard generator.
    #[inline]
    pub const fn generator() -> Self {
        C::GENERATOR
    }

    /// A point from coordinates, if they satisfy the curve equation (or are `(0, 0)`, infinity).
    /// Does not check the subgroup: see [`Affine::is_in_subgroup`].
    pub fn new(x: C::Base, y: C::Base) -> Option<Self> {
        let p = Self { x, y };
        p.is_on_curve().then_some(p)
    }

    /// A point from coordinates without any check; the caller vouches for them.
    #[inline]
    pub const fn new_unchecked(x: C::Base, y: C::Base) -> Self {
        Self { x, y }
    }

    /// Whether this is the point at infinity.
    #[inline]
    pub fn is_identity(&self) -> bool {
        self.x.is_zero() && self.y.is_zero()
    }

    /// Whether the point satisfies `y² = x³ + b`; the point at infinity counts as on the curve.
    pub fn is_on_curve(&self) -> bool {
        self.is_identity() || self.y.square() == self.x.square() * self.x + C::B
    }

    /// Whether the point is on the curve and in the prime-order subgroup.
    pub fn is_in_subgroup(&self) -> bool {
        self.is_identity() || (self.is_on_curve() && C::is_in_subgroup(self))
    }

    /// `[order]·self == 0`, the definition of subgroup membership (slow: a full scalar
    /// multiplication by the 254-bit group order).
    pub fn mul_by_order_is_identity(&self) -> bool {
        let mut acc = Projective::<C>::IDENTITY;
        let base = Projective::from(*self);
        // The order in limbs, most significant bit first.
        for limb in C::Scalar::MODULUS.iter().rev() {
            for bit in (0..64).rev() {
                acc = acc.double();
                if (limb >> bit) & 1 == 1 {
                    acc += base;
                }
            }
        }
        acc.is_identity()
    }

    /// A uniformly random point of the prime-order subgroup: the generator times a random scalar.
    pub fn random<R: Rng + ?Sized>(rng: &mut R) -> Self {
        (Projective::from(C::GENERATOR) * C::Scalar::random(rng)).to_affine()
    }

    /// `self + self` (affine in, projective out).
    pub fn double(&self) -> Projective<C> {
        Projective::from(*self).double()
    }
}

impl<C: SwCurve> Neg for Affine<C> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        // −(0, 0) = (0, 0): infinity stays infinity.
        Self { x: self.x, y: -self.y }
    }
}

impl<C: SwCurve> Projective<C> {
    /// The point at infinity.
    pub const IDENTITY: Self = Self { x: C::Base::ONE, y: C::Base::ONE, z: C::Base::ZERO };

    /// The point at infinity.
    #[inline]
    pub const fn identity() -> Self {
        Self::IDENTITY
    }

    /// The standard generator.
    #[inline]
    pub fn generator() -> Self {
        Self::from(C::GENERATOR)
    }

    /// Whether this is the point at infinity.
    #[inline]
    pub fn is_identity(&self) -> bool {
        self.z.is_zero()
    }

    /// Whether `Y² = X³ + b·Z⁶` (infinity counts as on the curve).
    pub fn is_on_curve(&self) -> bool {
        if self.is_identity() {
            return true;
        }
        let z2 = self.z.square();
        let z6 = z2.square() * z2;
        self.y.square() == self.x.square() * self.x + C::B * z6
    }

    /// The affine point (one inversion).
    pub fn to_affine(&self) -> Affine<C> {
        match self.z.inverse() {
            None => Affine::IDENTITY,
            Some(zinv) => {
                let zinv2 = zinv.square();
                Affine { x: self.x * zinv2, y: self.y * zinv2 * zinv }
            }
        }
    }

    /// Many affine points with one shared inversion (Montgomery's trick, parallel).
    pub fn batch_to_affine(points: &[Self]) -> Vec<Affine<C>> {
        let zs: Vec<C::Base> = points.iter().map(|p| p.z).collect();
        let zs = batch_inverse(&zs);
        points
            .iter()
            .zip(zs)
            .map(|(p, zinv)| {
                if zinv.is_zero() {
                    Affine::IDENTITY
                } else {
                    let zinv2 = zinv.square();
                    Affine { x: p.x * zinv2, y: p.y * zinv2 * zinv }
                }
            })
            .collect()
    }

    /// `2·self` (dbl-2009-l: 2M + 5S).
    pub fn double(&self) -> Self {
        if self.is_identity() {
            return *self;
        }
        let a = self.x.square();
        let b = self.y.square();
        let c = b.square();
        let d = ((self.x + b).square() - a - c).double();
        let e = a.double() + a;
        let f = e.square();
        let x3 = f - d.double();
        let c8 = c.double().double().double();
        let y3 = e * (d - x3) - c8;
        let z3 = (self.y * self.z).double();
        Self { x: x3, y: y3, z: z3 }
    }

    /// `self + q` for an affine `q` (madd-2007-bl: 7M + 4S).
    pub fn add_affine(&self, q: &Affine<C>) -> Self {
        if q.is_identity() {
            return *self;
        }
        if self.is_identity() {
            return Self::from(*q);
        }
        let z1z1 = self.z.square();
        let u2 = q.x * z1z1;
        let s2 = q.y * self.z * z1z1;
        let h = u2 - self.x;
        let r = (s2 - self.y).double();
        if h.is_zero() {
            return if r.is_zero() { self.double() } else { Self::IDENTITY };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h * i;
        let v = self.x * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (self.y * j).double();
        let z3 = (self.z + h).square() - z1z1 - hh;
        Self { x: x3, y: y3, z: z3 }
    }

    /// `self + q` (add-2007-bl: 11M + 5S).
    pub fn add_projective(&self, q: &Self) -> Self {
        if q.is_identity() {
            return *self;
        }
        if self.is_identity() {
            return *q;
        }
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x * z2z2;
        let u2 = q.x * z1z1;
        let s1 = self.y * q.z * z2z2;
        let s2 = q.y * self.z * z1z1;
        let h = u2 - u1;
        let r = (s2 - s1).double();
        if h.is_zero() {
            return if r.is_zero() { self.double() } else { Self::IDENTITY };
        }
        let i = h.double().square();
        let j = h * i;
        let v = u1 * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (s1 * j).double();
        let z3 = ((self.z + q.z).square() - z1z1 - z2z2) * h;
        Self { x: x3, y: y3, z: z3 }
    }

    /// `scalar·self` by double-and-add over the scalar's bits, most significant first. Not
    /// constant-time: zkprove only multiplies public data or fresh proof randomness whose timing
    /// does not leak a long-term secret (see DESIGN.md).
    pub fn mul_scalar(&self, scalar: &C::Scalar) -> Self {
        let bytes = scalar.to_bytes_le();
        let mut acc = Self::IDENTITY;
        for byte in bytes.as_ref().iter().rev() {
            for bit in (0..8).rev() {
                acc = acc.double();
                if (byte >> bit) & 1 == 1 {
                    acc = acc.add_projective(self);
                }
            }
        }
        acc
    }

    /// A uniformly random point of the prime-order subgroup.
    pub fn random<R: Rng + ?Sized>(rng: &mut R) -> Self {
        Self::generator() * C::Scalar::random(rng)
    }
}

impl<C: SwCurve> Default for Projective<C> {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl<C: SwCurve> From<Affine<C>> for Projective<C> {
    #[inline]
    fn from(p: Affine<C>) -> Self {
        if p.is_identity() { Self::IDENTITY } else { Self { x: p.x, y: p.y, z: C::Base::ONE } }
    }
}

impl<C: SwCurve> From<Projective<C>> for Affine<C> {
    #[inline]
    fn from(p: Projective<C>) -> Self {
        p.to_affine()
    }
}

impl<C: SwCurve> PartialEq for Projective<C> {
    /// Equality of the points, not of the coordinates: `X₁Z₂² = X₂Z₁²` and `Y₁Z₂³ = Y₂Z₁³`.
    fn eq(&self, other: &Self) -> bool {
        match (self.is_identity(), other.is_identity()) {
            (true, true) => true,
            (false, false) => {
                let z1z1 = self.z.square();
                let z2z2 = other.z.square();
                self.x * z2z2 == other.x * z1z1
                    && self.y * z2z2 * other.z == other.y * z1z1 * self.z
            }
            _ => false,
        }
    }
}

impl<C: SwCurve> Eq for Projective<C> {}

impl<C: SwCurve> PartialEq<Affine<C>> for Projective<C> {
    fn eq(&self, other: &Affine<C>) -> bool {
        *self == Self::from(*other)
    }
}

impl<C: SwCurve> Neg for Projective<C> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self { x: self.x, y: -self.y, z: self.z }
    }
}

impl<C: SwCurve> Add for Projective<C> {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        self.add_projective(&rhs)
    }
}

impl<C: SwCurve> Add<Affine<C>> for Projective<C> {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Affine<C>) -> Self {
        self.add_affine(&rhs)
    }
}

impl<C: SwCurve> Sub for Projective<C> {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        self.add_projective(&-rhs)
    }
}

impl<C: SwCurve> Sub<Affine<C>> for Projective<C> {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Affine<C>) -> Self {
        self.add_affine(&-rhs)
    }
}

impl<C: SwCurve> AddAssign for Projective<C> {
    #[inline]
    fn add_assign(&mut self, rhs: Self) {
        *self = self.add_projective(&rhs);
    }
}

impl<C: SwCurve> AddAssign<Affine<C>> for Projective<C> {
    #[inline]
    fn add_assign(&mut self, rhs: Affine<C>) {
        *self = self.add_affine(&rhs);
    }
}

impl<C: SwCurve> SubAssign for Projective<C> {
    #[inline]
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl<C: SwCurve> SubAssign<Affine<C>> for Projective<C> {
    #[inline]
    fn sub_assign(&mut self, rhs: Affine<C>) {
        *self = *self - rhs;
    }
}

impl<C: SwCurve> Mul<C::Scalar> for Projective<C> {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: C::Scalar) -> Self {
        self.mul_scalar(&rhs)
    }
}

impl<C: SwCurve> Mul<C::Scalar> for Affine<C> {
    type Output = Projective<C>;
    #[inline]
    fn mul(self, rhs: C::Scalar) -> Projective<C> {
        Projective::from(self).mul_scalar(&rhs)
    }
}

impl<C: SwCurve> MulAssign<C::Scalar> for Projective<C> {
    #[inline]
    fn mul_assign(&mut self, rhs: C::Scalar) {
        *self = self.mul_scalar(&rhs);
    }
}

impl<C: SwCurve> Sum for Projective<C> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::IDENTITY, |a, b| a + b)
    }
}

impl<'a, C: SwCurve> Sum<&'a Affine<C>> for Projective<C> {
    fn sum<I: Iterator<Item = &'a Affine<C>>>(iter: I) -> Self {
        iter.fold(Self::IDENTITY, |a, b| a + *b)
    }
}

impl<C: SwCurve> Xyzz<C> {
    /// The point at infinity.
    pub const IDENTITY: Self =
        Self { x: C::Base::ONE, y: C::Base::ONE, zz: C::Base::ZERO, zzz: C::Base::ZERO };

    /// Whether this is the point at infinity.
    #[inline]
    pub fn is_identity(&self) -> bool {
        self.zz.is_zero()
    }

    /// `2·self` (dbl-2008-s-1: 6M + 4S).
    pub fn double(&self) -> Self {
        if self.is_identity() {
            return *self;
        }
        let u = self.y.double();
        let v = u.square();
        let w = u * v;
        let s = self.x * v;
        let x2 = self.x.square();
        let m = x2.double() + x2;
        let x3 = m.square() - s.double();
        let y3 = m * (s - x3) - w * self.y;
        Self { x: x3, y: y3, zz: v * self.zz, zzz: w * self.zzz }
    }

    /// `2·q` for an affine `q` (mdbl-2008-s-1: `ZZ = ZZZ = 1`, so their products are skipped).
    fn double_affine(q: &Affine<C>) -> Self {
        let u = q.y.double();
        let v = u.square();
        let w = u * v;
        let s = q.x * v;
        let x2 = q.x.square();
        let m = x2.double() + x2;
        let x3 = m.square() - s.double();
        let y3 = m * (s - x3) - w * q.y;
        Self { x: x3, y: y3, zz: v, zzz: w }
    }

    /// `self += q` for an affine `q` (madd-2008-s: 8M + 2S).
    #[inline]
    pub fn add_affine_assign(&mut self, q: &Affine<C>) {
        if q.is_identity() {
            return;
        }
        if self.is_identity() {
            *self = Self::from(*q);
            return;
        }
        let u2 = q.x * self.zz;
        let s2 = q.y * self.zzz;
        let p = u2 - self.x;
        let r = s2 - self.y;
        if p.is_zero() {
            *self = if r.is_zero() { Self::double_affine(q) } else { Self::IDENTITY };
            return;
        }
        let pp = p.square();
        let ppp = p * pp;
        let qq = self.x * pp;
        let x3 = r.square() - ppp - qq.double();
        let y3 = r * (qq - x3) - self.y * ppp;
        self.x = x3;
        self.y = y3;
        self.zz *= pp;
        self.zzz *= ppp;
    }

    /// `self −= q` for an affine `q`.
    #[inline]
    pub fn sub_affine_assign(&mut self, q: &Affine<C>) {
        self.add_affine_assign(&-*q);
    }

    /// `self += q` (add-2008-s: 12M + 2S).
    pub fn add_assign_xyzz(&mut self, q: &Self) {
        if q.is_identity() {
            return;
        }
        if self.is_identity() {
            *self = *q;
            return;
        }
        let u1 = self.x * q.zz;
        let u2 = q.x * self.zz;
        let s1 = self.y * q.zzz;
        let s2 = q.y * self.zzz;
        let p = u2 - u1;
        let r = s2 - s1;
        if p.is_zero() {
            *self = if r.is_zero() { self.double() } else { Self::IDENTITY };
            return;
        }
        let pp = p.square();
        let ppp = p * pp;
        let qq = u1 * pp;
        let x3 = r.square() - ppp - qq.double();
        let y3 = r * (qq - x3) - s1 * ppp;
        self.x = x3;
        self.y = y3;
        self.zz = self.zz * q.zz * pp;
        self.zzz = self.zzz * q.zzz * ppp;
    }

    /// The same point in Jacobian coordinates, without an inversion: with `Z = ZZ·ZZZ`,
    /// `X' = X·ZZ·ZZZ²` and `Y' = Y·ZZ³·ZZZ²`.
    pub fn to_projective(&self) -> Projective<C> {
        if self.is_identity() {
            return Projective::IDENTITY;
        }
        let zzz2 = self.zzz.square();
        let zz2 = self.zz.square();
        Projective {
            x: self.x * self.zz * zzz2,
            y: self.y * zz2 * self.zz * zzz2,
            z: self.zz * self.zzz,
        }
    }

    /// The affine point (one inversion).
    pub fn to_affine(&self) -> Affine<C> {
        match self.zzz.inverse() {
            None => Affine::IDENTITY,
            Some(zzz_inv) => {
                // With ZZ = Z² and ZZZ = Z³: Z⁻¹ = ZZ·ZZZ⁻¹ and 1/ZZ = (Z⁻¹)², one inversion.
                let z_inv = self.zz * zzz_inv;
                Affine { x: self.x * z_inv.square(), y: self.y * zzz_inv }
            }
        }
    }
}

impl<C: SwCurve> Default for Xyzz<C> {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl<C: SwCurve> From<Affine<C>> for Xyzz<C> {
    #[inline]
    fn from(p: Affine<C>) -> Self {
        if p.is_identity() {
            Self::IDENTITY
        } else {
            Self { x: p.x, y: p.y, zz: C::Base::ONE, zzz: C::Base::ONE }
        }
    }
}

impl<C: SwCurve> From<Xyzz<C>> for Projective<C> {
    #[inline]
    fn from(p: Xyzz<C>) -> Self {
        p.to_projective()
    }
}
