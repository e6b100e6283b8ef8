//! Known answers: our Poseidon2 instances equal Plonky3 0.8's on fixed and random inputs; the packed
//! and batched paths equal the scalar one.

use p3_field::{PrimeField32 as _, PrimeField64 as _};
use p3_symmetric::Permutation;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::babybear::BabyBear;
use zkprove_field::goldilocks::Goldilocks;
use zkprove_field::koalabear::KoalaBear;
use zkprove_field::m31::M31;
use zkprove_field::{Field, PackedField, PrimeField64};
use zkprove_hash::Poseidon2;

/// Inputs: 0..W, all zeros, all p−1, and random states.
fn inputs<const W: usize>(p: u64, seed: u64) -> Vec<[u64; W]> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = vec![core::array::from_fn(|i| i as u64), [0u64; W], [p - 1; W]];
    for _ in 0..20 {
        out.push(core::array::from_fn(|_| rng.random_range(0..p)));
    }
    out
}

fn ours<F: PrimeField64, const W: usize>(perm: &Poseidon2<F, W>, x: [u64; W]) -> [u64; W] {
    perm.permute(x.map(F::from_u64)).map(|v| v.as_canonical_u64())
}

#[test]
fn babybear_16_matches_plonky3() {
    let p3 = p3_baby_bear::default_babybear_poseidon2_16();
    let us = Poseidon2::<BabyBear, 16>::babybear_16();
    for x in inputs::<16>(BabyBear::ORDER_U64, 1) {
        let theirs = p3
            .permute(x.map(|v| p3_baby_bear::BabyBear::new(v as u32)))
            .map(|v| u64::from(v.as_canonical_u32()));
        assert_eq!(ours(&us, x), theirs);
    }
}

#[test]
fn babybear_24_matches_plonky3() {
    let p3 = p3_baby_bear::default_babybear_poseidon2_24();
    let us = Poseidon2::<BabyBear, 24>::babybear_24();
    for x in inputs::<24>(BabyBear::ORDER_U64, 2) {
        let theirs = p3
            .permute(x.map(|v| p3_baby_bear::BabyBear::new(v as u32)))
            .map(|v| u64::from(v.as_canonical_u32()));
        assert_eq!(ours(&us, x), theirs);
    }
}

#[test]
fn koalabear_16_matches_plonky3() {
    let p3 = p3_koala_bear::default_koalabear_poseidon2_16();
    let us = Poseidon2::<KoalaBear, 16>::koalabear_16();
    assert_eq!((us.sbox_degree(), us.n_full_rounds(), us.n_partial_rounds()), (3, 8, 20));
    for x in inputs::<16>(KoalaBear::ORDER_U64, 6) {
        let theirs = p3
            .permute(x.map(|v| p3_koala_bear::KoalaBear::new(v as u32)))
            .map(|v| u64::from(v.as_canonical_u32()));
        assert_eq!(ours(&us, x), theirs);
    }
    // Our constants are regenerated from the Grain LFSR: compare them with Plonky3's tables too.
    let canon = |row: &[KoalaBear]| row.iter().map(|c| c.as_canonical_u32()).collect::<Vec<_>>();
    let p3_canon = |row: &[p3_koala_bear::KoalaBear]| {
        row.iter().map(|c| c.as_canonical_u32()).collect::<Vec<_>>()
    };
    for (a, b) in us
        .external_initial_constants()
        .iter()
        .zip(&p3_koala_bear::KOALABEAR_POSEIDON2_RC_16_EXTERNAL_INITIAL)
    {
        assert_eq!(canon(a), p3_canon(b));
    }
    for (a, b) in us
        .external_terminal_constants()
        .iter()
        .zip(&p3_koala_bear::KOALABEAR_POSEIDON2_RC_16_EXTERNAL_FINAL)
    {
        assert_eq!(canon(a), p3_canon(b));
    }
    assert_eq!(
        canon(us.internal_constants()),
        p3_canon(&p3_koala_bear::KOALABEAR_POSEIDON2_RC_16_INTERNAL)
    );
}

#[test]
fn koalabear_24_matches_plonky3() {
    let p3 = p3_koala_bear::default_koalabear_poseidon2_24();
    let us = Poseidon2::<KoalaBear, 24>::koalabear_24();
    assert_eq!((us.sbox_degree(), us.n_full_rounds(), us.n_partial_rounds()), (3, 8, 23));
    for x in inputs::<24>(KoalaBear::ORDER_U64, 7) {
        let theirs = p3
            .permute(x.map(|v| p3_koala_bear::KoalaBear::new(v as u32)))
            .map(|v| u64::from(v.as_canonical_u32()));
        assert_eq!(ours(&us, x), theirs);
    }
}

#[test]
fn koalabear_packed_and_batch_paths_agree_with_scalar() {
    packed_and_batch_agree(&Poseidon2::<KoalaBear, 16>::koalabear_16(), 15);
    packed_and_batch_agree(&Poseidon2::<KoalaBear, 24>::koalabear_24(), 16);
}

#[test]
fn m31_16_matches_plonky3() {
    let p3 = p3_mersenne_31::default_mersenne31_poseidon2_16();
    let us = Poseidon2::<M31, 16>::m31_16();
    for x in inputs::<16>(M31::ORDER_U64, 3) {
        let theirs = p3
            .permute(x.map(|v| p3_mersenne_31::Mersenne31::new(v as u32)))
            .map(|v| u64::from(v.as_canonical_u32()));
        assert_eq!(ours(&us, x), theirs);
    }
}

#[test]
fn goldilocks_8_matches_plonky3() {
    let p3 = p3_goldilocks::default_goldilocks_poseidon2_8();
    let us = Poseidon2::<Goldilocks, 8>::goldilocks_8();
    for x in inputs::<8>(Goldilocks::ORDER_U64, 4) {
        let theirs =
            p3.permute(x.map(p3_goldilocks::Goldilocks::new)).map(|v| v.as_canonical_u64());
        assert_eq!(ours(&us, x), theirs);
    }
}

#[test]
fn goldilocks_12_matches_plonky3() {
    let p3 = p3_goldilocks::default_goldilocks_poseidon2_12();
    let us = Poseidon2::<Goldilocks, 12>::goldilocks_12();
    for x in inputs::<12>(Goldilocks::ORDER_U64, 5) {
        let theirs =
            p3.permute(x.map(p3_goldilocks::Goldilocks::new)).map(|v| v.as_canonical_u64());
        assert_eq!(ours(&us, x), theirs);
    }
}

/// Packed (`F::Packing`) and batched paths equal the scalar permutation, for batch sizes that are
/// not multiples of the lane count.
fn packed_and_batch_agree<F: Field, const W: usize>(perm: &Poseidon2<F, W>, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let lanes = <F::Packing as PackedField>::WIDTH;
    let states: Vec<[F; W]> =
        (0..lanes).map(|_| core::array::from_fn(|_| F::random(&mut rng))).collect();
    let mut packed: [F::Packing; W] =
        core::array::from_fn(|i| <F::Packing as PackedField>::from_fn(|l| states[l][i]));
    perm.permute_packed_mut(&mut packed);
    for (l, s) in states.iter().enumerate() {
        let expect = perm.permute(*s);
        for i in 0..W {
            assert_eq!(packed[i].as_slice()[l], expect[i]);
        }
    }
    for n in [0usize, 1, lanes - 1, lanes + 3, 1000 + 7] {
        let batch: Vec<[F; W]> =
            (0..n).map(|_| core::array::from_fn(|_| F::random(&mut rng))).collect();
        let mut got = batch.clone();
        perm.permute_batch(&mut got);
        let expect: Vec<[F; W]> = batch.iter().map(|s| perm.permute(*s)).collect();
        assert_eq!(got, expect, "batch of {n}");
    }
}

#[test]
fn packed_and_batch_paths_agree_with_scalar() {
    packed_and_batch_agree(&Poseidon2::<BabyBear, 16>::babybear_16(), 10);
    packed_and_batch_agree(&Poseidon2::<BabyBear, 24>::babybear_24(), 11);
    packed_and_batch_agree(&Poseidon2::<M31, 16>::m31_16(), 12);
    packed_and_batch_agree(&Poseidon2::<Goldilocks, 8>::goldilocks_8(), 13);
    packed_and_batch_agree(&Poseidon2::<Goldilocks, 12>::goldilocks_12(), 14);
}

/// `permute_batch` equals the scalar permutation for batch sizes around the lane counts, on random
/// states with edge states mixed in (all 0, all p − 1, alternating 0 / p − 1, 0..W, 1 and p − 1
/// in one cell).
fn batch_agrees<F: PrimeField64, const W: usize>(perm: &Poseidon2<F, W>, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let top = F::from_u64(F::ORDER_U64 - 1);
    let edges: [[F; W]; 6] = [
        [F::ZERO; W],
        [top; W],
        core::array::from_fn(|i| if i % 2 == 0 { F::ZERO } else { top }),
        core::array::from_fn(|i| F::from_u64(i as u64)),
        core::array::from_fn(|i| if i == 0 { F::ONE } else { F::ZERO }),
        core::array::from_fn(|i| if i == W - 1 { top } else { F::ZERO }),
    ];
    for n in [0usize, 1, 7, 8, 9, 15, 16, 17, 1000 + 7, 1024 + 40] {
        let batch: Vec<[F; W]> = (0..n)
            .map(|k| {
                if k % 5 == 2 {
                    edges[(k / 5) % edges.len()]
                } else {
                    core::array::from_fn(|_| F::random(&mut rng))
                }
            })
            .collect();
        let mut got = batch.clone();
        perm.permute_batch(&mut got);
        let expect: Vec<[F; W]> = batch.iter().map(|s| perm.permute(*s)).collect();
        assert_eq!(got, expect, "batch of {n}");
    }
}

/// At every run-time CPU level up to the detected one (`cpu::set_max_cpu_level`), the batch
/// permutation of the 31-bit fields (BabyBear and KoalaBear of widths 16 and 24, M31-16) —
/// AVX-512, AVX2 or one lane, chosen at run time in any x86-64 build — equals the scalar one. The cap is process-wide, but every path gives the
/// same results, so the tests running beside this one are unaffected.
#[test]
fn batch_at_every_cpu_level_matches_scalar() {
    use zkprove_field::cpu::{self, CpuLevel};
    let detected = cpu::detected_level();
    for level in CpuLevel::ALL.into_iter().filter(|&l| l <= detected) {
        assert_eq!(cpu::set_max_cpu_level(level), level);
        batch_agrees(&Poseidon2::<BabyBear, 16>::babybear_16(), 30);
        batch_agrees(&Poseidon2::<BabyBear, 24>::babybear_24(), 31);
        batch_agrees(&Poseidon2::<KoalaBear, 16>::koalabear_16(), 32);
        batch_agrees(&Poseidon2::<KoalaBear, 24>::koalabear_24(), 33);
        batch_agrees(&Poseidon2::<M31, 16>::m31_16(), 34);
    }
    cpu::set_max_cpu_level(detected);
}

#[test]
fn bad_parameters_are_typed_errors() {
    use zkprove_hash::HashError;
    let diag = [BabyBear::ONE; 6];
    assert_eq!(
        Poseidon2::<BabyBear, 6>::new(7, vec![], vec![], vec![], diag).err(),
        Some(HashError::UnsupportedWidth { width: 6 })
    );
    let diag = [BabyBear::ONE; 8];
    assert_eq!(
        Poseidon2::<BabyBear, 8>::new(4, vec![], vec![], vec![], diag).err(),
        Some(HashError::UnsupportedSboxDegree { degree: 4 })
    );
}
