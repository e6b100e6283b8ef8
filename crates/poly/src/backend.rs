//! Backends: zero-sized types that say where data lives and where operations run (stwo's
//! `CpuBackend` / `SimdBackend` pattern). Each concept crate defines its own `*Ops` trait over a
//! backend; the GPU crate implements the same traits for its backend.
//!
//! The pieces every concept shares live here:
//! - [`Backend`]: the backend's column type ([`Column`]: a `Vec<T>` on the CPU, a device buffer on
//!   a GPU) and its name;
//! - [`ColumnOps`]: moving columns of one element type between the host and the backend (upload,
//!   download, download of a sub-range) — the only transfers a protocol written against these
//!   traits makes;
//! - [`ColumnRef`]: a sub-range of a column, what an operation reads from (a Groth16 MSM reads
//!   the witness from an offset without a copy);
//! - [`PointwiseOps`]: element-wise arithmetic on field columns;
//! - [`DeviceError`]: the one error type of a backend that runs elsewhere, carried by every
//!   crate's error type (`Device(DeviceError)`), so that a caller can tell "out of memory" (chunk
//!   or fall back) from "the device failed" (fall back, mark it unhealthy) from "no device".

use core::ops::Range;

use rayon::prelude::*;
use zkprove_field::Field;

/// What a backend that runs elsewhere (a GPU) can fail with. The CPU backend never returns one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// An allocation larger than the device's free memory: the work may fit in smaller pieces, or
    /// on the CPU.
    #[error("{backend} device out of memory: {requested} bytes requested, {free} bytes free")]
    OutOfMemory {
        /// The backend's name (`"cuda"`, `"opencl"`).
        backend: &'static str,
        /// Bytes asked for.
        requested: usize,
        /// Bytes free (or the largest allocation the runtime allows).
        free: usize,
    },
    /// No usable device of this backend (no driver, no device, or one marked unhealthy after a
    /// failure earlier in this process).
    #[error("no usable {backend} device: {reason}")]
    NoDevice {
        /// The backend's name.
        backend: &'static str,
        /// Why (no driver library, no device, marked unhealthy, …).
        reason: String,
    },
    /// A driver call failed (including a kernel that faulted): the device cannot be trusted for
    /// the rest of the process.
    #[error("{backend} driver call {call} failed on {device}: {message}")]
    Driver {
        /// The backend's name.
        backend: &'static str,
        /// The device (`"cuda:0"`, an OpenCL device name).
        device: String,
        /// The API call or step that failed.
        call: String,
        /// The driver's error.
        message: String,
    },
    /// A kernel program could not be built (compiler missing or compilation failed).
    #[error("{backend} kernel build failed: {message}")]
    Compile {
        /// The backend's name.
        backend: &'static str,
        /// The compiler's log or what is missing.
        message: String,
    },
    /// An operation, size or argument this backend does not support (a column from another
    /// device, more elements than one launch can take, …): retrying will not help.
    #[error("{backend} backend does not support this: {what}")]
    Unsupported {
        /// The backend's name.
        backend: &'static str,
        /// What was asked.
        what: String,
    },
}

/// The class of a [`DeviceError`]: what a caller should do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceErrorKind {
    /// Retry in smaller pieces or on another backend.
    OutOfMemory,
    /// Use another backend.
    NoDevice,
    /// Use another backend; the device is not to be used again in this process.
    DeviceFault,
    /// Use another backend (the kernels cannot run here).
    Compile,
    /// The request itself is the problem: no retry anywhere helps.
    Unsupported,
}

impl DeviceError {
    /// What kind of failure this is.
    pub fn kind(&self) -> DeviceErrorKind {
        match self {
            DeviceError::OutOfMemory { .. } => DeviceErrorKind::OutOfMemory,
            DeviceError::NoDevice { .. } => DeviceErrorKind::NoDevice,
            DeviceError::Driver { .. } => DeviceErrorKind::DeviceFault,
            DeviceError::Compile { .. } => DeviceErrorKind::Compile,
            DeviceError::Unsupported { .. } => DeviceErrorKind::Unsupported,
        }
    }

    /// The backend that failed.
    pub fn backend(&self) -> &'static str {
        match self {
            DeviceError::OutOfMemory { backend, .. }
            | DeviceError::NoDevice { backend, .. }
            | DeviceError::Driver { backend, .. }
            | DeviceError::Compile { backend, .. }
            | DeviceError::Unsupported { backend, .. } => backend,
        }
    }

    /// Whether the device ran out of memory (the same work may succeed alone, in smaller pieces,
    /// or elsewhere).
    pub fn is_out_of_memory(&self) -> bool {
        self.kind() == DeviceErrorKind::OutOfMemory
    }
}

/// A backend's column: its length is known without touching the device.
pub trait Column: Send + Sync {
    /// Number of elements.
    fn len(&self) -> usize;

    /// Whether the column holds no element.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: Send + Sync> Column for Vec<T> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
}

/// A place to run operations, with its own column type.
pub trait Backend: Copy + Default + core::fmt::Debug + Send + Sync + 'static {
    /// A column of `T` owned by this backend (host memory on the CPU, device memory on a GPU).
    type Column<T: Copy + Send + Sync + 'static>: Column;

    /// A short name for logs and reports (`"cpu"`, `"cuda"`, …).
    const NAME: &'static str;

    /// Whether operations are queued and run while the host goes on (a GPU: an operation returns
    /// once its work is queued, and the first read-back waits for it) rather than done when
    /// called (the CPU). Pipelines start the next piece of work before waiting for the current
    /// one only where this is true.
    const ASYNC: bool = false;
}

/// Moving columns of `T` between the host and backend `B`: the transfers of a protocol written
/// against the backend traits (on a GPU: one upload of the inputs, a few small read-backs).
pub trait ColumnOps<T: Copy + Send + Sync + 'static>: Backend {
    /// A backend column holding a copy of `values`.
    ///
    /// # Errors
    /// [`DeviceError`] when the backend cannot allocate or copy.
    fn upload(values: &[T]) -> Result<Self::Column<T>, DeviceError>;

    /// A backend column holding `values` (moved without a copy where the backend keeps columns
    /// in host memory).
    ///
    /// # Errors
    /// As [`ColumnOps::upload`].
    fn from_vec(values: Vec<T>) -> Result<Self::Column<T>, DeviceError> {
        Self::upload(&values)
    }

    /// The elements `range` of `column`, on the host.
    ///
    /// # Errors
    /// [`DeviceError::Unsupported`] for a range outside the column; [`DeviceError`] when the
    /// backend cannot copy.
    fn download_range(column: &Self::Column<T>, range: Range<usize>)
    -> Result<Vec<T>, DeviceError>;

    /// The whole of `column`, on the host.
    ///
    /// # Errors
    /// As [`ColumnOps::download_range`].
    fn download(column: &Self::Column<T>) -> Result<Vec<T>, DeviceError> {
        Self::download_range(column, 0..column.len())
    }

    /// The column's elements on the host, consuming it (no copy where the backend keeps columns
    /// in host memory).
    ///
    /// # Errors
    /// As [`ColumnOps::download`].
    fn into_vec(column: Self::Column<T>) -> Result<Vec<T>, DeviceError> {
        Self::download(&column)
    }
}

/// The elements `start .. start + len` of a backend column: what an operation reads from, so that
/// it can work on part of a column without a copy.
pub struct ColumnRef<'a, B: Backend, T: Copy + Send + Sync + 'static> {
    column: &'a B::Column<T>,
    start: usize,
    len: usize,
}

impl<B: Backend, T: Copy + Send + Sync + 'static> Clone for ColumnRef<'_, B, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<B: Backend, T: Copy + Send + Sync + 'static> Copy for ColumnRef<'_, B, T> {}

impl<B: Backend, T: Copy + Send + Sync + 'static> core::fmt::Debug for ColumnRef<'_, B, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ColumnRef")
            .field("backend", &B::NAME)
            .field("start", &self.start)
            .field("len", &self.len)
            .finish()
    }
}

impl<'a, B: Backend, T: Copy + Send + Sync + 'static> ColumnRef<'a, B, T> {
    /// The whole column.
    pub fn new(column: &'a B::Column<T>) -> Self {
        Self { column, start: 0, len: column.len() }
    }

    /// Elements `range` of this view (relative to its start).
    ///
    /// # Errors
    /// [`RangeError`] when the range does not lie within the view.
    pub fn slice(self, range: Range<usize>) -> Result<Self, RangeError> {
        if range.start > range.end || range.end > self.len {
            return Err(RangeError { start: range.start, end: range.end, len: self.len });
        }
        Ok(Self { column: self.column, start: self.start + range.start, len: range.len() })
    }

    /// The elements from `start` to the end of this view.
    ///
    /// # Errors
    /// [`RangeError`] when `start` is beyond the end.
    pub fn skip(self, start: usize) -> Result<Self, RangeError> {
        self.slice(start..self.len)
    }

    /// The whole column this view is part of.
    pub fn column(&self) -> &'a B::Column<T> {
        self.column
    }

    /// The view's first element, as an index into [`ColumnRef::column`].
    pub fn start(&self) -> usize {
        self.start
    }

    /// Number of elements in the view.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the view is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The view's range in [`ColumnRef::column`].
    pub fn range(&self) -> Range<usize> {
        self.start..self.start + self.len
    }
}

impl<'a, T: Copy + Send + Sync + 'static> ColumnRef<'a, CpuBackend, T> {
    /// The view as a host slice (the CPU backend's columns are host vectors).
    pub fn as_slice(&self) -> &'a [T] {
        &self.column[self.start..self.start + self.len]
    }
}

/// A range that does not lie within a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("range {start}..{end} outside a column of {len} elements")]
pub struct RangeError {
    /// Start of the range asked for.
    pub start: usize,
    /// End of the range asked for.
    pub end: usize,
    /// Length of the column (view).
    pub len: usize,
}

/// Element-wise arithmetic on field columns (the glue between transforms: the Groth16 quotient's
/// `a·b − c`, constraint evaluation, folding).
pub trait PointwiseOps<F: Field>: ColumnOps<F> {
    /// `a[i] ← a[i]·b[i]`.
    ///
    /// # Errors
    /// [`DeviceError::Unsupported`] when the lengths differ; device errors.
    fn mul_assign(a: &mut Self::Column<F>, b: &Self::Column<F>) -> Result<(), DeviceError>;

    /// `a[i] ← a[i] − b[i]`.
    ///
    /// # Errors
    /// As [`PointwiseOps::mul_assign`].
    fn sub_assign(a: &mut Self::Column<F>, b: &Self::Column<F>) -> Result<(), DeviceError>;

    /// `a[i] ← a[i]·b[i] − c[i]` (one pass where the backend fuses it).
    ///
    /// # Errors
    /// As [`PointwiseOps::mul_assign`].
    fn mul_sub_assign(
        a: &mut Self::Column<F>,
        b: &Self::Column<F>,
        c: &Self::Column<F>,
    ) -> Result<(), DeviceError> {
        Self::mul_assign(a, b)?;
        Self::sub_assign(a, c)
    }
}

/// The reference backend: host memory, Rayon threads, the field's SIMD packing.
#[derive(Copy, Clone, Default, Debug, PartialEq, Eq)]
pub struct CpuBackend;

impl Backend for CpuBackend {
    type Column<T: Copy + Send + Sync + 'static> = Vec<T>;
    const NAME: &'static str = "cpu";
}

impl<T: Copy + Send + Sync + 'static> ColumnOps<T> for CpuBackend {
    fn upload(values: &[T]) -> Result<Vec<T>, DeviceError> {
        Ok(values.to_vec())
    }

    fn from_vec(values: Vec<T>) -> Result<Vec<T>, DeviceError> {
        Ok(values)
    }

    fn download_range(column: &Vec<T>, range: Range<usize>) -> Result<Vec<T>, DeviceError> {
        column.get(range.clone()).map(<[T]>::to_vec).ok_or_else(|| DeviceError::Unsupported {
            backend: "cpu",
            what: RangeError { start: range.start, end: range.end, len: column.len() }.to_string(),
        })
    }

    fn into_vec(column: Vec<T>) -> Result<Vec<T>, DeviceError> {
        Ok(column)
    }
}

/// Elements per Rayon task for element-wise work.
const POINTWISE_CHUNK: usize = 1 << 12;

fn check_same_len(backend: &'static str, a: usize, b: usize) -> Result<(), DeviceError> {
    if a == b {
        Ok(())
    } else {
        Err(DeviceError::Unsupported {
            backend,
            what: format!("element-wise operation on columns of {a} and {b} elements"),
        })
    }
}

impl<F: Field> PointwiseOps<F> for CpuBackend {
    fn mul_assign(a: &mut Vec<F>, b: &Vec<F>) -> Result<(), DeviceError> {
        check_same_len("cpu", a.len(), b.len())?;
        a.par_chunks_mut(POINTWISE_CHUNK).zip(b.par_chunks(POINTWISE_CHUNK)).for_each(|(x, y)| {
            for (x, y) in x.iter_mut().zip(y) {
                *x *= *y;
            }
        });
        Ok(())
    }

    fn sub_assign(a: &mut Vec<F>, b: &Vec<F>) -> Result<(), DeviceError> {
        check_same_len("cpu", a.len(), b.len())?;
        a.par_chunks_mut(POINTWISE_CHUNK).zip(b.par_chunks(POINTWISE_CHUNK)).for_each(|(x, y)| {
            for (x, y) in x.iter_mut().zip(y) {
                *x -= *y;
            }
        });
        Ok(())
    }

    fn mul_sub_assign(a: &mut Vec<F>, b: &Vec<F>, c: &Vec<F>) -> Result<(), DeviceError> {
        check_same_len("cpu", a.len(), b.len())?;
        check_same_len("cpu", a.len(), c.len())?;
        a.par_chunks_mut(POINTWISE_CHUNK)
            .zip(b.par_chunks(POINTWISE_CHUNK))
            .zip(c.par_chunks(POINTWISE_CHUNK))
            .for_each(|((x, y), z)| {
                for ((x, y), z) in x.iter_mut().zip(y).zip(z) {
                    *x = *x * *y - *z;
                }
            });
        Ok(())
    }
}
