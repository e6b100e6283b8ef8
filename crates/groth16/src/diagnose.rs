//! Telling a corrupt proving key from a witness that does not satisfy the circuit, after a proof
//! failed verification ([`key_fault`]): what `zkprove groth16 prove` and a proving service run on
//! that failure path only, so that the happy path pays nothing.

use std::path::Path;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_circom::{CircomError, G1Query, ZkeyReader};
use zkprove_curve::bn254::{G1Affine, G1Config, G2Affine, G2Config, multi_pairing};
use zkprove_curve::msm::msm_pippenger;
use zkprove_field::Field;
use zkprove_field::bn254::Fr;

/// Looks for a fault of the proving key at `zkey` that its own points show:
/// - every B2 point in G2's prime-order subgroup (streamed, in parallel; G1 points and the
///   header's are checked whenever the key is read);
/// - B1 and B2 holding the same values `[v_i(τ)]₁`, `[v_i(τ)]₂`: a random combination of each
///   must pair the same, `e(Σ ρ_i·B1_i, g₂) = e(g₁, Σ ρ_i·B2_i)`; on a mismatch, halving the range
///   finds the first point that differs (a changed or replaced point of either section).
///
/// `Ok(())` when neither shows a fault: a changed coefficient or a replaced point of A, C, H or IC
/// cannot be told from a witness that does not satisfy the circuit without the circuit itself.
///
/// # Errors
/// The fault found, naming the file, the section and the point ([`CircomError`]), or why the key
/// could not be read.
pub fn key_fault(zkey: &Path) -> Result<(), CircomError> {
    let mut reader = ZkeyReader::open(zkey)?;
    reader.check_b2_subgroup()?;
    let b1 = reader.g1_query(G1Query::B1)?;
    let b2 = reader.b2()?;
    match first_b1_b2_mismatch(&b1, &b2) {
        None => Ok(()),
        Some(index) => Err(CircomError::InconsistentPoints {
            file: zkey.display().to_string(),
            sections: "sections 6 (B1) and 7 (B2)",
            index: index as u64,
            reason: "B1 and B2 hold different values (a point of one of them was changed)",
        }),
    }
}

/// The first index where `[v]₁ = b1[i]` and `[v']₂ = b2[i]` have `v ≠ v'`, by random linear
/// combinations checked with one pairing each, halving the range that differs (`None` when every
/// pair matches, up to a chance of about `log₂ n / r`).
fn first_b1_b2_mismatch(b1: &[G1Affine], b2: &[G2Affine]) -> Option<usize> {
    let mut rng = StdRng::from_os_rng();
    let mut differs = |range: std::ops::Range<usize>| -> bool {
        let rho: Vec<Fr> = (0..range.len()).map(|_| Fr::random(&mut rng)).collect();
        let (Ok(x), Ok(y)) = (
            msm_pippenger::<G1Config>(&b1[range.clone()], &rho),
            msm_pippenger::<G2Config>(&b2[range], &rho),
        ) else {
            return false;
        };
        let pairs =
            [(x.to_affine(), G2Affine::generator()), (-G1Affine::generator(), y.to_affine())];
        !multi_pairing(&pairs).is_one()
    };
    let n = b1.len().min(b2.len());
    if !differs(0..n) {
        return None;
    }
    let mut range = 0..n;
    while range.len() > 1 {
        let mid = range.start + range.len() / 2;
        range = if differs(range.start..mid) { range.start..mid } else { mid..range.end };
    }
    Some(range.start)
}
