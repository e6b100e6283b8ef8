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
