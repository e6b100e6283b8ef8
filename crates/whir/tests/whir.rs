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
        [(10, 4, 1, 20), (11, 2, 2, 20), (12, 3, 1, 20), (13, 1, 3, 20), (14, 4, 1, 16)]
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
    let p = WhirParams { soundness: SoundnessType::UniqueDecoding, ..params(10, 2, 2, 20) };
    let whir = BbWhir::new(p, bb_hash()).expect("params");
    let poly = random_mle::<BabyBear>(10, 3);
    let point = random_point::<BabyBearExt4>(10, 3);
    let (_, res) = round_trip(&whir, &bb_transcript(), &poly, &point);
    assert_eq!(res, Ok(()));
    assert!(whir.config().achieved_bits >= 100.0);
    // The proven (Johnson) bound reaches 100 bits over Goldilocks² for a small polynomial (one
    // round, 14 bits of folding grinding); over BabyBear⁴ it needs more than a nonce can give.
    type H = Poseidon2Merkle<Goldilocks, 12, 8, 4>;
    let t = Transcript::<Goldilocks, 12, 8>::with_label(Poseidon2::goldilocks_12(), b"whir")
        .expect("shape");
    let p = WhirParams { soundness: SoundnessType::ProvableList, ..params(8, 2, 1, 20) };
    let whir = Whir::<Goldilocks, GoldilocksExt2, H>::new(
        p,
        H::new(Poseidon2::goldilocks_12()).expect("shape"),
    )
    .expect("params");
    assert!(whir.config().achieved_bits >= 100.0);
    let poly = random_mle::<Goldilocks>(8, 3);
    let point = random_point::<GoldilocksExt2>(8, 3);
    let (_, res) = round_trip(&whir, &t, &poly, &point);
    assert_eq!(res, Ok(()));
    let p = WhirParams { soundness: SoundnessType::ProvableList, ..params(16, 4, 1, 26) };
    assert!(matches!(BbWhir::new(p, bb_hash()), Err(WhirError::Params { .. })));
}

#[test]
fn goldilocks_completeness() {
    type H = Poseidon2Merkle<Goldilocks, 12, 8, 4>;
    let t = Transcript::<Goldilocks, 12, 8>::with_label(Poseidon2::goldilocks_12(), b"whir")
        .expect("shape");
    for (log_n, k) in [(10, 4), (12, 3)] {
        let whir = Whir::<Goldilocks, GoldilocksExt2, H>::new(
            params(log_n, k, 1, 20),
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

/// A larger domain reduction `j` (the domain shrinks by `2^j` per round): honest proofs verify
/// and open the true value, the later codewords are `2^(j−1)` times smaller per round, the
/// level stays ≥ 100 bits, and a proof made under another `j` is rejected (the reduction is
/// bound into the transcript, and the verifier checks every path against its own tree heights).
#[test]
fn domain_reduction_complete_and_bound() {
    let (log_n, k) = (14, 4);
    let poly = random_mle::<BabyBear>(log_n, 21);
    let point = random_point::<BabyBearExt4>(log_n, 21);
    let mut proofs = Vec::new();
    for j in 1..=k {
        let whir =
            BbWhir::with_domain_reduction(params(log_n, k, 1, 20), j, bb_hash()).expect("params");
        let cfg = whir.config();
        assert_eq!(cfg.domain_reduction, j);
        for (i, rc) in cfg.rounds.iter().enumerate() {
            assert_eq!(rc.log_domain, log_n + 1 - i * j);
            assert_eq!(rc.log_inv_rate, 1 + i * (k - j));
        }
        assert!(cfg.achieved_bits >= 100.0, "{cfg:?}");
        let ((value, proof), res) = round_trip(&whir, &bb_transcript(), &poly, &point);
        assert_eq!(res, Ok(()), "j={j}");
        assert_eq!(value, poly.evaluate(&point).expect("dims"));
        // A tampered row of the second codeword is caught.
        let mut bad = proof.clone();
        bad.rounds[1].openings[0].0[0] += BabyBear::ONE;
        assert!(bb_verify(&whir, &poly, &point, value, &bad).is_err(), "j={j}");
        proofs.push((whir, value, proof));
    }
    for (a, (_, value, proof)) in proofs.iter().enumerate() {
        for (b, (wb, _, _)) in proofs.iter().enumerate() {
            let res = bb_verify(wb, &poly, &point, *value, proof);
            assert_eq!(res.is_ok(), a == b, "proof for j={} checked with j={}", a + 1, b + 1);
        }
    }
    assert!(BbWhir::with_domain_reduction(params(log_n, k, 1, 20), 0, bb_hash()).is_err());
    assert!(BbWhir::with_domain_reduction(params(log_n, k, 1, 20), k + 1, bb_hash()).is_err());
}

/// The AIR prover's default schedule (folding factor 5, domain reduction 2, ≤ 24 bits of
/// grinding, asked for 101–102 bits) is accepted at every size it commits, over both fields,
/// and reaches what it is asked for.
#[test]
fn air_default_schedule_accepted() {
    for (order, degree, adicity) in [
        (BabyBear::ORDER_U64, 4usize, BabyBear::TWO_ADICITY),
        (Goldilocks::ORDER_U64, 2, Goldilocks::TWO_ADICITY),
    ] {
        for n in 5..=26 {
            for bits in [101, 102] {
                let p = WhirParams { security_bits: bits, ..params(n, 5, 1, 24) };
                let cfg =
                    zkprove_whir::WhirConfig::with_domain_reduction(p, 2, order, degree, adicity)
                        .expect("accepted");
                assert!(cfg.achieved_bits >= bits as f64, "{cfg:?}");
                assert!(first_principles_bits(&cfg, order, degree, 2) >= bits as f64);
            }
        }
    }
}

/// A proof at n = 12, k = 3 (4 rounds... 2 rounds, two commitments) to tamper with.
fn bb_fixture() -> (BbWhir, Mle<BabyBear>, Vec<BabyBearExt4>, BabyBearExt4, BbProof) {
    let whir = BbWhir::new(params(12, 3, 1, 20), bb_hash()).expect("params");
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
    let whir = BbWhir::new(params(10, 4, 1, 20), bb_hash()).expect("params");
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
    // The default (conjecture, ≤ 20 bits of grinding) reaches 100 bits at n = 20.
    let whir = BbWhir::new(WhirParams::new(20), bb_hash()).expect("params");
    assert!(whir.config().achieved_bits >= 100.0);
    // With no grinding allowed the later folding rounds cannot reach 100 bits at n = 12.
    assert!(matches!(BbWhir::new(params(12, 4, 1, 0), bb_hash()), Err(WhirError::Params { .. })));
    // A polynomial of the wrong size.
    let whir = BbWhir::new(params(10, 4, 1, 20), bb_hash()).expect("params");
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
        let other = BbWhir::new(params(12, k, r, 20), bb_hash()).expect("params");
        assert!(bb_verify(&other, &poly, &point, value, &proof).is_err(), "k={k} r={r}");
    }
    // A witness for another size.
    let small = BbWhir::new(params(10, 4, 1, 20), bb_hash()).expect("params");
    let big = BbWhir::new(params(12, 3, 1, 20), bb_hash()).expect("params");
    let mut t = bb_transcript();
    let (_, witness) = small.commit(&mut t, &random_mle::<BabyBear>(10, 1)).expect("commit");
    assert!(matches!(big.open(&mut t, &witness, &point), Err(WhirError::WrongLength { .. })));
}

/// A Merkle path one level short (its last sibling dropped) is refused for its height, whatever
/// it recomputes.
#[test]
fn merkle_path_of_another_height_rejected() {
    let (whir, poly, point, value, proof) = bb_fixture();
    let mut bad = proof.clone();
    bad.rounds[0].openings[0].1.siblings.pop();
    let res = bb_verify(&whir, &poly, &point, value, &bad);
    assert!(
        matches!(
            res,
            Err(WhirError::MerklePath {
                round: 0,
                query: 0,
                source: zkprove_hash::MerkleError::WrongHeight { .. }
            })
        ),
        "{res:?}"
    );
}

/// The proof of work before the first combination challenge is checked.
#[test]
fn combination_pow_checked() {
    let whir = BbWhir::new(params(16, 4, 1, 20), bb_hash()).expect("params");
    assert!(whir.config().combination_pow_bits > 0, "{:?}", whir.config());
    let poly = random_mle::<BabyBear>(16, 9);
    let point = random_point::<BabyBearExt4>(16, 9);
    let ((value, proof), res) = round_trip(&whir, &bb_transcript(), &poly, &point);
    assert_eq!(res, Ok(()));
    // Any other nonce is rejected: by the proof-of-work check where it fails the difficulty,
    // by the sumcheck (another γ) where it happens to pass.
    let mut pow_failures = 0;
    for delta in 1..32u64 {
        let mut bad = proof.clone();
        bad.combination_pow += BabyBear::from_u64(delta);
        let res = bb_verify(&whir, &poly, &point, value, &bad);
        assert!(res.is_err(), "nonce + {delta}");
        pow_failures += usize::from(matches!(res, Err(WhirError::ProofOfWork { round: 0 })));
    }
    assert!(pow_failures > 0);
}

/// Proof of work is one field element's low bits: asking for more bits than a nonce of BabyBear
/// can be ground for (the old code credited up to 60) is refused.
#[test]
fn pow_beyond_one_nonce_refused() {
    for pow in [27, 31, 40, 60] {
        let res = BbWhir::new(params(12, 4, 1, pow), bb_hash());
        assert!(matches!(res, Err(WhirError::Params { .. })), "{pow}: {res:?}");
    }
    assert_eq!(zkprove_whir::max_pow_bits_for(BabyBear::ORDER_U64), 26);
    assert_eq!(zkprove_whir::max_pow_bits_for(Goldilocks::ORDER_U64), 59);
    // What a check of b low zero bits enforces on a uniform element: −log2(⌈p/2^b⌉/p) ≤ b.
    for b in [1usize, 8, 16, 26] {
        let c = zkprove_whir::pow_credit(BabyBear::ORDER_U64, b);
        assert!(c <= b as f64 && c > b as f64 - 0.1, "{b}: {c}");
    }
    // 31 bits of a BabyBear element: only 0 passes, 2^-30.9 — not 31 bits.
    assert!(zkprove_whir::pow_credit(BabyBear::ORDER_U64, 31) < 31.0);
}

/// The security level recomputed from first principles, for a grid of configurations over
/// BabyBear⁴ and Goldilocks²: every term from the configuration's own rounds (queries, OOD
/// samples, grinding) with the bounds written out again here. Fails if the code claims more
/// than this recomputation, or less than the target for a configuration it accepts.
#[test]
fn security_recomputed_from_first_principles() {
    let mut checked = 0;
    for (order, degree, adicity) in [
        (BabyBear::ORDER_U64, 4usize, BabyBear::TWO_ADICITY),
        (Goldilocks::ORDER_U64, 2, Goldilocks::TWO_ADICITY),
    ] {
        for s in [
            SoundnessType::ConjectureList,
            SoundnessType::ProvableList,
            SoundnessType::UniqueDecoding,
        ] {
            for n in [8usize, 10, 12, 16, 20, 24] {
                for r in [1usize, 2, 3] {
                    for k in [1usize, 2, 3, 4, 5] {
                        for (pow, j) in [0usize, 16, 20, 26]
                            .into_iter()
                            .flat_map(|pow| (1..=k).map(move |j| (pow, j)))
                        {
                            let p = WhirParams {
                                log_n: n,
                                log_inv_rate: r,
                                folding_factor: k,
                                security_bits: 100,
                                max_pow_bits: pow,
                                soundness: s,
                            };
                            let Ok(cfg) = zkprove_whir::WhirConfig::with_domain_reduction(
                                p, j, order, degree, adicity,
                            ) else {
                                continue;
                            };
                            let bits = first_principles_bits(&cfg, order, degree, j);
                            assert!(
                                cfg.achieved_bits <= bits + 1e-9,
                                "claims {} > recomputed {bits}: {cfg:?}",
                                cfg.achieved_bits
                            );
                            assert!(bits >= 100.0, "accepted at {bits} bits: {cfg:?}");
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 800, "{checked}");
}

/// `−log2` of the worst round-by-round error of a configuration (see the WHIR crate docs for
/// the sources: STIR Conjecture 5.6, BCIKS20 Theorems 1.4/1.5, the Johnson bound), from its
/// rounds' queries, OOD samples, grinding and slacks `η` only.
/// `j` is the domain reduction the configuration was asked for: round `i`'s codeword lives on
/// `2^(n + r − ij)` points.
fn first_principles_bits(
    cfg: &zkprove_whir::WhirConfig,
    order: u64,
    degree: usize,
    j: usize,
) -> f64 {
    let p = order as f64;
    let b = p.log2() * degree as f64;
    let credit = |bits: usize| -> f64 {
        // Probability that the low `bits` bits of a uniform element of F_p are all zero.
        let passing = (order as u128).div_ceil(1u128 << bits) as f64;
        -(passing / p).log2()
    };
    let s = cfg.params.soundness;
    let (n, r, k) = (cfg.params.log_n, cfg.params.log_inv_rate, cfg.params.folding_factor);
    // Code j: 2^m coefficients, rate 2^-r, slack η (as the configuration states it).
    struct C {
        d: f64,
        rho: f64,
        eta: f64,
    }
    let codes: Vec<C> = cfg
        .rounds
        .iter()
        .enumerate()
        .map(|(i, rc)| {
            assert_eq!(rc.n_vars, n - i * k);
            assert_eq!(rc.log_domain, n + r - i * j);
            assert_eq!(rc.log_inv_rate, rc.log_domain - rc.n_vars);
            let eta = rc.log_eta.exp2();
            let rho = (-(rc.log_inv_rate as f64)).exp2();
            match s {
                // δ = 1 − ρ − η > 0, and queries must not be worthless.
                SoundnessType::ConjectureList => assert!(eta > 0.0 && rho + eta < 1.0),
                // BCIKS20 Theorem 1.5 needs μ = √ρ/(2η) ≥ 3.
                SoundnessType::ProvableList => assert!(rho.sqrt() / (2.0 * eta) >= 3.0 - 1e-9),
                SoundnessType::UniqueDecoding => {}
            }
            C { d: (rc.n_vars as f64).exp2(), rho, eta }
        })
        .collect();
    let list = |c: &C| -> f64 {
        match s {
            SoundnessType::ConjectureList => c.d / (c.rho * c.eta),
            SoundnessType::ProvableList => 1.0 / (2.0 * c.eta * c.rho.sqrt()),
            SoundnessType::UniqueDecoding => 1.0,
        }
    };
    let ood = |c: &C, n_ood: usize| -> f64 {
        if s == SoundnessType::UniqueDecoding {
            return f64::INFINITY;
        }
        let l = list(c);
        // C(ℓ, 2) · (d / |E|)^s
        -((l * l / 2.0).log2() + n_ood as f64 * (c.d.log2() - b))
    };
    // c constraints: each list member survives with probability ≤ c/|E|; ×2 slack.
    let combination =
        |c: &C, n_constraints: usize| b - (2.0 * n_constraints as f64 * list(c)).log2();
    let gaps = |c: &C| -> f64 {
        let domain = c.d / c.rho;
        let err = match s {
            SoundnessType::ConjectureList => c.d / (c.eta * c.rho * c.rho),
            SoundnessType::ProvableList => {
                let mu = c.rho.sqrt() / (2.0 * c.eta);
                (1.0 + 1.0 / (2.0 * mu)).powi(7) * mu.powi(7) / (3.0 * c.rho.powf(1.5))
                    * domain
                    * domain
            }
            SoundnessType::UniqueDecoding => domain,
        };
        b - err.log2()
    };
    let sumcheck = |c: &C| b - (2.0 * list(c)).log2();
    let per_query = |c: &C| -> f64 {
        let one_minus_delta = match s {
            SoundnessType::ConjectureList => c.rho + c.eta,
            SoundnessType::ProvableList => c.rho.sqrt() + c.eta,
            SoundnessType::UniqueDecoding => (1.0 + c.rho) / 2.0,
        };
        -one_minus_delta.log2()
    };
    let mut worst = ood(&codes[0], cfg.commit_ood);
    worst =
        worst.min(combination(&codes[0], 1 + cfg.commit_ood) + credit(cfg.combination_pow_bits));
    for (i, rc) in cfg.rounds.iter().enumerate() {
        let c = &codes[i];
        worst = worst.min(gaps(c).min(sumcheck(c)) + credit(rc.folding_pow_bits));
        let mut q = rc.n_queries as f64 * per_query(c);
        if let Some(next) = codes.get(i + 1) {
            worst = worst.min(ood(next, rc.n_ood));
            q = q.min(combination(next, rc.n_ood + rc.n_queries));
        }
        worst = worst.min(q + credit(rc.query_pow_bits));
    }
    worst
}

/// A nonce where no grinding is asked must be zero: a proof has one form.
#[test]
fn nonces_without_grinding_must_be_zero() {
    let (whir, poly, point, value, proof) = bb_fixture();
    let cfg = whir.config().clone();
    let mut changed = 0;
    for (i, rc) in cfg.rounds.iter().enumerate() {
        if rc.query_pow_bits == 0 {
            let mut bad = proof.clone();
            bad.rounds[i].query_pow = BabyBear::ONE;
            assert!(bb_verify(&whir, &poly, &point, value, &bad).is_err(), "round {i}");
            changed += 1;
        }
        if rc.folding_pow_bits == 0 {
            let mut bad = proof.clone();
            bad.rounds[i].folding_pow[0] = BabyBear::ONE;
            assert!(bb_verify(&whir, &poly, &point, value, &bad).is_err(), "round {i}");
            changed += 1;
        }
    }
    if cfg.combination_pow_bits == 0 {
        let mut bad = proof.clone();
        bad.combination_pow = BabyBear::ONE;
        assert!(bb_verify(&whir, &poly, &point, value, &bad).is_err());
        changed += 1;
    }
    assert!(changed > 0, "the fixture grinds everywhere: {cfg:?}");
}

/// Large polynomials stay provable: late rounds take a larger slack η (fewer bits per query,
/// a smaller proximity-gaps error) instead of grinding past the limit.
#[test]
fn late_rounds_trade_eta_for_grinding() {
    for n in [20usize, 24] {
        let cfg = BbWhir::new(WhirParams::new(n), bb_hash()).expect("params").config().clone();
        assert!(cfg.achieved_bits >= 100.0);
        assert!(cfg.rounds.iter().all(|r| r.folding_pow_bits <= 16), "{cfg:?}");
        let first = cfg.rounds[0].log_eta + cfg.rounds[0].log_inv_rate as f64;
        let last = cfg.rounds.last().map(|r| r.log_eta + r.log_inv_rate as f64).expect("rounds");
        assert!(last > first, "η/ρ grows in late rounds: {cfg:?}");
    }
}

/// Several points in one opening: random points and points with a Boolean prefix (claims on
/// one aligned block, as the AIR prover stacks tables), each value the polynomial's; a changed
/// value, a swapped pair of points, or the wrong number of points is rejected; the combination
/// term accounts for the points.
#[test]
fn many_points_complete_and_sound() {
    let log_n = 12;
    let one = BabyBearExt4::ONE;
    let zero = BabyBearExt4::ZERO;
    let mut points = vec![random_point::<BabyBearExt4>(log_n, 1), random_point(log_n, 2)];
    let mut prefixed = vec![one, zero, one];
    prefixed.extend(random_point::<BabyBearExt4>(log_n - 3, 3));
    points.push(prefixed);
    let mut vertex_prefix = vec![zero; log_n - 2];
    vertex_prefix.extend(random_point::<BabyBearExt4>(2, 4));
    points.push(vertex_prefix);
    let single = BbWhir::new(params(log_n, 4, 1, 20), bb_hash()).expect("params");
    let whir = single.clone().with_points(points.len()).expect("points");
    let comb = |w: &BbWhir| {
        w.config()
            .terms
            .iter()
            .find(|t| t.round.is_none() && t.kind == zkprove_whir::TermKind::Combination)
            .map(|t| t.error_bits)
            .expect("combination term")
    };
    // log2(4 + OOD) − log2(1 + OOD) bits less before grinding, and still ≥ 100 overall.
    assert!(comb(&whir) < comb(&single), "{} vs {}", comb(&whir), comb(&single));
    assert!(whir.config().achieved_bits >= 100.0, "{:?}", whir.config());
    let poly = random_mle::<BabyBear>(log_n, 7);
    let refs: Vec<&[BabyBearExt4]> = points.iter().map(Vec::as_slice).collect();
    let mut pt = bb_transcript();
    let (commitment, witness) = whir.commit(&mut pt, &poly).expect("commit");
    let (values, proof) = whir.open_many(&mut pt, &witness, &refs).expect("open");
    for (p, v) in points.iter().zip(&values) {
        assert_eq!(*v, poly.evaluate(p).expect("dims"));
    }
    let verify = |refs: &[&[BabyBearExt4]], values: &[BabyBearExt4]| {
        let mut vt = bb_transcript();
        let received = whir.receive_commitment(&mut vt, &commitment)?;
        whir.verify_many(&mut vt, &received, refs, values, &proof)
    };
    assert_eq!(verify(&refs, &values), Ok(()));
    for i in 0..values.len() {
        let mut bad = values.clone();
        bad[i] += one;
        assert!(verify(&refs, &bad).is_err(), "value {i} changed");
    }
    let mut swapped = refs.clone();
    swapped.swap(0, 2);
    assert!(verify(&swapped, &values).is_err(), "points swapped");
    assert!(verify(&refs[..3], &values[..3]).is_err(), "a point dropped");
    assert!(single.open_many(&mut bb_transcript(), &witness, &refs).is_err());
}
