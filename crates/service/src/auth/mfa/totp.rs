//! Authenticator apps (TOTP, RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, the defaults
//! every app understands), with `totp-rs` for the arithmetic.
//!
//! Invariants:
//! - The secret is 160 random bits from the injected [`crate::random::Random`], stored only
//!   encrypted (AAD `mfa_factors` / `secret_enc` / factor id) and decrypted into zeroising
//!   buffers for one check.
//! - "Now" is the injected clock; a code is accepted for time steps −1, 0 and +1 and each step
//!   once: the factor's `counter` holds the last accepted step and only moves forward, in one
//!   conditional `UPDATE` (two concurrent uses of one code: one wins).
//! - Enrolment is two-step: [`start`] stores an unconfirmed factor and shows its secret;
//!   [`confirm`] activates it with a first valid code (and replaces an older app). Both, and
//!   [`disable`], need a fresh step-up and end the user's other sessions when they change
//!   something.

use domain::factor::{FactorKind, RecoveryCode, TotpCode};
use domain::id::FactorId;
use store::mfa::{FactorRow, NewFactor};
use store::users::UserRow;
use totp_rs::{Algorithm, Builder, Secret, Totp};
use zeroize::Zeroizing;

use super::{factors_changed, policy, recovery, require_sign_in_mode};
use crate::auth::{Principal, RequestMeta, freshness};
use crate::crypto::Aad;
use crate::{App, Error, Result};

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "BillTracker";
/// Seconds per time step.
pub const STEP_SECONDS: u64 = 30;
/// Secret length: 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
/// The name a new authenticator app gets.
const FACTOR_NAME: &str = "Authenticator app";

/// What a person needs to add the account to an app: the `otpauth://` URL (for the QR code)
/// and the same secret in base32 for typing.
#[derive(Clone)]
pub struct TotpSetup {
    /// The secret in base32 (RFC 4648, no padding), for typing into the app.
    pub secret: String,
    /// `otpauth://totp/BillTracker:<username>?secret=…&issuer=BillTracker`, for the QR code.
    pub otpauth_url: String,
}

impl std::fmt::Debug for TotpSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSetup([redacted])")
    }
}

fn aad(id: &str) -> Aad<'_> {
    Aad {
        table: "mfa_factors",
        column: "secret_enc",
        row: id,
    }
}

/// The RFC 6238 generator for `secret` and `account`.
fn totp(secret: &[u8], account: &str) -> Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(Secret::new(secret.to_vec().into_boxed_slice()))
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .map_err(|e| Error::internal(format!("TOTP parameters refused: {e}")))
}

/// The time step a code matches at `now` (steps −1..+1), or `None`.
pub fn matching_step(
    secret: &[u8],
    code: &TotpCode,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<i64> {
    let seconds = u64::try_from(now.timestamp()).ok()?;
    // `check` compares in constant time and returns the matched step.
    let generator = totp(secret, "check").ok()?;
    generator
        .check(code.as_str(), seconds)
        .and_then(|step| i64::try_from(step).ok())
}

/// The secret of a stored factor, decrypted. A value that does not open is an internal error
/// (logged once by the presenter), never "wrong code".
fn secret_of(app: &App, factor: &FactorRow) -> Result<Zeroizing<Vec<u8>>> {
    let id = factor.id.to_string();
    let text = factor
        .secret_enc
        .as_deref()
        .ok_or_else(|| Error::internal(format!("TOTP factor {id} has no secret")))?;
    let base32 = Zeroizing::new(app.keyring.decrypt(aad(&id), text)?);
    let secret = Secret::try_from_base32(base32.as_str())
        .map_err(|_| Error::internal(format!("TOTP factor {id} holds no base32 secret")))?;
    Ok(Zeroizing::new(secret.as_bytes().to_vec()))
}

fn setup_for(secret: &[u8], username: &str) -> Result<TotpSetup> {
    let generator = totp(secret, username)?;
    Ok(TotpSetup {
        secret: generator.secret().to_base32(),
        otpauth_url: generator
            .to_url()
            .map_err(|e| Error::internal(format!("otpauth URL: {e}")))?,
    })
}

/// Stores a new unconfirmed authenticator-app factor for `user` (dropping an unfinished one,
/// and with it any pending sign-in bound to it) and returns its id and what the app needs. No
/// step-up here: callers check it (or, for forced enrolment at sign-in, the pending handle the
/// factor is bound to stands for the password just given).
pub(crate) async fn begin_enrolment(app: &App, user: &UserRow) -> Result<(FactorId, TotpSetup)> {
    app.store
        .delete_unconfirmed_factors(user.id, FactorKind::Totp)
        .await?;
    let secret = Zeroizing::new(crate::random::bytes::<SECRET_BYTES>(&*app.random));
    let setup = setup_for(secret.as_slice(), &user.username)?;
    let id = FactorId::new();
    let row = id.to_string();
    app.store
        .create_factor(&NewFactor {
            id,
            user_id: user.id,
            kind: FactorKind::Totp,
            name: FACTOR_NAME.to_owned(),
            secret_enc: Some(app.encrypt(aad(&row), &setup.secret)?),
            credential_id: None,
            created_at: app.now(),
        })
        .await?;
    Ok((id, setup))
}

/// The unconfirmed authenticator-app factor `only` of `user` when given (a forced enrolment
/// looks only at the factor made for its handle), else the newest one (an enrolment begun from
/// the security page).
async fn pending_factor(
    app: &App,
    user: &UserRow,
    only: Option<FactorId>,
) -> Result<Option<FactorRow>> {
    Ok(app
        .store
        .factors_of(user.id)
        .await?
        .into_iter()
        .rev()
        .find(|f| f.kind == FactorKind::Totp && !f.confirmed && only.is_none_or(|id| f.id == id)))
}

/// What the app needs for the enrolment under way of `user` (only the factor `only`, when
/// given), if any.
pub(crate) async fn pending_setup_of(
    app: &App,
    user: &UserRow,
    only: Option<FactorId>,
) -> Result<Option<TotpSetup>> {
    match pending_factor(app, user, only).await? {
        Some(factor) => {
            let secret = secret_of(app, &factor)?;
            Ok(Some(setup_for(secret.as_slice(), &user.username)?))
        }
        None => Ok(None),
    }
}

/// Checks `code` against the enrolment under way (only the factor `only`, when given); the
/// factor and the matched step when right.
pub(crate) async fn check_enrolment_code(
    app: &App,
    user: &UserRow,
    code: &TotpCode,
    only: Option<FactorId>,
) -> Result<Option<(FactorId, i64)>> {
    let Some(factor) = pending_factor(app, user, only).await? else {
        return Ok(None);
    };
    let secret = secret_of(app, &factor)?;
    Ok(matching_step(secret.as_slice(), code, app.now()).map(|step| (factor.id, step)))
}

/// Activates the enrolment `factor` with its first accepted `step`, replacing an older app;
/// issues recovery codes when the account has no unused ones (returned, to show once). One
/// transaction: the app is never active without codes, nor codes stored for an app that is not.
pub(crate) async fn activate(
    app: &App,
    user: &UserRow,
    factor: FactorId,
    step: i64,
) -> Result<Option<Vec<RecoveryCode>>> {
    let (codes, hashes) = recovery::fresh(app)?;
    let issued = app
        .store
        .confirm_factor_issuing_codes(user.id, factor, Some(step), true, &hashes, app.now())
        .await?;
    Ok(issued.then_some(codes))
}

/// Checks a sign-in or step-up code against `user`'s confirmed authenticator app and, when it
/// matches a step not used before, records that step (MFA-01).
pub(crate) async fn verify(app: &App, user: &UserRow, code: &TotpCode) -> Result<bool> {
    let factors = app.store.factors_of(user.id).await?;
    let Some(factor) = factors
        .iter()
        .find(|f| f.kind == FactorKind::Totp && f.confirmed)
    else {
        return Ok(false);
    };
    let secret = secret_of(app, factor)?;
    let Some(step) = matching_step(secret.as_slice(), code, app.now()) else {
        return Ok(false);
    };
    // False when this step (or a later one) was already accepted: a replay.
    Ok(app
        .store
        .advance_factor_counter(user.id, factor.id, step, app.now())
        .await?)
}

/// `POST …/totp`: starts adding an authenticator app (fresh step-up needed). A confirmed app
/// keeps working until the new one is confirmed.
pub async fn start(app: &App, principal: &Principal, meta: &RequestMeta) -> Result<TotpSetup> {
    require_sign_in_mode(app)?;
    freshness::require_fresh(app, principal).await?;
    let user = app.store.user(principal.user_id).await?;
    let (_, setup) = begin_enrolment(app, &user).await?;
    crate::audit::record(
        app,
        &principal.actor(),
        "mfa.totp_enrolment_started",
        Some(format!("user:{}", user.username)),
        meta.ip,
        serde_json::json!({}),
    )
    .await?;
    Ok(setup)
}

/// The enrolment under way of the caller, to show again (fresh step-up needed: it shows the
/// secret). `None` when none is under way.
pub async fn pending_setup(app: &App, principal: &Principal) -> Result<Option<TotpSetup>> {
    require_sign_in_mode(app)?;
    freshness::require_fresh(app, principal).await?;
    let user = app.store.user(principal.user_id).await?;
    pending_setup_of(app, &user, None).await
}

/// `POST …/totp/confirm`: activates the enrolment under way with a first valid code (fresh
/// step-up needed). Returns new recovery codes when the account had none unused. Ends the
/// caller's other sessions.
pub async fn confirm(
    app: &App,
    principal: &Principal,
    code: &TotpCode,
    meta: &RequestMeta,
) -> Result<Option<Vec<RecoveryCode>>> {
    require_sign_in_mode(app)?;
    freshness::require_fresh(app, principal).await?;
    let user = app.store.user(principal.user_id).await?;
    if pending_factor(app, &user, None).await?.is_none() {
        return Err(Error::Conflict {
            field: "code".into(),
            message: "no authenticator app is being set up; start again".into(),
        });
    }
    let Some((factor, step)) = check_enrolment_code(app, &user, code, None).await? else {
        return Err(Error::invalid(
            "code",
            "is not the current code of the app; check the time on your phone and try again",
        ));
    };
    let codes = activate(app, &user, factor, step).await?;
    factors_changed(
        app,
        principal,
        "mfa.totp_enabled",
        serde_json::json!({"recovery_codes_issued": codes.is_some()}),
        meta,
    )
    .await?;
    Ok(codes)
}

/// `DELETE …/totp`: removes the authenticator app (fresh step-up needed). Refused while the
/// administrator's policy requires a second factor of this account and it is the last one.
/// With no factor left, the recovery codes go too. Ends the caller's other sessions.
pub async fn disable(app: &App, principal: &Principal, meta: &RequestMeta) -> Result<()> {
    require_sign_in_mode(app)?;
    freshness::require_fresh(app, principal).await?;
    let user = app.store.user(principal.user_id).await?;
    let factors = app.store.factors_of(user.id).await?;
    if !factors
        .iter()
        .any(|f| f.kind == FactorKind::Totp && f.confirmed)
    {
        return Err(Error::NotFound);
    }
    let others_left = factors
        .iter()
        .any(|f| f.kind != FactorKind::Totp && f.confirmed);
    if !others_left && policy::load(app).await?.applies_to(&user) {
        return Err(Error::Conflict {
            field: "totp".into(),
            message: "your administrator requires two-step verification for this account".into(),
        });
    }
    app.store
        .delete_factors_of_kind(user.id, FactorKind::Totp)
        .await?;
    if !others_left {
        app.store.delete_recovery_codes(user.id).await?;
    }
    factors_changed(
        app,
        principal,
        "mfa.totp_disabled",
        serde_json::json!({}),
        meta,
    )
    .await
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    /// RFC 6238 appendix B, SHA-1 (the 8-digit vectors, last six digits, which is what a
    /// 6-digit generator yields: the code is the number modulo 10^digits).
    #[test]
    fn mfa_01_rfc_6238_vectors_match_at_their_step_and_its_neighbours_only() {
        let secret = b"12345678901234567890";
        for (time, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            let code = TotpCode::parse("code", &eight[2..]).expect("six digits");
            let at = |t: i64| Utc.timestamp_opt(t, 0).single().expect("time");
            let step = time / 30;
            assert_eq!(matching_step(secret, &code, at(time)), Some(step), "{time}");
            assert_eq!(
                matching_step(secret, &code, at(time + 30)),
                Some(step),
                "one step late"
            );
            assert_eq!(
                matching_step(secret, &code, at(time - 30)),
                Some(step),
                "one step early"
            );
            assert_eq!(
                matching_step(secret, &code, at(time + 60)),
                None,
                "two steps late"
            );
            assert_eq!(
                matching_step(secret, &code, at(time - 60)),
                None,
                "two steps early"
            );
        }
    }

    #[test]
    fn the_otpauth_url_names_the_issuer_the_account_and_the_secret() {
        let setup = setup_for(b"12345678901234567890", "alice@example.org").expect("setup");
        assert_eq!(setup.secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert!(
            setup
                .otpauth_url
                .starts_with("otpauth://totp/BillTracker:alice%40example.org?"),
            "{}",
            setup.otpauth_url
        );
        assert!(
            setup
                .otpauth_url
                .contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        );
        assert!(setup.otpauth_url.contains("issuer=BillTracker"));
        assert_eq!(format!("{setup:?}"), "TotpSetup([redacted])");
    }
}
