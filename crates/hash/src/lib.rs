//! Hashing for zkprove's small-field proving stack.
//!
//! - [`Poseidon2`]: the Poseidon2 permutation, generic over the field and the width, one state or
//!   `F::Packing::WIDTH` states at once; the standard instances of Plonky3 0.8 (BabyBear 16/24,
//!   KoalaBear 16/24, M31 16, Goldilocks 8/12), their round constants regenerated here from the Grain LFSR.
//! - [`MerkleTree`] over rows of field elements with openings and verification, built layer by
//!   layer through a backend's [`MerkleOps`]; [`Poseidon2Merkle`]: a Poseidon2 sponge with a
//!   leaf tag (domain separation, row length) + Plonky3's truncated-permutation compression.
//! - [`PoseidonBn254`]: circomlib's `Poseidon(n)` over BN254 Fr, constants regenerated from the
//!   Grain LFSR exactly as circomlibjs's tables were.
//! - [`Transcript`]: a Fiat–Shamir duplex sponge over Poseidon2, with base- and extension-field
//!   challenges.

#![forbid(unsafe_code)]

mod grain;
mod merkle;
mod poseidon2;
mod poseidon_bn254;
mod transcript;

pub use merkle::{
    MerkleError, MerkleHash, MerkleOpening, MerkleOps, MerklePath, MerkleTree, Poseidon2Merkle,
    leaf_tag,
};
pub use poseidon_bn254::PoseidonBn254;
pub use poseidon2::Poseidon2;
pub use transcript::Transcript;

/// Errors from building hashes, Merkle trees and transcripts, and from verifying openings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// A permutation width the construction does not support.
    #[error("unsupported permutation width {width}")]
    UnsupportedWidth {
        /// The width asked for.
        width: usize,
    },
    /// An S-box degree other than 3, 5 or 7.
    #[error("unsupported S-box degree {degree} (expected 3, 5 or 7)")]
    UnsupportedSboxDegree {
        /// The degree asked for.
        degree: u64,
    },
    /// A slice or table of the wrong length.
    #[error("expected length {expected}, got {got}")]
    WrongLength {
        /// The length required.
        expected: usize,
        /// The length given.
        got: usize,
    },
}
