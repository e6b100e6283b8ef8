//! crates/hash's `MerkleOps` on the OpenCL backend (PoCL on the CPU in CI): leaf layers and roots
//! built layer by layer on the device equal the CPU backend's and `MerkleTree::commit`'s, for M31
//! and BabyBear; a hasher over another Poseidon2 instance is refused. Skips without an OpenCL
//! device unless `ZKPROVE_REQUIRE_OPENCL=1`.

#![cfg(feature = "opencl")]

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::Field;
use zkprove_field::babybear::BabyBear;
use zkprove_field::m31::M31;
use zkprove_gpu::{
    ClDevice, GpuBuffer, MERKLE_OUT, OpenClBackend, Poseidon2GpuField, digest_download,
};
use zkprove_hash::{MerkleError, MerkleOps, MerkleTree, Poseidon2, Poseidon2Merkle};
use zkprove_poly::CpuBackend;

type Hash<F> = Poseidon2Merkle<F, 16, 8, MERKLE_OUT>;

fn device() -> Option<Arc<ClDevice>> {
    crate::common::opencl_device()
}

fn roots_match<F: Poseidon2GpuField>(dev: &Arc<ClDevice>) {
    let mut rng = StdRng::seed_from_u64(0x3e_0001);
    let hasher: Hash<F> = Poseidon2Merkle::new(F::poseidon2()).expect("hash");
    for (log_n, row_len) in [(0, 8), (1, 3), (4, 16), (7, 1), (10, 8), (12, 13)] {
        let n = 1usize << log_n;
        let rows: Vec<F> =
            (0..n * row_len).map(|_| F::from_u64(rng.random_range(0..F::ORDER_U64))).collect();
        let cols = GpuBuffer::upload(dev, &rows).expect("upload");
        let leaves = <OpenClBackend as MerkleOps<Hash<F>>>::hash_leaves(&hasher, &cols, row_len)
            .expect("leaves");
        let cpu_leaves =
            <CpuBackend as MerkleOps<Hash<F>>>::hash_leaves(&hasher, &rows, row_len).unwrap();
        assert_eq!(digest_download(&leaves).unwrap(), cpu_leaves, "leaves 2^{log_n}×{row_len}");
        let mut layer = leaves;
        while layer.len() > 1 {
            layer = <OpenClBackend as MerkleOps<Hash<F>>>::compress_layer(&hasher, &layer)
                .expect("layer");
        }
        let root = digest_download(&layer).unwrap();
        let tree = MerkleTree::commit(hasher.clone(), rows, row_len).expect("cpu tree");
        assert_eq!(root, vec![tree.root()], "root 2^{log_n}×{row_len}");
    }
}

#[test]
fn m31_merkle_ops_match_cpu() {
    let Some(dev) = device() else { return };
    roots_match::<M31>(&dev);
}

#[test]
fn babybear_merkle_ops_match_cpu() {
    let Some(dev) = device() else { return };
    roots_match::<BabyBear>(&dev);
}

#[test]
fn other_instances_are_refused() {
    let Some(dev) = device() else { return };
    let std = M31::poseidon2();
    let mut diag = *std.internal_diag();
    diag[0] += M31::ONE;
    let other = Poseidon2::<M31, 16>::new(
        std.sbox_degree(),
        std.external_initial_constants().to_vec(),
        std.internal_constants().to_vec(),
        std.external_terminal_constants().to_vec(),
        diag,
    );
    let Ok(other) = other else { return };
    let hasher: Hash<M31> = Poseidon2Merkle::new(other).expect("hash");
    let cols = GpuBuffer::upload(&dev, &[M31::ONE; 16]).expect("upload");
    assert!(matches!(
        <OpenClBackend as MerkleOps<Hash<M31>>>::hash_leaves(&hasher, &cols, 8),
        Err(MerkleError::NonStandardHash)
    ));
}
