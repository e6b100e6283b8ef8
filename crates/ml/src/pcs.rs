//! A Ligero/Brakedown-style multilinear polynomial commitment over M31 (tensor code), with a
//! Reed–Solomon-like circle code and Poseidon2-M31 Merkle trees.
//!
//! # Scheme
//! A multilinear polynomial `f` in `m` variables is given by its `2^m` values on the hypercube
//! ([`zkprove_poly::Mle`] order), of which only a prefix of `n_used` may be non-zero (the rest are
//! zero by definition, known to both sides). They are arranged as a `2^a × 2^b` matrix `T`
//! (`T[r][c] = f(r‖c)`, the first `a` variables pick the row); only its first
//! `R = ⌈n_used / 2^b⌉` rows can be non-zero, and only they are committed. Every row is encoded
//! with the *circle code*: read as `2^b` coefficients in the circle-FFT basis and evaluated on the
//! canonic circle domain of size `n = 2^(b + log_blowup)` ([`zkprove_poly::circle_fft_rows`]).
//! The `n` columns (`R` values each) of the encoded matrix `U` are the leaves of a Merkle tree
//! (Poseidon2-M31 width 16, 8-element digests); its root is the commitment. The shape `(a, b)` is
//! a public function of `(m, n_used, parameters)` ([`shape`]) chosen to minimise the opening's
//! size.
//!
//! To open `f` at `z = (z_hi, z_lo) ∈ QM31^m`, after the root is in the transcript: the prover
//! sends the single row `y = eq(z_hi)ᵀ·T` (`2^b` QM31 values); the verifier checks
//! `⟨y, eq(z_lo)⟩ = v`, the prover grinds a proof-of-work nonce (`pow_bits`), the verifier draws
//! `t` column indices and checks, for each opened column `U[·][i]` (with its Merkle path), that
//! `⟨eq(z_hi), U[·][i]⟩ = Enc(y)[i]`. The distinct opened columns share one Merkle multi-proof
//! (only the siblings that cannot be recomputed are sent). There is no separate random
//! "proximity" row: the tensor combination `eq(z_hi)` does both jobs, because `z` is drawn after
//! the root is fixed (below).
//!
//! # Security
//! The circle code of dimension `k = 2^b` and length `n` has minimum distance at least `n − k`:
//! every basis function `b_j`, `j < k`, has total degree at most `k/2`, and a non-zero polynomial of
//! degree `≤ k/2` has at most `k` zeros on the circle `x² + y² = 1` (Bézout; Haböck, Levit,
//! Papini, *Circle STARKs*, ePrint 2024/278, §3). So the relative distance is
//! `δ ≥ 1 − 2^(−log_blowup)`; a test checks the distance on small codes.
//!
//! The circle code is a generalized Reed–Solomon code: through the rational parametrisation
//! `t = y/(x + 1)` of the circle (the point `(−1, 0)` is not in the canonic domain), a polynomial
//! of total degree `≤ k/2` becomes `p(t)/(1 + t²)^(k/2)` with `deg p ≤ k`, so the code is a
//! subcode of `GRS[n, k + 1]` (the evaluations of degree-`≤ k` polynomials at the points `t_i`,
//! each column scaled by the non-zero constant `(1 + t_i²)^(−k/2)`) (Haböck, Levit, Papini,
//! *Circle STARKs*, ePrint 2024/278, §3, where the same correspondence transfers the Reed–Solomon
//! proximity gaps to circle codes). The bound used, with `d = n − k`, `e = ⌊(d − 1)/2⌋` (the
//! unique-decoding radius) and challenges in `QM31`:
//! - *affine lines* (Ben-Sasson, Carmon, Ishai, Kopparty, Saraf, *Proximity Gaps for
//!   Reed–Solomon Codes*, FOCS 2020 / ePrint 2020/654, Thm. 4.1, unique-decoding regime): for an
//!   RS code — and so for a GRS code (the column scaling preserves distances) and for its
//!   subcode `C` (two distinct line points within `e` of `C` force, by uniqueness of decoding in
//!   the larger code, both endpoints' codewords into `C`) — a line `u₀ + r·u₁` with more than
//!   `n` points `r` within `e` of `C` has correlated agreement: error `ε = n/|QM31|`;
//! - *interleaved codes and tensor combinations* (Diamond, Gruen, *Proximity Gaps in
//!   Interleaved Codes*, ePrint 2024/1351, Thm. 3.1 with Angeris, Evans, Roh, Thm. 3.6 there):
//!   the same gap for `C^R`, and for the tensor combination `eq(z_hi)ᵀ·U`, `z_hi` uniform in
//!   `QM31^a`: if `U` is `e`-far from `C^R`, `eq(z_hi)ᵀ·U` is `e`-close to `C` with probability at
//!   most `a·ε ≤ 2·a·n/|QM31|` (the factor 2 is slack kept from the previous, `d/3`, analysis);
//!   then `Enc(y)` (a codeword) disagrees with it on `≥ e + 1 ≥ d/2` columns and each query
//!   passes with probability `≤ 1 − δ/2`;
//! - if `U` is `e`-close to a codeword matrix `V` (unique) and `y ≠ eq(z_hi)ᵀ·V`'s message,
//!   `Enc(y)` and `eq(z_hi)ᵀ·U` disagree on `≥ d − e ≥ d/2` columns: again `≤ 1 − δ/2` per
//!   query; otherwise `⟨y, eq(z_lo)⟩ = f_V(z)` (binding to `V`).
//!
//! So a false opening passes with probability at most
//! `2·a·n/|QM31| + 2^(−pow_bits)·(1 − δ/2)^t` (the proof of work before the queries credited at
//! what one M31 element enforces, `⌈p/2^b⌉/p`); [`PcsParams::security_bits`] computes
//! `min(pow + t·(−log2(1 − δ/2)), 124 − log2(2·max(a, 1)·n))`. The defaults (blowup 16, `t = 93`,
//! 16 bits of grinding) give `16.0 + 93·0.9125 = 100.9` bits (the field term is 103.8 bits for the
//! 1.1 M-parameter MLP, 101.7 for a 4096 × 4096 matrix, and falls below 100 only past `2^26`
//! values); a test checks that they reach 100.
//! Merkle binding rests on Poseidon2-M31 collision resistance (digests of 8 elements, 248 bits,
//! i.e. 124 bits against collisions). Not used: gaps beyond the unique-decoding radius (the
//! Johnson regime of BCIKS20), which would need list-decoding arguments for the opening.
//! (Until 2026-12-07 this crate used only the generic `d/3` bound of Diamond–Posen, ePrint
//! 2023/630, Thm. 2: `(1 − δ/3)^t`, 156 queries.)
//!
//! The commitment is not hiding and an opening reveals `eq(z_hi)ᵀ·T` and `t` columns: the weights
//! are bound, not kept secret.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use zkprove_field::m31::{M31, QM31};
use zkprove_field::{ExtensionField, Field};
use zkprove_hash::{MerkleHash, Poseidon2, Poseidon2Merkle};
use zkprove_poly::circle::{CircleDomain, CircleOrder};
use zkprove_poly::{Column, ColumnOps, CpuBackend, Direction, circle_fft_rows, eq_table};

use crate::MlError;
use crate::backend::{MlBackend, device_err, merkle_err, poly_err};
use crate::transcript::Challenger;

/// The Merkle hash: Poseidon2-M31 width 16, rate 8, 8-element digests.
pub type Hasher = Poseidon2Merkle<M31, 16, 8, 8>;
/// A Merkle digest.
pub type Digest = [M31; 8];

/// The hasher (the standard Poseidon2-M31-16 instance).
///
/// # Errors
/// Never for the standard instance (the width checks pass); typed for completeness.
pub fn hasher() -> Result<Hasher, MlError> {
    Poseidon2Merkle::new(Poseidon2::m31_16())
        .map_err(|e| MlError::Internal { reason: e.to_string() })
}

/// The parameters of the commitment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PcsParams {
    /// log2 of the code's blowup (`n / k`).
    pub log_blowup: u32,
    /// The number of opened columns `t`.
    pub n_queries: usize,
    /// Proof-of-work bits ground before the column indices are drawn.
    pub pow_bits: u32,
}

impl Default for PcsParams {
    fn default() -> Self {
        Self { log_blowup: 4, n_queries: 93, pow_bits: 16 }
    }
}

/// log2 of `|QM31|` (rounded down).
pub const EXT_FIELD_BITS: f64 = 123.99;

/// The largest proof-of-work accepted (a nonce below `p` exists with overwhelming probability).
pub const MAX_POW_BITS: u32 = 24;

/// The number of M31 challenge elements the proof of work hashes with its nonce.
const POW_CHALLENGE_LEN: usize = 4;

/// The bits of security one M31 element with `bits` low zero bits enforces:
/// `−log2(⌈p/2^bits⌉/p)`.
pub fn pow_credit(bits: u32) -> f64 {
    if bits == 0 {
        return 0.0;
    }
    let p = f64::from(M31_P);
    let passing = (p / (bits as f64).exp2()).ceil();
    -(passing / p).log2()
}

const M31_P: u32 = (1u32 << 31) - 1;

impl PcsParams {
    /// The relative distance `δ = 1 − 2^(−log_blowup)` of the code.
    pub fn relative_distance(&self) -> f64 {
        1.0 - (-(f64::from(self.log_blowup))).exp2()
    }

    /// The soundness of one opening of a polynomial in `n_vars` variables with `n_used` possibly
    /// non-zero values, in bits (module docs).
    pub fn security_bits(&self, n_vars: usize, n_used: usize) -> f64 {
        let delta = self.relative_distance();
        let query_bits =
            pow_credit(self.pow_bits) - (self.n_queries as f64) * (1.0 - delta / 2.0).log2();
        let (log_rows, log_cols) = shape(n_vars, n_used, self);
        let n = ((log_cols + self.log_blowup as usize) as f64).exp2();
        let field_bits = EXT_FIELD_BITS - (2.0 * (log_rows.max(1) as f64) * n).log2();
        query_bits.min(field_bits)
    }

    /// Checks that the parameters are usable (blowup 1..=4, 1..=1000 queries, at most
    /// [`MAX_POW_BITS`] of grinding).
    ///
    /// # Errors
    /// [`MlError::InvalidCommitment`].
    pub fn validate(&self) -> Result<(), MlError> {
        if !(1..=4).contains(&self.log_blowup)
            || !(1..=1000).contains(&self.n_queries)
            || self.pow_bits > MAX_POW_BITS
        {
            return Err(MlError::InvalidCommitment {
                reason: format!("unsupported commitment parameters {self:?}"),
            });
        }
        Ok(())
    }
}

/// `(log_rows, log_cols)` of the matrix for a polynomial in `n_vars` variables whose first
/// `n_used` values may be non-zero: the split that minimises the opening's estimated size
/// (`2^log_cols` QM31 values of the row, `t` columns of `⌈n_used/2^log_cols⌉` M31 values, and
/// about `t·(log2 n − log2 t)` sibling digests), ties to the wider row.
pub fn shape(n_vars: usize, n_used: usize, params: &PcsParams) -> (usize, usize) {
    let n_used = n_used.clamp(1, 1usize << n_vars.min(40));
    let t = params.n_queries.max(1) as f64;
    let lb = params.log_blowup as usize;
    let mut best = (f64::MAX, 0usize);
    // Domains up to 2^28 points (the canonic circle domain exists below 2^31).
    for log_cols in 0..=n_vars.min(28 - lb.min(28)) {
        let rows = n_used.div_ceil(1usize << log_cols) as f64;
        let sibs = ((log_cols + lb) as f64 - t.log2()).max(0.0);
        let bytes = 16.0 * (log_cols as f64).exp2() + 4.0 * t * rows + 32.0 * t * sibs;
        if bytes <= best.0 {
            best = (bytes, log_cols);
        }
    }
    (n_vars - best.1, best.1)
}

/// The number of committed rows for `n_used` values in rows of `2^log_cols`.
fn rows_used(n_used: usize, log_cols: usize) -> usize {
    n_used.max(1).div_ceil(1usize << log_cols)
}

/// A committed polynomial, kept by the prover to open it: its values, the encoded matrix (the
/// Merkle leaves' rows) and every layer of the Merkle tree, on the host.
#[derive(Clone, Debug)]
pub struct Committed {
    n_vars: usize,
    values: Vec<M31>,
    /// The encoded matrix, row-major: row `i` (`width` values) is the code's column `i`.
    encoded: Vec<M31>,
    width: usize,
    /// `layers[0]` are the leaves, the last layer is `[root]`.
    layers: Vec<Vec<Digest>>,
}

impl Committed {
    /// The root.
    pub fn root(&self) -> Digest {
        self.layers.last().and_then(|l| l.first()).copied().unwrap_or_default()
    }

    /// The number of variables.
    pub fn n_vars(&self) -> usize {
        self.n_vars
    }

    /// The committed values (hypercube order; the `2^n_vars − values().len()` values after
    /// them are zero).
    pub fn values(&self) -> &[M31] {
        &self.values
    }

    /// The code's column `index` and its Merkle siblings from the leaves up.
    fn open_column(&self, index: usize) -> Result<(Vec<M31>, Vec<Digest>), MlError> {
        let row = self
            .encoded
            .get(index * self.width..(index + 1) * self.width)
            .ok_or_else(|| MlError::Internal { reason: "Merkle index out of range".into() })?;
        let siblings = self.layers[..self.layers.len().saturating_sub(1)]
            .iter()
            .enumerate()
            .map(|(height, layer)| layer[(index >> height) ^ 1])
            .collect();
        Ok((row.to_vec(), siblings))
    }
}

/// Commits to a multilinear polynomial in `n_vars` variables given by its first `values.len()`
/// hypercube values (the others are zero), on the CPU backend.
///
/// # Errors
/// As [`commit_on`].
pub fn commit(values: Vec<M31>, n_vars: usize, params: &PcsParams) -> Result<Committed, MlError> {
    commit_on::<CpuBackend>(values, n_vars, params)
}

/// [`commit`] on backend `B`: the rows are encoded ([`zkprove_poly::RowMajorCircleFftOps`]) and
/// the Merkle tree built ([`zkprove_hash::MerkleOps`]) on the backend's columns; the encoded matrix and the
/// tree's layers are then kept on the host (to open columns). The result is the same on every
/// backend.
///
/// # Errors
/// [`MlError::InvalidCommitment`] when `values` is longer than `2^n_vars` or the domain too
/// large for the circle group; backend failures as [`MlError::Device`]; hashing/FFT failures
/// as [`MlError::Internal`].
pub fn commit_on<B: MlBackend>(
    values: Vec<M31>,
    n_vars: usize,
    params: &PcsParams,
) -> Result<Committed, MlError> {
    params.validate()?;
    if n_vars > 40 || values.len() > 1usize << n_vars {
        return Err(MlError::InvalidCommitment {
            reason: format!("{} values for {n_vars} variables", values.len()),
        });
    }
    let (_, log_cols) = shape(n_vars, values.len(), params);
    let log_n = log_cols + params.log_blowup as usize;
    let domain = CircleDomain::canonic(log_n)
        .map_err(|e| MlError::InvalidCommitment { reason: e.to_string() })?;
    let width = rows_used(values.len(), log_cols);
    let cols = 1usize << log_cols;
    // data[i·width + r] = T[r][i]: the FFT runs down the columns of this n × width matrix, and its
    // rows are then the code's columns (the Merkle leaves).
    let mut data = vec![M31::ZERO; (1usize << log_n) * width];
    data[..cols * width].par_chunks_mut(width).enumerate().for_each(|(i, row)| {
        for (r, d) in row.iter_mut().enumerate() {
            *d = values.get(r * cols + i).copied().unwrap_or(M31::ZERO);
        }
    });
    let mut data = <B as ColumnOps<M31>>::from_vec(data).map_err(device_err)?;
    B::circle_fft_rows(&mut data, width, &domain, Direction::Forward, CircleOrder::BitReversed)
        .map_err(poly_err)?;
    let h = hasher()?;
    let mut layers = vec![B::hash_leaves(&h, &data, width).map_err(merkle_err)?];
    while let Some(last) = layers.last()
        && last.len() > 1
    {
        let next = B::compress_layer(&h, last).map_err(merkle_err)?;
        layers.push(next);
    }
    let layers = layers.into_iter().map(B::digests_into_vec).collect::<Result<Vec<_>, _>>()?;
    let encoded = <B as ColumnOps<M31>>::into_vec(data).map_err(device_err)?;
    Ok(Committed { n_vars, values, encoded, width, layers })
}

/// Encodes a QM31 vector of length `2^log_cols` (coordinate by coordinate).
fn encode_ext(y: &[QM31], log_n: usize) -> Result<Vec<QM31>, MlError> {
    let domain =
        CircleDomain::canonic(log_n).map_err(|e| MlError::Internal { reason: e.to_string() })?;
    let mut data = vec![M31::ZERO; (1usize << log_n) * 4];
    for (i, v) in y.iter().enumerate() {
        data[4 * i..4 * i + 4].copy_from_slice(v.as_base_slice());
    }
    circle_fft_rows(&mut data, 4, &domain, Direction::Forward, CircleOrder::BitReversed)
        .map_err(|e| MlError::Internal { reason: e.to_string() })?;
    Ok(data.chunks_exact(4).map(|c| QM31::from_m31(c[0], c[1], c[2], c[3])).collect())
}

/// `Σ_r coeffs[r]·T[r]` over the rows of the matrix `values` (rows of `cols`, the last one
/// possibly short: zero-padded). Per QM31 coordinate, every product `c·v < 2^62` is folded once
/// to `(x mod 2^31) + ⌊x/2^31⌋ < 2^32` (`≡ x`, as `2^31 ≡ 1`) and summed in a `u64` (exact for
/// fewer than `2^32` rows), then reduced once per output: plain integer loops that vectorise.
fn combine_rows(values: &[M31], coeffs: &[QM31], cols: usize) -> Vec<QM31> {
    const CHUNK: usize = 256;
    let p = u64::from(M31_P);
    let e: [Vec<u64>; 4] = std::array::from_fn(|c| {
        coeffs.iter().map(|g| u64::from(g.to_m31_array()[c].as_canonical_u32())).collect()
    });
    let mut out = vec![QM31::ZERO; cols];
    out.par_chunks_mut(CHUNK).enumerate().for_each(|(ci, o)| {
        let start = ci * CHUNK;
        let mut acc = [[0u64; CHUNK]; 4];
        let mut seg = [0u64; CHUNK];
        for r in 0..coeffs.len() {
            let lo = (r * cols + start).min(values.len());
            let hi = (r * cols + start + o.len()).min(values.len());
            let n = hi - lo;
            for (s, v) in seg.iter_mut().zip(&values[lo..hi]) {
                *s = u64::from(v.as_canonical_u32());
            }
            for (acc_c, e_c) in acc.iter_mut().zip(&e) {
                let g = e_c[r];
                for (a, &v) in acc_c[..n].iter_mut().zip(&seg[..n]) {
                    let x = g * v;
                    *a += (x & p) + (x >> 31);
                }
            }
        }
        for (k, ok) in o.iter_mut().enumerate() {
            *ok = QM31::from_m31(
                M31::from_u64(acc[0][k] % p),
                M31::from_u64(acc[1][k] % p),
                M31::from_u64(acc[2][k] % p),
                M31::from_u64(acc[3][k] % p),
            );
        }
    });
    out
}

/// An opening proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opening {
    /// `eq(z_hi)ᵀ·T`.
    pub y_eval: Vec<QM31>,
    /// The proof-of-work nonce (zero without grinding).
    pub pow_nonce: M31,
    /// The opened columns, one per distinct queried index, in increasing index order.
    pub columns: Vec<Vec<M31>>,
    /// The Merkle multi-proof: the sibling digests the verifier cannot compute from the opened
    /// columns, level by level from the leaves, each level in increasing index order.
    pub siblings: Vec<Digest>,
}

/// The distinct indices, sorted.
fn distinct(queries: &[usize]) -> Vec<usize> {
    let mut q = queries.to_vec();
    q.sort_unstable();
    q.dedup();
    q
}

fn sample_queries(t: &mut Challenger, log_n: usize, n: usize) -> Result<Vec<usize>, MlError> {
    (0..n)
        .map(|_| {
            t.sample_bits(log_n as u32).map_err(|e| MlError::Internal { reason: e.to_string() })
        })
        .collect()
}

fn pow_passes(d: &Digest, bits: u32) -> bool {
    d[0].as_canonical_u32() & ((1u32 << bits) - 1) == 0
}

/// Proof of work: draws [`POW_CHALLENGE_LEN`] elements `c` and finds the smallest nonce with
/// `hash_row(c ‖ nonce)` zero in its `bits` low bits (the search is parallel, the result does
/// not depend on the thread count), then observes it.
fn grind(t: &mut Challenger, bits: u32) -> Result<M31, MlError> {
    if bits == 0 {
        return Ok(M31::ZERO);
    }
    let challenge: Vec<M31> = (0..POW_CHALLENGE_LEN).map(|_| t.sample()).collect();
    let h = hasher()?;
    const BATCH: u32 = 1 << 14;
    const CHUNK: usize = 1 << 10;
    let row_len = POW_CHALLENGE_LEN + 1;
    let mut start = 0u32;
    while start < M31_P {
        let end = start.saturating_add(BATCH).min(M31_P);
        let nonces: Vec<u32> = (start..end).collect();
        let found = nonces.par_chunks(CHUNK).find_map_first(|chunk| {
            let mut rows = Vec::with_capacity(chunk.len() * row_len);
            for &nonce in chunk {
                rows.extend_from_slice(&challenge);
                rows.push(M31::new(nonce));
            }
            let mut out = vec![Digest::default(); chunk.len()];
            h.hash_rows(&rows, row_len, &mut out);
            out.iter().position(|d| pow_passes(d, bits)).map(|i| chunk[i])
        });
        if let Some(nonce) = found {
            let x = M31::new(nonce);
            t.observe(x);
            return Ok(x);
        }
        start = end;
    }
    Err(MlError::Internal { reason: format!("no proof-of-work nonce for {bits} bits") })
}

/// Checks a nonce as [`grind`] made it (with no grinding the nonce must be zero).
fn check_pow(t: &mut Challenger, bits: u32, nonce: M31) -> Result<bool, MlError> {
    if bits == 0 {
        return Ok(nonce == M31::ZERO);
    }
    let mut row: Vec<M31> = (0..POW_CHALLENGE_LEN).map(|_| t.sample()).collect();
    row.push(nonce);
    t.observe(nonce);
    Ok(pow_passes(&hasher()?.hash_row(&row), bits))
}

/// Opens a committed polynomial at `point` (its value must already be bound in the transcript).
///
/// # Errors
/// [`MlError::Internal`] on a wrong point length or a Merkle failure.
pub fn open(
    c: &Committed,
    point: &[QM31],
    params: &PcsParams,
    t: &mut Challenger,
) -> Result<Opening, MlError> {
    if point.len() != c.n_vars {
        return Err(MlError::Internal { reason: "opening point of the wrong length".into() });
    }
    let (log_rows, log_cols) = shape(c.n_vars, c.values.len(), params);
    let cols = 1usize << log_cols;
    let rows = rows_used(c.values.len(), log_cols);
    let eq_hi = eq_table(&point[..log_rows]);
    let y_eval = combine_rows(&c.values, &eq_hi[..rows], cols);
    for v in &y_eval {
        t.observe_ext(v);
    }
    let pow_nonce = grind(t, params.pow_bits)?;
    let log_n = log_cols + params.log_blowup as usize;
    let queries = distinct(&sample_queries(t, log_n, params.n_queries)?);
    let mut nodes: std::collections::HashMap<(usize, usize), Digest> = Default::default();
    let mut columns = Vec::with_capacity(queries.len());
    for &q in &queries {
        let (col, path) = c.open_column(q)?;
        columns.push(col);
        for (k, sib) in path.iter().enumerate() {
            nodes.insert((k, (q >> k) ^ 1), *sib);
        }
    }
    let mut siblings = Vec::new();
    let mut known = queries;
    for k in 0..log_n {
        let mut parents = Vec::with_capacity(known.len());
        let mut i = 0;
        while i < known.len() {
            let a = known[i];
            if known.get(i + 1) == Some(&(a ^ 1)) {
                i += 2;
            } else {
                let sib = nodes
                    .get(&(k, a ^ 1))
                    .ok_or_else(|| MlError::Internal { reason: "missing Merkle node".into() })?;
                siblings.push(*sib);
                i += 1;
            }
            parents.push(a >> 1);
        }
        parents.dedup();
        known = parents;
    }
    Ok(Opening { y_eval, pow_nonce, columns, siblings })
}

/// Checks an opening of the polynomial committed as `root` (`n_vars` variables, the first
/// `n_used` values possibly non-zero) at `point` with value `value`.
///
/// # Errors
/// [`MlError::Rejected`] naming the failed check; [`MlError::Internal`] on FFT failures.
#[allow(clippy::too_many_arguments)]
pub fn verify(
    root: &Digest,
    n_vars: usize,
    n_used: usize,
    point: &[QM31],
    value: QM31,
    proof: &Opening,
    params: &PcsParams,
    t: &mut Challenger,
) -> Result<(), MlError> {
    let reject = |what: &str| MlError::Rejected { check: format!("commitment opening: {what}") };
    if point.len() != n_vars || n_vars > 40 || n_used > 1usize << n_vars {
        return Err(reject("point length"));
    }
    let (log_rows, log_cols) = shape(n_vars, n_used, params);
    let rows = rows_used(n_used, log_cols);
    let cols = 1usize << log_cols;
    let log_n = log_cols + params.log_blowup as usize;
    if proof.y_eval.len() != cols {
        return Err(reject("shape"));
    }
    let eq_lo = eq_table(&point[log_rows..]);
    let got: QM31 = proof.y_eval.iter().zip(&eq_lo).map(|(&y, &e)| y * e).sum();
    if got != value {
        return Err(reject("evaluation"));
    }
    for v in &proof.y_eval {
        t.observe_ext(v);
    }
    if !check_pow(t, params.pow_bits, proof.pow_nonce)? {
        return Err(reject("proof of work"));
    }
    let queries = distinct(&sample_queries(t, log_n, params.n_queries)?);
    if proof.columns.len() != queries.len() {
        return Err(reject("column count"));
    }
    let enc = encode_ext(&proof.y_eval, log_n)?;
    let eq_hi = eq_table(&point[..log_rows]);
    let h = hasher()?;
    let mut layer: Vec<(usize, Digest)> = Vec::with_capacity(queries.len());
    for (&q, col) in queries.iter().zip(&proof.columns) {
        if col.len() != rows {
            return Err(reject("column shape"));
        }
        let e: QM31 = eq_hi.iter().zip(col).map(|(&g, &v)| g * v).sum();
        if e != enc[q] {
            return Err(reject("column consistency"));
        }
        layer.push((q, h.hash_row(col)));
    }
    // The Merkle multi-proof, level by level (the prover's order).
    let mut sibs = proof.siblings.iter();
    for _ in 0..log_n {
        let mut next = Vec::with_capacity(layer.len());
        let mut i = 0;
        while i < layer.len() {
            let (a, da) = layer[i];
            let (left, right) = match layer.get(i + 1) {
                Some(&(b, db)) if b == a ^ 1 => {
                    i += 2;
                    (da, db)
                }
                _ => {
                    let s = *sibs.next().ok_or_else(|| reject("Merkle proof too short"))?;
                    i += 1;
                    if a & 1 == 0 { (da, s) } else { (s, da) }
                }
            };
            next.push((a >> 1, h.compress(&left, &right)));
        }
        layer = next;
    }
    if sibs.next().is_some() {
        return Err(reject("Merkle proof too long"));
    }
    if layer.len() != 1 || layer[0].0 != 0 || layer[0].1 != *root {
        return Err(reject("Merkle root"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::new_transcript;

    /// The premise of the security bound: a non-zero message of length `k` encodes to a word
    /// with at most `k` zeros (distance `≥ n − k`).
    #[test]
    fn circle_code_has_distance_n_minus_k() {
        let mut seed = 1u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            M31::from_u64(seed >> 33)
        };
        for log_k in 0..5 {
            let k = 1usize << log_k;
            for log_blowup in 1..=2 {
                let log_n = log_k + log_blowup;
                for trial in 0..(2 * k + 4) {
                    // Unit vectors, then random (possibly sparse) messages.
                    let msg: Vec<QM31> = (0..k)
                        .map(|i| {
                            let v = if trial < k {
                                M31::from_u64(u64::from(i == trial))
                            } else {
                                next()
                            };
                            QM31::from(if trial % 3 == 0 && i % 2 == 1 { M31::ZERO } else { v })
                        })
                        .collect();
                    if msg.iter().all(|m| m.is_zero()) {
                        continue;
                    }
                    let enc = encode_ext(&msg, log_n.max(1)).unwrap();
                    let zeros = enc.iter().filter(|e| e.is_zero()).count();
                    assert!(zeros <= k, "k = {k}, n = {}: {zeros} zeros", enc.len());
                }
            }
        }
    }

    #[test]
    fn opening_round_trip_and_wrong_value() {
        for params in [
            PcsParams { log_blowup: 1, n_queries: 40, pow_bits: 0 },
            PcsParams { log_blowup: 4, n_queries: 30, pow_bits: 6 },
        ] {
            // Full tables, and tables whose tail is zero (fewer committed rows).
            for (n_vars, n_used) in [(1usize, 2usize), (4, 16), (9, 512), (9, 300), (12, 1000)] {
                // Small values and values near p (the delayed reduction's worst case).
                let values: Vec<M31> = (0..n_used as u64)
                    .map(|i| {
                        M31::from_u64(if i % 3 == 0 { u64::from(M31_P) - 1 - i } else { i * i + 7 })
                    })
                    .collect();
                let c = commit(values.clone(), n_vars, &params).unwrap();
                let point: Vec<QM31> =
                    (0..n_vars).map(|i| QM31::from(M31::from_u64(3 * i as u64 + 2))).collect();
                let mut full = values.clone();
                full.resize(1 << n_vars, M31::ZERO);
                let value = zkprove_poly::Mle::new(full).unwrap().evaluate(&point).unwrap();
                let mut t = new_transcript().unwrap();
                let proof = open(&c, &point, &params, &mut t).unwrap();
                let check = |v: QM31, p: &Opening, used: usize| {
                    let mut t = new_transcript().unwrap();
                    verify(&c.root(), n_vars, used, &point, v, p, &params, &mut t)
                };
                check(value, &proof, n_used).unwrap();
                assert!(check(value + QM31::ONE, &proof, n_used).is_err());
                let mut bad = proof.clone();
                bad.columns[0][0] += M31::ONE;
                assert!(check(value, &bad, n_used).is_err());
                let mut bad = proof.clone();
                bad.y_eval[0] += QM31::ONE;
                assert!(check(value, &bad, n_used).is_err());
                let mut bad = proof.clone();
                bad.pow_nonce += M31::ONE;
                assert!(check(value, &bad, n_used).is_err());
                if n_used < 1 << n_vars {
                    // A verifier told of more non-zero values expects another shape.
                    assert!(check(value, &proof, 1 << n_vars).is_err());
                }
            }
        }
    }

    #[test]
    fn default_parameters_reach_100_bits() {
        let p = PcsParams::default();
        for (n_vars, n_used) in [(1, 2), (10, 1000), (21, 1_200_000), (25, 1 << 25)] {
            assert!(p.security_bits(n_vars, n_used) >= 100.0, "{n_vars}");
        }
        assert!(PcsParams { n_queries: 91, ..p }.security_bits(21, 1 << 21) < 100.0);
        assert!(PcsParams { pow_bits: 12, ..p }.security_bits(21, 1 << 21) < 100.0);
        assert!((pow_credit(16) - 16.0).abs() < 1e-6);
    }
}
