//! `zkprove devices` and `zkprove bench ntt --device …`: no device is not an error for `devices`,
//! an absent device is a clear error for `bench`, and the OpenCL NTT runs where OpenCL exists
//! (PoCL in CI).

use std::process::Command;

fn zkprove(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zkprove"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the zkprove binary runs")
}

#[test]
fn devices_lists_or_says_none() {
    let out = zkprove(&["devices"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = zkprove(&["devices", "--json"], &[]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON array");
    assert!(v.is_array());
    // No device at all: still a success, with a message.
    let empty = std::env::temp_dir().join("zkprove-cli-no-icd");
    std::fs::create_dir_all(&empty).expect("temp dir");
    let empty = empty.to_string_lossy().into_owned();
    let out = zkprove(
        &["devices"],
        &[("ZKPROVE_DISABLE_CUDA", "1"), ("OCL_ICD_VENDORS", &empty), ("OCL_ICD_FILENAMES", "")],
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("no GPU found"));
}

#[test]
fn bench_ntt_on_an_absent_device_is_a_clear_error() {
    let out = zkprove(
        &["bench", "ntt", "--field", "babybear", "--log-n", "4", "--device", "cuda"],
        &[("ZKPROVE_DISABLE_CUDA", "1")],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no cuda device found"), "{err}");
    let out = zkprove(&["bench", "pairing", "--device", "opencl"], &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--device cpu only"));
}

#[test]
fn bench_ntt_on_opencl() {
    let listed = zkprove(&["devices", "--json"], &[]);
    if !String::from_utf8_lossy(&listed.stdout).contains("\"opencl\"") {
        eprintln!("skipped: no OpenCL device");
        return;
    }
    let out = zkprove(
        &[
            "bench", "ntt", "--field", "babybear", "--log-n", "10", "--reps", "2", "--device",
            "opencl", "--json",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(v["device"], "opencl");
    assert_eq!(v["kernel"], "ntt");
}

#[test]
fn bench_auto_without_cuda_runs_on_the_cpu_and_says_so() {
    let out = zkprove(
        &[
            "bench", "ntt", "--field", "babybear", "--log-n", "8", "--reps", "1", "--device",
            "auto", "--json",
        ],
        &[("ZKPROVE_DISABLE_CUDA", "1")],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(v["device"], "cpu");
}

/// The `auto` probe logs what it found and how long it took (`-v`); without a usable CUDA GPU it
/// must be cheap (the goal is < 50 ms; the bound is generous for a loaded CI machine).
#[test]
fn auto_probe_is_logged_and_cheap_without_cuda() {
    for env in [&[][..], &[("ZKPROVE_DISABLE_CUDA", "1")]] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zkprove"));
        cmd.args(["-v", "bench", "ntt", "--field", "babybear", "--log-n", "4", "--reps", "1"]);
        cmd.args(["--device", "auto", "--json"]).env_remove("RUST_LOG");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("the zkprove binary runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err.lines().find(|l| l.contains("device resolved")).expect("a probe log line");
        let probe_us: u64 = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("probe_us="))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no probe_us in {line}"));
        eprintln!("{env:?}: {line}");
        if line.contains("resolved=\"cpu\"") || line.contains("resolved=cpu") {
            assert!(probe_us < 500_000, "probe took {probe_us} µs: {line}");
        }
    }
}

/// `groth16 prove` and `prove-many` default to `--device auto`.
#[test]
fn groth16_prove_defaults_to_auto() {
    for sub in ["prove", "prove-many"] {
        let out = zkprove(&["groth16", sub, "-h"], &[]);
        assert!(out.status.success());
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("[default: auto]"), "{sub}: {help}");
        assert!(help.contains("cpu, cuda, opencl, auto"), "{sub}: {help}");
    }
}

/// `zkprove devices` says what `--device auto` picks: the CPU when CUDA is off.
#[test]
fn devices_names_the_auto_choice() {
    let out = zkprove(&["devices"], &[("ZKPROVE_DISABLE_CUDA", "1")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("--device auto: cpu"), "{text}");
}
