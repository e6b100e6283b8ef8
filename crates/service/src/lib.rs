//! The zkprove proving service: an HTTP API to register circuits and submit proving jobs, a
//! durable queue with priorities and deadlines, workers that prove on the devices of a node, and
//! Prometheus metrics. One node runs `zkprove serve` on an embedded SQLite database; a fleet runs
//! the same binary against PostgreSQL (`serve` nodes with the API, `worker` nodes that only
//! prove), PostgreSQL being the coordinator.
//!
//! ## Design
//! - [`api`]: axum handlers; the paths and JSON fields of issue 21. Uploads are streamed into the
//!   [`blob`] store (files named by SHA-256, written to a temporary file and renamed) and checked
//!   before a job exists, so that bad input is refused at submission with a 4xx naming the problem.
//! - [`queue`]: the jobs table in SQLite or PostgreSQL (one schema, `migrations/`, queries checked
//!   at run time): claims, leases, fencing tokens, attempts, cancellation, requeue of expired
//!   leases. The module docs give the protocol.
//! - [`worker`]: one per device; claims a job, proves it through a [`engine::ProofEngine`] on a
//!   blocking thread while a heartbeat renews the lease, verifies the proof against the key's
//!   verification key, and stores it with the fencing token. Phase boundaries (after reading the
//!   inputs, after proving, after verifying) are where a cancelled job stops.
//! - [`engine`]: [`engine::BackendEngine`], the Groth16 prover generic over
//!   `zkprove_groth16::Groth16Backend` (the binary instantiates the CPU and GPU backends), with an
//!   LRU cache of loaded keys bounded by a memory budget.
//! - [`kind`]: the job kind ([`JobKind::Groth16`] today), stored with every circuit and job.
//! - [`metrics`], [`page`]: `/metrics` and the `GET /` status page; [`config`]: the TOML file.
//!
//! ## Lease and fencing protocol
//! A claim sets the job `running`, counts an attempt, increments its `lease_token` and gives the
//! worker a lease until `now + lease`. The worker renews it every `heartbeat` and at each phase
//! boundary. Any node requeues jobs whose lease expired. Every state change by a worker names the
//! job *and* the token it claimed with, and changes nothing when the token is stale: a worker that
//! stalled or was partitioned past its lease cannot store a result, fail or cancel a job that was
//! requeued or that another worker now holds. A result is therefore released at most once, by the
//! holder of the current lease, and only after it verified.
//!
//! ## Failure classes
//! - *bad input* (a key or witness the prover rejects, a CPU proof that fails verification, i.e. a
//!   witness that does not satisfy the circuit): the job fails at once, with the reason;
//! - *device* error and *out of memory*: the job is retried (another device, or the CPU);
//! - *invalid proof* from a device other than the CPU: the proof is discarded, the device is
//!   quarantined (takes no more work) and the job is retried elsewhere; such a device also proves
//!   a small built-in circuit when its worker starts and every `known_answer_interval_ms`, and is
//!   quarantined if that proof fails;
//! - *lease expired* (a crash, a stall): the job is requeued by any node.
//!
//! A retried job fails for good after `max_attempts` claims (3 by default). Jobs survive restarts:
//! the queue and blobs are on disk, and a crashed node's jobs come back when their leases expire.
//!
//! ## Preemption and deadlines
//! Every node runs a housekeeper ([`worker::housekeeper`]) that requeues expired leases and, when
//! a job of higher priority has waited `preempt_after_ms` unclaimed (no device free), asks the
//! lowest-priority running job to stop ([`queue::Queue::preempt`]): its worker learns it at the
//! next lease renewal, the prover gives up at its next phase boundary (after the quotient, after
//! each MSM), and the job is requeued without using an attempt. Deadlines order the queue (EDF
//! within a priority); a job past its deadline still runs, and the miss is reported
//! (`deadline_missed` in the job, `zkprove_jobs_past_deadline`, `zkprove_deadline_misses_total`).
//!
//! ## GPU telemetry
//! [`telemetry`] reads each GPU through NVML (loaded at run time; none, no series) into
//! DCGM-named series on `/metrics` and the status page.
//!
//! ## Circuit affinity
//! A worker claims with the circuits whose keys its device holds
//! ([`queue::Queue::claim_with_affinity`]): among jobs of equal priority and deadline, those come
//! before older jobs of other circuits, for at most `affinity_window_ms`.
//!
//! ## Blobs
//! Every node runs a janitor ([`worker::janitor`]): jobs that reached a final status more than
//! `job_retention_ms` ago (default 7 days; 0 keeps them) are deleted, oldest first in batches
//! (`zkprove_jobs_purged_total`); then the blob directory is swept: blobs that no circuit or job
//! names, older than `orphan_blob_age_ms`, and stale temporary files go — among them the
//! witnesses and proofs of purged jobs. A purged job's `GET /v1/jobs/<id>` answers 404.
//!
//! ## Overhead and durability
//! A job costs two database writes (the claim and the fenced store; lease renewals happen only
//! while a proof runs longer than a heartbeat period) and no `fsync` with the default
//! [`Durability::Process`]: SQLite in WAL mode with `synchronous = NORMAL` and blobs renamed
//! into place unsynced survive a process crash (`kill -9`) — what the kernel holds outlives the
//! process — but not an OS crash or power loss, which may roll back the last commits (never to
//! an inconsistent state). [`Durability::Power`] syncs every commit and blob. Idle workers are
//! woken by a submission in process and, on PostgreSQL, by `LISTEN`/`NOTIFY` from every node;
//! clients wait for a job with a long poll (`?wait_ms=`) instead of polling.
//!
//! ## Back to back
//! While a proof runs, its worker reads the witness of the next queued job of the same circuit
//! (without claiming it), so consecutive proofs of one circuit wait for no file and no key load;
//! `zkprove_device_idle_seconds` measures the gap.
//!
//! ## Not yet
//! Queuing the next proof on a GPU before the current one is verified and stored
//! (`Groth16Prover::prove_stream` does this for a known list of witnesses; the service still
//! proves one claimed job at a time). (A drain finishes the jobs in hand within its grace period, then stops and requeues
//! those still running, without using their attempts: [`Service::shutdown`].)

#![forbid(unsafe_code)]

pub mod api;
pub mod blob;
pub mod config;
pub mod engine;
mod error;
pub mod kind;
pub mod metrics;
pub mod page;
pub mod queue;
pub mod server;
pub mod telemetry;
pub mod worker;

pub use config::{Config, Durability, Tenant};
pub use error::{Result, ServiceError};
pub use kind::JobKind;
pub use server::Service;
