//! Element-wise field operations on device buffers (the differential-test surface of every field
//! kernel, and building blocks).

use std::sync::Arc;

use crate::runtime::{KernelArg, Launch, Runtime};
use crate::{GpuBuffer, GpuError, GpuField};

/// An element-wise operation.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FieldOp {
    /// `a + b`.
    Add,
    /// `a − b`.
    Sub,
    /// `a · b`.
    Mul,
    /// `a²` (the second operand is ignored).
    Square,
    /// `a⁻¹` by Fermat's little theorem, `0 ↦ 0` (the second operand is ignored).
    Inverse,
}

impl FieldOp {
    /// Every operation.
    pub const ALL: [FieldOp; 5] =
        [FieldOp::Add, FieldOp::Sub, FieldOp::Mul, FieldOp::Square, FieldOp::Inverse];

    const fn kernel(self) -> &'static str {
        match self {
            FieldOp::Add => "fe_add_kernel",
            FieldOp::Sub => "fe_sub_kernel",
            FieldOp::Mul => "fe_mul_kernel",
            FieldOp::Square => "fe_sqr_kernel",
            FieldOp::Inverse => "fe_inv_kernel",
        }
    }

    /// Whether the operation reads a second operand.
    pub const fn is_binary(self) -> bool {
        matches!(self, FieldOp::Add | FieldOp::Sub | FieldOp::Mul)
    }
}

fn n_u32(n: usize) -> Result<u32, GpuError> {
    u32::try_from(n)
        .map_err(|_| GpuError::Unsupported { what: format!("{n} elements in one launch") })
}

fn same_device<R: Runtime, T>(a: &GpuBuffer<R, T>, b: &GpuBuffer<R, T>) -> Result<(), GpuError> {
    if Arc::ptr_eq(a.device(), b.device()) { Ok(()) } else { Err(GpuError::WrongDevice) }
}

/// `op` element by element on `a` (and `b` for binary operations), into a new buffer.
///
/// # Errors
/// [`GpuError::LengthMismatch`] when `b` is missing or of another length for a binary operation,
/// [`GpuError::WrongDevice`], and the runtime's errors.
pub fn field_op<R: Runtime, F: GpuField>(
    op: FieldOp,
    a: &GpuBuffer<R, F>,
    b: Option<&GpuBuffer<R, F>>,
) -> Result<GpuBuffer<R, F>, GpuError> {
    let n = a.len();
    let dev = a.device();
    if op.is_binary() {
        let b = b.ok_or(GpuError::LengthMismatch { expected: n, got: 0 })?;
        if b.len() != n {
            return Err(GpuError::LengthMismatch { expected: n, got: b.len() });
        }
        same_device(a, b)?;
        let out = GpuBuffer::<R, F>::zeros(dev, n)?;
        let args = [
            KernelArg::Mem(a.mem()),
            KernelArg::Mem(b.mem()),
            KernelArg::Mem(out.mem()),
            KernelArg::U32(n_u32(n)?),
        ];
        dev.launch(F::KIND, op.kernel(), &args, n, None)?;
        Ok(out)
    } else {
        let out = GpuBuffer::<R, F>::zeros(dev, n)?;
        let args = [KernelArg::Mem(a.mem()), KernelArg::Mem(out.mem()), KernelArg::U32(n_u32(n)?)];
        dev.launch(F::KIND, op.kernel(), &args, n, None)?;
        Ok(out)
    }
}

/// Inverses of every element of `a` (zeros stay zero), by Montgomery's trick over chunks of
/// `chunk` consecutive elements per thread: one Fermat inversion per chunk.
///
/// # Errors
/// [`GpuError::Unsupported`] for `chunk == 0`, and the runtime's errors.
pub fn batch_inverse<R: Runtime, F: GpuField>(
    a: &GpuBuffer<R, F>,
    chunk: usize,
) -> Result<GpuBuffer<R, F>, GpuError> {
    if chunk == 0 {
        return Err(GpuError::Unsupported { what: "batch inverse with chunks of 0".to_string() });
    }
    let n = a.len();
    let out = GpuBuffer::<R, F>::zeros(a.device(), n)?;
    let scratch = GpuBuffer::<R, F>::zeros(a.device(), n)?;
    let args = [
        KernelArg::Mem(a.mem()),
        KernelArg::Mem(out.mem()),
        KernelArg::Mem(scratch.mem()),
        KernelArg::U32(n_u32(n)?),
        KernelArg::U32(n_u32(chunk)?),
    ];
    a.device().launch(F::KIND, "fe_batch_inv_kernel", &args, n.div_ceil(chunk), None)?;
    Ok(out)
}

/// `a ← a·b − c` element by element, in place (kernel `fe_mul_sub_kernel`): the last step of the
/// Groth16 quotient, `A·B − C` on the coset, without a fourth buffer.
///
/// # Errors
/// [`GpuError::LengthMismatch`] when `b` or `c` is not as long as `a`, [`GpuError::WrongDevice`],
/// and the runtime's errors.
pub fn mul_sub_assign<R: Runtime, F: GpuField>(
    a: &mut GpuBuffer<R, F>,
    b: &GpuBuffer<R, F>,
    c: &GpuBuffer<R, F>,
) -> Result<(), GpuError> {
    let n = a.len();
    for x in [b, c] {
        if x.len() != n {
            return Err(GpuError::LengthMismatch { expected: n, got: x.len() });
        }
        same_device(a, x)?;
    }
    let args = [
        KernelArg::Mem(a.mem()),
        KernelArg::Mem(b.mem()),
        KernelArg::Mem(c.mem()),
        KernelArg::U32(n_u32(n)?),
    ];
    a.device().launch(F::KIND, "fe_mul_sub_kernel", &args, n, None)
}
