-- Signers' links now carry the signature's id and an HMAC worked out again when they are used: nothing about them is
-- stored, and the two token indexes (keyed by random hashes, so every signature's insert touched pages all over them)
-- no longer grow. SQLite cannot drop a UNIQUE column without rebuilding the table: the columns stay, always NULL.
-- Links sent before this change stop working; a signer who signs again gets a new one.
UPDATE signatures SET verify_token_hash = NULL, withdraw_token_hash = NULL
WHERE verify_token_hash IS NOT NULL OR withdraw_token_hash IS NOT NULL;
