//! Step-up re-authentication (MFA-05, ASVS 7.5.1): security-sensitive actions (adding or
//! removing a second factor, new recovery codes, an administrator resetting someone's factors,
//! later changing the email) need the session to have proved its password, and its second
//! factor when the account has one, within the last [`WINDOW`].
//!
//! A session proves it at sign-in (a new session counts as freshly re-authenticated) and again
//! with [`reauthenticate`]; how fresh it is lives in [`super::freshness`] (re-exported here),
//! which the guarded use-cases ask, so this module may check second factors ([`super::mfa`])
//! without `mfa` depending back on it. Accounts linked to a sign-in provider may prove
//! themselves there instead of with the password (`external::start_step_up`). Too old is
//! `Error::ReauthRequired` (403 `reauth_required`). Changing the password asks for the current
//! password, and for a fresh step-up too when the account has a second factor.
//!
//! Every password check of a signed-in user (step-up, password change) goes through
//! [`check_password`]: wrong passwords count per account, with the growing delay of sign-in
//! failures, so a stolen session is no guessing oracle (AUTH-03).

pub use super::freshness::{WINDOW, is_fresh, provider_proved, require_fresh};
use super::mfa::{Proof, Step, check_proof, methods_for};
use super::{Principal, RequestMeta};
use crate::audit;
use crate::password::{self, Verification};
use crate::rate_limit::{self, Limit};
use crate::{App, Error, Result};

/// The subject of an account's failure counter for password checks by its own sessions.
fn password_check_subject(user: domain::id::UserId) -> String {
    format!("password-check:{user}")
}

/// Checks `password` against `user`'s, for a signed-in user (step-up, password change):
/// refused with `RateLimited` while the account's failure delay lasts; a wrong password is
/// counted toward it, a right one clears it.
pub(crate) async fn check_password(
    app: &App,
    user: &store::users::UserRow,
    password: &str,
) -> Result<bool> {
    let subject = password_check_subject(user.id);
    rate_limit::check_failures(app, Limit::AccountFailures, &subject).await?;
    let right = match password::verify_async(password.to_owned(), user.password_hash.clone()).await
    {
        Verification::Valid { .. } => user.password_hash.is_some(),
        _ => false,
    };
    if right {
        rate_limit::clear_failures(app, Limit::AccountFailures, &subject).await?;
    } else {
        let failures = rate_limit::record_failure(app, Limit::AccountFailures, &subject).await?;
        tracing::warn!(target: "security", user = %user.id, failures, "wrong password from a signed-in session");
    }
    Ok(right)
}

/// Whether re-authenticating needs a second factor besides the password.
pub async fn needs_second_factor(app: &App, principal: &Principal) -> Result<bool> {
    Ok(!methods_for(app, principal.user_id).await?.is_empty())
}

/// `POST /api/auth/reauth`: the caller gives the password again (and a second factor when the
/// account has one); the session is then fresh for [`WINDOW`]. A wrong password or factor is
/// `Forbidden` and audited; wrong factors also count toward the account's failure delay.
pub async fn reauthenticate(
    app: &App,
    principal: &Principal,
    password: &str,
    proof: Option<&Proof>,
    meta: &RequestMeta,
) -> Result<()> {
    let Some(session) = principal.session else {
        return Err(Error::Forbidden);
    };
    rate_limit::hit(app, Limit::Reauth, &rate_limit::ip_subject(app, meta.ip)).await?;
    if password.len() > 1024 {
        return Err(Error::invalid("password", "is too long"));
    }
    let user = app.store.user(principal.user_id).await?;
    let factor_needed = !methods_for(app, user.id).await?.is_empty();
    if factor_needed && proof.is_none() {
        return Err(Error::invalid(
            "code",
            "enter the code from your authenticator app, use your security key, or give a recovery code",
        ));
    }
    // A step-up through the sign-in provider just now stands in for the password (the
    // factor is still asked: `external::finish` marks accounts without one fresh directly).
    let provider_proved = password.is_empty() && provider_proved(app, principal).await?;
    let password_ok = provider_proved || check_password(app, &user, password).await?;
    let refuse = |reason: &'static str, err: Error| async move {
        tracing::warn!(target: "security", user = %principal.user_id, reason, "re-authentication refused");
        audit::record(
            app,
            &principal.actor(),
            "reauth.failure",
            None,
            meta.ip,
            serde_json::json!({"reason": reason}),
        )
        .await?;
        Err(err)
    };
    if !password_ok {
        return refuse("wrong password", Error::Forbidden).await;
    }
    if let Some(proof) = proof.filter(|_| factor_needed)
        && !check_proof(app, &user, proof, Step::Reauth(session), meta).await?
    {
        return refuse("wrong second factor", proof.refusal(Error::Forbidden)).await;
    }
    app.store
        .mark_session_reauthenticated(session, app.now())
        .await?;
    audit::record(
        app,
        &principal.actor(),
        "reauth.success",
        None,
        meta.ip,
        serde_json::json!({"second_factor": proof.filter(|_| factor_needed).map(|p| p.method().as_str())}),
    )
    .await
}
