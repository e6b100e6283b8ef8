//! Poseidon2 and Merkle throughput against Plonky3, measured so that a busy machine distorts the
//! ratio as little as possible: on the calling thread only, the two implementations alternate (ours,
//! then Plonky3's, 40 times over the same inputs), and the fastest pass of each is kept. The
//! criterion benches (`benches/poseidon2.rs`, `benches/merkle.rs`) time each side for seconds on end,
//! so load that comes and goes skews their ratios; this pairs each of our passes with one of theirs.
//!
//! ```text
//! cargo run --profile bench -p zkprove-hash --example poseidon2_interleaved [-- FILTER]
//! ```
//! `FILTER` (optional) keeps the lines whose name contains it (`babybear16`, `m31`, `merkle`, …).
//! `babybear16 batch` goes through `permute_batch` (packing chosen at run time, capped by
//! `ZKPROVE_CPU`); the other permutation rows use the compile-time `F::Packing`.
//! Run Merkle with `RAYON_NUM_THREADS=1` for a single-thread comparison (both use Rayon).

use std::hint::black_box;
use std::time::Instant;

use p3_symmetric::{PaddingFreeSponge, Permutation, TruncatedPermutation};
use zkprove_field::babybear::BabyBear;
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::m31::M31;
use zkprove_field::{PackedField, PrimeField64};
use zkprove_hash::{MerkleTree, Poseidon2, Poseidon2Merkle};

const PASSES: usize = 40;

/// Prints the fastest pass of each side and the median of the per-pass ratios.
fn report(name: &str, unit_count: usize, ours: &[f64], theirs: &[f64]) {
    let best = |t: &[f64]| t.iter().copied().fold(f64::INFINITY, f64::min);
    let mut ratios: Vec<f64> = ours.iter().zip(theirs).map(|(a, b)| a / b).collect();
    ratios.sort_by(f64::total_cmp);
    let (a, b) = (best(ours), best(theirs));
    println!(
        "{name:16} ours {:9.1} ns  plonky3 {:9.1} ns  (per unit, best pass)  ours/plonky3: best {:.3}, median {:.3}",
        a * 1e9 / unit_count as f64,
        b * 1e9 / unit_count as f64,
        a / b,
        ratios[ratios.len() / 2],
    );
}

/// `2^12` permutations, packed, on this thread.
fn permutations<F, P3F, P3, const W: usize>(
    name: &str,
    ours: &Poseidon2<F, W>,
    theirs: &P3,
    to_p3: impl Fn(u64) -> P3F + Copy,
) where
    F: PrimeField64,
    P3F: p3_field::Field,
    P3: Permutation<[P3F::Packing; W]>,
{
    let n = 1usize << 12;
    let value = |k: usize, i: usize, l: usize| (k * 7919 + i * 31 + l) as u64 % F::ORDER_U64;
    let lanes = <F::Packing as PackedField>::WIDTH;
    let p3_lanes = <P3F::Packing as p3_field::PackedValue>::WIDTH;
    let mut a: Vec<[F::Packing; W]> = (0..n / lanes)
        .map(|k| {
            core::array::from_fn(|i| {
                <F::Packing as PackedField>::from_fn(|l| F::from_u64(value(k, i, l)))
            })
        })
        .collect();
    let mut b: Vec<[P3F::Packing; W]> = (0..n / p3_lanes)
        .map(|k| {
            core::array::from_fn(|i| {
                <P3F::Packing as p3_field::PackedValue>::from_fn(|l| to_p3(value(k, i, l)))
            })
        })
        .collect();
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..PASSES {
        let t = Instant::now();
        for s in &mut a {
            ours.permute_packed_mut(s);
        }
        ta.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for s in &mut b {
            theirs.permute_mut(s);
        }
        tb.push(t.elapsed().as_secs_f64());
    }
    black_box((&a, &b));
    report(name, n, &ta, &tb);
}

/// `2^12` permutations through [`Poseidon2::permute_batch`] (the packing chosen at run time for
/// BabyBear/KoalaBear, Rayon tasks: run with `RAYON_NUM_THREADS=1` to compare with Plonky3's
/// packed permutation on this thread).
fn batch<F, P3F, P3, const W: usize>(
    name: &str,
    ours: &Poseidon2<F, W>,
    theirs: &P3,
    to_p3: impl Fn(u64) -> P3F + Copy,
) where
    F: PrimeField64,
    P3F: p3_field::Field,
    P3: Permutation<[P3F::Packing; W]>,
{
    let n = 1usize << 12;
    let value = |k: usize, i: usize| (k * 7919 + i * 31) as u64 % F::ORDER_U64;
    let mut a: Vec<[F; W]> =
        (0..n).map(|k| core::array::from_fn(|i| F::from_u64(value(k, i)))).collect();
    let p3_lanes = <P3F::Packing as p3_field::PackedValue>::WIDTH;
    let mut b: Vec<[P3F::Packing; W]> = (0..n / p3_lanes)
        .map(|k| {
            core::array::from_fn(|i| {
                <P3F::Packing as p3_field::PackedValue>::from_fn(|l| {
                    to_p3(value(k * p3_lanes + l, i))
                })
            })
        })
        .collect();
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..PASSES {
        let t = Instant::now();
        ours.permute_batch(&mut a);
        ta.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for s in &mut b {
            theirs.permute_mut(s);
        }
        tb.push(t.elapsed().as_secs_f64());
    }
    black_box((&a, &b));
    report(name, n, &ta, &tb);
}

/// A Merkle commitment to `2^log_n` rows of 8 BabyBear elements (Poseidon2-16 sponge of rate 8,
/// truncated-permutation compression), both sides on the Rayon pool.
fn merkle(log_n: usize) {
    type P3F = p3_baby_bear::BabyBear;
    type P3P = <P3F as p3_field::Field>::Packing;
    const ROW_LEN: usize = 8;
    let n = 1usize << log_n;
    let raw: Vec<u32> =
        (0..n * ROW_LEN).map(|i| (i as u32).wrapping_mul(2_654_435_761) % 0x7800_0001).collect();
    let ours_rows: Vec<BabyBear> = raw.iter().map(|&v| BabyBear::new(v)).collect();
    let p3_rows: Vec<P3F> = raw.iter().map(|&v| P3F::new(v)).collect();
    let p3_perm = p3_baby_bear::default_babybear_poseidon2_16();
    let sponge = PaddingFreeSponge::<_, 16, 8, 8>::new(p3_perm.clone());
    let compress = TruncatedPermutation::<_, 2, 8, 16>::new(p3_perm);
    let Ok(hasher) = Poseidon2Merkle::<BabyBear, 16, 8, 8>::new(Poseidon2::babybear_16()) else {
        return;
    };
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..PASSES / 4 {
        let rows = ours_rows.clone();
        let t = Instant::now();
        let root = MerkleTree::commit(hasher.clone(), rows, ROW_LEN).map(|tree| tree.root());
        ta.push(t.elapsed().as_secs_f64());
        black_box(root.ok());
        let m = p3_matrix::dense::RowMajorMatrix::new(p3_rows.clone(), ROW_LEN);
        let t = Instant::now();
        let tree = p3_merkle_tree::MerkleTree::<P3F, P3F, _, 2, 8>::new::<P3P, P3P, _, _>(
            &sponge,
            &compress,
            vec![m],
        );
        tb.push(t.elapsed().as_secs_f64());
        black_box(tree.root());
    }
    report(&format!("merkle 2^{log_n}"), n, &ta, &tb);
}

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let on = |name: &str| name.contains(filter.as_str());
    // `ZKPROVE_CPU=avx2|adx|...` caps our run-time CPU level (as `zkprove --cpu`): it reaches the
    // packing of `permute_batch` for BabyBear/KoalaBear, not the compile-time `F::Packing` rows.
    if let Ok(cap) = std::env::var("ZKPROVE_CPU") {
        let level: zkprove_field::cpu::CpuLevel = cap.parse().expect("ZKPROVE_CPU: a CPU level");
        zkprove_field::cpu::set_max_cpu_level(level);
    }
    println!("CPU level (run-time paths): {}", zkprove_field::cpu::level());
    if on("babybear16 batch") {
        batch(
            "babybear16 batch",
            &Poseidon2::<BabyBear, 16>::babybear_16(),
            &p3_baby_bear::default_babybear_poseidon2_16(),
            |v| p3_baby_bear::BabyBear::new(v as u32),
        );
    }
    if on("babybear16") {
        permutations(
            "babybear16",
            &Poseidon2::<BabyBear, 16>::babybear_16(),
            &p3_baby_bear::default_babybear_poseidon2_16(),
            |v| p3_baby_bear::BabyBear::new(v as u32),
        );
    }
    if on("babybear24") {
        permutations(
            "babybear24",
            &Poseidon2::<BabyBear, 24>::babybear_24(),
            &p3_baby_bear::default_babybear_poseidon2_24(),
            |v| p3_baby_bear::BabyBear::new(v as u32),
        );
    }
    if on("m31_16") {
        permutations(
            "m31_16",
            &Poseidon2::<M31, 16>::m31_16(),
            &p3_mersenne_31::default_mersenne31_poseidon2_16(),
            |v| p3_mersenne_31::Mersenne31::new(v as u32),
        );
    }
    if on("goldilocks8") {
        permutations(
            "goldilocks8",
            &Poseidon2::<Goldilocks, 8>::goldilocks_8(),
            &p3_goldilocks::default_goldilocks_poseidon2_8(),
            p3_goldilocks::Goldilocks::new,
        );
    }
    if on("goldilocks12") {
        permutations(
            "goldilocks12",
            &Poseidon2::<Goldilocks, 12>::goldilocks_12(),
            &p3_goldilocks::default_goldilocks_poseidon2_12(),
            p3_goldilocks::Goldilocks::new,
        );
    }
    for log_n in [14, 16] {
        if on(&format!("merkle 2^{log_n}")) {
            merkle(log_n);
        }
    }
}
