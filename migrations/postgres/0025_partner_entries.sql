-- Every accepted submission through a partner (its key's entries and the form through its code), counted whatever
-- became of it: a partner's counts must move the same for an address that had signed already and for a new one.
CREATE TABLE partner_submissions (
    partner_id BIGINT NOT NULL REFERENCES partners (id),
    letter_id  BIGINT NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    submitted  BIGINT NOT NULL,
    PRIMARY KEY (partner_id, letter_id)
);
-- Submissions so far: at least the signatures they made.
INSERT INTO partner_submissions (partner_id, letter_id, submitted)
SELECT partner_id, letter_id, count(*) FROM signatures WHERE partner_id IS NOT NULL GROUP BY partner_id, letter_id;
