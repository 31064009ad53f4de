-- How a signature was given: online (the form), or gathered by staff or a partner on paper, at an event or by email.
-- The delivery pack says how many signed other than online.
ALTER TABLE signatures ADD COLUMN method TEXT NOT NULL DEFAULT 'online' CHECK (method IN ('online', 'paper', 'event', 'email'));
UPDATE signatures SET method = 'paper' WHERE staff_added_by IS NOT NULL;
