-- Each signature insert touched six indexes keyed by hashes, scattered over the file. One index by email HMAC first
-- serves both "one signature per email, letter and kind" and access requests; invalidation by address scans one letter.
DROP INDEX signatures_one_per_email;
DROP INDEX signatures_by_email;
DROP INDEX signatures_by_address;
CREATE UNIQUE INDEX signatures_one_per_email ON signatures (email_hmac, letter_id, kind) WHERE email_hmac IS NOT NULL;
