//! The job queue, in SQLite or PostgreSQL through one `sqlx` Any pool and one schema
//! (`migrations/`), with queries checked at run time (no database is needed to build).
//!
//! ## Claims, leases and fencing
//! [`Queue::claim`] takes the first queued job in the order *priority descending, deadline
//! ascending (none last), submission ascending* and marks it `running` for the claiming worker in
//! one statement: `UPDATE jobs SET … lease_token = lease_token + 1 … WHERE job_id = (SELECT …
//! ORDER BY … LIMIT 1 [FOR UPDATE SKIP LOCKED]) RETURNING …`: one round trip. On PostgreSQL the
//! sub-select locks the row and skips rows other claims hold, so concurrent workers never wait on
//! each other nor take the same job; on SQLite an `UPDATE` takes the database's single writer
//! lock when it starts (before its sub-select reads), so two claims serialize instead of failing
//! on a lock upgrade, and no explicit transaction is needed. The claim order is an index of the
//! queued jobs alone (`migrations/0003`: partial, deadlines-last as `COALESCE(deadline, MAX)`),
//! so a claim reads one index entry however long the queue is.
//!
//! ## Wake-ups
//! Idle workers sleep until a job is queued: a submission or requeue in this process wakes them
//! at once ([`Queue::subscribe_queued`]); on PostgreSQL a trigger (`NOTIFY zkprove_queued`, see
//! [`PG_NOTIFY`]) and a `LISTEN` connection per process carry the wake-up to every node. Polling
//! every `poll_ms` stays as the fallback (a lost notification, a listener reconnecting).
//!
//! ## Durability
//! SQLite runs in WAL mode; `synchronous` is `NORMAL` for [`Durability::Process`] (a commit
//! survives a process crash, not an OS crash or power loss) and `FULL` for [`Durability::Power`].
//! A PostgreSQL server's durability is its own configuration.
//!
//! A claim is a lease until `lease_expires_at`, renewed by [`Queue::heartbeat`]. The lease token
//! (incremented at every claim) is the *fencing token*: every state change a worker makes
//! ([`Queue::heartbeat`], [`Queue::complete`], [`Queue::fail`], [`Queue::release`],
//! [`Queue::finish_cancelled`]) is an `UPDATE … WHERE job_id = ? AND lease_token = ? AND
//! status = 'running'`, and changes nothing — [`ServiceError::LeaseLost`] — once the lease has
//! expired and the job was requeued ([`Queue::requeue_expired`], run by any node) or claimed again.
//! A worker that stalled past its lease can therefore never store a result or fail a job that
//! another worker now holds.
//!
//! ## Attempts and failure classes
//! A claim counts an attempt. [`Queue::fail`] with [`FailureClass::BadInput`] fails the job at
//! once; a retryable class (a device error, out of memory, a proof that failed verification on a
//! device, an expired lease) requeues it while `attempts < max_attempts` and fails it after.
//! [`Queue::release`] (drain, preemption) requeues without using the attempt.
//!
//! ## Preemption
//! [`Queue::preempt`] (the scheduler step every node runs each poll) marks the lowest-priority
//! running job `preempt_requested` when a job of higher priority has been queued for a while (no
//! device took it: none is free). The holder learns it at its next lease renewal
//! ([`Directive::Preempt`]), stops at the prover's next phase boundary and releases the job —
//! requeued, its attempt given back. The fencing token still guards it: a preempted worker that
//! released (or lost) the job cannot store a result for it afterwards.
//!
//! Times are microseconds since the Unix epoch, from the clock of the node that writes them:
//! nodes of one PostgreSQL queue need synchronized clocks (NTP) and leases much longer than their
//! skew; skew can only requeue a live job early, never let a stale worker store (the token does
//! not depend on clocks).

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{AnyPool, Row};

use crate::config::Durability;
use crate::error::{Result, ServiceError};
use crate::kind::JobKind;

/// The current time in microseconds since the Unix epoch.
pub fn now_us() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

/// Which database the queue is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// An embedded SQLite file (one node).
    Sqlite,
    /// A PostgreSQL server (a fleet).
    Postgres,
}

/// A job's status, as the API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Waiting for a worker.
    Queued,
    /// Claimed by a worker holding a lease.
    Running,
    /// Proved and verified; the proof is available.
    Succeeded,
    /// Failed for good (bad input, or attempts exhausted).
    Failed,
    /// Cancelled by its tenant.
    Cancelled,
}

impl JobStatus {
    /// The status as stored and reported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a stored status.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }

    /// Whether the job is finished (succeeded, failed or cancelled).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }
}

/// Why a job failed: decides whether it is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureClass {
    /// The input cannot be proved (a malformed key or witness, a witness that does not satisfy
    /// the circuit): failed at once.
    BadInput,
    /// A device failed (driver error, kernel failure): retried.
    Device,
    /// A device ran out of memory: retried (on another device or the CPU).
    OutOfMemory,
    /// A device's proof failed verification (the device is quarantined): retried elsewhere.
    InvalidProof,
    /// The worker's lease expired (a crash or a stall): retried.
    LeaseExpired,
}

impl FailureClass {
    /// The class as stored and reported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadInput => "bad_input",
            Self::Device => "device",
            Self::OutOfMemory => "out_of_memory",
            Self::InvalidProof => "invalid_proof",
            Self::LeaseExpired => "lease_expired",
        }
    }

    /// Whether a job failing this way is tried again (while attempts remain).
    pub fn is_retryable(self) -> bool {
        !matches!(self, Self::BadInput)
    }
}

/// What a lease renewal tells the worker holding the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive {
    /// Go on.
    Continue,
    /// The tenant cancelled the job: stop at the next phase boundary, mark it cancelled.
    Cancel,
    /// The scheduler preempted the job for a more urgent one: stop at the next phase boundary and
    /// requeue it ([`Queue::release`], no attempt used).
    Preempt,
}

/// A preemption requested by [`Queue::preempt`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preemption {
    /// The running job asked to stop.
    pub job_id: String,
    /// Its priority.
    pub priority: i64,
}

/// A registered circuit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircuitRow {
    /// The SHA-256 of the zkey (hex), also its blob id.
    pub circuit_id: String,
    /// What it proves.
    pub kind: JobKind,
    /// Signals of the circuit (the witness length).
    pub n_vars: i64,
    /// Public signals.
    pub n_public: i64,
    /// The zkey's size in bytes.
    pub size_bytes: i64,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    /// The job's id.
    pub job_id: String,
    /// Its tenant.
    pub tenant: String,
    /// What it proves.
    pub kind: JobKind,
    /// The circuit (zkey blob id).
    pub circuit_id: String,
    /// The witness's blob id.
    pub witness_blob: String,
    /// Higher runs first.
    pub priority: i64,
    /// Earliest deadline first among equal priorities (µs since the epoch).
    pub deadline: Option<i64>,
    /// Its status.
    pub status: JobStatus,
    /// Claims so far.
    pub attempts: i64,
    /// The attempt cap.
    pub max_attempts: i64,
    /// The fencing token of the current (or last) claim.
    pub lease_token: i64,
    /// The worker holding the lease (`node/device#n`), while running.
    pub lease_owner: Option<String>,
    /// Whether the tenant asked to cancel it while it ran.
    pub cancel_requested: bool,
    /// Whether the scheduler asked its worker to requeue it for a more urgent job.
    pub preempt_requested: bool,
    /// The device of the last claim.
    pub device: Option<String>,
    /// The failure class of the last failure.
    pub error_class: Option<String>,
    /// The last error.
    pub error: Option<String>,
    /// The result's blob id (`{"proof", "public"}` JSON), once succeeded.
    pub result_blob: Option<String>,
    /// Submission time (µs).
    pub queued_at: i64,
    /// Time of the last claim (µs).
    pub started_at: Option<i64>,
    /// Time it finished (µs).
    pub finished_at: Option<i64>,
}

/// A job as a worker holds it after [`Queue::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    /// The job.
    pub job: JobRow,
    /// The fencing token of this claim.
    pub token: i64,
}

/// A job's outcome after [`Queue::fail`] or a lease expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The job.
    pub job_id: String,
    /// Its circuit.
    pub circuit_id: String,
    /// Its status now.
    pub status: JobStatus,
}

/// A new job.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Its tenant.
    pub tenant: String,
    /// What it proves.
    pub kind: JobKind,
    /// The circuit.
    pub circuit_id: String,
    /// The witness's blob id.
    pub witness_blob: String,
    /// Higher runs first.
    pub priority: i64,
    /// Its deadline (µs since the epoch).
    pub deadline: Option<i64>,
    /// The attempt cap.
    pub max_attempts: i64,
}

/// The PostgreSQL-only migration (version 1000, after the shared ones): a trigger that sends
/// `NOTIFY zkprove_queued` whenever a job becomes queued (a submission, a requeue by any node),
/// which wakes the idle workers of every node that `LISTEN`s.
pub const PG_NOTIFY: &str = include_str!("../migrations/pg_1000_notify.sql");

/// The migrations, embedded in the binary: the shared ones, and for PostgreSQL [`PG_NOTIFY`].
#[derive(Debug)]
struct Embedded(DbKind);

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> Pin<
        Box<
            dyn Future<Output = std::result::Result<Vec<Migration>, sqlx::error::BoxDynError>>
                + Send,
        >,
    > {
        let kind = self.0;
        Box::pin(async move {
            let mut migrations = vec![
                Migration::new(
                    1,
                    Cow::Borrowed("jobs"),
                    MigrationType::Simple,
                    Cow::Borrowed(include_str!("../migrations/0001_jobs.sql")),
                    false,
                ),
                Migration::new(
                    2,
                    Cow::Borrowed("preemption"),
                    MigrationType::Simple,
                    Cow::Borrowed(include_str!("../migrations/0002_preemption.sql")),
                    false,
                ),
                Migration::new(
                    3,
                    Cow::Borrowed("claim index"),
                    MigrationType::Simple,
                    Cow::Borrowed(include_str!("../migrations/0003_claim_index.sql")),
                    false,
                ),
                Migration::new(
                    4,
                    Cow::Borrowed("retention index"),
                    MigrationType::Simple,
                    Cow::Borrowed(include_str!("../migrations/0004_retention.sql")),
                    false,
                ),
            ];
            if kind == DbKind::Postgres {
                migrations.push(Migration::new(
                    1000,
                    Cow::Borrowed("notify queued"),
                    MigrationType::Simple,
                    Cow::Borrowed(PG_NOTIFY),
                    false,
                ));
            }
            Ok(migrations)
        })
    }
}

const JOB_COLUMNS: &str = "job_id, tenant, kind, circuit_id, witness_blob, priority, deadline, \
    status, attempts, max_attempts, lease_token, lease_owner, cancel_requested, preempt_requested, device, error_class, error, \
    result_blob, queued_at, started_at, finished_at";

/// The claim order: priority, then earliest deadline (none last: `i64::MAX`), then submission.
/// The same expressions as the index `jobs_queued_order` (`migrations/0003`), so that the
/// database reads the first entry of the index instead of sorting the queue.
pub const CLAIM_ORDER: &str = "priority DESC, COALESCE(deadline, 9223372036854775807) ASC, \
    queued_at ASC, job_id ASC";

/// The fenced store of a result ($1 job, $2 token, $3 now, $4 result blob): succeeded, or
/// cancelled when its cancellation was requested ([`Queue::complete`]).
const COMPLETE_SQL: &str = "UPDATE jobs SET \
    status = CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE 'succeeded' END, \
    result_blob = CASE WHEN cancel_requested = 1 THEN NULL ELSE $4 END, \
    finished_at = $3, error = NULL, error_class = NULL, lease_owner = NULL, \
    lease_expires_at = NULL \
    WHERE job_id = $1 AND lease_token = $2 AND status = 'running' \
    RETURNING job_id, circuit_id, status";

/// A value bound to a claim's parameters.
enum Bind<'a> {
    Text(&'a str),
    Int(i64),
}

impl<'q> sqlx::Encode<'q, sqlx::Any> for Bind<'q> {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> std::result::Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self {
            Bind::Text(t) => <&str as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(t, buf),
            Bind::Int(i) => <i64 as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(i, buf),
        }
    }
}

impl sqlx::Type<sqlx::Any> for Bind<'_> {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <&str as sqlx::Type<sqlx::Any>>::type_info()
    }
}

/// The parameters of [`Queue::claim_sql`], in order.
fn claim_binds<'a>(
    owner: &'a str,
    device: &'a str,
    lease: Duration,
    resident: &'a [String],
    window: Duration,
    now: i64,
) -> Vec<Bind<'a>> {
    let mut binds = vec![
        Bind::Text(owner),
        Bind::Int(now + lease.as_micros() as i64),
        Bind::Int(now),
        Bind::Text(device),
    ];
    if !resident.is_empty() {
        binds.push(Bind::Int(now - window.as_micros() as i64));
        binds.extend(resident.iter().map(|c| Bind::Text(c)));
    }
    binds
}

/// What a worker claims with: its name and device, the lease, and the circuits whose keys it
/// holds ([`Queue::claim_with_affinity`]).
#[derive(Debug, Clone, Copy)]
pub struct ClaimRequest<'a> {
    /// The worker (`node/device#n`).
    pub owner: &'a str,
    /// Its device.
    pub device: &'a str,
    /// The lease of the claim.
    pub lease: Duration,
    /// The circuits whose keys the device holds.
    pub resident: &'a [String],
    /// How long an older job of another circuit may be passed over.
    pub window: Duration,
}

/// The `LISTEN` channel of [`PG_NOTIFY`].
const PG_CHANNEL: &str = "zkprove_queued";

fn corrupt(message: String) -> ServiceError {
    ServiceError::CorruptRow { table: "jobs", message }
}

fn job_from_row(row: &AnyRow) -> Result<JobRow> {
    let get = |e: sqlx::Error| ServiceError::Database { operation: "decode job", source: e };
    let status: String = row.try_get("status").map_err(get)?;
    let kind: String = row.try_get("kind").map_err(get)?;
    Ok(JobRow {
        job_id: row.try_get("job_id").map_err(get)?,
        tenant: row.try_get("tenant").map_err(get)?,
        kind: JobKind::parse(&kind).ok_or_else(|| corrupt(format!("unknown kind {kind:?}")))?,
        circuit_id: row.try_get("circuit_id").map_err(get)?,
        witness_blob: row.try_get("witness_blob").map_err(get)?,
        priority: row.try_get("priority").map_err(get)?,
        deadline: row.try_get("deadline").map_err(get)?,
        status: JobStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("unknown status {status:?}")))?,
        attempts: row.try_get("attempts").map_err(get)?,
        max_attempts: row.try_get("max_attempts").map_err(get)?,
        lease_token: row.try_get("lease_token").map_err(get)?,
        lease_owner: row.try_get("lease_owner").map_err(get)?,
        cancel_requested: row.try_get::<i64, _>("cancel_requested").map_err(get)? != 0,
        preempt_requested: row.try_get::<i64, _>("preempt_requested").map_err(get)? != 0,
        device: row.try_get("device").map_err(get)?,
        error_class: row.try_get("error_class").map_err(get)?,
        error: row.try_get("error").map_err(get)?,
        result_blob: row.try_get("result_blob").map_err(get)?,
        queued_at: row.try_get("queued_at").map_err(get)?,
        started_at: row.try_get("started_at").map_err(get)?,
        finished_at: row.try_get("finished_at").map_err(get)?,
    })
}

fn transition_from_row(row: &AnyRow) -> Result<Transition> {
    let get = |e: sqlx::Error| ServiceError::Database { operation: "decode job", source: e };
    let status: String = row.try_get("status").map_err(get)?;
    Ok(Transition {
        job_id: row.try_get("job_id").map_err(get)?,
        circuit_id: row.try_get("circuit_id").map_err(get)?,
        status: JobStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("unknown status {status:?}")))?,
    })
}

/// The queue: a connection pool to SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct Queue {
    pool: AnyPool,
    kind: DbKind,
    /// Bumped when a job is queued (a submission, a requeue) by this process or, on PostgreSQL,
    /// by any node (`LISTEN`): wakes idle workers at once instead of at their next poll.
    queued: Arc<tokio::sync::watch::Sender<u64>>,
    /// Bumped when this process finishes a job (succeeded, failed, cancelled): wakes the
    /// requests waiting for one (`GET /v1/jobs/{id}?wait_ms=`), with the job when a result was
    /// stored.
    finished: Arc<tokio::sync::watch::Sender<Finished>>,
    /// PostgreSQL: dropped with the last clone of the queue, which ends its `LISTEN` task.
    _listening: Option<Arc<tokio::sync::oneshot::Sender<()>>>,
}

/// What [`Queue::subscribe_finished`] announces: that this process finished a job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Finished {
    /// Bumped at each announcement.
    pub seq: u64,
    /// The job whose fenced store ([`Queue::complete`]) was the last announcement, as that
    /// statement left it (`None` for other ends: failures, cancellations, expired leases).
    pub stored: Option<StoredResult>,
}

/// A job as the fenced store of its result left it ([`Finished::stored`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResult {
    /// The job.
    pub job_id: String,
    /// [`JobStatus::Succeeded`], or [`JobStatus::Cancelled`] when a cancellation came first.
    pub status: JobStatus,
    /// The result blob (`None` when cancelled).
    pub result_blob: Option<String>,
}

/// How the queue is opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueOptions {
    /// What a crash may cost (SQLite's `synchronous`).
    pub durability: Durability,
}

impl Queue {
    /// Connects to `url` (`sqlite:…` or `postgres://…`) with the default options
    /// ([`Durability::Process`]) and applies the migrations.
    ///
    /// # Errors
    /// [`ServiceError::UnsupportedDatabase`], [`ServiceError::Database`],
    /// [`ServiceError::Migration`].
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, QueueOptions::default()).await
    }

    /// Connects to `url` with `options` and applies the migrations; on PostgreSQL, also starts
    /// listening for queued jobs (a background task that ends when the queue is dropped).
    ///
    /// # Errors
    /// As [`Queue::connect`].
    pub async fn connect_with(url: &str, options: QueueOptions) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let kind = if url.starts_with("sqlite:") {
            DbKind::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DbKind::Postgres
        } else {
            return Err(ServiceError::UnsupportedDatabase { url: url.into() });
        };
        let mut pool = AnyPoolOptions::new()
            .max_connections(if kind == DbKind::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(30));
        if kind == DbKind::Sqlite {
            // WAL: readers never wait for the writer, and a commit appends to one file.
            // `synchronous` is per connection, so it is set on each (module docs, Durability).
            let synchronous = match options.durability {
                Durability::Process => "PRAGMA synchronous = NORMAL",
                Durability::Power => "PRAGMA synchronous = FULL",
            };
            pool = pool.after_connect(move |conn, _| {
                Box::pin(async move {
                    sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                    sqlx::query(synchronous).execute(&mut *conn).await?;
                    Ok(())
                })
            });
        }
        let pool = pool.connect(url).await.map_err(ServiceError::db("connect"))?;
        let migrator = Migrator::new(Embedded(kind))
            .await
            .map_err(|source| ServiceError::Migration { source })?;
        migrator.run(&pool).await.map_err(|source| ServiceError::Migration { source })?;
        let (queued, _) = tokio::sync::watch::channel(0);
        let (finished, _) = tokio::sync::watch::channel(Finished::default());
        let queued = Arc::new(queued);
        let mut listening = None;
        if kind == DbKind::Postgres {
            let mut listener = sqlx::postgres::PgListener::connect(url)
                .await
                .map_err(ServiceError::db("listen: connect"))?;
            listener.listen(PG_CHANNEL).await.map_err(ServiceError::db("listen"))?;
            let (guard, closed) = tokio::sync::oneshot::channel();
            tokio::spawn(listen(listener, queued.clone(), closed));
            listening = Some(Arc::new(guard));
        }
        Ok(Self { pool, kind, queued, finished: Arc::new(finished), _listening: listening })
    }

    /// Which database this is.
    pub fn db_kind(&self) -> DbKind {
        self.kind
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Records a circuit for a tenant (a no-op when it is already registered).
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn register_circuit(&self, tenant: &str, circuit: &CircuitRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO circuits (tenant, circuit_id, kind, n_vars, n_public, size_bytes, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant, circuit_id) DO NOTHING",
        )
        .bind(tenant)
        .bind(&circuit.circuit_id)
        .bind(circuit.kind.as_str())
        .bind(circuit.n_vars)
        .bind(circuit.n_public)
        .bind(circuit.size_bytes)
        .bind(now_us())
        .execute(&self.pool)
        .await
        .map_err(ServiceError::db("register circuit"))?;
        Ok(())
    }

    /// A tenant's circuit.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn circuit(&self, tenant: &str, circuit_id: &str) -> Result<Option<CircuitRow>> {
        let row = sqlx::query(
            "SELECT circuit_id, kind, n_vars, n_public, size_bytes FROM circuits \
             WHERE tenant = $1 AND circuit_id = $2",
        )
        .bind(tenant)
        .bind(circuit_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(ServiceError::db("look up circuit"))?;
        let Some(row) = row else { return Ok(None) };
        let get =
            |e: sqlx::Error| ServiceError::Database { operation: "decode circuit", source: e };
        let kind: String = row.try_get("kind").map_err(get)?;
        Ok(Some(CircuitRow {
            circuit_id: row.try_get("circuit_id").map_err(get)?,
            kind: JobKind::parse(&kind).ok_or_else(|| ServiceError::CorruptRow {
                table: "circuits",
                message: format!("unknown kind {kind:?}"),
            })?,
            n_vars: row.try_get("n_vars").map_err(get)?,
            n_public: row.try_get("n_public").map_err(get)?,
            size_bytes: row.try_get("size_bytes").map_err(get)?,
        }))
    }

    /// Queues a job; returns its id (128 random bits, hex).
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn submit(&self, job: &NewJob) -> Result<String> {
        let job_id = crate::blob::random_hex(16);
        sqlx::query(
            "INSERT INTO jobs (job_id, tenant, kind, circuit_id, witness_blob, priority, deadline, \
             status, attempts, max_attempts, lease_token, cancel_requested, queued_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, 0, 0, $9)",
        )
        .bind(&job_id)
        .bind(&job.tenant)
        .bind(job.kind.as_str())
        .bind(&job.circuit_id)
        .bind(&job.witness_blob)
        .bind(job.priority)
        .bind(job.deadline)
        .bind(job.max_attempts)
        .bind(now_us())
        .execute(&self.pool)
        .await
        .map_err(ServiceError::db("submit job"))?;
        self.wake();
        Ok(job_id)
    }

    /// A receiver that changes whenever this process queues a job ([`Queue::submit`], and the
    /// requeues of [`Queue::release`], [`Queue::fail`] and [`Queue::requeue_expired`]) and, on
    /// PostgreSQL, whenever any node does.
    pub fn subscribe_queued(&self) -> tokio::sync::watch::Receiver<u64> {
        self.queued.subscribe()
    }

    /// A receiver that changes whenever this process finishes a job (stores a result, fails or
    /// cancels it), saying which job when it stored a result ([`Finished::stored`]: a waiter
    /// for that job needs no database read). Jobs finished by other nodes are not signalled:
    /// poll for them.
    pub fn subscribe_finished(&self) -> tokio::sync::watch::Receiver<Finished> {
        self.finished.subscribe()
    }

    fn wake(&self) {
        self.queued.send_modify(|n| *n = n.wrapping_add(1));
    }

    fn finished(&self) {
        self.announce_finished(None);
    }

    fn announce_finished(&self, stored: Option<StoredResult>) {
        self.finished.send_modify(|f| {
            f.seq = f.seq.wrapping_add(1);
            f.stored = stored;
        });
    }

    /// Announces the fenced store of `job_id`'s result, which left it `status`.
    fn stored(&self, job_id: &str, status: JobStatus, result_blob: &str) {
        let result_blob = (status == JobStatus::Succeeded).then(|| result_blob.to_string());
        self.announce_finished(Some(StoredResult { job_id: job_id.into(), status, result_blob }));
    }

    /// A job by id, whatever its tenant (workers, tests).
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn job_any_tenant(&self, job_id: &str) -> Result<Option<JobRow>> {
        let row = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE job_id = $1"))
            .bind(job_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(ServiceError::db("read job"))?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// A tenant's job (another tenant's job is `None`, as an unknown one).
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn job(&self, tenant: &str, job_id: &str) -> Result<Option<JobRow>> {
        Ok(self.job_any_tenant(job_id).await?.filter(|j| j.tenant == tenant))
    }

    /// Cancels a tenant's job: a queued job is cancelled now; a running one is marked, and its
    /// worker stops at the next phase boundary. Returns the job as it is after the request and
    /// whether this call cancelled it (`None`: no such job for this tenant).
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn cancel(&self, tenant: &str, job_id: &str) -> Result<Option<(JobRow, bool)>> {
        let now = now_us();
        let cancelled = sqlx::query(
            "UPDATE jobs SET status = 'cancelled', finished_at = $1 \
             WHERE job_id = $2 AND tenant = $3 AND status = 'queued'",
        )
        .bind(now)
        .bind(job_id)
        .bind(tenant)
        .execute(&self.pool)
        .await
        .map_err(ServiceError::db("cancel job"))?
        .rows_affected()
            == 1;
        if cancelled {
            self.finished();
        }
        sqlx::query(
            "UPDATE jobs SET cancel_requested = 1 \
             WHERE job_id = $1 AND tenant = $2 AND status = 'running'",
        )
        .bind(job_id)
        .bind(tenant)
        .execute(&self.pool)
        .await
        .map_err(ServiceError::db("cancel job"))?;
        Ok(self.job(tenant, job_id).await?.map(|j| (j, cancelled)))
    }

    /// Claims the next job (see the module docs) for `owner` on `device`, with a lease of `lease`.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn claim(
        &self,
        owner: &str,
        device: &str,
        lease: Duration,
    ) -> Result<Option<ClaimedJob>> {
        self.claim_with_affinity(owner, device, lease, &[], Duration::ZERO).await
    }

    /// [`Queue::claim`] for a worker whose device holds the keys of `resident` circuits: among
    /// jobs of equal priority and deadline, one of those circuits comes before older jobs of
    /// other circuits (no key to load) — unless that older job has waited longer than `window`,
    /// so that a stream of jobs of one circuit cannot starve the others.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn claim_with_affinity(
        &self,
        owner: &str,
        device: &str,
        lease: Duration,
        resident: &[String],
        window: Duration,
    ) -> Result<Option<ClaimedJob>> {
        let now = now_us();
        let sql = self.claim_sql(resident.len(), 0);
        let mut query = sqlx::query(&sql);
        for b in claim_binds(owner, device, lease, resident, window, now) {
            query = query.bind(b);
        }
        // One statement, one round trip (module docs: why no transaction is needed on SQLite).
        let row = query.fetch_optional(&self.pool).await.map_err(ServiceError::db("claim"))?;
        let Some(row) = row else { return Ok(None) };
        let job = job_from_row(&row)?;
        Ok(Some(ClaimedJob { token: job.lease_token, job }))
    }

    /// The claim statement, its parameters numbered from `base + 1`: owner, lease expiry, now,
    /// device, then with `n_resident` circuits the affinity window's start and the circuits.
    fn claim_sql(&self, n_resident: usize, base: usize) -> String {
        let lock = match self.kind {
            DbKind::Postgres => " FOR UPDATE SKIP LOCKED",
            DbKind::Sqlite => "",
        };
        let p = |i: usize| format!("${}", base + i);
        let order = if n_resident == 0 {
            CLAIM_ORDER.to_string()
        } else {
            let list: Vec<String> = (0..n_resident).map(|i| p(i + 6)).collect();
            format!(
                "priority DESC, COALESCE(deadline, 9223372036854775807) ASC, \
                 CASE WHEN circuit_id IN ({}) OR queued_at < {} THEN 0 ELSE 1 END, \
                 queued_at ASC, job_id ASC",
                list.join(", "),
                p(5)
            )
        };
        format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, \
             lease_token = lease_token + 1, lease_owner = {}, lease_expires_at = {}, \
             started_at = {}, device = {}, preempt_requested = 0 \
             WHERE job_id = (SELECT job_id FROM jobs WHERE status = 'queued' \
             ORDER BY {order} LIMIT 1{lock}) \
             RETURNING {JOB_COLUMNS}",
            p(1),
            p(2),
            p(3),
            p(4)
        )
    }

    /// [`Queue::complete`] of a job and [`Queue::claim_with_affinity`] of the next one for the
    /// same worker, in one statement on PostgreSQL (one commit, one WAL flush, instead of two:
    /// a busy worker's steady state), in two on SQLite. Returns the completed job's status
    /// (`None`: the lease was lost, nothing was stored) and the claimed job.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn complete_and_claim(
        &self,
        done: (&str, i64, &str),
        claim: &ClaimRequest<'_>,
    ) -> Result<(Option<JobStatus>, Option<ClaimedJob>)> {
        let (job_id, token, result_blob) = done;
        if self.kind == DbKind::Sqlite {
            let status = match self.complete(job_id, token, result_blob).await {
                Ok(s) => Some(s),
                Err(ServiceError::LeaseLost { .. }) => None,
                Err(e) => return Err(e),
            };
            let next = self
                .claim_with_affinity(
                    claim.owner,
                    claim.device,
                    claim.lease,
                    claim.resident,
                    claim.window,
                )
                .await?;
            return Ok((status, next));
        }
        let now = now_us();
        let sql = format!(
            "WITH done AS ({COMPLETE_SQL}), next AS ({}) \
             SELECT (SELECT status FROM done) AS done_status, next.* \
             FROM (SELECT 1 AS one) AS one LEFT JOIN next ON TRUE",
            self.claim_sql(claim.resident.len(), 4)
        );
        let mut query = sqlx::query(&sql).bind(job_id).bind(token).bind(now).bind(result_blob);
        for b in
            claim_binds(claim.owner, claim.device, claim.lease, claim.resident, claim.window, now)
        {
            query = query.bind(b);
        }
        let row =
            query.fetch_one(&self.pool).await.map_err(ServiceError::db("complete and claim"))?;
        let get =
            |e: sqlx::Error| ServiceError::Database { operation: "complete and claim", source: e };
        let status: Option<String> = row.try_get("done_status").map_err(get)?;
        let status = status
            .map(|s| JobStatus::parse(&s).ok_or_else(|| corrupt(format!("unknown status {s:?}"))))
            .transpose()?;
        if let Some(status) = status {
            self.stored(job_id, status, result_blob);
        }
        let next_id: Option<String> = row.try_get("job_id").map_err(get)?;
        let next = match next_id {
            Some(_) => {
                let job = job_from_row(&row)?;
                Some(ClaimedJob { token: job.lease_token, job })
            }
            None => None,
        };
        Ok((status, next))
    }

    /// The witness blob of the job of `circuit_id` that is next in the claim order, without
    /// claiming it: what a worker proving that circuit stages while its current proof runs (a
    /// hint only; whoever claims the job proves it).
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn peek_next_witness(&self, circuit_id: &str) -> Result<Option<String>> {
        let sql = format!(
            "SELECT witness_blob FROM jobs WHERE status = 'queued' AND circuit_id = $1 \
             ORDER BY {CLAIM_ORDER} LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(circuit_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(ServiceError::db("peek next job"))?;
        row.map(|r| r.try_get("witness_blob"))
            .transpose()
            .map_err(ServiceError::db("peek next job"))
    }

    /// Renews a lease; returns what the worker should do ([`Directive`]: cancellation first).
    ///
    /// # Errors
    /// [`ServiceError::LeaseLost`] when the token is stale; [`ServiceError::Database`].
    pub async fn heartbeat(&self, job_id: &str, token: i64, lease: Duration) -> Result<Directive> {
        let row = sqlx::query(
            "UPDATE jobs SET lease_expires_at = $1 \
             WHERE job_id = $2 AND lease_token = $3 AND status = 'running' \
             RETURNING cancel_requested, preempt_requested",
        )
        .bind(now_us() + lease.as_micros() as i64)
        .bind(job_id)
        .bind(token)
        .fetch_optional(&self.pool)
        .await
        .map_err(ServiceError::db("heartbeat"))?;
        let Some(row) = row else {
            return Err(ServiceError::LeaseLost { job_id: job_id.into(), token });
        };
        let flag = |name: &str| {
            row.try_get::<i64, _>(name).map(|v| v != 0).map_err(ServiceError::db("heartbeat"))
        };
        Ok(if flag("cancel_requested")? {
            Directive::Cancel
        } else if flag("preempt_requested")? {
            Directive::Preempt
        } else {
            Directive::Continue
        })
    }

    /// The scheduler's preemption step (any node may run it, e.g. every poll): when a queued job
    /// has waited at least `waited` — no device took it, so none is free — and a running job has
    /// a lower priority, the lowest-priority running job (the most recently started among equals:
    /// the least work lost) is asked to stop ([`Directive::Preempt`] at its next lease renewal).
    /// At most one preemption is in progress at a time: nothing is asked while a preempted job
    /// still runs, so one waiting job does not evict several. Returns the preemption requested.
    ///
    /// On PostgreSQL two nodes running this in the same instant may each preempt a job (the
    /// in-progress check is not locked); the extra job is requeued without using an attempt.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn preempt(&self, waited: Duration) -> Result<Option<Preemption>> {
        let lock = match self.kind {
            DbKind::Postgres => " FOR UPDATE SKIP LOCKED",
            DbKind::Sqlite => "",
        };
        let sql = format!(
            "UPDATE jobs SET preempt_requested = 1 \
             WHERE job_id = (SELECT r.job_id FROM jobs r WHERE r.status = 'running' \
             AND r.preempt_requested = 0 AND r.cancel_requested = 0 \
             AND r.priority < (SELECT MAX(q.priority) FROM jobs q WHERE q.status = 'queued' \
             AND q.queued_at <= $1) \
             AND NOT EXISTS (SELECT 1 FROM jobs p WHERE p.status = 'running' \
             AND p.preempt_requested = 1) \
             ORDER BY r.priority ASC, r.started_at DESC, r.job_id ASC LIMIT 1{lock}) \
             RETURNING job_id, priority"
        );
        let row = sqlx::query(&sql)
            .bind(now_us() - waited.as_micros() as i64)
            .fetch_optional(&self.pool)
            .await
            .map_err(ServiceError::db("preempt"))?;
        let Some(row) = row else { return Ok(None) };
        let get =
            |e: sqlx::Error| ServiceError::Database { operation: "decode preemption", source: e };
        Ok(Some(Preemption {
            job_id: row.try_get("job_id").map_err(get)?,
            priority: row.try_get("priority").map_err(get)?,
        }))
    }

    /// Runs a fenced update: exactly one row, or the lease is lost.
    async fn fenced(
        &self,
        operation: &'static str,
        sql: &str,
        job_id: &str,
        token: i64,
        binds: Vec<Option<String>>,
    ) -> Result<Transition> {
        let mut query = sqlx::query(sql).bind(job_id).bind(token).bind(now_us());
        for b in binds {
            query = query.bind(b);
        }
        let row = query.fetch_optional(&self.pool).await.map_err(ServiceError::db(operation))?;
        match row {
            Some(row) => transition_from_row(&row),
            None => Err(ServiceError::LeaseLost { job_id: job_id.into(), token }),
        }
    }

    /// Stores a verified result (`result_blob`) for a claimed job: the job succeeds — unless
    /// its tenant asked to cancel it, in which case it is cancelled and nothing is stored, in
    /// the same statement (no cancellation can slip in between a check and the store). Returns
    /// the job's status: [`JobStatus::Succeeded`] or [`JobStatus::Cancelled`].
    ///
    /// # Errors
    /// [`ServiceError::LeaseLost`] when the token is stale (nothing is stored);
    /// [`ServiceError::Database`].
    pub async fn complete(&self, job_id: &str, token: i64, result_blob: &str) -> Result<JobStatus> {
        let t = self
            .fenced("complete job", COMPLETE_SQL, job_id, token, vec![Some(result_blob.into())])
            .await?;
        self.stored(job_id, t.status, result_blob);
        Ok(t.status)
    }

    /// Records a failure of a claimed job: [`FailureClass::BadInput`] fails it; a retryable class
    /// requeues it while attempts remain, and fails it after.
    ///
    /// # Errors
    /// [`ServiceError::LeaseLost`]; [`ServiceError::Database`].
    pub async fn fail(
        &self,
        job_id: &str,
        token: i64,
        class: FailureClass,
        error: &str,
    ) -> Result<Transition> {
        let retry = if class.is_retryable() { "1" } else { "0" };
        let sql = format!(
            "UPDATE jobs SET \
             status = CASE WHEN {retry} = 1 AND attempts < max_attempts THEN 'queued' \
             ELSE 'failed' END, \
             finished_at = CASE WHEN {retry} = 1 AND attempts < max_attempts THEN NULL \
             ELSE $3 END, \
             error_class = $4, error = $5, lease_owner = NULL, lease_expires_at = NULL, \
             preempt_requested = 0 \
             WHERE job_id = $1 AND lease_token = $2 AND status = 'running' \
             RETURNING job_id, circuit_id, status"
        );
        let t = self
            .fenced(
                "fail job",
                &sql,
                job_id,
                token,
                vec![Some(class.as_str().into()), Some(error.into())],
            )
            .await?;
        if t.status == JobStatus::Queued {
            self.wake();
        } else {
            self.finished();
        }
        Ok(t)
    }

    /// Requeues a claimed job without using its attempt (draining, preemption).
    ///
    /// # Errors
    /// [`ServiceError::LeaseLost`]; [`ServiceError::Database`].
    pub async fn release(&self, job_id: &str, token: i64) -> Result<()> {
        self.fenced(
            "release job",
            "UPDATE jobs SET status = 'queued', attempts = attempts - 1, lease_owner = NULL, \
             lease_expires_at = NULL, started_at = NULL, preempt_requested = 0 \
             WHERE job_id = $1 AND lease_token = $2 AND status = 'running' AND $3 > 0 \
             RETURNING job_id, circuit_id, status",
            job_id,
            token,
            vec![],
        )
        .await?;
        self.wake();
        Ok(())
    }

    /// Marks a claimed job whose cancellation was requested as cancelled.
    ///
    /// # Errors
    /// [`ServiceError::LeaseLost`]; [`ServiceError::Database`].
    pub async fn finish_cancelled(&self, job_id: &str, token: i64) -> Result<()> {
        self.fenced(
            "cancel running job",
            "UPDATE jobs SET status = 'cancelled', finished_at = $3, lease_owner = NULL, \
             lease_expires_at = NULL \
             WHERE job_id = $1 AND lease_token = $2 AND status = 'running' \
             RETURNING job_id, circuit_id, status",
            job_id,
            token,
            vec![],
        )
        .await?;
        self.finished();
        Ok(())
    }

    /// Requeues every running job whose lease expired (any node may run this): cancelled if its
    /// cancellation was requested, failed when its attempts are used up, queued otherwise.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn requeue_expired(&self) -> Result<Vec<Transition>> {
        let rows = sqlx::query(
            "UPDATE jobs SET \
             status = CASE WHEN cancel_requested = 1 THEN 'cancelled' \
             WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, \
             finished_at = CASE WHEN cancel_requested = 1 OR attempts >= max_attempts THEN $1 \
             ELSE NULL END, \
             error_class = 'lease_expired', \
             error = 'the lease of ' || lease_owner || ' expired', \
             lease_owner = NULL, lease_expires_at = NULL, preempt_requested = 0 \
             WHERE status = 'running' AND lease_expires_at < $1 \
             RETURNING job_id, circuit_id, status",
        )
        .bind(now_us())
        .fetch_all(&self.pool)
        .await
        .map_err(ServiceError::db("requeue expired leases"))?;
        let moved: Vec<Transition> = rows.iter().map(transition_from_row).collect::<Result<_>>()?;
        if moved.iter().any(|t| t.status == JobStatus::Queued) {
            self.wake();
        }
        if moved.iter().any(|t| t.status != JobStatus::Queued) {
            self.finished();
        }
        Ok(moved)
    }

    /// Queued jobs by priority, highest first.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn queue_depth(&self) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT priority, COUNT(*) AS n FROM jobs WHERE status = 'queued' \
             GROUP BY priority ORDER BY priority DESC",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(ServiceError::db("queue depth"))?;
        rows.iter()
            .map(|r| Ok((r.try_get("priority")?, r.try_get("n")?)))
            .collect::<std::result::Result<_, sqlx::Error>>()
            .map_err(ServiceError::db("queue depth"))
    }

    /// Jobs per status.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn status_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
            .fetch_all(&self.pool)
            .await
            .map_err(ServiceError::db("status counts"))?;
        rows.iter()
            .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
            .collect::<std::result::Result<_, sqlx::Error>>()
            .map_err(ServiceError::db("status counts"))
    }

    /// Retention: deletes at most `limit` jobs that reached a final status (succeeded, failed,
    /// cancelled) before `finished_before_us` (µs since the epoch), oldest first; returns how
    /// many went. Queued and running jobs are never touched. The blobs that only these jobs
    /// named (witnesses, proofs) become orphans for the next blob sweep. Any node may run it:
    /// two purges at once delete each job once.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn purge_finished(&self, finished_before_us: i64, limit: i64) -> Result<u64> {
        // The inner WHERE repeats migration 0004's index predicate term for term.
        sqlx::query(
            "DELETE FROM jobs WHERE job_id IN (SELECT job_id FROM jobs \
             WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < $1 \
             ORDER BY finished_at LIMIT $2)",
        )
        .bind(finished_before_us)
        .bind(limit.max(0))
        .execute(&self.pool)
        .await
        .map(|r| r.rows_affected())
        .map_err(ServiceError::db("purge finished jobs"))
    }

    /// Every blob a circuit or job names (keys, witnesses, results): what a blob sweep keeps.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn referenced_blobs(&self) -> Result<std::collections::HashSet<String>> {
        let rows = sqlx::query(
            "SELECT circuit_id AS id FROM circuits UNION SELECT witness_blob FROM jobs \
             UNION SELECT result_blob FROM jobs WHERE result_blob IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(ServiceError::db("referenced blobs"))?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("id"))
            .collect::<std::result::Result<_, sqlx::Error>>()
            .map_err(ServiceError::db("referenced blobs"))
    }

    /// Queued or running jobs whose deadline has passed (they still run: a missed deadline is
    /// reported, not enforced).
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn past_deadline(&self) -> Result<i64> {
        sqlx::query(
            "SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running') \
             AND deadline < $1",
        )
        .bind(now_us())
        .fetch_one(&self.pool)
        .await
        .and_then(|r| r.try_get("n"))
        .map_err(ServiceError::db("jobs past deadline"))
    }

    /// Jobs that succeeded since `since_us`.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn succeeded_since(&self, since_us: i64) -> Result<i64> {
        sqlx::query(
            "SELECT COUNT(*) AS n FROM jobs WHERE status = 'succeeded' AND finished_at >= $1",
        )
        .bind(since_us)
        .fetch_one(&self.pool)
        .await
        .and_then(|r| r.try_get("n"))
        .map_err(ServiceError::db("proofs per minute"))
    }

    /// The ids of running jobs whose lease owner starts with `owner_prefix`.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn running_jobs_of(&self, owner_prefix: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT job_id FROM jobs WHERE status = 'running' AND lease_owner LIKE $1 \
             ORDER BY job_id",
        )
        .bind(format!("{owner_prefix}%"))
        .fetch_all(&self.pool)
        .await
        .map_err(ServiceError::db("running jobs"))?;
        rows.iter()
            .map(|r| r.try_get("job_id"))
            .collect::<std::result::Result<_, sqlx::Error>>()
            .map_err(ServiceError::db("running jobs"))
    }

    /// The `limit` most recent failed jobs.
    ///
    /// # Errors
    /// [`ServiceError::Database`].
    pub async fn recent_failures(&self, limit: i64) -> Result<Vec<JobRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'failed' \
             ORDER BY finished_at DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(ServiceError::db("recent failures"))?;
        rows.iter().map(job_from_row).collect()
    }
}

/// Creates the database `name` on the PostgreSQL server of `server_url` (whose user may create
/// databases) and returns the URL of the new database: `server_url` with its database name
/// replaced. For tests and benchmarks, which each want an empty queue.
///
/// # Errors
/// [`ServiceError::DatabaseName`] for a name that is not `[a-z0-9_]+` (it becomes SQL),
/// [`ServiceError::UnsupportedDatabase`] for a URL that is not PostgreSQL's,
/// [`ServiceError::Database`] when the server refuses.
pub async fn create_database(server_url: &str, name: &str) -> Result<String> {
    use sqlx::Connection;
    if name.is_empty()
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(ServiceError::DatabaseName { name: name.into() });
    }
    let scheme = ["postgres://", "postgresql://"].into_iter().find(|s| server_url.starts_with(s));
    let Some(scheme) = scheme else {
        return Err(ServiceError::UnsupportedDatabase { url: server_url.into() });
    };
    sqlx::any::install_default_drivers();
    let mut admin =
        sqlx::AnyConnection::connect(server_url).await.map_err(ServiceError::db("connect"))?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .map_err(ServiceError::db("create database"))?;
    let _ = admin.close().await;
    let (prefix, query) = match server_url.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (server_url, String::new()),
    };
    // The database is the path after the host; without one, it is appended.
    let cut = prefix.rfind('/').filter(|&i| i >= scheme.len()).unwrap_or(prefix.len());
    Ok(format!("{}/{name}{query}", &prefix[..cut]))
}

/// Bumps `queued` at every notification of [`PG_CHANNEL`] until `closed` resolves (the queue
/// was dropped). A lost connection is re-established by the listener (notifications sent
/// meanwhile are lost: the workers are woken anyway, and their poll is the fallback).
async fn listen(
    mut listener: sqlx::postgres::PgListener,
    queued: Arc<tokio::sync::watch::Sender<u64>>,
    mut closed: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut closed => return,
            next = listener.recv() => {
                queued.send_modify(|n| *n = n.wrapping_add(1));
                if let Err(e) = next {
                    tracing::warn!("LISTEN {PG_CHANNEL}: {e}; reconnecting");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}
