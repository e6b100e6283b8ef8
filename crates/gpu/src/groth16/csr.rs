//! Sparse matrix–vector products on the device: a matrix in CSR form (row starts, column indices
//! and per-entry indices into a table of distinct values, as crates/groth16's `SparseMatrix`
//! stores A and B) uploaded once, then `M·w` for device vectors `w`, one work-item per row
//! (kernel `fe_csr_mul_vec` in `src/field/field_ops.cu`).

use std::sync::Arc;

use crate::runtime::{KernelArg, Launch, Runtime};
use crate::{GpuBuffer, GpuError, GpuField};

/// A sparse matrix resident on the device (see the module docs).
pub struct GpuCsr<R: Runtime, F: GpuField> {
    row_start: R::Mem,
    cols: R::Mem,
    value_index: R::Mem,
    values: GpuBuffer<R, F>,
    n_rows: usize,
    n_cols: usize,
    device: Arc<R>,
}

impl<R: Runtime, F: GpuField> core::fmt::Debug for GpuCsr<R, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GpuCsr")
            .field("backend", &R::BACKEND)
            .field("n_rows", &self.n_rows)
            .field("n_cols", &self.n_cols)
            .finish()
    }
}

fn upload_u32<R: Runtime>(device: &Arc<R>, data: &[u32]) -> Result<R::Mem, GpuError> {
    let bytes: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
    let mut mem = device.alloc(bytes.len().max(4))?;
    if !bytes.is_empty() {
        device.write(&mut mem, &bytes)?;
    }
    Ok(mem)
}

fn invalid(what: String) -> GpuError {
    GpuError::Unsupported { what }
}

impl<R: Runtime, F: GpuField> GpuCsr<R, F> {
    /// Uploads a matrix with `row_start.len() − 1` rows and `n_cols` columns: row `i` holds the
    /// entries `row_start[i]..row_start[i + 1]`, entry `k` being `values[value_index[k]]` in
    /// column `cols[k]` (entries of one cell are summed).
    ///
    /// # Errors
    /// [`GpuError::Unsupported`] for an inconsistent matrix (row starts not increasing from 0 to
    /// the number of entries, a column or value index out of range, sizes beyond 32-bit
    /// indices), [`GpuError::LengthMismatch`] when `cols` and `value_index` differ in length, and
    /// the runtime's errors.
    pub fn new(
        device: &Arc<R>,
        row_start: &[u32],
        cols: &[u32],
        value_index: &[u32],
        values: &[F],
        n_cols: usize,
    ) -> Result<Self, GpuError> {
        if cols.len() != value_index.len() {
            return Err(GpuError::LengthMismatch { expected: cols.len(), got: value_index.len() });
        }
        let nnz = cols.len();
        let rows_ok = row_start.first() == Some(&0)
            && row_start.last().is_some_and(|&l| l as usize == nnz)
            && row_start.windows(2).all(|p| p[0] <= p[1]);
        if !rows_ok {
            return Err(invalid("CSR row starts not increasing from 0 to nnz".into()));
        }
        if u32::try_from(n_cols).is_err() || cols.iter().any(|&c| c as usize >= n_cols) {
            return Err(invalid(format!("CSR column index outside {n_cols} columns")));
        }
        if value_index.iter().any(|&v| v as usize >= values.len()) {
            return Err(invalid(format!("CSR value index outside {} values", values.len())));
        }
        Ok(Self {
            row_start: upload_u32(device, row_start)?,
            cols: upload_u32(device, cols)?,
            value_index: upload_u32(device, value_index)?,
            values: if values.is_empty() {
                GpuBuffer::zeros(device, 1)?
            } else {
                GpuBuffer::upload(device, values)?
            },
            n_rows: row_start.len() - 1,
            n_cols,
            device: device.clone(),
        })
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns (the length `w` must have).
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// `M·w` into a new device buffer of [`GpuCsr::n_rows`] elements.
    ///
    /// # Errors
    /// [`GpuError::LengthMismatch`], [`GpuError::WrongDevice`], and the runtime's errors.
    pub fn mul_vec(&self, w: &GpuBuffer<R, F>) -> Result<GpuBuffer<R, F>, GpuError> {
        if w.len() != self.n_cols {
            return Err(GpuError::LengthMismatch { expected: self.n_cols, got: w.len() });
        }
        if !Arc::ptr_eq(w.device(), &self.device) {
            return Err(GpuError::WrongDevice);
        }
        let out = GpuBuffer::<R, F>::zeros(&self.device, self.n_rows)?;
        if self.n_rows == 0 {
            return Ok(out);
        }
        let n_rows = u32::try_from(self.n_rows)
            .map_err(|_| invalid(format!("{} CSR rows in one launch", self.n_rows)))?;
        let args = [
            KernelArg::Mem(&self.row_start),
            KernelArg::Mem(&self.cols),
            KernelArg::Mem(&self.value_index),
            KernelArg::Mem(self.values.mem()),
            KernelArg::Mem(w.mem()),
            KernelArg::Mem(out.mem()),
            KernelArg::U32(n_rows),
        ];
        self.device.launch(F::KIND, "fe_csr_mul_vec", &args, self.n_rows, None)?;
        Ok(out)
    }
}
