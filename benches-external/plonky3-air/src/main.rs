//! Plonky3 reference for `zkprove bench air --air poseidon2 --field babybear`: `p3-uni-stark`
//! proving `p3-poseidon2-air` (BabyBear, width 16, S-box degree 7 with one cube register, one
//! permutation per row — the layout of `zkprove_air::examples::Poseidon2Air`), Poseidon2-BabyBear
//! Merkle trees and duplex challenger, FRI at rate 1/2 with 84 queries and 16 bits of query
//! grinding (100 bits under the same capacity conjecture zkprove's WHIR uses).
//!
//! `cargo run --release -- LOG_ROWS [REPS]` prints one JSON line:
//! `{"reference":"plonky3-uni-stark","log_n":…,"median_ms":…,"verify_ms":…,"rows_per_s":…}`.

use std::time::Instant;

use p3_baby_bear::{BabyBear, GenericPoseidon2LinearLayersBabyBear, Poseidon2BabyBear};
use p3_challenger::DuplexChallenger;
use p3_commit::ExtensionMmcs;
use p3_dft::Radix2DitParallel;
use p3_field::Field;
use p3_field::extension::BinomialExtensionField;
use p3_fri::{FriParameters, TwoAdicFriPcs};
use p3_merkle_tree::MerkleTreeMmcs;
use p3_poseidon2_air::{Poseidon2Air, RoundConstants, generate_trace_rows};
use p3_symmetric::{PaddingFreeSponge, TruncatedPermutation};
use p3_uni_stark::{StarkConfig, prove, verify};
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

type Val = BabyBear;
type Perm = Poseidon2BabyBear<16>;
type Leaf = PaddingFreeSponge<Perm, 16, 8, 8>;
type Node = TruncatedPermutation<Perm, 2, 8, 16>;
type ValMmcs = MerkleTreeMmcs<<Val as Field>::Packing, <Val as Field>::Packing, Leaf, Node, 2, 8>;
type Challenge = BinomialExtensionField<Val, 4>;
type ChallengeMmcs = ExtensionMmcs<Val, Challenge, ValMmcs>;
type Pcs = TwoAdicFriPcs<Val, Radix2DitParallel<Val>, ValMmcs, ChallengeMmcs>;
type Config = StarkConfig<Pcs, Challenge, DuplexChallenger<Val, Perm, 16, 8>>;
type Air = Poseidon2Air<Val, GenericPoseidon2LinearLayersBabyBear, 16, 7, 1, 4, 13>;

const LOG_BLOWUP: usize = 1;

fn config() -> Config {
    let perm = p3_baby_bear::default_babybear_poseidon2_16();
    let mmcs = ValMmcs::new(Leaf::new(perm.clone()), Node::new(perm.clone()), 0);
    let fri = FriParameters {
        log_blowup: LOG_BLOWUP,
        log_final_poly_len: 0,
        max_log_arity: 1,
        num_queries: 84,
        batch_proof_of_work_bits: 0,
        commit_proof_of_work_bits: 0,
        query_proof_of_work_bits: 16,
        mmcs: ChallengeMmcs::new(mmcs.clone()),
    };
    Config::new(Pcs::new(Radix2DitParallel::default(), mmcs, fri), DuplexChallenger::new(perm))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let log_rows: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(12);
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let mut rng = SmallRng::seed_from_u64(7);
    let constants = RoundConstants::<Val, 16, 4, 13>::from_rng(&mut rng);
    let air = Air::new(constants.clone());
    let inputs: Vec<[Val; 16]> =
        (0..1usize << log_rows).map(|_| core::array::from_fn(|_| rng.random())).collect();
    let config = config();
    let mut prove_ms = Vec::new();
    let mut verify_ms = Vec::new();
    for _ in 0..=reps {
        // Trace generation is outside the timed region, as in `zkprove bench air`.
        let trace = generate_trace_rows::<Val, GenericPoseidon2LinearLayersBabyBear, 16, 7, 1, 4, 13>(
            inputs.clone(),
            &constants,
            LOG_BLOWUP,
        );
        let start = Instant::now();
        let proof = prove(&config, &air, trace, &[]).expect("proves");
        prove_ms.push(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        verify(&config, &air, &proof, &[]).expect("verifies");
        verify_ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    // Drop the warm-up, take the upper median.
    let median = |mut v: Vec<f64>| {
        v.remove(0);
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (p, v) = (median(prove_ms), median(verify_ms));
    println!(
        "{{\"reference\":\"plonky3-uni-stark\",\"air\":\"poseidon2\",\"field\":\"babybear\",\"log_n\":{log_rows},\"median_ms\":{p},\"verify_ms\":{v},\"rows_per_s\":{}}}",
        (1u64 << log_rows) as f64 / (p / 1e3)
    );
}
