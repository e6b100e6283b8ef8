//! GPU telemetry through NVML ([`nvml_wrapper`], which loads `libnvidia-ml` at run time): a
//! machine without an NVIDIA driver — or without a GPU — has no telemetry, no GPU series in
//! `/metrics` and no GPU rows on the status page, and nothing fails. Each reading that a device
//! or driver does not support (ECC on consumer cards, energy on old ones) is left out on its own.
//!
//! The series carry the names of NVIDIA's DCGM exporter (its default counters, and the ECC
//! volatile totals it ships commented out), in its units, with its `gpu`, `UUID` and `modelName`
//! labels, so that dashboards built for DCGM read them unchanged; `device` is the name this
//! service gives the GPU (`cuda:N`).

use std::ffi::OsStr;

use nvml_wrapper::Nvml;
use nvml_wrapper::enum_wrappers::device::{
    EccCounter, MemoryError, PcieUtilCounter, TemperatureSensor,
};

/// One reading of one GPU. `None`: not supported by this device or driver.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GpuSample {
    /// NVML's index of the GPU.
    pub index: u32,
    /// The name this service gives it (`cuda:<index>`).
    pub device: String,
    /// The product name.
    pub name: String,
    /// The GPU's UUID.
    pub uuid: String,
    /// Percent of time a kernel ran over the last sample period.
    pub gpu_util_percent: Option<u32>,
    /// Percent of time device memory was read or written.
    pub mem_copy_util_percent: Option<u32>,
    /// Device memory in use, bytes.
    pub memory_used_bytes: Option<u64>,
    /// Device memory free, bytes.
    pub memory_free_bytes: Option<u64>,
    /// Device memory installed, bytes.
    pub memory_total_bytes: Option<u64>,
    /// GPU temperature, °C.
    pub temperature_celsius: Option<u32>,
    /// Power draw, milliwatts.
    pub power_milliwatts: Option<u32>,
    /// Energy used since the driver loaded, millijoules.
    pub energy_millijoules: Option<u64>,
    /// PCIe transmit throughput, KB/s.
    pub pcie_tx_kbps: Option<u32>,
    /// PCIe receive throughput, KB/s.
    pub pcie_rx_kbps: Option<u32>,
    /// Corrected (single-bit) ECC errors since the driver loaded.
    pub ecc_corrected_volatile: Option<u64>,
    /// Uncorrected (double-bit) ECC errors since the driver loaded.
    pub ecc_uncorrected_volatile: Option<u64>,
}

/// NVML, when the library loaded and initialised.
pub struct GpuTelemetry {
    nvml: Option<Nvml>,
    why_not: Option<String>,
}

impl core::fmt::Debug for GpuTelemetry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GpuTelemetry")
            .field("available", &self.nvml.is_some())
            .field("why_not", &self.why_not)
            .finish()
    }
}

impl GpuTelemetry {
    /// Loads and initialises the system's `libnvidia-ml`; without it, a telemetry that reports
    /// no GPU ([`GpuTelemetry::unavailable_reason`] says why).
    pub fn init() -> Self {
        Self::from(Nvml::init())
    }

    /// As [`GpuTelemetry::init`] with the library at `path`.
    pub fn from_library(path: &OsStr) -> Self {
        Self::from(Nvml::builder().lib_path(path).init())
    }

    fn from(nvml: Result<Nvml, nvml_wrapper::error::NvmlError>) -> Self {
        match nvml {
            Ok(nvml) => Self { nvml: Some(nvml), why_not: None },
            Err(e) => {
                tracing::info!("no GPU telemetry (NVML): {e}");
                Self { nvml: None, why_not: Some(e.to_string()) }
            }
        }
    }

    /// Whether NVML is loaded.
    pub fn is_available(&self) -> bool {
        self.nvml.is_some()
    }

    /// Why NVML is not loaded (`None` when it is).
    pub fn unavailable_reason(&self) -> Option<&str> {
        self.why_not.as_deref()
    }

    /// A reading of every GPU (none without NVML; a GPU that NVML cannot open is skipped).
    /// Blocking (each NVML call is a driver call; the PCIe counters sample for 20 ms): call it
    /// off the async runtime.
    pub fn sample(&self) -> Vec<GpuSample> {
        let Some(nvml) = &self.nvml else { return Vec::new() };
        let count = nvml.device_count().unwrap_or(0);
        let mut out = Vec::with_capacity(count as usize);
        for index in 0..count {
            let Ok(d) = nvml.device_by_index(index) else { continue };
            let util = d.utilization_rates().ok();
            let memory = d.memory_info().ok();
            out.push(GpuSample {
                index,
                device: format!("cuda:{index}"),
                name: d.name().unwrap_or_default(),
                uuid: d.uuid().unwrap_or_default(),
                gpu_util_percent: util.as_ref().map(|u| u.gpu),
                mem_copy_util_percent: util.as_ref().map(|u| u.memory),
                memory_used_bytes: memory.as_ref().map(|m| m.used),
                memory_free_bytes: memory.as_ref().map(|m| m.free),
                memory_total_bytes: memory.as_ref().map(|m| m.total),
                temperature_celsius: d.temperature(TemperatureSensor::Gpu).ok(),
                power_milliwatts: d.power_usage().ok(),
                energy_millijoules: d.total_energy_consumption().ok(),
                pcie_tx_kbps: d.pcie_throughput(PcieUtilCounter::Send).ok(),
                pcie_rx_kbps: d.pcie_throughput(PcieUtilCounter::Receive).ok(),
                ecc_corrected_volatile: d
                    .total_ecc_errors(MemoryError::Corrected, EccCounter::Volatile)
                    .ok(),
                ecc_uncorrected_volatile: d
                    .total_ecc_errors(MemoryError::Uncorrected, EccCounter::Volatile)
                    .ok(),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No NVML library where asked: no telemetry, no GPU, no failure.
    #[test]
    fn a_missing_library_gives_no_gpu_and_no_failure() {
        let t = GpuTelemetry::from_library(OsStr::new("/nonexistent/libnvidia-ml.so.1"));
        assert!(!t.is_available());
        assert!(t.unavailable_reason().is_some_and(|r| !r.is_empty()));
        assert!(t.sample().is_empty());
    }

    /// The system's NVML: on a machine without one (CI) the same; with one, every GPU has a
    /// name, and the memory it reports adds up.
    #[test]
    fn the_system_library_if_any() {
        let t = GpuTelemetry::init();
        let samples = t.sample();
        if !t.is_available() {
            assert!(samples.is_empty());
        }
        for s in samples {
            assert!(!s.name.is_empty(), "{s:?}");
            if let (Some(used), Some(total)) = (s.memory_used_bytes, s.memory_total_bytes) {
                assert!(used <= total && total > 0, "{s:?}");
            }
        }
    }
}
