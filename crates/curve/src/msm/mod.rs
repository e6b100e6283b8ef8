//! Multi-scalar multiplication `Σ sᵢ·Pᵢ`.
//!
//! [`MsmOps`] is the backend trait: a backend first prepares a set of bases (on a GPU: uploads them
//! once and keeps them resident; on the CPU: optionally precomputes multiples), then runs any number
//! of MSMs against them — the shape of Groth16 proving, where the zkey's bases are fixed and only the
//! scalars change. [`msm_naive`] is the oracle every implementation is tested against.

mod buckets;
mod cpu;
mod digits;
mod glv;
mod lanes;

pub use cpu::{
    BucketMode, CpuBases, Endomorphism, MAX_AUTO_WINDOW_BITS, MAX_PRECOMPUTATION, PippengerConfig,
    msm_pippenger, msm_pippenger_with, window_bits,
};
pub(crate) use glv::{BN254_G1_GLV, BN254_G2_GLV};
pub use glv::{GLV_HALF_BITS, GlvParams};
pub(crate) use lanes::{
    BatchAddKernel, batch_add_generic_fq_adx, batch_add_generic_fq2_adx, batch_add_generic_scalar,
    batch_double_scalar,
};

use rand::Rng;
use rayon::prelude::*;
use zkprove_field::Field;
use zkprove_poly::{ColumnOps, ColumnRef, DeviceError, RangeError};

use crate::sw::{Affine, Projective, SwCurve};

/// Errors from multi-scalar multiplication.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MsmError {
    /// The numbers of scalars and bases differ.
    #[error("MSM over {n_bases} bases was given {n_scalars} scalars")]
    LengthMismatch {
        /// Number of bases.
        n_bases: usize,
        /// Number of scalars.
        n_scalars: usize,
    },
    /// The backend could not run the MSM (device error, out of memory, …).
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// A scalar whose GLV split does not fit the windows of bases precomputed for it (never for
    /// this crate's curves: the tests check the bound).
    #[error("a scalar has no GLV split within the precomputed windows")]
    GlvSplit,
    /// A sub-range of a scalar column outside it.
    #[error(transparent)]
    Range(#[from] RangeError),
}

/// Multi-scalar multiplication on a backend, over scalars in a backend column.
///
/// An MSM is started with [`MsmOps::msm_enqueue`] and its result taken with
/// [`MsmOps::msm_finish`]: a GPU queues the kernels and the read-back of a few points and returns,
/// so that several MSMs (a Groth16 proof's five) run back to back with one wait; the CPU computes
/// the MSM in `msm_enqueue`. [`MsmOps::msm_column`] does both; [`MsmOps::msm`] takes host scalars.
pub trait MsmOps<C: SwCurve>: ColumnOps<C::Scalar> {
    /// Bases in the backend's own form (resident on a device, or with precomputed multiples).
    type Bases: Send + Sync;

    /// An MSM started by [`MsmOps::msm_enqueue`], its result not yet read.
    type PendingMsm: Send;

    /// Takes a set of bases into the backend's form. Points at infinity and repeated points are
    /// allowed.
    ///
    /// # Errors
    /// When the backend cannot hold them (device memory).
    fn prepare_bases(bases: Vec<Affine<C>>) -> Result<Self::Bases, MsmError>;

    /// The number of prepared bases.
    fn n_bases(bases: &Self::Bases) -> usize;

    /// Starts `Σ scalars[i]·bases[i]` over scalars in a backend column (a view of one: e.g. the
    /// witness from an offset).
    ///
    /// # Errors
    /// [`MsmError::LengthMismatch`] unless there is exactly one scalar per base; backend failures.
    fn msm_enqueue(
        bases: &Self::Bases,
        scalars: ColumnRef<'_, Self, C::Scalar>,
    ) -> Result<Self::PendingMsm, MsmError>;

    /// The result of an MSM started by [`MsmOps::msm_enqueue`] (waits for the device).
    ///
    /// # Errors
    /// Backend failures, including those of the queued work.
    fn msm_finish(pending: Self::PendingMsm) -> Result<Projective<C>, MsmError>;

    /// `Σ scalars[i]·bases[i]` over scalars in a backend column.
    ///
    /// # Errors
    /// As [`MsmOps::msm_enqueue`] and [`MsmOps::msm_finish`].
    fn msm_column(
        bases: &Self::Bases,
        scalars: ColumnRef<'_, Self, C::Scalar>,
    ) -> Result<Projective<C>, MsmError> {
        Self::msm_finish(Self::msm_enqueue(bases, scalars)?)
    }

    /// `Σ scalars[i]·bases[i]` over host scalars (uploaded first where the backend is elsewhere).
    ///
    /// # Errors
    /// [`MsmError::LengthMismatch`] unless there is exactly one scalar per base; backend failures.
    fn msm(bases: &Self::Bases, scalars: &[C::Scalar]) -> Result<Projective<C>, MsmError> {
        check_lengths(Self::n_bases(bases), scalars.len())?;
        let column = Self::upload(scalars)?;
        Self::msm_column(bases, ColumnRef::new(&column))
    }
}

/// `Σ scalars[i]·bases[i]` by one double-and-add per term: the slow, obviously correct oracle.
///
/// # Errors
/// [`MsmError::LengthMismatch`] unless the lengths are equal.
pub fn msm_naive<C: SwCurve>(
    bases: &[Affine<C>],
    scalars: &[C::Scalar],
) -> Result<Projective<C>, MsmError> {
    check_lengths(bases.len(), scalars.len())?;
    Ok(bases.iter().zip(scalars).map(|(b, s)| Projective::from(*b).mul_scalar(s)).sum())
}

pub(crate) fn check_lengths(n_bases: usize, n_scalars: usize) -> Result<(), MsmError> {
    if n_bases == n_scalars { Ok(()) } else { Err(MsmError::LengthMismatch { n_bases, n_scalars }) }
}

/// `n` distinct points `P₀ + i·G` for a random `P₀`, in parallel, one addition each: inputs for
/// benchmarks and tests that need many points fast. They are not independent of one another (do
/// not use them where that matters, e.g. as a setup).
pub fn random_points<C: SwCurve, R: Rng + ?Sized>(n: usize, rng: &mut R) -> Vec<Affine<C>> {
    const CHUNK: usize = 1 << 12;
    let start = Projective::<C>::random(rng);
    let g = Projective::<C>::generator();
    let mut out = vec![Affine::IDENTITY; n];
    out.par_chunks_mut(CHUNK).enumerate().for_each(|(k, chunk)| {
        let mut acc = start + g * C::Scalar::from_u64((k * CHUNK) as u64);
        let mut proj = Vec::with_capacity(chunk.len());
        for _ in 0..chunk.len() {
            proj.push(acc);
            acc += g;
        }
        chunk.copy_from_slice(&Projective::batch_to_affine(&proj));
    });
    out
}
