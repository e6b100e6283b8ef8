//! `zkprove bench groth16 <zkey> <wtns>` or `zkprove bench groth16 --synthetic LOG_N`: the time of
//! a whole proof with the key already loaded (what a long-running prover or the service pays per
//! proof), plus the load time and the peak memory, so it can be compared with
//! `snarkjs groth16 prove` and rapidsnark on the same files.
//!
//! `--synthetic` makes the key and witness in memory (a multiplication chain whose domain has
//! `2^LOG_N` points, with the *insecure* test setup of `zkprove_groth16::setup`), for sizes whose
//! `.zkey` is too large to make with snarkjs or to carry to the machine that benchmarks.
//! `--device cuda|opencl|auto` proves on a GPU; the warm-up proof is always verified on the CPU.
//! `--stream` times proofs as a prover serving a queue makes them (`Groth16Prover::prove_stream`:
//! every proof verified on the CPU, the next one queued on the device first), beside the same
//! proofs made and verified one at a time in the same run.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use zkprove_circom::{Witness, Zkey};
use zkprove_field::bn254::Fr;
use zkprove_gpu::{ClDevice, CudaBackend, CudaDevice, OpenClBackend};
use zkprove_groth16::setup::{mul_chain, setup};
use zkprove_groth16::{Groth16Backend, Groth16Prover, verify};
use zkprove_poly::CpuBackend;

use super::report::{Report, median, thread_pool, time_reps};
use crate::device::{Device, resolve_device};

/// Arguments of `zkprove bench groth16`.
#[derive(Debug, Args)]
pub struct BenchGroth16Args {
    /// The proving key (`.zkey`); not with `--synthetic`.
    #[arg(required_unless_present = "synthetic", conflicts_with = "synthetic")]
    zkey: Option<PathBuf>,
    /// The witness (`.wtns`); not with `--synthetic`.
    #[arg(required_unless_present = "synthetic", conflicts_with = "synthetic")]
    witness: Option<PathBuf>,
    /// Instead of files: a multiplication chain whose domain has 2^LOG_N points (2..=28), its key
    /// made in memory by the insecure test setup (known toxic waste: for benchmarks only).
    #[arg(long, value_name = "LOG_N")]
    synthetic: Option<u32>,
    /// Timed proofs after one warm-up proof.
    #[arg(long, default_value_t = 5)]
    reps: u32,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Where to prove (`auto`: CUDA when usable, else the CPU; the report names the device).
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
    /// Time a stream of proofs (`Groth16Prover::prove_stream`, each verified on the CPU, the next
    /// one queued on the device before the current one is waited for): `median_ms` is then the
    /// median time between consecutive proofs, and `one_by_one_ms` the median of the same proofs
    /// made and verified one at a time (`prove_verified`), measured just before.
    #[arg(long)]
    stream: bool,
    /// One JSON line on stdout.
    #[arg(long)]
    json: bool,
}

/// Where the key and witness come from.
enum Source {
    /// A `.zkey` and a `.wtns`.
    Files { zkey: PathBuf, witness: PathBuf },
    /// `--synthetic LOG_N`.
    Synthetic(u32),
}

impl BenchGroth16Args {
    /// The key's source (clap already enforces files xor `--synthetic`; this says so again in
    /// words for any combination that slips through).
    fn source(&self) -> Result<Source> {
        match (&self.zkey, &self.witness, self.synthetic) {
            (Some(zkey), Some(witness), None) => {
                Ok(Source::Files { zkey: zkey.clone(), witness: witness.clone() })
            }
            (None, None, Some(log_n)) => Ok(Source::Synthetic(log_n)),
            (None, None, None) => {
                bail!("give a proving key and a witness (ZKEY WTNS), or --synthetic LOG_N")
            }
            (Some(_), None, None) => bail!("a witness (WTNS) is needed after the proving key"),
            (_, _, Some(_)) => {
                bail!("--synthetic makes its own key and witness: give no ZKEY or WTNS with it")
            }
            (None, Some(_), None) => bail!("a proving key (ZKEY) is needed before the witness"),
        }
    }
}

/// The extra fields of `bench groth16` (`log_n` is the domain's; there is no `field`).
#[derive(Debug, Serialize)]
struct Groth16Fields {
    /// The device's own name (the GPU's, or the CPU's model).
    device_name: String,
    /// `"one-by-one"` (`prove`, not verified) or `"stream"` (`--stream`).
    mode: &'static str,
    /// With `--stream`: the median time of `prove_verified`, one proof at a time, milliseconds
    /// (the same proofs without the overlap); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    one_by_one_ms: Option<f64>,
    /// Whether the key and witness were made in memory (`--synthetic`) rather than read.
    synthetic: bool,
    /// Making the synthetic circuit, its witness and its key, milliseconds (0 when read from
    /// files).
    setup_ms: f64,
    /// Loading and preparing the zkey for the backend, milliseconds (once per key): reading the
    /// file (none for `--synthetic`) and `Groth16Prover::from_zkey` (the upload, on a GPU).
    load_ms: f64,
    n_vars: u32,
    n_public: u32,
    /// The `.zkey` file's size in bytes; for `--synthetic`, the size the key would have as a file
    /// (sections 1–9, no contributions section: `Zkey::file_size`).
    zkey_bytes: u64,
    /// Peak resident memory of the process (`VmHWM`), bytes; 0 where unknown.
    peak_rss_bytes: u64,
}

/// The process's peak resident set size from `/proc/self/status` (Linux), if available.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The CPU's model name from `/proc/cpuinfo` (Linux), if available.
fn cpu_name() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_owned())
}

/// The key and witness to benchmark, with what making them cost.
struct Inputs {
    zkey: Zkey,
    witness: Vec<Fr>,
    synthetic: bool,
    setup_ms: f64,
    read_ms: f64,
    zkey_bytes: u64,
}

fn inputs(source: Source) -> Result<Inputs> {
    match source {
        Source::Files { zkey, witness } => {
            let zkey_bytes = std::fs::metadata(&zkey)
                .with_context(|| format!("reading {}", zkey.display()))?
                .len();
            let start = Instant::now();
            let key = Zkey::open(&zkey)?;
            let read_ms = start.elapsed().as_secs_f64() * 1e3;
            let witness = Witness::open(&witness)?;
            witness.check_against(&key.header)?;
            Ok(Inputs {
                zkey: key,
                witness: witness.values,
                synthetic: false,
                setup_ms: 0.0,
                read_ms,
                zkey_bytes,
            })
        }
        Source::Synthetic(log_n) => {
            let start = Instant::now();
            // Fixed seeds: the same circuit and key every run (the toxic waste is public anyway).
            let (r1cs, witness) = mul_chain(log_n, &mut StdRng::seed_from_u64(1))?;
            let zkey = setup(&r1cs, &mut StdRng::seed_from_u64(2))?;
            drop(r1cs);
            let setup_ms = start.elapsed().as_secs_f64() * 1e3;
            let zkey_bytes = zkey.file_size();
            Ok(Inputs { zkey, witness, synthetic: true, setup_ms, read_ms: 0.0, zkey_bytes })
        }
    }
}

/// Runs `zkprove bench groth16`.
pub fn run(args: BenchGroth16Args) -> Result<()> {
    let source = args.source()?;
    let device = resolve_device(args.device)?;
    let device_name = match device {
        Device::Cuda => CudaDevice::get()?.name()?,
        Device::Opencl => ClDevice::get()?.name()?,
        Device::Cpu | Device::Auto => cpu_name().unwrap_or_else(|| "cpu".to_owned()),
    };
    thread_pool(args.threads)?.install(|| {
        let inputs = inputs(source)?;
        match device {
            Device::Cuda => bench::<CudaBackend>(&args, inputs, device_name),
            Device::Opencl => bench::<OpenClBackend>(&args, inputs, device_name),
            Device::Cpu | Device::Auto => bench::<CpuBackend>(&args, inputs, device_name),
        }
    })
}

fn bench<B: Groth16Backend>(
    args: &BenchGroth16Args,
    inputs: Inputs,
    device_name: String,
) -> Result<()> {
    let Inputs { zkey, witness, synthetic, setup_ms, read_ms, zkey_bytes } = inputs;
    let start = Instant::now();
    let prover = Groth16Prover::<B>::from_zkey(zkey)
        .with_context(|| format!("preparing the key on {}", B::NAME))?;
    let load_ms = read_ms + start.elapsed().as_secs_f64() * 1e3;
    let public = prover.public_signals(&witness)?;

    // `median_ms` is the median time of one proof (`--stream`: of the interval between
    // consecutive proofs of a stream). The warm-up proof is checked on the CPU: a benchmark of a
    // prover that makes wrong proofs is meaningless.
    let reps = args.reps.max(1);
    let check = |proof: &zkprove_circom::Proof| {
        verify(prover.verification_key(), public, proof)
            .with_context(|| format!("the warm-up proof on {} is invalid", B::NAME))
    };
    let (median_ms, one_by_one_ms) = if args.stream {
        let one_by_one = time_reps(reps, || Ok(prover.prove_verified(&witness)?))?;
        check(&one_by_one.warm_up)?;
        // One more proof than timed intervals: the first one fills the pipeline.
        let mut intervals = Vec::with_capacity(reps as usize);
        let mut last = None;
        let stream = std::iter::repeat_n(&witness, reps as usize + 1);
        for proof in prover.prove_stream(stream, true) {
            std::hint::black_box(proof.with_context(|| format!("a stream proof on {}", B::NAME))?);
            let now = Instant::now();
            if let Some(t) = last.replace(now) {
                intervals.push(now.duration_since(t).as_secs_f64() * 1e3);
            }
        }
        (median(intervals), Some(one_by_one.median_ms()))
    } else {
        let one = time_reps(reps, || Ok(prover.prove(&witness)?))?;
        check(&one.warm_up)?;
        (one.median_ms(), None)
    };
    let h = prover.header();
    let report = Report {
        kernel: "groth16",
        field: None,
        log_n: h.log_domain_size(),
        device: B::NAME,
        median_ms,
        reps,
        threads: rayon::current_num_threads(),
        extra: Groth16Fields {
            device_name,
            mode: if args.stream { "stream" } else { "one-by-one" },
            one_by_one_ms,
            synthetic,
            setup_ms,
            load_ms,
            n_vars: h.n_vars,
            n_public: h.n_public,
            zkey_bytes,
            peak_rss_bytes: peak_rss_bytes().unwrap_or(0),
        },
    };
    report.print(args.json, |r| {
        let g = &r.extra;
        let origin = if g.synthetic {
            format!("synthetic, setup {:.0} ms", g.setup_ms)
        } else {
            "from files".to_owned()
        };
        let what = match g.one_by_one_ms {
            Some(one) => format!(
                "stream of verified proofs: median {:.2} ms between proofs (one by one, verified: \
                 {one:.2} ms, ratio {:.2})",
                r.median_ms,
                r.median_ms / one
            ),
            None => format!("median {:.2} ms", r.median_ms),
        };
        format!(
            "groth16 ({} signals, domain 2^{}, {origin}) on {} ({}, {} threads): {what} over {} \
             proofs; key load {:.0} ms; peak memory {:.1} MB (zkey {:.1} MB)",
            g.n_vars,
            r.log_n,
            r.device,
            g.device_name,
            r.threads,
            r.reps,
            g.load_ms,
            g.peak_rss_bytes as f64 / 1e6,
            g.zkey_bytes as f64 / 1e6
        )
    })
}
