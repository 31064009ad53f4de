-- Keys may belong to a partner: role 'partner', bound to one partner organisation.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD COLUMN partner_id BIGINT REFERENCES partners (id);
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'staff', 'partner'));
ALTER TABLE api_keys ADD CONSTRAINT api_keys_partner_check CHECK ((role = 'partner') = (partner_id IS NOT NULL));
