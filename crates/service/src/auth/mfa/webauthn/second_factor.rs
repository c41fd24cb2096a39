//! A key as the second factor: the challenge for a pending sign-in or a step-up, and checking
//! the answer against the user's keys (`Ok(false)` for any failure, so the caller counts it
//! like a wrong code).

use domain::factor::FactorKind;
use store::users::UserRow;
use webauthn_rs::prelude::{Passkey, PasskeyAuthentication};

use super::ceremony::{
    Step, accept_use, credential_id, keys_of, passkey_of, rejected, state_json, state_of,
    store_ceremony, take,
};
use super::{PublicKeyCredential, RequestChallengeResponse, relying_party};
use crate::auth::Principal;
use crate::auth::mfa::{pending, require_sign_in_mode};
use crate::{App, Error, Result};

/// The options for `navigator.credentials.get()` naming `user`'s keys, stored for `step`.
async fn start_assertion(
    app: &App,
    user: &UserRow,
    step: Step,
) -> Result<RequestChallengeResponse> {
    let rp = relying_party(&app.config)?;
    let keys: Vec<Passkey> = keys_of(app, user.id)
        .await?
        .into_iter()
        .map(|(_, key)| key)
        .collect();
    if keys.is_empty() {
        return Err(Error::Conflict {
            field: "webauthn".into(),
            message: "this account has no security key or passkey".into(),
        });
    }
    let (options, state) = rp
        .start_passkey_authentication(&keys)
        .map_err(|e| Error::internal(format!("WebAuthn request options: {e}")))?;
    let (binding, purpose) = step.binding();
    store_ceremony(
        app,
        binding,
        purpose,
        Some(user.id),
        None,
        state_json::<PasskeyAuthentication>(&state)?,
    )
    .await?;
    Ok(options)
}

/// `POST /api/auth/mfa/webauthn/start`: the challenge for the second factor of the pending
/// sign-in behind `token` (a new one replaces the previous). `Unauthenticated` without a live
/// pending sign-in; `Conflict` when the account has no key (or WebAuthn is off here).
pub async fn start_second_factor(app: &App, token: &str) -> Result<RequestChallengeResponse> {
    if app.config.single_user_mode {
        return Err(Error::Forbidden);
    }
    let Some((pending, user)) = pending::live(app, token).await? else {
        return Err(Error::Unauthenticated);
    };
    if pending.purpose != store::mfa::PendingPurpose::Verify {
        return Err(Error::Conflict {
            field: "webauthn".into(),
            message: "set up the authenticator app first".into(),
        });
    }
    start_assertion(app, &user, Step::SignIn(pending.id)).await
}

/// `POST /api/auth/reauth/webauthn/start`: the challenge for a step-up with a key (the answer
/// goes to `POST /api/auth/reauth` with the password).
pub async fn start_reauth(app: &App, principal: &Principal) -> Result<RequestChallengeResponse> {
    require_sign_in_mode(app)?;
    let session = principal.session.ok_or(Error::Forbidden)?;
    let user = app.store.user(principal.user_id).await?;
    start_assertion(app, &user, Step::Reauth(session)).await
}

/// Checks a key's answer as `user`'s second factor for `step`: the challenge of that step (taken,
/// so used once), one of the user's keys, a valid signature with user verification, a counter
/// that moved forward. `Ok(false)` for any failure (logged with its reason).
pub(crate) async fn verify(
    app: &App,
    user: &UserRow,
    answer: &PublicKeyCredential,
    step: Step,
) -> Result<bool> {
    let rp = relying_party(&app.config)?;
    let (binding, purpose) = step.binding();
    let Some(ceremony) = take(app, &binding, purpose, Some(user.id)).await? else {
        tracing::warn!(target: "security", user = %user.id, step = step.as_str(), "WebAuthn answer without a live challenge (never issued, used or expired)");
        return Ok(false);
    };
    let state: PasskeyAuthentication = state_of(&ceremony)?;
    let result = match rp.finish_passkey_authentication(answer, &state) {
        Ok(result) => result,
        Err(err) => {
            tracing::warn!(target: "security", user = %user.id, step = step.as_str(), reason = %err, "WebAuthn answer refused");
            return Ok(false);
        }
    };
    let Some(factor) = app
        .store
        .factor_by_credential(
            user.id,
            FactorKind::WebAuthn,
            &credential_id(result.cred_id()),
        )
        .await?
    else {
        return Ok(false);
    };
    let passkey = passkey_of(app, &factor)?;
    accept_use(app, user.id, &factor, passkey, &result).await
}

/// The refusal of a wrong second factor given as a key's answer: 400, like every refused
/// ceremony, where a wrong code is 401 at sign-in.
pub(crate) fn refused() -> Error {
    rejected("the answer did not verify as this account's second factor")
}
