//! `zkprove bench sumcheck` end to end: one JSON line of the agreed shape for every field and a
//! few degrees; bad arguments fail with a message instead of a panic.

use std::process::Command;

fn zkprove(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .args(args)
        .output()
        .expect("the zkprove binary runs")
}

#[test]
fn bench_sumcheck_prints_one_json_line() {
    for field in ["m31", "babybear", "goldilocks"] {
        for degree in ["1", "2", "3"] {
            let out = zkprove(&[
                "bench", "sumcheck", "--field", field, "--log-n", "8", "--degree", degree,
                "--reps", "2", "--json",
            ]);
            assert!(out.status.success(), "{field}: {}", String::from_utf8_lossy(&out.stderr));
            let stdout = String::from_utf8(out.stdout).expect("utf-8");
            let lines: Vec<&str> = stdout.lines().collect();
            assert_eq!(lines.len(), 1, "exactly one line: {stdout}");
            let v: serde_json::Value = serde_json::from_str(lines[0]).expect("valid JSON");
            assert_eq!(v["kernel"], "sumcheck");
            assert_eq!(v["field"], field);
            assert_eq!(v["log_n"], 8);
            assert_eq!(v["device"], "cpu");
            assert_eq!(v["reps"], 2);
            assert_eq!(v["width"].to_string(), degree);
            let median = v["median_ms"].as_f64().expect("median_ms is a number");
            assert!(median > 0.0 && median.is_finite());
        }
    }
}

#[test]
fn bench_sumcheck_text_output() {
    let out = zkprove(&["bench", "sumcheck", "--field", "m31", "--log-n", "4", "--reps", "1"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("sumcheck m31 2^4 degree 2"), "{stdout}");
}

#[test]
fn bench_sumcheck_bad_arguments_fail_cleanly() {
    for args in [
        &["bench", "sumcheck", "--field", "bn254", "--log-n", "4"][..],
        &["bench", "sumcheck", "--log-n", "0"],
        &["bench", "sumcheck", "--log-n", "4", "--degree", "0"],
        &["bench", "sumcheck", "--log-n", "4", "--degree", "9"],
        &["bench", "sumcheck", "--log-n", "4", "--threads", "0"],
    ] {
        let out = zkprove(args);
        assert!(!out.status.success(), "{args:?} should fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.is_empty(), "{args:?}: no message");
    }
}
