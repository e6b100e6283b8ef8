//! The zkey's A and B matrices in compressed-sparse-row form, and their product with the witness.

use rayon::prelude::*;
use zkprove_circom::{Coeff, Matrix};
use zkprove_field::Field;
use zkprove_field::bn254::Fr;

/// A sparse matrix with `n_rows` rows, stored row by row (CSR): row `i`'s entries are
/// `cols[row_start[i]..row_start[i + 1]]` with values `vals[…]`.
///
/// 40 bytes per entry (against the file's 44); circom's ±1 coefficients are not special-cased in
/// storage but are cheap in [`SparseMatrix::mul_vec`], which adds or subtracts instead of multiplying.
#[derive(Clone, Debug)]
pub struct SparseMatrix {
    row_start: Vec<u32>,
    cols: Vec<u32>,
    vals: Vec<Fr>,
}

impl SparseMatrix {
    /// Collects the entries of `matrix` from the zkey's coefficient list (any order; entries for
    /// the same cell are kept and summed by [`SparseMatrix::mul_vec`], as snarkjs does).
    ///
    /// Every `constraint` must be below `n_rows` (the zkey reader checks this).
    pub fn from_coeffs(coeffs: &[Coeff], matrix: Matrix, n_rows: usize) -> Self {
        // Counting sort by row: two passes, no per-row vectors.
        let mut row_start = vec![0u32; n_rows + 1];
        for c in coeffs.iter().filter(|c| c.matrix == matrix) {
            row_start[c.constraint as usize + 1] += 1;
        }
        for i in 0..n_rows {
            row_start[i + 1] += row_start[i];
        }
        let nnz = row_start[n_rows] as usize;
        let mut next = row_start.clone();
        let mut cols = vec![0u32; nnz];
        let mut vals = vec![Fr::ZERO; nnz];
        for c in coeffs.iter().filter(|c| c.matrix == matrix) {
            let slot = &mut next[c.constraint as usize];
            cols[*slot as usize] = c.signal;
            vals[*slot as usize] = c.value;
            *slot += 1;
        }
        Self { row_start, cols, vals }
    }

    /// The number of stored entries.
    pub fn nnz(&self) -> usize {
        self.cols.len()
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.row_start.len() - 1
    }

    /// `M·w`, rows in parallel. Every column index must be below `w.len()` (the zkey reader checks
    /// signals against `n_vars`, and the prover checks the witness length).
    pub fn mul_vec(&self, w: &[Fr]) -> Vec<Fr> {
        let mut out = vec![Fr::ZERO; self.n_rows()];
        out.par_chunks_mut(1 << 12).enumerate().for_each(|(chunk, rows)| {
            let first = chunk << 12;
            for (k, slot) in rows.iter_mut().enumerate() {
                let i = first + k;
                let (lo, hi) = (self.row_start[i] as usize, self.row_start[i + 1] as usize);
                let mut acc = Fr::ZERO;
                for (col, val) in self.cols[lo..hi].iter().zip(&self.vals[lo..hi]) {
                    let wv = w[*col as usize];
                    if *val == Fr::ONE {
                        acc += wv;
                    } else if *val == Fr::NEG_ONE {
                        acc -= wv;
                    } else {
                        acc += *val * wv;
                    }
                }
                *slot = acc;
            }
        });
        out
    }
}
