//! Goldilocks and Goldilocks²: field laws, known answers, and differential tests against Plonky3
//! (`p3-goldilocks`), for the scalar, the extension and the packing compiled in.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use p3_field::extension::BinomialExtensionField;
use p3_field::{BasedVectorSpace, PrimeCharacteristicRing};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::goldilocks::{Goldilocks, GoldilocksExt2, P};
use zkprove_field::{ExtensionField, Field, PackedField, PrimeField, PrimeField64, TwoAdicField};

type P3 = p3_goldilocks::Goldilocks;
type P3Ext2 = BinomialExtensionField<P3, 2>;

zkprove_field_testing::test_prime_field!(goldilocks, zkprove_field::goldilocks::Goldilocks);
zkprove_field_testing::test_two_adic_field!(
    goldilocks_two_adic,
    zkprove_field::goldilocks::Goldilocks
);
zkprove_field_testing::test_extension_field!(
    goldilocks_ext2,
    zkprove_field::goldilocks::Goldilocks,
    zkprove_field::goldilocks::GoldilocksExt2
);
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
zkprove_field_testing::test_packed_field!(
    packed_avx512,
    zkprove_field::goldilocks::PackedGoldilocksAvx512
);
#[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
zkprove_field_testing::test_packed_field!(
    packed_avx2,
    zkprove_field::goldilocks::PackedGoldilocksAvx2
);

type Packed = <Goldilocks as Field>::Packing;

const EPS: u64 = (1 << 32) - 1;

/// Representatives that stress the reduction: around 0, p and 2^64 (our representation and
/// Plonky3's both allow any u64), multiples of 2^32 and values with all-ones halves.
const EDGES: [u64; 20] = [
    0,
    1,
    2,
    EPS,
    1 << 32,
    EPS << 32,
    P - 2,
    P - 1,
    P,
    P + 1,
    P + 2,
    u64::MAX,
    u64::MAX - 1,
    u64::MAX - EPS,
    1 << 63,
    (1 << 63) + (1 << 32),
    3 << 32,
    0xFFFF_FFFE_0000_0000,
    0x0000_0001_FFFF_FFFF,
    0xFFFF_FFFE_FFFF_FFFF,
];

fn edge_or_random(rng: &mut StdRng) -> u64 {
    if rng.random_bool(0.3) { EDGES[rng.random_range(0..EDGES.len())] } else { rng.random() }
}

fn ours(v: u64) -> Goldilocks {
    Goldilocks::new(v)
}

fn canon_p3(x: P3) -> u64 {
    p3_field::PrimeField64::as_canonical_u64(&x)
}

fn hash_of<T: Hash>(x: &T) -> u64 {
    let mut h = DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

#[test]
fn known_answers() {
    // (p − 1)² = 1.
    assert_eq!(Goldilocks::NEG_ONE.square(), Goldilocks::ONE);
    assert_eq!(ours(P - 1) * ours(P - 1), Goldilocks::ONE);
    // 2^64 ≡ 2^32 − 1 and 2^96 ≡ −1.
    let two32 = ours(1 << 32);
    assert_eq!(two32.square().as_canonical_u64(), EPS);
    assert_eq!((two32 * two32 * two32), Goldilocks::NEG_ONE);
    assert_eq!(Goldilocks::TWO.pow(64).as_canonical_u64(), EPS);
    // A fixed product and a fixed inverse (computed with Python's big integers).
    assert_eq!(
        (ours(0x1234_5678_9abc_def0) * ours(0xfedc_ba98_7654_3210)).as_canonical_u64(),
        0xfaea_fd1f_6c7b_bad4
    );
    assert_eq!(
        ours(0xdead_beef_cafe_babe).inverse().unwrap().as_canonical_u64(),
        0xb9d0_1fea_58c8_f805
    );
    // The 2^32-th root of unity and the bottom of the chain.
    assert_eq!(
        Goldilocks::two_adic_generator(32).unwrap().as_canonical_u64(),
        0x1856_29dc_da58_878c
    );
    assert_eq!(Goldilocks::two_adic_generator(1), Some(Goldilocks::NEG_ONE));
    assert_eq!(Goldilocks::two_adic_generator(2).unwrap().as_canonical_u64(), 1 << 48);
    assert_eq!(Goldilocks::two_adic_generator(33), None);
    // Constants and encodings.
    assert_eq!(Goldilocks::order_string(), "18446744069414584321");
    assert_eq!(Goldilocks::NEG_ONE.to_string(), "18446744069414584320");
    assert_eq!(ours(P + 5).to_string(), "5");
    assert_eq!(ours(P + 5).to_bytes_le(), 5u64.to_le_bytes());
    assert_eq!(Goldilocks::from_bytes_le(&P.to_le_bytes()), None);
    assert_eq!(Goldilocks::from_bytes_le(&u64::MAX.to_le_bytes()), None);
    assert_eq!(Goldilocks::from_raw_bytes_le(&(P - 1).to_le_bytes()), Some(Goldilocks::NEG_ONE));
    assert_eq!(Goldilocks::ORDER_U64, P);
}

#[test]
fn non_canonical_representatives_observe_as_canonical() {
    for v in 0..EPS.min(1 << 12) {
        let (a, b) = (ours(v), ours(v + P));
        assert_eq!(a, b);
        assert_eq!(hash_of(&a), hash_of(&b));
        assert_eq!(a.cmp(&b), core::cmp::Ordering::Equal);
        assert_eq!(a.to_string(), b.to_string());
        assert_eq!(b.as_canonical_u64(), v);
    }
    assert!(ours(P).is_zero() && ours(P + 1).is_one());
    assert!(ours(P + 1) < ours(2) && ours(u64::MAX) < ours(P - 1));
    assert_eq!(ours(P).inverse(), None);
}

#[test]
fn seven_is_a_non_residue() {
    // Euler's criterion: 7^((p−1)/2) = −1, so X² − 7 is irreducible and GoldilocksExt2 is a field.
    assert_eq!(ours(7).pow((P - 1) / 2), Goldilocks::NEG_ONE);
    // And 7 generates F_p^*: 7^((p−1)/q) ≠ 1 for every prime q | p − 1 = 2^32·3·5·17·257·65537.
    for q in [2u64, 3, 5, 17, 257, 65537] {
        assert_ne!(ours(7).pow((P - 1) / q), Goldilocks::ONE, "q = {q}");
    }
    // X² = 7 in the extension.
    let x = GoldilocksExt2::x();
    assert_eq!(x * x, GoldilocksExt2::from_base(ours(7)));
}

#[test]
fn two_adic_generators_match_plonky3() {
    for bits in 0..=32 {
        let theirs = <P3 as p3_field::TwoAdicField>::two_adic_generator(bits);
        assert_eq!(
            Goldilocks::two_adic_generator(bits).unwrap().as_canonical_u64(),
            canon_p3(theirs),
            "bits = {bits}"
        );
    }
}

#[test]
fn differential_scalar_vs_plonky3() {
    let mut rng = StdRng::seed_from_u64(0x601d_11c5);
    // Pairwise over the edge values.
    for &a in &EDGES {
        for &b in &EDGES {
            let (x, y) = (ours(a), ours(b));
            let (u, v) = (P3::new(a), P3::new(b));
            assert_eq!((x * y).as_canonical_u64(), canon_p3(u * v), "{a:#x} · {b:#x}");
            assert_eq!((x + y).as_canonical_u64(), canon_p3(u + v), "{a:#x} + {b:#x}");
            assert_eq!((x - y).as_canonical_u64(), canon_p3(u - v), "{a:#x} − {b:#x}");
        }
    }
    // Random operation sequences on a few registers, seeded with edge and random values.
    for _ in 0..200 {
        let init: Vec<u64> = (0..4).map(|_| edge_or_random(&mut rng)).collect();
        let mut a: Vec<Goldilocks> = init.iter().map(|&v| ours(v)).collect();
        let mut b: Vec<P3> = init.iter().map(|&v| P3::new(v)).collect();
        for step in 0..64 {
            let (i, j) = (rng.random_range(0..4), rng.random_range(0..4));
            match rng.random_range(0..8) {
                0 => (a[i], b[i]) = (a[i] + a[j], b[i] + b[j]),
                1 => (a[i], b[i]) = (a[i] - a[j], b[i] - b[j]),
                2 => (a[i], b[i]) = (a[i] * a[j], b[i] * b[j]),
                3 => (a[i], b[i]) = (a[i].square(), b[i].square()),
                4 => (a[i], b[i]) = (-a[i], -b[i]),
                5 => (a[i], b[i]) = (a[i].double(), b[i].double()),
                6 => {
                    let inv = a[i].inverse();
                    let theirs = p3_field::Field::try_inverse(&b[i]);
                    assert_eq!(
                        inv.map(|x| x.as_canonical_u64()),
                        theirs.map(canon_p3),
                        "inverse at step {step}"
                    );
                    if let (Some(x), Some(y)) = (inv, theirs) {
                        (a[i], b[i]) = (x, y);
                    }
                }
                _ => {
                    // Inject a fresh (possibly non-canonical) value.
                    let v = edge_or_random(&mut rng);
                    (a[i], b[i]) = (ours(v), P3::new(v));
                }
            }
            for k in 0..4 {
                assert_eq!(
                    a[k].as_canonical_u64(),
                    canon_p3(b[k]),
                    "register {k} at step {step}, start {init:x?}"
                );
            }
        }
    }
}

fn ext(c: [u64; 2]) -> GoldilocksExt2 {
    GoldilocksExt2::from_base_slice(&[ours(c[0]), ours(c[1])]).unwrap()
}

fn p3_ext(c: [u64; 2]) -> P3Ext2 {
    P3Ext2::from_basis_coefficients_fn(|i| P3::new(c[i]))
}

fn ext_canon(x: GoldilocksExt2) -> [u64; 2] {
    x.coeffs().map(|c| c.as_canonical_u64())
}

fn p3_ext_canon(x: P3Ext2) -> [u64; 2] {
    let c = x.as_basis_coefficients_slice();
    [canon_p3(c[0]), canon_p3(c[1])]
}

#[test]
fn differential_ext2_vs_plonky3() {
    // Plonky3's BinomialExtensionField<Goldilocks, 2> uses W = 7: X·X must agree.
    assert_eq!(p3_ext_canon(p3_ext([0, 1]) * p3_ext([0, 1])), [7, 0]);
    let mut rng = StdRng::seed_from_u64(0xe27);
    for _ in 0..100 {
        let init: Vec<[u64; 2]> =
            (0..3).map(|_| [edge_or_random(&mut rng), edge_or_random(&mut rng)]).collect();
        let mut a: Vec<GoldilocksExt2> = init.iter().map(|&c| ext(c)).collect();
        let mut b: Vec<P3Ext2> = init.iter().map(|&c| p3_ext(c)).collect();
        for step in 0..32 {
            let (i, j) = (rng.random_range(0..3), rng.random_range(0..3));
            match rng.random_range(0..6) {
                0 => (a[i], b[i]) = (a[i] + a[j], b[i] + b[j]),
                1 => (a[i], b[i]) = (a[i] - a[j], b[i] - b[j]),
                2 => (a[i], b[i]) = (a[i] * a[j], b[i] * b[j]),
                3 => (a[i], b[i]) = (a[i].square(), b[i].square()),
                4 => {
                    let inv = a[i].inverse();
                    let theirs = p3_field::Field::try_inverse(&b[i]);
                    assert_eq!(
                        inv.map(ext_canon),
                        theirs.map(p3_ext_canon),
                        "inverse at step {step}"
                    );
                    if let (Some(x), Some(y)) = (inv, theirs) {
                        (a[i], b[i]) = (x, y);
                    }
                }
                _ => (a[i], b[i]) = (-a[i], -b[i]),
            }
            for k in 0..3 {
                assert_eq!(ext_canon(a[k]), p3_ext_canon(b[k]), "register {k} at step {step}");
            }
        }
    }
}

/// Lanes drawn from the edge values and random `u64`s (non-canonical ones included).
fn random_packed(rng: &mut StdRng) -> (Packed, Vec<u64>) {
    let raw: Vec<u64> = (0..Packed::WIDTH).map(|_| edge_or_random(rng)).collect();
    (Packed::from_fn(|i| ours(raw[i])), raw)
}

#[test]
fn differential_packed_vs_scalar_and_plonky3() {
    let mut rng = StdRng::seed_from_u64(0xbac4);
    let lanes = |p: Packed| p.as_slice().iter().map(|x| x.as_canonical_u64()).collect::<Vec<_>>();
    let scalar = |xs: &[u64], ys: &[u64], f: &dyn Fn(Goldilocks, Goldilocks) -> Goldilocks| {
        xs.iter().zip(ys).map(|(&x, &y)| f(ours(x), ours(y)).as_canonical_u64()).collect::<Vec<_>>()
    };
    let theirs = |xs: &[u64], ys: &[u64], f: &dyn Fn(P3, P3) -> P3| {
        xs.iter().zip(ys).map(|(&x, &y)| canon_p3(f(P3::new(x), P3::new(y)))).collect::<Vec<_>>()
    };
    for _ in 0..2000 {
        let (a, xs) = random_packed(&mut rng);
        let (b, ys) = random_packed(&mut rng);
        assert_eq!(lanes(a * b), scalar(&xs, &ys, &|x, y| x * y), "mul {xs:x?} {ys:x?}");
        assert_eq!(lanes(a * b), theirs(&xs, &ys, &|x, y| x * y), "mul vs p3 {xs:x?} {ys:x?}");
        assert_eq!(lanes(a + b), theirs(&xs, &ys, &|x, y| x + y), "add {xs:x?} {ys:x?}");
        assert_eq!(lanes(a - b), theirs(&xs, &ys, &|x, y| x - y), "sub {xs:x?} {ys:x?}");
        assert_eq!(lanes(-a), theirs(&xs, &ys, &|x, _| -x), "neg {xs:x?}");
        assert_eq!(lanes(square(a)), theirs(&xs, &ys, &|x, _| x.square()), "square {xs:x?}");
        // Equality is on canonical values: a lane-wise shift by p where that fits is invisible.
        let shifted = Packed::from_fn(|i| ours(if xs[i] < EPS { xs[i] + P } else { xs[i] }));
        assert_eq!(shifted, a);
    }
    // Long chains keep non-canonical intermediates flowing through every op.
    let (mut acc, raw) = random_packed(&mut rng);
    let mut reference: Vec<P3> = raw.iter().map(|&v| P3::new(v)).collect();
    for step in 0..500 {
        let (b, ys) = random_packed(&mut rng);
        let op = step % 5;
        acc = match op {
            0 => acc * b,
            1 => acc + b,
            2 => acc - b,
            3 => square(acc),
            _ => -acc,
        };
        for (r, &y) in reference.iter_mut().zip(&ys) {
            let y = P3::new(y);
            *r = match op {
                0 => *r * y,
                1 => *r + y,
                2 => *r - y,
                3 => r.square(),
                _ => -*r,
            };
        }
        assert_eq!(
            lanes(acc),
            reference.iter().map(|&r| canon_p3(r)).collect::<Vec<_>>(),
            "step {step}"
        );
    }
}

/// The packed type's own square where it has one (SIMD packings), else the field's.
fn square(p: Packed) -> Packed {
    #[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
    {
        p.square()
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
    {
        Field::square(&p)
    }
}

#[test]
fn random_is_canonical_and_spread() {
    let mut rng = StdRng::seed_from_u64(1);
    let xs: Vec<Goldilocks> = (0..1000).map(|_| Goldilocks::random(&mut rng)).collect();
    assert!(xs.iter().all(|x| x.raw_u64() < P));
    assert!(
        xs.iter().any(|x| x.as_canonical_u64() > P / 2)
            && xs.iter().any(|x| x.as_canonical_u64() < P / 2)
    );
}
