//! Device discovery over both runtimes.

/// Which runtime reaches a device.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum GpuBackendKind {
    /// CUDA (NVIDIA driver, through cudarc).
    Cuda,
    /// OpenCL (any ICD, through opencl3; PoCL runs it on the CPU).
    OpenCl,
}

impl GpuBackendKind {
    /// `"cuda"` or `"opencl"`.
    pub const fn name(self) -> &'static str {
        match self {
            GpuBackendKind::Cuda => "cuda",
            GpuBackendKind::OpenCl => "opencl",
        }
    }
}

/// A device found by [`list_devices`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The runtime that reaches it.
    pub backend: GpuBackendKind,
    /// Its index within that runtime (the ordinal for [`crate::CudaDevice::open`],
    /// [`crate::ClDevice::open`]).
    pub index: usize,
    /// The device's name.
    pub name: String,
    /// Total device memory in bytes.
    pub memory_bytes: u64,
    /// CUDA: `compute capability 9.0`; OpenCL: the device's version string.
    pub capability: String,
}

/// Every CUDA and OpenCL device on this machine. Empty when there is none; never panics (CUDA is
/// probed for its driver library first, and `ZKPROVE_DISABLE_CUDA` skips it).
pub fn list_devices() -> Vec<DeviceInfo> {
    #[allow(unused_mut)]
    let mut out = Vec::new();
    #[cfg(feature = "cuda")]
    for ordinal in 0..crate::runtime::cuda::device_count() {
        let Ok(dev) = crate::CudaDevice::open(ordinal) else { continue };
        let (major, minor) = dev.compute_capability().unwrap_or((0, 0));
        out.push(DeviceInfo {
            backend: GpuBackendKind::Cuda,
            index: ordinal,
            name: dev.name().unwrap_or_else(|_| "unknown CUDA device".to_string()),
            memory_bytes: dev.memory().map(|(_, total)| total as u64).unwrap_or(0),
            capability: format!("compute capability {major}.{minor}"),
        });
    }
    #[cfg(feature = "opencl")]
    for (index, id) in crate::runtime::opencl::all_device_ids().into_iter().enumerate() {
        let d = opencl3::device::Device::new(id);
        out.push(DeviceInfo {
            backend: GpuBackendKind::OpenCl,
            index,
            name: d.name().unwrap_or_else(|_| "unknown OpenCL device".to_string()),
            memory_bytes: d.global_mem_size().unwrap_or(0),
            capability: d.version().unwrap_or_default(),
        });
    }
    out
}
