//! Twiddle tables, computed once per (field, size, direction) and shared by every later NTT.
//!
//! Layout: for a transform of size `n = 2^log_n`, stage `s` (butterfly half-size `h = 2^s`) uses
//! `ω_{2h}^j` for `j < h`, stored contiguously at offset `h − 1`; the whole table has `n − 1`
//! entries. Contiguous per-stage rows let the butterflies read twiddles with packed (SIMD) loads.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use zkprove_field::TwoAdicField;

/// Per-stage twiddles for one size and direction.
#[derive(Debug)]
pub(crate) struct Twiddles<F> {
    table: Vec<F>,
}

impl<F: TwoAdicField> Twiddles<F> {
    /// The `h` twiddles `ω_{2h}^0 … ω_{2h}^{h−1}` of the stage with half-size `h`.
    #[inline]
    pub(crate) fn stage(&self, h: usize) -> &[F] {
        &self.table[h - 1..2 * h - 1]
    }

    /// The whole table: stage `h` at `h − 1 .. 2h − 1` (the layout
    /// [`zkprove_field::NttKernels`] expects).
    #[inline]
    pub(crate) fn table(&self) -> &[F] {
        &self.table
    }

    /// Builds the table from `root`, a primitive `2^log_n`-th root of unity.
    fn new(log_n: usize, root: F) -> Self {
        let n = 1usize << log_n;
        let mut table = vec![F::ZERO; n.saturating_sub(1)];
        // The last stage (h = n/2) holds root^j; every smaller stage is its even-indexed subsequence.
        if n >= 2 {
            let h = n / 2;
            let last = &mut table[h - 1..];
            fill_powers(last, root);
            let mut hh = h / 2;
            while hh >= 1 {
                let (lower, upper) = table.split_at_mut(2 * hh - 1);
                let src = &upper[..2 * hh];
                let dst = &mut lower[hh - 1..];
                dst.par_iter_mut().enumerate().for_each(|(j, d)| *d = src[2 * j]);
                hh /= 2;
            }
        }
        Self { table }
    }
}

/// `out[j] = base^j`, in parallel chunks (each chunk starts from one `pow`).
fn fill_powers<F: TwoAdicField>(out: &mut [F], base: F) {
    const CHUNK: usize = 1 << 12;
    out.par_chunks_mut(CHUNK).enumerate().for_each(|(c, chunk)| {
        let mut cur = base.pow((c * CHUNK) as u64);
        for x in chunk {
            *x = cur;
            cur *= base;
        }
    });
}

type Cache = Mutex<HashMap<(TypeId, usize, bool), Arc<dyn Any + Send + Sync>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Drops the cached twiddle tables of `F` for transforms of size `2^log_n` (both directions);
/// the next transform of that size builds them again. A table of size `2^log_n` holds `2^log_n − 1`
/// field elements (2 MiB for BN254's `F_r` at `2^16`): a one-shot caller that is done with its
/// transforms of that size gives the memory back (transforms in flight keep their own reference).
pub fn evict_twiddles<F: TwoAdicField>(log_n: usize) {
    let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
    for inverse in [false, true] {
        cache.remove(&(TypeId::of::<F>(), log_n, inverse));
    }
}

/// The cached twiddles for `F`, size `2^log_n`, forward (`ω`) or inverse (`ω⁻¹`).
///
/// Returns `None` when `log_n` exceeds the field's two-adicity.
pub(crate) fn twiddles<F: TwoAdicField>(log_n: usize, inverse: bool) -> Option<Arc<Twiddles<F>>> {
    let key = (TypeId::of::<F>(), log_n, inverse);
    // A poisoned lock only means another thread panicked while inserting; the map is still valid.
    if let Some(t) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Arc::clone(t).downcast::<Twiddles<F>>().ok();
    }
    let root = F::two_adic_generator(log_n)?;
    let root = if inverse { root.inverse()? } else { root };
    let t = Arc::new(Twiddles::new(log_n, root));
    cache().lock().unwrap_or_else(|e| e.into_inner()).insert(key, t.clone());
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkprove_field::babybear::BabyBear;

    #[test]
    fn evicted_tables_are_rebuilt_equal() {
        let a = twiddles::<BabyBear>(10, false).expect("size within two-adicity");
        evict_twiddles::<BabyBear>(10);
        let b = twiddles::<BabyBear>(10, false).expect("size within two-adicity");
        assert!(!Arc::ptr_eq(&a, &b), "the table was rebuilt, not served from the cache");
        assert_eq!(a.table(), b.table());
        let c = twiddles::<BabyBear>(10, false).expect("size within two-adicity");
        assert!(Arc::ptr_eq(&b, &c), "the rebuilt table is cached again");
    }
}
