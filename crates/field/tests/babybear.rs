//! BabyBear and BabyBear⁴: the shared field laws, known-answer vectors, and differential tests against
//! Plonky3's `p3-baby-bear` (scalar, packed and `BinomialExtensionField<BabyBear, 4>`).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use p3_field::extension::BinomialExtensionField;
use p3_field::{
    BasedVectorSpace, Field as P3Field, PrimeCharacteristicRing, PrimeField32 as _,
    TwoAdicField as P3TwoAdic,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::babybear::{BabyBear, BabyBearExt4, BabyBearExt4Params, P};
use zkprove_field::{
    BinomialParams, ExtensionField, Field, PackedField, PrimeField, PrimeField64, TwoAdicField,
};

type P3BabyBear = p3_baby_bear::BabyBear;
type P3Ext4 = BinomialExtensionField<P3BabyBear, 4>;

zkprove_field_testing::test_prime_field!(babybear, zkprove_field::babybear::BabyBear);
zkprove_field_testing::test_two_adic_field!(babybear_two_adic, zkprove_field::babybear::BabyBear);
zkprove_field_testing::test_monty31_field!(
    babybear_monty31,
    zkprove_field::babybear::BabyBearParameters
);
zkprove_field_testing::test_extension_field!(
    babybear_ext4,
    zkprove_field::babybear::BabyBear,
    zkprove_field::babybear::BabyBearExt4
);

#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
zkprove_field_testing::test_packed_field!(
    packed_avx512,
    zkprove_field::babybear::PackedBabyBearAvx512
);
#[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
zkprove_field_testing::test_packed_field!(packed_avx2, zkprove_field::babybear::PackedBabyBearAvx2);

fn rng() -> StdRng {
    StdRng::seed_from_u64(0xbabe_bea2)
}

/// The edge values of the brief: 0, 1, p − 1, 2^27, (p − 1)/2, plus their neighbours.
const EDGES: [u32; 9] = [0, 1, 2, P - 1, P - 2, 1 << 27, (1 << 27) + 1, (P - 1) / 2, P.div_ceil(2)];

fn to_p3(x: BabyBear) -> P3BabyBear {
    P3BabyBear::new(x.as_canonical_u32())
}

fn ext_to_p3(x: BabyBearExt4) -> P3Ext4 {
    P3Ext4::from_basis_coefficients_fn(|i| to_p3(x.coeffs()[i]))
}

fn ext_canon(x: &BabyBearExt4) -> Vec<u32> {
    x.coeffs().iter().map(|c| c.as_canonical_u32()).collect()
}

fn p3_ext_canon(x: &P3Ext4) -> Vec<u32> {
    <P3Ext4 as BasedVectorSpace<P3BabyBear>>::as_basis_coefficients_slice(x)
        .iter()
        .map(|c| c.as_canonical_u32())
        .collect()
}

#[test]
fn modulus_and_constants() {
    assert_eq!(P, 2013265921);
    assert_eq!(P, (1 << 31) - (1 << 27) + 1);
    assert_eq!(BabyBear::ORDER_U64, 2013265921);
    assert_eq!(BabyBear::MODULUS, &[2013265921]);
    assert_eq!(BabyBear::order_string(), "2013265921");
    assert_eq!(BabyBear::NEG_ONE.as_canonical_u32(), P - 1);
    assert_eq!(BabyBear::TWO.as_canonical_u64(), 2);
    // Montgomery form of one is R mod p = 2^32 mod p.
    assert_eq!(BabyBear::ONE.to_monty() as u64, (1u64 << 32) % u64::from(P));
    assert_eq!(
        BabyBear::ONE.to_raw_bytes_le(),
        (((1u64 << 32) % u64::from(P)) as u32).to_le_bytes()
    );
    // `new` reduces modulo p and works in const items.
    const C: BabyBear = BabyBear::new(P + 5);
    assert_eq!(C.as_canonical_u32(), 5);
    assert_eq!(BabyBear::new(u32::MAX).as_canonical_u32(), u32::MAX % P);
    assert_eq!(BabyBear::from_u64(u64::MAX).as_canonical_u64(), u64::MAX % u64::from(P));
    assert_eq!(format!("{}", BabyBear::new(123456789)), "123456789");
    assert_eq!(format!("{:?}", BabyBear::NEG_ONE), "2013265920");
    assert_eq!(BabyBear::new(P - 1).to_decimal_string(), "2013265920");
    // Raw bytes are the Montgomery word and agree with Plonky3's internal representation.
    for v in EDGES {
        let ours = BabyBear::new(v);
        let theirs = P3BabyBear::new(v);
        assert_eq!(u32::from_le_bytes(ours.to_raw_bytes_le()), ours.to_monty());
        assert_eq!(ours.to_monty(), theirs.to_unique_u32(), "Montgomery word of {v}");
        assert_eq!(BabyBear::from_monty(ours.to_monty()), Some(ours));
    }
    assert_eq!(BabyBear::from_monty(P), None);
}

#[test]
fn known_products() {
    // Fixed products checked by hand with Python: (a·b) mod p.
    let cases: [(u32, u32, u32); 5] = [
        (2, 3, 6),
        (P - 1, P - 1, 1),
        (1 << 27, 1 << 27, ((1u64 << 54) % 2013265921) as u32),
        (123456789, 987654321, ((123456789u64 * 987654321) % 2013265921) as u32),
        ((P - 1) / 2, 2, P - 1),
    ];
    for (a, b, c) in cases {
        assert_eq!((BabyBear::new(a) * BabyBear::new(b)).as_canonical_u32(), c, "{a}·{b}");
    }
    // 2^27 · 15 = p − 1 = −1.
    assert_eq!(BabyBear::new(1 << 27) * BabyBear::new(15), BabyBear::NEG_ONE);
    assert_eq!(BabyBear::new(2).inverse().unwrap().as_canonical_u32(), P.div_ceil(2));
    assert_eq!(BabyBear::new(11).inverse().unwrap() * BabyBear::new(11), BabyBear::ONE);
}

#[test]
fn ordering_is_canonical() {
    let mut xs: Vec<BabyBear> = EDGES.iter().map(|&v| BabyBear::new(v)).collect();
    xs.sort();
    let vals: Vec<u32> = xs.iter().map(|x| x.as_canonical_u32()).collect();
    let mut sorted = vals.clone();
    sorted.sort_unstable();
    assert_eq!(vals, sorted);
    assert!(BabyBear::new(3) < BabyBear::new(4));
    assert!(BabyBear::new(P - 1) > BabyBear::new(1 << 27));
}

#[test]
fn generator_and_two_adic_chain_match_plonky3() {
    assert_eq!(BabyBear::GENERATOR.as_canonical_u32(), 31);
    assert_eq!(P3BabyBear::GENERATOR.as_canonical_u32(), 31);
    // 31 generates the group: 31^((p−1)/q) ≠ 1 for each prime q | p − 1 = 2^27·3·5.
    for q in [2u64, 3, 5] {
        assert_ne!(BabyBear::GENERATOR.pow((u64::from(P) - 1) / q), BabyBear::ONE);
    }
    // g_27 = 31^15, Plonky3's 0x1a427a41.
    let g27 = BabyBear::two_adic_generator(27).unwrap();
    assert_eq!(g27.as_canonical_u32(), 0x1a42_7a41);
    assert_eq!(g27, BabyBear::GENERATOR.pow(15));
    for bits in 0..=27 {
        let ours = BabyBear::two_adic_generator(bits).unwrap();
        let theirs = <P3BabyBear as P3TwoAdic>::two_adic_generator(bits);
        assert_eq!(
            ours.as_canonical_u32(),
            theirs.as_canonical_u32(),
            "generator of order 2^{bits}"
        );
    }
    assert_eq!(BabyBear::two_adic_generator(28), None);
    // Known-answer roots of unity: g_1 = −1, g_2² = −1 (a square root of −1: 0x67055c21 in Plonky3).
    assert_eq!(BabyBear::two_adic_generator(1), Some(BabyBear::NEG_ONE));
    assert_eq!(BabyBear::two_adic_generator(2).unwrap().as_canonical_u32(), 0x6705_5c21);
}

#[test]
fn inverse_is_fermat() {
    let mut rng = rng();
    for v in EDGES.into_iter().skip(1).chain((0..500).map(|_| rng.random_range(1..P))) {
        let x = BabyBear::new(v);
        let inv = x.inverse().unwrap();
        assert_eq!(inv, x.pow(u64::from(P) - 2), "addition chain = x^(p−2) for {v}");
        assert_eq!(x * inv, BabyBear::ONE);
        assert_eq!(inv.as_canonical_u32(), to_p3(x).inverse().as_canonical_u32());
    }
    assert_eq!(BabyBear::ZERO.inverse(), None);
}

#[test]
fn sum_matches_fold() {
    let mut rng = rng();
    let xs: Vec<BabyBear> = (0..10_000).map(|_| BabyBear::random(&mut rng)).collect();
    let s: BabyBear = xs.iter().copied().sum();
    assert_eq!(s, xs.iter().fold(BabyBear::ZERO, |a, &b| a + b));
    let all_neg_one: BabyBear = core::iter::repeat_n(BabyBear::NEG_ONE, 1000).sum();
    assert_eq!(all_neg_one, -BabyBear::from_u64(1000));
}

#[test]
fn differential_scalar_against_plonky3() {
    let mut rng = rng();
    let edge = |i: usize| BabyBear::new(EDGES[i % EDGES.len()]);
    // All pairs of edge values.
    for i in 0..EDGES.len() {
        for j in 0..EDGES.len() {
            let (a, b) = (edge(i), edge(j));
            let (pa, pb) = (to_p3(a), to_p3(b));
            assert_eq!((a + b).as_canonical_u32(), (pa + pb).as_canonical_u32());
            assert_eq!((a - b).as_canonical_u32(), (pa - pb).as_canonical_u32());
            assert_eq!((a * b).as_canonical_u32(), (pa * pb).as_canonical_u32());
            assert_eq!((-a).as_canonical_u32(), (-pa).as_canonical_u32());
            assert_eq!(a.square().as_canonical_u32(), pa.square().as_canonical_u32());
        }
    }
    // Random operation sequences on an accumulator, with random and edge operands.
    for _ in 0..200 {
        let mut acc = BabyBear::random(&mut rng);
        let mut pacc = to_p3(acc);
        for _ in 0..50 {
            let b = if rng.random_bool(0.2) {
                edge(rng.random_range(0..EDGES.len()))
            } else {
                BabyBear::random(&mut rng)
            };
            let pb = to_p3(b);
            match rng.random_range(0..7) {
                0 => (acc, pacc) = (acc + b, pacc + pb),
                1 => (acc, pacc) = (acc - b, pacc - pb),
                2 => (acc, pacc) = (acc * b, pacc * pb),
                3 => (acc, pacc) = (acc.square(), pacc.square()),
                4 => (acc, pacc) = (-acc, -pacc),
                5 => {
                    if !acc.is_zero() {
                        (acc, pacc) = (acc.inverse().unwrap(), pacc.inverse());
                    }
                }
                _ => (acc, pacc) = (acc.double() * b + acc, pacc.double() * pb + pacc),
            }
            assert_eq!(acc.as_canonical_u32(), pacc.as_canonical_u32());
        }
    }
}

#[test]
fn differential_packed_against_plonky3() {
    type Ours = <BabyBear as Field>::Packing;
    type Theirs = <P3BabyBear as P3Field>::Packing;
    use p3_field::PackedValue;
    let mut rng = rng();
    let width = <Ours as PackedField>::WIDTH;
    let n = 64 * width * <Theirs as PackedValue>::WIDTH;
    let mut xs: Vec<BabyBear> = (0..n).map(|_| BabyBear::random(&mut rng)).collect();
    let ys: Vec<BabyBear> = (0..n)
        .map(|i| {
            if i % 7 == 0 {
                BabyBear::new(EDGES[i % EDGES.len()])
            } else {
                BabyBear::random(&mut rng)
            }
        })
        .collect();
    for (i, e) in EDGES.iter().enumerate() {
        xs[i * 3] = BabyBear::new(*e);
    }
    let mut pxs: Vec<P3BabyBear> = xs.iter().map(|&x| to_p3(x)).collect();
    let pys: Vec<P3BabyBear> = ys.iter().map(|&x| to_p3(x)).collect();
    for round in 0..6 {
        {
            let a = Ours::pack_slice_mut(&mut xs);
            let b = Ours::pack_slice(&ys);
            for (a, b) in a.iter_mut().zip(b) {
                *a = match round {
                    0 => *a * *b,
                    1 => *a + *b,
                    2 => *a - *b,
                    3 => -*a,
                    4 => *a * *a,
                    _ => *a * *b - *b,
                };
            }
        }
        let tw = <Theirs as PackedValue>::WIDTH;
        for (a, b) in pxs.chunks_exact_mut(tw).zip(pys.chunks_exact(tw)) {
            let pa = *Theirs::from_slice(a);
            let pb = *Theirs::from_slice(b);
            let r = match round {
                0 => pa * pb,
                1 => pa + pb,
                2 => pa - pb,
                3 => -pa,
                4 => pa * pa,
                _ => pa * pb - pb,
            };
            a.copy_from_slice(r.as_slice());
        }
        for (x, px) in xs.iter().zip(&pxs) {
            assert_eq!(x.as_canonical_u32(), px.as_canonical_u32(), "round {round}");
        }
    }
}

#[test]
fn ext4_nonresidue_is_plonky3s_and_irreducible() {
    let w = <BabyBearExt4Params as BinomialParams<BabyBear, 4>>::W;
    assert_eq!(w.as_canonical_u32(), 11);
    // p ≡ 1 (mod 4): −1 is a square, so X⁴ − 11 is irreducible iff 11 is a non-residue.
    assert_eq!(P % 4, 1);
    assert_eq!(
        w.pow((u64::from(P) - 1) / 2),
        BabyBear::NEG_ONE,
        "Euler's criterion: 11 is not a square"
    );
    assert_eq!(BabyBear::NEG_ONE.pow((u64::from(P) - 1) / 2), BabyBear::ONE, "−1 is a square");
    // X⁴ = 11 in Plonky3's extension too: compare X·X³.
    let x = BabyBearExt4::x();
    let x4 = x * x * x * x;
    assert_eq!(ext_canon(&x4), vec![11, 0, 0, 0]);
    let px =
        P3Ext4::from_basis_coefficients_fn(
            |i| if i == 1 { P3BabyBear::ONE } else { P3BabyBear::ZERO },
        );
    assert_eq!(p3_ext_canon(&(px * px * px * px)), vec![11, 0, 0, 0]);
    // Frobenius x ↦ x^p is an automorphism of order 4 fixing the base field.
    let mut rng = rng();
    let a = BabyBearExt4::random(&mut rng);
    let b = BabyBearExt4::random(&mut rng);
    let frob = |v: BabyBearExt4| v.pow(u64::from(P));
    assert_eq!(frob(a * b), frob(a) * frob(b));
    assert_eq!(frob(a + b), frob(a) + frob(b));
    assert_eq!(frob(frob(frob(frob(a)))), a);
    assert_ne!(frob(a), a);
    assert_eq!(
        frob(BabyBearExt4::from_base(BabyBear::new(77))),
        BabyBearExt4::from_base(BabyBear::new(77))
    );
}

#[test]
fn differential_ext4_against_plonky3() {
    let mut rng = rng();
    let edge_ext = |rng: &mut StdRng| {
        BabyBearExt4::new(core::array::from_fn(|_| {
            BabyBear::new(EDGES[rng.random_range(0..EDGES.len())])
        }))
    };
    for _ in 0..100 {
        let mut acc = BabyBearExt4::random(&mut rng);
        let mut pacc = ext_to_p3(acc);
        for _ in 0..30 {
            let b = if rng.random_bool(0.2) {
                edge_ext(&mut rng)
            } else {
                BabyBearExt4::random(&mut rng)
            };
            let pb = ext_to_p3(b);
            let s = BabyBear::random(&mut rng);
            match rng.random_range(0..8) {
                0 => (acc, pacc) = (acc + b, pacc + pb),
                1 => (acc, pacc) = (acc - b, pacc - pb),
                2 => (acc, pacc) = (acc * b, pacc * pb),
                3 => (acc, pacc) = (acc.square(), pacc.square()),
                4 => (acc, pacc) = (-acc, -pacc),
                5 => {
                    if !acc.is_zero() {
                        (acc, pacc) = (acc.inverse().unwrap(), pacc.inverse());
                    }
                }
                6 => (acc, pacc) = (acc * s, pacc * to_p3(s)),
                _ => (acc, pacc) = (acc + s, pacc + to_p3(s)),
            }
            assert_eq!(ext_canon(&acc), p3_ext_canon(&pacc));
        }
    }
    // Known answer: (1 + X)(1 − X) = 1 − X².
    let one_plus_x = BabyBearExt4::new(BabyBear::new_array([1, 1, 0, 0]));
    let one_minus_x =
        BabyBearExt4::new([BabyBear::ONE, BabyBear::NEG_ONE, BabyBear::ZERO, BabyBear::ZERO]);
    assert_eq!(ext_canon(&(one_plus_x * one_minus_x)), vec![1, 0, P - 1, 0]);
    assert_eq!(<BabyBearExt4 as ExtensionField<BabyBear>>::DEGREE, 4);
}

/// The part of `check_prime_field` that follows its `from_u64(1234567890123)` line, which assumes
/// `p > 1234567890123` and so stops the shared law on BabyBear before these checks.
#[test]
fn prime_field_encoding_edges() {
    assert_eq!(
        BabyBear::from_u64(1234567890123).to_decimal_string(),
        (1234567890123u64 % 2013265921).to_string()
    );
    assert_eq!(BabyBear::from_bytes_le(&P.to_le_bytes()), None, "p is rejected");
    assert_eq!(BabyBear::from_raw_bytes_le(&P.to_le_bytes()), None, "p is rejected as raw");
    assert_eq!(BabyBear::from_bytes_le_mod_order(&u64::from(P).to_le_bytes()), BabyBear::ZERO);
    assert_eq!(BabyBear::from_bytes_le(&(P - 1).to_le_bytes()), Some(BabyBear::NEG_ONE));
    assert!(BabyBear::from_decimal_str("2013265921").is_err(), "decimal p is rejected");
    assert_eq!(BabyBear::from_decimal_str("2013265920"), Ok(BabyBear::NEG_ONE));
    assert!(BabyBear::from_decimal_str("").is_err() && BabyBear::from_decimal_str("-1").is_err());
    assert_eq!(BabyBear::NUM_BITS, 32 - P.leading_zeros());
    assert!(BabyBear::ZERO < BabyBear::ONE && BabyBear::ONE < BabyBear::NEG_ONE);
}
