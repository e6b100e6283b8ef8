//! Group laws for BN254 G1 and G2 in every coordinate system, and differential tests against
//! arkworks (`ark-bn254`): generators, scalar multiplication, sums.

use crate::common;
use common::{ark_fr, ark_g1, ark_g2};

use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_curve::bn254::{
    Fq2, G1Affine, G1Config, G1Projective, G1Xyzz, G2Affine, G2Config, G2Projective, G2Xyzz,
};
use zkprove_curve::{Affine, Projective, SwCurve, Xyzz};
use zkprove_field::Field;
use zkprove_field::bn254::{Fq, Fr};

fn rng() -> StdRng {
    StdRng::seed_from_u64(0x5eed_c0de)
}

fn group_laws<C: SwCurve>() {
    let mut rng = rng();
    let g = Projective::<C>::generator();
    assert!(C::GENERATOR.is_on_curve());
    assert!(C::GENERATOR.is_in_subgroup());
    assert!(g.is_on_curve());
    let o = Projective::<C>::IDENTITY;
    assert!(Affine::<C>::IDENTITY.is_on_curve());
    assert_eq!(o.to_affine(), Affine::IDENTITY);
    assert_eq!(Projective::from(Affine::<C>::IDENTITY), o);
    // [r]G = O.
    assert!(C::GENERATOR.mul_by_order_is_identity());
    assert_eq!(g * -C::Scalar::ONE, -g);
    for _ in 0..20 {
        let (a, b, c) =
            (C::Scalar::random(&mut rng), C::Scalar::random(&mut rng), C::Scalar::random(&mut rng));
        let (p, q, r) = (g * a, g * b, g * c);
        assert!(p.is_on_curve());
        assert_eq!(p + q, q + p);
        assert_eq!((p + q) + r, p + (q + r));
        assert_eq!(p + q, g * (a + b));
        assert_eq!(p * b, g * (a * b));
        assert_eq!(p + o, p);
        let p2 = p;
        assert_eq!(p - p2, o);
        assert_eq!(p + p, p.double());
        assert_eq!(p + (-p), o);
        // Mixed addition, including the doubling and opposite cases.
        let (pa, qa) = (p.to_affine(), q.to_affine());
        assert!(pa.is_on_curve());
        assert_eq!(p + qa, p + q);
        assert_eq!(p + pa, p.double());
        assert_eq!(p + (-pa), o);
        assert_eq!(o + pa, p);
        assert_eq!(p + Affine::<C>::IDENTITY, p);
        // XYZZ: mixed additions, doubling, full additions and conversions.
        let mut x = Xyzz::from(pa);
        x.add_affine_assign(&qa);
        assert_eq!(x.to_projective(), p + q);
        assert_eq!(Projective::from(x.to_affine()), p + q);
        let mut y = Xyzz::from(pa);
        y.add_affine_assign(&pa);
        assert_eq!(y.to_projective(), p.double());
        y.add_affine_assign(&-pa);
        assert_eq!(y.to_projective(), p);
        y.sub_affine_assign(&pa);
        assert!(y.is_identity());
        let mut z = Xyzz::from(qa);
        z.add_assign_xyzz(&x);
        assert_eq!(z.to_projective(), p + q.double());
        let mut w = x;
        w.add_assign_xyzz(&x);
        assert_eq!(w.to_projective(), (p + q).double());
        assert_eq!(x.double().to_projective(), (p + q).double());
        let mut v = x;
        let neg = Xyzz::from((-(p + q)).to_affine());
        v.add_assign_xyzz(&neg);
        assert!(v.is_identity());
        let mut id = Xyzz::<C>::IDENTITY;
        id.add_assign_xyzz(&Xyzz::IDENTITY);
        assert!(id.is_identity());
        assert!(Xyzz::<C>::IDENTITY.to_projective().is_identity());
        // Batch normalization keeps infinity.
        let pts = [p, o, q, r];
        let aff = Projective::batch_to_affine(&pts);
        for (a, p) in aff.iter().zip(&pts) {
            assert_eq!(*p, Projective::from(*a));
        }
    }
}

#[test]
fn g1_group_laws() {
    group_laws::<G1Config>();
}

#[test]
fn g2_group_laws() {
    group_laws::<G2Config>();
}

#[test]
fn generators_match_arkworks() {
    assert_eq!(ark_g1(G1Affine::generator()), ark_bn254::G1Affine::generator());
    assert_eq!(ark_g2(G2Affine::generator()), ark_bn254::G2Affine::generator());
}

#[test]
fn scalar_multiplication_matches_arkworks() {
    let mut rng = rng();
    for _ in 0..10 {
        let s = Fr::random(&mut rng);
        let ours1 = (G1Projective::generator() * s).to_affine();
        let theirs1 = (ark_bn254::G1Projective::generator() * ark_fr(s)).into_affine();
        assert_eq!(ark_g1(ours1), theirs1);
        let ours2 = (G2Projective::generator() * s).to_affine();
        let theirs2 = (ark_bn254::G2Projective::generator() * ark_fr(s)).into_affine();
        assert_eq!(ark_g2(ours2), theirs2);
    }
}

#[test]
fn on_curve_and_subgroup_checks() {
    let mut rng = rng();
    let p = G1Affine::random(&mut rng);
    assert!(G1Affine::new(p.x, p.y).is_some());
    assert!(G1Affine::new(p.x, p.y + Fq::ONE).is_none());
    assert!(G1Affine::new(Fq::ZERO, Fq::ZERO).is_some(), "(0, 0) is infinity");
    let q = G2Affine::random(&mut rng);
    assert!(q.is_in_subgroup());
    assert!(G2Affine::new(q.x, q.y + Fq2::ONE).is_none());
    // A point on the twist that is not in the order-r subgroup: find x with x³ + b a square.
    // y² = x³ + b; try x = t·u small until a root exists, and check the cofactor part is present.
    let mut found = false;
    for t in 1..200u64 {
        let x = Fq2::from_u64(t);
        let rhs = x.square() * x + G2Config::B;
        if let Some(y) = sqrt_fq2(rhs) {
            let pt = G2Affine::new(x, y).expect("on curve");
            assert!(!pt.is_in_subgroup(), "a random twist point is outside G2 (cofactor ≠ 1)");
            found = true;
            break;
        }
    }
    assert!(found);
    let _ = G1Xyzz::IDENTITY;
    let _ = G2Xyzz::IDENTITY;
}

/// Square root in Fq2 by brute force over the norm (test helper; q ≡ 3 mod 4).
fn sqrt_fq2(a: Fq2) -> Option<Fq2> {
    // Algorithm 9 of eprint 2012/685 for q ≡ 3 (mod 4).
    let q_minus_3_over_4: [u64; 4] = {
        let m = [0x3c208c16d87cfd47u64, 0x97816a916871ca8d, 0xb85045b68181585d, 0x30644e72e131a029];
        // (q − 3) / 4: q − 3 then shift right by 2.
        let mut v = m;
        v[0] -= 3;
        let mut out = [0u64; 4];
        for i in 0..4 {
            out[i] = (v[i] >> 2) | if i < 3 { v[i + 1] << 62 } else { 0 };
        }
        out
    };
    let q_minus_1_over_2: [u64; 4] = {
        let m = [0x3c208c16d87cfd47u64, 0x97816a916871ca8d, 0xb85045b68181585d, 0x30644e72e131a029];
        let mut v = m;
        v[0] -= 1;
        let mut out = [0u64; 4];
        for i in 0..4 {
            out[i] = (v[i] >> 1) | if i < 3 { v[i + 1] << 63 } else { 0 };
        }
        out
    };
    let a1 = a.pow_limbs(&q_minus_3_over_4);
    let alpha = a1 * a1 * a;
    let a0 = alpha.pow_limbs(&[
        0x3c208c16d87cfd47,
        0x97816a916871ca8d,
        0xb85045b68181585d,
        0x30644e72e131a029,
    ]) * alpha;
    if a0 == -Fq2::ONE {
        return None;
    }
    let x0 = a1 * a;
    let x = if alpha == -Fq2::ONE {
        Fq2::new([Fq::ZERO, Fq::ONE]) * x0
    } else {
        let b = (Fq2::ONE + alpha).pow_limbs(&q_minus_1_over_2);
        b * x0
    };
    (x.square() == a).then_some(x)
}
