//! Worker processes on one PostgreSQL queue, with the real binary: three `zkprove worker`
//! processes prove 120 jobs; one is killed with SIGKILL while it holds a job, which another worker
//! completes after the lease expires. Every job succeeds exactly once and every proof verifies.
//!
//! The server: `crates/service/tests/common/pg.rs` (`ZKPROVE_TEST_POSTGRES_URL`,
//! `ZKPROVE_REQUIRE_POSTGRES=1`), shared with the service's PostgreSQL tests.

#[path = "../../service/tests/common/pg.rs"]
mod pg;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use zkprove_circom::{Proof, ZkeyInfo, public_signals_from_json};
use zkprove_service::blob::BlobStore;
use zkprove_service::kind::JobKind;
use zkprove_service::queue::{CircuitRow, JobStatus, NewJob, Queue};

const BIN: &str = env!("CARGO_BIN_EXE_zkprove");

/// A child process killed (SIGKILL) and reaped when dropped, so that a failing test leaves no
/// process behind.
struct Proc(Child);

impl Proc {
    /// SIGKILL and reap now.
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

fn worker(url: &str, data: &Path, config: &Path, log: &Path) -> Proc {
    Proc(
        Command::new(BIN)
            .args(["worker", "--device", "cpu", "--db", url, "--data-dir"])
            .arg(data)
            .arg("--config")
            .arg(config)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).expect("log"))
            .spawn()
            .expect("spawn worker"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_processes_on_postgres_each_job_once_despite_a_kill() {
    let Some(url) = pg::fresh_database("procs").await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |name: &str| -> PathBuf { dir.path().join(name) };
    let out = Command::new(BIN)
        .args(["zkey", "synthetic", "10"])
        .arg(p("k.zkey"))
        .arg(p("w.wtns"))
        .output()
        .expect("synthetic");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let data = p("data");
    let queue = Queue::connect(&url).await.expect("queue");
    let blobs = BlobStore::open(data.join("blobs")).expect("blobs");
    let zkey = std::fs::read(p("k.zkey")).expect("zkey");
    let info = ZkeyInfo::open(p("k.zkey")).expect("info");
    let circuit = blobs.put(&zkey).expect("put");
    let row = CircuitRow {
        circuit_id: circuit.clone(),
        kind: JobKind::Groth16,
        n_vars: i64::from(info.header.n_vars),
        n_public: i64::from(info.header.n_public),
        size_bytes: zkey.len() as i64,
    };
    queue.register_circuit("default", &row).await.expect("register");
    let witness = blobs.put(&std::fs::read(p("w.wtns")).expect("wtns")).expect("put");
    let n_jobs = 120;
    let mut ids = Vec::new();
    for i in 0..n_jobs {
        let job = NewJob {
            tenant: "default".into(),
            kind: JobKind::Groth16,
            circuit_id: circuit.clone(),
            witness_blob: witness.clone(),
            priority: i % 4,
            deadline: None,
            max_attempts: 3,
        };
        ids.push(queue.submit(&job).await.expect("submit"));
    }
    let timing = "lease_ms = 1000\nheartbeat_ms = 200\npoll_ms = 20\n";
    for name in ["victim", "survivor-a", "survivor-b"] {
        std::fs::write(p(&format!("{name}.toml")), format!("node = \"{name}\"\n{timing}"))
            .expect("config");
    }
    let mut victim = worker(&url, &data, &p("victim.toml"), &p("victim.log"));
    let survivors: Vec<Proc> = ["survivor-a", "survivor-b"]
        .iter()
        .map(|n| worker(&url, &data, &p(&format!("{n}.toml")), &p(&format!("{n}.log"))))
        .collect();
    // Kill the victim while it holds a job.
    let start = Instant::now();
    let orphans = loop {
        if !queue.running_jobs_of("victim/").await.expect("running").is_empty() {
            victim.kill();
            let orphans = queue.running_jobs_of("victim/").await.expect("running");
            if !orphans.is_empty() {
                break orphans;
            }
            // It finished its job in the meantime: start it again and retry.
            victim = worker(&url, &data, &p("victim.toml"), &p("victim.log"));
        }
        assert!(start.elapsed() < Duration::from_secs(120), "the victim never held a job");
        tokio::time::sleep(Duration::from_millis(3)).await;
    };
    eprintln!("killed the victim holding {orphans:?}");
    let start = Instant::now();
    loop {
        let counts = queue.status_counts().await.expect("counts");
        if counts == [("succeeded".to_string(), n_jobs)] {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(180), "not done: {counts:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(survivors);
    let vk = zkprove_groth16::verification_key(
        &info.header,
        &zkprove_circom::Zkey::open(p("k.zkey")).expect("zkey").ic,
    );
    for id in &ids {
        let job = queue.job_any_tenant(id).await.expect("read").expect("job");
        assert_eq!(job.status, JobStatus::Succeeded);
        let expected_attempts = if orphans.contains(id) { 2 } else { 1 };
        assert_eq!(job.attempts, expected_attempts, "job {id}");
        if orphans.contains(id) {
            assert!(job.device.is_some());
        }
        let result: serde_json::Value = serde_json::from_slice(
            &blobs.get(job.result_blob.as_deref().expect("result")).expect("blob"),
        )
        .expect("json");
        let proof = Proof::from_json(&result["proof"].to_string(), "proof").expect("proof");
        let public =
            public_signals_from_json(&result["public"].to_string(), "public").expect("public");
        zkprove_groth16::verify(&vk, &public, &proof).expect("every released proof verifies");
    }
}
