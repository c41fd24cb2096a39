-- CSV mapping presets (issue 15), PostgreSQL. Keep in step with ../sqlite/0014_import_presets.sql.
-- Depends only on 0012 (bank_accounts).

-- A user's saved CSV mapping. `header` is the header row it was made for (a JSON array of the
-- cells as the file wrote them) and `header_signature` those cells normalised and joined, by
-- which a new file is recognised; `mapping` is the mapping in the preset file's JSON form
-- (written and checked by the service). `name_key` is the name case-folded by the store, so
-- names are unique per user whatever their case on both engines. A preset tied to an account
-- goes with the account.
CREATE TABLE import_presets (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    account_id       TEXT REFERENCES bank_accounts(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    name_key         TEXT NOT NULL,
    header           TEXT NOT NULL,
    header_signature TEXT NOT NULL,
    mapping          TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX import_presets_user_name ON import_presets(user_id, name_key);
CREATE INDEX import_presets_user_signature ON import_presets(user_id, header_signature);
CREATE INDEX import_presets_account ON import_presets(account_id);
