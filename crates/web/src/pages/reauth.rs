//! Step-up re-authentication pages (`GET`/`POST /profile/reauth`): "confirm it's you" with the
//! password (and the second factor when the account has one), or at the linked sign-in
//! provider, before a security-sensitive action. A form refused with `Error::ReauthRequired`
//! lands here via [`reauth_href`] and comes back to the page it was sent from.
//!
//! A refused confirmation is the page again with the reason and its status (403, 400, 422,
//! 429 with `Retry-After`, 503 when the provider cannot be reached); single-user mode has no
//! password to confirm (403).

use axum::Form;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde::Deserialize;
use service::auth::mfa::{Method, Proof, methods_for, webauthn};
use service::auth::{Principal, external, reauth};
use service::{App, Error};

use super::PageUser;
use super::kit::{Page, PageResult};
use super::refusal::{Refusal, sentence};
use super::{chrome, safe_next, see_other, with_cookies};
use crate::auth::Meta;
use crate::cookies;
use crate::links;
use crate::routes::Table;
use crate::views::mfa::ReauthPage;

/// The step-up routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::REAUTH.path(), get(show))
        .add("POST", links::REAUTH.path(), post(confirm))
        .add("POST", links::REAUTH_PROVIDER.path(), post(with_provider))
}

pub use super::href::reauth_href;

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// What the page offers `user`: the second factors, the linked providers, whether a provider
/// already proved it is them, whether there is a password, and why no provider is offered.
struct Offer {
    methods: Vec<Method>,
    providers: Vec<(String, String)>,
    provider_proved: bool,
    has_password: bool,
    refusal: Option<&'static str>,
}

impl Offer {
    async fn of(app: &App, user: &Principal) -> Result<Offer, Error> {
        Ok(Offer {
            methods: methods_for(app, user.user_id).await?,
            providers: external::step_up_providers(app, user)
                .await?
                .into_iter()
                .map(|(p, name)| (p.as_str().to_owned(), name))
                .collect(),
            provider_proved: reauth::provider_proved(app, user).await?,
            has_password: app.store.user(user.user_id).await?.password_hash.is_some(),
            refusal: external::step_up_refusal(app, user).await?,
        })
    }
}

/// The page for `user`, returning to `next`, with `refusal` when an attempt failed.
async fn draw(page: &Page, user: &Principal, next: String, refusal: Option<Refusal>) -> PageResult {
    let app = &page.app;
    if app.config.single_user_mode {
        let no_password = "Single-user mode has no password to confirm.";
        return Ok(Refusal::new(StatusCode::FORBIDDEN, no_password)
            .page(page)
            .await);
    }
    let offer = Offer::of(app, user).await?;
    // Without a password, say why a linked provider is not offered (else the page offers
    // nothing and says nothing).
    let error = refusal.as_ref().map(|r| r.message.clone()).or_else(|| {
        let why = offer.refusal.filter(|_| !offer.has_password);
        why.map(|reason| format!("{reason}."))
    });
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(app, &page.caller, &ctx, "Confirm it's you");
    let view = ReauthPage {
        chrome,
        needs_factor: !offer.methods.is_empty(),
        totp: offer.methods.contains(&Method::Totp),
        recovery: offer.methods.contains(&Method::RecoveryCode),
        webauthn: offer.methods.contains(&Method::WebAuthn) && webauthn::available(&app.config),
        webauthn_origin: webauthn::origin(&app.config).unwrap_or_default(),
        error,
        next,
        providers: offer.providers,
        provider_proved: offer.provider_proved && !offer.methods.is_empty(),
        has_password: offer.has_password,
    };
    let response = with_cookies(crate::views::render(&view), [cookie]);
    Ok(Refusal::applied(refusal.as_ref(), response))
}

/// `GET /profile/reauth?next=…`.
pub async fn show(page: Page, PageUser(user): PageUser, Query(q): Query<NextQuery>) -> PageResult {
    draw(&page, &user, safe_next(q.next.as_deref()), None).await
}

#[derive(Deserialize)]
pub struct ReauthForm {
    #[serde(default)]
    pub password: String,
    pub code: Option<String>,
    pub recovery_code: Option<String>,
    /// A security key's answer (`credential.toJSON()`), filled in by webauthn.js.
    pub webauthn: Option<String>,
    pub next: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

impl ReauthForm {
    /// The second factor sent, if any: a security key's answer, else a code or recovery code.
    fn proof(&self) -> Result<Option<Proof>, Error> {
        match self.webauthn.as_deref().filter(|w| !w.trim().is_empty()) {
            Some(answer) => Proof::webauthn(answer).map(Some),
            None => Proof::from_fields(self.code.as_deref(), self.recovery_code.as_deref()),
        }
    }
}

/// `POST /profile/reauth`: on success back to `next`.
pub async fn confirm(
    page: Page,
    PageUser(user): PageUser,
    Meta(meta): Meta,
    Form(form): Form<ReauthForm>,
) -> PageResult {
    let next = safe_next(form.next.as_deref());
    match step_up(&page.app, &user, &form, &meta).await {
        Ok(()) => Ok(see_other(&next)),
        Err(err) => {
            let refusal = refused(err)?;
            draw(&page, &user, next, Some(refusal)).await
        }
    }
}

/// Confirms it is `user` with the form's password and second factor (the password may be left
/// out after a linked provider proved it).
async fn step_up(
    app: &App,
    user: &Principal,
    form: &ReauthForm,
    meta: &service::auth::RequestMeta,
) -> Result<(), Error> {
    if form.password.is_empty() && !reauth::provider_proved(app, user).await? {
        return Err(Error::invalid("password", "enter your password"));
    }
    let proof = form.proof()?;
    reauth::reauthenticate(app, user, &form.password, proof.as_ref(), meta).await
}

/// How a refused confirmation is told on the page (in single-user mode the page is its 403);
/// other failures are the kit's.
fn refused(err: Error) -> Result<Refusal, Error> {
    Ok(match err {
        Error::Forbidden => {
            Refusal::new(StatusCode::FORBIDDEN, "That password or code is not right.")
        }
        Error::BadRequest { .. } => Refusal::new(
            StatusCode::BAD_REQUEST,
            "Your security key's answer was not accepted. Try again.",
        ),
        Error::Invalid(invalid) if invalid.field == "password" => {
            Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "Enter your password.")
        }
        Error::Invalid(invalid) => {
            Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, sentence(&invalid.reason))
        }
        Error::RateLimited { retry_after } => Refusal::rate_limited(
            "Too many attempts. Wait a few minutes and try again.",
            retry_after,
        ),
        err => return Err(err),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProviderForm {
    pub provider: String,
    pub next: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /profile/reauth/provider`: confirm it's you at the sign-in provider the account is
/// linked to (303 there, with the flow cookie); the provider sends the browser back to the
/// callback, which returns to `next`, or here for the second factor.
pub async fn with_provider(
    page: Page,
    PageUser(user): PageUser,
    Meta(meta): Meta,
    headers: HeaderMap,
    Form(form): Form<ProviderForm>,
) -> PageResult {
    let (app, next) = (&page.app, safe_next(form.next.as_deref()));
    let browser = cookies::read(&headers, cookies::sign_in_flow_name(&app.config));
    let started = match external::Provider::parse(&form.provider) {
        Some(provider) => {
            external::start_step_up(app, &user, provider, &next, browser.as_deref(), &meta).await
        }
        None => Err(Error::invalid("provider", "choose a sign-in provider")),
    };
    match started {
        Ok(started) => {
            let flow = cookies::set_sign_in_flow(&app.config, &started.browser);
            Ok(with_cookies(see_other(&started.location), [flow]))
        }
        Err(err) => draw(&page, &user, next, Some(provider_refused(err)?)).await,
    }
}

/// How a provider step-up that could not start is told on the page; other failures are the
/// kit's.
fn provider_refused(err: Error) -> Result<Refusal, Error> {
    let (status, reason) = match err {
        Error::Invalid(invalid) => (StatusCode::UNPROCESSABLE_ENTITY, invalid.reason),
        Error::BadRequest { message, .. } => (StatusCode::BAD_REQUEST, message),
        Error::Unavailable { .. } => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the sign-in provider cannot be reached right now; try again later".to_owned(),
        ),
        Error::RateLimited { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "too many attempts; wait a few minutes and try again".to_owned(),
        ),
        err => return Err(err),
    };
    Ok(Refusal::new(status, sentence(&reason)))
}
