//! Groth16 for circom circuits, compatible with snarkjs and rapidsnark: the prover reads a snarkjs
//! `.zkey` and a `.wtns` (through `zkprove-circom`) and makes proofs that `snarkjs groth16 verify`
//! accepts; the verifier checks snarkjs's proofs with one multi-pairing.
//!
//! ## What the prover computes (snarkjs `groth16_prove.js`, rapidsnark `groth16.cpp`)
//! With `n` the zkey's domain size and `w` the witness:
//! 1. `a = A·w`, `b = B·w` over the domain rows, from the zkey's coefficient section;
//!    `c = a ∘ b` (the C matrix is never read: on a satisfying witness `C·w = a ∘ b`).
//! 2. Each of `a, b, c`: inverse NTT on the size-`n` domain (snarkjs's roots of unity), multiply
//!    coefficient `i` by `ω_{2n}^i`, forward NTT: the values on the odd coset `ω_{2n}·H`.
//! 3. `h_j = a_j·b_j − c_j` on that coset. These are *not* the coefficients of
//!    `h = (AB − C)/Z`: the zkey's H points are `[L_{2j+1}(τ)/δ]₁` for the size-`2n` Lagrange
//!    basis, so the MSM `Σ h_j·H_j` gives `[h(τ)Z(τ)/δ]₁` directly (on the odd coset `Z = −2` is a
//!    constant folded into the setup). Any other method gives proofs that fail.
//! 4. Five MSMs — A, B1 (G1), B2 (G2), C (private signals only), H — and the blinding with random
//!    `r, s`: `π_A = A·w + α + rδ`, `π_B = B₂·w + β + sδ`,
//!    `π_C = C·w + H·h + s·π_A + r·(B₁·w + β₁ + sδ₁) − rs·δ₁`.
//!
//! ## Test keys
//! [`setup`] makes a proving key and a witness in memory (**insecure**: the toxic waste is known),
//! for tests and benchmarks of any size without a ceremony or a `.zkey` file.
//!
//! ## One proof for every backend
//! The prover is written once, generic over a [`Groth16Backend`] (NTTs, element-wise arithmetic,
//! MSMs over backend columns, the key's sparse matrices): [`Groth16Prover`] and
//! [`StreamingProver`] make the same proof on the CPU (`zkprove_poly::CpuBackend`, implemented
//! here) and on a GPU (`zkprove_gpu::GpuBackend`, whose crate implements this crate's traits;
//! this crate does not depend on any GPU crate). A proof uploads the witness once
//! ([`zkprove_poly::ColumnOps::upload`]), computes steps 1–3 on backend columns ([`quotient`]:
//! matrix products, the coset moves, `a·b − c`), starts the five MSMs over the witness column
//! (C from an offset into it, [`zkprove_poly::ColumnRef`]) and `h`
//! ([`zkprove_curve::MsmOps::msm_enqueue`]) and waits for their results once
//! ([`PendingProof::finish`]). On a GPU the key's queries, matrices and coset tables are resident,
//! the proof's kernels are queued back to back with one host wait, and only each MSM's window
//! sums (a few dozen points) come back: no `n`-sized array returns to the host.
//! [`Groth16Prover::prove_stream`] proves a sequence of witnesses from one thread with the next
//! proof queued before the current one is waited for on an asynchronous backend (the device busy
//! while the host verifies). [`Groth16Prover::h_scalars`] reads `h` back for tests;
//! [`cpu_quotient`] computes it on the CPU, the reference a GPU backend is tested against.
//!
//! ## Security
//! Groth16 (Groth, EUROCRYPT 2016) is knowledge-sound in the generic bilinear group model (and
//! perfectly zero-knowledge: every proof takes fresh `r, s` from the operating system's
//! generator), provided the setup's toxic waste (τ, α, β, γ, δ) is destroyed: keys from
//! [`setup`] are **insecure** (test keys), real keys come from a ceremony (snarkjs). The level is
//! that of the pairing over BN254: about 100 bits after the exTNFS attacks on its 254-bit base field
//! (Kim–Barbulescu 2016; estimates run 100–110 bits), not the 128 its name once suggested; the
//! discrete logarithm in the 254-bit prime-order groups alone would give ~127. The verifier checks
//! every proof point on the curve and in its prime-order subgroup, and refuses verification keys
//! with α, β, γ or δ at infinity (which accept forged proofs) or with `γ₂ = δ₂` (a key with no
//! phase-2 contribution: snarkjs's `zkey new` sets both to the generator, and then
//! `e(vk_x, γ)·e(C, δ) = e(vk_x + C, γ)`, so `(A, B, C) = (α, β, −vk_x)` proves any public
//! signals); `zkprove-circom` refuses both when it reads a zkey or `verification_key.json`
//! (`tests/degenerate_key.rs` forges the proofs such keys would accept). The check is
//! `e(A, B) = e(α, β)·e(vk_x, γ)·e(C, δ)`, `vk_x = IC₀ + Σ sᵢ·ICᵢ` (Groth 2016, §3.2). The tests
//! tamper with each proof point and each public signal and see the proof rejected
//! (`tests/snarkjs.rs`, `tests/setup.rs`).

#![forbid(unsafe_code)]

mod diagnose;
mod matrix;
mod prover;
pub mod setup;
mod stream;
mod verifier;

pub use diagnose::key_fault;
pub use matrix::SparseMatrix;
pub use prover::{
    CpuMatrices, Groth16Backend, Groth16Prover, KeyUse, PendingProof, QapMatrix, QueryMsms,
    StreamingProver, check_matrix_rows, coset_shift, cpu_quotient, quotient,
};
pub use stream::ProofStream;
pub use verifier::{
    PreparedVerificationKey, alpha_beta, validate_verification_key, verification_key, verify,
};
pub use zkprove_circom::{Proof, VerificationKey};

use zkprove_circom::CircomError;
use zkprove_curve::MsmError;
use zkprove_poly::{DeviceError, PolyError, RangeError};

/// Errors from proving and verifying.
#[derive(Debug, thiserror::Error)]
pub enum Groth16Error {
    /// A file could not be read or is not what it claims (names the file and section).
    #[error(transparent)]
    Format(#[from] CircomError),
    /// The witness does not have one value per signal of the circuit.
    #[error("invalid witness length: the circuit has {expected} signals, the witness {got}")]
    WitnessLength {
        /// The zkey's `nVars`.
        expected: usize,
        /// The witness's length.
        got: usize,
    },
    /// The number of public signals does not match the verification key.
    #[error("wrong number of public signals: the verification key expects {expected}, got {got}")]
    PublicInputCount {
        /// `IC.len() − 1`.
        expected: usize,
        /// The number given.
        got: usize,
    },
    /// A proof or key point is not on the curve or not in the prime-order subgroup.
    #[error("{what} is not a valid point of the BN254 {group} subgroup")]
    InvalidPoint {
        /// Which point (`"pi_b"`, `"vk_gamma_2"`, …).
        what: &'static str,
        /// `"G1"` or `"G2"`.
        group: &'static str,
    },
    /// A verification key with `α`, `β`, `γ` or `δ` at infinity: a pairing of the check is then
    /// 1 and, with `γ` or `δ` at infinity, forged proofs pass for any public signals.
    #[error(
        "the verification key's {what} is the point at infinity: such a key accepts forged proofs"
    )]
    VerificationKeyAtInfinity {
        /// Which point (`"vk_alpha_1"`, `"vk_beta_2"`, `"vk_gamma_2"`, `"vk_delta_2"`).
        what: &'static str,
    },
    /// A verification key with `γ₂ = δ₂`: a key with no phase-2 contribution (snarkjs's `zkey
    /// new` sets both to the G2 generator), with which `(α, β, −vk_x)` is a proof for any public
    /// signals and any proof can be moved to other public signals.
    #[error(
        "the verification key's {what} equals vk_gamma_2 (no phase-2 contribution): such a key \
         accepts forged proofs for any public signals"
    )]
    UncontributedVerificationKey {
        /// Which point (`"vk_delta_2"`).
        what: &'static str,
    },
    /// The pairing equation does not hold.
    #[error("the proof does not verify")]
    InvalidProof,
    /// The domain is beyond `2^28`, BN254's two-adicity.
    #[error("domain size 2^{log_n} is beyond BN254's 2^28")]
    DomainTooLarge {
        /// `log2` of the zkey's domain size.
        log_n: usize,
    },
    /// An NTT failed.
    #[error("NTT failed: {0}")]
    Ntt(#[from] PolyError),
    /// An MSM failed.
    #[error("MSM failed: {0}")]
    Msm(#[from] MsmError),
    /// A constraint system [`setup::setup`] cannot make a key for, or a synthetic circuit's
    /// parameters out of range.
    #[error("invalid circuit: {reason}")]
    InvalidCircuit {
        /// What is wrong.
        reason: String,
    },
    /// The backend (a GPU) failed: out of memory, no device, a driver or kernel-build failure.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// A column range outside its column (an internal inconsistency of sizes).
    #[error(transparent)]
    Range(#[from] RangeError),
    /// A key's A or B matrix without one row per point of the domain.
    #[error("matrices of {a_rows} and {b_rows} rows for a domain of 2^{log_n} points")]
    MatrixShape {
        /// Rows of A.
        a_rows: usize,
        /// Rows of B.
        b_rows: usize,
        /// log2 of the domain size.
        log_n: usize,
    },
}

impl Groth16Error {
    /// The device error behind this one, if a backend failed.
    pub fn device_error(&self) -> Option<&DeviceError> {
        match self {
            Groth16Error::Device(e) => Some(e),
            Groth16Error::Msm(MsmError::Device(e)) => Some(e),
            Groth16Error::Ntt(PolyError::Device(e)) => Some(e),
            _ => None,
        }
    }

    /// Whether a backend ran out of device memory (the same proof may succeed alone, or on the
    /// CPU).
    pub fn is_out_of_memory(&self) -> bool {
        self.device_error().is_some_and(DeviceError::is_out_of_memory)
    }
}
