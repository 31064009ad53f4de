-- PostgreSQL twin of sqlite/0003.
CREATE TABLE audit_log (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           BIGINT NOT NULL,
    key_id       BIGINT REFERENCES api_keys (id),
    action       TEXT   NOT NULL,
    letter_id    BIGINT,
    signature_id BIGINT,
    rows         BIGINT,
    details      TEXT
);
CREATE INDEX audit_log_by_letter ON audit_log (letter_id, action, id);
CREATE INDEX audit_log_by_signature ON audit_log (signature_id) WHERE signature_id IS NOT NULL;
