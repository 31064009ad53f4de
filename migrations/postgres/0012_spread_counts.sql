-- With two instances, each writer's batch held a letter's one counter row until it committed, so batches took turns.
-- Counts are spread over 16 rows a letter and status, picked by the writing connection's backend; readers add them up.
ALTER TABLE signature_counts ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE signature_counts DROP CONSTRAINT signature_counts_pkey;
ALTER TABLE signature_counts ADD PRIMARY KEY (letter_id, status, kind, show_name, shard);
CREATE OR REPLACE FUNCTION signature_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    spread SMALLINT := pg_backend_pid() % 16;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO signature_counts (letter_id, status, kind, show_name, count, shard)
        VALUES (OLD.letter_id, OLD.status, OLD.kind, OLD.show_name, -1, spread)
        ON CONFLICT (letter_id, status, kind, show_name, shard) DO UPDATE SET count = signature_counts.count - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO signature_counts (letter_id, status, kind, show_name, count, shard)
        VALUES (NEW.letter_id, NEW.status, NEW.kind, NEW.show_name, 1, spread)
        ON CONFLICT (letter_id, status, kind, show_name, shard) DO UPDATE SET count = signature_counts.count + 1;
    END IF;
    RETURN NULL;
END $$;
