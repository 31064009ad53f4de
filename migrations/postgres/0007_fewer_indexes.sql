-- PostgreSQL twin of sqlite/0007.
DROP INDEX signatures_one_per_email;
DROP INDEX signatures_by_email;
DROP INDEX signatures_by_address;
CREATE UNIQUE INDEX signatures_one_per_email ON signatures (email_hmac, letter_id, kind) WHERE email_hmac IS NOT NULL;
