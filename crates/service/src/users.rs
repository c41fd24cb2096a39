//! Account administration: what admins (and the command line) may do to accounts. Every
//! change is audited; role changes, deactivation and password resets end the account's
//! sessions; no change may leave the instance without an active administrator.
//!
//! The changes a stolen administrator session could use to keep or widen its hold — a new
//! administrator, another account's password, role, active flag or email (the email can link a
//! provider identity), deleting an account — need the administrator's own fresh step-up
//! ([`freshness::require_fresh`], MFA-05), like the factor reset. Renaming and ending sessions do
//! not: they give an intruder nothing to keep.

use domain::id::UserId;
use domain::user::{DisplayName, Email, Role, Username};
use store::users::{NewUser, UserChanges, UserRow};

use crate::audit::{self, Actor};
use crate::auth::login::password_context;
use crate::auth::{Principal, RequestMeta, freshness};
use crate::password;
use crate::rate_limit::{self, Limit};
use crate::{App, Error, Result};

/// An account as admins see it (never the password hash).
#[derive(Debug, Clone)]
pub struct Account {
    pub id: UserId,
    pub username: String,
    pub email: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub is_active: bool,
    pub is_bootstrap: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<&UserRow> for Account {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            username: u.username.clone(),
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            is_active: u.is_active,
            is_bootstrap: u.is_bootstrap,
            created_at: u.created_at,
        }
    }
}

/// A new account, parsed.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: Username,
    pub display_name: DisplayName,
    pub email: Option<Email>,
    pub role: Role,
    pub password: String,
}

/// Changes to an account, parsed; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct AccountPatch {
    pub username: Option<Username>,
    pub display_name: Option<DisplayName>,
    pub email: Option<Option<Email>>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

pub(crate) async fn admin_gate(app: &App, admin: &Principal, meta: &RequestMeta) -> Result<()> {
    admin.require_admin()?;
    rate_limit::hit(app, Limit::Admin, &rate_limit::ip_subject(app, meta.ip)).await
}

pub async fn list(app: &App, admin: &Principal) -> Result<Vec<Account>> {
    admin.require_admin()?;
    Ok(app.store.users().await?.iter().map(Account::from).collect())
}

pub async fn get(app: &App, admin: &Principal, id: UserId) -> Result<Account> {
    admin.require_admin()?;
    Ok(Account::from(&app.store.user(id).await?))
}

/// Words a new account's password must not be built from: its names, its email and the
/// email's local part (the same list as for a password change).
pub fn context_words(account: &NewAccount) -> Vec<String> {
    let mut words = vec![
        account.username.as_str().to_owned(),
        account.display_name.as_str().to_owned(),
    ];
    if let Some(email) = &account.email {
        words.push(email.as_str().to_owned());
        if let Some((local, _)) = email.as_str().split_once('@') {
            words.push(local.to_owned());
        }
    }
    words
}

/// Creates an account (admin API, setup page and CLI share this).
pub async fn create_account(
    app: &App,
    actor: &Actor,
    account: NewAccount,
    is_bootstrap: bool,
    meta: &RequestMeta,
) -> Result<UserRow> {
    let context = context_words(&account);
    password::check_new("password", &account.password, &context)?;
    let hash = password::hash_async(account.password).await?;
    let user = app
        .store
        .create_user(
            &NewUser {
                username: account.username.as_str().to_owned(),
                email: account.email.map(|e| e.as_str().to_owned()),
                display_name: account.display_name.as_str().to_owned(),
                password_hash: Some(hash),
                role: account.role,
                is_bootstrap,
            },
            app.now(),
        )
        .await?;
    audit::record(
        app,
        actor,
        "user.create",
        Some(format!("user:{}", user.username)),
        meta.ip,
        serde_json::json!({"role": user.role.as_str()}),
    )
    .await?;
    Ok(user)
}

pub async fn create(
    app: &App,
    admin: &Principal,
    account: NewAccount,
    meta: &RequestMeta,
) -> Result<Account> {
    admin_gate(app, admin, meta).await?;
    if account.role == Role::Admin {
        freshness::require_fresh(app, admin).await?;
    }
    let user = create_account(app, &admin.actor(), account, false, meta).await?;
    Ok(Account::from(&user))
}

pub async fn update(
    app: &App,
    admin: &Principal,
    id: UserId,
    patch: AccountPatch,
    meta: &RequestMeta,
) -> Result<Account> {
    admin_gate(app, admin, meta).await?;
    let before = app.store.user(id).await?;
    let email = patch.email.as_ref().map(|e| e.as_ref().map(Email::as_str));
    let sensitive = patch.role.is_some_and(|role| role != before.role)
        || patch
            .is_active
            .is_some_and(|active| active != before.is_active)
        || email.is_some_and(|email| email != before.email.as_deref());
    if sensitive {
        freshness::require_fresh(app, admin).await?;
    }
    let demotes = patch.role == Some(Role::User) && before.role == Role::Admin;
    let deactivates = patch.is_active == Some(false) && before.is_active;
    if (demotes || deactivates) && before.role == Role::Admin {
        if id == admin.user_id {
            return Err(Error::invalid(
                if demotes { "role" } else { "is_active" },
                "you cannot remove your own administrator access",
            ));
        }
        guard_last_admin(app, &before).await?;
    }
    let changes = UserChanges {
        username: patch.username.map(|u| u.as_str().to_owned()),
        email: patch.email.map(|e| e.map(|e| e.as_str().to_owned())),
        display_name: patch.display_name.map(|d| d.as_str().to_owned()),
        role: patch.role,
        is_active: patch.is_active,
    };
    let after = app.store.update_user(id, &changes, app.now()).await?;
    if before.role != after.role || (before.is_active && !after.is_active) {
        app.store.delete_sessions_of(id, None).await?;
    }
    let detail = serde_json::json!({
        "role": (before.role != after.role).then(|| after.role.as_str()),
        "is_active": (before.is_active != after.is_active).then_some(after.is_active),
        "renamed": before.username != after.username || before.display_name != after.display_name,
        "email_changed": before.email != after.email,
    });
    audit::record(
        app,
        &admin.actor(),
        "user.update",
        Some(format!("user:{}", after.username)),
        meta.ip,
        detail,
    )
    .await?;
    Ok(Account::from(&after))
}

/// Sets a new password chosen by the admin and ends all the account's sessions (after the
/// admin's fresh step-up).
pub async fn reset_password(
    app: &App,
    admin: &Principal,
    id: UserId,
    new_password: &str,
    meta: &RequestMeta,
) -> Result<()> {
    admin_gate(app, admin, meta).await?;
    let user = app.store.user(id).await?;
    freshness::require_fresh(app, admin).await?;
    set_password(app, &user, new_password).await?;
    audit::record(
        app,
        &admin.actor(),
        "user.password_reset",
        Some(format!("user:{}", user.username)),
        meta.ip,
        serde_json::json!({}),
    )
    .await
}

/// Checks, hashes and stores a password, clears the lockout and ends every session.
pub async fn set_password(app: &App, user: &UserRow, new_password: &str) -> Result<()> {
    password::check_new("password", new_password, &password_context(user))?;
    let hash = password::hash_async(new_password.to_owned()).await?;
    app.store
        .set_password_hash(user.id, &hash, app.now())
        .await?;
    app.store.clear_login_failures(user.id).await?;
    let name_key = crate::rate_limit::Limit::AccountFailures
        .key(&crate::rate_limit::name_subject(app, &user.username));
    app.store.clear_rate_limit(&name_key).await?;
    app.store.delete_sessions_of(user.id, None).await?;
    // A sign-in half-way through with the old password ends too; the second factors stay, so
    // the next sign-in still asks for one (MFA-07).
    app.store.delete_pending_sign_ins_of(user.id).await?;
    Ok(())
}

pub async fn delete(app: &App, admin: &Principal, id: UserId, meta: &RequestMeta) -> Result<()> {
    admin_gate(app, admin, meta).await?;
    if id == admin.user_id {
        return Err(Error::invalid(
            "id",
            "you cannot delete your own account here",
        ));
    }
    let user = app.store.user(id).await?;
    freshness::require_fresh(app, admin).await?;
    if user.role == Role::Admin && user.is_active {
        guard_last_admin(app, &user).await?;
    }
    app.store.delete_user(id).await?;
    audit::record(
        app,
        &admin.actor(),
        "user.delete",
        Some(format!("user:{}", user.username)),
        meta.ip,
        serde_json::json!({}),
    )
    .await
}

pub async fn end_sessions(
    app: &App,
    admin: &Principal,
    id: UserId,
    meta: &RequestMeta,
) -> Result<u64> {
    admin_gate(app, admin, meta).await?;
    let user = app.store.user(id).await?;
    let ended = app.store.delete_sessions_of(id, None).await?;
    audit::record(
        app,
        &admin.actor(),
        "user.end_sessions",
        Some(format!("user:{}", user.username)),
        meta.ip,
        serde_json::json!({"ended": ended}),
    )
    .await?;
    Ok(ended)
}

/// Ends every session of every user except the caller's own.
pub async fn end_all_sessions(app: &App, admin: &Principal, meta: &RequestMeta) -> Result<u64> {
    admin_gate(app, admin, meta).await?;
    let mut ended = 0;
    for user in app.store.users().await? {
        let keep = (user.id == admin.user_id)
            .then_some(admin.session)
            .flatten();
        ended += app.store.delete_sessions_of(user.id, keep).await?;
    }
    audit::record(
        app,
        &admin.actor(),
        "sessions.end_all",
        None,
        meta.ip,
        serde_json::json!({"ended": ended}),
    )
    .await?;
    Ok(ended)
}

async fn guard_last_admin(app: &App, user: &UserRow) -> Result<()> {
    if user.role == Role::Admin && user.is_active && app.store.count_active_admins().await? <= 1 {
        return Err(Error::Conflict {
            field: "role".into(),
            message: "this is the last active administrator".into(),
        });
    }
    Ok(())
}
