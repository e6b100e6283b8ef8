//! What the CUDA and OpenCL runtimes have in common ([`Runtime`]), and the typed device buffer built
//! on it ([`GpuBuffer`]).

pub(crate) mod backend;
pub(crate) mod config;
#[cfg(feature = "cuda")]
pub(crate) mod cuda;
pub(crate) mod devices;
#[cfg(feature = "cuda")]
pub mod nvrtc;
#[cfg(feature = "opencl")]
pub(crate) mod opencl;

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use crate::{FieldKind, GpuError, GpuField};

/// Twiddle tables resident on a device, by (field, log2 size, inverse, domain tag): the tag is 0
/// for the NTTs' tables and names the domain's shift for the circle FFT's.
pub(crate) type TwiddleCache<M> = Mutex<HashMap<(FieldKind, u32, bool, u64), Arc<M>>>;

mod sealed {
    pub trait Sealed {}
    #[cfg(feature = "cuda")]
    impl Sealed for crate::CudaDevice {}
    #[cfg(feature = "opencl")]
    impl Sealed for crate::ClDevice {}
}

/// A kernel program that is not a field's program (the MSM programs): a name, unique per
/// program and the key of the per-device cache, and the function that assembles its source. Built
/// on first use per device, as the field programs are.
#[derive(Copy, Clone, Debug)]
pub struct ProgramSource {
    /// The cache key and the name in compiler logs.
    pub name: &'static str,
    /// Assembles the complete source.
    pub source: fn() -> String,
}

impl ProgramSource {
    /// `name-<hash of the source>`: the file stem of the program's prebuilt CUBIN (see
    /// [`crate::CUBIN_DIR_ENV`]), so that a CUBIN built from another source is never loaded.
    pub fn program_id(&self) -> String {
        // FNV-1a, as `FieldKind::program_id`.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in (self.source)().bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("{}-{h:016x}", self.name)
    }
}

/// One argument of a kernel launch.
pub enum KernelArg<'a, M> {
    /// A device buffer (passed as a pointer).
    Mem(&'a M),
    /// A 32-bit scalar.
    U32(u32),
}

/// An opened device with its context and one explicit stream (CUDA) or in-order command queue
/// (OpenCL). Sealed: implemented by [`crate::CudaDevice`] and [`crate::ClDevice`].
pub trait Runtime: sealed::Sealed + Send + Sync + Sized + 'static {
    /// Raw device memory (a byte buffer that frees itself when dropped).
    type Mem: Send + Sync;

    /// `"cuda"` or `"opencl"`.
    const BACKEND: &'static str;

    /// Allocates `bytes` bytes (at least one) of zeroed device memory, after checking them against
    /// the device's free memory.
    ///
    /// # Errors
    /// [`GpuError::OutOfMemory`], or [`GpuError::Driver`].
    fn alloc(&self, bytes: usize) -> Result<Self::Mem, GpuError>;

    /// Copies `bytes` from the host to the start of `mem` (through the device's stream/queue; the
    /// host slice may be reused when this returns).
    ///
    /// # Errors
    /// [`GpuError::Driver`].
    fn write(&self, mem: &mut Self::Mem, bytes: &[u8]) -> Result<(), GpuError>;

    /// Copies the first `out.len()` bytes of `mem` to the host, after the work queued before it.
    ///
    /// # Errors
    /// [`GpuError::Driver`].
    fn read(&self, mem: &Self::Mem, out: &mut [u8]) -> Result<(), GpuError>;

    /// A device → host copy queued by [`Runtime::read_enqueue`] and not yet waited for. Dropping
    /// one without [`Runtime::read_wait`] waits for the copy (its host memory is in use until then).
    type Readback: Send;

    /// Queues a copy of the first `len` bytes of `mem` to host memory, after the work queued
    /// before it, and returns without waiting: the work queued afterwards does not delay it (a
    /// later proof's kernels, say), and [`Runtime::read_wait`] returns as soon as it is done.
    /// `mem` may be dropped before the wait (both runtimes free device memory in queue order).
    ///
    /// # Errors
    /// [`GpuError::LengthMismatch`] when `len` exceeds `mem`, [`GpuError::Driver`].
    fn read_enqueue(&self, mem: &Self::Mem, len: usize) -> Result<Self::Readback, GpuError>;

    /// Waits for a copy queued by [`Runtime::read_enqueue`] and returns its bytes.
    ///
    /// # Errors
    /// [`GpuError::Driver`] (including errors of kernels that ran before the copy).
    fn read_wait(&self, readback: Self::Readback) -> Result<Vec<u8>, GpuError>;

    /// New device memory holding `bytes` (at least one byte allocated), copied from the host; the
    /// host slice may be reused when this returns. CUDA queues the allocation and the copy on a
    /// second stream, the transfer stream, and waits for that stream only: an upload does not
    /// wait behind the kernels already queued (another thread's proof, say) and runs while they
    /// do; kernels queued afterwards see the data (the copy is complete when this returns, and
    /// cudarc orders the buffer's later uses and its free across the two streams with events).
    /// The default (OpenCL, one in-order queue): [`Runtime::alloc`] then [`Runtime::write`].
    ///
    /// # Errors
    /// [`GpuError::OutOfMemory`], or [`GpuError::Driver`].
    fn upload_bytes(&self, bytes: &[u8]) -> Result<Self::Mem, GpuError> {
        let mut mem = self.alloc(bytes.len())?;
        if !bytes.is_empty() {
            self.write(&mut mem, bytes)?;
        }
        Ok(mem)
    }

    /// Queues kernel `kernel` of `field`'s program (compiled on first use and cached) over `global`
    /// work-items in groups of `local` (or the runtime's choice). Untyped: reachable from outside
    /// this crate only as this `unsafe` function; the crate's own kernels go through typed
    /// wrappers that check every length first.
    ///
    /// # Safety
    /// The kernel reads and writes its buffer arguments at the indices its scalar arguments and
    /// `global` imply: every buffer must be at least that large (else the kernel accesses device
    /// memory out of bounds), and the arguments must match the kernel's parameter list in number,
    /// order and type.
    ///
    /// # Errors
    /// [`GpuError::Compile`], [`GpuError::NoNvrtc`], [`GpuError::Driver`].
    unsafe fn launch_raw(
        &self,
        field: FieldKind,
        kernel: &'static str,
        args: &[KernelArg<'_, Self::Mem>],
        global: usize,
        local: Option<usize>,
    ) -> Result<(), GpuError>;

    /// Like [`Runtime::launch_raw`], for a kernel of `program` (compiled on first use and cached
    /// per device under `program.name`).
    ///
    /// # Safety
    /// As [`Runtime::launch_raw`].
    ///
    /// # Errors
    /// [`GpuError::Compile`], [`GpuError::NoNvrtc`], [`GpuError::Driver`].
    unsafe fn launch_program_raw(
        &self,
        program: ProgramSource,
        kernel: &'static str,
        args: &[KernelArg<'_, Self::Mem>],
        global: usize,
        local: Option<usize>,
    ) -> Result<(), GpuError>;

    /// The device used by the zero-sized [`crate::GpuBackend`] of this runtime, opened once per
    /// process; refused once the device was marked unhealthy ([`crate::unhealthy_reason`]).
    ///
    /// # Errors
    /// [`GpuError::NoDevice`], [`GpuError::Unhealthy`], [`GpuError::Driver`].
    fn default_device() -> Result<Arc<Self>, GpuError>;

    /// A label for the default device in messages (`"cuda:0"`, `"opencl:1"`).
    fn device_label() -> String;

    /// Waits until every queued operation has finished.
    ///
    /// # Errors
    /// [`GpuError::Driver`] (including errors of kernels that ran asynchronously).
    fn synchronize(&self) -> Result<(), GpuError>;

    /// The largest work-group (thread block) size this device accepts.
    fn max_group_size(&self) -> usize;

    /// The most bytes one new buffer could have now, as far as the runtime can tell (CUDA: the
    /// free device memory; OpenCL, which cannot ask for free memory: the largest single
    /// allocation), for sizing optional tables such as precomputed MSM bases.
    ///
    /// # Errors
    /// [`GpuError::Driver`].
    fn memory_budget(&self) -> Result<usize, GpuError>;

    /// Whether the device is a GPU (OpenCL also runs on CPUs, PoCL for one): work that pays only
    /// on a GPU, such as precomputing MSM bases at load, is skipped elsewhere.
    fn is_gpu(&self) -> bool;

    /// Twiddle tables kept on this device.
    #[doc(hidden)]
    fn twiddle_cache(&self) -> &TwiddleCache<Self::Mem>;

    /// This thread's override of [`Runtime::default_device`] ([`with_default_device`]).
    #[doc(hidden)]
    fn thread_default() -> &'static ThreadDefault<Self>;
}

/// A thread-local override of a runtime's default device.
#[doc(hidden)]
pub type ThreadDefault<R> = std::thread::LocalKey<std::cell::RefCell<Option<Arc<R>>>>;

/// Runs `f` with `device` as this thread's [`Runtime::default_device`]: everything written
/// against the zero-sized [`crate::GpuBackend`] (whole proofs included) runs on `device` inside
/// `f`, which is how a [`crate::DeviceSet`] job puts a proof on the device it picked. The previous
/// default is restored afterwards, also when `f` panics. Inside, the runtime-wide health check of
/// the default device is skipped: the set keeps each device's health itself.
pub fn with_default_device<R: Runtime, T>(device: &Arc<R>, f: impl FnOnce() -> T) -> T {
    struct Restore<R: Runtime>(Option<Arc<R>>);
    impl<R: Runtime> Drop for Restore<R> {
        fn drop(&mut self) {
            let previous = self.0.take();
            R::thread_default().with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = R::thread_default().with(|c| c.borrow_mut().replace(device.clone()));
    let _restore = Restore::<R>(previous);
    f()
}

/// The launches of this crate's kernels: only the typed wrappers of this crate call them, each
/// having checked the lengths of its buffers against the sizes it passes (see the `// SAFETY:`
/// argument at each implementation below). Crate-private, so code outside the crate cannot launch
/// an untyped kernel without `unsafe`.
pub(crate) trait Launch: Runtime {
    /// [`Runtime::launch_raw`] for a caller that checked its buffers' sizes.
    fn launch(
        &self,
        field: FieldKind,
        kernel: &'static str,
        args: &[KernelArg<'_, Self::Mem>],
        global: usize,
        local: Option<usize>,
    ) -> Result<(), GpuError> {
        // SAFETY: `Launch` is crate-private; every call site in this crate is a typed wrapper
        // (field ops, NTT, MSM, CSR, Merkle, sumcheck) that checks its buffers' lengths against
        // the sizes and counts it passes before launching (the differential tests run each one
        // at sizes 0, 1, odd and large against the CPU backend).
        unsafe { self.launch_raw(field, kernel, args, global, local) }
    }

    /// [`Runtime::launch_program_raw`] for a caller that checked its buffers' sizes.
    fn launch_program(
        &self,
        program: ProgramSource,
        kernel: &'static str,
        args: &[KernelArg<'_, Self::Mem>],
        global: usize,
        local: Option<usize>,
    ) -> Result<(), GpuError> {
        // SAFETY: as in `launch`: only this crate's typed wrappers call this, lengths checked.
        unsafe { self.launch_program_raw(program, kernel, args, global, local) }
    }
}

impl<R: Runtime> Launch for R {}

/// A column of `len` elements of `T` in device memory, owned: the memory is freed exactly once, when
/// the buffer is dropped (by the runtime's own handle type). Carries its device, so operations on it
/// need no other handle.
///
/// The device layout is crates/field's layout of `T` ([`GpuField`]).
pub struct GpuBuffer<R: Runtime, T> {
    mem: R::Mem,
    len: usize,
    device: Arc<R>,
    _elem: PhantomData<T>,
}

impl<R: Runtime, T> core::fmt::Debug for GpuBuffer<R, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GpuBuffer").field("backend", &R::BACKEND).field("len", &self.len).finish()
    }
}

impl<R: Runtime, T> GpuBuffer<R, T> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer holds no element.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The device that owns the memory.
    pub fn device(&self) -> &Arc<R> {
        &self.device
    }

    /// The raw device memory.
    pub fn mem(&self) -> &R::Mem {
        &self.mem
    }
}

impl<R: Runtime, T> GpuBuffer<R, T> {
    /// A buffer of `len` elements of a plain type whose bytes the crate converts itself
    /// (extension-field elements, digests): zeroed device memory, no element checks.
    pub(crate) fn zeroed_raw(device: &Arc<R>, len: usize) -> Result<Self, GpuError> {
        let bytes = len
            .checked_mul(core::mem::size_of::<T>())
            .ok_or(GpuError::OutOfMemory { requested: usize::MAX, free: 0 })?;
        let mem = device.alloc(bytes)?;
        Ok(Self { mem, len, device: device.clone(), _elem: PhantomData })
    }

    /// A new buffer of `len` elements holding `bytes` (their device layout, `len` elements'
    /// worth), uploaded as [`GpuBuffer::upload`] does.
    pub(crate) fn upload_raw(device: &Arc<R>, bytes: &[u8], len: usize) -> Result<Self, GpuError> {
        if Some(bytes.len()) != len.checked_mul(core::mem::size_of::<T>()) {
            return Err(GpuError::LengthMismatch {
                expected: len.saturating_mul(core::mem::size_of::<T>()),
                got: bytes.len(),
            });
        }
        let mem = device.upload_bytes(bytes)?;
        Ok(Self { mem, len, device: device.clone(), _elem: PhantomData })
    }

    /// Overwrites the first `bytes.len()` bytes (at most the buffer's size).
    pub(crate) fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), GpuError> {
        let size = self.len * core::mem::size_of::<T>();
        if bytes.len() > size {
            return Err(GpuError::LengthMismatch { expected: size, got: bytes.len() });
        }
        if bytes.is_empty() {
            return Ok(());
        }
        self.device.write(&mut self.mem, bytes)
    }

    /// The bytes of the first `n` elements (at most the buffer's length), after all queued work.
    pub(crate) fn read_bytes(&self, n: usize) -> Result<Vec<u8>, GpuError> {
        if n > self.len {
            return Err(GpuError::LengthMismatch { expected: self.len, got: n });
        }
        let mut bytes = vec![0u8; n * core::mem::size_of::<T>()];
        if !bytes.is_empty() {
            self.device.read(&self.mem, &mut bytes)?;
        }
        Ok(bytes)
    }
}

impl<R: Runtime, T: GpuField> GpuBuffer<R, T> {
    /// A buffer of `len` zeros.
    ///
    /// # Errors
    /// [`GpuError::OutOfMemory`], [`GpuError::Driver`].
    pub fn zeros(device: &Arc<R>, len: usize) -> Result<Self, GpuError> {
        let bytes = len
            .checked_mul(core::mem::size_of::<T>())
            .ok_or(GpuError::OutOfMemory { requested: usize::MAX, free: 0 })?;
        // All-zero bytes are the zero element in every supported layout.
        let mem = device.alloc(bytes)?;
        Ok(Self { mem, len, device: device.clone(), _elem: PhantomData })
    }

    /// Copies `data` to a new device buffer.
    ///
    /// # Errors
    /// [`GpuError::OutOfMemory`], [`GpuError::Driver`].
    pub fn upload(device: &Arc<R>, data: &[T]) -> Result<Self, GpuError> {
        let mem = device.upload_bytes(T::as_bytes(data))?;
        Ok(Self { mem, len: data.len(), device: device.clone(), _elem: PhantomData })
    }

    /// Overwrites the buffer with `data` (same length).
    ///
    /// # Errors
    /// [`GpuError::LengthMismatch`], [`GpuError::Driver`].
    pub fn copy_from_host(&mut self, data: &[T]) -> Result<(), GpuError> {
        if data.len() != self.len {
            return Err(GpuError::LengthMismatch { expected: self.len, got: data.len() });
        }
        if data.is_empty() {
            return Ok(());
        }
        self.device.write(&mut self.mem, T::as_bytes(data))
    }

    /// Queues a copy of the buffer to the host after the work queued so far, without waiting
    /// ([`Runtime::read_enqueue`]); [`PendingDownload::wait`] returns the elements. Work queued
    /// after this call does not delay the copy.
    ///
    /// # Errors
    /// [`GpuError::Driver`].
    pub fn download_enqueue(&self) -> Result<PendingDownload<R, T>, GpuError> {
        let readback = if self.len == 0 {
            None
        } else {
            Some(self.device.read_enqueue(&self.mem, self.len * core::mem::size_of::<T>())?)
        };
        Ok(PendingDownload { readback, device: self.device.clone(), _elem: PhantomData })
    }

    /// Copies the buffer back to the host (after all queued work), checking every element.
    ///
    /// # Errors
    /// [`GpuError::Driver`], [`GpuError::InvalidElement`].
    pub fn download(&self) -> Result<Vec<T>, GpuError> {
        if self.len == 0 {
            return Ok(Vec::new());
        }
        let mut bytes = vec![0u8; self.len * core::mem::size_of::<T>()];
        self.device.read(&self.mem, &mut bytes)?;
        T::from_bytes(&bytes)
    }
}

/// A download queued by [`GpuBuffer::download_enqueue`]. Dropping it without
/// [`PendingDownload::wait`] discards the data (after the copy is done).
pub struct PendingDownload<R: Runtime, T> {
    readback: Option<R::Readback>,
    device: Arc<R>,
    _elem: PhantomData<T>,
}

impl<R: Runtime, T> core::fmt::Debug for PendingDownload<R, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PendingDownload").field("backend", &R::BACKEND).finish()
    }
}

impl<R: Runtime, T: GpuField> PendingDownload<R, T> {
    /// Waits for the copy and returns the elements, each checked as [`GpuBuffer::download`] does.
    ///
    /// # Errors
    /// [`GpuError::Driver`] (including errors of the kernels queued before the copy),
    /// [`GpuError::InvalidElement`].
    pub fn wait(self) -> Result<Vec<T>, GpuError> {
        match self.readback {
            None => Ok(Vec::new()),
            Some(r) => T::from_bytes(&self.device.read_wait(r)?),
        }
    }
}
