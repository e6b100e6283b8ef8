//! The device side of `zkprove bench ntt --device cuda|opencl`: columns uploaded once, then each
//! rep transforms them in place on the device and waits for the device (data resident on the
//! device, as the GPU goals are stated).

use anyhow::{Context, Result, bail};
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::TwoAdicField;
use zkprove_gpu::{
    ClBuffer, ClDevice, CudaBackend, CudaDevice, DeviceBuffer, GpuField, OpenClBackend, Runtime,
};
use zkprove_poly::{Direction, NttOps, Order};

use crate::device::Device;

/// Columns on one device, ready to be transformed.
pub enum NttJob<F: GpuField> {
    /// On the CUDA device 0.
    Cuda(Vec<DeviceBuffer<F>>),
    /// On the first OpenCL device (`ZKPROVE_OPENCL_DEVICE` picks another).
    OpenCl(Vec<ClBuffer<F>>),
}

impl<F: GpuField + TwoAdicField> NttJob<F> {
    /// Uploads `width` random columns of `2^log_n` elements to `device` (`cuda` or `opencl`).
    pub fn new(device: Device, log_n: u32, width: u32) -> Result<Self> {
        let n = 1usize << log_n;
        let mut rng = StdRng::seed_from_u64(2);
        let host: Vec<Vec<F>> =
            (0..width).map(|_| (0..n).map(|_| F::random(&mut rng)).collect()).collect();
        Ok(match device {
            Device::Cuda => {
                let dev = CudaDevice::get().context("--device cuda (see `zkprove devices`)")?;
                let cols =
                    host.iter().map(|c| DeviceBuffer::upload(&dev, c)).collect::<Result<_, _>>()?;
                Self::Cuda(cols)
            }
            Device::Opencl => {
                let dev = ClDevice::get().context("--device opencl (see `zkprove devices`)")?;
                let cols =
                    host.iter().map(|c| ClBuffer::upload(&dev, c)).collect::<Result<_, _>>()?;
                Self::OpenCl(cols)
            }
            Device::Cpu | Device::Auto => bail!("not a GPU device: {}", device.name()),
        })
    }

    /// One forward natural-order NTT of every column, waiting for the device to finish.
    pub fn run(&mut self) -> Result<()> {
        let (d, o, s) = (Direction::Forward, Order::NaturalToNatural, F::ONE);
        match self {
            Self::Cuda(cols) => {
                CudaBackend::ntt_batch(cols, d, o, s).context("CUDA NTT failed")?;
                sync(cols.first().map(|c| c.device().as_ref()))
            }
            Self::OpenCl(cols) => {
                OpenClBackend::ntt_batch(cols, d, o, s).context("OpenCL NTT failed")?;
                sync(cols.first().map(|c| c.device().as_ref()))
            }
        }
    }
}

fn sync<R: Runtime>(dev: Option<&R>) -> Result<()> {
    match dev {
        Some(d) => d.synchronize().context("device synchronisation failed"),
        None => bail!("no columns"),
    }
}
