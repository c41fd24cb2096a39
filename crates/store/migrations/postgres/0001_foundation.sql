-- Foundation tables (PostgreSQL). Ids are UUIDv7 text; instants are BIGINT unix milliseconds (UTC);
-- money is BIGINT minor units; every integer is BIGINT (i64 on both engines). Keep in step with ../sqlite/0001_foundation.sql.

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    email               TEXT UNIQUE,
    display_name        TEXT NOT NULL,
    password_hash       TEXT,
    role                TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    is_bootstrap        BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins       BIGINT NOT NULL DEFAULT 0,
    throttled_until     BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE sessions (
    id              TEXT PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    ip_enc          TEXT,
    user_agent_enc  TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    at          BIGINT NOT NULL,
    actor_id    TEXT,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT,
    ip          TEXT,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_action ON audit_log(action);

CREATE TABLE rate_limits (
    key           TEXT PRIMARY KEY,
    window_start  BIGINT NOT NULL,
    hits          BIGINT NOT NULL
);

CREATE TABLE job_leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
