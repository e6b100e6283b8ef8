//! End-to-end fixtures made by `e2e/make-fixtures.sh OUTDIR` with the pinned circom2/snarkjs:
//! when `ZKPROVE_E2E_FIXTURES=OUTDIR`, every `OUTDIR/<circuit>/` is loaded and cross-checked
//! (witness fits the zkey and satisfies the r1cs, the zkey's coefficients are the r1cs's, the
//! verification key and JSON files match snarkjs's). Skipped (and passing) when unset.

use crate::common;

use std::path::PathBuf;

#[test]
fn every_e2e_fixture() {
    let Some(root) = std::env::var_os("ZKPROVE_E2E_FIXTURES") else {
        println!("skipped: set ZKPROVE_E2E_FIXTURES to the OUTDIR of e2e/make-fixtures.sh");
        return;
    };
    let root = PathBuf::from(root);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("circuit.zkey").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no fixture (no */circuit.zkey) under {}", root.display());
    for dir in &dirs {
        let start = std::time::Instant::now();
        common::check_fixture_dir(dir);
        println!("{}: ok ({:.2?})", dir.display(), start.elapsed());
    }
}
