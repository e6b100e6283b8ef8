//! AIR prover: honest proofs of the example AIRs verify (BabyBear⁴ and Goldilocks²), invalid
//! traces are refused by the prover and rejected by the verifier, every component of a proof
//! tampered is rejected, and the security level is computed from WHIR's configuration.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_air::examples::{FibonacciAir, Poseidon2Air, RangeCheckAir};
use zkprove_air::{
    Air, AirError, AirParams, AirProof, AirProver, ConstraintBuilder, LogUpTerm, Trace,
};
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_field::{ExtensionField, Field, PrimeField64};
use zkprove_hash::{Poseidon2, Poseidon2Merkle, Transcript};
use zkprove_sumcheck::SumcheckProof;
use zkprove_whir::{WhirCommitment, WhirProof};

type BbHash = Poseidon2Merkle<BabyBear, 16, 8, 8>;
type BbProver = AirProver<BabyBear, BabyBearExt4, BbHash>;
type BbProof = AirProof<BabyBear, BabyBearExt4, [BabyBear; 8]>;
type BbTranscript = Transcript<BabyBear, 16, 8>;

fn bb_prover() -> BbProver {
    AirProver::new(AirParams::default(), BbHash::new(Poseidon2::babybear_16()).expect("width"))
}

fn bb_transcript() -> BbTranscript {
    Transcript::with_label(Poseidon2::babybear_16(), b"air-test").expect("width")
}

fn prove_bb<A: Air<BabyBear>>(air: &A, trace: &Trace<BabyBear>) -> Result<BbProof, AirError> {
    bb_prover().prove(air, trace, &mut bb_transcript())
}

fn verify_bb<A: Air<BabyBear>>(air: &A, log_rows: usize, proof: &BbProof) -> Result<(), AirError> {
    bb_prover().verify(air, log_rows, proof, &mut bb_transcript())
}

#[test]
fn fibonacci_babybear_proves_and_verifies() {
    let (air, trace) = FibonacciAir::generate(10, BabyBear::ZERO, BabyBear::ONE).expect("trace");
    let proof = prove_bb(&air, &trace).expect("prove");
    verify_bb(&air, 10, &proof).expect("verify");
    assert!(proof.size_bytes() > 0);
    // Another claimed result, another row count: rejected.
    let other = FibonacciAir { result: air.result + BabyBear::ONE, ..air };
    assert!(verify_bb(&other, 10, &proof).is_err());
    assert!(verify_bb(&air, 11, &proof).is_err());
}

/// WHIR's schedule is part of the parameters: a table smaller than the folding factor still
/// proves (all its variables fold at once), and a proof made under the defaults (folding factor
/// 5, domain reduction 2) is rejected by a verifier with the schedule before 2026-12-07 (4, 1).
#[test]
fn whir_schedule_small_tables_and_binding() {
    for log_rows in [2, 10] {
        let (air, trace) =
            FibonacciAir::generate(log_rows, BabyBear::ZERO, BabyBear::ONE).expect("trace");
        let proof = prove_bb(&air, &trace).expect("prove");
        verify_bb(&air, log_rows, &proof).expect("verify");
        assert!(bb_prover().achieved_bits(&air, log_rows).expect("bits") >= 100.0);
        let old = AirProver::new(
            AirParams { folding_factor: 4, domain_reduction: 1, ..AirParams::default() },
            BbHash::new(Poseidon2::babybear_16()).expect("width"),
        );
        assert!(old.verify(&air, log_rows, &proof, &mut bb_transcript()).is_err());
        let old_proof = old.prove(&air, &trace, &mut bb_transcript()).expect("prove");
        old.verify(&air, log_rows, &old_proof, &mut bb_transcript()).expect("verify");
        assert!(verify_bb(&air, log_rows, &old_proof).is_err());
    }
}

#[test]
fn fibonacci_goldilocks_proves_and_verifies() {
    type H = Poseidon2Merkle<Goldilocks, 12, 8, 4>;
    let prover: AirProver<Goldilocks, GoldilocksExt2, H> =
        AirProver::new(AirParams::default(), H::new(Poseidon2::goldilocks_12()).expect("width"));
    let t = || -> Transcript<Goldilocks, 12, 8> {
        Transcript::with_label(Poseidon2::goldilocks_12(), b"air-test").expect("width")
    };
    let (air, trace) = FibonacciAir::generate(9, Goldilocks::ONE, Goldilocks::ONE).expect("trace");
    let proof = prover.prove(&air, &trace, &mut t()).expect("prove");
    prover.verify(&air, 9, &proof, &mut t()).expect("verify");
    let bits = prover.achieved_bits(&air, 9).expect("security");
    assert!(bits >= 100.0, "{bits}");
    let mut bad = proof.clone();
    bad.main_evals[1] += GoldilocksExt2::ONE;
    assert!(prover.verify(&air, 9, &bad, &mut t()).is_err());
}

#[test]
fn wrong_fibonacci_trace_is_refused_and_its_forced_proof_rejected() {
    let (air, mut trace) =
        FibonacciAir::generate(10, BabyBear::ZERO, BabyBear::ONE).expect("trace");
    trace.columns_mut()[1][500] += BabyBear::ONE;
    match prove_bb(&air, &trace) {
        Err(AirError::ConstraintFailed { row, .. }) => assert!(row == 499 || row == 500),
        other => panic!("expected a failed constraint, got {other:?}"),
    }
    let forced = bb_prover().prove_unchecked(&air, &trace, &mut bb_transcript()).expect("prove");
    assert!(matches!(verify_bb(&air, 10, &forced), Err(AirError::Zerocheck)));
    // A trace that is only wrong at the boundary.
    let (air, trace) = FibonacciAir::generate(10, BabyBear::ZERO, BabyBear::ONE).expect("trace");
    let lie = FibonacciAir { result: air.result + BabyBear::ONE, ..air };
    assert!(matches!(prove_bb(&lie, &trace), Err(AirError::ConstraintFailed { row: 1023, .. })));
    let forced = bb_prover().prove_unchecked(&lie, &trace, &mut bb_transcript()).expect("prove");
    assert!(verify_bb(&lie, 10, &forced).is_err());
}

#[test]
fn range_check_by_logup() {
    let air = RangeCheckAir { bits: 8 };
    let mut rng = StdRng::seed_from_u64(5);
    let values: Vec<u64> = (0..1000).map(|_| rng.random_range(0..256)).collect();
    let trace = air.generate::<BabyBear>(10, &values).expect("trace");
    let proof = prove_bb(&air, &trace).expect("prove");
    verify_bb(&air, 10, &proof).expect("verify");
    assert!(proof.aux_commitment.is_some());

    // A value out of range: the prover refuses, a forced proof is rejected.
    let mut bad = trace.clone();
    bad.columns_mut()[0][17] = BabyBear::from_u64(256);
    assert!(matches!(prove_bb(&air, &bad), Err(AirError::LogUpUnbalanced)));
    let forced = bb_prover().prove_unchecked(&air, &bad, &mut bb_transcript()).expect("prove");
    assert!(verify_bb(&air, 10, &forced).is_err());
    // A table that skips a value (and multiplicities adjusted to balance): constraints fail.
    let mut skip = trace.clone();
    for i in 100..1024 {
        skip.columns_mut()[1][i] = BabyBear::from_u64((i as u64 + 1).min(255));
    }
    assert!(matches!(prove_bb(&air, &skip), Err(AirError::ConstraintFailed { .. })));
    assert!(air.generate::<BabyBear>(10, &[300]).is_err());
}

/// A permutation argument over 2-column tuples: columns (a, b) and (c, d) hold the same
/// multiset of pairs.
struct PairPermutation;

impl<F: Field> Air<F> for PairPermutation {
    fn name(&self) -> String {
        "pair-permutation-test".into()
    }
    fn n_columns(&self) -> usize {
        4
    }
    fn eval<B: ConstraintBuilder<F>>(&self, _b: &mut B) {}
    fn logup_terms(&self) -> Vec<LogUpTerm> {
        vec![
            LogUpTerm { columns: vec![0, 1], multiplicity: None, negate: true },
            LogUpTerm { columns: vec![2, 3], multiplicity: None, negate: false },
        ]
    }
}

#[test]
fn permutation_of_pairs() {
    let mut rng = StdRng::seed_from_u64(9);
    let rows = 1 << 9;
    let a: Vec<BabyBear> = (0..rows).map(|_| BabyBear::random(&mut rng)).collect();
    let b: Vec<BabyBear> = (0..rows).map(|_| BabyBear::random(&mut rng)).collect();
    let perm: Vec<usize> = (0..rows).map(|i| (i * 37 + 11) % rows).collect();
    let c: Vec<BabyBear> = perm.iter().map(|&p| a[p]).collect();
    let d: Vec<BabyBear> = perm.iter().map(|&p| b[p]).collect();
    let trace = Trace::new(vec![a.clone(), b.clone(), c.clone(), d.clone()]).expect("trace");
    let proof = prove_bb(&PairPermutation, &trace).expect("prove");
    verify_bb(&PairPermutation, 9, &proof).expect("verify");
    // Same multisets per column, but pairs broken up: not a permutation of pairs.
    let mut d2 = d;
    d2.swap(0, 1);
    let bad = Trace::new(vec![a, b, c, d2]).expect("trace");
    assert!(matches!(prove_bb(&PairPermutation, &bad), Err(AirError::LogUpUnbalanced)));
    let forced = bb_prover().prove_unchecked(&PairPermutation, &bad, &mut bb_transcript());
    assert!(verify_bb(&PairPermutation, 9, &forced.expect("prove")).is_err());
}

#[test]
fn poseidon2_air_trace_matches_the_permutation_and_proves() {
    let perm = Poseidon2::babybear_16();
    let air = Poseidon2Air::new(perm.clone());
    let mut rng = StdRng::seed_from_u64(1);
    let inputs: Vec<[BabyBear; 16]> =
        (0..30).map(|_| core::array::from_fn(|_| BabyBear::random(&mut rng))).collect();
    let trace = air.generate(5, &inputs).expect("trace");
    for (row, input) in inputs.iter().enumerate() {
        let out: Vec<BabyBear> = air.output_columns().map(|c| trace.columns()[c][row]).collect();
        assert_eq!(out, perm.permute(*input).to_vec(), "row {row}");
    }
    let zero_out: Vec<BabyBear> = air.output_columns().map(|c| trace.columns()[c][31]).collect();
    assert_eq!(zero_out, perm.permute([BabyBear::ZERO; 16]).to_vec());
    let proof = prove_bb(&air, &trace).expect("prove");
    verify_bb(&air, 5, &proof).expect("verify");
    assert!(bb_prover().achieved_bits(&air, 5).expect("bits") >= 100.0);
    // One wrong cell in the middle of a row.
    let mut bad = trace.clone();
    bad.columns_mut()[100][7] += BabyBear::ONE;
    assert!(matches!(prove_bb(&air, &bad), Err(AirError::ConstraintFailed { row: 7, .. })));
    let forced = bb_prover().prove_unchecked(&air, &bad, &mut bb_transcript()).expect("prove");
    assert!(verify_bb(&air, 5, &forced).is_err());
}

#[test]
fn security_level_is_computed_from_whir() {
    let prover = bb_prover();
    let (air, _) = FibonacciAir::generate(4, BabyBear::ZERO, BabyBear::ONE).expect("trace");
    for log_rows in [4, 10, 16, 20] {
        let report = prover.security(&air, log_rows).expect("security");
        assert!(report.total_bits >= 100.0, "{report:?}");
        assert!(report.zerocheck_bits > 110.0 && report.reduction_bits > 110.0, "{report:?}");
        // The total is below every term (a union bound) and WHIR's levels are above the target.
        let min_term = report.whir_bits.iter().copied().fold(report.zerocheck_bits, f64::min);
        assert!(report.total_bits <= min_term);
        assert!(report.whir_bits.iter().all(|&b| b >= 101.0));
    }
    let lookup = prover.security(&RangeCheckAir { bits: 8 }, 20).expect("security");
    assert_eq!(lookup.whir_bits.len(), 2);
    let logup = lookup.logup_bits.expect("LogUp term");
    assert!((logup - (lookup.field_bits - 21.0)).abs() < 1e-6, "{logup}");
    // LogUp's term grows with the rows: at 2^22 rows BabyBear⁴ no longer reaches 100 bits.
    assert!(matches!(
        prover.security(&RangeCheckAir { bits: 8 }, 22),
        Err(AirError::Security { .. })
    ));
    // A target the field cannot reach is refused.
    let greedy = BbProver::new(
        AirParams { security_bits: 125, ..AirParams::default() },
        BbHash::new(Poseidon2::babybear_16()).expect("width"),
    );
    assert!(greedy.achieved_bits(&air, 10).is_err());
}

fn bump<F: Field>(x: &mut F) {
    *x += F::ONE;
}

fn bump_ext<F: Field, E: ExtensionField<F>>(x: &mut E) {
    *x += E::ONE;
}

type BbCommitment = WhirCommitment<BabyBearExt4, [BabyBear; 8]>;
type BbWhirProof = WhirProof<BabyBear, BabyBearExt4, [BabyBear; 8]>;
type Push<'a, P> = dyn FnMut(String, &dyn Fn(&mut P)) + 'a;
/// A sumcheck proof and (for a reduction) the value it ends at, inside a proof.
type SumcheckAndValue<'a> = (&'a mut SumcheckProof<BabyBearExt4>, Option<&'a mut BabyBearExt4>);
type GetSumcheck<P> = dyn Fn(&mut P) -> Option<SumcheckAndValue<'_>>;

/// The tampers of a WHIR commitment reached through `get`.
fn commitment_tampers<P: Clone>(
    which: &str,
    get: fn(&mut P) -> Option<&mut BbCommitment>,
    proof: &P,
    push: &mut Push<'_, P>,
) {
    type E = BabyBearExt4;
    let mut probe = proof.clone();
    let Some(c) = get(&mut probe) else { return };
    push(format!("{which} root"), &|p| {
        if let Some(c) = get(p) {
            bump(&mut c.root[0]);
        }
    });
    for i in 0..c.ood_answers.len() {
        push(format!("{which} ood {i}"), &|p| {
            if let Some(c) = get(p) {
                bump_ext::<BabyBear, E>(&mut c.ood_answers[i]);
            }
        });
    }
    push(format!("{which} ood truncated"), &|p| {
        if let Some(c) = get(p) {
            c.ood_answers.pop();
        }
    });
}

/// The tampers of a WHIR proof reached through `get`: every sumcheck value, roots, OOD answers,
/// the first and last query's rows and paths, dropped queries, the final polynomial.
fn whir_tampers<P: Clone>(
    which: &str,
    get: fn(&mut P) -> Option<&mut BbWhirProof>,
    proof: &P,
    push: &mut Push<'_, P>,
) {
    type E = BabyBearExt4;
    let mut probe = proof.clone();
    let Some(w) = get(&mut probe).cloned() else { return };
    for (r, round) in w.rounds.iter().enumerate() {
        for s in 0..round.sumcheck.len() {
            for j in 0..3 {
                push(format!("{which} whir {r} sumcheck {s}.{j}"), &|p| {
                    if let Some(w) = get(p) {
                        bump_ext::<BabyBear, E>(&mut w.rounds[r].sumcheck[s][j]);
                    }
                });
            }
        }
        if round.next_root.is_some() {
            push(format!("{which} whir {r} next root"), &|p| {
                if let Some(root) = get(p).and_then(|w| w.rounds[r].next_root.as_mut()) {
                    bump(&mut root[3]);
                }
            });
        }
        for i in 0..round.ood_answers.len() {
            push(format!("{which} whir {r} ood {i}"), &|p| {
                if let Some(w) = get(p) {
                    bump_ext::<BabyBear, E>(&mut w.rounds[r].ood_answers[i]);
                }
            });
        }
        let last_q = round.openings.len() - 1;
        for q in [0, last_q] {
            let row_len = round.openings[q].0.len();
            for k in [0, row_len - 1] {
                push(format!("{which} whir {r} query {q} row {k}"), &|p| {
                    if let Some(w) = get(p) {
                        bump(&mut w.rounds[r].openings[q].0[k]);
                    }
                });
            }
            let n_sib = round.openings[q].1.siblings.len();
            for k in [0, n_sib - 1] {
                push(format!("{which} whir {r} query {q} sibling {k}"), &|p| {
                    if let Some(w) = get(p) {
                        bump(&mut w.rounds[r].openings[q].1.siblings[k][0]);
                    }
                });
            }
        }
        push(format!("{which} whir {r} query dropped"), &|p| {
            if let Some(w) = get(p) {
                w.rounds[r].openings.pop();
            }
        });
    }
    for i in [0, w.final_poly.len() - 1] {
        push(format!("{which} whir final {i}"), &|p| {
            if let Some(w) = get(p) {
                bump_ext::<BabyBear, E>(&mut w.final_poly[i]);
            }
        });
    }
}

/// The tampers of a sumcheck proof and a value reached through `get` (a zerocheck, or a
/// reduction and the value it ends at).
fn sumcheck_tampers<P: Clone>(
    which: &str,
    get: &GetSumcheck<P>,
    proof: &P,
    push: &mut Push<'_, P>,
) {
    type E = BabyBearExt4;
    let mut probe = proof.clone();
    let Some((sc, value)) = get(&mut probe) else { return };
    let has_value = value.is_some();
    let shape: Vec<usize> = sc.rounds.iter().map(|r| r.evals.len()).collect();
    for (r, &len) in shape.iter().enumerate() {
        for j in 0..len {
            push(format!("{which} {r}.{j}"), &|p| {
                if let Some((sc, _)) = get(p) {
                    bump_ext::<BabyBear, E>(&mut sc.rounds[r].evals[j]);
                }
            });
        }
    }
    push(format!("{which} truncated"), &|p| {
        if let Some((sc, _)) = get(p) {
            sc.rounds.pop();
        }
    });
    if has_value {
        push(format!("{which} value"), &|p| {
            if let Some((_, Some(v))) = get(p) {
                bump_ext::<BabyBear, E>(v);
            }
        });
    }
}

/// The tampers of a table's claimed values reached through `get`.
fn evals_tampers<P: Clone>(
    which: &str,
    get: fn(&mut P) -> &mut Vec<BabyBearExt4>,
    proof: &P,
    push: &mut Push<'_, P>,
) {
    type E = BabyBearExt4;
    let mut probe = proof.clone();
    let n = get(&mut probe).len();
    for i in 0..n {
        push(format!("{which} {i}"), &|p| bump_ext::<BabyBear, E>(&mut get(p)[i]));
    }
    if n > 0 {
        push(format!("{which} truncated"), &|p| {
            get(p).pop();
        });
    }
}

/// Every tampered variant of a proof: one changed element in each component (first and last
/// where a component is a list), plus truncated lists.
fn tampered(proof: &BbProof) -> Vec<(String, BbProof)> {
    let mut out = Vec::new();
    let mut push = |name: String, f: &dyn Fn(&mut BbProof)| {
        let mut p = proof.clone();
        f(&mut p);
        out.push((name, p));
    };
    commitment_tampers("main", |p: &mut BbProof| Some(&mut p.main_commitment), proof, &mut push);
    commitment_tampers("aux", |p: &mut BbProof| p.aux_commitment.as_mut(), proof, &mut push);
    sumcheck_tampers(
        "zerocheck",
        &|p: &mut BbProof| Some((&mut p.zerocheck, None)),
        proof,
        &mut push,
    );
    evals_tampers("main eval", |p: &mut BbProof| &mut p.main_evals, proof, &mut push);
    evals_tampers("next eval", |p: &mut BbProof| &mut p.next_evals, proof, &mut push);
    evals_tampers("aux eval", |p: &mut BbProof| &mut p.aux_evals, proof, &mut push);
    if proof.aux_commitment.is_some() {
        push("aux dropped".into(), &|p| {
            p.aux_commitment = None;
            p.aux_opening = None;
        });
    } else {
        push("aux added".into(), &|p| p.aux_opening = Some(p.main_opening.clone()));
    }
    sumcheck_tampers(
        "main reduction",
        &|p: &mut BbProof| Some((&mut p.main_opening.reduction, Some(&mut p.main_opening.value))),
        proof,
        &mut push,
    );
    sumcheck_tampers(
        "aux reduction",
        &|p: &mut BbProof| p.aux_opening.as_mut().map(|o| (&mut o.reduction, Some(&mut o.value))),
        proof,
        &mut push,
    );
    whir_tampers("main", |p: &mut BbProof| Some(&mut p.main_opening.whir), proof, &mut push);
    whir_tampers(
        "aux",
        |p: &mut BbProof| p.aux_opening.as_mut().map(|o| &mut o.whir),
        proof,
        &mut push,
    );
    out
}

/// Every tampered variant of a multi-table proof: each table's zerocheck, values and
/// reductions, both commitments and both WHIR openings, dropped LogUp parts.
fn tampered_multi(proof: &BbMulti) -> Vec<(String, BbMulti)> {
    let mut out = Vec::new();
    let mut push = |name: String, f: &dyn Fn(&mut BbMulti)| {
        let mut p = proof.clone();
        f(&mut p);
        out.push((name, p));
    };
    commitment_tampers("main", |p: &mut BbMulti| Some(&mut p.main_commitment), proof, &mut push);
    commitment_tampers("aux", |p: &mut BbMulti| p.aux_commitment.as_mut(), proof, &mut push);
    for t in 0..proof.tables.len() {
        sumcheck_tampers(
            &format!("table {t} zerocheck"),
            &move |p: &mut BbMulti| Some((&mut p.tables[t].zerocheck, None)),
            proof,
            &mut push,
        );
        sumcheck_tampers(
            &format!("table {t} main reduction"),
            &move |p: &mut BbMulti| {
                let r = &mut p.tables[t].main_reduction;
                Some((&mut r.reduction, Some(&mut r.value)))
            },
            proof,
            &mut push,
        );
        sumcheck_tampers(
            &format!("table {t} aux reduction"),
            &move |p: &mut BbMulti| {
                p.tables[t].aux_reduction.as_mut().map(|r| (&mut r.reduction, Some(&mut r.value)))
            },
            proof,
            &mut push,
        );
        let cols = [
            ("main", proof.tables[t].main_evals.len()),
            ("next", proof.tables[t].next_evals.len()),
            ("aux", proof.tables[t].aux_evals.len()),
        ];
        for (which, n) in cols {
            for i in [0, n.saturating_sub(1)] {
                if n == 0 {
                    continue;
                }
                push(format!("table {t} {which} eval {i}"), &|p| {
                    let tp = &mut p.tables[t];
                    let v = match which {
                        "main" => &mut tp.main_evals,
                        "next" => &mut tp.next_evals,
                        _ => &mut tp.aux_evals,
                    };
                    bump_ext::<BabyBear, BabyBearExt4>(&mut v[i]);
                });
            }
        }
        if proof.tables[t].aux_reduction.is_some() {
            push(format!("table {t} aux reduction dropped"), &|p| {
                p.tables[t].aux_reduction = None;
            });
        }
    }
    // The commitments' parts (each table's columns in power-of-two pieces).
    evals_tampers("main part", |p: &mut BbMulti| &mut p.main_parts, proof, &mut push);
    evals_tampers("aux part", |p: &mut BbMulti| &mut p.aux_parts, proof, &mut push);
    push("main part added".into(), &|p| p.main_parts.push(BabyBearExt4::ONE));
    push("aux part added".into(), &|p| p.aux_parts.push(BabyBearExt4::ONE));
    push("aux opening dropped".into(), &|p| p.aux_whir = None);
    whir_tampers("main", |p: &mut BbMulti| Some(&mut p.main_whir), proof, &mut push);
    whir_tampers("aux", |p: &mut BbMulti| p.aux_whir.as_mut(), proof, &mut push);
    out
}

fn assert_every_tamper_rejected<A: Air<BabyBear>>(air: &A, log_rows: usize, proof: &BbProof) {
    verify_bb(air, log_rows, proof).expect("the honest proof verifies");
    let variants = tampered(proof);
    assert!(variants.len() > 50, "{}", variants.len());
    for (name, bad) in &variants {
        assert!(bad != proof, "{name}: the tamper changed nothing");
        assert!(verify_bb(air, log_rows, bad).is_err(), "{name}: accepted");
    }
}

#[test]
fn every_tampered_component_of_a_fibonacci_proof_is_rejected() {
    let (air, trace) = FibonacciAir::generate(8, BabyBear::ONE, BabyBear::TWO).expect("trace");
    let proof = prove_bb(&air, &trace).expect("prove");
    assert!(!proof.next_evals.is_empty());
    assert_every_tamper_rejected(&air, 8, &proof);
}

#[test]
fn every_tampered_component_of_a_lookup_proof_is_rejected() {
    let air = RangeCheckAir { bits: 4 };
    let values: Vec<u64> = (0..200).map(|i| (i * 7) % 16).collect();
    let trace = air.generate::<BabyBear>(8, &values).expect("trace");
    let proof = prove_bb(&air, &trace).expect("prove");
    assert!(!proof.aux_evals.is_empty());
    assert_every_tamper_rejected(&air, 8, &proof);
}

#[test]
fn proofs_are_deterministic_and_bound_to_the_transcript() {
    let (air, trace) = FibonacciAir::generate(6, BabyBear::ZERO, BabyBear::ONE).expect("trace");
    let p1 = prove_bb(&air, &trace).expect("prove");
    let p2 = prove_bb(&air, &trace).expect("prove");
    assert_eq!(p1, p2);
    let other_label: BbTranscript =
        Transcript::with_label(Poseidon2::babybear_16(), b"other").expect("width");
    assert!(bb_prover().verify(&air, 6, &p1, &mut other_label.clone()).is_err());
    let _ = BabyBear::ORDER_U64;
}

#[test]
fn backend_path_gives_the_same_proof_and_counts_transfers() {
    use zkprove_poly::CpuBackend;
    let air = RangeCheckAir { bits: 6 };
    let values: Vec<u64> = (0..500).map(|i| (i * 13) % 64).collect();
    let trace = air.generate::<BabyBear>(9, &values).expect("trace");
    let proof = prove_bb(&air, &trace).expect("prove");
    let (same, profile) = bb_prover()
        .prove_on::<CpuBackend, _, 16, 8>(&air, &trace, &mut bb_transcript(), true)
        .expect("prove");
    assert_eq!(proof, same);
    // The trace goes up once (one transfer per column); what comes back whole is the two
    // stacked commitments WHIR reads (4 + 8 columns of 2^9 base elements); the rest are
    // round polynomials and evaluations.
    assert_eq!(profile.uploads, 3);
    assert_eq!(profile.upload_bytes, 3 * 512 * 4);
    let whole = (4 + 8) * 512 * 4;
    assert!(profile.download_bytes > whole, "{profile:?}");
    assert!(profile.download_bytes < whole + 4096, "{profile:?}");
    // Every phase is timed, once per name (the two openings add up under one name each).
    let names: Vec<&str> = profile.phases.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        ["check", "commit", "logup", "zerocheck", "evals", "reduction", "whir_open"],
        "{profile:?}"
    );
    assert!(profile.phase("commit") > std::time::Duration::ZERO);
}

#[test]
fn poseidon2_goldilocks_width_12_trace_matches_the_permutation() {
    let perm = Poseidon2::goldilocks_12();
    let air = Poseidon2Air::new(perm.clone());
    let mut rng = StdRng::seed_from_u64(2);
    let inputs: Vec<[Goldilocks; 12]> =
        (0..8).map(|_| core::array::from_fn(|_| Goldilocks::random(&mut rng))).collect();
    let trace = air.generate(3, &inputs).expect("trace");
    for (row, input) in inputs.iter().enumerate() {
        let out: Vec<Goldilocks> = air.output_columns().map(|c| trace.columns()[c][row]).collect();
        assert_eq!(out, perm.permute(*input).to_vec(), "row {row}");
    }
    // Every constraint holds on every row (the prover's own check, over the whole trace).
    type H = Poseidon2Merkle<Goldilocks, 12, 8, 4>;
    let prover: AirProver<Goldilocks, GoldilocksExt2, H> =
        AirProver::new(AirParams::default(), H::new(Poseidon2::goldilocks_12()).expect("width"));
    let mut t: Transcript<Goldilocks, 12, 8> =
        Transcript::with_label(Poseidon2::goldilocks_12(), b"air-test").expect("width");
    let proof = prover.prove(&air, &trace, &mut t.clone()).expect("prove");
    prover.verify(&air, 3, &proof, &mut t).expect("verify");
}

// ---- Multi-table proofs with shared LogUp buses ----

use zkprove_air::{BusInteraction, LinearExpr, MultiProof, PublicTuple, TableAir};

type BbMulti = MultiProof<BabyBear, BabyBearExt4, [BabyBear; 8]>;

/// Three tables of three heights: `Values` (value, is_real) sends each real value on the
/// `range` bus; `Range` (preprocessed 0..256, multiplicity) receives them; `Io` (x, y = x + 1)
/// sends `x` on `range` and `(y, z = x + 2)` on `out`, which the verifier receives as public
/// output, and `z` with multiplicity 0 on `none` (three columns and three LogUp terms: the shared
/// commitments hold its columns as 2 + 1 and its LogUp coordinates as 8 + 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Toy {
    Values,
    Range,
    Io,
}

impl Air<BabyBear> for Toy {
    fn name(&self) -> String {
        format!("toy-{self:?}")
    }
    fn n_columns(&self) -> usize {
        if *self == Toy::Io { 3 } else { 2 }
    }
    fn eval<B: ConstraintBuilder<BabyBear>>(&self, b: &mut B) {
        let cur = b.current().to_vec();
        match self {
            Toy::Values => {
                b.assert_zero(cur[1].clone() * (cur[1].clone() - BabyBear::ONE.into()));
            }
            Toy::Range => {}
            Toy::Io => {
                b.assert_eq(cur[1].clone(), cur[0].clone() + BabyBear::ONE.into());
                b.assert_eq(cur[2].clone(), cur[0].clone() + BabyBear::TWO.into());
            }
        }
    }
}

impl TableAir<BabyBear> for Toy {
    fn interactions(&self) -> Vec<BusInteraction<BabyBear>> {
        let c = LinearExpr::<BabyBear>::col;
        let one = || LinearExpr::constant(BabyBear::ONE);
        match self {
            Toy::Values => vec![BusInteraction::send("range", vec![c(0)], c(1))],
            Toy::Range => vec![BusInteraction::receive("range", vec![c(0)], c(1))],
            Toy::Io => vec![
                BusInteraction::send("range", vec![c(0)], one()),
                BusInteraction::send("out", vec![c(1), c(2)], one()),
                BusInteraction::send("none", vec![c(2)], LinearExpr::constant(BabyBear::ZERO)),
            ],
        }
    }
    fn preprocessed(&self, log_rows: usize) -> Vec<(usize, Vec<BabyBear>)> {
        match self {
            Toy::Range => {
                vec![(0, (0..1u64 << log_rows).map(BabyBear::from_u64).collect())]
            }
            _ => Vec::new(),
        }
    }
}

const TOY: [Toy; 3] = [Toy::Values, Toy::Range, Toy::Io];

/// Traces (2^6, 2^8, 2^4 rows) and the public `out` tuples `(x + 1, x + 2)`.
fn toy_witness() -> (Vec<Trace<BabyBear>>, Vec<PublicTuple<BabyBear>>) {
    let f = |v: u64| BabyBear::from_u64(v);
    let values: Vec<u64> = (0..50).map(|i| (i * 37 + 5) % 256).collect();
    let io_x: Vec<u64> = (0..16).map(|i| 200 + i * 3).collect();
    let mut mult = vec![0u64; 256];
    for &v in values.iter().chain(&io_x) {
        mult[v as usize] += 1;
    }
    let mut value_col: Vec<BabyBear> = values.iter().map(|&v| f(v)).collect();
    value_col.resize(64, f(7));
    let real: Vec<BabyBear> = (0..64).map(|i| f(u64::from(i < 50))).collect();
    let range = vec![(0..256).map(f).collect(), mult.iter().map(|&m| f(m)).collect()];
    let io = vec![
        io_x.iter().map(|&x| f(x)).collect(),
        io_x.iter().map(|&x| f(x + 1)).collect(),
        io_x.iter().map(|&x| f(x + 2)).collect(),
    ];
    let public = io_x
        .iter()
        .map(|&x| PublicTuple {
            bus: "out".into(),
            tuple: vec![f(x + 1), f(x + 2)],
            multiplicity: BabyBear::ONE,
            direction: zkprove_air::Direction::Receive,
        })
        .collect();
    let traces = vec![
        Trace::new(vec![value_col, real]).expect("values"),
        Trace::new(range).expect("range"),
        Trace::new(io).expect("io"),
    ];
    (traces, public)
}

fn verify_toy(public: &[PublicTuple<BabyBear>], proof: &BbMulti) -> Result<(), AirError> {
    bb_prover().verify_tables(&TOY, public, proof, &mut bb_transcript())
}

#[test]
fn multi_table_bus_proof_verifies_and_every_tamper_is_rejected() {
    let (traces, public) = toy_witness();
    let prover = bb_prover();
    let proof = prover.prove_tables(&TOY, &traces, &public, &mut bb_transcript()).expect("prove");
    verify_toy(&public, &proof).expect("verify");
    assert_eq!(proof.log_rows, vec![6, 8, 4]);
    let bits = prover.achieved_bits_tables(&TOY, &[6, 8, 4], &public).expect("security");
    assert!(bits >= 100.0, "{bits}");
    let report = prover.security_tables(&TOY, &[6, 8, 4], &public).expect("security");
    assert!(report.logup_bits.expect("LogUp") > 100.0 && report.fixed_bits.is_some());
    // N/|E| over every fraction, whatever the tuples' width (independent fingerprint
    // challenges): 2^6 + 2^8 + 3·2^4 rows' interactions and 16 public tuples.
    let n_fractions = f64::from(64 + 256 + 3 * 16 + 16);
    let logup = report.logup_bits.expect("LogUp");
    assert!((logup - (report.field_bits - n_fractions.log2())).abs() < 1e-9, "{logup}");
    // One shared opening per commitment, at every part's point: Io's 3 columns are 2 + 1 and
    // its 12 LogUp coordinates 8 + 4.
    assert!(proof.aux_commitment.is_some() && proof.aux_whir.is_some());
    assert_eq!(proof.main_parts.len(), 4);
    assert_eq!(proof.aux_parts.len(), 4);
    let variants = tampered_multi(&proof);
    assert!(variants.len() > 150, "{}", variants.len());
    for (name, bad) in &variants {
        assert!(*bad != proof, "{name}: the tamper changed nothing");
        assert!(verify_toy(&public, bad).is_err(), "{name}: accepted");
    }
    // The multi-table parts.
    for t in 0..3 {
        let mut p = proof.clone();
        p.logup_sums[t] += BabyBearExt4::ONE;
        assert!(verify_toy(&public, &p).is_err(), "sum {t}");
        let mut p = proof.clone();
        p.log_rows[t] += 1;
        assert!(verify_toy(&public, &p).is_err(), "height {t}");
    }
    // Moving LogUp mass between tables keeps the total but breaks each table's zerocheck.
    let mut p = proof.clone();
    p.logup_sums[0] += BabyBearExt4::ONE;
    p.logup_sums[1] -= BabyBearExt4::ONE;
    let err = verify_toy(&public, &p).unwrap_err();
    assert!(!matches!(err, AirError::BusSum), "{err}");
    let mut p = proof.clone();
    p.tables.swap(0, 2);
    assert!(verify_toy(&public, &p).is_err());
    let mut p = proof.clone();
    p.tables.pop();
    assert!(matches!(verify_toy(&public, &p), Err(AirError::ProofShape { .. })));
    // Other public outputs: rejected.
    let mut other = public.clone();
    other[3].tuple[1] += BabyBear::ONE;
    assert!(matches!(verify_toy(&other, &proof), Err(AirError::BusSum)));
    other = public.clone();
    other.pop();
    assert!(verify_toy(&other, &proof).is_err());
}

#[test]
fn unbalanced_buses_are_refused_and_forced_proofs_rejected() {
    let (traces, public) = toy_witness();
    let prover = bb_prover();
    let forced = |traces: &[Trace<BabyBear>]| {
        prover.prove_tables_unchecked(&TOY, traces, &public, &mut bb_transcript()).expect("prove")
    };
    // A wrong multiplicity in the range table.
    let mut bad = traces.clone();
    bad[1].columns_mut()[1][10] += BabyBear::ONE;
    let err = prover.prove_tables(&TOY, &bad, &public, &mut bb_transcript()).unwrap_err();
    assert_eq!(err, AirError::BusUnbalanced { bus: "range".into() });
    assert!(matches!(verify_toy(&public, &forced(&bad)), Err(AirError::BusSum)));
    // A value sent but never received (out of range, multiplicity unchanged).
    let mut bad = traces.clone();
    bad[0].columns_mut()[0][3] = BabyBear::from_u64(300);
    let err = prover.prove_tables(&TOY, &bad, &public, &mut bb_transcript()).unwrap_err();
    assert_eq!(err, AirError::BusUnbalanced { bus: "range".into() });
    assert!(verify_toy(&public, &forced(&bad)).is_err());
    // A padding row made real: its value is sent but not received.
    let mut bad = traces.clone();
    bad[0].columns_mut()[1][60] = BabyBear::ONE;
    assert!(prover.prove_tables(&TOY, &bad, &public, &mut bb_transcript()).is_err());
    assert!(verify_toy(&public, &forced(&bad)).is_err());
    // A public output the trace does not send.
    let mut bad = traces.clone();
    bad[2].columns_mut()[1][5] += BabyBear::ONE;
    bad[2].columns_mut()[2][5] += BabyBear::ONE;
    bad[2].columns_mut()[0][5] += BabyBear::ONE;
    bad[1].columns_mut()[1][215] -= BabyBear::ONE;
    bad[1].columns_mut()[1][216] += BabyBear::ONE;
    let err = prover.prove_tables(&TOY, &bad, &public, &mut bb_transcript()).unwrap_err();
    assert_eq!(err, AirError::BusUnbalanced { bus: "out".into() });
    assert!(matches!(verify_toy(&public, &forced(&bad)), Err(AirError::BusSum)));
    // A preprocessed column changed (and the bus kept balanced): refused, and rejected.
    let mut bad = traces.clone();
    bad[1].columns_mut()[0][1] = BabyBear::from_u64(300);
    bad[0].columns_mut()[0][60] = BabyBear::from_u64(300);
    bad[0].columns_mut()[1][60] = BabyBear::ONE;
    bad[1].columns_mut()[1][1] += BabyBear::ONE;
    assert_eq!(
        prover.prove_tables(&TOY, &bad, &public, &mut bb_transcript()).unwrap_err(),
        AirError::FixedColumn { column: 0 }
    );
    assert_eq!(verify_toy(&public, &forced(&bad)), Err(AirError::FixedColumn { column: 0 }));
    // A bus with two arities is a malformed set of tables.
    let odd = vec![PublicTuple {
        bus: "range".into(),
        tuple: vec![BabyBear::ONE, BabyBear::ONE],
        multiplicity: BabyBear::ONE,
        direction: zkprove_air::Direction::Send,
    }];
    assert!(matches!(prover.security_tables(&TOY, &[6, 8, 4], &odd), Err(AirError::BadAir { .. })));
}

#[test]
fn multi_proof_bytes_round_trip_and_bad_files_are_refused() {
    use zkprove_air::CodecError;
    let (traces, public) = toy_witness();
    let proof =
        bb_prover().prove_tables(&TOY, &traces, &public, &mut bb_transcript()).expect("prove");
    let bytes = proof.to_bytes();
    let back = BbMulti::from_bytes(&bytes).expect("decode");
    assert_eq!(back, proof);
    verify_toy(&public, &back).expect("verify");
    // Every truncation is an error (never a panic), and a truncated proof is not a proof.
    for cut in (0..bytes.len()).step_by(97).chain([bytes.len() - 1]) {
        assert!(BbMulti::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut extra = bytes.clone();
    extra.push(0);
    assert_eq!(BbMulti::from_bytes(&extra), Err(CodecError::Trailing { extra: 1 }));
    assert!(matches!(BbMulti::from_bytes(b"\x7fELF\x01\x01"), Err(CodecError::Magic { .. })));
    // A Goldilocks proof reader refuses a BabyBear proof.
    type GlMulti = MultiProof<Goldilocks, GoldilocksExt2, [Goldilocks; 4]>;
    assert!(matches!(GlMulti::from_bytes(&bytes), Err(CodecError::Field { .. })));
    // A non-canonical element (the first LogUp sum's first coordinate set to p).
    let mut bad = bytes.clone();
    let at = 8 + 8 + 1 + 4 + 4 * 3 + 4;
    bad[at..at + 4].copy_from_slice(&(BabyBear::ORDER_U64 as u32).to_le_bytes());
    assert!(matches!(BbMulti::from_bytes(&bad), Err(CodecError::Malformed { .. })));
    // A flipped byte inside: refused by the decoder or by the verifier.
    for at in (30..bytes.len()).step_by(211) {
        let mut bad = bytes.clone();
        bad[at] ^= 0x01;
        if let Ok(p) = BbMulti::from_bytes(&bad) {
            assert!(verify_toy(&public, &p).is_err(), "flip at {at} accepted");
        }
    }
}
