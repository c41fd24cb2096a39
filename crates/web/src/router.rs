//! The router: every route of the application in one table (assembled here from each area's
//! `routes`), and the layers every request goes through. The table also lists each (method,
//! path) pair, so the authorisation-matrix test can fail when a route exists that the matrix
//! does not cover.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{delete, get, patch, post, put};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::routes::{RouteSpec, Table};
use crate::{
    AppState, api, assets, auth, cors, headers, health, hosts, metrics, observe, pages, upload,
};

fn table() -> Table {
    Table::new()
        // Operations.
        .add("GET", "/healthz", get(health::healthz))
        .add("GET", "/readyz", get(health::readyz))
        .add("GET", "/metrics", get(metrics::serve))
        .add("GET", "/static/{*path}", get(assets::serve))
        .add("GET", "/sw.js", get(assets::service_worker))
        // Pages.
        .then(pages::tracker::routes)
        .then(pages::welcome::routes)
        .then(pages::occurrence::routes)
        .then(pages::cash::routes)
        .then(pages::account::routes)
        .then(pages::security::routes)
        .then(pages::second_factor::routes)
        .then(pages::reauth::routes)
        .then(pages::security::two_step::routes)
        .then(pages::security::webauthn::routes)
        .then(pages::external::routes)
        .then(pages::expenses::routes)
        .then(pages::budgets::routes)
        .then(pages::analytics::routes)
        .then(pages::profile::routes)
        .then(pages::bill_currency::routes)
        .then(pages::admin::routes)
        .then(pages::bills::routes)
        .then(pages::categories::routes)
        .then(pages::transactions::routes)
        .then(pages::transaction::routes)
        .then(pages::import_presets::routes)
        .then(pages::rules::routes)
        .then(pages::imports::routes)
        .then(pages::bank_sync::routes)
        // JSON API: auth.
        .add("GET", "/api/auth/csrf-token", get(api::auth::csrf_token))
        .add("GET", "/api/auth/mode", get(api::auth::mode))
        .add("POST", "/api/auth/login", post(api::auth::login))
        .add("POST", "/api/auth/logout", post(api::auth::logout))
        .add("GET", "/api/auth/me", get(api::auth::me))
        .add(
            "POST",
            "/api/auth/password",
            post(api::auth::change_password),
        )
        // JSON API: second factors and step-up.
        .add("POST", "/api/auth/mfa/verify", post(api::mfa::verify))
        .add("GET", "/api/auth/mfa/enrolment", get(api::mfa::enrolment))
        .add("POST", "/api/auth/reauth", post(api::mfa::reauthenticate))
        .add("GET", "/api/profile/mfa", get(api::mfa::status))
        .add("POST", "/api/profile/mfa/totp", post(api::mfa::start_totp))
        .add(
            "POST",
            "/api/profile/mfa/totp/confirm",
            post(api::mfa::confirm_totp),
        )
        .add(
            "DELETE",
            "/api/profile/mfa/totp",
            delete(api::mfa::disable_totp),
        )
        .add(
            "POST",
            "/api/profile/mfa/recovery-codes",
            post(api::mfa::regenerate_codes),
        )
        // JSON API: security keys and passkeys.
        .add(
            "POST",
            "/api/profile/webauthn/register/start",
            post(api::webauthn::register_start),
        )
        .add(
            "POST",
            "/api/profile/webauthn/register/finish",
            post(api::webauthn::register_finish),
        )
        .add("GET", "/api/profile/webauthn", get(api::webauthn::list))
        .add(
            "PATCH",
            "/api/profile/webauthn/{id}",
            patch(api::webauthn::rename),
        )
        .add(
            "DELETE",
            "/api/profile/webauthn/{id}",
            delete(api::webauthn::remove),
        )
        .add(
            "POST",
            "/api/auth/mfa/webauthn/start",
            post(api::webauthn::second_factor_start),
        )
        .add(
            "POST",
            "/api/auth/mfa/webauthn/finish",
            post(api::webauthn::second_factor_finish),
        )
        .add(
            "POST",
            "/api/auth/reauth/webauthn/start",
            post(api::webauthn::reauth_start),
        )
        .add(
            "POST",
            "/api/auth/passkey/start",
            post(api::webauthn::passkey_start),
        )
        .add(
            "POST",
            "/api/auth/passkey/finish",
            post(api::webauthn::passkey_finish),
        )
        .add("GET", "/api/admin/mfa-policy", get(api::mfa::get_policy))
        .add("PUT", "/api/admin/mfa-policy", put(api::mfa::set_policy))
        .add(
            "DELETE",
            "/api/admin/users/{id}/mfa",
            delete(api::mfa::reset_user),
        )
        // JSON API: profile.
        .add("GET", "/api/profile/sessions", get(api::profile::sessions))
        .add(
            "DELETE",
            "/api/profile/sessions/{id}",
            delete(api::profile::end_session),
        )
        .add(
            "POST",
            "/api/profile/sessions/end-others",
            post(api::profile::end_other_sessions),
        )
        .add(
            "GET",
            "/api/profile/login-history",
            get(api::profile::login_history),
        )
        // JSON API: administration.
        .add("GET", "/api/admin/users", get(api::admin::list_users))
        .add("POST", "/api/admin/users", post(api::admin::create_user))
        .add("GET", "/api/admin/users/{id}", get(api::admin::get_user))
        .add(
            "PATCH",
            "/api/admin/users/{id}",
            patch(api::admin::update_user),
        )
        .add(
            "DELETE",
            "/api/admin/users/{id}",
            delete(api::admin::delete_user),
        )
        .add(
            "POST",
            "/api/admin/users/{id}/password",
            post(api::admin::reset_password),
        )
        .add(
            "DELETE",
            "/api/admin/users/{id}/sessions",
            delete(api::admin::end_user_sessions),
        )
        .add(
            "POST",
            "/api/admin/sessions/end-all",
            post(api::admin::end_all_sessions),
        )
        .add("GET", "/api/admin/audit-log", get(api::admin::audit_log))
        .add("GET", "/api/openapi.json", get(api::openapi::serve))
        .then(api::bills::routes)
        .then(api::money::routes)
        .then(api::tracker::routes)
        .then(api::demo::routes)
        .then(api::external::routes)
        .then(api::bank::routes)
        .then(api::imports::routes)
        .then(api::presets::routes)
        .then(api::matching::routes)
        .then(api::rules::routes)
        .then(api::bank_sync_admin::routes)
        .then(api::sync::routes)
}

/// Every route of the application.
pub fn route_specs() -> Vec<RouteSpec> {
    table().into_parts().2
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The application plus `extra` routes, which get the same layers (tests add failing or slow
/// routes this way; production passes none).
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let config = state.app.config.clone();
    let (routes, uploads, _) = table().into_parts();
    let limit = config.request_body_limit;
    routes
        .merge(extra)
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
        .merge(
            uploads
                .layer(DefaultBodyLimit::max(upload::UPLOAD_BODY_LIMIT))
                .layer(RequestBodyLimitLayer::new(upload::UPLOAD_BODY_LIMIT)),
        )
        .fallback(pages::not_found)
        // Innermost but for the body limits above (per route group): who is calling, and CSRF
        // (which bounds a form body it buffers by the same limit, answering 413 over it).
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        // Every error answer of a browser route becomes an HTML page (never problem+json).
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages::kit::present,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    observe::observe,
                ))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    headers::security_headers,
                ))
                // Before CORS and sessions: a request for a foreign host gets nothing (DNS
                // rebinding).
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    hosts::check_host,
                ))
                .layer(middleware::from_fn_with_state(state.clone(), cors::cors))
                .layer(CatchPanicLayer::custom(observe::panic_response))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    config.request_timeout,
                ))
                // The outer bound of any body (the route groups' own limits are within it).
                .layer(RequestBodyLimitLayer::new(
                    config.request_body_limit.max(upload::UPLOAD_BODY_LIMIT),
                )),
        )
        .with_state(state)
}
