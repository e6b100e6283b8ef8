//! Foreign, truncated, corrupted and mismatched inputs: each gets the error that names the
//! problem, and no input bytes make a reader panic.

use crate::common;

use std::io::Cursor;
use std::path::PathBuf;

use common::Container;
use zkprove_circom::encoding::{BN254_Q_LE, BN254_R_LE};
use zkprove_circom::zkey::section;
use zkprove_circom::{CircomError, R1cs, Witness, Zkey, ZkeyInfo};

fn example(name: &str) -> Vec<u8> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/multiplier").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn zkey(bytes: &[u8]) -> Result<Zkey, CircomError> {
    Zkey::read_from(Cursor::new(bytes), "test.zkey")
}

fn wtns(bytes: &[u8]) -> Result<Witness, CircomError> {
    Witness::read_from(Cursor::new(bytes), "test.wtns")
}

/// Big-endian hex → little-endian bytes.
fn le_from_hex(hex: &str) -> Vec<u8> {
    let mut v: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect();
    v.reverse();
    v
}

const BLS12_381_Q: &str = "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab";
const BLS12_381_R: &str = "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";

#[test]
fn the_example_loads() {
    let z = zkey(&example("circuit.zkey")).expect("valid");
    assert_eq!(z.h.len(), 1 << 11);
    wtns(&example("witness.wtns")).expect("valid").check_against(&z.header).expect("fits");
}

#[test]
fn truncated_zkey() {
    let bytes = example("circuit.zkey");
    let c = Container::parse(&bytes);
    let offsets = [
        0,
        3,
        4,
        11,
        12,
        20,
        c.offset_of(section::GROTH16_HEADER) + 100,
        c.offset_of(section::COEFFS) + 2,
        c.offset_of(section::B2) + 1000,
        c.offset_of(section::H) - 1,
        bytes.len() - 1,
    ];
    for len in offsets {
        let err = zkey(&bytes[..len]).expect_err("truncated");
        assert!(matches!(err, CircomError::Truncated { .. }), "len {len}: {err}");
        assert!(err.to_string().starts_with("test.zkey: truncated"), "{err}");
    }
    // Losing only the optional contributions section is fine.
    let mut c = Container::parse(&bytes);
    c.sections.retain(|(id, _)| *id != section::CONTRIBUTIONS);
    zkey(&c.to_bytes()).expect("contributions are optional");
}

#[test]
fn wrong_magic_and_version() {
    let mut bytes = example("circuit.zkey");
    bytes[..4].copy_from_slice(b"wtns");
    let err = zkey(&bytes).expect_err("magic");
    assert!(matches!(err, CircomError::BadMagic { expected: "zkey", .. }), "{err}");
    assert!(err.to_string().contains("not a .zkey file"), "{err}");
    // A wtns is not an r1cs.
    let err = R1cs::read_from(Cursor::new(example("witness.wtns")), "w").expect_err("magic");
    assert!(matches!(err, CircomError::BadMagic { expected: "r1cs", .. }), "{err}");

    let mut bytes = example("circuit.zkey");
    bytes[4..8].copy_from_slice(&2u32.to_le_bytes());
    let err = zkey(&bytes).expect_err("version");
    assert!(matches!(err, CircomError::UnsupportedVersion { found: 2, supported: 1, .. }), "{err}");
    let mut bytes = example("witness.wtns");
    bytes[4..8].copy_from_slice(&3u32.to_le_bytes());
    assert!(matches!(wtns(&bytes), Err(CircomError::UnsupportedVersion { found: 3, .. })));
}

#[test]
fn duplicate_and_missing_sections() {
    let mut c = Container::parse(&example("circuit.zkey"));
    let ic = c.section_mut(section::IC).clone();
    c.sections.push((section::IC, ic));
    let err = zkey(&c.to_bytes()).expect_err("duplicate");
    assert!(matches!(err, CircomError::DuplicateSection { section: 3, .. }), "{err}");

    let mut c = Container::parse(&example("circuit.zkey"));
    c.sections.retain(|(id, _)| *id != section::H);
    let err = zkey(&c.to_bytes()).expect_err("missing");
    assert!(matches!(err, CircomError::MissingSection { section: 9, name: "H", .. }), "{err}");
}

#[test]
fn sections_in_another_order_are_fine() {
    let mut c = Container::parse(&example("circuit.zkey"));
    c.sections.reverse();
    let z = zkey(&c.to_bytes()).expect("any order");
    assert_eq!(z.a, zkey(&example("circuit.zkey")).expect("valid").a);
}

#[test]
fn section_size_mismatch() {
    for (id, name) in
        [(section::IC, "IC"), (section::B2, "B2"), (section::C, "C"), (section::H, "H")]
    {
        let mut c = Container::parse(&example("circuit.zkey"));
        let s = c.section_mut(id);
        s.truncate(s.len() - 64);
        let err = zkey(&c.to_bytes()).expect_err("short section");
        match &err {
            CircomError::SectionSize { section, name: n, expected, found, .. } => {
                assert_eq!((*section, *n), (id, name));
                assert_eq!(*expected, found + 64);
            }
            _ => panic!("{err}"),
        }
        // The info reader checks sizes too.
        assert!(matches!(
            ZkeyInfo::read_from(Cursor::new(c.to_bytes()), "t"),
            Err(CircomError::SectionSize { .. })
        ));
    }
    // Coefficient count disagreeing with the section's size.
    let mut c = Container::parse(&example("circuit.zkey"));
    let s = c.section_mut(section::COEFFS);
    let n = u32::from_le_bytes(s[..4].try_into().expect("4 bytes"));
    s[..4].copy_from_slice(&(n + 1).to_le_bytes());
    let err = zkey(&c.to_bytes()).expect_err("count");
    assert!(matches!(err, CircomError::SectionSize { section: 4, .. }), "{err}");
    // Header nVars disagreeing with the A section.
    let mut c = Container::parse(&example("circuit.zkey"));
    let s = c.section_mut(section::GROTH16_HEADER);
    let n_vars = u32::from_le_bytes(s[72..76].try_into().expect("4 bytes"));
    s[72..76].copy_from_slice(&(n_vars + 1).to_le_bytes());
    let err = zkey(&c.to_bytes()).expect_err("nVars");
    assert!(matches!(err, CircomError::SectionSize { .. }), "{err}");
    assert!(err.to_string().contains("nVars"), "{err}");
    // Witness values section shorter than nWitness values.
    let mut c = Container::parse(&example("witness.wtns"));
    c.section_mut(2).truncate(32 * 10);
    let err = wtns(&c.to_bytes()).expect_err("short");
    assert!(
        matches!(err, CircomError::SectionSize { section: 2, expected, .. } if expected == 2048 * 32),
        "{err}"
    );
}

#[test]
fn plonk_and_fflonk_zkeys() {
    for (id, name) in [(2u32, "PLONK"), (10, "fflonk"), (7, "an unknown protocol")] {
        let mut c = Container::parse(&example("circuit.zkey"));
        c.section_mut(section::HEADER).copy_from_slice(&id.to_le_bytes());
        let err = zkey(&c.to_bytes()).expect_err("not groth16");
        assert!(
            matches!(err, CircomError::UnsupportedProtocol { protocol, .. } if protocol == id),
            "{err}"
        );
        assert!(err.to_string().contains(name), "{err}");
        assert!(ZkeyInfo::read_from(Cursor::new(c.to_bytes()), "t").is_err());
    }
}

#[test]
fn foreign_primes() {
    // A BLS12-381 header: n8q = 48.
    let mut c = Container::parse(&example("circuit.zkey"));
    let s = c.section_mut(section::GROTH16_HEADER);
    let mut bls = 48u32.to_le_bytes().to_vec();
    bls.extend(le_from_hex(BLS12_381_Q));
    bls.extend(32u32.to_le_bytes());
    bls.extend(le_from_hex(BLS12_381_R));
    bls.extend_from_slice(&s[72..]);
    *s = bls;
    let err = zkey(&c.to_bytes()).expect_err("bls");
    assert!(matches!(err, CircomError::WrongCurve { which: "base field prime q", .. }), "{err}");
    assert!(err.to_string().contains("BLS12-381"), "{err}");

    // Right q, another r.
    let mut c = Container::parse(&example("circuit.zkey"));
    let s = c.section_mut(section::GROTH16_HEADER);
    assert_eq!(&s[4..36], &BN254_Q_LE);
    assert_eq!(&s[40..72], &BN254_R_LE);
    s[40] ^= 2;
    let err = zkey(&c.to_bytes()).expect_err("r");
    assert!(matches!(err, CircomError::WrongCurve { which: "scalar field prime r", .. }), "{err}");

    // An r1cs over BLS12-381's scalar field.
    let mut c = Container::parse(&example("circuit.r1cs"));
    c.section_mut(1)[4..36].copy_from_slice(&le_from_hex(BLS12_381_R));
    let err = R1cs::read_from(Cursor::new(c.to_bytes()), "t.r1cs").expect_err("bls r1cs");
    assert!(err.to_string().contains("BLS12-381"), "{err}");
}

#[test]
fn witness_mismatches() {
    let z = zkey(&example("circuit.zkey")).expect("valid");
    // Length.
    let mut c = Container::parse(&example("witness.wtns"));
    let n = 2047u32;
    c.section_mut(1)[36..40].copy_from_slice(&n.to_le_bytes());
    c.section_mut(2).truncate(32 * n as usize);
    let w = wtns(&c.to_bytes()).expect("a valid shorter witness");
    let err = w.check_file_against(&z.header, "short.wtns").expect_err("length");
    assert!(
        matches!(&err, CircomError::WitnessLength { expected: 2048, found: 2047, file } if file == "short.wtns"),
        "{err}"
    );
    assert!(err.to_string().starts_with("short.wtns: "), "{err}");
    assert!(err.to_string().contains("2048") && err.to_string().contains("2047"), "{err}");

    // Prime: a BLS12-381 witness names both primes.
    let mut c = Container::parse(&example("witness.wtns"));
    c.section_mut(1)[4..36].copy_from_slice(&le_from_hex(BLS12_381_R));
    let err = wtns(&c.to_bytes()).expect_err("prime");
    let msg = err.to_string();
    assert!(matches!(err, CircomError::WitnessPrime { .. }), "{msg}");
    assert!(msg.contains("BLS12-381") && msg.contains("BN254"), "{msg}");

    // witness[0] must be 1.
    let mut w = wtns(&example("witness.wtns")).expect("valid");
    w.values[0] = w.values[1];
    assert!(matches!(w.check_against(&z.header), Err(CircomError::InvalidWitness { .. })));

    // A value not below r.
    let mut c = Container::parse(&example("witness.wtns"));
    c.section_mut(2)[32 * 5..32 * 6].copy_from_slice(&BN254_R_LE);
    let err = wtns(&c.to_bytes()).expect_err("non-canonical");
    assert!(matches!(err, CircomError::NotCanonical { section: 2, index: 5, .. }), "{err}");
}

#[test]
fn points_not_on_the_curve() {
    let base = Container::parse(&example("circuit.zkey"));
    let original = zkey(&base.to_bytes()).expect("valid");
    // First non-infinity point of each point section, one byte of y changed.
    for (id, name, point_bytes) in [
        (section::IC, "IC", 64),
        (section::A, "A", 64),
        (section::B2, "B2", 128),
        (section::H, "H", 64),
    ] {
        let mut c = Container::parse(&example("circuit.zkey"));
        let s = c.section_mut(id);
        let index =
            s.chunks(point_bytes).position(|p| p.iter().any(|&b| b != 0)).expect("a finite point");
        s[index * point_bytes + point_bytes - 20] ^= 0x10;
        let err = zkey(&c.to_bytes()).expect_err("off curve");
        match &err {
            CircomError::InvalidPoint { section, name: n, index: i, .. } => {
                assert_eq!((*section, *n, *i), (id, name, index as u64));
            }
            _ => panic!("{name}: {err}"),
        }
    }
    // A coordinate not below q.
    let mut c = Container::parse(&example("circuit.zkey"));
    c.section_mut(section::A)[..32].copy_from_slice(&[0xff; 32]);
    let err = zkey(&c.to_bytes()).expect_err("x >= q");
    assert!(matches!(err, CircomError::InvalidPoint { section: 5, index: 0, .. }), "{err}");
    // A header point.
    let mut c = Container::parse(&example("circuit.zkey"));
    c.section_mut(section::GROTH16_HEADER)[84 + 40] ^= 1; // alpha1.y
    let err = zkey(&c.to_bytes()).expect_err("alpha1");
    assert!(matches!(err, CircomError::InvalidPoint { section: 2, index: 0, .. }), "{err}");
    // The point at infinity is valid anywhere.
    let mut c = Container::parse(&example("circuit.zkey"));
    c.section_mut(section::H)[..64].fill(0);
    let z = zkey(&c.to_bytes()).expect("infinity is fine");
    assert!(z.h[0].is_identity() && !original.h[0].is_identity());
}

#[test]
fn bad_coefficient_records() {
    let cases: [(usize, u32, &str); 3] =
        [(0, 2, "matrix id 2"), (4, 1 << 11, "not below domainSize"), (8, 2048, "not below nVars")];
    for (field_offset, value, msg) in cases {
        let mut c = Container::parse(&example("circuit.zkey"));
        let rec = 4 + 44 * 3 + field_offset;
        c.section_mut(section::COEFFS)[rec..rec + 4].copy_from_slice(&value.to_le_bytes());
        let err = zkey(&c.to_bytes()).expect_err("bad record");
        assert!(matches!(err, CircomError::InvalidCoeff { index: 3, .. }), "{err}");
        assert!(err.to_string().contains(msg), "{err}");
    }
    let mut c = Container::parse(&example("circuit.zkey"));
    c.section_mut(section::COEFFS)[4 + 12..4 + 44].copy_from_slice(&[0xff; 32]);
    let err = zkey(&c.to_bytes()).expect_err("value >= r");
    assert!(err.to_string().contains("not below r"), "{err}");
}

#[test]
fn invalid_header_values() {
    let patch = |offset: usize, value: u32| {
        let mut c = Container::parse(&example("circuit.zkey"));
        c.section_mut(section::GROTH16_HEADER)[offset..offset + 4]
            .copy_from_slice(&value.to_le_bytes());
        zkey(&c.to_bytes()).expect_err("invalid")
    };
    // nPublic >= nVars.
    let err = patch(76, 2048);
    assert!(matches!(err, CircomError::InvalidHeader { field: "nPublic", .. }), "{err}");
    // domainSize not a power of two, or too big.
    for d in [0, 3000, 1 << 29] {
        let err = patch(80, d);
        assert!(
            matches!(err, CircomError::InvalidHeader { field: "domainSize", .. }),
            "{d}: {err}"
        );
    }
}

#[test]
fn r1cs_rejects_unsatisfying_witnesses() {
    let r1cs = R1cs::read_from(Cursor::new(example("circuit.r1cs")), "t.r1cs").expect("valid");
    let mut w = wtns(&example("witness.wtns")).expect("valid").values;
    r1cs.check_witness(&w).expect("satisfied");
    w[100] = w[101];
    assert!(matches!(r1cs.check_witness(&w), Err(CircomError::Unsatisfied { .. })));
    w.pop();
    assert!(matches!(r1cs.check_witness(&w), Err(CircomError::WitnessLength { .. })));
}

/// Found by `fuzz/` (target r1cs): nPubOut + nPubIn past `u32::MAX` panicked (overflow checks) or
/// wrapped (release) to a small count that the nWires check then accepted.
#[test]
fn r1cs_public_counts_that_overflow_u32() {
    let mut c = Container::parse(&example("circuit.r1cs"));
    let header = c.section_mut(1);
    // u32 field size, the 32-byte prime, nWires, then nPubOut at 40 and nPubIn at 44.
    header[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
    header[44..48].copy_from_slice(&2u32.to_le_bytes());
    let err = R1cs::read_from(Cursor::new(c.to_bytes()), "t.r1cs").expect_err("overflowing counts");
    assert!(matches!(err, CircomError::InvalidHeader { field: "nPubIn", .. }), "{err}");
    assert!(err.to_string().contains("does not fit 32 bits"), "{err}");

    let mut h =
        R1cs::read_from(Cursor::new(example("circuit.r1cs")), "t.r1cs").expect("valid").header;
    h.n_pub_out = u32::MAX;
    assert_eq!(h.n_public(), u32::MAX, "saturates");
}

/// Every truncation of the example witness, and every prefix of the r1cs header region, is an
/// error (never a panic); the full files load.
#[test]
fn fuzz_truncations() {
    let bytes = example("witness.wtns");
    for len in 0..bytes.len() {
        assert!(wtns(&bytes[..len]).is_err(), "len {len}");
    }
    assert!(wtns(&bytes).is_ok());
    let bytes = example("circuit.r1cs");
    for len in (0..4096).chain((4096..bytes.len()).step_by(997)) {
        assert!(R1cs::read_from(Cursor::new(&bytes[..len]), "t").is_err(), "len {len}");
    }
}

/// Every single-byte corruption of the zkey's header region (file header, section table entries
/// of sections 1 and 2, and both header sections) gives `Ok` or `Err`, never a panic.
#[test]
fn fuzz_zkey_header_bytes() {
    let bytes = example("circuit.zkey");
    let c = Container::parse(&bytes);
    let end = c.offset_of(section::IC);
    let mut n_ok = 0;
    for i in 0..end {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] ^= flip;
            if ZkeyInfo::read_from(Cursor::new(&b), "t").is_ok() {
                n_ok += 1;
                // Only a full load checks the big sections: it must not panic either.
                let _ = zkey(&b);
            }
        }
    }
    // Only bytes that do not matter can be flipped harmlessly: the high bytes of the section
    // sizes never are, the prime and point bytes never are.
    assert!(n_ok < end, "{n_ok} of {end}");
}

/// The same for the witness header.
#[test]
fn fuzz_wtns_header_bytes() {
    let bytes = example("witness.wtns");
    for i in 0..12 + 12 + 40 + 12 {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] ^= flip;
            let _ = wtns(&b);
        }
    }
}
