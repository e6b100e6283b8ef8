//! The backend operations of the ML prover: what runs on a backend's columns, and the CPU
//! implementation (the oracle of the GPU backends, which implement [`MlBackend`] in
//! zkprove-gpu).
//!
//! The prover ([`crate::proof::prove_on`], [`crate::matmul::prove_matmul_on`]) and the commitment
//! ([`crate::pcs::commit_on`]) are written once against this trait, which gathers the
//! workspace's backend traits the protocol uses:
//! - [`RowMajorCircleFftOps`]: the circle code of the committed rows (one row-major matrix);
//! - [`MerkleOps`] for the Poseidon2-M31 Merkle hash: the leaves (the code's columns) and every
//!   layer up to the root;
//! - [`SumcheckOps`] (M31 tables, QM31 challenges): the MLE folds and round evaluations of every
//!   matmul sumcheck and of the batched weight-opening sumcheck after its first round;
//! - three operations of its own: [`MlBackend::ext_from_vec`] (a QM31 column from the host),
//!   [`MlBackend::digests_into_vec`] (a digest column to the host) and
//!   [`MlBackend::product_first_round`], the first round of the weight-opening sumcheck
//!   `Σ_x f(x)·g(x)` with `f` in M31 and `g` in QM31 (the CPU reads `f` in M31 instead of
//!   lifting it; the default, used by the GPU backends, lifts `f` on the device and runs the
//!   round through [`SumcheckOps`]).
//!
//! Every operation gives the same field elements on every backend, so a proof made on a GPU
//! backend is byte for byte the CPU's.

use rayon::prelude::*;
use zkprove_field::Field;
use zkprove_field::m31::{M31, QM31};
use zkprove_hash::{MerkleError, MerkleOps};
use zkprove_poly::{ColumnOps, CpuBackend, DeviceError, PolyError, RowMajorCircleFftOps};
use zkprove_sumcheck::{SumcheckError, SumcheckOps, SumcheckProver, Term};

use crate::MlError;
use crate::pcs::{Digest, Hasher};

/// A prover of `Σ f·g` (two QM31 tables) on backend `B`.
pub type ProductProver<B> = SumcheckProver<M31, QM31, B>;

/// The operations the ML prover runs on a backend (module docs).
pub trait MlBackend:
    SumcheckOps<M31, QM31> + ColumnOps<M31> + RowMajorCircleFftOps + MerkleOps<Hasher>
{
    /// A column of QM31 values from the host (a move on the CPU).
    ///
    /// # Errors
    /// [`MlError::Device`] when the upload fails.
    fn ext_from_vec(values: Vec<QM31>) -> Result<Self::Column<QM31>, MlError>;

    /// A column of Merkle digests (one tree layer), moved or copied to the host.
    ///
    /// # Errors
    /// [`MlError::Device`] when the copy fails.
    fn digests_into_vec(layer: Self::Column<Digest>) -> Result<Vec<Digest>, MlError>;

    /// The first round of the sumcheck of `Σ_x f(x)·g(x)` over `k ≥ 1` variables (`f` and `g`
    /// of `2^k` entries, [`zkprove_poly::Mle`] order): `send` receives the round polynomial's
    /// values at `0` and `2` and returns the challenge `r`; the result is a prover of the
    /// remaining `k − 1` rounds on the two tables with their first variable fixed to `r`, in
    /// the order `(f, g)`. The default lifts `f` to QM31 and runs the round and the fold through
    /// [`SumcheckOps`].
    ///
    /// # Errors
    /// Backend failures; [`MlError::Internal`] for tables of different or non-power-of-two
    /// lengths, or of length 1.
    fn product_first_round(
        f: Self::Column<M31>,
        g: Self::Column<QM31>,
        send: &mut dyn FnMut([QM31; 2]) -> QM31,
    ) -> Result<ProductProver<Self>, MlError> {
        use zkprove_poly::Column;
        let len = f.len();
        let mut tables = <Self as SumcheckOps<M31, QM31>>::lift(&[f], len).map_err(sumcheck_err)?;
        tables.push(g);
        let mut p = ProductProver::<Self>::new_ext(tables, vec![Term::product(vec![0, 1])])
            .map_err(sumcheck_err)?;
        let poly = p.round_polynomial().map_err(sumcheck_err)?;
        let [p0, p2] = poly.evals[..] else {
            return Err(MlError::Internal { reason: "product round of degree 2".into() });
        };
        let r = send([p0, p2]);
        p.fold(r).map_err(sumcheck_err)?;
        Ok(p)
    }
}

/// A sumcheck error as [`MlError`] (device failures keep their kind).
pub(crate) fn sumcheck_err(e: SumcheckError) -> MlError {
    match e {
        SumcheckError::Device(d) => MlError::Device(d),
        e => MlError::Internal { reason: e.to_string() },
    }
}

/// A Merkle error as [`MlError`] (device failures keep their kind).
pub(crate) fn merkle_err(e: MerkleError) -> MlError {
    match e {
        MerkleError::Device(d) => MlError::Device(d),
        e => MlError::Internal { reason: e.to_string() },
    }
}

/// An FFT error as [`MlError`] (device failures keep their kind).
pub(crate) fn poly_err(e: PolyError) -> MlError {
    match e {
        PolyError::Device(d) => MlError::Device(d),
        e => MlError::Internal { reason: e.to_string() },
    }
}

/// A device error as [`MlError`].
pub(crate) fn device_err(e: DeviceError) -> MlError {
    MlError::Device(e)
}

/// Pairs per Rayon task in the product round.
const PAR_CHUNK: usize = 1 << 12;

/// One round of `Σ f·g` over the two halves of each table: `[p(0), p(2)]`.
fn product_round<A, B>(f: &[A], g: &[B]) -> [QM31; 2]
where
    A: Copy + Send + Sync + core::ops::Sub<Output = A> + core::ops::Add<Output = A>,
    B: Copy
        + Send
        + Sync
        + core::ops::Sub<Output = B>
        + core::ops::Add<Output = B>
        + core::ops::Mul<A, Output = QM31>,
{
    let half = f.len() / 2;
    let (f0, f1) = f.split_at(half);
    let (g0, g1) = g.split_at(half);
    f0.par_chunks(PAR_CHUNK)
        .zip(f1.par_chunks(PAR_CHUNK))
        .zip(g0.par_chunks(PAR_CHUNK).zip(g1.par_chunks(PAR_CHUNK)))
        .map(|((a0, a1), (b0, b1))| {
            let mut acc = [QM31::ZERO; 2];
            for i in 0..a0.len() {
                acc[0] += b0[i] * a0[i];
                let a2 = a1[i] + a1[i] - a0[i];
                let b2 = b1[i] + b1[i] - b0[i];
                acc[1] += b2 * a2;
            }
            acc
        })
        .reduce(|| [QM31::ZERO; 2], |x, y| [x[0] + y[0], x[1] + y[1]])
}

/// `t0 + r·(t1 − t0)` over the halves of a table.
fn fold_halves<A>(t: &[A], r: QM31) -> Vec<QM31>
where
    A: Copy + Send + Sync + core::ops::Sub<Output = A>,
    QM31: core::ops::Mul<A, Output = QM31> + core::ops::Add<A, Output = QM31>,
{
    let half = t.len() / 2;
    let (t0, t1) = t.split_at(half);
    t0.par_iter().zip(t1).map(|(&a, &b)| r * (b - a) + a).collect()
}

/// The CPU backend: the first product round reads `f` in M31 (no lifted copy), the rest is
/// zkprove-sumcheck's CPU backend.
impl MlBackend for CpuBackend {
    fn ext_from_vec(values: Vec<QM31>) -> Result<Vec<QM31>, MlError> {
        Ok(values)
    }

    fn digests_into_vec(layer: Vec<Digest>) -> Result<Vec<Digest>, MlError> {
        Ok(layer)
    }

    fn product_first_round(
        f: Vec<M31>,
        g: Vec<QM31>,
        send: &mut dyn FnMut([QM31; 2]) -> QM31,
    ) -> Result<ProductProver<Self>, MlError> {
        if f.len() != g.len() || f.len() < 2 || !f.len().is_power_of_two() {
            return Err(MlError::Internal { reason: "product tables' lengths".into() });
        }
        let r = send(product_round(&f, &g));
        let fe = fold_halves(&f, r);
        drop(f);
        let ge = fold_halves(&g, r);
        drop(g);
        ProductProver::<Self>::new_ext(vec![fe, ge], vec![Term::product(vec![0, 1])])
            .map_err(sumcheck_err)
    }
}
