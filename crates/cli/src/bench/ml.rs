//! `zkprove bench ml`: one zkML proof, timed. `--model M.onnx` proves an inference of an ONNX
//! model on a random input; `--matmul N` proves one int8 product `C = A·B` of two random `N × N`
//! matrices ([`zkprove_ml::matmul`]: `A` committed once, `B` and `C` the public input and output).
//! The weights (`A`) are committed once, outside the timed region (`commit_ms` reports that).
//! For `--matmul`, `median_ms` is the proof of an already computed `C` (hashing `B` and `C` into
//! the transcript, the sumcheck, the opening); the `O(N³)` integer product itself is timed
//! separately as `product_ms` (median over the same reps), and `total_ms` = `product_ms` +
//! `median_ms`. One JSON line with `--json`: `{"kernel":"ml","field":"m31","log_n":…,
//! "device":"cpu","median_ms":…,"reps":…,"threads":…,"verify_ms":…,"proof_bytes":…,
//! "commit_ms":…,"n_params":…,"model":…,"security_bits":…[,"product_ms":…,"total_ms":…]}` with
//! `log_n` = log2 of the parameter count (rounded up) and `median_ms` the prover's time.
//!
//! `--device cuda|opencl` commits and proves on a GPU backend (zkprove-ml's `MlBackend`: the
//! weights' circle code and Merkle tree, and every sumcheck's folds and rounds, on the device;
//! the forward pass, the int8 GEMM, the sumcheck tables' restrictions and the opening's row
//! combination stay on the CPU), and checks that the proof is the CPU's bytes before timing;
//! `device` in the report names it. A device that is absent is an error naming the option.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use zkprove_gpu::{CudaBackend, OpenClBackend};
use zkprove_ml::matmul::{
    CommittedMatrix, MAX_N, matmul_security_bits, product, prove_matmul, prove_matmul_on,
    verify_matmul,
};
use zkprove_ml::pcs::PcsParams;
use zkprove_ml::{CommittedModel, MlBackend, QuantModel};
use zkprove_poly::CpuBackend;

use super::report::{Report, median, thread_pool, time_reps};
use crate::commands::ml::{QuantArgs, load_quantized};
use crate::device::{Device, resolve_device};

/// Arguments of `zkprove bench ml`.
#[derive(Debug, Args)]
pub struct BenchMlArgs {
    /// An ONNX model to prove.
    #[arg(long, conflicts_with = "matmul")]
    model: Option<PathBuf>,
    /// Instead of a model: the int8 product of two `N × N` matrices.
    #[arg(long)]
    matmul: Option<usize>,
    #[command(flatten)]
    quant: QuantArgs,
    /// Where to run: `cpu`, or a GPU backend (`cuda`, `opencl`; `auto` is CUDA when usable).
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
    /// Timed repetitions after one warm-up (the median is reported).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    reps: u32,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON line instead of text.
    #[arg(long)]
    json: bool,
}

/// The extra fields of `bench ml`.
#[derive(Debug, Serialize)]
struct MlFields {
    verify_ms: f64,
    proof_bytes: usize,
    commit_ms: f64,
    n_params: usize,
    model: String,
    security_bits: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    product_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_ms: Option<f64>,
}

/// Runs `zkprove bench ml`.
pub fn run(args: BenchMlArgs) -> Result<()> {
    match resolve_device(args.device)? {
        Device::Cuda => run_on::<CudaBackend>(&args, "cuda"),
        Device::Opencl => run_on::<OpenClBackend>(&args, "opencl"),
        Device::Cpu | Device::Auto => run_on::<CpuBackend>(&args, "cpu"),
    }
}

/// `bench ml` on backend `B` (`device` names it in the report).
fn run_on<B: MlBackend>(args: &BenchMlArgs, device: &'static str) -> Result<()> {
    let pool = thread_pool(args.threads)?;
    let mut rng = StdRng::seed_from_u64(7);
    let (quant, name): (QuantModel, String) = match (&args.model, args.matmul) {
        (Some(p), None) => (load_quantized(p, &args.quant)?, p.display().to_string()),
        (None, Some(n)) if n > 0 && n <= MAX_N => {
            return run_matmul::<B>(args, n, &mut rng, device);
        }
        _ => bail!("give --model FILE or --matmul N (0 < N ≤ {MAX_N})"),
    };
    let n_params: usize = quant.layers.iter().map(|l| l.weight.len() + l.bias.len()).sum();
    let input: Vec<f32> = (0..quant.n_in())
        .map(|_| rng.random_range(-1.0f32..1.0) * args.quant.input_range)
        .collect();
    let report = pool.install(|| -> Result<Report<MlFields>> {
        let start = Instant::now();
        let cm = CommittedModel::new_on::<B>(quant, PcsParams::default())?;
        let commit_ms = start.elapsed().as_secs_f64() * 1e3;
        let samples = time_reps(args.reps, || Ok(zkprove_ml::prove_on::<B>(&cm, &input)?))?;
        let (y, proof) = samples.warm_up.clone();
        if device != "cpu" && zkprove_ml::prove(&cm, &input)?.1 != proof {
            bail!("the {device} proof differs from the CPU's");
        }
        let mut verify_ms = Vec::new();
        for _ in 0..args.reps {
            let start = Instant::now();
            zkprove_ml::verify(&cm.commitment, &input, &y, &proof)?;
            verify_ms.push(start.elapsed().as_secs_f64() * 1e3);
        }
        Ok(Report {
            kernel: "ml",
            field: Some("m31"),
            log_n: n_params.next_power_of_two().trailing_zeros(),
            device,
            median_ms: samples.median_ms(),
            reps: args.reps,
            threads: rayon::current_num_threads(),
            extra: MlFields {
                verify_ms: median(verify_ms),
                proof_bytes: proof.to_bytes().len(),
                commit_ms,
                n_params,
                model: name,
                security_bits: zkprove_ml::proof::security_bits(&cm.commitment),
                product_ms: None,
                total_ms: None,
            },
        })
    })?;
    report.print(args.json, |r| {
        let m = &r.extra;
        format!(
            "ml {} ({} params) on {} ({} threads): prove median {:.1} ms, verify {:.1} ms, proof {} bytes, \
             commit once {:.1} ms, {:.1} bits, over {} reps",
            m.model, m.n_params, r.device, r.threads, r.median_ms, m.verify_ms, m.proof_bytes, m.commit_ms, m.security_bits, r.reps
        )
    })
}

/// `--matmul N`: `C = A·B`, both random int8 `N × N`.
fn run_matmul<B: MlBackend>(
    args: &BenchMlArgs,
    n: usize,
    rng: &mut StdRng,
    device: &'static str,
) -> Result<()> {
    let pool = thread_pool(args.threads)?;
    let a: Vec<i8> = (0..n * n).map(|_| rng.random_range(-128i32..128) as i8).collect();
    let b: Vec<i8> = (0..n * n).map(|_| rng.random_range(-128i32..128) as i8).collect();
    let report = pool.install(|| -> Result<Report<MlFields>> {
        let start = Instant::now();
        let cm = CommittedMatrix::new_on::<B>(n, a.clone(), PcsParams::default())?;
        let commit_ms = start.elapsed().as_secs_f64() * 1e3;
        let mut product_ms = Vec::new();
        let mut c = Vec::new();
        for _ in 0..args.reps {
            let start = Instant::now();
            c = product(n, &a, &b);
            product_ms.push(start.elapsed().as_secs_f64() * 1e3);
        }
        let samples = time_reps(args.reps, || Ok(prove_matmul_on::<B>(&cm, &b, &c)?))?;
        let proof = samples.warm_up.clone();
        if device != "cpu" && prove_matmul(&cm, &b, &c)? != proof {
            bail!("the {device} proof differs from the CPU's");
        }
        let mut verify_ms = Vec::new();
        for _ in 0..args.reps {
            let start = Instant::now();
            verify_matmul(&cm.commitment, &b, &c, &proof)?;
            verify_ms.push(start.elapsed().as_secs_f64() * 1e3);
        }
        let product_ms = median(product_ms);
        let median_ms = samples.median_ms();
        Ok(Report {
            kernel: "ml",
            field: Some("m31"),
            log_n: (n * n).next_power_of_two().trailing_zeros(),
            device,
            median_ms,
            reps: args.reps,
            threads: rayon::current_num_threads(),
            extra: MlFields {
                verify_ms: median(verify_ms),
                proof_bytes: proof.to_bytes().len(),
                commit_ms,
                n_params: n * n,
                model: format!("matmul-{n}x{n}x{n}"),
                security_bits: matmul_security_bits(&cm.commitment),
                product_ms: Some(product_ms),
                total_ms: Some(product_ms + median_ms),
            },
        })
    })?;
    report.print(args.json, |r| {
        let m = &r.extra;
        format!(
            "ml {} on {} ({} threads): product {:.1} ms, prove median {:.1} ms (product excluded), \
             verify {:.1} ms, proof {} bytes, commit A once {:.1} ms, {:.1} bits, over {} reps",
            m.model,
            r.device,
            r.threads,
            m.product_ms.unwrap_or(0.0),
            r.median_ms,
            m.verify_ms,
            m.proof_bytes,
            m.commit_ms,
            m.security_bits,
            r.reps
        )
    })
}
