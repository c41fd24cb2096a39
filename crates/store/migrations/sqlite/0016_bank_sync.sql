-- Bank sync with SimpleFIN (issue 16), SQLite. Keep in step with ../postgres/0016_bank_sync.sql.
-- Depends on 0012 (bank_accounts, transactions).

-- A user's connection to their SimpleFIN Bridge. `access_url_enc` is the access URL (it
-- holds the Bridge's credentials) encrypted and bound to its cell; nothing else stores it.
-- `health`: ok, needs_reconnect (403, con.auth / gen.auth), payment_required (402), failing
-- (other errors, retried with backoff). `last_error` is a fixed code and a sanitised message,
-- never the URL. `messages` is the Bridge's last sanitised messages (JSON); `last_report` what
-- the last successful sync changed (JSON counts), shown to the person.
CREATE TABLE sync_connections (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label            TEXT NOT NULL,
    host             TEXT NOT NULL,
    access_url_enc   TEXT NOT NULL,
    health           TEXT NOT NULL DEFAULT 'ok'
                     CHECK (health IN ('ok', 'needs_reconnect', 'payment_required', 'failing')),
    last_error       TEXT,
    last_error_at    BIGINT,
    messages         TEXT NOT NULL DEFAULT '[]',
    failures         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT,
    last_attempt_at  BIGINT,
    last_success_at  BIGINT,
    last_new_data_at BIGINT,
    last_report      TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX sync_connections_user ON sync_connections(user_id);
CREATE INDEX sync_connections_due ON sync_connections(last_success_at);

-- Each request to a Bridge, for its daily quota (24 per connection); older than two days is
-- removed by the sync job.
CREATE TABLE sync_requests (
    connection_id TEXT NOT NULL REFERENCES sync_connections(id) ON DELETE CASCADE,
    requested_at  BIGINT NOT NULL
);
CREATE INDEX sync_requests_connection ON sync_requests(connection_id, requested_at);

-- An account a connection reports. `remote_id` is the Bridge's id (a relink at the Bridge
-- makes a new one: the person maps the new account to the same bank account). Only a
-- monitored account mapped to a bank account is synced. Balances are minor units of the
-- account's ISO currency (NULL for a custom currency). `health`: ok, incomplete
-- (act.missingdata), failed (act.failed), gone (no longer reported). `checked_*` is the
-- balance and time of the last balance check, `balance_gap_minor` what the transactions
-- synced since then failed to explain (0: none missing).
CREATE TABLE sync_accounts (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    connection_id     TEXT NOT NULL REFERENCES sync_connections(id) ON DELETE CASCADE,
    remote_id         TEXT NOT NULL,
    name              TEXT NOT NULL,
    org_name          TEXT NOT NULL DEFAULT '',
    currency          TEXT NOT NULL,
    balance_minor     BIGINT,
    available_minor   BIGINT,
    balance_date      BIGINT,
    monitored         BOOLEAN NOT NULL DEFAULT FALSE,
    bank_account_id   TEXT REFERENCES bank_accounts(id) ON DELETE SET NULL,
    health            TEXT NOT NULL DEFAULT 'ok'
                      CHECK (health IN ('ok', 'incomplete', 'failed', 'gone')),
    message           TEXT,
    synced_through    BIGINT,
    last_new_data_at  BIGINT,
    checked_balance_minor BIGINT,
    checked_at        BIGINT,
    balance_gap_minor BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX sync_accounts_remote ON sync_accounts(connection_id, remote_id);
CREATE INDEX sync_accounts_user ON sync_accounts(user_id);

-- A synced row whose bank id is new but whose content (date, amount, payee, occurrence) is a
-- row the account has already: kept and flagged, never dropped silently.
ALTER TABLE transactions ADD COLUMN duplicate_of TEXT REFERENCES transactions(id) ON DELETE SET NULL;
