//! Transcript: deterministic, sensitive to every observation, prover and verifier agree,
//! extension-field challenges for each small field.

use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_field::m31::{M31, QM31};
use zkprove_field::{ExtensionField, Field};
use zkprove_hash::{Poseidon2, Transcript};

type BbTranscript = Transcript<BabyBear, 16, 8>;

fn bb() -> BbTranscript {
    BbTranscript::with_label(Poseidon2::babybear_16(), b"test").expect("shape")
}

fn run(obs: &[u64], n_samples: usize) -> Vec<BabyBear> {
    let mut t = bb();
    for &o in obs {
        t.observe(BabyBear::from_u64(o));
    }
    (0..n_samples).map(|_| t.sample()).collect()
}

#[test]
fn deterministic() {
    assert_eq!(run(&[1, 2, 3], 20), run(&[1, 2, 3], 20));
}

#[test]
fn different_observations_give_different_challenges() {
    let base = run(&[1, 2, 3], 4);
    assert_ne!(base, run(&[1, 2, 4], 4));
    assert_ne!(base, run(&[1, 2], 4));
    assert_ne!(base, run(&[1, 2, 3, 0], 4));
    assert_ne!(base, run(&[0, 1, 2, 3], 4));
    // Exactly RATE, and more than RATE, observations.
    assert_ne!(run(&[5; 8], 4), run(&[5; 9], 4));
    assert_ne!(run(&[5; 16], 4), run(&[5; 17], 4));
    // Different labels.
    let mut a = BbTranscript::with_label(Poseidon2::babybear_16(), b"a").expect("shape");
    let mut b = BbTranscript::with_label(Poseidon2::babybear_16(), b"b").expect("shape");
    assert_ne!(a.sample(), b.sample());
    // Consecutive challenges differ, also across the RATE boundary.
    let s = run(&[7], 20);
    for i in 1..s.len() {
        assert_ne!(s[i], s[i - 1]);
    }
}

#[test]
fn prover_and_verifier_agree() {
    // A toy interaction: commit, challenge, respond, challenge, query indices.
    let root = [BabyBear::from_u64(11); 8];
    let mut prover = bb();
    prover.observe_digest(&root);
    let alpha: BabyBearExt4 = prover.sample_ext();
    let response = alpha * alpha;
    prover.observe_ext(&response);
    let beta = prover.sample();
    let queries: Vec<usize> = (0..5).map(|_| prover.sample_bits(10).expect("bits")).collect();

    let mut verifier = bb();
    verifier.observe_digest(&root);
    let v_alpha: BabyBearExt4 = verifier.sample_ext();
    assert_eq!(v_alpha, alpha);
    verifier.observe_ext(&(v_alpha * v_alpha));
    assert_eq!(verifier.sample(), beta);
    let v_queries: Vec<usize> = (0..5).map(|_| verifier.sample_bits(10).expect("bits")).collect();
    assert_eq!(v_queries, queries);
    assert!(queries.iter().all(|&q| q < 1024));

    // A verifier that sees a different response gets a different challenge.
    let mut cheat = bb();
    cheat.observe_digest(&root);
    let _: BabyBearExt4 = cheat.sample_ext();
    cheat.observe_ext(&(alpha * alpha + BabyBearExt4::ONE));
    assert_ne!(cheat.sample(), beta);
}

fn ext_challenges_are_full<F: Field, E: ExtensionField<F>, const W: usize>(perm: Poseidon2<F, W>) {
    let mut t = Transcript::<F, W, 8>::new(perm).expect("shape");
    let e: E = t.sample_ext();
    assert!(!e.is_in_base_field());
    let mut t2 = t.clone();
    assert_eq!(t.sample_ext::<E>(), t2.sample_ext::<E>());
}

#[test]
fn extension_challenges() {
    ext_challenges_are_full::<BabyBear, BabyBearExt4, 16>(Poseidon2::babybear_16());
    ext_challenges_are_full::<M31, QM31, 16>(Poseidon2::m31_16());
    ext_challenges_are_full::<Goldilocks, GoldilocksExt2, 12>(Poseidon2::goldilocks_12());
}

#[test]
fn bad_parameters() {
    assert!(Transcript::<BabyBear, 16, 16>::new(Poseidon2::babybear_16()).is_err());
    assert!(Transcript::<BabyBear, 16, 0>::new(Poseidon2::babybear_16()).is_err());
    assert!(bb().sample_bits(31).is_err());
}
