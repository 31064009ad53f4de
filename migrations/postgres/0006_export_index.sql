-- PostgreSQL twin of sqlite/0006.
CREATE INDEX signatures_by_letter ON signatures (letter_id, id);
