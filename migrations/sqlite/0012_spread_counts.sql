-- Twin of postgres/0012, which spreads a letter's counts over several rows so instances' writers do not take turns.
-- SQLite has one writer: its counts stay one row each, and readers already add rows up.
SELECT 1;
