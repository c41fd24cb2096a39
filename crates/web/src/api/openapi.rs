//! `GET /api/openapi.json`: the OpenAPI 3.1 description of the JSON API, generated from the
//! handlers' `#[utoipa::path]` declarations. Each API module declares its own `Doc`; this file
//! merges them. A test checks that every `/api` route of the router is described.

use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = Base::openapi();
    for part in [
        super::auth::Doc::openapi(),
        super::mfa::Doc::openapi(),
        super::webauthn::Doc::openapi(),
        super::profile::Doc::openapi(),
        super::admin::Doc::openapi(),
        super::bills::Doc::openapi(),
        super::money::Doc::openapi(),
        super::tracker::Doc::openapi(),
        super::demo::Doc::openapi(),
        super::external::Doc::openapi(),
    ] {
        doc.merge(part);
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            "bt_session",
            "Session cookie set by POST /api/auth/login. Unsafe methods also need the \
             x-csrf-token header (GET /api/auth/csrf-token).",
        ))),
    );
    doc
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "BillTracker API",
        description = "JSON API of BillTracker. Errors are application/problem+json (RFC 9457) \
                       with the failing field named in `field`.",
        license(name = "AGPL-3.0-or-later")
    ),
    security(("session" = [])),
    tags(
        (name = "auth", description = "Sign-in, sign-out, CSRF token, password"),
        (name = "profile", description = "The signed-in user's sessions and sign-in history"),
        (name = "admin", description = "User administration and the audit log (administrators)"),
        (name = "bills", description = "Recurring bills and categories"),
        (name = "money", description = "Payments, expenses and budgets"),
        (name = "tracker", description = "The month view, per-month state and tracking settings"),
        (name = "demo", description = "Demo data in the caller's own account")
    )
)]
struct Base;

/// `GET /api/openapi.json`.
pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
