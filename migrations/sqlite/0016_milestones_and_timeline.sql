-- Milestones: thresholds a letter's confirmed count may pass, each marked once (reached_at) in the transaction that
-- passes it, so staff hear of it once however many instances confirm at the same time.
ALTER TABLE letters ADD COLUMN milestones TEXT NOT NULL DEFAULT '[]';  -- the thresholds as set, a JSON array
ALTER TABLE letters ADD COLUMN notify_email TEXT;                     -- where milestone emails go (staff, not a signer)
CREATE TABLE letter_milestones (
    letter_id   INTEGER NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    threshold   INTEGER NOT NULL,
    reached_at  INTEGER,
    PRIMARY KEY (letter_id, threshold)
) WITHOUT ROWID;

-- Confirmed signatures by the UTC hour they started to count (approval, else confirmation, else signing for those staff
-- added), kept by triggers in the same statement as every status change: whatever adds a confirmed signature adds one
-- to its hour, whatever takes one away (reject, withdraw, erase, invalidate, purge) takes one from the same hour.
CREATE TABLE signature_hours (
    letter_id  INTEGER NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    hour       INTEGER NOT NULL,   -- Unix milliseconds at the start of the hour
    confirmed  INTEGER NOT NULL,
    PRIMARY KEY (letter_id, hour)
) WITHOUT ROWID;
CREATE TRIGGER signature_hours_insert AFTER INSERT ON signatures WHEN NEW.status = 'confirmed' BEGIN
    INSERT INTO signature_hours (letter_id, hour, confirmed)
    VALUES (NEW.letter_id, COALESCE(NEW.decided_at, NEW.confirmed_at, NEW.signed_at) / 3600000 * 3600000, 1)
    ON CONFLICT DO UPDATE SET confirmed = confirmed + 1;
END;
CREATE TRIGGER signature_hours_counted AFTER UPDATE OF status ON signatures WHEN NEW.status = 'confirmed' AND OLD.status <> 'confirmed' BEGIN
    INSERT INTO signature_hours (letter_id, hour, confirmed)
    VALUES (NEW.letter_id, COALESCE(NEW.decided_at, NEW.confirmed_at, NEW.signed_at) / 3600000 * 3600000, 1)
    ON CONFLICT DO UPDATE SET confirmed = confirmed + 1;
END;
CREATE TRIGGER signature_hours_uncounted AFTER UPDATE OF status ON signatures WHEN OLD.status = 'confirmed' AND NEW.status <> 'confirmed' BEGIN
    UPDATE signature_hours SET confirmed = confirmed - 1
    WHERE letter_id = OLD.letter_id AND hour = COALESCE(OLD.decided_at, OLD.confirmed_at, OLD.signed_at) / 3600000 * 3600000;
END;
CREATE TRIGGER signature_hours_delete AFTER DELETE ON signatures WHEN OLD.status = 'confirmed' BEGIN
    UPDATE signature_hours SET confirmed = confirmed - 1
    WHERE letter_id = OLD.letter_id AND hour = COALESCE(OLD.decided_at, OLD.confirmed_at, OLD.signed_at) / 3600000 * 3600000;
END;
INSERT INTO signature_hours (letter_id, hour, confirmed)
SELECT letter_id, COALESCE(decided_at, confirmed_at, signed_at) / 3600000 * 3600000, count(*) FROM signatures
WHERE status = 'confirmed' GROUP BY 1, 2;
