-- PostgreSQL twin of sqlite/0008.
ALTER TABLE signatures ADD COLUMN mails_day BIGINT NOT NULL DEFAULT 0;
