-- PostgreSQL only: wake the idle workers of every node when a job becomes queued (a submission,
-- a requeue after a failure, a release, an expired lease), instead of leaving it to their poll.
-- Notifications are sent at commit (never for a rolled-back change) and an identical one is sent
-- once per transaction.
CREATE FUNCTION zkprove_notify_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('zkprove_queued', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER zkprove_jobs_queued AFTER INSERT OR UPDATE OF status ON jobs
    FOR EACH ROW WHEN (NEW.status = 'queued') EXECUTE FUNCTION zkprove_notify_queued();
