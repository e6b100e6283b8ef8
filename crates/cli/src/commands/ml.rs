//! `zkprove ml`: commit to a model's weights, prove an inference, verify a proof.
//!
//! - `zkprove ml commit model.onnx --out model.commit.json [--device cpu|cuda|opencl|auto]`
//!   (on a GPU the circle code and the Merkle tree of the weights run on the device; the
//!   commitment is the CPU's bytes; a device that fails is reported and the CPU commits instead)
//! - `zkprove ml prove model.onnx input.json --proof proof.bin --output output.json
//!   [--device cpu|cuda|opencl|auto]` (default `cpu`; on a GPU the weights are committed and the
//!   sumchecks run on the device, the proof is the CPU's bytes; a device proof that fails or does
//!   not verify is made again on the CPU, with a warning)
//! - `zkprove ml verify model.commit.json input.json output.json proof.bin` (exit 0 valid,
//!   1 invalid, 3 bad input)
//!
//! `input.json` is `{"input": [numbers…]}`; `output.json` is `{"output": [floats…],
//! "output_quantized": [integers…], "scale": [per-output scales…], "weights_root": […]}`. The
//! quantization options (`--input-range`, `--per-tensor`, `--calibration`) must be the same for
//! `commit` and `prove`: they set the scales, which the commitment binds.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use zkprove_gpu::{CudaBackend, OpenClBackend};
use zkprove_ml::pcs::PcsParams;
use zkprove_ml::{
    CommittedModel, MlBackend, MlError, ModelCommitment, Proof, QuantConfig, QuantModel,
};
use zkprove_poly::CpuBackend;

use crate::device::{Device, resolve_device};

/// Arguments of `zkprove ml`.
#[derive(Debug, Args)]
pub struct MlArgs {
    #[command(subcommand)]
    command: MlCommand,
}

#[derive(Debug, Subcommand)]
enum MlCommand {
    /// Quantize an ONNX model and commit to its weights (once per model).
    Commit(CommitArgs),
    /// Run the quantized model on an input and prove the output.
    Prove(ProveArgs),
    /// Check a proof against the commitment, the input and the claimed output.
    Verify(VerifyArgs),
}

/// How the model is quantized (must match between `commit` and `prove`).
#[derive(Debug, Args, Clone)]
pub struct QuantArgs {
    /// The largest |x| of an input feature (the input scale is this / 127).
    #[arg(long, default_value_t = 1.0)]
    pub input_range: f32,
    /// One weight scale per tensor instead of per output channel.
    #[arg(long)]
    pub per_tensor: bool,
    /// Calibration inputs, `{"inputs": [[…], …]}`, that set the activation scales (default:
    /// synthetic inputs uniform in ±input-range).
    #[arg(long)]
    pub calibration: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct CommitArgs {
    /// The ONNX model.
    model: PathBuf,
    /// Where to write the commitment (JSON).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    quant: QuantArgs,
    /// Where to commit: the CPU (default) or a GPU backend (the weights' circle code and Merkle
    /// tree on the device; the commitment is the same bytes). `--device cuda|opencl` without
    /// such a device is an error; `auto` is CUDA when usable, else the CPU.
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
}

#[derive(Debug, Args)]
struct ProveArgs {
    /// The ONNX model.
    model: PathBuf,
    /// The input, `{"input": [numbers…]}`.
    input: PathBuf,
    /// Where to write the proof.
    #[arg(long)]
    proof: PathBuf,
    /// Where to write the output.
    #[arg(long)]
    output: PathBuf,
    #[command(flatten)]
    quant: QuantArgs,
    /// Where to prove: the CPU (default), or a GPU backend (the weights' commitment and every
    /// sumcheck on the device; the proof is the same bytes). `--device cuda|opencl` without such
    /// a device is an error; `auto` is CUDA when usable, else the CPU.
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// The commitment written by `ml commit`.
    commitment: PathBuf,
    /// The input.
    input: PathBuf,
    /// The claimed output.
    output: PathBuf,
    /// The proof.
    proof: PathBuf,
}

#[derive(Debug, Deserialize)]
struct InputFile {
    input: Vec<f32>,
}

#[derive(Debug, Deserialize)]
struct CalibrationFile {
    inputs: Vec<Vec<f32>>,
}

/// `output.json`.
#[derive(Debug, Serialize, Deserialize)]
pub struct OutputFile {
    /// The dequantized output.
    pub output: Vec<f32>,
    /// The integer output the proof is about.
    pub output_quantized: Vec<i64>,
    /// Per output: `output = output_quantized · scale`.
    pub scale: Vec<f32>,
    /// The root of the weights commitment the proof was made against.
    pub weights_root: Vec<u32>,
}

fn bad_input(path: &Path, reason: impl std::fmt::Display) -> MlError {
    MlError::InvalidInput { reason: format!("{}: {reason}", path.display()) }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| MlError::Io { path: path.display().to_string(), reason: e.to_string() })?;
    Ok(serde_json::from_str(&text).map_err(|e| bad_input(path, e))?)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// Loads and quantizes a model as `commit` and `prove` do.
pub fn load_quantized(model: &Path, q: &QuantArgs) -> Result<QuantModel> {
    let float = zkprove_ml::load_onnx(model)?;
    let calibration = match &q.calibration {
        Some(p) => read_json::<CalibrationFile>(p)?.inputs,
        None => Vec::new(),
    };
    let cfg = QuantConfig {
        per_channel: !q.per_tensor,
        input_range: q.input_range,
        calibration,
        ..QuantConfig::default()
    };
    Ok(QuantModel::quantize(&float, &cfg)?)
}

/// A committed model, the output and its proof.
type Proved = (CommittedModel, Vec<i64>, Proof);

/// Commits and proves on backend `B`, then verifies (on the CPU) before anything is written.
fn prove_verified<B: MlBackend>(quant: QuantModel, input: &[f32]) -> Result<Proved> {
    let cm = CommittedModel::new_on::<B>(quant, PcsParams::default())?;
    let (y, proof) = zkprove_ml::prove_on::<B>(&cm, input)?;
    zkprove_ml::verify(&cm.commitment, input, &y, &proof)
        .context("the fresh proof failed verification")?;
    Ok((cm, y, proof))
}

/// [`prove_verified`] on a GPU backend; when the device fails or its proof does not verify, the
/// failure is reported (naming the device) and the proof is made on the CPU instead.
fn prove_gpu<B: MlBackend>(quant: QuantModel, input: &[f32]) -> Result<Proved> {
    match prove_verified::<B>(quant.clone(), input) {
        Ok(p) => Ok(p),
        Err(e) => {
            eprintln!("warning: proving on {} failed: {e:#}; proving on the CPU instead", B::NAME);
            tracing::warn!(device = B::NAME, "proving on the device failed: {e:#}");
            prove_verified::<CpuBackend>(quant, input)
        }
    }
}

/// Commits to the weights on the GPU backend `B`; when the device fails, the failure is reported
/// (naming the device) and the CPU commits instead (the commitment is the same bytes).
fn commit_gpu<B: MlBackend>(quant: QuantModel) -> Result<CommittedModel> {
    match CommittedModel::new_on::<B>(quant.clone(), PcsParams::default()) {
        Ok(cm) => Ok(cm),
        Err(e) => {
            eprintln!("warning: committing on {} failed: {e:#}; committing on the CPU", B::NAME);
            tracing::warn!(device = B::NAME, "committing on the device failed: {e:#}");
            Ok(CommittedModel::new(quant, PcsParams::default())?)
        }
    }
}

/// Runs `zkprove ml`.
pub fn run(args: MlArgs) -> Result<()> {
    match args.command {
        MlCommand::Commit(a) => {
            let device = resolve_device(a.device)?;
            let quant = load_quantized(&a.model, &a.quant)?;
            let cm = match device {
                Device::Cuda => commit_gpu::<CudaBackend>(quant)?,
                Device::Opencl => commit_gpu::<OpenClBackend>(quant)?,
                Device::Cpu | Device::Auto => CommittedModel::new(quant, PcsParams::default())?,
            };
            write_file(&a.out, serde_json::to_string_pretty(&cm.commitment)?.as_bytes())?;
            eprintln!(
                "committed {} ({} layers, security {:.1} bits) to {}",
                a.model.display(),
                cm.commitment.layers.len(),
                zkprove_ml::proof::security_bits(&cm.commitment),
                a.out.display()
            );
            Ok(())
        }
        MlCommand::Prove(a) => {
            let device = resolve_device(a.device)?;
            let quant = load_quantized(&a.model, &a.quant)?;
            let input: InputFile = read_json(&a.input)?;
            let (cm, y, proof) = match device {
                Device::Cuda => prove_gpu::<CudaBackend>(quant, &input.input)?,
                Device::Opencl => prove_gpu::<OpenClBackend>(quant, &input.input)?,
                Device::Cpu | Device::Auto => prove_verified::<CpuBackend>(quant, &input.input)?,
            };
            let scale: Vec<f32> = (0..y.len()).map(|j| cm.commitment.output_scale(j)).collect();
            let out = OutputFile {
                output: y.iter().zip(&scale).map(|(&v, &s)| v as f32 * s).collect(),
                output_quantized: y,
                scale,
                weights_root: cm.commitment.weights_root.clone(),
            };
            write_file(&a.proof, &proof.to_bytes())?;
            write_file(&a.output, serde_json::to_string_pretty(&out)?.as_bytes())?;
            Ok(())
        }
        MlCommand::Verify(a) => {
            let com: ModelCommitment = read_json(&a.commitment)?;
            com.validate()?;
            let input: InputFile = read_json(&a.input)?;
            let out: OutputFile = read_json(&a.output)?;
            let bytes = std::fs::read(&a.proof).map_err(|e| MlError::Io {
                path: a.proof.display().to_string(),
                reason: e.to_string(),
            })?;
            let proof = Proof::from_bytes(&bytes)?;
            if out.output.len() != out.output_quantized.len() {
                return Err(MlError::Rejected {
                    check: "output and output_quantized differ in length".into(),
                }
                .into());
            }
            for (j, (&f, &q)) in out.output.iter().zip(&out.output_quantized).enumerate() {
                let expected = q as f32 * com.output_scale(j);
                if (f - expected).abs() > 1e-5 * expected.abs().max(1.0) {
                    return Err(MlError::Rejected {
                        check: format!("output {j} is not output_quantized · scale"),
                    }
                    .into());
                }
            }
            zkprove_ml::verify(&com, &input.input, &out.output_quantized, &proof)?;
            println!("valid");
            Ok(())
        }
    }
}
