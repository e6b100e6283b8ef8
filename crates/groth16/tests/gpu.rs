//! Groth16 on the GPU backends against the CPU backend: the bundled example (`examples/multiplier`)
//! proved with the same blinding `r, s` on the CPU and on the device must give the same proof, and
//! it must verify. OpenCL runs on PoCL in CI (skips without an OpenCL device unless
//! `ZKPROVE_REQUIRE_OPENCL=1`); CUDA skips without a device.

use std::path::{Path, PathBuf};

use zkprove_circom::Witness;
use zkprove_field::Field;
use zkprove_field::bn254::Fr;
use zkprove_gpu::{ClDevice, CudaBackend, CudaDevice, OpenClBackend};
use zkprove_groth16::{Groth16Backend, Groth16Prover, verify};

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multiplier")
}

fn same_proof_as_cpu<B: Groth16Backend>() {
    let dir = example_dir();
    let witness = Witness::open(dir.join("witness.wtns")).expect("witness");
    let cpu =
        Groth16Prover::<zkprove_poly::CpuBackend>::load(dir.join("circuit.zkey")).expect("cpu");
    let t = std::time::Instant::now();
    let dev = Groth16Prover::<B>::load(dir.join("circuit.zkey")).expect("device zkey");
    eprintln!("{}: zkey prepared in {:.2?}", B::NAME, t.elapsed());
    let r = Fr::from_u64(0x1234_5678_9abc);
    let s = -Fr::from_u64(987_654_321);
    let want = cpu.prove_with_blinding(&witness.values, r, s).expect("cpu proof");
    let t = std::time::Instant::now();
    let got = dev.prove_with_blinding(&witness.values, r, s).expect("device proof");
    eprintln!("{}: proof in {:.2?}", B::NAME, t.elapsed());
    assert_eq!(got, want, "{} proof differs from the CPU's", B::NAME);
    let n_public = dev.header().n_public as usize;
    verify(dev.verification_key(), &witness.values[1..=n_public], &got).expect("verifies");
    // Fresh randomness: still a valid proof.
    dev.prove_verified(&witness.values).expect("verified device proof");
}

#[test]
fn opencl_proof_equals_cpu_proof() {
    if let Err(e) = ClDevice::get() {
        assert!(
            !std::env::var("ZKPROVE_REQUIRE_OPENCL").is_ok_and(|v| v == "1"),
            "ZKPROVE_REQUIRE_OPENCL=1 but: {e}"
        );
        eprintln!("skipped: no OpenCL device ({e})");
        return;
    }
    same_proof_as_cpu::<OpenClBackend>();
}

#[test]
fn cuda_proof_equals_cpu_proof() {
    if let Err(e) = CudaDevice::get() {
        eprintln!("skipped: no CUDA device ({e})");
        return;
    }
    if !zkprove_gpu::nvrtc::is_available() && std::env::var_os(zkprove_gpu::CUBIN_DIR_ENV).is_none()
    {
        eprintln!("skipped: NVRTC not found");
        return;
    }
    same_proof_as_cpu::<CudaBackend>();
}
