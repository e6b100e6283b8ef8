//! The HTTP API (axum). Paths and JSON fields are a contract with clients (issue 21):
//!
//! | request | answer |
//! |---|---|
//! | `POST /v1/circuits`, body a `.zkey` | `200 {"circuit_id": <sha256 hex>}` (idempotent) |
//! | `POST /v1/jobs?circuit=&priority=&deadline=`, body a `.wtns` | `201 {"job_id"}` |
//! | `GET /v1/jobs/{id}[?wait_ms=]` | `200` the job (status, attempts, device, error, times) |
//! | `GET /v1/jobs/{id}/proof[?wait_ms=]` | `200 {"proof", "public"}`; `409 {"error", "status"}` before |
//! | `DELETE /v1/jobs/{id}` | `200` cancelled; `202` running, stops at its next phase boundary; `409` finished |
//! | `GET /healthz`, `/readyz`, `/metrics`, `/` | liveness, readiness (database), Prometheus text, status page |
//!
//! Every error is a JSON object `{"error": "<what is wrong>"}` with a 4xx/5xx status: 400 for a
//! malformed request or file, 401 for a missing or unknown bearer token, 404 for an unknown (or
//! another tenant's) circuit or job, 413 for a body over the limit, 422 for a witness that does
//! not fit the circuit's key. Bodies are streamed into the blob store (never held whole in
//! memory; a witness of at most 64 KiB is read whole, checked, and stored only if the blob
//! store does not hold it already) and checked before the job exists: the key's headers and
//! section sizes at registration, the witness's format and length against the key at
//! submission.
//!
//! Waiting: with `wait_ms=N` (at most 60,000) the two `GET`s of a job answer as soon as the job is
//! finished (succeeded, failed or cancelled), or after N ms with what it is then — a long poll, so
//! that a client learns of its proof without polling. A job finished in this process answers at
//! once; one finished by another node is seen within [`WAIT_RECHECK`].
//!
//! Tenancy: with `[[tenants]]` configured every `/v1` request needs `Authorization: Bearer
//! <token>`, and a tenant sees and cancels only its own circuits and jobs (another tenant's are
//! answered 404, as unknown ones). Without tenants there is one tenant, `default`, and the server
//! only binds loopback addresses ([`crate::Config::check_bind`]). The status page and `/metrics`
//! show the whole queue without job ids or tenants.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use serde_json::json;
use zkprove_circom::{Witness, ZkeyInfo};

use crate::blob::{BlobStore, BlobWriter, is_blob_id};
use crate::kind::JobKind;
use crate::metrics::Metrics;
use crate::queue::{CircuitRow, JobRow, JobStatus, NewJob, Queue};
use crate::worker::Devices;

/// The longest `wait_ms` a request may ask for.
pub const MAX_WAIT_MS: u64 = 60_000;

/// How often a waiting request reads its job again when nothing in this process signals (a job
/// finished by another node).
pub const WAIT_RECHECK: std::time::Duration = std::time::Duration::from_millis(50);

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    queue: Queue,
    blobs: BlobStore,
    metrics: Metrics,
    devices: Devices,
    /// (SHA-256 of a bearer token, its tenant); empty: no authentication, one tenant `default`.
    tokens: Vec<([u8; 32], String)>,
    max_body_bytes: u64,
    max_attempts: i64,
    /// The headers of registered keys (what a witness is checked against at submission), read
    /// once per circuit instead of at every submission.
    headers: std::sync::Mutex<HashMap<String, Arc<zkprove_circom::Groth16Header>>>,
    /// The circuits tenants registered, as read once from the database ((tenant, circuit id) →
    /// row): a registration is never undone, so a submission needs no read of it after the
    /// first. A circuit unknown here is looked up in the database (another node may have
    /// registered it).
    circuits: std::sync::Mutex<HashMap<(String, String), CircuitRow>>,
}

impl AppState {
    /// The state of the API.
    pub fn new(
        queue: Queue,
        blobs: BlobStore,
        metrics: Metrics,
        devices: Devices,
        config: &crate::Config,
    ) -> Self {
        let tokens =
            config.tenants.iter().map(|t| (token_digest(&t.token), t.name.clone())).collect();
        Self {
            inner: Arc::new(Inner {
                queue,
                blobs,
                metrics,
                devices,
                tokens,
                max_body_bytes: config.max_body_bytes,
                max_attempts: i64::from(config.max_attempts),
                headers: std::sync::Mutex::new(HashMap::new()),
                circuits: std::sync::Mutex::new(HashMap::new()),
            }),
        }
    }
}

/// An error answer: a status and `{"error": message, …}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: serde_json::Value,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, body: json!({ "error": message.into() }) }
    }

    fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {e}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, format!("internal error: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// The router of the whole API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/circuits", post(post_circuit))
        .route("/v1/jobs", post(post_job))
        .route("/v1/jobs/{id}", get(get_job).delete(delete_job))
        .route("/v1/jobs/{id}/proof", get(get_proof))
        .route("/healthz", get(|| async { Json(json!({ "status": "ok" })) }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/", get(status_page))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such endpoint") })
        // Bodies are streamed and limited by `read_body` (with a JSON error), not by axum.
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

impl Inner {
    /// The tenant of a request.
    fn tenant(&self, headers: &HeaderMap) -> ApiResult<String> {
        if self.tokens.is_empty() {
            return Ok("default".into());
        }
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match token.and_then(|t| self.tenant_of(t)) {
            Some(tenant) => Ok(tenant),
            None if token.is_none() => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "missing bearer token (Authorization: Bearer <token>)",
            )),
            None => Err(ApiError::new(StatusCode::UNAUTHORIZED, "unknown bearer token")),
        }
    }

    /// The tenant of a token. Constant time in the token: its SHA-256 is compared with every
    /// known token's in constant time (`subtle`), with no early exit, so that response times do
    /// not tell how much of a guess was right.
    fn tenant_of(&self, token: &str) -> Option<String> {
        use subtle::ConstantTimeEq;
        let digest = token_digest(token);
        let mut found = None;
        for (known, tenant) in &self.tokens {
            if bool::from(known.ct_eq(&digest)) {
                found = Some(tenant.clone());
            }
        }
        found
    }

    /// Streams a request body into a blob writer, refusing more than the limit.
    async fn read_body(
        &self,
        headers: &HeaderMap,
        body: Body,
        what: &str,
    ) -> ApiResult<BlobWriter> {
        match self.read_upload(headers, body, what, 0).await? {
            Upload::File(writer) => Ok(writer),
            Upload::Memory(bytes) => {
                let mut writer = self.blobs.writer().map_err(ApiError::internal)?;
                writer.write(&bytes).map_err(ApiError::internal)?;
                Ok(writer)
            }
        }
    }

    /// Reads a request body, refusing more than the limit: kept in memory while it is at most
    /// `memory_max` bytes, else streamed into a blob writer.
    async fn read_upload(
        &self,
        headers: &HeaderMap,
        body: Body,
        what: &str,
        memory_max: u64,
    ) -> ApiResult<Upload> {
        let limit = self.max_body_bytes;
        let too_large = || {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the {what} is larger than the limit of {limit} bytes"),
            )
        };
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let mut memory = Vec::new();
        let mut writer = match declared {
            Some(n) if n <= memory_max => None,
            _ if memory_max > 0 && declared.is_none() => None,
            _ => Some(self.blobs.writer().map_err(ApiError::internal)?),
        };
        let mut len = 0u64;
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::new(StatusCode::BAD_REQUEST, format!("reading the {what}: {e}"))
            })?;
            if len + chunk.len() as u64 > limit {
                return Err(too_large());
            }
            len += chunk.len() as u64;
            match writer.as_mut() {
                Some(w) => w.write(&chunk).map_err(ApiError::internal)?,
                None if len <= memory_max => memory.extend_from_slice(&chunk),
                None => {
                    let mut w = self.blobs.writer().map_err(ApiError::internal)?;
                    w.write(&std::mem::take(&mut memory)).map_err(ApiError::internal)?;
                    w.write(&chunk).map_err(ApiError::internal)?;
                    writer = Some(w);
                }
            }
        }
        if len == 0 {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, format!("the {what} is empty")));
        }
        Ok(match writer {
            Some(w) => Upload::File(w),
            None => Upload::Memory(memory),
        })
    }
}

/// A request body read by [`Inner::read_upload`].
enum Upload {
    /// A small body, whole.
    Memory(Vec<u8>),
    /// A body streamed into the blob store (not yet named).
    File(BlobWriter),
}

/// The largest witness kept in memory at submission (2,048 values): it is parsed there and
/// stored with [`BlobStore::put`] (no file is written when the same witness is stored already);
/// a larger one is streamed into the blob store and parsed from its file.
const WITNESS_IN_MEMORY: u64 = 64 << 10;

/// Parses a witness (from memory, or the upload's temporary file) and checks it against the
/// circuit's key header (`cached`, else read from the key at `zkey`): the status and message
/// of a refusal.
fn check_witness(
    upload: &Upload,
    cached: Option<Arc<zkprove_circom::Groth16Header>>,
    zkey: &std::path::Path,
) -> Result<(Arc<zkprove_circom::Groth16Header>, Witness), (StatusCode, String)> {
    let witness = match upload {
        Upload::Memory(bytes) => Witness::read_from(std::io::Cursor::new(bytes), "the witness"),
        Upload::File(w) => Witness::open(w.temp_path()),
    }
    .map_err(|e| (StatusCode::BAD_REQUEST, format!("not a witness (.wtns): {e}")))?;
    let header = match cached {
        Some(h) => h,
        None => Arc::new(
            ZkeyInfo::open(zkey)
                .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, format!("the stored key: {e}")))?
                .header,
        ),
    };
    witness.check_against(&header).map_err(|e| {
        (StatusCode::UNPROCESSABLE_ENTITY, format!("the witness does not fit the circuit: {e}"))
    })?;
    Ok((header, witness))
}

async fn post_circuit(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<serde_json::Value>> {
    let s = &state.inner;
    let tenant = s.tenant(&headers)?;
    let writer = s.read_body(&headers, body, "zkey").await?;
    let path = writer.temp_path().to_path_buf();
    let size = writer.len();
    let info = tokio::task::spawn_blocking(move || ZkeyInfo::open(&path))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("not a Groth16 zkey: {e}")))?;
    let circuit_id = writer.finish().map_err(ApiError::internal)?;
    let row = CircuitRow {
        circuit_id: circuit_id.clone(),
        kind: JobKind::Groth16,
        n_vars: i64::from(info.header.n_vars),
        n_public: i64::from(info.header.n_public),
        size_bytes: size as i64,
    };
    s.queue.register_circuit(&tenant, &row).await.map_err(ApiError::internal)?;
    Ok(Json(json!({ "circuit_id": circuit_id })))
}

/// Parses an RFC 3339 time to µs since the epoch.
fn parse_time(text: &str) -> Option<i64> {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1000).ok()
}

/// Formats µs since the epoch as RFC 3339 (UTC).
pub fn format_time(us: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).ok()?;
    t.format(&time::format_description::well_known::Rfc3339).ok()
}

async fn post_job(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
    body: Body,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let s = &state.inner;
    let tenant = s.tenant(&headers)?;
    if let Some(unknown) =
        params.keys().find(|k| !["circuit", "priority", "deadline"].contains(&k.as_str()))
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("unknown query parameter {unknown:?}"),
        ));
    }
    let circuit_id = params.get("circuit").ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, "missing query parameter circuit (a circuit_id)")
    })?;
    let priority = match params.get("priority") {
        None => 0,
        Some(p) => p.parse::<i64>().map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, format!("priority {p:?} is not an integer"))
        })?,
    };
    let deadline = match params.get("deadline") {
        None => None,
        Some(d) => Some(parse_time(d).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("deadline {d:?} is not an RFC 3339 time (e.g. 2026-01-31T12:00:00Z)"),
            )
        })?),
    };
    let unknown =
        || ApiError::new(StatusCode::NOT_FOUND, format!("unknown circuit {circuit_id:?}"));
    if !is_blob_id(circuit_id) {
        return Err(unknown());
    }
    let key = (tenant, circuit_id.clone());
    let cached = s.circuits.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
    let circuit = match cached {
        Some(c) => c,
        None => {
            let c = s
                .queue
                .circuit(&key.0, circuit_id)
                .await
                .map_err(ApiError::internal)?
                .ok_or_else(unknown)?;
            let mut cache = s.circuits.lock().unwrap_or_else(|e| e.into_inner());
            // As the headers below: bounded by starting afresh.
            if cache.len() >= 4096 {
                cache.clear();
            }
            cache.insert(key.clone(), c.clone());
            c
        }
    };
    let (tenant, _) = key;
    let upload = s.read_upload(&headers, body, "witness", WITNESS_IN_MEMORY).await?;
    let cached = s.headers.lock().unwrap_or_else(|e| e.into_inner()).get(circuit_id).cloned();
    let zkey = s.blobs.path(&circuit.circuit_id);
    // A small witness whose key header is cached is checked here (no file to read: tens of
    // microseconds); otherwise on a blocking thread.
    let (checked, upload) = match upload {
        Upload::Memory(_) if cached.is_some() => (check_witness(&upload, cached, &zkey), upload),
        upload => {
            tokio::task::spawn_blocking(move || (check_witness(&upload, cached, &zkey), upload))
                .await
                .map_err(ApiError::internal)?
        }
    };
    let (header, witness) = checked.map_err(|(status, message)| ApiError::new(status, message))?;
    {
        let mut cache = s.headers.lock().unwrap_or_else(|e| e.into_inner());
        // Keys are few; a service with very many is bounded by starting afresh.
        if cache.len() >= 1024 {
            cache.clear();
        }
        cache.insert(circuit.circuit_id.clone(), header);
    }
    let witness_blob = match upload {
        Upload::Memory(bytes) => s.blobs.put(&bytes),
        Upload::File(writer) => writer.finish(),
    }
    .map_err(ApiError::internal)?;
    // Parsed once: a worker of this process that claims the job takes the values from memory.
    s.blobs.keep_witness(&witness_blob, Arc::new(witness.values));
    let job = NewJob {
        tenant,
        kind: circuit.kind,
        circuit_id: circuit.circuit_id,
        witness_blob,
        priority,
        deadline,
        max_attempts: s.max_attempts,
    };
    let job_id = s.queue.submit(&job).await.map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(json!({ "job_id": job_id }))))
}

fn token_digest(token: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).into()
}

/// The job as the API reports it. `deadline_missed`: the job ended after its deadline, or has
/// not ended and the deadline has passed (it still runs: a missed deadline is reported, not
/// enforced).
pub fn job_json(j: &JobRow) -> serde_json::Value {
    let missed = j.deadline.is_some_and(|d| j.finished_at.unwrap_or_else(crate::queue::now_us) > d);
    json!({
        "deadline_missed": missed,
        "job_id": j.job_id,
        "circuit_id": j.circuit_id,
        "kind": j.kind.as_str(),
        "status": j.status.as_str(),
        "priority": j.priority,
        "deadline": j.deadline.and_then(format_time),
        "attempts": j.attempts,
        "device": j.device,
        "error": j.error,
        "queued_at": format_time(j.queued_at),
        "started_at": j.started_at.and_then(format_time),
        "finished_at": j.finished_at.and_then(format_time),
    })
}

async fn find_job(s: &Inner, headers: &HeaderMap, id: &str) -> ApiResult<(String, JobRow)> {
    let tenant = s.tenant(headers)?;
    let job = s.queue.job(&tenant, id).await.map_err(ApiError::internal)?;
    let job =
        job.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("unknown job {id:?}")))?;
    Ok((tenant, job))
}

/// `?wait_ms=N`: how long to wait for the job to finish (none: answer at once). Other
/// parameters are ignored, as they were before `wait_ms` existed.
fn wait_param(params: &HashMap<String, String>) -> ApiResult<std::time::Duration> {
    match params.get("wait_ms") {
        None => Ok(std::time::Duration::ZERO),
        Some(w) => match w.parse::<u64>() {
            Ok(ms) if ms <= MAX_WAIT_MS => Ok(std::time::Duration::from_millis(ms)),
            _ => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("wait_ms {w:?} is not a number of milliseconds up to {MAX_WAIT_MS}"),
            )),
        },
    }
}

/// The job, once finished or after `wait` (long poll; see the module docs). With `stored`, a
/// job whose result this process stored meanwhile is answered from the announcement of that
/// store ([`crate::queue::Finished`]) instead of a database read: its status and result blob
/// only (what `GET /v1/jobs/{id}/proof` answers with); the other fields are those of the last
/// read.
async fn find_job_waiting(
    s: &Inner,
    headers: &HeaderMap,
    id: &str,
    wait: std::time::Duration,
    stored: bool,
) -> ApiResult<JobRow> {
    // Subscribed before the first read: a job finished after it wakes the wait.
    let mut finished = s.queue.subscribe_finished();
    let until = tokio::time::Instant::now() + wait;
    let (_, mut job) = find_job(s, headers, id).await?;
    loop {
        let now = tokio::time::Instant::now();
        if job.status.is_final() || now >= until {
            return Ok(job);
        }
        let recheck = (now + WAIT_RECHECK).min(until);
        tokio::select! {
            changed = finished.changed() => {
                let note = if stored && changed.is_ok() {
                    finished.borrow_and_update().stored.clone()
                } else {
                    None
                };
                if let Some(note) = note.filter(|n| n.job_id == job.job_id) {
                    job.status = note.status;
                    job.result_blob = note.result_blob;
                    continue;
                }
            }
            _ = tokio::time::sleep_until(recheck) => {}
        }
        job = find_job(s, headers, id).await?.1;
    }
}

async fn get_job(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<serde_json::Value>> {
    let wait = wait_param(&params)?;
    let job = find_job_waiting(&state.inner, &headers, &id, wait, false).await?;
    Ok(Json(job_json(&job)))
}

async fn get_proof(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let s = &state.inner;
    let wait = wait_param(&params)?;
    let job = find_job_waiting(s, &headers, &id, wait, true).await?;
    match (&job.status, &job.result_blob) {
        (JobStatus::Succeeded, Some(blob)) => {
            let bytes = s.blobs.get(blob).map_err(ApiError::internal)?;
            Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
        }
        _ => Err(ApiError {
            status: StatusCode::CONFLICT,
            body: json!({
                "error": format!("job {id} has no proof: it is {}", job.status.as_str()),
                "status": job.status.as_str(),
            }),
        }),
    }
}

async fn delete_job(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let s = &state.inner;
    let (tenant, _) = find_job(s, &headers, &id).await?;
    let job = s.queue.cancel(&tenant, &id).await.map_err(ApiError::internal)?;
    let (job, cancelled_now) =
        job.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("unknown job {id:?}")))?;
    if cancelled_now {
        s.metrics.jobs.with_label_values(&[&job.circuit_id, "cancelled"]).inc();
    }
    match job.status {
        JobStatus::Cancelled => Ok((StatusCode::OK, Json(job_json(&job)))),
        JobStatus::Running => Ok((StatusCode::ACCEPTED, Json(job_json(&job)))),
        // Claimed between the two updates and finished since: report what it is.
        JobStatus::Queued => Ok((StatusCode::ACCEPTED, Json(job_json(&job)))),
        JobStatus::Succeeded | JobStatus::Failed => Err(ApiError {
            status: StatusCode::CONFLICT,
            body: json!({
                "error": format!("job {id} is already {}", job.status.as_str()),
                "status": job.status.as_str(),
            }),
        }),
    }
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.inner.queue.ping().await {
        (StatusCode::OK, Json(json!({ "status": "ready" }))).into_response()
    } else {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the database does not answer")
            .into_response()
    }
}

async fn metrics(State(state): State<AppState>) -> ApiResult<Response> {
    let s = &state.inner;
    let text = s.metrics.render(&s.queue).await.map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

async fn status_page(State(state): State<AppState>) -> ApiResult<Html<String>> {
    let s = &state.inner;
    let depth = s.queue.queue_depth().await.map_err(ApiError::internal)?;
    let counts = s.queue.status_counts().await.map_err(ApiError::internal)?;
    let per_minute = s
        .queue
        .succeeded_since(crate::queue::now_us() - 60_000_000)
        .await
        .map_err(ApiError::internal)?;
    let failures = s.queue.recent_failures(10).await.map_err(ApiError::internal)?;
    let devices = s.devices.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let gpus = s.metrics.sample_gpus().await;
    Ok(Html(crate::page::render(&depth, &counts, per_minute, &devices, &gpus, &failures)))
}
