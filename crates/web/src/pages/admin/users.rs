//! One account's administration page (`GET /admin/users/{id}`) and its forms: names and
//! email, role, activate / deactivate, password reset, ending its sessions, resetting its
//! two-step verification (after the administrator's own step-up), and deletion
//! (which also asks for the username to be typed). Each form redirects back (303) with a
//! notice; typed input that is refused comes back inline with status 422 (409 for a name
//! already taken) and nothing changed. An id that does not parse, or names no account, is the
//! 404 page.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::Invalid;
use domain::id::UserId;
use domain::user::{DisplayName, Email, Role, Username};
use serde::Deserialize;
use service::Error;
use service::users::{self, AccountPatch};

use super::{AdminPage, ERRORS, LABELS, NO_ACCOUNT, NOTICES, answer, failure, on_fields, row};
use crate::extract::PathId;
use crate::links;
use crate::pages::chrome;
use crate::pages::common::{message, with_cookie};
use crate::pages::forms::BannerQuery;
use crate::pages::kit::{Fail, PageResult};
use crate::pages::profile::{FieldErrors, labelled};
use crate::routes::Table;
use crate::views;
use crate::views::admin::{AdminUserPage, EditUserForm};

/// One account's routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::ADMIN_USER.template(), get(show))
        .add(
            "POST",
            links::ADMIN_USER_PROFILE.template(),
            post(update_names),
        )
        .add("POST", links::ADMIN_USER_ROLE.template(), post(change_role))
        .add(
            "POST",
            links::ADMIN_USER_ACTIVE.template(),
            post(set_active),
        )
        .add(
            "POST",
            links::ADMIN_USER_PASSWORD.template(),
            post(reset_password),
        )
        .add(
            "POST",
            links::ADMIN_USER_SESSIONS_END.template(),
            post(end_sessions),
        )
        .add("POST", links::ADMIN_USER_DELETE.template(), post(delete))
        .add(
            "POST",
            links::ADMIN_USER_MFA_RESET.template(),
            post(reset_mfa),
        )
}

/// The page of account `id`.
fn href(id: UserId) -> String {
    links::ADMIN_USER.at(id)
}

/// What a drawn page shows besides the stored account, and its status (200 unless said).
#[derive(Default)]
struct Shown {
    status: StatusCode,
    edit: Option<EditUserForm>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    error: Option<String>,
}

impl Shown {
    /// A refused form: its fields' errors (and what was typed into the names form).
    fn refused(status: StatusCode, edit: Option<EditUserForm>, errors: &[Invalid]) -> Self {
        Shown {
            status,
            edit,
            errors: errors.iter().map(|e| labelled(&LABELS, e)).collect(),
            ..Shown::default()
        }
    }
}

/// Account `id`'s page with what `shown` adds; a missing account is the 404 page.
async fn draw(page: &AdminPage, id: UserId, shown: Shown) -> PageResult {
    let (app, admin) = (&page.app, &page.admin);
    let heading = "The account could not be shown";
    let user = users::get(app, admin, id)
        .await
        .missing(NO_ACCOUNT)
        .not_shown(heading)?;
    let activity = service::account::activity(app, admin, id)
        .await
        .missing(NO_ACCOUNT)
        .not_shown(heading)?;
    let mfa = service::auth::mfa::admin_status(app, admin, id)
        .await
        .missing(NO_ACCOUNT)
        .not_shown(heading)?;
    let email = user.email.clone().unwrap_or_default();
    let edit = shown.edit.unwrap_or_else(|| EditUserForm {
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        email: email.clone(),
    });
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(app, &page.caller, &ctx, &user.display_name);
    let view = AdminUserPage {
        chrome,
        status: shown.status,
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
    Ok(with_cookie(views::render(&view), cookie))
}

/// `GET /admin/users/{id}` (plus `notice` / `error` after a form).
pub async fn show(
    page: AdminPage,
    PathId(id): PathId<UserId>,
    Query(banner): Query<BannerQuery>,
) -> PageResult {
    let shown = Shown {
        notice: message(&NOTICES, banner.notice.as_deref()),
        error: message(&ERRORS, banner.error.as_deref()),
        ..Shown::default()
    };
    draw(&page, id, shown).await
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
    page: AdminPage,
    PathId(id): PathId<UserId>,
    Form(form): Form<NamesForm>,
) -> PageResult {
    let (status, errors) = match form.parse() {
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        Ok(patch) => match users::update(&page.app, &page.admin, id, patch, &page.meta).await {
            Ok(_) => return answer(Ok("saved"), &href(id)),
            Err(err) => match on_fields(err) {
                Ok(refused) => refused,
                Err(err) => return failure(err, &href(id)),
            },
        },
    };
    draw(
        &page,
        id,
        Shown::refused(status, Some(form.typed()), &errors),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    pub role: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

impl RoleForm {
    /// The role chosen, named apart from `role`, whose refusals are the service's
    /// self-protection ones.
    fn parse(&self) -> Result<Role, Error> {
        let role = self.role.trim().parse();
        role.map_err(|e: Invalid| Error::invalid("new_role", e.reason))
    }
}

/// Gives account `id` the role `form` names: `unchanged` when it already has it, else `role`
/// (the service then signs the account out everywhere).
async fn give_role(page: &AdminPage, id: UserId, form: &RoleForm) -> Result<&'static str, Error> {
    let role = form.parse()?;
    if users::get(&page.app, &page.admin, id).await?.role == role {
        return Ok("unchanged");
    }
    let patch = AccountPatch {
        role: Some(role),
        ..AccountPatch::default()
    };
    users::update(&page.app, &page.admin, id, patch, &page.meta).await?;
    Ok("role")
}

/// `POST /admin/users/{id}/role`: changes the role (the account is signed out everywhere).
pub async fn change_role(
    page: AdminPage,
    PathId(id): PathId<UserId>,
    Form(form): Form<RoleForm>,
) -> PageResult {
    answer(give_role(&page, id, &form).await, &href(id))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    pub is_active: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

impl ActiveForm {
    /// Whether the account is to be active.
    fn parse(&self) -> Result<bool, Error> {
        match self.is_active.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(Error::invalid("active", "must be true or false")),
        }
    }
}

/// `POST /admin/users/{id}/active`: deactivates (and signs out) or reactivates the account.
pub async fn set_active(
    page: AdminPage,
    PathId(id): PathId<UserId>,
    Form(form): Form<ActiveForm>,
) -> PageResult {
    let set = async {
        let active = form.parse()?;
        let patch = AccountPatch {
            is_active: Some(active),
            ..AccountPatch::default()
        };
        users::update(&page.app, &page.admin, id, patch, &page.meta).await?;
        Ok(if active { "activated" } else { "deactivated" })
    };
    answer(set.await, &href(id))
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
    page: AdminPage,
    PathId(id): PathId<UserId>,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let (app, admin) = (&page.app, &page.admin);
    match users::reset_password(app, admin, id, &form.password, &page.meta).await {
        Ok(()) => answer(Ok("password"), &href(id)),
        Err(Error::Invalid(invalid)) => {
            let shown = Shown::refused(StatusCode::UNPROCESSABLE_ENTITY, None, &[invalid]);
            draw(&page, id, shown).await
        }
        Err(err) => failure(err, &href(id)),
    }
}

/// `POST /admin/users/{id}/sessions/end`: signs the account out everywhere.
pub async fn end_sessions(page: AdminPage, PathId(id): PathId<UserId>) -> PageResult {
    let ended = users::end_sessions(&page.app, &page.admin, id, &page.meta).await;
    answer(ended.map(|_| "sessions"), &href(id))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    pub confirm_username: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

impl DeleteForm {
    /// Whether the username typed is `username` (any case, spaces around ignored).
    fn confirms(&self, username: &str) -> Result<(), Invalid> {
        if self.confirm_username.trim().eq_ignore_ascii_case(username) {
            return Ok(());
        }
        let reason = format!("type the username {username} to delete the account");
        Err(Invalid::new("confirm_username", reason))
    }
}

/// `POST /admin/users/{id}/delete`: deletes the account once its username was typed.
pub async fn delete(
    page: AdminPage,
    PathId(id): PathId<UserId>,
    Form(form): Form<DeleteForm>,
) -> PageResult {
    let (app, admin) = (&page.app, &page.admin);
    let account = users::get(app, admin, id).await;
    let account = account.back_to(links::ADMIN.path()).missing(NO_ACCOUNT)?;
    if let Err(invalid) = form.confirms(&account.username) {
        let shown = Shown::refused(StatusCode::UNPROCESSABLE_ENTITY, None, &[invalid]);
        return draw(&page, id, shown).await;
    }
    match users::delete(app, admin, id, &page.meta).await {
        Ok(()) => answer(Ok("deleted"), links::ADMIN.path()),
        Err(err) => failure(err, &href(id)),
    }
}

/// `POST /admin/users/{id}/mfa/reset`: removes the account's second factors and recovery codes
/// and signs it out everywhere (needs the administrator's own fresh step-up).
pub async fn reset_mfa(page: AdminPage, PathId(id): PathId<UserId>) -> PageResult {
    let reset = service::auth::mfa::admin_reset(&page.app, &page.admin, id, &page.meta).await;
    answer(reset.map(|_| "mfa_reset"), &href(id))
}
