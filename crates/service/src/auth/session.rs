//! Sessions: creating one at sign-in, resolving a cookie to a [`Principal`] on each request,
//! listing and ending them, and the periodic cleanup.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use domain::id::SessionId;
use sha2::{Digest, Sha256};
use store::sessions::NewSession;

use super::{Principal, RequestMeta, SignedIn, csrf, device};
use crate::crypto::Aad;
use crate::{App, Error, Result};

/// Activity is written back at most this often, so reads do not all become writes.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// The stored form of a session token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Opens a session for `user` and returns its secret token and CSRF token. `stepped_up` says
/// whether opening it proved all a step-up asks (the password, and the second factor when the
/// account has one): only then does the new session count as freshly re-authenticated.
pub async fn open(
    app: &App,
    user: &store::users::UserRow,
    meta: &RequestMeta,
    stepped_up: bool,
) -> Result<SignedIn> {
    let token = URL_SAFE_NO_PAD.encode(crate::random::bytes::<32>(&*app.random));
    let id = SessionId::new();
    let now = app.now();
    let lifetime =
        chrono::Duration::from_std(app.config.session_lifetime).map_err(Error::internal)?;
    let row = id.to_string();
    let ip = meta.ip.map(|ip| ip.to_string());
    app.store
        .create_session(&NewSession {
            id,
            token_hash: token_hash(&token),
            user_id: user.id,
            created_at: now,
            expires_at: now + lifetime,
            ip_enc: app.encrypt_opt(
                Aad {
                    table: "sessions",
                    column: "ip_enc",
                    row: &row,
                },
                ip.as_deref(),
            )?,
            user_agent_enc: app.encrypt_opt(
                Aad {
                    table: "sessions",
                    column: "user_agent_enc",
                    row: &row,
                },
                meta.user_agent.as_deref(),
            )?,
            reauthenticated: stepped_up,
        })
        .await?;
    let principal = Principal::from_user(user, Some(id));
    let csrf_token = csrf::issue(app, &csrf::binding(Some(id)));
    Ok(SignedIn {
        token,
        principal,
        csrf_token,
        known_device: None,
    })
}

/// The principal behind a session token, or `None` when the token is unknown, expired, idle too
/// long, or its user is deactivated. Expired sessions are deleted on sight.
pub async fn authenticate(app: &App, token: &str) -> Result<Option<Principal>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let Some(session) = app.store.session_by_token_hash(&token_hash(token)).await? else {
        return Ok(None);
    };
    let now = app.now();
    let idle =
        chrono::Duration::from_std(app.config.session_idle_timeout).map_err(Error::internal)?;
    if now >= session.expires_at || now >= session.last_seen_at + idle {
        app.store.delete_session(session.id).await?;
        return Ok(None);
    }
    let user = match app.store.user(session.user_id).await {
        Ok(user) if user.is_active => user,
        Ok(_) | Err(store::Error::NotFound) => {
            app.store.delete_session(session.id).await?;
            return Ok(None);
        }
        Err(err) => return Err(err.into()),
    };
    if now - session.last_seen_at >= TOUCH_EVERY {
        app.store.touch_session(session.id, now).await?;
    }
    Ok(Some(Principal::from_user(&user, Some(session.id))))
}

/// Ends the session behind `token`, if any (sign-out, or a pre-login cookie at sign-in).
pub async fn end_by_token(app: &App, token: &str) -> Result<()> {
    if let Some(session) = app.store.session_by_token_hash(&token_hash(token)).await? {
        app.store.delete_session(session.id).await?;
    }
    Ok(())
}

/// One of the caller's sessions, described for people.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
    pub device: String,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub current: bool,
}

/// The caller's sessions, most recently active first.
pub async fn list(app: &App, principal: &Principal) -> Result<Vec<Session>> {
    let rows = app.store.sessions_of(principal.user_id).await?;
    Ok(rows
        .into_iter()
        .map(|s| {
            let row = s.id.to_string();
            let ip = s.ip_enc.as_deref().and_then(|v| {
                app.decrypt_or_log(
                    Aad {
                        table: "sessions",
                        column: "ip_enc",
                        row: &row,
                    },
                    v,
                )
            });
            let ua = s.user_agent_enc.as_deref().and_then(|v| {
                app.decrypt_or_log(
                    Aad {
                        table: "sessions",
                        column: "user_agent_enc",
                        row: &row,
                    },
                    v,
                )
            });
            Session {
                id: s.id,
                device: device::describe(ua.as_deref()),
                ip,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                expires_at: s.expires_at,
                current: principal.session == Some(s.id),
            }
        })
        .collect())
}

/// Ends one of the caller's sessions; another user's id is `NotFound`. Ending another session
/// than the caller's own needs a fresh step-up (SES-08): a session thief must not evict the
/// owner with the stolen session alone. Audited.
pub async fn end_own(
    app: &App,
    principal: &Principal,
    id: SessionId,
    meta: &RequestMeta,
) -> Result<()> {
    if principal.session.is_some_and(|current| current != id) {
        super::freshness::require_fresh(app, principal).await?;
    }
    app.store.delete_session_of(principal.user_id, id).await?;
    crate::audit::record(
        app,
        &principal.actor(),
        "session.end",
        Some(format!("session:{id}")),
        meta.ip,
        serde_json::json!({}),
    )
    .await
}

/// Ends all of the caller's sessions but the current one: needs a fresh step-up (SES-08), and
/// is audited with how many ended.
pub async fn end_others(app: &App, principal: &Principal, meta: &RequestMeta) -> Result<u64> {
    // Without a session of its own (single-user mode, where nobody signs in) there is no
    // other session to end and no thief to stop.
    if principal.session.is_some() {
        super::freshness::require_fresh(app, principal).await?;
    }
    let ended = app
        .store
        .delete_sessions_of(principal.user_id, principal.session)
        .await?;
    crate::audit::record(
        app,
        &principal.actor(),
        "session.end_others",
        None,
        meta.ip,
        serde_json::json!({"ended": ended}),
    )
    .await?;
    Ok(ended)
}

/// Deletes expired and idle sessions, expired pending sign-ins and WebAuthn ceremonies, and
/// finished rate-limit windows; returns sessions removed.
pub async fn cleanup(app: &App) -> Result<u64> {
    let now = app.now();
    let idle =
        chrono::Duration::from_std(app.config.session_idle_timeout).map_err(Error::internal)?;
    let removed = app.store.purge_sessions(now, now - idle).await?;
    app.store.purge_pending_sign_ins(now).await?;
    app.store.purge_ceremonies(now).await?;
    app.store
        .purge_rate_limits(now - chrono::Duration::hours(2))
        .await?;
    Ok(removed)
}
