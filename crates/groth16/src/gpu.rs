//! The GPU backends of zkprove-gpu as Groth16 backends: NTTs over `Fr` and MSMs in G1 and G2 on
//! the device (bases resident across proofs), `Fr` columns moved with typed device buffers.

use zkprove_field::bn254::Fr;
use zkprove_gpu::{ClBuffer, ClDevice, CudaBackend, CudaDevice, DeviceBuffer, OpenClBackend};

use crate::{Groth16Backend, Groth16Error};

fn backend_err(backend: &'static str) -> impl FnOnce(zkprove_gpu::GpuError) -> Groth16Error {
    move |e| Groth16Error::Backend { reason: format!("{backend}: {e}") }
}

impl Groth16Backend for CudaBackend {
    fn upload(values: Vec<Fr>) -> Result<DeviceBuffer<Fr>, Groth16Error> {
        let dev = CudaDevice::get().map_err(backend_err("cuda"))?;
        DeviceBuffer::upload(&dev, &values).map_err(backend_err("cuda"))
    }

    fn download(column: DeviceBuffer<Fr>) -> Result<Vec<Fr>, Groth16Error> {
        column.download().map_err(backend_err("cuda"))
    }
}

impl Groth16Backend for OpenClBackend {
    fn upload(values: Vec<Fr>) -> Result<ClBuffer<Fr>, Groth16Error> {
        let dev = ClDevice::get().map_err(backend_err("opencl"))?;
        ClBuffer::upload(&dev, &values).map_err(backend_err("opencl"))
    }

    fn download(column: ClBuffer<Fr>) -> Result<Vec<Fr>, Groth16Error> {
        column.download().map_err(backend_err("opencl"))
    }
}
