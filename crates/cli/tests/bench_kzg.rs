//! `zkprove bench kzg` end to end: one JSON line of the documented shape; bad arguments fail
//! with a message.

use std::process::Command;

fn zkprove(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .args(args)
        .output()
        .expect("the zkprove binary runs")
}

#[test]
fn bench_kzg_prints_one_json_line() {
    for log_n in ["0", "8"] {
        let out = zkprove(&["bench", "kzg", "--log-n", log_n, "--reps", "2", "--json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 1, "exactly one line: {stdout}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).expect("valid JSON");
        assert_eq!(v["kernel"], "kzg");
        assert_eq!(v["field"], "bn254");
        assert_eq!(v["log_n"].to_string(), log_n);
        assert_eq!(v["device"], "cpu");
        assert_eq!(v["reps"], 2);
        for op in ["median_ms", "open_median_ms", "verify_median_ms"] {
            let ms = v[op].as_f64().expect("a number");
            assert!(ms >= 0.0 && ms.is_finite(), "{op}: {ms}");
        }
    }
}

#[test]
fn bench_kzg_text_output_and_bad_arguments() {
    let out = zkprove(&["bench", "kzg", "--log-n", "4", "--reps", "1"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("commit"));
    for args in [
        &["bench", "kzg", "--log-n", "25"][..],
        &["bench", "kzg", "--log-n", "4", "--reps", "0"],
        &["bench", "kzg", "--log-n", "4", "--threads", "0"],
    ] {
        let out = zkprove(args);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
