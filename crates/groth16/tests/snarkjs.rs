//! End-to-end Groth16 against snarkjs.
//!
//! Always: the bundled example (`examples/multiplier`, made by snarkjs): zkprove proves and
//! verifies, verifies snarkjs's own proof, and rejects tampered proofs and public signals.
//!
//! With `ZKPROVE_E2E_FIXTURES=DIR` (made by `e2e/make-fixtures.sh DIR`, as `scripts/test.sh`
//! does): the same for every circuit there, and in addition `snarkjs groth16 verify` (the pinned
//! snarkjs in `e2e/node_modules`) must accept every zkprove proof and reject the tampered ones.
//!
//! With snarkjs installed: a 2^10 key from the in-memory setup, written as a `.zkey`, works with
//! snarkjs's export, prover and verifier.

use std::path::{Path, PathBuf};
use std::process::Command;

use rand::SeedableRng;
use rand::rngs::StdRng;
use zkprove_circom::{
    Proof, VerificationKey, Witness, Zkey, read_public_signals, write_public_signals,
};
use zkprove_curve::Projective;
use zkprove_field::Field;
use zkprove_field::bn254::Fr;
use zkprove_groth16::setup::{mul_chain, setup};
use zkprove_groth16::{Groth16Error, Groth16Prover, verification_key, verify};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example_dir() -> PathBuf {
    repo_root().join("examples/multiplier")
}

/// The fixture circuits, when the fixtures were built.
fn fixture_dirs() -> Vec<PathBuf> {
    let Some(dir) = std::env::var_os("ZKPROVE_E2E_FIXTURES") else {
        eprintln!("ZKPROVE_E2E_FIXTURES not set: only the bundled example is checked");
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("ZKPROVE_E2E_FIXTURES={dir:?}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("circuit.zkey").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no fixtures in {dir:?}");
    dirs
}

/// The pinned snarkjs, when installed.
fn snarkjs() -> Option<PathBuf> {
    let path = repo_root().join("e2e/node_modules/.bin/snarkjs");
    path.is_file().then_some(path)
}

fn snarkjs_verifies(snarkjs: &Path, vk: &Path, public: &Path, proof: &Path) -> bool {
    let out = Command::new(snarkjs)
        .args(["groth16", "verify"])
        .args([vk, public, proof])
        .output()
        .expect("run snarkjs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // snarkjs prints "OK!" and exits 0 for a valid proof, "Invalid proof" (and a non-zero
    // status in recent versions) otherwise: require both signals to agree.
    let ok = out.status.success() && stdout.contains("OK");
    if !ok {
        eprintln!("snarkjs rejects it: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    }
    ok
}

/// Proves with zkprove, checks with our verifier and (when available) with snarkjs; checks
/// snarkjs's proof with our verifier; checks tampering is rejected by both.
fn check_circuit(dir: &Path, out: &Path) {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("circuit").to_owned();
    eprintln!("== {name}");
    let prover: Groth16Prover = Groth16Prover::load(dir.join("circuit.zkey")).expect("load zkey");
    let witness = Witness::open(dir.join("witness.wtns")).expect("witness");
    witness.check_against(prover.header()).expect("witness matches");

    // Our verification key equals snarkjs's export, vk_alphabeta_12 included.
    let snark_vk = VerificationKey::read(dir.join("verification_key.json")).expect("vk json");
    assert_eq!(prover.verification_key(), &snark_vk, "{name}: verification key differs");

    let proof = prover.prove_verified(&witness.values).expect("prove");
    let public = prover.public_signals(&witness.values).expect("public").to_vec();
    verify(&snark_vk, &public, &proof).expect("our proof verifies against snarkjs's key");

    // snarkjs's proof verifies with our verifier.
    let snark_proof = Proof::read(dir.join("snarkjs_proof.json")).expect("snarkjs proof");
    let snark_public = read_public_signals(dir.join("snarkjs_public.json")).expect("public");
    assert_eq!(snark_public, public, "{name}: public signals differ from snarkjs's");
    verify(&snark_vk, &snark_public, &snark_proof).expect("snarkjs's proof verifies");

    // Tampering: a changed public signal, a changed proof point, swapped points.
    let mut bad_public = public.clone();
    if let Some(first) = bad_public.first_mut() {
        *first += Fr::ONE;
        assert!(matches!(verify(&snark_vk, &bad_public, &proof), Err(Groth16Error::InvalidProof)));
    }
    let g1 = zkprove_curve::bn254::G1Affine::generator();
    let bad_proof = Proof { a: (Projective::from(proof.a) + g1).to_affine(), ..proof };
    assert!(matches!(verify(&snark_vk, &public, &bad_proof), Err(Groth16Error::InvalidProof)));
    let swapped = Proof { a: proof.c, c: proof.a, ..proof };
    assert!(verify(&snark_vk, &public, &swapped).is_err());
    assert!(verify(&snark_vk, &public, &snark_proof).is_ok());

    // Two proofs of the same witness differ (fresh r, s) and both verify.
    let proof2 = prover.prove(&witness.values).expect("prove");
    assert_ne!(proof, proof2);
    verify(&snark_vk, &public, &proof2).expect("second proof verifies");

    let Some(snarkjs) = snarkjs() else {
        eprintln!("e2e/node_modules not installed: snarkjs checks skipped");
        return;
    };
    let dir_out = out.join(&name);
    std::fs::create_dir_all(&dir_out).expect("mkdir");
    let (proof_path, public_path) = (dir_out.join("proof.json"), dir_out.join("public.json"));
    proof.write(&proof_path).expect("write proof");
    write_public_signals(&public_path, &public).expect("write public");
    let vk_path = dir.join("verification_key.json");
    assert!(
        snarkjs_verifies(&snarkjs, &vk_path, &public_path, &proof_path),
        "{name}: snarkjs rejects zkprove's proof"
    );
    // snarkjs rejects our tampered proof and public signals too.
    let bad_proof_path = dir_out.join("bad_proof.json");
    bad_proof.write(&bad_proof_path).expect("write");
    assert!(!snarkjs_verifies(&snarkjs, &vk_path, &public_path, &bad_proof_path));
    if !bad_public.is_empty() {
        let bad_public_path = dir_out.join("bad_public.json");
        write_public_signals(&bad_public_path, &bad_public).expect("write");
        assert!(!snarkjs_verifies(&snarkjs, &vk_path, &bad_public_path, &proof_path));
    }
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkprove-groth16-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

#[test]
fn bundled_example() {
    check_circuit(&example_dir(), &scratch_dir());
}

#[test]
fn snarkjs_fixtures() {
    let out = scratch_dir();
    for dir in fixture_dirs() {
        check_circuit(&dir, &out);
    }
}

/// A 2^10 key from the insecure in-memory setup, written with `Zkey::write`: snarkjs (when
/// installed) exports the same verification key, proves with it and verifies its own proof and
/// zkprove's.
#[test]
fn synthetic_key_written_by_zkprove_works_with_snarkjs() {
    let Some(snarkjs) = snarkjs() else {
        eprintln!("e2e/node_modules not installed: snarkjs checks skipped");
        return;
    };
    let (r1cs, values) = mul_chain(10, &mut StdRng::seed_from_u64(1)).expect("circuit");
    let zkey = setup(&r1cs, &mut StdRng::seed_from_u64(2)).expect("setup");
    let dir = scratch_dir().join("synthetic_s10");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = |f: &str| dir.join(f);
    zkey.write(path("circuit.zkey")).expect("write zkey");
    Witness { values: values.clone() }.write(path("witness.wtns")).expect("write wtns");
    let run = |args: &[&Path]| {
        let out = Command::new(&snarkjs).args(args).output().expect("run snarkjs");
        assert!(
            out.status.success(),
            "snarkjs {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let p = |s: &'static str| Path::new(s);
    run(&[p("zkey"), p("export"), p("verificationkey"), &path("circuit.zkey"), &path("vk.json")]);
    let vk = VerificationKey::read(path("vk.json")).expect("snarkjs's vk");
    assert_eq!(vk, verification_key(&zkey.header, &zkey.ic));
    run(&[
        p("groth16"),
        p("prove"),
        &path("circuit.zkey"),
        &path("witness.wtns"),
        &path("snarkjs_proof.json"),
        &path("snarkjs_public.json"),
    ]);
    let vk_path = path("vk.json");
    assert!(snarkjs_verifies(
        &snarkjs,
        &vk_path,
        &path("snarkjs_public.json"),
        &path("snarkjs_proof.json")
    ));
    let prover: Groth16Prover = Groth16Prover::from_zkey(zkey).expect("prepare key");
    let proof = prover.prove(&values).expect("prove");
    proof.write(path("proof.json")).expect("write proof");
    write_public_signals(path("public.json"), &values[1..2]).expect("write public");
    assert!(snarkjs_verifies(&snarkjs, &vk_path, &path("public.json"), &path("proof.json")));
    let snark_proof = Proof::read(path("snarkjs_proof.json")).expect("snarkjs proof");
    verify(&vk, &values[1..2], &snark_proof).expect("snarkjs's proof verifies with zkprove");
}

#[test]
fn unblinded_proof_is_deterministic_and_blinding_changes_it() {
    let prover: Groth16Prover = Groth16Prover::load(example_dir().join("circuit.zkey")).unwrap();
    let witness = Witness::open(example_dir().join("witness.wtns")).unwrap();
    let p0 = prover.prove_with_blinding(&witness.values, Fr::ZERO, Fr::ZERO).unwrap();
    let p1 = prover.prove_with_blinding(&witness.values, Fr::ZERO, Fr::ZERO).unwrap();
    assert_eq!(p0, p1);
    let public = prover.public_signals(&witness.values).unwrap();
    verify(prover.verification_key(), public, &p0).expect("unblinded proof verifies");
    let p2 = prover.prove_with_blinding(&witness.values, Fr::from_u64(3), Fr::from_u64(5)).unwrap();
    assert_ne!(p0, p2);
    verify(prover.verification_key(), public, &p2).expect("blinded proof verifies");
}

#[test]
fn bad_witness_is_an_error_not_a_proof() {
    let prover: Groth16Prover = Groth16Prover::load(example_dir().join("circuit.zkey")).unwrap();
    let witness = Witness::open(example_dir().join("witness.wtns")).unwrap();
    // Too short / too long.
    let short = &witness.values[..witness.values.len() - 1];
    assert!(matches!(prover.prove(short), Err(Groth16Error::WitnessLength { .. })));
    let mut long = witness.values.clone();
    long.push(Fr::ONE);
    assert!(matches!(prover.prove(&long), Err(Groth16Error::WitnessLength { .. })));
    // A witness that does not satisfy the constraints: the proof is refused.
    let mut wrong = witness.values.clone();
    let last = wrong.len() - 1;
    wrong[last] += Fr::ONE;
    assert!(matches!(prover.prove_verified(&wrong), Err(Groth16Error::InvalidProof)));
    // Wrong number of public signals.
    let proof = prover.prove(&witness.values).unwrap();
    let public = prover.public_signals(&witness.values).unwrap();
    assert!(matches!(
        verify(prover.verification_key(), &public[1..], &proof),
        Err(Groth16Error::PublicInputCount { .. })
    ));
}

#[test]
fn verification_key_export_matches_snarkjs() {
    let zkey = Zkey::open(example_dir().join("circuit.zkey")).unwrap();
    let ours = verification_key(&zkey.header, &zkey.ic);
    let theirs = VerificationKey::read(example_dir().join("verification_key.json")).unwrap();
    assert_eq!(ours, theirs);
}
