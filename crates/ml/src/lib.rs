//! zkML: proofs that a quantized neural network produced its output.
//!
//! - [`onnx`]: ONNX files (a `prost` subset of `onnx.proto`) into a chain of dense layers
//!   ([`FloatModel`]): `Gemm`, `MatMul`, `Add` (bias and residual), `Relu`, `Flatten`/`Reshape`.
//! - [`quant`]: int8 weights (per tensor or per channel), int8 activations, exact integer
//!   accumulators with a checked no-overflow bound, requantization; the integer reference.
//! - [`pcs`]: a Ligero/Brakedown-style multilinear commitment over M31 (circle code, Poseidon2-M31
//!   Merkle trees), its parameters and security level.
//! - [`proof`]: commit (the weights, once per model), prove and verify one inference.
//! - [`matmul`]: commit `A` once, prove and verify one int8 product `C = A·B` of two `n × n`
//!   matrices (Thaler's matmul sumcheck).
//!
//! # Protocol (see [`proof`])
//! The weights and biases of every layer are committed once, as one multilinear polynomial. A
//! proof sends every requantized layer's integer sums `T = M·z + 2^(s−1)` (+ residual) in the
//! clear — the verifier recomputes the activations `clamp(⌊T/2^s⌋, lo, hi)` from them, so the
//! requantization, the remainder range and the clamp/ReLU need no proof — and then proves, with
//! sumchecks over M31 tables and QM31 challenges drawn from a Poseidon2 transcript that has
//! absorbed the model parameters, the quantized input, the claimed output and the sums:
//! 1. every matrix product `z = W·a + b` against the sums (Thaler's two-phase matmul sumcheck,
//!    restricted to a random row combination);
//! 2. all evaluation claims on the weights, batched by one sumcheck and opened once.
//!
//! Proof size for the 64→1024→1024→10 MLP (1.1 M parameters): 196 kB, of which the weights'
//! opening is 188 kB (one 4096-entry QM31 row, 93 columns of 276 M31 values, the Merkle
//! multi-proof; field elements packed in 31 bits); the sums are 6 kB (minimal bit width) and
//! the sumcheck messages 2.5 kB.
//!
//! # What comes next, and where it fits
//! - `Conv` as an im2col matrix product: the phase-1 sumcheck's input table becomes the im2col
//!   matrix, whose evaluation claim reduces to the previous activation through the (public)
//!   im2col index map.
//! - Wide activations (batches, sequences): the sums in the clear grow with the activations; a
//!   layered GKR would instead carry one claim on `T` per layer (already the layer loop's
//!   shape) and prove the ranges with LogUp lookups against a small table.
//! - `Softmax`, `LayerNormalization`, `SiLU`/`GELU`: a per-layer table lookup (LogUp with batch
//!   inversion), computed by the verifier from the sums while activations are in the clear.
//! - GPU: commit and prove are generic over [`MlBackend`] ([`CommittedModel::new_on`],
//!   [`prove_on`], [`matmul::CommittedMatrix::new_on`], [`matmul::prove_matmul_on`]);
//!   zkprove-gpu implements it for CUDA and OpenCL, the CPU backend is the oracle, and a proof
//!   is the same bytes on every backend (`crates/gpu/tests/ml_opencl.rs`, on PoCL in CI). On the
//!   backend: the circle code of the committed rows (`RowMajorCircleFftOps`) and the
//!   Poseidon2-M31 Merkle tree of the commitment (`MerkleOps`); the MLE folds and round
//!   evaluations (fused fold + next round) of every sumcheck through `SumcheckOps`: both matmul
//!   phases of every layer, the `C = A·B` sumcheck, and the batched weight-opening sumcheck (its
//!   first, base×extension round by [`MlBackend::product_first_round`]: `f` read in M31 on the
//!   CPU, lifted on a GPU). Still CPU code on every backend: the quantized forward pass and the
//!   int8 GEMM ([`matmul::product`], [`matmul::matvec_i8`]), the requantization sums, the
//!   restrictions that build the sumcheck tables (`u = eᵀ·W`, `W̃(·, σ)`, `Ã(r₁, ·)`,
//!   `B̃(·, r₂)`), the eq tables and their scatter into the opening batch's table, the opening's
//!   row combination `eq(z_hi)ᵀ·T`, the proof-of-work grinding, the Merkle multi-proof (from the
//!   tree's layers, downloaded once at commit time), SHA-256 of `B` and `C`, the transcript, and
//!   the verifier. Tables are uploaded per sumcheck (the weights are not kept on the device
//!   between proofs).
//!
//! Soundness: ≥ 100 bits, computed by [`proof::security_bits`] (see [`pcs`] for the commitment's
//! bound and its sources — proximity gaps up to the unique-decoding radius for the circle code, a
//! generalized Reed–Solomon subcode, lifted to tensor combinations: `(1 − δ/2)^t` with
//! `δ = 15/16`, 93 queries and 16 bits of proof of work, 100.9 bits; every sumcheck round adds
//! `degree/|QM31|`).

#![forbid(unsafe_code)]

pub mod backend;
pub mod matmul;
pub mod onnx;
pub mod pcs;
pub mod proof;
pub mod quant;
pub mod transcript;

pub use backend::MlBackend;
pub use onnx::{FloatLayer, FloatModel, decode_onnx, load_onnx};
pub use proof::{CommittedModel, ModelCommitment, Proof, prove, prove_on, verify};
pub use quant::{QuantConfig, QuantLayer, QuantModel, Requant, Residual, Trace};

/// Errors of this crate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MlError {
    /// A file could not be read.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// A file is not a valid ONNX protobuf (truncated, or not ONNX).
    #[error("{path}: not a readable ONNX model: {reason}")]
    Decode {
        /// The file.
        path: String,
        /// The decoder's message.
        reason: String,
    },
    /// An operator this crate does not prove.
    #[error("unsupported operator {op} at node {node}")]
    UnsupportedOperator {
        /// The operator (`op_type`).
        op: String,
        /// The node's name (or `#index`).
        node: String,
    },
    /// A tensor that cannot be read.
    #[error("tensor {tensor:?} (node {node}): {reason}")]
    InvalidTensor {
        /// The tensor's name.
        tensor: String,
        /// The node that uses it.
        node: String,
        /// What is wrong.
        reason: String,
    },
    /// A model that is not a chain of dense layers.
    #[error("invalid model: {reason}")]
    InvalidModel {
        /// What is wrong.
        reason: String,
    },
    /// A model whose integer arithmetic could leave the exact range of M31.
    #[error("layer {layer} could overflow: {reason}")]
    Overflow {
        /// The layer.
        layer: usize,
        /// Which bound fails.
        reason: String,
    },
    /// An input of the wrong length.
    #[error("input has {got} values, the model takes {expected}")]
    InputLength {
        /// The model's input width.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// An input or claimed output that cannot be used.
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What is wrong.
        reason: String,
    },
    /// A commitment (file) that is malformed or does not fit the model.
    #[error("invalid commitment: {reason}")]
    InvalidCommitment {
        /// What is wrong.
        reason: String,
    },
    /// Proof bytes that do not parse.
    #[error("malformed proof: {reason}")]
    MalformedProof {
        /// What is wrong.
        reason: String,
    },
    /// A proof that fails a check.
    #[error("proof rejected: {check}")]
    Rejected {
        /// The failed check.
        check: String,
    },
    /// A backend (GPU) operation failed: out of memory, no device, driver or kernel build
    /// ([`zkprove_poly::DeviceError::kind`] tells them apart; the CPU backend never fails).
    #[error(transparent)]
    Device(#[from] zkprove_poly::DeviceError),
    /// A failure of a lower layer that valid inputs do not cause (hashing, FFT, sumcheck).
    #[error("internal error: {reason}")]
    Internal {
        /// The lower layer's message.
        reason: String,
    },
}

impl MlError {
    /// Whether this error means "the proof is invalid" (as opposed to unusable inputs).
    pub fn is_rejection(&self) -> bool {
        matches!(self, Self::Rejected { .. } | Self::MalformedProof { .. })
    }
}
