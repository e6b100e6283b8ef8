//! `zkprove bench pairing`: one BN254 optimal ate pairing of random points (Miller loop and final
//! exponentiation), single-threaded: one pairing has no parallelism to use.

use std::hint::black_box;

use anyhow::Result;
use clap::Args;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::report::{Report, Throughput, thread_pool, time_reps};
use super::{CommonArgs, require_cpu, throughput_text};

/// Arguments of `zkprove bench pairing`.
#[derive(Debug, Args)]
pub struct PairingArgs {
    #[command(flatten)]
    common: CommonArgs,
}

/// Runs `zkprove bench pairing` (CPU only; `--device auto` runs on the CPU).
pub fn run(a: PairingArgs) -> Result<()> {
    require_cpu(a.common.device, "pairing")?;
    let pool = thread_pool(a.common.threads)?;
    let report = pool.install(|| pairing(&a))?;
    report.print(a.common.json, throughput_text)
}

/// Times one pairing of random `P ∈ G1`, `Q ∈ G2`.
fn pairing(args: &PairingArgs) -> Result<Report<Throughput>> {
    use zkprove_curve::bn254::{G1Affine, G2Affine, pairing};
    let mut rng = StdRng::seed_from_u64(4);
    let p = G1Affine::random(&mut rng);
    let q = G2Affine::random(&mut rng);
    let median_ms = time_reps(args.common.reps, || {
        black_box(pairing(black_box(&p), black_box(&q)));
        Ok(())
    })?
    .median_ms();
    Ok(Report {
        kernel: "pairing",
        field: Some("bn254"),
        log_n: 0,
        device: "cpu",
        median_ms,
        reps: args.common.reps,
        threads: 1,
        extra: Throughput { width: 1, mops_per_s: 1.0 / (median_ms * 1e-3) / 1e6, detail: None },
    })
}
