-- Preemption: set on a running job by the scheduler when a job of higher priority has waited with
-- no device free; its worker stops at the next phase boundary and requeues it without an attempt.
ALTER TABLE jobs ADD COLUMN preempt_requested BIGINT NOT NULL DEFAULT 0;
