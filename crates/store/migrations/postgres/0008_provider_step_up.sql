-- Step-up re-authentication through the sign-in provider (issue 7), PostgreSQL.
-- Keep in step with ../sqlite/0008_provider_step_up.sql.
--
-- A flow is a sign-in ('sign_in') or a step-up of a signed-in session ('reauth', bound to
-- that session by session_id: the callback must come with the same session). next_path is
-- where the browser goes afterwards (a same-site path, checked when the flow starts).
ALTER TABLE external_sign_in_flows ADD COLUMN purpose TEXT NOT NULL DEFAULT 'sign_in'
    CHECK (purpose IN ('sign_in', 'reauth'));
ALTER TABLE external_sign_in_flows ADD COLUMN session_id TEXT;
ALTER TABLE external_sign_in_flows ADD COLUMN next_path TEXT;

-- How a pending sign-in's first step was made ('password', 'oidc', 'github'), for the
-- sign-in history and the audit log once the second factor completes it.
ALTER TABLE mfa_pending ADD COLUMN first_method TEXT NOT NULL DEFAULT 'password';

-- When the session's account last proved itself to its provider (a step-up through OIDC or
-- GitHub): stands in for the password in a step-up that also needs the second factor.
ALTER TABLE sessions ADD COLUMN provider_proved_at BIGINT;
