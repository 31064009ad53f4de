-- Who did what to whose data, and when: reads of personal data, exports, corrections, moderation, erasure.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    key_id       INTEGER REFERENCES api_keys (id),
    action       TEXT    NOT NULL,
    letter_id    INTEGER,
    signature_id INTEGER,
    rows         INTEGER,
    details      TEXT              -- JSON; erased with the signature it concerns
);
CREATE INDEX audit_log_by_letter ON audit_log (letter_id, action, id);
CREATE INDEX audit_log_by_signature ON audit_log (signature_id) WHERE signature_id IS NOT NULL;
