-- The public timeline counts each change on the hour it happened: a confirmation adds, a withdrawal, rejection or
-- erasure removes, at that time, never at the hour the signature once started to count (two snapshots would then date a
-- withdrawn person's signing). status_changed_at: when the signature last moved (set by every move). Sharded like
-- signature_hours, so writers on several instances do not queue on one row.
ALTER TABLE signatures ADD COLUMN status_changed_at BIGINT;
CREATE TABLE public_changes (
    letter_id  BIGINT   NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    hour       BIGINT   NOT NULL,   -- Unix milliseconds at the start of the hour
    shard      SMALLINT NOT NULL,
    added      BIGINT   NOT NULL,
    removed    BIGINT   NOT NULL,
    PRIMARY KEY (letter_id, hour, shard)
);
CREATE FUNCTION public_changes_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    spread SMALLINT := pg_backend_pid() % 16;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'confirmed' AND NEW.status <> 'confirmed' THEN
        INSERT INTO public_changes (letter_id, hour, shard, added, removed)
        VALUES (NEW.letter_id, COALESCE(NEW.status_changed_at, OLD.decided_at, OLD.confirmed_at, OLD.signed_at) / 3600000 * 3600000, spread, 0, 1)
        ON CONFLICT (letter_id, hour, shard) DO UPDATE SET removed = public_changes.removed + 1;
    END IF;
    IF NEW.status = 'confirmed' AND (TG_OP = 'INSERT' OR OLD.status <> 'confirmed') THEN
        INSERT INTO public_changes (letter_id, hour, shard, added, removed)
        VALUES (NEW.letter_id, COALESCE(NEW.status_changed_at, NEW.decided_at, NEW.confirmed_at, NEW.signed_at) / 3600000 * 3600000, spread, 1, 0)
        ON CONFLICT (letter_id, hour, shard) DO UPDATE SET added = public_changes.added + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER public_changes_follow AFTER INSERT OR UPDATE OF status ON signatures FOR EACH ROW EXECUTE FUNCTION public_changes_follow();
INSERT INTO public_changes (letter_id, hour, shard, added, removed)
SELECT letter_id, hour, 0, sum(confirmed), 0 FROM signature_hours GROUP BY letter_id, hour HAVING sum(confirmed) > 0;
