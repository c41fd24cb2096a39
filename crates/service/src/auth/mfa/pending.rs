//! The sign-in state machine between the password and the session (MFA-03, MFA-07).
//!
//! [`after_password`] runs when a password was right: it answers `None` (open a session now)
//! or a [`PendingSignIn`] whose handle the web layer puts in its own cookie. [`complete`] takes
//! that handle and a [`Proof`] and, when right, opens the session. In between, the handle
//! grants nothing: the session layer never reads it.
//!
//! Invariants of a handle: 256 random bits; stored as SHA-256 only; bound to the user whose
//! password was given (the proof is checked against that user's factors, so a handle cannot
//! complete anyone else's sign-in); expires [`LIFETIME`] after the password; single use (taken
//! by a `DELETE` before the session opens); void after [`MAX_ATTEMPTS`] wrong factors.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::factor::RecoveryCode;
use domain::id::PendingSignInId;
use store::mfa::{NewPendingSignIn, PendingPurpose, PendingSignInRow};
use store::users::UserRow;

use super::totp::{self, TotpSetup};
use super::{Method, Proof, Step, check_proof, methods_for, policy};
use crate::auth::session::token_hash;
use crate::auth::{RequestMeta, SignedIn, sign_in};
use crate::{App, Error, Result};

/// How long a pending sign-in waits for its second factor.
pub const LIFETIME: Duration = Duration::from_secs(5 * 60);
/// Wrong second factors one handle survives (the per-account delay usually stops an attacker
/// earlier; this bounds one handle regardless).
pub const MAX_ATTEMPTS: i64 = 10;

/// A sign-in waiting for its second factor: the secret handle (for the cookie) and how it can
/// be completed.
#[derive(Clone)]
pub struct PendingSignIn {
    pub token: String,
    pub methods: Vec<Method>,
    /// The policy requires a second factor the account does not have yet: the only way on is
    /// to set up an authenticator app now.
    pub enrolment_required: bool,
}

impl std::fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("token", &"[redacted]")
            .field("methods", &self.methods)
            .field("enrolment_required", &self.enrolment_required)
            .finish()
    }
}

/// What comes after a right password.
#[derive(Debug)]
pub enum LoginOutcome {
    /// No second factor needed: a session.
    SignedIn(SignedIn),
    /// A second factor (or its enrolment) first.
    SecondFactor(PendingSignIn),
}

/// Decides the step after a right password for `user`: `None` to open a session now, or a new
/// pending sign-in. With a confirmed factor it asks for it; without one, when the policy's
/// grace period is over, it starts an authenticator-app enrolment bound to the new handle: a
/// fresh secret every time, shown to and confirmed by that handle only, so whoever else knows
/// the password never sees the secret the owner confirms. That enrolment trusts the password
/// alone, as any first enrolment must: the policy's grace period is the time to enrol from a
/// session instead.
pub(crate) async fn after_password(app: &App, user: &UserRow) -> Result<Option<PendingSignIn>> {
    after_first_step(app, user, "password").await
}

/// [`after_password`] for any first step: `first_method` is how it was made (`password`,
/// `oidc`, `github`), recorded with the sign-in when the factor completes it.
pub(crate) async fn after_first_step(
    app: &App,
    user: &UserRow,
    first_method: &'static str,
) -> Result<Option<PendingSignIn>> {
    let methods = methods_for(app, user.id).await?;
    let (purpose, methods, factor_id) = if !methods.is_empty() {
        (PendingPurpose::Verify, methods, None)
    } else if policy::enrolment_due(app, user).await? {
        let (factor, _) = totp::begin_enrolment(app, user).await?;
        (PendingPurpose::Enrol, vec![Method::Totp], Some(factor))
    } else {
        return Ok(None);
    };
    let token = URL_SAFE_NO_PAD.encode(crate::random::bytes::<32>(&*app.random));
    let now = app.now();
    app.store
        .create_pending_sign_in(&NewPendingSignIn {
            id: PendingSignInId::new(),
            token_hash: token_hash(&token),
            user_id: user.id,
            purpose,
            first_method,
            created_at: now,
            expires_at: now + chrono::Duration::from_std(LIFETIME).map_err(Error::internal)?,
            factor_id,
        })
        .await?;
    tracing::info!(target: "security", user = %user.id, purpose = purpose.as_str(), "password right; second factor required");
    Ok(Some(PendingSignIn {
        token,
        methods,
        enrolment_required: purpose == PendingPurpose::Enrol,
    }))
}

/// The live pending sign-in behind `token` and its user; expired or voided ones are deleted and
/// are `None`, like unknown ones.
pub(crate) async fn live(app: &App, token: &str) -> Result<Option<(PendingSignInRow, UserRow)>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let Some(pending) = app.store.pending_sign_in(&token_hash(token)).await? else {
        return Ok(None);
    };
    let usable = app.now() < pending.expires_at && pending.attempts < MAX_ATTEMPTS;
    let user = match app.store.user(pending.user_id).await {
        Ok(user) if usable && user.is_active => user,
        Ok(_) | Err(store::Error::NotFound) => {
            app.store.take_pending_sign_in(pending.id).await?;
            return Ok(None);
        }
        Err(err) => return Err(err.into()),
    };
    Ok(Some((pending, user)))
}

/// A pending sign-in as the second-factor page shows it.
#[derive(Debug, Clone)]
pub struct PendingView {
    pub username: String,
    pub methods: Vec<Method>,
    pub enrolment_required: bool,
    /// For a forced enrolment: what the authenticator app needs.
    pub enrolment: Option<TotpSetup>,
}

/// What the handle `token` waits for, or `None` when it is unknown, expired or used up. Shows
/// the enrolment secret only to the holder of an enrolment handle (who just gave the password).
pub async fn describe(app: &App, token: &str) -> Result<Option<PendingView>> {
    let Some((pending, user)) = live(app, token).await? else {
        return Ok(None);
    };
    let enrolment_required = pending.purpose == PendingPurpose::Enrol;
    let (methods, enrolment) = if enrolment_required {
        (
            vec![Method::Totp],
            match pending.factor_id {
                Some(factor) => totp::pending_setup_of(app, &user, Some(factor)).await?,
                None => None,
            },
        )
    } else {
        (methods_for(app, user.id).await?, None)
    };
    Ok(Some(PendingView {
        username: user.username,
        methods,
        enrolment_required,
        enrolment,
    }))
}

/// A completed sign-in.
#[derive(Debug)]
pub struct Completed {
    pub signed_in: SignedIn,
    /// What completed it.
    pub method: Method,
    /// Recovery codes issued by a forced enrolment, to show once.
    pub recovery_codes: Option<Vec<RecoveryCode>>,
    /// After a recovery code: how many are left.
    pub recovery_codes_left: Option<i64>,
}

/// Completes the pending sign-in behind `token` with `proof`: a session when right.
/// `Unauthenticated` for an unknown, expired, used or voided handle and for a wrong or replayed
/// code (`BadRequest` for a refused security key's answer; each wrong factor counted against
/// the handle and the account); `RateLimited` while the account's failure delay lasts.
pub async fn complete(
    app: &App,
    token: &str,
    proof: &Proof,
    meta: &RequestMeta,
) -> Result<Completed> {
    if app.config.single_user_mode {
        return Err(Error::Forbidden);
    }
    let Some((pending, user)) = live(app, token).await? else {
        return Err(Error::Unauthenticated);
    };
    // The attempt is taken before the factor is checked, atomically: parallel guesses with one
    // handle cannot exceed the limit.
    if !app
        .store
        .claim_pending_attempt(pending.id, MAX_ATTEMPTS)
        .await?
    {
        return Err(Error::Unauthenticated);
    }
    // `Some(None)`: a right factor; `Some(Some(..))`: a right first code of a new app.
    let enrolled = match pending.purpose {
        PendingPurpose::Verify => check_proof(app, &user, proof, Step::SignIn(pending.id), meta)
            .await?
            .then_some(None),
        PendingPurpose::Enrol => check_enrolment(app, &user, &pending, proof, meta)
            .await?
            .map(Some),
    };
    let Some(enrolled) = enrolled else {
        sign_in::record_failed_attempt(app, &user, proof.method().as_str(), meta).await?;
        return Err(proof.refusal(Error::Unauthenticated));
    };
    // Single use: of two requests with the same handle, one takes it.
    if !app.store.take_pending_sign_in(pending.id).await? {
        return Err(Error::Unauthenticated);
    }
    let recovery_codes = match enrolled {
        Some((factor, step)) => totp::activate(app, &user, factor, step).await?,
        None => None,
    };
    let method = proof.method();
    let signed_in = sign_in::finish(
        app,
        &user,
        &format!("{}+{}", pending.first_method, method.as_str()),
        serde_json::json!({
            "method": pending.first_method,
            "second_factor": method.as_str(),
            "enrolled": recovery_codes.is_some() || pending.purpose == PendingPurpose::Enrol,
        }),
        meta,
    )
    .await?;
    tracing::info!(target: "security", user = %user.id, method = method.as_str(), "sign-in succeeded with a second factor");
    let recovery_codes_left = match method {
        Method::RecoveryCode => Some(app.store.unused_recovery_codes(user.id).await?),
        Method::Totp | Method::WebAuthn => None,
    };
    Ok(Completed {
        signed_in,
        method,
        recovery_codes,
        recovery_codes_left,
    })
}

/// A forced enrolment's first code: the factor and step to activate when right. Counted like
/// any wrong second factor when not.
async fn check_enrolment(
    app: &App,
    user: &UserRow,
    pending: &PendingSignInRow,
    proof: &Proof,
    meta: &RequestMeta,
) -> Result<Option<(domain::id::FactorId, i64)>> {
    let subject = super::failure_subject(user.id);
    crate::rate_limit::check_failures(app, crate::rate_limit::Limit::MfaFailures, &subject).await?;
    let Proof::Totp(code) = proof else {
        return Err(Error::invalid(
            "code",
            "set up the authenticator app and enter its code",
        ));
    };
    // Only the factor made for this handle: none (a handle from before the binding) is void.
    let found = match pending.factor_id {
        Some(factor) => totp::check_enrolment_code(app, user, code, Some(factor)).await?,
        None => None,
    };
    super::settle(app, user, found.is_some(), Method::Totp, "enrolment", meta).await?;
    Ok(found)
}
