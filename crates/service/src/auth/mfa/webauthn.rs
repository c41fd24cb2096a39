//! Security keys and passkeys (WebAuthn Level 3, MFA-06), with webauthn-rs as the relying
//! party.
//!
//! Every key is registered as a webauthn-rs `Passkey`: user verification (PIN or biometric)
//! required, and a discoverable credential where the authenticator can make one
//! (`residentKey: preferred`). Such a key works as a second factor after the password, and, when
//! discoverable, alone for passwordless sign-in.
//!
//! Ceremonies: each is a begin call that stores webauthn-rs' state server-side (table
//! `webauthn_ceremonies`) and returns the options for `navigator.credentials`, then a finish
//! call with the browser's answer. The state is bound to who began it:
//! - registration and step-up: the session (`session:<id>:register|reauth`);
//! - the second factor at sign-in: the pending sign-in (`pending:<id>`);
//! - passwordless sign-in: a random 256-bit handle returned by the begin call and stored only
//!   as SHA-256 (`passkey:<hash>`).
//!
//! Invariants:
//! - The relying party comes from `PUBLIC_URL` on every ceremony: rp id = its host, the only
//!   accepted origin = its scheme, host and port. Browsers refuse IP addresses as rp ids, so with
//!   an IP-address `PUBLIC_URL` WebAuthn is off ([`available`]) and the other methods remain.
//! - A challenge is 32 random bytes (webauthn-rs' OS generator), answered at most once (the
//!   state is taken by a `DELETE` before it is checked), within [`CEREMONY_LIFETIME`]; a new
//!   begin for the same binding replaces the old challenge.
//! - An answer for another origin or rp id, to a challenge never issued, used or expired, or
//!   with a bad signature is `Error::BadRequest` (400); as a second factor it also counts as a
//!   wrong factor (the account's failure delay, the pending sign-in's attempts, audit).
//! - Signature counters only move forward: an authenticator that counts must show a higher
//!   value each time (`Store::advance_factor_counter`, one conditional `UPDATE`), else the
//!   answer is refused as a possible clone. Authenticators that do not count (most synced
//!   passkeys send 0 forever) are accepted; the single-use challenge stops replays there.
//! - The credential (public key, counter, flags) is stored encrypted like a TOTP seed (AAD
//!   `mfa_factors` / `secret_enc` / factor id); its id in `credential_id`, unique per user.
//! - Adding or removing a key needs a fresh step-up and ends the user's other sessions;
//!   renaming only needs the session.
//!
//! Passwordless sign-in and the "require two-step verification" policy: a passkey sign-in asks
//! for no further factor. The authenticator proves possession of the key and, with user
//! verification required (and checked in the answer's flags), a PIN or biometric: two factors
//! in one gesture (NIST SP 800-63B multi-factor cryptographic authenticator). An account that
//! has a key has a second factor, so the policy is met.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::factor::{FactorKind, KeyName, RecoveryCode};
use domain::id::{FactorId, PendingSignInId, SessionId, UserId};
use store::mfa::{FactorRow, NewFactor};
use store::users::UserRow;
use store::webauthn::{CeremonyPurpose, CeremonyRow, NewCeremony};
use webauthn_rs::prelude::{
    AuthenticationResult, DiscoverableAuthentication, Passkey, PasskeyAuthentication,
    PasskeyRegistration, Url, Webauthn, WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

pub use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

use super::pending;
use super::{Method, factors_changed, policy, recovery, require_sign_in_mode, settle};
use crate::audit;
use crate::auth::login::record_login;
use crate::auth::session::{self, token_hash};
use crate::auth::{Principal, RequestMeta, SignedIn, reauth};
use crate::crypto::Aad;
use crate::rate_limit::{self, Limit};
use crate::{App, Config, Error, Result};

/// How long a ceremony's challenge can be answered (also the timeout the browser is given).
pub const CEREMONY_LIFETIME: std::time::Duration = std::time::Duration::from_secs(5 * 60);
/// The relying party's name, shown by some authenticators.
const RP_NAME: &str = "BillTracker";
/// The largest browser answer accepted (a few KiB in practice).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The relying party of this deployment, from `PUBLIC_URL`, or `Conflict` when WebAuthn
/// cannot work there (an IP address, which browsers refuse as an rp id).
pub fn relying_party(config: &Config) -> Result<Webauthn> {
    let unavailable = || Error::Conflict {
        field: "webauthn".into(),
        message: "security keys and passkeys need PUBLIC_URL set to the address people use, \
                  with a domain name (browsers refuse IP addresses)"
            .into(),
    };
    let url = Url::parse(&config.public_url).map_err(|_| unavailable())?;
    let rp_id = url.domain().ok_or_else(unavailable)?.to_owned();
    let origin = Url::parse(&url.origin().ascii_serialization()).map_err(|_| unavailable())?;
    WebauthnBuilder::new(&rp_id, &origin)
        .map_err(|_| unavailable())?
        .rp_name(RP_NAME)
        .timeout(CEREMONY_LIFETIME)
        .build()
        .map_err(|_| unavailable())
}

/// Whether security keys and passkeys can be used here (pages hide them otherwise).
pub fn available(config: &Config) -> bool {
    relying_party(config).is_ok()
}

/// The one origin ceremonies are accepted from (`https://bills.example.org`), as a browser
/// writes `location.origin`; `None` when WebAuthn is off. Pages give it to their script, which
/// offers keys only when the page was opened there (elsewhere the browser or the server would
/// refuse the ceremony).
pub fn origin(config: &Config) -> Option<String> {
    let rp = relying_party(config).ok()?;
    rp.get_allowed_origins()
        .first()
        .map(|origin| origin.origin().ascii_serialization())
}

/// A security key or passkey as the caller's list shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct KeyView {
    /// The key's id, for renaming and removing.
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<&FactorRow> for KeyView {
    fn from(row: &FactorRow) -> Self {
        Self {
            id: row.id.to_string(),
            name: row.name.clone(),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        }
    }
}

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

    fn binding(self) -> (String, CeremonyPurpose) {
        match self {
            Step::SignIn(id) => (pending_binding(id), CeremonyPurpose::SecondFactor),
            Step::Reauth(id) => (
                session_binding(id, CeremonyPurpose::Reauth),
                CeremonyPurpose::Reauth,
            ),
        }
    }
}

fn pending_binding(id: PendingSignInId) -> String {
    format!("pending:{id}")
}

fn session_binding(id: SessionId, purpose: CeremonyPurpose) -> String {
    format!("session:{id}:{}", purpose.as_str())
}

fn passkey_binding(handle: &str) -> String {
    format!("passkey:{}", token_hash(handle))
}

fn aad(id: &str) -> Aad<'_> {
    Aad {
        table: "mfa_factors",
        column: "secret_enc",
        row: id,
    }
}

/// The refusal of a ceremony's answer, logged as a security event with its reason.
fn rejected(reason: impl std::fmt::Display) -> Error {
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

fn parse_answer<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
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
fn passkey_of(app: &App, factor: &FactorRow) -> Result<Passkey> {
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
async fn keys_of(app: &App, user: UserId) -> Result<Vec<(FactorRow, Passkey)>> {
    let mut keys = Vec::new();
    for factor in app.store.factors_of(user).await? {
        if factor.kind == FactorKind::WebAuthn && factor.confirmed {
            let passkey = passkey_of(app, &factor)?;
            keys.push((factor, passkey));
        }
    }
    Ok(keys)
}

fn credential_id(raw: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(raw)
}

fn state_json<T: serde::Serialize>(state: &T) -> Result<String> {
    serde_json::to_string(state).map_err(Error::internal)
}

fn state_of<T: serde::de::DeserializeOwned>(ceremony: &CeremonyRow) -> Result<T> {
    serde_json::from_str(&ceremony.state).map_err(Error::internal)
}

async fn store_ceremony(
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
async fn take(
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
async fn accept_use(
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

// ---------------------------------------------------------------------------------------------
// Registration, list, rename, remove
// ---------------------------------------------------------------------------------------------

/// `POST …/webauthn/register/start`: the options for `navigator.credentials.create()` to add a
/// key named `name` (fresh step-up needed). The account's keys are excluded, so one
/// authenticator is not registered twice.
pub async fn start_registration(
    app: &App,
    principal: &Principal,
    name: &KeyName,
) -> Result<CreationChallengeResponse> {
    require_sign_in_mode(app)?;
    reauth::require_fresh(app, principal).await?;
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
    pub key: KeyView,
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
    reauth::require_fresh(app, principal).await?;
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
    app.store
        .create_factor(&NewFactor {
            id,
            user_id: principal.user_id,
            kind: FactorKind::WebAuthn,
            name: name.clone(),
            secret_enc: Some(app.encrypt(aad(&row), &state_json(&passkey)?)?),
            credential_id: Some(credential_id(passkey.cred_id())),
            created_at: now,
        })
        .await
        .map_err(|err| match err {
            store::Error::Conflict { .. } => Error::Conflict {
                field: "credential".into(),
                message: "this key is already registered to your account".into(),
            },
            other => other.into(),
        })?;
    app.store
        .confirm_factor(principal.user_id, id, None, false, now)
        .await?;
    let recovery_codes = if app.store.unused_recovery_codes(principal.user_id).await? > 0 {
        None
    } else {
        Some(recovery::issue(app, principal.user_id).await?)
    };
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
        .map(KeyView::from)
        .ok_or(Error::NotFound)?;
    Ok(Registered {
        key,
        recovery_codes,
    })
}

/// `GET …/webauthn`: the caller's security keys and passkeys, oldest first.
pub async fn list(app: &App, principal: &Principal) -> Result<Vec<KeyView>> {
    require_sign_in_mode(app)?;
    Ok(app
        .store
        .factors_of(principal.user_id)
        .await?
        .iter()
        .filter(|f| f.kind == FactorKind::WebAuthn && f.confirmed)
        .map(KeyView::from)
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
) -> Result<KeyView> {
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
        .map(KeyView::from)
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
    reauth::require_fresh(app, principal).await?;
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

// ---------------------------------------------------------------------------------------------
// A key as the second factor (sign-in, step-up)
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Passwordless sign-in
// ---------------------------------------------------------------------------------------------

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
    if app.config.single_user_mode {
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
    let subject = super::failure_subject(user.id);
    rate_limit::check_failures(app, Limit::MfaFailures, &subject).await?;
    let factor = app
        .store
        .factor_by_credential(user.id, FactorKind::WebAuthn, &credential_id(raw_id))
        .await?;
    let accepted = match factor {
        None => false,
        Some(factor) => {
            let passkey = passkey_of(app, &factor)?;
            match rp.finish_discoverable_authentication_v2(answer, state, &passkey) {
                Ok(result) if result.user_verified() => {
                    accept_use(app, user.id, &factor, passkey, &result).await?
                }
                Ok(_) => false,
                Err(err) => {
                    tracing::warn!(target: "security", user = %user.id, reason = %err, "passkey sign-in refused");
                    false
                }
            }
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
        record_login(app, &user, false, None, "passkey", meta).await?;
        return Err(rejected("the passkey's answer did not verify"));
    }
    if let Some(token) = previous_token {
        session::end_by_token(app, token).await?;
    }
    let signed_in = session::open(app, &user, meta).await?;
    record_login(
        app,
        &user,
        true,
        signed_in.principal.session,
        "passkey",
        meta,
    )
    .await?;
    tracing::info!(target: "security", user = %user.id, "sign-in succeeded with a passkey");
    audit::record(
        app,
        &signed_in.principal.actor(),
        "login.success",
        None,
        meta.ip,
        serde_json::json!({"method": "passkey"}),
    )
    .await?;
    Ok(signed_in)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(public_url: &str) -> Config {
        let env: std::collections::BTreeMap<String, String> =
            [("PUBLIC_URL".to_owned(), public_url.to_owned())].into();
        Config::from_sources(None, &env).expect("config")
    }

    #[test]
    fn mfa_06_the_relying_party_is_public_urls_host_and_origin() {
        let rp = relying_party(&config("https://bills.example.org/app/")).expect("rp");
        let origins: Vec<String> = rp
            .get_allowed_origins()
            .iter()
            .map(|o| o.to_string())
            .collect();
        assert_eq!(origins, ["https://bills.example.org/"]);
        assert_eq!(
            origin(&config("https://bills.example.org/app/")).as_deref(),
            Some("https://bills.example.org")
        );
        assert_eq!(
            origin(&config("http://localhost:3030")).as_deref(),
            Some("http://localhost:3030")
        );
        assert!(available(&config("http://localhost:3030")));
        assert_eq!(origin(&config("http://127.0.0.1:3030")), None);
        for ip in ["http://127.0.0.1:3030", "http://[::1]:3030"] {
            assert!(!available(&config(ip)), "{ip}: browsers refuse IP rp ids");
            assert!(matches!(
                relying_party(&config(ip)),
                Err(Error::Conflict { field, .. }) if field == "webauthn"
            ));
        }
    }

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
