//! The error answers the OpenAPI document names, shared by every API module's
//! `#[utoipa::path]`: each is a set of statuses with one description and the
//! `application/problem+json` body ([`Problem`]) that `problem.rs` and the extractors send.
//! A route lists the sets it can answer (`responses((status = 200, …), Denied, Missing)`);
//! a status whose meaning is particular to one route (409, a specific 422) is written there,
//! with `content_type = PROBLEM_JSON`. The test `every_error_answer_is_problem_json` checks
//! that no error response of the document is left as plain JSON.

pub use crate::problem::{PROBLEM_JSON, Problem};

/// 401: the route needs a session.
#[derive(utoipa::IntoResponses)]
pub enum Unauthenticated {
    #[response(status = 401, description = "Not signed in", content_type = PROBLEM_JSON)]
    NotSignedIn(Problem),
}

/// 403 alone: a refusal after the caller is known (or on a route without a session).
#[derive(utoipa::IntoResponses)]
pub enum Forbidden {
    #[response(
        status = 403,
        description = "Not allowed; `code` says why where it can: `csrf` (missing or invalid \
                       CSRF token), `cross_site` (sent from another site), `reauth_required` \
                       (confirm the password again with `POST /api/auth/reauth`)",
        content_type = PROBLEM_JSON
    )]
    Forbidden(Problem),
}

/// 401 and 403: every route that needs a session.
#[derive(utoipa::IntoResponses)]
pub enum Denied {
    #[response(status = 401, description = "Not signed in", content_type = PROBLEM_JSON)]
    Unauthenticated(Problem),
    #[response(
        status = 403,
        description = "Not allowed: a non-administrator on an admin route, the bootstrap \
                       administrator (who has no data) on a data route, or `code` says why: \
                       `csrf` (missing or invalid CSRF token), `cross_site` (sent from another \
                       site), `reauth_required` (confirm the password again with \
                       `POST /api/auth/reauth`, then retry within 5 minutes)",
        content_type = PROBLEM_JSON
    )]
    Forbidden(Problem),
}

/// 404: the path names an item that does not exist, is not the caller's, or is not an id.
#[derive(utoipa::IntoResponses)]
pub enum Missing {
    #[response(
        status = 404,
        description = "No such item (or not yours, or not an id)",
        content_type = PROBLEM_JSON
    )]
    NotFound(Problem),
}

/// 400, 415 and 422: a route that reads a JSON body (and maybe query parameters).
#[derive(utoipa::IntoResponses)]
pub enum Refused {
    #[response(status = 400, description = "The body is not valid JSON", content_type = PROBLEM_JSON)]
    BadJson(Problem),
    #[response(
        status = 415,
        description = "The body is not application/json",
        content_type = PROBLEM_JSON
    )]
    NotJson(Problem),
    #[response(
        status = 422,
        description = "A field or parameter is invalid; `field` names it",
        content_type = PROBLEM_JSON
    )]
    Invalid(Problem),
}

/// 422 alone: a route whose only input is its query string or path.
#[derive(utoipa::IntoResponses)]
pub enum BadQuery {
    #[response(
        status = 422,
        description = "A parameter is invalid; `field` names it",
        content_type = PROBLEM_JSON
    )]
    Invalid(Problem),
}

/// 429: a rate-limited route.
#[derive(utoipa::IntoResponses)]
pub enum TooMany {
    #[response(
        status = 429,
        description = "Too many requests; see Retry-After",
        content_type = PROBLEM_JSON
    )]
    TooManyRequests(Problem),
}

/// 409: a route whose change can meet a changed state (a stale `version`, applied or matched
/// already, a name in use); `field` says which.
#[derive(utoipa::IntoResponses)]
pub enum Conflicted {
    #[response(
        status = 409,
        description = "The state changed or forbids it (stale version, done already, name in use); `field` names it",
        content_type = PROBLEM_JSON
    )]
    Conflict(Problem),
}
