//! `zkprove bench service`: what the proving service itself costs, in process on loopback.
//!
//! Starts `zkprove serve` in this process (one CPU worker; SQLite in a temporary directory, or
//! `--data-dir`, or a fresh database on the PostgreSQL server of `--db`), registers a key (a
//! built-in multiplication chain of 2^`--log-n` constraints with the *insecure* test setup, or
//! `--zkey`/`--wtns`) over HTTP and proves one warm-up job, then measures three things:
//!
//! 1. **Overhead per proof** (`median_ms`, `p99_ms`): one client submits `--jobs` witnesses one
//!    at a time (`POST /v1/jobs`, then `GET /v1/jobs/{id}/proof?wait_ms=…`, the long poll) and
//!    each job's latency, submission to proof received, minus its proving time (the worker's
//!    `zkprove_proving_seconds` for that job) is its overhead: HTTP, the queue, reading the
//!    witness, the verification before release (also reported alone) and storing the result.
//! 2. **Back to back** (`--batch` jobs submitted at once, one worker): the device's idle time
//!    between consecutive proofs (`zkprove_device_idle_seconds`) as a share of the batch's
//!    proving time, and the proofs per second.
//! 3. **The queue alone** (`jobs_per_s`): `--queue-workers` tasks claim and complete (fenced)
//!    `--queue-jobs` trivial jobs on a fresh queue of the same database, no proving, each store
//!    claiming the next job as a busy worker does (`Queue::complete_and_claim`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use zkprove_circom::Witness;
use zkprove_poly::CpuBackend;
use zkprove_service::engine::{BackendEngine, ProofEngine};
use zkprove_service::kind::JobKind;
use zkprove_service::queue::{ClaimRequest, NewJob, Queue, QueueOptions};
use zkprove_service::{Config, Durability, Service};

use super::report::Report;

/// What a crash may cost (`zkprove_service::Durability`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DurabilityArg {
    /// Survives a process crash (no fsync on the job path): the default of `zkprove serve`.
    Process,
    /// Survives power loss (SQLite synchronous = FULL, blobs synced).
    Power,
}

/// Arguments of `zkprove bench service`.
#[derive(Debug, Args)]
pub struct BenchServiceArgs {
    /// A PostgreSQL server (`postgres://…` whose user may create databases): each run makes
    /// fresh databases on it. Default: SQLite.
    #[arg(long)]
    db: Option<String>,
    /// Where the SQLite database and the blobs go (default: a new temporary directory; where
    /// it is decides what an fsync costs).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// What a crash may cost.
    #[arg(long, value_enum, default_value_t = DurabilityArg::Process)]
    durability: DurabilityArg,
    /// log2 of the constraints of the built-in circuit (a multiplication chain).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=20))]
    log_n: u32,
    /// A snarkjs `.zkey` instead of the built-in circuit (with `--wtns`).
    #[arg(long, requires = "wtns")]
    zkey: Option<PathBuf>,
    /// The witness of `--zkey`.
    #[arg(long, requires = "zkey")]
    wtns: Option<PathBuf>,
    /// Jobs of the overhead run (one client, one job at a time).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..))]
    jobs: u32,
    /// Jobs submitted at once for the back-to-back run (0: none).
    #[arg(long, default_value_t = 50)]
    batch: u32,
    /// Trivial jobs of the queue-alone run (0: none).
    #[arg(long, default_value_t = 2000)]
    queue_jobs: u32,
    /// Claiming tasks of the queue-alone run.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=256))]
    queue_workers: u32,
    /// Print one JSON line instead of text.
    #[arg(long)]
    json: bool,
}

/// The fields of `bench service` after the shared ones (`median_ms`: overhead p50).
#[derive(Debug, Serialize)]
struct ServiceExtra {
    /// `sqlite` or `postgres`.
    backend: &'static str,
    /// `process` or `power`.
    durability: &'static str,
    /// Overhead per proof, 99th percentile, ms.
    p99_ms: f64,
    /// Overhead per proof without the verification before release, p50, ms.
    overhead_minus_verification_p50_ms: f64,
    /// Submission to proof received, p50, ms.
    latency_p50_ms: f64,
    /// Mean proving time, ms.
    proving_mean_ms: f64,
    /// Mean verification time (before release), ms.
    verification_mean_ms: f64,
    /// Back-to-back run: jobs.
    batch: u32,
    /// Back-to-back run: mean device idle time between consecutive proofs, ms.
    idle_gap_mean_ms: Option<f64>,
    /// Back-to-back run: idle time / (idle + proving time).
    idle_fraction: Option<f64>,
    /// Back-to-back run: proofs per second.
    batch_proofs_per_s: Option<f64>,
    /// Queue alone: claims + fenced completions per second.
    jobs_per_s: Option<f64>,
    /// Queue alone: jobs and claiming tasks.
    queue_jobs: u32,
    /// Queue alone: claiming tasks.
    queue_workers: u32,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn round3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}

/// A fresh queue URL: a new database on the PostgreSQL server, or a new SQLite file in `dir`.
async fn fresh_url(db: Option<&str>, dir: &std::path::Path, name: &str) -> Result<String> {
    Ok(match db {
        Some(server) => zkprove_service::queue::create_database(server, name)
            .await
            .with_context(|| format!("creating a database on {server}"))?,
        None => format!("sqlite://{}?mode=rwc", dir.join(format!("{name}.db")).display()),
    })
}

/// The key and witness: from files, or the built-in circuit.
fn inputs(args: &BenchServiceArgs) -> Result<(Vec<u8>, Vec<u8>)> {
    if let (Some(zkey), Some(wtns)) = (&args.zkey, &args.wtns) {
        let k = std::fs::read(zkey).with_context(|| format!("reading {}", zkey.display()))?;
        let w = std::fs::read(wtns).with_context(|| format!("reading {}", wtns.display()))?;
        return Ok((k, w));
    }
    let mut rng = StdRng::seed_from_u64(21);
    let (r1cs, witness) = zkprove_groth16::setup::mul_chain(args.log_n, &mut rng)?;
    let zkey = zkprove_groth16::setup::setup(&r1cs, &mut rng)?;
    Ok((zkey.to_bytes()?, Witness { values: witness }.to_bytes()))
}

async fn json_of(r: reqwest::Response, what: &str) -> Result<serde_json::Value> {
    let status = r.status();
    let text = r.text().await.with_context(|| format!("{what}: reading the answer"))?;
    if !status.is_success() {
        bail!("{what}: {status}: {text}");
    }
    serde_json::from_str(&text).with_context(|| format!("{what}: not JSON: {text}"))
}

/// Submits a witness; returns the job id.
async fn submit(c: &reqwest::Client, base: &str, circuit: &str, w: &[u8]) -> Result<String> {
    let r = c.post(format!("{base}/v1/jobs?circuit={circuit}")).body(w.to_vec()).send().await?;
    let job = json_of(r, "submit").await?;
    Ok(job["job_id"].as_str().context("no job_id")?.to_string())
}

/// Waits for a job's proof (long poll).
async fn proof(c: &reqwest::Client, base: &str, id: &str) -> Result<serde_json::Value> {
    loop {
        let r = c.get(format!("{base}/v1/jobs/{id}/proof?wait_ms=60000")).send().await?;
        if r.status() == reqwest::StatusCode::CONFLICT {
            let body = json_of_any(r).await?;
            match body["status"].as_str() {
                Some("queued" | "running") => continue,
                other => bail!("job {id} ended {other:?}: {body}"),
            }
        }
        return json_of(r, "proof").await;
    }
}

async fn json_of_any(r: reqwest::Response) -> Result<serde_json::Value> {
    Ok(serde_json::from_str(&r.text().await?)?)
}

/// The queue alone: returns claims + completions per second.
async fn queue_alone(
    url: &str,
    durability: Durability,
    n_jobs: u32,
    n_workers: u32,
) -> Result<f64> {
    let queue = Queue::connect_with(url, QueueOptions { durability }).await?;
    for i in 0..n_jobs {
        let job = NewJob {
            tenant: "bench".into(),
            kind: JobKind::Groth16,
            circuit_id: "c".into(),
            witness_blob: "w".into(),
            priority: i64::from(i % 4),
            deadline: None,
            max_attempts: 3,
        };
        queue.submit(&job).await?;
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..n_workers {
        let queue = queue.clone();
        tasks.push(tokio::spawn(async move {
            let owner = format!("bench#{w}");
            let claim = ClaimRequest {
                owner: &owner,
                device: "none",
                lease: Duration::from_secs(60),
                resident: &[],
                window: Duration::ZERO,
            };
            // As a busy worker does: each store claims the next job in the same statement.
            let mut done = 0u32;
            let mut next = queue.claim(&owner, "none", claim.lease).await?;
            while let Some(c) = next {
                let (stored, claimed) =
                    queue.complete_and_claim((&c.job.job_id, c.token, "result"), &claim).await?;
                if stored.is_none() {
                    return Err(zkprove_service::ServiceError::LeaseLost {
                        job_id: c.job.job_id,
                        token: c.token,
                    });
                }
                next = claimed;
                done += 1;
            }
            Ok::<_, zkprove_service::ServiceError>(done)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    let seconds = start.elapsed().as_secs_f64();
    if total != n_jobs {
        bail!("{total} of {n_jobs} jobs claimed and completed");
    }
    Ok(f64::from(n_jobs) / seconds)
}

/// Runs `zkprove bench service`.
pub fn run(args: BenchServiceArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_async(args))
}

async fn run_async(args: BenchServiceArgs) -> Result<()> {
    let durability = match args.durability {
        DurabilityArg::Process => Durability::Process,
        DurabilityArg::Power => Durability::Power,
    };
    let temp = tempfile::tempdir().context("a temporary directory")?;
    let dir = args.data_dir.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let name = format!("zkprove_bench_{}", zkprove_service::blob::random_hex(4));
    let url = fresh_url(args.db.as_deref(), &dir, &name).await?;
    let (zkey, wtns) = inputs(&args)?;
    let config = Config {
        data_dir: dir.join(&name),
        db: Some(url),
        bind: "127.0.0.1:0".parse()?,
        durability,
        ..Config::default()
    };
    let engine: Arc<dyn ProofEngine> =
        Arc::new(BackendEngine::<CpuBackend>::new("cpu", true, 1 << 30));
    let service = Service::start(&config, vec![engine], true).await?;
    let backend = match service.queue.db_kind() {
        zkprove_service::queue::DbKind::Sqlite => "sqlite",
        zkprove_service::queue::DbKind::Postgres => "postgres",
    };
    let base = format!("http://{}", service.addr.context("no HTTP address")?);
    let client = reqwest::Client::new();
    let r = client.post(format!("{base}/v1/circuits")).body(zkey).send().await?;
    let circuit =
        json_of(r, "register").await?["circuit_id"].as_str().context("no circuit_id")?.to_string();
    // Warm-up: the key loaded into the worker's cache, connections open.
    for _ in 0..3 {
        let id = submit(&client, &base, &circuit, &wtns).await?;
        proof(&client, &base, &id).await?;
    }
    let m = &service.metrics;
    // 1. Overhead: one job at a time, so each job's proving and verification are the
    // histograms' increments over its run.
    let (mut latency, mut overhead, mut minus_verify) = (Vec::new(), Vec::new(), Vec::new());
    let (prove0, verify0) = (m.proving.get_sample_sum(), m.verification.get_sample_sum());
    for _ in 0..args.jobs {
        let (p, v) = (m.proving.get_sample_sum(), m.verification.get_sample_sum());
        let start = Instant::now();
        let id = submit(&client, &base, &circuit, &wtns).await?;
        proof(&client, &base, &id).await?;
        let seconds = start.elapsed().as_secs_f64();
        let (p, v) = (m.proving.get_sample_sum() - p, m.verification.get_sample_sum() - v);
        latency.push(seconds * 1e3);
        overhead.push((seconds - p) * 1e3);
        minus_verify.push((seconds - p - v) * 1e3);
    }
    let n = f64::from(args.jobs);
    let proving_mean = (m.proving.get_sample_sum() - prove0) / n * 1e3;
    let verification_mean = (m.verification.get_sample_sum() - verify0) / n * 1e3;
    for v in [&mut latency, &mut overhead, &mut minus_verify] {
        v.sort_by(f64::total_cmp);
    }
    // 2. Back to back.
    let (mut idle_gap, mut idle_fraction, mut batch_rate) = (None, None, None);
    if args.batch > 0 {
        let (idle0, idle_n0) = (m.device_idle.get_sample_sum(), m.device_idle.get_sample_count());
        let prove0 = m.proving.get_sample_sum();
        let start = Instant::now();
        let mut ids = Vec::new();
        for _ in 0..args.batch {
            ids.push(submit(&client, &base, &circuit, &wtns).await?);
        }
        for id in &ids {
            proof(&client, &base, id).await?;
        }
        batch_rate = Some(f64::from(args.batch) / start.elapsed().as_secs_f64());
        let idle = m.device_idle.get_sample_sum() - idle0;
        let gaps = m.device_idle.get_sample_count() - idle_n0;
        let proving = m.proving.get_sample_sum() - prove0;
        if gaps > 0 {
            idle_gap = Some(round3(idle / gaps as f64 * 1e3));
            idle_fraction = Some((idle / (idle + proving) * 1e4).round() / 1e4);
        }
    }
    service.shutdown(Duration::from_secs(10)).await;
    // 3. The queue alone.
    let jobs_per_s = if args.queue_jobs > 0 {
        let url = fresh_url(args.db.as_deref(), &dir, &format!("{name}_queue")).await?;
        Some(queue_alone(&url, durability, args.queue_jobs, args.queue_workers).await?.round())
    } else {
        None
    };
    let report = Report {
        kernel: "service",
        field: None,
        log_n: args.log_n,
        device: "cpu",
        median_ms: round3(percentile(&overhead, 0.5)),
        reps: args.jobs,
        threads: 1,
        extra: ServiceExtra {
            backend,
            durability: match durability {
                Durability::Process => "process",
                Durability::Power => "power",
            },
            p99_ms: round3(percentile(&overhead, 0.99)),
            overhead_minus_verification_p50_ms: round3(percentile(&minus_verify, 0.5)),
            latency_p50_ms: round3(percentile(&latency, 0.5)),
            proving_mean_ms: round3(proving_mean),
            verification_mean_ms: round3(verification_mean),
            batch: args.batch,
            idle_gap_mean_ms: idle_gap,
            idle_fraction,
            batch_proofs_per_s: batch_rate.map(|r| (r * 100.0).round() / 100.0),
            jobs_per_s,
            queue_jobs: args.queue_jobs,
            queue_workers: args.queue_workers,
        },
    };
    report.print(args.json, |r| {
        format!(
            "service on {} ({}): overhead per proof p50 {:.3} ms, p99 {:.3} ms (verification {:.3} \
             ms of it); latency p50 {:.3} ms, proving {:.3} ms; back to back: idle {:?}; queue \
             alone: {:?} jobs/s",
            r.extra.backend,
            r.extra.durability,
            r.median_ms,
            r.extra.p99_ms,
            r.extra.verification_mean_ms,
            r.extra.latency_p50_ms,
            r.extra.proving_mean_ms,
            r.extra.idle_fraction,
            r.extra.jobs_per_s
        )
    })
}
