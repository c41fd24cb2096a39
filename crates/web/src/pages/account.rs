//! Sign-in, sign-out and the one-time first-run setup page.
//!
//! A refused sign-in (wrong password, too many attempts, a bad field, password sign-in off)
//! is the sign-in page again with the reason, its status and `Retry-After`, the username kept
//! and never the password; a refused setup form comes back with the message under its field
//! (422). Everything else goes to the page kit's presenter.

use axum::Form;
use axum::extract::Query;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use domain::user::{DisplayName, Role, Username};
use serde::Deserialize;
use service::Error;
use service::auth::login;
use service::auth::mfa::pending::LoginOutcome;
use service::auth::mfa::webauthn;
use service::users::NewAccount;

use super::kit::{Fail, Page, PageResult};
use super::profile::labelled;
use super::refusal::Refusal;
use super::{chrome, safe_next, see_other, signed_in_redirect, with_cookies};
use crate::auth::{LocalLogin, Meta};
use crate::links;
use crate::routes::Table;
use crate::views::{self, SetupPage, SignInPage};

/// The sign-in and setup forms' labels, so a message names its field ("Username must …").
const LABELS: [(&str, &str); 3] = [
    ("username", "Username"),
    ("display_name", "Display name"),
    ("password", "Password"),
];

/// The 404 page's words for a setup link that never worked or no longer does.
const SETUP_LINK: &str =
    "This setup link is not valid. It works once, for 24 hours, while no account exists.";
const SETUP_LINK_USED: &str = "This setup link is not valid any more.";

/// Sign-in, sign-out and setup routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::LOGIN.path(), get(sign_in_form))
        .add("POST", links::LOGIN.path(), post(sign_in))
        .add("POST", links::LOGOUT.path(), post(sign_out))
        .add("GET", links::SETUP.path(), get(setup_form))
        .add("POST", links::SETUP.path(), post(setup))
}

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// `GET /login` (a signed-in caller goes on to `next`).
pub async fn sign_in_form(page: Page, Query(q): Query<NextQuery>) -> PageResult {
    let next = safe_next(q.next.as_deref());
    if page.caller.principal.is_some() {
        return Ok(see_other(&next));
    }
    let setup_hint = service::setup::setup_required(&page.app)
        .await
        .unwrap_or(false);
    sign_in_page(&page, &SignInForm::blank(Some(next)), setup_hint, None).await
}

/// The sign-in page for `form` (the username kept, never the password), with `refusal` when an
/// attempt failed.
pub(crate) async fn sign_in_page(
    page: &Page,
    form: &SignInForm,
    setup_hint: bool,
    refusal: Option<Refusal>,
) -> PageResult {
    let app = &page.app;
    let methods = service::auth::external::settings::public(app)
        .await
        .not_shown("The sign-in page could not be shown")?;
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(app, &page.caller, &ctx, "Sign in");
    let view = SignInPage {
        chrome,
        username: form.username.chars().take(64).collect(),
        error: refusal.as_ref().map(|r| r.message.clone()),
        next: safe_next(form.next.as_deref()),
        setup_hint,
        passkey: !app.config.single_user_mode && methods.local && webauthn::available(&app.config),
        webauthn_origin: webauthn::origin(&app.config).unwrap_or_default(),
        methods,
    };
    let response = with_cookies(views::render(&view), [cookie]);
    Ok(Refusal::applied(refusal.as_ref(), response))
}

#[derive(Deserialize)]
pub struct SignInForm {
    pub username: String,
    pub password: String,
    pub next: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

impl SignInForm {
    /// An empty form that goes on to `next` (the sign-in page drawn by another flow).
    pub(crate) fn blank(next: Option<String>) -> Self {
        SignInForm {
            username: String::new(),
            password: String::new(),
            next,
            _csrf_token: None,
        }
    }
}

/// `POST /login`: signed in, or on to the second factor; else the page with the reason.
pub async fn sign_in(
    page: Page,
    _local: LocalLogin,
    Meta(meta): Meta,
    Form(form): Form<SignInForm>,
) -> PageResult {
    let next = safe_next(form.next.as_deref());
    let old = page.caller.session_token.as_deref();
    match login::login(&page.app, &form.username, &form.password, &meta, old).await {
        Ok(outcome) => Ok(signed_in_or_on(&page.app, outcome, &next)),
        Err(err) => sign_in_page(&page, &form, false, Some(refused(err)?)).await,
    }
}

/// After a right password: the session and on to `next`, or (with only the pending cookie,
/// no session yet) on to the second factor's page.
pub(crate) fn signed_in_or_on(app: &service::App, outcome: LoginOutcome, next: &str) -> Response {
    match outcome {
        LoginOutcome::SignedIn(signed_in) => signed_in_redirect(app, &signed_in, next),
        LoginOutcome::SecondFactor(pending) => with_cookies(
            see_other(&super::second_factor::href(next)),
            [crate::cookies::set_mfa_pending(&app.config, &pending.token)],
        ),
    }
}

/// How a refused sign-in is told on the page; other failures are the kit's.
fn refused(err: Error) -> Result<Refusal, Error> {
    Ok(match err {
        Error::RateLimited { retry_after } => Refusal::rate_limited(
            "Too many attempts. Wait a few minutes and try again.",
            retry_after,
        ),
        Error::Unauthenticated => {
            Refusal::new(StatusCode::UNAUTHORIZED, "Wrong username or password.")
        }
        Error::Invalid(i) => {
            Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, labelled(&LABELS, &i).1)
        }
        Error::Forbidden => Refusal::new(
            StatusCode::FORBIDDEN,
            "Signing in with a password is turned off here. Use the other sign-in options.",
        ),
        err => return Err(err),
    })
}

/// `POST /logout`: the session ended, its cookie expired, site data cleared; to `/login`.
pub async fn sign_out(page: Page, Meta(meta): Meta) -> PageResult {
    if let Some(user) = &page.caller.principal {
        login::logout(&page.app, user, &meta).await?;
    }
    let mut response = crate::session_cookies::signed_out(&page.app);
    *response.status_mut() = StatusCode::SEE_OTHER;
    let to_login = HeaderValue::from_static(links::LOGIN.path());
    response.headers_mut().insert(header::LOCATION, to_login);
    Ok(response)
}

#[derive(Deserialize)]
pub struct SetupQuery {
    pub token: Option<String>,
}

/// `GET /setup?token=…`: the one-time first-run page (its address holds the token, so no
/// `Referer` leaves it).
pub async fn setup_form(page: Page, Query(q): Query<SetupQuery>) -> PageResult {
    let token = q.token.unwrap_or_default();
    let valid = service::setup::setup_token_valid(&page.app, &token).await;
    if !valid.unwrap_or(false) {
        return Err(Error::NotFound).missing(SETUP_LINK);
    }
    let mut response = setup_page(&page, SetupForm::blank(token), Vec::new()).await;
    let no_referrer = HeaderValue::from_static("no-referrer");
    response
        .headers_mut()
        .insert(header::REFERRER_POLICY, no_referrer);
    Ok(response)
}

/// The setup page with what was typed (never the password) and the messages under the fields:
/// 422 when there are any.
async fn setup_page(page: &Page, form: SetupForm, errors: Vec<(String, String)>) -> Response {
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "Set up BillTracker");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = SetupPage {
        chrome,
        token: form.token,
        username: form.username,
        display_name: form.display_name,
        errors,
    };
    let mut response = with_cookies(views::render(&view), [cookie]);
    *response.status_mut() = status;
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

impl SetupForm {
    fn blank(token: String) -> Self {
        SetupForm {
            token,
            username: String::new(),
            display_name: String::new(),
            password: String::new(),
            _csrf_token: None,
        }
    }

    /// The administrator's account, or the messages of every field that does not parse (the
    /// display name defaults to the username).
    fn account(&self) -> Result<NewAccount, Vec<(String, String)>> {
        let display = match self.display_name.trim() {
            "" => &self.username,
            _ => &self.display_name,
        };
        match (Username::parse(&self.username), DisplayName::parse(display)) {
            (Ok(username), Ok(display_name)) => Ok(NewAccount {
                username,
                display_name,
                email: None,
                role: Role::Admin,
                password: self.password.clone(),
            }),
            (username, display_name) => Err([username.err(), display_name.err()]
                .iter()
                .flatten()
                .map(|invalid| labelled(&LABELS, invalid))
                .collect()),
        }
    }
}

/// `POST /setup`: creates the bootstrap administrator and signs them in.
pub async fn setup(page: Page, Meta(meta): Meta, Form(form): Form<SetupForm>) -> PageResult {
    let account = match form.account() {
        Ok(account) => account,
        Err(errors) => return Ok(setup_page(&page, form, errors).await),
    };
    match service::setup::complete(&page.app, &form.token, account, &meta).await {
        Ok(signed_in) => Ok(signed_in_redirect(
            &page.app,
            &signed_in,
            &format!("{}?notice=setup#create-title", links::ADMIN),
        )),
        Err(Error::Invalid(i)) => Ok(setup_page(&page, form, vec![labelled(&LABELS, &i)]).await),
        Err(Error::Forbidden) => Err(Error::NotFound).missing(SETUP_LINK_USED),
        Err(err) => Err(err.into()),
    }
}
