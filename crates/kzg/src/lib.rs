//! KZG polynomial commitments over BN254 (Kate, Zaverucha, Goldberg, ASIACRYPT 2010).
//!
//! - [`Srs`]: the reference string `[τ^i]₁`, `[τ^j]₂`, with the G1 powers prepared once as MSM
//!   bases for a backend ([`MsmOps`](zkprove_curve::MsmOps), the CPU by default) and `[1]₂`,
//!   `[τ]₂` prepared for the pairing. Made from a snarkjs powers-of-tau file
//!   ([`Srs::from_ptau_file`], reading only the powers needed) or, for tests only, from a known τ
//!   ([`Srs::insecure_for_tests`]).
//! - [`Srs::commit`] (one MSM), [`Srs::open`] / [`Srs::verify`] (one 2-pairing product),
//!   multi-point openings of one polynomial ([`Srs::open_multi`], vanishing-polynomial method,
//!   needs `[τ^k]₂` for `k` points), batch openings of many polynomials at one point
//!   ([`Srs::open_batch`], with a caller-supplied Fiat–Shamir challenge γ) and batch
//!   verification of many openings with random linear combinations ([`Srs::verify_many`]).
//!
//! Polynomials are [`Polynomial<Fr>`](zkprove_poly::Polynomial) in coefficient form, lowest
//! degree first. A polynomial of higher degree than the SRS is an error
//! ([`KzgError::DegreeTooLarge`]), never a panic, and a failed check is
//! [`KzgError::VerificationFailed`].
//!
//! Verifiers take commitments and proofs as [`G1Affine`](zkprove_curve::bn254::G1Affine) points
//! and check they are on the curve (G1 has cofactor 1, so that is membership in the group).
//!
//! ```
//! use zkprove_field::{Field, bn254::Fr};
//! use zkprove_kzg::Srs;
//! use zkprove_poly::Polynomial;
//!
//! # fn main() -> Result<(), zkprove_kzg::KzgError> {
//! // Tests only: a real SRS comes from a ceremony (`Srs::from_ptau_file`).
//! let srs: Srs = Srs::insecure_for_tests(15, Fr::from_u64(12345))?;
//! let p = Polynomial::new((1..=16).map(Fr::from_u64).collect());
//! let commitment = srs.commit(&p)?;
//! let z = Fr::from_u64(7);
//! let (y, proof) = srs.open(&p, z)?;
//! srs.verify(&commitment, z, y, &proof)?;
//! assert!(srs.verify(&commitment, z, y + Fr::ONE, &proof).is_err());
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

mod error;
mod scheme;
mod srs;

pub use error::{KzgError, Result};
pub use scheme::OpeningClaim;
pub use srs::{INSECURE_MAX_POINTS, Srs};
