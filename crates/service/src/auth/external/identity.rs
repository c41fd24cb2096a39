//! From a verified provider answer to an account (OIDC-05).
//!
//! The account is found by (issuer, subject) only. When no account has that identity:
//! - with email linking allowed and an email the provider marks verified, it is linked to the
//!   account with that email — unless that account already has an identity from the same
//!   issuer (a new subject with a known email is someone else, or a recycled address: no
//!   takeover);
//! - else, with auto-provisioning on, a new account is made (no password) with the identity,
//!   in one transaction;
//! - else the sign-in is refused.
//!
//! Linking by email never targets an administrator, a deactivated or the bootstrap account
//! (an address at the provider must not be a way into them); those link explicitly from their
//! security page instead.
//!
//! With an admin group configured the role follows the group at every sign-in — a missing
//! `groups` claim counts as no groups (fail closed: someone removed from every group at the
//! provider must not stay an administrator) — but never demotes the last active administrator
//! (the bootstrap account aside). A role change ends the account's other sessions, like an
//! administrator's change would.

use domain::user::{DisplayName, Email, Role, Username};
use store::identities::NewIdentity;
use store::users::{NewUser, UserChanges, UserRow};

use super::settings::{GithubSettings, OidcSettings};
use super::{Profile, Provider};
use crate::audit::{self, Actor};
use crate::{App, Error, Result};

/// What a provider's settings allow.
pub(super) struct Rules {
    provider: Provider,
    auto_provision: bool,
    link_verified_email: bool,
    admin_group: Option<String>,
}

impl Rules {
    pub(super) fn of_oidc(s: &OidcSettings) -> Self {
        Self {
            provider: Provider::Oidc,
            auto_provision: s.auto_provision,
            link_verified_email: s.link_verified_email,
            admin_group: s.admin_group.clone(),
        }
    }

    pub(super) fn of_github(s: &GithubSettings) -> Self {
        Self {
            provider: Provider::Github,
            auto_provision: s.auto_provision,
            link_verified_email: s.link_verified_email,
            admin_group: None,
        }
    }
}

fn refused(message: &str) -> Error {
    Error::BadRequest {
        field: "account".into(),
        message: message.into(),
    }
}

/// The verified email, in the stored (lower-case) form.
fn verified_email(profile: &Profile) -> Option<String> {
    profile
        .email
        .as_deref()
        .filter(|_| profile.email_verified)
        .and_then(|e| Email::parse(e).ok())
        .map(|e| e.as_str().to_owned())
}

fn new_identity(rules: &Rules, profile: &Profile) -> NewIdentity {
    NewIdentity {
        provider: rules.provider.as_str(),
        issuer: profile.issuer.clone(),
        subject: profile.subject.clone(),
        email: verified_email(profile),
    }
}

/// The account for `profile`: see the module docs.
pub(super) async fn resolve(app: &App, rules: &Rules, profile: &Profile) -> Result<UserRow> {
    let now = app.now();
    let email = verified_email(profile);
    let user = if let Some(link) = app
        .store
        .identity(&profile.issuer, &profile.subject)
        .await?
    {
        app.store
            .touch_identity(&link.id, email.as_deref(), now)
            .await?;
        app.store.user(link.user_id).await?
    } else if let Some(user) = linkable(app, rules, email.as_deref(), &profile.issuer).await? {
        app.store
            .link_identity(user.id, &new_identity(rules, profile), now)
            .await?;
        record(app, &user, "identity.link", rules, profile).await?;
        user
    } else if rules.auto_provision {
        let user = provision(app, rules, profile, email).await?;
        record(app, &user, "user.provision", rules, profile).await?;
        user
    } else {
        return Err(refused(
            "no account here is linked to this sign-in; ask an administrator to create your account",
        ));
    };
    if !user.is_active {
        return Err(refused("this account is deactivated"));
    }
    if user.is_bootstrap {
        return Err(refused("the setup account cannot sign in this way"));
    }
    follow_admin_group(app, rules, profile, user).await
}

/// The existing account a first sign-in may be linked to by its verified email.
async fn linkable(
    app: &App,
    rules: &Rules,
    email: Option<&str>,
    issuer: &str,
) -> Result<Option<UserRow>> {
    let (true, Some(email)) = (rules.link_verified_email, email) else {
        return Ok(None);
    };
    let Some(user) = app.store.user_by_email(email).await? else {
        return Ok(None);
    };
    if !user.is_active || user.is_bootstrap || user.role == Role::Admin {
        tracing::warn!(target: "security", user = %user.id, "external sign-in not linked by email: the account is an administrator, deactivated or the setup account");
        return Ok(None);
    }
    let taken = app
        .store
        .identities_of(user.id)
        .await?
        .iter()
        .any(|i| i.issuer == issuer);
    if taken {
        tracing::warn!(target: "security", user = %user.id, "external sign-in not linked: the account already has another identity from this provider");
        return Ok(None);
    }
    Ok(Some(user))
}

/// A username from what the provider said, made valid and free.
async fn free_username(app: &App, profile: &Profile) -> Result<String> {
    let hint = profile
        .username
        .clone()
        .or_else(|| {
            profile
                .email
                .as_deref()
                .and_then(|e| e.split_once('@'))
                .map(|(local, _)| local.to_owned())
        })
        .unwrap_or_default();
    // ASCII only: a provider's name must not become a look-alike of another account's.
    let mut base: String = hint
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .take(56)
        .collect::<String>()
        .to_lowercase();
    if base.chars().count() < 3 {
        base = format!("user{base}");
    }
    for n in 0..100u32 {
        let candidate = if n == 0 {
            base.clone()
        } else {
            format!("{base}-{}", n + 1)
        };
        let Ok(name) = Username::parse(&candidate) else {
            continue;
        };
        if app.store.user_by_username(name.as_str()).await?.is_none() {
            return Ok(name.as_str().to_owned());
        }
    }
    Ok(format!(
        "user-{}",
        hex::encode(crate::random::bytes::<6>(&*app.random))
    ))
}

async fn provision(
    app: &App,
    rules: &Rules,
    profile: &Profile,
    email: Option<String>,
) -> Result<UserRow> {
    if let Some(address) = &email
        && app.store.user_by_email(address).await?.is_some()
    {
        return Err(refused(
            "an account with this email exists already; ask an administrator to link it",
        ));
    }
    let username = free_username(app, profile).await?;
    let display_name = profile
        .name
        .as_deref()
        .map(|n| {
            n.chars()
                .filter(|c| !invisible(*c))
                .take(100)
                .collect::<String>()
        })
        .and_then(|n| DisplayName::parse(&n).ok())
        .map_or_else(|| username.clone(), |n| n.as_str().to_owned());
    let role = match (&rules.admin_group, &profile.groups) {
        (Some(group), Some(groups)) if groups.contains(group) => Role::Admin,
        _ => Role::User,
    };
    // (A missing claim provisions a regular user, like a claim without the group.)
    app.store
        .create_user_with_identity(
            &NewUser {
                username,
                email,
                display_name,
                password_hash: None,
                role,
                is_bootstrap: false,
            },
            &new_identity(rules, profile),
            app.now(),
        )
        .await
        .map_err(|err| match err {
            // The name was taken between the check and the insert, or the identity was linked
            // by a concurrent callback: a retry finds the new state.
            store::Error::Conflict { .. } => {
                refused("this sign-in collided with another; try again")
            }
            other => other.into(),
        })
}

/// Control characters and the invisible formatting ones (zero-width, bidirectional overrides
/// and isolates, BOM) that could make a provider-supplied name look like another.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Applies the admin-group mapping to `user`.
async fn follow_admin_group(
    app: &App,
    rules: &Rules,
    profile: &Profile,
    user: UserRow,
) -> Result<UserRow> {
    let Some(group) = &rules.admin_group else {
        return Ok(user);
    };
    let in_group = profile.groups.as_ref().is_some_and(|g| g.contains(group));
    let role = if in_group { Role::Admin } else { Role::User };
    if role == user.role {
        return Ok(user);
    }
    let now = app.now();
    let after = if role == Role::Admin {
        let changes = UserChanges {
            role: Some(role),
            ..UserChanges::default()
        };
        app.store.update_user(user.id, &changes, now).await?
    } else if app.store.demote_admin_unless_last(user.id, now).await? {
        app.store.user(user.id).await?
    } else {
        tracing::warn!(target: "security", user = %user.id, "admin group no longer lists the last administrator; role kept");
        return Ok(user);
    };
    app.store.delete_sessions_of(user.id, None).await?;
    audit::record(
        app,
        &Actor::System,
        "user.role_from_group",
        Some(format!("user:{}", after.username)),
        None,
        serde_json::json!({"role": role.as_str(), "issuer": profile.issuer}),
    )
    .await?;
    Ok(after)
}

async fn record(
    app: &App,
    user: &UserRow,
    action: &str,
    rules: &Rules,
    profile: &Profile,
) -> Result<()> {
    tracing::info!(target: "security", user = %user.id, provider = rules.provider.as_str(), action, "external identity");
    audit::record(
        app,
        &Actor::System,
        action,
        Some(format!("user:{}", user.username)),
        None,
        serde_json::json!({"provider": rules.provider.as_str(), "issuer": profile.issuer}),
    )
    .await
}
