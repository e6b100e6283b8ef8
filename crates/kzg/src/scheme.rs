//! Commit, open and verify (Kate, Zaverucha, Goldberg, "Constant-size commitments to polynomials
//! and their applications", ASIACRYPT 2010), with the batch variants.

use std::borrow::Cow;

use rand::{CryptoRng, RngCore};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use zkprove_curve::bn254::{
    G1Affine, G1Config, G1Projective, G2Prepared, G2Projective, multi_pairing_prepared,
};
use zkprove_curve::msm::msm_pippenger;
use zkprove_curve::{MsmOps, Projective};
use zkprove_field::bn254::Fr;
use zkprove_field::{Field, PrimeField};
use zkprove_poly::{PolyError, Polynomial};

use crate::error::{KzgError, Result};
use crate::srs::{Srs, check_distinct};

/// One claimed opening `p(point) = value` of a committed polynomial, with its proof: the unit of
/// [`Srs::verify_many`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpeningClaim {
    /// `[p(τ)]₁`.
    pub commitment: G1Affine,
    /// The point `z`.
    pub point: Fr,
    /// The claimed value `p(z)`.
    pub value: Fr,
    /// `[(p(τ) − p(z))/(τ − z)]₁`.
    pub proof: G1Affine,
}

fn check_on_curve(p: &G1Affine, what: &'static str) -> Result<()> {
    if p.is_on_curve() { Ok(()) } else { Err(KzgError::InvalidPoint { what }) }
}

/// The domain separator of [`batch_challenge`].
const BATCH_DOMAIN: &[u8] = b"zkprove-kzg/bn254/batch-opening/v1";

/// The combination challenge `γ` of a batch opening at one point, by Fiat–Shamir with SHA-256:
/// `seed = SHA-256(domain ‖ n ‖ C₁ ‖ … ‖ C_n ‖ z ‖ y₁ ‖ … ‖ y_n)` (commitments as affine `x ‖ y`
/// in 32-byte little-endian, infinity as zeros; `z` and the values as 32-byte little-endian;
/// `n` as 8 bytes), then `γ = (SHA-256(seed ‖ 0) ‖ SHA-256(seed ‖ 1)) mod r` (512 bits, so the
/// bias is below `2^−258`). Every commitment, the point and every value are bound, so `γ` is
/// fixed only after the prover has committed to all of them.
///
/// # Errors
/// [`KzgError::ZeroChallenge`] when `γ = 0` (it would check the first claim only).
pub fn batch_challenge(commitments: &[G1Affine], z: Fr, values: &[Fr]) -> Result<Fr> {
    let mut hasher = Sha256::new();
    hasher.update(BATCH_DOMAIN);
    hasher.update((commitments.len() as u64).to_le_bytes());
    for c in commitments {
        hasher.update(c.x.to_bytes_le());
        hasher.update(c.y.to_bytes_le());
    }
    hasher.update(z.to_bytes_le());
    hasher.update((values.len() as u64).to_le_bytes());
    for v in values {
        hasher.update(v.to_bytes_le());
    }
    let seed = hasher.finalize();
    let mut wide = [0u8; 64];
    for (i, half) in wide.chunks_mut(32).enumerate() {
        half.copy_from_slice(&Sha256::new().chain_update(seed).chain_update([i as u8]).finalize());
    }
    let gamma = Fr::from_bytes_le_mod_order(&wide);
    if gamma.is_zero() { Err(KzgError::ZeroChallenge) } else { Ok(gamma) }
}

/// `Π (X − zᵢ)`, lowest coefficient first.
fn vanishing_polynomial(points: &[Fr]) -> Polynomial<Fr> {
    let mut z = vec![Fr::ONE];
    for &p in points {
        // z ← z·(X − p)
        z.push(Fr::ZERO);
        for i in (0..z.len()).rev() {
            let lower = if i > 0 { z[i - 1] } else { Fr::ZERO };
            z[i] = lower - p * z[i];
        }
    }
    Polynomial::new(z)
}

impl<B: MsmOps<G1Config>> Srs<B> {
    fn check_degree(&self, poly: &Polynomial<Fr>) -> Result<()> {
        match poly.degree() {
            Some(degree) if degree > self.max_degree() => {
                Err(KzgError::DegreeTooLarge { degree, max_degree: self.max_degree() })
            }
            _ => Ok(()),
        }
    }

    /// `Σ coeffs[i]·[τ^i]₁` on the backend: the coefficients are zero-padded to the prepared
    /// bases' length (zero scalars cost the CPU backend only a scan; [`Srs::trim`] makes a
    /// smaller SRS for short polynomials).
    fn msm_coeffs(&self, coeffs: &[Fr]) -> Result<G1Affine> {
        let n = self.powers_g1.len();
        let scalars: Cow<'_, [Fr]> = if coeffs.len() == n {
            Cow::Borrowed(coeffs)
        } else {
            let mut v = vec![Fr::ZERO; n];
            let used = coeffs.len().min(n);
            v[..used].copy_from_slice(&coeffs[..used]);
            Cow::Owned(v)
        };
        Ok(B::msm(&self.bases, &scalars)?.to_affine())
    }

    /// The commitment `[p(τ)]₁ = Σ cᵢ·[τ^i]₁` (one MSM on the backend). Trailing zero
    /// coefficients beyond the SRS are allowed; the zero polynomial commits to infinity.
    ///
    /// # Errors
    /// [`KzgError::DegreeTooLarge`] when `deg p > max_degree`; backend errors.
    pub fn commit(&self, poly: &Polynomial<Fr>) -> Result<G1Affine> {
        self.check_degree(poly)?;
        self.msm_coeffs(poly.coeffs())
    }

    /// Opens `p` at `z`: returns `y = p(z)` and the proof `π = [q(τ)]₁` with
    /// `q = (p − y)/(X − z)` (synthetic division, whose remainder is `y`).
    ///
    /// # Errors
    /// As [`Srs::commit`].
    pub fn open(&self, poly: &Polynomial<Fr>, z: Fr) -> Result<(Fr, G1Affine)> {
        self.check_degree(poly)?;
        let (quotient, y) = poly.divide_by_linear(z);
        Ok((y, self.msm_coeffs(quotient.coeffs())?))
    }

    /// Checks an opening: `e(C − y·[1]₁ + z·π, [1]₂) · e(−π, [τ]₂) = 1`, i.e.
    /// `e(C − [y]₁, [1]₂) = e(π, [τ − z]₂)`, one 2-pairing product with both G2 points prepared.
    ///
    /// # Errors
    /// [`KzgError::VerificationFailed`] when the opening is wrong; [`KzgError::InvalidPoint`]
    /// for a commitment or proof off the curve.
    pub fn verify(&self, commitment: &G1Affine, z: Fr, y: Fr, proof: &G1Affine) -> Result<()> {
        check_on_curve(commitment, "commitment")?;
        check_on_curve(proof, "proof")?;
        let g1 = Projective::from(self.powers_g1[0]);
        let lhs =
            (Projective::from(*commitment) - g1 * y + Projective::from(*proof) * z).to_affine();
        self.pairing_check(&lhs, proof, "opening")
    }

    /// `e(lhs, [1]₂) · e(−π, [τ]₂) = 1`.
    fn pairing_check(&self, lhs: &G1Affine, proof: &G1Affine, what: &'static str) -> Result<()> {
        let neg_proof = -*proof;
        let product =
            multi_pairing_prepared([(lhs, &self.g2_prepared), (&neg_proof, &self.tau_g2_prepared)]);
        if product.is_one() { Ok(()) } else { Err(KzgError::VerificationFailed { what }) }
    }

    /// Opens `p` at several distinct points `z₁ … z_k` with one proof: returns the values
    /// `p(zᵢ)` and `π = [q(τ)]₁`, `q = ⌊p / Z⌋` with `Z = Π (X − zᵢ)` (k successive synthetic
    /// divisions, O(k·deg p); the remainder is the interpolant `I` of the values).
    ///
    /// Multi-point openings use the vanishing-polynomial method (Kate et al. §3.4, "batch
    /// opening"): the verifier needs `[Z(τ)]₂`, so the SRS must hold `[τ^k]₂` ([`Srs::max_points`]).
    /// For openings at more points, or of different polynomials at different points, open each
    /// point separately and check them together with [`Srs::verify_many`].
    ///
    /// # Errors
    /// [`KzgError::Empty`] for no point; [`KzgError::TooManyPoints`];
    /// [`KzgError::RepeatedPoint`]; as [`Srs::commit`].
    pub fn open_multi(&self, poly: &Polynomial<Fr>, points: &[Fr]) -> Result<(Vec<Fr>, G1Affine)> {
        self.check_points(points)?;
        self.check_degree(poly)?;
        let values = points.par_iter().map(|&z| poly.evaluate(z)).collect();
        let mut quotient = Cow::Borrowed(poly);
        for &z in points {
            quotient = Cow::Owned(quotient.divide_by_linear(z).0);
        }
        Ok((values, self.msm_coeffs(quotient.coeffs())?))
    }

    fn check_points(&self, points: &[Fr]) -> Result<()> {
        if points.is_empty() {
            return Err(KzgError::Empty { what: "multi-point opening" });
        }
        if points.len() > self.max_points() {
            return Err(KzgError::TooManyPoints {
                n_points: points.len(),
                max_points: self.max_points(),
            });
        }
        check_distinct(points)
    }

    /// Checks a multi-point opening from [`Srs::open_multi`]:
    /// `e(C − [I(τ)]₁, [1]₂) · e(−π, [Z(τ)]₂) = 1`, with `I` the interpolant of
    /// `(pointsᵢ, valuesᵢ)` (O(k²)) and `Z = Π (X − pointsᵢ)`; `[I(τ)]₁` and `[Z(τ)]₂` are small
    /// MSMs over the SRS powers.
    ///
    /// # Errors
    /// [`KzgError::VerificationFailed`]; [`KzgError::LengthMismatch`] when the values do not
    /// match the points; as [`Srs::open_multi`] for the points; [`KzgError::InvalidPoint`].
    pub fn verify_multi(
        &self,
        commitment: &G1Affine,
        points: &[Fr],
        values: &[Fr],
        proof: &G1Affine,
    ) -> Result<()> {
        check_on_curve(commitment, "commitment")?;
        check_on_curve(proof, "proof")?;
        self.check_points(points)?;
        if values.len() != points.len() {
            return Err(KzgError::LengthMismatch {
                what: "values of a multi-point opening",
                expected: points.len(),
                got: values.len(),
            });
        }
        let interpolant = Polynomial::interpolate(points, values).map_err(|e| match e {
            PolyError::RepeatedPoint { index } => KzgError::RepeatedPoint { index },
            e => KzgError::Poly(e),
        })?;
        let k = points.len();
        // deg I < k ≤ max_points ≤ max_degree + 1, so the G1 powers suffice.
        let i_tau: G1Projective = msm_pippenger(&self.powers_g1[..k], interpolant.coeffs())?;
        let z = vanishing_polynomial(points);
        let z_tau: G2Projective = msm_pippenger(&self.powers_g2[..=k], z.coeffs())?;
        let lhs = (Projective::from(*commitment) - i_tau).to_affine();
        let neg_proof = -*proof;
        let z_prepared = G2Prepared::from(z_tau.to_affine());
        let product =
            multi_pairing_prepared([(&lhs, &self.g2_prepared), (&neg_proof, &z_prepared)]);
        if product.is_one() {
            Ok(())
        } else {
            Err(KzgError::VerificationFailed { what: "multi-point opening" })
        }
    }

    /// Opens several polynomials at one point `z` with one proof: returns the values `pᵢ(z)` and
    /// the proof of `h = Σ γ^i·pᵢ` at `z` (its value is `Σ γ^i·pᵢ(z)`), with the combination
    /// challenge `γ` derived by [`batch_challenge`] from `commitments` (the polynomials'
    /// commitments, in the same order), `z` and the values — the prover cannot choose it.
    ///
    /// # Errors
    /// [`KzgError::Empty`] for no polynomial; [`KzgError::LengthMismatch`] when the commitments
    /// do not match the polynomials; [`KzgError::ZeroChallenge`] (probability `2^−254`); as
    /// [`Srs::commit`] for any polynomial.
    pub fn open_batch(
        &self,
        polys: &[Polynomial<Fr>],
        commitments: &[G1Affine],
        z: Fr,
    ) -> Result<(Vec<Fr>, G1Affine)> {
        if polys.is_empty() {
            return Err(KzgError::Empty { what: "batch opening" });
        }
        if commitments.len() != polys.len() {
            return Err(KzgError::LengthMismatch {
                what: "commitments of a batch opening",
                expected: polys.len(),
                got: commitments.len(),
            });
        }
        for p in polys {
            self.check_degree(p)?;
        }
        let values: Vec<Fr> = polys.par_iter().map(|p| p.evaluate(z)).collect();
        let gamma = batch_challenge(commitments, z, &values)?;
        let len = polys.iter().map(|p| p.coeffs().len()).max().unwrap_or(0);
        // h = Σ γ^i·pᵢ, by Horner over the polynomials (last first).
        let mut h = vec![Fr::ZERO; len];
        for p in polys.iter().rev() {
            h.par_iter_mut().enumerate().for_each(|(j, hj)| {
                *hj = *hj * gamma + p.coeffs().get(j).copied().unwrap_or(Fr::ZERO);
            });
        }
        let (quotient, _) = Polynomial::new(h).divide_by_linear(z);
        Ok((values, self.msm_coeffs(quotient.coeffs())?))
    }

    /// Checks a batch opening from [`Srs::open_batch`]: derives `γ` with [`batch_challenge`]
    /// (refusing `γ = 0`, which would check the first claim only) and checks the single opening
    /// of `Σ γ^i·Cᵢ` at `z` to `Σ γ^i·yᵢ` (one small MSM, one 2-pairing product). If some
    /// `yᵢ ≠ pᵢ(z)`, the combined claim is true only when `γ` is a root of a non-zero polynomial
    /// of degree `< n`: probability `≤ (n − 1)/r` per hash query of the prover (`r ≈ 2^254`),
    /// on top of KZG's evaluation binding (q-SDH).
    ///
    /// # Errors
    /// [`KzgError::VerificationFailed`]; [`KzgError::Empty`]; [`KzgError::LengthMismatch`] when
    /// the values do not match the commitments; [`KzgError::InvalidPoint`];
    /// [`KzgError::ZeroChallenge`].
    pub fn verify_batch(
        &self,
        commitments: &[G1Affine],
        z: Fr,
        values: &[Fr],
        proof: &G1Affine,
    ) -> Result<()> {
        if commitments.is_empty() {
            return Err(KzgError::Empty { what: "batch opening" });
        }
        if values.len() != commitments.len() {
            return Err(KzgError::LengthMismatch {
                what: "values of a batch opening",
                expected: commitments.len(),
                got: values.len(),
            });
        }
        for c in commitments {
            check_on_curve(c, "commitment")?;
        }
        check_on_curve(proof, "proof")?;
        let gamma = batch_challenge(commitments, z, values)?;
        let gammas = gamma.powers(commitments.len());
        let c = msm_pippenger(commitments, &gammas)?;
        let y = values.iter().zip(&gammas).fold(Fr::ZERO, |acc, (v, g)| acc + *v * *g);
        let g1 = Projective::from(self.powers_g1[0]);
        let lhs = (c - g1 * y + Projective::from(*proof) * z).to_affine();
        self.pairing_check(&lhs, proof, "batch opening")
    }

    /// Checks many single openings (any commitments, any points) with one 2-pairing product:
    /// with independent random `rᵢ` drawn from `rng` (the verifier's own randomness, never the
    /// prover's: a cryptographic generator, e.g. `rand::rngs::OsRng` or a `StdRng` seeded from
    /// it),
    /// `e(Σ rᵢ·(Cᵢ − yᵢ·[1]₁ + zᵢ·πᵢ), [1]₂) · e(−Σ rᵢ·πᵢ, [τ]₂) = 1`.
    /// If any opening is wrong this fails except with probability `1/r` (`r ≈ 2^254`, the
    /// group order: a non-zero linear form in the `rᵢ` vanishes with that probability). Costs two MSMs of
    /// about `2n` and `n` points instead of `n` pairing products.
    ///
    /// # Errors
    /// [`KzgError::VerificationFailed`] when some opening is wrong (it does not say which: check
    /// them one by one with [`Srs::verify`] to find it); [`KzgError::Empty`];
    /// [`KzgError::InvalidPoint`].
    pub fn verify_many<R: CryptoRng + RngCore + ?Sized>(
        &self,
        claims: &[OpeningClaim],
        rng: &mut R,
    ) -> Result<()> {
        if claims.is_empty() {
            return Err(KzgError::Empty { what: "batch verification" });
        }
        for c in claims {
            check_on_curve(&c.commitment, "commitment")?;
            check_on_curve(&c.proof, "proof")?;
        }
        let r: Vec<Fr> = claims.iter().map(|_| Fr::random(rng)).collect();
        let n = claims.len();
        let mut bases = Vec::with_capacity(2 * n + 1);
        let mut scalars = Vec::with_capacity(2 * n + 1);
        let mut y = Fr::ZERO;
        for (c, &ri) in claims.iter().zip(&r) {
            bases.push(c.commitment);
            scalars.push(ri);
            bases.push(c.proof);
            scalars.push(ri * c.point);
            y += ri * c.value;
        }
        bases.push(self.powers_g1[0]);
        scalars.push(-y);
        let lhs = msm_pippenger(&bases, &scalars)?.to_affine();
        let proofs: Vec<G1Affine> = claims.iter().map(|c| c.proof).collect();
        let combined_proof = msm_pippenger(&proofs, &r)?.to_affine();
        self.pairing_check(&lhs, &combined_proof, "batch verification")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vanishing_polynomial_vanishes() {
        let points: Vec<Fr> = (1..6).map(Fr::from_u64).collect();
        let z = vanishing_polynomial(&points);
        assert_eq!(z.degree(), Some(5));
        for p in &points {
            assert!(z.evaluate(*p).is_zero());
        }
        assert_eq!(z.evaluate(Fr::ZERO), -Fr::from_u64(120));
    }
}
