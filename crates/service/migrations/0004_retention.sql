-- Retention: finished jobs by time, whatever their final status, so that a purge of the jobs
-- finished before a cutoff reads the oldest entries of this index instead of scanning the table.
-- The purge's WHERE clause repeats this one term for term (SQLite uses a partial index only then).
CREATE INDEX jobs_final_at ON jobs (finished_at)
    WHERE status IN ('succeeded', 'failed', 'cancelled');
