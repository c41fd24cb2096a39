//! Sign-in, sign-out and the one-time first-run setup page.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use service::Error;
use service::auth::login;
use service::auth::mfa::pending::LoginOutcome;

use super::profile::labelled;
use super::{
    PageContext, chrome, error_page, safe_next, see_other, signed_in_redirect, with_cookies,
};
use crate::AppState;
use crate::auth::{Caller, LocalLogin, Meta};
use crate::routes::Table;
use crate::views::{self, SetupPage, SignInPage};

/// The sign-in and setup forms' labels, so a message names its field ("Username must …").
const LABELS: [(&str, &str); 3] = [
    ("username", "Username"),
    ("display_name", "Display name"),
    ("password", "Password"),
];

/// Sign-in, sign-out and setup routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/login", get(sign_in_form))
        .add("POST", "/login", post(sign_in))
        .add("POST", "/logout", post(sign_out))
        .add("GET", "/setup", get(setup_form))
        .add("POST", "/setup", post(setup))
}

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// `GET /login`.
pub async fn sign_in_form(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Query(q): Query<NextQuery>,
) -> Response {
    let app = &state.app;
    if caller.principal.is_some() {
        return see_other(&safe_next(q.next.as_deref()));
    }
    let setup_hint = service::setup::setup_required(app).await.unwrap_or(false);
    let form = SignInForm {
        username: String::new(),
        password: String::new(),
        next: Some(safe_next(q.next.as_deref())),
        _csrf_token: None,
    };
    sign_in_page(app, &caller, &ctx, &form, setup_hint, None).await
}

/// A refused sign-in: its status, the message shown, and a `Retry-After` in seconds.
pub(crate) type Refusal = (StatusCode, String, Option<u64>);

/// The sign-in page for `form` (the username kept, never the password), with `refusal` when an
/// attempt failed.
pub(crate) async fn sign_in_page(
    app: &service::App,
    caller: &Caller,
    ctx: &PageContext,
    form: &SignInForm,
    setup_hint: bool,
    refusal: Option<Refusal>,
) -> Response {
    let methods = match service::auth::external::settings::public(app).await {
        Ok(methods) => methods,
        Err(err) => return crate::problem::ApiError(err).into_response(),
    };
    let (chrome, cookie) = chrome(app, caller, ctx, "Sign in");
    let page = SignInPage {
        chrome,
        username: form.username.chars().take(64).collect(),
        error: refusal.as_ref().map(|(_, message, _)| message.clone()),
        next: safe_next(form.next.as_deref()),
        setup_hint,
        passkey: !app.config.single_user_mode
            && methods.local
            && service::auth::mfa::webauthn::available(&app.config),
        webauthn_origin: service::auth::mfa::webauthn::origin(&app.config).unwrap_or_default(),
        methods,
    };
    let mut response = with_cookies(views::render(&page), [cookie]);
    if let Some((status, _, retry)) = refusal {
        *response.status_mut() = status;
        if let Some(secs) = retry
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

#[derive(Deserialize)]
pub struct SignInForm {
    pub username: String,
    pub password: String,
    pub next: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /login`.
pub async fn sign_in(
    State(state): State<AppState>,
    _local: LocalLogin,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Form(form): Form<SignInForm>,
) -> Response {
    let app = &state.app;
    let next = safe_next(form.next.as_deref());
    match login::login(
        app,
        &form.username,
        &form.password,
        &meta,
        caller.session_token.as_deref(),
    )
    .await
    {
        Ok(LoginOutcome::SignedIn(signed_in)) => signed_in_redirect(app, &signed_in, &next),
        // The password was right; the second factor (or its enrolment) comes next, on its own
        // page, with only the pending cookie (no session yet).
        Ok(LoginOutcome::SecondFactor(pending)) => with_cookies(
            see_other(&super::second_factor::href(&next)),
            [crate::cookies::set_mfa_pending(&app.config, &pending.token)],
        ),
        Err(err) => {
            let (status, message, retry) = match &err {
                Error::RateLimited { retry_after } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many attempts. Wait a few minutes and try again.".to_owned(),
                    Some(retry_after.as_secs().max(1)),
                ),
                Error::Unauthenticated => (
                    StatusCode::UNAUTHORIZED,
                    "Wrong username or password.".to_owned(),
                    None,
                ),
                Error::Invalid(i) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    labelled(&LABELS, i).1,
                    None,
                ),
                Error::Forbidden => (
                    StatusCode::FORBIDDEN,
                    "Signing in with a password is turned off here. Use the other sign-in options."
                        .to_owned(),
                    None,
                ),
                _ => return crate::problem::ApiError(err).into_response(),
            };
            sign_in_page(
                app,
                &caller,
                &ctx,
                &form,
                false,
                Some((status, message, retry)),
            )
            .await
        }
    }
}

/// `POST /logout`.
pub async fn sign_out(State(state): State<AppState>, caller: Caller, Meta(meta): Meta) -> Response {
    if let Some(user) = &caller.principal
        && let Err(err) = login::logout(&state.app, user, &meta).await
    {
        return crate::problem::ApiError(err).into_response();
    }
    let mut response = crate::api::auth::logged_out_response(&state);
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/login"));
    response
}

#[derive(Deserialize)]
pub struct SetupQuery {
    pub token: Option<String>,
}

/// `GET /setup?token=…`: the one-time first-run page.
pub async fn setup_form(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Query(q): Query<SetupQuery>,
) -> Response {
    let app = &state.app;
    let token = q.token.unwrap_or_default();
    if !service::setup::setup_token_valid(app, &token)
        .await
        .unwrap_or(false)
    {
        return error_page(
            app,
            &caller,
            &ctx,
            StatusCode::NOT_FOUND,
            "This setup link is not valid. It works once, for 24 hours, while no account exists.",
        );
    }
    let (chrome, cookie) = chrome(app, &caller, &ctx, "Set up BillTracker");
    let page = SetupPage {
        chrome,
        token,
        username: String::new(),
        display_name: String::new(),
        errors: Vec::new(),
    };
    let mut response = with_cookies(views::render(&page), [cookie]);
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

#[derive(Deserialize)]
pub struct SetupForm {
    pub token: String,
    pub username: String,
    pub display_name: String,
    pub password: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /setup`: creates the bootstrap administrator and signs them in.
pub async fn setup(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Form(form): Form<SetupForm>,
) -> Response {
    use domain::user::{DisplayName, Role, Username};
    let app = &state.app;
    let mut errors = Vec::new();
    let username = Username::parse(&form.username)
        .map_err(|e| errors.push(labelled(&LABELS, &e)))
        .ok();
    let display = if form.display_name.trim().is_empty() {
        form.username.clone()
    } else {
        form.display_name.clone()
    };
    let display_name = DisplayName::parse(&display)
        .map_err(|e| errors.push(labelled(&LABELS, &e)))
        .ok();
    if let (Some(username), Some(display_name)) = (username, display_name) {
        let account = service::users::NewAccount {
            username,
            display_name,
            email: None,
            role: Role::Admin,
            password: form.password.clone(),
        };
        match service::setup::complete(app, &form.token, account, &meta).await {
            Ok(signed_in) => {
                return signed_in_redirect(app, &signed_in, "/admin?notice=setup#create-title");
            }
            Err(Error::Invalid(i)) => errors.push(labelled(&LABELS, &i)),
            Err(Error::Forbidden) => {
                return error_page(
                    app,
                    &caller,
                    &ctx,
                    StatusCode::NOT_FOUND,
                    "This setup link is not valid any more.",
                );
            }
            Err(err) => return crate::problem::ApiError(err).into_response(),
        }
    }
    let (chrome, cookie) = chrome(app, &caller, &ctx, "Set up BillTracker");
    let page = SetupPage {
        chrome,
        token: form.token,
        username: form.username,
        display_name: form.display_name,
        errors,
    };
    let mut response = with_cookies(views::render(&page), [cookie]);
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}
