//! The crate's error type.

use zkprove_circom::CircomError;
use zkprove_curve::MsmError;
use zkprove_poly::PolyError;

/// Everything that can go wrong setting up, committing, opening or verifying.
///
/// A proof that does not verify is [`KzgError::VerificationFailed`]: an `Err`, never a panic.
#[derive(Debug, thiserror::Error)]
pub enum KzgError {
    /// A polynomial of higher degree than the reference string supports.
    #[error("polynomial of degree {degree} exceeds the SRS's maximum degree {max_degree}")]
    DegreeTooLarge {
        /// The polynomial's degree.
        degree: usize,
        /// The largest degree the SRS can commit to.
        max_degree: usize,
    },
    /// A multi-point opening at more points than the SRS's G2 powers allow.
    #[error(
        "opening at {n_points} points needs [τ^{n_points}]₂; this SRS supports at most {max_points} points"
    )]
    TooManyPoints {
        /// The number of points asked for.
        n_points: usize,
        /// The most the SRS supports.
        max_points: usize,
    },
    /// An opening at no point (or a batch of nothing) where one is needed.
    #[error("{what}: nothing to open or verify")]
    Empty {
        /// Which operation.
        what: &'static str,
    },
    /// The same point twice in a multi-point opening.
    #[error("point {index} repeats an earlier point of the opening")]
    RepeatedPoint {
        /// Index of the repeated point.
        index: usize,
    },
    /// Slices that must have the same length do not.
    #[error("{what}: expected {expected} entries, got {got}")]
    LengthMismatch {
        /// Which inputs.
        what: &'static str,
        /// The expected length.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A curve point given to a verifier is not on the curve.
    #[error("{what} is not a point of the curve")]
    InvalidPoint {
        /// Which point ("commitment", "proof", ...).
        what: &'static str,
    },
    /// The powers given for an SRS are not a usable reference string.
    #[error("invalid SRS: {reason}")]
    InvalidSrs {
        /// What is wrong with it.
        reason: String,
    },
    /// The pairing check failed: the opening is wrong.
    #[error("KZG verification failed: {what}")]
    VerificationFailed {
        /// Which check ("opening", "multi-point opening", "batch opening", ...).
        what: &'static str,
    },
    /// The batch-opening challenge `γ` came out zero: with `γ = 0` only the first claim would be
    /// checked, so the opening is refused (probability `2^−254` for honest inputs).
    #[error("batch opening: the combination challenge γ is zero")]
    ZeroChallenge,
    /// Reading the powers of tau failed.
    #[error(transparent)]
    Ptau(#[from] CircomError),
    /// An MSM backend failed.
    #[error(transparent)]
    Msm(#[from] MsmError),
    /// A polynomial operation failed.
    #[error(transparent)]
    Poly(#[from] PolyError),
}

/// The crate's result type.
pub type Result<T, E = KzgError> = core::result::Result<T, E>;
