//! Merkle commitment throughput against Plonky3's `p3-merkle-tree` (built with `parallel`), same
//! process, same rows: 2^N rows of 8 BabyBear elements, leaves by `PaddingFreeSponge<Poseidon2-16,
//! rate 8, out 8>`, nodes by `TruncatedPermutation<Poseidon2-16, 2, 8>` (the roots are equal; see
//! tests/merkle.rs). The rows are cloned outside the timed region in both cases.
//!
//! `ZKPROVE_BENCH_LOG_N` (comma-separated, default "14") picks the sizes.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use p3_symmetric::{PaddingFreeSponge, TruncatedPermutation};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::babybear::BabyBear;
use zkprove_hash::{MerkleTree, Poseidon2, Poseidon2Merkle};

fn sizes() -> Vec<usize> {
    std::env::var("ZKPROVE_BENCH_LOG_N")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![14])
}

fn benches(c: &mut Criterion) {
    type P3F = p3_baby_bear::BabyBear;
    type P3P = <P3F as p3_field::Field>::Packing;
    const ROW_LEN: usize = 8;
    let p3_perm = p3_baby_bear::default_babybear_poseidon2_16();
    let sponge = PaddingFreeSponge::<_, 16, 8, 8>::new(p3_perm.clone());
    let compress = TruncatedPermutation::<_, 2, 8, 16>::new(p3_perm);
    let hasher =
        Poseidon2Merkle::<BabyBear, 16, 8, 8>::new(Poseidon2::babybear_16()).expect("valid shape");

    let mut g = c.benchmark_group("merkle_babybear_rows8");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    let mut rng = StdRng::seed_from_u64(1);
    for log_n in sizes() {
        let n = 1usize << log_n;
        let raw: Vec<u32> = (0..n * ROW_LEN).map(|_| rng.random_range(0..0x7800_0001)).collect();
        let ours_rows: Vec<BabyBear> = raw.iter().map(|&v| BabyBear::new(v)).collect();
        let p3_rows: Vec<P3F> = raw.iter().map(|&v| P3F::new(v)).collect();
        g.bench_function(BenchmarkId::new("ours", log_n), |b| {
            b.iter_batched(
                || ours_rows.clone(),
                |rows| {
                    let tree = MerkleTree::commit(hasher.clone(), rows, ROW_LEN).expect("commit");
                    black_box(tree.root())
                },
                BatchSize::LargeInput,
            )
        });
        g.bench_function(BenchmarkId::new("plonky3", log_n), |b| {
            b.iter_batched(
                || p3_matrix::dense::RowMajorMatrix::new(p3_rows.clone(), ROW_LEN),
                |m| {
                    let tree = p3_merkle_tree::MerkleTree::<P3F, P3F, _, 2, 8>::new::<
                        P3P,
                        P3P,
                        _,
                        _,
                    >(&sponge, &compress, vec![m]);
                    black_box(tree.root())
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(merkle, benches);
criterion_main!(merkle);
