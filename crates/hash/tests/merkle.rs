//! Merkle trees: openings verify; any tampered bit of row, path, root or index fails; a path of
//! another height fails, and so do two child digests opened as a row one level up; bad shapes
//! are typed errors; roots equal a tree built from Plonky3's Poseidon2 permutation (our tagged
//! sponge written over it here) and `TruncatedPermutation`, by hand and by `p3-merkle-tree`.

use p3_field::PrimeCharacteristicRing;
use p3_field::PrimeField32 as _;
use p3_symmetric::{
    CryptographicHasher, Permutation, PseudoCompressionFunction, TruncatedPermutation,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::babybear::BabyBear;
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::m31::M31;
use zkprove_field::{Field, PrimeField64};
use zkprove_hash::{MerkleError, MerkleHash, MerkleTree, Poseidon2, Poseidon2Merkle};

type BbMerkle = Poseidon2Merkle<BabyBear, 16, 8, 8>;

fn bb_hasher() -> BbMerkle {
    BbMerkle::new(Poseidon2::babybear_16()).expect("valid shape")
}

/// Our leaf hash written over a Plonky3 permutation: an overwrite sponge of rate 8 whose last
/// cell starts at `row_len + 1`, taking 8 cells.
#[derive(Clone)]
struct TaggedSponge<P>(P);

impl<T, P> CryptographicHasher<T, [T; 8]> for TaggedSponge<P>
where
    T: PrimeCharacteristicRing + Copy + Default,
    P: Permutation<[T; 16]>,
{
    fn hash_iter<I: IntoIterator<Item = T>>(&self, input: I) -> [T; 8] {
        let row: Vec<T> = input.into_iter().collect();
        let mut state = [T::ZERO; 16];
        state[15] = T::from_u64(row.len() as u64 + 1);
        for chunk in row.chunks(8) {
            state[..chunk.len()].copy_from_slice(chunk);
            self.0.permute_mut(&mut state);
        }
        core::array::from_fn(|i| state[i])
    }
}

/// The attack: over Goldilocks `<12, 8, 4>`, a row of 8 elements hashed without a leaf
/// tag equals the compression of its two halves. Build 8 rows of 8 and open index 1 "one level
/// up" with the row `leaf(2) ‖ leaf(3)` and siblings `[node(1, 0), node(2, 1)]`: refused for its
/// height, and — with the height it claims — because leaves are tagged.
#[test]
fn child_digests_do_not_open_as_a_row() {
    let h =
        Poseidon2Merkle::<Goldilocks, 12, 8, 4>::new(Poseidon2::goldilocks_12()).expect("shape");
    let rows = random_rows::<Goldilocks>(8, 8, 11);
    let tree = MerkleTree::commit(h.clone(), rows.clone(), 8).expect("commit");
    let leaf = |i: usize| h.hash_row(&rows[i * 8..(i + 1) * 8]);
    let node1 = |i: usize| h.compress(&leaf(2 * i), &leaf(2 * i + 1));
    let node2_1 = h.compress(&node1(2), &node1(3));
    assert_eq!(tree.root(), h.compress(&h.compress(&node1(0), &node1(1)), &node2_1));
    let fake_row: Vec<Goldilocks> = leaf(2).iter().chain(leaf(3).iter()).copied().collect();
    let fake_path = zkprove_hash::MerklePath { siblings: vec![node1(0), node2_1] };
    assert_eq!(
        MerkleTree::verify(&h, &tree.root(), 3, 1, &fake_row, &fake_path),
        Err(MerkleError::WrongHeight { expected: 3, got: 2 })
    );
    assert_eq!(
        MerkleTree::verify(&h, &tree.root(), 2, 1, &fake_row, &fake_path),
        Err(MerkleError::RootMismatch)
    );
    // Without the tag the forgery would go through: the untagged leaf of the fake row is
    // exactly node(1, 1).
    let mut state = [Goldilocks::ZERO; 12];
    state[..8].copy_from_slice(&fake_row);
    Poseidon2::goldilocks_12().permute_mut(&mut state);
    assert_eq!(state[..4], node1(1));
}

fn random_rows<F: Field>(n_rows: usize, row_len: usize, seed: u64) -> Vec<F> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n_rows * row_len).map(|_| F::random(&mut rng)).collect()
}

#[test]
fn openings_verify_for_many_shapes() {
    let h = bb_hasher();
    for (log_n, row_len) in [(0usize, 1usize), (1, 8), (3, 3), (5, 17), (10, 8), (11, 1)] {
        let n = 1 << log_n;
        let rows = random_rows::<BabyBear>(n, row_len, log_n as u64);
        let tree = MerkleTree::commit(h.clone(), rows.clone(), row_len).expect("commit");
        let root = tree.root();
        for index in [0, n / 2, n - 1] {
            let (row, path) = tree.open(index).expect("open");
            assert_eq!(row, rows[index * row_len..(index + 1) * row_len]);
            assert_eq!(path.siblings.len(), log_n);
            MerkleTree::verify(&h, &root, log_n, index, &row, &path).expect("verify");
        }
        assert_eq!(tree.open(n), Err(MerkleError::IndexOutOfRange { index: n, n_leaves: n }));
    }
}

#[test]
fn packed_paths_equal_scalar_hashing() {
    let h = bb_hasher();
    for row_len in [1usize, 7, 8, 9, 16, 20] {
        let n = 37;
        let rows = random_rows::<BabyBear>(n, row_len, row_len as u64);
        let mut out = vec![[BabyBear::ZERO; 8]; n];
        h.hash_rows(&rows, row_len, &mut out);
        for i in 0..n {
            assert_eq!(out[i], h.hash_row(&rows[i * row_len..(i + 1) * row_len]));
        }
        let mut parents = vec![[BabyBear::ZERO; 8]; n / 2];
        h.compress_pairs(&out[..n / 2 * 2], &mut parents);
        for i in 0..n / 2 {
            assert_eq!(parents[i], h.compress(&out[2 * i], &out[2 * i + 1]));
        }
    }
}

/// Flips bit `bit` of the canonical value of `x`, wrapping into the field.
fn flip<F: PrimeField64>(x: F, bit: u32) -> F {
    F::from_u64(x.as_canonical_u64() ^ (1 << bit))
}

#[test]
fn any_tampering_fails() {
    let h = bb_hasher();
    let (n, row_len) = (16usize, 5usize);
    let rows = random_rows::<BabyBear>(n, row_len, 7);
    let tree = MerkleTree::commit(h.clone(), rows, row_len).expect("commit");
    let root = tree.root();
    let index = 6;
    let (row, path) = tree.open(index).expect("open");
    let mut n_checked = 0;
    for bit in 0..30 {
        for i in 0..row_len {
            let mut bad = row.clone();
            bad[i] = flip(bad[i], bit);
            if bad[i] == row[i] {
                continue;
            }
            assert_eq!(
                MerkleTree::verify(&h, &root, 4, index, &bad, &path),
                Err(MerkleError::RootMismatch)
            );
            n_checked += 1;
        }
        for k in 0..path.siblings.len() {
            for j in 0..8 {
                let mut bad = path.clone();
                bad.siblings[k][j] = flip(bad.siblings[k][j], bit);
                assert!(MerkleTree::verify(&h, &root, 4, index, &row, &bad).is_err());
                n_checked += 1;
            }
        }
        for j in 0..8 {
            let mut bad_root = root;
            bad_root[j] = flip(bad_root[j], bit);
            assert!(MerkleTree::verify(&h, &bad_root, 4, index, &row, &path).is_err());
        }
    }
    assert!(n_checked > 1000);
    for bad_index in 0..n {
        if bad_index != index {
            assert_eq!(
                MerkleTree::verify(&h, &root, 4, bad_index, &row, &path),
                Err(MerkleError::RootMismatch)
            );
        }
    }
    assert!(matches!(
        MerkleTree::verify(&h, &root, 4, n, &row, &path),
        Err(MerkleError::IndexOutOfRange { .. })
    ));
    // A truncated or lengthened path fails too.
    let mut short = path.clone();
    short.siblings.pop();
    assert_eq!(
        MerkleTree::verify(&h, &root, 4, index, &row, &short),
        Err(MerkleError::WrongHeight { expected: 4, got: 3 })
    );
    let mut long = path.clone();
    long.siblings.push(root);
    assert_eq!(
        MerkleTree::verify(&h, &root, 4, index, &row, &long),
        Err(MerkleError::WrongHeight { expected: 4, got: 5 })
    );
}

#[test]
fn bad_shapes_are_typed_errors() {
    let h = bb_hasher();
    assert_eq!(
        MerkleTree::commit(h.clone(), vec![BabyBear::ONE; 24], 8).err(),
        Some(MerkleError::NotPowerOfTwo { n_rows: 3 })
    );
    assert_eq!(MerkleTree::commit(h.clone(), vec![], 8).err(), Some(MerkleError::Empty));
    assert_eq!(
        MerkleTree::commit(h.clone(), vec![BabyBear::ONE; 10], 4).err(),
        Some(MerkleError::RaggedRows { len: 10, row_len: 4 })
    );
    assert_eq!(
        MerkleTree::commit(h, vec![BabyBear::ONE; 10], 0).err(),
        Some(MerkleError::RaggedRows { len: 10, row_len: 0 })
    );
    assert!(Poseidon2Merkle::<BabyBear, 16, 8, 9>::new(Poseidon2::babybear_16()).is_err());
}

#[test]
fn root_matches_plonky3_sponge_and_compression() {
    let p3_perm = p3_baby_bear::default_babybear_poseidon2_16();
    let sponge = TaggedSponge(p3_perm.clone());
    let compress = TruncatedPermutation::<_, 2, 8, 16>::new(p3_perm);
    let h = bb_hasher();
    let mut rng = StdRng::seed_from_u64(99);
    for (log_n, row_len) in [(0usize, 8usize), (4, 8), (9, 8), (6, 13)] {
        let n = 1 << log_n;
        let raw: Vec<u32> =
            (0..n * row_len).map(|_| rng.random_range(0..BabyBear::ORDER_U64 as u32)).collect();
        let ours =
            MerkleTree::commit(h.clone(), raw.iter().map(|&v| BabyBear::new(v)).collect(), row_len)
                .expect("commit")
                .root()
                .map(|v| v.as_canonical_u32());
        let mut layer: Vec<[p3_baby_bear::BabyBear; 8]> = raw
            .chunks(row_len)
            .map(|r| sponge.hash_iter(r.iter().map(|&v| p3_baby_bear::BabyBear::new(v))))
            .collect();
        while layer.len() > 1 {
            layer = layer.chunks(2).map(|p| compress.compress([p[0], p[1]])).collect();
        }
        let theirs = layer[0].map(|v| v.as_canonical_u32());
        assert_eq!(ours, theirs, "log_n {log_n} row_len {row_len}");
    }
}

#[test]
fn m31_tree_round_trips() {
    let h = Poseidon2Merkle::<M31, 16, 8, 8>::new(Poseidon2::m31_16()).expect("shape");
    let rows = random_rows::<M31>(64, 8, 5);
    let tree = MerkleTree::commit(h.clone(), rows, 8).expect("commit");
    let (row, path) = tree.open(33).expect("open");
    MerkleTree::verify(&h, &tree.root(), 6, 33, &row, &path).expect("verify");
}

#[test]
fn root_matches_p3_merkle_tree() {
    type P3F = p3_baby_bear::BabyBear;
    type P3P = <P3F as p3_field::Field>::Packing;
    let p3_perm = p3_baby_bear::default_babybear_poseidon2_16();
    let sponge = TaggedSponge(p3_perm.clone());
    let compress = TruncatedPermutation::<_, 2, 8, 16>::new(p3_perm);
    let h = bb_hasher();
    let mut rng = StdRng::seed_from_u64(100);
    for (log_n, row_len) in [(0usize, 8usize), (5, 8), (10, 8), (7, 3)] {
        let n = 1 << log_n;
        let raw: Vec<u32> =
            (0..n * row_len).map(|_| rng.random_range(0..BabyBear::ORDER_U64 as u32)).collect();
        let ours =
            MerkleTree::commit(h.clone(), raw.iter().map(|&v| BabyBear::new(v)).collect(), row_len)
                .expect("commit")
                .root()
                .map(|v| v.as_canonical_u32());
        let matrix = p3_matrix::dense::RowMajorMatrix::new(
            raw.iter().map(|&v| P3F::new(v)).collect::<Vec<_>>(),
            row_len,
        );
        let tree = p3_merkle_tree::MerkleTree::<P3F, P3F, _, 2, 8>::new::<P3P, P3P, _, _>(
            &sponge,
            &compress,
            vec![matrix],
        );
        let theirs: [P3F; 8] = tree.root().into();
        assert_eq!(ours, theirs.map(|v| v.as_canonical_u32()), "log_n {log_n} row_len {row_len}");
    }
}
