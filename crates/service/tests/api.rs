//! The HTTP API in process, on SQLite: every bad input, order, tenant isolation and auth,
//! cancellation, verification before release (with a device that returns wrong proofs), metrics,
//! health and the status page.

use crate::common;

use std::path::Path as FsPath;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{Fixture, fixture, witness_bytes};
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower::ServiceExt;
use zkprove_field::Field;
use zkprove_field::bn254::Fr;
use zkprove_poly::CpuBackend;
use zkprove_service::api::{AppState, router};
use zkprove_service::blob::BlobStore;
use zkprove_service::engine::{BackendEngine, EngineError, ProofEngine, Proved};
use zkprove_service::metrics::Metrics;
use zkprove_service::queue::{JobRow, JobStatus, Queue};
use zkprove_service::worker::{Devices, Worker, WorkerSettings};
use zkprove_service::{Config, Tenant};

struct Harness {
    _dir: tempfile::TempDir,
    app: Router,
    queue: Queue,
    blobs: BlobStore,
    metrics: Metrics,
    devices: Devices,
    stop: watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
    known_answer_interval: Duration,
}

async fn harness(config: Config) -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config { data_dir: dir.path().to_path_buf(), ..config };
    let queue = Queue::connect(&config.database_url()).await.expect("queue");
    let blobs = BlobStore::open(config.blob_dir()).expect("blobs");
    let metrics = Metrics::new().expect("metrics");
    let devices: Devices = Arc::new(Mutex::new(Vec::new()));
    let state =
        AppState::new(queue.clone(), blobs.clone(), metrics.clone(), devices.clone(), &config);
    let (stop, _) = watch::channel(false);
    Harness {
        _dir: dir,
        app: router(state),
        queue,
        blobs,
        metrics,
        devices,
        stop,
        workers: Vec::new(),
        known_answer_interval: Duration::from_secs(600),
    }
}

impl Harness {
    fn start_worker(&mut self, engine: Arc<dyn ProofEngine>) {
        let settings = WorkerSettings {
            owner: format!("test/{}#{}", engine.device(), self.workers.len()),
            lease: Duration::from_secs(10),
            heartbeat: Duration::from_millis(100),
            poll: Duration::from_millis(10),
            known_answer_interval: self.known_answer_interval,
            affinity_window: Duration::from_secs(5),
        };
        let w = Worker::new(
            self.queue.clone(),
            self.blobs.clone(),
            self.metrics.clone(),
            engine,
            settings,
            self.devices.clone(),
        );
        self.workers.push(tokio::spawn(w.run(self.stop.subscribe())));
    }

    async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> (StatusCode, Value, String) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let response = self
            .app
            .clone()
            .oneshot(req.body(Body::from(body)).expect("request"))
            .await
            .expect("response");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
    }

    async fn register(&self, f: &Fixture, token: Option<&str>) -> String {
        let (status, body, _) =
            self.call(Method::POST, "/v1/circuits", token, f.zkey.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["circuit_id"].as_str().expect("circuit_id").to_string()
    }

    async fn submit(
        &self,
        circuit: &str,
        query: &str,
        witness: &[Fr],
        token: Option<&str>,
    ) -> String {
        let uri = format!("/v1/jobs?circuit={circuit}{query}");
        let (status, body, _) = self.call(Method::POST, &uri, token, witness_bytes(witness)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["job_id"].as_str().expect("job_id").to_string()
    }

    async fn job(&self, id: &str, token: Option<&str>) -> Value {
        let (status, body, _) =
            self.call(Method::GET, &format!("/v1/jobs/{id}"), token, vec![]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn wait_status(&self, id: &str, want: &str, token: Option<&str>) -> Value {
        let start = Instant::now();
        loop {
            let job = self.job(id, token).await;
            if job["status"] == want {
                return job;
            }
            assert!(start.elapsed() < Duration::from_secs(60), "job {id} never {want}: {job}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until a device of the harness is quarantined; returns its last error.
    async fn wait_quarantined(&self) -> String {
        let start = Instant::now();
        loop {
            let quarantined = {
                let devices = self.devices.lock().expect("devices");
                devices.iter().find(|d| d.quarantined).map(|d| d.last_error.clone())
            };
            if let Some(error) = quarantined {
                return error.unwrap_or_default();
            }
            assert!(start.elapsed() < Duration::from_secs(60), "bad device not quarantined");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn shutdown(self) {
        let _ = self.stop.send(true);
        for w in self.workers {
            w.await.expect("worker");
        }
    }
}

/// Waits until job `id` has `status` in the queue itself; returns its row.
async fn wait_row(queue: &Queue, id: &str, status: JobStatus) -> JobRow {
    let start = Instant::now();
    loop {
        let job = queue.job_any_tenant(id).await.expect("read").expect("job");
        if job.status == status {
            return job;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "job never {status:?}: {job:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn cpu() -> Arc<dyn ProofEngine> {
    Arc::new(BackendEngine::<CpuBackend>::new("cpu", true, 1 << 30))
}

/// A device whose proofs are wrong (π_A negated) once its first `good` proofs are done: not the
/// reference, so it gets quarantined.
struct BadDevice(BackendEngine<CpuBackend>, AtomicUsize);

impl BadDevice {
    fn new(good: usize) -> Self {
        Self(BackendEngine::new("bad-gpu", false, 1 << 30), AtomicUsize::new(good))
    }
}

impl ProofEngine for BadDevice {
    fn device(&self) -> String {
        "bad-gpu".into()
    }
    fn prove_groth16(
        &self,
        circuit_id: &str,
        zkey: &FsPath,
        witness: &[Fr],
    ) -> Result<Proved, EngineError> {
        let mut p = self.0.prove_groth16(circuit_id, zkey, witness)?;
        let good_left = self.1.load(Ordering::SeqCst);
        if good_left == 0 {
            p.proof.a = -p.proof.a;
        } else {
            self.1.store(good_left - 1, Ordering::SeqCst);
        }
        Ok(p)
    }
}

/// A CPU device that takes its time before each proof (so a job can be cancelled while running).
struct SlowDevice(BackendEngine<CpuBackend>, Duration);

impl ProofEngine for SlowDevice {
    fn device(&self) -> String {
        "slow-cpu".into()
    }
    fn is_reference(&self) -> bool {
        true
    }
    fn prove_groth16(
        &self,
        circuit_id: &str,
        zkey: &FsPath,
        witness: &[Fr],
    ) -> Result<Proved, EngineError> {
        std::thread::sleep(self.1);
        self.0.prove_groth16(circuit_id, zkey, witness)
    }
}

/// A CPU device that takes `delay` before each proof, in steps, giving up as soon as it is asked
/// to stop (a preemption or a cancellation), and counts the proofs it gave up.
struct StoppableSlowDevice(BackendEngine<CpuBackend>, Duration, AtomicUsize);

impl ProofEngine for StoppableSlowDevice {
    fn device(&self) -> String {
        "slow-cpu".into()
    }
    fn is_reference(&self) -> bool {
        true
    }
    fn prove_groth16(
        &self,
        circuit_id: &str,
        zkey: &FsPath,
        witness: &[Fr],
    ) -> Result<Proved, EngineError> {
        self.0.prove_groth16(circuit_id, zkey, witness)
    }
    fn prove_groth16_until(
        &self,
        circuit_id: &str,
        zkey: &FsPath,
        witness: &[Fr],
        stop: &AtomicBool,
    ) -> Result<Option<Proved>, EngineError> {
        let start = Instant::now();
        while start.elapsed() < self.1 {
            if stop.load(Ordering::SeqCst) {
                self.2.fetch_add(1, Ordering::SeqCst);
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.0.prove_groth16_until(circuit_id, zkey, witness, stop)
    }
}

/// One device busy with a low-priority job; a job of higher priority arrives and waits: the
/// scheduler preempts the running job, which stops inside its proof and is requeued without
/// using an attempt; the urgent job runs first, then the preempted one completes. A job past
/// its deadline still runs, and the miss is counted and reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_waiting_urgent_job_preempts_a_running_lower_priority_one() {
    let mut h = harness(Config::default()).await;
    let f = fixture(3, 11);
    let circuit = h.register(&f, None).await;
    let low = h.submit(&circuit, "&priority=1", &f.witness, None).await;
    let device = Arc::new(StoppableSlowDevice(
        BackendEngine::new("slow-cpu", true, 1 << 30),
        Duration::from_millis(700),
        AtomicUsize::new(0),
    ));
    h.start_worker(device.clone());
    h.workers.push(tokio::spawn(zkprove_service::worker::housekeeper(
        h.queue.clone(),
        Duration::from_millis(20),
        Some(Duration::from_millis(100)),
        h.stop.subscribe(),
    )));
    h.wait_status(&low, "running", None).await;
    let late =
        h.submit(&circuit, "&priority=1&deadline=2020-01-01T00:00:00Z", &f.witness, None).await;
    let high = h.submit(&circuit, "&priority=9", &f.witness, None).await;
    let job = h.job(&late, None).await;
    assert_eq!(job["deadline_missed"], true, "{job}");
    let (_, _, metrics) = h.call(Method::GET, "/metrics", None, vec![]).await;
    assert!(metrics.contains("zkprove_jobs_past_deadline 1"), "{metrics}");
    let high_job = h.wait_status(&high, "succeeded", None).await;
    let low_job = h.wait_status(&low, "succeeded", None).await;
    let late_job = h.wait_status(&late, "succeeded", None).await;
    assert_eq!(device.2.load(Ordering::SeqCst), 1, "one proof given up: the preempted one");
    assert_eq!(h.metrics.preemptions.get(), 1);
    for job in [&high_job, &low_job, &late_job] {
        assert_eq!(job["attempts"], 1, "a preemption uses no attempt: {job}");
    }
    // Order: the urgent job, then (earliest deadline first) the late one, then the preempted one.
    let row = |id: &String| {
        let (q, id) = (h.queue.clone(), id.clone());
        async move { q.job_any_tenant(&id).await.expect("read").expect("job") }
    };
    let (hr, lr, tr) = (row(&high).await, row(&low).await, row(&late).await);
    assert!(
        hr.finished_at <= tr.started_at && tr.finished_at <= lr.started_at,
        "{hr:?} {tr:?} {lr:?}"
    );
    assert_eq!(late_job["deadline_missed"], true);
    assert_eq!(low_job["deadline_missed"], false);
    assert_eq!(h.metrics.deadline_misses.get(), 1);
    for id in [&low, &high, &late] {
        let (status, result, _) =
            h.call(Method::GET, &format!("/v1/jobs/{id}/proof"), None, vec![]).await;
        assert_eq!(status, StatusCode::OK);
        common::check_result(&f, &result);
    }
    let (_, _, metrics) = h.call(Method::GET, "/metrics", None, vec![]).await;
    assert!(metrics.contains("zkprove_preemptions_total 1"), "{metrics}");
    assert!(metrics.contains("zkprove_deadline_misses_total 1"), "{metrics}");
    h.shutdown().await;
}

/// A drain whose grace period ends with a job still proving: the job stops inside its proof and
/// is requeued without using its attempt (not abandoned to lease expiry); a restarted service
/// proves it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_end_of_a_drain_requeues_the_job_in_hand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
    let device = Arc::new(StoppableSlowDevice(
        BackendEngine::new("slow-cpu", true, 1 << 30),
        Duration::from_secs(30),
        AtomicUsize::new(0),
    ));
    let service =
        zkprove_service::Service::start(&config, vec![device.clone()], false).await.expect("start");
    let f = fixture(3, 14);
    let circuit = common::register(&service.queue, &service.blobs, "t", &f).await;
    let witness = service.blobs.put(&witness_bytes(&f.witness)).expect("witness");
    let queue = service.queue.clone();
    let id = queue.submit(&common::new_job(&circuit, &witness, 0, None)).await.expect("submit");
    wait_row(&queue, &id, JobStatus::Running).await;
    let start = Instant::now();
    service.shutdown(Duration::from_millis(100)).await;
    assert!(start.elapsed() < Duration::from_secs(10), "the drain waited for the whole proof");
    assert_eq!(device.2.load(Ordering::SeqCst), 1, "the proof was given up");
    let job = queue.job_any_tenant(&id).await.expect("read").expect("job");
    assert_eq!(job.status, JobStatus::Queued, "{job:?}");
    assert_eq!((job.attempts, job.lease_owner.as_deref()), (0, None), "{job:?}");
    // A restarted service (a fast device) proves it.
    let service =
        zkprove_service::Service::start(&config, vec![cpu()], false).await.expect("start");
    let job = wait_row(&queue, &id, JobStatus::Succeeded).await;
    assert_eq!(job.attempts, 1);
    let result = service.blobs.get(job.result_blob.as_deref().expect("result")).expect("blob");
    common::check_result(&f, &serde_json::from_slice(&result).expect("json"));
    service.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn submit_prove_and_fetch_verified_proofs() {
    let mut h = harness(Config::default()).await;
    let f = fixture(4, 1);
    let circuit = h.register(&f, None).await;
    assert_eq!(h.register(&f, None).await, circuit, "registration is idempotent");
    assert_eq!(circuit, zkprove_service::blob::hex(&sha(&f.zkey)));
    let ids = [
        h.submit(&circuit, "", &f.witness, None).await,
        h.submit(&circuit, "&priority=3&deadline=2030-01-01T00:00:00Z", &f.witness, None).await,
    ];
    let queued = h.job(&ids[1], None).await;
    assert_eq!(queued["status"], "queued");
    assert_eq!(queued["priority"], 3);
    assert_eq!(queued["deadline"], "2030-01-01T00:00:00Z");
    assert_eq!(queued["attempts"], 0);
    for key in ["job_id", "circuit_id", "device", "error", "queued_at", "started_at", "finished_at"]
    {
        assert!(queued.get(key).is_some(), "field {key} missing: {queued}");
    }
    let (status, body, _) =
        h.call(Method::GET, &format!("/v1/jobs/{}/proof", ids[0]), None, vec![]).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::CONFLICT, Some("queued")), "{body}");
    // A long poll on a queued job with no worker answers after its wait, with the job as it is.
    let start = Instant::now();
    let (status, body, _) =
        h.call(Method::GET, &format!("/v1/jobs/{}?wait_ms=150", ids[0]), None, vec![]).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("queued")), "{body}");
    assert!(start.elapsed() >= Duration::from_millis(150), "answered before its wait");
    for bad in ["soon", "60001"] {
        let uri = format!("/v1/jobs/{}/proof?wait_ms={bad}", ids[0]);
        let (status, body, _) = h.call(Method::GET, &uri, None, vec![]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["error"].as_str().expect("error").contains("wait_ms"), "{body}");
    }
    h.start_worker(cpu());
    // The long poll for the proof answers once it is stored, not after its 60 s.
    let start = Instant::now();
    let uri = format!("/v1/jobs/{}/proof?wait_ms=60000", ids[1]);
    let (status, result, _) = h.call(Method::GET, &uri, None, vec![]).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert!(start.elapsed() < Duration::from_secs(50));
    common::check_result(&f, &result);
    for id in &ids {
        let job = h.wait_status(id, "succeeded", None).await;
        assert_eq!(job["attempts"], 1);
        assert_eq!(job["device"], "cpu");
        assert!(job["finished_at"].is_string());
        let (status, result, _) =
            h.call(Method::GET, &format!("/v1/jobs/{id}/proof"), None, vec![]).await;
        assert_eq!(status, StatusCode::OK);
        common::check_result(&f, &result);
    }
    // The second key load was a cache hit, and its proof came back to back with the first
    // (both queued when the worker started): one device idle gap measured.
    assert_eq!((h.metrics.cache_misses.get(), h.metrics.cache_hits.get()), (1, 1));
    assert_eq!(h.metrics.device_idle.get_sample_count(), 1);
    let (status, _, text) = h.call(Method::GET, "/metrics", None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    for name in [
        "zkprove_jobs_total{circuit=",
        "zkprove_queue_wait_seconds_bucket",
        "zkprove_proving_seconds_count 2",
        "zkprove_verification_seconds_count 2",
        "zkprove_proofs_completed_total{device=\"cpu\"} 2",
        "zkprove_jobs{status=\"succeeded\"} 2",
    ] {
        assert!(text.contains(name), "metrics lack {name}:\n{text}");
    }
    h.shutdown().await;
}

/// A witness over 64 KiB (4,099 values) is streamed to the blob store and read back from its
/// file; a small one is read whole, and submitting the same small witness again stores no new
/// file. Each job's proof comes back verified, with its own public signals.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn large_witnesses_stream_and_repeated_small_ones_are_stored_once() {
    let mut h = harness(Config::default()).await;
    let (large, small) = (fixture(12, 3), fixture(4, 5));
    assert!(witness_bytes(&large.witness).len() > 64 << 10);
    let (c_large, c_small) = (h.register(&large, None).await, h.register(&small, None).await);
    let ids = [
        h.submit(&c_large, "", &large.witness, None).await,
        h.submit(&c_small, "", &small.witness, None).await,
        h.submit(&c_small, "", &small.witness, None).await,
    ];
    let blob = zkprove_service::blob::hex(&sha(&witness_bytes(&small.witness)));
    let files = |dir: &FsPath| std::fs::read_dir(dir).expect("dir").count();
    let blob_dir = h.blobs.path(&blob).parent().expect("blob dir").to_path_buf();
    let n_files = files(&blob_dir);
    h.submit(&c_small, "", &small.witness, None).await;
    assert_eq!(files(&blob_dir), n_files, "a stored witness is not written again");
    assert!(files(&blob_dir.join("tmp")) == 0, "no temporary file is left");
    h.start_worker(cpu());
    for (id, f) in ids.iter().zip([&large, &small, &small]) {
        let uri = format!("/v1/jobs/{id}/proof?wait_ms=60000");
        let (status, result, _) = h.call(Method::GET, &uri, None, vec![]).await;
        assert_eq!(status, StatusCode::OK, "{result}");
        common::check_result(f, &result);
    }
    h.shutdown().await;
}

fn sha(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_bad_input_is_refused_with_a_json_error() {
    let mut h = harness(Config { max_body_bytes: 64 << 10, ..Config::default() }).await;
    let f = fixture(4, 2);
    let other = fixture(5, 3);
    let circuit = h.register(&f, None).await;
    let w = witness_bytes(&f.witness);
    let cases: Vec<(&str, String, Vec<u8>, StatusCode, &str)> = vec![
        (
            "POST",
            "/v1/circuits".into(),
            b"not a zkey at all".to_vec(),
            StatusCode::BAD_REQUEST,
            "zkey",
        ),
        ("POST", "/v1/circuits".into(), vec![], StatusCode::BAD_REQUEST, "empty"),
        ("POST", "/v1/circuits".into(), vec![0; 65 << 10], StatusCode::PAYLOAD_TOO_LARGE, "limit"),
        ("POST", "/v1/jobs".into(), w.clone(), StatusCode::BAD_REQUEST, "circuit"),
        (
            "POST",
            format!("/v1/jobs?circuit={}", "ab".repeat(32)),
            w.clone(),
            StatusCode::NOT_FOUND,
            "unknown circuit",
        ),
        (
            "POST",
            "/v1/jobs?circuit=../../etc".into(),
            w.clone(),
            StatusCode::NOT_FOUND,
            "unknown circuit",
        ),
        (
            "POST",
            format!("/v1/jobs?circuit={circuit}&priority=high"),
            w.clone(),
            StatusCode::BAD_REQUEST,
            "priority",
        ),
        (
            "POST",
            format!("/v1/jobs?circuit={circuit}&deadline=tomorrow"),
            w.clone(),
            StatusCode::BAD_REQUEST,
            "RFC 3339",
        ),
        (
            "POST",
            format!("/v1/jobs?circuit={circuit}&colour=red"),
            w.clone(),
            StatusCode::BAD_REQUEST,
            "colour",
        ),
        (
            "POST",
            format!("/v1/jobs?circuit={circuit}"),
            b"garbage".to_vec(),
            StatusCode::BAD_REQUEST,
            "witness",
        ),
        (
            "POST",
            format!("/v1/jobs?circuit={circuit}"),
            witness_bytes(&other.witness),
            StatusCode::UNPROCESSABLE_ENTITY,
            "does not fit",
        ),
        (
            "POST",
            format!("/v1/jobs?circuit={circuit}"),
            vec![1; 65 << 10],
            StatusCode::PAYLOAD_TOO_LARGE,
            "limit",
        ),
        ("GET", "/v1/jobs/nope".into(), vec![], StatusCode::NOT_FOUND, "unknown job"),
        ("GET", "/v1/jobs/nope/proof".into(), vec![], StatusCode::NOT_FOUND, "unknown job"),
        ("DELETE", "/v1/jobs/nope".into(), vec![], StatusCode::NOT_FOUND, "unknown job"),
        ("GET", "/v2/elsewhere".into(), vec![], StatusCode::NOT_FOUND, "endpoint"),
    ];
    for (method, uri, body, want, mention) in cases {
        let (status, json, text) = h.call(method.parse().expect("method"), &uri, None, body).await;
        assert_eq!(status, want, "{method} {uri}: {text}");
        let error = json["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {uri}: no JSON error: {text}"));
        assert!(error.contains(mention), "{method} {uri}: {error:?} does not name {mention:?}");
    }
    // Nothing was queued by the refused requests.
    assert!(h.queue.status_counts().await.expect("counts").is_empty());
    // A witness of the right length that does not satisfy the circuit: the CPU's proof does not
    // verify, the job fails at once as bad input and no proof is released.
    let mut bad = f.witness.clone();
    let last = bad.len() - 1;
    bad[last] += Fr::from_u64(1);
    let id = h.submit(&circuit, "", &bad, None).await;
    h.start_worker(cpu());
    let job = h.wait_status(&id, "failed", None).await;
    assert_eq!(job["attempts"], 1, "{job}");
    assert!(job["error"].as_str().expect("error").contains("does not satisfy"), "{job}");
    let (status, body, _) =
        h.call(Method::GET, &format!("/v1/jobs/{id}/proof"), None, vec![]).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::CONFLICT, Some("failed")));
    let (status, _, _) = h.call(Method::DELETE, &format!("/v1/jobs/{id}"), None, vec![]).await;
    assert_eq!(status, StatusCode::CONFLICT, "a finished job cannot be cancelled");
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_run_by_priority_then_deadline_then_submission() {
    let mut h = harness(Config::default()).await;
    let f = fixture(3, 4);
    let circuit = h.register(&f, None).await;
    let specs = [
        ("", "a"),
        ("&priority=5", "b"),
        ("&priority=5&deadline=2031-01-01T00:00:00Z", "c"),
        ("&priority=5&deadline=2030-01-01T00:00:00%2B01:00", "d"),
        ("&deadline=2030-01-01T00:00:00Z", "e"),
        ("&priority=-2", "f"),
    ];
    let mut ids = Vec::new();
    for (q, name) in specs {
        ids.push((h.submit(&circuit, q, &f.witness, None).await, name));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    h.start_worker(cpu());
    let mut done = Vec::new();
    for (id, name) in &ids {
        let job = h.wait_status(id, "succeeded", None).await;
        done.push((job["started_at"].as_str().expect("started").to_string(), *name));
    }
    done.sort();
    let order: Vec<&str> = done.iter().map(|(_, n)| *n).collect();
    assert_eq!(order, ["d", "c", "b", "e", "a", "f"]);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tenants_see_only_their_own_circuits_and_jobs() {
    let tenants = vec![
        Tenant { name: "alice".into(), token: "token-a".into() },
        Tenant { name: "bob".into(), token: "token-b".into() },
    ];
    let h = harness(Config { tenants, ..Config::default() }).await;
    let f = fixture(3, 5);
    let (status, body, _) = h.call(Method::POST, "/v1/circuits", None, f.zkey.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body["error"].as_str().expect("error").contains("bearer"));
    let (status, _, _) = h.call(Method::POST, "/v1/circuits", Some("wrong"), f.zkey.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let circuit = h.register(&f, Some("token-a")).await;
    // Bob has not registered the circuit: unknown to him, although the blob exists.
    let uri = format!("/v1/jobs?circuit={circuit}");
    let (status, _, _) =
        h.call(Method::POST, &uri, Some("token-b"), witness_bytes(&f.witness)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let id = h.submit(&circuit, "", &f.witness, Some("token-a")).await;
    for (method, path) in [
        (Method::GET, format!("/v1/jobs/{id}")),
        (Method::GET, format!("/v1/jobs/{id}/proof")),
        (Method::DELETE, format!("/v1/jobs/{id}")),
    ] {
        let (status, _, _) = h.call(method.clone(), &path, Some("token-b"), vec![]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path} as bob");
        let (status, _, _) = h.call(method.clone(), &path, None, vec![]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} anonymous");
    }
    assert_eq!(h.job(&id, Some("token-a")).await["status"], "queued", "bob's cancel did nothing");
    // Bob registers the same key: same id, now his too.
    assert_eq!(h.register(&f, Some("token-b")).await, circuit);
    let (status, body, _) =
        h.call(Method::DELETE, &format!("/v1/jobs/{id}"), Some("token-a"), vec![]).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("cancelled")));
    // Health endpoints and the page need no token.
    for path in ["/healthz", "/readyz", "/metrics", "/"] {
        let (status, _, _) = h.call(Method::GET, path, None, vec![]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_queued_and_running_jobs() {
    let mut h = harness(Config::default()).await;
    let f = fixture(3, 6);
    let circuit = h.register(&f, None).await;
    let queued = h.submit(&circuit, "", &f.witness, None).await;
    let (status, body, _) =
        h.call(Method::DELETE, &format!("/v1/jobs/{queued}"), None, vec![]).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("cancelled")));
    let running = h.submit(&circuit, "", &f.witness, None).await;
    let slow = BackendEngine::<CpuBackend>::new("slow-cpu", true, 1 << 30);
    h.start_worker(Arc::new(SlowDevice(slow, Duration::from_millis(800))));
    h.wait_status(&running, "running", None).await;
    let (status, body, _) =
        h.call(Method::DELETE, &format!("/v1/jobs/{running}"), None, vec![]).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::ACCEPTED, Some("running")),
        "{body}"
    );
    let job = h.wait_status(&running, "cancelled", None).await;
    assert!(job["finished_at"].is_string());
    let (status, _, _) =
        h.call(Method::GET, &format!("/v1/jobs/{running}/proof"), None, vec![]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(h.metrics.proofs_completed.with_label_values(&["slow-cpu"]).get(), 0);
    // The cancelled queued job was never claimed.
    assert_eq!(h.job(&queued, None).await["attempts"], 0);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_proof_that_fails_verification_is_never_released() {
    let mut h = harness(Config::default()).await;
    let f = fixture(4, 8);
    let circuit = h.register(&f, None).await;
    let id = h.submit(&circuit, "", &f.witness, None).await;
    // Right on its known-answer check at start, wrong afterwards.
    h.start_worker(Arc::new(BadDevice::new(1)));
    h.wait_quarantined().await;
    let job = h.job(&id, None).await;
    assert_eq!(
        (job["status"].as_str(), job["attempts"].as_u64()),
        (Some("queued"), Some(1)),
        "{job}"
    );
    assert!(job["error"].as_str().expect("error").contains("quarantined"), "{job}");
    let (status, _, _) = h.call(Method::GET, &format!("/v1/jobs/{id}/proof"), None, vec![]).await;
    assert_eq!(status, StatusCode::CONFLICT, "no proof released");
    let (_, _, page) = h.call(Method::GET, "/", None, vec![]).await;
    assert!(page.contains("bad-gpu") && page.contains("quarantined"), "{page}");
    // The quarantined device takes no more work; a good device proves the job.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(h.job(&id, None).await["attempts"], 1);
    h.start_worker(cpu());
    let job = h.wait_status(&id, "succeeded", None).await;
    assert_eq!((job["attempts"].as_u64(), job["device"].as_str()), (Some(2), Some("cpu")));
    let (_, result, _) = h.call(Method::GET, &format!("/v1/jobs/{id}/proof"), None, vec![]).await;
    common::check_result(&f, &result);
    let (_, _, metrics) = h.call(Method::GET, "/metrics", None, vec![]).await;
    for line in [
        "zkprove_invalid_proofs_total{device=\"bad-gpu\"} 1",
        "zkprove_devices_quarantined 1",
        "zkprove_retries_total{class=\"invalid_proof\"} 1",
    ] {
        assert!(metrics.contains(line), "metrics lack {line}:\n{metrics}");
    }
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_status_page() {
    let h = harness(Config::default()).await;
    let (status, body, _) = h.call(Method::GET, "/healthz", None, vec![]).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (status, body, _) = h.call(Method::GET, "/readyz", None, vec![]).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ready")));
    let f = fixture(3, 9);
    let circuit = h.register(&f, None).await;
    h.submit(&circuit, "&priority=7", &f.witness, None).await;
    let (status, _, page) = h.call(Method::GET, "/", None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.starts_with("<!doctype html>"));
    for part in ["proofs-per-minute", "<td>7</td><td>1</td>", "id=\"devices\"", "id=\"failures\""] {
        assert!(page.contains(part), "page lacks {part}: {page}");
    }
    assert_eq!(page.matches("<script").count(), 1, "one script: local times only");
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_device_failing_its_known_answer_check_takes_no_work() {
    let mut h = harness(Config::default()).await;
    let f = fixture(3, 10);
    let circuit = h.register(&f, None).await;
    let id = h.submit(&circuit, "", &f.witness, None).await;
    h.start_worker(Arc::new(BadDevice::new(0)));
    let error = h.wait_quarantined().await;
    assert!(error.contains("known-answer"), "{error}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let job = h.job(&id, None).await;
    assert_eq!(
        (job["status"].as_str(), job["attempts"].as_u64()),
        (Some("queued"), Some(0)),
        "{job}"
    );
    h.start_worker(cpu());
    let job = h.wait_status(&id, "succeeded", None).await;
    assert_eq!(job["attempts"], 1);
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_is_checked_again_and_quarantined_when_it_goes_bad() {
    let mut h = harness(Config::default()).await;
    h.known_answer_interval = Duration::from_millis(50);
    // Right at start, wrong from its second proof on: the periodic check catches it.
    h.start_worker(Arc::new(BadDevice::new(1)));
    let error = h.wait_quarantined().await;
    assert!(error.contains("known-answer"), "{error}");
    h.shutdown().await;
}

/// The browser for the status-page check: `ZKPROVE_CHROMIUM`, or `chromium` /
/// `chromium-browser` / `google-chrome` on the path.
fn find_browser() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("ZKPROVE_CHROMIUM") {
        return Some(p.into());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find_map(|dir| {
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .map(|name| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// The DOM of `url` after its script ran, as headless Chromium serializes it.
fn dump_dom(browser: &FsPath, url: &str) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = std::process::Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        .arg("--no-first-run")
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", url])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut out).expect("read DOM");
        out
    });
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "{} failed: {status}", browser.display());
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("{} did not finish in 90 s", browser.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().expect("reader")
}

/// The text of the element with `id` in a serialized DOM (up to its closing tag).
fn element<'a>(dom: &'a str, id: &str, close: &str) -> &'a str {
    let at = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id} in {dom}"));
    let end = dom[at..].find(close).map_or(dom.len(), |e| at + e);
    &dom[at..end]
}

/// The status page of a real server, loaded in headless Chromium: the browser's DOM (tables as
/// the HTML parser builds them, the script's effect) shows the queue by priority, jobs by status,
/// proofs in the last minute, the devices and the recent failure. Without a browser the test
/// says so and passes, unless `ZKPROVE_REQUIRE_BROWSER=1` (set by `scripts/test.sh`, which
/// installs Chromium).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_page_in_a_headless_browser() {
    let Some(browser) = find_browser() else {
        let required = std::env::var("ZKPROVE_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(!required, "ZKPROVE_REQUIRE_BROWSER=1 but no chromium found (ZKPROVE_CHROMIUM)");
        eprintln!("no chromium: the status page was not checked in a browser");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        bind: "127.0.0.1:0".parse().expect("addr"),
        ..Config::default()
    };
    // No worker: the jobs stay where the test puts them.
    let service = zkprove_service::Service::start(&config, vec![], true).await.expect("start");
    let (queue, blobs) = (service.queue.clone(), service.blobs.clone());
    let f = fixture(3, 12);
    let circuit = common::register(&queue, &blobs, "t", &f).await;
    let lease = Duration::from_secs(60);
    for p in [7, 7, 7, 3] {
        queue.submit(&common::new_job(&circuit, "w", p, None)).await.expect("submit");
    }
    let done = queue.claim("w", "cuda:0", lease).await.expect("claim").expect("job");
    queue.complete(&done.job.job_id, done.token, "r").await.expect("complete");
    let bad = queue.claim("w", "cuda:0", lease).await.expect("claim").expect("job");
    let reason = "the witness <does not> satisfy the circuit";
    let class = zkprove_service::queue::FailureClass::BadInput;
    queue.fail(&bad.job.job_id, bad.token, class, reason).await.expect("fail");
    service.devices.lock().expect("devices").extend([
        zkprove_service::worker::DeviceInfo {
            name: "cuda:0".into(),
            busy: true,
            proofs: 41,
            ..Default::default()
        },
        zkprove_service::worker::DeviceInfo {
            name: "cuda:1".into(),
            quarantined: true,
            ..Default::default()
        },
    ]);
    let url = format!("http://{}/", service.addr.expect("addr"));
    let dom = tokio::task::spawn_blocking(move || dump_dom(&browser, &url)).await.expect("dom");
    // The script ran in the browser.
    assert!(dom.contains("data-local-times=\"shown\""), "{dom}");
    // Tables as the browser's parser built them (the server writes no <tbody>).
    let jobs = element(&dom, "jobs", "</table>");
    assert!(jobs.contains("<tbody>"), "{jobs}");
    assert!(jobs.contains("<td>2</td><td>0</td><td>1</td><td>1</td><td>0</td>"), "{jobs}");
    let q = element(&dom, "queue", "</table>");
    assert!(q.contains("<td>7</td><td>1</td>") && q.contains("<td>3</td><td>1</td>"), "{q}");
    assert!(element(&dom, "proofs-per-minute", "</span>").ends_with(">1"), "{dom}");
    let devices = element(&dom, "devices", "</table>");
    assert!(devices.contains("cuda:0") && devices.contains("proving"), "{devices}");
    assert!(devices.contains("<td>41</td>"), "{devices}");
    assert!(devices.contains("cuda:1") && devices.contains("quarantined"), "{devices}");
    let failures = element(&dom, "failures", "</table>");
    assert!(failures.contains("the witness &lt;does not&gt; satisfy the circuit"), "{failures}");
    // The failure's time, shown by the script in the browser's time zone, not the raw RFC 3339.
    let shown = failures.split("<time").nth(1).expect("a time element");
    let (attr, text) = shown.split_once('>').expect("time element");
    let raw = attr.split('"').nth(1).expect("datetime attribute");
    let text = text.split("</time").next().expect("time text");
    assert!(!text.is_empty() && text != raw, "time {raw:?} shown as {text:?}");
    // No GPU telemetry on a machine without an NVIDIA driver; the page says so.
    if !std::path::Path::new("/proc/driver/nvidia").exists() {
        assert!(element(&dom, "gpus", "</p>").contains("No GPU telemetry"), "{dom}");
    }
    service.shutdown(Duration::from_secs(5)).await;
}
