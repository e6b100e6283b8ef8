//! WHIR completeness and soundness: honest proofs verify and open the true value; a wrong value,
//! any tampered proof part and a proof for another commitment are rejected.

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_field::{ExtensionField, Field, PrimeField64, TwoAdicField};
use zkprove_hash::{MerkleHash, Poseidon2, Poseidon2Merkle, Transcript};
use zkprove_poly::{Mle, eq_table};
use zkprove_whir::{Opened, SoundnessType, Whir, WhirError, WhirParams, WhirProof};

type BbHash = Poseidon2Merkle<BabyBear, 16, 8, 8>;
type BbTranscript = Transcript<BabyBear, 16, 8>;
type BbWhir = Whir<BabyBear, BabyBearExt4, BbHash>;
type BbProof = WhirProof<BabyBear, BabyBearExt4, [BabyBear; 8]>;

fn bb_hash() -> BbHash {
    BbHash::new(Poseidon2::babybear_16()).expect("shape")
}

fn bb_transcript() -> BbTranscript {
    BbTranscript::with_label(Poseidon2::babybear_16(), b"whir-test").expect("shape")
}

fn params(log_n: usize, k: usize, r: usize, pow: usize) -> WhirParams {
    WhirParams {
        log_n,
        log_inv_rate: r,
        folding_factor: k,
        security_bits: 100,
        max_pow_bits: pow,
        soundness: SoundnessType::ConjectureList,
    }
}

fn random_mle<F: Field>(log_n: usize, seed: u64) -> Mle<F> {
    let mut rng = StdRng::seed_from_u64(seed);
    Mle::new((0..1 << log_n).map(|_| F::random(&mut rng)).collect()).expect("power of two")
}

fn random_point<E: Field>(log_n: usize, seed: u64) -> Vec<E> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x9e37_79b9);
    (0..log_n).map(|_| E::random(&mut rng)).collect()
}

/// Commit, open and verify with fresh transcripts; returns the opened value and the proof.
fn round_trip<F, E, H, const W: usize, const R: usize>(
    whir: &Whir<F, E, H>,
    transcript: &Transcript<F, W, R>,
    poly: &Mle<F>,
    point: &[E],
) -> (Opened<F, E, H>, Result<(), WhirError>)
where
    F: PrimeField64 + TwoAdicField,
    E: ExtensionField<F>,
    H: MerkleHash<F = F>,
    H::Digest: AsRef<[F]>,
{
    let mut pt = transcript.clone();
    let (commitment, witness) = whir.commit(&mut pt, poly).expect("commit");
    let (value, proof) = whir.open(&mut pt, &witness, point).expect("open");
    let mut vt = transcript.clone();
    let received = whir.receive_commitment(&mut vt, &commitment).expect("commitment");
    let res = whir.verify(&mut vt, &received, point, value, &proof);
    ((value, proof), res)
}

fn bb_verify(
    whir: &BbWhir,
    poly: &Mle<BabyBear>,
    point: &[BabyBearExt4],
    value: BabyBearExt4,
    proof: &BbProof,
) -> Result<(), WhirError> {
    let mut pt = bb_transcript();
    let (commitment, _) = whir.commit(&mut pt, poly).expect("commit");
    let mut vt = bb_transcript();
    let received = whir.receive_commitment(&mut vt, &commitment)?;
    whir.verify(&mut vt, &received, point, value, proof)
}

#[test]
fn babybear_completeness_and_value() {
    for (log_n, k, r, pow) in
        [(10, 4, 1, 4), (11, 2, 2, 4), (12, 3, 1, 8), (13, 1, 3, 4), (14, 4, 1, 16)]
    {
        let whir = BbWhir::new(params(log_n, k, r, pow), bb_hash()).expect("params");
        let poly = random_mle::<BabyBear>(log_n, log_n as u64);
        let point = random_point::<BabyBearExt4>(log_n, log_n as u64);
        let ((value, _), res) = round_trip(&whir, &bb_transcript(), &poly, &point);
        assert_eq!(res, Ok(()), "n={log_n} k={k} r={r}");
        assert_eq!(value, poly.evaluate(&point).expect("dims"));
        // Independent oracle: Σ_b eq(z, b)·f(b).
        let eq = eq_table(&point);
        let dot: BabyBearExt4 = eq.iter().zip(poly.evals()).map(|(&e, &f)| e * f).sum();
        assert_eq!(value, dot);
        assert!(whir.config().achieved_bits >= 100.0, "{:?}", whir.config());
    }
}

#[test]
fn other_soundness_types_complete() {
    for s in [SoundnessType::UniqueDecoding, SoundnessType::ProvableList] {
        let p = WhirParams { soundness: s, max_pow_bits: 20, ..params(10, 2, 2, 0) };
        let whir = BbWhir::new(p, bb_hash()).expect("params");
        let poly = random_mle::<BabyBear>(10, 3);
        let point = random_point::<BabyBearExt4>(10, 3);
        let (_, res) = round_trip(&whir, &bb_transcript(), &poly, &point);
        assert_eq!(res, Ok(()), "{s}");
    }
}

#[test]
fn goldilocks_completeness() {
    type H = Poseidon2Merkle<Goldilocks, 12, 8, 4>;
    let t = Transcript::<Goldilocks, 12, 8>::with_label(Poseidon2::goldilocks_12(), b"whir")
        .expect("shape");
    for (log_n, k) in [(10, 4), (12, 3)] {
        let whir = Whir::<Goldilocks, GoldilocksExt2, H>::new(
            params(log_n, k, 1, 0),
            H::new(Poseidon2::goldilocks_12()).expect("shape"),
        )
        .expect("params");
        let poly = random_mle::<Goldilocks>(log_n, 7);
        let point = random_point::<GoldilocksExt2>(log_n, 7);
        let ((value, _), res) = round_trip(&whir, &t, &poly, &point);
        assert_eq!(res, Ok(()));
        assert_eq!(value, poly.evaluate(&point).expect("dims"));
    }
}

/// A proof at n = 12, k = 3 (4 rounds... 2 rounds, two commitments) to tamper with.
fn bb_fixture() -> (BbWhir, Mle<BabyBear>, Vec<BabyBearExt4>, BabyBearExt4, BbProof) {
    let whir = BbWhir::new(params(12, 3, 1, 4), bb_hash()).expect("params");
    let poly = random_mle::<BabyBear>(12, 11);
    let point = random_point::<BabyBearExt4>(12, 11);
    let ((value, proof), res) = round_trip(&whir, &bb_transcript(), &poly, &point);
    assert_eq!(res, Ok(()));
    assert!(proof.rounds.len() >= 2, "fixture should have an intermediate commitment");
    (whir, poly, point, value, proof)
}

#[test]
fn wrong_value_rejected() {
    let (whir, poly, point, value, proof) = bb_fixture();
    let res = bb_verify(&whir, &poly, &point, value + BabyBearExt4::ONE, &proof);
    assert!(matches!(res, Err(WhirError::SumcheckRound { round: 0, step: 0 })), "{res:?}");
}

#[test]
fn wrong_point_rejected() {
    let (whir, poly, mut point, value, proof) = bb_fixture();
    point[3] += BabyBearExt4::ONE;
    assert!(bb_verify(&whir, &poly, &point, value, &proof).is_err());
}

#[test]
fn tampered_sumcheck_rejected() {
    let (whir, poly, point, value, proof) = bb_fixture();
    for round in 0..proof.rounds.len() {
        for step in 0..3 {
            for c in 0..3 {
                let mut bad = proof.clone();
                bad.rounds[round].sumcheck[step][c] += BabyBearExt4::ONE;
                let res = bb_verify(&whir, &poly, &point, value, &bad);
                assert!(res.is_err(), "round {round} step {step} coeff {c}");
            }
        }
    }
    // Changing h₀ and h₁ so that h(0) + h(1) still matches passes the sum check but not the rest.
    let mut bad = proof.clone();
    let delta = BabyBearExt4::from_base(BabyBear::from_u64(5));
    bad.rounds[0].sumcheck[1][0] += delta;
    bad.rounds[0].sumcheck[1][1] -= delta + delta;
    assert!(bb_verify(&whir, &poly, &point, value, &bad).is_err());
}

#[test]
fn tampered_merkle_path_rejected() {
    let (whir, poly, point, value, proof) = bb_fixture();
    for round in 0..proof.rounds.len() {
        for q in [0, proof.rounds[round].openings.len() - 1] {
            let n_sib = proof.rounds[round].openings[q].1.siblings.len();
            for level in [0, n_sib - 1] {
                let mut bad = proof.clone();
                bad.rounds[round].openings[q].1.siblings[level][2] += BabyBear::ONE;
                let res = bb_verify(&whir, &poly, &point, value, &bad);
                assert!(
                    matches!(res, Err(WhirError::MerklePath { round: r, query, .. }) if r == round && query == q),
                    "{res:?}"
                );
            }
        }
    }
}

#[test]
fn tampered_query_answer_rejected() {
    let (whir, poly, point, value, proof) = bb_fixture();
    for round in 0..proof.rounds.len() {
        let mut bad = proof.clone();
        bad.rounds[round].openings[1].0[3] += BabyBear::ONE;
        let res = bb_verify(&whir, &poly, &point, value, &bad);
        assert!(matches!(res, Err(WhirError::MerklePath { .. })), "{res:?}");
        let mut bad = proof.clone();
        bad.rounds[round].openings[1].0.pop();
        assert!(bb_verify(&whir, &poly, &point, value, &bad).is_err());
    }
    // A missing opening.
    let mut bad = proof.clone();
    bad.rounds[0].openings.pop();
    assert!(matches!(
        bb_verify(&whir, &poly, &point, value, &bad),
        Err(WhirError::WrongLength { .. })
    ));
}

#[test]
fn tampered_final_poly_rejected() {
    let (whir, poly, point, value, proof) = bb_fixture();
    for i in 0..proof.final_poly.len() {
        let mut bad = proof.clone();
        bad.final_poly[i] += BabyBearExt4::ONE;
        assert!(bb_verify(&whir, &poly, &point, value, &bad).is_err(), "coefficient {i}");
    }
    let mut bad = proof.clone();
    bad.final_poly.push(BabyBearExt4::ZERO);
    assert!(matches!(
        bb_verify(&whir, &poly, &point, value, &bad),
        Err(WhirError::WrongLength { .. })
    ));
}

#[test]
fn tampered_ood_and_roots_rejected() {
    let (whir, poly, point, value, proof) = bb_fixture();
    let mut bad = proof.clone();
    bad.rounds[0].ood_answers[0] += BabyBearExt4::ONE;
    assert!(bb_verify(&whir, &poly, &point, value, &bad).is_err());
    let mut bad = proof.clone();
    if let Some(root) = bad.rounds[0].next_root.as_mut() {
        root[0] += BabyBear::ONE;
    }
    assert!(bb_verify(&whir, &poly, &point, value, &bad).is_err());
}

#[test]
fn tampered_commitment_ood_rejected() {
    let (whir, poly, point, value, proof) = bb_fixture();
    let mut pt = bb_transcript();
    let (mut commitment, _) = whir.commit(&mut pt, &poly).expect("commit");
    commitment.ood_answers[0] += BabyBearExt4::ONE;
    let mut vt = bb_transcript();
    let received = whir.receive_commitment(&mut vt, &commitment).expect("shape");
    assert!(whir.verify(&mut vt, &received, &point, value, &proof).is_err());
}

#[test]
fn proof_for_other_commitment_rejected() {
    let (whir, _, point, _, _) = bb_fixture();
    let f = random_mle::<BabyBear>(12, 100);
    let g = random_mle::<BabyBear>(12, 200);
    // A valid proof about g, checked against f's commitment.
    let mut pt = bb_transcript();
    let (_, wg) = whir.commit(&mut pt, &g).expect("commit");
    let (value, proof) = whir.open(&mut pt, &wg, &point).expect("open");
    let res = bb_verify(&whir, &f, &point, value, &proof);
    assert!(res.is_err(), "{res:?}");
    // Same value claimed for f (f(z) differs, but even a lucky value must fail).
    let fz = f.evaluate(&point).expect("dims");
    assert!(bb_verify(&whir, &f, &point, fz, &proof).is_err());
}

#[test]
fn pow_nonce_checked() {
    let whir = BbWhir::new(params(10, 4, 1, 12), bb_hash()).expect("params");
    let poly = random_mle::<BabyBear>(10, 5);
    let point = random_point::<BabyBearExt4>(10, 5);
    let ((value, proof), res) = round_trip(&whir, &bb_transcript(), &poly, &point);
    assert_eq!(res, Ok(()));
    assert!(whir.config().rounds.iter().any(|r| r.query_pow_bits > 0));
    let mut bad = proof.clone();
    let last = bad.rounds.len() - 1;
    bad.rounds[last].query_pow += BabyBear::ONE;
    let res = bb_verify(&whir, &poly, &point, value, &bad);
    assert!(matches!(res, Err(WhirError::ProofOfWork { .. })), "{res:?}");
}

#[test]
fn params_checked() {
    // Folding factor above n, rate 1, domain beyond BabyBear's two-adicity.
    assert!(matches!(BbWhir::new(params(3, 4, 1, 0), bb_hash()), Err(WhirError::Params { .. })));
    assert!(matches!(BbWhir::new(params(10, 4, 0, 0), bb_hash()), Err(WhirError::Params { .. })));
    assert!(matches!(BbWhir::new(params(27, 4, 1, 0), bb_hash()), Err(WhirError::Params { .. })));
    // Proven (Johnson) bound at n = 20 over BabyBear⁴ needs more than 16 bits of grinding.
    let p = WhirParams { soundness: SoundnessType::ProvableList, ..params(20, 4, 1, 16) };
    assert!(matches!(BbWhir::new(p, bb_hash()), Err(WhirError::Params { .. })));
    // The default (conjecture, 16 bits of grinding) reaches 100 bits at n = 20.
    let whir = BbWhir::new(WhirParams::new(20), bb_hash()).expect("params");
    assert!(whir.config().achieved_bits >= 100.0);
    // A polynomial of the wrong size.
    let whir = BbWhir::new(params(10, 4, 1, 0), bb_hash()).expect("params");
    let mut t = bb_transcript();
    assert!(matches!(
        whir.commit(&mut t, &random_mle::<BabyBear>(9, 1)),
        Err(WhirError::WrongLength { .. })
    ));
}

#[test]
fn proof_under_other_parameters_rejected() {
    let (_, poly, point, value, proof) = bb_fixture();
    // Same n, another folding factor or rate: the proof does not fit.
    for (k, r) in [(4, 1), (3, 2), (2, 1)] {
        let other = BbWhir::new(params(12, k, r, 4), bb_hash()).expect("params");
        assert!(bb_verify(&other, &poly, &point, value, &proof).is_err(), "k={k} r={r}");
    }
    // A witness for another size.
    let small = BbWhir::new(params(10, 4, 1, 4), bb_hash()).expect("params");
    let big = BbWhir::new(params(12, 3, 1, 4), bb_hash()).expect("params");
    let mut t = bb_transcript();
    let (_, witness) = small.commit(&mut t, &random_mle::<BabyBear>(10, 1)).expect("commit");
    assert!(matches!(big.open(&mut t, &witness, &point), Err(WhirError::WrongLength { .. })));
}
