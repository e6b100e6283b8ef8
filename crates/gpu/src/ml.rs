//! zkprove-ml's [`MlBackend`] for the GPU backends: the ML prover's commitment (the circle code
//! of the committed rows through [`zkprove_poly::RowMajorCircleFftOps`], the Poseidon2-M31 Merkle
//! tree through [`zkprove_hash::MerkleOps`]) and its sumchecks (zkprove-sumcheck's
//! [`zkprove_sumcheck::SumcheckOps`], the weight-opening sumcheck's first round by the trait's
//! default: `f` lifted to QM31 on the device) run on the device. The CPU backend is the oracle:
//! `tests/ml_opencl.rs` checks that proofs are the CPU's bytes.

use zkprove_field::m31::{M31, QM31};
use zkprove_ml::MlBackend;
use zkprove_ml::MlError;
use zkprove_ml::pcs::Digest;

use crate::runtime::Runtime;
use crate::{GpuBackend, GpuBuffer, MERKLE_OUT, device_error, digest_download, ext_upload};

impl<R: Runtime> MlBackend for GpuBackend<R> {
    /// One upload of the coefficients ([`ext_upload`]) to the runtime's default device.
    fn ext_from_vec(values: Vec<QM31>) -> Result<GpuBuffer<R, QM31>, MlError> {
        let device = R::default_device().map_err(device_error::<R>)?;
        Ok(ext_upload::<R, M31, QM31>(&device, &values).map_err(device_error::<R>)?)
    }

    /// One download ([`digest_download`]).
    fn digests_into_vec(layer: GpuBuffer<R, [M31; MERKLE_OUT]>) -> Result<Vec<Digest>, MlError> {
        Ok(digest_download::<R, M31>(&layer).map_err(device_error::<R>)?)
    }
}
