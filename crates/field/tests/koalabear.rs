//! KoalaBear and KoalaBear⁴: the shared laws of a 31-bit Montgomery field (one macro call), and
//! differential tests against Plonky3's `p3-koala-bear` (constants, scalar, packed and
//! `BinomialExtensionField<KoalaBear, 4>`).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use p3_field::extension::BinomialExtensionField;
use p3_field::{
    BasedVectorSpace, Field as P3Field, PrimeCharacteristicRing, PrimeField32 as _,
    TwoAdicField as P3TwoAdic,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::koalabear::{KoalaBear, KoalaBearExt4, KoalaBearExt4Params, P};
use zkprove_field::{BinomialParams, Field, PackedField, PrimeField, TwoAdicField};

zkprove_field_testing::test_monty31_field!(
    koalabear,
    zkprove_field::koalabear::KoalaBearParameters
);

#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
zkprove_field_testing::test_packed_field!(
    packed_avx512,
    zkprove_field::koalabear::PackedKoalaBearAvx512
);
#[cfg(all(target_arch = "x86_64", target_feature = "avx2", not(target_feature = "avx512f")))]
zkprove_field_testing::test_packed_field!(
    packed_avx2,
    zkprove_field::koalabear::PackedKoalaBearAvx2
);

type P3KoalaBear = p3_koala_bear::KoalaBear;
type P3Ext4 = BinomialExtensionField<P3KoalaBear, 4>;

fn rng() -> StdRng {
    StdRng::seed_from_u64(0x6b0a_1abe)
}

/// 0, 1, 2, p − 1, p − 2, 2^24 and neighbours, (p − 1)/2, (p + 1)/2, 2^30.
const EDGES: [u32; 10] =
    [0, 1, 2, P - 1, P - 2, 1 << 24, (1 << 24) + 1, (P - 1) / 2, P.div_ceil(2), 1 << 30];

fn to_p3(x: KoalaBear) -> P3KoalaBear {
    P3KoalaBear::new(x.as_canonical_u32())
}

fn ext_to_p3(x: KoalaBearExt4) -> P3Ext4 {
    P3Ext4::from_basis_coefficients_fn(|i| to_p3(x.coeffs()[i]))
}

fn ext_canon(x: &KoalaBearExt4) -> Vec<u32> {
    x.coeffs().iter().map(|c| c.as_canonical_u32()).collect()
}

fn p3_ext_canon(x: &P3Ext4) -> Vec<u32> {
    <P3Ext4 as BasedVectorSpace<P3KoalaBear>>::as_basis_coefficients_slice(x)
        .iter()
        .map(|c| c.as_canonical_u32())
        .collect()
}

#[test]
fn modulus_and_constants_match_plonky3() {
    assert_eq!(P, 0x7f00_0001);
    assert_eq!(P, (1 << 31) - (1 << 24) + 1);
    assert_eq!(u64::from(P), <P3KoalaBear as p3_field::PrimeField64>::ORDER_U64);
    assert_eq!(KoalaBear::MODULUS, &[2130706433]);
    assert_eq!(KoalaBear::NUM_BITS, 31);
    assert_eq!(KoalaBear::order_string(), "2130706433");
    assert_eq!(<KoalaBear as TwoAdicField>::TWO_ADICITY, 24);
    assert_eq!(<KoalaBear as TwoAdicField>::TWO_ADICITY, <P3KoalaBear as P3TwoAdic>::TWO_ADICITY);
    // Raw bytes are the Montgomery word and agree with Plonky3's internal representation.
    for v in EDGES {
        let ours = KoalaBear::new(v);
        assert_eq!(ours.to_monty(), P3KoalaBear::new(v).to_unique_u32(), "Montgomery word of {v}");
        assert_eq!(u32::from_le_bytes(ours.to_raw_bytes_le()), ours.to_monty());
    }
    assert_eq!(format!("{:?}", KoalaBear::NEG_ONE), "2130706432");
    assert_eq!(
        KoalaBear::from_u64(1234567890123).to_decimal_string(),
        (1234567890123u64 % 2130706433).to_string()
    );
}

#[test]
fn generator_and_two_adic_chain_match_plonky3() {
    assert_eq!(KoalaBear::GENERATOR.as_canonical_u32(), 3);
    assert_eq!(P3KoalaBear::GENERATOR.as_canonical_u32(), 3);
    for bits in 0..=24 {
        let ours = KoalaBear::two_adic_generator(bits).unwrap();
        let theirs = <P3KoalaBear as P3TwoAdic>::two_adic_generator(bits);
        assert_eq!(ours.as_canonical_u32(), theirs.as_canonical_u32(), "order 2^{bits}");
    }
    // Known answer: g_24 = 3^127 = 0x6ac49f88 (Plonky3's table), g_1 = −1.
    assert_eq!(KoalaBear::two_adic_generator(24).unwrap().as_canonical_u32(), 0x6ac4_9f88);
    assert_eq!(KoalaBear::two_adic_generator(1), Some(KoalaBear::NEG_ONE));
    assert_eq!(KoalaBear::two_adic_generator(25), None);
}

#[test]
fn known_products_and_inverses() {
    // (a·b) mod p by 64-bit integer arithmetic.
    let mut rng = rng();
    for _ in 0..1000 {
        let (a, b) = (rng.random_range(0..P), rng.random_range(0..P));
        let c = (u64::from(a) * u64::from(b) % u64::from(P)) as u32;
        assert_eq!((KoalaBear::new(a) * KoalaBear::new(b)).as_canonical_u32(), c, "{a}·{b}");
    }
    // 2^24 · 127 = p − 1 = −1.
    assert_eq!(KoalaBear::new(1 << 24) * KoalaBear::new(127), KoalaBear::NEG_ONE);
    assert_eq!(KoalaBear::new(2).inverse().unwrap().as_canonical_u32(), P.div_ceil(2));
}

#[test]
fn differential_scalar_against_plonky3() {
    let mut rng = rng();
    let edge = |i: usize| KoalaBear::new(EDGES[i % EDGES.len()]);
    for i in 0..EDGES.len() {
        for j in 0..EDGES.len() {
            let (a, b) = (edge(i), edge(j));
            let (pa, pb) = (to_p3(a), to_p3(b));
            assert_eq!((a + b).as_canonical_u32(), (pa + pb).as_canonical_u32());
            assert_eq!((a - b).as_canonical_u32(), (pa - pb).as_canonical_u32());
            assert_eq!((a * b).as_canonical_u32(), (pa * pb).as_canonical_u32());
            assert_eq!((-a).as_canonical_u32(), (-pa).as_canonical_u32());
        }
    }
    for _ in 0..200 {
        let mut acc = KoalaBear::random(&mut rng);
        let mut pacc = to_p3(acc);
        for _ in 0..50 {
            let b = if rng.random_bool(0.2) {
                edge(rng.random_range(0..EDGES.len()))
            } else {
                KoalaBear::random(&mut rng)
            };
            let pb = to_p3(b);
            match rng.random_range(0..6) {
                0 => (acc, pacc) = (acc + b, pacc + pb),
                1 => (acc, pacc) = (acc - b, pacc - pb),
                2 => (acc, pacc) = (acc * b, pacc * pb),
                3 => (acc, pacc) = (acc.square(), pacc.square()),
                4 => (acc, pacc) = (-acc, -pacc),
                _ => {
                    if !acc.is_zero() {
                        (acc, pacc) = (acc.inverse().unwrap(), pacc.inverse());
                    }
                }
            }
            assert_eq!(acc.as_canonical_u32(), pacc.as_canonical_u32());
        }
    }
}

#[test]
fn inverse_matches_plonky3() {
    let mut rng = rng();
    for v in EDGES.into_iter().skip(1).chain((0..2000).map(|_| rng.random_range(1..P))) {
        let x = KoalaBear::new(v);
        let inv = x.inverse().unwrap();
        assert_eq!(inv.as_canonical_u32(), to_p3(x).inverse().as_canonical_u32(), "1/{v}");
        assert_eq!(x * inv, KoalaBear::ONE);
    }
    assert_eq!(KoalaBear::ZERO.inverse(), None);
}

#[test]
fn differential_packed_against_plonky3() {
    type Ours = <KoalaBear as Field>::Packing;
    type Theirs = <P3KoalaBear as P3Field>::Packing;
    use p3_field::PackedValue;
    let mut rng = rng();
    let n = 64 * <Ours as PackedField>::WIDTH * <Theirs as PackedValue>::WIDTH;
    let mut xs: Vec<KoalaBear> = (0..n).map(|_| KoalaBear::random(&mut rng)).collect();
    let ys: Vec<KoalaBear> = (0..n)
        .map(|i| {
            if i % 7 == 0 {
                KoalaBear::new(EDGES[i % EDGES.len()])
            } else {
                KoalaBear::random(&mut rng)
            }
        })
        .collect();
    for (i, e) in EDGES.iter().enumerate() {
        xs[i * 3] = KoalaBear::new(*e);
    }
    let mut pxs: Vec<P3KoalaBear> = xs.iter().map(|&x| to_p3(x)).collect();
    let pys: Vec<P3KoalaBear> = ys.iter().map(|&x| to_p3(x)).collect();
    for round in 0..5 {
        for (a, b) in Ours::pack_slice_mut(&mut xs).iter_mut().zip(Ours::pack_slice(&ys)) {
            *a = match round {
                0 => *a * *b,
                1 => *a + *b,
                2 => *a - *b,
                3 => -*a,
                _ => *a * *b - *b,
            };
        }
        let tw = <Theirs as PackedValue>::WIDTH;
        for (a, b) in pxs.chunks_exact_mut(tw).zip(pys.chunks_exact(tw)) {
            let (pa, pb) = (*Theirs::from_slice(a), *Theirs::from_slice(b));
            let r = match round {
                0 => pa * pb,
                1 => pa + pb,
                2 => pa - pb,
                3 => -pa,
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
fn ext4_is_plonky3s() {
    let w = <KoalaBearExt4Params as BinomialParams<KoalaBear, 4>>::W;
    assert_eq!(w.as_canonical_u32(), 3);
    let x = KoalaBearExt4::x();
    assert_eq!(ext_canon(&(x * x * x * x)), vec![3, 0, 0, 0]);
    let px = P3Ext4::from_basis_coefficients_fn(|i| {
        if i == 1 { P3KoalaBear::ONE } else { P3KoalaBear::ZERO }
    });
    assert_eq!(p3_ext_canon(&(px * px * px * px)), vec![3, 0, 0, 0]);
}

#[test]
fn differential_ext4_against_plonky3() {
    let mut rng = rng();
    for _ in 0..100 {
        let mut acc = KoalaBearExt4::random(&mut rng);
        let mut pacc = ext_to_p3(acc);
        for _ in 0..30 {
            let b = if rng.random_bool(0.2) {
                KoalaBearExt4::new(core::array::from_fn(|_| {
                    KoalaBear::new(EDGES[rng.random_range(0..EDGES.len())])
                }))
            } else {
                KoalaBearExt4::random(&mut rng)
            };
            let pb = ext_to_p3(b);
            let s = KoalaBear::random(&mut rng);
            match rng.random_range(0..7) {
                0 => (acc, pacc) = (acc + b, pacc + pb),
                1 | 2 => (acc, pacc) = (acc * b, pacc * pb),
                3 => (acc, pacc) = (acc.square(), pacc.square()),
                4 => {
                    if !acc.is_zero() {
                        (acc, pacc) = (acc.inverse().unwrap(), pacc.inverse());
                    }
                }
                5 => (acc, pacc) = (acc * s, pacc * to_p3(s)),
                _ => (acc, pacc) = (acc - b, pacc - pb),
            }
            assert_eq!(ext_canon(&acc), p3_ext_canon(&pacc));
        }
    }
}
