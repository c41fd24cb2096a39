//! Every HTML page of the route table, rendered by its handler for a signed-in administrator
//! whose data (bill, category, payment, expense, budget, names) is hostile markup, and for an
//! anonymous visitor: no value comes out unescaped, and every POST form carries the CSRF token.
//! Driven by the route table, so a page added later is checked without touching this file.

use domain::user::Role;
use testkit::html::{forms, tags};

use crate::app_tests;
use crate::every_route::{BREAKOUT, QUOTE, SCRIPT, SCRIPT_ESCAPED, get_paths, seed};
use crate::support::TestApp;

/// One rendered page: who asked, the path, the status and the HTML.
struct Rendered {
    what: String,
    status: reqwest::StatusCode,
    html: String,
}

/// Every GET route that answers with HTML, for the seeded administrator and for nobody.
async fn html_pages(app: &TestApp) -> Vec<Rendered> {
    let admin = app.signed_in("root", Role::Admin).await;
    let seeded = seed(app, &admin).await;
    let anonymous = app.browser().await;
    let mut pages = Vec::new();
    for path in get_paths(&seeded) {
        for (who, browser) in [("admin", &admin), ("anonymous", &anonymous)] {
            let response = browser.get(&path).await;
            let status = response.status();
            let is_html = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"));
            let html = response.text().await.expect("body");
            assert!(!status.is_server_error(), "GET {path} as {who}: {status}");
            if is_html {
                pages.push(Rendered {
                    what: format!("GET {path} as {who}"),
                    status,
                    html,
                });
            }
        }
    }
    pages
}

app_tests! {
    async fn hostile_values_are_escaped_on_every_page(app) {
        let pages = html_pages(&app).await;
        assert!(pages.len() >= 25, "the table's pages were rendered: {}", pages.len());
        let mut showing = Vec::new();
        for page in &pages {
            let (what, html) = (&page.what, &page.html);
            for raw in [SCRIPT, BREAKOUT, QUOTE, "<img"] {
                assert!(!html.contains(raw), "{what}: unescaped {raw}");
            }
            for tag in tags(html) {
                assert_ne!(tag.name, "img", "{what}: {tag:?}");
                assert!(tag.name != "script" || tag.closing || tag.attr("src").is_some(), "{what}: inline script {tag:?}");
                for (attr, _) in &tag.attrs {
                    assert!(!attr.starts_with("on"), "{what}: {attr} on {tag:?}");
                }
            }
            if html.contains(SCRIPT_ESCAPED) {
                showing.push(what.clone());
            }
        }
        // The hostile data really reached the pages that show it.
        for page in ["GET / as admin", "GET /bills as admin", "GET /categories as admin", "GET /expenses as admin", "GET /budgets as admin", "GET /admin as admin"] {
            assert!(showing.iter().any(|s| s == page || s.starts_with(&format!("{page}?"))), "{page} shows the hostile names, escaped: {showing:?}");
        }
        for detail in ["/bills/", "/expenses/", "/payments/", "/admin/users/"] {
            assert!(showing.iter().any(|s| s.contains(detail)), "a {detail}… page shows hostile data: {showing:?}");
        }
    }

    async fn every_post_form_carries_the_csrf_token(app) {
        let pages = html_pages(&app).await;
        let mut post_forms = 0;
        for page in &pages {
            let found = forms(&page.html).unwrap_or_else(|e| panic!("{}: {e}", page.what));
            for form in found {
                assert!(matches!(form.method.as_str(), "get" | "post"), "{}: {form:?}", page.what);
                if form.method == "post" {
                    post_forms += 1;
                    assert_eq!(form.csrf_tokens.len(), 1, "{}: one csrf_token field in {form:?}", page.what);
                    let (kind, value) = &form.csrf_tokens[0];
                    assert_eq!(kind.as_deref(), Some("hidden"), "{}: {form:?}", page.what);
                    assert!(value.len() >= 40, "{}: a real token in {form:?}", page.what);
                }
            }
            // The administrator's pages render (a finished setup is gone, and the provider
            // routes answer 400 while no provider is configured).
            let expected_error = page.what.starts_with("GET /setup ") || page.what.starts_with("GET /api/auth/");
            if page.what.ends_with(" as admin") && !expected_error {
                assert!(page.status.is_success(), "{}: {}", page.what, page.status);
            }
        }
        assert!(post_forms >= 30, "the pages' forms were found: {post_forms}");
    }
}
