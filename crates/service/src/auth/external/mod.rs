//! Sign-in through an OpenID Connect provider or GitHub.
//!
//! A sign-in is two requests. [`start`] makes a random `state`, `nonce` and PKCE verifier
//! (256 bits each, from the app's CSPRNG), stores the flow (state hashed, verifier encrypted,
//! 10 minutes) bound to the browser by a random value in an HttpOnly cookie, and returns the
//! provider's authorization URL (`code_challenge_method=S256`, never `plain`). [`finish`]
//! takes the flow by the callback's `state` (single use: `DELETE … RETURNING`), checks the
//! browser binding, exchanges the code with the verifier, validates what the provider says
//! (OIDC: the ID token's signature with the provider's published keys and an
//! asymmetric-only algorithm list, `iss`, `aud`, `exp`, `iat`, `nonce`; GitHub: the user and
//! its verified primary email from the API), finds the account by (issuer, subject)
//! ([`identity`]) and then continues like a password sign-in: the second factor when the
//! account has one or the policy asks for one, else a session.
//!
//! Tokens from the provider never leave the server and are not stored: the access token is
//! used at most for the userinfo/GitHub API calls of this request, then dropped.
//!
//! A flow can also be a step-up ([`start_step_up`]): a signed-in person whose account is
//! linked to the provider proves themselves there again (OIDC with `prompt=login` and
//! `max_age=0`, and an `auth_time` no older than the flow) instead of typing a password. The
//! flow is bound to the session that started it, and the provider's answer must be the
//! identity already linked to that session's account; nothing is created or linked. Without
//! a second factor the session is then fresh ([`super::reauth`]); with one, the provider
//! proof stands in for the password and the step-up page asks for the factor.
//!
//! GitHub is never a step-up on its own (MFA-05): it has no `prompt=login`/`max_age` and no
//! `auth_time`, and approves silently while the browser is signed in there, so a GitHub
//! round trip proves only that someone holds this browser. It stands in for the password only
//! for an account with a second factor, which is then still asked ([`GITHUB_ALONE`] otherwise).
//!
//! Both routes count against the OIDC rate limit (20 per 15 minutes per IP).

pub mod admin;
mod admin_types;
mod flow;
mod form;
mod github;
mod identity;
mod oidc;
pub mod settings;

use super::mfa::pending::{self, LoginOutcome};
use super::{Principal, RequestMeta, session, sign_in};
use crate::audit::{self, Actor};
use crate::rate_limit::{self, Limit};
use crate::{App, Error, Result};

pub use settings::{PublicMethods, SignInMethods};

/// Why GitHub is not offered, or refused, as a step-up for an account without a second factor.
pub const GITHUB_ALONE: &str = "GitHub cannot confirm it's you on its own: it approves without asking again while this browser is signed in there. Confirm with your password, or, if your account has none, ask an administrator to set one";

/// How long a sign-in may take between the redirect to the provider and its callback.
pub const FLOW_LIFETIME: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// An external sign-in provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Oidc,
    Github,
}

impl Provider {
    /// `oidc` or `github`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "oidc" => Some(Provider::Oidc),
            "github" => Some(Provider::Github),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Oidc => "oidc",
            Provider::Github => "github",
        }
    }
}

/// What a provider vouched for, after its answer was verified.
#[derive(Debug, Clone, Default)]
pub(crate) struct Profile {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub username: Option<String>,
    /// The `groups` claim, when the provider sent one.
    pub groups: Option<Vec<String>>,
    /// OIDC `auth_time`: when the person last authenticated at the provider.
    pub auth_time: Option<chrono::DateTime<chrono::Utc>>,
}

/// A sign-in begun: send the browser to `location`, with `browser` in the flow cookie.
#[derive(Debug, Clone)]
pub struct Started {
    pub location: String,
    pub browser: String,
}

/// The provider's callback query.
#[derive(Debug, Clone, Default)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub iss: Option<String>,
    /// A parameter came twice (refused: which one would be the provider's?).
    pub malformed: bool,
}

impl Callback {
    /// Reads the callback's query string; other parameters (`session_state`, …) are ignored.
    pub fn from_query(query: &str) -> Self {
        let mut callback = Callback::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match key.as_ref() {
                "code" => &mut callback.code,
                "state" => &mut callback.state,
                "error" => &mut callback.error,
                "iss" => &mut callback.iss,
                _ => continue,
            };
            if slot.is_some() {
                callback.malformed = true;
            }
            *slot = Some(value.into_owned());
        }
        callback
    }
}

/// The secrets of one flow, fresh for each sign-in.
pub(crate) struct FlowSecrets {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

fn not_enabled(provider: Provider) -> Error {
    Error::BadRequest {
        field: "provider".into(),
        message: format!("{} sign-in is not turned on", provider.label()),
    }
}

impl Provider {
    fn label(self) -> &'static str {
        match self {
            Provider::Oidc => "OIDC",
            Provider::Github => "GitHub",
        }
    }
}

/// How a finished flow ends.
#[derive(Debug)]
pub enum Finished {
    /// A sign-in: a session, or the second-factor step next.
    SignIn(LoginOutcome),
    /// A step-up: the session is fresh again; go to `next`.
    SteppedUp { next: String },
    /// A step-up of an account with a second factor: the provider's proof stands in for the
    /// password for [`super::reauth::WINDOW`]; the step-up page asks for the factor next.
    FactorNext { next: String },
}

/// Begins a sign-in with `provider`: see the module docs. `browser` is the flow cookie the
/// browser already has, reused so that sign-ins begun in two tabs both stay valid.
pub async fn start(
    app: &App,
    provider: Provider,
    browser: Option<&str>,
    meta: &RequestMeta,
) -> Result<Started> {
    rate_limit::hit(app, Limit::Oidc, &rate_limit::ip_subject(app, meta.ip)).await?;
    if app.config.single_user_mode {
        return Err(Error::Forbidden);
    }
    flow::begin(app, provider, None, None, browser).await
}

/// Begins a step-up of `principal`'s session through `provider` (their account must have an
/// identity there), returning to `next` (a same-site path the caller checked).
pub async fn start_step_up(
    app: &App,
    principal: &Principal,
    provider: Provider,
    next: &str,
    browser: Option<&str>,
    meta: &RequestMeta,
) -> Result<Started> {
    rate_limit::hit(app, Limit::Oidc, &rate_limit::ip_subject(app, meta.ip)).await?;
    let Some(session) = principal.session else {
        return Err(Error::Forbidden);
    };
    let methods = settings::load(app).await?;
    if provider == Provider::Github && github_alone(app, principal, &methods).await? {
        return Err(Error::BadRequest {
            field: "provider".into(),
            message: GITHUB_ALONE.into(),
        });
    }
    if !step_up_providers_of(app, principal, &methods)
        .await?
        .contains(&provider)
    {
        return Err(Error::BadRequest {
            field: "provider".into(),
            message: format!(
                "your account is not linked to {} sign-in here",
                provider.label()
            ),
        });
    }
    flow::begin(app, provider, Some(session), Some(next), browser).await
}

/// The providers `principal` can confirm a step-up with: turned on, and linked to the account.
pub async fn step_up_providers(
    app: &App,
    principal: &Principal,
) -> Result<Vec<(Provider, String)>> {
    let methods = settings::load(app).await?;
    Ok(step_up_providers_of(app, principal, &methods)
        .await?
        .into_iter()
        .map(|p| {
            let name = match p {
                Provider::Oidc => methods.oidc.provider_name.clone(),
                Provider::Github => "GitHub".to_owned(),
            };
            (p, name)
        })
        .collect())
}

/// Why `principal` cannot step up through a provider their account is linked to, for the
/// step-up page to say: [`GITHUB_ALONE`] when GitHub is the only one and the account has no
/// second factor.
pub async fn step_up_refusal(app: &App, principal: &Principal) -> Result<Option<&'static str>> {
    let methods = settings::load(app).await?;
    Ok(github_alone(app, principal, &methods)
        .await?
        .then_some(GITHUB_ALONE))
}

/// Whether `principal`'s account is linked to GitHub (turned on) but has no second factor, so
/// that GitHub would be the whole step-up.
async fn github_alone(app: &App, principal: &Principal, methods: &SignInMethods) -> Result<bool> {
    Ok(linked_providers(app, principal, methods)
        .await?
        .contains(&Provider::Github)
        && super::mfa::methods_for(app, principal.user_id)
            .await?
            .is_empty())
}

/// The providers turned on and linked to `principal`'s account.
async fn linked_providers(
    app: &App,
    principal: &Principal,
    methods: &SignInMethods,
) -> Result<Vec<Provider>> {
    let identities = app.store.identities_of(principal.user_id).await?;
    let mut providers = Vec::new();
    if methods.oidc.enabled
        && methods.oidc.is_configured()
        && identities.iter().any(|i| i.provider == "oidc")
    {
        providers.push(Provider::Oidc);
    }
    let github_issuer = github::issuer(&methods.github);
    if methods.github.enabled
        && methods.github.is_configured()
        && identities.iter().any(|i| i.issuer == github_issuer)
    {
        providers.push(Provider::Github);
    }
    Ok(providers)
}

/// The providers that can confirm a step-up of `principal`: linked ones, except GitHub for an
/// account without a second factor.
async fn step_up_providers_of(
    app: &App,
    principal: &Principal,
    methods: &SignInMethods,
) -> Result<Vec<Provider>> {
    let mut providers = linked_providers(app, principal, methods).await?;
    if providers.contains(&Provider::Github)
        && super::mfa::methods_for(app, principal.user_id)
            .await?
            .is_empty()
    {
        providers.retain(|p| *p != Provider::Github);
    }
    Ok(providers)
}

/// Completes a flow from the provider's callback; `browser` is the flow cookie and
/// `previous_token` a session cookie the browser sent (ended by a sign-in, as at every
/// sign-in). Every refusal is audited and logged with its reason.
pub async fn finish(
    app: &App,
    provider: Provider,
    callback: &Callback,
    browser: Option<&str>,
    previous_token: Option<&str>,
    meta: &RequestMeta,
) -> Result<Finished> {
    rate_limit::hit(app, Limit::Oidc, &rate_limit::ip_subject(app, meta.ip)).await?;
    match complete(app, provider, callback, browser, previous_token, meta).await {
        Ok(finished) => Ok(finished),
        Err(err) => {
            let reason = match &err {
                Error::BadRequest { message, .. } => message.clone(),
                // Never internal error text in the audit log.
                Error::Internal(_) => "internal error".to_owned(),
                other => other.to_string(),
            };
            tracing::warn!(target: "security", provider = provider.as_str(), %reason, "external sign-in refused");
            let detail = serde_json::json!({"method": provider.as_str(), "reason": reason});
            audit::record_anonymous(app, "login.failure", meta.ip, detail).await?;
            Err(err)
        }
    }
}

async fn complete(
    app: &App,
    provider: Provider,
    callback: &Callback,
    browser: Option<&str>,
    previous_token: Option<&str>,
    meta: &RequestMeta,
) -> Result<Finished> {
    if app.config.single_user_mode {
        return Err(Error::Forbidden);
    }
    let taken = flow::take(app, provider, callback, browser).await?;
    let methods = settings::load(app).await?;
    let step_up = taken.row.purpose == "reauth";
    let profile = flow::redeem(app, provider, &methods, callback, &taken, step_up).await?;
    if step_up {
        return finish_step_up(app, provider, &taken.row, &profile, meta).await;
    }
    let rules = match provider {
        Provider::Oidc => identity::Rules::of_oidc(&methods.oidc),
        Provider::Github => identity::Rules::of_github(&methods.github),
    };
    let user = identity::resolve(app, &rules, &profile).await?;
    if let Some(token) = previous_token {
        session::end_by_token(app, token).await?;
    }
    if let Some(pending) = pending::after_first_step(app, &user, provider.as_str()).await? {
        return Ok(Finished::SignIn(LoginOutcome::SecondFactor(pending)));
    }
    let detail = serde_json::json!({"method": provider.as_str(), "issuer": profile.issuer});
    let signed_in = sign_in::finish(app, &user, provider.as_str(), detail, meta).await?;
    tracing::info!(target: "security", user = %user.id, provider = provider.as_str(), "sign-in succeeded");
    Ok(Finished::SignIn(LoginOutcome::SignedIn(signed_in)))
}

/// The end of a step-up. The session is the one that started the flow (the flow cookie binds
/// the callback to that browser; the session cookie itself, `SameSite=Strict`, does not come
/// with the provider's cross-site redirect), still live; the provider's answer must be the
/// identity already linked to its account, and (OIDC) an authentication no older than the
/// flow.
async fn finish_step_up(
    app: &App,
    provider: Provider,
    flow: &store::identities::FlowRow,
    profile: &Profile,
    meta: &RequestMeta,
) -> Result<Finished> {
    let refused = |message: &str| Error::BadRequest {
        field: "state".into(),
        message: message.into(),
    };
    let now = app.now();
    let session = match flow.session_id.as_deref().map(str::parse) {
        Some(Ok(id)) => app.store.session_by_id(id).await?,
        _ => None,
    }
    .filter(|s| s.expires_at > now)
    .ok_or_else(|| refused("the session this confirmation was for has ended; sign in again"))?;
    let user = app.store.user(session.user_id).await?;
    let linked = app
        .store
        .identity(&profile.issuer, &profile.subject)
        .await?
        .is_some_and(|i| i.user_id == user.id);
    if !linked || !user.is_active {
        return Err(refused(
            "the provider signed in someone else than this account's linked identity",
        ));
    }
    if provider == Provider::Oidc {
        let fresh = profile
            .auth_time
            .is_some_and(|at| at >= flow.created_at - chrono::Duration::seconds(60));
        if !fresh {
            return Err(refused(
                "the provider did not ask you to sign in again (no recent auth_time)",
            ));
        }
    }
    let next = flow.next_path.clone().unwrap_or_else(|| "/".to_owned());
    let factor = !super::mfa::methods_for(app, user.id).await?.is_empty();
    if provider == Provider::Github && !factor {
        // The factor went away since the flow began: GitHub alone proves nothing.
        return Err(refused(GITHUB_ALONE));
    }
    let action = if factor {
        app.store
            .mark_session_provider_proved(session.id, now)
            .await?;
        "reauth.provider_proved"
    } else {
        app.store
            .mark_session_reauthenticated(session.id, now)
            .await?;
        "reauth.success"
    };
    let actor = Actor::User {
        id: user.id,
        username: user.username.clone(),
    };
    let detail = serde_json::json!({"method": provider.as_str()});
    audit::record(app, &actor, action, None, meta.ip, detail).await?;
    tracing::info!(target: "security", user = %user.id, provider = provider.as_str(), action, "step-up through the provider");
    Ok(if factor {
        Finished::FactorNext { next }
    } else {
        Finished::SteppedUp { next }
    })
}

/// A sign-in provider identity linked to an account, as its owner sees it.
#[derive(Debug, Clone)]
pub struct LinkedIdentity {
    /// "GitHub", or the OIDC provider's name.
    pub provider: String,
    pub email: Option<String>,
    pub linked_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The caller's own linked identities, oldest first.
pub async fn linked_identities(app: &App, principal: &Principal) -> Result<Vec<LinkedIdentity>> {
    let methods = settings::load(app).await?;
    Ok(app
        .store
        .identities_of(principal.user_id)
        .await?
        .into_iter()
        .map(|i| LinkedIdentity {
            provider: if i.provider == "github" {
                "GitHub".to_owned()
            } else {
                methods.oidc.provider_name.clone()
            },
            email: i.email,
            linked_at: i.created_at,
            last_used_at: i.last_used_at,
        })
        .collect())
}

/// Maps a failure to reach the provider to an error for people: 503 (try again later), with
/// the cause in the log.
pub(crate) fn unreachable(provider: Provider, cause: &str) -> Error {
    tracing::warn!(target: "security", provider = provider.as_str(), %cause, "identity provider unreachable");
    Error::Unavailable {
        retry_after: std::time::Duration::from_secs(30),
    }
}
