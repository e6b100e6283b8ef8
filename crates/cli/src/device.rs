//! `--device cpu|cuda|opencl|auto`: the one device choice of the command line (proving and
//! benchmarks alike) and the one function that makes it concrete, [`resolve_device`].
//!
//! `auto` is a CUDA GPU when one is usable (a device, and NVRTC or prebuilt CUBINs to build its
//! kernels), the CPU otherwise; OpenCL is used only when asked for (the usual OpenCL device on a
//! machine without a GPU is PoCL on the CPU, slower than the CPU backend). On a Linux machine
//! without the NVIDIA driver's device nodes the probe is one `stat` (`zkprove_gpu::cuda_available`;
//! it was a few failed `dlopen`s, 0.5–7 ms per proof); `-v` logs its time as `probe_us`.

use std::time::Instant;

use anyhow::{Context, Result};
use clap::ValueEnum;
use zkprove_gpu::{ClDevice, CudaDevice};

/// Where to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Device {
    /// The CPU backend (all cores, SIMD).
    Cpu,
    /// CUDA device 0, an NVIDIA GPU (its kernels built by NVRTC, or prebuilt CUBINs in
    /// `ZKPROVE_CUDA_CUBIN_DIR`).
    Cuda,
    /// The first OpenCL device, or `ZKPROVE_OPENCL_DEVICE` (a GPU, or PoCL on the CPU).
    Opencl,
    /// A CUDA GPU when one is usable, the CPU otherwise (never OpenCL; `-v` logs the choice, and a
    /// benchmark's report names it).
    Auto,
}

impl Device {
    /// The name as the command line spells it (and as `zkprove bench --json` reports it).
    pub fn name(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
            Self::Opencl => "opencl",
            Self::Auto => "auto",
        }
    }

    /// Whether this choice runs on a GPU runtime (`cuda` or `opencl`).
    pub fn is_gpu(self) -> bool {
        matches!(self, Self::Cuda | Self::Opencl)
    }
}

/// Whether the CUDA kernels can be built for this process: NVRTC on the library path, or
/// prebuilt CUBINs (`ZKPROVE_CUDA_CUBIN_DIR`).
fn cuda_compiler() -> bool {
    zkprove_gpu::nvrtc::is_available() || zkprove_gpu::config().cubin_dir.is_some()
}

/// Whether `auto` picks CUDA: a CUDA device and a way to build its kernels. On a machine with no
/// CUDA driver this is one failed `dlopen` (the compiler is not looked for).
pub fn cuda_usable() -> bool {
    zkprove_gpu::cuda_available() && cuda_compiler()
}

/// The device `device` resolves to, never [`Device::Auto`]: `auto` is CUDA when
/// [`cuda_usable`], else the CPU; an explicit `cuda` or `opencl` is checked here, so that a
/// missing device (or a CUDA device without a compiler for its kernels) is an error naming the
/// option before any work starts.
///
/// # Errors
/// `--device cuda` without a usable CUDA device or NVRTC, `--device opencl` without an OpenCL
/// device.
pub fn resolve_device(device: Device) -> Result<Device> {
    let start = Instant::now();
    let resolved = match device {
        Device::Cpu => Device::Cpu,
        Device::Auto if cuda_usable() => Device::Cuda,
        Device::Auto => Device::Cpu,
        Device::Cuda => {
            CudaDevice::get().context("--device cuda")?;
            if !cuda_compiler() {
                return Err(zkprove_gpu::GpuError::NoNvrtc).context("--device cuda");
            }
            Device::Cuda
        }
        Device::Opencl => {
            ClDevice::get().context("--device opencl")?;
            Device::Opencl
        }
    };
    tracing::debug!(
        requested = device.name(),
        resolved = resolved.name(),
        probe_us = start.elapsed().as_micros() as u64,
        "device resolved"
    );
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_command_line_spellings() {
        for d in Device::value_variants() {
            let spelled = d.to_possible_value().expect("no hidden variant");
            assert_eq!(spelled.get_name(), d.name());
            assert_eq!(Device::from_str(d.name(), false), Ok(*d));
        }
        assert_eq!(Device::value_variants().len(), 4);
    }

    #[test]
    fn cpu_and_auto_resolve_to_a_concrete_device() {
        assert_eq!(resolve_device(Device::Cpu).expect("cpu always resolves"), Device::Cpu);
        let auto = resolve_device(Device::Auto).expect("auto always resolves");
        let expected = if cuda_usable() { Device::Cuda } else { Device::Cpu };
        assert_eq!(auto, expected);
        assert!(auto != Device::Auto && auto != Device::Opencl, "auto never picks OpenCL");
    }

    /// The probe behind `auto` must be cheap where there is no GPU (the goal is < 50 ms; the bound
    /// here is generous so that a loaded CI machine does not fail it). Where a CUDA GPU is usable
    /// the driver is initialised, which costs more and is not what this measures.
    #[test]
    fn auto_probe_is_cheap_without_a_gpu() {
        let start = Instant::now();
        let usable = cuda_usable();
        let elapsed = start.elapsed();
        eprintln!("cuda_usable() = {usable} in {:.3} ms", elapsed.as_secs_f64() * 1e3);
        if !usable && !zkprove_gpu::cuda_available() {
            assert!(elapsed.as_millis() < 500, "probe took {elapsed:?}");
        }
    }
}
