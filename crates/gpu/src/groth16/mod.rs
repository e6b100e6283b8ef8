//! zkprove-groth16's backend trait for the GPU backend: the key's A and B matrices resident on the
//! device (CSR, [`GpuCsr`]) with the tables of the quotient's coset moves ([`CosetNtt`]: both
//! twiddle tables and the powers of the shift, uploaded once), and the key's queries resident with
//! precomputed multiples for a key that serves many proofs ([`GpuBases::for_key`]).
//!
//! The proof is zkprove-groth16's one generic proof: it uploads the witness once, computes the
//! quotient on device columns (`fe_csr_mul_vec`, the fused coset move of [`CosetNtt::apply`],
//! element-wise kernels), queues the five MSMs over the resident witness (C from an offset into
//! it) and `h`, each with the read-back of its window sums right behind its kernels, and waits
//! once. Nothing `n`-sized comes back to the host; every kernel of a proof is queued on the
//! device's one compute stream (queue) without a host synchronisation in between, and on CUDA the
//! witness upload runs on the transfer stream, beside the previous proof's kernels.

pub(crate) mod csr;

use std::sync::Arc;

use zkprove_curve::Affine;
use zkprove_curve::bn254::{G1Config, G2Config};
use zkprove_field::bn254::Fr;
use zkprove_groth16::{
    Groth16Backend, Groth16Error, KeyUse, QapMatrix, SparseMatrix, check_matrix_rows, coset_shift,
};

use crate::runtime::Runtime;
use crate::runtime::backend::device_error;
use crate::{CosetNtt, GpuBackend, GpuBases, GpuBuffer, GpuCsr, GpuCurve, GpuError};

fn gpu_err<R: Runtime>(e: GpuError) -> Groth16Error {
    Groth16Error::Device(device_error::<R>(e))
}

/// A Groth16 key's A and B matrices resident on a device, with the tables of the quotient's coset
/// moves (the GPU backend's [`Groth16Backend::Matrices`]).
pub struct DeviceMatrices<R: Runtime> {
    device: Arc<R>,
    a: GpuCsr<R, Fr>,
    b: GpuCsr<R, Fr>,
    coset: CosetNtt<R, Fr>,
}

impl<R: Runtime> core::fmt::Debug for DeviceMatrices<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DeviceMatrices")
            .field("a", &self.a)
            .field("b", &self.b)
            .field("coset", &self.coset)
            .finish()
    }
}

/// A key query resident on the device for the key's life, with precomputed multiples for a key
/// that serves many proofs where the device has room ([`GpuBases::for_key`]).
fn key_bases<R: Runtime, C: GpuCurve>(
    points: &[Affine<C>],
    key_use: KeyUse,
) -> Result<GpuBases<R, C>, Groth16Error> {
    let device = R::default_device().map_err(gpu_err::<R>)?;
    GpuBases::for_key(&device, points, key_use == KeyUse::ManyProofs).map_err(gpu_err::<R>)
}

impl<R: Runtime> Groth16Backend for GpuBackend<R> {
    type Matrices = DeviceMatrices<R>;

    fn prepare_matrices(
        a: SparseMatrix,
        b: SparseMatrix,
        n_vars: usize,
        log_n: usize,
    ) -> Result<DeviceMatrices<R>, Groth16Error> {
        check_matrix_rows(&a, &b, log_n)?;
        let device = R::default_device().map_err(gpu_err::<R>)?;
        let upload = |m: &SparseMatrix| {
            let (row_start, cols, value_index, values) = m.csr_parts();
            GpuCsr::new(&device, row_start, cols, value_index, values, n_vars).map_err(gpu_err::<R>)
        };
        let (a, b) = (upload(&a)?, upload(&b)?);
        let coset = CosetNtt::new(&device, log_n, coset_shift(log_n))?;
        Ok(DeviceMatrices { device, a, b, coset })
    }

    fn mul_vec(
        m: &DeviceMatrices<R>,
        which: QapMatrix,
        w: &GpuBuffer<R, Fr>,
    ) -> Result<GpuBuffer<R, Fr>, Groth16Error> {
        let matrix = match which {
            QapMatrix::A => &m.a,
            QapMatrix::B => &m.b,
        };
        if w.len() < matrix.n_cols() {
            return Err(Groth16Error::WitnessLength { expected: matrix.n_cols(), got: w.len() });
        }
        if !Arc::ptr_eq(w.device(), &m.device) {
            return Err(gpu_err::<R>(GpuError::WrongDevice));
        }
        matrix.mul_vec(w).map_err(gpu_err::<R>)
    }

    /// [`CosetNtt::apply`]: the iNTT, the `shiftⁱ/n` factors and the NTT with every table
    /// resident, queued without a host wait.
    fn to_coset(m: &DeviceMatrices<R>, col: &mut GpuBuffer<R, Fr>) -> Result<(), Groth16Error> {
        Ok(m.coset.apply(col)?)
    }

    fn prepare_key_g1(
        points: Vec<Affine<G1Config>>,
        key_use: KeyUse,
    ) -> Result<GpuBases<R, G1Config>, Groth16Error> {
        key_bases(&points, key_use)
    }

    fn prepare_key_g2(
        points: Vec<Affine<G2Config>>,
        key_use: KeyUse,
    ) -> Result<GpuBases<R, G2Config>, Groth16Error> {
        key_bases(&points, key_use)
    }
}
