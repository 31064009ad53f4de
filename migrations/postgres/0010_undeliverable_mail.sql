-- PostgreSQL twin of sqlite/0010.
ALTER TABLE outbox ADD COLUMN failed_at BIGINT;
ALTER TABLE outbox ADD COLUMN failure TEXT;
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE failed_at IS NULL;
CREATE INDEX outbox_failed ON outbox (letter_id) WHERE failed_at IS NOT NULL;
