-- PostgreSQL twin of sqlite/0011.
CREATE TABLE scheduled_runs (
    name   TEXT   PRIMARY KEY,
    ran_at BIGINT NOT NULL
);
CREATE TABLE used_challenges (
    challenge  TEXT   PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE TABLE service_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT    NOT NULL
);
