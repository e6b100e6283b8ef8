//! CUDA through cudarc with dynamic loading: nothing links at build time, and nothing calls into
//! cudarc before [`cuda_available`]'s probe has seen the driver library (cudarc panics when a
//! library it needs cannot be loaded).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use cudarc::driver::{
    CudaContext, CudaFunction, CudaModule, CudaSlice, CudaStream, DriverError, LaunchConfig,
    PinnedHostSlice, PushKernelArg,
};

use crate::runtime::{KernelArg, ProgramSource, Runtime, ThreadDefault, TwiddleCache};
use crate::{FieldKind, GpuBuffer, GpuError, nvrtc};

/// A CUDA device buffer of `T` (see [`GpuBuffer`]).
pub type DeviceBuffer<T> = GpuBuffer<CudaDevice, T>;

fn driver_err(call: &str) -> impl FnOnce(DriverError) -> GpuError + '_ {
    move |e| GpuError::Driver { backend: "cuda", call: call.to_string(), message: format!("{e:?}") }
}

/// Whether a CUDA device can be used: CUDA not disabled ([`crate::GpuConfig::disable_cuda`]), the
/// driver's device nodes present (`driver_nodes_present`), the driver library loadable, at
/// least one device, and the device not marked unhealthy. Never panics. This is the probe behind
/// `--device auto` (the default of several commands), so on a machine without a GPU it must cost
/// next to nothing: one `stat` instead of `dlopen`ing the driver under its several names
/// (0.5–7 ms per process measured here).
pub fn cuda_available() -> bool {
    driver_nodes_present() && device_count() > 0 && crate::unhealthy_reason("cuda").is_none()
}

/// Whether the NVIDIA driver's device nodes exist: on Linux a machine (or container) with a
/// usable CUDA driver has `/dev/nvidiactl`, or `/dev/dxg` under WSL2; without either the driver
/// library cannot open a device. Always true on other systems (the `dlopen` probe decides).
fn driver_nodes_present() -> bool {
    if cfg!(target_os = "linux") {
        ["/dev/nvidiactl", "/dev/dxg"].iter().any(|p| std::path::Path::new(p).exists())
    } else {
        true
    }
}

/// Number of CUDA devices, 0 when CUDA is disabled, absent or failing. Never panics.
pub(crate) fn device_count() -> usize {
    if crate::config().disable_cuda {
        return 0;
    }
    // SAFETY: `is_culib_present` only tries to `dlopen` the driver library by its known names; it
    // has no preconditions. Every other cudarc call below happens only when it returned true.
    if !unsafe { cudarc::driver::sys::is_culib_present() } {
        return 0;
    }
    match CudaContext::device_count() {
        Ok(n) if n > 0 => n as usize,
        _ => 0,
    }
}

/// The environment variable the `zkprove` binary reads into [`crate::GpuConfig::cubin_dir`]: a
/// directory of prebuilt CUBINs, `<program_id>.<arch>.cubin` (see [`FieldKind::program_id`]; the
/// `build_cubins` example writes them with NVRTC on any machine). The library reads no variable.
pub const CUBIN_DIR_ENV: &str = "ZKPROVE_CUDA_CUBIN_DIR";

/// The prebuilt CUBIN named `stem` for `arch`, if the configured directory holds one built from
/// the current source.
fn prebuilt_cubin_named(stem: &str, arch: &str) -> Option<Vec<u8>> {
    let dir = crate::config().cubin_dir.as_ref()?;
    std::fs::read(dir.join(format!("{stem}.{arch}.cubin"))).ok()
}

/// The prebuilt CUBIN of `field` for `arch` (see [`prebuilt_cubin_named`]).
fn prebuilt_cubin(field: FieldKind, arch: &str) -> Option<Vec<u8>> {
    prebuilt_cubin_named(&field.program_id(), arch)
}

/// An opened CUDA device: its primary context, one stream on which every operation of this crate
/// is queued, and the field programs compiled for it so far.
pub struct CudaDevice {
    ctx: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    /// The transfer stream of [`Runtime::upload_bytes`]: new buffers are allocated and filled
    /// there, so an upload does not queue behind the kernels on `stream`.
    copy_stream: Arc<CudaStream>,
    arch: String,
    modules: Mutex<HashMap<FieldKind, Arc<CudaModule>>>,
    functions: Mutex<HashMap<(FieldKind, &'static str), CudaFunction>>,
    named_functions: Mutex<HashMap<(&'static str, &'static str), CudaFunction>>,
    named_modules: Mutex<HashMap<&'static str, Arc<CudaModule>>>,
    twiddles: TwiddleCache<CudaSlice<u8>>,
    max_threads: usize,
    /// Pinned staging buffers for large transfers, made at the first one (`None` until then, or
    /// when pinned memory could not be had: transfers then go straight from pageable memory).
    staging: Mutex<Option<Staging>>,
    /// Pinned buffers of finished readbacks ([`Runtime::read_enqueue`]), kept for reuse.
    readback_pool: ReadbackPool,
}

/// Pinned host buffers of readbacks, by exact length (a device → host copy fills its whole
/// destination). Kept rather than freed: freeing page-locked memory may wait for the device, which
/// would hold the host behind the kernels queued after the copy (the next proof's).
type ReadbackPool = Arc<Mutex<Vec<PinnedHostSlice<u8>>>>;

/// Most pinned buffers [`ReadbackPool`] keeps (a proof reads back five MSMs' window sums).
const READBACK_POOL_MAX: usize = 64;

/// A device → host copy queued by [`Runtime::read_enqueue`] on a CUDA device.
pub struct CudaReadback {
    /// The pinned destination of a queued copy; `None` once the bytes are in `done`.
    host: Option<PinnedHostSlice<u8>>,
    /// Bytes already on the host (an empty or a large read, done at once).
    done: Option<Vec<u8>>,
    pool: ReadbackPool,
}

impl Drop for CudaReadback {
    fn drop(&mut self) {
        if let Some(host) = self.host.take() {
            let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
            // A buffer whose copy is still queued may go back: the next copy into it is queued on
            // the same stream after this one, and its reader waits for that copy's event.
            if pool.len() < READBACK_POOL_MAX {
                pool.push(host);
            }
        }
    }
}

/// Transfers of at least this many bytes go through pinned (page-locked) staging buffers, so
/// the DMA engine reads and writes host memory directly; smaller ones go straight from pageable
/// memory, where the driver stages them itself.
pub const PINNED_TRANSFER_MIN_BYTES: usize = 8 << 20;

/// The size of each of the two alternating pinned staging buffers per direction.
const STAGING_BYTES: usize = 4 << 20;

/// Pieces of a staging copy that one thread copies.
const COPY_PIECE: usize = 256 << 10;

/// `dst.copy_from_slice(src)` over the rayon pool in pieces of [`COPY_PIECE`] bytes: one core
/// fills write-combined pinned memory at a fraction of what the bus takes (on the H200 machine a
/// 32 MB upload took 4.6 ms, about 7 GB/s), so the staging copy, not the transfer, set the pace.
fn par_copy(dst: &mut [u8], src: &[u8]) {
    use rayon::prelude::*;
    dst.par_chunks_mut(COPY_PIECE)
        .zip(src.par_chunks(COPY_PIECE))
        .for_each(|(d, s)| d.copy_from_slice(s));
}

/// Two upload and two download staging buffers: while the device copies one, the host fills or
/// drains the other.
struct Staging {
    up: [PinnedHostSlice<u8>; 2],
    down: [PinnedHostSlice<u8>; 2],
}

impl Staging {
    fn new(ctx: &Arc<CudaContext>) -> Result<Self, DriverError> {
        let pinned = |flags| -> Result<PinnedHostSlice<u8>, DriverError> {
            // SAFETY: `u8` has no invalid bit patterns; every byte the device reads from an upload
            // buffer was written by the host first (`write` copies a chunk in before each copy),
            // and download buffers are only read back after the device has written them.
            unsafe { ctx.alloc_pinned_with_flags::<u8>(STAGING_BYTES, flags) }
        };
        // Write-combined memory for uploads (the host only writes it); plain pinned memory for
        // downloads (the host reads it back).
        let wc = cudarc::driver::sys::CU_MEMHOSTALLOC_WRITECOMBINED;
        Ok(Self { up: [pinned(wc)?, pinned(wc)?], down: [pinned(0)?, pinned(0)?] })
    }
}

impl core::fmt::Debug for CudaDevice {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CudaDevice")
            .field("ordinal", &self.ctx.ordinal())
            .field("arch", &self.arch)
            .finish()
    }
}

impl CudaDevice {
    /// Device 0, opened once per process and shared.
    ///
    /// # Errors
    /// [`GpuError::NoDevice`] without a usable CUDA device, [`GpuError::Driver`] if opening fails.
    pub fn get() -> Result<Arc<Self>, GpuError> {
        static DEVICE: OnceLock<Result<Arc<CudaDevice>, GpuError>> = OnceLock::new();
        DEVICE.get_or_init(|| Self::open(0)).clone()
    }

    /// Opens device `ordinal` (a new handle; programs are compiled again for it).
    ///
    /// # Errors
    /// [`GpuError::NoDevice`] when there is no such device, [`GpuError::Driver`].
    pub fn open(ordinal: usize) -> Result<Arc<Self>, GpuError> {
        if ordinal >= device_count() {
            return Err(GpuError::NoDevice { backend: "cuda" });
        }
        let ctx = CudaContext::new(ordinal).map_err(driver_err("cuCtxCreate"))?;
        let stream = ctx.new_stream().map_err(driver_err("cuStreamCreate"))?;
        let copy_stream = ctx.new_stream().map_err(driver_err("cuStreamCreate"))?;
        let (major, minor) =
            ctx.compute_capability().map_err(driver_err("cuDeviceGetAttribute"))?;
        let max_threads = ctx
            .attribute(
                cudarc::driver::sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK,
            )
            .map_err(driver_err("cuDeviceGetAttribute"))?;
        Ok(Arc::new(Self {
            ctx,
            stream,
            copy_stream,
            arch: format!("sm_{major}{minor}"),
            modules: Mutex::new(HashMap::new()),
            functions: Mutex::new(HashMap::new()),
            named_functions: Mutex::new(HashMap::new()),
            named_modules: Mutex::new(HashMap::new()),
            twiddles: Mutex::new(HashMap::new()),
            max_threads: max_threads.max(1) as usize,
            staging: Mutex::new(None),
            readback_pool: Arc::new(Mutex::new(Vec::new())),
        }))
    }

    /// The device's name.
    ///
    /// # Errors
    /// [`GpuError::Driver`].
    pub fn name(&self) -> Result<String, GpuError> {
        self.ctx.name().map_err(driver_err("cuDeviceGetName"))
    }

    /// The compute capability `(major, minor)`.
    ///
    /// # Errors
    /// [`GpuError::Driver`].
    pub fn compute_capability(&self) -> Result<(i32, i32), GpuError> {
        self.ctx.compute_capability().map_err(driver_err("cuDeviceGetAttribute"))
    }

    /// `(free, total)` device memory in bytes.
    ///
    /// # Errors
    /// [`GpuError::Driver`].
    pub fn memory(&self) -> Result<(usize, usize), GpuError> {
        self.ctx.mem_get_info().map_err(driver_err("cuMemGetInfo"))
    }

    /// The architecture programs are compiled for (`sm_90` on an H100).
    pub fn arch(&self) -> &str {
        &self.arch
    }

    /// The stream every operation of this crate is queued on.
    pub fn stream(&self) -> &Arc<CudaStream> {
        &self.stream
    }

    /// The pinned staging buffers, made at the first large transfer (`None` when pinned memory
    /// cannot be had: the caller then copies from pageable memory).
    fn staging(&self) -> Result<std::sync::MutexGuard<'_, Option<Staging>>, GpuError> {
        let mut guard = self.staging.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            *guard = Staging::new(&self.ctx).ok();
        }
        Ok(guard)
    }

    fn function(&self, field: FieldKind, kernel: &'static str) -> Result<CudaFunction, GpuError> {
        let mut functions = self.functions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(f) = functions.get(&(field, kernel)) {
            return Ok(f.clone());
        }
        let module = {
            let mut modules = self.modules.lock().unwrap_or_else(|e| e.into_inner());
            match modules.get(&field) {
                Some(m) => m.clone(),
                None => {
                    let image = match prebuilt_cubin(field, &self.arch) {
                        Some(image) => image,
                        None => {
                            nvrtc::compile(
                                &field.program_source(),
                                field.name(),
                                &nvrtc::Target::Cubin(self.arch.clone()),
                            )?
                            .image
                        }
                    };
                    let m = self
                        .ctx
                        .load_module(cudarc::nvrtc::Ptx::from_binary(image))
                        .map_err(driver_err("cuModuleLoadData"))?;
                    modules.insert(field, m.clone());
                    m
                }
            }
        };
        let f = module.load_function(kernel).map_err(driver_err("cuModuleGetFunction"))?;
        functions.insert((field, kernel), f.clone());
        Ok(f)
    }
}

impl CudaDevice {
    /// `bytes` (at least 4) zeroed bytes, allocated and cleared in `stream`'s order, after checking
    /// them against the free device memory.
    fn alloc_on(&self, stream: &Arc<CudaStream>, bytes: usize) -> Result<CudaSlice<u8>, GpuError> {
        let bytes = bytes.max(4);
        let (free, _) = self.memory()?;
        if bytes > free {
            return Err(GpuError::OutOfMemory { requested: bytes, free });
        }
        stream.alloc_zeros::<u8>(bytes).map_err(|e| match e.0 {
            cudarc::driver::sys::cudaError_enum::CUDA_ERROR_OUT_OF_MEMORY => {
                GpuError::OutOfMemory { requested: bytes, free }
            }
            _ => driver_err("cuMemAlloc")(e),
        })
    }

    /// Copies `bytes` to the start of `mem` on `stream` (through the pinned staging buffers when
    /// large) and waits for `stream`: the host slice is borrowed only for this call.
    fn copy_htod(
        &self,
        stream: &Arc<CudaStream>,
        mem: &mut CudaSlice<u8>,
        bytes: &[u8],
    ) -> Result<(), GpuError> {
        if bytes.len() > mem.len() {
            return Err(GpuError::LengthMismatch { expected: mem.len(), got: bytes.len() });
        }
        if bytes.len() >= PINNED_TRANSFER_MIN_BYTES
            && let Some(staging) = self.staging()?.as_mut()
        {
            // Whole staging-sized chunks alternate between the two pinned buffers (filling one
            // waits for that buffer's previous copy); the tail goes straight.
            let full = bytes.len() / STAGING_BYTES * STAGING_BYTES;
            for (i, chunk) in bytes[..full].chunks_exact(STAGING_BYTES).enumerate() {
                let buf = &mut staging.up[i % 2];
                par_copy(buf.as_mut_slice().map_err(driver_err("cuEventSynchronize"))?, chunk);
                let off = i * STAGING_BYTES;
                let mut dst = mem.slice_mut(off..off + STAGING_BYTES);
                stream.memcpy_htod(&*buf, &mut dst).map_err(driver_err("cuMemcpyHtoD"))?;
            }
            if full < bytes.len() {
                let mut dst = mem.slice_mut(full..bytes.len());
                stream.memcpy_htod(&bytes[full..], &mut dst).map_err(driver_err("cuMemcpyHtoD"))?;
            }
            return stream.synchronize().map_err(driver_err("cuStreamSynchronize"));
        }
        let mut dst = mem.slice_mut(..bytes.len());
        stream.memcpy_htod(bytes, &mut dst).map_err(driver_err("cuMemcpyHtoD"))?;
        // The host slice is borrowed only for this call: wait until the copy has read it.
        stream.synchronize().map_err(driver_err("cuStreamSynchronize"))
    }

    fn program_function(
        &self,
        program: ProgramSource,
        kernel: &'static str,
    ) -> Result<CudaFunction, GpuError> {
        let mut functions = self.named_functions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(f) = functions.get(&(program.name, kernel)) {
            return Ok(f.clone());
        }
        let module = {
            let mut modules = self.named_modules.lock().unwrap_or_else(|e| e.into_inner());
            match modules.get(program.name) {
                Some(m) => m.clone(),
                None => {
                    let prebuilt = prebuilt_cubin_named(&program.program_id(), &self.arch);
                    let image = match prebuilt {
                        Some(image) => image,
                        None => {
                            nvrtc::compile(
                                &(program.source)(),
                                program.name,
                                &nvrtc::Target::Cubin(self.arch.clone()),
                            )?
                            .image
                        }
                    };
                    let m = self
                        .ctx
                        .load_module(cudarc::nvrtc::Ptx::from_binary(image))
                        .map_err(driver_err("cuModuleLoadData"))?;
                    modules.insert(program.name, m.clone());
                    m
                }
            }
        };
        let f = module.load_function(kernel).map_err(driver_err("cuModuleGetFunction"))?;
        functions.insert((program.name, kernel), f.clone());
        Ok(f)
    }

    fn launch_function(
        &self,
        f: &CudaFunction,
        args: &[KernelArg<'_, CudaSlice<u8>>],
        global: usize,
        local: Option<usize>,
    ) -> Result<(), GpuError> {
        let block = local.unwrap_or(256).min(self.max_threads).max(1);
        let grid = global.div_ceil(block);
        let (Ok(grid), Ok(block)) = (u32::try_from(grid), u32::try_from(block)) else {
            return Err(GpuError::Unsupported { what: format!("launch of {global} threads") });
        };
        let cfg =
            LaunchConfig { grid_dim: (grid, 1, 1), block_dim: (block, 1, 1), shared_mem_bytes: 0 };
        let scalars: Vec<u32> = args
            .iter()
            .map(|a| match a {
                KernelArg::U32(v) => *v,
                KernelArg::Mem(_) => 0,
            })
            .collect();
        let mut builder = self.stream.launch_builder(f);
        for (a, s) in args.iter().zip(&scalars) {
            match a {
                KernelArg::Mem(m) => builder.arg(*m),
                KernelArg::U32(_) => builder.arg(s),
            };
        }
        // SAFETY: every kernel of the programs takes exactly the arguments its caller in this crate
        // passes (device pointers and `u32`s, in order); buffers are sized by the callers for the
        // indices the kernels touch (every kernel bounds-checks its global index), and the borrowed
        // buffers outlive the launch because cudarc records their use on the stream.
        unsafe { builder.launch(cfg) }.map_err(driver_err("cuLaunchKernel"))?;
        Ok(())
    }
}

thread_local! {
    /// This thread's default device while a [`crate::DeviceSet`] job runs on it.
    static THREAD_DEFAULT: std::cell::RefCell<Option<Arc<CudaDevice>>> = const { std::cell::RefCell::new(None) };
}

impl Runtime for CudaDevice {
    type Mem = CudaSlice<u8>;
    const BACKEND: &'static str = "cuda";

    fn alloc(&self, bytes: usize) -> Result<CudaSlice<u8>, GpuError> {
        self.alloc_on(&self.stream, bytes)
    }

    fn write(&self, mem: &mut CudaSlice<u8>, bytes: &[u8]) -> Result<(), GpuError> {
        self.copy_htod(&self.stream, mem, bytes)
    }

    fn upload_bytes(&self, bytes: &[u8]) -> Result<CudaSlice<u8>, GpuError> {
        let mut mem = self.alloc_on(&self.copy_stream, bytes.len())?;
        if !bytes.is_empty() {
            self.copy_htod(&self.copy_stream, &mut mem, bytes)?;
        }
        Ok(mem)
    }

    fn read(&self, mem: &CudaSlice<u8>, out: &mut [u8]) -> Result<(), GpuError> {
        if out.len() > mem.len() {
            return Err(GpuError::LengthMismatch { expected: mem.len(), got: out.len() });
        }
        if out.len() >= PINNED_TRANSFER_MIN_BYTES
            && let Some(staging) = self.staging()?.as_mut()
        {
            // Chunk i is copied into pinned buffer i % 2 while the host drains chunk i − 1 from
            // the other one (draining waits for that buffer's copy to finish).
            let full = out.len() / STAGING_BYTES * STAGING_BYTES;
            let n_chunks = full / STAGING_BYTES;
            for i in 0..=n_chunks {
                if i < n_chunks {
                    let src = mem.slice(i * STAGING_BYTES..(i + 1) * STAGING_BYTES);
                    self.stream
                        .memcpy_dtoh(&src, &mut staging.down[i % 2])
                        .map_err(driver_err("cuMemcpyDtoH"))?;
                }
                if i > 0 {
                    let j = i - 1;
                    let done =
                        staging.down[j % 2].as_slice().map_err(driver_err("cuEventSynchronize"))?;
                    par_copy(&mut out[j * STAGING_BYTES..(j + 1) * STAGING_BYTES], done);
                }
            }
            if full < out.len() {
                let src = mem.slice(full..out.len());
                self.stream
                    .memcpy_dtoh(&src, &mut out[full..])
                    .map_err(driver_err("cuMemcpyDtoH"))?;
            }
            return self.synchronize();
        }
        let src = mem.slice(..out.len());
        self.stream.memcpy_dtoh(&src, out).map_err(driver_err("cuMemcpyDtoH"))?;
        self.synchronize()
    }

    type Readback = CudaReadback;

    fn read_enqueue(&self, mem: &CudaSlice<u8>, len: usize) -> Result<CudaReadback, GpuError> {
        if len > mem.len() {
            return Err(GpuError::LengthMismatch { expected: mem.len(), got: len });
        }
        let pool = self.readback_pool.clone();
        if len == 0 || len >= PINNED_TRANSFER_MIN_BYTES {
            // Large reads (none on the proof path, whose readbacks are window sums of a few KB)
            // go through the staging buffers and wait.
            let mut out = vec![0u8; len];
            if len > 0 {
                self.read(mem, &mut out)?;
            }
            return Ok(CudaReadback { host: None, done: Some(out), pool });
        }
        let reused = {
            let mut free = pool.lock().unwrap_or_else(|e| e.into_inner());
            free.iter().position(|b| b.len() == len).map(|i| free.swap_remove(i))
        };
        let mut host = match reused {
            Some(h) => h,
            // SAFETY: `u8` has no invalid bit patterns, and the host reads the buffer only after
            // the copy below has filled all of it (`read_wait` waits for its event first).
            None => unsafe { self.ctx.alloc_pinned_with_flags::<u8>(len, 0) }
                .map_err(driver_err("cuMemHostAlloc"))?,
        };
        let src = mem.slice(..len);
        // The copy fills `host` exactly (`len` bytes each side) and records `host`'s event.
        self.stream.memcpy_dtoh(&src, &mut host).map_err(driver_err("cuMemcpyDtoHAsync"))?;
        Ok(CudaReadback { host: Some(host), done: None, pool })
    }

    fn read_wait(&self, mut readback: CudaReadback) -> Result<Vec<u8>, GpuError> {
        if let Some(bytes) = readback.done.take() {
            return Ok(bytes);
        }
        match &readback.host {
            Some(host) => Ok(host.as_slice().map_err(driver_err("cuEventSynchronize"))?.to_vec()),
            None => Ok(Vec::new()),
        }
    }

    unsafe fn launch_raw(
        &self,
        field: FieldKind,
        kernel: &'static str,
        args: &[KernelArg<'_, CudaSlice<u8>>],
        global: usize,
        local: Option<usize>,
    ) -> Result<(), GpuError> {
        if global == 0 {
            return Ok(());
        }
        let f = self.function(field, kernel)?;
        self.launch_function(&f, args, global, local)
    }

    unsafe fn launch_program_raw(
        &self,
        program: ProgramSource,
        kernel: &'static str,
        args: &[KernelArg<'_, CudaSlice<u8>>],
        global: usize,
        local: Option<usize>,
    ) -> Result<(), GpuError> {
        if global == 0 {
            return Ok(());
        }
        let f = self.program_function(program, kernel)?;
        self.launch_function(&f, args, global, local)
    }

    fn default_device() -> Result<Arc<Self>, GpuError> {
        if let Some(d) = THREAD_DEFAULT.with(|c| c.borrow().clone()) {
            return Ok(d);
        }
        if let Some(reason) = crate::unhealthy_reason("cuda") {
            return Err(GpuError::Unhealthy { backend: "cuda", reason });
        }
        Self::get()
    }

    fn device_label() -> String {
        "cuda:0".to_string()
    }

    fn synchronize(&self) -> Result<(), GpuError> {
        self.stream.synchronize().map_err(driver_err("cuStreamSynchronize"))
    }

    fn max_group_size(&self) -> usize {
        self.max_threads
    }

    fn memory_budget(&self) -> Result<usize, GpuError> {
        Ok(self.memory()?.0)
    }

    fn is_gpu(&self) -> bool {
        true
    }

    fn thread_default() -> &'static ThreadDefault<Self> {
        &THREAD_DEFAULT
    }

    fn twiddle_cache(&self) -> &TwiddleCache<CudaSlice<u8>> {
        &self.twiddles
    }
}

#[cfg(test)]
mod tests {
    use super::{COPY_PIECE, par_copy};

    #[test]
    fn par_copy_copies_every_byte() {
        for len in [0, 1, COPY_PIECE - 1, COPY_PIECE, 3 * COPY_PIECE + 17, 4 << 20] {
            let src: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let mut dst = vec![0u8; len];
            par_copy(&mut dst, &src);
            assert_eq!(dst, src, "{len} bytes");
        }
    }
}
