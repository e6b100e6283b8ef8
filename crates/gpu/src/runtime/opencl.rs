//! OpenCL through opencl3 (the OpenCL library is loaded at runtime: no ICD, no platform or no
//! device means an empty device list, never a panic). Runs the same kernel source as CUDA; on the
//! CPU through PoCL in CI.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use opencl3::command_queue::CommandQueue;
use opencl3::context::Context;
use opencl3::device::{CL_DEVICE_TYPE_ALL, CL_DEVICE_TYPE_GPU, Device};
use opencl3::event::Event;
use opencl3::kernel::{ExecuteKernel, Kernel};
use opencl3::memory::{Buffer, CL_MEM_READ_WRITE, ClMem};
use opencl3::program::Program;
use opencl3::types::{CL_BLOCKING, CL_NON_BLOCKING, cl_device_id};

use crate::runtime::{KernelArg, ProgramSource, Runtime, ThreadDefault, TwiddleCache};
use crate::{FieldKind, GpuBuffer, GpuError};

/// Work-group size of launches that do not need a particular one.
const DEFAULT_GROUP: usize = 64;

/// An OpenCL device buffer of `T` (see [`GpuBuffer`]).
pub type ClBuffer<T> = GpuBuffer<ClDevice, T>;

fn cl_err<E: core::fmt::Debug>(call: &str) -> impl FnOnce(E) -> GpuError + '_ {
    move |e| GpuError::Driver {
        backend: "opencl",
        call: call.to_string(),
        message: format!("{e:?}"),
    }
}

/// Every OpenCL device of every platform; empty when the OpenCL library, an ICD or a platform is
/// missing. Never panics.
pub(crate) fn all_device_ids() -> Vec<cl_device_id> {
    // One enumeration at a time: run from several threads at once (tests opening device sets in
    // parallel), PoCL's first enumeration returned 0, 1 or 2 of its 2 devices.
    static ENUMERATION: Mutex<()> = Mutex::new(());
    let _one_at_a_time = ENUMERATION.lock().unwrap_or_else(|e| e.into_inner());
    let Ok(platforms) = opencl3::platform::get_platforms() else { return Vec::new() };
    platforms.iter().flat_map(|p| p.get_devices(CL_DEVICE_TYPE_ALL).unwrap_or_default()).collect()
}

/// An opened OpenCL device: a context, one in-order command queue on which every operation of this
/// crate is queued, and the field programs built for it so far.
pub struct ClDevice {
    device: Device,
    // Field order is drop order: kernels and programs before the queue and the context.
    kernels: Mutex<HashMap<(FieldKind, &'static str), Kernel>>,
    programs: Mutex<HashMap<FieldKind, Arc<Program>>>,
    named_kernels: Mutex<HashMap<(&'static str, &'static str), Kernel>>,
    named_programs: Mutex<HashMap<&'static str, Arc<Program>>>,
    twiddles: TwiddleCache<Buffer<u8>>,
    queue: CommandQueue,
    context: Context,
    max_alloc: usize,
    max_group: usize,
}

impl core::fmt::Debug for ClDevice {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClDevice").field("name", &self.device.name().unwrap_or_default()).finish()
    }
}

impl ClDevice {
    /// The first OpenCL device (or the one at index [`crate::GpuConfig::opencl_device`] in
    /// [`list_devices`]'s OpenCL order), opened once per process and shared.
    ///
    /// [`list_devices`]: crate::list_devices
    ///
    /// # Errors
    /// [`GpuError::NoDevice`] without an OpenCL device, [`GpuError::Driver`] if opening fails.
    pub fn get() -> Result<Arc<Self>, GpuError> {
        static DEVICE: OnceLock<Result<Arc<ClDevice>, GpuError>> = OnceLock::new();
        DEVICE.get_or_init(|| Self::open(crate::config().opencl_device)).clone()
    }

    /// Opens OpenCL device `index` (over all platforms, in enumeration order).
    ///
    /// # Errors
    /// [`GpuError::NoDevice`] when there is no such device, [`GpuError::Driver`].
    pub fn open(index: usize) -> Result<Arc<Self>, GpuError> {
        let ids = all_device_ids();
        let id = *ids.get(index).ok_or(GpuError::NoDevice { backend: "opencl" })?;
        let device = Device::new(id);
        let context = Context::from_device(&device).map_err(cl_err("clCreateContext"))?;
        // An in-order queue: kernels run in the order they are queued, as on a CUDA stream.
        #[allow(deprecated)]
        let queue =
            CommandQueue::create_default(&context, 0).map_err(cl_err("clCreateCommandQueue"))?;
        let max_alloc = device.max_mem_alloc_size().map_err(cl_err("clGetDeviceInfo"))? as usize;
        let max_group = device.max_work_group_size().map_err(cl_err("clGetDeviceInfo"))?;
        Ok(Arc::new(Self {
            device,
            kernels: Mutex::new(HashMap::new()),
            programs: Mutex::new(HashMap::new()),
            named_kernels: Mutex::new(HashMap::new()),
            named_programs: Mutex::new(HashMap::new()),
            twiddles: Mutex::new(HashMap::new()),
            queue,
            context,
            max_alloc,
            max_group: max_group.max(1),
        }))
    }

    /// The device's name.
    ///
    /// # Errors
    /// [`GpuError::Driver`].
    pub fn name(&self) -> Result<String, GpuError> {
        self.device.name().map_err(cl_err("clGetDeviceInfo"))
    }

    /// The OpenCL version string of the device.
    ///
    /// # Errors
    /// [`GpuError::Driver`].
    pub fn version(&self) -> Result<String, GpuError> {
        self.device.version().map_err(cl_err("clGetDeviceInfo"))
    }

    /// Global memory in bytes.
    ///
    /// # Errors
    /// [`GpuError::Driver`].
    pub fn global_memory(&self) -> Result<u64, GpuError> {
        self.device.global_mem_size().map_err(cl_err("clGetDeviceInfo"))
    }

    /// The command queue every operation of this crate is queued on.
    pub fn queue(&self) -> &CommandQueue {
        &self.queue
    }

    fn program(&self, field: FieldKind) -> Result<Arc<Program>, GpuError> {
        let mut programs = self.programs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = programs.get(&field) {
            return Ok(p.clone());
        }
        let p = Program::create_and_build_from_source(&self.context, &field.program_source(), "")
            .map_err(|log| GpuError::Compile { log })?;
        let p = Arc::new(p);
        programs.insert(field, p.clone());
        Ok(p)
    }
}

impl ClDevice {
    fn named_program(&self, program: ProgramSource) -> Result<Arc<Program>, GpuError> {
        let mut programs = self.named_programs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = programs.get(program.name) {
            return Ok(p.clone());
        }
        let p = Program::create_and_build_from_source(&self.context, &(program.source)(), "")
            .map_err(|log| GpuError::Compile { log })?;
        let p = Arc::new(p);
        programs.insert(program.name, p.clone());
        Ok(p)
    }

    fn enqueue(
        &self,
        k: &Kernel,
        args: &[KernelArg<'_, Buffer<u8>>],
        global: usize,
        local: Option<usize>,
    ) -> Result<(), GpuError> {
        let mut exec = ExecuteKernel::new(k);
        for a in args {
            // SAFETY: each argument matches the kernel parameter at its position (a `cl_mem` for
            // a buffer, a `uint` for a scalar), as every caller in this crate passes them.
            unsafe {
                match a {
                    KernelArg::Mem(m) => exec.set_arg(*m),
                    KernelArg::U32(v) => exec.set_arg(v),
                };
            }
        }
        // A fixed default group size: left to the driver, PoCL picks one per global size and
        // compiles the kernel again for each (seconds per size on a CPU). Kernels bounds-check
        // their index, so the padding work-items do nothing.
        let l = local.unwrap_or(DEFAULT_GROUP).min(self.max_group).max(1);
        exec.set_local_work_size(l);
        exec.set_global_work_size(global.div_ceil(l) * l);
        // SAFETY: buffers are sized by the callers for the indices the kernels touch (each kernel
        // bounds-checks its global index) and live until the queue is synchronised, which every
        // read does.
        unsafe { exec.enqueue_nd_range(&self.queue) }.map_err(cl_err("clEnqueueNDRangeKernel"))?;
        Ok(())
    }
}

thread_local! {
    /// This thread's default device while a [`crate::DeviceSet`] job runs on it.
    static THREAD_DEFAULT: std::cell::RefCell<Option<Arc<ClDevice>>> = const { std::cell::RefCell::new(None) };
}

impl Runtime for ClDevice {
    type Mem = Buffer<u8>;
    const BACKEND: &'static str = "opencl";

    fn alloc(&self, bytes: usize) -> Result<Buffer<u8>, GpuError> {
        let bytes = bytes.max(4);
        if bytes > self.max_alloc {
            return Err(GpuError::OutOfMemory { requested: bytes, free: self.max_alloc });
        }
        // SAFETY: no host pointer is passed (null with flags that do not use one).
        let mut mem = unsafe {
            Buffer::<u8>::create(&self.context, CL_MEM_READ_WRITE, bytes, core::ptr::null_mut())
        }
        .map_err(cl_err("clCreateBuffer"))?;
        let zero = [0u8; 1];
        // SAFETY: the pattern is one byte, the range is the whole buffer; the queue is in order,
        // so later commands see the zeros.
        unsafe { self.queue.enqueue_fill_buffer(&mut mem, &zero, 0, bytes, &[]) }
            .map_err(cl_err("clEnqueueFillBuffer"))?;
        Ok(mem)
    }

    fn write(&self, mem: &mut Buffer<u8>, bytes: &[u8]) -> Result<(), GpuError> {
        // SAFETY: blocking write: `bytes` is read before the call returns; the size is checked by
        // OpenCL against the buffer's size (an error, not undefined behaviour).
        unsafe { self.queue.enqueue_write_buffer(mem, CL_BLOCKING, 0, bytes, &[]) }
            .map_err(cl_err("clEnqueueWriteBuffer"))?;
        Ok(())
    }

    fn read(&self, mem: &Buffer<u8>, out: &mut [u8]) -> Result<(), GpuError> {
        // SAFETY: blocking read into a slice of exactly the bytes asked for; the in-order queue
        // runs it after the kernels queued before.
        unsafe { self.queue.enqueue_read_buffer(mem, CL_BLOCKING, 0, out, &[]) }
            .map_err(cl_err("clEnqueueReadBuffer"))?;
        Ok(())
    }

    type Readback = ClReadback;

    fn read_enqueue(&self, mem: &Buffer<u8>, len: usize) -> Result<ClReadback, GpuError> {
        let size = mem.size().map_err(cl_err("clGetMemObjectInfo"))?;
        if len > size {
            return Err(GpuError::LengthMismatch { expected: size, got: len });
        }
        let mut host = vec![0u8; len];
        if len == 0 {
            return Ok(ClReadback { host, event: None });
        }
        // SAFETY: a non-blocking read into `host`'s heap block, which stays where it is (moving
        // the Vec does not move its block) and is neither read, written nor freed until the event
        // completes: `read_wait` and `Drop` wait for it first. The size fits (checked above).
        let event =
            unsafe { self.queue.enqueue_read_buffer(mem, CL_NON_BLOCKING, 0, &mut host, &[]) }
                .map_err(cl_err("clEnqueueReadBuffer"))?;
        // Start it now rather than at the wait: the queue may hold it back until a flush.
        self.queue.flush().map_err(cl_err("clFlush"))?;
        Ok(ClReadback { host, event: Some(event) })
    }

    fn read_wait(&self, mut readback: ClReadback) -> Result<Vec<u8>, GpuError> {
        if let Some(event) = readback.event.take() {
            event.wait().map_err(cl_err("clWaitForEvents"))?;
        }
        Ok(std::mem::take(&mut readback.host))
    }

    unsafe fn launch_raw(
        &self,
        field: FieldKind,
        kernel: &'static str,
        args: &[KernelArg<'_, Buffer<u8>>],
        global: usize,
        local: Option<usize>,
    ) -> Result<(), GpuError> {
        if global == 0 {
            return Ok(());
        }
        let program = self.program(field)?;
        // Kernel objects are not thread-safe while their arguments are set: the lock is held from
        // setting the arguments until the launch is queued.
        let mut kernels = self.kernels.lock().unwrap_or_else(|e| e.into_inner());
        let k = match kernels.entry((field, kernel)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Kernel::create(&program, kernel).map_err(cl_err("clCreateKernel"))?)
            }
        };
        self.enqueue(k, args, global, local)
    }

    unsafe fn launch_program_raw(
        &self,
        program: ProgramSource,
        kernel: &'static str,
        args: &[KernelArg<'_, Buffer<u8>>],
        global: usize,
        local: Option<usize>,
    ) -> Result<(), GpuError> {
        if global == 0 {
            return Ok(());
        }
        let p = self.named_program(program)?;
        // Kernel objects are not thread-safe while their arguments are set: the lock is held from
        // setting the arguments until the launch is queued.
        let mut kernels = self.named_kernels.lock().unwrap_or_else(|e| e.into_inner());
        let k = match kernels.entry((program.name, kernel)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Kernel::create(&p, kernel).map_err(cl_err("clCreateKernel"))?)
            }
        };
        self.enqueue(k, args, global, local)
    }

    fn default_device() -> Result<Arc<Self>, GpuError> {
        if let Some(d) = THREAD_DEFAULT.with(|c| c.borrow().clone()) {
            return Ok(d);
        }
        if let Some(reason) = crate::unhealthy_reason("opencl") {
            return Err(GpuError::Unhealthy { backend: "opencl", reason });
        }
        Self::get()
    }

    fn device_label() -> String {
        format!("opencl:{}", crate::config().opencl_device)
    }

    fn synchronize(&self) -> Result<(), GpuError> {
        self.queue.finish().map_err(cl_err("clFinish"))
    }

    fn max_group_size(&self) -> usize {
        self.max_group
    }

    fn memory_budget(&self) -> Result<usize, GpuError> {
        let global = usize::try_from(self.global_memory()?).unwrap_or(usize::MAX);
        Ok(self.max_alloc.min(global))
    }

    fn is_gpu(&self) -> bool {
        self.device.dev_type().is_ok_and(|t| t & CL_DEVICE_TYPE_GPU != 0)
    }

    fn thread_default() -> &'static ThreadDefault<Self> {
        &THREAD_DEFAULT
    }

    fn twiddle_cache(&self) -> &TwiddleCache<Buffer<u8>> {
        &self.twiddles
    }
}

/// A device → host copy queued by [`Runtime::read_enqueue`] on an OpenCL device.
pub struct ClReadback {
    /// The destination, written by the device until `event` completes.
    host: Vec<u8>,
    /// The queued read; `None` once waited for (or for an empty read).
    event: Option<Event>,
}

impl Drop for ClReadback {
    fn drop(&mut self) {
        // The device may still be writing `host`: it is freed only after the read is done.
        if let Some(event) = self.event.take() {
            let _ = event.wait();
        }
    }
}
