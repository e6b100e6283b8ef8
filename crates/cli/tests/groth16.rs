//! `zkprove groth16` and `zkprove zkey` end to end on the bundled example: proofs verify (with
//! zkprove, and with snarkjs when `e2e/node_modules` is installed), and every kind of bad input
//! gets its documented exit status and a message naming the file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn zkprove(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .args(args)
        .output()
        .expect("the zkprove binary runs")
}

fn example(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multiplier").join(file)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkprove-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn p(s: &str) -> &Path {
    Path::new(s)
}

#[test]
fn prove_then_verify_and_snarkjs_agrees() {
    let dir = scratch("prove");
    let (proof, public) = (dir.join("proof.json"), dir.join("public.json"));
    let out = zkprove(&[
        p("groth16"),
        p("prove"),
        &example("circuit.zkey"),
        &example("witness.wtns"),
        &proof,
        &public,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let vk = example("verification_key.json");
    let out = zkprove(&[p("groth16"), p("verify"), &vk, &public, &proof]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("OK"));
    // snarkjs's own proof verifies with zkprove too.
    let out = zkprove(&[
        p("groth16"),
        p("verify"),
        &vk,
        &example("snarkjs_public.json"),
        &example("snarkjs_proof.json"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The JSON has snarkjs's shape.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&proof).unwrap()).unwrap();
    assert_eq!(json["protocol"], "groth16");
    assert_eq!(json["curve"], "bn128");
    assert_eq!(json["pi_a"][2], "1");
    assert_eq!(json["pi_b"][2][0], "1");
    // A tampered public signal: exit status 1.
    let public_text = std::fs::read_to_string(&public).unwrap();
    let mut signals: Vec<String> = serde_json::from_str(&public_text).unwrap();
    signals[0] = "12345".into();
    let bad_public = dir.join("bad_public.json");
    std::fs::write(&bad_public, serde_json::to_string(&signals).unwrap()).unwrap();
    let out = zkprove(&[p("groth16"), p("verify"), &vk, &bad_public, &proof]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    let snarkjs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e/node_modules/.bin/snarkjs");
    if snarkjs.is_file() {
        let out = Command::new(&snarkjs)
            .args(["groth16", "verify"])
            .args([&vk, &public, &proof])
            .output()
            .expect("snarkjs runs");
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("OK"));
    }
}

#[test]
fn bad_inputs_have_clear_errors_and_exit_status_3() {
    let dir = scratch("bad");
    let (proof, public) = (dir.join("proof.json"), dir.join("public.json"));
    // Missing file.
    let missing = dir.join("missing.zkey");
    let out =
        zkprove(&[p("groth16"), p("prove"), &missing, &example("witness.wtns"), &proof, &public]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("missing.zkey"), "{}", stderr(&out));
    // A witness given as the key.
    let out = zkprove(&[
        p("groth16"),
        p("prove"),
        &example("witness.wtns"),
        &example("witness.wtns"),
        &proof,
        &public,
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("zkey"), "{}", stderr(&out));
    // A truncated witness.
    let wtns = std::fs::read(example("witness.wtns")).unwrap();
    let short = dir.join("short.wtns");
    std::fs::write(&short, &wtns[..wtns.len() / 2]).unwrap();
    let out =
        zkprove(&[p("groth16"), p("prove"), &example("circuit.zkey"), &short, &proof, &public]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("short.wtns"), "{}", stderr(&out));
    assert!(!proof.exists(), "no proof is written on error");
    // A malformed proof.json.
    let junk = dir.join("junk.json");
    std::fs::write(&junk, "{\"pi_a\": 3}").unwrap();
    let out = zkprove(&[
        p("groth16"),
        p("verify"),
        &example("verification_key.json"),
        &example("snarkjs_public.json"),
        &junk,
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn zkey_info_and_export_vkey() {
    let out = zkprove(&[p("zkey"), p("info"), &example("circuit.zkey"), p("--json")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["n_public"], 2);
    assert_eq!(info["protocol"], "groth16");
    let dir = scratch("vkey");
    let vk = dir.join("vk.json");
    let out = zkprove(&[p("zkey"), p("export-vkey"), &example("circuit.zkey"), &vk]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ours: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&vk).unwrap()).unwrap();
    let theirs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("verification_key.json")).unwrap())
            .unwrap();
    assert_eq!(ours, theirs, "export-vkey equals snarkjs zkey export verificationkey");
}

#[test]
fn bench_groth16_prints_one_json_line() {
    let out = zkprove(&[
        p("bench"),
        p("groth16"),
        &example("circuit.zkey"),
        &example("witness.wtns"),
        p("--reps"),
        p("1"),
        p("--json"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["kernel"], "groth16");
    assert!(line["median_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(line["log_n"], 11);
}
