//! `zkprove bench … --json`: every benchmark's JSON line has exactly the fields (names and JSON
//! types) that scripts and BENCHMARKS.md rely on — none missing, none added, none renamed.

use std::collections::BTreeMap;
use std::process::Command;

/// The JSON type of a field, as checked here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ty {
    Str,
    Num,
    Bool,
    Array,
    Object,
}

fn ty(v: &serde_json::Value) -> Ty {
    match v {
        serde_json::Value::String(_) => Ty::Str,
        serde_json::Value::Number(_) => Ty::Num,
        serde_json::Value::Bool(_) => Ty::Bool,
        serde_json::Value::Array(_) => Ty::Array,
        serde_json::Value::Object(_) => Ty::Object,
        other => panic!("unexpected JSON value {other}"),
    }
}

/// Runs `zkprove bench ARGS --json` and returns the fields of its one JSON line with their types.
fn fields(args: &[&str]) -> BTreeMap<String, Ty> {
    let out = Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .arg("bench")
        .args(args)
        .arg("--json")
        .output()
        .expect("the zkprove binary runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: exactly one line: {stdout}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("valid JSON");
    let object = v.as_object().expect("a JSON object");
    object.iter().map(|(k, v)| (k.clone(), ty(v))).collect()
}

fn expected(spec: &[(&str, Ty)]) -> BTreeMap<String, Ty> {
    spec.iter().map(|(k, t)| ((*k).to_owned(), *t)).collect()
}

/// The fields of `field`, `ntt`, `msm` (CPU), `pairing`, `poseidon2`, `merkle` and `sumcheck`.
const THROUGHPUT: &[(&str, Ty)] = &[
    ("kernel", Ty::Str),
    ("field", Ty::Str),
    ("log_n", Ty::Num),
    ("device", Ty::Str),
    ("median_ms", Ty::Num),
    ("reps", Ty::Num),
    ("threads", Ty::Num),
    ("width", Ty::Num),
    ("mops_per_s", Ty::Num),
];

#[test]
fn throughput_benchmarks_keep_their_fields() {
    for args in [
        &["field", "--field", "m31", "--log-n", "8", "--reps", "1"][..],
        &["ntt", "--field", "babybear", "--log-n", "8", "--reps", "1"],
        &["ntt", "--field", "m31", "--log-n", "6", "--reps", "1", "--device", "auto"],
        &["msm", "--log-n", "6", "--reps", "1"],
        &["pairing", "--reps", "1"],
        &["poseidon2", "--field", "m31", "--log-n", "8", "--reps", "1"],
        &["merkle", "--field", "goldilocks", "--log-n", "8", "--reps", "1"],
        &["sumcheck", "--field", "babybear", "--log-n", "6", "--reps", "1"],
    ] {
        assert_eq!(fields(args), expected(THROUGHPUT), "{args:?}");
    }
}

#[test]
fn kzg_keeps_its_fields() {
    let spec = [
        ("kernel", Ty::Str),
        ("field", Ty::Str),
        ("log_n", Ty::Num),
        ("device", Ty::Str),
        ("reps", Ty::Num),
        ("threads", Ty::Num),
        ("median_ms", Ty::Num),
        ("open_median_ms", Ty::Num),
        ("verify_median_ms", Ty::Num),
        ("setup_ms", Ty::Num),
    ];
    assert_eq!(fields(&["kzg", "--log-n", "6", "--reps", "1"]), expected(&spec));
}

#[test]
fn whir_keeps_its_fields() {
    let spec = [
        ("kernel", Ty::Str),
        ("field", Ty::Str),
        ("log_n", Ty::Num),
        ("device", Ty::Str),
        ("median_ms", Ty::Num),
        ("reps", Ty::Num),
        ("threads", Ty::Num),
        ("commit_ms", Ty::Num),
        ("open_ms", Ty::Num),
        ("verify_ms", Ty::Num),
        ("proof_bytes", Ty::Num),
        ("log_inv_rate", Ty::Num),
        ("folding_factor", Ty::Num),
        ("soundness", Ty::Str),
        ("security_bits", Ty::Num),
        ("achieved_bits", Ty::Num),
        ("rounds", Ty::Num),
        ("queries", Ty::Array),
        ("rounds_detail", Ty::Array),
    ];
    let got = fields(&["whir", "--log-n", "10", "--reps", "1", "--pow-bits", "8"]);
    assert_eq!(got, expected(&spec));
}

#[test]
fn groth16_keeps_its_fields() {
    let mut spec = vec![
        ("kernel", Ty::Str),
        ("device", Ty::Str),
        ("device_name", Ty::Str),
        ("median_ms", Ty::Num),
        ("mode", Ty::Str),
        ("reps", Ty::Num),
        ("threads", Ty::Num),
        ("synthetic", Ty::Bool),
        ("setup_ms", Ty::Num),
        ("load_ms", Ty::Num),
        ("n_vars", Ty::Num),
        ("n_public", Ty::Num),
        ("log_n", Ty::Num),
        ("zkey_bytes", Ty::Num),
        ("peak_rss_bytes", Ty::Num),
    ];
    let got = fields(&["groth16", "--synthetic", "4", "--reps", "1"]);
    assert_eq!(got, expected(&spec));
    // `--stream` adds the one-by-one median beside the stream's.
    spec.push(("one_by_one_ms", Ty::Num));
    let got = fields(&["groth16", "--synthetic", "4", "--reps", "2", "--stream"]);
    assert_eq!(got, expected(&spec));
}

/// The values that are not measurements: names, sizes and the device as given or resolved.
#[test]
fn reports_name_what_ran() {
    let out = Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .args(["bench", "poseidon2", "--field", "babybear", "--width", "24", "--log-n", "5"])
        .args(["--reps", "3", "--threads", "1", "--json"])
        .output()
        .expect("the zkprove binary runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(v["kernel"], "poseidon2");
    assert_eq!(v["field"], "babybear");
    assert_eq!(v["log_n"], 5);
    assert_eq!(v["device"], "cpu");
    assert_eq!(v["reps"], 3);
    assert_eq!(v["threads"], 1);
    assert_eq!(v["width"], 24);
    let (median, mops) =
        (v["median_ms"].as_f64().expect("ms"), v["mops_per_s"].as_f64().expect("M/s"));
    // 2^5 permutations in `median` ms: the throughput is derived from the median.
    assert!((mops - 32.0 / (median * 1e3)).abs() <= 1e-9 * mops.max(1.0), "{mops} vs {median}");
}

#[test]
fn air_keeps_its_fields() {
    let spec = [
        ("kernel", Ty::Str),
        ("field", Ty::Str),
        ("log_n", Ty::Num),
        ("device", Ty::Str),
        ("median_ms", Ty::Num),
        ("reps", Ty::Num),
        ("threads", Ty::Num),
        ("air", Ty::Str),
        ("columns", Ty::Num),
        ("verify_ms", Ty::Num),
        ("proof_bytes", Ty::Num),
        ("achieved_bits", Ty::Num),
        ("rows_per_s", Ty::Num),
        ("phases_ms", Ty::Object),
        ("transfers", Ty::Object),
    ];
    let got = fields(&["air", "--air", "fibonacci", "--log-rows", "8", "--reps", "1"]);
    assert_eq!(got, expected(&spec));
    // `phases_ms`: the prover's phases, each a median in milliseconds.
    let out = Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .args(["bench", "air", "--air", "fibonacci", "--log-rows", "8", "--reps", "1", "--json"])
        .output()
        .expect("the zkprove binary runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let phases = v["phases_ms"].as_object().expect("phases_ms is an object");
    for name in ["check", "commit", "zerocheck", "whir_open"] {
        let ms = phases.get(name).and_then(serde_json::Value::as_f64);
        assert!(ms.is_some_and(|ms| ms >= 0.0), "phase {name}: {phases:?}");
    }
}
