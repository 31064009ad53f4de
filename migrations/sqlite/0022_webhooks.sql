-- Signed webhooks. An endpoint's secret is sealed under a key derived from the service key (it must be read back to
-- sign); during a rotation the previous secret signs too until previous_secret_until. events holds the subscribed
-- types between commas (",signature.confirmed,letter.closed,") so one LIKE selects the subscribers.
CREATE TABLE webhook_endpoints (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    url                     TEXT    NOT NULL,
    events                  TEXT    NOT NULL,
    partner_id              INTEGER REFERENCES partners (id),
    secret_sealed           BLOB    NOT NULL,
    previous_secret_sealed  BLOB,
    previous_secret_until   INTEGER,
    created_at              INTEGER NOT NULL,
    created_by              INTEGER NOT NULL REFERENCES api_keys (id),
    failing_since           INTEGER,   -- the first failure since the last success
    last_error              TEXT,
    disabled_at             INTEGER,   -- failing for 3 days; a successful ping enables it again
    disabled_reason         TEXT
);
-- What happened, with ids and non-personal facts only: payloads are built from current data when sent.
CREATE TABLE webhook_events (
    id            TEXT    PRIMARY KEY,
    type          TEXT    NOT NULL,
    letter_id     INTEGER REFERENCES letters (id) ON DELETE CASCADE,
    signature_id  INTEGER REFERENCES signatures (id) ON DELETE CASCADE,
    facts         TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX webhook_events_signature ON webhook_events (signature_id) WHERE signature_id IS NOT NULL;
-- One row per event and endpoint (a redelivery is another row with the same event): the durable queue and its record.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id      INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id         TEXT    NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    status           TEXT    NOT NULL,           -- queued, delivered, failed, cancelled
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_until      INTEGER,                    -- claimed by a sender until then
    created_at       INTEGER NOT NULL,
    last_attempt_at  INTEGER,
    status_code      INTEGER,
    duration_ms      INTEGER,
    error            TEXT,
    carried_contact  INTEGER NOT NULL DEFAULT 0,
    redelivery_of    INTEGER
);
CREATE INDEX webhook_deliveries_queued ON webhook_deliveries (endpoint_id, next_attempt_at) WHERE status = 'queued';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
