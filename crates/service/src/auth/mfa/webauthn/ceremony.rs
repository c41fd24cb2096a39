//! The plumbing every WebAuthn ceremony shares: what a challenge is bound to ([`Step`] and the
//! `pending:` / `session:` / `passkey:` bindings), storing and taking the server-side state
//! (taken by a `DELETE`, so answered once), parsing the browser's answer with a size bound,
//! the stored credential (encrypted like a TOTP seed) and recording an accepted use with the
//! signature counter moving forward.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::factor::FactorKind;
use domain::id::{PendingSignInId, SessionId, UserId};
use store::mfa::FactorRow;
use store::webauthn::{CeremonyPurpose, CeremonyRow, NewCeremony};
use webauthn_rs::prelude::{AuthenticationResult, Passkey};

use super::{
    CEREMONY_LIFETIME, MAX_ANSWER_BYTES, PublicKeyCredential, RegisterPublicKeyCredential,
};
use crate::auth::session::token_hash;
use crate::crypto::Aad;
use crate::{App, Error, Result};

/// Where a second-factor answer's challenge was issued: the step it completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The second factor of pending sign-in.
    SignIn(PendingSignInId),
    /// A step-up re-authentication of a session.
    Reauth(SessionId),
}

impl Step {
    /// The step's name in the records.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Step::SignIn(_) => "sign-in",
            Step::Reauth(_) => "re-authentication",
        }
    }

    pub(super) fn binding(self) -> (String, CeremonyPurpose) {
        match self {
            Step::SignIn(id) => (pending_binding(id), CeremonyPurpose::SecondFactor),
            Step::Reauth(id) => (
                session_binding(id, CeremonyPurpose::Reauth),
                CeremonyPurpose::Reauth,
            ),
        }
    }
}

pub(super) fn pending_binding(id: PendingSignInId) -> String {
    format!("pending:{id}")
}

pub(super) fn session_binding(id: SessionId, purpose: CeremonyPurpose) -> String {
    format!("session:{id}:{}", purpose.as_str())
}

pub(super) fn passkey_binding(handle: &str) -> String {
    format!("passkey:{}", token_hash(handle))
}

pub(super) fn aad(id: &str) -> Aad<'_> {
    Aad {
        table: "mfa_factors",
        column: "secret_enc",
        row: id,
    }
}

/// The refusal of a ceremony's answer, logged as a security event with its reason.
pub(super) fn rejected(reason: impl std::fmt::Display) -> Error {
    tracing::warn!(target: "security", reason = %reason, "WebAuthn answer refused");
    Error::BadRequest {
        field: "credential".into(),
        message: "the security key's answer was not accepted (it was for another site, the \
                  request expired or was already used, or the signature is wrong); try again"
            .into(),
    }
}

/// The browser's answer to a registration, from its JSON (`PublicKeyCredential.toJSON()`).
pub fn parse_registration(json: &str) -> Result<RegisterPublicKeyCredential> {
    parse_answer(json)
}

/// The browser's answer to an authentication, from its JSON (`PublicKeyCredential.toJSON()`).
pub fn parse_assertion(json: &str) -> Result<PublicKeyCredential> {
    parse_answer(json)
}

pub(super) fn parse_answer<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
    if json.trim().is_empty() {
        return Err(Error::invalid(
            "credential",
            "use your security key or passkey first",
        ));
    }
    if json.len() > MAX_ANSWER_BYTES {
        return Err(Error::invalid("credential", "is too long"));
    }
    serde_json::from_str(json)
        .map_err(|_| Error::invalid("credential", "is not a WebAuthn credential"))
}

/// The stored credential of a key.
pub(super) fn passkey_of(app: &App, factor: &FactorRow) -> Result<Passkey> {
    let id = factor.id.to_string();
    let text = factor
        .secret_enc
        .as_deref()
        .ok_or_else(|| Error::internal(format!("WebAuthn factor {id} has no credential")))?;
    let json = app.keyring.decrypt(aad(&id), text)?;
    serde_json::from_str(&json)
        .map_err(|e| Error::internal(format!("WebAuthn factor {id} does not parse: {e}")))
}

/// The user's confirmed keys with their credentials.
pub(super) async fn keys_of(app: &App, user: UserId) -> Result<Vec<(FactorRow, Passkey)>> {
    let mut keys = Vec::new();
    for factor in app.store.factors_of(user).await? {
        if factor.kind == FactorKind::WebAuthn && factor.confirmed {
            let passkey = passkey_of(app, &factor)?;
            keys.push((factor, passkey));
        }
    }
    Ok(keys)
}

pub(super) fn credential_id(raw: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(raw)
}

pub(super) fn state_json<T: serde::Serialize>(state: &T) -> Result<String> {
    serde_json::to_string(state).map_err(Error::internal)
}

pub(super) fn state_of<T: serde::de::DeserializeOwned>(ceremony: &CeremonyRow) -> Result<T> {
    serde_json::from_str(&ceremony.state).map_err(Error::internal)
}

pub(super) async fn store_ceremony(
    app: &App,
    binding: String,
    purpose: CeremonyPurpose,
    user: Option<UserId>,
    name: Option<String>,
    state: String,
) -> Result<()> {
    let now = app.now();
    app.store
        .put_ceremony(&NewCeremony {
            binding,
            purpose,
            user_id: user,
            name,
            state,
            created_at: now,
            expires_at: now
                + chrono::Duration::from_std(CEREMONY_LIFETIME).map_err(Error::internal)?,
        })
        .await?;
    Ok(())
}

/// Takes the live ceremony of `binding` if it was begun for `purpose` (and `user`, when
/// given); `None` otherwise. Taking it ends it: whatever the answer, it is not asked twice.
pub(super) async fn take(
    app: &App,
    binding: &str,
    purpose: CeremonyPurpose,
    user: Option<UserId>,
) -> Result<Option<CeremonyRow>> {
    let ceremony = app.store.take_ceremony(binding, app.now()).await?;
    Ok(ceremony.filter(|c| c.purpose == purpose && (user.is_none() || c.user_id == user)))
}

/// Records an accepted use of `factor`: the signature counter must move forward when the
/// authenticator keeps one; the stored credential follows the counter and backup flags. False
/// when the counter did not move (a possible clone) or the key was removed meanwhile.
pub(super) async fn accept_use(
    app: &App,
    user: UserId,
    factor: &FactorRow,
    mut passkey: Passkey,
    result: &AuthenticationResult,
) -> Result<bool> {
    let now = app.now();
    let counter = i64::from(result.counter());
    if (counter > 0 || factor.counter.is_some_and(|c| c > 0))
        && !app
            .store
            .advance_factor_counter(user, factor.id, counter, now)
            .await?
    {
        tracing::warn!(target: "security", user = %user, factor = %factor.id, counter, "WebAuthn signature counter did not move forward: possible cloned key");
        return Ok(false);
    }
    let secret = if passkey.update_credential(result) == Some(true) {
        let row = factor.id.to_string();
        Some(app.encrypt(aad(&row), &state_json(&passkey)?)?)
    } else {
        None
    };
    Ok(app
        .store
        .record_factor_use(user, factor.id, secret.as_deref(), now)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_06_answers_are_parsed_with_a_size_bound_and_named_errors() {
        for bad in [
            "",
            "   ",
            "{}",
            "not json",
            &"x".repeat(MAX_ANSWER_BYTES + 1),
        ] {
            assert!(
                matches!(parse_assertion(bad), Err(Error::Invalid(ref i)) if i.field == "credential"),
                "{:?}",
                &bad[..bad.len().min(10)]
            );
        }
        assert_eq!(
            pending_binding(PendingSignInId::from_uuid(uuid::Uuid::nil())),
            "pending:00000000-0000-0000-0000-000000000000"
        );
        assert!(passkey_binding("handle").starts_with("passkey:"));
        assert!(
            !passkey_binding("handle").contains("handle"),
            "stored hashed"
        );
    }
}
