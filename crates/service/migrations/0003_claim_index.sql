-- The claim order (priority descending, earliest deadline first with none last, then submission)
-- as an index of the queued jobs alone, with the same expressions as the claim's ORDER BY: a claim
-- reads the first entry instead of sorting every queued job (which made a claim O(queue)).
DROP INDEX jobs_claim;
CREATE INDEX jobs_queued_order ON jobs
    (priority DESC, (COALESCE(deadline, 9223372036854775807)), queued_at, job_id)
    WHERE status = 'queued';
-- Expired leases are looked for among running jobs only.
DROP INDEX jobs_lease;
CREATE INDEX jobs_running_lease ON jobs (lease_expires_at) WHERE status = 'running';
-- Finished jobs by time, per final status that is queried (proofs per minute, recent failures).
-- Without an index whose first column is `status`, a planner with no statistics (SQLite) takes
-- the claim-order index for `status = 'queued'` instead of sorting the queue.
DROP INDEX jobs_finished;
CREATE INDEX jobs_succeeded_at ON jobs (finished_at) WHERE status = 'succeeded';
CREATE INDEX jobs_failed_at ON jobs (finished_at) WHERE status = 'failed';
