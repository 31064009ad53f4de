-- Every change to a letter's signatories bumps `changes` on the counts rows it touches, so the sum over a letter's
-- confirmed rows is a version of its public list: ETags come from it, and a cache revalidating after a withdrawal or a
-- correction never hears "not modified". Counts and versions are written in the same statements as before.
ALTER TABLE signature_counts ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER signatures_count_insert;
DROP TRIGGER signatures_count_update;
DROP TRIGGER signatures_count_delete;
CREATE TRIGGER signatures_count_insert AFTER INSERT ON signatures BEGIN
    INSERT INTO signature_counts (letter_id, status, kind, show_name, count, changes) VALUES (NEW.letter_id, NEW.status, NEW.kind, NEW.show_name, 1, 1)
    ON CONFLICT DO UPDATE SET count = count + 1, changes = changes + 1;
END;
CREATE TRIGGER signatures_count_update AFTER UPDATE OF status, kind, show_name ON signatures
WHEN OLD.status <> NEW.status OR OLD.kind <> NEW.kind OR OLD.show_name <> NEW.show_name BEGIN
    UPDATE signature_counts SET count = count - 1, changes = changes + 1
    WHERE letter_id = OLD.letter_id AND status = OLD.status AND kind = OLD.kind AND show_name = OLD.show_name;
    INSERT INTO signature_counts (letter_id, status, kind, show_name, count, changes) VALUES (NEW.letter_id, NEW.status, NEW.kind, NEW.show_name, 1, 1)
    ON CONFLICT DO UPDATE SET count = count + 1, changes = changes + 1;
END;
CREATE TRIGGER signatures_count_delete AFTER DELETE ON signatures BEGIN
    UPDATE signature_counts SET count = count - 1, changes = changes + 1
    WHERE letter_id = OLD.letter_id AND status = OLD.status AND kind = OLD.kind AND show_name = OLD.show_name;
END;
-- A corrected name, role or organisation changes the list without changing a count.
CREATE TRIGGER signatures_version_correct AFTER UPDATE OF name, role, organisation ON signatures
WHEN OLD.name IS NOT NEW.name OR OLD.role IS NOT NEW.role OR OLD.organisation IS NOT NEW.organisation BEGIN
    UPDATE signature_counts SET changes = changes + 1
    WHERE letter_id = NEW.letter_id AND status = NEW.status AND kind = NEW.kind AND show_name = NEW.show_name;
END;
