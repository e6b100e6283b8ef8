//! The GPU crate's configuration: a struct with defaults that the binary fills (from flags or
//! environment variables — the library itself reads none) and installs once with [`configure`],
//! before the first device is opened.

use std::path::PathBuf;
use std::sync::OnceLock;

/// Which bucket-accumulation kernel the device MSM runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MsmAccumulate {
    /// `msm_accumulate`: registers capped by launch bounds for occupancy under CUDA.
    #[default]
    Capped,
    /// `msm_accumulate_wide`: registers as the compiler chooses (to compare on a GPU).
    Wide,
}

/// How the GPU backends behave. `GpuConfig::default()` is what a library user gets without
/// calling [`configure`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GpuConfig {
    /// Never use CUDA, even where a driver and a device are present.
    pub disable_cuda: bool,
    /// Index (over all platforms, in enumeration order) of the OpenCL device the OpenCL backend
    /// uses.
    pub opencl_device: usize,
    /// A directory of prebuilt CUBINs, `<program_id>.<arch>.cubin`, tried before NVRTC (the
    /// `build_cubins` example writes them).
    pub cubin_dir: Option<PathBuf>,
    /// Precomputed levels of key bases ([`crate::GpuBases::for_key`]) whatever the device (1: none);
    /// `None`: chosen by device kind and memory.
    pub precompute_levels: Option<usize>,
    /// The accumulation kernel of device MSMs.
    pub msm_accumulate: MsmAccumulate,
    /// Wait for the device after each phase of a device MSM and record its time as a `tracing`
    /// event (target `zkprove_gpu::profile`): where the time goes, without a profiler; it
    /// serialises the host and the device, so it is off by default.
    pub profile: bool,
}

static CONFIG: OnceLock<GpuConfig> = OnceLock::new();

/// A configuration that could not be installed: one was already in force.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the GPU configuration was already set (configure it once, before the first GPU use)")]
pub struct AlreadyConfigured;

/// Installs the process's GPU configuration. Call it once, before any GPU use; later calls (and
/// calls after the first use, which fixed the defaults) are refused.
///
/// # Errors
/// [`AlreadyConfigured`].
pub fn configure(config: GpuConfig) -> Result<(), AlreadyConfigured> {
    CONFIG.set(config).map_err(|_| AlreadyConfigured)
}

/// The configuration in force (the defaults unless [`configure`] was called first).
pub fn config() -> &'static GpuConfig {
    CONFIG.get_or_init(GpuConfig::default)
}

/// A configuration value that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}={value:?}: {expected}")]
pub struct ConfigVarError {
    /// The variable.
    pub name: &'static str,
    /// Its value.
    pub value: String,
    /// What was expected.
    pub expected: &'static str,
}

impl GpuConfig {
    /// The variables [`GpuConfig::from_vars`] reads, each with what it sets.
    pub const VARS: [(&'static str, &'static str); 6] = [
        ("ZKPROVE_DISABLE_CUDA", "disable_cuda (non-empty and not 0)"),
        ("ZKPROVE_OPENCL_DEVICE", "opencl_device (an index)"),
        ("ZKPROVE_CUDA_CUBIN_DIR", "cubin_dir (a directory)"),
        ("ZKPROVE_GPU_PRECOMPUTE", "precompute_levels (a number of levels ≥ 1)"),
        ("ZKPROVE_GPU_MSM_ACC", "msm_accumulate (`wide` or `capped`)"),
        ("ZKPROVE_GPU_PROFILE", "profile (1 to turn on)"),
    ];

    /// The configuration from named values (the binary passes its environment:
    /// `GpuConfig::from_vars(|name| std::env::var(name).ok())`; the library reads no variable
    /// itself), starting from the defaults; see [`GpuConfig::VARS`].
    ///
    /// # Errors
    /// [`ConfigVarError`] for a value that does not parse.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigVarError> {
        let mut c = GpuConfig::default();
        if let Some(v) = get("ZKPROVE_DISABLE_CUDA") {
            c.disable_cuda = !v.is_empty() && v != "0";
        }
        if let Some(v) = get("ZKPROVE_OPENCL_DEVICE") {
            c.opencl_device = v.trim().parse().map_err(|_| ConfigVarError {
                name: "ZKPROVE_OPENCL_DEVICE",
                value: v.clone(),
                expected: "an OpenCL device index",
            })?;
        }
        if let Some(v) = get("ZKPROVE_CUDA_CUBIN_DIR").filter(|v| !v.is_empty()) {
            c.cubin_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = get("ZKPROVE_GPU_PRECOMPUTE") {
            match v.trim().parse::<usize>() {
                Ok(l) if l >= 1 => c.precompute_levels = Some(l),
                _ => {
                    return Err(ConfigVarError {
                        name: "ZKPROVE_GPU_PRECOMPUTE",
                        value: v,
                        expected: "a number of levels, 1 for none",
                    });
                }
            }
        }
        if let Some(v) = get("ZKPROVE_GPU_MSM_ACC") {
            c.msm_accumulate = match v.as_str() {
                "wide" => MsmAccumulate::Wide,
                "" | "capped" => MsmAccumulate::Capped,
                _ => {
                    return Err(ConfigVarError {
                        name: "ZKPROVE_GPU_MSM_ACC",
                        value: v,
                        expected: "`wide` or `capped`",
                    });
                }
            };
        }
        if let Some(v) = get("ZKPROVE_GPU_PROFILE") {
            c.profile = v == "1";
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vars_parse_into_the_config() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        assert_eq!(GpuConfig::from_vars(|_| None), Ok(GpuConfig::default()));
        let c = GpuConfig::from_vars(vars(&[
            ("ZKPROVE_DISABLE_CUDA", "1"),
            ("ZKPROVE_OPENCL_DEVICE", "2"),
            ("ZKPROVE_CUDA_CUBIN_DIR", "/tmp/cubins"),
            ("ZKPROVE_GPU_PRECOMPUTE", "3"),
            ("ZKPROVE_GPU_MSM_ACC", "wide"),
            ("ZKPROVE_GPU_PROFILE", "1"),
        ]))
        .unwrap();
        assert!(c.disable_cuda && c.profile);
        assert_eq!(c.opencl_device, 2);
        assert_eq!(c.cubin_dir.as_deref(), Some(std::path::Path::new("/tmp/cubins")));
        assert_eq!(c.precompute_levels, Some(3));
        assert_eq!(c.msm_accumulate, MsmAccumulate::Wide);
        assert!(
            !GpuConfig::from_vars(vars(&[("ZKPROVE_DISABLE_CUDA", "0")])).unwrap().disable_cuda
        );
        for bad in [
            &[("ZKPROVE_GPU_PRECOMPUTE", "0")][..],
            &[("ZKPROVE_GPU_PRECOMPUTE", "x")],
            &[("ZKPROVE_OPENCL_DEVICE", "-1")],
            &[("ZKPROVE_GPU_MSM_ACC", "narrow")],
        ] {
            let owned: Vec<(String, String)> =
                bad.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            let get = |k: &str| owned.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            assert!(GpuConfig::from_vars(get).is_err(), "{bad:?}");
        }
    }
}
