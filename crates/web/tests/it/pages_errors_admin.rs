//! The error paths of the administration, profile and bill-currency pages, on both engines:
//! every one answers an HTML page (or a redirect to one), never problem+json and never a 500 —
//! an account id that does not parse or names no account, a signed-in non-administrator using
//! real account ids, form bodies with missing or garbled fields (the page names the field),
//! a body that is not a form, a form without its CSRF token, and the admin rate limit.

use domain::user::Role;
use reqwest::StatusCode;

use crate::app_tests;
use crate::pages_profile::spawn_with_bootstrap;
use crate::pages_support::post_form;
use crate::support::{Browser, PASSWORD};
use crate::tracker::owner;

/// An answer as the browser sees it.
struct Answer {
    what: String,
    status: StatusCode,
    kind: String,
    location: String,
    body: String,
}

impl Answer {
    async fn of(what: String, response: reqwest::Response) -> Answer {
        let header = |name: &str| {
            let value = response.headers().get(name).and_then(|v| v.to_str().ok());
            value.unwrap_or_default().to_owned()
        };
        let (status, kind, location) = (
            response.status(),
            header("content-type"),
            header("location"),
        );
        let body = response.text().await.expect("body");
        Answer {
            what,
            status,
            kind,
            location,
            body,
        }
    }

    /// The styled HTML page with `status`, saying `words`.
    fn is_page(&self, status: StatusCode, words: &str) {
        let what = &self.what;
        assert_eq!(self.status, status, "{what}: {}", self.body);
        assert!(
            self.kind.starts_with("text/html"),
            "{what}: an HTML page, not {:?}",
            self.kind
        );
        assert!(
            self.body
                .to_ascii_lowercase()
                .starts_with("<!doctype html>"),
            "{what}: {}",
            self.body
        );
        assert!(
            self.body.contains(words),
            "{what} says {words:?}: {}",
            self.body
        );
    }

    /// A 303 to `location`.
    fn goes_to(&self, location: &str) {
        assert_eq!(
            (self.status, self.location.as_str()),
            (StatusCode::SEE_OTHER, location),
            "{}: {}",
            self.what,
            self.body
        );
    }
}

async fn get(browser: &Browser, path: &str) -> Answer {
    Answer::of(format!("GET {path}"), browser.get(path).await).await
}

/// POSTs a form with the browser's CSRF token.
async fn post(browser: &Browser, path: &str, fields: &[(&str, &str)]) -> Answer {
    let response = post_form(browser, path, fields).await;
    Answer::of(format!("POST {path} {fields:?}"), response).await
}

/// The forms of one account's page, each with plausible fields.
fn account_forms(id: &str) -> Vec<(String, Vec<(&'static str, &'static str)>)> {
    let form = |action: &str| format!("/admin/users/{id}/{action}");
    vec![
        (
            form("profile"),
            vec![("username", "abc"), ("display_name", "abc"), ("email", "")],
        ),
        (form("role"), vec![("role", "user")]),
        (form("active"), vec![("is_active", "false")]),
        (
            form("password"),
            vec![("password", "a long enough passphrase")],
        ),
        (form("sessions/end"), vec![]),
        (form("delete"), vec![("confirm_username", "abc")]),
        (form("mfa/reset"), vec![]),
    ]
}

app_tests! {
    async fn pages_never_answer_problem_json_admin_ids_that_do_not_parse_or_name_no_account(app) {
        let root = app.signed_in("root", Role::Admin).await;
        let unknown = "0190a5b2-0000-7000-8000-000000000000";
        for id in ["nope", "123", "%20", "0190a5b2-0000-7000-8000", unknown] {
            get(&root, &format!("/admin/users/{id}")).await.is_page(StatusCode::NOT_FOUND, "does not exist");
            for (path, fields) in account_forms(id) {
                post(&root, &path, &fields).await.is_page(StatusCode::NOT_FOUND, "does not exist");
            }
        }
        let named = get(&root, &format!("/admin/users/{unknown}")).await;
        named.is_page(StatusCode::NOT_FOUND, "That account does not exist (it may have been deleted).");
    }

    async fn pages_never_answer_problem_json_admin_to_a_non_admin_with_real_account_ids(app) {
        let _root = app.signed_in("root", Role::Admin).await;
        let bob = app.signed_in("bob", Role::User).await;
        let ids = [owner(&app, "root").await.to_string(), owner(&app, "bob").await.to_string()];
        for path in ["/admin", "/admin/audit-log", "/admin/sign-in-methods"].map(str::to_owned).into_iter().chain(ids.iter().map(|id| format!("/admin/users/{id}"))) {
            get(&bob, &path).await.is_page(StatusCode::FORBIDDEN, "Only administrators");
        }
        let mut forms: Vec<(String, Vec<(&str, &str)>)> = vec![
            ("/admin/users".into(), vec![("username", "mallory"), ("password", "a long enough passphrase"), ("role", "admin")]),
            ("/admin/sessions/end-all".into(), vec![]),
            ("/admin/mfa-policy".into(), vec![("require", "off"), ("grace_days", "7")]),
            ("/admin/sign-in-methods".into(), vec![("local_enabled", "true")]),
            ("/admin/sign-in-methods/test".into(), vec![("test", "oidc")]),
        ];
        for id in &ids {
            forms.extend(account_forms(id));
        }
        for (path, fields) in &forms {
            post(&bob, path, fields).await.is_page(StatusCode::FORBIDDEN, "Only administrators");
        }
        let root = app.app.store.user_by_username("root").await.expect("read").expect("root");
        assert_eq!((root.role, root.is_active, root.display_name.as_str()), (Role::Admin, true, "root"), "nothing changed");
        assert_eq!(get(&bob, "/profile").await.status, StatusCode::OK, "bob signed nobody out, himself included");
    }

    async fn pages_never_answer_problem_json_admin_forms_with_missing_or_garbled_fields(app) {
        let root = app.signed_in("root", Role::Admin).await;
        let _bob = app.signed_in("bob", Role::User).await;
        let bob = owner(&app, "bob").await;
        let account = format!("/admin/users/{bob}");
        // Typed fields come back on the page, each named, with 422.
        let refused = [
            ("/admin/users".to_owned(), vec![], ["username-error", "Username", "Password"]),
            (format!("{account}/profile"), vec![("username", "x"), ("email", "@")], ["username-error", "Username", "Email"]),
            (format!("{account}/password"), vec![], ["password-error", "Password", "Password"]),
            (format!("{account}/delete"), vec![("confirm_username", "b%b")], ["confirm_username-error", "Confirmation", "type the username bob"]),
        ];
        for (path, fields, words) in &refused {
            let answer = post(&root, path, fields).await;
            for word in words {
                answer.is_page(StatusCode::UNPROCESSABLE_ENTITY, word);
            }
        }
        let untested = post(&root, "/admin/sign-in-methods/test", &[("test", "saml")]).await;
        untested.is_page(StatusCode::UNPROCESSABLE_ENTITY, "Choose what to test");
        // One-button forms with a garbled value go back with a banner that says so.
        for (path, fields, back) in [
            (format!("{account}/role"), vec![("role", "overlord")], account.clone()),
            (format!("{account}/active"), vec![("is_active", "maybe")], account.clone()),
            ("/admin/mfa-policy".to_owned(), vec![("require", "sometimes"), ("grace_days", "7")], "/admin".to_owned()),
            ("/admin/mfa-policy".to_owned(), vec![("require", "off"), ("grace_days", "soon")], "/admin".to_owned()),
        ] {
            let answer = post(&root, &path, &fields).await;
            answer.goes_to(&format!("{back}?error=invalid"));
            get(&root, &answer.location).await.is_page(StatusCode::OK, "That request was not valid");
        }
        // A body that is not a form, and a form without its CSRF token, are HTML pages too.
        for path in ["/admin/users".to_owned(), format!("{account}/profile"), "/admin/sign-in-methods".to_owned()] {
            let json = root.post(&path, serde_json::json!({"username": "carol"})).await;
            let answer = Answer::of(format!("JSON to {path}"), json).await;
            assert!(answer.status.is_client_error(), "{path}: {}", answer.status);
            answer.is_page(answer.status, "not valid");
            let bare = root.client.post(root.url(&path)).form(&[("username", "carol")]).send().await.expect("post");
            Answer::of(format!("no token to {path}"), bare).await.is_page(StatusCode::FORBIDDEN, "reload the page");
        }
        assert!(app.app.store.user_by_username("carol").await.expect("read").is_none(), "no account was made");
    }

    async fn pages_never_answer_problem_json_admin_when_rate_limited(app) {
        let root = app.signed_in("root", Role::Admin).await;
        let _bob = app.signed_in("bob", Role::User).await;
        let bob = owner(&app, "bob").await;
        for _ in 0..30 {
            post(&root, "/admin/sessions/end-all", &[]).await.goes_to("/admin?notice=ended_all");
        }
        let limited = post(&root, "/admin/sessions/end-all", &[]).await;
        limited.goes_to("/admin?error=rate");
        get(&root, &limited.location).await.is_page(StatusCode::OK, "Too many administrative actions");
        let account = format!("/admin/users/{bob}");
        post(&root, &format!("{account}/sessions/end"), &[]).await.goes_to(&format!("{account}?error=rate"));
        let created = post(&root, "/admin/users", &[("username", "carol"), ("password", "a long enough passphrase"), ("role", "user")]).await;
        created.goes_to("/admin?error=rate");
        get(&root, &account).await.is_page(StatusCode::OK, "bob");
    }

    async fn pages_never_answer_problem_json_profile_forms_with_missing_or_garbled_fields(app) {
        let alice = app.signed_in("alice", Role::User).await;
        post(&alice, "/profile/name", &[]).await.is_page(StatusCode::UNPROCESSABLE_ENTITY, "Display name");
        let preferences = post(&alice, "/profile/preferences", &[("currency", "EURO"), ("paydays", "first")]).await;
        for word in ["currency-error", "Default currency", "Paydays", "Time zone"] {
            preferences.is_page(StatusCode::UNPROCESSABLE_ENTITY, word);
        }
        post(&alice, "/profile/theme", &[("theme", "plaid")]).await.goes_to("/profile?error=invalid");
        for (fields, back) in [
            (vec![("from", "EURO"), ("to", "USD")], "/profile"),
            (vec![("from", "USD"), ("to", ""), ("return_to", "/")], "/"),
            (vec![("return_to", "//evil.test")], "/profile"),
        ] {
            let answer = post(&alice, "/profile/bill-currency", &fields).await;
            answer.goes_to(&format!("{back}?error=bill_currency"));
        }
        get(&alice, "/profile?error=bill_currency").await.is_page(StatusCode::OK, "Those bills were not changed");
        for path in ["/profile/name", "/profile/preferences", "/profile/theme", "/profile/bill-currency"] {
            let json = alice.post(path, serde_json::json!({"display_name": "Eve"})).await;
            let answer = Answer::of(format!("JSON to {path}"), json).await;
            assert!(answer.status.is_client_error(), "{path}: {}", answer.status);
            answer.is_page(answer.status, "not valid");
            let bare = alice.client.post(alice.url(path)).form(&[("theme", "dark")]).send().await.expect("post");
            Answer::of(format!("no token to {path}"), bare).await.is_page(StatusCode::FORBIDDEN, "reload the page");
        }
        let anonymous = app.browser().await;
        for path in ["/profile/name", "/profile/preferences", "/profile/theme", "/profile/bill-currency"] {
            let answer = post(&anonymous, path, &[("display_name", "Eve")]).await;
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
            assert!(answer.location.starts_with("/login"), "{path}: {}", answer.location);
        }
    }
}

app_tests! {
    @with spawn_with_bootstrap;

    async fn pages_never_answer_problem_json_profile_data_forms_to_the_bootstrap_admin(app) {
        let mut first = app.browser().await;
        assert_eq!(first.login("first", PASSWORD).await.status(), StatusCode::OK);
        for (path, fields) in [
            ("/profile/preferences", vec![("currency", "USD")]),
            ("/profile/theme", vec![("theme", "dark")]),
            ("/profile/bill-currency", vec![("from", "USD"), ("to", "EUR")]),
        ] {
            post(&first, path, &fields).await.is_page(StatusCode::FORBIDDEN, "holds no bills");
        }
        get(&first, "/profile").await.is_page(StatusCode::OK, "holds no bills");
    }
}
