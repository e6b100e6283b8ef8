//! MSM against the naive oracle: many sizes, zero scalars, infinity and repeated bases, G1 and G2,
//! and against arkworks' `VariableBaseMSM`.

use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{BigInt, PrimeField as ArkPrimeField};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_curve::bn254::{G1Affine, G1Config, G2Config};
use zkprove_curve::msm::msm_pippenger;
use zkprove_curve::{Affine, MsmError, MsmOps, Projective, SwCurve, msm_naive};
use zkprove_field::Field;
use zkprove_field::bn254::{Fq, Fr};
use zkprove_poly::CpuBackend;

fn inputs<C: SwCurve>(n: usize, rng: &mut StdRng) -> (Vec<Affine<C>>, Vec<C::Scalar>) {
    // A few distinct random points, then multiples of them: cheaper than n random points and
    // it exercises repeated bases.
    let distinct: Vec<Affine<C>> = (0..n.clamp(1, 16)).map(|_| Affine::random(rng)).collect();
    let mut bases = Vec::with_capacity(n);
    let mut scalars = Vec::with_capacity(n);
    for i in 0..n {
        let base = match rng.random_range(0..10) {
            0 => Affine::IDENTITY,
            _ => distinct[i % distinct.len()],
        };
        let scalar = match rng.random_range(0..10) {
            0 => C::Scalar::ZERO,
            1 => C::Scalar::ONE,
            2 => -C::Scalar::ONE,
            3 => C::Scalar::from_u64(rng.random_range(0..1000)),
            _ => C::Scalar::random(rng),
        };
        bases.push(base);
        scalars.push(scalar);
    }
    (bases, scalars)
}

fn check_sizes<C: SwCurve>(sizes: &[usize]) {
    let mut rng = StdRng::seed_from_u64(42);
    for &n in sizes {
        let (bases, scalars) = inputs::<C>(n, &mut rng);
        let expected = msm_naive(&bases, &scalars).expect("lengths");
        assert_eq!(msm_pippenger(&bases, &scalars).expect("lengths"), expected, "n = {n}");
        let prepared = <CpuBackend as MsmOps<C>>::prepare_bases(bases.clone()).expect("cpu");
        assert_eq!(<CpuBackend as MsmOps<C>>::n_bases(&prepared), n);
        let got = <CpuBackend as MsmOps<C>>::msm(&prepared, &scalars).expect("lengths");
        assert_eq!(got, expected, "n = {n}");
    }
}

#[test]
fn g1_msm_matches_naive() {
    check_sizes::<G1Config>(&[0, 1, 2, 3, 5, 8, 31, 32, 33, 100, 257, 1000]);
}

#[test]
fn g2_msm_matches_naive() {
    check_sizes::<G2Config>(&[0, 1, 2, 7, 64, 300]);
}

#[test]
fn msm_edge_cases() {
    let g = G1Affine::generator();
    // All zero scalars, all infinity bases, the same base many times.
    let zeros = vec![Fr::ZERO; 100];
    let bases = vec![g; 100];
    assert!(msm_pippenger(&bases, &zeros).unwrap().is_identity());
    let ones = vec![Fr::ONE; 100];
    assert_eq!(msm_pippenger(&bases, &ones).unwrap(), Projective::from(g) * Fr::from_u64(100));
    let inf = vec![G1Affine::IDENTITY; 50];
    assert!(msm_pippenger(&inf, &ones[..50]).unwrap().is_identity());
    // P and −P cancel.
    let pm = [g, -g];
    assert!(msm_pippenger(&pm, &[Fr::ONE, Fr::ONE]).unwrap().is_identity());
    // Mismatched lengths are an error.
    assert_eq!(
        msm_pippenger(&bases, &ones[..99]),
        Err(MsmError::LengthMismatch { n_bases: 100, n_scalars: 99 })
    );
    assert!(msm_naive(&bases[..1], &ones[..2]).is_err());
}

#[test]
fn g1_msm_matches_arkworks() {
    let mut rng = StdRng::seed_from_u64(7);
    let n = 1 << 10;
    let (bases, scalars) = inputs::<G1Config>(n, &mut rng);
    let ours = msm_pippenger(&bases, &scalars).unwrap().to_affine();
    let to_ark_fq =
        |x: Fq| ark_bn254::Fq::from_bigint(BigInt(x.to_canonical_limbs())).expect("canonical");
    let ark_bases: Vec<ark_bn254::G1Affine> = bases
        .iter()
        .map(|p| {
            if p.is_identity() {
                ark_bn254::G1Affine::identity()
            } else {
                ark_bn254::G1Affine::new(to_ark_fq(p.x), to_ark_fq(p.y))
            }
        })
        .collect();
    let ark_scalars: Vec<ark_bn254::Fr> = scalars
        .iter()
        .map(|s| ark_bn254::Fr::from_bigint(BigInt(s.to_canonical_limbs())).expect("canonical"))
        .collect();
    let theirs = ark_bn254::G1Projective::msm(&ark_bases, &ark_scalars).unwrap().into_affine();
    if ours.is_identity() {
        assert!(theirs.infinity);
    } else {
        assert_eq!((to_ark_fq(ours.x), to_ark_fq(ours.y)), (theirs.x, theirs.y));
    }
}
