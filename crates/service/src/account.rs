//! What the profile and admin pages need beyond [`crate::users`] and [`crate::audit`]: a user
//! renaming themselves, the sign-in facts an admin sees per account, the time zones a user
//! may choose, and the audit log searched by date.
//!
//! Invariants:
//! - Renaming oneself is open to every signed-in account (the bootstrap administrator and
//!   single-user mode included), changes only the display name, and is audited.
//! - Sign-in facts and the audit search are for administrators only (`Forbidden` otherwise).
//! - The audit search (action, actor, time range, cursor) is one store query.

use chrono::{DateTime, Utc};
use domain::id::UserId;
use domain::user::DisplayName;
use store::users::UserChanges;

use crate::audit::{self, AuditEntry, AuditFilter};
use crate::auth::{Principal, RequestMeta};
use crate::{App, Error, Result};

/// Changes the caller's own display name; the navigation shows it from the next request on.
pub async fn rename_self(
    app: &App,
    principal: &Principal,
    name: DisplayName,
    meta: &RequestMeta,
) -> Result<()> {
    let changes = UserChanges {
        display_name: Some(name.as_str().to_owned()),
        ..UserChanges::default()
    };
    let after = app
        .store
        .update_user(principal.user_id, &changes, app.now())
        .await?;
    audit::record(
        app,
        &principal.actor(),
        "profile.rename",
        Some(format!("user:{}", after.username)),
        meta.ip,
        serde_json::json!({}),
    )
    .await
}

/// What an admin sees about an account's use: its last successful sign-in and how many
/// sessions are live.
#[derive(Debug, Clone, Default)]
pub struct AccountActivity {
    pub last_sign_in: Option<DateTime<Utc>>,
    pub live_sessions: usize,
}

/// The newest successful sign-in of `id`, however many failures followed (admins only).
pub async fn last_sign_in(
    app: &App,
    admin: &Principal,
    id: UserId,
) -> Result<Option<DateTime<Utc>>> {
    admin.require_admin()?;
    Ok(app.store.last_successful_sign_in(id).await?)
}

/// The newest successful sign-in of every account that has one, by account, in one query
/// (admins only).
pub async fn last_sign_ins(
    app: &App,
    admin: &Principal,
) -> Result<std::collections::HashMap<UserId, DateTime<Utc>>> {
    admin.require_admin()?;
    app.store
        .last_successful_sign_ins()
        .await?
        .into_iter()
        .map(|(id, at)| Ok((id.parse().map_err(Error::internal)?, at)))
        .collect()
}

/// The sign-in facts of one account (admins only).
pub async fn activity(app: &App, admin: &Principal, id: UserId) -> Result<AccountActivity> {
    let last_sign_in = last_sign_in(app, admin, id).await?;
    let now = app.now();
    let live_sessions = app
        .store
        .sessions_of(id)
        .await?
        .iter()
        .filter(|s| s.expires_at > now)
        .count();
    Ok(AccountActivity {
        last_sign_in,
        live_sessions,
    })
}

/// Every IANA time zone name a user may choose, in the database's order.
pub fn time_zone_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
}

/// An audit search: the store's filters plus an optional time range (`from` inclusive,
/// `until` exclusive).
#[derive(Debug, Clone, Default)]
pub struct AuditSearch {
    pub action: Option<String>,
    pub actor_name: Option<String>,
    /// Only entries with a sequence number below this (the previous page's cursor).
    pub before_seq: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Entries per page, 1–500.
    pub limit: i64,
}

/// One page of an audit search, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before_seq` for the next page; `None` when nothing older can match.
    pub next_before: Option<i64>,
}

/// Searches the audit log (admins only): one store query, newest first.
pub async fn search_audit(app: &App, admin: &Principal, search: &AuditSearch) -> Result<AuditPage> {
    admin.require_admin()?;
    let limit = search.limit.clamp(1, 500);
    let filter = AuditFilter {
        action: search.action.clone(),
        actor_name: search.actor_name.clone(),
        before_seq: search.before_seq,
        from: search.from,
        until: search.until,
        limit,
    };
    let entries = app.store.audit_entries(&filter).await?;
    let next_before = (entries.len() as i64 == limit)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(AuditPage {
        entries,
        next_before,
    })
}
