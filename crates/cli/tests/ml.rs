//! `zkprove ml commit|prove|verify` and `zkprove bench ml` on the digits fixture: exit statuses
//! 0 (valid), 1 (invalid), 3 (bad input).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn zkprove(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkprove")).args(args).output().expect("runs")
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../ml/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn tmp(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

#[test]
fn commit_prove_verify_and_tamper() {
    let dir = std::env::temp_dir().join(format!("zkprove-cli-ml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = fixture("digits_gemm.onnx");
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("digits_expected.json")).unwrap())
            .unwrap();
    let input = serde_json::json!({ "input": expected["inputs"][0] });
    let (inp, com, proof, out) = (
        tmp(&dir, "input.json"),
        tmp(&dir, "m.commit.json"),
        tmp(&dir, "proof.bin"),
        tmp(&dir, "output.json"),
    );
    std::fs::write(&inp, input.to_string()).unwrap();
    let o = zkprove(&["ml", "commit", &model, "--out", &com, "--input-range", "16"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = zkprove(&[
        "ml",
        "prove",
        &model,
        &inp,
        "--proof",
        &proof,
        "--output",
        &out,
        "--input-range",
        "16",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = zkprove(&["ml", "verify", &com, &inp, &out, &proof]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));

    // A changed output value: invalid (1).
    let mut claimed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let q = claimed["output_quantized"][3].as_i64().unwrap();
    claimed["output_quantized"][3] = (q + 1).into();
    let scale = claimed["scale"][3].as_f64().unwrap();
    claimed["output"][3] = ((q + 1) as f64 * scale).into();
    let bad_out = tmp(&dir, "bad_output.json");
    std::fs::write(&bad_out, claimed.to_string()).unwrap();
    assert_eq!(zkprove(&["ml", "verify", &com, &inp, &bad_out, &proof]).status.code(), Some(1));
    // A flipped proof byte: invalid (1).
    let mut bytes = std::fs::read(&proof).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 4;
    let bad_proof = tmp(&dir, "bad_proof.bin");
    std::fs::write(&bad_proof, &bytes).unwrap();
    assert_eq!(zkprove(&["ml", "verify", &com, &inp, &out, &bad_proof]).status.code(), Some(1));
    // Bad input files: 3.
    let garbage = tmp(&dir, "garbage.json");
    std::fs::write(&garbage, "{not json").unwrap();
    assert_eq!(zkprove(&["ml", "verify", &com, &garbage, &out, &proof]).status.code(), Some(3));
    assert_eq!(
        zkprove(&["ml", "verify", &com, &inp, &out, &tmp(&dir, "missing.bin")]).status.code(),
        Some(3)
    );
    let o = zkprove(&["ml", "commit", &garbage, "--out", &tmp(&dir, "x.json")]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("garbage.json"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bench_ml_prints_one_json_line() {
    let o = zkprove(&["bench", "ml", "--matmul", "17", "--reps", "1", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let line = String::from_utf8(o.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(v["kernel"], "ml");
    for k in ["median_ms", "proof_bytes", "verify_ms", "commit_ms", "security_bits"] {
        assert!(v[k].as_f64().is_some(), "{k} in {line}");
    }
    assert!(v["security_bits"].as_f64().unwrap() >= 100.0);
    // `--matmul` is the product of two 17 × 17 matrices; the product is timed apart.
    assert_eq!(v["model"], "matmul-17x17x17");
    assert!(v["product_ms"].as_f64().is_some() && v["total_ms"].as_f64().is_some(), "{line}");
}

/// `--device`: an absent device is a clear error; on OpenCL (PoCL in CI) `ml commit` and
/// `ml prove` write the CPU's commitment, proof bytes and output (which verify), and `bench ml`
/// names the device.
#[test]
fn ml_on_devices() {
    let o = zkprove(&["bench", "ml", "--matmul", "4", "--reps", "1", "--device", "cuda"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--device cuda"), "{err}");
    let listed = zkprove(&["devices", "--json"]);
    if !String::from_utf8_lossy(&listed.stdout).contains("\"opencl\"") {
        eprintln!("skipped: no OpenCL device");
        return;
    }
    let dir = std::env::temp_dir().join(format!("zkprove-cli-ml-dev-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = fixture("digits_matmul.onnx");
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("digits_expected.json")).unwrap())
            .unwrap();
    let inp = tmp(&dir, "input.json");
    std::fs::write(&inp, serde_json::json!({ "input": expected["inputs"][1] }).to_string())
        .unwrap();
    let mut bytes = Vec::new();
    for device in ["cpu", "opencl"] {
        let (proof, out, com) = (
            tmp(&dir, &format!("{device}.bin")),
            tmp(&dir, &format!("{device}.json")),
            tmp(&dir, &format!("{device}.commit.json")),
        );
        let o = zkprove(&["ml", "commit", &model, "--out", &com, "--device", device]);
        assert!(o.status.success(), "commit {device}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(!String::from_utf8_lossy(&o.stderr).contains("warning"), "{device}: fell back");
        let o = zkprove(&[
            "ml", "prove", &model, &inp, "--proof", &proof, "--output", &out, "--device", device,
        ]);
        assert!(o.status.success(), "{device}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(!String::from_utf8_lossy(&o.stderr).contains("warning"), "{device}: fell back");
        let o = zkprove(&["ml", "verify", &com, &inp, &out, &proof]);
        assert_eq!(o.status.code(), Some(0), "{device}: {}", String::from_utf8_lossy(&o.stderr));
        bytes.push((
            std::fs::read(&proof).unwrap(),
            std::fs::read(&out).unwrap(),
            std::fs::read(&com).unwrap(),
        ));
    }
    assert_eq!(bytes[0], bytes[1], "the OpenCL commitment, proof and output are the CPU's");
    let o =
        zkprove(&["bench", "ml", "--matmul", "16", "--reps", "1", "--device", "opencl", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON line");
    assert_eq!(v["device"], "opencl");
    assert_eq!(v["kernel"], "ml");
}
