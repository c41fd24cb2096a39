//! Passwordless sign-in with a discoverable passkey: a begin call that returns a random handle
//! (stored only as its hash) with the challenge, and a finish call that identifies the account
//! from the answer and opens a session with no further factor (see the parent module's notes).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::factor::FactorKind;
use domain::id::UserId;
use store::webauthn::CeremonyPurpose;
use webauthn_rs::prelude::DiscoverableAuthentication;

use super::ceremony::{
    accept_use, credential_id, passkey_binding, passkey_of, rejected, state_json, state_of,
    store_ceremony, take,
};
use super::{PublicKeyCredential, RequestChallengeResponse, relying_party};
use crate::auth::mfa::{Method, failure_subject, settle};
use crate::auth::{RequestMeta, SignedIn, session, sign_in};
use crate::rate_limit::{self, Limit};
use crate::{App, Error, Result};

/// A passwordless sign-in begun: the handle to send back with the answer, and the options for
/// `navigator.credentials.get()` (no credentials named: the authenticator offers its passkeys
/// for this site).
#[derive(Clone)]
pub struct PasskeyStart {
    pub handle: String,
    pub options: RequestChallengeResponse,
}

impl std::fmt::Debug for PasskeyStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasskeyStart")
            .field("handle", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// `POST /api/auth/passkey/start`: begins a passwordless sign-in. Counted against the
/// per-address sign-in limit like a password attempt (each begin allows one answer).
pub async fn start_passkey(app: &App, meta: &RequestMeta) -> Result<PasskeyStart> {
    if app.config.single_user_mode {
        return Err(Error::Forbidden);
    }
    rate_limit::hit(app, Limit::Login, &rate_limit::ip_subject(app, meta.ip)).await?;
    if !crate::auth::external::settings::local_enabled(app).await? {
        return Err(Error::Forbidden);
    }
    let rp = relying_party(&app.config)?;
    let (options, state) = rp
        .start_discoverable_authentication()
        .map_err(|e| Error::internal(format!("WebAuthn request options: {e}")))?;
    let handle = URL_SAFE_NO_PAD.encode(crate::random::bytes::<32>(&*app.random));
    store_ceremony(
        app,
        passkey_binding(&handle),
        CeremonyPurpose::Passkey,
        None,
        None,
        state_json::<DiscoverableAuthentication>(&state)?,
    )
    .await?;
    Ok(PasskeyStart { handle, options })
}

/// `POST /api/auth/passkey/finish`: signs in with a passkey's answer to the challenge of
/// `handle`. The answer names the account (its user handle) and the credential; the signature
/// must verify with user verification. No further factor is asked (see the module notes).
/// `previous_token` is a session cookie the browser already had, ended like at any sign-in.
/// Wrong answers for a known account count toward its second-factor failure delay.
pub async fn sign_in_with_passkey(
    app: &App,
    handle: &str,
    answer: &PublicKeyCredential,
    meta: &RequestMeta,
    previous_token: Option<&str>,
) -> Result<SignedIn> {
    if app.config.single_user_mode || !crate::auth::external::settings::local_enabled(app).await? {
        return Err(Error::Forbidden);
    }
    let rp = relying_party(&app.config)?;
    if handle.is_empty() || handle.len() > 100 {
        return Err(rejected("no passkey sign-in handle"));
    }
    let Some(ceremony) = take(
        app,
        &passkey_binding(handle),
        CeremonyPurpose::Passkey,
        None,
    )
    .await?
    else {
        return Err(rejected(
            "no passkey sign-in under way (never begun, used or expired)",
        ));
    };
    let state: DiscoverableAuthentication = state_of(&ceremony)?;
    let (user_handle, raw_id) = rp
        .identify_discoverable_authentication(answer)
        .map_err(rejected)?;
    let user = match app.store.user(UserId::from_uuid(user_handle)).await {
        Ok(user) if user.is_active => user,
        Ok(_) | Err(store::Error::NotFound) => {
            return Err(rejected("a passkey of no active account"));
        }
        Err(err) => return Err(err.into()),
    };
    let subject = failure_subject(user.id);
    rate_limit::check_failures(app, Limit::MfaFailures, &subject).await?;
    let factor = app
        .store
        .factor_by_credential(user.id, FactorKind::WebAuthn, &credential_id(raw_id))
        .await?;
    // The user handle in the answer is chosen by whoever sends it: a credential that is not
    // one of that account's keys is refused without counting a failure against the account,
    // so strangers cannot hold someone's sign-in in the failure delay.
    let Some(factor) = factor else {
        return Err(rejected("not a passkey of that account"));
    };
    let passkey = passkey_of(app, &factor)?;
    let accepted = match rp.finish_discoverable_authentication_v2(answer, state, &passkey) {
        Ok(result) if result.user_verified() => {
            accept_use(app, user.id, &factor, passkey, &result).await?
        }
        Ok(_) => false,
        Err(err) => {
            tracing::warn!(target: "security", user = %user.id, reason = %err, "passkey sign-in refused");
            false
        }
    };
    settle(
        app,
        &user,
        accepted,
        Method::WebAuthn,
        "passkey sign-in",
        meta,
    )
    .await?;
    if !accepted {
        sign_in::record_failed_attempt(app, &user, "passkey", meta).await?;
        return Err(rejected("the passkey's answer did not verify"));
    }
    if let Some(token) = previous_token {
        session::end_by_token(app, token).await?;
    }
    let signed_in = sign_in::finish(
        app,
        &user,
        "passkey",
        serde_json::json!({"method": "passkey"}),
        meta,
    )
    .await?;
    tracing::info!(target: "security", user = %user.id, "sign-in succeeded with a passkey");
    Ok(signed_in)
}
