//! The Fiat–Shamir transcript: [`zkprove_hash::Transcript`] over Poseidon2-M31 width 16, rate 8.

use zkprove_field::m31::M31;
use zkprove_hash::{Poseidon2, Transcript};

use crate::MlError;

/// The transcript type.
pub type Challenger = Transcript<M31, 16, 8>;

/// A fresh transcript with this crate's protocol label.
///
/// # Errors
/// Never for the standard instance; typed for completeness.
pub fn new_transcript() -> Result<Challenger, MlError> {
    Transcript::with_label(Poseidon2::m31_16(), b"zkprove-ml/v1")
        .map_err(|e| MlError::Internal { reason: e.to_string() })
}
