-- Signers' links now carry the signature's id and an HMAC worked out again when they are used: nothing about them is
-- stored, and the two token indexes (keyed by random hashes, so every signature's insert touched pages all over them)
-- go. Links sent before this change stop working; a signer who signs again gets a new one.
ALTER TABLE signatures DROP COLUMN verify_token_hash, DROP COLUMN withdraw_token_hash;
