//! Sign-in with a username and password, sign-out, and password change.
//!
//! Order of work in `login`: the per-IP limit first (no hashing for floods), then the account's
//! soft lockout, then one password verification — a dummy one for unknown users, so both
//! answers take the same time and say the same thing (AUTH-06). Repeated failures for one
//! account name set a growing delay (from the 5th failure: 30 s, doubling, at most 15 min) that
//! a correct password after the delay, or an admin reset, always clears: an attacker can slow
//! an account down but never lock it for good (AUTH-10). The counter is kept per attempted
//! name (a keyed hash), for names that exist and names that do not alike, so the delay itself
//! does not tell an attacker which accounts exist; it is forgotten two hours after the last
//! failure.

use std::time::Duration;

use domain::user::Username;
use store::login_history::AccountFailure;
use store::users::UserRow;

use super::mfa::pending::{self, LoginOutcome};
use super::{Principal, RequestMeta, SignedIn, known_device, reauth, session, sign_in};
use crate::audit::{self, Actor};
use crate::password::{self, Verification};
use crate::rate_limit::{self, Limit};
use crate::{App, Error, Result};

/// Failures before the account's delay starts, and how long after the last failure they are
/// forgotten: both from the rate-limit table (`Limit::AccountFailures`).
fn account_failure_rules() -> (i64, chrono::Duration) {
    let (free, forget_after, _) = Limit::AccountFailures.spec();
    (
        free,
        chrono::Duration::from_std(forget_after).unwrap_or(chrono::Duration::hours(2)),
    )
}

/// The delay after the `failures`-th failure; zero before the free failures are used up.
fn delay_after(failures: i64) -> Duration {
    rate_limit::failure_delay(Limit::AccountFailures, failures)
}

/// Signs in with the password; `previous_token` is a session cookie the browser already had,
/// which is ended so a planted session cannot survive sign-in (SES-03). A right password gives
/// a session, or, when the account has a second factor (or the policy makes it enrol one), a
/// pending sign-in that only [`pending::complete`] turns into a session (MFA-07: every path
/// through the password asks for the factor).
pub async fn login(
    app: &App,
    username: &str,
    password: &str,
    meta: &RequestMeta,
    previous_token: Option<&str>,
) -> Result<LoginOutcome> {
    if app.config.single_user_mode {
        // Single-user mode has no sign-in: a password must not lift a request to admin.
        return Err(Error::Forbidden);
    }
    rate_limit::hit(app, Limit::Login, &rate_limit::ip_subject(app, meta.ip)).await?;
    if !super::external::settings::local_enabled(app).await? {
        // An administrator turned sign-in on this server off (only possible while OIDC works
        // and maps an admin group); `billtracker enable-local-login` turns it back on.
        return Err(Error::Forbidden);
    }
    if password.len() > 1024 || username.len() > 256 {
        return Err(Error::invalid(
            if password.len() > 1024 {
                "password"
            } else {
                "username"
            },
            "is too long",
        ));
    }
    let user = match Username::parse(username) {
        Ok(name) => app.store.user_by_username(name.as_str()).await?,
        Err(_) => None,
    };
    // A browser that signed in to this account before passes the account-wide delay and is
    // slowed only by its own failures, so strangers failing on purpose cannot keep the owner
    // out (AUTH-10).
    let device = user.as_ref().and_then(|u| {
        meta.known_device
            .as_deref()
            .and_then(|cookie| known_device::recognise(app, cookie, u.id))
            .map(|device| known_device::failure_subject(u.id, &device))
    });
    let delay_subject = device
        .clone()
        .unwrap_or_else(|| rate_limit::name_subject(app, username));
    if let Err(err) = rate_limit::check_failures(app, Limit::AccountFailures, &delay_subject).await
    {
        let account = user
            .as_ref()
            .map_or_else(|| "unknown".to_owned(), |u| u.id.to_string());
        tracing::warn!(target: "security", user = %account, known_device = device.is_some(), "sign-in refused: account name throttled");
        return Err(err);
    }
    let stored = user
        .as_ref()
        .filter(|u| u.is_active)
        .and_then(|u| u.password_hash.clone());
    let known = stored.is_some();
    let verdict = password::verify_async(password.to_owned(), stored).await;
    match (user, verdict) {
        (Some(user), Verification::Valid { needs_rehash }) if known => {
            let attempt = Attempt {
                password,
                meta,
                delay_subject: &delay_subject,
            };
            succeed(app, user, needs_rehash, &attempt, previous_token).await
        }
        (user, _) => {
            fail(app, user.as_ref(), username, device.as_deref(), meta).await?;
            Err(Error::Unauthenticated)
        }
    }
}

/// A right password, as given.
struct Attempt<'a> {
    password: &'a str,
    meta: &'a RequestMeta,
    /// The failure counter that was checked: the known device's, else the account name's.
    delay_subject: &'a str,
}

async fn succeed(
    app: &App,
    user: UserRow,
    needs_rehash: bool,
    attempt: &Attempt<'_>,
    previous_token: Option<&str>,
) -> Result<LoginOutcome> {
    let meta = attempt.meta;
    if needs_rehash {
        let upgraded = password::hash_async(attempt.password.to_owned()).await?;
        app.store
            .set_password_hash(user.id, &upgraded, app.now())
            .await?;
    }
    if user.failed_logins > 0 || user.throttled_until.is_some() {
        app.store.clear_login_failures(user.id).await?;
    }
    // A known device forgets only its own failures: the owner signing in does not give a
    // stranger's guessing a fresh start.
    rate_limit::clear_failures(app, Limit::AccountFailures, attempt.delay_subject).await?;
    if let Some(token) = previous_token {
        session::end_by_token(app, token).await?;
    }
    if let Some(pending) = pending::after_password(app, &user).await? {
        return Ok(LoginOutcome::SecondFactor(pending));
    }
    let signed_in = sign_in::finish(
        app,
        &user,
        "password",
        serde_json::json!({"method": "password"}),
        meta,
    )
    .await?;
    tracing::info!(target: "security", user = %user.id, "sign-in succeeded");
    Ok(LoginOutcome::SignedIn(signed_in))
}

/// Counts a wrong password, with the same writes whether or not the account exists (one
/// transaction, then one audit row: AUTH-06): the account name's failures (and the known
/// device's), and for an existing account its history and counters.
async fn fail(
    app: &App,
    user: Option<&UserRow>,
    attempted: &str,
    device: Option<&str>,
    meta: &RequestMeta,
) -> Result<()> {
    let now = app.now();
    let name_key = Limit::AccountFailures.key(&rate_limit::name_subject(app, attempted));
    let device_key = device.map(|subject| Limit::AccountFailures.key(subject));
    let counters: Vec<&str> = std::iter::once(name_key.as_str())
        .chain(device_key.as_deref())
        .collect();
    let login = user
        .map(|u| sign_in::history_row(app, u, false, None, "password", meta))
        .transpose()?;
    let throttled_until = |failures: i64| {
        let delay = delay_after(failures);
        (!delay.is_zero()).then(|| now + chrono::Duration::from_std(delay).unwrap_or_default())
    };
    let failures = app
        .store
        .record_password_failure(
            &counters,
            now,
            now - account_failure_rules().1,
            login.as_ref().map(|login| AccountFailure {
                login,
                throttled_until: &throttled_until,
            }),
        )
        .await?;
    let Some(user) = user else {
        tracing::warn!(target: "security", failures, "sign-in failed: unknown account");
        let detail = serde_json::json!({"reason": "unknown account", "failures": failures});
        return audit::record_anonymous(app, "login.failure", meta.ip, detail).await;
    };
    tracing::warn!(target: "security", user = %user.id, failures, "sign-in failed: wrong password");
    let actor = Actor::User {
        id: user.id,
        username: user.username.clone(),
    };
    let detail = serde_json::json!({"reason": "wrong password", "failures": failures});
    audit::record(app, &actor, "login.failure", None, meta.ip, detail).await
}

/// Ends the caller's session.
pub async fn logout(app: &App, principal: &Principal, meta: &RequestMeta) -> Result<()> {
    if let Some(id) = principal.session {
        app.store.delete_session(id).await?;
    }
    audit::record(
        app,
        &principal.actor(),
        "logout",
        None,
        meta.ip,
        serde_json::json!({}),
    )
    .await
}

/// Changes the caller's own password: needs the current one, and for an account with a second
/// factor a fresh step-up too (the password alone must not replace the password: MFA-05).
/// Wrong current passwords count toward the account's step-up failures. Ends every other
/// session and every pending sign-in and rotates the caller's own session (SES-07); the new
/// session is not a step-up when the account has a second factor (the change did not prove it).
pub async fn change_password(
    app: &App,
    principal: &Principal,
    current: &str,
    new: &str,
    meta: &RequestMeta,
) -> Result<SignedIn> {
    rate_limit::hit(
        app,
        Limit::PasswordChange,
        &rate_limit::ip_subject(app, meta.ip),
    )
    .await?;
    let user = app.store.user(principal.user_id).await?;
    if current.len() > 1024 {
        return Err(Error::invalid("current_password", "is too long"));
    }
    let has_factor = reauth::needs_second_factor(app, principal).await?;
    if has_factor {
        reauth::require_fresh(app, principal).await?;
    }
    if !reauth::check_password(app, &user, current).await? {
        audit::record(
            app,
            &principal.actor(),
            "password.change_refused",
            None,
            meta.ip,
            serde_json::json!({}),
        )
        .await?;
        return Err(Error::Forbidden);
    }
    password::check_new("new_password", new, &password_context(&user))?;
    let hash = password::hash_async(new.to_owned()).await?;
    app.store
        .set_password_hash(user.id, &hash, app.now())
        .await?;
    app.store.delete_sessions_of(user.id, None).await?;
    app.store.delete_pending_sign_ins_of(user.id).await?;
    let signed_in = session::open(app, &user, meta, !has_factor).await?;
    audit::record(
        app,
        &principal.actor(),
        "password.change",
        None,
        meta.ip,
        serde_json::json!({}),
    )
    .await?;
    Ok(signed_in)
}

/// Words a password must not be built from: the account's own names and the app's.
pub fn password_context(user: &UserRow) -> Vec<String> {
    let mut words = vec![
        user.username.clone(),
        user.display_name.clone(),
        "billtracker".to_owned(),
    ];
    if let Some(email) = &user.email {
        words.push(email.clone());
        if let Some((local, _)) = email.split_once('@') {
            words.push(local.to_owned());
        }
    }
    words
}
