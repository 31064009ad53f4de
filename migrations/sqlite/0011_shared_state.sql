-- What several instances (PostgreSQL) must share, kept the same way on SQLite, where it also survives a restart.
-- Work that runs once per interval across instances (the retention run) records when it last ran.
CREATE TABLE scheduled_runs (
    name   TEXT    PRIMARY KEY,
    ran_at INTEGER NOT NULL
);
-- Proof-of-work challenges already used, until they expire: refused on every instance, and after a restart.
CREATE TABLE used_challenges (
    challenge  TEXT    PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
-- A fingerprint of the service key this database's letter keys are wrapped with: another key refuses to start.
CREATE TABLE service_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT    NOT NULL
);
