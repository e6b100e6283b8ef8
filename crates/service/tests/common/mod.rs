//! Shared by the SQLite and PostgreSQL queue tests: the same checks on both databases.

#![allow(dead_code)]

pub mod pg;

use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::watch;
use zkprove_circom::{Proof, VerificationKey, Witness, Zkey};
use zkprove_field::bn254::Fr;
use zkprove_groth16::setup::{mul_chain, setup};
use zkprove_poly::CpuBackend;
use zkprove_service::blob::BlobStore;
use zkprove_service::engine::{BackendEngine, ProofEngine};
use zkprove_service::kind::JobKind;
use zkprove_service::metrics::Metrics;
use zkprove_service::queue::{
    CircuitRow, ClaimRequest, Directive, FailureClass, JobStatus, NewJob, Queue, now_us,
};
use zkprove_service::worker::{Devices, Worker, WorkerSettings};

/// A tiny circuit (2^log_n domain): the zkey's bytes and a satisfying witness.
pub struct Fixture {
    pub zkey: Vec<u8>,
    pub witness: Vec<Fr>,
    pub vk: VerificationKey,
}

pub fn fixture(log_n: u32, seed: u64) -> Fixture {
    let (r1cs, witness) = mul_chain(log_n, &mut StdRng::seed_from_u64(seed)).expect("chain");
    let zkey: Zkey = setup(&r1cs, &mut StdRng::seed_from_u64(seed + 1)).expect("setup");
    let vk = zkprove_groth16::verification_key(&zkey.header, &zkey.ic);
    Fixture { zkey: zkey.to_bytes().expect("zkey bytes"), witness, vk }
}

pub fn witness_bytes(values: &[Fr]) -> Vec<u8> {
    Witness { values: values.to_vec() }.to_bytes()
}

/// Checks a stored result (`{"proof", "public"}`) against the fixture.
pub fn check_result(f: &Fixture, result: &serde_json::Value) {
    let proof = Proof::from_json(&result["proof"].to_string(), "proof").expect("proof json");
    let public = zkprove_circom::public_signals_from_json(&result["public"].to_string(), "public")
        .expect("public json");
    let n_public = f.vk.n_public as usize;
    assert_eq!(public, f.witness[1..=n_public]);
    zkprove_groth16::verify(&f.vk, &public, &proof).expect("the released proof verifies");
}

/// Registers the fixture's circuit directly in the queue and blob store; returns its id.
pub async fn register(queue: &Queue, blobs: &BlobStore, tenant: &str, f: &Fixture) -> String {
    let id = blobs.put(&f.zkey).expect("put zkey");
    let n_vars = f.witness.len() as i64;
    let row = CircuitRow {
        circuit_id: id.clone(),
        kind: JobKind::Groth16,
        n_vars,
        n_public: i64::from(f.vk.n_public),
        size_bytes: f.zkey.len() as i64,
    };
    queue.register_circuit(tenant, &row).await.expect("register");
    id
}

pub fn new_job(circuit: &str, witness_blob: &str, priority: i64, deadline: Option<i64>) -> NewJob {
    NewJob {
        tenant: "t".into(),
        kind: JobKind::Groth16,
        circuit_id: circuit.into(),
        witness_blob: witness_blob.into(),
        priority,
        deadline,
        max_attempts: 3,
    }
}

/// Claim order, lease expiry, fencing, attempts and failure classes on `queue`.
pub async fn queue_semantics(queue: &Queue) {
    let lease = Duration::from_secs(60);
    // Order: priority desc, deadline asc (none last), submission asc.
    let h = 3_600_000_000i64;
    let now = zkprove_service::queue::now_us();
    let specs = [
        ("a", 0, None),
        ("b", 5, None),
        ("c", 5, Some(now + 2 * h)),
        ("d", 5, Some(now + h)),
        ("e", 0, Some(now + h)),
        ("f", -1, None),
        ("g", 0, None),
    ];
    let mut ids = Vec::new();
    for (name, p, d) in specs {
        ids.push((name, queue.submit(&new_job("c0", name, p, d)).await.expect("submit")));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let mut order = Vec::new();
    let mut claims = Vec::new();
    while let Some(c) = queue.claim("w1", "cpu", lease).await.expect("claim") {
        order.push(c.job.witness_blob.clone());
        claims.push(c);
    }
    assert_eq!(order, ["d", "c", "b", "e", "a", "g", "f"]);
    for c in &claims {
        assert_eq!(c.job.status, JobStatus::Running);
        assert_eq!(c.job.attempts, 1);
        assert_eq!(c.token, 1);
        let stored = queue.complete(&c.job.job_id, c.token, "r").await.expect("complete");
        assert_eq!(stored, JobStatus::Succeeded);
        // Completed: a second store with the same token is refused.
        assert!(queue.complete(&c.job.job_id, c.token, "r2").await.is_err());
    }

    // A store that claims the next job in the same statement (a busy worker's steady state),
    // with affinity parameters after the store's.
    let first = queue.submit(&new_job("c0", "s1", 0, None)).await.expect("submit");
    let second = queue.submit(&new_job("c9", "s2", 0, None)).await.expect("submit");
    let resident = ["c9".to_string()];
    let req = ClaimRequest {
        owner: "w1",
        device: "cpu",
        lease,
        resident: &resident,
        window: Duration::from_secs(60),
    };
    let c = queue.claim("w1", "cpu", lease).await.expect("claim").expect("job");
    assert_eq!(c.job.job_id, first);
    let (stored, next) =
        queue.complete_and_claim((&first, c.token, "r"), &req).await.expect("store and claim");
    assert_eq!(stored, Some(JobStatus::Succeeded));
    let next = next.expect("the next job claimed");
    assert_eq!((next.job.job_id.as_str(), next.token), (second.as_str(), 1));
    assert_eq!(
        (next.job.status, next.job.lease_owner.as_deref()),
        (JobStatus::Running, Some("w1"))
    );
    // A stale store stores nothing; with the queue empty nothing is claimed either.
    let (stored, none) =
        queue.complete_and_claim((&first, c.token, "again"), &req).await.expect("stale");
    assert_eq!((stored, none), (None, None));
    let row = queue.job_any_tenant(&first).await.expect("read").expect("job");
    assert_eq!(row.result_blob.as_deref(), Some("r"));
    queue.complete(&second, next.token, "r").await.expect("complete");

    // An expired lease: requeued by anyone; the stale holder can store nothing.
    let id = queue.submit(&new_job("c0", "x", 0, None)).await.expect("submit");
    let a = queue.claim("wa", "cpu", Duration::from_millis(30)).await.expect("claim").expect("job");
    assert_eq!(a.job.job_id, id);
    assert_eq!(a.job.lease_owner.as_deref(), Some("wa"));
    tokio::time::sleep(Duration::from_millis(80)).await;
    let moved = queue.requeue_expired().await.expect("requeue");
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].status, JobStatus::Queued);
    assert!(queue.heartbeat(&id, a.token, lease).await.is_err(), "stale heartbeat");
    let b = queue.claim("wb", "cpu", lease).await.expect("claim").expect("requeued job");
    assert_eq!(b.job.job_id, id);
    assert_eq!(b.token, a.token + 1, "the fencing token grows at each claim");
    assert_eq!(b.job.attempts, 2);
    assert!(queue.complete(&id, a.token, "late").await.is_err(), "late result refused");
    assert!(queue.fail(&id, a.token, FailureClass::Device, "late").await.is_err());
    assert!(queue.release(&id, a.token).await.is_err());
    assert_eq!(
        queue.heartbeat(&id, b.token, lease).await.expect("live heartbeat"),
        Directive::Continue
    );
    queue.complete(&id, b.token, "good").await.expect("current holder stores");
    let job = queue.job_any_tenant(&id).await.expect("read").expect("job");
    assert_eq!(job.status, JobStatus::Succeeded);
    assert_eq!(job.result_blob.as_deref(), Some("good"));

    // Retryable failures use attempts up to the cap; release does not use one.
    let id = queue.submit(&new_job("c0", "y", 0, None)).await.expect("submit");
    let c = queue.claim("w", "cpu", lease).await.expect("claim").expect("job");
    queue.release(&id, c.token).await.expect("release");
    for attempt in 1..=3 {
        let c = queue.claim("w", "cpu", lease).await.expect("claim").expect("job");
        assert_eq!(c.job.attempts, attempt);
        let t = queue.fail(&id, c.token, FailureClass::OutOfMemory, "oom").await.expect("fail");
        let expected = if attempt < 3 { JobStatus::Queued } else { JobStatus::Failed };
        assert_eq!(t.status, expected);
    }
    assert!(queue.claim("w", "cpu", lease).await.expect("claim").is_none());
    let job = queue.job_any_tenant(&id).await.expect("read").expect("job");
    assert_eq!(
        (job.status, job.error_class.as_deref()),
        (JobStatus::Failed, Some("out_of_memory"))
    );

    // Bad input fails at once.
    let id = queue.submit(&new_job("c0", "z", 0, None)).await.expect("submit");
    let c = queue.claim("w", "cpu", lease).await.expect("claim").expect("job");
    let t = queue.fail(&id, c.token, FailureClass::BadInput, "garbage").await.expect("fail");
    assert_eq!(t.status, JobStatus::Failed);

    // Cancel: queued → cancelled at once; running → requested, seen by the heartbeat.
    let q = queue.submit(&new_job("c0", "q", 0, None)).await.expect("submit");
    let (job, now) = queue.cancel("t", &q).await.expect("cancel").expect("job");
    assert!(now && job.status == JobStatus::Cancelled);
    assert!(queue.cancel("other", &q).await.expect("cancel").is_none(), "tenant isolation");
    let r = queue.submit(&new_job("c0", "r", 0, None)).await.expect("submit");
    let c = queue.claim("w", "cpu", lease).await.expect("claim").expect("job");
    assert_eq!(c.job.job_id, r);
    let (job, now) = queue.cancel("t", &r).await.expect("cancel").expect("job");
    assert!(!now && job.status == JobStatus::Running && job.cancel_requested);
    assert_eq!(queue.heartbeat(&r, c.token, lease).await.expect("heartbeat"), Directive::Cancel);
    queue.finish_cancelled(&r, c.token).await.expect("cancelled");
    assert!(queue.claim("w", "cpu", lease).await.expect("claim").is_none());
    // A cancellation that arrives after the last boundary: the store cancels instead, atomically.
    let r = queue.submit(&new_job("c0", "late-cancel", 0, None)).await.expect("submit");
    let c = queue.claim("w", "cpu", lease).await.expect("claim").expect("job");
    queue.cancel("t", &r).await.expect("cancel").expect("job");
    assert_eq!(queue.complete(&r, c.token, "proof").await.expect("store"), JobStatus::Cancelled);
    let job = queue.job_any_tenant(&r).await.expect("read").expect("job");
    assert_eq!((job.status, job.result_blob), (JobStatus::Cancelled, None));
    assert!(queue.claim("w", "cpu", lease).await.expect("claim").is_none());

    preemption(queue).await;
    affinity(queue).await;
}

/// Circuit affinity: a worker holding a circuit's key takes its job before an older job of
/// another circuit of equal priority, unless that job has waited past the window; priority and
/// deadline still come first.
async fn affinity(queue: &Queue) {
    let lease = Duration::from_secs(60);
    let resident = ["c2".to_string()];
    let claim = |window: Duration| {
        let resident = resident.clone();
        async move {
            queue
                .claim_with_affinity("w", "cpu", lease, &resident, window)
                .await
                .expect("claim")
                .expect("job")
        }
    };
    let window = Duration::from_secs(60);
    let old = queue.submit(&new_job("c1", "old", 0, None)).await.expect("submit");
    tokio::time::sleep(Duration::from_millis(5)).await;
    let warm = queue.submit(&new_job("c2", "warm", 0, None)).await.expect("submit");
    let mut order = Vec::new();
    for _ in 0..2 {
        let c = claim(window).await;
        queue.complete(&c.job.job_id, c.token, "r").await.expect("complete");
        order.push(c.job.job_id);
    }
    assert_eq!(order, [warm.clone(), old.clone()], "the resident circuit first");
    // Past the window, the older job of another circuit goes first.
    let old = queue.submit(&new_job("c1", "old", 0, None)).await.expect("submit");
    tokio::time::sleep(Duration::from_millis(60)).await;
    let warm = queue.submit(&new_job("c2", "warm", 0, None)).await.expect("submit");
    let mut order = Vec::new();
    for _ in 0..2 {
        let c = claim(Duration::from_millis(30)).await;
        queue.complete(&c.job.job_id, c.token, "r").await.expect("complete");
        order.push(c.job.job_id);
    }
    assert_eq!(order, [old, warm], "no starvation past the window");
    // Priority, then deadline, before affinity.
    let warm = queue.submit(&new_job("c2", "warm", 0, None)).await.expect("submit");
    let urgent = queue.submit(&new_job("c1", "urgent", 1, None)).await.expect("submit");
    let dated = queue.submit(&new_job("c1", "dated", 0, Some(now_us() + (1 << 40)))).await;
    let dated = dated.expect("submit");
    let mut order = Vec::new();
    for _ in 0..3 {
        let c = claim(window).await;
        queue.complete(&c.job.job_id, c.token, "r").await.expect("complete");
        order.push(c.job.job_id);
    }
    assert_eq!(order, [urgent, dated, warm]);
    assert!(queue.claim("w", "cpu", lease).await.expect("claim").is_none());
}

/// Preemption: a job of higher priority that waited has the lowest-priority running job
/// stopped and requeued without using its attempt; the preempted holder can store nothing.
async fn preemption(queue: &Queue) {
    let lease = Duration::from_secs(60);
    let wait = Duration::from_millis(50);
    let low = queue.submit(&new_job("c0", "low", 1, None)).await.expect("submit");
    let lowest = queue.submit(&new_job("c0", "lowest", 0, None)).await.expect("submit");
    let l1 = queue.claim("w1", "cpu", lease).await.expect("claim").expect("job");
    let l0 = queue.claim("w2", "cpu", lease).await.expect("claim").expect("job");
    assert_eq!((l1.job.job_id.as_str(), l0.job.job_id.as_str()), (low.as_str(), lowest.as_str()));
    // Nothing waits: no preemption. A job of no higher priority waiting: none either.
    assert_eq!(queue.preempt(Duration::ZERO).await.expect("preempt"), None);
    let equal = queue.submit(&new_job("c0", "equal", 0, None)).await.expect("submit");
    tokio::time::sleep(wait).await;
    assert_eq!(queue.preempt(Duration::ZERO).await.expect("preempt"), None);
    // A more urgent job that has not waited long enough (an idle device may still take it).
    let high = queue.submit(&new_job("c0", "high", 5, None)).await.expect("submit");
    assert_eq!(queue.preempt(Duration::from_secs(3600)).await.expect("preempt"), None);
    tokio::time::sleep(wait).await;
    // It has waited: the lowest-priority running job is asked to stop, once.
    let p = queue.preempt(wait).await.expect("preempt").expect("a preemption");
    assert_eq!((p.job_id.as_str(), p.priority), (lowest.as_str(), 0));
    assert_eq!(queue.preempt(wait).await.expect("preempt"), None, "one preemption at a time");
    assert_eq!(queue.heartbeat(&low, l1.token, lease).await.expect("hb"), Directive::Continue);
    assert_eq!(queue.heartbeat(&lowest, l0.token, lease).await.expect("hb"), Directive::Preempt);
    let job = queue.job_any_tenant(&lowest).await.expect("read").expect("job");
    assert!(job.preempt_requested && job.status == JobStatus::Running);
    // The holder stops and releases it: queued again, the attempt given back.
    queue.release(&lowest, l0.token).await.expect("release");
    let job = queue.job_any_tenant(&lowest).await.expect("read").expect("job");
    assert_eq!((job.status, job.attempts, job.preempt_requested), (JobStatus::Queued, 0, false));
    assert!(queue.complete(&lowest, l0.token, "stale").await.is_err(), "preempted: no store");
    // The freed device takes the most urgent job; then the equal one and the preempted one.
    let next = queue.claim("w2", "cpu", lease).await.expect("claim").expect("job");
    assert_eq!(next.job.job_id, high);
    // With the preemption done, the waiting equal-priority job preempts nothing more.
    assert_eq!(queue.preempt(Duration::ZERO).await.expect("preempt"), None);
    queue.complete(&high, next.token, "r").await.expect("complete");
    queue.complete(&low, l1.token, "r").await.expect("complete");
    // The preempted job keeps its place (submitted before the equal one).
    let again = queue.claim("w1", "cpu", lease).await.expect("claim").expect("job");
    assert_eq!((again.job.job_id.as_str(), again.job.attempts), (lowest.as_str(), 1));
    assert!(!again.job.preempt_requested);
    assert_eq!(again.token, l0.token + 1);
    queue.complete(&lowest, again.token, "r").await.expect("complete");
    let e = queue.claim("w1", "cpu", lease).await.expect("claim").expect("job");
    assert_eq!(e.job.job_id, equal);
    queue.complete(&equal, e.token, "r").await.expect("complete");
    assert!(queue.claim("w", "cpu", lease).await.expect("claim").is_none());
}

/// `n_workers` worker tasks (each its own CPU engine) prove `n_jobs` jobs; every job succeeds
/// exactly once and every released proof verifies.
pub async fn many_workers(queue: &Queue, blobs: &BlobStore, n_workers: usize, n_jobs: usize) {
    let f = fixture(3, 7);
    let circuit = register(queue, blobs, "t", &f).await;
    let wblob = blobs.put(&witness_bytes(&f.witness)).expect("witness");
    let mut ids = Vec::new();
    for i in 0..n_jobs {
        ids.push(
            queue.submit(&new_job(&circuit, &wblob, (i % 3) as i64, None)).await.expect("submit"),
        );
    }
    let metrics = Metrics::new().expect("metrics");
    let devices: Devices = Arc::default();
    let (stop, rx) = watch::channel(false);
    let mut tasks = Vec::new();
    for i in 0..n_workers {
        let engine: Arc<dyn ProofEngine> =
            Arc::new(BackendEngine::<CpuBackend>::new("cpu", true, 1 << 30));
        let settings = WorkerSettings {
            owner: format!("w{i}"),
            lease: Duration::from_secs(30),
            heartbeat: Duration::from_secs(5),
            poll: Duration::from_millis(10),
            known_answer_interval: Duration::from_secs(600),
            affinity_window: Duration::from_secs(5),
        };
        let w = Worker::new(
            queue.clone(),
            blobs.clone(),
            metrics.clone(),
            engine,
            settings,
            devices.clone(),
        );
        tasks.push(tokio::spawn(w.run(rx.clone())));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let counts = queue.status_counts().await.expect("counts");
        let done = counts.iter().find(|(s, _)| s == "succeeded").map_or(0, |(_, n)| *n);
        if done as usize >= n_jobs {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "jobs not done in time: {counts:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).expect("stop");
    for t in tasks {
        t.await.expect("worker");
    }
    let stored: u64 = metrics.proofs_completed.with_label_values(&["cpu"]).get();
    assert_eq!(stored as usize, n_jobs, "each job's result stored exactly once");
    assert_eq!(metrics.leases_lost.get(), 0);
    let per_worker: Vec<u64> = devices.lock().expect("devices").iter().map(|d| d.proofs).collect();
    assert_eq!(per_worker.iter().sum::<u64>() as usize, n_jobs);
    eprintln!("proofs per worker: {per_worker:?}");
    for id in ids {
        let job = queue.job_any_tenant(&id).await.expect("read").expect("job");
        assert_eq!(job.status, JobStatus::Succeeded);
        assert_eq!(job.attempts, 1);
        let result = blobs.get(job.result_blob.as_deref().expect("result")).expect("blob");
        check_result(&f, &serde_json::from_slice(&result).expect("json"));
    }
}

/// Retention: finished jobs (succeeded, failed, cancelled) older than the cutoff are deleted in
/// batches, queued and running ones never; the janitor then sweeps the blobs only they named.
pub async fn retention(queue: &Queue, blobs: &BlobStore) {
    use zkprove_service::worker::{JanitorSettings, janitor_round};
    let lease = Duration::from_secs(60);
    let f = fixture(3, 29);
    let circuit = register(queue, blobs, "t", &f).await;
    let witness = |tag: &str| blobs.put(tag.as_bytes()).expect("witness blob");
    let job = |w: &str| new_job(&circuit, w, 0, None);
    let (w_ok, w_bad, w_cancel, w_run, w_queued) =
        (witness("ok"), witness("bad"), witness("cancel"), witness("run"), witness("queued"));

    let ok = queue.submit(&job(&w_ok)).await.expect("submit");
    let c = queue.claim("w", "cpu", lease).await.expect("claim").expect("job");
    assert_eq!(c.job.job_id, ok);
    let r_ok = blobs.put(b"proof of ok").expect("result");
    queue.complete(&ok, c.token, &r_ok).await.expect("complete");
    let bad = queue.submit(&job(&w_bad)).await.expect("submit");
    let c = queue.claim("w", "cpu", lease).await.expect("claim").expect("job");
    queue.fail(&bad, c.token, FailureClass::BadInput, "bad witness").await.expect("fail");
    let cancelled = queue.submit(&job(&w_cancel)).await.expect("submit");
    assert!(queue.cancel("t", &cancelled).await.expect("cancel").expect("job").1);
    let running = queue.submit(&job(&w_run)).await.expect("submit");
    let c_run = queue.claim("w", "cpu", lease).await.expect("claim").expect("job");
    assert_eq!(c_run.job.job_id, running);
    let queued = queue.submit(&job(&w_queued)).await.expect("submit");

    // Nothing finished an hour ago.
    assert_eq!(queue.purge_finished(now_us() - 3_600_000_000, 1_000).await.expect("purge"), 0);
    // Everything finished before now: in batches of at most `limit`, oldest first.
    let cutoff = now_us() + 1;
    assert_eq!(queue.purge_finished(cutoff, 2).await.expect("purge"), 2);
    assert!(queue.job_any_tenant(&ok).await.expect("read").is_none(), "oldest first");
    assert!(queue.job_any_tenant(&bad).await.expect("read").is_none(), "oldest first");
    assert!(queue.job_any_tenant(&cancelled).await.expect("read").is_some());
    assert_eq!(queue.purge_finished(cutoff, 2).await.expect("purge"), 1);
    assert_eq!(queue.purge_finished(cutoff, 2).await.expect("purge"), 0);
    assert!(queue.job_any_tenant(&cancelled).await.expect("read").is_none());
    let job = queue.job_any_tenant(&running).await.expect("read").expect("running kept");
    assert_eq!(job.status, JobStatus::Running);
    let job = queue.job_any_tenant(&queued).await.expect("read").expect("queued kept");
    assert_eq!(job.status, JobStatus::Queued);
    let referenced = queue.referenced_blobs().await.expect("referenced");
    for id in [&circuit, &w_run, &w_queued] {
        assert!(referenced.contains(id), "{id} still named");
    }
    for id in [&w_ok, &w_bad, &w_cancel, &r_ok] {
        assert!(!referenced.contains(id), "{id} named only by a purged job");
    }

    // The janitor: the running job finishes, then one round purges it (retention 0) and sweeps
    // every blob no row names any more (orphan age 0); the key and the queued job's witness stay.
    let r_run = blobs.put(b"proof of run").expect("result");
    queue.complete(&running, c_run.token, &r_run).await.expect("complete");
    let metrics = Metrics::new().expect("metrics");
    let settings = JanitorSettings {
        interval: Duration::from_secs(1),
        retention: Some(Duration::ZERO),
        orphan_age: Some(Duration::ZERO),
    };
    let (purged, files) = janitor_round(queue, blobs, &metrics, &settings).await.expect("round");
    assert_eq!((purged, files), (1, 6));
    assert_eq!(metrics.jobs_purged.get(), 1);
    for id in [&w_ok, &w_bad, &w_cancel, &r_ok, &w_run, &r_run] {
        assert!(!blobs.contains(id), "{id} swept");
    }
    for id in [&circuit, &w_queued] {
        assert!(blobs.contains(id), "{id} kept");
    }
    // Retention off: nothing is purged, however old.
    let off = JanitorSettings { retention: None, ..settings };
    let c = queue.claim("w", "cpu", lease).await.expect("claim").expect("job");
    queue.complete(&queued, c.token, &r_ok).await.expect("complete");
    assert_eq!(janitor_round(queue, blobs, &metrics, &off).await.expect("round").0, 0);
    assert!(queue.job_any_tenant(&queued).await.expect("read").is_some());
}
