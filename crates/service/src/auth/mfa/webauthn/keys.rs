//! The caller's security keys and passkeys: registering one (a begin and a finish ceremony),
//! listing, renaming and removing them. Adding or removing a key needs a fresh step-up and
//! ends the caller's other sessions; renaming needs only the session.

use domain::factor::{FactorKind, KeyName, RecoveryCode};
use domain::id::FactorId;
use store::mfa::NewFactor;
use store::webauthn::CeremonyPurpose;
use webauthn_rs::prelude::PasskeyRegistration;
use webauthn_rs_proto::ResidentKeyRequirement;

use super::ceremony::{
    aad, credential_id, keys_of, rejected, session_binding, state_json, state_of, store_ceremony,
    take,
};
use super::{CreationChallengeResponse, Key, RegisterPublicKeyCredential, relying_party};
use crate::audit;
use crate::auth::mfa::{factors_changed, policy, recovery, require_sign_in_mode};
use crate::auth::{Principal, RequestMeta, freshness};
use crate::{App, Error, Result};

/// `POST …/webauthn/register/start`: the options for `navigator.credentials.create()` to add a
/// key named `name` (fresh step-up needed). The account's keys are excluded, so one
/// authenticator is not registered twice.
pub async fn start_registration(
    app: &App,
    principal: &Principal,
    name: &KeyName,
) -> Result<CreationChallengeResponse> {
    require_sign_in_mode(app)?;
    freshness::require_fresh(app, principal).await?;
    let session = principal.session.ok_or(Error::Forbidden)?;
    let rp = relying_party(&app.config)?;
    let user = app.store.user(principal.user_id).await?;
    let exclude = keys_of(app, user.id)
        .await?
        .iter()
        .map(|(_, key)| key.cred_id().clone())
        .collect();
    let (mut options, state) = rp
        .start_passkey_registration(
            user.id.as_uuid(),
            &user.username,
            &user.display_name,
            Some(exclude),
        )
        .map_err(|e| Error::internal(format!("WebAuthn registration options: {e}")))?;
    // Discoverable where the authenticator can (then it also signs in without a password);
    // not demanded, so security keys with little storage still work as second factors.
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Preferred);
        selection.require_resident_key = false;
    }
    store_ceremony(
        app,
        session_binding(session, CeremonyPurpose::Register),
        CeremonyPurpose::Register,
        Some(user.id),
        Some(name.as_str().to_owned()),
        state_json::<PasskeyRegistration>(&state)?,
    )
    .await?;
    Ok(options)
}

/// A key added by [`finish_registration`].
#[derive(Debug)]
pub struct Registered {
    pub key: Key,
    /// The account's first factor: its new recovery codes, to show once.
    pub recovery_codes: Option<Vec<RecoveryCode>>,
}

/// `POST …/webauthn/register/finish`: checks the authenticator's answer to the caller's
/// registration under way and adds the key (fresh step-up needed). Issues recovery codes when
/// the account has none unused. Ends the caller's other sessions.
pub async fn finish_registration(
    app: &App,
    principal: &Principal,
    answer: &RegisterPublicKeyCredential,
    meta: &RequestMeta,
) -> Result<Registered> {
    require_sign_in_mode(app)?;
    freshness::require_fresh(app, principal).await?;
    let session = principal.session.ok_or(Error::Forbidden)?;
    let rp = relying_party(&app.config)?;
    let Some(ceremony) = take(
        app,
        &session_binding(session, CeremonyPurpose::Register),
        CeremonyPurpose::Register,
        Some(principal.user_id),
    )
    .await?
    else {
        return Err(rejected(
            "no registration under way (never begun, used or expired)",
        ));
    };
    let state: PasskeyRegistration = state_of(&ceremony)?;
    let passkey = rp
        .finish_passkey_registration(answer, &state)
        .map_err(rejected)?;
    let id = FactorId::new();
    let row = id.to_string();
    let name = ceremony.name.unwrap_or_else(|| "Security key".to_owned());
    let now = app.now();
    // The key and, for a first factor, its recovery codes in one transaction.
    let (codes, hashes) = recovery::fresh(app)?;
    let issued = app
        .store
        .add_confirmed_factor(
            &NewFactor {
                id,
                user_id: principal.user_id,
                kind: FactorKind::WebAuthn,
                name: name.clone(),
                secret_enc: Some(app.encrypt(aad(&row), &state_json(&passkey)?)?),
                credential_id: Some(credential_id(passkey.cred_id())),
                created_at: now,
            },
            &hashes,
        )
        .await
        .map_err(|err| match err {
            store::Error::Conflict { .. } => Error::Conflict {
                field: "credential".into(),
                message: "this key is already registered to your account".into(),
            },
            other => other.into(),
        })?;
    let recovery_codes = issued.then_some(codes);
    factors_changed(
        app,
        principal,
        "mfa.webauthn_added",
        serde_json::json!({
            "key": row,
            "name": name,
            "recovery_codes_issued": recovery_codes.is_some(),
        }),
        meta,
    )
    .await?;
    let key = app
        .store
        .factors_of(principal.user_id)
        .await?
        .iter()
        .find(|f| f.id == id)
        .map(Key::from)
        .ok_or(Error::NotFound)?;
    Ok(Registered {
        key,
        recovery_codes,
    })
}

/// `GET …/webauthn`: the caller's security keys and passkeys, oldest first.
pub async fn list(app: &App, principal: &Principal) -> Result<Vec<Key>> {
    require_sign_in_mode(app)?;
    Ok(app
        .store
        .factors_of(principal.user_id)
        .await?
        .iter()
        .filter(|f| f.kind == FactorKind::WebAuthn && f.confirmed)
        .map(Key::from)
        .collect())
}

/// `PATCH …/webauthn/{id}`: renames one of the caller's keys (audited; no step-up: a name
/// grants nothing).
pub async fn rename(
    app: &App,
    principal: &Principal,
    id: FactorId,
    name: &KeyName,
    meta: &RequestMeta,
) -> Result<Key> {
    require_sign_in_mode(app)?;
    app.store
        .rename_factor(principal.user_id, id, FactorKind::WebAuthn, name.as_str())
        .await?;
    audit::record(
        app,
        &principal.actor(),
        "mfa.webauthn_renamed",
        Some(format!("user:{}", principal.username)),
        meta.ip,
        serde_json::json!({"key": id.to_string(), "name": name.as_str()}),
    )
    .await?;
    app.store
        .factors_of(principal.user_id)
        .await?
        .iter()
        .find(|f| f.id == id)
        .map(Key::from)
        .ok_or(Error::NotFound)
}

/// `DELETE …/webauthn/{id}`: removes one of the caller's keys (fresh step-up needed). Refused
/// while the administrator's policy requires a second factor of this account and it is the
/// last one. With no factor left, the recovery codes go too. Ends the caller's other sessions.
pub async fn remove(
    app: &App,
    principal: &Principal,
    id: FactorId,
    meta: &RequestMeta,
) -> Result<()> {
    require_sign_in_mode(app)?;
    freshness::require_fresh(app, principal).await?;
    let user = app.store.user(principal.user_id).await?;
    let factors = app.store.factors_of(user.id).await?;
    let Some(key) = factors
        .iter()
        .find(|f| f.id == id && f.kind == FactorKind::WebAuthn)
    else {
        return Err(Error::NotFound);
    };
    let others_left = factors.iter().any(|f| f.id != id && f.confirmed);
    if !others_left && policy::load(app).await?.applies_to(&user) {
        return Err(Error::Conflict {
            field: "webauthn".into(),
            message: "your administrator requires two-step verification for this account; \
                      add another key or an authenticator app first"
                .into(),
        });
    }
    if !app
        .store
        .delete_factor(user.id, id, FactorKind::WebAuthn)
        .await?
    {
        return Err(Error::NotFound);
    }
    if !others_left {
        app.store.delete_recovery_codes(user.id).await?;
    }
    factors_changed(
        app,
        principal,
        "mfa.webauthn_removed",
        serde_json::json!({"key": id.to_string(), "name": key.name}),
        meta,
    )
    .await
}
