-- Signed webhooks. An endpoint's secret is sealed under a key derived from the service key (it must be read back to
-- sign); during a rotation the previous secret signs too until previous_secret_until. events holds the subscribed
-- types between commas (",signature.confirmed,letter.closed,") so one LIKE selects the subscribers.
CREATE TABLE webhook_endpoints (
    id                      BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url                     TEXT    NOT NULL,
    events                  TEXT    NOT NULL,
    partner_id              BIGINT  REFERENCES partners (id),
    secret_sealed           BYTEA   NOT NULL,
    previous_secret_sealed  BYTEA,
    previous_secret_until   BIGINT,
    created_at              BIGINT  NOT NULL,
    created_by              BIGINT  NOT NULL REFERENCES api_keys (id),
    failing_since           BIGINT,   -- the first failure since the last success
    last_error              TEXT,
    disabled_at             BIGINT,   -- failing for 3 days; a successful ping enables it again
    disabled_reason         TEXT
);
-- What happened, with ids and non-personal facts only: payloads are built from current data when sent.
CREATE TABLE webhook_events (
    id            TEXT    PRIMARY KEY,
    type          TEXT    NOT NULL,
    letter_id     BIGINT  REFERENCES letters (id) ON DELETE CASCADE,
    signature_id  BIGINT  REFERENCES signatures (id) ON DELETE CASCADE,
    facts         TEXT,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX webhook_events_signature ON webhook_events (signature_id) WHERE signature_id IS NOT NULL;
-- One row per event and endpoint (a redelivery is another row with the same event): the durable queue and its record.
CREATE TABLE webhook_deliveries (
    id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id      BIGINT  NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id         TEXT    NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    status           TEXT    NOT NULL,           -- queued, delivered, failed, cancelled
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT  NOT NULL,
    lease_until      BIGINT,                     -- claimed by a sender until then
    created_at       BIGINT  NOT NULL,
    last_attempt_at  BIGINT,
    status_code      INTEGER,
    duration_ms      INTEGER,
    error            TEXT,
    carried_contact  BOOLEAN NOT NULL DEFAULT FALSE,
    redelivery_of    BIGINT
);
CREATE INDEX webhook_deliveries_queued ON webhook_deliveries (endpoint_id, next_attempt_at) WHERE status = 'queued';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
