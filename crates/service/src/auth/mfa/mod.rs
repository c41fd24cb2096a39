//! Second factors, and sign-in as a small state machine (MFA-01…07).
//!
//! ```text
//! password ─┬─ no factor, none required ──────────────────────────────────────► session
//!           ├─ a confirmed factor ──► pending "verify" ─ TOTP | key | recovery ─► session
//!           └─ policy requires one, ► pending "enrol" ── first TOTP code ───────► session
//!              grace over, none yet                                             + recovery codes
//! passkey (discoverable, user verification) ──────────────────────────────────► session
//! ```
//!
//! Invariants:
//! - A pending sign-in is a random 256-bit handle in its own short-lived HttpOnly cookie,
//!   stored only as SHA-256, bound to one user, valid 5 minutes, usable once, and at most
//!   [`pending::MAX_ATTEMPTS`] wrong factors long. It is not a session: nothing but the
//!   second-factor step accepts it (the session layer never reads it).
//! - Wrong second factors count per account ([`Limit::MfaFailures`]): after 5, a growing delay
//!   (30 s doubling, at most 15 min). Every failure is audited and logged as the security
//!   event "password right, second factor wrong".
//! - A TOTP code is accepted at time steps −1..+1 of the injected clock, and a step once: the
//!   factor's counter only moves forward, in the database (MFA-01).
//! - Recovery codes are stored as SHA-256 hashes, spent once, replaced as a set (MFA-04).
//! - Adding, replacing or removing a factor, or new recovery codes, needs a fresh step-up
//!   ([`super::freshness`]) and ends the user's other sessions (MFA-05).
//!
//! Plugging in another kind of factor: add it to [`domain::factor::FactorKind`] (and the
//! migration's check), add a [`Method`] and a [`Proof`] variant, list the method in
//! [`methods_for`] when the user has a confirmed factor of that kind, and verify it in
//! [`check_proof`] (its replay guard is the factor's `counter`, moved with
//! `Store::advance_factor_counter`). [`pending::complete`] and [`super::reauth::reauthenticate`]
//! then accept it without further change; a ceremony that needs a server challenge first gets
//! its own "begin" call keyed by the pending sign-in or the session, as WebAuthn does.
//!
//! Files: [`pending`] (the state machine), [`totp`] (authenticator apps), [`webauthn`]
//! (security keys and passkeys), [`recovery`] (recovery codes), [`policy`] (the admin's
//! "require two-step verification").

pub mod pending;
pub mod policy;
pub mod recovery;
pub mod totp;
pub mod webauthn;

use chrono::{DateTime, Utc};
use domain::factor::{FactorKind, RecoveryCode, TotpCode};
use domain::id::UserId;
use store::users::UserRow;

pub(crate) use self::webauthn::Step;
use super::{Principal, RequestMeta, freshness};
use crate::audit::{self, Actor};
use crate::rate_limit::{self, Limit};
use crate::{App, Error, Result};

/// A way to complete a pending sign-in (the `methods` of a `mfa_required` answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A code from the authenticator app.
    Totp,
    /// A security key or passkey (WebAuthn): begin at `POST /api/auth/mfa/webauthn/start`.
    WebAuthn,
    /// One of the account's unused recovery codes.
    RecoveryCode,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Totp => "totp",
            Method::WebAuthn => "webauthn",
            Method::RecoveryCode => "recovery_code",
        }
    }
}

/// A second factor as given by the person.
#[derive(Debug, Clone)]
pub enum Proof {
    Totp(TotpCode),
    RecoveryCode(RecoveryCode),
    /// A security key's answer to the challenge begun for this step.
    WebAuthn(Box<webauthn::PublicKeyCredential>),
}

impl Proof {
    pub fn method(&self) -> Method {
        match self {
            Proof::Totp(_) => Method::Totp,
            Proof::RecoveryCode(_) => Method::RecoveryCode,
            Proof::WebAuthn(_) => Method::WebAuthn,
        }
    }

    /// A key's answer from its JSON (`PublicKeyCredential.toJSON()` in the browser).
    pub fn webauthn(json: &str) -> Result<Self> {
        Ok(Proof::WebAuthn(Box::new(webauthn::parse_assertion(json)?)))
    }

    /// The error for this proof when it is wrong at `step` (`wrong` for codes): a refused
    /// WebAuthn answer is a 400 like every refused ceremony.
    pub(crate) fn refusal(&self, wrong: Error) -> Error {
        match self {
            Proof::WebAuthn(_) => webauthn::refused(),
            Proof::Totp(_) | Proof::RecoveryCode(_) => wrong,
        }
    }

    /// The proof in a form (or JSON body) with a `code` and a `recovery_code` field, of which
    /// exactly one is filled; `None` when both are blank.
    pub fn from_fields(code: Option<&str>, recovery_code: Option<&str>) -> Result<Option<Self>> {
        fn filled(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        match (filled(code), filled(recovery_code)) {
            (Some(_), Some(_)) => Err(Error::invalid(
                "code",
                "give either the code from your app or a recovery code, not both",
            )),
            (Some(code), None) => Ok(Some(Proof::Totp(TotpCode::parse("code", code)?))),
            (None, Some(code)) => Ok(Some(Proof::RecoveryCode(RecoveryCode::parse(
                "recovery_code",
                code,
            )?))),
            (None, None) => Ok(None),
        }
    }
}

/// The caller's two-step verification, as the security page and `GET /api/profile/mfa` show it.
#[derive(Debug, Clone, Default)]
pub struct MfaStatus {
    /// At least one confirmed second factor: sign-in asks for it.
    pub enabled: bool,
    /// An authenticator app is set up.
    pub totp: bool,
    /// An authenticator app enrolment was started and not yet confirmed.
    pub totp_pending: bool,
    /// Security keys and passkeys set up.
    pub security_keys: usize,
    /// Unused recovery codes.
    pub recovery_codes_left: i64,
    /// The administrator's policy requires a second factor of this account.
    pub required: bool,
    /// While not enrolled under a requiring policy: when sign-in starts insisting.
    pub enrol_by: Option<DateTime<Utc>>,
}

/// The caller's status.
pub async fn status(app: &App, principal: &Principal) -> Result<MfaStatus> {
    let user = app.store.user(principal.user_id).await?;
    status_of(app, &user).await
}

/// Account `id`'s status, for its administration page.
pub async fn admin_status(app: &App, admin: &Principal, id: UserId) -> Result<MfaStatus> {
    admin.require_admin()?;
    let user = app.store.user(id).await?;
    status_of(app, &user).await
}

async fn status_of(app: &App, user: &UserRow) -> Result<MfaStatus> {
    let factors = app.store.factors_of(user.id).await?;
    let totp = factors
        .iter()
        .any(|f| f.kind == FactorKind::Totp && f.confirmed);
    let totp_pending = factors
        .iter()
        .any(|f| f.kind == FactorKind::Totp && !f.confirmed);
    let security_keys = factors
        .iter()
        .filter(|f| f.kind == FactorKind::WebAuthn && f.confirmed)
        .count();
    let enabled = factors.iter().any(|f| f.confirmed);
    let policy = policy::load(app).await?;
    let required = policy
        .require
        .applies_to(user.role == domain::user::Role::Admin);
    Ok(MfaStatus {
        enabled,
        totp,
        totp_pending,
        security_keys,
        recovery_codes_left: app.store.unused_recovery_codes(user.id).await?,
        required,
        enrol_by: if enabled { None } else { policy.deadline(user) },
    })
}

/// The methods that can complete a sign-in of `user`: one per kind of confirmed factor, plus
/// recovery codes while any are unused. Empty when the account has no second factor.
pub async fn methods_for(app: &App, user: UserId) -> Result<Vec<Method>> {
    let factors = app.store.factors_of(user).await?;
    let mut methods = Vec::new();
    for kind in FactorKind::ALL {
        if factors.iter().any(|f| f.kind == kind && f.confirmed) {
            methods.push(match kind {
                FactorKind::Totp => Method::Totp,
                FactorKind::WebAuthn => Method::WebAuthn,
            });
        }
    }
    if !methods.is_empty() && app.store.unused_recovery_codes(user).await? > 0 {
        methods.push(Method::RecoveryCode);
    }
    Ok(methods)
}

/// The subject of the per-account second-factor failure counter.
pub(crate) fn failure_subject(user: UserId) -> String {
    format!("user:{user}")
}

/// Checks `proof` against `user`'s confirmed factors; `Ok(false)` when it is wrong (or
/// replayed), after counting, auditing and logging the failure. Refuses without checking
/// (`RateLimited`) while the account's failure delay lasts. `step` is the sign-in or session
/// it completes: a key's answer must be to the challenge begun for it.
pub(crate) async fn check_proof(
    app: &App,
    user: &UserRow,
    proof: &Proof,
    step: Step,
    meta: &RequestMeta,
) -> Result<bool> {
    let subject = failure_subject(user.id);
    rate_limit::check_failures(app, Limit::MfaFailures, &subject).await?;
    let accepted = match proof {
        Proof::Totp(code) => totp::verify(app, user, code).await?,
        Proof::RecoveryCode(code) => recovery::spend(app, user, code, meta).await?,
        Proof::WebAuthn(answer) => webauthn::verify(app, user, answer, step).await?,
    };
    settle(app, user, accepted, proof.method(), step.as_str(), meta).await?;
    Ok(accepted)
}

/// Records the outcome of a second-factor check: a success forgets the account's failures; a
/// failure is counted, logged as the security event "password right, second factor wrong" and
/// audited (`mfa.failure`).
pub(crate) async fn settle(
    app: &App,
    user: &UserRow,
    accepted: bool,
    method: Method,
    context: &str,
    meta: &RequestMeta,
) -> Result<()> {
    let subject = failure_subject(user.id);
    if accepted {
        return rate_limit::clear_failures(app, Limit::MfaFailures, &subject).await;
    }
    let failures = rate_limit::record_failure(app, Limit::MfaFailures, &subject).await?;
    tracing::warn!(
        target: "security",
        user = %user.id,
        method = method.as_str(),
        failures,
        context,
        "password right, second factor wrong"
    );
    let actor = Actor::User {
        id: user.id,
        username: user.username.clone(),
    };
    audit::record(
        app,
        &actor,
        "mfa.failure",
        Some(format!("user:{}", user.username)),
        meta.ip,
        serde_json::json!({
            "reason": "password right, second factor wrong",
            "method": method.as_str(),
            "step": context,
            "failures": failures,
        }),
    )
    .await
}

/// After any change of `principal`'s factors: ends their other sessions, audits `action` and
/// logs the security event.
pub(crate) async fn factors_changed(
    app: &App,
    principal: &Principal,
    action: &str,
    detail: serde_json::Value,
    meta: &RequestMeta,
) -> Result<()> {
    let ended = app
        .store
        .delete_sessions_of(principal.user_id, principal.session)
        .await?;
    app.store
        .delete_pending_sign_ins_of(principal.user_id)
        .await?;
    tracing::info!(target: "security", user = %principal.user_id, action, ended, "second factors changed");
    let mut detail = detail;
    if let Some(map) = detail.as_object_mut() {
        map.insert("other_sessions_ended".into(), ended.into());
    }
    audit::record(
        app,
        &principal.actor(),
        action,
        Some(format!("user:{}", principal.username)),
        meta.ip,
        detail,
    )
    .await
}

/// An administrator removes every second factor and recovery code of account `id` (the
/// person lost their phone and codes) and signs it out everywhere. Needs the administrator's
/// own fresh step-up; audited. Returns how many factors were removed.
pub async fn admin_reset(
    app: &App,
    admin: &Principal,
    id: UserId,
    meta: &RequestMeta,
) -> Result<u64> {
    admin.require_admin()?;
    rate_limit::hit(app, Limit::Admin, &rate_limit::ip_subject(app, meta.ip)).await?;
    let user = app.store.user(id).await?;
    freshness::require_fresh(app, admin).await?;
    let removed = app.store.reset_second_factors(user.id).await?;
    let keep = (user.id == admin.user_id)
        .then_some(admin.session)
        .flatten();
    let ended = app.store.delete_sessions_of(user.id, keep).await?;
    tracing::warn!(target: "security", user = %user.id, removed, "second factors reset by an administrator");
    audit::record(
        app,
        &admin.actor(),
        "user.mfa_reset",
        Some(format!("user:{}", user.username)),
        meta.ip,
        serde_json::json!({"factors_removed": removed, "sessions_ended": ended}),
    )
    .await?;
    Ok(removed)
}

/// Refuses MFA management where there is no sign-in to protect (single-user mode has no
/// sessions and no passwords).
pub(crate) fn require_sign_in_mode(app: &App) -> Result<()> {
    if app.config.single_user_mode {
        Err(Error::Forbidden)
    } else {
        Ok(())
    }
}
