//! Sign-in through an OIDC provider or GitHub (`/api/auth/{provider}/{login,callback}`),
//! and the administrators' sign-in methods API (`/api/admin/sign-in-methods`).
//!
//! The login and callback routes are browser navigations, not JSON calls: `login` answers 303
//! to the provider with the flow cookie; `callback` answers a small page that sets the session
//! (or pending second-factor) cookie and moves on to the app, or the sign-in page with the
//! reason and status (400 for a bad, foreign, used or expired state, a refused token or an
//! unlinked identity; 429; 503 when the provider cannot be reached). Provider tokens never
//! reach the browser.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use service::Error;
use service::auth::external::admin::{self, MethodsUpdate, MethodsView, ProviderTest};
use service::auth::external::{self, Callback, Finished, Provider};
use service::auth::mfa::pending::LoginOutcome;

use crate::AppState;
use crate::api::responses::{Denied, PROBLEM_JSON, Problem, Refused, TooMany};
use crate::auth::{AdminUser, Caller, Meta};
use crate::cookies;
use crate::json::ApiJson;
use crate::pages::account::{SignInForm, sign_in_page};
use crate::pages::{PageContext, chrome, safe_next, see_other, with_cookies};
use crate::problem::{ApiError, ApiResult};
use crate::routes::Table;
use crate::views::{self, ContinuePage};

/// Adds this module's routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/api/auth/{provider}/login", get(external_login))
        .add(
            "GET",
            "/api/auth/{provider}/callback",
            get(external_callback),
        )
        .add("GET", "/api/admin/sign-in-methods", get(sign_in_methods))
        .add(
            "PUT",
            "/api/admin/sign-in-methods",
            axum::routing::put(save_sign_in_methods),
        )
        .add(
            "POST",
            "/api/admin/sign-in-methods/test/{provider}",
            post(test_sign_in_method),
        )
}

/// `GET /api/auth/{provider}/login` (`oidc` or `github`): 303 to the provider.
#[utoipa::path(
    get,
    path = "/api/auth/{provider}/login",
    tag = "auth",
    params(("provider" = String, Path, description = "`oidc` or `github`")),
    security(()),
    responses(
        (status = 303, description = "To the provider's authorization endpoint, with the flow cookie"),
        TooMany,
        (status = 400, description = "This provider's sign-in is not turned on (the sign-in page, with the reason)"),
        (status = 404, description = "Unknown provider"),
        (status = 503, description = "The provider cannot be reached")
    )
)]
pub async fn external_login(
    state: State<AppState>,
    caller: Caller,
    ctx: PageContext,
    meta: Meta,
    headers: HeaderMap,
    Path(provider): Path<String>,
) -> Response {
    match provider_of(&provider) {
        Ok(provider) => begin(state, caller, ctx, meta, headers, provider).await,
        Err(err) => err.into_response(),
    }
}

fn provider_of(name: &str) -> Result<Provider, ApiError> {
    Provider::parse(name).ok_or(ApiError(Error::NotFound))
}

async fn begin(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    headers: HeaderMap,
    provider: Provider,
) -> Response {
    let browser = cookies::read(&headers, cookies::sign_in_flow_name(&state.app.config));
    match external::start(&state.app, provider, browser.as_deref(), &meta).await {
        Ok(started) => with_cookies(
            see_other(&started.location),
            [cookies::set_sign_in_flow(
                &state.app.config,
                &started.browser,
            )],
        ),
        Err(err) => refusal_page(&state.app, &caller, &ctx, err).await,
    }
}

/// The sign-in page again, with why this sign-in did not work and its status (400 refused,
/// 403 not available, 429 with `Retry-After`, 503 provider unreachable).
async fn refusal_page(
    app: &service::App,
    caller: &Caller,
    ctx: &PageContext,
    err: Error,
) -> Response {
    let (status, message, retry) = match err {
        Error::BadRequest { message, .. } => (StatusCode::BAD_REQUEST, message, None),
        Error::RateLimited { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sign-in attempts. Wait a few minutes and try again.".to_owned(),
            Some(retry_after.as_secs().max(1)),
        ),
        Error::Unavailable { .. } => (
            StatusCode::SERVICE_UNAVAILABLE,
            "The sign-in provider cannot be reached right now. Try again later.".to_owned(),
            None,
        ),
        Error::Forbidden => (
            StatusCode::FORBIDDEN,
            "This sign-in is not available here.".to_owned(),
            None,
        ),
        Error::Internal(_) => return ApiError(err).into_response(),
        _ => (
            StatusCode::BAD_REQUEST,
            "This sign-in could not be completed. Start again.".to_owned(),
            None,
        ),
    };
    let form = SignInForm {
        username: String::new(),
        password: String::new(),
        next: None,
        _csrf_token: None,
    };
    sign_in_page(
        app,
        caller,
        ctx,
        &form,
        false,
        Some((status, message, retry)),
    )
    .await
}

/// `GET /api/auth/{provider}/callback`: where the provider sends the browser back.
#[utoipa::path(
    get,
    path = "/api/auth/{provider}/callback",
    tag = "auth",
    params(("provider" = String, Path, description = "`oidc` or `github`")),
    security(()),
    responses(
        (status = 200, description = "Signed in (or second factor next), or a step-up confirmed: a page that sets the cookies and continues"),
        TooMany,
        (status = 400, description = "Missing, foreign, used or expired state; a refused code or ID token; no linked account"),
        (status = 404, description = "Unknown provider"),
        (status = 503, description = "The provider cannot be reached")
    )
)]
pub async fn external_callback(
    state: State<AppState>,
    caller: Caller,
    ctx: PageContext,
    meta: Meta,
    headers: HeaderMap,
    Path(provider): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = Callback::from_query(query.as_deref().unwrap_or_default());
    match provider_of(&provider) {
        Ok(provider) => complete(state, caller, ctx, meta, headers, query, provider).await,
        Err(err) => err.into_response(),
    }
}

async fn complete(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    headers: HeaderMap,
    callback: Callback,
    provider: Provider,
) -> Response {
    let app = &state.app;
    let config = &app.config;
    let browser = cookies::read(&headers, cookies::sign_in_flow_name(config));
    let outcome = external::finish(
        app,
        provider,
        &callback,
        browser.as_deref(),
        caller.session_token.as_deref(),
        &meta,
    )
    .await;
    // The flow cookie stays until it expires: a sign-in begun in another tab of this browser
    // still needs it (its flows are single use; the value alone opens nothing).
    let (to, cookie_list) = match outcome {
        Ok(Finished::SignIn(LoginOutcome::SignedIn(signed_in))) => (
            "/".to_owned(),
            cookies::signed_in(config, &signed_in).to_vec(),
        ),
        Ok(Finished::SignIn(LoginOutcome::SecondFactor(pending))) => (
            crate::pages::second_factor::href("/"),
            vec![cookies::set_mfa_pending(config, &pending.token)],
        ),
        Ok(Finished::SteppedUp { next }) => (safe_next(Some(&next)), Vec::new()),
        Ok(Finished::FactorNext { next }) => (crate::pages::reauth::reauth_href(&next), Vec::new()),
        Err(err) => return refusal_page(app, &caller, &ctx, err).await,
    };
    let (chrome, _) = chrome(app, &caller, &ctx, "Signing in");
    with_cookies(views::render(&ContinuePage { chrome, to }), cookie_list)
}

/// `GET /api/admin/sign-in-methods`: the sign-in methods in force (secrets never shown).
#[utoipa::path(
    get,
    path = "/api/admin/sign-in-methods",
    tag = "admin",
    responses(
        (status = 200, description = "OK", body = MethodsView),
        Denied
    )
)]
pub async fn sign_in_methods(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
) -> ApiResult<Json<MethodsView>> {
    Ok(Json(admin::view(&state.app, &admin).await?))
}

/// `PUT /api/admin/sign-in-methods`: saves every setting; refused (422 naming the field) when
/// it would leave no way to sign in or turns on a provider that does not work.
#[utoipa::path(
    put,
    path = "/api/admin/sign-in-methods",
    tag = "admin",
    request_body = MethodsUpdate,
    responses(
        (status = 200, description = "Saved", body = MethodsView),
        Denied,
        Refused,
        TooMany,
        (status = 422, description = "A field is invalid or a lock-out guard refused; `field` names it", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn save_sign_in_methods(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<MethodsUpdate>,
) -> ApiResult<Json<MethodsView>> {
    Ok(Json(admin::update(&state.app, &admin, body, &meta).await?))
}

/// `POST /api/admin/sign-in-methods/test/{provider}` (`oidc` or `github`): tries the settings
/// in the body without saving them.
#[utoipa::path(
    post,
    path = "/api/admin/sign-in-methods/test/{provider}",
    tag = "admin",
    request_body = MethodsUpdate,
    params(("provider" = String, Path, description = "`oidc` or `github`")),
    responses(
        (status = 200, description = "What the test found (`ok` false with a `problem` when it failed)", body = ProviderTest),
        Denied,
        Refused,
        TooMany,
        (status = 404, description = "Unknown provider", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn test_sign_in_method(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Meta(meta): Meta,
    Path(provider): Path<String>,
    ApiJson(body): ApiJson<MethodsUpdate>,
) -> ApiResult<Json<ProviderTest>> {
    let provider = provider_of(&provider)?;
    Ok(Json(
        admin::test_provider(&state.app, &admin, provider, body, &meta).await?,
    ))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    external_login,
    external_callback,
    sign_in_methods,
    save_sign_in_methods,
    test_sign_in_method
))]
pub struct Doc;
