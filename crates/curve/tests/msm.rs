//! MSM against the naive oracle: many sizes, zero scalars, infinity and repeated bases, G1 and G2,
//! every path of the CPU Pippenger (XYZZ and batch-affine buckets, window widths, chunking,
//! precomputed fixed bases), and against arkworks' `VariableBaseMSM`.

use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{BigInt, PrimeField as ArkPrimeField};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_curve::bn254::{Fq2, G1Affine, G1Config, G2Affine, G2Config};
use zkprove_curve::msm::{
    BucketMode, CpuBases, Endomorphism, PippengerConfig, msm_pippenger, msm_pippenger_with,
    random_points,
};
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

/// `n` distinct points `P₀ + i·G` (cheap: one addition each), with some infinities and some
/// negations of earlier points mixed in.
fn distinct_points<C: SwCurve>(n: usize, rng: &mut StdRng) -> Vec<Affine<C>> {
    let g = Projective::<C>::generator();
    let mut acc = Projective::<C>::random(rng);
    let mut proj = Vec::with_capacity(n);
    for _ in 0..n {
        proj.push(acc);
        acc += g;
    }
    let mut points = Projective::batch_to_affine(&proj);
    for i in 0..n {
        match rng.random_range(0..40) {
            0 => points[i] = Affine::IDENTITY,
            1 if i > 0 => points[i] = -points[rng.random_range(0..i)],
            2 if i > 0 => points[i] = points[rng.random_range(0..i)],
            _ => {}
        }
    }
    points
}

/// Random scalars with the edge values mixed in: 0, 1, −1 = r − 1, small values, and runs of
/// equal scalars (which pile points into one bucket of every window).
fn edge_scalars<S: zkprove_field::PrimeField>(n: usize, rng: &mut StdRng) -> Vec<S> {
    let repeated = S::random(rng);
    (0..n)
        .map(|_| match rng.random_range(0..12) {
            0 => S::ZERO,
            1 => S::ONE,
            2 => -S::ONE,
            3 => S::from_u64(rng.random_range(0..1 << 20)),
            4 => repeated,
            5 => -repeated,
            _ => S::random(rng),
        })
        .collect()
}

/// Every configuration the CPU MSM has, against the naive oracle.
fn check_all_paths<C: SwCurve>(sizes: &[usize], windows: &[usize], seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    for &n in sizes {
        let bases = distinct_points::<C>(n, &mut rng);
        let scalars = edge_scalars::<C::Scalar>(n, &mut rng);
        let expected = msm_naive(&bases, &scalars).expect("lengths");
        for mode in [BucketMode::Auto, BucketMode::Xyzz, BucketMode::BatchAffine] {
            for &c in windows {
                // One-bit windows mean 255 windows: only on small inputs.
                if c == 1 && n > 300 {
                    continue;
                }
                for endomorphism in [Endomorphism::Off, Endomorphism::On] {
                    // Chunks of points × groups of windows per task (every window in one task
                    // with 100).
                    for (n_chunks, windows_per_task) in
                        [(None, None), (Some(1), Some(1)), (Some(3), Some(4)), (Some(1), Some(100))]
                    {
                        let config = PippengerConfig {
                            window_bits: Some(c),
                            bucket_mode: mode,
                            n_chunks,
                            windows_per_task,
                            endomorphism,
                        };
                        let got = msm_pippenger_with(&bases, &scalars, &config).expect("lengths");
                        assert_eq!(got, expected, "n = {n}, {config:?}");
                    }
                }
            }
            for endomorphism in [Endomorphism::Auto, Endomorphism::Off, Endomorphism::On] {
                let config =
                    PippengerConfig { bucket_mode: mode, endomorphism, ..Default::default() };
                let got = msm_pippenger_with(&bases, &scalars, &config).unwrap();
                assert_eq!(got, expected, "n = {n}, {config:?}");
            }
        }
        for endomorphism in [Endomorphism::Off, Endomorphism::On] {
            for factor in [1, 2, 3, 5] {
                let pre = CpuBases::prepare(bases.clone(), factor, endomorphism);
                assert_eq!(pre.len(), n);
                assert_eq!(pre.points(), bases);
                assert_eq!(pre.uses_endomorphism(), endomorphism == Endomorphism::On);
                let m = if pre.uses_endomorphism() { 2 } else { 1 };
                assert_eq!(pre.memory_bytes(), n * factor * m * core::mem::size_of::<Affine<C>>());
                for mode in [BucketMode::Auto, BucketMode::Xyzz, BucketMode::BatchAffine] {
                    let config = PippengerConfig { bucket_mode: mode, ..Default::default() };
                    let got = pre.msm_with(&scalars, &config).expect("lengths");
                    assert_eq!(
                        got, expected,
                        "n = {n}, factor {factor}, {mode:?}, {endomorphism:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn g1_all_paths_match_naive() {
    check_all_paths::<G1Config>(&[0, 1, 2, 3, 17, 255, 1000], &[1, 2, 5, 8, 11], 1);
}

#[test]
fn g1_batch_affine_large_windows() {
    // Enough points that batches fill and conflicts happen in every window.
    check_all_paths::<G1Config>(&[3001], &[5, 13, 16], 2);
}

#[test]
fn g2_all_paths_match_naive() {
    check_all_paths::<G2Config>(&[0, 1, 5, 300], &[3, 8], 3);
}

#[test]
fn batch_affine_degenerate_buckets() {
    // All scalars equal: every point of a window lands in the same bucket, so the batch-affine
    // path resolves its pending list through XYZZ sums. Distinct bases, then one repeated base
    // (doublings inside a batch), then P/−P pairs (cancellations inside a batch).
    let mut rng = StdRng::seed_from_u64(4);
    let n = 1200;
    let distinct = distinct_points::<G1Config>(n, &mut rng);
    let g = G1Affine::generator();
    let same = vec![g; n];
    let pairs: Vec<G1Affine> = (0..n).map(|i| if i % 2 == 0 { g } else { -g }).collect();
    let s = Fr::random(&mut rng);
    for (bases, scalars) in [
        (&distinct, vec![s; n]),
        (&same, vec![s; n]),
        (&pairs, vec![s; n]),
        (&pairs, vec![-Fr::ONE; n]),
        (&same, (0..n).map(|i| if i % 3 == 0 { s } else { -s }).collect()),
    ] {
        let expected = msm_naive(bases, &scalars).unwrap();
        for c in [3, 10, 14] {
            for endomorphism in [Endomorphism::Off, Endomorphism::On] {
                let config = PippengerConfig {
                    window_bits: Some(c),
                    bucket_mode: BucketMode::BatchAffine,
                    n_chunks: Some(1),
                    windows_per_task: Some(3),
                    endomorphism,
                };
                let got = msm_pippenger_with(bases, &scalars, &config).unwrap();
                assert_eq!(got, expected, "c = {c}, {endomorphism:?}");
            }
        }
    }
    // The sum of the pairs is zero whatever the scalar.
    assert!(msm_pippenger(&pairs, &vec![s; n]).unwrap().is_identity());
}

/// The endomorphisms act as multiplication by the GLV eigenvalue λ on both groups.
fn check_endomorphism<C: SwCurve<Scalar = Fr>>(seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let glv = C::GLV.expect("BN254 groups have an endomorphism");
    let lambda = Fr::from_canonical_limbs(glv.lambda).expect("canonical");
    assert!(C::endomorphism(&Affine::IDENTITY).is_identity());
    for _ in 0..8 {
        let p = Affine::<C>::random(&mut rng);
        assert_eq!(Projective::from(C::endomorphism(&p)), Projective::from(p) * lambda);
    }
}

#[test]
fn endomorphisms_are_multiplication_by_lambda() {
    check_endomorphism::<G1Config>(11);
    check_endomorphism::<G2Config>(12);
}

/// Sizes across the GLV threshold, with the scalars whose halves sit at the edges of the split:
/// multiples of λ, λ ± 1, r − λ, and the all-equal case.
#[test]
fn glv_edge_scalars_match_naive() {
    let mut rng = StdRng::seed_from_u64(13);
    let lambda = Fr::from_canonical_limbs(G1Config::GLV.expect("glv").lambda).expect("canonical");
    for n in [63, 64, 65, 2999] {
        let bases = distinct_points::<G1Config>(n, &mut rng);
        let scalars: Vec<Fr> = (0..n)
            .map(|i| match i % 6 {
                0 => lambda,
                1 => lambda + Fr::ONE,
                2 => -lambda,
                3 => lambda * Fr::from_u64(rng.random()),
                4 => -Fr::ONE,
                _ => Fr::random(&mut rng),
            })
            .collect();
        let expected = msm_naive(&bases, &scalars).unwrap();
        for endomorphism in [Endomorphism::Auto, Endomorphism::On] {
            let config = PippengerConfig { endomorphism, ..Default::default() };
            assert_eq!(msm_pippenger_with(&bases, &scalars, &config).unwrap(), expected, "n = {n}");
        }
    }
}

#[test]
fn precomputed_bases_through_msm_ops() {
    let mut rng = StdRng::seed_from_u64(5);
    let n = 777;
    let bases = distinct_points::<G1Config>(n, &mut rng);
    let scalars = edge_scalars::<Fr>(n, &mut rng);
    let expected = msm_naive(&bases, &scalars).unwrap();
    let prepared = <CpuBackend as MsmOps<G1Config>>::prepare_bases(bases.clone()).unwrap();
    assert_eq!(prepared.factor(), 1);
    // Several MSMs against the same prepared bases.
    for _ in 0..2 {
        assert_eq!(<CpuBackend as MsmOps<G1Config>>::msm(&prepared, &scalars).unwrap(), expected);
    }
    for factor in [0, 1, 4, 16, 1000] {
        let pre = CpuBases::with_precomputation(bases.clone(), factor);
        assert_eq!(pre.factor(), factor.clamp(1, zkprove_curve::msm::MAX_PRECOMPUTATION));
        assert_eq!(<CpuBackend as MsmOps<G1Config>>::msm(&pre, &scalars).unwrap(), expected);
        assert_eq!(
            <CpuBackend as MsmOps<G1Config>>::msm(&pre, &scalars[1..]),
            Err(MsmError::LengthMismatch { n_bases: n, n_scalars: n - 1 })
        );
    }
}

#[test]
fn scalar_r_minus_one_and_infinity() {
    let mut rng = StdRng::seed_from_u64(6);
    let n = 1500;
    let bases = distinct_points::<G1Config>(n, &mut rng);
    let minus_one = vec![-Fr::ONE; n];
    let sum: Projective<G1Config> = bases.iter().sum();
    for mode in [BucketMode::Xyzz, BucketMode::BatchAffine] {
        let config = PippengerConfig { bucket_mode: mode, ..Default::default() };
        assert_eq!(msm_pippenger_with(&bases, &minus_one, &config).unwrap(), -sum);
        let inf = vec![G1Affine::IDENTITY; n];
        assert!(msm_pippenger_with(&inf, &minus_one, &config).unwrap().is_identity());
    }
}

fn ark_fq(x: Fq) -> ark_bn254::Fq {
    ark_bn254::Fq::from_bigint(BigInt(x.to_canonical_limbs())).expect("canonical")
}

fn ark_fr(s: Fr) -> ark_bn254::Fr {
    ark_bn254::Fr::from_bigint(BigInt(s.to_canonical_limbs())).expect("canonical")
}

fn ark_g2(p: G2Affine) -> ark_bn254::G2Affine {
    let f2 = |x: Fq2| {
        let [c0, c1] = *x.coeffs();
        ark_bn254::Fq2::new(ark_fq(c0), ark_fq(c1))
    };
    if p.is_identity() {
        ark_bn254::G2Affine::identity()
    } else {
        ark_bn254::G2Affine::new(f2(p.x), f2(p.y))
    }
}

#[test]
fn g1_large_msm_matches_arkworks() {
    // Large enough for the default configuration to pick batch-affine buckets.
    let mut rng = StdRng::seed_from_u64(8);
    let n = (1 << 14) + 3;
    let bases = distinct_points::<G1Config>(n, &mut rng);
    let scalars = edge_scalars::<Fr>(n, &mut rng);
    let ark_bases: Vec<ark_bn254::G1Affine> = bases
        .iter()
        .map(|p| {
            if p.is_identity() {
                ark_bn254::G1Affine::identity()
            } else {
                ark_bn254::G1Affine::new(ark_fq(p.x), ark_fq(p.y))
            }
        })
        .collect();
    let ark_scalars: Vec<ark_bn254::Fr> = scalars.iter().map(|s| ark_fr(*s)).collect();
    let theirs = ark_bn254::G1Projective::msm(&ark_bases, &ark_scalars).unwrap().into_affine();
    for mode in [BucketMode::Auto, BucketMode::Xyzz, BucketMode::BatchAffine] {
        let config = PippengerConfig { bucket_mode: mode, ..Default::default() };
        let ours = msm_pippenger_with(&bases, &scalars, &config).unwrap().to_affine();
        assert_eq!((ark_fq(ours.x), ark_fq(ours.y)), (theirs.x, theirs.y), "{mode:?}");
    }
    let pre = CpuBases::with_precomputation(bases, 4);
    let ours = <CpuBackend as MsmOps<G1Config>>::msm(&pre, &scalars).unwrap().to_affine();
    assert_eq!((ark_fq(ours.x), ark_fq(ours.y)), (theirs.x, theirs.y));
}

#[test]
fn g2_msm_matches_arkworks() {
    let mut rng = StdRng::seed_from_u64(9);
    let n = 600;
    let bases = distinct_points::<G2Config>(n, &mut rng);
    let scalars = edge_scalars::<Fr>(n, &mut rng);
    let ark_bases: Vec<ark_bn254::G2Affine> = bases.iter().map(|p| ark_g2(*p)).collect();
    let ark_scalars: Vec<ark_bn254::Fr> = scalars.iter().map(|s| ark_fr(*s)).collect();
    let theirs = ark_bn254::G2Projective::msm(&ark_bases, &ark_scalars).unwrap().into_affine();
    for mode in [BucketMode::Xyzz, BucketMode::BatchAffine] {
        for endomorphism in [Endomorphism::Off, Endomorphism::On] {
            let config = PippengerConfig { bucket_mode: mode, endomorphism, ..Default::default() };
            let ours = msm_pippenger_with(&bases, &scalars, &config).unwrap().to_affine();
            assert_eq!(ark_g2(ours), theirs, "{mode:?}, {endomorphism:?}");
        }
    }
}

/// Witness-shaped scalars (mostly 0, 1 and small integers, some full-size), which the CPU MSM
/// splits into a sum, a short MSM over the small values' bits and a full MSM: the naive oracle
/// agrees on G1 and G2, and on the corner shapes (all small, all ones, small values up to
/// `2^64 − 1`, no full-size scalar, no small one).
fn check_witness_shaped<C: SwCurve>(n: usize, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let distinct: Vec<Affine<C>> = (0..16).map(|_| Affine::random(&mut rng)).collect();
    let bases: Vec<Affine<C>> = (0..n)
        .map(|i| if i % 97 == 5 { Affine::IDENTITY } else { distinct[(i * 7) % 16] })
        .collect();
    let small = |rng: &mut StdRng| -> C::Scalar {
        match rng.random_range(0..4) {
            0 => C::Scalar::from_u64(rng.random_range(2..256)),
            1 => C::Scalar::from_u64(rng.random::<u32>().into()),
            2 => C::Scalar::from_u64(u64::MAX),
            _ => C::Scalar::from_u64(rng.random::<u64>().max(2)),
        }
    };
    let shapes: [(&str, [u32; 4]); 5] = [
        ("mixed", [45, 35, 15, 5]),
        ("all small", [0, 0, 100, 0]),
        ("all ones", [0, 100, 0, 0]),
        ("no full-size", [30, 30, 40, 0]),
        ("no small", [40, 40, 0, 20]),
    ];
    for (name, [zero, one, sm, _]) in shapes {
        let scalars: Vec<C::Scalar> = (0..n)
            .map(|_| {
                let x = rng.random_range(0..100);
                if x < zero {
                    C::Scalar::ZERO
                } else if x < zero + one {
                    C::Scalar::ONE
                } else if x < zero + one + sm {
                    small(&mut rng)
                } else {
                    C::Scalar::random(&mut rng)
                }
            })
            .collect();
        let expected = msm_naive(&bases, &scalars).expect("lengths");
        let got = msm_pippenger(&bases, &scalars).expect("lengths");
        assert_eq!(got, expected, "{} {name}", C::NAME);
        let prepared = <CpuBackend as MsmOps<C>>::prepare_bases(bases.clone()).expect("bases");
        let got = <CpuBackend as MsmOps<C>>::msm(&prepared, &scalars).expect("msm");
        assert_eq!(got, expected, "{} {name} (prepared bases)", C::NAME);
    }
}

#[test]
fn witness_shaped_scalars_match_naive() {
    check_witness_shaped::<G1Config>(1 << 11, 21);
    check_witness_shaped::<G2Config>(1100, 22);
}

/// [`SwCurve::ENDOMORPHISM_KEEPS_Y`] (the MSM then stores only the images' x coordinates) holds
/// where it is claimed: `φ(P).y = P.y`, for the identity too.
fn check_endomorphism_keeps_y<C: SwCurve>(seed: u64) {
    if !C::ENDOMORPHISM_KEEPS_Y {
        return;
    }
    let mut rng = StdRng::seed_from_u64(seed);
    for p in random_points::<C, _>(16, &mut rng).into_iter().chain([Affine::IDENTITY]) {
        let q = C::endomorphism(&p);
        assert_eq!(q.y, p.y, "{}", C::NAME);
        assert_eq!(q.is_identity(), p.is_identity(), "{}", C::NAME);
    }
}

#[test]
fn endomorphism_keeps_y_where_claimed() {
    const { assert!(G1Config::ENDOMORPHISM_KEEPS_Y) };
    check_endomorphism_keeps_y::<G1Config>(31);
    check_endomorphism_keeps_y::<G2Config>(32);
}
