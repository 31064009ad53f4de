-- The public timeline counts each change on the hour it happened: a confirmation adds, a withdrawal, rejection or
-- erasure removes, at that time, never at the hour the signature once started to count (two snapshots would then date a
-- withdrawn person's signing). status_changed_at: when the signature last moved (set by every move).
ALTER TABLE signatures ADD COLUMN status_changed_at INTEGER;
CREATE TABLE public_changes (
    letter_id  INTEGER NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    hour       INTEGER NOT NULL,   -- Unix milliseconds at the start of the hour
    added      INTEGER NOT NULL,
    removed    INTEGER NOT NULL,
    PRIMARY KEY (letter_id, hour)
) WITHOUT ROWID;
CREATE TRIGGER public_changes_insert AFTER INSERT ON signatures WHEN NEW.status = 'confirmed' BEGIN
    INSERT INTO public_changes (letter_id, hour, added, removed)
    VALUES (NEW.letter_id, COALESCE(NEW.status_changed_at, NEW.signed_at) / 3600000 * 3600000, 1, 0)
    ON CONFLICT DO UPDATE SET added = added + 1;
END;
CREATE TRIGGER public_changes_counted AFTER UPDATE OF status ON signatures WHEN NEW.status = 'confirmed' AND OLD.status <> 'confirmed' BEGIN
    INSERT INTO public_changes (letter_id, hour, added, removed)
    VALUES (NEW.letter_id, COALESCE(NEW.status_changed_at, NEW.decided_at, NEW.confirmed_at, NEW.signed_at) / 3600000 * 3600000, 1, 0)
    ON CONFLICT DO UPDATE SET added = added + 1;
END;
CREATE TRIGGER public_changes_uncounted AFTER UPDATE OF status ON signatures WHEN OLD.status = 'confirmed' AND NEW.status <> 'confirmed' BEGIN
    INSERT INTO public_changes (letter_id, hour, added, removed)
    VALUES (NEW.letter_id, COALESCE(NEW.status_changed_at, OLD.decided_at, OLD.confirmed_at, OLD.signed_at) / 3600000 * 3600000, 0, 1)
    ON CONFLICT DO UPDATE SET removed = removed + 1;
END;
-- What counts now, at the hour it started to count: the history before this migration.
INSERT INTO public_changes (letter_id, hour, added, removed)
SELECT letter_id, hour, confirmed, 0 FROM signature_hours WHERE confirmed > 0;
