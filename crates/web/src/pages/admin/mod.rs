//! The administration area (`/admin…`), administrators only. This module is its entry page
//! (`GET /admin`): every account, the create form, "sign everyone out" and the "require
//! two-step verification" policy; and what the admin pages share: the [`AdminPage`] extractor
//! (anyone not signed in goes to sign in; a signed-in non-admin gets the 403 page before any
//! form body is read), the fixed banner messages, how a failed admin action is answered
//! ([`failure`], [`answer`]) and UTC time formatting.
//!
//! - [`users`] — one account: names, role, access, password reset, sessions, second factors,
//!   delete.
//! - [`audit`] — the hash-chained audit log with filters and the chain check.
//! - [`sign_in`] — the sign-in methods: password, an OpenID Connect provider, GitHub.
//!
//! The service checks the admin role again and applies the admin rate limit; the last-admin
//! and self-protection guards live there too, and their refusals come back as fixed banners.

pub mod audit;
pub mod sign_in;
pub mod users;

use std::ops::Deref;

use axum::Form;
use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use domain::Invalid;
use domain::factor::MfaRequirement;
use domain::user::{DisplayName, Email, Role, Username};
use serde::Deserialize;
use service::Error;
use service::auth::{Principal, RequestMeta};
use service::users::{Account, NewAccount};

use super::common::{message, with_cookie, with_param};
use super::kit::{Fail, Page, PageResult};
use super::profile::{BannerQuery, FieldErrors, labelled};
use super::{PageUser, chrome, see_other};
use crate::AppState;
use crate::auth::Meta;
use crate::links;
use crate::problem::Problem;
use crate::routes::Table;
use crate::views;
use crate::views::admin::{AdminUsersPage, MfaPolicyForm, NewUserForm, UserRow};

/// The administration routes (this page's, one account's, the audit log's and the sign-in
/// methods').
pub(crate) fn routes(table: Table) -> Table {
    let table = table
        .add("GET", links::ADMIN.path(), get(show))
        .add("POST", links::ADMIN_USERS.path(), post(create))
        .add(
            "POST",
            links::ADMIN_SESSIONS_END_ALL.path(),
            post(end_all_sessions),
        )
        .add("POST", links::ADMIN_MFA_POLICY.path(), post(set_mfa_policy))
        .add("POST", links::ADMIN_BANK_SYNC.path(), post(set_bank_sync));
    sign_in::routes(audit::routes(users::routes(table)))
}

/// The success banners of every admin page, by code.
pub(crate) const NOTICES: [(&str, &str); 15] = [
    (
        "setup",
        "The server is set up, and you are signed in as its administrator. This account manages the server and holds no bills: create your own everyday account below (role User), then sign out and sign in with it to track bills.",
    ),
    (
        "created",
        "Account created. The person can sign in with the password you chose.",
    ),
    ("deleted", "Account deleted, with all its data."),
    (
        "ended_all",
        "Every other session was ended; everyone else has to sign in again.",
    ),
    ("saved", "Names and email saved."),
    (
        "role",
        "Role changed. The account was signed out everywhere.",
    ),
    (
        "unchanged",
        "Nothing to change: the account already had that role.",
    ),
    ("activated", "Account reactivated. It can sign in again."),
    (
        "deactivated",
        "Account deactivated and signed out everywhere.",
    ),
    (
        "password",
        "Password reset. The account was signed out everywhere.",
    ),
    ("sessions", "The account was signed out on every device."),
    ("none", "Nothing was changed."),
    ("mfa_policy", "Two-step verification policy saved."),
    ("bank_sync", "Bank sync settings saved."),
    (
        "mfa_reset",
        "Two-step verification was reset: every second factor and recovery code is gone, and the account was signed out everywhere.",
    ),
];

/// The error banners of every admin page, by code.
pub(crate) const ERRORS: [(&str, &str); 8] = [
    (
        "self_admin",
        "You cannot remove your own administrator access. Ask another administrator to do it.",
    ),
    (
        "last_admin",
        "This is the last active administrator. Make another account an administrator first.",
    ),
    (
        "self_delete",
        "You cannot delete your own account. Ask another administrator to do it.",
    ),
    (
        "rate",
        "Too many administrative actions; wait a few minutes and try again.",
    ),
    (
        "conflict",
        "The account was changed elsewhere; reload the page and try again.",
    ),
    (
        "invalid",
        "That request was not valid; reload the page and try again.",
    ),
    ("not_found", "That account no longer exists."),
    ("failed", "Something went wrong; try again."),
];

/// The label of each form field, to name it in messages.
pub(crate) const LABELS: [(&str, &str); 6] = [
    ("username", "Username"),
    ("display_name", "Display name"),
    ("email", "Email"),
    ("password", "Password"),
    ("role", "Role"),
    ("confirm_username", "Confirmation"),
];

/// The 404 page's words for an account that does not exist (or was deleted meanwhile).
pub(crate) const NO_ACCOUNT: &str = "That account does not exist (it may have been deleted).";

/// The 403 page's words for a signed-in caller who is not an administrator.
const NOT_ADMIN: &str = "Only administrators can open the administration pages.";

/// A [`Page`] for a signed-in administrator, with the request's client facts for the audit
/// log. Anyone not signed in is sent to sign in; anyone else gets the 403 page, before any
/// form body is read.
pub struct AdminPage {
    pub page: Page,
    pub admin: Principal,
    pub meta: RequestMeta,
}

impl Deref for AdminPage {
    type Target = Page;
    fn deref(&self) -> &Page {
        &self.page
    }
}

impl FromRequestParts<AppState> for AdminPage {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let PageUser(admin) = PageUser::from_request_parts(parts, state).await?;
        if !admin.is_admin() {
            // The kit's presenter draws a refusal's words as the 403 page (never problem+json).
            let refused = Problem::new(StatusCode::FORBIDDEN).detail(NOT_ADMIN);
            return Err(refused.into_response());
        }
        let Ok(page) = Page::from_request_parts(parts, state).await;
        let Ok(Meta(meta)) = Meta::from_request_parts(parts, state).await;
        Ok(AdminPage { page, admin, meta })
    }
}

/// The banner of a refusal by the service's guards, which the admin pages word themselves:
/// removing one's own administrator access, deleting oneself, the last administrator.
fn guard_banner(err: &Error) -> Option<&'static str> {
    match err {
        Error::Invalid(i) if i.field == "role" || i.field == "is_active" => Some("self_admin"),
        Error::Invalid(i) if i.field == "id" => Some("self_delete"),
        Error::Conflict { field, .. } if field == "role" => Some("last_admin"),
        _ => None,
    }
}

/// The answer to a failed admin action: back to `to` with a guard's own banner, the 404 page
/// for an account that is gone, or the kit's answer (back to `to` with the banner of the
/// error: `rate`, `conflict`, `invalid`, `failed`; sign-in; step-up).
pub(crate) fn failure(err: Error, to: &str) -> PageResult {
    match guard_banner(&err) {
        Some(code) => Ok(see_other(&with_param(to, "error", code))),
        None => Err(err).back_to(to).missing(NO_ACCOUNT),
    }
}

/// The answer to an admin action: back to `to` with the notice it names, or [`failure`]'s.
pub(crate) fn answer(done: Result<&'static str, Error>, to: &str) -> PageResult {
    match done {
        Ok(notice) => Ok(see_other(&with_param(to, "notice", notice))),
        Err(err) => failure(err, to),
    }
}

/// A time as the admin pages show it: `2026-03-14 09:00 UTC`.
pub(crate) fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The label of a role.
pub(crate) fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Administrator",
        Role::User => "User",
    }
}

/// One account as a row of the list (and the summary of its own page).
pub(crate) fn row(user: &Account, me: &Principal, last_sign_in: Option<DateTime<Utc>>) -> UserRow {
    UserRow {
        id: user.id.to_string(),
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: role_label(user.role),
        is_admin: user.role == Role::Admin,
        is_active: user.is_active,
        is_bootstrap: user.is_bootstrap,
        created: user.created_at.format("%Y-%m-%d").to_string(),
        last_sign_in: last_sign_in.map_or_else(|| "Never".to_owned(), when),
        is_you: user.id == me.user_id,
    }
}

/// What the list page shows besides the accounts: the create form as given and the banners.
#[derive(Default)]
struct Listed {
    status: StatusCode,
    create: NewUserForm,
    create_errors: Vec<(String, String)>,
    notice: Option<String>,
    error: Option<String>,
}

/// The list page with what `listed` adds.
async fn draw(page: &AdminPage, listed: Listed) -> PageResult {
    let (app, admin) = (&page.app, &page.admin);
    let heading = "The administration page could not be shown";
    let accounts = service::users::list(app, admin).await.not_shown(heading)?;
    let last = service::account::last_sign_ins(app, admin)
        .await
        .not_shown(heading)?;
    let policy = service::auth::mfa::policy::get(app, admin)
        .await
        .not_shown(heading)?;
    let rows = accounts
        .iter()
        .map(|account| row(account, admin, last.get(&account.id).copied()))
        .collect();
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(app, &page.caller, &ctx, "Administration");
    let view = AdminUsersPage {
        chrome,
        status: listed.status,
        users: rows,
        create: listed.create,
        create_errors: listed.create_errors,
        notice: listed.notice,
        error: listed.error,
        mfa_policy: MfaPolicyForm {
            require: policy.require.as_str().to_owned(),
            grace_days: policy.grace_days,
        },
        bank_sync: service::sync::settings::load(app).await?,
    };
    Ok(with_cookie(views::render(&view), cookie))
}

/// `GET /admin` (plus `notice` / `error` after a form).
pub async fn show(page: AdminPage, Query(banner): Query<BannerQuery>) -> PageResult {
    let listed = Listed {
        notice: message(&NOTICES, banner.notice.as_deref()),
        error: message(&ERRORS, banner.error.as_deref()),
        ..Listed::default()
    };
    draw(&page, listed).await
}

/// A service refusal that belongs under a form's fields, with the page's status (422; 409 for
/// a name already taken), or the error when it is about something else. The last-admin guard
/// (a conflict on `role`) is a banner, not a field's error.
pub(crate) fn on_fields(err: Error) -> Result<(StatusCode, Vec<Invalid>), Error> {
    match err {
        Error::Invalid(invalid) => Ok((StatusCode::UNPROCESSABLE_ENTITY, vec![invalid])),
        Error::Conflict { field, message } if field != "role" => {
            Ok((StatusCode::CONFLICT, vec![Invalid::new(field, message)]))
        }
        err => Err(err),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub role: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

impl CreateForm {
    /// The new account, or every field's error at once.
    fn parse(&self) -> Result<NewAccount, Vec<Invalid>> {
        let mut errors = FieldErrors::default();
        let username = errors.keep(Username::parse(&self.username));
        let display_name = if self.display_name.trim().is_empty() {
            // Blank: the username, as the JSON API does.
            let username = username.as_ref().map_or("", Username::as_str);
            DisplayName::parse(username).ok()
        } else {
            errors.keep(DisplayName::parse(&self.display_name))
        };
        let email = errors.keep(domain::text::optional(&self.email, Email::parse));
        let role = errors.keep(self.role.trim().parse::<Role>());
        let password = errors.keep(if self.password.is_empty() {
            Err(Invalid::new("password", "must not be empty"))
        } else {
            Ok(self.password.clone())
        });
        let account = match (username, display_name, email, role, password) {
            (Some(username), Some(display_name), Some(email), Some(role), Some(password)) => {
                Some(NewAccount {
                    username,
                    display_name,
                    email,
                    role,
                    password,
                })
            }
            _ => None,
        };
        errors.or(account)
    }

    /// What was typed, to show again (never the password).
    fn typed(self) -> NewUserForm {
        NewUserForm {
            username: self.username,
            display_name: self.display_name,
            email: self.email,
            role: self.role,
        }
    }
}

/// `POST /admin/users`: creates an account.
pub async fn create(page: AdminPage, Form(form): Form<CreateForm>) -> PageResult {
    let (status, errors) = match form.parse() {
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Ok(account) => {
            match service::users::create(&page.app, &page.admin, account, &page.meta).await {
                Ok(_) => return answer(Ok("created"), links::ADMIN.path()),
                Err(err) => match on_fields(err) {
                    Ok(refused) => refused,
                    Err(err) => return failure(err, links::ADMIN.path()),
                },
            }
        }
    };
    let listed = Listed {
        status,
        create_errors: errors.iter().map(|e| labelled(&LABELS, e)).collect(),
        create: form.typed(),
        ..Listed::default()
    };
    draw(&page, listed).await
}

/// `POST /admin/sessions/end-all`: signs out everyone but the caller.
pub async fn end_all_sessions(page: AdminPage) -> PageResult {
    let ended = service::users::end_all_sessions(&page.app, &page.admin, &page.meta).await;
    answer(ended.map(|_| "ended_all"), links::ADMIN.path())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MfaPolicyFormInput {
    pub require: String,
    pub grace_days: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

impl MfaPolicyFormInput {
    /// Whom the policy requires a second factor of, and the grace period in days.
    fn parse(&self) -> Result<(MfaRequirement, u32), Error> {
        let require = self.require.parse()?;
        let grace_days = self.grace_days.trim().parse();
        let grace_days = grace_days
            .map_err(|_| Error::invalid("grace_days", "must be a whole number of days"))?;
        Ok((require, grace_days))
    }
}

/// `POST /admin/mfa-policy`: whom two-step verification is required of, and the grace period.
pub async fn set_mfa_policy(page: AdminPage, Form(form): Form<MfaPolicyFormInput>) -> PageResult {
    let set = async {
        let (require, grace_days) = form.parse()?;
        let (app, admin) = (&page.app, &page.admin);
        service::auth::mfa::policy::set(app, admin, require, grace_days, &page.meta).await
    };
    answer(set.await.map(|_| "mfa_policy"), links::ADMIN.path())
}

/// The bank-sync form: `enabled` (a checkbox, present when on) and `interval_hours`.
#[derive(serde::Deserialize)]
pub struct BankSyncFormInput {
    #[serde(default)]
    enabled: Option<String>,
    interval_hours: String,
}

/// `POST /admin/bank-sync`: switches bank sync on or off for everyone, and its interval.
pub async fn set_bank_sync(page: AdminPage, Form(form): Form<BankSyncFormInput>) -> PageResult {
    let set = async {
        let interval_hours = form.interval_hours.trim().parse().map_err(|_| {
            Error::invalid("interval_hours", "must be a whole number of hours (1–24)")
        })?;
        let wanted = service::sync::settings::BankSyncSettings {
            enabled: form.enabled.is_some(),
            interval_hours,
        };
        service::sync::settings::set(&page.app, &page.admin, &page.meta, wanted).await
    };
    answer(set.await.map(|_| "bank_sync"), links::ADMIN.path())
}
