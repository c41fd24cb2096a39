-- Security hardening (issue 13), SQLite. Keep in step with ../postgres/0009_enrolment_binding.sql.
--
-- A forced enrolment at sign-in is bound to the pending sign-in that created it: the
-- authenticator secret is shown to, and confirmed by, that handle only. A new pending sign-in
-- makes a new secret; replacing the unconfirmed factor voids the handles bound to it.
ALTER TABLE mfa_pending ADD COLUMN factor_id TEXT REFERENCES mfa_factors(id) ON DELETE CASCADE;
