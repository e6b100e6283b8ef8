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

#[test]
fn bench_whir_reports_rounds_detail() {
    let out = zkprove(&["bench", "whir", "--log-n", "12", "--reps", "1", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    let detail = v["rounds_detail"].as_array().expect("rounds_detail");
    assert_eq!(detail.len() as u64, v["rounds"].as_u64().expect("rounds"));
    for (d, q) in detail.iter().zip(v["queries"].as_array().expect("queries")) {
        assert_eq!(&d["queries"], q);
        assert!(d["query_pow_bits"].as_u64().expect("query_pow_bits") <= 20);
        assert!(d["folding_pow_bits"].as_u64().expect("folding_pow_bits") <= 20);
        assert!(d["log_eta"].as_f64().expect("log_eta") < -4.0);
    }
}

/// `zkprove whir params --json`: the rounds and every term; the achieved level is the least
/// term, every term reaches the target, and the query terms follow from the printed queries
/// and η (`t·(−log2(ρ + η))` up to capacity).
#[test]
fn whir_params_prints_every_term() {
    for field in ["babybear", "goldilocks"] {
        let out = zkprove(&["whir", "params", "--field", field, "--log-n", "20", "--json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
        let terms = v["terms"].as_array().expect("terms");
        let least =
            terms.iter().map(|t| t["bits"].as_f64().expect("bits")).fold(f64::MAX, f64::min);
        let achieved = v["achieved_bits"].as_f64().expect("achieved_bits");
        assert!((least - achieved).abs() < 1e-9 && achieved >= 100.0, "{v}");
        let rounds = v["rounds"].as_array().expect("rounds");
        assert_eq!(rounds.len(), 4);
        for (i, r) in rounds.iter().enumerate() {
            let rate = r["log_inv_rate"].as_f64().expect("rate");
            let eta = r["log_eta"].as_f64().expect("log_eta").exp2();
            let each = -((-rate).exp2() + eta).log2();
            let t = r["queries"].as_f64().expect("queries");
            let q = terms
                .iter()
                .find(|x| x["round"] == i && x["kind"] == "queries")
                .expect("a query term per round");
            assert!((q["error_bits"].as_f64().expect("error_bits") - t * each).abs() < 1e-6);
        }
    }
    let out = zkprove(&["whir", "params", "--log-n", "16"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("achieved") && text.contains("folding_proximity_gaps"), "{text}");
}

#[test]
fn whir_params_refuses_unreachable_security_with_status_3() {
    let out = zkprove(&["whir", "params", "--log-n", "20", "--soundness", "johnson"]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("proof of work"), "{stderr}");
    // More grinding than one BabyBear nonce can give.
    let out = zkprove(&["whir", "params", "--log-n", "16", "--pow-bits", "40"]);
    assert_eq!(out.status.code(), Some(3));
}
