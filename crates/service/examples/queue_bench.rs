//! The queue alone: `n_workers` tasks claim and complete `n_jobs` trivial jobs (no proving: a
//! claim, then a fenced store of a fixed result), and the rate is printed as one JSON line.
//!
//! `cargo run -p zkprove-service --example queue_bench -- URL N_JOBS N_WORKERS`, with URL
//! `sqlite://PATH?mode=rwc` (a new file) or `postgres://…` (an empty database).

use std::time::{Duration, Instant};

use zkprove_service::kind::JobKind;
use zkprove_service::queue::{NewJob, Queue};

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: queue_bench URL N_JOBS N_WORKERS");
        std::process::exit(2);
    }
    let url = &args[1];
    let n_jobs: usize = args[2].parse().expect("N_JOBS");
    let n_workers: usize = args[3].parse().expect("N_WORKERS");
    let queue = Queue::connect(url).await.expect("connect");
    let start = Instant::now();
    for i in 0..n_jobs {
        let job = NewJob {
            tenant: "bench".into(),
            kind: JobKind::Groth16,
            circuit_id: "c".into(),
            witness_blob: "w".into(),
            priority: (i % 4) as i64,
            deadline: None,
            max_attempts: 3,
        };
        queue.submit(&job).await.expect("submit");
    }
    let submit_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..n_workers {
        let queue = queue.clone();
        tasks.push(tokio::spawn(async move {
            let owner = format!("bench#{w}");
            let mut done = 0usize;
            while let Some(c) =
                queue.claim(&owner, "none", Duration::from_secs(60)).await.expect("claim")
            {
                queue.complete(&c.job.job_id, c.token, "result").await.expect("complete");
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("task");
    }
    let run_s = start.elapsed().as_secs_f64();
    assert_eq!(total, n_jobs, "every job claimed and completed once");
    println!(
        "{}",
        serde_json::json!({
            "db": format!("{:?}", queue.db_kind()).to_lowercase(),
            "n_jobs": n_jobs,
            "n_workers": n_workers,
            "submit_per_s": (n_jobs as f64 / submit_s).round(),
            "claim_complete_per_s": (n_jobs as f64 / run_s).round(),
        })
    );
}
