-- Every change to a letter's signatories bumps `changes` on the counts rows it touches, so the sum over a letter's
-- confirmed rows is a version of its public list: ETags come from it, and a cache revalidating after a withdrawal or a
-- correction never hears "not modified". Counts and versions are written in the same statements as before.
ALTER TABLE signature_counts ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;
CREATE OR REPLACE FUNCTION signature_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    spread SMALLINT := pg_backend_pid() % 16;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO signature_counts (letter_id, status, kind, show_name, count, changes, shard)
        VALUES (OLD.letter_id, OLD.status, OLD.kind, OLD.show_name, -1, 1, spread)
        ON CONFLICT (letter_id, status, kind, show_name, shard)
        DO UPDATE SET count = signature_counts.count - 1, changes = signature_counts.changes + 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO signature_counts (letter_id, status, kind, show_name, count, changes, shard)
        VALUES (NEW.letter_id, NEW.status, NEW.kind, NEW.show_name, 1, 1, spread)
        ON CONFLICT (letter_id, status, kind, show_name, shard)
        DO UPDATE SET count = signature_counts.count + 1, changes = signature_counts.changes + 1;
    END IF;
    RETURN NULL;
END $$;
-- A corrected name, role or organisation changes the list without changing a count.
CREATE FUNCTION signature_version_correct() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO signature_counts (letter_id, status, kind, show_name, count, changes, shard)
    VALUES (NEW.letter_id, NEW.status, NEW.kind, NEW.show_name, 0, 1, pg_backend_pid() % 16)
    ON CONFLICT (letter_id, status, kind, show_name, shard) DO UPDATE SET changes = signature_counts.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER signatures_version_correct AFTER UPDATE OF name, role, organisation ON signatures FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.role IS DISTINCT FROM NEW.role OR OLD.organisation IS DISTINCT FROM NEW.organisation)
    EXECUTE FUNCTION signature_version_correct();
