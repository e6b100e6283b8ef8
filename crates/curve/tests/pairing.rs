//! The BN254 tower (`Fq6`, `Fq12`), the optimal ate pairing and the fast G2 subgroup check:
//! field laws, Frobenius maps against `x^q`, differential tests against arkworks (`ark-bn254`),
//! bilinearity, non-degeneracy, multi-pairings, infinity, and a snarkjs known-answer vector.

use crate::common;
use common::{ark_fq2, ark_fr, ark_g1, ark_g2};

use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_curve::bn254::{
    Fq2, Fq6, Fq12, G1Affine, G1Projective, G2Affine, G2Config, G2Prepared, G2Projective, Gt,
    SIX_X_SQUARED, final_exponentiation, g2_is_in_subgroup, g2_is_in_subgroup_six_x_squared,
    multi_miller_loop, multi_miller_loop_prepared, multi_pairing, multi_pairing_prepared, pairing,
    psi,
};
use zkprove_curve::{Projective, SwCurve};
use zkprove_field::bn254::{Fq, Fr};
use zkprove_field::{Field, PrimeField};

fn rng() -> StdRng {
    StdRng::seed_from_u64(0xba11_0ffa)
}

fn ark_fq6(x: Fq6) -> ark_bn254::Fq6 {
    ark_bn254::Fq6::new(ark_fq2(x.c0), ark_fq2(x.c1), ark_fq2(x.c2))
}

fn ark_fq12(x: Fq12) -> ark_bn254::Fq12 {
    ark_bn254::Fq12::new(ark_fq6(x.c0), ark_fq6(x.c1))
}

fn ark_pairing(p: G1Affine, q: G2Affine) -> ark_bn254::Fq12 {
    ark_bn254::Bn254::pairing(ark_g1(p), ark_g2(q)).0
}

fn field_laws<F: Field>(rng: &mut StdRng, n: usize) {
    for _ in 0..n {
        let (a, b, c) = (F::random(rng), F::random(rng), F::random(rng));
        assert_eq!(a * b, b * a);
        assert_eq!((a * b) * c, a * (b * c));
        assert_eq!(a * (b + c), a * b + a * c);
        assert_eq!((a + b) - b, a);
        assert_eq!(a + (-a), F::ZERO);
        assert_eq!(a.square(), a * a);
        assert_eq!(a.double(), a + a);
        assert_eq!(a * F::ONE, a);
        assert_eq!(a * F::ZERO, F::ZERO);
        let inv = a.inverse().expect("random element is non-zero");
        assert_eq!(a * inv, F::ONE);
        assert_eq!((a * b) / b, a);
    }
    assert_eq!(F::ZERO.inverse(), None);
    assert_eq!(F::ONE.inverse(), Some(F::ONE));
    assert_eq!(F::NEG_ONE + F::ONE, F::ZERO);
    assert_eq!(F::TWO, F::ONE + F::ONE);
    assert_eq!(F::from_u64(7) * F::from_u64(6), F::from_u64(42));
}

#[test]
fn fq6_fq12_field_laws() {
    let mut rng = rng();
    field_laws::<Fq6>(&mut rng, 50);
    field_laws::<Fq12>(&mut rng, 50);
}

#[test]
fn tower_matches_arkworks() {
    let mut rng = rng();
    for _ in 0..30 {
        let (a, b) = (Fq6::random(&mut rng), Fq6::random(&mut rng));
        assert_eq!(ark_fq6(a * b), ark_fq6(a) * ark_fq6(b));
        assert_eq!(ark_fq6(a.square()), ark_fq6(a) * ark_fq6(a));
        assert_eq!(ark_fq6(a.inverse().expect("non-zero")), ark_fq6(a).inverse_ark());
        let (x, y) = (Fq12::random(&mut rng), Fq12::random(&mut rng));
        assert_eq!(ark_fq12(x * y), ark_fq12(x) * ark_fq12(y));
        assert_eq!(ark_fq12(x.square()), ark_fq12(x) * ark_fq12(x));
        assert_eq!(ark_fq12(x.inverse().expect("non-zero")), ark_fq12(x).inverse_ark());
    }
}

/// `ark_ff::Field::inverse` under a name that does not clash with ours.
trait ArkInverse {
    fn inverse_ark(&self) -> Self;
}

impl<T: ark_ff::Field> ArkInverse for T {
    fn inverse_ark(&self) -> Self {
        ark_ff::Field::inverse(self).expect("non-zero")
    }
}

/// Pins every Frobenius constant: `frobenius_map(1)` is `x ↦ x^q` (which fixes the `k = 1`
/// constants), and `frobenius_map(k)` is the `k`-fold composition (which fixes the others).
#[test]
fn frobenius_constants() {
    let mut rng = rng();
    let q = Fq::MODULUS;
    for _ in 0..3 {
        let a = Fq6::random(&mut rng);
        assert_eq!(a.frobenius_map(1), a.pow_limbs(q));
        assert_eq!(a.frobenius_map(0), a);
        let mut cur = a;
        for k in 1..=12 {
            cur = cur.frobenius_map(1);
            assert_eq!(a.frobenius_map(k), cur, "Fq6 Frobenius power {k}");
        }
        assert_eq!(cur, a);
        let x = Fq12::random(&mut rng);
        assert_eq!(x.frobenius_map(1), x.pow_limbs(q));
        let mut cur = x;
        for k in 1..=12 {
            cur = cur.frobenius_map(1);
            assert_eq!(x.frobenius_map(k), cur, "Fq12 Frobenius power {k}");
        }
        assert_eq!(cur, x);
        assert_eq!(x.frobenius_map(6), x.conjugate());
        assert_eq!(ark_fq12(x.frobenius_map(1)), {
            let mut y = ark_fq12(x);
            ark_ff::Field::frobenius_map_in_place(&mut y, 1);
            y
        });
    }
}

#[test]
fn sparse_products_match_full_products() {
    let mut rng = rng();
    for _ in 0..20 {
        let f = Fq12::random(&mut rng);
        let (a, b, c) = (Fq2::random(&mut rng), Fq2::random(&mut rng), Fq2::random(&mut rng));
        let line = Fq12::new(Fq6::new(a, Fq2::ZERO, Fq2::ZERO), Fq6::new(b, c, Fq2::ZERO));
        assert_eq!(f.mul_by_034(a, b, c), f * line);
        let g = Fq6::random(&mut rng);
        assert_eq!(g.mul_by_01(a, b), g * Fq6::new(a, b, Fq2::ZERO));
        assert_eq!(g.mul_by_fq2(a), g * Fq6::new(a, Fq2::ZERO, Fq2::ZERO));
        assert_eq!(g.mul_by_v(), g * Fq6::new(Fq2::ZERO, Fq2::ONE, Fq2::ZERO));
    }
}

#[test]
fn cyclotomic_square_matches_square() {
    let mut rng = rng();
    for _ in 0..20 {
        // f^((q⁶ − 1)(q² + 1)) is in the cyclotomic subgroup.
        let f = Fq12::random(&mut rng);
        let g = f.conjugate() * f.inverse().expect("non-zero");
        let g = g.frobenius_map(2) * g;
        assert_eq!(g.cyclotomic_square(), g.square());
        assert_eq!(g * g.conjugate(), Fq12::ONE);
    }
}

#[test]
fn nested_coefficients_round_trip() {
    let mut rng = rng();
    let x = Fq12::random(&mut rng);
    let c = x.to_nested_coeffs();
    assert_eq!(c[1][2][0], x.c1.c2.coeffs()[0]);
    assert_eq!(c[0][1][1], x.c0.c1.coeffs()[1]);
    assert_eq!(Fq12::from_nested_coeffs(c), x);
}

fn assert_gt_eq_ark(ours: Gt, theirs: ark_bn254::Fq12) {
    assert_eq!(ark_fq12(*ours.as_fq12()), theirs);
}

#[test]
fn generator_pairing_matches_arkworks() {
    let (g1, g2) = (G1Affine::generator(), G2Affine::generator());
    let e = pairing(&g1, &g2);
    assert_gt_eq_ark(e, ark_pairing(g1, g2));
    assert!(!e.is_one(), "non-degenerate");
    // e(G1, G2) has order r.
    assert!(e.pow(&-Fr::ONE).0 * e.0 == Fq12::ONE);
    assert_eq!(e.0.pow_limbs(Fr::MODULUS), Fq12::ONE);
}

#[test]
fn random_pairings_match_arkworks() {
    let mut rng = rng();
    for _ in 0..4 {
        let p = G1Affine::random(&mut rng);
        let q = G2Affine::random(&mut rng);
        assert_gt_eq_ark(pairing(&p, &q), ark_pairing(p, q));
        // The Miller loop alone differs from arkworks' by factors the final exponentiation
        // removes; after it they agree.
        let f = multi_miller_loop(&[(p, q)]);
        let theirs = ark_bn254::Bn254::multi_miller_loop([ark_g1(p)], [ark_g2(q)]);
        let theirs = ark_bn254::Bn254::final_exponentiation(theirs).expect("non-zero").0;
        assert_gt_eq_ark(final_exponentiation(&f).expect("non-zero"), theirs);
    }
}

#[test]
fn bilinearity_and_negation() {
    let mut rng = rng();
    let p = G1Affine::random(&mut rng);
    let q = G2Affine::random(&mut rng);
    let e = pairing(&p, &q);
    for _ in 0..2 {
        let (a, b) = (Fr::random(&mut rng), Fr::random(&mut rng));
        let ap = (G1Projective::from(p) * a).to_affine();
        let bq = (G2Projective::from(q) * b).to_affine();
        assert_eq!(pairing(&ap, &bq), e.pow(&(a * b)));
        assert_eq!(pairing(&ap, &q), pairing(&p, &(G2Projective::from(q) * a).to_affine()));
    }
    // e(P, Q)·e(−P, Q) = 1 and e(P, −Q) = e(P, Q)⁻¹.
    assert!((e * pairing(&-p, &q)).is_one());
    assert_eq!(pairing(&p, &-q), e.inverse());
    // e(P1 + P2, Q) = e(P1, Q)·e(P2, Q).
    let p2 = G1Affine::random(&mut rng);
    let sum = (G1Projective::from(p) + p2).to_affine();
    assert_eq!(pairing(&sum, &q), e * pairing(&p2, &q));
}

#[test]
fn multi_pairing_is_product_of_pairings() {
    let mut rng = rng();
    let pairs: Vec<(G1Affine, G2Affine)> =
        (0..4).map(|_| (G1Affine::random(&mut rng), G2Affine::random(&mut rng))).collect();
    let product = pairs.iter().fold(Gt::ONE, |acc, (p, q)| acc * pairing(p, q));
    assert_eq!(multi_pairing(&pairs), product);
    let prepared: Vec<(G1Affine, G2Prepared)> =
        pairs.iter().map(|(p, q)| (*p, G2Prepared::from(q))).collect();
    assert_eq!(multi_pairing_prepared(prepared.iter().map(|(p, q)| (p, q))), product);
    assert_eq!(
        multi_miller_loop_prepared(prepared.iter().map(|(p, q)| (p, q))),
        multi_miller_loop(&pairs)
    );
    let ark = ark_bn254::Bn254::multi_pairing(
        pairs.iter().map(|(p, _)| ark_g1(*p)),
        pairs.iter().map(|(_, q)| ark_g2(*q)),
    );
    assert_gt_eq_ark(product, ark.0);
    // A Groth16-shaped check: e(aP, Q)·e(−P, aQ) = 1.
    let a = Fr::random(&mut rng);
    let (p, q) = pairs[0];
    let ap = (G1Projective::from(p) * a).to_affine();
    let aq = (G2Projective::from(q) * a).to_affine();
    assert!(multi_pairing(&[(ap, q), (-p, aq)]).is_one());
    assert!(!multi_pairing(&[(ap, q), (p, aq)]).is_one());
}

#[test]
fn infinity_pairs_to_one() {
    let mut rng = rng();
    let p = G1Affine::random(&mut rng);
    let q = G2Affine::random(&mut rng);
    assert!(pairing(&G1Affine::IDENTITY, &q).is_one());
    assert!(pairing(&p, &G2Affine::IDENTITY).is_one());
    assert!(pairing(&G1Affine::IDENTITY, &G2Affine::IDENTITY).is_one());
    assert!(multi_pairing(&[]).is_one());
    assert!(G2Prepared::from(G2Affine::IDENTITY).is_identity());
    // Infinity pairs are skipped inside a multi-pairing.
    let e = pairing(&p, &q);
    assert_eq!(multi_pairing(&[(G1Affine::IDENTITY, q), (p, q), (p, G2Affine::IDENTITY)]), e);
    assert_eq!(final_exponentiation(&Fq12::ZERO), None);
}

fn fq(s: &str) -> Fq {
    Fq::from_decimal_str(s).expect("decimal below q")
}

/// snarkjs's `vk_alphabeta_12 = e(α, β)` from the verification key of circom_runtime's test
/// circuit (`circom_runtime/test/circuit/verification_key.json`, as installed by e2e/).
#[test]
fn snarkjs_alphabeta_known_answer() {
    let alpha = G1Affine::new(
        fq("20491192805390485299153009773594534940189261866228447918068658471970481763042"),
        fq("9383485363053290200918347156157836566562967994039712273449902621266178545958"),
    )
    .expect("on curve");
    let beta = G2Affine::new(
        Fq2::new([
            fq("6375614351688725206403948262868962793625744043794305715222011528459656738731"),
            fq("4252822878758300859123897981450591353533073413197771768651442665752259397132"),
        ]),
        Fq2::new([
            fq("10505242626370262277552901082094356697409835680220590971873171140371331206856"),
            fq("21847035105528745403288232691147584728191162732299865338377159692350059136679"),
        ]),
    )
    .expect("on curve");
    let expected: [[[&str; 2]; 3]; 2] = [
        [
            [
                "2029413683389138792403550203267699914886160938906632433982220835551125967885",
                "21072700047562757817161031222997517981543347628379360635925549008442030252106",
            ],
            [
                "5940354580057074848093997050200682056184807770593307860589430076672439820312",
                "12156638873931618554171829126792193045421052652279363021382169897324752428276",
            ],
            [
                "7898200236362823042373859371574133993780991612861777490112507062703164551277",
                "7074218545237549455313236346927434013100842096812539264420499035217050630853",
            ],
        ],
        [
            [
                "7077479683546002997211712695946002074877511277312570035766170199895071832130",
                "10093483419865920389913245021038182291233451549023025229112148274109565435465",
            ],
            [
                "4595479056700221319381530156280926371456704509942304414423590385166031118820",
                "19831328484489333784475432780421641293929726139240675179672856274388269393268",
            ],
            [
                "11934129596455521040620786944827826205713621633706285934057045369193958244500",
                "8037395052364110730298837004334506829870972346962140206007064471173334027475",
            ],
        ],
    ];
    let e = pairing(&alpha, &beta);
    assert_eq!(e.to_decimal_strings(), expected.map(|a| a.map(|b| b.map(str::to_owned))));
    assert_gt_eq_ark(e, ark_pairing(alpha, beta));
}

/// Square root in Fq2 for q ≡ 3 (mod 4) (Adj–Rodríguez-Henríquez, eprint 2012/685, Algorithm 9).
fn sqrt_fq2(a: Fq2) -> Option<Fq2> {
    let m = Fq::MODULUS;
    let shr = |k: u32, sub: u64| -> Vec<u64> {
        let mut v = m.to_vec();
        v[0] -= sub;
        (0..4).map(|i| (v[i] >> k) | if i < 3 { v[i + 1] << (64 - k) } else { 0 }).collect()
    };
    let a1 = a.pow_limbs(&shr(2, 3));
    let alpha = a1 * a1 * a;
    let a0 = alpha.pow_limbs(m) * alpha;
    if a0 == -Fq2::ONE {
        return None;
    }
    let x0 = a1 * a;
    let x = if alpha == -Fq2::ONE {
        Fq2::new([Fq::ZERO, Fq::ONE]) * x0
    } else {
        (Fq2::ONE + alpha).pow_limbs(&shr(1, 1)) * x0
    };
    (x.square() == a).then_some(x)
}

/// Twist points `(t + u, y)` for small `t`: almost all outside G2 (the cofactor is ~2^254).
fn twist_points(n: usize) -> Vec<G2Affine> {
    let mut out = Vec::new();
    for t in 1..1000u64 {
        let x = Fq2::new([Fq::from_u64(t), Fq::ONE]);
        if let Some(y) = sqrt_fq2(x.square() * x + G2Config::B) {
            out.push(G2Affine::new(x, y).expect("on curve"));
            if out.len() == n {
                break;
            }
        }
    }
    out
}

#[test]
fn psi_is_multiplication_by_six_x_squared_on_g2() {
    let mut rng = rng();
    let g = G2Affine::generator();
    let six_x2 =
        Fr::from_canonical_limbs([SIX_X_SQUARED as u64, (SIX_X_SQUARED >> 64) as u64, 0, 0])
            .expect("below r");
    assert_eq!(psi(&g), (G2Projective::from(g) * six_x2).to_affine());
    // ψ agrees with arkworks' view of the Frobenius: e(P, ψ(Q)) = e(P, Q)^q.
    let p = G1Affine::random(&mut rng);
    let q = G2Affine::random(&mut rng);
    assert_eq!(pairing(&p, &psi(&q)).0, pairing(&p, &q).0.frobenius_map(1));
    assert!(psi(&G2Affine::IDENTITY).is_identity());
}

#[test]
fn g2_subgroup_check_matches_order_check() {
    let mut rng = rng();
    // In the subgroup.
    for _ in 0..5 {
        let q = G2Affine::random(&mut rng);
        assert!(q.mul_by_order_is_identity());
        assert!(g2_is_in_subgroup(&q));
        assert!(g2_is_in_subgroup_six_x_squared(&q));
        assert!(q.is_in_subgroup());
    }
    assert!(G2Affine::IDENTITY.is_in_subgroup());
    // Outside: twist points, and twist points plus a G2 point.
    let outside = twist_points(8);
    assert_eq!(outside.len(), 8);
    let q = G2Affine::random(&mut rng);
    for t in outside {
        let slow = t.mul_by_order_is_identity();
        assert!(!slow);
        assert_eq!(g2_is_in_subgroup(&t), slow);
        assert_eq!(g2_is_in_subgroup_six_x_squared(&t), slow);
        assert!(!t.is_in_subgroup());
        let shifted = (Projective::from(t) + q).to_affine();
        assert_eq!(g2_is_in_subgroup(&shifted), shifted.mul_by_order_is_identity());
        assert_eq!(g2_is_in_subgroup_six_x_squared(&shifted), shifted.mul_by_order_is_identity());
        // Clearing the cofactor lands in G2: [h]T with h = #E'/r = 2q − r.
        let cleared = clear_cofactor(&t);
        assert!(cleared.mul_by_order_is_identity());
        assert!(g2_is_in_subgroup(&cleared));
        assert!(g2_is_in_subgroup_six_x_squared(&cleared));
        // [r]T has order dividing the cofactor: rejected, alone and plus a G2 point.
        let torsion = mul_limbs(&t, Fr::MODULUS);
        assert!(!torsion.is_identity());
        assert!(!g2_is_in_subgroup(&torsion));
        assert!(!g2_is_in_subgroup_six_x_squared(&torsion));
        let torsion_shifted = (Projective::from(torsion) + q).to_affine();
        assert!(!g2_is_in_subgroup(&torsion_shifted));
        assert!(!torsion_shifted.mul_by_order_is_identity());
        // And it agrees with arkworks' subgroup check.
        let ark_t = ark_bn254::G2Affine::new_unchecked(ark_fq2(t.x), ark_fq2(t.y));
        assert_eq!(ark_t.is_in_correct_subgroup_assuming_on_curve(), g2_is_in_subgroup(&t));
    }
}

/// `[2q − r]T`, the cofactor of the twist, by double-and-add over its limbs (test oracle).
fn clear_cofactor(t: &G2Affine) -> G2Affine {
    // h = 2q − r as little-endian limbs (q, r < 2^254, so 2q − r < 2^255).
    let (q, r) = (Fq::MODULUS, Fr::MODULUS);
    let mut h = [0u64; 4];
    let mut carry = 0u64;
    let mut borrow = 0u64;
    for i in 0..4 {
        let d = (q[i] << 1) | carry;
        carry = q[i] >> 63;
        let (s, b1) = d.overflowing_sub(r[i]);
        let (s, b2) = s.overflowing_sub(borrow);
        h[i] = s;
        borrow = u64::from(b1 || b2);
    }
    mul_limbs(t, &h)
}

/// `[k]T` for `k` as little-endian limbs, double-and-add (test oracle).
fn mul_limbs(t: &G2Affine, k: &[u64]) -> G2Affine {
    let base = Projective::from(*t);
    let mut acc = G2Projective::IDENTITY;
    for limb in k.iter().rev() {
        for bit in (0..64).rev() {
            acc = acc.double();
            if (limb >> bit) & 1 == 1 {
                acc += base;
            }
        }
    }
    acc.to_affine()
}

#[test]
fn arkworks_generators_are_ours() {
    assert_eq!(ark_g1(G1Affine::generator()), ark_bn254::G1Affine::generator());
    assert_eq!(ark_g2(G2Affine::generator()), ark_bn254::G2Projective::generator().into_affine());
    let _ = ark_fr(Fr::ONE);
}
