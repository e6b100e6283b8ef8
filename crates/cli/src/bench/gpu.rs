//! The device side of `zkprove bench ntt --device cuda|opencl`: columns uploaded once, then each
//! rep transforms them in place on the device and waits for the device (data resident on the
//! device, as the GPU goals are stated). `--field m31` runs the circle FFT ([`NttJob::run_circle`]);
//! `--devices N` splits the columns across N devices ([`SplitNttJob`], host columns: transfers
//! included).

use anyhow::{Context, Result, bail};
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::m31::M31;
use zkprove_field::{Field, TwoAdicField};
use zkprove_gpu::{
    ClBuffer, ClDevice, CudaBackend, CudaDevice, DeviceBuffer, DeviceSet, GpuField, OpenClBackend,
    Runtime,
};
use zkprove_poly::{CircleDomain, CircleFftOps, CircleOrder, Direction, NttOps, Order};

use crate::device::Device;

/// Columns on one device, ready to be transformed: an NTT ([`Self::run`]) or, for M31, the
/// circle FFT ([`Self::run_circle`]).
pub enum NttJob<F: GpuField> {
    /// On the CUDA device 0.
    Cuda(Vec<DeviceBuffer<F>>),
    /// On the first OpenCL device (`ZKPROVE_OPENCL_DEVICE` picks another).
    OpenCl(Vec<ClBuffer<F>>),
}

/// `width` random columns of `2^log_n` elements (the same seed for every job).
fn random_columns<F: Field>(log_n: u32, width: u32) -> Vec<Vec<F>> {
    let n = 1usize << log_n;
    let mut rng = StdRng::seed_from_u64(2);
    (0..width).map(|_| (0..n).map(|_| F::random(&mut rng)).collect()).collect()
}

impl<F: GpuField + Field> NttJob<F> {
    /// Uploads `width` random columns of `2^log_n` elements to `device` (`cuda` or `opencl`).
    pub fn new(device: Device, log_n: u32, width: u32) -> Result<Self> {
        let host = random_columns::<F>(log_n, width);
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
}

impl<F: GpuField + TwoAdicField> NttJob<F> {
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

impl NttJob<M31> {
    /// One forward natural-order circle FFT (`zkprove_gpu`'s `CircleFftOps`) of every column on
    /// `domain`, waiting for the device.
    pub fn run_circle(&mut self, domain: &CircleDomain) -> Result<()> {
        let (d, o) = (Direction::Forward, CircleOrder::Natural);
        match self {
            Self::Cuda(cols) => {
                CudaBackend::circle_fft_batch(cols, domain, d, o)
                    .context("CUDA circle FFT failed")?;
                sync(cols.first().map(|c| c.device().as_ref()))
            }
            Self::OpenCl(cols) => {
                OpenClBackend::circle_fft_batch(cols, domain, d, o)
                    .context("OpenCL circle FFT failed")?;
                sync(cols.first().map(|c| c.device().as_ref()))
            }
        }
    }
}

/// The first `count` devices of `device`'s runtime as a [`DeviceSet`] (for `--devices N`).
pub fn device_set<R: Runtime>(
    all: Result<DeviceSet<R>, zkprove_gpu::DeviceSetError>,
    count: u32,
) -> Result<DeviceSet<R>> {
    let all = all.context("opening the devices (see `zkprove devices`)")?;
    if (all.len() as u64) < u64::from(count) {
        bail!("--devices {count}: only {} device(s) of this kind", all.len());
    }
    let devices = (0..count as usize).filter_map(|i| all.device(i).cloned()).collect();
    Ok(DeviceSet::from_devices(devices)?)
}

/// Host columns split across a [`DeviceSet`] for `bench ntt --devices N` (each rep uploads,
/// transforms and reads back: transfers included).
pub enum SplitNttJob<F: GpuField> {
    /// CUDA devices.
    Cuda(DeviceSet<CudaDevice>, Vec<Vec<F>>),
    /// OpenCL devices.
    OpenCl(DeviceSet<ClDevice>, Vec<Vec<F>>),
}

impl<F: GpuField + Field> SplitNttJob<F> {
    /// `width` random columns of `2^log_n` elements, and the first `count` devices of `device`.
    pub fn new(device: Device, log_n: u32, width: u32, count: u32) -> Result<Self> {
        let host = random_columns::<F>(log_n, width);
        Ok(match device {
            Device::Cuda => Self::Cuda(device_set(DeviceSet::<CudaDevice>::all(), count)?, host),
            Device::Opencl => Self::OpenCl(device_set(DeviceSet::<ClDevice>::all(), count)?, host),
            Device::Cpu | Device::Auto => bail!("not a GPU device: {}", device.name()),
        })
    }
}

impl<F: GpuField + TwoAdicField> SplitNttJob<F> {
    /// One forward natural-order NTT of every column, split across the devices.
    pub fn run_ntt(&mut self) -> Result<()> {
        let (d, o, s) = (Direction::Forward, Order::NaturalToNatural, F::ONE);
        match self {
            Self::Cuda(set, cols) => set.ntt_batch(cols, d, o, s),
            Self::OpenCl(set, cols) => set.ntt_batch(cols, d, o, s),
        }
        .context("split NTT failed")
    }
}

impl SplitNttJob<M31> {
    /// One forward natural-order circle FFT of every column, split across the devices.
    pub fn run_circle(&mut self, domain: &CircleDomain) -> Result<()> {
        let (d, o) = (Direction::Forward, CircleOrder::Natural);
        match self {
            Self::Cuda(set, cols) => set.circle_fft_batch(cols, domain, d, o),
            Self::OpenCl(set, cols) => set.circle_fft_batch(cols, domain, d, o),
        }
        .context("split circle FFT failed")
    }
}
