//! The GPU backends of zkprove-gpu as Groth16 backends: NTTs over `Fr` and MSMs in G1 and G2 on
//! the device (bases resident across proofs), `Fr` columns moved with typed device buffers, and
//! the key's A and B matrices resident on the device (CSR, uploaded once at load) so that `A·w`,
//! `B·w` and their product are computed there from one upload of the witness.

use std::sync::Arc;

use zkprove_field::bn254::Fr;
use zkprove_gpu::{
    ClBuffer, ClDevice, CudaBackend, CudaDevice, DeviceBuffer, FieldOp, GpuBuffer, GpuCsr,
    GpuError, OpenClBackend, Runtime, field_op,
};

use crate::matrix::SparseMatrix;
use crate::{Groth16Backend, Groth16Error};

fn backend_err(backend: &'static str) -> impl FnOnce(GpuError) -> Groth16Error {
    move |e| Groth16Error::Backend { reason: format!("{backend}: {e}") }
}

/// A Groth16 key's A and B matrices resident on a device (a GPU backend's
/// [`Groth16Backend::Matrices`]).
pub struct DeviceMatrices<R: Runtime> {
    device: Arc<R>,
    a: GpuCsr<R, Fr>,
    b: GpuCsr<R, Fr>,
}

impl<R: Runtime> core::fmt::Debug for DeviceMatrices<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DeviceMatrices").field("a", &self.a).field("b", &self.b).finish()
    }
}

impl<R: Runtime> DeviceMatrices<R> {
    fn new(
        device: &Arc<R>,
        a: &SparseMatrix,
        b: &SparseMatrix,
        n_vars: usize,
    ) -> Result<Self, GpuError> {
        let upload = |m: &SparseMatrix| {
            let (row_start, cols, value_index, values) = m.csr_parts();
            GpuCsr::new(device, row_start, cols, value_index, values, n_vars)
        };
        Ok(Self { device: device.clone(), a: upload(a)?, b: upload(b)? })
    }

    /// `[A·w, B·w, (A·w)∘(B·w)]` on the device.
    fn products(&self, witness: &[Fr]) -> Result<[GpuBuffer<R, Fr>; 3], GpuError> {
        let w = GpuBuffer::upload(&self.device, witness)?;
        let aw = self.a.mul_vec(&w)?;
        let bw = self.b.mul_vec(&w)?;
        drop(w);
        let cw = field_op(FieldOp::Mul, &aw, Some(&bw))?;
        Ok([aw, bw, cw])
    }
}

impl Groth16Backend for CudaBackend {
    type Matrices = DeviceMatrices<CudaDevice>;

    fn upload(values: Vec<Fr>) -> Result<DeviceBuffer<Fr>, Groth16Error> {
        let dev = CudaDevice::get().map_err(backend_err("cuda"))?;
        DeviceBuffer::upload(&dev, &values).map_err(backend_err("cuda"))
    }

    fn download(column: DeviceBuffer<Fr>) -> Result<Vec<Fr>, Groth16Error> {
        column.download().map_err(backend_err("cuda"))
    }

    fn prepare_matrices(
        a: &SparseMatrix,
        b: &SparseMatrix,
        n_vars: usize,
    ) -> Result<Self::Matrices, Groth16Error> {
        let dev = CudaDevice::get().map_err(backend_err("cuda"))?;
        DeviceMatrices::new(&dev, a, b, n_vars).map_err(backend_err("cuda"))
    }

    fn matrix_products(
        matrices: &Self::Matrices,
        witness: &[Fr],
    ) -> Result<Option<[DeviceBuffer<Fr>; 3]>, Groth16Error> {
        matrices.products(witness).map(Some).map_err(backend_err("cuda"))
    }
}

impl Groth16Backend for OpenClBackend {
    type Matrices = DeviceMatrices<ClDevice>;

    fn upload(values: Vec<Fr>) -> Result<ClBuffer<Fr>, Groth16Error> {
        let dev = ClDevice::get().map_err(backend_err("opencl"))?;
        ClBuffer::upload(&dev, &values).map_err(backend_err("opencl"))
    }

    fn download(column: ClBuffer<Fr>) -> Result<Vec<Fr>, Groth16Error> {
        column.download().map_err(backend_err("opencl"))
    }

    fn prepare_matrices(
        a: &SparseMatrix,
        b: &SparseMatrix,
        n_vars: usize,
    ) -> Result<Self::Matrices, Groth16Error> {
        let dev = ClDevice::get().map_err(backend_err("opencl"))?;
        DeviceMatrices::new(&dev, a, b, n_vars).map_err(backend_err("opencl"))
    }

    fn matrix_products(
        matrices: &Self::Matrices,
        witness: &[Fr],
    ) -> Result<Option<[ClBuffer<Fr>; 3]>, Groth16Error> {
        matrices.products(witness).map(Some).map_err(backend_err("opencl"))
    }
}
