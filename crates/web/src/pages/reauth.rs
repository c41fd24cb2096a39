//! Step-up re-authentication pages (`GET`/`POST /profile/reauth`): "confirm it's you" with the
//! password (and the second factor when the account has one) before a security-sensitive
//! action. A form refused with `Error::ReauthRequired` lands here via [`reauth_href`] and comes
//! back to the page it was sent from.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use service::Error;
use service::auth::Principal;
use service::auth::mfa::{Method, Proof, methods_for};
use service::auth::{external, reauth};

use super::{PageContext, PageUser, chrome, error_page, safe_next, see_other, with_cookies};
use crate::AppState;
use crate::auth::{Caller, Meta};
use crate::routes::Table;
use crate::views::mfa::ReauthPage;

/// The step-up routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/profile/reauth", get(show))
        .add("POST", "/profile/reauth", post(confirm))
        .add("POST", "/profile/reauth/provider", post(with_provider))
}

/// The page that asks for the password again, returning to `next` (a same-site path).
pub fn reauth_href(next: &str) -> String {
    super::common::with_param("/profile/reauth", "next", &safe_next(Some(next)))
}

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

async fn render(
    state: &AppState,
    caller: &Caller,
    ctx: &PageContext,
    user: &Principal,
    next: String,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let app = &state.app;
    if app.config.single_user_mode {
        return error_page(
            app,
            caller,
            ctx,
            StatusCode::FORBIDDEN,
            "Single-user mode has no password to confirm.",
        );
    }
    let facts = async {
        Ok::<_, Error>((
            methods_for(app, user.user_id).await?,
            external::step_up_providers(app, user).await?,
            reauth::provider_proved(app, user).await?,
            app.store.user(user.user_id).await?.password_hash.is_some(),
            external::step_up_refusal(app, user).await?,
        ))
    };
    let (methods, providers, provider_proved, has_password, refusal) = match facts.await {
        Ok(facts) => facts,
        Err(err) => return crate::problem::ApiError(err).into_response(),
    };
    // Without a password, say why a linked provider is not offered (else the page offers
    // nothing and says nothing).
    let error = error.or_else(|| {
        refusal
            .filter(|_| !has_password)
            .map(|reason| format!("{reason}."))
    });
    let (chrome, cookie) = chrome(app, caller, ctx, "Confirm it's you");
    let page = ReauthPage {
        chrome,
        needs_factor: !methods.is_empty(),
        totp: methods.contains(&Method::Totp),
        recovery: methods.contains(&Method::RecoveryCode),
        webauthn: methods.contains(&Method::WebAuthn)
            && service::auth::mfa::webauthn::available(&app.config),
        webauthn_origin: service::auth::mfa::webauthn::origin(&app.config).unwrap_or_default(),
        error,
        next,
        providers: providers
            .into_iter()
            .map(|(p, name)| (p.as_str().to_owned(), name))
            .collect(),
        provider_proved: provider_proved && !methods.is_empty(),
        has_password,
    };
    let mut response = with_cookies(crate::views::render(&page), [cookie]);
    *response.status_mut() = status;
    response
}

/// `GET /profile/reauth?next=…`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    render(&state, &caller, &ctx, &user, next, StatusCode::OK, None).await
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

/// `POST /profile/reauth`: on success back to `next`.
pub async fn confirm(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Form(form): Form<ReauthForm>,
) -> Response {
    let app = &state.app;
    let next = safe_next(form.next.as_deref());
    let result = async {
        if form.password.is_empty() && !reauth::provider_proved(app, &user).await? {
            return Err(Error::invalid("password", "enter your password"));
        }
        let proof = match form.webauthn.as_deref().filter(|w| !w.trim().is_empty()) {
            Some(answer) => Some(Proof::webauthn(answer)?),
            None => Proof::from_fields(form.code.as_deref(), form.recovery_code.as_deref())?,
        };
        reauth::reauthenticate(app, &user, &form.password, proof.as_ref(), &meta).await
    }
    .await;
    let (status, message, retry) = match result {
        Ok(()) => return see_other(&next),
        Err(Error::Forbidden) if !app.config.single_user_mode => (
            StatusCode::FORBIDDEN,
            "That password or code is not right.".to_owned(),
            None,
        ),
        Err(Error::BadRequest { .. }) => (
            StatusCode::BAD_REQUEST,
            "Your security key's answer was not accepted. Try again.".to_owned(),
            None,
        ),
        Err(Error::Invalid(invalid)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            match invalid.field.as_str() {
                "password" => "Enter your password.".to_owned(),
                _ => format!("{}.", capitalised(&invalid.reason)),
            },
            None,
        ),
        Err(Error::RateLimited { retry_after }) => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts. Wait a few minutes and try again.".to_owned(),
            Some(retry_after.as_secs().max(1)),
        ),
        Err(err) => return crate::problem::ApiError(err).into_response(),
    };
    let mut response = render(&state, &caller, &ctx, &user, next, status, Some(message)).await;
    if let Some(secs) = retry
        && let Ok(value) = HeaderValue::from_str(&secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
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
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    headers: axum::http::HeaderMap,
    Form(form): Form<ProviderForm>,
) -> Response {
    let app = &state.app;
    let next = safe_next(form.next.as_deref());
    let browser = crate::cookies::read(&headers, crate::cookies::sign_in_flow_name(&app.config));
    let started = match external::Provider::parse(&form.provider) {
        Some(provider) => {
            external::start_step_up(app, &user, provider, &next, browser.as_deref(), &meta).await
        }
        None => Err(Error::invalid("provider", "choose a sign-in provider")),
    };
    let (status, message) = match started {
        Ok(started) => {
            return with_cookies(
                see_other(&started.location),
                [crate::cookies::set_sign_in_flow(
                    &app.config,
                    &started.browser,
                )],
            );
        }
        Err(Error::Invalid(invalid)) => (StatusCode::UNPROCESSABLE_ENTITY, invalid.reason),
        Err(Error::BadRequest { message, .. }) => (StatusCode::BAD_REQUEST, message),
        Err(Error::Unavailable { .. }) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the sign-in provider cannot be reached right now; try again later".to_owned(),
        ),
        Err(Error::RateLimited { .. }) => (
            StatusCode::TOO_MANY_REQUESTS,
            "too many attempts; wait a few minutes and try again".to_owned(),
        ),
        Err(err) => return crate::problem::ApiError(err).into_response(),
    };
    let message = Some(format!("{}.", capitalised(&message)));
    render(&state, &caller, &ctx, &user, next, status, message).await
}

/// `reason` with its first letter in upper case, for a sentence.
pub(crate) fn capitalised(reason: &str) -> String {
    let mut chars = reason.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
