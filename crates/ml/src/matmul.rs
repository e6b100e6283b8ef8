//! Proofs of one int8 matrix product `C = A·B` (`A`, `B` both `n × n`), with `A` committed once
//! (as a model's weights are) and `B`, `C` the public input and output.
//!
//! # Statement
//! Given a [`MatmulCommitment`] (`n`, the commitment parameters and the Merkle root of `A`'s
//! multilinear extension), an int8 matrix `B` and an integer matrix `C`: `C = A·B` over the
//! integers for the committed `A`.
//!
//! # Protocol (Thaler's matrix-multiplication sumcheck)
//! The transcript absorbs `n`, the parameters, `A`'s root and a SHA-256 digest of `B` and `C`
//! (so the challenges depend on the whole statement; the verifier hashes `B` and `C` itself). For random `r₁, r₂ ∈ QM31^log n`:
//! `C̃(r₁, r₂) = Σ_k Ã(r₁, k)·B̃(k, r₂)`, which one degree-2 sumcheck over `k` reduces to
//! `Ã(r₁, κ)` (sent, then opened against the commitment, [`crate::pcs`]) and `B̃(κ, r₂)` (computed
//! by the verifier from `B`). The verifier computes `C̃(r₁, r₂)` from `C`: `O(n²)` work, as
//! reading the statement is.
//!
//! # Soundness
//! If `C ≠ A·B` in M31, `C̃ − (ÃB)~` is a non-zero multilinear polynomial and vanishes at the
//! random `(r₁, r₂)` with probability at most `2·log n/|QM31|`; the sumcheck adds `2·log n/|QM31|`
//! and the opening its own error ([`crate::pcs::PcsParams::security_bits`]). With
//! `|A_ik|, |B_kj| ≤ 128` and `n ≤ 2^16`, `|(A·B)_ij| ≤ n·2^14 ≤ 2^30 − 1 < p/2`, and the verifier
//! refuses any `|C_ij|` beyond `n·2^14`, so equality in M31 is equality over the integers. As for
//! model weights, the range of the committed `A` is not proven (it holds for a commitment made by
//! [`CommittedMatrix::new`] from int8 values).
//!
//! # Cost
//! The prover's work past the product itself is three `O(n²)` passes (`C̃(r₁, r₂)`,
//! `Ã(r₁, ·)`, `B̃(·, r₂)`), hashing `B` and `C`, an `O(n)` sumcheck and one opening of `A`
//! (another `O(n²)` pass for the opening's row). The `O(n³)` product [`product`] is the
//! witness, computed before proving.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use zkprove_field::Field;
use zkprove_field::cpu::{CpuKernel, with_cpu_features};
use zkprove_field::int8;
use zkprove_field::m31::{M31, QM31};
use zkprove_poly::{CpuBackend, eq_table};
use zkprove_sumcheck::Term;

use crate::MlError;
use crate::backend::MlBackend;
use crate::pcs::{self, Committed, Digest, Opening, PcsParams};
use crate::proof::{
    Bytes, Reader, Writer, fe, internal, log2_ceil, put_ext, put_opening, put_u32, reject,
    sc_prove, sc_verify,
};
use crate::transcript::{Challenger, new_transcript};

/// The largest `n` (so that `n·2^14 < 2^30`).
pub const MAX_N: usize = 1 << 16;

/// The public side of a committed `A`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatmulCommitment {
    /// The matrices' size.
    pub n: usize,
    /// The Merkle root of `A`'s multilinear extension (8 M31 values).
    pub a_root: Vec<u32>,
    /// The commitment parameters.
    pub pcs: PcsParams,
}

impl MatmulCommitment {
    fn validate(&self) -> Result<Digest, MlError> {
        let bad = |reason: &str| MlError::InvalidCommitment { reason: reason.into() };
        self.pcs.validate()?;
        if self.n == 0 || self.n > MAX_N {
            return Err(bad("n out of range"));
        }
        if self.a_root.len() != 8 {
            return Err(bad("a_root must be 8 M31 values"));
        }
        let mut d = [M31::ZERO; 8];
        for (o, &v) in d.iter_mut().zip(&self.a_root) {
            *o = M31::new_checked(v).ok_or_else(|| bad("a_root value"))?;
        }
        Ok(d)
    }

    /// `log2` of the padded size.
    fn log_n(&self) -> usize {
        log2_ceil(self.n)
    }
}

/// `A` with its commitment, ready to prove products.
#[derive(Clone, Debug)]
pub struct CommittedMatrix {
    /// `A`, row-major.
    pub a: Vec<i8>,
    /// The public commitment.
    pub commitment: MatmulCommitment,
    committed: Committed,
}

impl CommittedMatrix {
    /// Commits to the `n × n` int8 matrix `a` (row-major), as the polynomial whose first
    /// `log n` variables pick the row (rows padded to a power of two).
    ///
    /// # Errors
    /// [`MlError::InvalidInput`] for a wrong length or `n` out of range; commitment errors.
    pub fn new(n: usize, a: Vec<i8>, params: PcsParams) -> Result<Self, MlError> {
        Self::new_on::<CpuBackend>(n, a, params)
    }

    /// [`CommittedMatrix::new`] with `A` encoded and hashed on backend `B`
    /// ([`pcs::commit_on`]); the same commitment on every backend.
    ///
    /// # Errors
    /// As [`CommittedMatrix::new`]; backend failures as [`MlError::Device`].
    pub fn new_on<B: MlBackend>(n: usize, a: Vec<i8>, params: PcsParams) -> Result<Self, MlError> {
        if n == 0 || n > MAX_N || a.len() != n * n {
            return Err(MlError::InvalidInput {
                reason: format!("{} values for a {n} × {n} matrix (n ≤ {MAX_N})", a.len()),
            });
        }
        let log_n = log2_ceil(n);
        let np = 1usize << log_n;
        let mut values = vec![M31::ZERO; (n - 1) * np + n];
        values.par_chunks_mut(np).zip(a.par_chunks(n)).for_each(|(row, src)| {
            for (v, &x) in row.iter_mut().zip(src) {
                *v = fe(i64::from(x));
            }
        });
        let committed = pcs::commit_on::<B>(values, 2 * log_n, &params)?;
        let commitment = MatmulCommitment {
            n,
            a_root: committed.root().iter().map(M31::as_canonical_u32).collect(),
            pcs: params,
        };
        Ok(Self { a, commitment, committed })
    }
}

/// Rows of `A` and columns of `B` per register tile of [`product`].
const MR: usize = 4;
/// See [`MR`].
const NR: usize = 4;
/// The fixed-length inner dot product: 64 `i8 × i8 → i32` products, which LLVM turns into
/// `vpmaddwd` (AVX2) or `vpdpwssd` (AVX-512 VNNI) lanes inside [`with_cpu_features`].
const KC: usize = 64;
/// The `k` block: `MR + NR` rows of 1 KiB stay in L1 while a tile runs.
const KB: usize = 1024;
/// The `j` block: `KB × JB` bytes of `Bᵀ` (128 KiB) stay in L2 while a row block runs over it.
const JB: usize = 128;
/// Rows of `C` per parallel task.
const IB: usize = 32;

/// `Σ_k x_k·y_k` over one [`KC`] chunk. Wrapping arithmetic: exact while the total stays in
/// `i32` (always, for `|x|, |y| ≤ 128` and at most `2^17` products), and free of the overflow
/// checks that would stop vectorisation in debug-assertion builds.
#[inline(always)]
fn dot_chunk(x: &[i8; KC], y: &[i8; KC]) -> i32 {
    let mut s = 0i32;
    for k in 0..KC {
        s = s.wrapping_add(i32::from(x[k]).wrapping_mul(i32::from(y[k])));
    }
    s
}

/// The `M × N` dot products of `M` rows of `A` with `N` rows of `Bᵀ` (all of one length).
#[inline(always)]
fn tile<const M: usize, const N: usize>(a: [&[i8]; M], b: [&[i8]; N]) -> [[i32; N]; M] {
    let ac = a.map(|r| r.as_chunks::<KC>());
    let bc = b.map(|r| r.as_chunks::<KC>());
    let mut acc = [[0i32; N]; M];
    let n_chunks = ac.iter().chain(&bc).map(|c| c.0.len()).min().unwrap_or(0);
    for c in 0..n_chunks {
        for (acc_i, ai) in acc.iter_mut().zip(&ac) {
            for (o, bj) in acc_i.iter_mut().zip(&bc) {
                *o = o.wrapping_add(dot_chunk(&ai.0[c], &bj.0[c]));
            }
        }
    }
    for (acc_i, ai) in acc.iter_mut().zip(&ac) {
        for (o, bj) in acc_i.iter_mut().zip(&bc) {
            *o =
                ai.1.iter().zip(bj.1).fold(*o, |s, (&x, &y)| {
                    s.wrapping_add(i32::from(x).wrapping_mul(i32::from(y)))
                });
        }
    }
    acc
}

/// A register tile of dot products of rows of `A` (elements [`Tile::A`]) with rows of `Bᵀ`.
trait Tile {
    /// `A`'s element type.
    type A: Copy + Sync;
    /// The `M × N` dot products (all rows of one length).
    fn tile<const M: usize, const N: usize>(a: [&[Self::A]; M], b: [&[i8]; N]) -> [[i32; N]; M];
}

/// `A` as signed bytes: AVX2 tiles ([`zkprove_field::int8::dot_tile_i8_i8`]) where the CPU
/// level allows, else [`tile`] (auto-vectorised fixed-length chunks).
struct SignedTile;

impl Tile for SignedTile {
    type A = i8;
    #[inline(always)]
    fn tile<const M: usize, const N: usize>(a: [&[i8]; M], b: [&[i8]; N]) -> [[i32; N]; M] {
        int8::dot_tile_i8_i8(a, b).unwrap_or_else(|| tile(a, b))
    }
}

/// `A + 128` as unsigned bytes, through AVX-512 VNNI's `vpdpbusd`
/// ([`zkprove_field::int8::dot_tile_u8_i8`]); the caller subtracts `128·Σ_k Bᵀ[j][k]`.
struct OffsetTile;

impl Tile for OffsetTile {
    type A = u8;
    #[inline(always)]
    fn tile<const M: usize, const N: usize>(a: [&[u8]; M], b: [&[i8]; N]) -> [[i32; N]; M] {
        int8::dot_tile_u8_i8(a, b).unwrap_or_else(|| int8::dot_tile_plain(a, b))
    }
}

/// Adds `A[rows]·Bᵀ[cols]ᵀ` restricted to `ks` into the `rows` of `c` (`c` holds exactly
/// those rows), in register tiles of `M × N`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn add_block<T: Tile, const M: usize, const N: usize>(
    c: &mut [i32],
    c_row0: usize,
    n: usize,
    a: &[T::A],
    bt: &[i8],
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
    ks: std::ops::Range<usize>,
) {
    for i in rows.step_by(M) {
        let ar: [&[T::A]; M] =
            std::array::from_fn(|p| &a[(i + p) * n + ks.start..(i + p) * n + ks.end]);
        for j in cols.clone().step_by(N) {
            let br: [&[i8]; N] =
                std::array::from_fn(|q| &bt[(j + q) * n + ks.start..(j + q) * n + ks.end]);
            let r = T::tile::<M, N>(ar, br);
            for (p, rp) in r.iter().enumerate() {
                let row = &mut c[(i + p - c_row0) * n + j..(i + p - c_row0) * n + j + N];
                for (o, &v) in row.iter_mut().zip(rp) {
                    *o = o.wrapping_add(v);
                }
            }
        }
    }
}

/// `Σ_k x_k·y_k` for two int8 vectors (the shorter length), in `KC`-long chunks that
/// auto-vectorise as [`product`]'s tiles do (compiled for this CPU's vector extensions by
/// [`with_cpu_features`]). Exact (no wrap) for fewer than `2^17` products.
pub fn dot_i8(x: &[i8], y: &[i8]) -> i32 {
    let mut out = [0i32];
    with_cpu_features(MatVec { out: &mut out, w: x, n_in: x.len().min(y.len()), a: y });
    out[0]
}

/// Rows of `W` per parallel task of [`matvec_i8`].
const MV_ROWS: usize = 16;

/// `out[r] = W[r]·a` for the rows of `w` (each `n_in` long), as a [`CpuKernel`].
struct MatVec<'a> {
    out: &'a mut [i32],
    w: &'a [i8],
    n_in: usize,
    a: &'a [i8],
}

impl CpuKernel for MatVec<'_> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        let a = &self.a[..self.n_in.min(self.a.len())];
        for (o, row) in self.out.iter_mut().zip(self.w.chunks(self.n_in.max(1))) {
            let k = row.len().min(a.len());
            *o = SignedTile::tile::<1, 1>([&row[..k]], [&a[..k]])[0][0];
        }
    }
}

/// `W·a` for the row-major `n_out × n_in` int8 matrix `w` and an int8 vector `a` (length
/// `n_in`), in parallel over blocks of rows: the int8 matrix–vector product of a dense layer.
/// Exact for `n_in < 2^17`.
pub fn matvec_i8(w: &[i8], n_in: usize, a: &[i8]) -> Vec<i32> {
    if n_in == 0 {
        return Vec::new();
    }
    let mut out = vec![0i32; w.len().div_ceil(n_in)];
    out.par_chunks_mut(MV_ROWS).zip(w.par_chunks(n_in * MV_ROWS)).for_each(|(o, wb)| {
        with_cpu_features(MatVec { out: o, w: wb, n_in, a });
    });
    out
}

/// One parallel task of [`product`]: the rows `i0..` of `C` held in `c` (a whole number of
/// rows), as a [`CpuKernel`].
struct RowBlock<'a, T: Tile> {
    c: &'a mut [i32],
    i0: usize,
    n: usize,
    a: &'a [T::A],
    bt: &'a [i8],
}

impl<T: Tile> CpuKernel for RowBlock<'_, T> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        let RowBlock { c, i0, n, a, bt } = self;
        let i1 = i0 + c.len() / n;
        let i_main = i0 + (i1 - i0) / MR * MR;
        for k0 in (0..n).step_by(KB) {
            let ks = k0..(k0 + KB).min(n);
            for j0 in (0..n).step_by(JB) {
                let j1 = (j0 + JB).min(n);
                let j_main = j0 + (j1 - j0) / NR * NR;
                add_block::<T, MR, NR>(c, i0, n, a, bt, i0..i_main, j0..j_main, ks.clone());
                add_block::<T, MR, 1>(c, i0, n, a, bt, i0..i_main, j_main..j1, ks.clone());
                add_block::<T, 1, NR>(c, i0, n, a, bt, i_main..i1, j0..j_main, ks.clone());
                add_block::<T, 1, 1>(c, i0, n, a, bt, i_main..i1, j_main..j1, ks.clone());
            }
        }
    }
}

/// The integer product `A·B` of two `n × n` int8 matrices (row-major): an int8 GEMM with `i32`
/// accumulators. `B` is transposed once, then `C` is computed in parallel over blocks of
/// `IB` rows; within a block, over `KB`-long slices of `k` and `JB`-wide column blocks
/// (cache tiling), in `4 × 4` register tiles of dot products whose fixed-length inner loop
/// auto-vectorises; each task runs through [`with_cpu_features`], so a baseline build uses
/// AVX-512 or AVX2 where the CPU has them. Without VNNI the tiles are AVX2 `vpmaddwd` kernels
/// ([`zkprove_field::int8::dot_tile_i8_i8`]) from level AVX2 up. With AVX-512 VNNI the tiles are `vpdpbusd` kernels
/// ([`zkprove_field::int8::dot_tile_u8_i8`]) on `A + 128` as unsigned bytes, and `128·Σ_k B[k][j]`
/// is subtracted from each column at the end. Exact for `n ≤ 2^17` (every sum is at most
/// `n·2^14 < 2^31` in absolute value).
///
/// # Panics
/// Never; slices shorter than `n²` are read as far as they go (by the plain loop).
pub fn product(n: usize, a: &[i8], b: &[i8]) -> Vec<i32> {
    if n == 0 || a.len() < n * n || b.len() < n * n {
        return product_plain(n, a, b);
    }
    let mut bt = vec![0i8; n * n];
    bt.par_chunks_mut(JB * n).enumerate().for_each(|(jc, block)| {
        let j0 = jc * JB;
        let width = block.len() / n;
        for k in 0..n {
            for (jj, &v) in b[k * n + j0..k * n + j0 + width].iter().enumerate() {
                block[jj * n + k] = v;
            }
        }
    });
    let mut c = vec![0i32; n * n];
    if int8::has_dot_tile() {
        // `Σ_k a_k·b_k = Σ_k (a_k + 128)·b_k − 128·Σ_k b_k`: unsigned × signed bytes for VNNI.
        let au: Vec<u8> = a[..n * n].par_iter().map(|&x| (x as u8) ^ 0x80).collect();
        let colsum: Vec<i32> =
            bt.par_chunks(n).map(|r| r.iter().map(|&x| i32::from(x)).sum::<i32>() << 7).collect();
        c.par_chunks_mut(IB * n).enumerate().for_each(|(ic, cblock)| {
            with_cpu_features(RowBlock::<OffsetTile> {
                c: cblock,
                i0: ic * IB,
                n,
                a: &au,
                bt: &bt,
            });
            for row in cblock.chunks_mut(n) {
                for (o, &s) in row.iter_mut().zip(&colsum) {
                    *o = o.wrapping_sub(s);
                }
            }
        });
    } else {
        c.par_chunks_mut(IB * n).enumerate().for_each(|(ic, cblock)| {
            with_cpu_features(RowBlock::<SignedTile> { c: cblock, i0: ic * IB, n, a, bt: &bt });
        });
    }
    c
}

/// The plain triple loop (the oracle for [`product`], and its path for short slices): in
/// parallel over rows of `A`, reading the slices as far as they go.
fn product_plain(n: usize, a: &[i8], b: &[i8]) -> Vec<i32> {
    let mut c = vec![0i32; n * n];
    c.par_chunks_mut(n.max(1)).zip(a.par_chunks(n.max(1))).for_each(|(crow, arow)| {
        for (k, &av) in arow.iter().enumerate() {
            let brow = b.get(k * n..(k + 1) * n).unwrap_or(&[]);
            for (cv, &bv) in crow.iter_mut().zip(brow) {
                *cv = cv.wrapping_add(i32::from(av).wrapping_mul(i32::from(bv)));
            }
        }
    });
    c
}

/// A proof of `C = A·B`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatmulProof {
    /// The sumcheck's round polynomials, then `Ã(r₁, κ)`.
    pub messages: Vec<QM31>,
    /// The opening of `A` at `(r₁, κ)`.
    pub opening: Opening,
}

const MAGIC: &[u8; 4] = b"ZKMN";

impl MatmulProof {
    /// The proof as bytes: magic, the message count and messages (QM31 values as 4 little-endian
    /// u32 words), the opening (its counts as u32 words, its field elements packed in 31 bits).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, self.messages.len() as u32);
        self.messages.iter().for_each(|v| put_ext(&mut out, v));
        put_opening(&mut out, &self.opening);
        out
    }

    /// Parses [`MatmulProof::to_bytes`]'s output.
    ///
    /// # Errors
    /// [`MlError::MalformedProof`].
    pub fn from_bytes(b: &[u8]) -> Result<Self, MlError> {
        if b.get(..4) != Some(MAGIC.as_slice()) {
            return Err(MlError::MalformedProof { reason: "not a matmul proof (magic)".into() });
        }
        let mut r = Bytes { b, pos: 4 };
        let n = r.len(1 << 10)?;
        let messages = (0..n).map(|_| r.ext()).collect::<Result<_, _>>()?;
        let opening = r.opening()?;
        if r.pos != b.len() {
            return Err(MlError::MalformedProof { reason: "trailing bytes".into() });
        }
        Ok(Self { messages, opening })
    }
}

/// Rows of `B` and of `C` per SHA-256 block digest of [`statement_digest`].
const DIGEST_ROWS: usize = 64;

/// The SHA-256 digest that binds `B` and `C`: `SHA-256("zkprove-ml/matmul/B,C" ‖ n ‖ d(B₀) ‖
/// d(B₁) ‖ … ‖ d(C₀) ‖ …)` where `d(X_b)` is the SHA-256 of block `b` ([`DIGEST_ROWS`] rows) of
/// `X`'s entries as little-endian bytes (`i8` for `B`, `i32` for `C`), the blocks hashed in
/// parallel. SHA-256 (with the SHA extensions where the CPU has them) hashes these 5 bytes per
/// entry many times faster than Poseidon2 would absorb the entries as field elements, and binding
/// only needs collision resistance.
fn statement_digest(n: usize, b: &[i8], c: &[i32]) -> [u8; 32] {
    use sha2::{Digest as _, Sha256};
    let block = DIGEST_ROWS * n.max(1);
    let b_digests: Vec<[u8; 32]> = b
        .par_chunks(block)
        .map(|ch| Sha256::digest(ch.iter().map(|&v| v as u8).collect::<Vec<u8>>()).into())
        .collect();
    let c_digests: Vec<[u8; 32]> = c
        .par_chunks(block)
        .map(|ch| {
            let mut h = Sha256::new();
            for row in ch.chunks(n.max(1)) {
                let bytes: Vec<u8> = row.iter().flat_map(|v| v.to_le_bytes()).collect();
                h.update(&bytes);
            }
            h.finalize().into()
        })
        .collect();
    let mut h = Sha256::new();
    h.update(b"zkprove-ml/matmul/B,C");
    h.update((n as u64).to_le_bytes());
    for d in b_digests.iter().chain(&c_digests) {
        h.update(d);
    }
    h.finalize().into()
}

/// Absorbs the statement: `n`, the parameters, `A`'s root, and [`statement_digest`] of `B` and
/// `C` as 8 M31 values (31 bits of each 4-byte word; 248 bits, 124 against collisions).
fn observe_statement(
    t: &mut Challenger,
    com: &MatmulCommitment,
    root: &Digest,
    b: &[i8],
    c: &[i32],
) -> Result<(), MlError> {
    let n = com.n;
    t.observe(M31::from_u64(n as u64));
    t.observe(M31::from_u64(u64::from(com.pcs.log_blowup)));
    t.observe(M31::from_u64(com.pcs.n_queries as u64));
    t.observe(M31::from_u64(u64::from(com.pcs.pow_bits)));
    t.observe_digest(root);
    let d = statement_digest(n, b, c);
    for w in d.chunks_exact(4) {
        t.observe(M31::from_u64(u64::from(
            u32::from_le_bytes([w[0], w[1], w[2], w[3]]) & 0x7FFF_FFFF,
        )));
    }
    Ok(())
}

/// The four M31 coordinates of each QM31 value, as `i64` (for delayed reduction).
fn coords(v: &[QM31]) -> [Vec<i64>; 4] {
    std::array::from_fn(|c| {
        v.iter().map(|x| i64::from(x.to_m31_array()[c].as_canonical_u32())).collect()
    })
}

/// `QM31` from four exact integer coordinate sums.
fn from_coords(acc: [i64; 4]) -> QM31 {
    QM31::from_m31(fe(acc[0]), fe(acc[1]), fe(acc[2]), fe(acc[3]))
}

/// `Σ_i rows[i]·M_i` for the `n × n` row-major int8 matrix `M` (columns padded to `np`): a row
/// combination, in parallel over column ranges, with exact `i64` accumulators per coordinate
/// (each product `< 2^38`, at most `2^16` of them) reduced once per output.
fn combine_rows_i8(m: &[i8], n: usize, np: usize, rows: &[QM31]) -> Vec<QM31> {
    const CHUNK: usize = 256;
    let e = coords(rows);
    let mut out = vec![QM31::ZERO; np];
    out[..n].par_chunks_mut(CHUNK).enumerate().for_each(|(ci, o)| {
        let k0 = ci * CHUNK;
        let mut acc = [[0i64; CHUNK]; 4];
        for i in 0..n.min(rows.len()) {
            let seg = &m[i * n + k0..i * n + k0 + o.len()];
            for (c, acc_c) in acc.iter_mut().enumerate() {
                let ec = e[c][i];
                for (a, &v) in acc_c.iter_mut().zip(seg) {
                    *a += ec * i64::from(v);
                }
            }
        }
        for (k, ok) in o.iter_mut().enumerate() {
            *ok = from_coords(std::array::from_fn(|c| acc[c][k]));
        }
    });
    out
}

/// `(Σ_j M_kj·cols[j])_k` for the `n × n` row-major int8 matrix `M`, with exact `i64`
/// accumulators per coordinate, in parallel over rows.
fn combine_cols_i8(m: &[i8], n: usize, np: usize, cols: &[QM31]) -> Vec<QM31> {
    let e = coords(cols);
    let mut out = vec![QM31::ZERO; np];
    out[..n].par_iter_mut().enumerate().for_each(|(k, o)| {
        let row = &m[k * n..(k + 1) * n];
        *o = from_coords(std::array::from_fn(|c| {
            row.iter().zip(&e[c]).map(|(&v, &ec)| i64::from(v) * ec).sum()
        }));
    });
    out
}

/// `(Σ_j C_kj·cols[j])_k` for the `n × n` row-major `i32` matrix `C`: each entry taken mod `p`
/// (`< 2^31`), each product `x < 2^62` folded once to `(x mod 2^31) + ⌊x/2^31⌋ ≡ x` and summed
/// in a `u64` (exact for `n < 2^32`), reduced once per output; in parallel over rows.
fn combine_cols_i32(m: &[i32], n: usize, np: usize, cols: &[QM31]) -> Vec<QM31> {
    let p = (1i64 << 31) - 1;
    let e: [Vec<u64>; 4] = std::array::from_fn(|c| {
        cols.iter().map(|x| u64::from(x.to_m31_array()[c].as_canonical_u32())).collect()
    });
    let mut out = vec![QM31::ZERO; np];
    out[..n].par_iter_mut().enumerate().for_each(|(k, o)| {
        let row: Vec<u64> =
            m[k * n..(k + 1) * n].iter().map(|&v| i64::from(v).rem_euclid(p) as u64).collect();
        *o = from_coords(std::array::from_fn(|c| {
            let s: u64 = row
                .iter()
                .zip(&e[c])
                .map(|(&v, &ec)| {
                    let x = v * ec;
                    (x & p as u64) + (x >> 31)
                })
                .sum();
            (s % p as u64) as i64
        }));
    });
    out
}

/// `(Σ_j M_kj·cols[j])_k` for the `n × n` row-major matrix `M`, field by field (the oracle of
/// the delayed-reduction versions).
#[cfg(test)]
fn combine_cols<T: Copy + Sync>(m: &[T], n: usize, np: usize, cols: &[QM31]) -> Vec<QM31>
where
    i64: From<T>,
{
    let mut out = vec![QM31::ZERO; np];
    out[..n].par_iter_mut().enumerate().for_each(|(k, o)| {
        *o = m[k * n..(k + 1) * n].iter().zip(cols).map(|(&v, &e)| e * fe(i64::from(v))).sum();
    });
    out
}

/// Proves `C = A·B` for the committed `A`.
///
/// # Errors
/// [`MlError::InvalidInput`] for wrong lengths; internal errors.
pub fn prove_matmul(cm: &CommittedMatrix, b: &[i8], c: &[i32]) -> Result<MatmulProof, MlError> {
    prove_matmul_on::<CpuBackend>(cm, b, c)
}

/// [`prove_matmul`] on backend `B`: the sumcheck's folds and round evaluations run on the
/// backend's columns; hashing `B` and `C`, the restrictions `Ã(r₁, ·)`, `B̃(·, r₂)` and the
/// opening are host code. The proof is the same bytes on every backend.
///
/// # Errors
/// As [`prove_matmul`]; backend failures as [`MlError::Device`].
pub fn prove_matmul_on<B: MlBackend>(
    cm: &CommittedMatrix,
    b: &[i8],
    c: &[i32],
) -> Result<MatmulProof, MlError> {
    let com = &cm.commitment;
    let root = com.validate()?;
    let n = com.n;
    if b.len() != n * n || c.len() != n * n {
        return Err(MlError::InvalidInput { reason: "B and C must be n × n".into() });
    }
    let log_n = com.log_n();
    let np = 1usize << log_n;
    let mut t = new_transcript()?;
    observe_statement(&mut t, com, &root, b, c)?;
    let mut w = Writer { msgs: Vec::new(), t: &mut t };
    let r1 = w.sample(log_n);
    let r2 = w.sample(log_n);
    let (e1, e2) = (eq_table(&r1), eq_table(&r2));
    // f_k = Ã(r₁, k), g_k = B̃(k, r₂).
    let f = combine_rows_i8(&cm.a, n, np, &e1);
    let g = combine_cols_i8(b, n, np, &e2);
    let (kappa, finals) = sc_prove::<B>(&mut w, vec![f, g], vec![Term::product(vec![0, 1])])?;
    let av = finals.first().copied().ok_or_else(|| internal("sumcheck finals"))?;
    w.send(av);
    let messages = std::mem::take(&mut w.msgs);
    drop(w);
    let mut point = r1;
    point.extend_from_slice(&kappa);
    let opening = pcs::open(&cm.committed, &point, &com.pcs, &mut t)?;
    Ok(MatmulProof { messages, opening })
}

/// Verifies a proof of `C = A·B` for the `A` committed as `com`.
///
/// # Errors
/// [`MlError::Rejected`] / [`MlError::MalformedProof`] for an invalid proof;
/// [`MlError::InvalidCommitment`], [`MlError::InvalidInput`] for unusable inputs.
pub fn verify_matmul(
    com: &MatmulCommitment,
    b: &[i8],
    c: &[i32],
    proof: &MatmulProof,
) -> Result<(), MlError> {
    let root = com.validate()?;
    let n = com.n;
    if b.len() != n * n || c.len() != n * n {
        return Err(MlError::InvalidInput { reason: "B and C must be n × n".into() });
    }
    let bound = (n as u64) << 14;
    if c.iter().any(|&v| u64::from(v.unsigned_abs()) > bound) {
        return Err(MlError::InvalidInput { reason: "a value of C beyond n·2^14".into() });
    }
    let log_n = com.log_n();
    let np = 1usize << log_n;
    let mut t = new_transcript()?;
    observe_statement(&mut t, com, &root, b, c)?;
    let mut r = Reader { msgs: &proof.messages, pos: 0, t: &mut t };
    let r1 = r.sample(log_n);
    let r2 = r.sample(log_n);
    let (e1, e2) = (eq_table(&r1), eq_table(&r2));
    // C̃(r₁, r₂) = Σ_i e1_i Σ_j e2_j C_ij.
    let crow = combine_cols_i32(c, n, np, &e2);
    let claim: QM31 = crow.iter().zip(&e1).map(|(&x, &e)| x * e).sum();
    let (kappa, fin) = sc_verify(&mut r, log_n, 2, claim)?;
    let av = r.recv()?;
    if r.pos != proof.messages.len() {
        return Err(MlError::MalformedProof { reason: "trailing messages".into() });
    }
    let g = combine_cols_i8(b, n, np, &e2);
    let bv: QM31 = eq_table(&kappa).iter().zip(&g).map(|(&e, &x)| e * x).sum();
    if fin != av * bv {
        return Err(reject("matrix product"));
    }
    let mut point = r1;
    point.extend_from_slice(&kappa);
    let n_used = (n - 1) * np + n;
    pcs::verify(&root, 2 * log_n, n_used, &point, av, &proof.opening, &com.pcs, &mut t)
}

/// The soundness of a matmul proof in bits: the opening's bound and
/// `log2|QM31| − log2(4·log n + 1)` for the random point and the sumcheck.
pub fn matmul_security_bits(com: &MatmulCommitment) -> f64 {
    let log_n = com.log_n();
    let n_used = (com.n.max(1) - 1) * (1usize << log_n) + com.n;
    let field = pcs::EXT_FIELD_BITS - ((4 * log_n + 1) as f64).log2();
    field.min(com.pcs.security_bits(2 * log_n, n_used))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> i8 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*seed >> 56) as u8 as i8
    }

    /// Every vector path [`with_cpu_features`] can take on this CPU (VNNI, AVX-512, AVX2,
    /// baseline) gives the plain loop's products. Lowering the process-wide level only changes
    /// speed for the other tests of this binary (integer results are the same on every path).
    #[test]
    fn product_is_the_same_on_every_cpu_level() {
        use zkprove_field::cpu::{CpuLevel, detected_level, set_max_cpu_level};
        let mut s = 11u64;
        let n = 131;
        let a: Vec<i8> = (0..n * n).map(|_| lcg(&mut s)).collect();
        let b: Vec<i8> = (0..n * n).map(|_| lcg(&mut s)).collect();
        let want = product_plain(n, &a, &b);
        let want_mv: Vec<i32> = (0..n)
            .map(|j| (0..n).map(|k| i32::from(a[j * n + k]) * i32::from(b[k])).sum())
            .collect();
        for level in CpuLevel::ALL.into_iter().filter(|&l| l <= detected_level()) {
            set_max_cpu_level(level);
            assert_eq!(product(n, &a, &b), want, "{level}");
            assert_eq!(matvec_i8(&a, n, &b[..n]), want_mv, "{level}");
        }
        set_max_cpu_level(CpuLevel::Ifma);
    }

    #[test]
    fn product_matches_naive() {
        let mut s = 3u64;
        // Sizes around the tile (4), chunk (64) and block (128) edges, random and extreme values.
        for n in [1usize, 2, 3, 5, 63, 64, 67, 130, 200] {
            for fill in 0..3 {
                let mut val = |k: usize| match fill {
                    0 => lcg(&mut s),
                    1 => -128,
                    _ => [-128i8, 127][k % 2],
                };
                let a: Vec<i8> = (0..n * n).map(&mut val).collect();
                let b: Vec<i8> =
                    (0..n * n).map(|k| if fill == 2 { -128 } else { val(k) }).collect();
                let c = product(n, &a, &b);
                assert_eq!(c, product_plain(n, &a, &b), "n = {n}, fill {fill}");
                for i in (0..n).step_by(n.div_ceil(7)) {
                    for j in 0..n {
                        let want: i32 =
                            (0..n).map(|k| i32::from(a[i * n + k]) * i32::from(b[k * n + j])).sum();
                        assert_eq!(c[i * n + j], want);
                    }
                }
            }
        }
        // The largest value: A = B = −128 everywhere, n = 1100 (> KB): n·2^14 per entry.
        let n = 1100;
        let m = vec![-128i8; n * n];
        assert!(product(n, &m, &m).iter().all(|&v| v == (n as i32) << 14));
        // The delayed-reduction row/column combinations against the field-by-field ones.
        for n in [1usize, 5, 300] {
            let m: Vec<i8> =
                (0..n * n).map(|k| if k % 3 == 0 { -128 } else { lcg(&mut s) }).collect();
            let np = n.next_power_of_two();
            let pt: Vec<QM31> = (0..log2_ceil(n))
                .map(|i| QM31::from_m31(fe(3 + i as i64), fe(-5), fe(7 * i as i64), fe(-1)))
                .collect();
            let e = eq_table(&pt);
            let rows: Vec<QM31> = (0..np)
                .map(|k| (0..n).map(|i| e[i] * fe(i64::from(m[i * n + k.min(n - 1)]))).sum())
                .collect();
            let got = combine_rows_i8(&m, n, np, &e);
            assert_eq!(got[..n], rows[..n]);
            assert!(got[n..].iter().all(|v| v.is_zero()));
            assert_eq!(combine_cols_i8(&m, n, np, &e), combine_cols(&m, n, np, &e));
            let c: Vec<i32> = (0..n * n)
                .map(|k| match k % 4 {
                    0 => 1 << 30,
                    1 => -(1 << 30),
                    _ => i32::from(m[k]) * 40_000,
                })
                .collect();
            assert_eq!(combine_cols_i32(&c, n, np, &e), combine_cols(&c, n, np, &e));
        }
        assert_eq!(product(2, &[1, 2, 3], &[1; 4]), product_plain(2, &[1, 2, 3], &[1; 4]));
        // Dot products and matrix–vector products, lengths around the chunk, extremes.
        for len in [0usize, 1, 63, 64, 65, 200, 1000] {
            let x: Vec<i8> = (0..len).map(|_| lcg(&mut s)).collect();
            let y: Vec<i8> = (0..len).map(|_| lcg(&mut s)).collect();
            let want: i32 = x.iter().zip(&y).map(|(&p, &q)| i32::from(p) * i32::from(q)).sum();
            assert_eq!(dot_i8(&x, &y), want);
            assert_eq!(dot_i8(&x, &y[..len / 2]), dot_i8(&x[..len / 2], &y));
            let m = vec![-128i8; len];
            assert_eq!(dot_i8(&m, &m), (len as i32) << 14);
            let w: Vec<i8> = (0..3 * len).map(|_| lcg(&mut s)).collect();
            let got = matvec_i8(&w, len, &x);
            let want: Vec<i32> = (0..if len == 0 { 0 } else { 3 })
                .map(|j| (0..len).map(|k| i32::from(w[j * len + k]) * i32::from(x[k])).sum())
                .collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn prove_verify_and_tamper() {
        let params = PcsParams::default();
        let mut s = 11u64;
        for n in [1usize, 3, 16, 37] {
            let a: Vec<i8> = (0..n * n).map(|_| lcg(&mut s)).collect();
            let b: Vec<i8> = (0..n * n).map(|_| lcg(&mut s)).collect();
            let c = product(n, &a, &b);
            let cm = CommittedMatrix::new(n, a.clone(), params).unwrap();
            let proof = prove_matmul(&cm, &b, &c).unwrap();
            let back = MatmulProof::from_bytes(&proof.to_bytes()).unwrap();
            assert_eq!(back, proof);
            verify_matmul(&cm.commitment, &b, &c, &proof).unwrap();
            assert!(matmul_security_bits(&cm.commitment) >= 100.0);
            // Changed output, input, other weights, commitment root.
            let mut c2 = c.clone();
            c2[n * n / 2] += 1;
            assert!(verify_matmul(&cm.commitment, &b, &c2, &proof).unwrap_err().is_rejection());
            let mut b2 = b.clone();
            b2[n * n - 1] = b2[n * n - 1].wrapping_add(1);
            assert!(verify_matmul(&cm.commitment, &b2, &c, &proof).unwrap_err().is_rejection());
            let mut a2 = a.clone();
            a2[0] = a2[0].wrapping_add(1);
            let cm2 = CommittedMatrix::new(n, a2.clone(), params).unwrap();
            let c3 = product(n, &a2, &b);
            let p2 = prove_matmul(&cm2, &b, &c3).unwrap();
            assert!(verify_matmul(&cm.commitment, &b, &c3, &p2).unwrap_err().is_rejection());
            let mut com = cm.commitment.clone();
            com.a_root[0] ^= 1;
            assert!(verify_matmul(&com, &b, &c, &proof).unwrap_err().is_rejection());
            // Every 7th byte of the proof, one bit.
            let bytes = proof.to_bytes();
            for pos in (0..bytes.len()).step_by(7.max(bytes.len() / 200)) {
                let mut bb = bytes.clone();
                bb[pos] ^= 1;
                if let Ok(p) = MatmulProof::from_bytes(&bb) {
                    let err = verify_matmul(&cm.commitment, &b, &c, &p).expect_err("flip");
                    assert!(err.is_rejection(), "{pos}: {err}");
                }
            }
        }
        // C out of range is a bad input, not a proof failure.
        let cm = CommittedMatrix::new(2, vec![1; 4], params).unwrap();
        let proof = prove_matmul(&cm, &[1; 4], &[2; 4]).unwrap();
        assert!(matches!(
            verify_matmul(&cm.commitment, &[1; 4], &[1 << 20; 4], &proof),
            Err(MlError::InvalidInput { .. })
        ));
    }
}
