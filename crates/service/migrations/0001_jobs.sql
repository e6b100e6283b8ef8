-- One schema for SQLite and PostgreSQL: only types both spell the same way (TEXT, BIGINT) and
-- times as microseconds since the Unix epoch (BIGINT), flags as 0/1 (BIGINT).
CREATE TABLE circuits (
    tenant TEXT NOT NULL,
    circuit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    n_vars BIGINT NOT NULL,
    n_public BIGINT NOT NULL,
    size_bytes BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, circuit_id)
);

CREATE TABLE jobs (
    job_id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    kind TEXT NOT NULL,
    circuit_id TEXT NOT NULL,
    witness_blob TEXT NOT NULL,
    priority BIGINT NOT NULL,
    deadline BIGINT,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    lease_owner TEXT,
    lease_token BIGINT NOT NULL DEFAULT 0,
    lease_expires_at BIGINT,
    cancel_requested BIGINT NOT NULL DEFAULT 0,
    device TEXT,
    error_class TEXT,
    error TEXT,
    result_blob TEXT,
    queued_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT
);

CREATE INDEX jobs_claim ON jobs (status, priority, deadline, queued_at);
CREATE INDEX jobs_lease ON jobs (status, lease_expires_at);
CREATE INDEX jobs_finished ON jobs (status, finished_at);
