-- The per-signature mail cap counts one UTC day at a time (mails_day is the day of mails_sent), so three submissions
-- by a stranger cannot lock an address out of a letter for good.
ALTER TABLE signatures ADD COLUMN mails_day INTEGER NOT NULL DEFAULT 0;
