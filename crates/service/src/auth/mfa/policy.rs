//! The administrator's "require two-step verification" policy: off (the default), for
//! administrators, or for everyone, with a grace period in days.
//!
//! Stored in the settings table under `mfa.policy` as JSON. The grace period runs from when
//! the requirement was switched on (or from the account's creation, if later): until it ends
//! the security page reminds the person; after it, signing in with the password alone leads to
//! a forced enrolment step instead of a session (see [`super::pending`]).
//!
//! Default "off", because a self-hosted instance often starts as one person's server and a
//! required factor before anyone has set one up helps no one; the admin switches it on when
//! people have had a chance to enrol (the grace period gives them that chance).

use chrono::{DateTime, Utc};
use domain::factor::MfaRequirement;
use domain::user::Role;
use store::users::UserRow;

use crate::audit;
use crate::auth::{Principal, RequestMeta};
use crate::rate_limit::{self, Limit};
use crate::{App, Error, Result};

const KEY: &str = "mfa.policy";
/// The longest grace period an administrator can give.
pub const MAX_GRACE_DAYS: u32 = 90;

/// The policy in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MfaPolicy {
    /// Whom it obliges: off, administrators or everyone.
    pub require: MfaRequirement,
    /// Days to enrol after the requirement starts (0–90).
    pub grace_days: u32,
    /// When the requirement was last switched (the grace period counts from here).
    pub since: Option<DateTime<Utc>>,
}

impl Default for MfaPolicy {
    fn default() -> Self {
        Self {
            require: MfaRequirement::Off,
            grace_days: 7,
            since: None,
        }
    }
}

/// The stored form.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    require: String,
    grace_days: u32,
    since_ms: Option<i64>,
}

impl MfaPolicy {
    /// Whether the policy obliges `user` to have a second factor.
    pub fn applies_to(&self, user: &UserRow) -> bool {
        self.require.applies_to(user.role == Role::Admin)
    }

    /// When the grace period of `user` ends, if the policy obliges them.
    pub fn deadline(&self, user: &UserRow) -> Option<DateTime<Utc>> {
        if !self.applies_to(user) {
            return None;
        }
        let start = self.since.unwrap_or(user.created_at).max(user.created_at);
        Some(start + chrono::Duration::days(i64::from(self.grace_days)))
    }
}

/// The policy in force: the default (off) when none was saved; the strictest policy (everyone,
/// no grace) when the saved one is unreadable, so a damaged setting never turns a requirement
/// off (accounts without a factor then enrol at sign-in, and an administrator can save the
/// policy again).
pub async fn load(app: &App) -> Result<MfaPolicy> {
    let Some(text) = app.store.setting(KEY).await? else {
        return Ok(MfaPolicy::default());
    };
    let strictest = MfaPolicy {
        require: MfaRequirement::Everyone,
        grace_days: 0,
        since: None,
    };
    let Ok(stored) = serde_json::from_str::<Stored>(&text) else {
        tracing::error!(
            "the stored MFA policy is unreadable; requiring a second factor of everyone"
        );
        return Ok(strictest);
    };
    let Ok(require) = stored.require.parse() else {
        tracing::error!(
            "the stored MFA policy names no known requirement; requiring a second factor of everyone"
        );
        return Ok(strictest);
    };
    Ok(MfaPolicy {
        require,
        grace_days: stored.grace_days.min(MAX_GRACE_DAYS),
        since: stored.since_ms.and_then(DateTime::from_timestamp_millis),
    })
}

/// Whether `user`, who has no second factor, must enrol before getting a session.
pub(crate) async fn enrolment_due(app: &App, user: &UserRow) -> Result<bool> {
    let policy = load(app).await?;
    Ok(policy.deadline(user).is_some_and(|end| app.now() >= end))
}

/// `GET /api/admin/mfa-policy`.
pub async fn get(app: &App, admin: &Principal) -> Result<MfaPolicy> {
    admin.require_admin()?;
    load(app).await
}

/// `PUT /api/admin/mfa-policy`: sets whom the policy obliges and the grace period. Switching
/// the requirement restarts the grace period; changing only the days does not. Needs the
/// administrator's fresh step-up (MFA-05). Audited.
pub async fn set(
    app: &App,
    admin: &Principal,
    require: MfaRequirement,
    grace_days: u32,
    meta: &RequestMeta,
) -> Result<MfaPolicy> {
    admin.require_admin()?;
    rate_limit::hit(app, Limit::Admin, &rate_limit::ip_subject(app, meta.ip)).await?;
    crate::auth::freshness::require_fresh(app, admin).await?;
    if grace_days > MAX_GRACE_DAYS {
        return Err(Error::invalid(
            "grace_days",
            format!("must be between 0 and {MAX_GRACE_DAYS}"),
        ));
    }
    let before = load(app).await?;
    let since = if before.require == require && before.since.is_some() {
        before.since
    } else {
        Some(app.now())
    };
    let policy = MfaPolicy {
        require,
        grace_days,
        since,
    };
    let stored = Stored {
        require: require.as_str().to_owned(),
        grace_days,
        since_ms: since.map(|at| at.timestamp_millis()),
    };
    let text = serde_json::to_string(&stored).map_err(Error::internal)?;
    app.store.put_setting(KEY, &text, app.now()).await?;
    audit::record(
        app,
        &admin.actor(),
        "mfa.policy",
        None,
        meta.ip,
        serde_json::json!({"require": require.as_str(), "grace_days": grace_days}),
    )
    .await?;
    Ok(policy)
}
