//! The administrators' sign-in methods API (`/api/admin/sign-in-methods`). The sign-in through
//! a provider (`/api/auth/{provider}/{login,callback}`) is a browser flow, in
//! [`crate::pages::external`]; its entries of the OpenAPI document are listed here.

use axum::Json;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use service::Error;
use service::auth::external::Provider;
use service::auth::external::admin;

use super::wire::sign_in_methods::{MethodsUpdate, MethodsView, ProviderTest};
use crate::AppState;
use crate::api::responses::{Denied, PROBLEM_JSON, Problem, Refused, TooMany};
use crate::auth::{AdminUser, Meta};
use crate::json::ApiJson;
use crate::problem::{ApiError, ApiResult};
use crate::routes::Table;

/// Adds this module's routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
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

fn provider_of(name: &str) -> Result<Provider, ApiError> {
    Provider::parse(name).ok_or(ApiError(Error::NotFound))
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
    Ok(Json(MethodsView::from(
        &admin::view(&state.app, &admin).await?,
    )))
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
    let saved = admin::update(&state.app, &admin, body.into(), &meta).await?;
    Ok(Json(MethodsView::from(&saved)))
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
    let found = admin::test_provider(&state.app, &admin, provider, body.into(), &meta).await?;
    Ok(Json(ProviderTest::from(&found)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    crate::pages::external::external_login,
    crate::pages::external::external_callback,
    sign_in_methods,
    save_sign_in_methods,
    test_sign_in_method
))]
pub struct Doc;
