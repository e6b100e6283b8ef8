//! Law tests shared by every zkprove field and packed type.
//!
//! Each `test_*!` macro expands to a module of `#[test]` functions that run the generic checks
//! below on one type, with a fixed seed so that failures reproduce. Use from integration tests:
//!
//! ```ignore
//! zkprove_field_testing::test_field!(goldilocks, zkprove_field::goldilocks::Goldilocks);
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_field::monty31::{MontyField31, MontyField31Ext4, MontyParameters31};
use zkprove_field::{
    ExtensionField, Field, PackedField, PrimeField, PrimeField64, TwoAdicField, batch_inverse,
};

/// How many random samples each law is checked on.
pub const N_SAMPLES: usize = 200;

/// The seeded generator every law uses.
pub fn rng() -> StdRng {
    StdRng::seed_from_u64(0x5eed_2026)
}

/// Random elements with the interesting ones mixed in (0, 1, −1, 2).
pub fn samples<F: Field>(n: usize) -> Vec<F> {
    let mut rng = rng();
    let mut v = vec![F::ZERO, F::ONE, F::NEG_ONE, F::TWO];
    v.extend((0..n).map(|_| F::random(&mut rng)));
    v
}

pub fn check_ring_axioms<F: Field>() {
    let xs = samples::<F>(N_SAMPLES);
    for w in xs.windows(3) {
        let (a, b, c) = (w[0], w[1], w[2]);
        assert_eq!(a + b, b + a, "add commutes");
        assert_eq!(a * b, b * a, "mul commutes");
        assert_eq!((a + b) + c, a + (b + c), "add associates");
        assert_eq!((a * b) * c, a * (b * c), "mul associates");
        assert_eq!(a * (b + c), a * b + a * c, "mul distributes");
        assert_eq!(a + F::ZERO, a);
        assert_eq!(a * F::ONE, a);
        assert_eq!(a * F::ZERO, F::ZERO);
        let a2 = a;
        assert_eq!(a - a2, F::ZERO);
        assert_eq!(a + (-a), F::ZERO);
        assert_eq!(a - b, a + (-b));
        assert_eq!(-(-a), a);
        assert_eq!(a.square(), a * a);
        assert_eq!(a.double(), a + a);
        assert_eq!(a * F::NEG_ONE, -a);
        let mut d = a;
        d += b;
        assert_eq!(d, a + b);
        d -= b;
        assert_eq!(d, a);
        d *= b;
        assert_eq!(d, a * b);
    }
    assert_eq!(F::ONE + F::ONE, F::TWO);
    assert_eq!(F::NEG_ONE + F::ONE, F::ZERO);
    assert_ne!(F::ZERO, F::ONE);
    assert!(F::ZERO.is_zero() && F::ONE.is_one() && !F::ONE.is_zero());
    assert_eq!(F::default(), F::ZERO);
}

pub fn check_inverse<F: Field>() {
    assert_eq!(F::ZERO.inverse(), None);
    assert_eq!(F::ONE.inverse(), Some(F::ONE));
    for a in samples::<F>(N_SAMPLES) {
        if a.is_zero() {
            continue;
        }
        let inv = a.inverse().expect("a non-zero element has an inverse");
        assert_eq!(a * inv, F::ONE, "a · a⁻¹ = 1 for {a:?}");
        assert_eq!(F::ONE / a, inv);
        let mut d = F::ONE;
        d /= a;
        assert_eq!(d, inv);
    }
}

pub fn check_pow_and_conversions<F: Field>() {
    let mut rng = rng();
    let a = F::random(&mut rng);
    assert_eq!(a.pow(0), F::ONE);
    assert_eq!(a.pow(1), a);
    assert_eq!(a.pow(5), a * a * a * a * a);
    assert_eq!(a.pow(13), a.pow(6) * a.pow(7));
    assert_eq!(a.pow_limbs(&[3, 0]), a.pow(3));
    assert_eq!(a.powers(4), vec![F::ONE, a, a * a, a * a * a]);
    assert_eq!(F::from_u64(0), F::ZERO);
    assert_eq!(F::from_u64(1), F::ONE);
    assert_eq!(F::from_u64(2), F::TWO);
    for (x, y) in [(3u64, 5u64), (1 << 20, 1 << 11), (u32::MAX as u64, 7)] {
        assert_eq!(F::from_u64(x) + F::from_u64(y), F::from_u64(x + y));
        assert_eq!(F::from_u64(x) * F::from_u64(y), F::from_u64(x * y));
    }
    let xs = samples::<F>(16);
    assert_eq!(xs.iter().copied().sum::<F>(), xs.iter().fold(F::ZERO, |s, &x| s + x));
    assert_eq!(xs[4..].iter().copied().product::<F>(), xs[4..].iter().fold(F::ONE, |s, &x| s * x));
    // Random elements are not all the same.
    let r: Vec<F> = (0..8).map(|_| F::random(&mut rng)).collect();
    assert!(r.windows(2).any(|w| w[0] != w[1]));
    // Display and Debug produce something.
    assert!(!format!("{a}").is_empty() && !format!("{a:?}").is_empty());
}

pub fn check_batch_inverse<F: Field>() {
    for n in [0usize, 1, 2, 7, 100, 5000, 9001] {
        let mut xs = samples::<F>(n);
        xs.truncate(n);
        // Sprinkle zeros.
        for i in (0..n).step_by(13) {
            xs[i] = F::ZERO;
        }
        let inv = batch_inverse(&xs);
        assert_eq!(inv.len(), n);
        for (x, y) in xs.iter().zip(&inv) {
            if x.is_zero() {
                assert!(y.is_zero(), "zero stays zero");
            } else {
                assert_eq!(*x * *y, F::ONE);
            }
        }
    }
}

pub fn check_prime_field<F: PrimeField>() {
    let xs = samples::<F>(N_SAMPLES);
    for a in &xs {
        let bytes = a.to_bytes_le();
        assert_eq!(F::from_bytes_le(&bytes), Some(*a), "canonical bytes round trip");
        let raw = a.to_raw_bytes_le();
        assert_eq!(F::from_raw_bytes_le(&raw), Some(*a), "raw bytes round trip");
        let dec = a.to_decimal_string();
        assert_eq!(F::from_decimal_str(&dec), Ok(*a), "decimal round trip");
        assert_eq!(F::from_bytes_le_mod_order(bytes.as_ref()), *a);
    }
    assert_eq!(F::ZERO.to_decimal_string(), "0");
    assert_eq!(F::ONE.to_decimal_string(), "1");
    assert_eq!(
        F::from_u64(1_234_567_890).to_decimal_string(),
        "1234567890",
        "below every modulus here"
    );
    // p itself is not canonical; p − 1 is −1.
    let mut p = F::Repr::default();
    let p_bytes: Vec<u8> = F::MODULUS.iter().flat_map(|l| l.to_le_bytes()).collect();
    let n = p.as_ref().len();
    p.as_mut().copy_from_slice(&p_bytes[..n]);
    assert_eq!(F::from_bytes_le(&p), None, "p is rejected");
    assert_eq!(F::from_raw_bytes_le(&p), None, "p is rejected as raw");
    assert_eq!(F::from_bytes_le_mod_order(&p_bytes), F::ZERO, "p reduces to 0");
    let mut pm1 = p;
    // Subtract one (p is odd, so the low byte is ≥ 1).
    pm1.as_mut()[0] -= 1;
    assert_eq!(F::from_bytes_le(&pm1), Some(F::NEG_ONE));
    let dec_p = crate_decimal_of(&p_bytes);
    assert!(F::from_decimal_str(&dec_p).is_err(), "decimal p is rejected");
    assert!(F::from_decimal_str("").is_err());
    assert!(F::from_decimal_str("12x").is_err());
    assert!(F::from_decimal_str("-1").is_err());
    // NUM_BITS matches the modulus.
    let top = F::MODULUS.iter().rposition(|&l| l != 0).unwrap();
    let bits = 64 * top as u32 + (64 - F::MODULUS[top].leading_zeros());
    assert_eq!(F::NUM_BITS, bits);
    // Ordering follows the canonical value.
    assert!(F::ZERO < F::ONE && F::ONE < F::NEG_ONE);
}

/// Decimal string of little-endian bytes (independent of the crate's own conversion).
fn crate_decimal_of(bytes: &[u8]) -> String {
    let mut digits = vec![0u8];
    for &b in bytes.iter().rev() {
        // digits = digits * 256 + b (digits little-endian base 10)
        let mut carry = u32::from(b);
        for d in digits.iter_mut() {
            let cur = u32::from(*d) * 256 + carry;
            *d = (cur % 10) as u8;
            carry = cur / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

pub fn check_two_adic<F: TwoAdicField>() {
    let s = F::TWO_ADICITY;
    assert!(F::two_adic_generator(s + 1).is_none());
    assert_eq!(F::two_adic_generator(0), Some(F::ONE));
    let mut prev = F::ONE;
    for k in 1..=s {
        let g = F::two_adic_generator(k).expect("k ≤ TWO_ADICITY");
        assert_eq!(g.square(), prev, "chain: g_k² = g_(k−1) at k = {k}");
        // Exact order 2^k: g^(2^(k−1)) = −1 ≠ 1.
        let mut h = g;
        for _ in 0..k - 1 {
            h = h.square();
        }
        assert_eq!(h, F::NEG_ONE, "g_k^(2^(k−1)) = −1 at k = {k}");
        prev = g;
    }
}

pub fn check_extension<F: Field, E: ExtensionField<F>>() {
    let d = E::DEGREE;
    assert!(d >= 1);
    let base = samples::<F>(N_SAMPLES);
    for w in base.windows(2) {
        let (a, b) = (w[0], w[1]);
        assert_eq!(E::from_base(a) + E::from_base(b), E::from_base(a + b));
        assert_eq!(E::from_base(a) * E::from_base(b), E::from_base(a * b));
        assert!(E::from_base(a).is_in_base_field());
    }
    let exts = samples::<E>(N_SAMPLES);
    for (x, a) in exts.iter().zip(&base) {
        let coeffs = x.as_base_slice().to_vec();
        assert_eq!(coeffs.len(), d);
        assert_eq!(E::from_base_slice(&coeffs).ok(), Some(*x));
        assert_eq!(*x * *a, *x * E::from_base(*a), "mul by base = mul by embedded");
        assert_eq!(*x + *a, *x + E::from_base(*a), "add base = add embedded");
    }
    assert!(E::from_base_slice(&vec![F::ONE; d + 1]).is_err());
    // Every non-zero element is invertible: X^D − W is irreducible (a reducible one has zero divisors,
    // which random products expose with overwhelming probability in these small fields' extensions).
    for x in &exts {
        if !x.is_zero() {
            assert_eq!(*x * x.inverse().unwrap(), E::ONE);
        }
    }
    // The Frobenius x ↦ x^p is a ring homomorphism that fixes the base field; checked through
    // (x·y)^p = x^p·y^p with p given by the base field's order when it fits in a u64 (done by
    // callers that know p); here: (x + y)² = x² + 2xy + y².
    for w in exts.windows(2) {
        let (x, y) = (w[0], w[1]);
        assert_eq!((x + y).square(), x.square() + (x * y).double() + y.square());
    }
}

pub fn check_packed<P: PackedField>() {
    let mut rng = rng();
    let width = P::WIDTH;
    for _ in 0..N_SAMPLES / 4 {
        let xs: Vec<P::Scalar> = (0..width).map(|_| P::Scalar::random(&mut rng)).collect();
        let mut ys: Vec<P::Scalar> = (0..width).map(|_| P::Scalar::random(&mut rng)).collect();
        // Edge values in some lanes.
        ys[0] = P::Scalar::ZERO;
        if width > 1 {
            ys[width - 1] = P::Scalar::NEG_ONE;
        }
        let s = P::Scalar::random(&mut rng);
        let a = P::from_fn(|i| xs[i]);
        let b = P::from_fn(|i| ys[i]);
        assert_eq!(a.as_slice(), &xs[..]);
        let lanes = |p: P| p.as_slice().to_vec();
        assert_eq!(lanes(a + b), (0..width).map(|i| xs[i] + ys[i]).collect::<Vec<_>>(), "add");
        assert_eq!(lanes(a - b), (0..width).map(|i| xs[i] - ys[i]).collect::<Vec<_>>(), "sub");
        assert_eq!(lanes(b - a), (0..width).map(|i| ys[i] - xs[i]).collect::<Vec<_>>(), "sub");
        assert_eq!(lanes(a * b), (0..width).map(|i| xs[i] * ys[i]).collect::<Vec<_>>(), "mul");
        assert_eq!(lanes(-a), (0..width).map(|i| -xs[i]).collect::<Vec<_>>(), "neg");
        assert_eq!(lanes(-b), (0..width).map(|i| -ys[i]).collect::<Vec<_>>(), "neg");
        assert_eq!(lanes(a + s), (0..width).map(|i| xs[i] + s).collect::<Vec<_>>(), "add scalar");
        assert_eq!(lanes(a - s), (0..width).map(|i| xs[i] - s).collect::<Vec<_>>(), "sub scalar");
        assert_eq!(lanes(a * s), (0..width).map(|i| xs[i] * s).collect::<Vec<_>>(), "mul scalar");
        assert_eq!(lanes(P::broadcast(s)), vec![s; width], "broadcast");
        let mut c = a;
        c += b;
        assert_eq!(c, a + b);
        c -= b;
        assert_eq!(c, a);
        c *= b;
        assert_eq!(c, a * b);
    }
    // Slice views.
    let buf: Vec<P::Scalar> = (0..3 * width).map(|_| P::Scalar::random(&mut rng)).collect();
    let packed = P::pack_slice(&buf);
    assert_eq!(packed.len(), 3);
    for (j, p) in packed.iter().enumerate() {
        assert_eq!(p.as_slice(), &buf[j * width..(j + 1) * width]);
    }
    let mut buf2 = buf.clone();
    buf2.push(P::Scalar::ONE);
    let (packed, suffix) = P::pack_slice_with_suffix_mut(&mut buf2);
    // Width 1 packs the extra element too.
    assert_eq!(packed.len(), if width == 1 { 4 } else { 3 });
    assert_eq!(suffix.len(), if width == 1 { 0 } else { 1 });
}

/// The distinct prime factors of `n > 0`, by trial division.
fn prime_factors(mut n: u64) -> Vec<u64> {
    let mut out = Vec::new();
    let mut d = 2;
    while d * d <= n {
        if n.is_multiple_of(d) {
            out.push(d);
            while n.is_multiple_of(d) {
                n /= d;
            }
        }
        d += 1;
    }
    if n > 1 {
        out.push(n);
    }
    out
}

/// What [`MontyParameters31`] promises, checked from its three given constants with no use of the
/// derived ones: `p` prime and below `2^31`, the Montgomery constants, the generator of the whole
/// group, the two-adic chain from it, `X⁴ − W` irreducible (Euler's criterion, with
/// `p ≡ 1 (mod 4)`), the inversion chain against Fermat's `x^(p−2)`, and the `const` constructor.
pub fn check_monty31<P: MontyParameters31>() {
    type F<P> = MontyField31<P>;
    let p = u64::from(P::PRIME);
    assert!(p < 1 << 31 && p % 2 == 1);
    assert_eq!(prime_factors(p), vec![p], "p is prime");
    assert_eq!(P::PRIME.wrapping_mul(P::MONTY_NEG_P_INV), u32::MAX, "p·(−p⁻¹) = −1 mod 2^32");
    assert_eq!(u128::from(P::R2), (1u128 << 64) % u128::from(p), "R² mod p");
    assert_eq!(u64::from(F::<P>::ONE.to_monty()), (1u64 << 32) % p, "Montgomery form of 1 is R");
    assert_eq!(F::<P>::ORDER_U64, p);
    assert_eq!(F::<P>::new(P::PRIME + 5).as_canonical_u32(), 5);
    assert_eq!(F::<P>::new(u32::MAX).as_canonical_u32(), u32::MAX % P::PRIME);
    for v in [0, 1, 2, P::PRIME - 1, P::PRIME / 2] {
        let x = F::<P>::new(v);
        assert_eq!(x.as_canonical_u32(), v);
        assert_eq!(F::<P>::from_monty(x.to_monty()), Some(x));
    }
    assert_eq!(F::<P>::from_monty(P::PRIME), None);

    // The generator: g^((p−1)/q) ≠ 1 for each prime q | p − 1.
    let g = F::<P>::GENERATOR;
    assert_eq!(g.as_canonical_u32(), P::GENERATOR);
    for q in prime_factors(p - 1) {
        assert_ne!(g.pow((p - 1) / q), F::<P>::ONE, "generator: order not divided by {q}");
    }
    // Two-adicity and the chain g_s = g^((p − 1)/2^s).
    let s = (p - 1).trailing_zeros() as usize;
    assert_eq!(<F<P> as TwoAdicField>::TWO_ADICITY, s);
    assert_eq!(F::<P>::two_adic_generator(s), Some(g.pow((p - 1) >> s)));
    assert_eq!(F::<P>::two_adic_generator(s + 1), None);
    check_two_adic::<F<P>>();

    // X⁴ − W irreducible: p ≡ 1 (mod 4) and W is not a square.
    let w = F::<P>::new(P::EXT4_W);
    assert_eq!(p % 4, 1, "−1, hence −4, is a square");
    assert_eq!(w.pow((p - 1) / 2), F::<P>::NEG_ONE, "Euler's criterion: W is not a square");
    let x = MontyField31Ext4::<P>::x();
    assert_eq!((x * x) * (x * x), MontyField31Ext4::<P>::from_base(w), "X⁴ = W");
    // The Frobenius is an automorphism of order exactly 4.
    let mut rng = rng();
    let a = MontyField31Ext4::<P>::random(&mut rng);
    let frob = |v: MontyField31Ext4<P>| v.pow(p);
    assert_ne!(frob(a), a);
    assert_eq!(frob(frob(frob(frob(a)))), a);

    // The inversion chain is Fermat's inverse.
    for v in samples::<F<P>>(N_SAMPLES) {
        if !v.is_zero() {
            assert_eq!(v.inverse(), Some(v.pow(p - 2)), "x⁻¹ = x^(p−2) for {v:?}");
        }
    }
    assert_eq!(F::<P>::ZERO.inverse(), None);
}

/// Runs the [`Field`] laws on a type: `test_field!(module_name, Type);`
#[macro_export]
macro_rules! test_field {
    ($name:ident, $f:ty) => {
        mod $name {
            #[test]
            fn ring_axioms() {
                $crate::check_ring_axioms::<$f>();
            }
            #[test]
            fn inverse() {
                $crate::check_inverse::<$f>();
            }
            #[test]
            fn pow_and_conversions() {
                $crate::check_pow_and_conversions::<$f>();
            }
            #[test]
            fn batch_inverse_with_zeros() {
                $crate::check_batch_inverse::<$f>();
            }
            #[test]
            fn packing_matches_scalar() {
                $crate::check_packed::<<$f as zkprove_field::Field>::Packing>();
            }
        }
    };
}

/// Runs the [`Field`] and [`PrimeField`] laws: `test_prime_field!(module_name, Type);`
#[macro_export]
macro_rules! test_prime_field {
    ($name:ident, $f:ty) => {
        mod $name {
            $crate::test_field!(field, $f);
            #[test]
            fn prime_field() {
                $crate::check_prime_field::<$f>();
            }
        }
    };
}

/// Runs the [`TwoAdicField`] laws: `test_two_adic_field!(module_name, Type);`
#[macro_export]
macro_rules! test_two_adic_field {
    ($name:ident, $f:ty) => {
        #[test]
        fn $name() {
            $crate::check_two_adic::<$f>();
        }
    };
}

/// Runs the [`Field`] and [`ExtensionField`] laws: `test_extension_field!(module_name, Base, Ext);`
#[macro_export]
macro_rules! test_extension_field {
    ($name:ident, $base:ty, $ext:ty) => {
        mod $name {
            $crate::test_field!(field, $ext);
            #[test]
            fn extension_field() {
                $crate::check_extension::<$base, $ext>();
            }
        }
    };
}

/// Runs the packed == scalar lane-by-lane laws on an explicit packed type:
/// `test_packed_field!(module_name, PackedType);`
#[macro_export]
macro_rules! test_packed_field {
    ($name:ident, $p:ty) => {
        #[test]
        fn $name() {
            $crate::check_packed::<$p>();
        }
    };
}

/// Runs every law on a 31-bit Montgomery field from its parameter type: the prime-field, two-adic
/// and packing laws on `MontyField31<P>`, the extension laws on its quartic extension, and
/// [`check_monty31`]: `test_monty31_field!(module_name, Parameters);`
#[macro_export]
macro_rules! test_monty31_field {
    ($name:ident, $params:ty) => {
        mod $name {
            $crate::test_prime_field!(base, zkprove_field::monty31::MontyField31<$params>);
            $crate::test_extension_field!(
                ext4,
                zkprove_field::monty31::MontyField31<$params>,
                zkprove_field::monty31::MontyField31Ext4<$params>
            );
            #[test]
            fn monty31_parameters() {
                $crate::check_monty31::<$params>();
            }
        }
    };
}
