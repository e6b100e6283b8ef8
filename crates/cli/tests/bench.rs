//! `zkprove bench` end to end: the JSON line has the agreed shape for every field, and bad arguments
//! fail with a message instead of a panic.

use std::process::Command;

fn zkprove(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .args(args)
        .output()
        .expect("the zkprove binary runs")
}

#[test]
fn bench_field_prints_one_json_line_for_every_field() {
    for field in [
        "bn254",
        "bn254-fq",
        "goldilocks",
        "goldilocks-ext2",
        "babybear",
        "babybear-ext4",
        "m31",
        "qm31",
    ] {
        let out = zkprove(&[
            "bench", "field", "--field", field, "--log-n", "10", "--reps", "2", "--json",
        ]);
        assert!(out.status.success(), "{field}: {}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 1, "exactly one line: {stdout}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).expect("valid JSON");
        assert_eq!(v["kernel"], "field-mul");
        assert_eq!(v["field"], field);
        assert_eq!(v["log_n"], 10);
        assert_eq!(v["device"], "cpu");
        assert_eq!(v["reps"], 2);
        let median = v["median_ms"].as_f64().expect("median_ms is a number");
        assert!(median > 0.0 && median.is_finite());
        assert!(v["width"].as_u64().expect("width") >= 1);
    }
}

#[test]
fn bench_field_text_output() {
    let out = zkprove(&["bench", "field", "--field", "m31", "--log-n", "4", "--reps", "1"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("field-mul m31 2^4"), "{stdout}");
}

#[test]
fn bad_arguments_fail_cleanly() {
    for args in [
        &["bench", "field", "--field", "bls12-381", "--log-n", "10"][..],
        &["bench", "field", "--field", "m31", "--log-n", "99"],
        &["bench", "field", "--field", "m31", "--log-n", "4", "--threads", "0"],
        &["bench", "field", "--field", "m31", "--log-n", "4", "--reps", "0"],
        &["bench", "field", "--field", "m31"],
    ] {
        let out = zkprove(args);
        assert!(!out.status.success(), "{args:?} should fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
        assert!(!stderr.is_empty(), "{args:?} explains itself");
    }
}

#[test]
fn bench_ntt_prints_one_json_line() {
    for field in ["bn254", "goldilocks", "babybear"] {
        let out = zkprove(&[
            "bench", "ntt", "--field", field, "--log-n", "10", "--width", "2", "--reps", "2",
            "--json",
        ]);
        assert!(out.status.success(), "{field}: {}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value =
            serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim())
                .expect("one JSON line");
        assert_eq!(v["kernel"], "ntt");
        assert_eq!(v["field"], field);
        assert_eq!(v["width"], 2);
        assert!(v["median_ms"].as_f64().expect("median_ms") > 0.0);
    }
    // M31 runs the circle FFT (its domain is the circle group, not a two-adic subgroup).
    let out = zkprove(&["bench", "ntt", "--field", "m31", "--log-n", "4", "--reps", "1", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(v["field"], "m31");
    // BabyBear's two-adic subgroups end at 2^27; a qm31 NTT is not offered.
    for args in [
        &["bench", "ntt", "--field", "babybear", "--log-n", "28"][..],
        &["bench", "ntt", "--field", "qm31", "--log-n", "4"],
    ] {
        let out = zkprove(args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn bench_msm_prints_one_json_line_for_both_groups() {
    for (curve, precompute) in [("bn254-g1", "1"), ("bn254-g2", "1"), ("bn254-g1", "3")] {
        let out = zkprove(&[
            "bench",
            "msm",
            "--curve",
            curve,
            "--log-n",
            "8",
            "--reps",
            "2",
            "--precompute",
            precompute,
            "--threads",
            "2",
            "--json",
        ]);
        assert!(out.status.success(), "{curve}: {}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 1, "exactly one line: {stdout}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).expect("valid JSON");
        assert_eq!(v["kernel"], "msm");
        assert_eq!(v["field"], curve);
        assert_eq!(v["log_n"], 8);
        assert_eq!(v["device"], "cpu");
        assert_eq!(v["reps"], 2);
        assert_eq!(v["threads"], 2);
        assert_eq!(v["width"].as_u64(), precompute.parse().ok());
        let median = v["median_ms"].as_f64().expect("median_ms is a number");
        assert!(median > 0.0 && median.is_finite());
    }
    for args in [
        &["bench", "msm", "--curve", "bls12-381-g1", "--log-n", "4"][..],
        &["bench", "msm", "--curve", "bn254-g1", "--log-n", "40"],
        &["bench", "msm", "--curve", "bn254-g1", "--log-n", "4", "--precompute", "0"],
    ] {
        let out = zkprove(args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn bench_pairing_prints_one_json_line() {
    let out = zkprove(&["bench", "pairing", "--reps", "2", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line: {stdout}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("valid JSON");
    assert_eq!(v["kernel"], "pairing");
    assert_eq!(v["field"], "bn254");
    assert_eq!(v["device"], "cpu");
    assert_eq!(v["reps"], 2);
    let median = v["median_ms"].as_f64().expect("median_ms is a number");
    assert!(median > 0.0 && median.is_finite());
}

#[test]
fn bench_groth16_synthetic_prints_one_json_line() {
    let out = zkprove(&["bench", "groth16", "--synthetic", "6", "--reps", "2", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line: {stdout}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("valid JSON");
    assert_eq!(v["kernel"], "groth16");
    assert_eq!(v["device"], "cpu");
    assert_eq!(v["synthetic"], true);
    assert_eq!(v["log_n"], 6);
    assert_eq!(v["n_public"], 1);
    assert_eq!(v["reps"], 2);
    assert!(v["zkey_bytes"].as_u64().expect("zkey_bytes") > 0);
    assert!(v["setup_ms"].as_f64().expect("setup_ms") > 0.0);
    let median = v["median_ms"].as_f64().expect("median_ms is a number");
    assert!(median > 0.0 && median.is_finite());
}

#[test]
fn bench_groth16_needs_files_or_synthetic_not_both() {
    let zkey = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/multiplier/circuit.zkey");
    let wtns = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/multiplier/witness.wtns");
    for args in [
        &["bench", "groth16"][..],
        &["bench", "groth16", zkey],
        &["bench", "groth16", zkey, wtns, "--synthetic", "4"],
        &["bench", "groth16", "--synthetic", "1"],
    ] {
        let out = zkprove(args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(!out.stderr.is_empty());
    }
    let out = zkprove(&["bench", "groth16", zkey, wtns, "--reps", "1", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).expect("valid JSON");
    assert_eq!(v["synthetic"], false);
}

/// `--cpu` (global, before or after the subcommand) and `ZKPROVE_CPU` lower the CPU level; every
/// level runs (capped at what this CPU has) and gives a JSON line; an unknown level is a usage error.
#[test]
fn cpu_levels_run_every_bench_path_and_bad_ones_are_usage_errors() {
    for level in ["portable", "adx", "avx2", "avx512", "ifma", "native"] {
        for args in [
            &["--cpu", level, "bench", "field", "--field", "bn254-fq", "--log-n", "8", "--json"][..],
            &["bench", "msm", "--log-n", "8", "--reps", "1", "--json", "--cpu", level],
            &["--cpu", level, "bench", "ntt", "--field", "bn254", "--log-n", "8", "--json"],
        ] {
            let out = zkprove(args);
            assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
            let v: serde_json::Value =
                serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).expect("JSON");
            assert!(v["median_ms"].as_f64().expect("median_ms") > 0.0);
        }
    }
    let env = Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .args(["bench", "field", "--field", "bn254", "--log-n", "8", "--json"])
        .env("ZKPROVE_CPU", "portable")
        .output()
        .expect("the zkprove binary runs");
    assert!(env.status.success(), "{}", String::from_utf8_lossy(&env.stderr));
    for bad in [&["--cpu", "sse9"][..], &[]] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zkprove"));
        cmd.args(bad).args(["bench", "field", "--field", "bn254", "--log-n", "8"]);
        if bad.is_empty() {
            cmd.env("ZKPROVE_CPU", "sse9");
        }
        let out = cmd.output().expect("the zkprove binary runs");
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("unknown CPU level `sse9`"));
    }
}
