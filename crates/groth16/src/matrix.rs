//! The zkey's A and B matrices in compressed-sparse-row form, and their product with the witness.

use rayon::prelude::*;
use zkprove_circom::{Coefficients, Matrix};
use zkprove_field::Field;
use zkprove_field::bn254::Fr;

/// A sparse matrix with `n_rows` rows, stored row by row (CSR): row `i`'s entries are
/// `cols[row_start[i]..row_start[i + 1]]` with values `values[value_index[…]]`.
///
/// 8 bytes per entry plus 32 per distinct value (against the file's 44 per entry): circuits reuse a
/// few coefficients across many cells. ±1 coefficients are recognized by their index, so
/// [`SparseMatrix::mul_vec`] adds or subtracts instead of multiplying.
#[derive(Clone, Debug)]
pub struct SparseMatrix {
    row_start: Vec<u32>,
    cols: Vec<u32>,
    value_index: Vec<u32>,
    values: Vec<Fr>,
    /// The index of 1 and of −1 in `values` (`u32::MAX` when absent).
    one: u32,
    neg_one: u32,
}

impl SparseMatrix {
    /// Collects the entries of `matrix` from the zkey's coefficients (any order; entries for the
    /// same cell are kept and summed by [`SparseMatrix::mul_vec`], as snarkjs does).
    ///
    /// Every `constraint` must be below `n_rows` (the zkey reader checks this).
    pub fn from_coeffs(coeffs: &Coefficients, matrix: Matrix, n_rows: usize) -> Self {
        let entries = || coeffs.entries().iter().filter(move |c| c.matrix() == matrix);
        // This matrix's own table of distinct values, in order of first use.
        let mut remap = vec![u32::MAX; coeffs.values().len()];
        let mut values = Vec::new();
        // Counting sort by row: two passes, no per-row vectors.
        let mut row_start = vec![0u32; n_rows + 1];
        for c in entries() {
            row_start[c.constraint as usize + 1] += 1;
            let slot = &mut remap[c.value_index()];
            if *slot == u32::MAX {
                *slot = values.len() as u32;
                values.push(coeffs.values()[c.value_index()]);
            }
        }
        for i in 0..n_rows {
            row_start[i + 1] += row_start[i];
        }
        let nnz = row_start[n_rows] as usize;
        let mut next = row_start.clone();
        let mut cols = vec![0u32; nnz];
        let mut value_index = vec![0u32; nnz];
        for c in entries() {
            let slot = &mut next[c.constraint as usize];
            cols[*slot as usize] = c.signal;
            value_index[*slot as usize] = remap[c.value_index()];
            *slot += 1;
        }
        let find = |v: Fr| values.iter().position(|x| *x == v).map_or(u32::MAX, |i| i as u32);
        let (one, neg_one) = (find(Fr::ONE), find(Fr::NEG_ONE));
        Self { row_start, cols, value_index, values, one, neg_one }
    }

    /// The A and B matrices ([`SparseMatrix::from_coeffs`]), one after the other. Built on two
    /// threads (`rayon::join`) the CLI's 2^16 proof held 1.5 MB more anonymous memory at its peak
    /// (13.5 against 12.0 MB: the second thread's allocations land in another malloc arena) and
    /// was not faster on 2 cores (2026-12-07, BENCHMARKS.md).
    pub fn from_coeffs_ab(coeffs: &Coefficients, n_rows: usize) -> (Self, Self) {
        (Self::from_coeffs(coeffs, Matrix::A, n_rows), Self::from_coeffs(coeffs, Matrix::B, n_rows))
    }

    /// The number of stored entries.
    pub fn nnz(&self) -> usize {
        self.cols.len()
    }

    /// One past the largest column index used (0 for an empty matrix): the shortest vector
    /// [`SparseMatrix::mul_vec`] accepts.
    pub fn n_cols_used(&self) -> usize {
        self.cols.iter().max().map_or(0, |&c| c as usize + 1)
    }

    /// The CSR arrays: row starts, column indices, value indices and the table of distinct values
    /// (what a device backend uploads).
    pub fn csr_parts(&self) -> (&[u32], &[u32], &[u32], &[Fr]) {
        (&self.row_start, &self.cols, &self.value_index, &self.values)
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.row_start.len() - 1
    }

    /// `M·w`, rows in parallel. Every column index must be below `w.len()` (the zkey reader checks
    /// signals against `n_vars`, and the prover checks the witness length).
    pub fn mul_vec(&self, w: &[Fr]) -> Vec<Fr> {
        let mut out = vec![Fr::ZERO; self.n_rows()];
        out.par_chunks_mut(ROWS_PER_TASK).enumerate().for_each(|(chunk, rows)| {
            let first = chunk * ROWS_PER_TASK;
            for (k, slot) in rows.iter_mut().enumerate() {
                *slot = self.row_dot(first + k, w);
            }
        });
        out
    }

    /// `(M·w) ∘ (N·w)` (entry-wise product), rows in parallel, without holding either product:
    /// Groth16's `C = A∘B` on the domain in one column of memory.
    ///
    /// # Panics
    /// If the matrices have different row counts (both come from one zkey's domain size).
    pub fn mul_vec_product(&self, other: &Self, w: &[Fr]) -> Vec<Fr> {
        assert_eq!(self.n_rows(), other.n_rows(), "row counts differ");
        let mut out = vec![Fr::ZERO; self.n_rows()];
        out.par_chunks_mut(ROWS_PER_TASK).enumerate().for_each(|(chunk, rows)| {
            let first = chunk * ROWS_PER_TASK;
            for (k, slot) in rows.iter_mut().enumerate() {
                *slot = self.row_dot(first + k, w) * other.row_dot(first + k, w);
            }
        });
        out
    }

    /// Row `i` of `M·w`.
    #[inline]
    fn row_dot(&self, i: usize, w: &[Fr]) -> Fr {
        let (lo, hi) = (self.row_start[i] as usize, self.row_start[i + 1] as usize);
        let mut acc = Fr::ZERO;
        for (&col, &vi) in self.cols[lo..hi].iter().zip(&self.value_index[lo..hi]) {
            let wv = w[col as usize];
            if vi == self.one {
                acc += wv;
            } else if vi == self.neg_one {
                acc -= wv;
            } else {
                acc += self.values[vi as usize] * wv;
            }
        }
        acc
    }
}

/// Rows per parallel task in the matrix–vector products.
const ROWS_PER_TASK: usize = 1 << 12;
