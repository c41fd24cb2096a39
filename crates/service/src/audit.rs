//! Writing security events and admin actions to the hash-chained audit log, and reading it
//! back for admins. Entries name the actor, the action, the target, the time (UTC) and the
//! client IP; details never contain secrets.
//!
//! Two bounds keep the log usable under attack (LOG-01):
//! - Anonymous entries (someone not signed in failing to sign in) are written through
//!   [`record_anonymous`]: at most [`ANONYMOUS_ROWS_PER_WINDOW`] per [`ANONYMOUS_WINDOW`] for
//!   the whole instance, however many addresses send them. The rest are still logged as
//!   security events, and counted: the next anonymous entry written says how many went
//!   unrecorded (`"unrecorded": n` in its detail).
//! - Administrators' views check the hash chain from a checkpoint ([`chain_intact`]): the last
//!   row verified and its hash, kept in the settings table sealed with the keyring
//!   (AES-256-GCM, associated data `settings`/`value`/`audit.checkpoint`, re-encrypted by
//!   `rotate-keys`) and moved forward by the periodic cleanup job ([`advance_checkpoint`]), so
//!   a check costs the rows written since the job last ran, not the whole log. A changed,
//!   forged or unreadable checkpoint, a changed row after it, and the checkpoint's own row
//!   changed or gone, all read as a broken chain. Rows before the checkpoint are checked again
//!   in full by `billtracker check` (the health self-test); without a checkpoint the check
//!   starts at the first row.

use std::net::IpAddr;

use store::audit::{AuditBound, ChainCheck, NewAuditEntry};
pub use store::audit::{AuditEntry, AuditFilter};

use crate::crypto::Aad;
use crate::{App, Error, Result};

/// At most this many anonymous entries (failed sign-ins of unknown names, refused provider
/// callbacks) are written per [`ANONYMOUS_WINDOW`], whoever sends them.
pub const ANONYMOUS_ROWS_PER_WINDOW: i64 = 100;
/// The window of [`ANONYMOUS_ROWS_PER_WINDOW`].
pub const ANONYMOUS_WINDOW: chrono::Duration = chrono::Duration::hours(1);
/// The rate-limit counter of anonymous entries written in the current window.
const ANONYMOUS_KEY: &str = "audit-anonymous:written";
/// The kept counter of anonymous entries not written since the last one that was.
const UNRECORDED_KEY: &str = "audit-anonymous:unrecorded";
/// The settings key of the sealed checkpoint.
const CHECKPOINT_KEY: &str = "audit.checkpoint";
const CHECKPOINT_AAD: Aad<'static> = Aad {
    table: "settings",
    column: "value",
    row: CHECKPOINT_KEY,
};

/// Who did it.
#[derive(Debug, Clone)]
pub enum Actor {
    User {
        id: domain::id::UserId,
        username: String,
    },
    /// Someone not signed in (e.g. a failed login for an account name).
    Anonymous,
    /// The command line or the server itself.
    System,
}

impl Actor {
    fn parts(&self) -> (Option<String>, String) {
        match self {
            Actor::User { id, username } => (Some(id.to_string()), username.clone()),
            Actor::Anonymous => (None, "anonymous".to_owned()),
            Actor::System => (None, "system".to_owned()),
        }
    }
}

/// Appends one entry; a failure to audit is logged and reported, never silently dropped.
pub async fn record(
    app: &App,
    actor: &Actor,
    action: &str,
    target: Option<String>,
    ip: Option<IpAddr>,
    detail: serde_json::Value,
) -> Result<()> {
    let (actor_id, actor_name) = actor.parts();
    let entry = NewAuditEntry {
        actor_id,
        actor_name,
        action: action.to_owned(),
        target,
        ip: ip.map(|ip| ip.to_string()),
        detail: detail.to_string(),
    };
    app.store.append_audit(&entry, app.now()).await?;
    Ok(())
}

/// Appends an entry by someone not signed in, within the instance-wide bound (see the module
/// docs); beyond it the entry is only counted. One transaction either way, like [`record`].
pub async fn record_anonymous(
    app: &App,
    action: &str,
    ip: Option<IpAddr>,
    detail: serde_json::Value,
) -> Result<()> {
    let (actor_id, actor_name) = Actor::Anonymous.parts();
    let entry = NewAuditEntry {
        actor_id,
        actor_name,
        action: action.to_owned(),
        target: None,
        ip: ip.map(|ip| ip.to_string()),
        detail: detail.to_string(),
    };
    let bound = AuditBound {
        key: ANONYMOUS_KEY,
        unrecorded_key: UNRECORDED_KEY,
        max: ANONYMOUS_ROWS_PER_WINDOW,
        window: ANONYMOUS_WINDOW.to_std().map_err(Error::internal)?,
    };
    let written = app
        .store
        .append_audit_within(&entry, Some(&bound), app.now())
        .await?;
    if written.is_none() {
        tracing::warn!(target: "security", action, "anonymous audit entry not written: over the bound");
    }
    Ok(())
}

/// Admin listing, newest first.
pub async fn list(
    app: &App,
    admin: &crate::auth::Principal,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>> {
    admin.require_admin()?;
    Ok(app.store.audit_entries(filter).await?)
}

/// The last row verified, as sealed in the settings table.
#[derive(serde::Serialize, serde::Deserialize)]
struct Checkpoint {
    seq: i64,
    hash: String,
}

/// Whether the hash chain is whole (admins only), checked from the sealed checkpoint on.
/// Reads only: the periodic job moves the checkpoint ([`advance_checkpoint`]), so looking at
/// the log changes nothing (CSRF-05).
pub async fn chain_intact(app: &App, admin: &crate::auth::Principal) -> Result<bool> {
    admin.require_admin()?;
    Ok(verify(app).await?.is_some())
}

/// Checks the rows written since the checkpoint and moves the checkpoint to the newest one
/// (the session cleanup job runs this). A broken chain leaves the checkpoint where it was.
/// Returns whether the chain is whole.
pub async fn advance_checkpoint(app: &App) -> Result<bool> {
    let Some((last, checked)) = verify(app).await? else {
        return Ok(false);
    };
    if let Some((seq, hash)) = last
        && checked > 0
    {
        let text = serde_json::to_string(&Checkpoint { seq, hash }).map_err(Error::internal)?;
        let sealed = app.encrypt(CHECKPOINT_AAD, &text)?;
        app.store
            .put_setting(CHECKPOINT_KEY, &sealed, app.now())
            .await?;
    }
    Ok(true)
}

/// The chain from the checkpoint on (from the start without one): `None` when broken (or
/// the checkpoint does not open), else the newest row and how many rows were read.
async fn verify(app: &App) -> Result<Option<(Option<(i64, String)>, u64)>> {
    let from = match app.store.setting(CHECKPOINT_KEY).await? {
        None => None,
        Some(sealed) => {
            let opened = app.keyring.decrypt(CHECKPOINT_AAD, &sealed).ok();
            match opened.and_then(|text| serde_json::from_str::<Checkpoint>(&text).ok()) {
                Some(checkpoint) => Some(checkpoint),
                None => {
                    tracing::error!(target: "security", "the audit log's checkpoint was changed: it no longer opens");
                    return Ok(None);
                }
            }
        }
    };
    let start = from.as_ref().map(|c| (c.seq, c.hash.as_str()));
    match app.store.verify_audit_chain_from(start).await? {
        ChainCheck::Broken { seq } => {
            tracing::error!(target: "security", seq, "the audit log's hash chain is broken");
            Ok(None)
        }
        ChainCheck::Whole { last, checked } => Ok(Some((last, checked))),
    }
}
