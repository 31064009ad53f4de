-- Coalition partners: organisations that circulate letters. A letter's partners, with the sites each may embed from and
-- whether the form asks signers to let that partner contact them. A detached partner's row stays (detached_at), so
-- the signatures it brought keep their attribution while its code stops working.
CREATE TABLE partners (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT    NOT NULL,
    code        TEXT    NOT NULL UNIQUE,
    website     TEXT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE TABLE letter_partners (
    letter_id            BIGINT  NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    partner_id           BIGINT  NOT NULL REFERENCES partners (id),
    allowed_origins      TEXT    NOT NULL DEFAULT '[]',
    ask_contact_consent  BOOLEAN NOT NULL DEFAULT FALSE,
    attached_at          BIGINT  NOT NULL,
    detached_at          BIGINT,
    PRIMARY KEY (letter_id, partner_id)
);
-- Who brought a signature, and the signer's answer to "let this partner contact me" (NULL: not asked, or removed by
-- withdrawal or the purge) with the version of that wording.
ALTER TABLE signatures ADD COLUMN partner_id BIGINT REFERENCES partners (id);
ALTER TABLE signatures ADD COLUMN partner_consent BOOLEAN;
ALTER TABLE signatures ADD COLUMN partner_consent_version INTEGER;
CREATE INDEX signatures_partner ON signatures (partner_id, letter_id) WHERE partner_id IS NOT NULL;
