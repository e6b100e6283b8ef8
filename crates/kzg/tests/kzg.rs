//! Commit / open / verify round trips and rejections, with an insecure SRS of known τ.

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_curve::bn254::{G1Affine, G1Projective};
use zkprove_curve::msm_naive;
use zkprove_field::bn254::{Fq, Fr};
use zkprove_field::{Field, TwoAdicField};
use zkprove_kzg::{KzgError, OpeningClaim, Srs, batch_challenge};
use zkprove_poly::{CpuBackend, Polynomial};

const MAX_DEGREE: usize = (1 << 10) - 1;

fn setup(seed: u64) -> (Srs, Fr, StdRng) {
    let mut rng = StdRng::seed_from_u64(seed);
    let tau = Fr::random(&mut rng);
    (Srs::insecure_for_tests(MAX_DEGREE, tau).expect("srs"), tau, rng)
}

fn random_poly(n_coeffs: usize, rng: &mut StdRng) -> Polynomial<Fr> {
    Polynomial::new((0..n_coeffs).map(|_| Fr::random(rng)).collect())
}

fn g1(s: Fr) -> G1Affine {
    (G1Projective::generator() * s).to_affine()
}

fn failed(r: Result<(), KzgError>) -> bool {
    matches!(r, Err(KzgError::VerificationFailed { .. }))
}

#[test]
fn commit_matches_naive_msm_and_known_tau() {
    let (srs, tau, mut rng) = setup(1);
    for n in [0, 1, 2, 7, 100, MAX_DEGREE + 1] {
        let p = random_poly(n, &mut rng);
        let c = srs.commit(&p).expect("commit");
        let naive = msm_naive(&srs.powers_g1()[..n], p.coeffs()).expect("lengths").to_affine();
        assert_eq!(c, naive, "n = {n}");
        assert_eq!(c, g1(p.evaluate(tau)), "n = {n}");
    }
    // Trailing zeros beyond the SRS are fine.
    let mut coeffs = vec![Fr::ONE; 3];
    coeffs.resize(MAX_DEGREE + 10, Fr::ZERO);
    assert_eq!(
        srs.commit(&Polynomial::new(coeffs)).expect("commit"),
        g1(Fr::ONE + tau + tau * tau)
    );
}

#[test]
fn open_verify_round_trips() {
    let (srs, _, mut rng) = setup(2);
    let omega = Fr::two_adic_generator(4).expect("2^4 root");
    for n in [1, 2, 3, 64, MAX_DEGREE + 1] {
        let p = random_poly(n, &mut rng);
        let c = srs.commit(&p).expect("commit");
        for z in [Fr::random(&mut rng), Fr::ZERO, omega.pow(3), Fr::ONE] {
            let (y, proof) = srs.open(&p, z).expect("open");
            assert_eq!(y, p.evaluate(z));
            srs.verify(&c, z, y, &proof).expect("valid opening verifies");
        }
    }
    // The zero polynomial: commitment and proof at infinity.
    let zero = Polynomial::zero();
    let c = srs.commit(&zero).expect("commit");
    assert!(c.is_identity());
    let z = Fr::from_u64(5);
    let (y, proof) = srs.open(&zero, z).expect("open");
    assert!(y.is_zero() && proof.is_identity());
    srs.verify(&c, z, y, &proof).expect("zero opens to zero");
    assert!(failed(srs.verify(&c, z, Fr::ONE, &proof)));
}

#[test]
fn wrong_openings_are_rejected() {
    let (srs, _, mut rng) = setup(3);
    let p = random_poly(50, &mut rng);
    let c = srs.commit(&p).expect("commit");
    let z = Fr::random(&mut rng);
    let (y, proof) = srs.open(&p, z).expect("open");
    srs.verify(&c, z, y, &proof).expect("valid");

    assert!(failed(srs.verify(&c, z, y + Fr::ONE, &proof)), "wrong value");
    assert!(failed(srs.verify(&c, z + Fr::ONE, y, &proof)), "wrong point");
    let other = srs.commit(&random_poly(50, &mut rng)).expect("commit");
    assert!(failed(srs.verify(&other, z, y, &proof)), "wrong commitment");
    let (_, other_proof) = srs.open(&p, z + Fr::ONE).expect("open");
    assert!(failed(srs.verify(&c, z, y, &other_proof)), "proof for another point");
    let bumped = (G1Projective::from(proof) + G1Projective::generator()).to_affine();
    assert!(failed(srs.verify(&c, z, y, &bumped)), "tampered proof");
    assert!(failed(srs.verify(&c, z, y, &G1Affine::identity())), "proof at infinity");

    let off_curve = G1Affine::new_unchecked(Fq::ONE, Fq::ONE);
    assert!(matches!(
        srs.verify(&off_curve, z, y, &proof),
        Err(KzgError::InvalidPoint { what: "commitment" })
    ));
    assert!(matches!(
        srs.verify(&c, z, y, &off_curve),
        Err(KzgError::InvalidPoint { what: "proof" })
    ));
}

#[test]
fn degree_beyond_srs_is_an_error() {
    let (srs, _, mut rng) = setup(4);
    let p = random_poly(MAX_DEGREE + 2, &mut rng);
    fn too_large<T>(r: Result<T, KzgError>) -> bool {
        matches!(r, Err(KzgError::DegreeTooLarge { degree, max_degree })
            if degree == MAX_DEGREE + 1 && max_degree == MAX_DEGREE)
    }
    assert!(too_large(srs.commit(&p)));
    assert!(too_large(srs.open(&p, Fr::ONE)));
    assert!(too_large(srs.open_multi(&p, &[Fr::ONE])));
    let two = [G1Affine::identity(); 2];
    assert!(too_large(srs.open_batch(&[Polynomial::zero(), p], &two, Fr::ONE)));
    assert!(matches!(srs.trim(MAX_DEGREE + 1, 1), Err(KzgError::DegreeTooLarge { .. })));
}

#[test]
fn multi_point_openings() {
    let (srs, _, mut rng) = setup(5);
    let p = random_poly(300, &mut rng);
    let c = srs.commit(&p).expect("commit");
    for k in [1, 2, 5, srs.max_points()] {
        let points: Vec<Fr> = (0..k).map(|_| Fr::random(&mut rng)).collect();
        let (values, proof) = srs.open_multi(&p, &points).expect("open");
        for (z, v) in points.iter().zip(&values) {
            assert_eq!(*v, p.evaluate(*z));
        }
        srs.verify_multi(&c, &points, &values, &proof).expect("valid multi-opening");

        let mut bad = values.clone();
        bad[k - 1] += Fr::ONE;
        assert!(failed(srs.verify_multi(&c, &points, &bad, &proof)), "k = {k}");
        let mut moved = points.clone();
        moved[0] += Fr::ONE;
        assert!(failed(srs.verify_multi(&c, &moved, &values, &proof)), "k = {k}");
    }
    // A polynomial of degree below the number of points: the quotient is zero.
    let short = random_poly(3, &mut rng);
    let points: Vec<Fr> = (1..=6).map(Fr::from_u64).collect();
    let (values, proof) = srs.open_multi(&short, &points).expect("open");
    assert!(proof.is_identity());
    srs.verify_multi(&srs.commit(&short).expect("commit"), &points, &values, &proof)
        .expect("valid");

    let one = [Fr::ONE];
    assert!(matches!(srs.open_multi(&p, &[]), Err(KzgError::Empty { .. })));
    assert!(matches!(
        srs.open_multi(&p, &[Fr::ONE, Fr::from_u64(2), Fr::ONE]),
        Err(KzgError::RepeatedPoint { index: 2 })
    ));
    let too_many: Vec<Fr> = (0..=srs.max_points() as u64).map(Fr::from_u64).collect();
    assert!(matches!(srs.open_multi(&p, &too_many), Err(KzgError::TooManyPoints { .. })));
    assert!(matches!(
        srs.verify_multi(&c, &one, &[Fr::ONE, Fr::ONE], &G1Affine::identity()),
        Err(KzgError::LengthMismatch { .. })
    ));
}

#[test]
fn batch_opening_at_one_point() {
    let (srs, _, mut rng) = setup(6);
    let polys: Vec<Polynomial<Fr>> =
        [1, 10, 200, MAX_DEGREE + 1].iter().map(|&n| random_poly(n, &mut rng)).collect();
    let commitments: Vec<G1Affine> = polys.iter().map(|p| srs.commit(p).expect("commit")).collect();
    let z = Fr::random(&mut rng);
    let (values, proof) = srs.open_batch(&polys, &commitments, z).expect("open");
    for (p, v) in polys.iter().zip(&values) {
        assert_eq!(*v, p.evaluate(z));
    }
    srs.verify_batch(&commitments, z, &values, &proof).expect("valid batch");

    // A wrong value in any position, a changed commitment in any position.
    for i in 0..polys.len() {
        let mut bad = values.clone();
        bad[i] += Fr::ONE;
        assert!(failed(srs.verify_batch(&commitments, z, &bad, &proof)), "value {i}");
        let mut swapped = commitments.clone();
        swapped[i] = g1(Fr::from_u64(7));
        assert!(failed(srs.verify_batch(&swapped, z, &values, &proof)), "commitment {i}");
    }
    // Claims reordered (commitments and values together), another point.
    let (mut rc, mut rv) = (commitments.clone(), values.clone());
    rc.swap(0, 1);
    rv.swap(0, 1);
    assert!(failed(srs.verify_batch(&rc, z, &rv, &proof)));
    assert!(failed(srs.verify_batch(&commitments, z + Fr::ONE, &values, &proof)));
    // γ binds every commitment, the point and every value.
    let gamma = batch_challenge(&commitments, z, &values).expect("γ");
    assert!(!gamma.is_zero());
    assert_eq!(gamma, batch_challenge(&commitments, z, &values).expect("γ"), "deterministic");
    let mut other = values.clone();
    other[3] += Fr::ONE;
    assert_ne!(gamma, batch_challenge(&commitments, z, &other).expect("γ"));
    assert_ne!(gamma, batch_challenge(&commitments, z + Fr::ONE, &values).expect("γ"));
    assert_ne!(gamma, batch_challenge(&commitments[..3], z, &values[..3]).expect("γ"));
    assert_ne!(gamma, batch_challenge(&rc, z, &rv).expect("γ"));

    assert!(matches!(srs.open_batch(&[], &[], z), Err(KzgError::Empty { .. })));
    assert!(matches!(
        srs.open_batch(&polys, &commitments[1..], z),
        Err(KzgError::LengthMismatch { .. })
    ));
    assert!(matches!(
        srs.verify_batch(&commitments, z, &values[1..], &proof),
        Err(KzgError::LengthMismatch { .. })
    ));
}

#[test]
fn batch_verification_of_many_openings() {
    let (srs, _, mut rng) = setup(7);
    let claims: Vec<OpeningClaim> = (0..6)
        .map(|i| {
            // Degree ≥ 1: a constant opens to its value at every point.
            let p = random_poly(2 + 37 * i, &mut rng);
            let point = Fr::random(&mut rng);
            let (value, proof) = srs.open(&p, point).expect("open");
            OpeningClaim { commitment: srs.commit(&p).expect("commit"), point, value, proof }
        })
        .collect();
    srs.verify_many(&claims, &mut rng).expect("all valid");
    // A constant polynomial: commitment [c]₁, proof at infinity.
    let constant = Polynomial::new(vec![Fr::from_u64(4)]);
    let (value, proof) = srs.open(&constant, Fr::from_u64(9)).expect("open");
    let mut with_constant = claims.clone();
    with_constant.push(OpeningClaim {
        commitment: srs.commit(&constant).expect("commit"),
        point: Fr::from_u64(9),
        value,
        proof,
    });
    srs.verify_many(&with_constant, &mut rng).expect("infinity proof");
    with_constant[6].value += Fr::ONE;
    assert!(failed(srs.verify_many(&with_constant, &mut rng)));
    srs.verify_many(&claims[..1], &mut rng).expect("one valid");
    for i in 0..claims.len() {
        let mut bad = claims.clone();
        bad[i].value += Fr::ONE;
        assert!(failed(srs.verify_many(&bad, &mut rng)), "value of claim {i}");
        let mut bad = claims.clone();
        bad[i].point += Fr::ONE;
        assert!(failed(srs.verify_many(&bad, &mut rng)), "point of claim {i}");
        let mut bad = claims.clone();
        bad[i].proof = claims[(i + 1) % claims.len()].proof;
        assert!(failed(srs.verify_many(&bad, &mut rng)), "proof of claim {i}");
    }
    assert!(matches!(srs.verify_many(&[], &mut rng), Err(KzgError::Empty { .. })));
}

#[test]
fn small_and_trimmed_srs() {
    let mut rng = StdRng::seed_from_u64(8);
    let tau = Fr::random(&mut rng);
    let tiny: Srs = Srs::insecure_for_tests(0, tau).expect("degree-0 srs");
    assert_eq!((tiny.max_degree(), tiny.max_points()), (0, 1));
    let p = Polynomial::new(vec![Fr::from_u64(9)]);
    let c = tiny.commit(&p).expect("commit");
    let (y, proof) = tiny.open(&p, Fr::from_u64(3)).expect("open");
    tiny.verify(&c, Fr::from_u64(3), y, &proof).expect("valid");
    tiny.check_powers(&mut rng).expect("consistent");
    assert!(matches!(
        Srs::<CpuBackend>::insecure_for_tests(4, Fr::ZERO),
        Err(KzgError::InvalidSrs { .. })
    ));

    let (srs, _, mut rng) = setup(9);
    srs.check_powers(&mut rng).expect("consistent powers");
    let small = srs.trim(31, 4).expect("trim");
    assert_eq!((small.max_degree(), small.max_points()), (31, 4));
    let p = random_poly(32, &mut rng);
    let c = small.commit(&p).expect("commit");
    assert_eq!(c, srs.commit(&p).expect("commit"));
    let (y, proof) = small.open(&p, Fr::from_u64(11)).expect("open");
    srs.verify(&c, Fr::from_u64(11), y, &proof).expect("same SRS, same proofs");
    assert!(matches!(srs.trim(10, srs.max_points() + 1), Err(KzgError::TooManyPoints { .. })));

    // Powers of two different τ do not make an SRS.
    let mut g1 = srs.powers_g1()[..4].to_vec();
    g1[1] = g1[2];
    assert!(matches!(
        Srs::<CpuBackend>::from_powers(g1, srs.powers_g2().to_vec()),
        Err(KzgError::InvalidSrs { .. })
    ));
    let mut g1 = srs.powers_g1()[..4].to_vec();
    g1[3] = g1[2];
    let bad = Srs::<CpuBackend>::from_powers(g1, srs.powers_g2()[..3].to_vec())
        .expect("only [τ]₁ is checked at construction");
    assert!(matches!(bad.check_powers(&mut rng), Err(KzgError::InvalidSrs { .. })));
}

/// The γ = 0 attack on batch openings (issue 26): with γ = 0 the combination `Σ γ^i·pᵢ` is `p₀`
/// alone, so the opening of `p₀` passed as a batch proof with a wrong value for any other
/// polynomial. γ is now derived inside from the commitments, the point and the values, so the
/// prover cannot choose it, and γ = 0 is refused.
#[test]
fn batch_opening_gamma_zero_attack_is_rejected() {
    let (srs, _, mut rng) = setup(26);
    let polys: Vec<Polynomial<Fr>> = (0..3).map(|_| random_poly(20, &mut rng)).collect();
    let commitments: Vec<G1Affine> = polys.iter().map(|p| srs.commit(p).expect("commit")).collect();
    let z = Fr::random(&mut rng);
    // What the old `open_batch(polys, z, γ = 0)` returned: the opening of p₀ alone.
    let (y0, proof0) = srs.open(&polys[0], z).expect("open");
    let honest: Vec<Fr> = polys.iter().map(|p| p.evaluate(z)).collect();
    assert_eq!(honest[0], y0);
    for i in 1..polys.len() {
        let mut values = honest.clone();
        values[i] += Fr::ONE;
        assert!(failed(srs.verify_batch(&commitments, z, &values, &proof0)), "claim {i} wrong");
    }
    assert!(failed(srs.verify_batch(&commitments, z, &honest, &proof0)));
}
