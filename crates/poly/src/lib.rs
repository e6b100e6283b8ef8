//! Number-theoretic transforms for zkprove, behind a backend trait so that the same protocol code
//! runs on the CPU and (later) on GPUs.
//!
//! - [`Backend`]: a zero-sized backend type with its own column type (`Vec<T>` on the CPU).
//! - [`NttOps`]: forward / inverse NTT over a power-of-two subgroup or a coset of it, in natural or
//!   bit-reversed order, on batches of columns; [`CpuBackend`] implements it (radix-2, parallel,
//!   SIMD-packed butterflies, cached twiddles).
//! - [`naive_dft`]: the O(n²) oracle every fast path is tested against.
//! - [`Polynomial`] (coefficients), [`Evaluations`] on a [`Radix2Domain`] (subgroup or coset).
//! - [`Mle`]: multilinear polynomials on the hypercube, with [`eq_table`].

#![forbid(unsafe_code)]

mod backend;
mod mle;
mod ntt;
mod twiddles;
mod univariate;

pub use backend::{Backend, CpuBackend};
pub use mle::{Mle, eq_table};
pub use ntt::{Direction, NttOps, Order, bit_reverse_permute, naive_dft};
pub use univariate::{Evaluations, Polynomial, Radix2Domain};

/// Errors from polynomial and NTT operations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolyError {
    /// A column whose length is not a power of two.
    #[error("NTT length {len} is not a power of two")]
    NotPowerOfTwo {
        /// The length given.
        len: usize,
    },
    /// A size beyond the field's two-adic subgroup.
    #[error("NTT of size 2^{log_n} exceeds the field's two-adicity {two_adicity}")]
    TooLarge {
        /// log2 of the size asked for.
        log_n: usize,
        /// The field's two-adicity.
        two_adicity: usize,
    },
    /// Columns of one batch with different lengths.
    #[error("columns of one batch differ in length: {expected} vs {got}")]
    LengthMismatch {
        /// Length of the first column.
        expected: usize,
        /// Length of the offending column.
        got: usize,
    },
    /// A coset shift of zero (the coset would not be a coset).
    #[error("coset shift must be non-zero")]
    ZeroShift,
    /// Interpolation points that are not distinct.
    #[error("interpolation point {index} repeats an earlier one")]
    RepeatedPoint {
        /// Index of the repeated point.
        index: usize,
    },
}
