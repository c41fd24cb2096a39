//! How recently a session proved who is behind it: the step-up window (MFA-05, ASVS 7.5.1).
//!
//! A session is fresh for [`WINDOW`] after it proved the password (and the second factor when
//! the account has one): at sign-in, or with [`super::reauth::reauthenticate`]. The time is
//! kept on the session row (`reauthenticated_at`), so it ends with the session and never
//! carries over to another one. A step-up through the sign-in provider is kept apart
//! (`provider_proved_at`): it stands in for the password only.
//!
//! This module only reads those times. Everything that guards a security-sensitive change
//! (second factors, sessions, accounts, sign-in settings) asks it, and proving (`reauth`,
//! which checks second factors) sits above it, so `mfa` and `reauth` do not depend on each
//! other both ways.

use super::Principal;
use crate::{App, Error, Result};

/// How long a step-up lasts.
pub const WINDOW: chrono::Duration = chrono::Duration::minutes(5);

/// Refuses with `ReauthRequired` unless the caller's session proved its password within
/// [`WINDOW`]. Without a session (single-user mode) there is nothing to prove: `Forbidden`.
pub async fn require_fresh(app: &App, principal: &Principal) -> Result<()> {
    let Some(session) = principal.session else {
        return Err(Error::Forbidden);
    };
    match app.store.session_reauthenticated_at(session).await? {
        Some(at) if app.now() - at <= WINDOW => Ok(()),
        _ => Err(Error::ReauthRequired),
    }
}

/// Whether the caller's step-up is still fresh (for pages deciding what to offer).
pub async fn is_fresh(app: &App, principal: &Principal) -> Result<bool> {
    match require_fresh(app, principal).await {
        Ok(()) => Ok(true),
        Err(Error::ReauthRequired | Error::Forbidden) => Ok(false),
        Err(err) => Err(err),
    }
}

/// Whether the caller's account proved itself to its sign-in provider within [`WINDOW`]
/// (the step-up page then asks only for the second factor).
pub async fn provider_proved(app: &App, principal: &Principal) -> Result<bool> {
    let Some(session) = principal.session else {
        return Ok(false);
    };
    Ok(app
        .store
        .session_provider_proved_at(session)
        .await?
        .is_some_and(|at| app.now() - at <= WINDOW))
}
