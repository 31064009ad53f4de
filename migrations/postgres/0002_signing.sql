-- PostgreSQL twin of sqlite/0002.
CREATE TABLE letter_keys (
    letter_id   BIGINT PRIMARY KEY REFERENCES letters (id) ON DELETE CASCADE,
    wrapped_key BYTEA  NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE signatures (
    id                  BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    letter_id           BIGINT  NOT NULL REFERENCES letters (id),
    kind                TEXT    NOT NULL CHECK (kind IN ('individual', 'organisation')),
    status              TEXT    NOT NULL CHECK (status IN ('pending', 'review', 'confirmed', 'rejected', 'withdrawn', 'expired')),
    name                TEXT,
    role                TEXT,
    organisation        TEXT,
    show_name           BOOLEAN NOT NULL,
    email_hmac          BYTEA,
    email_encrypted     BYTEA,
    text_version        INTEGER NOT NULL,
    verify_token_hash   BYTEA UNIQUE,
    verify_issued_at    BIGINT,
    withdraw_token_hash BYTEA UNIQUE,
    mails_sent          BIGINT  NOT NULL DEFAULT 0,
    staff_added_by      BIGINT  REFERENCES api_keys (id),
    signed_at           BIGINT  NOT NULL,
    confirmed_at        BIGINT,
    decided_at          BIGINT,
    decided_by          BIGINT  REFERENCES api_keys (id)
);
CREATE UNIQUE INDEX signatures_one_per_email ON signatures (letter_id, kind, email_hmac) WHERE email_hmac IS NOT NULL;
CREATE INDEX signatures_by_status ON signatures (letter_id, status, kind, id);

-- Counts kept by triggers in the same transaction as the change, so reading them never scans.
CREATE TABLE signature_counts (
    letter_id BIGINT  NOT NULL,
    status    TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    show_name BOOLEAN NOT NULL,
    count     BIGINT  NOT NULL,
    PRIMARY KEY (letter_id, status, kind, show_name)
);

CREATE FUNCTION signature_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE signature_counts SET count = count - 1
        WHERE letter_id = OLD.letter_id AND status = OLD.status AND kind = OLD.kind AND show_name = OLD.show_name;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO signature_counts VALUES (NEW.letter_id, NEW.status, NEW.kind, NEW.show_name, 1)
        ON CONFLICT (letter_id, status, kind, show_name) DO UPDATE SET count = signature_counts.count + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER signatures_count_insert AFTER INSERT ON signatures FOR EACH ROW EXECUTE FUNCTION signature_counts_follow();
CREATE TRIGGER signatures_count_update AFTER UPDATE OF status, kind, show_name ON signatures FOR EACH ROW
    WHEN (OLD.status <> NEW.status OR OLD.kind <> NEW.kind OR OLD.show_name <> NEW.show_name) EXECUTE FUNCTION signature_counts_follow();
CREATE TRIGGER signatures_count_delete AFTER DELETE ON signatures FOR EACH ROW EXECUTE FUNCTION signature_counts_follow();

CREATE TABLE outbox (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    letter_id       BIGINT  NOT NULL REFERENCES letters (id),
    signature_id    BIGINT  REFERENCES signatures (id),
    payload         BYTEA   NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at);

CREATE TABLE mail_caps (
    email_hmac BYTEA  NOT NULL,
    day        BIGINT NOT NULL,
    count      BIGINT NOT NULL,
    PRIMARY KEY (email_hmac, day)
);
