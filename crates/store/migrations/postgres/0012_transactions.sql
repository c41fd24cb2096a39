-- Bank accounts, their transactions, and statement imports (issue 15), PostgreSQL.
-- Keep in step with ../sqlite/0012_transactions.sql.

-- A user's bank or card account. `source` is where its transactions come from; `external_id`
-- is the account id the source gives it (an OFX ACCTID, a sync provider's id), used to
-- recognise the account in the next file.
CREATE TABLE bank_accounts (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    currency     TEXT NOT NULL,
    institution  TEXT NOT NULL DEFAULT '',
    last_digits  TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL CHECK (source IN ('file', 'sync')),
    external_id  TEXT,
    deleted_at   BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX bank_accounts_user ON bank_accounts(user_id);

-- One uploaded statement file. While `state` is 'previewed', `preview` holds the rows as the
-- preview showed them (JSON written by the service) until `expires_at`; applying it once turns
-- it 'applied' (and clears the preview); undoing the import turns it 'undone'. `account_id` is
-- NULL while the preview's account is still to be made (a file naming a new account): a
-- preview writes none of the user's data, so the account is created by the apply.
CREATE TABLE imports (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    account_id    TEXT REFERENCES bank_accounts(id) ON DELETE CASCADE,
    file_name     TEXT NOT NULL,
    format        TEXT NOT NULL CHECK (format IN ('csv', 'ofx', 'qif')),
    state         TEXT NOT NULL CHECK (state IN ('previewed', 'applied', 'undone')),
    rows_in_file  BIGINT NOT NULL,
    rows_imported BIGINT NOT NULL DEFAULT 0,
    preview       TEXT,
    expires_at    BIGINT NOT NULL,
    applied_at    BIGINT,
    undone_at     BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX imports_user_created ON imports(user_id, created_at);

-- A transaction as the bank recorded it; amounts signed (money out is negative) in the
-- account currency's minor units. `dedupe_key` is the account-local key of its date, amount
-- and payee with the occurrence count (two identical coffees on one day are keys …#1 and …#2).
CREATE TABLE transactions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    account_id   TEXT NOT NULL REFERENCES bank_accounts(id) ON DELETE CASCADE,
    posted_on    TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    payee        TEXT NOT NULL DEFAULT '',
    memo         TEXT NOT NULL DEFAULT '',
    category_id  TEXT REFERENCES categories(id) ON DELETE SET NULL,
    pending      BOOLEAN NOT NULL DEFAULT FALSE,
    source       TEXT NOT NULL CHECK (source IN ('file', 'sync')),
    source_id    TEXT,
    import_id    TEXT REFERENCES imports(id) ON DELETE SET NULL,
    dedupe_key   TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'unmatched' CHECK (state IN ('unmatched', 'matched', 'ignored')),
    payment_id   TEXT UNIQUE REFERENCES payments(id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX transactions_user_posted ON transactions(user_id, posted_on, id);
CREATE INDEX transactions_account_dedupe ON transactions(account_id, dedupe_key);
CREATE UNIQUE INDEX transactions_account_source_id ON transactions(account_id, source_id)
    WHERE source_id IS NOT NULL;
CREATE INDEX transactions_import ON transactions(import_id);
