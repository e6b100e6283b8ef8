//! `zkprove groth16 prove --device …`: `auto` proves everywhere (the CPU when no CUDA GPU is
//! usable), `opencl` proves through OpenCL (PoCL in CI; skipped without an OpenCL device) and the
//! proof verifies, `cuda` without a CUDA device is a clear error (skipped where one is present).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn zkprove(args: &[&Path], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zkprove"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the zkprove binary runs")
}

fn example(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multiplier").join(file)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkprove-cli-dev-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Proves the example on `device` and verifies the written proof.
fn prove_and_verify(device: &str, env: &[(&str, &str)]) -> Output {
    let dir = scratch(device);
    let (proof, public) = (dir.join("proof.json"), dir.join("public.json"));
    let p = Path::new;
    let out = zkprove(
        &[
            p("groth16"),
            p("prove"),
            &example("circuit.zkey"),
            &example("witness.wtns"),
            &proof,
            &public,
            p("--device"),
            p(device),
        ],
        env,
    );
    if out.status.success() {
        let vk = example("verification_key.json");
        let v = zkprove(&[p("groth16"), p("verify"), &vk, &public, &proof], &[]);
        assert_eq!(v.status.code(), Some(0), "{device}: {}", stderr(&v));
    }
    out
}

/// Whether an OpenCL device is there; without one, a skip (a failure under
/// `ZKPROVE_REQUIRE_OPENCL=1`).
fn opencl_or_skip() -> bool {
    if zkprove_gpu::ClDevice::get().is_ok() {
        return true;
    }
    assert!(
        !std::env::var("ZKPROVE_REQUIRE_OPENCL").is_ok_and(|v| v == "1"),
        "ZKPROVE_REQUIRE_OPENCL=1 but no OpenCL device"
    );
    eprintln!("skipped: no OpenCL device");
    false
}

#[test]
fn auto_proves_on_whatever_is_usable() {
    let out = prove_and_verify("auto", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn opencl_proof_verifies() {
    if !opencl_or_skip() {
        return;
    }
    let out = prove_and_verify("opencl", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "fell back to the CPU: {}", stderr(&out));
}

#[test]
fn cuda_without_a_device_is_a_clear_error() {
    let out = prove_and_verify("cuda", &[("ZKPROVE_DISABLE_CUDA", "1")]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("cuda"), "{err}");
}

/// `groth16 prove-many --device opencl`: the witnesses are proved through the stream on the device;
/// one that does not satisfy the circuit fails verification there, is tried again on the CPU with
/// a warning, fails there too and is reported (exit status 1), and the others' proofs verify.
#[test]
fn opencl_prove_many_falls_back_per_proof() {
    if !opencl_or_skip() {
        return;
    }
    let dir = scratch("prove-many");
    let witness = std::fs::read(example("witness.wtns")).expect("example witness");
    // The last signal's lowest bit flipped: a well-formed witness that satisfies nothing.
    let mut wrong = witness.clone();
    let last = wrong.len() - 32;
    wrong[last] ^= 1;
    let (a, bad, b) = (dir.join("a.wtns"), dir.join("bad.wtns"), dir.join("b.wtns"));
    std::fs::write(&a, &witness).expect("write");
    std::fs::write(&bad, &wrong).expect("write");
    std::fs::write(&b, &witness).expect("write");
    let out_dir = dir.join("out");
    let p = Path::new;
    let zkey = example("circuit.zkey");
    let out = zkprove(
        &[p("groth16"), p("prove-many"), &zkey, &out_dir, &a, &bad, &b, p("--device"), p("opencl")],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("bad.wtns on opencl failed") && err.contains("on the CPU instead"),
        "{err}"
    );
    assert!(err.contains("proved 2 of 3 witnesses on opencl"), "{err}");
    let vk = example("verification_key.json");
    for name in ["a", "b"] {
        let proof = out_dir.join(format!("{name}.proof.json"));
        let public = out_dir.join(format!("{name}.public.json"));
        let v = zkprove(&[p("groth16"), p("verify"), &vk, &public, &proof], &[]);
        assert_eq!(v.status.code(), Some(0), "{name}: {}", stderr(&v));
    }
    assert!(!out_dir.join("bad.proof.json").exists());
}
