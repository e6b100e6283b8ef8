//! The structured reference string: `[τ^i]₁` for `i = 0 … d` and `[τ^j]₂` for `j = 0 … k`.

use std::collections::HashSet;
use std::path::Path;

use rand::Rng;
use rayon::prelude::*;
use zkprove_circom::{Ptau, PtauPowers};
use zkprove_curve::bn254::{G1Affine, G1Config, G2Affine, G2Prepared, multi_pairing_prepared};
use zkprove_curve::msm::msm_pippenger;
use zkprove_curve::{MsmOps, Projective, fixed_base_batch};
use zkprove_field::Field;
use zkprove_field::bn254::Fr;
use zkprove_poly::CpuBackend;

use crate::error::{KzgError, Result};

/// The most points [`Srs::insecure_for_tests`] supports in one multi-point opening (it makes
/// that many `[τ^j]₂` powers, plus one).
pub const INSECURE_MAX_POINTS: usize = 64;

/// A KZG reference string over BN254 with its bases prepared for the MSM backend `B`.
///
/// Holds `[τ^i]₁` for `i = 0 … max_degree` (as affine points and as the backend's prepared MSM
/// bases: prepare once, commit many times) and `[τ^j]₂` for `j = 0 … max_points` (at least
/// `[1]₂` and `[τ]₂`, both also prepared for the pairing's Miller loop). `[1]₁ = [τ^0]₁` and
/// `[1]₂ = [τ^0]₂` need not be the standard generators; everything is relative to them.
pub struct Srs<B: MsmOps<G1Config> = CpuBackend> {
    pub(crate) powers_g1: Vec<G1Affine>,
    pub(crate) bases: B::Bases,
    pub(crate) powers_g2: Vec<G2Affine>,
    pub(crate) g2_prepared: G2Prepared,
    pub(crate) tau_g2_prepared: G2Prepared,
}

impl<B: MsmOps<G1Config>> core::fmt::Debug for Srs<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Srs")
            .field("backend", &B::NAME)
            .field("max_degree", &self.max_degree())
            .field("max_points", &self.max_points())
            .finish_non_exhaustive()
    }
}

impl<B: MsmOps<G1Config>> Srs<B> {
    /// An SRS from explicit powers: `powers_g1 = [τ^0]₁ … [τ^d]₁` and
    /// `powers_g2 = [τ^0]₂ … [τ^k]₂` with `k ≥ 1`.
    ///
    /// Checks that the points are on their curves, the G2 points in their subgroup, that
    /// `[1]₁`, `[1]₂`, `[τ]₂` are not infinity, and — one 2-pairing product — that
    /// `e([τ]₁, [1]₂) = e([1]₁, [τ]₂)` when `d ≥ 1`. It does not check every power (that is
    /// [`Srs::check_powers`], two MSMs).
    ///
    /// # Errors
    /// [`KzgError::InvalidSrs`] naming the defect; backend errors from preparing the bases.
    pub fn from_powers(powers_g1: Vec<G1Affine>, powers_g2: Vec<G2Affine>) -> Result<Self> {
        let invalid = |reason: &str| KzgError::InvalidSrs { reason: reason.to_owned() };
        let (Some(g1), Some((g2, tau_g2))) =
            (powers_g1.first(), powers_g2.first().zip(powers_g2.get(1)))
        else {
            return Err(invalid("needs at least [1]₁, [1]₂ and [τ]₂"));
        };
        if g1.is_identity() || g2.is_identity() || tau_g2.is_identity() {
            return Err(invalid("[1]₁, [1]₂ or [τ]₂ is the point at infinity"));
        }
        if let Some(i) = powers_g1.par_iter().position_first(|p| !p.is_on_curve()) {
            return Err(KzgError::InvalidSrs {
                reason: format!("[τ^{i}]₁ is not on the curve")
            });
        }
        if let Some(i) =
            powers_g2.par_iter().position_first(|p| !p.is_on_curve() || !p.is_in_subgroup())
        {
            return Err(KzgError::InvalidSrs {
                reason: format!("[τ^{i}]₂ is not in G2 (off the curve or outside the subgroup)"),
            });
        }
        let g2_prepared = G2Prepared::from(g2);
        let tau_g2_prepared = G2Prepared::from(tau_g2);
        if let Some(tau_g1) = powers_g1.get(1) {
            // e([τ]₁, [1]₂) · e(−[1]₁, [τ]₂) = 1
            let neg_g1 = -*g1;
            let product =
                multi_pairing_prepared([(tau_g1, &g2_prepared), (&neg_g1, &tau_g2_prepared)]);
            if !product.is_one() {
                return Err(invalid("e([τ]₁, [1]₂) ≠ e([1]₁, [τ]₂): G1 and G2 powers disagree"));
            }
        }
        let bases = B::prepare_bases(powers_g1.clone())?;
        Ok(Self { powers_g1, bases, powers_g2, g2_prepared, tau_g2_prepared })
    }

    /// An SRS from powers read out of a ptau file (see [`Ptau::read_powers`]).
    ///
    /// # Errors
    /// As [`Srs::from_powers`].
    pub fn from_ptau(powers: PtauPowers) -> Result<Self> {
        Self::from_powers(powers.tau_g1, powers.tau_g2)
    }

    /// Reads an SRS for polynomials of degree `≤ max_degree`, opened at up to `max_points`
    /// points at once, from a snarkjs `.ptau` file (plain or prepared for phase 2), reading only
    /// `[τ^0..=max_degree]₁` and `[τ^0..=max(max_points, 1)]₂`. A ptau of power `p` supports
    /// `max_degree ≤ 2·2^p − 2` and `max_points ≤ 2^p − 1`.
    ///
    /// # Errors
    /// [`KzgError::Ptau`] for a foreign, truncated or too small file; as [`Srs::from_powers`].
    pub fn from_ptau_file(
        path: impl AsRef<Path>,
        max_degree: usize,
        max_points: usize,
    ) -> Result<Self> {
        let n_g1 = max_degree
            .checked_add(1)
            .ok_or_else(|| KzgError::InvalidSrs { reason: "max_degree overflows".to_owned() })?;
        let n_g2 = max_points.max(1).saturating_add(1);
        Self::from_ptau(Ptau::read_powers(path, n_g1, n_g2)?)
    }

    /// **For tests and benchmarks only: τ is known, so anyone can forge openings.** The SRS of
    /// the secret `tau` for degree `≤ max_degree` and up to
    /// `min(max_degree + 1,` [`INSECURE_MAX_POINTS`]`)` points per multi-point opening (at least
    /// 1). Fixed-base multiplications with an 8-bit window table, in parallel.
    ///
    /// # Errors
    /// [`KzgError::InvalidSrs`] for `tau = 0`; backend errors from preparing the bases.
    pub fn insecure_for_tests(max_degree: usize, tau: Fr) -> Result<Self> {
        if tau.is_zero() {
            return Err(KzgError::InvalidSrs { reason: "τ = 0".to_owned() });
        }
        let n_g1 = max_degree
            .checked_add(1)
            .ok_or_else(|| KzgError::InvalidSrs { reason: "max_degree overflows".to_owned() })?;
        let n_g2 = n_g1.clamp(1, INSECURE_MAX_POINTS) + 1;
        let powers = tau.powers(n_g1);
        let powers_g1 = fixed_base_batch::<G1Config>(&powers);
        let powers_g2 = fixed_base_batch(&powers[..n_g2.min(n_g1)])
            .into_iter()
            .chain(
                // n_g1 = 1: one more power than the G1 side has.
                (n_g1..n_g2).map(|i| (Projective::generator() * tau.pow(i as u64)).to_affine()),
            )
            .collect();
        Self::from_powers(powers_g1, powers_g2)
    }

    /// The same SRS cut down to degree `≤ max_degree` (fewer prepared bases: cheaper commits of
    /// short polynomials) and up to `max_points` points.
    ///
    /// # Errors
    /// [`KzgError::DegreeTooLarge`] / [`KzgError::TooManyPoints`] past this SRS's sizes.
    pub fn trim(&self, max_degree: usize, max_points: usize) -> Result<Self> {
        if max_degree > self.max_degree() {
            return Err(KzgError::DegreeTooLarge {
                degree: max_degree,
                max_degree: self.max_degree(),
            });
        }
        if max_points > self.max_points() {
            return Err(KzgError::TooManyPoints {
                n_points: max_points,
                max_points: self.max_points(),
            });
        }
        let powers_g1 = self.powers_g1[..=max_degree].to_vec();
        let powers_g2 = self.powers_g2[..=max_points.max(1)].to_vec();
        let bases = B::prepare_bases(powers_g1.clone())?;
        Ok(Self {
            powers_g1,
            bases,
            powers_g2,
            g2_prepared: self.g2_prepared.clone(),
            tau_g2_prepared: self.tau_g2_prepared.clone(),
        })
    }

    /// The largest degree this SRS commits to.
    pub fn max_degree(&self) -> usize {
        self.powers_g1.len() - 1
    }

    /// The most points one multi-point opening ([`Srs::open_multi`]) may have: the number of G2
    /// powers beyond `[1]₂`, capped at `max_degree + 1`.
    pub fn max_points(&self) -> usize {
        (self.powers_g2.len() - 1).min(self.powers_g1.len())
    }

    /// `[τ^0]₁ … [τ^max_degree]₁`.
    pub fn powers_g1(&self) -> &[G1Affine] {
        &self.powers_g1
    }

    /// `[τ^0]₂ … [τ^k]₂` (`k ≥ 1`).
    pub fn powers_g2(&self) -> &[G2Affine] {
        &self.powers_g2
    }

    /// The backend's prepared bases (the G1 powers).
    pub fn bases(&self) -> &B::Bases {
        &self.bases
    }

    /// Checks that every power really is the next power of the same τ, with random linear
    /// combinations (`r` from `rng`):
    /// `e(Σ rᵢ·[τ^i]₁, [τ]₂) = e(Σ rᵢ·[τ^(i+1)]₁, [1]₂)` over `i < max_degree`, and
    /// `e([τ]₁, Σ sⱼ·[τ^j]₂) = e([1]₁, Σ sⱼ·[τ^(j+1)]₂)` over the G2 powers. Two G1 MSMs of
    /// `max_degree` points, two small G2 MSMs and two 2-pairing products: run it once on an SRS
    /// from an untrusted file. A wrong power passes with probability about `1/r`.
    ///
    /// # Errors
    /// [`KzgError::InvalidSrs`] when a power is inconsistent.
    pub fn check_powers<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<()> {
        let g1 = &self.powers_g1;
        if g1.len() >= 2 {
            let r: Vec<Fr> = (0..g1.len() - 1).map(|_| Fr::random(rng)).collect();
            let lo = msm_pippenger(&g1[..g1.len() - 1], &r)?.to_affine();
            let hi = -msm_pippenger(&g1[1..], &r)?.to_affine();
            let ok =
                multi_pairing_prepared([(&lo, &self.tau_g2_prepared), (&hi, &self.g2_prepared)])
                    .is_one();
            if !ok {
                return Err(KzgError::InvalidSrs {
                    reason: "the G1 powers are not successive powers of τ".to_owned(),
                });
            }
        }
        let g2 = &self.powers_g2;
        if let Some(tau_g1) = g1.get(1)
            && g2.len() >= 3
        {
            let s: Vec<Fr> = (0..g2.len() - 1).map(|_| Fr::random(rng)).collect();
            let lo = G2Prepared::from(msm_pippenger(&g2[..g2.len() - 1], &s)?.to_affine());
            let hi = G2Prepared::from(msm_pippenger(&g2[1..], &s)?.to_affine());
            let neg_g1 = -g1[0];
            if !multi_pairing_prepared([(tau_g1, &lo), (&neg_g1, &hi)]).is_one() {
                return Err(KzgError::InvalidSrs {
                    reason: "the G2 powers are not successive powers of τ".to_owned(),
                });
            }
        }
        Ok(())
    }
}

/// Errors with [`KzgError::RepeatedPoint`] unless the points are distinct.
pub(crate) fn check_distinct(points: &[Fr]) -> Result<()> {
    let mut seen = HashSet::with_capacity(points.len());
    for (index, p) in points.iter().enumerate() {
        if !seen.insert(*p) {
            return Err(KzgError::RepeatedPoint { index });
        }
    }
    Ok(())
}
