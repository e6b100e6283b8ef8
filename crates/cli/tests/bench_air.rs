//! `zkprove bench air` end to end: one JSON line with the prover and verifier times, the proof
//! size and the security level, for every example AIR and both fields; an absent GPU is refused;
//! on OpenCL (PoCL in CI) the proof is made on the device, with its transfers in the line.

use std::process::Command;

fn zkprove(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .args(args)
        .output()
        .expect("the zkprove binary runs")
}

#[test]
fn bench_air_prints_one_json_line() {
    for (air, field) in [
        ("fibonacci", "babybear"),
        ("fibonacci", "goldilocks"),
        ("lookup", "babybear"),
        ("lookup", "goldilocks"),
        ("poseidon2", "babybear"),
    ] {
        let out = zkprove(&[
            "bench",
            "air",
            "--air",
            air,
            "--field",
            field,
            "--log-rows",
            "8",
            "--reps",
            "1",
            "--json",
        ]);
        assert!(out.status.success(), "{air} {field}: {}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 1, "exactly one line: {stdout}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).expect("valid JSON");
        assert_eq!(v["kernel"], "air");
        assert_eq!(v["air"], air);
        assert_eq!(v["field"], field);
        assert_eq!(v["log_n"], 8);
        assert_eq!(v["device"], "cpu");
        for key in ["median_ms", "verify_ms", "rows_per_s"] {
            let x = v[key].as_f64().expect("a number");
            assert!(x > 0.0 && x.is_finite(), "{key}");
        }
        assert!(v["proof_bytes"].as_u64().expect("proof_bytes") > 1000);
        assert!(v["achieved_bits"].as_f64().expect("achieved_bits") >= 100.0);
    }
    let gpu = Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .args(["bench", "air", "--device", "cuda", "--log-rows", "8"])
        .env("ZKPROVE_DISABLE_CUDA", "1")
        .output()
        .expect("the zkprove binary runs");
    assert!(!gpu.status.success());
}

#[test]
fn bench_air_on_opencl_reports_the_device_and_transfers() {
    let listed = zkprove(&["devices", "--json"]);
    if !String::from_utf8_lossy(&listed.stdout).contains("\"opencl\"") {
        eprintln!("skipped: no OpenCL device");
        return;
    }
    let out = zkprove(&[
        "bench",
        "air",
        "--air",
        "lookup",
        "--log-rows",
        "8",
        "--reps",
        "1",
        "--device",
        "opencl",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(v["device"], "opencl");
    let t = &v["transfers"];
    // The trace's three columns go up once; the read-backs are the two stacked columns for
    // WHIR and the small per-round values.
    assert_eq!(t["uploads"], 3, "{t}");
    assert_eq!(t["upload_bytes"], 3 * 256 * 4, "{t}");
    assert!(t["downloads"].as_u64().expect("downloads") > 2, "{t}");
}
