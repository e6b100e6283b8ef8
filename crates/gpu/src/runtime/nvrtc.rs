//! NVRTC, the CUDA runtime compiler, loaded dynamically (no CUDA toolkit at build time).
//!
//! Used at runtime to build a field's program for the device found (a CUBIN for its exact
//! architecture, so no PTX JIT and no PTX-version skew between compiler and driver), and by the
//! compile-only tests, which build every program to PTX and to an `sm_90` CUBIN on machines
//! without a GPU (NVRTC from PyPI: `nvidia-cuda-nvrtc`).

use std::ffi::{CStr, CString, c_char, c_int};

use cudarc::nvrtc::sys;

use crate::GpuError;

/// Whether the NVRTC library can be loaded (`libnvrtc.so.13`, … on the library path). Never panics.
pub fn is_available() -> bool {
    // SAFETY: `is_culib_present` only tries to `dlopen` the library by its known names; it has no
    // preconditions and does not call into the library.
    unsafe { sys::is_culib_present() }
}

/// NVRTC's version `(major, minor)`.
///
/// # Errors
/// [`GpuError::NoNvrtc`] when the library is absent, [`GpuError::Nvrtc`] on a library error.
pub fn version() -> Result<(i32, i32), GpuError> {
    if !is_available() {
        return Err(GpuError::NoNvrtc);
    }
    let (mut major, mut minor): (c_int, c_int) = (0, 0);
    // SAFETY: the library is present (checked above); both pointers are valid for writes.
    let r = unsafe { sys::nvrtcVersion(&mut major, &mut minor) };
    check(r, "nvrtcVersion")?;
    Ok((major, minor))
}

/// What to produce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// PTX for a virtual architecture, e.g. `compute_90`.
    Ptx(&'static str),
    /// A CUBIN for a real architecture, e.g. `sm_90` (runs ptxas inside NVRTC).
    Cubin(String),
}

/// A compiled program and NVRTC's log (with `-Xptxas=-v` for CUBINs: registers and spills per
/// kernel).
#[derive(Clone, Debug)]
pub struct Compiled {
    /// PTX text (NUL-terminated) or CUBIN bytes, as `cuModuleLoadData` takes them.
    pub image: Vec<u8>,
    /// The compilation log.
    pub log: String,
}

fn check(r: sys::nvrtcResult, what: &str) -> Result<(), GpuError> {
    if r == sys::nvrtcResult::NVRTC_SUCCESS {
        Ok(())
    } else {
        Err(GpuError::Nvrtc { call: what.to_string(), code: format!("{r:?}") })
    }
}

/// Owns an `nvrtcProgram`, destroyed once on drop.
struct Program(sys::nvrtcProgram);

impl Drop for Program {
    fn drop(&mut self) {
        // SAFETY: `self.0` was created by `nvrtcCreateProgram` and is destroyed only here. The
        // result is ignored: nothing useful can be done about a failed destroy in `drop`.
        let _ = unsafe { sys::nvrtcDestroyProgram(&mut self.0) };
    }
}

impl Program {
    fn log(&self) -> Result<String, GpuError> {
        let mut size = 0usize;
        // SAFETY: valid program handle, valid out pointer.
        check(unsafe { sys::nvrtcGetProgramLogSize(self.0, &mut size) }, "nvrtcGetProgramLogSize")?;
        let mut buf = vec![0u8; size.max(1)];
        // SAFETY: `buf` holds `size` bytes, as NVRTC reported.
        check(
            unsafe { sys::nvrtcGetProgramLog(self.0, buf.as_mut_ptr().cast::<c_char>()) },
            "nvrtcGetProgramLog",
        )?;
        Ok(CStr::from_bytes_until_nul(&buf)
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default())
    }
}

/// Compiles CUDA source `src` (named `name` in diagnostics) with NVRTC.
///
/// # Errors
/// [`GpuError::NoNvrtc`] when NVRTC is absent, [`GpuError::Compile`] with the log when the source
/// does not compile, [`GpuError::Nvrtc`] on other library errors.
pub fn compile(src: &str, name: &str, target: &Target) -> Result<Compiled, GpuError> {
    if !is_available() {
        return Err(GpuError::NoNvrtc);
    }
    let c_src = CString::new(src)
        .map_err(|_| GpuError::Compile { log: "kernel source contains a NUL byte".to_string() })?;
    let c_name = CString::new(name)
        .map_err(|_| GpuError::Compile { log: "program name contains a NUL byte".to_string() })?;
    let mut options = vec!["-std=c++17".to_string()];
    match target {
        Target::Ptx(arch) => options.push(format!("--gpu-architecture={arch}")),
        Target::Cubin(arch) => {
            options.push(format!("--gpu-architecture={arch}"));
            options.push("-Xptxas=-v".to_string());
        }
    }
    let c_options: Vec<CString> = options
        .iter()
        .map(|o| CString::new(o.as_str()))
        .collect::<Result<_, _>>()
        .map_err(|_| GpuError::Compile { log: "option contains a NUL byte".to_string() })?;
    let option_ptrs: Vec<*const c_char> = c_options.iter().map(|o| o.as_ptr()).collect();

    let mut raw: sys::nvrtcProgram = core::ptr::null_mut();
    // SAFETY: NVRTC is present; `c_src` and `c_name` are NUL-terminated and outlive the call; no
    // headers are passed (count 0, null arrays).
    let r = unsafe {
        sys::nvrtcCreateProgram(
            &mut raw,
            c_src.as_ptr(),
            c_name.as_ptr(),
            0,
            core::ptr::null(),
            core::ptr::null(),
        )
    };
    check(r, "nvrtcCreateProgram")?;
    let prog = Program(raw);
    // SAFETY: valid program; `option_ptrs` holds `len` pointers to NUL-terminated strings that
    // outlive the call.
    let r = unsafe {
        sys::nvrtcCompileProgram(prog.0, option_ptrs.len() as c_int, option_ptrs.as_ptr())
    };
    let log = prog.log()?;
    if r == sys::nvrtcResult::NVRTC_ERROR_COMPILATION {
        return Err(GpuError::Compile { log });
    }
    check(r, "nvrtcCompileProgram")?;

    let mut size = 0usize;
    let image = match target {
        Target::Ptx(_) => {
            // SAFETY: compiled program, valid out pointer.
            check(unsafe { sys::nvrtcGetPTXSize(prog.0, &mut size) }, "nvrtcGetPTXSize")?;
            let mut buf = vec![0u8; size];
            // SAFETY: `buf` holds the `size` bytes NVRTC reported.
            check(
                unsafe { sys::nvrtcGetPTX(prog.0, buf.as_mut_ptr().cast::<c_char>()) },
                "nvrtcGetPTX",
            )?;
            buf
        }
        Target::Cubin(_) => {
            // SAFETY: compiled program, valid out pointer.
            check(unsafe { sys::nvrtcGetCUBINSize(prog.0, &mut size) }, "nvrtcGetCUBINSize")?;
            let mut buf = vec![0u8; size];
            // SAFETY: `buf` holds the `size` bytes NVRTC reported.
            check(
                unsafe { sys::nvrtcGetCUBIN(prog.0, buf.as_mut_ptr().cast::<c_char>()) },
                "nvrtcGetCUBIN",
            )?;
            buf
        }
    };
    Ok(Compiled { image, log })
}

/// Register and spill figures of one kernel, parsed from a `-Xptxas=-v` log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelResources {
    /// The kernel's (entry function's) name.
    pub name: String,
    /// Registers per thread.
    pub registers: u32,
    /// Bytes of spill stores.
    pub spill_stores: u32,
    /// Bytes of spill loads.
    pub spill_loads: u32,
    /// Bytes of stack frame.
    pub stack: u32,
}

/// Parses the per-kernel figures out of a ptxas verbose log.
pub fn parse_ptxas_log(log: &str) -> Vec<KernelResources> {
    let mut out: Vec<KernelResources> = Vec::new();
    let number_before = |line: &str, word: &str| -> Option<u32> {
        let idx = line.find(word)?;
        line[..idx].split_whitespace().last()?.parse().ok()
    };
    for line in log.lines() {
        if let Some(rest) = line.split("Compiling entry function '").nth(1) {
            let name = rest.split('\'').next().unwrap_or_default().to_string();
            out.push(KernelResources {
                name,
                registers: 0,
                spill_stores: 0,
                spill_loads: 0,
                stack: 0,
            });
        } else if let Some(k) = out.last_mut() {
            if line.contains("bytes stack frame") {
                k.stack = number_before(line, "bytes stack frame").unwrap_or(0);
                k.spill_stores = number_before(line, "bytes spill stores").unwrap_or(0);
                k.spill_loads = number_before(line, "bytes spill loads").unwrap_or(0);
            }
            if let Some(r) = number_before(line, "registers") {
                k.registers = r;
            }
        }
    }
    out
}
