//! BN254 Fr and Fq: law tests, known-answer vectors, and differential tests against arkworks
//! (`ark_bn254`), which is an independent implementation of the same fields with the same
//! Montgomery representation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ark_ff::{AdditiveGroup as _, BigInteger as _, Field as _, PrimeField as _};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_field::bn254::{Fq, Fr};
use zkprove_field::{Field, PrimeField, TwoAdicField};

zkprove_field_testing::test_prime_field!(fr, zkprove_field::bn254::Fr);
zkprove_field_testing::test_prime_field!(fq, zkprove_field::bn254::Fq);
zkprove_field_testing::test_two_adic_field!(fr_two_adic, zkprove_field::bn254::Fr);
zkprove_field_testing::test_two_adic_field!(fq_two_adic, zkprove_field::bn254::Fq);

const R_DEC: &str = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
const Q_DEC: &str = "21888242871839275222246405745257275088696311157297823662689037894645226208583";

// ----- known answers ---------------------------------------------------------------------------

#[test]
fn montgomery_constants() {
    // R = 2^256 mod p, R² mod p (computed independently with Python big integers).
    let r_fr = [0xac96341c4ffffffb, 0x36fc76959f60cd29, 0x666ea36f7879462e, 0x0e0a77c19a07df2f];
    let r2_fr = [0x1bb8e645ae216da7, 0x53fe3ab1e35c59e3, 0x8c49833d53bb8085, 0x0216d0b17f4e44a5];
    let r_fq = [0xd35d438dc58f0d9d, 0x0a78eb28f5c70b3d, 0x666ea36f7879462c, 0x0e0a77c19a07df2f];
    let r2_fq = [0xf32cfc5b538afa89, 0xb5e71911d44501fb, 0x47ab1eff0a417ff6, 0x06d89f71cab8351f];
    assert_eq!(Fr::ONE.to_raw_limbs(), r_fr);
    assert_eq!(Fr::from_canonical_limbs([1, 0, 0, 0]).unwrap().to_raw_limbs(), r_fr);
    assert_eq!(Fr::from_raw_limbs(r_fr).unwrap(), Fr::ONE);
    assert_eq!(Fr::R, r_fr);
    assert_eq!(Fr::R2, r2_fr);
    assert_eq!(Fq::ONE.to_raw_limbs(), r_fq);
    assert_eq!(Fq::from_canonical_limbs([1, 0, 0, 0]).unwrap().to_raw_limbs(), r_fq);
    assert_eq!(Fq::R, r_fq);
    assert_eq!(Fq::R2, r2_fq);
    // The raw value R read back canonically is R mod p.
    assert_eq!(Fr::from_raw_limbs(r2_fr).unwrap().to_canonical_limbs(), r_fr);
    // −p⁻¹ · p ≡ −1 (mod 2^64).
    assert_eq!(Fr::INV.wrapping_mul(Fr::MODULUS_LIMBS[0]), u64::MAX);
    assert_eq!(Fq::INV.wrapping_mul(Fq::MODULUS_LIMBS[0]), u64::MAX);
    // R³ = R² · R² / R.
    let r3 = Fr::from_raw_limbs(Fr::R2).unwrap() * Fr::from_raw_limbs(Fr::R2).unwrap();
    assert_eq!(r3.to_raw_limbs(), Fr::R3);
    assert_eq!(Fr::NUM_BITS, 254);
    assert_eq!(Fq::NUM_BITS, 254);
    assert_eq!(Fr::order_string(), R_DEC);
    assert_eq!(Fq::order_string(), Q_DEC);
}

#[test]
fn decimal_vectors() {
    assert_eq!(
        Fr::NEG_ONE.to_string(),
        "21888242871839275222246405745257275088548364400416034343698204186575808495616"
    );
    assert_eq!(
        Fq::NEG_ONE.to_string(),
        "21888242871839275222246405745257275088696311157297823662689037894645226208582"
    );
    assert_eq!(
        Fr::TWO.inverse().unwrap().to_string(),
        "10944121435919637611123202872628637544274182200208017171849102093287904247809"
    );
    assert_eq!(
        Fq::TWO.inverse().unwrap().to_string(),
        "10944121435919637611123202872628637544348155578648911831344518947322613104292"
    );
    assert_eq!(format!("{:?}", Fr::from_u64(42)), "42");
    assert!(Fr::from_decimal_str(R_DEC).is_err());
}

#[test]
fn fixed_products() {
    let a_limbs = [0x0011223344556677, 0x0f1e2d3c4b5a6978, 0xfedcba0987654321, 0x1234567890abcdef];
    let b = "98765432109876543210987654321098765432109876543210";
    // a < p for both fields? a is below 2^253 < p, so it is canonical as is.
    let (a_r, b_r) = (Fr::from_canonical_limbs(a_limbs).unwrap(), Fr::from_decimal_str(b).unwrap());
    assert_eq!(
        (a_r * b_r).to_string(),
        "19636544149245940692300473348495434331987937270225912568044552037379597274507"
    );
    let (a_q, b_q) = (Fq::from_canonical_limbs(a_limbs).unwrap(), Fq::from_decimal_str(b).unwrap());
    assert_eq!(
        (a_q * b_q).to_string(),
        "8994414842357378923007056159764034992971103283041106984961482274074889897564"
    );
    assert_eq!(a_r.to_canonical_limbs(), a_limbs);
}

#[test]
fn const_constructors() {
    const FIVE: Fr = Fr::from_canonical_limbs([5, 0, 0, 0]).unwrap();
    const SEVEN: Fq = Fq::from_u64_const(7);
    assert_eq!(FIVE, Fr::from_u64(5));
    assert_eq!(SEVEN, Fq::from_u64(7));
    assert_eq!(Fr::MULTIPLICATIVE_GENERATOR, FIVE);
    assert_eq!(Fr::from_canonical_limbs(Fr::MODULUS_LIMBS), None);
    assert_eq!(Fr::from_raw_limbs(Fr::MODULUS_LIMBS), None);
}

/// Euler's criterion: `x^((p − 1)/2)` is 1 for squares, −1 for non-residues.
fn legendre(x: Fr) -> Fr {
    let r = Fr::MODULUS_LIMBS;
    // (r − 1) / 2: r is odd, so shifting r right by one gives it.
    let half = [
        (r[0] >> 1) | (r[1] << 63),
        (r[1] >> 1) | (r[2] << 63),
        (r[2] >> 1) | (r[3] << 63),
        r[3] >> 1,
    ];
    x.pow_limbs(&half)
}

#[test]
fn fr_roots_of_unity_follow_snarkjs() {
    assert_eq!(Fr::TWO_ADICITY, 28);
    for k in [2u64, 3, 4] {
        assert_eq!(legendre(Fr::from_u64(k)), Fr::ONE, "{k} is a square");
    }
    assert_eq!(legendre(Fr::from_u64(5)), Fr::NEG_ONE, "5 is the first non-residue");
    let root = Fr::two_adic_generator(28).unwrap();
    assert_eq!(
        root.to_string(),
        "19103219067921713944291392827692070036145651957329286315305642004821462161904"
    );
    assert_eq!(root, Fr::TWO_ADIC_ROOT);
    // w28 = 5^t with t = (r − 1) / 2^28.
    let r = Fr::MODULUS_LIMBS;
    let t = [
        (r[0] >> 28) | (r[1] << 36),
        (r[1] >> 28) | (r[2] << 36),
        (r[2] >> 28) | (r[3] << 36),
        r[3] >> 28,
    ];
    assert_eq!(Fr::from_u64(5).pow_limbs(&t), root);
    // Same as arkworks' TWO_ADIC_ROOT_OF_UNITY.
    let ark_root = <ark_bn254::Fr as ark_ff::FftField>::TWO_ADIC_ROOT_OF_UNITY;
    assert_eq!(root.to_raw_limbs(), ark_root.0.0);
    assert_eq!(Fr::two_adic_generator(1), Some(Fr::NEG_ONE));
    assert_eq!(Fq::two_adic_generator(1), Some(Fq::NEG_ONE));
    assert_eq!(Fq::two_adic_generator(2), None);
}

#[test]
fn inverse_matches_fermat() {
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..200 {
        let x = Fr::random(&mut rng);
        assert_eq!(x.inverse(), x.inverse_fermat());
        let y = Fq::random(&mut rng);
        assert_eq!(y.inverse(), y.inverse_fermat());
    }
    // Powers of two and their negatives stress the shifting paths.
    for k in [1u64, 2, 1 << 63] {
        let x = Fr::from_u64(k);
        assert_eq!(x.inverse(), x.inverse_fermat());
        assert_eq!((-x).inverse(), (-x).inverse_fermat());
    }
    assert_eq!(Fr::ZERO.inverse_fermat(), None);
}

#[test]
#[should_panic(expected = "division by zero")]
fn div_by_zero_panics() {
    let _ = Fr::ONE / Fr::ZERO;
}

// ----- differential tests against arkworks -----------------------------------------------------

/// Our field, its arkworks twin, and conversions through canonical little-endian bytes.
trait Twin: PrimeField<Repr = [u8; 32]> {
    type Ark: ark_ff::PrimeField;
    fn raw_limbs(&self) -> [u64; 4];
    fn ark_raw_limbs(a: &Self::Ark) -> [u64; 4];
    fn to_ark(&self) -> Self::Ark {
        Self::Ark::from_le_bytes_mod_order(&self.to_bytes_le())
    }
    fn from_ark(a: &Self::Ark) -> Self {
        let bytes: [u8; 32] = a.into_bigint().to_bytes_le().try_into().unwrap();
        Self::from_bytes_le(&bytes).unwrap()
    }
}

impl Twin for Fr {
    type Ark = ark_bn254::Fr;
    fn raw_limbs(&self) -> [u64; 4] {
        self.to_raw_limbs()
    }
    fn ark_raw_limbs(a: &ark_bn254::Fr) -> [u64; 4] {
        a.0.0
    }
}

impl Twin for Fq {
    type Ark = ark_bn254::Fq;
    fn raw_limbs(&self) -> [u64; 4] {
        self.to_raw_limbs()
    }
    fn ark_raw_limbs(a: &ark_bn254::Fq) -> [u64; 4] {
        a.0.0
    }
}

/// Runs the same random sequence of operations on both implementations, comparing after each step.
fn differential<F: Twin>(seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut ours: Vec<F> = (0..8).map(|_| F::random(&mut rng)).collect();
    ours.extend([F::ZERO, F::ONE, F::NEG_ONE, F::TWO]);
    let mut theirs: Vec<F::Ark> = ours.iter().map(F::to_ark).collect();
    let n = ours.len();
    for step in 0..4000 {
        let (i, j, k) = (rng.random_range(0..n), rng.random_range(0..n), rng.random_range(0..n));
        let op = rng.random_range(0..8);
        let (a, b) = (ours[i], ours[j]);
        let (x, y) = (theirs[i], theirs[j]);
        let (o, t) = match op {
            0 => (a + b, x + y),
            1 => (a - b, x - y),
            2 => (a * b, x * y),
            3 => (a.square(), x.square()),
            4 => (a.inverse().unwrap_or(F::ZERO), x.inverse().unwrap_or_default()),
            5 => (-a, -x),
            6 => (a.double(), x.double()),
            _ => {
                // Occasionally re-seed a slot with a fresh random value so zeros do not spread.
                let r = F::random(&mut rng);
                (r, r.to_ark())
            }
        };
        assert_eq!(o, F::from_ark(&t), "op {op} at step {step}");
        assert_eq!(
            o.raw_limbs(),
            F::ark_raw_limbs(&t),
            "raw Montgomery limbs, op {op} at step {step}"
        );
        ours[k] = o;
        theirs[k] = t;
    }
}

#[test]
fn differential_fr() {
    differential::<Fr>(1);
}

#[test]
fn differential_fq() {
    differential::<Fq>(2);
}

fn representations<F: Twin>(seed: u64)
where
    F::Ark: core::fmt::Display,
{
    let mut rng = StdRng::seed_from_u64(seed);
    let mut xs: Vec<F> = (0..300).map(|_| F::random(&mut rng)).collect();
    xs.extend([F::ZERO, F::ONE, F::NEG_ONE, F::TWO, F::from_u64(u64::MAX)]);
    for x in &xs {
        let a = x.to_ark();
        // Raw bytes are arkworks' internal Montgomery limbs.
        assert_eq!(x.raw_limbs(), F::ark_raw_limbs(&a));
        let raw: Vec<u8> = F::ark_raw_limbs(&a).iter().flat_map(|l| l.to_le_bytes()).collect();
        assert_eq!(x.to_raw_bytes_le().as_slice(), raw.as_slice());
        // Decimal strings agree with arkworks' Display and its BigInt's.
        assert_eq!(x.to_string(), a.into_bigint().to_string());
        let ark_display = a.to_string();
        if !x.is_zero() {
            assert_eq!(x.to_string(), ark_display);
        }
    }
    // Ordering is on canonical values, as arkworks orders.
    for w in xs.windows(2) {
        assert_eq!(w[0].cmp(&w[1]), w[0].to_ark().cmp(&w[1].to_ark()));
    }
    // Reduction of long byte strings agrees.
    for len in [0usize, 1, 31, 32, 33, 64, 100] {
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        assert_eq!(
            F::from_bytes_le_mod_order(&bytes),
            F::from_ark(&F::Ark::from_le_bytes_mod_order(&bytes)),
            "{len}"
        );
    }
    let ff = [0xffu8; 64];
    assert_eq!(F::from_bytes_le_mod_order(&ff), F::from_ark(&F::Ark::from_le_bytes_mod_order(&ff)));
}

#[test]
fn representations_fr() {
    representations::<Fr>(3);
}

#[test]
fn representations_fq() {
    representations::<Fq>(4);
}

#[test]
fn batch_inverse_2_14() {
    let mut rng = StdRng::seed_from_u64(5);
    let xs: Vec<Fr> = (0..1 << 14).map(|_| Fr::random(&mut rng)).collect();
    let inv = zkprove_field::batch_inverse(&xs);
    for (x, y) in xs.iter().zip(&inv).step_by(97) {
        assert_eq!(*x * *y, Fr::ONE);
    }
}
