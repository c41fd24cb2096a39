//! One account's administration page (`GET /admin/users/{id}`) and its forms: names and
//! email, role, activate / deactivate, password reset, ending its sessions, resetting its
//! two-step verification (after the administrator's own step-up), and deletion
//! (which also asks for the username to be typed). Each form redirects back (303) with a
//! notice; typed input that is refused comes back inline with status 422 and nothing changed.
//! An unknown id is a 404 page.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use domain::Invalid;
use domain::id::UserId;
use domain::user::{DisplayName, Email, Role, Username};
use serde::Deserialize;
use service::auth::Principal;
use service::users::{self, AccountPatch};
use service::{App, Error};

use super::admin::{AdminPageUser, ERRORS, LABELS, NOTICES, failed, row, unavailable};
use super::common::{message, with_cookie, with_param};
use super::forms::{BannerQuery, parse_id};
use super::profile::{FieldErrors, labelled};
use super::{PageContext, chrome, see_other};
use crate::AppState;
use crate::auth::{Caller, Meta};
use crate::routes::Table;
use crate::views;
use crate::views::admin::{AdminUserPage, EditUserForm};

/// One account's routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/admin/users/{id}", get(show))
        .add("POST", "/admin/users/{id}/profile", post(update_names))
        .add("POST", "/admin/users/{id}/role", post(change_role))
        .add("POST", "/admin/users/{id}/active", post(set_active))
        .add("POST", "/admin/users/{id}/password", post(reset_password))
        .add("POST", "/admin/users/{id}/sessions/end", post(end_sessions))
        .add("POST", "/admin/users/{id}/delete", post(delete))
        .add("POST", "/admin/users/{id}/mfa/reset", post(reset_mfa))
}

/// The page of account `id`.
fn href(id: UserId) -> String {
    format!("/admin/users/{id}")
}

/// What a re-rendered page shows besides the stored account, and its status (200 unless said).
#[derive(Default)]
struct Shown {
    status: StatusCode,
    edit: Option<EditUserForm>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    error: Option<String>,
}

/// Renders account `id`'s page, or the page for the failure that stopped it.
async fn render(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    admin: &Principal,
    id: Result<UserId, Error>,
    shown: Shown,
) -> Response {
    let loaded = async {
        let id = id?;
        let user = users::get(app, admin, id).await?;
        let activity = service::account::activity(app, admin, id).await?;
        let mfa = service::auth::mfa::admin_status(app, admin, id).await?;
        Ok((user, activity, mfa))
    }
    .await;
    let (user, activity, mfa) = match loaded {
        Ok(loaded) => loaded,
        Err(err @ (Error::NotFound | Error::Forbidden)) => {
            return failed(app, caller, ctx, "/admin", err);
        }
        Err(err) => return unavailable(app, caller, ctx, &err),
    };
    let email = user.email.clone().unwrap_or_default();
    let edit = shown.edit.unwrap_or_else(|| EditUserForm {
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        email: email.clone(),
    });
    let (chrome, cookie) = chrome(app, caller, ctx, &user.display_name);
    let page = AdminUserPage {
        chrome,
        user: row(&user, admin, activity.last_sign_in),
        email,
        live_sessions: activity.live_sessions,
        edit,
        errors: shown.errors,
        notice: shown.notice,
        error: shown.error,
        mfa_enabled: mfa.enabled,
        mfa_recovery_codes_left: mfa.recovery_codes_left,
    };
    let mut response = with_cookie(views::render(&page), cookie);
    *response.status_mut() = shown.status;
    response
}

/// `GET /admin/users/{id}` (plus `notice` / `error` after a form).
pub async fn show(
    State(state): State<AppState>,
    AdminPageUser(admin): AdminPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Query(banner): Query<BannerQuery>,
) -> Response {
    let shown = Shown {
        notice: message(&NOTICES, banner.notice.as_deref()),
        error: message(&ERRORS, banner.error.as_deref()),
        ..Shown::default()
    };
    render(&state.app, &caller, &ctx, &admin, parse_id(&id), shown).await
}

/// Re-renders the page of `id` with `errors` (422) after refused input.
async fn refused(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    admin: &Principal,
    id: UserId,
    edit: Option<EditUserForm>,
    errors: &[Invalid],
) -> Response {
    let shown = Shown {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        edit,
        errors: errors.iter().map(|e| labelled(&LABELS, e)).collect(),
        ..Shown::default()
    };
    render(app, caller, ctx, admin, Ok(id), shown).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NamesForm {
    pub username: String,
    pub display_name: String,
    pub email: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

impl NamesForm {
    /// The changes, or every field's error at once.
    fn parse(&self) -> Result<AccountPatch, Vec<Invalid>> {
        let mut errors = FieldErrors::default();
        let patch = AccountPatch {
            username: errors.keep(Username::parse(&self.username)),
            display_name: errors.keep(DisplayName::parse(&self.display_name)),
            email: errors.keep(domain::text::optional(&self.email, Email::parse)),
            role: None,
            is_active: None,
        };
        errors.or(Some(patch))
    }

    fn typed(self) -> EditUserForm {
        EditUserForm {
            username: self.username,
            display_name: self.display_name,
            email: self.email,
        }
    }
}

/// `POST /admin/users/{id}/profile`: username, display name and email.
pub async fn update_names(
    State(state): State<AppState>,
    AdminPageUser(admin): AdminPageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(form): Form<NamesForm>,
) -> Response {
    let app = &state.app;
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(err) => return failed(app, &caller, &ctx, "/admin", err),
    };
    let errors = match form.parse() {
        Ok(patch) => match users::update(app, &admin, id, patch, &meta).await {
            Ok(_) => return see_other(&with_param(&href(id), "notice", "saved")),
            Err(Error::Invalid(invalid)) => vec![invalid],
            Err(Error::Conflict { field, message }) if field != "role" => {
                vec![Invalid::new(field, message)]
            }
            Err(err) => return failed(app, &caller, &ctx, &href(id), err),
        },
        Err(errors) => errors,
    };
    refused(app, &caller, &ctx, &admin, id, Some(form.typed()), &errors).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    pub role: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /admin/users/{id}/role`: changes the role (the account is signed out everywhere).
pub async fn change_role(
    State(state): State<AppState>,
    AdminPageUser(admin): AdminPageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> Response {
    let app = &state.app;
    act(app, &caller, &ctx, &id, async |id| {
        // Named apart from `role`, whose refusals are the service's self-protection ones.
        let role: Role = form
            .role
            .trim()
            .parse()
            .map_err(|e: Invalid| Error::invalid("new_role", e.reason))?;
        let before = users::get(app, &admin, id).await?;
        if before.role == role {
            return Ok("unchanged");
        }
        let patch = AccountPatch {
            role: Some(role),
            ..AccountPatch::default()
        };
        users::update(app, &admin, id, patch, &meta).await?;
        Ok("role")
    })
    .await
}

/// Runs a one-button action on account `raw_id`, then redirects back to its page with the
/// notice the action names; a failure is [`failed`]'s answer (on the account's page when the
/// id parses, else on the list).
async fn act(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    raw_id: &str,
    action: impl AsyncFnOnce(UserId) -> Result<&'static str, Error>,
) -> Response {
    let result = match parse_id(raw_id) {
        Ok(id) => action(id).await.map(|notice| (id, notice)),
        Err(err) => Err(err),
    };
    match result {
        Ok((id, notice)) => see_other(&with_param(&href(id), "notice", notice)),
        Err(err) => {
            let to = parse_id(raw_id).map_or_else(|_| "/admin".to_owned(), href);
            failed(app, caller, ctx, &to, err)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    pub is_active: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /admin/users/{id}/active`: deactivates (and signs out) or reactivates the account.
pub async fn set_active(
    State(state): State<AppState>,
    AdminPageUser(admin): AdminPageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(form): Form<ActiveForm>,
) -> Response {
    let app = &state.app;
    act(app, &caller, &ctx, &id, async |id| {
        let active = match form.is_active.as_str() {
            "true" => true,
            "false" => false,
            _ => return Err(Error::invalid("active", "must be true or false")),
        };
        let patch = AccountPatch {
            is_active: Some(active),
            ..AccountPatch::default()
        };
        users::update(app, &admin, id, patch, &meta).await?;
        Ok(if active { "activated" } else { "deactivated" })
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    pub password: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /admin/users/{id}/password`: sets a password the admin chose; ends the sessions.
pub async fn reset_password(
    State(state): State<AppState>,
    AdminPageUser(admin): AdminPageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let app = &state.app;
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(err) => return failed(app, &caller, &ctx, "/admin", err),
    };
    match users::reset_password(app, &admin, id, &form.password, &meta).await {
        Ok(()) => see_other(&with_param(&href(id), "notice", "password")),
        Err(Error::Invalid(invalid)) => {
            refused(app, &caller, &ctx, &admin, id, None, &[invalid]).await
        }
        Err(err) => failed(app, &caller, &ctx, &href(id), err),
    }
}

/// `POST /admin/users/{id}/sessions/end`: signs the account out everywhere.
pub async fn end_sessions(
    State(state): State<AppState>,
    AdminPageUser(admin): AdminPageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> Response {
    let app = &state.app;
    act(app, &caller, &ctx, &id, async |id| {
        users::end_sessions(app, &admin, id, &meta).await?;
        Ok("sessions")
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    pub confirm_username: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /admin/users/{id}/delete`: deletes the account once its username was typed.
pub async fn delete(
    State(state): State<AppState>,
    AdminPageUser(admin): AdminPageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> Response {
    let app = &state.app;
    let account = match parse_id(&id) {
        Ok(id) => users::get(app, &admin, id).await,
        Err(err) => Err(err),
    };
    let account = match account {
        Ok(account) => account,
        Err(err) => return failed(app, &caller, &ctx, "/admin", err),
    };
    if !form
        .confirm_username
        .trim()
        .eq_ignore_ascii_case(&account.username)
    {
        let invalid = Invalid::new(
            "confirm_username",
            format!(
                "type the username {} to delete the account",
                account.username
            ),
        );
        return refused(app, &caller, &ctx, &admin, account.id, None, &[invalid]).await;
    }
    match users::delete(app, &admin, account.id, &meta).await {
        Ok(()) => see_other(&with_param("/admin", "notice", "deleted")),
        Err(err) => failed(app, &caller, &ctx, &href(account.id), err),
    }
}

/// `POST /admin/users/{id}/mfa/reset`: removes the account's second factors and recovery codes
/// and signs it out everywhere (needs the administrator's own fresh step-up).
pub async fn reset_mfa(
    State(state): State<AppState>,
    AdminPageUser(admin): AdminPageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> Response {
    let app = &state.app;
    act(app, &caller, &ctx, &id, async |id| {
        service::auth::mfa::admin_reset(app, &admin, id, &meta).await?;
        Ok("mfa_reset")
    })
    .await
}
