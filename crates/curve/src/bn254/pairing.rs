//! The optimal ate pairing on BN254, `e: G1 × G2 → Gt ⊂ F_q¹²*`, a multi-pairing that shares one
//! final exponentiation, prepared G2 points, and the fast G2 subgroup check.
//!
//! - **Miller loop** over the signed (NAF) digits of `6x + 2`, `x = 4965661367192848881`, then the
//!   two additions of `π(Q)` and `−π²(Q)` (Vercauteren, "Optimal pairings", 2010). The running G2
//!   point is kept in homogeneous projective coordinates on the twist, so no step inverts; the
//!   doubling and addition steps with their line functions are those of Costello–Lange–Naehrig,
//!   "Faster pairing computations on curves with high-degree twists" (PKC 2010), in the form of
//!   Aranha et al., "Faster explicit formulas for computing pairings over ordinary curves"
//!   (Eurocrypt 2011, §4), scaled to avoid halvings. Lines depend only on the G2 point except for
//!   two `F_q²·F_q` products with `P`'s coordinates, so [`G2Prepared`] stores them once for points
//!   that are paired again and again (a Groth16 verifying key's `β`, `γ`, `δ`).
//! - **Final exponentiation** `f^((q¹² − 1)/r)`: the easy part `(q⁶ − 1)(q² + 1)` with one
//!   inversion and a Frobenius, then the hard part by the addition chain of Fuentes-Castañeda,
//!   Knapp and Rodríguez-Henríquez ("Faster hashing to G2", SAC 2011), which raises to the
//!   multiple `2x(6x² + 3x + 1)·(q⁴ − q² + 1)/r` of the hard exponent (coprime to `r`, so still a
//!   non-degenerate bilinear pairing) with 3 exponentiations by `x` in the cyclotomic subgroup.
//!   arkworks uses the same exponent, so values agree coefficient by coefficient with
//!   `ark_bn254::Bn254::pairing`, and with snarkjs's `vk_alphabeta_12` (a test checks both).
//! - **G2 subgroup check** with `ψ = untwist ∘ Frobenius ∘ twist`: Dai, Lin, Zhao, Zhou
//!   ("Fast subgroup membership testings for G1, G2 and GT on pairing-friendly curves", eprint
//!   2022/348): `[x + 1]Q + ψ([x]Q) + ψ²([x]Q) = ψ³([2x]Q)`, a 63-bit scalar multiplication instead
//!   of a 254-bit one; and, as an independent cross-check, `ψ(Q) = [6x²]Q` (El Housni, Guillevic,
//!   Piellard, "Co-factor clearing and subgroup membership testing on pairing-friendly curves",
//!   Africacrypt 2022, eprint 2022/352).

use core::ops::{Mul, MulAssign};

use zkprove_field::bn254::Fq;
use zkprove_field::{Field, PrimeField};

use super::fq6::{conjugate2, fq2, mul2, square2};
use super::fq12::Fq12;
use super::{Fq2, G1Affine, G2Affine, G2Config, G2Projective};
use crate::sw::SwCurve;

/// The BN parameter `x` (the "seed"; snarkjs/arkworks call it `z` or `X`), positive for BN254.
pub const BN_X: u64 = 4965661367192848881;

/// `6x + 2 = 29793968203157093288`, the optimal ate loop count.
pub const ATE_LOOP_COUNT: u128 = 6 * BN_X as u128 + 2;

/// `6x² = 0x6f4d8248eeb859fbf83e9682e87cfd46`, the eigenvalue of `ψ` on G2.
pub const SIX_X_SQUARED: u128 = 6 * (BN_X as u128) * (BN_X as u128);

/// The width-`w` NAF of `v` (`w ≥ 2`; `w = 2` is the plain NAF), least significant digit first,
/// and its length: digits are 0 or odd with `|d| < 2^(w−1)`, and any `w` consecutive digits hold
/// at most one non-zero. `v < 2^127` so that `v + 2^(w−1)` does not overflow.
const fn wnaf<const N: usize>(mut v: u128, w: u32) -> ([i8; N], usize) {
    let mut out = [0i8; N];
    let mut len = 0;
    let window = 1u128 << w;
    while v != 0 {
        assert!(len < N, "NAF longer than its buffer");
        if v & 1 == 1 {
            // The signed residue of v modulo 2^w, so that v − d ≡ 0 (mod 2^w).
            let m = v & (window - 1);
            if m >= window / 2 {
                out[len] = -((window - m) as i8);
                v += window - m;
            } else {
                out[len] = m as i8;
                v -= m;
            }
        }
        len += 1;
        v >>= 1;
    }
    (out, len)
}

const ATE_NAF_FULL: ([i8; 80], usize) = wnaf(ATE_LOOP_COUNT, 2);
/// The NAF digits of `6x + 2`, least significant first (66 digits, the top one is 1).
const ATE_NAF: &[i8] = ATE_NAF_FULL.0.split_at(ATE_NAF_FULL.1).0;
/// The window of the exponentiations by `x` in the final exponentiation.
const X_WINDOW: u32 = 4;
const X_WNAF_FULL: ([i8; 80], usize) = wnaf(BN_X as u128, X_WINDOW);
/// The width-4 NAF digits of `x`, least significant first (63 digits, 14 non-zero: 13
/// multiplications plus 3 for the table of odd powers, against 23 for the plain NAF).
const X_WNAF: &[i8] = X_WNAF_FULL.0.split_at(X_WNAF_FULL.1).0;
const X_NAF_FULL: ([i8; 80], usize) = wnaf(BN_X as u128, 2);
/// The NAF digits of `x` (63 digits, 24 non-zero).
const X_NAF: &[i8] = X_NAF_FULL.0.split_at(X_NAF_FULL.1).0;
const SIX_X_SQUARED_NAF_FULL: ([i8; 130], usize) = wnaf(SIX_X_SQUARED, 2);
/// The NAF digits of `6x²` (128 digits, 40 non-zero).
const SIX_X_SQUARED_NAF: &[i8] = SIX_X_SQUARED_NAF_FULL.0.split_at(SIX_X_SQUARED_NAF_FULL.1).0;

/// `ξ^((q − 1)/3)`: the x-coordinate factor of `ψ` (`ψ(x, y) = (x̄·γx, ȳ·γy)`).
const PSI_X: Fq2 = fq2(
    [0x99e39557176f553d, 0xb78cc310c2c3330c, 0x4c0bec3cf559b143, 0x2fb347984f7911f7],
    [0x1665d51c640fcba2, 0x32ae2a1d0b7c9dce, 0x4ba4cc8bd75a0794, 0x16c9e55061ebae20],
);
/// `ξ^((q − 1)/2)`: the y-coordinate factor of `ψ`.
const PSI_Y: Fq2 = fq2(
    [0xdc54014671a0135a, 0xdbaae0eda9c95998, 0xdc5ec698b6e2f9b9, 0x063cf305489af5dc],
    [0x82d37f632623b0e3, 0x21807dc98fa25bd2, 0x0704b5a7ec796f2b, 0x07c03cbcac41049a],
);
/// `ξ^((q² − 1)/3) ∈ F_q`: the x-coordinate factor of `ψ²` (its y factor `ξ^((q² − 1)/2)` is −1).
const PSI2_X: Fq =
    super::fq([0xe4bd44e5607cfd48, 0xc28f069fbb966e3d, 0x5e6dd9e7e0acccb0, 0x30644e72e131a029]);

/// `ψ(Q) = (x̄·ξ^((q−1)/3), ȳ·ξ^((q−1)/2))`: the q-power Frobenius of `E(F_q¹²)` carried to the
/// twist. On G2 it acts as multiplication by `q ≡ 6x² (mod r)`. Infinity maps to infinity.
pub fn psi(p: &G2Affine) -> G2Affine {
    if p.is_identity() {
        return *p;
    }
    G2Affine::new_unchecked(conjugate2(p.x) * PSI_X, conjugate2(p.y) * PSI_Y)
}

/// `−ψ²(Q) = (x·ξ^((q²−1)/3), y)`.
fn neg_psi2(p: &G2Affine) -> G2Affine {
    G2Affine::new_unchecked(p.x * PSI2_X, p.y)
}

/// `[6x²]P`: double-and-add over the NAF of `6x²` with mixed additions of `±P`.
fn mul_by_six_x_squared(p: &G2Affine) -> G2Projective {
    mul_by_naf(p, SIX_X_SQUARED_NAF)
}

/// `[k]P` for `k` given by its NAF digits (least significant first, top digit 1), with mixed
/// additions of `±P`.
fn mul_by_naf(p: &G2Affine, digits: &[i8]) -> G2Projective {
    let neg_p = -*p;
    let mut acc = G2Projective::from(*p);
    for &digit in digits.iter().rev().skip(1) {
        acc = acc.double();
        match digit {
            1 => acc = acc.add_affine(p),
            -1 => acc = acc.add_affine(&neg_p),
            _ => {}
        }
    }
    acc
}

/// `ψ` on Jacobian coordinates: `(X̄·γx, Ȳ·γy, Z̄)` (`x = X/Z²` maps to `X̄/Z̄²·γx`).
fn psi_projective(p: &G2Projective) -> G2Projective {
    G2Projective {
        x: mul2(conjugate2(p.x), PSI_X),
        y: mul2(conjugate2(p.y), PSI_Y),
        z: conjugate2(p.z),
    }
}

/// `ψ²` on Jacobian coordinates: `(X·ξ^((q²−1)/3), −Y, Z)`.
fn psi2_projective(p: &G2Projective) -> G2Projective {
    G2Projective { x: p.x * PSI2_X, y: -p.y, z: p.z }
}

/// Whether an on-curve twist point lies in G2, by Dai–Lin–Zhao–Zhou's test (eprint 2022/348, for
/// BN curves with `x ≢ 4 (mod 13)` and `x ≢ 92 (mod 97)`, which BN254's seed satisfies — checked
/// at compile time below): `[x + 1]Q + ψ([x]Q) + ψ²([x]Q) = ψ³([2x]Q)`. One 63-bit scalar
/// multiplication, half the work of El Housni–Guillevic–Piellard's `ψ(Q) = [6x²]Q`
/// ([`g2_is_in_subgroup_six_x_squared`]), which is kept as a second, independent check for tests.
///
/// The caller has checked that `p` is on the curve (as [`crate::Affine::is_in_subgroup`] does).
pub fn g2_is_in_subgroup(p: &G2Affine) -> bool {
    const _: () = assert!(BN_X % 13 != 4 && BN_X % 97 != 92);
    if p.is_identity() {
        return true;
    }
    let xp = mul_by_naf(p, X_NAF);
    let psi_xp = psi_projective(&xp);
    let lhs = xp.add_affine(p) + psi_xp + psi2_projective(&xp);
    let rhs = psi2_projective(&psi_projective(&xp.double()));
    lhs == rhs
}

/// Whether an on-curve twist point lies in G2, by `ψ(Q) = [6x²]Q` (El Housni, Guillevic,
/// Piellard, Africacrypt 2022): a 127-bit scalar multiplication. Slower than
/// [`g2_is_in_subgroup`]; kept as an independent cross-check.
pub fn g2_is_in_subgroup_six_x_squared(p: &G2Affine) -> bool {
    if p.is_identity() {
        return true;
    }
    mul_by_six_x_squared(p) == psi(p)
}

/// A G2 point in homogeneous projective coordinates `(X/Z, Y/Z)` on the twist (Miller loop only).
#[derive(Clone, Copy, Debug)]
struct G2Homogeneous {
    x: Fq2,
    y: Fq2,
    z: Fq2,
}

/// The line coefficients of one Miller-loop step: the line evaluated at `P = (xP, yP)` is
/// `c0·yP + (c1·xP)·w + c2·w³`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LineCoeffs {
    c0: Fq2,
    c1: Fq2,
    c2: Fq2,
}

impl G2Homogeneous {
    /// `T ← 2T`, returning the tangent line at `T`.
    ///
    /// With `B = Y²`, `C = Z²`, `E = 3b'C`, `F = 3E`, `H = 2YZ`: the tangent evaluated at `P`,
    /// times `−2YZ`, is `−H·yP + 3X²·xP·w + (E − B)·w³`; the point is the usual
    /// `(XY(B − F)/2, ((B + F)/2)² − 3E², BH)` scaled by 4.
    #[inline]
    fn double_step(&mut self) -> LineCoeffs {
        let (x, y, z) = (self.x, self.y, self.z);
        let b = square2(y);
        let c = square2(z);
        let e = mul2(G2Config::B, c.double() + c);
        let f = e.double() + e;
        let g = b + f;
        let h = square2(y + z) - b - c;
        let i = e - b;
        let j = square2(x);
        let e2 = square2(e);
        let e2_12 = (e2.double() + e2).double().double();
        self.x = mul2(mul2(x, y), b - f).double();
        self.y = square2(g) - e2_12;
        self.z = mul2(b, h).double().double();
        LineCoeffs { c0: -h, c1: j.double() + j, c2: i }
    }

    /// `T ← T + Q` for an affine `Q = (x₂, y₂)`, returning the line through `T` and `Q`.
    ///
    /// With `θ = Y − y₂Z`, `λ = X − x₂Z`: the chord evaluated at `P`, times `λ`, is
    /// `λ·yP − θ·xP·w + (θx₂ − λy₂)·w³`.
    #[inline]
    fn add_step(&mut self, q: &G2Affine) -> LineCoeffs {
        let (x, y, z) = (self.x, self.y, self.z);
        let theta = y - mul2(q.y, z);
        let lambda = x - mul2(q.x, z);
        let c = square2(theta);
        let d = square2(lambda);
        let e = mul2(lambda, d);
        let f = mul2(z, c);
        let g = mul2(x, d);
        let h = e + f - g.double();
        self.x = mul2(lambda, h);
        self.y = mul2(theta, g - h) - mul2(y, e);
        self.z = mul2(z, e);
        let j = mul2(theta, q.x) - mul2(lambda, q.y);
        LineCoeffs { c0: lambda, c1: -theta, c2: j }
    }
}

/// A G2 point with the line coefficients of its Miller loop precomputed: pairing it costs the
/// `F_q¹²` work only. Build once for a fixed point (`G2Prepared::from(q)`) and reuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct G2Prepared {
    /// One entry per doubling or addition of the loop, in loop order; empty for infinity.
    coeffs: Vec<LineCoeffs>,
}

impl G2Prepared {
    /// Whether the prepared point is the point at infinity (it pairs to 1 with everything).
    pub fn is_identity(&self) -> bool {
        self.coeffs.is_empty()
    }
}

impl From<G2Affine> for G2Prepared {
    fn from(q: G2Affine) -> Self {
        Self::from(&q)
    }
}

impl From<&G2Affine> for G2Prepared {
    fn from(q: &G2Affine) -> Self {
        if q.is_identity() {
            return Self { coeffs: Vec::new() };
        }
        let n_adds = ATE_NAF.iter().filter(|&&d| d != 0).count();
        let mut coeffs = Vec::with_capacity(ATE_NAF.len() + n_adds + 1);
        let mut t = G2Homogeneous { x: q.x, y: q.y, z: Fq2::ONE };
        let neg_q = -*q;
        for &digit in ATE_NAF.iter().rev().skip(1) {
            coeffs.push(t.double_step());
            match digit {
                1 => coeffs.push(t.add_step(q)),
                -1 => coeffs.push(t.add_step(&neg_q)),
                _ => {}
            }
        }
        // The two extra additions of the optimal ate pairing: T + π(Q), then + (−π²(Q)).
        coeffs.push(t.add_step(&psi(q)));
        coeffs.push(t.add_step(&neg_psi2(q)));
        Self { coeffs }
    }
}

/// `f · ℓ(P)` for one precomputed line.
#[inline(always)]
fn mul_by_line(f: &mut Fq12, line: &LineCoeffs, p: &G1Affine) {
    *f = f.mul_by_034(line.c0 * p.y, line.c1 * p.x, line.c2);
}

/// The product of the Miller loops `∏ f_{6x+2,Qᵢ}(Pᵢ)·ℓ…` of the pairs (before the final
/// exponentiation), sharing the squarings. Pairs with an infinity point contribute 1.
pub fn multi_miller_loop_prepared<'a, I>(pairs: I) -> Fq12
where
    I: IntoIterator<Item = (&'a G1Affine, &'a G2Prepared)>,
{
    let pairs: Vec<(&G1Affine, &[LineCoeffs])> = pairs
        .into_iter()
        .filter(|(p, q)| !p.is_identity() && !q.is_identity())
        .map(|(p, q)| (p, q.coeffs.as_slice()))
        .collect();
    let mut f = Fq12::ONE;
    if pairs.is_empty() {
        return f;
    }
    let mut idx = 0;
    for (step, &digit) in ATE_NAF.iter().rev().skip(1).enumerate() {
        if step > 0 {
            f = f.square();
        }
        for (p, coeffs) in &pairs {
            mul_by_line(&mut f, &coeffs[idx], p);
        }
        idx += 1;
        if digit != 0 {
            for (p, coeffs) in &pairs {
                mul_by_line(&mut f, &coeffs[idx], p);
            }
            idx += 1;
        }
    }
    for _ in 0..2 {
        for (p, coeffs) in &pairs {
            mul_by_line(&mut f, &coeffs[idx], p);
        }
        idx += 1;
    }
    f
}

/// The product of the Miller loops of `(Pᵢ, Qᵢ)` (prepares each `Qᵢ`); see
/// [`multi_miller_loop_prepared`].
pub fn multi_miller_loop(pairs: &[(G1Affine, G2Affine)]) -> Fq12 {
    let prepared: Vec<(G1Affine, G2Prepared)> =
        pairs.iter().map(|(p, q)| (*p, G2Prepared::from(q))).collect();
    multi_miller_loop_prepared(prepared.iter().map(|(p, q)| (p, q)))
}

/// `f^x` for `f` in the cyclotomic subgroup: cyclotomic squarings over the width-4 NAF of `x`,
/// with a table of `f, f³, f⁵, f⁷` (negative digits multiply by a conjugate, the inverse there).
fn cyclotomic_exp_by_x(f: &Fq12) -> Fq12 {
    const N_ODD: usize = 1 << (X_WINDOW - 2);
    let f2 = f.cyclotomic_square();
    let mut table = [*f; N_ODD];
    for i in 1..N_ODD {
        table[i] = table[i - 1] * f2;
    }
    let odd_power = |d: i8| table[usize::from(d.unsigned_abs() / 2)];
    let (&top, rest) = X_WNAF.split_last().unwrap_or((&1, &[]));
    let mut acc = odd_power(top);
    for &digit in rest.iter().rev() {
        acc = acc.cyclotomic_square();
        if digit > 0 {
            acc *= odd_power(digit);
        } else if digit < 0 {
            acc *= odd_power(digit).conjugate();
        }
    }
    acc
}

/// `f^((q¹² − 1)/r · m)` with `m = 2x(6x² + 3x + 1)` (see the module docs); `None` for `f = 0`
/// (which no Miller loop of valid points produces).
pub fn final_exponentiation(f: &Fq12) -> Option<Gt> {
    // Easy part: f^((q⁶ − 1)(q² + 1)) = (f̄/f)^(q² + 1); the result is cyclotomic.
    let f1 = f.conjugate() * f.inverse()?;
    let f = f1.frobenius_map(2) * f1;
    // Hard part, with m·(q⁴ − q² + 1)/r = λ₀ + λ₁q + λ₂q² + λ₃q³ where
    // λ₀ = 12x³ + 12x² + 6x + 1, λ₁ = 12x³ + 6x² + 4x, λ₂ = 12x³ + 6x² + 6x, λ₃ = λ₁ − 1.
    let fx = cyclotomic_exp_by_x(&f);
    let f2x = fx.cyclotomic_square();
    let f4x = f2x.cyclotomic_square();
    let f6x = f4x * f2x;
    let f6x2 = cyclotomic_exp_by_x(&f6x);
    let f12x2 = f6x2.cyclotomic_square();
    let f12x3 = cyclotomic_exp_by_x(&f12x2);
    let a = f12x3 * f6x2 * f4x; // f^λ₁
    let b = a * f2x; // f^λ₂
    let l0 = b * f6x2 * f; // f^λ₀
    let l3 = a * f.conjugate(); // f^λ₃
    Some(Gt(l0 * a.frobenius_map(1) * b.frobenius_map(2) * l3.frobenius_map(3)))
}

/// The optimal ate pairing `e(P, Q)`. Infinity on either side gives 1.
///
/// The points are assumed valid (on their curves; `Q` in G2 — see [`crate::Affine::is_in_subgroup`]).
/// Invalid points give some value (never a panic); for the degenerate Miller-loop value 0, which
/// valid points never produce, the result is the zero element, which is not 1, so any pairing
/// check built on it fails.
pub fn pairing(p: &G1Affine, q: &G2Affine) -> Gt {
    multi_pairing(&[(*p, *q)])
}

/// `∏ e(Pᵢ, Qᵢ)` with one shared Miller loop and one final exponentiation; pairs with an infinity
/// point are skipped (they contribute 1). See [`pairing`] for invalid inputs.
pub fn multi_pairing(pairs: &[(G1Affine, G2Affine)]) -> Gt {
    final_exponentiation(&multi_miller_loop(pairs)).unwrap_or(Gt(Fq12::ZERO))
}

/// `∏ e(Pᵢ, Qᵢ)` for prepared G2 points (see [`G2Prepared`] and [`multi_pairing`]).
pub fn multi_pairing_prepared<'a, I>(pairs: I) -> Gt
where
    I: IntoIterator<Item = (&'a G1Affine, &'a G2Prepared)>,
{
    final_exponentiation(&multi_miller_loop_prepared(pairs)).unwrap_or(Gt(Fq12::ZERO))
}

/// An element of the pairing's target group `Gt` (the order-`r` subgroup of `F_q¹²*`), written
/// multiplicatively.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Gt(pub Fq12);

impl Gt {
    /// The identity, 1.
    pub const ONE: Self = Self(Fq12::ONE);

    /// Whether this is 1 (what a pairing check compares against).
    pub fn is_one(&self) -> bool {
        self.0.is_one()
    }

    /// The underlying `F_q¹²` element.
    pub const fn as_fq12(&self) -> &Fq12 {
        &self.0
    }

    /// The inverse (the conjugate: `Gt` lies in the cyclotomic subgroup).
    pub fn inverse(&self) -> Self {
        Self(self.0.conjugate())
    }

    /// `self^k` for a scalar `k ∈ F_r` (square-and-multiply over its canonical value).
    pub fn pow(&self, k: &zkprove_field::bn254::Fr) -> Self {
        Self(self.0.pow_limbs(&k.to_canonical_limbs()))
    }

    /// The twelve coefficients in snarkjs's `vk_alphabeta_12` nesting (see [`Fq12::to_nested_coeffs`]).
    pub fn to_nested_coeffs(&self) -> [[[Fq; 2]; 3]; 2] {
        self.0.to_nested_coeffs()
    }

    /// The twelve coefficients as decimal strings, nested as snarkjs writes `vk_alphabeta_12`.
    pub fn to_decimal_strings(&self) -> [[[String; 2]; 3]; 2] {
        self.to_nested_coeffs().map(|c6| c6.map(|c2| c2.map(|c| c.to_decimal_string())))
    }
}

impl Mul for Gt {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        Self(self.0 * rhs.0)
    }
}

impl MulAssign for Gt {
    #[inline]
    fn mul_assign(&mut self, rhs: Self) {
        self.0 *= rhs.0;
    }
}

impl Default for Gt {
    fn default() -> Self {
        Self::ONE
    }
}
