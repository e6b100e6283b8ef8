//! Finite fields for zkprove.
//!
//! - [`Field`], [`PrimeField`], [`PrimeField64`], [`TwoAdicField`], [`ExtensionField`]: the traits,
//!   following the math.
//! - [`PackedField`]: SIMD lanes of a field, AVX2 / AVX-512 for the small fields, chosen at run
//!   time by [`Field::with_packing`] (`Field::Packing` is the compile-time choice);
//!   [`ntt_packed`]: NTT butterflies on any packing, dispatched at run time.
//! - BN254 [`bn254::Fr`] and [`bn254::Fq`] (4×64-bit Montgomery), [`goldilocks::Goldilocks`] and its
//!   quadratic extension, [`babybear::BabyBear`] and [`koalabear::KoalaBear`] with their quartic
//!   extensions (both a [`monty31::MontyField31`]: one generic 31-bit Montgomery field, scalar and
//!   packed, whose instances are a parameter type of three constants), [`m31::M31`] with
//!   [`m31::CM31`] and [`m31::QM31`].
//! - [`BinomialExtension`]: `F[X]/(X^D − W)` for any field.
//! - [`batch_inverse`]: Montgomery's trick, parallel, zeros kept; [`packed_ext`]: quartic
//!   extensions on SIMD lanes and the batch inversion of quartic extension elements on them.

pub mod babybear;
mod batch_inverse;
pub mod bn254;
pub mod cpu;
mod decimal;
mod extension;
pub mod goldilocks;
pub mod int8;
pub mod koalabear;
pub mod m31;
pub mod monty31;
pub mod ntt_packed;
mod packed;
pub mod packed_ext;
mod traits;

pub use batch_inverse::{batch_inverse, batch_inverse_in_place};
pub use extension::{BinomialExtension, BinomialParams};
pub use packed::{PackedField, PackedKernel, exp_small, packing_width};
pub use traits::{
    ExtensionField, Field, NttKernels, PrimeField, PrimeField64, Radix4Kernel, TwoAdicField,
};

/// Errors from parsing or building field elements.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// A value that is not below the modulus where a canonical one was required.
    #[error("value {value} is not a canonical field element (not below the modulus)")]
    NotCanonical {
        /// The value as given.
        value: String,
    },
    /// A string that is not a non-negative decimal integer.
    #[error("{value:?} is not a decimal integer")]
    InvalidDecimal {
        /// The string as given.
        value: String,
    },
    /// A slice of the wrong length.
    #[error("expected {expected} elements, got {got}")]
    WrongLength {
        /// The length required.
        expected: usize,
        /// The length given.
        got: usize,
    },
}
