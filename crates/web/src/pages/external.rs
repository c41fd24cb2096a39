//! Sign-in through an OIDC provider or GitHub (`/api/auth/{provider}/{login,callback}`): browser
//! navigations, not JSON calls, so they live with the pages (their addresses, under `/api`,
//! are kept for the providers' registered callbacks; they are in the OpenAPI document).
//!
//! `login` answers 303 to the provider with the flow cookie; `callback` answers a small page
//! that sets the session (or pending second-factor) cookie and moves on to the app. Every
//! refusal is the sign-in page with the reason and its status: 404 for an unknown provider,
//! 400 for a bad, foreign, used or expired state, a refused token or an unlinked identity, 403
//! when the sign-in is not available, 429 with `Retry-After`, 503 when the provider cannot be
//! reached or the server failed. These addresses are outside the page kit's presenter (which
//! leaves `/api` alone), so the handlers answer HTML themselves. Provider tokens never reach
//! the browser.

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use service::Error;
use service::auth::RequestMeta;
use service::auth::external::{self, Callback, Finished, Provider};
use service::auth::mfa::pending::LoginOutcome;

use super::account::{SignInForm, sign_in_page};
use super::kit::Page;
use super::refusal::Refusal;
use super::{chrome, safe_next, see_other, with_cookies};
use crate::auth::Meta;
use crate::cookies;
use crate::links;
use crate::routes::Table;
use crate::views::{self, ContinuePage};

/// The external sign-in routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::PROVIDER_LOGIN.template(), get(external_login))
        .add(
            "GET",
            links::PROVIDER_CALLBACK.template(),
            get(external_callback),
        )
}

/// `GET /api/auth/{provider}/login` (`oidc` or `github`): 303 to the provider.
#[utoipa::path(
    get,
    path = links::PROVIDER_LOGIN.template(),
    tag = "auth",
    params(("provider" = String, Path, description = "`oidc` or `github`")),
    security(()),
    responses(
        (status = 303, description = "To the provider's authorization endpoint, with the flow cookie"),
        crate::api::responses::TooMany,
        (status = 400, description = "This provider's sign-in is not turned on (the sign-in page, with the reason)"),
        (status = 404, description = "Unknown provider"),
        (status = 503, description = "The provider cannot be reached")
    )
)]
pub async fn external_login(
    page: Page,
    Meta(meta): Meta,
    headers: HeaderMap,
    Path(provider): Path<String>,
) -> Response {
    let app = &page.app;
    let browser = cookies::read(&headers, cookies::sign_in_flow_name(&app.config));
    let started = match provider_of(&provider) {
        Ok(provider) => external::start(app, provider, browser.as_deref(), &meta).await,
        Err(err) => Err(err),
    };
    match started {
        Ok(started) => {
            let flow = cookies::set_sign_in_flow(&app.config, &started.browser);
            with_cookies(see_other(&started.location), [flow])
        }
        Err(err) => refused(&page, err).await,
    }
}

/// The provider named in the path; an unknown one is not found.
fn provider_of(name: &str) -> Result<Provider, Error> {
    Provider::parse(name).ok_or(Error::NotFound)
}

/// `GET /api/auth/{provider}/callback`: where the provider sends the browser back.
#[utoipa::path(
    get,
    path = links::PROVIDER_CALLBACK.template(),
    tag = "auth",
    params(("provider" = String, Path, description = "`oidc` or `github`")),
    security(()),
    responses(
        (status = 200, description = "Signed in (or second factor next), or a step-up confirmed: a page that sets the cookies and continues"),
        crate::api::responses::TooMany,
        (status = 400, description = "Missing, foreign, used or expired state; a refused code or ID token; no linked account"),
        (status = 404, description = "Unknown provider"),
        (status = 503, description = "The provider cannot be reached")
    )
)]
pub async fn external_callback(
    page: Page,
    Meta(meta): Meta,
    headers: HeaderMap,
    Path(provider): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let callback = Callback::from_query(query.as_deref().unwrap_or_default());
    let finished = match provider_of(&provider) {
        Ok(provider) => finish(&page, provider, &callback, &headers, &meta).await,
        Err(err) => Err(err),
    };
    match finished {
        Ok((to, cookies_)) => {
            let ctx = page.context().await;
            let (chrome, _) = chrome(&page.app, &page.caller, &ctx, "Signing in");
            with_cookies(views::render(&ContinuePage { chrome, to }), cookies_)
        }
        Err(err) => refused(&page, err).await,
    }
}

/// Finishes the provider's answer: where to continue and the cookies to set.
async fn finish(
    page: &Page,
    provider: Provider,
    callback: &Callback,
    headers: &HeaderMap,
    meta: &RequestMeta,
) -> Result<(String, Vec<Option<HeaderValue>>), Error> {
    let config = &page.app.config;
    let browser = cookies::read(headers, cookies::sign_in_flow_name(config));
    let session = page.caller.session_token.as_deref();
    let outcome = external::finish(
        &page.app,
        provider,
        callback,
        browser.as_deref(),
        session,
        meta,
    )
    .await?;
    // The flow cookie stays until it expires: a sign-in begun in another tab of this browser
    // still needs it (its flows are single use; the value alone opens nothing).
    Ok(match outcome {
        Finished::SignIn(LoginOutcome::SignedIn(signed_in)) => (
            links::TRACKER.path().to_owned(),
            cookies::signed_in(config, &signed_in).to_vec(),
        ),
        Finished::SignIn(LoginOutcome::SecondFactor(pending)) => (
            super::second_factor::href(links::TRACKER.path()),
            vec![cookies::set_mfa_pending(config, &pending.token)],
        ),
        Finished::SteppedUp { next } => (safe_next(Some(&next)), Vec::new()),
        Finished::FactorNext { next } => (super::reauth::reauth_href(&next), Vec::new()),
    })
}

/// The sign-in page again, with why this sign-in did not work and its status.
async fn refused(page: &Page, err: Error) -> Response {
    let refusal = match err {
        Error::NotFound => Refusal::new(
            StatusCode::NOT_FOUND,
            "There is no such sign-in provider here.",
        ),
        Error::BadRequest { message, .. } => Refusal::new(StatusCode::BAD_REQUEST, message),
        Error::RateLimited { retry_after } => Refusal::rate_limited(
            "Too many sign-in attempts. Wait a few minutes and try again.",
            retry_after,
        ),
        Error::Unavailable { .. } => Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The sign-in provider cannot be reached right now. Try again later.",
        ),
        Error::Forbidden => {
            Refusal::new(StatusCode::FORBIDDEN, "This sign-in is not available here.")
        }
        err @ Error::Internal(_) => {
            tracing::error!(error = %err, "external sign-in failed");
            Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Something went wrong on our side; try again in a moment.",
            )
        }
        _ => Refusal::new(
            StatusCode::BAD_REQUEST,
            "This sign-in could not be completed. Start again.",
        ),
    };
    // Only when even the sign-in page cannot be drawn (its settings unreadable) is the answer
    // a bare status.
    sign_in_page(page, &SignInForm::blank(None), false, Some(refusal))
        .await
        .unwrap_or_else(IntoResponse::into_response)
}
