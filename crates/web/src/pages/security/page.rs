//! The security page drawn: sessions, sign-in history, linked identities, the password form
//! (with a refused change's message under its field) and the two-step verification and
//! security key sections with their banners.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use service::auth::mfa::{self, webauthn};
use service::auth::{Principal, session};
use service::{App, profile};

use super::super::common::message;
use super::super::kit::{Page, PageResult};
use super::super::{chrome, with_cookies};
use super::two_step::{ERRORS, NOTICES};
use super::webauthn::{KEY_ERRORS, KEY_NOTICES};
use super::{ChangedQuery, SECURITY};
use crate::locale::Locale;
use crate::views::mfa::{KeyRow, MfaSection};
use crate::views::{self, IdentityRow, LoginRow, SecurityPage, SessionRow};

/// The page for `user` with the banners of `query`, and `password_error` (its status, field
/// and message) after a refused password change.
pub(super) async fn draw(
    page: &Page,
    user: &Principal,
    query: &ChangedQuery,
    password_error: Option<(StatusCode, String, String)>,
) -> PageResult {
    let app = &page.app;
    let ctx = page.context().await;
    let mfa = mfa_section(&ctx.locale, app, user, query).await?;
    let sessions = session::list(app, user).await?;
    let logins = profile::login_history(app, user, 20).await?;
    let identities = service::auth::external::linked_identities(app, user).await?;
    let when = |t: DateTime<Utc>| ctx.locale.instant(t);
    let failures = profile::failures_since_previous_sign_in(&logins);
    let (chrome, cookie) = chrome(app, &page.caller, &ctx, "Security");
    let status = password_error.as_ref().map_or(StatusCode::OK, |e| e.0);
    let view = SecurityPage {
        chrome,
        failures_warning: (failures >= profile::FAILURES_WORTH_A_WARNING).then_some(failures),
        sessions: sessions
            .into_iter()
            .map(|s| SessionRow {
                id: s.id.to_string(),
                device: s.device,
                ip: s.ip.unwrap_or_else(|| "—".into()),
                created: when(s.created_at),
                last_seen: when(s.last_seen_at),
                current: s.current,
            })
            .collect(),
        logins: logins
            .into_iter()
            .map(|l| LoginRow {
                at: when(l.at),
                ip: l.ip.unwrap_or_else(|| "—".into()),
                device: l.device,
                success: l.success,
                this_session: l.this_session,
            })
            .collect(),
        password_errors: password_error.map(|(_, f, m)| (f, m)).into_iter().collect(),
        password_changed: query.changed.is_some(),
        mfa,
        identities: identities
            .into_iter()
            .map(|i| IdentityRow {
                provider: i.provider,
                email: i.email.unwrap_or_else(|| "—".into()),
                linked: when(i.linked_at),
                last_used: i.last_used_at.map_or_else(|| "—".into(), when),
            })
            .collect(),
    };
    let mut response: Response = with_cookies(views::render(&view), [cookie]);
    *response.status_mut() = status;
    Ok(response)
}

/// The two-step verification and security keys section for `user`, with the banners of
/// `query` (empty in single-user mode, which has no sign-in).
async fn mfa_section(
    l: &Locale,
    app: &App,
    user: &Principal,
    query: &ChangedQuery,
) -> service::Result<MfaSection> {
    if app.config.single_user_mode {
        return Ok(MfaSection::default());
    }
    let status = mfa::status(app, user).await?;
    // In the user's time zone, with its abbreviation.
    let when = |t: DateTime<Utc>| l.instant(t);
    let keys = webauthn::list(app, user)
        .await?
        .into_iter()
        .map(|key| KeyRow {
            id: key.id.to_string(),
            name: key.name,
            added: when(key.created_at),
            last_used: key.last_used_at.map_or_else(|| "Never".to_owned(), when),
        })
        .collect();
    Ok(MfaSection {
        available: true,
        enabled: status.enabled,
        totp: status.totp,
        totp_pending: status.totp_pending,
        recovery_codes_left: status.recovery_codes_left,
        required: status.required,
        enrol_by: status.enrol_by.map(|t| l.date_of(t)),
        notice: message(&NOTICES, query.mfa.as_deref()),
        error: message(&ERRORS, query.mfa_error.as_deref()),
        webauthn: webauthn::available(&app.config),
        webauthn_origin: webauthn::origin(&app.config).unwrap_or_default(),
        key_notice: message(&KEY_NOTICES, query.key.as_deref()),
        key_error: message(&KEY_ERRORS, query.key_error.as_deref()),
        keys,
        reauth_href: super::super::reauth::reauth_href(SECURITY),
    })
}
