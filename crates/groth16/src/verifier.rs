//! The Groth16 verifier: `e(π_A, π_B) = e(α, β)·e(vk_x, γ)·e(π_C, δ)` checked as one
//! multi-pairing `e(π_A, π_B)·e(−α, β)·e(−vk_x, γ)·e(−π_C, δ) = 1` (one shared final
//! exponentiation), as rapidsnark's `Verifier::verify` does.

use zkprove_circom::{AlphaBeta12, Groth16Header, VerificationKey};
use zkprove_curve::Xyzz;
use zkprove_curve::bn254::{
    G1Affine, G1Config, G1Projective, G2Affine, G2Prepared, Gt, multi_pairing,
    multi_pairing_prepared, pairing,
};
use zkprove_curve::msm::msm_pippenger;
use zkprove_field::PrimeField;
use zkprove_field::bn254::Fr;

use crate::{Groth16Error, Proof};

/// `e(α₁, β₂)` in snarkjs's `vk_alphabeta_12` layout.
pub fn alpha_beta(alpha1: &G1Affine, beta2: &G2Affine) -> AlphaBeta12 {
    pairing(alpha1, beta2).to_decimal_strings()
}

/// The verification key of a proving key, `vk_alphabeta_12` included (what
/// `snarkjs zkey export verificationkey` writes).
pub fn verification_key(header: &Groth16Header, ic: &[G1Affine]) -> VerificationKey {
    VerificationKey {
        n_public: header.n_public,
        alpha1: header.alpha1,
        beta2: header.beta2,
        gamma2: header.gamma2,
        delta2: header.delta2,
        alphabeta_12: alpha_beta(&header.alpha1, &header.beta2),
        ic: ic.to_vec(),
    }
}

/// Checks every point of a verification key is on the curve and in its subgroup, that none of
/// `α, β, γ, δ` is at infinity, that `γ₂ ≠ δ₂`, and that the key's `nPublic` matches its IC.
///
/// # Errors
/// [`Groth16Error::InvalidPoint`] naming the first bad point; [`Groth16Error::PublicInputCount`];
/// [`Groth16Error::VerificationKeyAtInfinity`]; [`Groth16Error::UncontributedVerificationKey`].
pub fn validate_verification_key(vk: &VerificationKey) -> Result<(), Groth16Error> {
    if vk.ic.len() != vk.n_public as usize + 1 {
        return Err(Groth16Error::PublicInputCount {
            expected: vk.n_public as usize,
            got: vk.ic.len().saturating_sub(1),
        });
    }
    check_not_degenerate(vk)?;
    check_g1(&vk.alpha1, "vk_alpha_1")?;
    check_g2(&vk.beta2, "vk_beta_2")?;
    check_g2(&vk.gamma2, "vk_gamma_2")?;
    check_g2(&vk.delta2, "vk_delta_2")?;
    vk.ic.iter().try_for_each(|p| check_g1(p, "IC"))
}

/// Refuses a key with `α`, `β`, `γ` or `δ` at infinity (cheap: four comparisons). With `γ` at
/// infinity `e(vk_x, γ) = 1` whatever the public signals; with `δ` at infinity `π_C` drops out.
/// Also refuses `γ₂ = δ₂` (a key with no phase-2 contribution: snarkjs's `zkey new` sets both to
/// the G2 generator): then `e(vk_x, γ)·e(π_C, δ) = e(vk_x + π_C, γ)`, so `(α, β, −vk_x)` is a
/// proof for any public signals and any proof moves to other signals (`π_C + vk_x − vk_x'`).
fn check_not_degenerate(vk: &VerificationKey) -> Result<(), Groth16Error> {
    let at_infinity = [
        ("vk_alpha_1", vk.alpha1.is_identity()),
        ("vk_beta_2", vk.beta2.is_identity()),
        ("vk_gamma_2", vk.gamma2.is_identity()),
        ("vk_delta_2", vk.delta2.is_identity()),
    ];
    if let Some((what, _)) = at_infinity.into_iter().find(|(_, inf)| *inf) {
        return Err(Groth16Error::VerificationKeyAtInfinity { what });
    }
    if vk.gamma2 == vk.delta2 {
        return Err(Groth16Error::UncontributedVerificationKey { what: "vk_delta_2" });
    }
    Ok(())
}

fn check_g1(p: &G1Affine, what: &'static str) -> Result<(), Groth16Error> {
    if p.is_in_subgroup() { Ok(()) } else { Err(Groth16Error::InvalidPoint { what, group: "G1" }) }
}

fn check_g2(p: &G2Affine, what: &'static str) -> Result<(), Groth16Error> {
    if p.is_in_subgroup() { Ok(()) } else { Err(Groth16Error::InvalidPoint { what, group: "G2" }) }
}

/// Verifies `proof` for the public signals `public` (outputs then public inputs, as in
/// `public.json`). The key's own points are trusted (see [`validate_verification_key`]) except
/// that a key with `α`, `β`, `γ` or `δ` at infinity, or with `γ₂ = δ₂`, is refused (it would
/// accept forged proofs); the proof's points are checked.
///
/// # Errors
/// [`Groth16Error::VerificationKeyAtInfinity`], [`Groth16Error::UncontributedVerificationKey`]
/// for such keys;
/// [`Groth16Error::PublicInputCount`] when `public.len() + 1 ≠ IC.len()`,
/// [`Groth16Error::InvalidPoint`] for proof points off the curve or outside the subgroup, and
/// [`Groth16Error::InvalidProof`] when the pairing equation does not hold.
pub fn verify(vk: &VerificationKey, public: &[Fr], proof: &Proof) -> Result<(), Groth16Error> {
    let vk_x = checked_vk_x(vk, public, proof)?;
    let pairs =
        [(proof.a, proof.b), (-vk.alpha1, vk.beta2), (-vk_x, vk.gamma2), (-proof.c, vk.delta2)];
    if multi_pairing(&pairs).is_one() { Ok(()) } else { Err(Groth16Error::InvalidProof) }
}

/// What [`verify`] checks before the pairings (the key's degeneracy, the number of public
/// signals, the proof's points), and `vk_x = IC[0] + Σ public_i·IC[i]`.
fn checked_vk_x(
    vk: &VerificationKey,
    public: &[Fr],
    proof: &Proof,
) -> Result<G1Affine, Groth16Error> {
    check_proof(vk, public, proof)?;
    Ok((msm_pippenger::<G1Config>(&vk.ic[1..], public)? + vk.ic[0]).to_affine())
}

/// What [`verify`] checks before the pairings: the key's degeneracy, the number of public
/// signals, the proof's points.
fn check_proof(vk: &VerificationKey, public: &[Fr], proof: &Proof) -> Result<(), Groth16Error> {
    check_not_degenerate(vk)?;
    if public.len() + 1 != vk.ic.len() {
        return Err(Groth16Error::PublicInputCount {
            expected: vk.ic.len().saturating_sub(1),
            got: public.len(),
        });
    }
    check_g1(&proof.a, "pi_a")?;
    check_g2(&proof.b, "pi_b")?;
    check_g1(&proof.c, "pi_c")
}

/// A verification key prepared for verifying many proofs (a prover service verifies every proof
/// before releasing it): `e(α, β)` computed once, and the Miller-loop lines of `γ` and `δ`
/// precomputed ([`G2Prepared`]). A proof then costs three Miller loops (one of them with its own
/// line computation for `π_B`) and one final exponentiation, instead of four of each.
#[derive(Clone, Debug)]
pub struct PreparedVerificationKey {
    vk: VerificationKey,
    alpha_beta: Gt,
    gamma: G2Prepared,
    delta: G2Prepared,
    /// Fixed-base tables of `IC[1..]` for `vk_x` ([`IcTables`]); `None` for keys with more than
    /// [`IC_TABLE_MAX_PUBLIC`] public signals (then `vk_x` is a Pippenger MSM, as in [`verify`]).
    ic_tables: Option<IcTables>,
}

/// The most public signals for which a prepared key keeps [`IcTables`] (960 affine points, 61
/// KiB, per signal).
pub const IC_TABLE_MAX_PUBLIC: usize = 64;

/// Bits of a window of [`IcTables`].
const IC_WINDOW_BITS: usize = 4;

/// Windows of a 256-bit scalar.
const IC_WINDOWS: usize = 256 / IC_WINDOW_BITS;

/// Non-zero digits of a window.
const IC_DIGITS: usize = (1 << IC_WINDOW_BITS) - 1;

/// `vk_x = IC[0] + Σ sᵢ·IC[i]` from fixed-base tables: for each `IC[i]` (`i ≥ 1`) and each 4-bit
/// window `j` of a 256-bit scalar, the points `d·2^(4j)·IC[i]` for `d = 1..15` (affine), so that
/// a signal costs one mixed addition per non-zero window (at most 64), with no doubling, instead
/// of a Pippenger MSM (≈ 0.1 ms for one signal, which is most of a verifier's non-pairing work;
/// public signals are often small, with few non-zero windows).
#[derive(Clone, Debug)]
struct IcTables {
    /// `points[i][15·j + d − 1] = d·2^(4j)·IC[i + 1]`.
    points: Vec<Vec<G1Affine>>,
}

impl IcTables {
    fn new(ic: &[G1Affine]) -> Self {
        let points = ic
            .iter()
            .map(|p| {
                let mut all = Vec::with_capacity(IC_WINDOWS * IC_DIGITS);
                let mut base = G1Projective::from(*p);
                for _ in 0..IC_WINDOWS {
                    let mut multiple = base;
                    all.push(multiple);
                    for _ in 1..IC_DIGITS {
                        multiple += base;
                        all.push(multiple);
                    }
                    for _ in 0..IC_WINDOW_BITS {
                        base = base.double();
                    }
                }
                G1Projective::batch_to_affine(&all)
            })
            .collect();
        Self { points }
    }

    /// `IC[0] + Σ public[i]·IC[i + 1]` (the caller checked the lengths).
    fn vk_x(&self, ic0: &G1Affine, public: &[Fr]) -> G1Projective {
        let mut acc = Xyzz::<G1Config>::from(*ic0);
        for (table, s) in self.points.iter().zip(public) {
            for (j, byte) in s.to_bytes_le().iter().enumerate() {
                for (half, digit) in [(0, byte & 0xf), (1, byte >> 4)] {
                    if digit != 0 {
                        let window = 2 * j + half;
                        acc.add_affine_assign(&table[IC_DIGITS * window + usize::from(digit) - 1]);
                    }
                }
            }
        }
        acc.to_projective()
    }
}

impl PreparedVerificationKey {
    /// Prepares `vk` (one pairing and two line precomputations).
    ///
    /// # Errors
    /// [`Groth16Error::VerificationKeyAtInfinity`], [`Groth16Error::UncontributedVerificationKey`]
    /// for keys [`verify`] refuses.
    pub fn new(vk: &VerificationKey) -> Result<Self, Groth16Error> {
        check_not_degenerate(vk)?;
        Ok(Self {
            vk: vk.clone(),
            alpha_beta: pairing(&vk.alpha1, &vk.beta2),
            gamma: G2Prepared::from(&vk.gamma2),
            delta: G2Prepared::from(&vk.delta2),
            ic_tables: (vk.ic.len() <= IC_TABLE_MAX_PUBLIC + 1 && !vk.ic.is_empty())
                .then(|| IcTables::new(&vk.ic[1..])),
        })
    }

    /// The key it was prepared from.
    pub fn verification_key(&self) -> &VerificationKey {
        &self.vk
    }

    /// Verifies `proof` for the public signals `public`, accepting exactly what [`verify`]
    /// accepts: `e(π_A, π_B)·e(−vk_x, γ)·e(−π_C, δ) = e(α, β)`.
    ///
    /// # Errors
    /// As [`verify`].
    pub fn verify(&self, public: &[Fr], proof: &Proof) -> Result<(), Groth16Error> {
        let vk_x = match &self.ic_tables {
            Some(tables) => {
                check_proof(&self.vk, public, proof)?;
                -tables.vk_x(&self.vk.ic[0], public).to_affine()
            }
            None => -checked_vk_x(&self.vk, public, proof)?,
        };
        let neg_c = -proof.c;
        let b = G2Prepared::from(&proof.b);
        let pairs = [(&proof.a, &b), (&vk_x, &self.gamma), (&neg_c, &self.delta)];
        if multi_pairing_prepared(pairs) == self.alpha_beta {
            Ok(())
        } else {
            Err(Groth16Error::InvalidProof)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use zkprove_field::Field;

    /// The fixed-base tables give `IC[0] + Σ sᵢ·IC[i]` as the naive sum of scalar products
    /// does, for scalars with zero, full and partial windows (0, 1, 15, 16, 2^64 − 1, −1 = p − 1,
    /// random) and an IC point at infinity.
    #[test]
    fn ic_tables_match_the_naive_sum() {
        let mut rng = StdRng::seed_from_u64(21);
        let ic = [
            G1Affine::random(&mut rng),
            G1Affine::random(&mut rng),
            G1Affine::identity(),
            G1Affine::random(&mut rng),
        ];
        let tables = IcTables::new(&ic[1..]);
        let scalars = [
            Fr::ZERO,
            Fr::ONE,
            Fr::from_u64(15),
            Fr::from_u64(16),
            Fr::from_u64(u64::MAX),
            -Fr::ONE,
            Fr::random(&mut rng),
            Fr::random(&mut rng),
        ];
        for (k, &s0) in scalars.iter().enumerate() {
            let public = [s0, scalars[(k + 3) % scalars.len()], scalars[(k + 5) % scalars.len()]];
            let naive =
                ic[1..].iter().zip(&public).fold(G1Projective::from(ic[0]), |acc, (p, s)| {
                    acc + G1Projective::from(*p).mul_scalar(s)
                });
            assert_eq!(tables.vk_x(&ic[0], &public).to_affine(), naive.to_affine(), "{k}");
        }
    }
}
