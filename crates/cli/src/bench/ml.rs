//! `zkprove bench ml`: one zkML proof, timed. `--model M.onnx` proves an inference of an ONNX
//! model on a random input; `--matmul N` proves one int8 matrix–vector product with an `N × N`
//! weight matrix (batch 1: `y = W·x`; a batched `A·B` is not supported yet). The weights are
//! committed once, outside the timed region (`commit_ms` reports that). One JSON line with
//! `--json`: `{"kernel":"ml","field":"m31","log_n":…,"device":"cpu","median_ms":…,"reps":…,
//! "threads":…,"verify_ms":…,"proof_bytes":…,"commit_ms":…,"n_params":…,"model":…,
//! "security_bits":…}` with `log_n` = log2 of the parameter count (rounded up) and `median_ms`
//! the prover's time.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use zkprove_ml::pcs::PcsParams;
use zkprove_ml::{CommittedModel, FloatLayer, FloatModel, QuantConfig, QuantModel};

use super::report::{Report, median, thread_pool, time_reps};
use crate::commands::ml::{QuantArgs, load_quantized};
use crate::device::Device;

/// Arguments of `zkprove bench ml`.
#[derive(Debug, Args)]
pub struct BenchMlArgs {
    /// An ONNX model to prove.
    #[arg(long, conflicts_with = "matmul")]
    model: Option<PathBuf>,
    /// Instead of a model: one int8 `N × N` matrix times a vector.
    #[arg(long)]
    matmul: Option<usize>,
    #[command(flatten)]
    quant: QuantArgs,
    /// Where to run (only `cpu` for now).
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
}

/// Runs `zkprove bench ml`.
pub fn run(args: BenchMlArgs) -> Result<()> {
    super::require_cpu(args.device, "ml")?;
    let pool = thread_pool(args.threads)?;
    let mut rng = StdRng::seed_from_u64(7);
    let (quant, name): (QuantModel, String) = match (&args.model, args.matmul) {
        (Some(p), None) => (load_quantized(p, &args.quant)?, p.display().to_string()),
        (None, Some(n)) if n > 0 => {
            let float = FloatModel {
                layers: vec![FloatLayer {
                    n_in: n,
                    n_out: n,
                    weight: (0..n * n).map(|_| rng.random_range(-1.0f32..1.0)).collect(),
                    bias: vec![0.0; n],
                    relu: false,
                    residual: None,
                }],
            };
            (QuantModel::quantize(&float, &QuantConfig::default())?, format!("matmul-{n}"))
        }
        _ => bail!("give --model FILE or --matmul N (N > 0)"),
    };
    let n_params: usize = quant.layers.iter().map(|l| l.weight.len() + l.bias.len()).sum();
    let input: Vec<f32> = (0..quant.n_in())
        .map(|_| rng.random_range(-1.0f32..1.0) * args.quant.input_range)
        .collect();
    let report = pool.install(|| -> Result<Report<MlFields>> {
        let start = Instant::now();
        let cm = CommittedModel::new(quant, PcsParams::default())?;
        let commit_ms = start.elapsed().as_secs_f64() * 1e3;
        let samples = time_reps(args.reps, || Ok(zkprove_ml::prove(&cm, &input)?))?;
        let (y, proof) = samples.warm_up.clone();
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
            device: "cpu",
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
            },
        })
    })?;
    report.print(args.json, |r| {
        let m = &r.extra;
        format!(
            "ml {} ({} params) on cpu ({} threads): prove median {:.1} ms, verify {:.1} ms, proof {} bytes, \
             commit once {:.1} ms, {:.1} bits, over {} reps",
            m.model, m.n_params, r.threads, r.median_ms, m.verify_ms, m.proof_bytes, m.commit_ms, m.security_bits, r.reps
        )
    })
}
