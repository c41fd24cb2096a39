-- Second factors (issue 6), SQLite. Keep in step with ../postgres/0005_mfa.sql.
--
-- mfa_factors: one row per factor. `kind` names the mechanism; a factor is usable only once
-- `confirmed` (enrolment proved it works). `secret_enc` is encrypted by the service layer (AAD
-- mfa_factors/secret_enc/<id>); `counter` is the replay guard: for TOTP the last accepted time
-- step, for WebAuthn the signature counter.
CREATE TABLE mfa_factors (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('totp', 'webauthn')),
    name          TEXT NOT NULL,
    secret_enc    TEXT,
    confirmed     BOOLEAN NOT NULL DEFAULT FALSE,
    counter       BIGINT,
    created_at    BIGINT NOT NULL,
    confirmed_at  BIGINT,
    last_used_at  BIGINT
);
CREATE INDEX mfa_factors_user ON mfa_factors(user_id);

-- Recovery codes: only SHA-256 of each (high-entropy) code; a used code keeps its row with
-- `used_at` set, so "how many are left" is a count.
CREATE TABLE mfa_recovery_codes (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE UNIQUE INDEX mfa_recovery_codes_user_hash ON mfa_recovery_codes(user_id, code_hash);

-- Sign-ins between the password and the second factor: the handle is stored as SHA-256 only,
-- expires after minutes, and counts its attempts.
CREATE TABLE mfa_pending (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify', 'enrol')),
    attempts    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX mfa_pending_user ON mfa_pending(user_id);
CREATE INDEX mfa_pending_expires ON mfa_pending(expires_at);

-- Step-up re-authentication: when the session last proved its password (and factor).
ALTER TABLE sessions ADD COLUMN reauthenticated_at BIGINT;
