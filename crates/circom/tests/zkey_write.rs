//! Writing `.zkey` files: sections 1–9 of the snarkjs-made keys (the bundled example and the
//! all-public circuit) come back byte for byte; a hand-made key with points at infinity and
//! assorted coefficients reads back equal; a key whose parts disagree with its header is refused
//! before anything is written.

use crate::common;

use std::io::Cursor;
use std::path::PathBuf;

use common::Container;
use zkprove_circom::zkey::section;
use zkprove_circom::{
    CircomError, Coeff, Coefficients, EMPTY_CONTRIBUTIONS_BYTES, Groth16Header, Matrix, Zkey,
};
use zkprove_curve::Projective;
use zkprove_curve::bn254::{G1Affine, G1Config, G2Affine, G2Config};
use zkprove_field::Field;
use zkprove_field::bn254::Fr;

fn snarkjs_keys() -> Vec<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    vec![
        manifest.join("../../examples/multiplier/circuit.zkey"),
        manifest.join("tests/data/all_public/circuit.zkey"),
    ]
}

#[test]
fn snarkjs_sections_1_to_9_are_reproduced_byte_for_byte() {
    for path in snarkjs_keys() {
        let original = std::fs::read(&path).expect("read");
        let zkey = Zkey::open(&path).expect("loads");
        let written = zkey.to_bytes().expect("writes");
        assert_eq!(written.len() as u64, zkey.file_size() + 12 + EMPTY_CONTRIBUTIONS_BYTES);

        let theirs = Container::parse(&original);
        let ours = Container::parse(&written);
        assert_eq!((&ours.magic, ours.version), (b"zkey", 1));
        let ids: Vec<u32> = ours.sections.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, (1..=10).collect::<Vec<_>>(), "sections in id order");
        for id in 1..=9 {
            let find = |c: &Container| c.sections.iter().find(|(i, _)| *i == id).cloned();
            let (_, a) = find(&ours).expect("ours");
            let (_, b) = find(&theirs).expect("theirs");
            assert!(a == b, "{}: section {id} differs", path.display());
        }
        let (_, contributions) = &ours.sections[9];
        assert_eq!(contributions, &vec![0u8; EMPTY_CONTRIBUTIONS_BYTES as usize]);

        let back = Zkey::read_from(Cursor::new(&written), "written").expect("reads back");
        assert_eq!(back, zkey);
    }
}

#[test]
fn file_round_trip() {
    let zkey = Zkey::open(&snarkjs_keys()[0]).expect("loads");
    let path = std::env::temp_dir().join(format!("zkprove-zkey-write-{}.zkey", std::process::id()));
    zkey.write(&path).expect("writes");
    let back = Zkey::open(&path).expect("reads back");
    std::fs::remove_file(&path).expect("remove");
    assert_eq!(back, zkey);
}

/// A small key made by hand: not a valid Groth16 key (the points are unrelated multiples of the
/// generators) but every section has the right size, some points are at infinity, and the
/// coefficients cover 0, 1, −1, repeated and large values in both matrices.
fn hand_made_key() -> Zkey {
    let g1 = |k: u64| (Projective::<G1Config>::generator() * Fr::from_u64(k)).to_affine();
    let g2 = |k: u64| (Projective::<G2Config>::generator() * Fr::from_u64(k)).to_affine();
    let (n_vars, n_public, domain_size) = (5u32, 2u32, 8u32);
    let header = Groth16Header {
        n_vars,
        n_public,
        domain_size,
        alpha1: g1(2),
        beta1: g1(3),
        beta2: g2(3),
        gamma2: g2(5),
        delta1: g1(7),
        delta2: g2(7),
    };
    let values = [Fr::ZERO, Fr::ONE, Fr::NEG_ONE, Fr::from_u64(1 << 60), Fr::ONE, -Fr::from_u64(9)];
    let coeffs = Coefficients::from_coeffs(values.iter().enumerate().map(|(i, &value)| Coeff {
        matrix: if i % 2 == 0 { Matrix::A } else { Matrix::B },
        constraint: i as u32 % domain_size,
        signal: (i as u32 * 3) % n_vars,
        value,
    }))
    .expect("few values");
    let points = |n: u32, start: u64| -> Vec<G1Affine> {
        (0..u64::from(n))
            .map(|i| if i == 1 { G1Affine::identity() } else { g1(start + i) })
            .collect()
    };
    let b2: Vec<G2Affine> = (0..u64::from(n_vars))
        .map(|i| if i == 0 { G2Affine::identity() } else { g2(40 + i) })
        .collect();
    Zkey {
        header,
        ic: points(n_public + 1, 10),
        coeffs,
        a: points(n_vars, 20),
        b1: points(n_vars, 30),
        b2,
        c: points(n_vars - n_public - 1, 50),
        h: points(domain_size, 60),
    }
}

#[test]
fn hand_made_key_round_trips() {
    let zkey = hand_made_key();
    let bytes = zkey.to_bytes().expect("writes");
    let back = Zkey::read_from(Cursor::new(&bytes), "hand-made").expect("reads back");
    assert_eq!(back, zkey);
    // Infinity is all-zero bytes: IC's second point.
    let container = Container::parse(&bytes);
    let (_, ic) = container.sections.iter().find(|(id, _)| *id == section::IC).expect("IC");
    assert!(ic[64..128].iter().all(|&b| b == 0));
}

#[test]
fn inconsistent_key_is_refused_before_writing() {
    let mut zkey = hand_made_key();
    zkey.h.pop();
    let mut out = Vec::new();
    let err = zkey.write_to(&mut out, "bad.zkey").expect_err("H is short");
    assert!(
        matches!(err, CircomError::InconsistentKey { what: "H", expected: 8, found: 7, .. }),
        "{err}"
    );
    assert!(out.is_empty());

    let mut zkey = hand_made_key();
    zkey.header.domain_size = 6;
    assert!(matches!(zkey.to_bytes(), Err(CircomError::InvalidHeader { .. })));
}
