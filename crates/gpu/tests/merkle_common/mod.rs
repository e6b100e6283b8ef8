//! Shared differential tests of the device Poseidon2 and Merkle commit against crates/hash, run by
//! `merkle_opencl.rs` and `merkle_cuda.rs`.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_gpu::{
    GpuBuffer, GpuError, MERKLE_OUT, Poseidon2GpuField, Runtime, gpu_merkle_layers,
    gpu_merkle_root, gpu_merkle_root_resident, gpu_poseidon2_permute,
};
use zkprove_hash::{MerkleHash, MerkleTree, Poseidon2Merkle};

fn random_elems<F: Poseidon2GpuField>(rng: &mut StdRng, n: usize) -> Vec<F> {
    (0..n).map(|_| F::from_u64(rng.random_range(0..F::ORDER_U64))).collect()
}

fn hasher<F: Poseidon2GpuField>() -> Poseidon2Merkle<F, 16, 8, MERKLE_OUT> {
    Poseidon2Merkle::new(F::poseidon2()).expect("standard Merkle hash")
}

/// The device permutation equals crates/hash's on `n` random states (and on the zero state).
pub fn permutation<R: Runtime, F: Poseidon2GpuField>(dev: &Arc<R>, n: usize) {
    let mut rng = StdRng::seed_from_u64(0x5eed_0001);
    let mut states: Vec<[F; 16]> = (0..n)
        .map(|_| {
            let v = random_elems::<F>(&mut rng, 16);
            core::array::from_fn(|i| v[i])
        })
        .collect();
    states.push([F::ZERO; 16]);
    let got = gpu_poseidon2_permute(dev, &states).expect("device permutation");
    let perm = F::poseidon2();
    for (i, (s, g)) in states.iter().zip(&got).enumerate() {
        assert_eq!(perm.permute(*s), *g, "state {i}");
    }
    assert!(gpu_poseidon2_permute::<R, F>(dev, &[]).expect("empty").is_empty());
}

/// Roots (and for small trees all layers) equal crates/hash's for 2^0..=2^max_log rows and a few
/// row lengths.
pub fn roots<R: Runtime, F: Poseidon2GpuField>(dev: &Arc<R>, max_log: u32, row_lens: &[usize]) {
    let mut rng = StdRng::seed_from_u64(0x5eed_0002);
    for log in 0..=max_log {
        for &row_len in row_lens {
            let n = 1usize << log;
            let rows = random_elems::<F>(&mut rng, n * row_len);
            let tree = MerkleTree::commit(hasher::<F>(), rows.clone(), row_len).expect("cpu tree");
            let root = gpu_merkle_root(dev, &rows, row_len).expect("device root");
            assert_eq!(root, tree.root(), "2^{log} rows of {row_len}");
            if log <= 4 {
                let resident = GpuBuffer::upload(dev, &rows).expect("upload");
                let root = gpu_merkle_root_resident(&resident, row_len).expect("resident root");
                assert_eq!(root, tree.root(), "resident: 2^{log} rows of {row_len}");
                let layers = gpu_merkle_layers(dev, &rows, row_len).expect("device layers");
                assert_eq!(layers.len(), log as usize + 1);
                let h = hasher::<F>();
                for (r, leaf) in layers[0].iter().enumerate() {
                    assert_eq!(*leaf, h.hash_row(&rows[r * row_len..(r + 1) * row_len]));
                }
                assert_eq!(layers[log as usize][0], tree.root());
            }
        }
    }
}

/// Bad shapes are errors, not panics.
pub fn errors<R: Runtime, F: Poseidon2GpuField>(dev: &Arc<R>) {
    let rows = [F::ONE; 24];
    for (len, row_len) in [(24, 0), (24, 5), (24, 8), (0, 8)] {
        let r = gpu_merkle_root(dev, &rows[..len], row_len);
        assert!(matches!(r, Err(GpuError::Unsupported { .. })), "{len}/{row_len}: {r:?}");
    }
}
