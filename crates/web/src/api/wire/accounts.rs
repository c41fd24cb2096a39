//! Accounts and security on the wire: accounts as administrators see them, the caller's
//! sessions, sign-in history, two-step verification status, security keys and the
//! administrator's two-step policy. Each type is built from the service's typed result
//! (`From<&…>`) and answers exactly the JSON the API always answered: ids as UUID text, times
//! as RFC 3339, roles and requirements by their names.

use chrono::{DateTime, Utc};
use domain::factor::MfaRequirement;
use domain::id::{SessionId, UserId};
use domain::user::Role;
use serde::Serialize;
use service::auth::mfa::{self, policy, webauthn};
use service::auth::session;
use service::{profile, users};

/// One sign-in attempt as its owner sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LoginView {
    pub at: DateTime<Utc>,
    pub success: bool,
    pub method: String,
    pub ip: Option<String>,
    pub device: String,
    /// This attempt opened the session making the request.
    pub this_session: bool,
}

impl From<&profile::Login> for LoginView {
    fn from(login: &profile::Login) -> Self {
        Self {
            at: login.at,
            success: login.success,
            method: login.method.clone(),
            ip: login.ip.clone(),
            device: login.device.clone(),
            this_session: login.this_session,
        }
    }
}

/// An account as admins see it (never the password hash).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    #[schema(value_type = String, format = Uuid)]
    pub id: UserId,
    pub username: String,
    pub email: Option<String>,
    pub display_name: String,
    #[schema(value_type = String, example = "user")]
    pub role: Role,
    pub is_active: bool,
    pub is_bootstrap: bool,
    pub created_at: DateTime<Utc>,
}

impl From<&users::Account> for UserView {
    fn from(account: &users::Account) -> Self {
        Self {
            id: account.id,
            username: account.username.clone(),
            email: account.email.clone(),
            display_name: account.display_name.clone(),
            role: account.role,
            is_active: account.is_active,
            is_bootstrap: account.is_bootstrap,
            created_at: account.created_at,
        }
    }
}

/// One of the caller's sessions, described for people.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    #[schema(value_type = String, format = Uuid)]
    pub id: SessionId,
    pub device: String,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub current: bool,
}

impl From<&session::Session> for SessionInfo {
    fn from(session: &session::Session) -> Self {
        Self {
            id: session.id,
            device: session.device.clone(),
            ip: session.ip.clone(),
            created_at: session.created_at,
            last_seen_at: session.last_seen_at,
            expires_at: session.expires_at,
            current: session.current,
        }
    }
}

/// The caller's two-step verification, as the security page and `GET /api/profile/mfa` show it.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct MfaStatus {
    /// At least one confirmed second factor: sign-in asks for it.
    pub enabled: bool,
    /// An authenticator app is set up.
    pub totp: bool,
    /// An authenticator app enrolment was started and not yet confirmed.
    pub totp_pending: bool,
    /// Security keys and passkeys set up.
    pub security_keys: usize,
    /// Unused recovery codes.
    pub recovery_codes_left: i64,
    /// The administrator's policy requires a second factor of this account.
    pub required: bool,
    /// While not enrolled under a requiring policy: when sign-in starts insisting.
    pub enrol_by: Option<DateTime<Utc>>,
}

impl From<&mfa::MfaStatus> for MfaStatus {
    fn from(status: &mfa::MfaStatus) -> Self {
        Self {
            enabled: status.enabled,
            totp: status.totp,
            totp_pending: status.totp_pending,
            security_keys: status.security_keys,
            recovery_codes_left: status.recovery_codes_left,
            required: status.required,
            enrol_by: status.enrol_by,
        }
    }
}

/// A way to complete a pending sign-in (the `methods` of a `mfa_required` answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A code from the authenticator app.
    Totp,
    /// A security key or passkey (WebAuthn): begin at `POST /api/auth/mfa/webauthn/start`.
    #[serde(rename = "webauthn")]
    WebAuthn,
    /// One of the account's unused recovery codes.
    RecoveryCode,
}

impl From<&mfa::Method> for Method {
    fn from(method: &mfa::Method) -> Self {
        match method {
            mfa::Method::Totp => Method::Totp,
            mfa::Method::WebAuthn => Method::WebAuthn,
            mfa::Method::RecoveryCode => Method::RecoveryCode,
        }
    }
}

/// The policy in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MfaPolicy {
    /// Whom it obliges: `off`, `admins` or `everyone`.
    #[schema(value_type = String, example = "admins")]
    #[serde(serialize_with = "requirement_name")]
    pub require: MfaRequirement,
    /// Days to enrol after the requirement starts (0–90).
    pub grace_days: u32,
    /// When the requirement was last switched (the grace period counts from here).
    pub since: Option<DateTime<Utc>>,
}

fn requirement_name<S: serde::Serializer>(r: &MfaRequirement, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(r.as_str())
}

impl From<&policy::MfaPolicy> for MfaPolicy {
    fn from(policy: &policy::MfaPolicy) -> Self {
        Self {
            require: policy.require,
            grace_days: policy.grace_days,
            since: policy.since,
        }
    }
}

/// A security key or passkey as the caller's list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KeyView {
    /// The key's id, for renaming and removing.
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<&webauthn::Key> for KeyView {
    fn from(key: &webauthn::Key) -> Self {
        Self {
            id: key.id.to_string(),
            name: key.name.clone(),
            created_at: key.created_at,
            last_used_at: key.last_used_at,
        }
    }
}

/// Each of `items` in its wire form: `Json(all(&accounts))` answers a list.
pub fn all<'a, S: 'a, W: From<&'a S>>(items: &'a [S]) -> Vec<W> {
    items.iter().map(W::from).collect()
}
