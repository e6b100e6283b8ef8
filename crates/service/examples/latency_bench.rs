//! Submit → proof latency of the whole service on loopback: starts `zkprove serve` in process
//! (SQLite in a temporary directory, HTTP on 127.0.0.1, `N_WORKERS` CPU workers), registers a
//! zkey, then `CONCURRENCY` clients each submit witnesses over HTTP and poll
//! `GET /v1/jobs/<id>` (every `POLL_MS`, 1 by default) until the job succeeded, `N_JOBS` in all.
//! Prints one JSON line: latency p50/p99, the service's own share of it (latency minus the
//! worker's time from claim to stored proof, and the proving time alone from the
//! `zkprove_proving_seconds` histogram; the verification before release is part of the service's
//! share, its mean is printed too), and the throughput.
//!
//! `cargo run --release -p zkprove-service --example latency_bench -- ZKEY WTNS N_JOBS
//! CONCURRENCY N_WORKERS [POLL_MS]`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use zkprove_poly::CpuBackend;
use zkprove_service::engine::{BackendEngine, ProofEngine};
use zkprove_service::{Config, Service};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn parse_time(s: &str) -> f64 {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .expect("RFC 3339 time");
    t.unix_timestamp_nanos() as f64 / 1e9
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !(6..=7).contains(&args.len()) {
        eprintln!("usage: latency_bench ZKEY WTNS N_JOBS CONCURRENCY N_WORKERS [POLL_MS]");
        std::process::exit(2);
    }
    let zkey = std::fs::read(&args[1]).expect("read zkey");
    let wtns = std::fs::read(&args[2]).expect("read witness");
    let n_jobs: usize = args[3].parse().expect("N_JOBS");
    let concurrency: usize = args[4].parse().expect("CONCURRENCY");
    let n_workers: usize = args[5].parse().expect("N_WORKERS");
    let poll = Duration::from_millis(args.get(6).map_or(1, |p| p.parse().expect("POLL_MS")));
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        bind: "127.0.0.1:0".parse().expect("addr"),
        ..Config::default()
    };
    let engines: Vec<Arc<dyn ProofEngine>> = (0..n_workers)
        .map(|_| Arc::new(BackendEngine::<CpuBackend>::new("cpu", true, 1 << 30)) as _)
        .collect();
    let service = Service::start(&config, engines, true).await.expect("start");
    let base = format!("http://{}", service.addr.expect("addr"));
    let client = reqwest::Client::new();
    let circuit: serde_json::Value = client
        .post(format!("{base}/v1/circuits"))
        .body(zkey)
        .send()
        .await
        .expect("register")
        .text()
        .await
        .map(|t| serde_json::from_str::<serde_json::Value>(&t).expect("json"))
        .expect("body");
    let circuit = circuit["circuit_id"].as_str().expect("circuit_id").to_string();
    // One warm-up job: the key is loaded into the worker's cache (as in a running service).
    let submit = move |client: reqwest::Client, base: String, circuit: String, wtns: Vec<u8>| async move {
        let start = Instant::now();
        let job: serde_json::Value = client
            .post(format!("{base}/v1/jobs?circuit={circuit}"))
            .body(wtns)
            .send()
            .await
            .expect("submit")
            .text()
            .await
            .map(|t| serde_json::from_str::<serde_json::Value>(&t).expect("json"))
            .expect("body");
        let id = job["job_id"].as_str().expect("job_id").to_string();
        loop {
            let job: serde_json::Value = client
                .get(format!("{base}/v1/jobs/{id}"))
                .send()
                .await
                .expect("status")
                .text()
                .await
                .map(|t| serde_json::from_str::<serde_json::Value>(&t).expect("json"))
                .expect("body");
            match job["status"].as_str() {
                Some("succeeded") => {
                    let latency = start.elapsed().as_secs_f64();
                    let worker = parse_time(job["finished_at"].as_str().expect("finished"))
                        - parse_time(job["started_at"].as_str().expect("started"));
                    return (latency, worker);
                }
                Some("queued" | "running") => tokio::time::sleep(poll).await,
                other => panic!("job {id} ended {other:?}: {job}"),
            }
        }
    };
    submit(client.clone(), base.clone(), circuit.clone(), wtns.clone()).await;
    let verifying_before = service.metrics.verification.get_sample_sum();
    let proving_before = service.metrics.proving.get_sample_sum();
    let count_before = service.metrics.proving.get_sample_count();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..concurrency {
        let (client, base, circuit, wtns, next) =
            (client.clone(), base.clone(), circuit.clone(), wtns.clone(), next.clone());
        clients.push(tokio::spawn(async move {
            let mut out = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < n_jobs {
                out.push(submit(client.clone(), base.clone(), circuit.clone(), wtns.clone()).await);
            }
            out
        }));
    }
    let mut runs = Vec::new();
    for c in clients {
        runs.extend(c.await.expect("client"));
    }
    let wall = start.elapsed().as_secs_f64();
    assert_eq!(runs.len(), n_jobs);
    let proofs = (service.metrics.proving.get_sample_count() - count_before) as f64;
    let proving_mean = (service.metrics.proving.get_sample_sum() - proving_before) / proofs;
    let verifying_mean =
        (service.metrics.verification.get_sample_sum() - verifying_before) / proofs;
    let mut latency: Vec<f64> = runs.iter().map(|r| r.0).collect();
    let mut overhead: Vec<f64> = runs.iter().map(|r| r.0 - r.1).collect();
    let mut minus_proving: Vec<f64> = runs.iter().map(|r| r.0 - proving_mean).collect();
    for v in [&mut latency, &mut overhead, &mut minus_proving] {
        v.sort_by(f64::total_cmp);
    }
    let ms = |x: f64| (x * 1e5).round() / 100.0;
    println!(
        "{}",
        serde_json::json!({
            "n_jobs": n_jobs,
            "concurrency": concurrency,
            "n_workers": n_workers,
            "client_poll_ms": poll.as_millis() as u64,
            "latency_p50_ms": ms(percentile(&latency, 0.5)),
            "latency_p99_ms": ms(percentile(&latency, 0.99)),
            "proving_mean_ms": ms(proving_mean),
            "verification_mean_ms": ms(verifying_mean),
            "latency_minus_proving_p50_ms": ms(percentile(&minus_proving, 0.5)),
            "latency_minus_worker_p50_ms": ms(percentile(&overhead, 0.5)),
            "latency_minus_worker_p99_ms": ms(percentile(&overhead, 0.99)),
            "proofs_per_s": (n_jobs as f64 / wall * 100.0).round() / 100.0,
        })
    );
    service.shutdown(Duration::from_secs(10)).await;
}
