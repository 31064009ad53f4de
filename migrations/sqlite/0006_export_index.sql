-- Keyset paging over one letter's signatures in id order (CSV export, staff lists) without sorting what remains.
CREATE INDEX signatures_by_letter ON signatures (letter_id, id);
