//! The smaller first-hour fixes (issue 14, items 4 and 19), as pages without JavaScript, on
//! both engines: the bill form's optional sections open only when they hold something;
//! currency lists name their currencies; form errors are sentences naming their field; a
//! step-up returns to the form that asked for it and never to another site; category colours
//! on expense chips and analytics bars; the demo bills sit under sensible categories and
//! removing them leaves the person's own records. The manual clock starts on 2026-03-14.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::app_tests;
use crate::money::{category, created, user};
use crate::pages_bills::{add_bill, bill_form};
use crate::pages_support::{page, submit, unescape_amp};
use crate::support::PASSWORD;

/// The `<details …>` opening tag of the bill form's section marked by `marker`.
fn section<'a>(html: &'a str, marker: &str) -> &'a str {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker}: {html}"));
    let start = html[..at].rfind("<details").expect("a <details> section");
    let end = at + html[at..].find('>').expect("end of tag");
    &html[start..=end]
}

fn is_open(tag: &str) -> bool {
    tag.contains(" open>") || tag.ends_with(" open>")
}

app_tests! {
    async fn the_bill_form_opens_only_the_sections_that_hold_something(app) {
        let (alice, _) = user(&app, "alice").await;
        let form = page(&alice, "/bills/new").await;
        for marker in ["data-show-when=\"amount_kind=estimated\"", "data-show-when=\"autopay=verified\"", "Debt <span", "More details <span"] {
            assert!(!is_open(section(&form, marker)), "{marker} starts closed: {form}");
        }
        // A refused debt figure comes back with its section open, and what was typed.
        let (status, _, html) = submit(&alice, "/bills", &bill_form(&[("debt_balance", "1200"), ("apr", "19.999")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(is_open(section(&html, "Debt <span")), "{html}");
        assert!(html.contains("value=\"1200\"") && html.contains("APR must have at most 2 decimal places"));
        assert!(!is_open(section(&html, "More details <span")), "the untouched section stays closed");
        // An estimated bill's edit form shows its range; verified autopay its date.
        let id = add_bill(&alice, &[("amount_kind", "estimated"), ("expected_amount", "80"), ("expected_min", "60"), ("expected_max", "90"), ("autopay", "verified"), ("notes", "meter 4411")]).await;
        let edit = page(&alice, &format!("/bills/{id}/edit")).await;
        assert!(is_open(section(&edit, "data-show-when=\"amount_kind=estimated\"")), "{edit}");
        assert!(is_open(section(&edit, "data-show-when=\"autopay=verified\"")));
        assert!(is_open(section(&edit, "More details <span")), "the notes are in sight");
        assert!(!is_open(section(&edit, "Debt <span")));
    }

    async fn currency_lists_name_their_currencies(app) {
        let (alice, _) = user(&app, "alice").await;
        for path in ["/bills/new", "/expenses/new", "/profile", "/"] {
            let html = page(&alice, path).await;
            assert!(html.contains(">EUR — Euro</option>"), "{path}: {html}");
            assert!(html.contains("value=\"USD\" selected>USD — United States dollar</option>"), "{path}");
        }
    }

    async fn form_errors_are_sentences_that_name_their_field(app) {
        let (alice, _) = user(&app, "alice").await;
        let (status, _, html) = submit(&alice, "/profile/password", &[("current_password", PASSWORD), ("new_password", "password")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("New password is too common;"), "{html}");
        let (status, _, html) = submit(&alice, "/profile/password", &[("current_password", PASSWORD), ("new_password", "short")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("New password must be at least 8 characters"), "{html}");
        let (_, _, html) = submit(&alice, "/bills", &bill_form(&[("expected_amount", "12,50"), ("anchor_date", "2026-02-30")])).await;
        assert!(html.contains("Amount must") || html.contains("First due date "), "{html}");
        let (_, _, html) = submit(&alice, "/expenses", &[("amount", "lots"), ("spent_on", "2026-03-01"), ("currency", "USD")]).await;
        assert!(html.contains("Amount must be a number"), "{html}");
        let (_, _, html) = submit(&alice, "/expenses", &[("amount", "5"), ("spent_on", "2026-02-30"), ("currency", "USD")]).await;
        assert!(html.contains("Date is not a day of the calendar"), "{html}");
    }

    async fn a_step_up_returns_to_the_form_that_asked_for_it(app) {
        let (laptop, _) = user(&app, "alice").await;
        let mut phone = app.browser().await;
        assert_eq!(phone.login("alice", PASSWORD).await.status(), StatusCode::OK);
        app.clock.advance(Duration::minutes(10));

        let (status, location, _) = submit(&laptop, "/profile/sessions/end-others", &[]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/profile/reauth?next=%2Fprofile%2Fsecurity%23end-others"));
        let html = unescape_amp(&page(&laptop, &location).await);
        assert!(html.contains("name=\"next\" value=\"/profile/security#end-others\""), "{html}");
        assert!(html.contains("href=\"/profile/security#end-others\">Cancel"), "cancelling goes back too");
        let (status, location, _) = submit(&laptop, "/profile/reauth", &[("password", PASSWORD), ("next", "/profile/security#end-others")]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/profile/security#end-others"));
        let security = page(&laptop, "/profile/security").await;
        assert!(security.contains("action=\"/profile/sessions/end-others\" id=\"end-others\""), "the form it returns to: {security}");
        let (status, location, _) = submit(&laptop, "/profile/sessions/end-others", &[]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/profile/security"), "sent again, it works");
        assert_eq!(phone.get("/api/auth/me").await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn a_step_up_never_returns_to_another_site(app) {
        let (alice, _) = user(&app, "alice").await;
        let attempts = [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "http:evil.example",
            "/%2F%2Fevil.example",
            "/%5Cevil.example",
            "javascript:alert(1)",
            "evil.example",
            "///evil.example",
            "/\t/evil.example",
        ];
        for (i, next) in attempts.iter().enumerate() {
            if i == 5 {
                app.clock.advance(Duration::minutes(16)); // the step-up's per-IP window
            }
            let query: String = next.bytes().map(|b| format!("%{b:02X}")).collect();
            let html = unescape_amp(&page(&alice, &format!("/profile/reauth?next={query}")).await);
            assert!(html.contains("name=\"next\" value=\"/\""), "{next}: {html}");
            assert!(!html.contains("evil.example") && !html.contains("javascript:"), "{next}");
            let (status, location, _) = submit(&alice, "/profile/reauth", &[("password", PASSWORD), ("next", next)]).await;
            assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/"), "{next}");
        }
    }

    async fn expense_chips_and_analytics_bars_show_the_category_colour(app) {
        let (alice, owner) = user(&app, "alice").await;
        let groceries = category(&app, owner, "Groceries").await.to_string();
        created(&alice, "/api/expenses", json!({"amount": "42", "spent_on": "2026-03-02", "payee": "Grocer", "category_id": groceries})).await;
        let list = page(&alice, "/expenses").await;
        assert!(list.contains("<span class=\"chip\"><svg class=\"swatch\"") && list.contains("fill=\"#3b82f6\"></circle></svg>Groceries</span>"), "{list}");
        let analytics = page(&alice, "/analytics?year=2026").await;
        assert!(analytics.contains("class=\"bar-own\"") && analytics.contains("fill=\"#3b82f6\"><title>Groceries: $42.00</title>"), "{analytics}");
        assert!(!analytics.contains("style="), "no inline styles");
    }

    async fn demo_bills_sit_under_sensible_categories_and_removing_them_keeps_own_records(app) {
        let (alice, _) = user(&app, "alice").await;
        let (status, _, _) = submit(&alice, "/tracker/demo", &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let own = add_bill(&alice, &[("name", "My own rent")]).await;
        created(&alice, "/api/expenses", json!({"amount": "3.50", "spent_on": "2026-03-02", "payee": "Kiosk"})).await;
        let bills = page(&alice, "/bills").await;
        for (bill, category) in [("Rent", "Housing"), ("Electricity", "Utilities"), ("Video streaming", "Subscriptions"), ("Car insurance", "Insurance"), ("Student loan", "Debt")] {
            let row = bills.split("<tr").find(|r| r.contains(&format!(">{bill}</a>"))).unwrap_or_else(|| panic!("{bill}: {bills}"));
            assert!(row.contains(&format!("Demo · {category}</span>")), "{bill} under {category}: {row}");
        }
        let (status, location, _) = submit(&alice, "/tracker/demo/clear", &[]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/?notice=demo_cleared"));
        let bills = page(&alice, "/bills").await;
        assert!(bills.contains(&format!("href=\"/bills/{own}\">My own rent</a>")) && !bills.contains(">Electricity</a>"), "{bills}");
        let expenses = page(&alice, "/expenses").await;
        assert!(expenses.contains("Kiosk") && !expenses.contains("Grocer"), "{expenses}");
    }
}
