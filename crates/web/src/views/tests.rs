//! Page rendering tests on fixture pages filled with hostile values: escaped, the CSP nonce on
//! every script and stylesheet, no inline styles or handlers, the CSRF token in every POST form.
//! The fixtures are a few pages; every page of the route table, rendered by its handler with
//! hostile data, is checked by the `pages_every` integration tests.

use testkit::html::{Tag, forms, tags};

use super::*;

const NONCE: &str = "n0nceV4lue+/=";
const CSRF: &str = "csrf-T0ken_value";
const SCRIPT: &str = "<script>alert(1)</script>";
const BREAKOUT: &str = "\"><img src=x onerror=alert(1)>";
const QUOTE: &str = "' autofocus onfocus='alert(1)";

/// Every hostile value at once, so any unescaped field shows up.
fn hostile() -> String {
    format!("{SCRIPT}{BREAKOUT}{QUOTE}")
}

fn chrome(user: Option<NavUser>) -> Chrome {
    Chrome {
        title: hostile(),
        nonce: NONCE.to_owned(),
        csrf_token: CSRF.to_owned(),
        user,
        flash: Some(hostile()),
        theme: "light".to_owned(),
    }
}

fn member() -> Option<NavUser> {
    Some(NavUser {
        display_name: hostile(),
        is_admin: false,
        holds_data: true,
    })
}

fn admin() -> Option<NavUser> {
    Some(NavUser {
        display_name: hostile(),
        is_admin: true,
        holds_data: true,
    })
}

fn field_errors(fields: &[&str]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|field| ((*field).to_owned(), hostile()))
        .collect()
}

fn sign_in(user: Option<NavUser>) -> SignInPage {
    SignInPage {
        chrome: chrome(user),
        username: hostile(),
        error: Some(hostile()),
        next: hostile(),
        setup_hint: true,
        passkey: true,
        webauthn_origin: hostile(),
        methods: service::auth::external::PublicMethods {
            local: true,
            oidc: Some(hostile()),
            github: true,
        },
    }
}

fn setup(user: Option<NavUser>) -> SetupPage {
    SetupPage {
        chrome: chrome(user),
        token: hostile(),
        username: hostile(),
        display_name: hostile(),
        errors: field_errors(&["username", "display_name", "password", "token", &hostile()]),
    }
}

/// A plain signed-in page (no rows): the security page with empty lists.
fn home(user: Option<NavUser>) -> SecurityPage {
    SecurityPage {
        chrome: chrome(user),
        sessions: Vec::new(),
        logins: Vec::new(),
        failures_warning: None,
        password_errors: Vec::new(),
        password_changed: false,
        mfa: Default::default(),
        identities: Vec::new(),
    }
}

fn security(user: Option<NavUser>) -> SecurityPage {
    SecurityPage {
        chrome: chrome(user),
        sessions: vec![
            SessionRow {
                id: "0190-current".to_owned(),
                device: hostile(),
                ip: hostile(),
                created: hostile(),
                last_seen: hostile(),
                current: true,
            },
            SessionRow {
                id: hostile(),
                device: hostile(),
                ip: hostile(),
                created: hostile(),
                last_seen: hostile(),
                current: false,
            },
        ],
        failures_warning: Some(7),
        logins: vec![
            LoginRow {
                at: hostile(),
                ip: hostile(),
                device: hostile(),
                success: true,
                this_session: true,
            },
            LoginRow {
                at: hostile(),
                ip: hostile(),
                device: hostile(),
                success: false,
                this_session: false,
            },
        ],
        password_errors: field_errors(&["current_password", "new_password", "other"]),
        password_changed: true,
        mfa: mfa::MfaSection {
            available: true,
            enabled: true,
            totp: true,
            recovery_codes_left: 2,
            notice: Some(hostile()),
            error: Some(hostile()),
            webauthn: true,
            webauthn_origin: hostile(),
            key_notice: Some(hostile()),
            key_error: Some(hostile()),
            keys: vec![mfa::KeyRow {
                id: hostile(),
                name: hostile(),
                added: hostile(),
                last_used: hostile(),
            }],
            reauth_href: hostile(),
            ..Default::default()
        },
        identities: vec![IdentityRow {
            provider: hostile(),
            email: hostile(),
            linked: hostile(),
            last_used: hostile(),
        }],
    }
}

fn error_page(user: Option<NavUser>) -> ErrorPage {
    ErrorPage {
        chrome: chrome(user),
        status: 404,
        heading: hostile(),
        message: hostile(),
        request_id: Some(hostile()),
    }
}

fn html_of(page: &impl Page) -> String {
    Template::render(page).unwrap()
}

/// Every page, for signed-out, member and admin visitors, with the page's name.
fn every_page() -> Vec<(String, String)> {
    let mut pages = Vec::new();
    for (who, user) in [
        ("anonymous", None),
        ("member", member()),
        ("admin", admin()),
    ] {
        let name = |page: &str| format!("{page} as {who}");
        pages.push((name("sign-in"), html_of(&sign_in(user.clone()))));
        pages.push((name("setup"), html_of(&setup(user.clone()))));
        pages.push((name("home"), html_of(&home(user.clone()))));
        pages.push((name("security"), html_of(&security(user.clone()))));
        pages.push((name("error"), html_of(&error_page(user.clone()))));
    }
    pages
}

/// The fixture pages that offer security keys or passkeys, and so load webauthn.js.
fn offers_security_keys(name: &str) -> bool {
    name.starts_with("sign-in") || name.starts_with("security")
}

#[test]
fn hostile_values_are_escaped_on_the_fixture_pages() {
    for (name, html) in every_page() {
        assert!(!html.contains(SCRIPT), "{name}: raw <script> from data");
        assert!(!html.contains("<img"), "{name}: raw <img> from data");
        assert!(!html.contains(BREAKOUT), "{name}: attribute breakout");
        assert!(!html.contains(QUOTE), "{name}: single-quote breakout");
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{name}: hostile text should still be shown, escaped"
        );
        let tag_names: Vec<String> = tags(&html).into_iter().map(|t| t.name).collect();
        assert!(!tag_names.iter().any(|t| t == "img"), "{name}");
        assert_eq!(
            tag_names.iter().filter(|t| *t == "script").count(),
            if offers_security_keys(&name) { 6 } else { 4 },
            "{name}: exactly htmx and app.js (and webauthn.js where keys are offered), each \
             <script>…</script> (open and close)"
        );
    }
}

#[test]
fn the_typed_username_is_kept_escaped_in_the_sign_in_form() {
    let html = html_of(&sign_in(None));

    let input = tags(&html)
        .into_iter()
        .find(|t| t.name == "input" && t.attr("name") == Some("username"))
        .unwrap();
    assert_eq!(
        input.attr("value"),
        Some(
            "&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#62;&#60;img src=x onerror=alert(1)&#62;\
             &#39; autofocus onfocus=&#39;alert(1)"
        )
    );
    assert!(html.contains("role=\"alert\""));
}

#[test]
fn every_script_and_stylesheet_carries_the_nonce() {
    for (name, html) in every_page() {
        let found = tags(&html);
        let scripts: Vec<&Tag> = found
            .iter()
            .filter(|t| !t.closing && t.name == "script")
            .collect();
        let sheets: Vec<&Tag> = found
            .iter()
            .filter(|t| t.name == "link" && t.attr("rel") == Some("stylesheet"))
            .collect();

        assert_eq!(sheets.len(), 1, "{name}");
        for tag in scripts.iter().chain(&sheets) {
            assert_eq!(tag.attr("nonce"), Some(NONCE), "{name}: {tag:?}");
        }
        let sources: Vec<Option<&str>> = scripts.iter().map(|s| s.attr("src")).collect();
        let mut expected = vec![Some("/static/htmx-2.0.11.min.js"), Some("/static/app.js")];
        if offers_security_keys(&name) {
            expected.push(Some("/static/webauthn.js"));
        }
        assert_eq!(
            sources, expected,
            "{name}: htmx first, then the app's script (then the security keys' script)"
        );
        assert!(scripts.iter().all(|s| s.attr("defer").is_some()), "{name}");
        assert!(
            !found.iter().any(|t| t.name == "style"),
            "{name}: no <style>"
        );
    }
}

#[test]
fn no_page_has_inline_styles_or_event_handlers() {
    for (name, html) in every_page() {
        for tag in tags(&html) {
            for (attr, value) in &tag.attrs {
                assert_ne!(attr, "style", "{name}: {tag:?}");
                assert!(!attr.starts_with("on"), "{name}: handler on {tag:?}");
                assert!(
                    !value
                        .trim_start()
                        .to_ascii_lowercase()
                        .starts_with("javascript:"),
                    "{name}: javascript: URL in {tag:?}"
                );
            }
        }
    }
}

#[test]
fn every_post_form_on_the_fixture_pages_carries_the_csrf_token() {
    for (name, html) in every_page() {
        let forms = forms(&html).unwrap_or_else(|e| panic!("{name}: {e}"));
        for form in &forms {
            assert!(
                matches!(form.method.as_str(), "get" | "post"),
                "{name}: {form:?}"
            );
            if form.method == "post" {
                assert_eq!(
                    form.csrf_tokens,
                    vec![(Some("hidden".to_owned()), CSRF.to_owned())],
                    "{name}: {form:?}"
                );
            }
        }
        let posts = forms.iter().filter(|f| f.method == "post").count();
        assert!(posts > 0 || name.starts_with("home") || name.starts_with("error"));
    }
}

/// The POST forms (action attribute) on a page.
fn form_actions(html: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .filter(|t| t.name == "form" && !t.closing && t.attr("method") == Some("post"))
        .filter_map(|t| t.attr("action").map(str::to_owned))
        .collect()
}

#[test]
fn sign_out_is_a_post_form_only_for_signed_in_users() {
    let signed_in = html_of(&home(member()));
    let signed_out = html_of(&sign_in(None));

    assert!(form_actions(&signed_in).iter().any(|a| a == "/logout"));
    assert!(!form_actions(&signed_out).iter().any(|a| a == "/logout"));
    assert!(
        !tags(&signed_in)
            .iter()
            .any(|t| t.name == "a" && t.attr("href") == Some("/logout")),
        "signing out must not be a link (GET)"
    );
}

fn nav_hrefs(html: &str) -> Vec<String> {
    tags(html)
        .into_iter()
        .filter(|t| t.name == "a" && t.attr("class") == Some("nav-link"))
        .filter_map(|t| t.attr("href").map(str::to_owned))
        .collect()
}

#[test]
fn the_navigation_is_absent_when_nobody_is_signed_in() {
    for page in [
        html_of(&sign_in(None)),
        html_of(&setup(None)),
        html_of(&error_page(None)),
    ] {
        assert!(!page.contains("<nav"));
        assert!(nav_hrefs(&page).is_empty());
        assert!(page.contains("<main id=\"main\""));
    }
}

#[test]
fn members_see_every_section_but_admin() {
    let html = html_of(&home(member()));

    let hrefs = nav_hrefs(&html);
    for href in [
        "/",
        "/bills",
        "/expenses",
        "/budgets",
        "/analytics",
        "/profile",
        "/profile/security",
    ] {
        assert!(hrefs.iter().any(|h| h == href), "missing {href}");
    }
    assert!(!hrefs.iter().any(|h| h == "/admin"));
    assert!(!html.contains("href=\"/admin\""));
}

#[test]
fn admins_also_see_admin() {
    let html = html_of(&home(admin()));

    assert!(nav_hrefs(&html).iter().any(|h| h == "/admin"));
}

#[test]
fn the_current_section_is_marked_in_the_navigation() {
    let html = html_of(&security(member()));

    let current: Vec<String> = tags(&html)
        .into_iter()
        .filter(|t| t.attr("aria-current") == Some("page"))
        .filter_map(|t| t.attr("href").map(str::to_owned))
        .collect();
    assert!(!current.is_empty());
    assert!(
        current.iter().all(|h| h == "/profile/security"),
        "{current:?}"
    );
}

#[test]
fn the_layout_has_a_skip_link_a_live_region_and_the_htmx_config() {
    let html = html_of(&home(member()));

    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<html lang=\"en\" data-theme=\"light\" data-theme-saved=\"light\">"));
    assert!(html.contains("name=\"viewport\""));
    assert!(html.contains("<a class=\"skip-link\" href=\"#main\">"));
    assert!(html.contains("aria-live=\"polite\""));
    let config = tags(&html)
        .into_iter()
        .find(|t| t.name == "meta" && t.attr("name") == Some("htmx-config"))
        .and_then(|t| t.attr("content").map(str::to_owned))
        .expect("htmx-config meta");
    let config: serde_json::Value = serde_json::from_str(&config).expect("htmx-config is JSON");
    assert_eq!(
        config["selfRequestsOnly"], true,
        "htmx talks only to this origin"
    );
    assert_eq!(config["allowEval"], false, "no eval under the CSP");
    assert_eq!(
        config["allowScriptTags"], false,
        "swapped content runs no scripts"
    );
    assert_eq!(
        config["historyCacheSize"], 0,
        "no financial page in localStorage"
    );
    assert_eq!(config["includeIndicatorStyles"], false, "no inline <style>");
    assert!(
        html.contains("hx-history=\"false\""),
        "history snapshots off"
    );
    assert_eq!(html.matches("<main").count(), 1);
}

#[test]
fn every_linked_static_file_exists() {
    let served: Vec<&str> = crate::assets::asset_paths().collect();
    for (name, html) in every_page() {
        for tag in tags(&html) {
            for key in ["href", "src"] {
                let Some(url) = tag.attr(key) else { continue };
                let Some(path) = url.strip_prefix("/static/") else {
                    continue;
                };
                let file = path.split('#').next().unwrap();
                assert!(served.contains(&file), "{name}: {url} is not served");
            }
        }
    }
}

#[test]
fn setup_errors_sit_under_their_fields_and_link_from_the_summary() {
    let mut page = setup(None);
    page.errors = vec![
        ("username".to_owned(), "Username is taken".to_owned()),
        ("token".to_owned(), "The setup link has expired".to_owned()),
    ];
    page.username = "alice".to_owned();

    let html = html_of(&page);

    assert!(html.contains("<a href=\"#username\">Username is taken</a>"));
    assert!(html.contains("<li>The setup link has expired</li>"));
    assert!(html.contains("id=\"username-error\""));
    let input = tags(&html)
        .into_iter()
        .find(|t| t.name == "input" && t.attr("id") == Some("username"))
        .unwrap();
    assert_eq!(input.attr("aria-invalid"), Some("true"));
    assert_eq!(input.attr("value"), Some("alice"));
    assert!(
        input
            .attr("aria-describedby")
            .unwrap()
            .split(' ')
            .any(|id| id == "username-error")
    );
    let error_at = html.find("id=\"username-error\"").unwrap();
    let input_at = html.find("id=\"username\"").unwrap();
    assert!(input_at < error_at, "the error is under the field");
    assert!(!html.contains("display_name-error"));
}

#[test]
fn passwords_are_never_echoed() {
    for html in [html_of(&setup(None)), html_of(&security(member()))] {
        for tag in tags(&html) {
            if tag.attr("type") == Some("password") {
                assert!(tag.attr("value").is_none(), "{tag:?}");
            }
        }
    }
}

#[test]
fn the_security_page_marks_this_device_and_offers_ending_the_others() {
    let mut page = security(member());
    page.sessions[1].id = "0190abcd".to_owned();

    let html = html_of(&page);

    assert!(html.contains("This device"));
    assert!(html.contains("This session"));
    assert!(html.contains(">Succeeded<") && html.contains(">Failed<"));
    let actions = form_actions(&html);
    assert!(
        actions
            .iter()
            .any(|a| a == "/profile/sessions/0190abcd/end")
    );
    assert!(!actions.iter().any(|a| a.contains("0190-current")));
    assert!(actions.iter().any(|a| a == "/profile/sessions/end-others"));
    assert!(actions.iter().any(|a| a == "/profile/password"));
    for two_step in [
        "/profile/mfa/recovery-codes",
        "/profile/mfa/totp/start",
        "/profile/mfa/totp/disable",
    ] {
        assert!(actions.iter().any(|a| a == two_step), "{two_step}");
    }
    assert!(actions.iter().any(|a| a == "/profile/webauthn/register"));
    assert_eq!(
        actions
            .iter()
            .filter(
                |a| a.starts_with("/profile/webauthn/") && a.ends_with("/rename")
                    || a.ends_with("/remove")
            )
            .count(),
        2,
        "rename and remove the one key: {actions:?}"
    );
    assert_eq!(
        form_actions(&html).len(),
        11,
        "2 sign-out, end one, end others, password, new codes, new phone, turn off, and the \
         key's rename and remove, add a key"
    );
}

#[test]
fn with_only_this_device_there_is_nothing_to_end() {
    let mut page = security(member());
    page.sessions.truncate(1);
    page.logins.clear();

    let html = html_of(&page);

    let actions = form_actions(&html);
    assert!(!actions.iter().any(|a| a.starts_with("/profile/sessions/")));
    assert!(html.contains("No sign-ins recorded yet."));
}

#[test]
fn nav_links_follow_the_user() {
    let nobody = chrome(None);
    let member = chrome(member());
    let admin = chrome(admin());

    assert!(nobody.nav_links(Section::Tracker).is_empty());
    assert_eq!(member.nav_links(Section::None).len(), 9);
    assert_eq!(admin.nav_links(Section::None).len(), 10);
    let current: Vec<_> = admin
        .nav_links(Section::Bills)
        .into_iter()
        .filter(|l| l.current)
        .map(|l| l.href)
        .collect();
    assert_eq!(current, ["/bills"]);
}

#[tokio::test]
async fn pages_render_as_html_responses_with_their_status() {
    let ok = home(member()).render();
    let missing = error_page(None).render();
    let mut bogus = error_page(None);
    bogus.status = 1000;

    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(
        ok.headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(bogus.render().status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = axum::body::to_bytes(ok.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(
        String::from_utf8(body.to_vec())
            .unwrap()
            .contains("<h1>Security</h1>")
    );
}

#[test]
fn error_for_finds_the_first_message_of_a_field() {
    let errors = vec![
        ("a".to_owned(), "first".to_owned()),
        ("a".to_owned(), "second".to_owned()),
    ];

    assert_eq!(error_for(&errors, "a"), Some("first"));
    assert_eq!(error_for(&errors, "b"), None);
}
