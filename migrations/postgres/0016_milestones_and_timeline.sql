-- Milestones: thresholds a letter's confirmed count may pass, each marked once (reached_at) in the transaction that
-- passes it; the row lock makes a second instance passing it at the same time find it already reached.
ALTER TABLE letters ADD COLUMN milestones TEXT NOT NULL DEFAULT '[]';  -- the thresholds as set, a JSON array
ALTER TABLE letters ADD COLUMN notify_email TEXT;                     -- where milestone emails go (staff, not a signer)
CREATE TABLE letter_milestones (
    letter_id   BIGINT NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    threshold   BIGINT NOT NULL,
    reached_at  BIGINT,
    PRIMARY KEY (letter_id, threshold)
);

-- Confirmed signatures by the UTC hour they started to count (approval, else confirmation, else signing for those staff
-- added), kept by a trigger in the same statement as every status change. Spread over 16 rows an hour, like the
-- counts, so two instances' writers do not take turns on one row; readers add them up.
CREATE TABLE signature_hours (
    letter_id  BIGINT   NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    hour       BIGINT   NOT NULL,   -- Unix milliseconds at the start of the hour
    shard      SMALLINT NOT NULL,
    confirmed  BIGINT   NOT NULL,
    PRIMARY KEY (letter_id, hour, shard)
);
CREATE FUNCTION signature_hours_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    spread SMALLINT := pg_backend_pid() % 16;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'confirmed' AND (TG_OP = 'DELETE' OR NEW.status <> 'confirmed') THEN
        INSERT INTO signature_hours (letter_id, hour, shard, confirmed)
        VALUES (OLD.letter_id, COALESCE(OLD.decided_at, OLD.confirmed_at, OLD.signed_at) / 3600000 * 3600000, spread, -1)
        ON CONFLICT (letter_id, hour, shard) DO UPDATE SET confirmed = signature_hours.confirmed - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'confirmed' AND (TG_OP = 'INSERT' OR OLD.status <> 'confirmed') THEN
        INSERT INTO signature_hours (letter_id, hour, shard, confirmed)
        VALUES (NEW.letter_id, COALESCE(NEW.decided_at, NEW.confirmed_at, NEW.signed_at) / 3600000 * 3600000, spread, 1)
        ON CONFLICT (letter_id, hour, shard) DO UPDATE SET confirmed = signature_hours.confirmed + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER signature_hours_follow AFTER INSERT OR DELETE OR UPDATE OF status ON signatures FOR EACH ROW EXECUTE FUNCTION signature_hours_follow();
INSERT INTO signature_hours (letter_id, hour, shard, confirmed)
SELECT letter_id, COALESCE(decided_at, confirmed_at, signed_at) / 3600000 * 3600000, 0, count(*) FROM signatures
WHERE status = 'confirmed' GROUP BY 1, 2;
