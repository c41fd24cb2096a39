//! First start and single-user mode.
//!
//! With no accounts yet, the instance either creates the bootstrap administrator from
//! `BOOTSTRAP_ADMIN_USERNAME`/`BOOTSTRAP_ADMIN_PASSWORD`, or makes a one-time setup token
//! (256 bits, stored hashed, valid 24 h) and the caller prints the setup link to the log. There
//! is never a default password. The bootstrap administrator administers and is refused on every
//! user-data route. Single-user mode attaches one regular account to every request.

use domain::user::{DisplayName, Role, Username};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::audit::Actor;
use crate::auth::{Principal, RequestMeta, SignedIn, session};
use crate::users::{NewAccount, create_account};
use crate::{App, Error, Result};

const SETUP_KEY: &str = "setup.token";
const SETUP_VALID_FOR: chrono::Duration = chrono::Duration::hours(24);

/// What first start did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bootstrap {
    /// Accounts already exist.
    Done,
    /// The administrator from the environment was created.
    Created { username: String },
    /// Open this link (printed to the log) to create the administrator.
    SetupLink { url: String },
}

pub async fn bootstrap(app: &App) -> Result<Bootstrap> {
    if app.store.count_users().await? > 0 {
        app.store.delete_setting(SETUP_KEY).await?;
        return Ok(Bootstrap::Done);
    }
    let config = &app.config;
    if let (Some(username), Some(password)) = (
        &config.bootstrap_admin_username,
        &config.bootstrap_admin_password,
    ) {
        let username = Username::parse(username)
            .map_err(|e| Error::invalid("BOOTSTRAP_ADMIN_USERNAME", e.reason))?;
        let account = NewAccount {
            display_name: DisplayName::parse("Administrator")?,
            username: username.clone(),
            email: None,
            role: Role::Admin,
            password: password.expose().to_owned(),
        };
        create_account(app, &Actor::System, account, true, &RequestMeta::default())
            .await
            .map_err(|e| match e {
                Error::Invalid(i) => Error::invalid("BOOTSTRAP_ADMIN_PASSWORD", i.reason),
                other => other,
            })?;
        return Ok(Bootstrap::Created {
            username: username.as_str().to_owned(),
        });
    }
    let token = hex::encode(crate::random::bytes::<32>(&*app.random));
    let record = serde_json::json!({
        "hash": hex::encode(Sha256::digest(token.as_bytes())),
        "expires_at": (app.now() + SETUP_VALID_FOR).timestamp_millis(),
    });
    app.store
        .put_setting(SETUP_KEY, &record.to_string(), app.now())
        .await?;
    Ok(Bootstrap::SetupLink {
        url: format!("{}/setup?token={token}", app.config.public_url),
    })
}

/// Whether `token` is the live setup token.
pub async fn setup_token_valid(app: &App, token: &str) -> Result<bool> {
    let Some(record) = app.store.setting(SETUP_KEY).await? else {
        return Ok(false);
    };
    let record: serde_json::Value = serde_json::from_str(&record).map_err(Error::internal)?;
    let hash = hex::encode(Sha256::digest(token.as_bytes()));
    let matches = record["hash"]
        .as_str()
        .is_some_and(|h| bool::from(h.as_bytes().ct_eq(hash.as_bytes())));
    let live = record["expires_at"]
        .as_i64()
        .is_some_and(|ms| ms > app.now().timestamp_millis());
    Ok(matches && live && app.store.count_users().await? == 0)
}

/// Creates the bootstrap administrator through the setup link and signs them in. The token is
/// consumed atomically before the account is created, so of two concurrent submissions exactly
/// one wins; if creating the account then fails, the token is put back.
pub async fn complete(
    app: &App,
    token: &str,
    account: NewAccount,
    meta: &RequestMeta,
) -> Result<SignedIn> {
    if !setup_token_valid(app, token).await? {
        return Err(Error::Forbidden);
    }
    crate::password::check_new(
        "password",
        &account.password,
        &crate::users::context_words(&account),
    )?;
    let Some(record) = app.store.setting(SETUP_KEY).await? else {
        return Err(Error::Forbidden);
    };
    if !app.store.take_setting(SETUP_KEY, &record).await? {
        return Err(Error::Forbidden);
    }
    let account = NewAccount {
        role: Role::Admin,
        ..account
    };
    match create_account(app, &Actor::System, account, true, meta).await {
        Ok(user) => session::open(app, &user, meta, true).await,
        Err(err) => {
            app.store.put_setting(SETUP_KEY, &record, app.now()).await?;
            Err(err)
        }
    }
}

/// Whether the instance still waits for its first account.
pub async fn setup_required(app: &App) -> Result<bool> {
    Ok(app.store.count_users().await? == 0)
}

/// In single-user mode, the configured regular account (created on first use).
pub async fn single_user(app: &App) -> Result<Option<Principal>> {
    if !app.config.single_user_mode {
        return Ok(None);
    }
    let Some(name) = &app.config.single_user_username else {
        return Ok(None);
    };
    let username =
        Username::parse(name).map_err(|e| Error::invalid("SINGLE_USER_USERNAME", e.reason))?;
    let user = match app.store.user_by_username(username.as_str()).await? {
        Some(user) => user,
        None => {
            let new = store::users::NewUser {
                username: username.as_str().to_owned(),
                email: None,
                display_name: username.as_str().to_owned(),
                password_hash: None,
                role: Role::User,
                is_bootstrap: false,
            };
            match app.store.create_user(&new, app.now()).await {
                Ok(user) => user,
                Err(store::Error::Conflict { .. }) => app
                    .store
                    .user_by_username(username.as_str())
                    .await?
                    .ok_or(Error::NotFound)?,
                Err(e) => return Err(e.into()),
            }
        }
    };
    if !user.is_active {
        return Ok(None);
    }
    // Single-user mode never grants admin, whatever the stored role says.
    let mut principal = Principal::from_user(&user, None);
    principal.role = Role::User;
    principal.is_bootstrap = false;
    Ok(Some(principal))
}
