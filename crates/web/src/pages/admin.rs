//! The administration area's entry page (`GET /admin`): every account, the create form,
//! "sign everyone out" and the "require two-step verification" policy. Also what the admin pages share: the [`AdminPageUser`] extractor (anyone
//! not signed in goes to sign in; a signed-in non-admin gets the 403 page before any form body
//! is read), the fixed banner messages and the mapping of a failed admin action to one of them,
//! and UTC time formatting. One account's page lives in [`super::admin_users`], the audit log in
//! [`super::admin_audit`].
//!
//! The service checks the admin role again and applies the admin rate limit; the last-admin
//! guards live there too, and their refusals come back as fixed banner messages.

use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use domain::Invalid;
use domain::user::{DisplayName, Email, Role, Username};
use serde::Deserialize;
use service::auth::Principal;
use service::users::{self, NewAccount, UserView};
use service::{App, Error};

use super::common::{message, with_cookie, with_param};
use super::profile::{BannerQuery, FieldErrors, labelled};
use super::{PageContext, PageUser, chrome, error_page, see_other};
use crate::AppState;
use crate::auth::{Caller, Meta};
use crate::routes::Table;
use crate::views;
use crate::views::admin::{AdminUsersPage, MfaPolicyForm, NewUserForm, UserRow};

/// The administration routes (this page's, one account's, the audit log's and the sign-in
/// methods').
pub(crate) fn routes(table: Table) -> Table {
    let table = table
        .add("GET", "/admin", get(show))
        .add("POST", "/admin/users", post(create))
        .add("POST", "/admin/sessions/end-all", post(end_all_sessions))
        .add("POST", "/admin/mfa-policy", post(set_mfa_policy));
    let table = super::admin_audit::routes(super::admin_users::routes(table));
    super::admin_sign_in::routes(table)
}

/// The success banners of every admin page, by code.
pub(crate) const NOTICES: [(&str, &str); 14] = [
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

/// A signed-in administrator. Anyone not signed in is sent to sign in; anyone else gets the
/// 403 page.
pub struct AdminPageUser(pub Principal);

impl FromRequestParts<AppState> for AdminPageUser {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let PageUser(user) = PageUser::from_request_parts(parts, state).await?;
        if user.is_admin() {
            return Ok(AdminPageUser(user));
        }
        let caller = Caller::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Ok(ctx) = PageContext::from_request_parts(parts, state).await;
        Err(not_admin(&state.app, &caller, &ctx))
    }
}

/// The 403 page for a signed-in user who is not an administrator.
fn not_admin(app: &App, caller: &Caller, ctx: &PageContext) -> Response {
    error_page(
        app,
        caller,
        ctx,
        StatusCode::FORBIDDEN,
        "Only administrators can open the administration pages.",
    )
}

/// The page that explains a failure to load an admin page (logged once here).
pub(crate) fn unavailable(app: &App, caller: &Caller, ctx: &PageContext, err: &Error) -> Response {
    tracing::error!(error = %err, "admin page failed");
    error_page(
        app,
        caller,
        ctx,
        StatusCode::SERVICE_UNAVAILABLE,
        "The page could not be shown. Try again in a moment.",
    )
}

/// The answer to a failed admin action: a 404 page for a missing account, a 403 page if the
/// role was lost meanwhile, else back to `to` with a fixed banner (the last-admin and
/// self-protection refusals get their own).
pub(crate) fn failed(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    to: &str,
    err: Error,
) -> Response {
    let code = match &err {
        Error::NotFound => {
            return error_page(
                app,
                caller,
                ctx,
                StatusCode::NOT_FOUND,
                "That account does not exist (it may have been deleted).",
            );
        }
        Error::Forbidden => return not_admin(app, caller, ctx),
        Error::Unauthenticated => return see_other("/login"),
        Error::ReauthRequired => return see_other(&super::reauth::reauth_href(to)),
        Error::Invalid(i) if i.field == "role" || i.field == "is_active" => "self_admin",
        Error::Invalid(i) if i.field == "id" => "self_delete",
        Error::Invalid(_) | Error::BadRequest { .. } => "invalid",
        Error::Conflict { field, .. } if field == "role" => "last_admin",
        Error::Conflict { .. } => "conflict",
        Error::RateLimited { .. } => "rate",
        Error::Unavailable { .. } | Error::Internal(_) => {
            tracing::error!(error = %err, "admin action failed");
            "failed"
        }
    };
    see_other(&with_param(to, "error", code))
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
pub(crate) fn row(user: &UserView, me: &Principal, last_sign_in: Option<DateTime<Utc>>) -> UserRow {
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

/// The list page, with the create form as given (and the CSRF cookie to set, if new).
async fn page(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    admin: &Principal,
    create: NewUserForm,
    create_errors: Vec<(String, String)>,
) -> Result<(AdminUsersPage, Option<HeaderValue>), Error> {
    let accounts = users::list(app, admin).await?;
    let last = service::account::last_sign_ins(app, admin).await?;
    let rows = accounts
        .iter()
        .map(|account| row(account, admin, last.get(&account.id.to_string()).copied()))
        .collect();
    let policy = service::auth::mfa::policy::get(app, admin).await?;
    let (chrome, cookie) = chrome(app, caller, ctx, "Administration");
    let page = AdminUsersPage {
        chrome,
        users: rows,
        create,
        create_errors,
        notice: None,
        error: None,
        mfa_policy: MfaPolicyForm {
            require: policy.require.as_str().to_owned(),
            grace_days: policy.grace_days,
        },
    };
    Ok((page, cookie))
}

/// `GET /admin` (plus `notice` / `error` after a form).
pub async fn show(
    State(state): State<AppState>,
    AdminPageUser(admin): AdminPageUser,
    caller: Caller,
    ctx: PageContext,
    Query(banner): Query<BannerQuery>,
) -> Response {
    let app = &state.app;
    match page(
        app,
        &caller,
        &ctx,
        &admin,
        NewUserForm::default(),
        Vec::new(),
    )
    .await
    {
        Ok((mut page, cookie)) => {
            page.notice = message(&NOTICES, banner.notice.as_deref());
            page.error = message(&ERRORS, banner.error.as_deref());
            with_cookie(views::render(&page), cookie)
        }
        Err(err) => unavailable(app, &caller, &ctx, &err),
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
pub async fn create(
    State(state): State<AppState>,
    AdminPageUser(admin): AdminPageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Form(form): Form<CreateForm>,
) -> Response {
    let app = &state.app;
    let (status, errors) = match form.parse() {
        Ok(account) => match users::create(app, &admin, account, &meta).await {
            Ok(_) => return see_other(&with_param("/admin", "notice", "created")),
            Err(Error::Invalid(invalid)) => (StatusCode::UNPROCESSABLE_ENTITY, vec![invalid]),
            Err(Error::Conflict { field, message }) => {
                (StatusCode::CONFLICT, vec![Invalid::new(field, message)])
            }
            Err(err) => return failed(app, &caller, &ctx, "/admin", err),
        },
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
    };
    let errors = errors.iter().map(|e| labelled(&LABELS, e)).collect();
    match page(app, &caller, &ctx, &admin, form.typed(), errors).await {
        Ok((page, cookie)) => {
            let mut response = with_cookie(views::render(&page), cookie);
            *response.status_mut() = status;
            response
        }
        Err(err) => unavailable(app, &caller, &ctx, &err),
    }
}

/// `POST /admin/sessions/end-all`: signs out everyone but the caller.
pub async fn end_all_sessions(
    State(state): State<AppState>,
    AdminPageUser(admin): AdminPageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
) -> Response {
    let app = &state.app;
    match users::end_all_sessions(app, &admin, &meta).await {
        Ok(_) => see_other(&with_param("/admin", "notice", "ended_all")),
        Err(err) => failed(app, &caller, &ctx, "/admin", err),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MfaPolicyFormInput {
    pub require: String,
    pub grace_days: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /admin/mfa-policy`: whom two-step verification is required of, and the grace period.
pub async fn set_mfa_policy(
    State(state): State<AppState>,
    AdminPageUser(admin): AdminPageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Form(form): Form<MfaPolicyFormInput>,
) -> Response {
    let app = &state.app;
    let result = async {
        let require = form.require.parse()?;
        let grace_days = form
            .grace_days
            .trim()
            .parse()
            .map_err(|_| Error::invalid("grace_days", "must be a whole number of days"))?;
        service::auth::mfa::policy::set(app, &admin, require, grace_days, &meta).await
    }
    .await;
    match result {
        Ok(_) => see_other(&with_param("/admin", "notice", "mfa_policy")),
        Err(err) => failed(app, &caller, &ctx, "/admin", err),
    }
}
