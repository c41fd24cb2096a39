//! The sign-in spine: where every sign-in ends, whichever way it came.
//!
//! ```text
//! password (login) ───────┐                 ┌─ yes ─► mfa::pending ── factor right ─┐
//!                         ├─► second factor?┤                                       ├─► finish
//! provider (external) ────┘                 └─ no ──────────────────────────────────┤
//! passkey (mfa::webauthn, user verified) ───────────────────────────────────────────┘
//! ```
//!
//! [`finish`] opens the session, issues the known-device cookie, writes the sign-in history
//! row and the `login.success` audit entry; [`record_failed_attempt`] writes a history row for
//! an attempt that did not finish (a wrong second factor, a refused passkey). Nothing here
//! decides *whether* someone may sign in: that is the first step's job (password, provider,
//! passkey) and the pending sign-in's (second factor). So this module depends only on the
//! session and audit modules below it, and every sign-in module depends on it, never the
//! other way: the dependency graph of `auth` stays acyclic (`scripts/module-cycles`).

use domain::id::SessionId;
use store::login_history::NewLogin;
use store::users::UserRow;

use super::{RequestMeta, SignedIn, known_device, session};
use crate::audit;
use crate::crypto::Aad;
use crate::{App, Result};

/// The end of every successful sign-in (password alone, a first step and a second factor,
/// passkey, provider): opens `user`'s session and records it in the sign-in history (as
/// `method`) and the audit log (`login.success` with `detail`). Callers log their own security
/// event afterwards.
pub(crate) async fn finish(
    app: &App,
    user: &UserRow,
    method: &str,
    detail: serde_json::Value,
    meta: &RequestMeta,
) -> Result<SignedIn> {
    let mut signed_in = session::open(app, user, meta, method != "github").await?; // GitHub alone proves nothing (MFA-05)
    signed_in.known_device = Some(known_device::issue(app, user.id));
    let row = history_row(app, user, true, signed_in.principal.session, method, meta)?;
    app.store.record_login(&row).await?;
    audit::record(
        app,
        &signed_in.principal.actor(),
        "login.success",
        None,
        meta.ip,
        detail,
    )
    .await?;
    Ok(signed_in)
}

/// Adds a failed attempt to `user`'s history: `method` is what failed after the first step
/// (the second factor alone, `passkey`).
pub(crate) async fn record_failed_attempt(
    app: &App,
    user: &UserRow,
    method: &str,
    meta: &RequestMeta,
) -> Result<()> {
    let row = history_row(app, user, false, None, method, meta)?;
    Ok(app.store.record_login(&row).await?)
}

/// A sign-in history row (`method` says how: `password`, `password+totp`, `oidc`, …), its IP
/// and user agent encrypted. A wrong password writes it in the same transaction as its failure
/// counters, so `login` builds it here and stores it there.
pub(crate) fn history_row(
    app: &App,
    user: &UserRow,
    success: bool,
    session: Option<SessionId>,
    method: &str,
    meta: &RequestMeta,
) -> Result<NewLogin> {
    let id = uuid::Uuid::now_v7().to_string();
    let row = id.as_str();
    let ip = meta.ip.map(|ip| ip.to_string());
    let new = NewLogin {
        id: id.clone(),
        user_id: user.id,
        at: app.now(),
        success,
        method: method.to_owned(),
        session_id: session,
        ip_enc: app.encrypt_opt(
            Aad {
                table: "login_history",
                column: "ip_enc",
                row,
            },
            ip.as_deref(),
        )?,
        user_agent_enc: app.encrypt_opt(
            Aad {
                table: "login_history",
                column: "user_agent_enc",
                row,
            },
            meta.user_agent.as_deref(),
        )?,
    };
    Ok(new)
}
