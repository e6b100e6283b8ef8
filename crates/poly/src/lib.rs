//! Number-theoretic transforms for zkprove, behind a backend trait so that the same protocol code
//! runs on the CPU and (later) on GPUs.
//!
//! - [`Backend`]: a zero-sized backend type with its own column type (`Vec<T>` on the CPU).
//! - [`NttOps`]: forward / inverse NTT over a power-of-two subgroup or a coset of it, in natural or
//!   bit-reversed order, on batches of columns; [`CpuBackend`] implements it (radix-2, parallel,
//!   SIMD-packed butterflies, cached twiddles).
//! - [`RowMajorNttOps`] / [`ntt_rows`]: the same transforms on the columns of one row-major
//!   `n × w` matrix, in place (Plonky3's layout), with [`bit_reverse_rows`].
//! - [`naive_dft`]: the O(n²) oracle every fast path is tested against.
//! - [`Polynomial`] (coefficients), [`Evaluations`] on a [`Radix2Domain`] (subgroup or coset).
//! - [`circle`]: the circle group over M31 and the circle FFT ([`CircleFftOps`]), for M31, which
//!   has no large two-adic subgroup; [`RowMajorCircleFftOps`] / [`circle_fft_rows`] run it on the
//!   columns of one row-major matrix in place.
//! - [`Mle`]: multilinear polynomials on the hypercube, with [`eq_table`].

#![forbid(unsafe_code)]

mod backend;
pub mod circle;
mod mle;
mod ntt;
mod ntt_rows;
mod twiddles;
mod univariate;

pub use backend::{
    Backend, Column, ColumnOps, ColumnRef, CpuBackend, DeviceError, DeviceErrorKind, PointwiseOps,
    RangeError,
};
pub use circle::{
    CircleDomain, CircleFftOps, CircleOrder, CirclePoint, RowMajorCircleFftOps, circle_fft_rows,
};
pub use mle::{Mle, eq_table};
pub use ntt::{Direction, NttOps, Order, bit_reverse_permute, coset_move, naive_dft};
pub use ntt_rows::{RowMajorNttOps, bit_reverse_rows, ntt_rows};
pub use twiddles::evict_twiddles;
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
    /// A row-major matrix whose length is not a multiple of its width (or a zero width for a
    /// non-empty matrix).
    #[error("a row-major matrix of {len} elements does not split into rows of width {width}")]
    RowMajorShape {
        /// The number of elements given.
        len: usize,
        /// The row width given.
        width: usize,
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
    /// A circle domain size outside `1 ≤ log_n ≤ max_log_n`.
    #[error("circle domain of size 2^{log_n}: log size must be in 1..={max_log_n}")]
    CircleDomainSize {
        /// log2 of the size asked for.
        log_n: usize,
        /// The largest supported log2 size.
        max_log_n: usize,
    },
    /// A point that does not satisfy `x² + y² = 1`.
    #[error("point is not on the circle x² + y² = 1")]
    NotOnCircle,
    /// A twin coset whose halves meet (the shift doubled lies in the half coset's subgroup).
    #[error("twin coset is degenerate: its two halves meet")]
    DegenerateCircleDomain,
    /// A column whose length is not the size of its domain.
    #[error("column of length {got} on a domain of size {domain_size}")]
    DomainSizeMismatch {
        /// The domain's size.
        domain_size: usize,
        /// The column's length.
        got: usize,
    },
    /// A backend that runs elsewhere (a GPU: driver, kernel build, device memory) failed; the
    /// caller can retry on the CPU (see [`DeviceError::kind`]).
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// A low-degree extension to a smaller domain.
    #[error("low-degree extension from 2^{from_log_n} to the smaller 2^{to_log_n}")]
    LdeShrinks {
        /// log2 of the source size.
        from_log_n: usize,
        /// log2 of the target size.
        to_log_n: usize,
    },
}
