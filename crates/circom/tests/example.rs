//! The bundled example (`examples/multiplier`, a 2^11 multiplication chain) and the small
//! all-public circuit in `tests/data/all_public` (empty C section), both made by
//! `e2e/make-fixtures.sh` with snarkjs.

use crate::common;

use std::path::PathBuf;

use zkprove_circom::{Witness, Zkey};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn bundled_multiplier_example() {
    let dir = repo_root().join("examples/multiplier");
    common::check_fixture_dir(&dir);
    let zkey = Zkey::open(dir.join("circuit.zkey")).expect("loads");
    assert_eq!(zkey.header.domain_size, 1 << 11);
    assert_eq!(zkey.header.n_public, 2);
    // Signals absent from a matrix have the point at infinity in its query.
    assert!(zkey.b2.iter().any(|p| p.is_identity()));
    assert!(zkey.a.iter().any(|p| !p.is_identity()));
}

#[test]
fn all_public_circuit_has_an_empty_c_section() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/all_public");
    common::check_fixture_dir(&dir);
    let zkey = Zkey::open(dir.join("circuit.zkey")).expect("loads");
    assert!(zkey.c.is_empty());
    assert_eq!(zkey.header.n_public + 1, zkey.header.n_vars);
    let w = Witness::open(dir.join("witness.wtns")).expect("loads");
    assert_eq!(w.to_bytes(), std::fs::read(dir.join("witness.wtns")).expect("file"));
}
