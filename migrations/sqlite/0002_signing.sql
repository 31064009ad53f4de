-- Each letter's data key, wrapped (AES-GCM) by the service key. Deleting the row crypto-shreds the letter's contact data.
CREATE TABLE letter_keys (
    letter_id   INTEGER PRIMARY KEY REFERENCES letters (id) ON DELETE CASCADE,
    wrapped_key BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE signatures (
    id                  INTEGER PRIMARY KEY,
    letter_id           INTEGER NOT NULL REFERENCES letters (id),
    kind                TEXT    NOT NULL CHECK (kind IN ('individual', 'organisation')),
    status              TEXT    NOT NULL CHECK (status IN ('pending', 'review', 'confirmed', 'rejected', 'withdrawn', 'expired')),
    name                TEXT,              -- shown for individuals; an organisation's contact person, never shown
    role                TEXT,
    organisation        TEXT,
    show_name           INTEGER NOT NULL,
    email_hmac          BLOB,              -- keyed HMAC of the canonical email: one signature per email, letter and kind
    email_encrypted     BLOB,              -- AES-GCM under the letter's data key
    text_version        INTEGER NOT NULL,  -- the wording the signer saw
    verify_token_hash   BLOB UNIQUE,       -- SHA-256 of the emailed token; NULL once used
    verify_issued_at    INTEGER,
    withdraw_token_hash BLOB UNIQUE,
    mails_sent          INTEGER NOT NULL DEFAULT 0,
    staff_added_by      INTEGER REFERENCES api_keys (id),
    signed_at           INTEGER NOT NULL,
    confirmed_at        INTEGER,
    decided_at          INTEGER,           -- approval or rejection by staff
    decided_by          INTEGER REFERENCES api_keys (id)
);
CREATE UNIQUE INDEX signatures_one_per_email ON signatures (letter_id, kind, email_hmac) WHERE email_hmac IS NOT NULL;
CREATE INDEX signatures_by_status ON signatures (letter_id, status, kind, id);

-- Counts kept by triggers in the same transaction as the change, so reading them never scans.
CREATE TABLE signature_counts (
    letter_id INTEGER NOT NULL,
    status    TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    show_name INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (letter_id, status, kind, show_name)
) WITHOUT ROWID;

CREATE TRIGGER signatures_count_insert AFTER INSERT ON signatures BEGIN
    INSERT INTO signature_counts VALUES (NEW.letter_id, NEW.status, NEW.kind, NEW.show_name, 1)
    ON CONFLICT DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER signatures_count_update AFTER UPDATE OF status, kind, show_name ON signatures
WHEN OLD.status <> NEW.status OR OLD.kind <> NEW.kind OR OLD.show_name <> NEW.show_name BEGIN
    UPDATE signature_counts SET count = count - 1
    WHERE letter_id = OLD.letter_id AND status = OLD.status AND kind = OLD.kind AND show_name = OLD.show_name;
    INSERT INTO signature_counts VALUES (NEW.letter_id, NEW.status, NEW.kind, NEW.show_name, 1)
    ON CONFLICT DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER signatures_count_delete AFTER DELETE ON signatures BEGIN
    UPDATE signature_counts SET count = count - 1
    WHERE letter_id = OLD.letter_id AND status = OLD.status AND kind = OLD.kind AND show_name = OLD.show_name;
END;

-- Emails waiting to go. The payload (address, tokens) is encrypted under the letter's key; a row is deleted once sent.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    letter_id       INTEGER NOT NULL REFERENCES letters (id),
    signature_id    INTEGER REFERENCES signatures (id),
    payload         BLOB    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at);

-- Emails sent to one address per UTC day, so the form cannot flood an inbox.
CREATE TABLE mail_caps (
    email_hmac BLOB    NOT NULL,
    day        INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    PRIMARY KEY (email_hmac, day)
) WITHOUT ROWID;
