//! The GPU backend: one zero-sized type, [`GpuBackend<R>`], generic over the runtime (CUDA or
//! OpenCL), whose columns are device buffers on the runtime's default device. Every concept's GPU
//! implementation (`NttOps`, `MsmOps`, `MerkleOps`, `SumcheckOps`, `PointwiseOps`, Groth16's
//! backend trait) is written once against it; [`CudaBackend`] and [`OpenClBackend`] name the two
//! instances.
//!
//! Failures become [`DeviceError`]s ([`device_error`]) at this crate's edge. A driver failure
//! marks the runtime's device unhealthy for the rest of the process: the next
//! [`Runtime::default_device`] call refuses it ([`DeviceError::NoDevice`] naming the earlier
//! failure), so a caller that fell back to the CPU does not keep retrying a device that failed.

use core::marker::PhantomData;
use core::ops::Range;
use std::borrow::Cow;
use std::sync::Mutex;

use zkprove_field::Field;
use zkprove_poly::{Backend, Column, ColumnOps, DeviceError, PointwiseOps};

use crate::runtime::Runtime;
use crate::{FieldOp, GpuBuffer, GpuError, GpuField, field_op};

/// The backend whose columns are [`GpuBuffer`]s on runtime `R`'s default device
/// ([`Runtime::default_device`]).
pub struct GpuBackend<R: Runtime>(PhantomData<fn() -> R>);

impl<R: Runtime> Clone for GpuBackend<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R: Runtime> Copy for GpuBackend<R> {}

impl<R: Runtime> Default for GpuBackend<R> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<R: Runtime> PartialEq for GpuBackend<R> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<R: Runtime> Eq for GpuBackend<R> {}

impl<R: Runtime> core::fmt::Debug for GpuBackend<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "GpuBackend<{}>", R::BACKEND)
    }
}

/// The CUDA backend: columns are [`crate::DeviceBuffer`]s on the first CUDA device.
#[cfg(feature = "cuda")]
pub type CudaBackend = GpuBackend<crate::CudaDevice>;

/// The OpenCL backend: columns are [`crate::ClBuffer`]s on the configured OpenCL device.
#[cfg(feature = "opencl")]
pub type OpenClBackend = GpuBackend<crate::ClDevice>;

impl<T: Send + Sync, R: Runtime> Column for GpuBuffer<R, T> {
    fn len(&self) -> usize {
        GpuBuffer::len(self)
    }
}

impl<R: Runtime> Backend for GpuBackend<R> {
    type Column<T: Copy + Send + Sync + 'static> = GpuBuffer<R, T>;
    const NAME: &'static str = R::BACKEND;
    const ASYNC: bool = true;
}

/// Why each runtime's device was marked unhealthy, if it was (index 0: CUDA, 1: OpenCL).
static UNHEALTHY: [Mutex<Option<String>>; 2] = [Mutex::new(None), Mutex::new(None)];

fn health_slot(backend: &str) -> &'static Mutex<Option<String>> {
    &UNHEALTHY[usize::from(backend != "cuda")]
}

/// Marks `backend`'s device unhealthy for the rest of the process (after a driver failure).
pub(crate) fn mark_unhealthy(backend: &'static str, why: &str) {
    let mut slot = health_slot(backend).lock().unwrap_or_else(|e| e.into_inner());
    if slot.is_none() {
        tracing::warn!(backend, reason = why, "device marked unhealthy for this process");
        *slot = Some(why.to_string());
    }
}

/// Why `backend`'s device was marked unhealthy, if it was.
pub fn unhealthy_reason(backend: &str) -> Option<String> {
    health_slot(backend).lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// `e` as the backends' common error type, for runtime `R`. A driver failure (or a device that
/// returned an invalid element) marks `R`'s device unhealthy for the process.
pub fn device_error<R: Runtime>(e: GpuError) -> DeviceError {
    let backend = R::BACKEND;
    match e {
        GpuError::NoDevice { .. } => {
            DeviceError::NoDevice { backend, reason: "no device found".to_string() }
        }
        GpuError::Unhealthy { reason, .. } => {
            DeviceError::NoDevice { backend, reason: format!("marked unhealthy after: {reason}") }
        }
        GpuError::Driver { call, message, .. } => {
            mark_unhealthy(backend, &format!("{call}: {message}"));
            DeviceError::Driver { backend, device: R::device_label(), call, message }
        }
        GpuError::InvalidElement { index } => {
            let message = format!("device returned an invalid field element at index {index}");
            mark_unhealthy(backend, &message);
            DeviceError::Driver { backend, device: R::device_label(), call: "read".into(), message }
        }
        GpuError::NoNvrtc | GpuError::Nvrtc { .. } | GpuError::Compile { .. } => {
            DeviceError::Compile { backend, message: e.to_string() }
        }
        GpuError::OutOfMemory { requested, free } => {
            DeviceError::OutOfMemory { backend, requested, free }
        }
        GpuError::LengthMismatch { .. }
        | GpuError::WrongDevice
        | GpuError::Unsupported { .. }
        | GpuError::ZeroDenominator => DeviceError::Unsupported { backend, what: e.to_string() },
    }
}

/// An element type a [`GpuBackend`] column can hold: every device field ([`GpuField`], whose
/// device layout is its host layout) and the extensions with a device sumcheck program
/// ([`crate::GpuExtension`]: QM31, BabyBear⁴, Goldilocks², stored as their coefficients in
/// crates/field's order), so that `ColumnOps<E>` — a supertrait of `zkprove-air`'s `AirOps` —
/// holds for those extensions too.
pub trait DeviceElem: Copy + Send + Sync + 'static {
    /// The device bytes of `elems`.
    fn to_device_bytes(elems: &[Self]) -> Cow<'_, [u8]>;

    /// Elements from device bytes, each checked as [`GpuField::from_bytes`] does.
    ///
    /// # Errors
    /// [`GpuError::InvalidElement`], [`GpuError::LengthMismatch`].
    fn from_device_bytes(bytes: &[u8]) -> Result<Vec<Self>, GpuError>;
}

impl<T: GpuField> DeviceElem for T {
    fn to_device_bytes(elems: &[Self]) -> Cow<'_, [u8]> {
        Cow::Borrowed(T::as_bytes(elems))
    }

    fn from_device_bytes(bytes: &[u8]) -> Result<Vec<Self>, GpuError> {
        T::from_bytes(bytes)
    }
}

impl<T: DeviceElem, R: Runtime> ColumnOps<T> for GpuBackend<R> {
    fn upload(values: &[T]) -> Result<GpuBuffer<R, T>, DeviceError> {
        let device = R::default_device().map_err(device_error::<R>)?;
        GpuBuffer::upload_raw(&device, &T::to_device_bytes(values), values.len())
            .map_err(device_error::<R>)
    }

    fn download_range(
        column: &GpuBuffer<R, T>,
        range: Range<usize>,
    ) -> Result<Vec<T>, DeviceError> {
        if range.start > range.end || range.end > column.len() {
            return Err(DeviceError::Unsupported {
                backend: R::BACKEND,
                what: format!("range {range:?} of a column of {} elements", column.len()),
            });
        }
        // Reads the prefix up to the end of the range (device reads start at the buffer's
        // start), then keeps the range: ranges are read-backs of small results.
        let bytes = column.read_bytes(range.end).map_err(device_error::<R>)?;
        let values = T::from_device_bytes(&bytes).map_err(device_error::<R>)?;
        Ok(values[range].to_vec())
    }
}

impl<F: GpuField + Field, R: Runtime> PointwiseOps<F> for GpuBackend<R> {
    fn mul_assign(a: &mut GpuBuffer<R, F>, b: &GpuBuffer<R, F>) -> Result<(), DeviceError> {
        *a = field_op(FieldOp::Mul, a, Some(b)).map_err(device_error::<R>)?;
        Ok(())
    }

    fn sub_assign(a: &mut GpuBuffer<R, F>, b: &GpuBuffer<R, F>) -> Result<(), DeviceError> {
        *a = field_op(FieldOp::Sub, a, Some(b)).map_err(device_error::<R>)?;
        Ok(())
    }

    /// One pass of `fe_mul_sub_kernel`, in place.
    fn mul_sub_assign(
        a: &mut GpuBuffer<R, F>,
        b: &GpuBuffer<R, F>,
        c: &GpuBuffer<R, F>,
    ) -> Result<(), DeviceError> {
        crate::mul_sub_assign(a, b, c).map_err(device_error::<R>)
    }
}
