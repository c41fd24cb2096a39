-- WebAuthn security keys and passkeys (issue 6), PostgreSQL.
-- Keep in step with ../sqlite/0006_webauthn.sql.
--
-- A key is an mfa_factors row of kind 'webauthn': its serialised credential (public key,
-- signature counter, flags) in secret_enc, encrypted like a TOTP seed; its name for people in
-- name; the signature counter also in counter (the replay guard). credential_id is the
-- credential's id (base64url), unique per user, to find the key a passkey sign-in names.
ALTER TABLE mfa_factors ADD COLUMN credential_id TEXT;
CREATE UNIQUE INDEX mfa_factors_user_credential ON mfa_factors(user_id, credential_id);

-- Ceremonies under way: the state webauthn-rs keeps between the options it sends to the
-- browser and the browser's answer (the challenge and what it was issued for). binding says
-- whom it belongs to: 'pending:<pending sign-in id>' (second factor at sign-in),
-- 'session:<session id>:<purpose>' (registration, step-up) or 'passkey:<SHA-256 of a random
-- handle>' (passwordless sign-in, before anyone is known). One ceremony per binding (a new
-- begin replaces it); taken by a DELETE, so each is used once; void after expires_at.
CREATE TABLE webauthn_ceremonies (
    id          TEXT PRIMARY KEY,
    binding     TEXT NOT NULL UNIQUE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('register', 'second_factor', 'reauth', 'passkey')),
    user_id     TEXT REFERENCES users(id) ON DELETE CASCADE,
    name        TEXT,
    state       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX webauthn_ceremonies_expires ON webauthn_ceremonies(expires_at);
