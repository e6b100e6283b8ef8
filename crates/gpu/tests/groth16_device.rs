//! Groth16 on the GPU backends against the CPU backend: the bundled example (`examples/multiplier`)
//! proved with the same blinding `r, s` on the CPU and on the device must give the same proof, and
//! it must verify; the H query's scalars computed on the device (the quotient: A·w, B·w, the coset
//! NTTs and A·B − C, all in device memory) must equal the CPU's, on the example and on random
//! matrices of 2^10 rows. [`Groth16Prover::prove_stream`] proves a sequence of witnesses in order
//! (errors in place, each proof verifying against its own witness's public signals), pulling one
//! witness ahead on a device and none ahead on the CPU. OpenCL runs on PoCL in CI (skips without an OpenCL device unless
//! `ZKPROVE_REQUIRE_OPENCL=1`); CUDA skips without a device.

#![cfg(all(feature = "cuda", feature = "opencl"))]

use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zkprove_circom::{Coeff, Coefficients, Matrix, Witness};
use zkprove_field::Field;
use zkprove_field::bn254::Fr;
use zkprove_gpu::{ClDevice, CudaBackend, CudaDevice, OpenClBackend};
use zkprove_groth16::{
    Groth16Backend, Groth16Error, Groth16Prover, SparseMatrix, cpu_quotient, quotient, setup,
    verify,
};

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
    // Two threads proving at once on one device (interleaved kernels; on CUDA each witness goes
    // up on the transfer stream while the other proof's kernels run): the same proof each.
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| dev.prove_with_blinding(&witness.values, r, s)))
            .collect();
        for t in threads {
            let got = t.join().expect("thread").expect("concurrent device proof");
            assert_eq!(got, want, "{} concurrent proof differs from the CPU's", B::NAME);
        }
    });
    // Fresh randomness: still a valid proof.
    dev.prove_verified(&witness.values).expect("verified device proof");
    // The quotient computed on the device is the CPU's.
    let want = cpu.h_scalars(&witness.values).expect("cpu h");
    assert_eq!(dev.h_scalars(&witness.values).expect("device h"), want, "{} H scalars", B::NAME);
}

/// Random A and B matrices of `2^log_n` rows over `n_vars` signals (repeated cells, ±1 and a few
/// random values, empty rows) and a random witness: the device quotient equals [`cpu_quotient`].
fn random_quotient_matches_cpu<B: Groth16Backend>(log_n: usize, n_vars: usize, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let values = [Fr::ONE, -Fr::ONE, Fr::random(&mut rng), Fr::random(&mut rng)];
    let n = 1usize << log_n;
    let mut coeffs = Vec::new();
    for matrix in [Matrix::A, Matrix::B] {
        for constraint in 0..n as u32 {
            for _ in 0..rng.random_range(0..4) {
                coeffs.push(Coeff {
                    matrix,
                    constraint,
                    signal: rng.random_range(0..n_vars as u32),
                    value: values[rng.random_range(0..values.len())],
                });
            }
        }
    }
    let coeffs = Coefficients::from_coeffs(coeffs).expect("coefficients");
    let a = SparseMatrix::from_coeffs(&coeffs, Matrix::A, n);
    let b = SparseMatrix::from_coeffs(&coeffs, Matrix::B, n);
    let witness: Vec<Fr> = (0..n_vars).map(|_| Fr::random(&mut rng)).collect();
    let needed = a.n_cols_used().max(b.n_cols_used());
    let want = cpu_quotient(&a, &b, &witness, log_n).expect("cpu quotient");
    let matrices = B::prepare_matrices(a, b, n_vars, log_n).expect("matrices");
    let w = B::upload(&witness).expect("upload");
    let got = quotient::<B>(&matrices, &w).expect("device quotient");
    assert_eq!(B::download(&got).expect("download"), want, "{} quotient, 2^{log_n}", B::NAME);
    // A witness column shorter than the matrices' columns is refused, not read out of bounds.
    if n_vars > 1 {
        let short = B::upload(&witness[..n_vars / 2]).expect("upload");
        let err = quotient::<B>(&matrices, &short).err();
        assert!(
            matches!(err, Some(Groth16Error::WitnessLength { .. })) || n_vars / 2 >= needed,
            "{}: {err:?}",
            B::NAME
        );
    }
}

/// A stream of six witnesses of one mul-chain circuit (2^8 rows) — four valid, one too short, one
/// with a wrong output — proved in order; `ahead` is how many witnesses the stream may have pulled
/// when it returns its first proof (2 on a device: the next proof is queued first; 1 on the CPU).
fn stream_proves_each_witness<B: Groth16Backend>(ahead: usize) {
    let mut rng = StdRng::seed_from_u64(77);
    let (r1cs, w0) = setup::mul_chain(8, &mut rng).expect("circuit");
    let zkey = setup::setup(&r1cs, &mut rng).expect("setup");
    let prover = Groth16Prover::<B>::from_zkey(zkey).expect("key");
    let others: Vec<Vec<Fr>> =
        (0..3).map(|_| setup::mul_chain(8, &mut rng).expect("witness").1).collect();
    let short = w0[..w0.len() - 1].to_vec();
    let mut wrong = others[0].clone();
    wrong[1] += Fr::ONE;
    let witnesses =
        [w0.clone(), others[0].clone(), short, wrong.clone(), others[1].clone(), others[2].clone()];

    let pulled = std::cell::Cell::new(0usize);
    let counted = witnesses.iter().inspect(|_| pulled.set(pulled.get() + 1));
    let mut stream = prover.prove_stream(counted, true);
    let first = stream.next().expect("a first item");
    assert_eq!(pulled.get(), ahead, "{}: witnesses pulled for the first proof", B::NAME);
    let results: Vec<_> = std::iter::once(first).chain(stream).collect();
    assert_eq!(results.len(), witnesses.len(), "{}: one item per witness", B::NAME);
    for (i, (result, w)) in results.iter().zip(&witnesses).enumerate() {
        match i {
            2 => assert!(
                matches!(result, Err(Groth16Error::WitnessLength { .. })),
                "{}: item {i}: {result:?}",
                B::NAME
            ),
            3 => assert!(
                matches!(result, Err(Groth16Error::InvalidProof)),
                "{}: item {i}: {result:?}",
                B::NAME
            ),
            _ => {
                let proof =
                    result.as_ref().unwrap_or_else(|e| panic!("{}: item {i}: {e}", B::NAME));
                verify(prover.verification_key(), &w[1..2], proof)
                    .unwrap_or_else(|e| panic!("{}: proof {i} against its signals: {e}", B::NAME));
            }
        }
    }
    // Unverified, the wrong witness still yields a proof, which does not verify; an empty stream
    // yields nothing.
    let proofs: Vec<_> = prover.prove_stream([&wrong, &w0], false).collect();
    let bad = proofs[0].as_ref().expect("an unverified proof");
    assert!(verify(prover.verification_key(), &wrong[1..2], bad).is_err());
    verify(prover.verification_key(), &w0[1..2], proofs[1].as_ref().expect("proof")).expect("ok");
    assert_eq!(prover.prove_stream(Vec::<Vec<Fr>>::new(), true).count(), 0);
}

#[test]
fn cpu_stream_proves_each_witness() {
    stream_proves_each_witness::<zkprove_poly::CpuBackend>(1);
}

#[test]
fn opencl_stream_proves_each_witness() {
    if !opencl_or_skip() {
        return;
    }
    stream_proves_each_witness::<OpenClBackend>(2);
}

fn opencl_or_skip() -> bool {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
    if let Err(e) = ClDevice::get() {
        assert!(
            !std::env::var("ZKPROVE_REQUIRE_OPENCL").is_ok_and(|v| v == "1"),
            "ZKPROVE_REQUIRE_OPENCL=1 but: {e}"
        );
        eprintln!("skipped: no OpenCL device ({e})");
        return false;
    }
    true
}

#[test]
fn opencl_quotient_equals_cpu_quotient() {
    if !opencl_or_skip() {
        return;
    }
    for (log_n, n_vars, seed) in [(0, 3, 1), (1, 5, 2), (4, 20, 3), (10, 700, 4)] {
        random_quotient_matches_cpu::<OpenClBackend>(log_n, n_vars, seed);
    }
}

#[test]
fn opencl_proof_equals_cpu_proof() {
    if !opencl_or_skip() {
        return;
    }
    same_proof_as_cpu::<OpenClBackend>();
}

#[test]
fn cuda_proof_equals_cpu_proof() {
    let _ = zkprove_gpu::configure(
        zkprove_gpu::GpuConfig::from_vars(|k| std::env::var(k).ok())
            .expect("ZKPROVE_GPU_* variables"),
    );
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
    stream_proves_each_witness::<CudaBackend>(2);
    for (log_n, n_vars, seed) in [(0, 3, 1), (4, 20, 3), (12, 3000, 5)] {
        random_quotient_matches_cpu::<CudaBackend>(log_n, n_vars, seed);
    }
}
