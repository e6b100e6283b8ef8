//! Merkle trees over the rows of a matrix of field elements.
//!
//! A leaf is the hash of one row ([`MerkleHash::hash_row`]); an inner node is the 2-to-1
//! compression of its children ([`MerkleHash::compress`]). Layers are built bottom-up, each layer
//! in parallel, through a backend's [`MerkleOps`] (the CPU backend packs a packing's width of rows —
//! `Field::with_packing`, a run-time choice for BabyBear/KoalaBear — or node pairs per Poseidon2
//! call and spreads chunks over Rayon threads).
//!
//! [`Poseidon2Merkle`]: leaves by an overwrite sponge of rate `RATE` (no padding) whose last
//! capacity cell starts at [`leaf_tag`]`(row_len) = row_len + 1`, nodes by
//! `permute(left ‖ right ‖ 0…)[..OUT]` (Plonky3's `TruncatedPermutation`).
//!
//! **Domain separation.** The tag separates leaves from inner nodes — without it a row of
//! `2·OUT ≤ RATE` elements hashes exactly like the compression of two digests (Goldilocks
//! `<12, 8, 4>`: `P(row ‖ 0)[..4] = compress(row[..4], row[4..])`), so two child digests could be
//! opened as a "row" one level up — and binds the row length (a row and the same row with
//! trailing zeros no longer hash alike). Where `2·OUT = WIDTH` (BabyBear/M31 `<16, 8, 8>`), a
//! short row's leaf equals a compression only with a right child ending in the tag, i.e. a
//! preimage. This departs from Plonky3's `PaddingFreeSponge` leaves (zero initial state), so
//! roots differ from `p3-merkle-tree`'s; the tests build the same tree from Plonky3's
//! permutation.
//!
//! **Height.** [`MerkleTree::verify`] takes the tree's height from the caller (who knows the
//! committed size), never from the path: a path of another length is refused.

use core::fmt::Debug;

use rayon::prelude::*;
use zkprove_field::{Field, PackedField, PackedKernel};
use zkprove_poly::{Backend, CpuBackend};

use crate::{HashError, Poseidon2};

/// Errors from building Merkle trees and checking openings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    /// A tree with no rows.
    #[error("a Merkle tree needs at least one row")]
    Empty,
    /// A row count that is not a power of two.
    #[error("row count {n_rows} is not a power of two")]
    NotPowerOfTwo {
        /// The number of rows given.
        n_rows: usize,
    },
    /// A flat buffer whose length is not a multiple of the row length (or a zero row length).
    #[error("{len} elements do not split into rows of {row_len}")]
    RaggedRows {
        /// Length of the flat buffer.
        len: usize,
        /// The row length given.
        row_len: usize,
    },
    /// An index beyond the last leaf.
    #[error("leaf index {index} out of range for {n_leaves} leaves")]
    IndexOutOfRange {
        /// The index asked for.
        index: usize,
        /// The number of leaves.
        n_leaves: usize,
    },
    /// An authentication path of another length than the tree's height.
    #[error("Merkle path has {got} siblings, the tree's height is {expected}")]
    WrongHeight {
        /// The height of the committed tree.
        expected: usize,
        /// The siblings in the path.
        got: usize,
    },
    /// The recomputed root differs from the committed one.
    #[error("Merkle path does not lead to the committed root")]
    RootMismatch,
    /// A backend computes only its own instance of the hash (a GPU's Poseidon2 programs hold the
    /// standard round constants), and the hasher given is another.
    #[error("the backend computes only the standard instance of this hash")]
    NonStandardHash,
    /// A backend (GPU) operation failed.
    #[error(transparent)]
    Device(#[from] zkprove_poly::DeviceError),
}

/// A leaf hash plus a 2-to-1 compression: what a Merkle tree needs from its hash.
pub trait MerkleHash: Clone + Send + Sync {
    /// The field of the rows.
    type F: Field;
    /// A node value.
    type Digest: Copy + Eq + Debug + Default + Send + Sync + 'static;

    /// The leaf of one row.
    fn hash_row(&self, row: &[Self::F]) -> Self::Digest;

    /// The parent of two nodes.
    fn compress(&self, left: &Self::Digest, right: &Self::Digest) -> Self::Digest;

    /// `out[i] = hash_row(rows[i·row_len .. (i+1)·row_len])`; override to vectorise.
    fn hash_rows(&self, rows: &[Self::F], row_len: usize, out: &mut [Self::Digest]) {
        for (o, row) in out.iter_mut().zip(rows.chunks_exact(row_len)) {
            *o = self.hash_row(row);
        }
    }

    /// `out[i] = compress(children[2i], children[2i+1])`; override to vectorise.
    fn compress_pairs(&self, children: &[Self::Digest], out: &mut [Self::Digest]) {
        for (o, pair) in out.iter_mut().zip(children.chunks_exact(2)) {
            *o = self.compress(&pair[0], &pair[1]);
        }
    }
}

/// The Merkle operations a backend provides (implemented for [`CpuBackend`] here, for GPU
/// backends in the GPU crate). Fallible, so that a device failure is an error the caller can
/// handle (the CPU backend never fails).
pub trait MerkleOps<H: MerkleHash>: Backend {
    /// The leaf layer: one digest per row of the row-major `rows` (`row_len` elements per row).
    ///
    /// # Errors
    /// [`MerkleError::Device`] when a backend operation fails.
    fn hash_leaves(
        hasher: &H,
        rows: &Self::Column<H::F>,
        row_len: usize,
    ) -> Result<Self::Column<H::Digest>, MerkleError>;

    /// The next layer up: one digest per pair of consecutive nodes (`layer` has even length).
    ///
    /// # Errors
    /// [`MerkleError::Device`] when a backend operation fails.
    fn compress_layer(
        hasher: &H,
        layer: &Self::Column<H::Digest>,
    ) -> Result<Self::Column<H::Digest>, MerkleError>;
}

/// Rows (or node pairs) per Rayon task: enough to amortise scheduling.
const PAR_CHUNK: usize = 256;

impl<H: MerkleHash> MerkleOps<H> for CpuBackend {
    fn hash_leaves(
        hasher: &H,
        rows: &Vec<H::F>,
        row_len: usize,
    ) -> Result<Vec<H::Digest>, MerkleError> {
        if row_len == 0 {
            return Ok(Vec::new());
        }
        let n = rows.len() / row_len;
        let mut out = vec![H::Digest::default(); n];
        out.par_chunks_mut(PAR_CHUNK)
            .zip(rows.par_chunks(PAR_CHUNK * row_len))
            .for_each(|(o, r)| hasher.hash_rows(r, row_len, o));
        Ok(out)
    }

    fn compress_layer(hasher: &H, layer: &Vec<H::Digest>) -> Result<Vec<H::Digest>, MerkleError> {
        let mut out = vec![H::Digest::default(); layer.len() / 2];
        out.par_chunks_mut(PAR_CHUNK)
            .zip(layer.par_chunks(2 * PAR_CHUNK))
            .for_each(|(o, c)| hasher.compress_pairs(c, o));
        Ok(out)
    }
}

/// A Merkle hash over Poseidon2: leaves by an overwrite sponge of rate `RATE` (no padding, last
/// capacity cell starting at [`leaf_tag`]) taking the first `OUT` cells, nodes by
/// `permute(left ‖ right ‖ 0…)[..OUT]`.
#[derive(Clone, Debug)]
pub struct Poseidon2Merkle<F: Field, const WIDTH: usize, const RATE: usize, const OUT: usize> {
    perm: Poseidon2<F, WIDTH>,
}

/// The initial value of a leaf sponge's last capacity cell: `row_len + 1` (never 0, the value
/// an inner node's compression has there when `WIDTH > 2·OUT`).
pub fn leaf_tag<F: Field>(row_len: usize) -> F {
    F::from_u64(row_len as u64 + 1)
}

impl<F: Field, const WIDTH: usize, const RATE: usize, const OUT: usize>
    Poseidon2Merkle<F, WIDTH, RATE, OUT>
{
    /// Wraps a permutation.
    ///
    /// # Errors
    /// [`HashError::UnsupportedWidth`] unless `0 < RATE < WIDTH` (a capacity cell holds the leaf
    /// tag) and `0 < 2·OUT ≤ WIDTH`.
    pub fn new(perm: Poseidon2<F, WIDTH>) -> Result<Self, HashError> {
        if RATE == 0 || RATE >= WIDTH || OUT == 0 || 2 * OUT > WIDTH {
            return Err(HashError::UnsupportedWidth { width: WIDTH });
        }
        Ok(Self { perm })
    }

    /// The permutation.
    pub fn permutation(&self) -> &Poseidon2<F, WIDTH> {
        &self.perm
    }

    /// Absorbs `row_len` elements per lane, `get(lane, i)` giving element `i` of lane `lane`,
    /// from the state that is zero but for the [`leaf_tag`] in its last cell.
    #[inline(always)]
    fn sponge_packed<P: PackedField<Scalar = F>>(
        &self,
        row_len: usize,
        get: impl Fn(usize, usize) -> F,
    ) -> [P; WIDTH] {
        let mut state = [P::default(); WIDTH];
        state[WIDTH - 1] = P::broadcast(leaf_tag::<F>(row_len));
        let mut start = 0;
        while start < row_len {
            let take = RATE.min(row_len - start);
            for i in 0..take {
                state[i] = P::from_fn(|lane| get(lane, start + i));
            }
            self.perm.permute_packed_inlined(&mut state);
            start += take;
        }
        state
    }
}

impl<F: Field, const WIDTH: usize, const RATE: usize, const OUT: usize> MerkleHash
    for Poseidon2Merkle<F, WIDTH, RATE, OUT>
where
    [F; OUT]: Default,
{
    type F = F;
    type Digest = [F; OUT];

    fn hash_row(&self, row: &[F]) -> [F; OUT] {
        let state = self.sponge_packed::<F>(row.len(), |_, i| row[i]);
        core::array::from_fn(|i| state[i])
    }

    fn compress(&self, left: &[F; OUT], right: &[F; OUT]) -> [F; OUT] {
        let mut state = [F::ZERO; WIDTH];
        state[..OUT].copy_from_slice(left);
        state[OUT..2 * OUT].copy_from_slice(right);
        self.perm.permute_mut(&mut state);
        core::array::from_fn(|i| state[i])
    }

    /// [`F::with_packing`](Field::with_packing) lanes at a time (a run-time choice for BabyBear
    /// and KoalaBear), the remainder one by one.
    fn hash_rows(&self, rows: &[F], row_len: usize, out: &mut [[F; OUT]]) {
        F::with_packing(HashRows { merkle: self, rows, row_len, out });
    }

    /// As [`MerkleHash::hash_rows`]: packed, the packing chosen by
    /// [`F::with_packing`](Field::with_packing).
    fn compress_pairs(&self, children: &[[F; OUT]], out: &mut [[F; OUT]]) {
        F::with_packing(CompressPairs { merkle: self, children, out });
    }
}

/// [`MerkleHash::hash_rows`] of [`Poseidon2Merkle`] as a [`PackedKernel`] (everything down to the
/// packed arithmetic inlined, for a run-time-chosen packing's `#[target_feature]` entry point).
struct HashRows<'a, F: Field, const WIDTH: usize, const RATE: usize, const OUT: usize> {
    merkle: &'a Poseidon2Merkle<F, WIDTH, RATE, OUT>,
    rows: &'a [F],
    row_len: usize,
    out: &'a mut [[F; OUT]],
}

impl<F: Field, const WIDTH: usize, const RATE: usize, const OUT: usize> PackedKernel<F>
    for HashRows<'_, F, WIDTH, RATE, OUT>
{
    type Output = ();

    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) {
        let Self { merkle, rows, row_len, out } = self;
        let lanes = P::WIDTH;
        let mut groups = out.chunks_exact_mut(lanes);
        let mut base = 0;
        for group in &mut groups {
            let state =
                merkle.sponge_packed::<P>(row_len, |lane, i| rows[(base + lane) * row_len + i]);
            for (lane, o) in group.iter_mut().enumerate() {
                *o = core::array::from_fn(|i| state[i].as_slice()[lane]);
            }
            base += lanes;
        }
        for (k, o) in groups.into_remainder().iter_mut().enumerate() {
            let r = base + k;
            let state = merkle.sponge_packed::<F>(row_len, |_, i| rows[r * row_len + i]);
            *o = core::array::from_fn(|i| state[i]);
        }
    }
}

/// [`MerkleHash::compress_pairs`] of [`Poseidon2Merkle`] as a [`PackedKernel`].
struct CompressPairs<'a, F: Field, const WIDTH: usize, const RATE: usize, const OUT: usize> {
    merkle: &'a Poseidon2Merkle<F, WIDTH, RATE, OUT>,
    children: &'a [[F; OUT]],
    out: &'a mut [[F; OUT]],
}

impl<F: Field, const WIDTH: usize, const RATE: usize, const OUT: usize> PackedKernel<F>
    for CompressPairs<'_, F, WIDTH, RATE, OUT>
{
    type Output = ();

    #[inline(always)]
    fn run<P: PackedField<Scalar = F>>(self) {
        let Self { merkle, children, out } = self;
        let lanes = P::WIDTH;
        let mut groups = out.chunks_exact_mut(lanes);
        let mut base = 0;
        for group in &mut groups {
            let mut state = [P::default(); WIDTH];
            for i in 0..OUT {
                state[i] = P::from_fn(|lane| children[2 * (base + lane)][i]);
                state[OUT + i] = P::from_fn(|lane| children[2 * (base + lane) + 1][i]);
            }
            merkle.perm.permute_packed_inlined(&mut state);
            for (lane, o) in group.iter_mut().enumerate() {
                *o = core::array::from_fn(|i| state[i].as_slice()[lane]);
            }
            base += lanes;
        }
        for (k, o) in groups.into_remainder().iter_mut().enumerate() {
            let p = base + k;
            let mut state = [F::ZERO; WIDTH];
            state[..OUT].copy_from_slice(&children[2 * p]);
            state[OUT..2 * OUT].copy_from_slice(&children[2 * p + 1]);
            merkle.perm.permute_packed_inlined(&mut state);
            *o = core::array::from_fn(|i| state[i]);
        }
    }
}

/// The sibling digests from a leaf up to (not including) the root, bottom first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerklePath<D> {
    /// `siblings[k]` is the sibling at height `k` (0 = leaves).
    pub siblings: Vec<D>,
}

/// An opened row and its authentication path.
pub type MerkleOpening<H> = (Vec<<H as MerkleHash>::F>, MerklePath<<H as MerkleHash>::Digest>);

/// A Merkle tree over `2^k` rows of equal length, kept whole so that any row can be opened.
#[derive(Clone, Debug)]
pub struct MerkleTree<H: MerkleHash> {
    hasher: H,
    rows: Vec<H::F>,
    row_len: usize,
    /// `layers[0]` are the leaves, the last layer is `[root]`.
    layers: Vec<Vec<H::Digest>>,
}

impl<H: MerkleHash> MerkleTree<H> {
    /// Commits to the rows of a row-major matrix (`row_len` elements per row) on the CPU backend.
    ///
    /// # Errors
    /// [`MerkleError::RaggedRows`] when `row_len` is zero or does not divide `rows.len()`;
    /// [`MerkleError::Empty`] for no rows; [`MerkleError::NotPowerOfTwo`] unless the row count is
    /// a power of two.
    pub fn commit(hasher: H, rows: Vec<H::F>, row_len: usize) -> Result<Self, MerkleError> {
        if row_len == 0 || !rows.len().is_multiple_of(row_len) {
            return Err(MerkleError::RaggedRows { len: rows.len(), row_len });
        }
        let n_rows = rows.len() / row_len;
        if n_rows == 0 {
            return Err(MerkleError::Empty);
        }
        if !n_rows.is_power_of_two() {
            return Err(MerkleError::NotPowerOfTwo { n_rows });
        }
        let mut layers = vec![<CpuBackend as MerkleOps<H>>::hash_leaves(&hasher, &rows, row_len)?];
        while let Some(last) = layers.last()
            && last.len() > 1
        {
            let next = <CpuBackend as MerkleOps<H>>::compress_layer(&hasher, last)?;
            layers.push(next);
        }
        Ok(Self { hasher, rows, row_len, layers })
    }

    /// The root.
    pub fn root(&self) -> H::Digest {
        self.layers.last().and_then(|l| l.first()).copied().unwrap_or_default()
    }

    /// The number of rows (leaves).
    pub fn n_leaves(&self) -> usize {
        self.layers.first().map_or(0, Vec::len)
    }

    /// The row length.
    pub fn row_len(&self) -> usize {
        self.row_len
    }

    /// The hash.
    pub fn hasher(&self) -> &H {
        &self.hasher
    }

    /// Row `index` and its authentication path.
    ///
    /// # Errors
    /// [`MerkleError::IndexOutOfRange`] for `index ≥ n_leaves`.
    pub fn open(&self, index: usize) -> Result<MerkleOpening<H>, MerkleError> {
        let n_leaves = self.n_leaves();
        if index >= n_leaves {
            return Err(MerkleError::IndexOutOfRange { index, n_leaves });
        }
        let row = self.rows[index * self.row_len..(index + 1) * self.row_len].to_vec();
        let siblings = self.layers[..self.layers.len() - 1]
            .iter()
            .enumerate()
            .map(|(height, layer)| layer[(index >> height) ^ 1])
            .collect();
        Ok((row, MerklePath { siblings }))
    }

    /// Checks that `row` is row `index` of a tree of `2^height` leaves with root `root`. The
    /// height is the caller's (from the committed size), not the path's.
    ///
    /// # Errors
    /// [`MerkleError::WrongHeight`] when the path has not `height` siblings;
    /// [`MerkleError::IndexOutOfRange`] when `index ≥ 2^height`;
    /// [`MerkleError::RootMismatch`] when the path does not recompute `root`.
    pub fn verify(
        hasher: &H,
        root: &H::Digest,
        height: usize,
        index: usize,
        row: &[H::F],
        path: &MerklePath<H::Digest>,
    ) -> Result<(), MerkleError> {
        if path.siblings.len() != height {
            return Err(MerkleError::WrongHeight { expected: height, got: path.siblings.len() });
        }
        if height >= usize::BITS as usize || index >> height != 0 {
            let n_leaves = 1usize.checked_shl(height as u32).unwrap_or(usize::MAX);
            return Err(MerkleError::IndexOutOfRange { index, n_leaves });
        }
        let mut node = hasher.hash_row(row);
        for (k, sibling) in path.siblings.iter().enumerate() {
            node = if (index >> k) & 1 == 0 {
                hasher.compress(&node, sibling)
            } else {
                hasher.compress(sibling, &node)
            };
        }
        if node == *root { Ok(()) } else { Err(MerkleError::RootMismatch) }
    }
}
