//! A Ligero/Brakedown-style multilinear polynomial commitment over M31 (tensor code), with a
//! Reed–Solomon-like circle code and Poseidon2-M31 Merkle trees.
//!
//! # Scheme
//! A multilinear polynomial `f` in `m` variables is given by its `2^m` values on the hypercube
//! ([`zkprove_poly::Mle`] order). They are arranged as a `2^a × 2^b` matrix `T` (`T[r][c] =
//! f(r‖c)`, the first `a` variables pick the row). Every row is encoded with the *circle code*:
//! read as `2^b` coefficients in the circle-FFT basis and evaluated on the canonic circle domain of
//! size `n = 2^(b + log_blowup)` ([`zkprove_poly::circle_fft_rows`]). The `n` columns of the encoded
//! matrix `U` are the leaves of a Merkle tree (Poseidon2-M31 width 16, 8-element digests); its root
//! is the commitment.
//!
//! To open `f` at `z = (z_hi, z_lo) ∈ QM31^m`, after the root is in the transcript: the verifier
//! draws `γ ∈ QM31^(2^a)`; the prover sends `y_prox = γᵀ·T` and `y_eval = eq(z_hi)ᵀ·T` (each
//! `2^b` QM31 values); the verifier checks `⟨y_eval, eq(z_lo)⟩ = v`, draws `t` column indices and
//! checks, for each opened column `U[·][i]` (with its Merkle path), that `⟨γ, U[·][i]⟩ =
//! Enc(y_prox)[i]` and `⟨eq(z_hi), U[·][i]⟩ = Enc(y_eval)[i]`. The distinct opened columns share
//! one Merkle multi-proof (only the siblings that cannot be recomputed are sent).
//!
//! # Security
//! The circle code of dimension `k = 2^b` and length `n` has minimum distance at least `n − k`:
//! every basis function `b_j`, `j < k`, has total degree at most `k/2`, and a non-zero polynomial of
//! degree `≤ k/2` has at most `k` zeros on the circle `x² + y² = 1` (Bézout; Haböck, Levit,
//! Papini, *Circle STARKs*, ePrint 2024/278, §3). So the relative distance is
//! `δ ≥ 1 − 2^(−log_blowup)`.
//!
//! For any linear code of relative distance `δ`, the Ligero/Brakedown analysis (Ames, Hazay,
//! Ishai, Venkitasubramaniam, CCS 2017, Lemma 4.2/4.3; Golovnev, Lee, Setty, Thaler, Wahby,
//! *Brakedown*, ePrint 2021/1043, Lemma 1 and Theorem 3) bounds the probability that a prover whose
//! committed matrix is not `e`-close (`e = ⌊δn/3⌋`) to the interleaved code, or who sends a wrong
//! `y_eval`, passes, by `(e + 1)/|E| + (1 − δ/3)^t` per combination, `|E| = |QM31| ≈ 2^124`.
//! [`PcsParams::security_bits`] computes `min(−t·log2(1 − δ/3), 124 − log2(2(n + 1)))`. The
//! defaults (blowup 4, `t = 245`) give `−245·log2(0.75) = 101.7` bits; a test checks that they
//! reach 100. Merkle binding rests on Poseidon2-M31 collision resistance (digests of 8 elements,
//! 248 bits, i.e. 124 bits against collisions).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use zkprove_field::m31::{M31, QM31};
use zkprove_field::{ExtensionField, Field};
use zkprove_hash::{MerkleHash, MerkleTree, Poseidon2, Poseidon2Merkle};
use zkprove_poly::circle::{CircleDomain, CircleOrder};
use zkprove_poly::{Direction, circle_fft_rows, eq_table};

use crate::MlError;
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
}

impl Default for PcsParams {
    fn default() -> Self {
        Self { log_blowup: 2, n_queries: 245 }
    }
}

/// log2 of `|QM31|` (rounded down).
pub const EXT_FIELD_BITS: f64 = 123.99;

impl PcsParams {
    /// The relative distance `δ = 1 − 2^(−log_blowup)` of the code.
    pub fn relative_distance(&self) -> f64 {
        1.0 - (-(f64::from(self.log_blowup))).exp2()
    }

    /// The soundness of one opening of a polynomial in `n_vars` variables, in bits (module docs).
    pub fn security_bits(&self, n_vars: usize) -> f64 {
        let delta = self.relative_distance();
        let query_bits = -(self.n_queries as f64) * (1.0 - delta / 3.0).log2();
        let (_, log_cols) = shape(n_vars);
        let n = ((log_cols + self.log_blowup as usize) as f64).exp2();
        let field_bits = EXT_FIELD_BITS - (2.0 * (n + 1.0)).log2();
        query_bits.min(field_bits)
    }

    /// Checks that the parameters are usable (blowup 1..=4, 1..=1000 queries).
    ///
    /// # Errors
    /// [`MlError::InvalidCommitment`].
    pub fn validate(&self) -> Result<(), MlError> {
        if !(1..=4).contains(&self.log_blowup) || !(1..=1000).contains(&self.n_queries) {
            return Err(MlError::InvalidCommitment {
                reason: format!("unsupported commitment parameters {self:?}"),
            });
        }
        Ok(())
    }
}

/// `(log_rows, log_cols)` of the matrix for a polynomial in `n_vars` variables: about
/// `√(2^n_vars / 32)` rows, which balances the opened columns against the two sent rows.
pub fn shape(n_vars: usize) -> (usize, usize) {
    let log_rows = n_vars.saturating_sub(5) / 2;
    (log_rows, n_vars - log_rows)
}

/// A committed polynomial, kept by the prover to open it.
#[derive(Clone, Debug)]
pub struct Committed {
    n_vars: usize,
    values: Vec<M31>,
    tree: MerkleTree<Hasher>,
}

impl Committed {
    /// The root.
    pub fn root(&self) -> Digest {
        self.tree.root()
    }

    /// The number of variables.
    pub fn n_vars(&self) -> usize {
        self.n_vars
    }

    /// The committed values (hypercube order).
    pub fn values(&self) -> &[M31] {
        &self.values
    }
}

/// Commits to the `2^n_vars` values of a multilinear polynomial.
///
/// # Errors
/// [`MlError::InvalidCommitment`] when the length is not a power of two or too large for the
/// circle domain; hashing/FFT failures as [`MlError::Internal`].
pub fn commit(values: Vec<M31>, params: &PcsParams) -> Result<Committed, MlError> {
    params.validate()?;
    if !values.len().is_power_of_two() {
        return Err(MlError::InvalidCommitment {
            reason: format!("{} values, not a power of two", values.len()),
        });
    }
    let n_vars = values.len().trailing_zeros() as usize;
    let (log_rows, log_cols) = shape(n_vars);
    let log_n = log_cols + params.log_blowup as usize;
    let domain = CircleDomain::canonic(log_n)
        .map_err(|e| MlError::InvalidCommitment { reason: e.to_string() })?;
    let width = 1usize << log_rows;
    let cols = 1usize << log_cols;
    // data[i·width + r] = T[r][i]: the FFT runs down the columns of this n × width matrix, and its
    // rows are then the code's columns (the Merkle leaves).
    let mut data = vec![M31::ZERO; (1usize << log_n) * width];
    data[..cols * width].par_chunks_mut(width).enumerate().for_each(|(i, row)| {
        for (r, d) in row.iter_mut().enumerate() {
            *d = values[r * cols + i];
        }
    });
    circle_fft_rows(&mut data, width, &domain, Direction::Forward, CircleOrder::BitReversed)
        .map_err(|e| MlError::Internal { reason: e.to_string() })?;
    let tree = MerkleTree::commit(hasher()?, data, width)
        .map_err(|e| MlError::Internal { reason: e.to_string() })?;
    Ok(Committed { n_vars, values, tree })
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

/// `Σ_r coeffs[r]·T[r]` over the rows of the `rows × cols` matrix `values`.
fn combine_rows(values: &[M31], coeffs: &[QM31], cols: usize) -> Vec<QM31> {
    const CHUNK: usize = 256;
    let mut out = vec![QM31::ZERO; cols];
    out.par_chunks_mut(CHUNK).enumerate().for_each(|(ci, o)| {
        let start = ci * CHUNK;
        for (r, &g) in coeffs.iter().enumerate() {
            let row = &values[r * cols + start..r * cols + start + o.len()];
            for (acc, &v) in o.iter_mut().zip(row) {
                *acc += g * v;
            }
        }
    });
    out
}

/// An opening proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opening {
    /// `γᵀ·T`.
    pub y_prox: Vec<QM31>,
    /// `eq(z_hi)ᵀ·T`.
    pub y_eval: Vec<QM31>,
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

fn sample_gamma(t: &mut Challenger, n: usize) -> Vec<QM31> {
    (0..n).map(|_| t.sample_ext()).collect()
}

fn sample_queries(t: &mut Challenger, log_n: usize, n: usize) -> Result<Vec<usize>, MlError> {
    (0..n)
        .map(|_| {
            t.sample_bits(log_n as u32).map_err(|e| MlError::Internal { reason: e.to_string() })
        })
        .collect()
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
    let (log_rows, log_cols) = shape(c.n_vars);
    let cols = 1usize << log_cols;
    let gamma = sample_gamma(t, 1 << log_rows);
    let y_prox = combine_rows(&c.values, &gamma, cols);
    let y_eval = combine_rows(&c.values, &eq_table(&point[..log_rows]), cols);
    for v in y_prox.iter().chain(&y_eval) {
        t.observe_ext(v);
    }
    let log_n = log_cols + params.log_blowup as usize;
    let queries = distinct(&sample_queries(t, log_n, params.n_queries)?);
    let mut nodes: std::collections::HashMap<(usize, usize), Digest> = Default::default();
    let mut columns = Vec::with_capacity(queries.len());
    for &q in &queries {
        let (col, path) =
            c.tree.open(q).map_err(|e| MlError::Internal { reason: e.to_string() })?;
        columns.push(col);
        for (k, sib) in path.siblings.iter().enumerate() {
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
    Ok(Opening { y_prox, y_eval, columns, siblings })
}

/// Checks an opening of the polynomial committed as `root` (`n_vars` variables) at `point`
/// with value `value`.
///
/// # Errors
/// [`MlError::Rejected`] naming the failed check; [`MlError::Internal`] on FFT failures.
pub fn verify(
    root: &Digest,
    n_vars: usize,
    point: &[QM31],
    value: QM31,
    proof: &Opening,
    params: &PcsParams,
    t: &mut Challenger,
) -> Result<(), MlError> {
    let reject = |what: &str| MlError::Rejected { check: format!("commitment opening: {what}") };
    if point.len() != n_vars {
        return Err(reject("point length"));
    }
    let (log_rows, log_cols) = shape(n_vars);
    let rows = 1usize << log_rows;
    let cols = 1usize << log_cols;
    let log_n = log_cols + params.log_blowup as usize;
    if proof.y_prox.len() != cols || proof.y_eval.len() != cols {
        return Err(reject("shape"));
    }
    let gamma = sample_gamma(t, rows);
    let eq_lo = eq_table(&point[log_rows..]);
    let got: QM31 = proof.y_eval.iter().zip(&eq_lo).map(|(&y, &e)| y * e).sum();
    if got != value {
        return Err(reject("evaluation"));
    }
    for v in proof.y_prox.iter().chain(&proof.y_eval) {
        t.observe_ext(v);
    }
    let queries = distinct(&sample_queries(t, log_n, params.n_queries)?);
    if proof.columns.len() != queries.len() {
        return Err(reject("column count"));
    }
    let enc_prox = encode_ext(&proof.y_prox, log_n)?;
    let enc_eval = encode_ext(&proof.y_eval, log_n)?;
    let eq_hi = eq_table(&point[..log_rows]);
    let h = hasher()?;
    let mut layer: Vec<(usize, Digest)> = Vec::with_capacity(queries.len());
    for (&q, col) in queries.iter().zip(&proof.columns) {
        if col.len() != rows {
            return Err(reject("column shape"));
        }
        let p: QM31 = gamma.iter().zip(col).map(|(&g, &v)| g * v).sum();
        let e: QM31 = eq_hi.iter().zip(col).map(|(&g, &v)| g * v).sum();
        if p != enc_prox[q] || e != enc_eval[q] {
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
        let params = PcsParams { log_blowup: 1, n_queries: 40 };
        for n_vars in [1usize, 4, 9] {
            let values: Vec<M31> = (0..1u64 << n_vars).map(|i| M31::from_u64(i * i + 7)).collect();
            let c = commit(values.clone(), &params).unwrap();
            let point: Vec<QM31> =
                (0..n_vars).map(|i| QM31::from(M31::from_u64(3 * i as u64 + 2))).collect();
            let value = zkprove_poly::Mle::new(values).unwrap().evaluate(&point).unwrap();
            let mut t = new_transcript().unwrap();
            let proof = open(&c, &point, &params, &mut t).unwrap();
            let mut t = new_transcript().unwrap();
            verify(&c.root(), n_vars, &point, value, &proof, &params, &mut t).unwrap();
            let mut t = new_transcript().unwrap();
            assert!(
                verify(&c.root(), n_vars, &point, value + QM31::ONE, &proof, &params, &mut t)
                    .is_err()
            );
            let mut bad = proof.clone();
            bad.columns[0][0] += M31::ONE;
            let mut t = new_transcript().unwrap();
            assert!(verify(&c.root(), n_vars, &point, value, &bad, &params, &mut t).is_err());
        }
    }
}
