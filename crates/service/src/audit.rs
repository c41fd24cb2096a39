//! Writing security events and admin actions to the hash-chained audit log, and reading it
//! back for admins. Entries name the actor, the action, the target, the time (UTC) and the
//! client IP; details never contain secrets.

use std::net::IpAddr;

use store::audit::NewAuditEntry;
pub use store::audit::{AuditEntry, AuditFilter};

use crate::{App, Result};

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

/// Admin listing, newest first.
pub async fn list(
    app: &App,
    admin: &crate::auth::Principal,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>> {
    admin.require_admin()?;
    Ok(app.store.audit_entries(filter).await?)
}

/// Whether the hash chain is whole (admins only).
pub async fn chain_intact(app: &App, admin: &crate::auth::Principal) -> Result<bool> {
    admin.require_admin()?;
    Ok(app.store.verify_audit_chain().await?.is_none())
}
