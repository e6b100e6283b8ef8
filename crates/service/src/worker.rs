//! A worker: one device, one job at a time.
//!
//! The loop: claim the next job (one query), run it, repeat; idle, it waits for a wake-up (a job
//! queued in this process, or a PostgreSQL notification) or `poll`, and requeues expired leases
//! (any node does) at most every `poll`. Running a job goes through phases — read the witness,
//! prove, verify, store — and at each boundary the worker checks what the heartbeat task learned:
//! that the tenant cancelled the job (it then stops there and marks the job cancelled) or that the
//! lease was lost (it then stops and stores nothing). The heartbeat task renews the lease every
//! `heartbeat` while the proof runs on a blocking thread, off the async runtime, so that a long
//! proof does not starve the heartbeats; a boundary asks the database itself only when the lease
//! has not been renewed for a heartbeat period, so a short job costs two writes: the claim and the
//! fenced store (which also honours a cancellation that arrived after the last boundary).
//!
//! Back to back: while a proof runs, the worker reads the witness of the next queued job of the
//! same circuit (without claiming it), so that when it claims that job the key is resident and the
//! witness in memory; `zkprove_device_idle_seconds` measures the device's wait between such
//! consecutive proofs.
//!
//! A running job is also stopped at the next boundary — the prover's own phase boundaries
//! included (`ProofEngine::prove_groth16_until`) — when its heartbeat learns that the tenant
//! cancelled it or that the scheduler ([`housekeeper`]) preempted it for a more urgent job; a
//! preempted job is requeued without using its attempt. A preemption that arrives once the proof
//! is done is ignored: finishing costs less than proving again. A job that ends after its deadline
//! is counted in `zkprove_deadline_misses_total`; it runs all the same.
//!
//! A device other than the reference (a GPU) first proves a small built-in circuit whose proof
//! is verified on the host (a known-answer check, as zkSync's `gpu_checker`), and again every
//! `known_answer_interval` between jobs; a device that fails it is quarantined and takes no work.
//!
//! Every proof is verified before it is stored, against the verification key read from the zkey on
//! the host. A proof that fails verification is never stored: on a device that is not the
//! reference (a GPU) the device is quarantined — it takes no more work, and is reported on the
//! status page and in `zkprove_devices_quarantined` — and the job goes back to the queue for
//! another device; on the reference CPU backend the witness is at fault (it does not satisfy the
//! circuit) and the job fails as bad input.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use zkprove_circom::{Proof, Witness, Zkey, public_signals_to_json};
use zkprove_field::bn254::Fr;
use zkprove_groth16::PreparedVerificationKey;

use crate::blob::BlobStore;
use crate::engine::{EngineError, ProofEngine};
use crate::error::ServiceError;
use crate::kind::JobKind;
use crate::metrics::Metrics;
use crate::queue::{
    ClaimRequest, ClaimedJob, Directive, FailureClass, JobRow, JobStatus, Queue, now_us,
};

/// What the status page shows of a device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The device's name.
    pub name: String,
    /// Whether it is proving now.
    pub busy: bool,
    /// Whether it was quarantined (a proof of its failed verification).
    pub quarantined: bool,
    /// Proofs it completed.
    pub proofs: u64,
    /// Its last failure.
    pub last_error: Option<String>,
}

/// The devices of this process, shared with the API (status page, readiness).
pub type Devices = Arc<Mutex<Vec<DeviceInfo>>>;

/// Timing of a worker.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// This worker's name in leases (`node/device#n`).
    pub owner: String,
    /// The lease of a claim.
    pub lease: Duration,
    /// How often the lease is renewed while proving.
    pub heartbeat: Duration,
    /// How often an idle worker looks for work.
    pub poll: Duration,
    /// How often a device other than the reference repeats its known-answer check (between
    /// jobs).
    pub known_answer_interval: Duration,
    /// How long an older job of another circuit may be passed over for one whose key the device
    /// holds ([`Queue::claim_with_affinity`]).
    pub affinity_window: Duration,
}

/// A worker bound to one engine (device).
pub struct Worker {
    queue: Queue,
    blobs: BlobStore,
    metrics: Metrics,
    engine: Arc<dyn ProofEngine>,
    settings: WorkerSettings,
    devices: Devices,
    slot: usize,
    /// Verification keys, prepared for verifying every proof before release (per circuit).
    vks: HashMap<String, Arc<PreparedVerificationKey>>,
    abort: Option<watch::Receiver<bool>>,
    /// The witness of the next job, read while the current proof ran (blob id, values).
    staged: Option<(String, Arc<Vec<Fr>>)>,
    /// When the last proof ended, while the worker has not gone idle since.
    last_proof_end: Option<Instant>,
    /// The job claimed together with the store of the last one ([`Queue::complete_and_claim`]).
    next: Option<ClaimedJob>,
    /// The shutdown signal of [`Worker::run`]: no job is claimed ahead once it is set.
    shutdown: Option<watch::Receiver<bool>>,
    /// The store of the last job claimed nothing, and nothing was queued in this process (or,
    /// on PostgreSQL, announced by any node) since that claim: the next claim may wait for a
    /// wake-up.
    nothing_queued: bool,
}

impl core::fmt::Debug for Worker {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Worker").field("owner", &self.settings.owner).finish()
    }
}

/// How a job run ended, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// A verified proof was stored.
    Stored,
    /// The job failed (or was requeued) with this class.
    Failed(FailureClass),
    /// The job was cancelled at a phase boundary.
    Cancelled,
    /// The lease was lost: nothing was stored.
    LeaseLost,
    /// The job was preempted for a more urgent one and requeued (no attempt used).
    Preempted,
}

/// Why a phase boundary stops the job.
enum Stop {
    Cancel,
    Lost,
    Preempt,
}

impl Worker {
    /// A worker proving with `engine`, registered in `devices`.
    pub fn new(
        queue: Queue,
        blobs: BlobStore,
        metrics: Metrics,
        engine: Arc<dyn ProofEngine>,
        settings: WorkerSettings,
        devices: Devices,
    ) -> Self {
        let slot = {
            let mut d = devices.lock().unwrap_or_else(|e| e.into_inner());
            d.push(DeviceInfo { name: engine.device(), ..DeviceInfo::default() });
            d.len() - 1
        };
        Self {
            queue,
            blobs,
            metrics,
            engine,
            settings,
            devices,
            slot,
            vks: HashMap::new(),
            abort: None,
            staged: None,
            last_proof_end: None,
            next: None,
            shutdown: None,
            nothing_queued: false,
        }
    }

    /// This worker with an abort signal: once `abort` turns true (the end of a drain's grace
    /// period) the job in hand stops at its next phase boundary and is requeued without using
    /// its attempt, instead of being abandoned to lease expiry.
    pub fn with_abort(mut self, abort: watch::Receiver<bool>) -> Self {
        self.abort = Some(abort);
        self
    }

    fn aborted(&self) -> bool {
        self.abort.as_ref().is_some_and(|a| *a.borrow())
    }

    fn device_info(&self, f: impl FnOnce(&mut DeviceInfo)) {
        let mut d = self.devices.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(info) = d.get_mut(self.slot) {
            f(info);
        }
    }

    fn quarantined(&self) -> bool {
        let d = self.devices.lock().unwrap_or_else(|e| e.into_inner());
        d.get(self.slot).is_some_and(|i| i.quarantined)
    }

    /// The known-answer check of a device that is not the reference: a proof of a small
    /// built-in circuit (fixed seed), verified on the host. A device that fails it is quarantined
    /// before it takes any job. Returns whether the device passed.
    pub async fn known_answer_check(&self) -> bool {
        if self.engine.is_reference() {
            return true;
        }
        let (engine, blobs) = (self.engine.clone(), self.blobs.clone());
        let checked = blocking(move || {
            use rand::SeedableRng;
            let err = |e: &dyn std::fmt::Display| EngineError {
                class: FailureClass::Device,
                message: format!("known-answer check: {e}"),
            };
            let mut rng = rand::rngs::StdRng::seed_from_u64(21);
            let (r1cs, witness) =
                zkprove_groth16::setup::mul_chain(4, &mut rng).map_err(|e| err(&e))?;
            let zkey = zkprove_groth16::setup::setup(&r1cs, &mut rng).map_err(|e| err(&e))?;
            let vk = zkprove_groth16::verification_key(&zkey.header, &zkey.ic);
            let bytes = zkey.to_bytes().map_err(|e| err(&e))?;
            let id = blobs.put(&bytes).map_err(|e| err(&e))?;
            let proved = engine.prove_groth16(&id, &blobs.path(&id), &witness)?;
            let n_public = vk.n_public as usize;
            zkprove_groth16::verify(&vk, &witness[1..=n_public], &proved.proof).map_err(|e| err(&e))
        })
        .await;
        match checked {
            Ok(()) => true,
            Err(e) => {
                let device = self.engine.device();
                tracing::error!(device = %device, "{}: device quarantined", e.message);
                self.metrics.invalid_proofs.with_label_values(&[&device]).inc();
                self.metrics.quarantined.inc();
                self.device_info(|d| {
                    d.quarantined = true;
                    d.last_error = Some(e.message.clone());
                });
                false
            }
        }
    }

    /// Works until `shutdown` turns true: the job in hand is finished first (drain). A device
    /// other than the reference first passes the [known-answer check](Self::known_answer_check).
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        self.known_answer_check().await;
        let mut last_check = Instant::now();
        // Expired leases are looked for by an idle worker at most every `poll` (the node's
        // housekeeper does it too), not before every claim: a busy worker claims in one query.
        let mut last_reap: Option<Instant> = None;
        let mut queued = self.queue.subscribe_queued();
        self.shutdown = Some(shutdown.clone());
        loop {
            if *shutdown.borrow() {
                if let Some(next) = self.next.take() {
                    // Claimed ahead with the last store: back to the queue, no attempt used.
                    let _ = self.queue.release(&next.job.job_id, next.token).await;
                }
                return;
            }
            if !self.quarantined() && last_check.elapsed() >= self.settings.known_answer_interval {
                self.known_answer_check().await;
                last_check = Instant::now();
            }
            let mut idle = true;
            if self.quarantined()
                && let Some(next) = self.next.take()
            {
                // Claimed ahead before the device failed its check: back to the queue.
                let _ = self.queue.release(&next.job.job_id, next.token).await;
            }
            if !self.quarantined() {
                if last_reap.is_none_or(|t| t.elapsed() >= self.settings.poll) {
                    self.requeue_expired().await;
                    last_reap = Some(Instant::now());
                }
                // Seen before the claim: a job queued after it wakes the wait below.
                queued.borrow_and_update();
                let claimed = match self.next.take() {
                    Some(job) => Ok(Some(job)),
                    // The store of the last job found nothing to claim and nothing was queued
                    // since: no claim now (the wait below wakes for the next submission).
                    None if std::mem::take(&mut self.nothing_queued) => Ok(None),
                    None => {
                        let resident = self.engine.resident_keys();
                        self.queue
                            .claim_with_affinity(
                                &self.settings.owner,
                                &self.engine.device(),
                                self.settings.lease,
                                &resident,
                                self.settings.affinity_window,
                            )
                            .await
                    }
                };
                match claimed {
                    Ok(Some(job)) => {
                        idle = false;
                        let outcome = self.run_job(job).await;
                        tracing::debug!(owner = %self.settings.owner, ?outcome, "job run");
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(owner = %self.settings.owner, "claim failed: {e}"),
                }
            }
            if idle {
                // The device goes idle: the next proof is not back to back.
                self.last_proof_end = None;
                self.staged = None;
                // A job queued by this process (or, on PostgreSQL, by any node: LISTEN) wakes
                // the worker at once; the poll is the fallback.
                tokio::select! {
                    _ = tokio::time::sleep(self.settings.poll) => {}
                    _ = shutdown.changed() => {}
                    _ = queued.changed() => {}
                }
            }
        }
    }
    /// Requeues expired leases and counts what happened to them.
    pub async fn requeue_expired(&self) {
        match self.queue.requeue_expired().await {
            Ok(moved) => {
                for t in moved {
                    tracing::warn!(job = %t.job_id, status = t.status.as_str(), "lease expired");
                    if t.status == JobStatus::Queued {
                        self.metrics.retries.with_label_values(&["lease_expired"]).inc();
                    } else {
                        self.metrics
                            .jobs
                            .with_label_values(&[&t.circuit_id, t.status.as_str()])
                            .inc();
                    }
                }
            }
            Err(e) => tracing::warn!("requeue of expired leases failed: {e}"),
        }
    }

    /// A phase boundary: says whether to stop. What the heartbeat task learned (a cancellation,
    /// a preemption, a lost lease) is read locally; the database is asked only with `ask` or
    /// when the lease has not been renewed for a heartbeat period (the heartbeat task renews it
    /// while a proof runs, so a boundary costs no round trip). A preemption stops the job only
    /// where `preemptible` (before the proof: once a proof is done, finishing it costs less
    /// than proving it again).
    async fn boundary(
        &self,
        job: &ClaimedJob,
        said: &Said,
        preemptible: bool,
        ask: bool,
    ) -> Option<Stop> {
        if preemptible && self.aborted() {
            return Some(Stop::Preempt);
        }
        match said.get() {
            Some(Stop::Lost) => return Some(Stop::Lost),
            Some(Stop::Cancel) => return Some(Stop::Cancel),
            Some(Stop::Preempt) if preemptible => return Some(Stop::Preempt),
            _ => {}
        }
        if !ask && said.renewed_within(self.settings.heartbeat) {
            return None;
        }
        match self.queue.heartbeat(&job.job.job_id, job.token, self.settings.lease).await {
            Ok(Directive::Cancel) => Some(Stop::Cancel),
            Ok(Directive::Preempt) if preemptible => Some(Stop::Preempt),
            Ok(Directive::Preempt | Directive::Continue) => {
                said.renewed();
                None
            }
            Err(ServiceError::LeaseLost { .. }) => Some(Stop::Lost),
            // The database is unreachable: go on; the fenced store decides.
            Err(e) => {
                tracing::warn!(job = %job.job.job_id, "heartbeat failed: {e}");
                None
            }
        }
    }

    async fn stop(&self, job: &ClaimedJob, stop: Stop) -> RunOutcome {
        match stop {
            Stop::Lost => {
                self.metrics.leases_lost.inc();
                tracing::warn!(job = %job.job.job_id, "lease lost; the job is left to its new holder");
                RunOutcome::LeaseLost
            }
            Stop::Cancel => match self.queue.finish_cancelled(&job.job.job_id, job.token).await {
                Ok(()) => {
                    self.metrics.jobs.with_label_values(&[&job.job.circuit_id, "cancelled"]).inc();
                    RunOutcome::Cancelled
                }
                Err(_) => RunOutcome::LeaseLost,
            },
            Stop::Preempt => match self.queue.release(&job.job.job_id, job.token).await {
                Ok(()) if self.aborted() => {
                    tracing::info!(job = %job.job.job_id, "requeued at the end of the drain");
                    RunOutcome::Preempted
                }
                Ok(()) => {
                    self.metrics.preemptions.inc();
                    tracing::info!(job = %job.job.job_id, "preempted: requeued for a more urgent job");
                    RunOutcome::Preempted
                }
                Err(_) => RunOutcome::LeaseLost,
            },
        }
    }

    async fn fail(&self, job: &ClaimedJob, err: EngineError) -> RunOutcome {
        self.device_info(|d| d.last_error = Some(err.message.clone()));
        match self.queue.fail(&job.job.job_id, job.token, err.class, &err.message).await {
            Ok(t) => {
                if t.status == JobStatus::Queued {
                    self.metrics.retries.with_label_values(&[err.class.as_str()]).inc();
                } else {
                    self.metrics.jobs.with_label_values(&[&t.circuit_id, t.status.as_str()]).inc();
                }
                RunOutcome::Failed(err.class)
            }
            Err(ServiceError::LeaseLost { .. }) => {
                self.metrics.leases_lost.inc();
                RunOutcome::LeaseLost
            }
            Err(e) => {
                tracing::warn!(job = %job.job.job_id, "recording a failure failed: {e}");
                RunOutcome::Failed(err.class)
            }
        }
    }

    /// The verification key of a circuit, read from its zkey on the host and prepared for
    /// verification (`e(α, β)` and the lines of `γ`, `δ` computed once; cached).
    async fn verification_key(
        &mut self,
        circuit_id: &str,
    ) -> Result<Arc<PreparedVerificationKey>, EngineError> {
        if let Some(vk) = self.vks.get(circuit_id) {
            return Ok(vk.clone());
        }
        let path = self.blobs.path(circuit_id);
        let vk = blocking(move || {
            let bad_input =
                |message: String| EngineError { class: FailureClass::BadInput, message };
            let (header, ic) =
                Zkey::open_verification_data(&path).map_err(|e| bad_input(e.to_string()))?;
            let vk = zkprove_groth16::verification_key(&header, &ic);
            PreparedVerificationKey::new(&vk).map(Arc::new).map_err(|e| bad_input(e.to_string()))
        })
        .await?;
        self.vks.insert(circuit_id.to_string(), vk.clone());
        Ok(vk)
    }

    /// Runs one claimed job to its end (see the module docs).
    pub async fn run_job(&mut self, job: ClaimedJob) -> RunOutcome {
        let now = now_us();
        self.metrics.queue_wait.observe((now - job.job.queued_at).max(0) as f64 / 1e6);
        self.device_info(|d| d.busy = true);
        // What the heartbeats learn; `stop` makes the prover give up at its next boundary.
        let said = Arc::new(Said::new());
        let stop = Arc::new(AtomicBool::new(false));
        let heartbeat = {
            let (queue, said, settings) = (self.queue.clone(), said.clone(), self.settings.clone());
            let (id, token, stop) = (job.job.job_id.clone(), job.token, stop.clone());
            let mut abort = self.abort.clone();
            tokio::spawn(async move {
                loop {
                    match abort.as_mut() {
                        Some(a) => {
                            tokio::select! {
                                _ = tokio::time::sleep(settings.heartbeat) => {}
                                changed = a.changed() => {
                                    if changed.is_err() {
                                        abort = None;
                                    } else if *a.borrow() {
                                        stop.store(true, Ordering::SeqCst);
                                    }
                                    continue;
                                }
                            }
                        }
                        None => tokio::time::sleep(settings.heartbeat).await,
                    }
                    match queue.heartbeat(&id, token, settings.lease).await {
                        Ok(Directive::Continue) => said.renewed(),
                        Ok(Directive::Cancel) => {
                            said.set(Stop::Cancel);
                            stop.store(true, Ordering::SeqCst);
                        }
                        Ok(Directive::Preempt) => {
                            said.renewed();
                            said.set(Stop::Preempt);
                            stop.store(true, Ordering::SeqCst);
                        }
                        Err(ServiceError::LeaseLost { .. }) => {
                            said.set(Stop::Lost);
                            stop.store(true, Ordering::SeqCst);
                            return;
                        }
                        Err(e) => tracing::warn!(job = %id, "heartbeat failed: {e}"),
                    }
                }
            })
        };
        let outcome = match job.job.kind {
            JobKind::Groth16 => self.run_groth16(&job, &said, &stop).await,
        };
        heartbeat.abort();
        self.device_info(|d| d.busy = false);
        // A missed deadline is counted once, when the job ends (it still ran).
        let ended = matches!(outcome, RunOutcome::Stored | RunOutcome::Failed(_));
        if ended && job.job.deadline.is_some_and(|d| now_us() > d) {
            let final_status =
                self.queue.job_any_tenant(&job.job.job_id).await.ok().flatten().map(|j| j.status);
            if final_status.is_some_and(JobStatus::is_final) {
                self.metrics.deadline_misses.inc();
            }
        }
        outcome
    }

    /// The witness of a job: the one staged while the previous proof ran when it is this job's
    /// (blobs are content-addressed: same id, same bytes), else the one this process's API
    /// parsed at submission ([`BlobStore::kept_witness`]), else read now.
    async fn witness(&mut self, job: &ClaimedJob) -> Result<Arc<Vec<Fr>>, EngineError> {
        let j = &job.job;
        if let Some((id, w)) = self.staged.take()
            && id == j.witness_blob
        {
            return Ok(w);
        }
        read_witness(self.blobs.clone(), j.witness_blob.clone(), j.job_id.clone()).await
    }

    async fn run_groth16(
        &mut self,
        job: &ClaimedJob,
        said: &Arc<Said>,
        stop: &Arc<AtomicBool>,
    ) -> RunOutcome {
        let j = &job.job;
        // Phase 1: the witness and the verification key.
        let witness = match self.witness(job).await {
            Ok(w) => w,
            Err(e) => return self.fail(job, e).await,
        };
        let vk = match self.verification_key(&j.circuit_id).await {
            Ok(vk) => vk,
            Err(e) => return self.fail(job, e).await,
        };
        if let Some(stop) = self.boundary(job, said, true, false).await {
            return self.stop(job, stop).await;
        }
        // Phase 2: prove (on a blocking thread), giving up at the prover's next phase boundary
        // once the heartbeat sees a cancellation or preemption. Meanwhile the witness of the
        // next queued job of this circuit is read (staged), so that back-to-back proofs of one
        // circuit wait for no file. The same blocking task goes on, while nothing stops the job
        // (what a boundary without a database round trip checks), to verify the proof and write
        // its result blob (phases 3 and 4 up to the store): one hand-off between the async
        // runtime and a blocking thread per job instead of three. Whatever it did not do (a
        // boundary that needs the database, a witness too short to verify) is done below as it
        // was before.
        let start = Instant::now();
        if let Some(end) = self.last_proof_end.take() {
            self.metrics.device_idle.observe(end.elapsed().as_secs_f64());
        }
        let n_public = vk.verification_key().n_public as usize;
        let prove = {
            let (engine, w, stop) = (self.engine.clone(), witness.clone(), stop.clone());
            let (circuit, zkey) = (j.circuit_id.clone(), self.blobs.path(&j.circuit_id));
            let (vk, said, blobs) = (vk.clone(), said.clone(), self.blobs.clone());
            let heartbeat = self.settings.heartbeat;
            blocking(move || {
                let proved = engine.prove_groth16_until(&circuit, &zkey, &w, &stop)?;
                let proved_at = Instant::now();
                let ahead = match &proved {
                    Some(p) => verify_and_write(&vk, &w, n_public, p, &said, heartbeat, &blobs),
                    None => Ahead::default(),
                };
                Ok((proved, proved_at, ahead))
            })
        };
        let stage = stage_next(self.queue.clone(), self.blobs.clone(), j.clone());
        let (proved, staged) = tokio::join!(prove, stage);
        self.staged = staged;
        let (proved, proved_at, ahead) = match proved {
            Ok((Some(p), at, ahead)) => (p, at, ahead),
            Ok((None, _, _)) => {
                // Stopped: the boundary says why (a cancellation, a preemption, a lost lease);
                // if the database cannot say, the job is requeued without using its attempt.
                let why = self.boundary(job, said, true, true).await.unwrap_or(Stop::Preempt);
                return self.stop(job, why).await;
            }
            Err(e) => return self.fail(job, e).await,
        };
        self.last_proof_end = Some(proved_at);
        self.metrics.proving.observe(proved_at.duration_since(start).as_secs_f64());
        if proved.cache_hit {
            self.metrics.cache_hits.inc();
        } else {
            self.metrics.cache_misses.inc();
        }
        if let Some(stop) = self.boundary(job, said, false, false).await {
            return self.stop(job, stop).await;
        }
        // Phase 3: verify before release (unless the blocking task above did).
        if witness.len() <= n_public {
            let message =
                format!("the witness has {} values, fewer than the public signals", witness.len());
            return self.fail(job, EngineError { class: FailureClass::BadInput, message }).await;
        }
        let (verified, seconds) = match ahead.verified {
            Some(done) => done,
            None => {
                let start = Instant::now();
                let (vk, w, proof) = (vk.clone(), witness.clone(), proved.proof);
                let verified = blocking(move || verify_proof(&vk, &w, n_public, &proof)).await;
                (verified, start.elapsed().as_secs_f64())
            }
        };
        self.metrics.verification.observe(seconds);
        if let Err(e) = verified {
            let device = self.engine.device();
            self.metrics.invalid_proofs.with_label_values(&[&device]).inc();
            if self.engine.is_reference() {
                let message = format!(
                    "the proof does not verify: the witness does not satisfy the circuit ({})",
                    e.message
                );
                return self
                    .fail(job, EngineError { class: FailureClass::BadInput, message })
                    .await;
            }
            tracing::error!(device = %device, job = %j.job_id, "a proof failed verification: device quarantined");
            let message = format!(
                "the proof of device {device} failed verification ({}); device quarantined",
                e.message
            );
            // The job is requeued first: whoever sees the quarantine sees the job back in the
            // queue.
            let outcome =
                self.fail(job, EngineError { class: FailureClass::InvalidProof, message }).await;
            self.device_info(|d| d.quarantined = true);
            self.metrics.quarantined.inc();
            return outcome;
        }
        if let Some(stop) = self.boundary(job, said, false, false).await {
            return self.stop(job, stop).await;
        }
        // Phase 4: store the verified proof, fenced by the lease token; a cancellation that
        // arrived meanwhile is honoured by the same statement (`Queue::complete`).
        let blob = match ahead.blob {
            Some(blob) => blob,
            None => {
                let result = result_json(&proved.proof, &witness[1..=n_public]);
                let blobs = self.blobs.clone();
                blocking(move || write_result(&blobs, &result)).await
            }
        };
        let blob = match blob {
            Ok(b) => b,
            Err(e) => return self.fail(job, e).await,
        };
        // The next job is claimed in the same statement as this one is stored (one commit on
        // PostgreSQL), unless the worker is stopping.
        let stopping = self.aborted() || self.shutdown.as_ref().is_some_and(|s| *s.borrow());
        let stored = if stopping {
            self.queue.complete(&j.job_id, job.token, &blob).await
        } else {
            let (resident, device) = (self.engine.resident_keys(), self.engine.device());
            let claim = ClaimRequest {
                owner: &self.settings.owner,
                device: &device,
                lease: self.settings.lease,
                resident: &resident,
                window: self.settings.affinity_window,
            };
            // Subscribed before the claim: whether anything was queued since it.
            let queued = self.queue.subscribe_queued();
            match self.queue.complete_and_claim((&j.job_id, job.token, &blob), &claim).await {
                Ok((status, next)) => {
                    self.nothing_queued = next.is_none() && !queued.has_changed().unwrap_or(true);
                    self.next = next;
                    status.ok_or(ServiceError::LeaseLost {
                        job_id: j.job_id.clone(),
                        token: job.token,
                    })
                }
                Err(e) => Err(e),
            }
        };
        match stored {
            Ok(JobStatus::Cancelled) => {
                self.metrics.jobs.with_label_values(&[&j.circuit_id, "cancelled"]).inc();
                RunOutcome::Cancelled
            }
            Ok(_) => {
                let device = self.engine.device();
                self.metrics.proofs_completed.with_label_values(&[&device]).inc();
                self.metrics.jobs.with_label_values(&[&j.circuit_id, "succeeded"]).inc();
                self.device_info(|d| d.proofs += 1);
                RunOutcome::Stored
            }
            Err(ServiceError::LeaseLost { .. }) => self.stop(job, Stop::Lost).await,
            Err(e) => {
                tracing::warn!(job = %j.job_id, "storing the result failed: {e}");
                RunOutcome::LeaseLost
            }
        }
    }
}

/// What the heartbeats of a running job learned, and when its lease was last renewed.
struct Said {
    /// 0: nothing; 1: preempt; 2: cancel; 3: lease lost (the most binding wins).
    stop: AtomicU8,
    /// When the lease was last renewed (the claim, a heartbeat), since `start`.
    renewed_us: AtomicU64,
    start: Instant,
}

impl Said {
    fn new() -> Self {
        Self { stop: AtomicU8::new(0), renewed_us: AtomicU64::new(0), start: Instant::now() }
    }

    fn set(&self, stop: Stop) {
        let code = match stop {
            Stop::Preempt => 1,
            Stop::Cancel => 2,
            Stop::Lost => 3,
        };
        // A lost lease or a cancellation is not overwritten by a later preemption.
        self.stop.fetch_max(code, Ordering::SeqCst);
    }

    fn get(&self) -> Option<Stop> {
        match self.stop.load(Ordering::SeqCst) {
            1 => Some(Stop::Preempt),
            2 => Some(Stop::Cancel),
            3 => Some(Stop::Lost),
            _ => None,
        }
    }

    fn renewed(&self) {
        self.renewed_us.store(self.start.elapsed().as_micros() as u64, Ordering::SeqCst);
    }

    fn renewed_within(&self, period: Duration) -> bool {
        let at = Duration::from_micros(self.renewed_us.load(Ordering::SeqCst));
        self.start.elapsed().saturating_sub(at) < period
    }
}

/// What the proving task did after the proof, while nothing stopped the job
/// ([`verify_and_write`]): each step it left undone is `None`.
#[derive(Default)]
struct Ahead {
    /// The verification's outcome and its time in seconds.
    verified: Option<(Result<(), EngineError>, f64)>,
    /// The result blob of the verified proof.
    blob: Option<Result<String, EngineError>>,
}

/// Verifies a proof against the prepared key and the witness's public signals.
fn verify_proof(
    vk: &PreparedVerificationKey,
    witness: &[Fr],
    n_public: usize,
    proof: &Proof,
) -> Result<(), EngineError> {
    vk.verify(&witness[1..=n_public], proof)
        .map_err(|e| EngineError { class: FailureClass::InvalidProof, message: e.to_string() })
}

/// Writes the stored result of a verified proof as a blob.
fn write_result(blobs: &BlobStore, result: &str) -> Result<String, EngineError> {
    blobs
        .put(result.as_bytes())
        .map_err(|e| EngineError { class: FailureClass::Device, message: e.to_string() })
}

/// Phases 3 and 4 up to the store, on the proving task's thread, as far as the phase boundaries
/// let them run without a database round trip: each stops here when the heartbeats learned
/// something or the lease was not renewed within a heartbeat period (then [`Worker::boundary`]
/// asks the database, in the async task). The witness must hold the public signals.
fn verify_and_write(
    vk: &PreparedVerificationKey,
    witness: &[Fr],
    n_public: usize,
    proved: &crate::engine::Proved,
    said: &Said,
    heartbeat: Duration,
    blobs: &BlobStore,
) -> Ahead {
    let mut ahead = Ahead::default();
    let go_on = || said.get().is_none() && said.renewed_within(heartbeat);
    if witness.len() <= n_public || !go_on() {
        return ahead;
    }
    let start = Instant::now();
    let verified = verify_proof(vk, witness, n_public, &proved.proof);
    let ok = verified.is_ok();
    ahead.verified = Some((verified, start.elapsed().as_secs_f64()));
    if ok && go_on() {
        let result = result_json(&proved.proof, &witness[1..=n_public]);
        ahead.blob = Some(write_result(blobs, &result));
    }
    ahead
}

/// The values of a witness blob: those this process's API parsed at submission when it kept
/// them ([`BlobStore::kept_witness`]), else read and parsed on a blocking thread.
async fn read_witness(
    blobs: BlobStore,
    blob: String,
    job_id: String,
) -> Result<Arc<Vec<Fr>>, EngineError> {
    if let Some(w) = blobs.kept_witness(&blob) {
        return Ok(w);
    }
    blocking(move || {
        Witness::open(blobs.path(&blob)).map(|w| Arc::new(w.values)).map_err(|e| EngineError {
            class: FailureClass::BadInput,
            message: format!("witness of job {job_id}: {e}"),
        })
    })
    .await
}

/// The next queued job of `job`'s circuit, its witness read ahead (`None`: no such job, the
/// same witness as `job`'s, or it could not be read — the claim will read it and say why).
async fn stage_next(queue: Queue, blobs: BlobStore, job: JobRow) -> Option<(String, Arc<Vec<Fr>>)> {
    let next = queue.peek_next_witness(&job.circuit_id).await.ok().flatten()?;
    let w = read_witness(blobs, next.clone(), String::new()).await.ok()?;
    Some((next, w))
}

/// The scheduler's housekeeping, one task per node: every `poll`, requeue expired leases and,
/// unless `preempt_after` is `None`, ask the lowest-priority running job to make way for a job
/// of higher priority that has waited `preempt_after` unclaimed ([`Queue::preempt`]). Idle
/// workers requeue expired leases too; this task does it while every worker is busy.
pub async fn housekeeper(
    queue: Queue,
    poll: Duration,
    preempt_after: Option<Duration>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        if let Err(e) = queue.requeue_expired().await {
            tracing::warn!("requeue of expired leases failed: {e}");
        }
        if let Some(after) = preempt_after {
            match queue.preempt(after).await {
                Ok(Some(p)) => tracing::info!(
                    job = %p.job_id,
                    priority = p.priority,
                    "preemption requested for a more urgent job"
                ),
                Ok(None) => {}
                Err(e) => tracing::warn!("preemption step failed: {e}"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// How much a node's janitor does ([`janitor`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JanitorSettings {
    /// How often it runs.
    pub interval: Duration,
    /// Finished jobs older than this are deleted ([`Queue::purge_finished`]); `None` keeps them.
    pub retention: Option<Duration>,
    /// Orphan blobs older than this are removed ([`BlobStore::sweep`]); `None` keeps them.
    pub orphan_age: Option<Duration>,
}

impl JanitorSettings {
    /// From the configuration: retention `job_retention_ms`, orphans `orphan_blob_age_ms` (0:
    /// off); it runs every tenth of the orphan age, at least once a minute, at most every
    /// second. `None` when both are off.
    pub fn from_config(config: &crate::Config) -> Option<Self> {
        let ms = |v: u64| (v > 0).then(|| Duration::from_millis(v));
        let retention = ms(config.job_retention_ms);
        let orphan_age = ms(config.orphan_blob_age_ms);
        if retention.is_none() && orphan_age.is_none() {
            return None;
        }
        let interval = orphan_age
            .map_or(Duration::from_secs(60), |a| a / 10)
            .clamp(Duration::from_secs(1), Duration::from_secs(60));
        Some(Self { interval, retention, orphan_age })
    }
}

/// Jobs one purge statement deletes at most (a long purge is several short transactions).
const PURGE_BATCH: i64 = 1_000;

/// One round of [`janitor`]: deletes the finished jobs past retention (in batches of
/// `PURGE_BATCH`), then removes the blobs no circuit or job names that are older than the
/// orphan age, and stale temporary files ([`BlobStore::sweep`]): uploads whose job was refused or
/// never inserted, files a crash left behind, and the witnesses and proofs of purged jobs.
/// Returns (jobs purged, blob files removed).
///
/// # Errors
/// [`ServiceError::Database`], the blob store's [`ServiceError::Io`], [`ServiceError::Task`].
pub async fn janitor_round(
    queue: &Queue,
    blobs: &BlobStore,
    metrics: &Metrics,
    settings: &JanitorSettings,
) -> crate::Result<(u64, u64)> {
    let mut purged = 0;
    if let Some(retention) = settings.retention {
        let cutoff = crate::queue::now_us()
            .saturating_sub(i64::try_from(retention.as_micros()).unwrap_or(i64::MAX));
        loop {
            let n = queue.purge_finished(cutoff, PURGE_BATCH).await?;
            purged += n;
            metrics.jobs_purged.inc_by(n);
            if n < PURGE_BATCH as u64 {
                break;
            }
        }
        if purged > 0 {
            tracing::info!(jobs = purged, "finished jobs past retention deleted");
        }
    }
    let mut files = 0;
    if let Some(age) = settings.orphan_age {
        let referenced = queue.referenced_blobs().await?;
        let blobs = blobs.clone();
        let (n, bytes) = tokio::task::spawn_blocking(move || blobs.sweep(&referenced, age))
            .await
            .map_err(|e| ServiceError::Task { what: "blob sweep", message: e.to_string() })??;
        if n > 0 {
            tracing::info!(files = n, bytes, "orphan blobs removed");
        }
        files = n;
    }
    Ok((purged, files))
}

/// A node's janitor: every `settings.interval`, one [`janitor_round`] (retention, then the blob
/// sweep). Every node runs one; the purge and the sweep are safe to run on several at once.
pub async fn janitor(
    queue: Queue,
    blobs: BlobStore,
    metrics: Metrics,
    settings: JanitorSettings,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(settings.interval) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
        if let Err(e) = janitor_round(&queue, &blobs, &metrics, &settings).await {
            tracing::warn!("janitor round failed: {e}");
        }
    }
}

/// The stored result: `{"proof": <proof.json>, "public": <public.json>}`.
pub fn result_json(proof: &Proof, public: &[Fr]) -> String {
    let proof: serde_json::Value = serde_json::from_str(&proof.to_json()).unwrap_or_default();
    let public: serde_json::Value =
        serde_json::from_str(&public_signals_to_json(public)).unwrap_or_default();
    serde_json::json!({ "proof": proof, "public": public }).to_string()
}

/// Runs blocking work off the async runtime.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, EngineError> + Send + 'static,
) -> Result<T, EngineError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(EngineError {
            class: FailureClass::Device,
            message: format!("the proving task failed: {e}"),
        })
    })
}
