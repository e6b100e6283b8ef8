//! Batch inversion by Montgomery's trick: one field inversion and ~3 multiplications per element,
//! split across threads in chunks (each chunk pays one inversion).

use rayon::prelude::*;

use crate::Field;

/// Below this many elements per chunk, splitting across threads costs more than it saves.
const MIN_CHUNK: usize = 1 << 12;

/// Replaces every non-zero element by its inverse; zeros stay zero.
pub fn batch_inverse_in_place<F: Field>(values: &mut [F]) {
    let n_threads = rayon::current_num_threads().max(1);
    let chunk = values.len().div_ceil(n_threads).max(MIN_CHUNK);
    values.par_chunks_mut(chunk).for_each(batch_inverse_serial);
}

/// The inverses of `values` (zeros map to zero), in a new vector.
#[must_use]
pub fn batch_inverse<F: Field>(values: &[F]) -> Vec<F> {
    let mut out = values.to_vec();
    batch_inverse_in_place(&mut out);
    out
}

/// Montgomery's trick on one chunk, skipping zeros.
fn batch_inverse_serial<F: Field>(values: &mut [F]) {
    // prefix[i] = product of the non-zero values[0..i].
    let mut prefix = Vec::with_capacity(values.len());
    let mut acc = F::ONE;
    for v in values.iter() {
        prefix.push(acc);
        if !v.is_zero() {
            acc *= *v;
        }
    }
    // `acc` is a product of non-zero elements of a field, hence non-zero and invertible.
    let mut inv = acc.inverse().unwrap_or(F::ZERO);
    for (v, p) in values.iter_mut().zip(prefix).rev() {
        if !v.is_zero() {
            let next = inv * *v;
            *v = inv * p;
            inv = next;
        }
    }
}
