//! `GET /api/openapi.json`: the OpenAPI 3.1 description of the JSON API, generated from the
//! handlers' `#[utoipa::path]` declarations. Each API module declares its own `Doc`; this file
//! merges them, and [`super::constraints`] adds the input constraints of the validators. A
//! test checks that every `/api` route of the router is described.

use axum::Json;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

/// The whole document, as served: the generated one with the validators' constraints.
pub fn document() -> serde_json::Value {
    let mut doc = serde_json::to_value(generated()).unwrap_or_default();
    if let Err(problem) = super::constraints::apply(&mut doc) {
        // Only a table out of step with the types gets here; a unit test fails on it first.
        tracing::error!(%problem, "OpenAPI constraints not applied");
    }
    doc
}

/// The document as the handlers' declarations generate it.
pub fn generated() -> utoipa::openapi::OpenApi {
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
        super::bank::Doc::openapi(),
        super::imports::Doc::openapi(),
        super::presets::Doc::openapi(),
        super::matching::Doc::openapi(),
        super::rules::Doc::openapi(),
        super::bank_sync_admin::Doc::openapi(),
        super::sync::Doc::openapi(),
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
    components.add_security_scheme(
        "mfa_pending",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            "bt_mfa_pending",
            "The pending sign-in a right password opens for an account with a second factor \
             (POST /api/auth/login answers `mfa_required`); no session yet.",
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
        (name = "transactions", description = "Bank accounts, transactions and statement imports"),
        (name = "tracker", description = "The month view, per-month state and tracking settings"),
        (name = "demo", description = "Demo data in the caller's own account"),
        (name = "bank-sync", description = "Bank sync with the caller's SimpleFIN Bridge: connections, accounts, sync")
    )
)]
struct Base;

/// `GET /api/openapi.json`.
pub async fn serve() -> Json<serde_json::Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_answer_is_problem_json() {
        let doc = document();
        let mut plain = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                    let Some(content) = response.get("content").and_then(|c| c.as_object()) else {
                        continue;
                    };
                    let error = status.starts_with('4') || status.starts_with('5');
                    if error && content.keys().any(|k| k != crate::problem::PROBLEM_JSON) {
                        plain.push(format!("{method} {path} {status}"));
                    }
                }
            }
        }
        assert!(
            plain.is_empty(),
            "error answers documented as plain JSON: {plain:?}"
        );
    }
}
