-- A recipient refused by the relay is not taken as undeliverable at once: the row waits, payload kept, as refused_at,
-- until the relay next accepts a message (then the refusal was the recipient's, and the row fails for good) or until
-- refusals in a row show the relay refusing everything (then every such row is retried).
ALTER TABLE outbox ADD COLUMN refused_at INTEGER;
ALTER TABLE outbox ADD COLUMN refusal TEXT;
CREATE INDEX outbox_refused ON outbox (refused_at) WHERE refused_at IS NOT NULL;
-- Time given back to a pending signature whose verification email waited while the relay held the queue: its link
-- and the verification grace after the deadline both last this much longer.
ALTER TABLE signatures ADD COLUMN verify_extended_ms INTEGER NOT NULL DEFAULT 0;
