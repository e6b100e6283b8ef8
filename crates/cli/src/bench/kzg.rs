//! `zkprove bench kzg`: KZG over BN254 with an insecure SRS (known τ, made outside the timing):
//! commit to a random polynomial of degree 2^N − 1 (one MSM of 2^N terms), open it at a random
//! point (synthetic division and one MSM of 2^N − 1 terms) and verify the opening (one 2-pairing
//! product). One JSON line with `--json`:
//! `{"kernel":"kzg","field":"bn254","log_n":…,"device":"cpu","median_ms":…,"reps":…,"threads":…,
//! "open_median_ms":…,"verify_median_ms":…,"setup_ms":…}` — `median_ms` is the
//! commitment's (a number, as for every `zkprove bench` kernel), the other two the opening's and the
//! verification's.

use std::hint::black_box;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use zkprove_field::Field;
use zkprove_field::bn254::Fr;
use zkprove_kzg::Srs;
use zkprove_poly::{CpuBackend, Polynomial};

use super::report::{Report, thread_pool, time_reps};

/// Arguments of `zkprove bench kzg`.
#[derive(Debug, Args)]
pub struct BenchKzgArgs {
    /// log2 of the number of coefficients (the polynomial has degree 2^N − 1).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(0..=24))]
    log_n: u32,
    /// Timed repetitions after one warm-up (the median is reported).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    reps: u32,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON line instead of text.
    #[arg(long)]
    json: bool,
}

/// The extra fields of `bench kzg` (`median_ms` is the commitment's).
#[derive(Debug, Serialize)]
struct KzgFields {
    /// Median time of `Srs::open` (the quotient and its commitment), in milliseconds.
    open_median_ms: f64,
    /// Median time of `Srs::verify`, in milliseconds.
    verify_median_ms: f64,
    /// Time to make the insecure SRS (fixed-base multiplications), once.
    setup_ms: f64,
}

/// Runs `zkprove bench kzg`.
pub fn run(args: BenchKzgArgs) -> Result<()> {
    let pool = thread_pool(args.threads)?;
    let report = pool.install(|| measure(&args))?;
    report.print(args.json, |r| {
        format!(
            "kzg bn254 degree 2^{} − 1 on cpu ({} threads): commit {:.3} ms, open {:.3} ms, \
             verify {:.3} ms (medians over {} reps); insecure setup {:.0} ms",
            r.log_n,
            r.threads,
            r.median_ms,
            r.extra.open_median_ms,
            r.extra.verify_median_ms,
            r.reps,
            r.extra.setup_ms
        )
    })
}

fn measure(args: &BenchKzgArgs) -> Result<Report<KzgFields>> {
    let n = 1usize << args.log_n;
    let mut rng = StdRng::seed_from_u64(5);
    let start = Instant::now();
    let srs: Srs<CpuBackend> =
        Srs::insecure_for_tests(n - 1, Fr::random(&mut rng)).context("making the SRS")?;
    let setup_ms = start.elapsed().as_secs_f64() * 1e3;
    let poly = Polynomial::new((0..n).map(|_| Fr::random(&mut rng)).collect());
    let z = Fr::random(&mut rng);

    let commit = time_reps(args.reps, || srs.commit(&poly).context("commit"))?;
    let open = time_reps(args.reps, || srs.open(&poly, z).context("open"))?;
    let (c, (y, proof)) = (&commit.warm_up, &open.warm_up);
    let verify = time_reps(args.reps, || {
        srs.verify(black_box(c), z, *y, proof).context("the opening does not verify")
    })?;
    Ok(Report {
        kernel: "kzg",
        field: Some("bn254"),
        log_n: args.log_n,
        device: "cpu",
        median_ms: commit.median_ms(),
        reps: args.reps,
        threads: rayon::current_num_threads(),
        extra: KzgFields {
            open_median_ms: open.median_ms(),
            verify_median_ms: verify.median_ms(),
            setup_ms,
        },
    })
}
