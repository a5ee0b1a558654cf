-- 0010 worker: outbox lanes, reminder bookkeeping, indexes for receipts and purges.

-- A lane lets a worker drain only its own rows (RDV_WORKER_QUEUE): a dedicated
-- SMS worker in production, an isolated worker in the integration tests.
ALTER TABLE outbox ADD COLUMN queue text NOT NULL DEFAULT 'default';
DROP INDEX IF EXISTS outbox_due;
CREATE INDEX outbox_due ON outbox (queue, next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX outbox_done ON outbox (created_at) WHERE status <> 'queued';

-- The reminder job queues once per participation (the outbox dedup_key is the
-- guarantee; this column makes the job's scan cheap).
ALTER TABLE participations ADD COLUMN reminder_queued_at timestamptz;

CREATE INDEX ON receipts (outbox_id);
CREATE INDEX ON receipts (created_at);
CREATE INDEX ON audit (at);
CREATE INDEX ON rdv_tokens (expires_at);
CREATE INDEX ON password_resets (expires_at);
CREATE INDEX ON login_attempts (attempted_at);
