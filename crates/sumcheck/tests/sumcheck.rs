//! Sumcheck: completeness against a brute-force reference for every field pair and degrees 1..4,
//! final values equal to `Mle::evaluate` at the point, soundness (wrong claim, tampered round
//! values, wrong round count or degree), prover/verifier transcript agreement, input checks.

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::babybear::{BabyBear, BabyBearExt4};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2};
use zkprove_field::m31::{M31, QM31};
use zkprove_field::{ExtensionField, Field};
use zkprove_hash::{Poseidon2, Transcript};
use zkprove_poly::{CpuBackend, Mle};
use zkprove_sumcheck::{
    RoundPoly, SumcheckError, SumcheckParams, SumcheckProof, SumcheckProver, Term, evaluate_terms,
    verify, verify_with,
};

/// A field pair with its transcript.
trait Setup {
    type F: Field;
    type E: ExtensionField<Self::F>;
    type T: Tr<Self::F>;
    fn transcript() -> Self::T;
}

/// The transcript calls the tests need, over the const-generic shapes.
trait Tr<F: Field>: Clone {
    fn run_prove<E: ExtensionField<F>>(
        &mut self,
        claim: E,
        tables: Vec<Vec<F>>,
        terms: Vec<Term<E>>,
    ) -> Result<zkprove_sumcheck::ProverOutput<E>, SumcheckError>;
    fn run_verify<E: ExtensionField<F>>(
        &mut self,
        claim: E,
        n: usize,
        terms: &[Term<E>],
        proof: &SumcheckProof<E>,
    ) -> Result<zkprove_sumcheck::SubClaim<E>, SumcheckError>;
    fn challenge(&mut self) -> F;
}

impl<F: Field, const W: usize, const R: usize> Tr<F> for Transcript<F, W, R> {
    fn run_prove<E: ExtensionField<F>>(
        &mut self,
        claim: E,
        tables: Vec<Vec<F>>,
        terms: Vec<Term<E>>,
    ) -> Result<zkprove_sumcheck::ProverOutput<E>, SumcheckError> {
        // `BabyBearBaseSetup` proves with E = F: allowed explicitly (the default refuses it,
        // see `small_challenge_fields_are_refused_unless_allowed`).
        SumcheckProver::<F, E>::new(tables, terms)?
            .with_params(SumcheckParams::new().allow_small_field())
            .prove(claim, self)
    }
    fn run_verify<E: ExtensionField<F>>(
        &mut self,
        claim: E,
        n: usize,
        terms: &[Term<E>],
        proof: &SumcheckProof<E>,
    ) -> Result<zkprove_sumcheck::SubClaim<E>, SumcheckError> {
        verify_with(SumcheckParams::new().allow_small_field(), claim, n, terms, proof, self)
    }
    fn challenge(&mut self) -> F {
        self.sample()
    }
}

struct M31Setup;
impl Setup for M31Setup {
    type F = M31;
    type E = QM31;
    type T = Transcript<M31, 16, 8>;
    fn transcript() -> Self::T {
        Transcript::with_label(Poseidon2::m31_16(), b"sumcheck-test").expect("shape")
    }
}

struct BabyBearSetup;
impl Setup for BabyBearSetup {
    type F = BabyBear;
    type E = BabyBearExt4;
    type T = Transcript<BabyBear, 16, 8>;
    fn transcript() -> Self::T {
        Transcript::with_label(Poseidon2::babybear_16(), b"sumcheck-test").expect("shape")
    }
}

struct GoldilocksSetup;
impl Setup for GoldilocksSetup {
    type F = Goldilocks;
    type E = GoldilocksExt2;
    type T = Transcript<Goldilocks, 12, 8>;
    fn transcript() -> Self::T {
        Transcript::with_label(Poseidon2::goldilocks_12(), b"sumcheck-test").expect("shape")
    }
}

/// Base-field challenges: `E = F` (degree-1 "extension").
struct BabyBearBaseSetup;
impl Setup for BabyBearBaseSetup {
    type F = BabyBear;
    type E = BabyBear;
    type T = Transcript<BabyBear, 16, 8>;
    fn transcript() -> Self::T {
        Transcript::with_label(Poseidon2::babybear_16(), b"sumcheck-test").expect("shape")
    }
}

fn random_tables<F: Field>(rng: &mut StdRng, n_tables: usize, n_vars: usize) -> Vec<Vec<F>> {
    (0..n_tables).map(|_| (0..1usize << n_vars).map(|_| F::random(rng)).collect()).collect()
}

/// The term sets exercised: (number of tables, terms), degrees 1..4, several terms, repeats.
fn term_sets<E: Field>(rng: &mut StdRng) -> Vec<(usize, Vec<Term<E>>)> {
    let c = |rng: &mut StdRng| E::random(rng);
    vec![
        // f·g: the dedicated kernel.
        (2, vec![Term::product(vec![0, 1])]),
        // Degree 1, two terms.
        (2, vec![Term::new(c(rng), vec![0]), Term::product(vec![1])]),
        // Degree 2, mixed degrees: a·b + c·d − e.
        (
            5,
            vec![
                Term::product(vec![0, 1]),
                Term::new(c(rng), vec![2, 3]),
                Term::new(-E::ONE, vec![4]),
            ],
        ),
        // Degree 3: f·g·h + c·f².
        (3, vec![Term::product(vec![0, 1, 2]), Term::new(c(rng), vec![0, 0])]),
        // Degree 3, GKR/Spartan shape: eq·(a·b − c).
        (4, vec![Term::product(vec![0, 1, 2]), Term::new(-E::ONE, vec![0, 3])]),
        // Degree 4, three terms.
        (
            4,
            vec![
                Term::product(vec![0, 1, 2, 3]),
                Term::new(c(rng), vec![1, 2]),
                Term::new(c(rng), vec![3]),
            ],
        ),
    ]
}

/// Brute force: `Σ_x Σ_t c_t Π f_j(x)`.
fn naive_sum<E: Field>(tables: &[Vec<E>], terms: &[Term<E>]) -> E {
    let len = tables[0].len();
    (0..len)
        .map(|x| {
            let vals: Vec<E> = tables.iter().map(|t| t[x]).collect();
            evaluate_terms(terms, &vals)
        })
        .sum()
}

fn lift<F: Field, E: ExtensionField<F>>(tables: &[Vec<F>]) -> Vec<Vec<E>> {
    tables.iter().map(|t| t.iter().map(|&x| E::from_base(x)).collect()).collect()
}

/// Brute-force round polynomials along `point`: `p_i(k)` from the tables with the first variable
/// fixed to `k` through `Mle::fix_first_variable`, then to `r_i`.
fn naive_rounds<E: Field>(
    tables: &[Vec<E>],
    terms: &[Term<E>],
    d: usize,
    point: &[E],
) -> Vec<RoundPoly<E>> {
    let mut cur: Vec<Mle<E>> = tables.iter().map(|t| Mle::new(t.clone()).expect("pow2")).collect();
    let mut out = Vec::new();
    for &r in point {
        let nodes = std::iter::once(0u64).chain(2..=d as u64);
        let evals = nodes
            .map(|k| {
                let fixed: Vec<Vec<E>> =
                    cur.iter().map(|m| m.fix_first_variable(E::from_u64(k)).into_evals()).collect();
                naive_sum(&fixed, terms)
            })
            .collect();
        out.push(RoundPoly { evals });
        cur = cur.iter().map(|m| m.fix_first_variable(r)).collect();
    }
    out
}

fn degree_of<E>(terms: &[Term<E>]) -> usize {
    terms.iter().map(|t| t.factors.len()).max().unwrap_or(0)
}

/// Proves and verifies; checks round polynomials against brute force, the sub-claim against
/// `Mle::evaluate`, and that both transcripts end in the same state.
fn complete<S: Setup>(n_vars: usize, seed: u64, naive: bool) {
    let mut rng = StdRng::seed_from_u64(seed);
    for (n_tables, terms) in term_sets::<S::E>(&mut rng) {
        let tables = random_tables::<S::F>(&mut rng, n_tables, n_vars);
        let lifted = lift::<S::F, S::E>(&tables);
        let claim = naive_sum(&lifted, &terms);
        let d = degree_of(&terms);

        let mut pt = S::transcript();
        let out = pt.run_prove(claim, tables.clone(), terms.clone()).expect("prove");
        assert_eq!(out.proof.rounds.len(), n_vars);
        assert_eq!(out.point.len(), n_vars);

        let mut vt = S::transcript();
        let sub = vt.run_verify(claim, n_vars, &terms, &out.proof).expect("verify");
        assert_eq!(sub.point, out.point);
        assert_eq!(pt.challenge(), vt.challenge(), "transcripts diverge");

        // The final values are the tables' MLEs at the point, in Mle::evaluate order.
        let mle_evals: Vec<S::E> = tables
            .iter()
            .map(|t| Mle::new(t.clone()).expect("pow2").evaluate(&out.point).expect("point"))
            .collect();
        assert_eq!(out.final_evals, mle_evals);
        sub.check(&terms, &mle_evals).expect("sub-claim");

        if naive {
            assert_eq!(out.proof.rounds, naive_rounds(&lifted, &terms, d, &out.point));
        }
    }
}

macro_rules! field_tests {
    ($m:ident, $setup:ty) => {
        mod $m {
            use super::*;

            #[test]
            fn completeness_small_sizes_against_brute_force() {
                for n in 1..=6 {
                    complete::<$setup>(n, n as u64, true);
                }
            }

            #[test]
            fn completeness_large_sizes() {
                // Crosses the packing width and the parallel threshold.
                for n in [9, 12, 14] {
                    complete::<$setup>(n, 100 + n as u64, false);
                }
            }

            #[test]
            fn soundness() {
                soundness_checks::<$setup>();
            }

            #[test]
            fn incremental_matches_mle_folds() {
                incremental::<$setup>();
            }

            #[test]
            fn stop_after_any_round() {
                for n in [1, 2, 3, 10, 13] {
                    stop_early::<$setup>(n);
                }
            }

            #[test]
            fn fused_fold_and_round_matches_separate() {
                for n in [2, 3, 5, 13] {
                    fused::<$setup>(n);
                }
            }
        }
    };
}

field_tests!(m31_qm31, M31Setup);
field_tests!(babybear_ext4, BabyBearSetup);
field_tests!(goldilocks_ext2, GoldilocksSetup);
field_tests!(babybear_base, BabyBearBaseSetup);

fn soundness_checks<S: Setup>() {
    let mut rng = StdRng::seed_from_u64(7);
    let n_vars = 5;
    let terms = vec![Term::product(vec![0, 1, 2]), Term::new(S::E::random(&mut rng), vec![3])];
    let d = 3;
    let tables = random_tables::<S::F>(&mut rng, 4, n_vars);
    let claim = naive_sum(&lift::<S::F, S::E>(&tables), &terms);
    let out = S::transcript().run_prove(claim, tables.clone(), terms.clone()).expect("prove");
    let accepts = |claim: S::E, proof: &SumcheckProof<S::E>| -> Result<(), SumcheckError> {
        let sub = S::transcript().run_verify(claim, n_vars, &terms, proof)?;
        // The verifier's own evaluations of the tables at its point.
        let evals: Vec<S::E> = tables
            .iter()
            .map(|t| Mle::new(t.clone()).expect("pow2").evaluate(&sub.point).expect("point"))
            .collect();
        sub.check(&terms, &evals)
    };
    accepts(claim, &out.proof).expect("honest proof");

    // A wrong claim, with the honest proof.
    assert_eq!(accepts(claim + S::E::ONE, &out.proof), Err(SumcheckError::FinalEvaluationMismatch));

    // A wrong claim proved honestly from the tables (the prover does not check the claim).
    let bad =
        S::transcript().run_prove(claim + S::E::ONE, tables.clone(), terms.clone()).expect("prove");
    assert!(accepts(claim + S::E::ONE, &bad.proof).is_err());

    // Any sent value of any round, tampered.
    for round in 0..n_vars {
        for k in 0..d {
            let mut p = out.proof.clone();
            p.rounds[round].evals[k] += S::E::ONE;
            assert_eq!(
                accepts(claim, &p),
                Err(SumcheckError::FinalEvaluationMismatch),
                "round {round} value {k}"
            );
        }
    }

    // Wrong number of rounds.
    let mut short = out.proof.clone();
    short.rounds.pop();
    assert_eq!(
        accepts(claim, &short),
        Err(SumcheckError::WrongRoundCount { expected: n_vars, got: n_vars - 1 })
    );
    let mut long = out.proof.clone();
    long.rounds.push(out.proof.rounds[0].clone());
    assert_eq!(
        accepts(claim, &long),
        Err(SumcheckError::WrongRoundCount { expected: n_vars, got: n_vars + 1 })
    );

    // Wrong degree in one round.
    let mut deg = out.proof.clone();
    deg.rounds[2].evals.push(S::E::ZERO);
    assert_eq!(
        accepts(claim, &deg),
        Err(SumcheckError::WrongDegree { round: 2, expected: d, got: d + 1 })
    );
    let mut deg = out.proof.clone();
    deg.rounds[0].evals.pop();
    assert_eq!(
        accepts(claim, &deg),
        Err(SumcheckError::WrongDegree { round: 0, expected: d, got: d - 1 })
    );

    // Wrong final evaluations.
    let mut wrong = out.final_evals.clone();
    wrong[1] += S::E::ONE;
    let sub = S::transcript().run_verify(claim, n_vars, &terms, &out.proof).expect("verify");
    assert_eq!(sub.check(&terms, &wrong), Err(SumcheckError::FinalEvaluationMismatch));
    assert!(matches!(sub.check(&terms, &wrong[..2]), Err(SumcheckError::FactorOutOfRange { .. })));
}

/// The incremental API: a few rounds, then the folded tables equal `Mle::fix_first_variable`
/// applied with the same challenges; `new_ext` on lifted tables gives the same polynomials.
fn incremental<S: Setup>() {
    let mut rng = StdRng::seed_from_u64(11);
    let n_vars = 8;
    let tables = random_tables::<S::F>(&mut rng, 2, n_vars);
    let lifted = lift::<S::F, S::E>(&tables);
    let terms = vec![Term::product(vec![0, 1])];
    let mut claim = naive_sum(&lifted, &terms);
    let mut base =
        SumcheckProver::<S::F, S::E, CpuBackend>::new(tables.clone(), terms.clone()).expect("new");
    let mut ext = SumcheckProver::<S::F, S::E, CpuBackend>::new_ext(lifted.clone(), terms.clone())
        .expect("new");
    assert_eq!(base.degree(), 2);
    let mut mles: Vec<Mle<S::E>> =
        lifted.iter().map(|t| Mle::new(t.clone()).expect("pow2")).collect();
    for _ in 0..3 {
        let p = base.round_polynomial().expect("round");
        assert_eq!(p, ext.round_polynomial().expect("round"));
        let r = S::E::random(&mut rng);
        claim = p.evaluate(claim, r);
        base.fold(r).expect("fold");
        ext.fold(r).expect("fold");
        mles = mles.iter().map(|m| m.fix_first_variable(r)).collect();
    }
    assert_eq!(base.n_variables(), n_vars - 3);
    assert_eq!(base.final_evaluations(), Err(SumcheckError::VariablesLeft { n_vars: n_vars - 3 }));
    let folded = base.into_ext_tables().expect("tables");
    let expected: Vec<Vec<S::E>> = mles.into_iter().map(Mle::into_evals).collect();
    assert_eq!(folded, expected);
    assert_eq!(naive_sum(&folded, &terms), claim, "running claim is the folded sum");
    assert_eq!(ext.into_ext_tables().expect("tables"), expected);
}

#[test]
fn round_poly_interpolation() {
    type E = QM31;
    let mut rng = StdRng::seed_from_u64(3);
    // p(X) = a + bX + cX² + eX³: values at 0, 2, 3 and claim = p(0) + p(1).
    let [a, b, c, e] = [0; 4].map(|_| E::random(&mut rng));
    let p = |x: E| a + b * x + c * x * x + e * x * x * x;
    let claim = p(E::ZERO) + p(E::ONE);
    let poly = RoundPoly { evals: vec![p(E::ZERO), p(E::from_u64(2)), p(E::from_u64(3))] };
    for x in [E::ZERO, E::ONE, E::from_u64(2), E::from_u64(7), E::random(&mut rng)] {
        assert_eq!(poly.evaluate(claim, x), p(x));
    }
    assert_eq!(poly.at_one(claim), p(E::ONE));
    assert_eq!(poly.all_evals(claim).len(), 4);
}

#[test]
fn input_errors() {
    type P = SumcheckProver<M31, QM31, CpuBackend>;
    let t = |n: usize| vec![M31::ONE; n];
    let prod = || vec![Term::<QM31>::product(vec![0, 1])];
    assert_eq!(P::new(vec![], prod()).err(), Some(SumcheckError::NoTables));
    assert_eq!(P::new(vec![t(4), t(4)], vec![]).err(), Some(SumcheckError::NoTerms));
    assert_eq!(
        P::new(vec![t(3), t(3)], prod()).err(),
        Some(SumcheckError::NotPowerOfTwo { len: 3 })
    );
    assert_eq!(
        P::new(vec![t(4), t(8)], prod()).err(),
        Some(SumcheckError::TableLength { index: 1, expected: 4, got: 8 })
    );
    assert_eq!(
        P::new(vec![t(4)], prod()).err(),
        Some(SumcheckError::FactorOutOfRange { term: 0, index: 1, n_tables: 1 })
    );
    assert_eq!(
        P::new(vec![t(4)], vec![Term::product(vec![])]).err(),
        Some(SumcheckError::EmptyTerm { term: 0 })
    );
    assert_eq!(
        P::new(vec![t(4)], vec![Term::product(vec![0; 9])]).err(),
        Some(SumcheckError::DegreeTooLarge { degree: 9, max: 8 })
    );
    // Zero variables: no rounds, the final values are the constants.
    let mut p = P::new(vec![t(1), t(1)], prod()).expect("new");
    assert_eq!(p.round_polynomial().err(), Some(SumcheckError::NoVariablesLeft));
    assert_eq!(p.fold(QM31::ONE).err(), Some(SumcheckError::NoVariablesLeft));
    assert_eq!(p.final_evaluations(), Ok(vec![QM31::ONE; 2]));
    // One variable: one round, then nothing left.
    let mut p = P::new(vec![t(2), t(2)], prod()).expect("new");
    p.round_polynomial().expect("round");
    p.fold(QM31::from_u64(5)).expect("fold");
    assert_eq!(p.round_polynomial().err(), Some(SumcheckError::NoVariablesLeft));
    assert_eq!(p.final_evaluations(), Ok(vec![QM31::ONE; 2]));
}

/// `fold_and_round(r)` gives the same polynomials and tables as `fold(r)` then
/// `round_polynomial()`, for every term set (sizes crossing the parallel threshold).
fn fused<S: Setup>(n_vars: usize) {
    let mut rng = StdRng::seed_from_u64(n_vars as u64 + 50);
    for (n_tables, terms) in term_sets::<S::E>(&mut rng) {
        let tables = random_tables::<S::F>(&mut rng, n_tables, n_vars);
        let new = || {
            SumcheckProver::<S::F, S::E, CpuBackend>::new(tables.clone(), terms.clone())
                .expect("new")
        };
        let (mut a, mut b) = (new(), new());
        for round in 0..n_vars {
            let r = S::E::random(&mut rng);
            a.fold(r).expect("fold");
            let pa = (round + 1 < n_vars).then(|| a.round_polynomial().expect("round"));
            assert_eq!(b.fold_and_round(r).expect("fused"), pa, "round {round}");
        }
        assert_eq!(b.fold_and_round(S::E::ONE).err(), Some(SumcheckError::NoVariablesLeft));
        assert_eq!(a.final_evaluations(), b.final_evaluations());
    }
}

/// Stopping after `k` rounds (0..=n, including right after the first round, where a degree-2
/// prover still holds the first challenge back): the tables equal `Mle::fix_first_variable`
/// applied `k` times, and the next round polynomial matches the brute-force one.
fn stop_early<S: Setup>(n_vars: usize) {
    let mut rng = StdRng::seed_from_u64(n_vars as u64 + 80);
    for (n_tables, terms) in term_sets::<S::E>(&mut rng) {
        let tables = random_tables::<S::F>(&mut rng, n_tables, n_vars);
        let d = degree_of(&terms);
        let point: Vec<S::E> = (0..n_vars).map(|_| S::E::random(&mut rng)).collect();
        for k in 0..=n_vars {
            let mut p =
                SumcheckProver::<S::F, S::E, CpuBackend>::new(tables.clone(), terms.clone())
                    .expect("new");
            for &r in &point[..k] {
                p.fold(r).expect("fold");
            }
            let mut mles: Vec<Mle<S::E>> = lift::<S::F, S::E>(&tables)
                .into_iter()
                .map(|t| Mle::new(t).expect("pow2"))
                .collect();
            for &r in &point[..k] {
                mles = mles.iter().map(|m| m.fix_first_variable(r)).collect();
            }
            let expected: Vec<Vec<S::E>> = mles.into_iter().map(Mle::into_evals).collect();
            if k < n_vars {
                let naive = naive_rounds(&expected, &terms, d, &point[k..k + 1]);
                assert_eq!(p.round_polynomial().expect("round"), naive[0], "n {n_vars} k {k}");
            }
            if k == n_vars {
                let finals: Vec<S::E> = expected.iter().map(|t| t[0]).collect();
                assert_eq!(p.final_evaluations().expect("final"), finals);
            }
            assert_eq!(p.into_ext_tables().expect("tables"), expected, "n {n_vars} k {k}");
        }
    }
}

#[test]
fn backend_entry_points_check_their_inputs() {
    use zkprove_sumcheck::SumcheckOps;
    type Ops = CpuBackend;
    let t = vec![vec![M31::ONE; 8]; 2];
    let terms = vec![Term::<QM31>::product(vec![0, 1])];
    let evals = <Ops as SumcheckOps<M31, QM31>>::round_evals_base(&t, 8, &terms, 2);
    assert_eq!(evals.map(|e| e.len()), Ok(2));
    let bad = vec![Term::<QM31>::product(vec![0, 2])];
    assert_eq!(
        <Ops as SumcheckOps<M31, QM31>>::round_evals_base(&t, 8, &bad, 2).err(),
        Some(SumcheckError::FactorOutOfRange { term: 0, index: 2, n_tables: 2 })
    );
    assert_eq!(
        <Ops as SumcheckOps<M31, QM31>>::round_evals_base(&t, 8, &terms, 1).err(),
        Some(SumcheckError::TermDegree { term: 0, factors: 2, degree: 1 })
    );
    assert_eq!(
        <Ops as SumcheckOps<M31, QM31>>::round_evals_base(&t, 16, &terms, 2).err(),
        Some(SumcheckError::TableLength { index: 0, expected: 16, got: 8 })
    );
    assert_eq!(
        <Ops as SumcheckOps<M31, QM31>>::round_evals_base(&t, 6, &terms, 2).err(),
        Some(SumcheckError::NotPowerOfTwo { len: 6 })
    );
    let mut e = vec![vec![QM31::ONE; 2]; 2];
    assert_eq!(
        <Ops as SumcheckOps<M31, QM31>>::fold_ext_and_round(&mut e, 2, QM31::ONE, &terms, 2).err(),
        Some(SumcheckError::NoVariablesLeft)
    );
}

/// The documented recipe for last-variable-first protocols: on bit-reversed tables, `k` folds give
/// the original tables with their last `k` variables fixed (`Mle::fix_last_variable`, last
/// challenge innermost), bit-reversed; the full point reversed evaluates the original tables.
#[test]
fn bit_reversed_tables_fix_the_last_variable_first() {
    use zkprove_poly::bit_reverse_permute;
    type F = BabyBear;
    type E = BabyBearExt4;
    let mut rng = StdRng::seed_from_u64(21);
    let n_vars = 7;
    let tables = random_tables::<F>(&mut rng, 2, n_vars);
    let reversed: Vec<Vec<F>> = tables
        .iter()
        .map(|t| {
            let mut r = t.clone();
            bit_reverse_permute(&mut r);
            r
        })
        .collect();
    let terms = vec![Term::<E>::product(vec![0, 1])];
    let point: Vec<E> = (0..n_vars).map(|_| E::random(&mut rng)).collect();
    let k = 3;
    let mut p =
        SumcheckProver::<F, E, CpuBackend>::new(reversed.clone(), terms.clone()).expect("new");
    for &r in &point[..k] {
        p.fold(r).expect("fold");
    }
    let folded = p.into_ext_tables().expect("tables");
    for (t, f) in tables.iter().zip(&folded) {
        let mut m = Mle::new(lift::<F, E>(std::slice::from_ref(t)).remove(0)).expect("pow2");
        for &r in &point[..k] {
            m = m.fix_last_variable(r);
        }
        let mut expected = m.into_evals();
        bit_reverse_permute(&mut expected);
        assert_eq!(&expected, f);
    }
    let mut p = SumcheckProver::<F, E, CpuBackend>::new(reversed, terms).expect("new");
    for &r in &point {
        p.fold(r).expect("fold");
    }
    let rev_point: Vec<E> = point.iter().rev().copied().collect();
    let direct: Vec<E> = tables
        .iter()
        .map(|t| Mle::new(t.clone()).expect("pow2").evaluate(&rev_point).expect("point"))
        .collect();
    assert_eq!(p.final_evaluations().expect("final"), direct);
}

/// Degrees 5..=8 (the largest supported), against brute force, through every kernel (packed
/// first round, deferred second round, extension rounds).
#[test]
fn high_degrees_against_brute_force() {
    fn run<S: Setup>() {
        let mut rng = StdRng::seed_from_u64(99);
        for d in 5..=8usize {
            for n_vars in [2, 3, 6] {
                let tables = random_tables::<S::F>(&mut rng, d, n_vars);
                let terms = vec![
                    Term::product((0..d).collect()),
                    Term::new(S::E::random(&mut rng), vec![0, d - 1]),
                ];
                let lifted = lift::<S::F, S::E>(&tables);
                let claim = naive_sum(&lifted, &terms);
                let out =
                    S::transcript().run_prove(claim, tables.clone(), terms.clone()).expect("prove");
                assert_eq!(
                    out.proof.rounds,
                    naive_rounds(&lifted, &terms, d, &out.point),
                    "d {d} n {n_vars}"
                );
                let sub =
                    S::transcript().run_verify(claim, n_vars, &terms, &out.proof).expect("verify");
                sub.check(&terms, &out.final_evals).expect("sub-claim");
            }
        }
    }
    run::<M31Setup>();
    run::<GoldilocksSetup>();
    run::<BabyBearBaseSetup>();
}

/// A proof for one instance must not verify for another with the same claimed sum: the instance
/// (number of variables, degree, term shape) is absorbed before the first challenge. Here the two
/// instances are the same polynomial written with different terms (`2·f₀f₁` and `f₀f₁ + f₁f₀`),
/// so only the transcript binding can tell them apart.
#[test]
fn a_proof_does_not_replay_on_another_instance() {
    let mut rng = StdRng::seed_from_u64(26);
    let n_vars = 6;
    let tables = random_tables::<BabyBear>(&mut rng, 2, n_vars);
    let two = BabyBearExt4::from_u64(2);
    let terms_a = vec![Term::new(two, vec![0, 1])];
    let terms_b = vec![Term::product(vec![0, 1]), Term::product(vec![1, 0])];
    let lifted = lift::<BabyBear, BabyBearExt4>(&tables);
    let claim = naive_sum(&lifted, &terms_a);
    assert_eq!(claim, naive_sum(&lifted, &terms_b), "same claimed sum");
    let out = BabyBearSetup::transcript()
        .run_prove(claim, tables.clone(), terms_a.clone())
        .expect("prove");
    let verify_as = |terms: &[Term<BabyBearExt4>]| -> Result<(), SumcheckError> {
        let sub = BabyBearSetup::transcript().run_verify(claim, n_vars, terms, &out.proof)?;
        let evals: Vec<BabyBearExt4> = lifted
            .iter()
            .map(|t| Mle::new(t.clone()).expect("pow2").evaluate(&sub.point).expect("point"))
            .collect();
        sub.check(terms, &evals)
    };
    verify_as(&terms_a).expect("the proof's own instance");
    assert_eq!(
        verify_as(&terms_b),
        Err(SumcheckError::FinalEvaluationMismatch),
        "replayed on another term shape"
    );
    // Another coefficient split, a permuted product, and a different degree or n.
    let half = BabyBearExt4::from_u64(2).inverse().expect("2 ≠ 0");
    let terms_c = vec![Term::new(half, vec![0, 1]), Term::new(two - half, vec![0, 1])];
    assert_eq!(claim, naive_sum(&lifted, &terms_c));
    assert_eq!(verify_as(&terms_c), Err(SumcheckError::FinalEvaluationMismatch));
    let mut t = BabyBearSetup::transcript();
    let terms_d = vec![Term::new(two, vec![0, 1, 1])];
    assert!(matches!(
        t.run_verify(claim, n_vars, &terms_d, &out.proof),
        Err(SumcheckError::WrongDegree { .. })
    ));
}

/// The instance is absorbed before the first challenge: each of `n`, the degree, a coefficient,
/// a factor index and the number of terms changes the challenges drawn after it.
#[test]
fn the_instance_is_bound_before_the_first_challenge() {
    let first = |n: usize, terms: &[Term<BabyBearExt4>]| -> BabyBear {
        let mut t = BabyBearSetup::transcript();
        zkprove_sumcheck::observe_instance(&mut t, n, terms);
        t.sample()
    };
    let one = BabyBearExt4::ONE;
    let base = vec![Term::product(vec![0, 1])];
    let r = first(5, &base);
    assert_eq!(r, first(5, &base), "deterministic");
    let others: [(usize, Vec<Term<BabyBearExt4>>); 5] = [
        (6, base.clone()),
        (5, vec![Term::product(vec![0, 1, 1])]),
        (5, vec![Term::new(one + one, vec![0, 1])]),
        (5, vec![Term::product(vec![0, 2])]),
        (5, vec![Term::product(vec![0, 1]), Term::product(vec![0, 1])]),
    ];
    for (n, terms) in &others {
        assert_ne!(first(*n, terms), r, "{n} {terms:?}");
    }
}

/// `E = F` for a 31-bit field (soundness error `n·d/|E| ≈ 2^−28` here) is refused by the prover
/// and the verifier unless asked for; the error names the field and the error it would give.
#[test]
fn small_challenge_fields_are_refused_unless_allowed() {
    use zkprove_sumcheck::{MIN_CHALLENGE_FIELD_BITS, soundness_bits};
    let mut rng = StdRng::seed_from_u64(27);
    let n_vars = 4;
    let tables = random_tables::<BabyBear>(&mut rng, 2, n_vars);
    let terms = vec![Term::<BabyBear>::product(vec![0, 1])];
    let claim = naive_sum(&tables, &terms);
    let t = || BabyBearBaseSetup::transcript();
    let err = zkprove_sumcheck::prove(claim, tables.clone(), terms.clone(), &mut t())
        .expect_err("E = BabyBear refused");
    let SumcheckError::ChallengeFieldTooSmall { field_bits, soundness_bits: bits, .. } = &err
    else {
        panic!("{err}");
    };
    assert_eq!((*field_bits, *bits), (30, 27), "log2(2013265921) ≈ 30.9, minus log2(4·2) = 3");
    let msg = err.to_string();
    assert!(msg.contains("2013265921") && msg.contains("2^-27"), "{msg}");
    assert!(msg.contains("allow_small_field"), "{msg}");
    // Allowed explicitly, it proves; the default verifier refuses, the explicit one accepts.
    let out = SumcheckProver::<BabyBear, BabyBear>::new(tables.clone(), terms.clone())
        .expect("prover")
        .with_params(SumcheckParams::new().allow_small_field())
        .prove(claim, &mut t())
        .expect("allowed");
    assert!(matches!(
        verify(claim, n_vars, &terms, &out.proof, &mut t()),
        Err(SumcheckError::ChallengeFieldTooSmall { .. })
    ));
    let sub = verify_with(
        SumcheckParams::new().allow_small_field(),
        claim,
        n_vars,
        &terms,
        &out.proof,
        &mut t(),
    )
    .expect("allowed");
    sub.check(&terms, &out.final_evals).expect("sub-claim");
    // The extensions and Goldilocks pass; the figures are log2|E| − log2(n·d).
    let b4 = soundness_bits::<BabyBearExt4>(20, 3);
    assert!((b4 - (4.0 * 2013265921f64.log2() - 60f64.log2())).abs() < 1e-9, "{b4}");
    assert!(
        soundness_bits::<QM31>(20, 3) > 117.0 && soundness_bits::<GoldilocksExt2>(20, 3) > 121.0
    );
    assert!(
        zkprove_sumcheck::challenge_field_bits::<Goldilocks>()
            >= f64::from(MIN_CHALLENGE_FIELD_BITS)
    );
    assert!(zkprove_sumcheck::challenge_field_bits::<M31>() < f64::from(MIN_CHALLENGE_FIELD_BITS));
    assert!(SumcheckParams::new().check::<Goldilocks>(20, 3).is_ok());
    assert!(SumcheckParams::new().check::<M31>(20, 3).is_err());
}

/// The base-field round kernels (plain and with the first fold deferred), which run on the packing
/// `with_packing` picks at run time, against the extension-field kernels on lifted tables, at
/// every CPU level this machine has (`cpu::set_max_cpu_level`: AVX-512, AVX2, one lane). The cap
/// is process-wide; the other tests of this binary are correct at any level.
#[test]
fn base_rounds_agree_at_every_cpu_level() {
    use zkprove_field::cpu::{self, CpuLevel};
    use zkprove_sumcheck::SumcheckOps;
    fn run<F: Field, E: ExtensionField<F>>(level: CpuLevel) {
        let mut rng = StdRng::seed_from_u64(7 + level as u64);
        let mut sets = term_sets::<E>(&mut rng);
        sets.push((5, vec![Term::product(vec![0, 1, 2, 3, 4]), Term::new(E::TWO, vec![0])]));
        for (n_tables, terms) in sets {
            let degree = degree_of(&terms);
            // 2^12: the halves span two Rayon chunks' threshold (PAR_MIN = 2^11).
            for n_vars in [2usize, 3, 5, 12] {
                let tables = random_tables::<F>(&mut rng, n_tables, n_vars);
                let len = 1 << n_vars;
                let lifted = lift::<F, E>(&tables);
                let got = <CpuBackend as SumcheckOps<F, E>>::round_evals_base(
                    &tables, len, &terms, degree,
                )
                .unwrap();
                let want = <CpuBackend as SumcheckOps<F, E>>::round_evals_ext(
                    &lifted, len, &terms, degree,
                )
                .unwrap();
                assert_eq!(got, want, "round, level {level}, 2^{n_vars}, degree {degree}");
                let r1 = E::random(&mut rng);
                let got = <CpuBackend as SumcheckOps<F, E>>::round_evals_base_deferred(
                    &tables, len, r1, &terms, degree,
                )
                .unwrap();
                let folded =
                    <CpuBackend as SumcheckOps<F, E>>::fold_base(&tables, len, r1).unwrap();
                let want = <CpuBackend as SumcheckOps<F, E>>::round_evals_ext(
                    &folded,
                    len / 2,
                    &terms,
                    degree,
                )
                .unwrap();
                assert_eq!(got, want, "deferred, level {level}, 2^{n_vars}, degree {degree}");
            }
        }
    }
    let detected = cpu::detected_level();
    for level in CpuLevel::ALL.into_iter().filter(|l| *l <= detected) {
        assert_eq!(cpu::set_max_cpu_level(level), level);
        run::<M31, QM31>(level);
        run::<BabyBear, BabyBearExt4>(level);
        run::<Goldilocks, GoldilocksExt2>(level);
    }
    cpu::set_max_cpu_level(detected);
}
