//! `zkprove groth16` and `zkprove zkey` end to end on the bundled example and on a synthetic key
//! written by `zkey synthetic`: proofs verify (with zkprove, and with snarkjs when
//! `e2e/node_modules` is installed), and every kind of bad input gets its documented exit status
//! and a message naming the file.

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

/// Runs the pinned snarkjs (`e2e/node_modules`, when installed) and returns its stdout; panics
/// with its output when it fails.
fn snarkjs(args: &[&Path]) -> Option<String> {
    let snarkjs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e/node_modules/.bin/snarkjs");
    if !snarkjs.is_file() {
        eprintln!("e2e/node_modules not installed: snarkjs checks skipped");
        return None;
    }
    let out = Command::new(&snarkjs).args(args).output().expect("snarkjs runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "snarkjs {args:?}: {stdout}{}", stderr(&out));
    Some(stdout)
}

/// `zkey synthetic` writes a key and witness that `groth16 prove` / `zkey export-vkey` /
/// `groth16 verify` accept; with snarkjs installed, snarkjs exports the same verification key,
/// proves with the files and verifies both its proof and zkprove's.
#[test]
fn zkey_synthetic_files_prove_and_verify() {
    let dir = scratch("synthetic");
    let (zkey, wtns) = (dir.join("circuit.zkey"), dir.join("witness.wtns"));
    let out = zkprove(&[p("zkey"), p("synthetic"), p("6"), &zkey, &wtns]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("INSECURE"));

    let out = zkprove(&[p("zkey"), p("info"), &zkey, p("--json")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["domain_size"], 64);
    assert_eq!(info["n_public"], 1);

    let (proof, public, vk) =
        (dir.join("proof.json"), dir.join("public.json"), dir.join("vk.json"));
    let out = zkprove(&[p("groth16"), p("prove"), &zkey, &wtns, &proof, &public]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = zkprove(&[p("zkey"), p("export-vkey"), &zkey, &vk]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = zkprove(&[p("groth16"), p("verify"), &vk, &public, &proof]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Too small a chain: a usage problem with the input, exit status 3, no file left half-written.
    let out =
        zkprove(&[p("zkey"), p("synthetic"), p("1"), &dir.join("x.zkey"), &dir.join("x.wtns")]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!dir.join("x.zkey").exists());
    let help = zkprove(&[p("zkey"), p("synthetic"), p("--help")]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("INSECURE"));

    let snark_vk = dir.join("snarkjs_vk.json");
    let Some(_) = snarkjs(&[p("zkey"), p("export"), p("verificationkey"), &zkey, &snark_vk]) else {
        return;
    };
    let read = |f: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap()
    };
    assert_eq!(read(&vk), read(&snark_vk), "export-vkey equals snarkjs's export");
    let ok = snarkjs(&[p("groth16"), p("verify"), &snark_vk, &public, &proof]).unwrap();
    assert!(ok.contains("OK"), "snarkjs on zkprove's proof: {ok}");
    let (sproof, spublic) = (dir.join("snarkjs_proof.json"), dir.join("snarkjs_public.json"));
    snarkjs(&[p("groth16"), p("prove"), &zkey, &wtns, &sproof, &spublic]).unwrap();
    let ok = snarkjs(&[p("groth16"), p("verify"), &snark_vk, &spublic, &sproof]).unwrap();
    assert!(ok.contains("OK"), "snarkjs on its own proof: {ok}");
    assert_eq!(read(&spublic), read(&public));
    let out = zkprove(&[p("groth16"), p("verify"), &vk, &spublic, &sproof]);
    assert_eq!(out.status.code(), Some(0), "zkprove on snarkjs's proof: {}", stderr(&out));
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

/// `groth16 prove-many`: every readable witness gets a verifying proof under its own name, a
/// truncated one is reported (exit status 3, naming the file) without stopping the others, and two
/// witnesses of one name are refused before anything is proved.
#[test]
fn prove_many_proves_each_witness_and_reports_the_bad_one() {
    let dir = scratch("prove-many");
    let witness = std::fs::read(example("witness.wtns")).expect("example witness");
    let (a, b, cut) = (dir.join("a.wtns"), dir.join("b.wtns"), dir.join("cut.wtns"));
    std::fs::write(&a, &witness).expect("write");
    std::fs::write(&b, &witness).expect("write");
    std::fs::write(&cut, &witness[..100]).expect("write");
    let out_dir = dir.join("out");
    let zkey = example("circuit.zkey");
    let run = |ws: &[&Path]| {
        let mut args = vec![p("groth16"), p("prove-many"), &zkey, &out_dir];
        args.extend_from_slice(ws);
        zkprove(&args)
    };
    let out = run(&[&a, &cut, &b]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("cut.wtns"), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 of 3 witnesses not proved"), "{}", stderr(&out));
    let vk = example("verification_key.json");
    for name in ["a", "b"] {
        let (proof, public) = (
            out_dir.join(format!("{name}.proof.json")),
            out_dir.join(format!("{name}.public.json")),
        );
        let v = zkprove(&[p("groth16"), p("verify"), &vk, &public, &proof]);
        assert_eq!(v.status.code(), Some(0), "{name}: {}", stderr(&v));
    }
    assert!(!out_dir.join("cut.proof.json").exists());

    let other = scratch("prove-many-other").join("a.wtns");
    std::fs::write(&other, &witness).expect("write");
    let out = run(&[&a, &other]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("two witnesses named \"a\""), "{}", stderr(&out));
}
