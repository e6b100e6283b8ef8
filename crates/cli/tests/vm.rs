//! `zkprove vm run` and `zkprove bench vm` end to end on the zkVM's committed test programs:
//! output and exit status passed through, `--json` lines, a bad ELF refused with status 3.

use std::path::PathBuf;
use std::process::Command;

fn zkprove(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zkprove"))
        .args(args)
        .output()
        .expect("the zkprove binary runs")
}

fn program(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vm/programs").join(name);
    p.display().to_string()
}

#[test]
fn vm_run_passes_output_and_exit_status_through() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("abc.bin");
    std::fs::write(&input, b"abc").expect("write input");
    let input = input.display().to_string();
    let sha = program("sha256.elf");
    let out = zkprove(&["vm", "run", &sha, "--input", &input]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n";
    assert_eq!(String::from_utf8_lossy(&out.stdout), digest);

    let out = zkprove(&["vm", "run", &sha, "--input", &input, "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    assert!(v["cycles"].as_u64().expect("cycles") > 1000);
    assert_eq!(v["exit_code"], 0);
    assert!(v["mhz"].as_f64().expect("mhz") > 0.0);
    assert_eq!(v["output_len"], 65);
    let hex: String = digest.bytes().map(|b| format!("{b:02x}")).collect();
    assert_eq!(v["output_hex"], hex.as_str());

    // fib exits with F(25) mod 256 = 17.
    let out = zkprove(&["vm", "run", &program("fib.elf")]);
    assert_eq!(out.status.code(), Some(17));
    assert!(String::from_utf8_lossy(&out.stdout).contains("fib=00012511"));

    // Not an ELF file: status 3, the file named.
    let bad = dir.path().join("not-a-program.elf");
    std::fs::write(&bad, b"#!/bin/sh\n").expect("write");
    let out = zkprove(&["vm", "run", &bad.display().to_string()]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not-a-program.elf") && err.contains("not an ELF"), "{err}");
}

#[test]
fn bench_vm_prints_one_json_line() {
    let out = zkprove(&[
        "bench",
        "vm",
        &program("sha256.elf"),
        "--reps",
        "1",
        "--shard-log",
        "14",
        "--max-prove-cycles",
        "0",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    assert_eq!(v["kernel"], "vm");
    assert_eq!(v["device"], "cpu");
    let cycles = v["cycles"].as_u64().expect("cycles");
    assert!(cycles > 1 << 18);
    assert_eq!(v["shards"].as_u64(), Some(cycles.div_ceil(1 << 14)));
    for key in ["median_ms", "mhz", "exec_mhz", "fast_mhz"] {
        let x = v[key].as_f64().expect("a number");
        assert!(x > 0.0 && x.is_finite(), "{key}");
    }
    for key in ["prove_ms", "prove_segments", "prove_cycles_per_s"] {
        assert!(v[key].is_null(), "{key}");
    }
    assert_eq!(v["exit_code"], 0);
}

#[test]
fn bench_vm_times_a_proof_in_segments() {
    // The primes below 200: a few thousand cycles, three or so segments of 2^10.
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.bin");
    std::fs::write(&input, 200u32.to_le_bytes()).expect("write");
    let out = zkprove(&[
        "bench",
        "vm",
        &program("sieve.elf"),
        "--input",
        &input.display().to_string(),
        "--reps",
        "1",
        "--segment-log",
        "10",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    let cycles = v["cycles"].as_u64().expect("cycles");
    assert!(cycles > 1 << 10, "{cycles}");
    assert_eq!(v["prove_segments"].as_u64(), Some(cycles.div_ceil(1 << 10)));
    let ms = v["prove_ms"].as_f64().expect("prove_ms");
    let rate = v["prove_cycles_per_s"].as_f64().expect("prove_cycles_per_s");
    assert!(ms > 0.0 && (rate - cycles as f64 / (ms * 1e-3)).abs() < 1e-6 * rate, "{ms} {rate}");
}

#[test]
fn vm_prove_and_verify_with_statuses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let proof = dir.path().join("proof.bin").display().to_string();
    let output = dir.path().join("out.bin").display().to_string();
    let sum = program("sum.elf");
    let out = zkprove(&["vm", "prove", &sum, "--proof", &proof, "--output", &output]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&output).expect("output"), b"");
    let verify = |elf: &str, proof: &str, code: &str| {
        zkprove(&["vm", "verify", elf, proof, "--output", &output, "--exit-code", code])
    };
    assert_eq!(verify(&sum, &proof, "5050").status.code(), Some(0));
    // Another exit code, another program: invalid (1).
    assert_eq!(verify(&sum, &proof, "5051").status.code(), Some(1));
    assert_eq!(verify(&program("fib.elf"), &proof, "5050").status.code(), Some(1));
    // A flipped byte in the proof: invalid (1) or, if it breaks the encoding, bad input (3).
    let bytes = std::fs::read(&proof).expect("proof");
    let flipped = dir.path().join("flipped.bin");
    let mut b = bytes.clone();
    b[bytes.len() / 2] ^= 0x10;
    std::fs::write(&flipped, &b).expect("write");
    let code = verify(&sum, &flipped.display().to_string(), "5050").status.code();
    assert!(code == Some(1) || code == Some(3), "{code:?}");
    // Truncated or foreign proof files, a missing file: bad input (3), the file named.
    let cut = dir.path().join("cut.bin");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).expect("write");
    let out = verify(&sum, &cut.display().to_string(), "5050");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut.bin") && err.contains("truncated"), "{err}");
    let out = verify(&sum, &sum, "5050");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a zkprove proof"));
    assert_eq!(verify(&sum, "/nonexistent/proof.bin", "5050").status.code(), Some(3));
    // A program with an instruction the proof does not cover (`fence`, then exit): refused,
    // named, status 3.
    let fence = dir.path().join("fence.elf");
    std::fs::write(&fence, fence_elf()).expect("write");
    let out = zkprove(&["vm", "prove", &fence.display().to_string(), "--proof", &proof]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("has no AIR yet") && stderr.contains("fence"), "{stderr}");
}

/// A static ELF32 RISC-V executable: `fence; addi a7, x0, 93; ecall` at 0x10000.
fn fence_elf() -> Vec<u8> {
    let code = [0x0ff0_000fu32, (93 << 20) | (17 << 7) | 0x13, 0x73];
    let mut out = vec![0x7f, b'E', b'L', b'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    for v in [2u16, 243] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [1u32, 0x1_0000, 52, 0, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [52u16, 32, 1, 40, 0, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [1u32, 0x1000, 0x1_0000, 0x1_0000, 12, 12, 5, 0x1000] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.resize(0x1000, 0);
    out.extend(code.iter().flat_map(|w| w.to_le_bytes()));
    out
}

#[test]
fn vm_prove_on_opencl_gives_the_cpu_proof() {
    let listed = zkprove(&["devices", "--json"]);
    if !String::from_utf8_lossy(&listed.stdout).contains("\"opencl\"") {
        eprintln!("skipped: no OpenCL device");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let sum = program("sum.elf");
    let mut proofs = Vec::new();
    for device in ["cpu", "opencl"] {
        let proof = dir.path().join(format!("{device}.bin")).display().to_string();
        let out = zkprove(&["vm", "prove", &sum, "--proof", &proof, "--device", device]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{device}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        proofs.push(std::fs::read(&proof).expect("proof"));
    }
    assert!(proofs[0] == proofs[1], "the OpenCL proof is the CPU's, byte for byte");
}

#[test]
fn vm_prove_in_small_segments_and_verify() {
    let dir = tempfile::tempdir().expect("tempdir");
    let proof = dir.path().join("proof.bin").display().to_string();
    let sum = program("sum.elf");
    // sum.S runs 318 cycles: 5 segments of 2^6.
    let out = zkprove(&["vm", "prove", &sum, "--proof", &proof, "--segment-log", "6"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("5 segment(s) of 2^6 cycles"), "{stderr}");
    let verify = |code: &str| zkprove(&["vm", "verify", &sum, &proof, "--exit-code", code]);
    assert_eq!(verify("5050").status.code(), Some(0));
    assert_eq!(verify("5051").status.code(), Some(1));
    // A segment size out of range: bad input (3).
    let out = zkprove(&["vm", "prove", &sum, "--proof", &proof, "--segment-log", "21"]);
    assert_eq!(out.status.code(), Some(3));
}
