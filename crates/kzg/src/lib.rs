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
//!   ([`Srs::open_batch`], the challenge γ derived inside by [`batch_challenge`]) and batch
//!   verification of many openings with the verifier's random linear combinations
//!   ([`Srs::verify_many`], which takes a cryptographic generator, `CryptoRng + RngCore`).
//!
//! # Formulas
//! - Commitment `C = [p(τ)]₁`; opening at `z`: `y = p(z)`, `π = [(p(τ) − y)/(τ − z)]₁`; check
//!   `e(C − [y]₁ + z·π, [1]₂) = e(π, [τ]₂)` (Kate, Zaverucha, Goldberg, "Constant-size
//!   commitments to polynomials and their applications", ASIACRYPT 2010, §3.2).
//! - Multi-point opening at `z₁ … z_k`: `π = [⌊p/Z⌋(τ)]₁`, `Z = Π(X − zᵢ)`, check
//!   `e(C − [I(τ)]₁, [1]₂) = e(π, [Z(τ)]₂)` with `I` the interpolant (KZG10 §3.4).
//! - Batch opening of `p₁ … p_n` at one `z`: `γ = H(C₁ … C_n, z, y₁ … y_n)` (SHA-256,
//!   [`batch_challenge`]; `γ = 0` refused), one opening of `Σ γ^{i−1}·pᵢ` checked against
//!   `Σ γ^{i−1}·Cᵢ` and `Σ γ^{i−1}·yᵢ` (the batching of Boneh, Drake, Fisch, Gabizon,
//!   "Efficient polynomial commitment schemes for multiple points and polynomials", 2020, §3, and
//!   of PLONK, Gabizon, Williamson, Ciobotaru, 2019). A wrong `yᵢ` survives only if `γ` is a root
//!   of a non-zero polynomial of degree `< n`: `(n − 1)/r` per hash query (random oracle).
//! - Many openings: `e(Σ rᵢ·(Cᵢ − [yᵢ]₁ + zᵢ·πᵢ), [1]₂) = e(Σ rᵢ·πᵢ, [τ]₂)` with the verifier's
//!   random `rᵢ`: a wrong opening survives with probability `1/r`.
//!
//! # Security
//! Evaluation binding (no two openings of one commitment at one point) rests on the
//! `q`-strong Diffie–Hellman assumption in BN254 (Boneh, Boyen, EUROCRYPT 2004; KZG10 Theorem
//! 3.2), with `q` the SRS degree, or in the algebraic group model on `q`-DLOG (Fuchsbauer, Kiltz,
//! Loss, CRYPTO 2018); the Fiat–Shamir challenge `γ` needs SHA-256 modelled as a random oracle.
//! Its level is BN254's: about **100–110 bits** since the exTNFS attacks on its pairing target
//! group (Kim, Barbulescu, CRYPTO 2016; Barbulescu, Duquesne, "Updating key size estimations for
//! pairings", J. Cryptology 2019), less a further `log2 q / 2` for `q`-SDH with large `q`
//! (Cheon, EUROCRYPT 2006) — not the 128 bits once claimed for 254-bit curves. The SRS must come
//! from a ceremony whose `τ` nobody knows ([`Srs::from_ptau_file`]); with a known `τ` anything
//! opens to anything.
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
pub use scheme::{OpeningClaim, batch_challenge};
pub use srs::{INSECURE_MAX_POINTS, Srs};
