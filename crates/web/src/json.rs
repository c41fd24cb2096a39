//! The JSON body extractor of the API: like `axum::Json`, but every refusal is problem+json
//! naming the field where there is one — 415 for another content type (so a cross-site form
//! or `text/plain` "simple request" cannot reach a JSON route), 400 for broken JSON, 422 for a
//! missing, unknown or wrongly typed field. Request types use `deny_unknown_fields`, so
//! `{"user_id": …}` or `{"role": …}` smuggled into a body is refused, not ignored.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::problem::Problem;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(problem_for(&rejection)),
        }
    }
}

fn problem_for(rejection: &JsonRejection) -> Problem {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE)
                .detail("Send the body as application/json.")
        }
        JsonRejection::JsonSyntaxError(_) => {
            Problem::new(StatusCode::BAD_REQUEST).detail("The body is not valid JSON.")
        }
        JsonRejection::JsonDataError(err) => {
            let message = std::error::Error::source(err)
                .map(ToString::to_string)
                .unwrap_or_else(|| err.body_text());
            let field = field_of(&message);
            let mut problem =
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY).detail(readable(&message));
            if let Some(field) = field {
                problem = problem.field(field);
            }
            problem
        }
        JsonRejection::BytesRejection(_) => Problem::new(StatusCode::PAYLOAD_TOO_LARGE),
        _ => Problem::new(StatusCode::BAD_REQUEST),
    }
}

/// The field serde complained about: "unknown field `role`", "missing field `password`",
/// or the path prefix "password: invalid type…" that `serde_path_to_error` adds.
fn field_of(message: &str) -> Option<String> {
    for marker in ["unknown field `", "missing field `"] {
        if let Some(rest) = message.split(marker).nth(1) {
            return rest.split('`').next().map(str::to_owned);
        }
    }
    let (path, _) = message.split_once(": ")?;
    let path = path.trim();
    (!path.is_empty() && !path.contains(' ')).then(|| path.to_owned())
}

/// Drops serde's "at line 1 column 42" position, which means nothing to a person.
fn readable(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_serde_complains_about() {
        assert_eq!(
            field_of("unknown field `role`, expected one of `a`").as_deref(),
            Some("role")
        );
        assert_eq!(
            field_of("missing field `password` at line 1 column 2").as_deref(),
            Some("password")
        );
        assert_eq!(
            field_of("username: invalid type: integer `5`, expected a string").as_deref(),
            Some("username")
        );
        assert_eq!(
            readable("missing field `x` at line 1 column 2"),
            "missing field `x`"
        );
    }
}
