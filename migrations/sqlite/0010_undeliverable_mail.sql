-- Mail a server refuses for good (5xx) is not retried: its row stays, without its payload (the address and links are
-- erased), as a record staff can see, until the signature is withdrawn or the letter purged.
ALTER TABLE outbox ADD COLUMN failed_at INTEGER;
ALTER TABLE outbox ADD COLUMN failure TEXT;
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE failed_at IS NULL;
CREATE INDEX outbox_failed ON outbox (letter_id) WHERE failed_at IS NOT NULL;
