//! Byte encodings shared by the binary formats: primes (to recognise the curve a file is for),
//! field elements (standard or Montgomery little-endian) and curve points (snarkjs's "LEM":
//! affine, little-endian Montgomery coordinates, infinity as all-zero bytes).

use zkprove_curve::bn254::{Fq2, G1Affine, G2Affine};
use zkprove_field::PrimeField;
use zkprove_field::bn254::{Fq, Fr};

/// Bytes of one BN254 base-field or scalar-field element.
pub const N8: usize = 32;
/// Bytes of one G1 point in a `.zkey` (x‖y).
pub const G1_BYTES: usize = 2 * N8;
/// Bytes of one G2 point in a `.zkey` (x.c0‖x.c1‖y.c0‖y.c1).
pub const G2_BYTES: usize = 4 * N8;

/// Little-endian bytes of the limbs `l`.
const fn limbs_to_bytes(l: [u64; 4]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (l[i / 8] >> (8 * (i % 8))) as u8;
        i += 1;
    }
    out
}

/// BN254's base-field prime q, little-endian.
pub const BN254_Q_LE: [u8; 32] = limbs_to_bytes(Fq::MODULUS_LIMBS);
/// BN254's scalar-field prime r, little-endian.
pub const BN254_R_LE: [u8; 32] = limbs_to_bytes(Fr::MODULUS_LIMBS);

/// Primes of other curves snarkjs/circom support, little-endian hex of the big-endian value,
/// so that an error can say "this zkey is for BLS12-381" instead of printing a number.
const KNOWN_PRIMES: &[(&str, &str)] = &[
    (
        "BLS12-381's base field prime q",
        "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
    ),
    (
        "BLS12-381's scalar field prime r",
        "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001",
    ),
    ("Goldilocks's prime", "ffffffff00000001"),
    (
        "secq256k1 / secp256k1's base field prime",
        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
    ),
    (
        "secp256k1's scalar field prime",
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
    ),
    (
        "Pallas's base field prime",
        "40000000000000000000000000000000224698fc094cf91b992d30ed00000001",
    ),
    (
        "Vesta's base field prime",
        "40000000000000000000000000000000224698fc0994a8dd8c46eb2100000001",
    ),
];

/// Strips high zero bytes of a little-endian integer.
fn trim_le(bytes: &[u8]) -> &[u8] {
    let len = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    &bytes[..len]
}

fn hex_be_to_le(hex: &str) -> Vec<u8> {
    let digits: Vec<u8> = hex
        .bytes()
        .map(|c| match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => 0,
        })
        .collect();
    let mut out: Vec<u8> =
        digits.rchunks(2).map(|p| p.iter().fold(0u8, |acc, &d| acc * 16 + d)).collect();
    out.truncate(trim_le(&out).len());
    out
}

/// The decimal string of an arbitrary little-endian unsigned integer.
pub fn le_bytes_to_decimal(bytes: &[u8]) -> String {
    let mut limbs: Vec<u32> = bytes
        .chunks(4)
        .map(|c| c.iter().rev().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
        .collect();
    let mut digits = Vec::new();
    loop {
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
        if limbs.is_empty() {
            break;
        }
        // Divide by 10^9, most significant limb first.
        let mut rem = 0u64;
        for limb in limbs.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / 1_000_000_000) as u32;
            rem = cur % 1_000_000_000;
        }
        digits.push(rem as u32);
    }
    match digits.split_last() {
        None => "0".to_owned(),
        Some((top, rest)) => {
            let mut s = top.to_string();
            for d in rest.iter().rev() {
                s.push_str(&format!("{d:09}"));
            }
            s
        }
    }
}

/// Describes a prime found in a file: a known curve's name with its value, or just its value.
pub fn describe_prime(le: &[u8]) -> String {
    let trimmed = trim_le(le);
    let dec = le_bytes_to_decimal(trimmed);
    if trimmed == trim_le(&BN254_Q_LE) {
        return format!("BN254's base field prime q ({dec})");
    }
    if trimmed == trim_le(&BN254_R_LE) {
        return format!("BN254's scalar field prime r ({dec})");
    }
    for (name, hex) in KNOWN_PRIMES {
        if trimmed == hex_be_to_le(hex).as_slice() {
            return format!("{name} ({dec})");
        }
    }
    format!("{dec} (not a prime of a curve this reader knows)")
}

/// Little-endian limbs of 32 bytes.
fn bytes_to_limbs(b: &[u8]) -> [u64; 4] {
    let mut l = [0u64; 4];
    for (i, limb) in l.iter_mut().enumerate() {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[8 * i..8 * i + 8]);
        *limb = u64::from_le_bytes(a);
    }
    l
}

/// An `Fq` from its Montgomery ("LEM") bytes; `None` when not below q.
pub fn fq_from_mont_bytes(b: &[u8]) -> Option<Fq> {
    Fq::from_raw_limbs(bytes_to_limbs(b))
}

/// An `Fr` from standard-form little-endian bytes; `None` when not below r.
pub fn fr_from_bytes(b: &[u8]) -> Option<Fr> {
    let mut a = [0u8; 32];
    a.copy_from_slice(&b[..32]);
    Fr::from_bytes_le(&a)
}

/// The true coefficient `v` from a zkey coefficient record's value, which holds `v·R² mod r` in
/// standard form (R = 2^256). `None` when the stored value is not below r.
///
/// Reading the stored integer `s` as *Montgomery limbs* gives the element `s·R⁻¹`; multiplying by
/// the element whose Montgomery limbs are `1` (that is, `R⁻¹`) gives `s·R⁻² = v`: one Montgomery
/// multiplication per record.
pub fn fr_from_double_mont_bytes(b: &[u8]) -> Option<Fr> {
    let s = Fr::from_raw_limbs(bytes_to_limbs(b))?;
    let r_inv = Fr::from_raw_limbs([1, 0, 0, 0])?;
    Some(s * r_inv)
}

/// The bytes of a zkey coefficient record's value for the coefficient `v`: `v·R² mod r` in
/// standard form (the inverse of [`fr_from_double_mont_bytes`]).
///
/// The element `v·R` (R = 2^256 mod r as a field element) has Montgomery limbs `v·R·R`, which are
/// exactly the stored integer: one multiplication per record.
pub fn fr_to_double_mont_bytes(v: &Fr) -> [u8; N8] {
    (*v * FR_R).to_raw_bytes_le()
}

/// The element R = 2^256 mod r: `R2` read as Montgomery limbs (checked below r at compile time).
const FR_R: Fr = match Fr::from_raw_limbs(Fr::R2) {
    Some(r) => r,
    None => panic!("R² mod r is below r"),
};

/// Why a point's bytes were rejected.
pub type PointDefect = &'static str;

/// A G1 point from 64 "LEM" bytes (all zero = infinity), checked to be on the curve. G1 has
/// cofactor 1, so on the curve means in the group.
pub fn g1_from_mont_bytes(b: &[u8]) -> Result<G1Affine, PointDefect> {
    let x = fq_from_mont_bytes(&b[..N8]).ok_or("x coordinate not below q")?;
    let y = fq_from_mont_bytes(&b[N8..2 * N8]).ok_or("y coordinate not below q")?;
    G1Affine::new(x, y).ok_or("not on the curve")
}

/// A G2 point from 128 "LEM" bytes (all zero = infinity), checked to be on the curve (not for
/// subgroup membership: see [`crate::zkey`] for where that is checked).
pub fn g2_from_mont_bytes(b: &[u8]) -> Result<G2Affine, PointDefect> {
    let c = |i: usize| fq_from_mont_bytes(&b[i * N8..(i + 1) * N8]).ok_or("coordinate not below q");
    let x = Fq2::new([c(0)?, c(1)?]);
    let y = Fq2::new([c(2)?, c(3)?]);
    G2Affine::new(x, y).ok_or("not on the curve")
}

/// The 64 "LEM" bytes of a G1 point (infinity, stored as `(0, 0)`, becomes all zero bytes): the
/// inverse of [`g1_from_mont_bytes`].
pub fn g1_to_mont_bytes(p: &G1Affine) -> [u8; G1_BYTES] {
    let mut out = [0u8; G1_BYTES];
    out[..N8].copy_from_slice(&p.x.to_raw_bytes_le());
    out[N8..].copy_from_slice(&p.y.to_raw_bytes_le());
    out
}

/// The 128 "LEM" bytes of a G2 point (`x.c0‖x.c1‖y.c0‖y.c1`; infinity all zero bytes): the
/// inverse of [`g2_from_mont_bytes`].
pub fn g2_to_mont_bytes(p: &G2Affine) -> [u8; G2_BYTES] {
    let mut out = [0u8; G2_BYTES];
    let coords = p.x.coeffs().iter().chain(p.y.coeffs());
    for (chunk, c) in out.chunks_exact_mut(N8).zip(coords) {
        chunk.copy_from_slice(&c.to_raw_bytes_le());
    }
    out
}

#[cfg(test)]
mod tests {
    use zkprove_field::Field;

    use super::*;

    #[test]
    fn primes() {
        assert_eq!(
            le_bytes_to_decimal(&BN254_R_LE),
            "21888242871839275222246405745257275088548364400416034343698204186575808495617"
        );
        assert_eq!(
            le_bytes_to_decimal(&BN254_Q_LE),
            "21888242871839275222246405745257275088696311157297823662689037894645226208583"
        );
        assert_eq!(le_bytes_to_decimal(&[]), "0");
        assert_eq!(le_bytes_to_decimal(&[0x00, 0xca, 0x9a, 0x3b]), "1000000000");
        let bls_r = hex_be_to_le(KNOWN_PRIMES[1].1);
        assert!(describe_prime(&bls_r).starts_with("BLS12-381's scalar field prime r (52435875175126190479447740508185965837690552500527637822603658699938581184513)"));
        assert!(describe_prime(&[7, 0, 0]).starts_with("7 (not a prime"));
    }

    #[test]
    fn double_montgomery() {
        // v·R² mod r for v = 5, computed in the field: 5 · R² where R = 2^256 mod r.
        let r = Fr::from_raw_limbs(Fr::R2).expect("R2 < r"); // the element R
        let stored = Fr::from_u64(5) * r * r;
        let back = fr_from_double_mont_bytes(&stored.to_bytes_le()).expect("canonical");
        assert_eq!(back, Fr::from_u64(5));
        assert_eq!(fr_to_double_mont_bytes(&Fr::from_u64(5)), stored.to_bytes_le());
        for v in [Fr::ZERO, Fr::ONE, Fr::NEG_ONE, Fr::from_u64(1 << 40)] {
            let b = fr_to_double_mont_bytes(&v);
            assert_eq!(fr_from_double_mont_bytes(&b), Some(v));
        }
    }

    #[test]
    fn points() {
        assert_eq!(g1_from_mont_bytes(&[0; 64]), Ok(G1Affine::identity()));
        assert_eq!(g2_from_mont_bytes(&[0; 128]), Ok(G2Affine::identity()));
        let g = G1Affine::generator();
        let mut b = [0u8; 64];
        b[..32].copy_from_slice(&g.x.to_raw_bytes_le());
        b[32..].copy_from_slice(&g.y.to_raw_bytes_le());
        assert_eq!(g1_from_mont_bytes(&b), Ok(g));
        assert_eq!(g1_to_mont_bytes(&g), b);
        assert_eq!(g1_to_mont_bytes(&G1Affine::identity()), [0; 64]);
        assert_eq!(g2_to_mont_bytes(&G2Affine::identity()), [0; 128]);
        let g2 = G2Affine::generator();
        assert_eq!(g2_from_mont_bytes(&g2_to_mont_bytes(&g2)), Ok(g2));
        b[40] ^= 1;
        assert!(g1_from_mont_bytes(&b).is_err());
    }
}
