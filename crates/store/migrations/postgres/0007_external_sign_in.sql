-- Sign-in through an OpenID Connect provider or GitHub (issue 7), PostgreSQL.
-- Keep in step with ../sqlite/0007_external_sign_in.sql.
--
-- An account's identities at external providers. An identity is the pair (issuer, subject):
-- the provider's issuer URL and its stable id for the person (for GitHub, "github:" plus the
-- site's URL, and the numeric user id). Never the email, which a provider may let people
-- change or reuse. One identity belongs to one account; an account has at most one identity
-- per issuer (linking a second subject of the same issuer would be a takeover path).
CREATE TABLE external_identities (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider      TEXT NOT NULL CHECK (provider IN ('oidc', 'github')),
    issuer        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    email         TEXT,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    UNIQUE (issuer, subject),
    UNIQUE (user_id, issuer)
);

-- Sign-ins under way: between the redirect to the provider and its callback. Keyed by the
-- SHA-256 of the state parameter; bound to the browser by the SHA-256 of a random value in a
-- cookie; taken by a DELETE, so each state is used once; void after expires_at. The PKCE
-- verifier is encrypted; the nonce is not secret (it travels in the authorization URL).
CREATE TABLE external_sign_in_flows (
    state_hash    TEXT PRIMARY KEY,
    browser_hash  TEXT NOT NULL,
    provider      TEXT NOT NULL CHECK (provider IN ('oidc', 'github')),
    nonce         TEXT NOT NULL,
    verifier_enc  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX external_sign_in_flows_expires ON external_sign_in_flows(expires_at);
