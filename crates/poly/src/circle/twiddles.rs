//! Circle-FFT twiddles, computed once per (domain, direction) and cached.
//!
//! For a domain of `n = 2^k` points with half coset `H = (q + i·g)_{i < n/2}`, the FFT has `k`
//! layers; layer `l` (0 first in the forward direction) pairs index bit `k − 1 − l` and has `2^l`
//! blocks, each with one twiddle:
//! - `l = k − 1` (the last forward layer, half-size 1): `y(H[rev_{k−1}(b)])`;
//! - `l < k − 1`: `π^{k−2−l}(x(H[rev_l(b)]))`, the x-coordinate of `2^{k−2−l}·H[rev_l(b)]`.
//!
//! The inverse tables hold the inverses, with `1/n` folded into the first inverse layer (`l = k − 1`).
//! For SIMD, the last `log2(W)` layers (half-size below the packing width `W`) also get a copy laid
//! out per `W × W` tile, transposed, so that one packed load gives the twiddles of `W` rows.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use zkprove_field::m31::M31;
use zkprove_field::{Field, batch_inverse, packing_width};

use super::{CircleDomain, CirclePoint, reverse_bits};

/// Twiddles of one domain and direction.
#[derive(Debug)]
pub(crate) struct CircleTwiddles {
    /// `layers[l]` holds the `2^l` twiddles of layer `l`.
    pub(crate) layers: Vec<Vec<M31>>,
    /// For the tile pass: `tiled[l − (k − s)]` is layer `l`'s table in tile-transposed layout, for
    /// the last `s = log2(W)` layers; empty when the domain is smaller than one tile.
    pub(crate) tiled: Vec<Vec<M31>>,
    /// `1/n` for the inverse direction (folded into its first layer), one for the forward one.
    pub(crate) n_inv: M31,
    /// `log2(W)` of the packing width `W` the tiles are laid out for: the width
    /// `M31::with_packing` had when the table was made (part of the cache key).
    pub(crate) log_w: usize,
}

/// Whether a domain of size `2^log_n` runs its last `lw = log2(W)` layers as a tile pass.
pub(crate) fn uses_tiles(log_n: usize, lw: usize) -> bool {
    lw > 0 && log_n >= 2 * lw
}

impl CircleTwiddles {
    fn new(domain: &CircleDomain, inverse: bool, log_w: usize) -> Self {
        let k = domain.log_n();
        let n = domain.size();
        let half = half_coset_par(domain);
        let mut layers: Vec<Vec<M31>> = vec![Vec::new(); k];
        // y-layer.
        layers[k - 1] = (0..n / 2).map(|b| half[reverse_bits(b, k - 1)].y).collect();
        // x-layers: pts holds 2^{k−2−l}·H[i] for i < 2^l, natural order.
        if k >= 2 {
            let mut pts: Vec<CirclePoint<M31>> = half[..n / 4].to_vec();
            for l in (0..k - 1).rev() {
                layers[l] = (0..1usize << l).map(|b| pts[reverse_bits(b, l)].x).collect();
                if l > 0 {
                    pts = pts[..1 << (l - 1)].iter().map(CirclePoint::double).collect();
                }
            }
        }
        // 1/n exists: n < p.
        let n_inv =
            if inverse { M31::from_u64(n as u64).inverse().unwrap_or(M31::ONE) } else { M31::ONE };
        if inverse {
            for layer in layers.iter_mut() {
                *layer = batch_inverse(layer);
            }
            for t in layers[k - 1].iter_mut() {
                *t *= n_inv;
            }
        }
        let tiled = if uses_tiles(k, log_w) {
            let lw = log_w;
            let w = 1usize << lw;
            (k - lw..k)
                .map(|l| {
                    // Layer l has half-size h = 2^{k−1−l} < W; m = W/(2h) blocks per row of W.
                    let h = 1usize << (k - 1 - l);
                    let m = w / (2 * h);
                    let src = &layers[l];
                    let mut out = vec![M31::ZERO; src.len()];
                    // Tile t: rows R = t·W + r; twiddle of row R, block kb is src[R·m + kb], stored
                    // at t·W·m + kb·W + r.
                    out.par_chunks_mut(w * m).enumerate().for_each(|(t, dst)| {
                        for kb in 0..m {
                            for r in 0..w {
                                dst[kb * w + r] = src[(t * w + r) * m + kb];
                            }
                        }
                    });
                    out
                })
                .collect()
        } else {
            Vec::new()
        };
        Self { layers, tiled, n_inv, log_w }
    }
}

/// `q + i·g` for `i < n/2`, in parallel chunks (each chunk starts from one scalar multiplication).
fn half_coset_par(domain: &CircleDomain) -> Vec<CirclePoint<M31>> {
    const CHUNK: usize = 1 << 12;
    let len = domain.size() / 2;
    if len <= CHUNK {
        return domain.half_coset();
    }
    let g = domain.half_generator();
    let q = domain.shift();
    let mut out = vec![CirclePoint::IDENTITY; len];
    out.par_chunks_mut(CHUNK).enumerate().for_each(|(c, chunk)| {
        let mut p = q + g.mul((c * CHUNK) as u64);
        for x in chunk {
            *x = p;
            p = p + g;
        }
    });
    out
}

type Key = (usize, u32, u32, bool, usize);
type Cache = Mutex<HashMap<Key, Arc<CircleTwiddles>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The cached twiddles of `domain`, forward or inverse.
pub(crate) fn circle_twiddles(domain: &CircleDomain, inverse: bool) -> Arc<CircleTwiddles> {
    let q = domain.shift();
    let log_w = packing_width::<M31>().trailing_zeros() as usize;
    let key = (domain.log_n(), q.x.as_canonical_u32(), q.y.as_canonical_u32(), inverse, log_w);
    // A poisoned lock only means another thread panicked while inserting; the map is still valid.
    if let Some(t) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Arc::clone(t);
    }
    let t = Arc::new(CircleTwiddles::new(domain, inverse, log_w));
    cache().lock().unwrap_or_else(|e| e.into_inner()).insert(key, Arc::clone(&t));
    t
}
