//! `zkprove bench whir` end to end: one JSON line with the prover and verifier times and the proof
//! size, for both fields; parameters that cannot reach the security target fail with a message.

use std::process::Command;

fn zkprove(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .args(args)
        .output()
        .expect("the zkprove binary runs")
}

#[test]
fn bench_whir_prints_one_json_line() {
    for field in ["babybear", "goldilocks"] {
        let out = zkprove(&[
            "bench",
            "whir",
            "--field",
            field,
            "--log-n",
            "10",
            "--reps",
            "1",
            "--pow-bits",
            "8",
            "--json",
        ]);
        assert!(out.status.success(), "{field}: {}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 1, "exactly one line: {stdout}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).expect("valid JSON");
        assert_eq!(v["kernel"], "whir");
        assert_eq!(v["field"], field);
        assert_eq!(v["log_n"], 10);
        assert_eq!(v["device"], "cpu");
        for key in ["median_ms", "verify_ms", "commit_ms", "open_ms"] {
            let ms = v[key].as_f64().expect("a number");
            assert!(ms > 0.0 && ms.is_finite(), "{key}");
        }
        assert!(v["proof_bytes"].as_u64().expect("proof_bytes") > 1000);
        assert!(v["achieved_bits"].as_f64().expect("achieved_bits") >= 100.0);
    }
}

#[test]
fn bench_whir_refuses_unreachable_security() {
    // The proven (Johnson) bound at n = 20 over BabyBear⁴ needs more grinding than allowed.
    let out = zkprove(&[
        "bench",
        "whir",
        "--log-n",
        "20",
        "--soundness",
        "johnson",
        "--pow-bits",
        "16",
        "--json",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("proof of work"), "{stderr}");
}
