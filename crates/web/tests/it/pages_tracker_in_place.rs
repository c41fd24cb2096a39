//! Pay, undo and skip on the tracker keep the person where they were (issue 14, item 13), on
//! both engines. Without JavaScript a row's form returns to the row's anchor and Pay all due to
//! its pay period's; with it (htmx's own request) the answer is the row, its pay period's
//! header and the summary cards drawn by the page's own templates, plus the notice, and the
//! same CSRF and ownership checks hold. The manual clock starts on Saturday 2026-03-14.

use reqwest::StatusCode;

use crate::app_tests;
use crate::money::user;
use crate::pages_support::{page, submit};
use crate::support::Browser;
use crate::tracker::{bill, find, status_of, tracker};

const MARCH: &str = "/?year=2026&month=3&sort=due&dir=asc";

/// POSTs a row's form the way htmx does (`HX-Request: true`, and `HX-Boosted` when `boosted`);
/// returns the status, the `HX-Reswap` and `Location` headers and the body.
async fn htmx(
    browser: &Browser,
    path: &str,
    fields: &[(&str, &str)],
    boosted: bool,
) -> (StatusCode, String, String, String) {
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("csrf_token", browser.csrf.as_str()));
    let mut request = browser
        .client
        .post(browser.url(path))
        .header("hx-request", "true")
        .form(&form);
    if boosted {
        request = request.header("hx-boosted", "true");
    }
    let response = request.send().await.expect("post");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (reswap, location) = (header("hx-reswap"), header("location"));
    (
        response.status(),
        reswap,
        location,
        response.text().await.expect("body"),
    )
}

/// The `<tr id="…">…</tr>` of `anchor` in `html`.
fn row_html<'a>(html: &'a str, anchor: &str) -> &'a str {
    let start = html
        .find(&format!("<tr id=\"{anchor}\">"))
        .unwrap_or_else(|| panic!("no row {anchor} in {html}"));
    let end = start + html[start..].find("</tr>").expect("row end") + "</tr>".len();
    &html[start..end]
}

/// The summary cards' markup inside the element opened by `opening` and closed by `closing`.
fn cards_html<'a>(html: &'a str, opening: &str, closing: &str) -> &'a str {
    let inside = &html[html
        .find(opening)
        .unwrap_or_else(|| panic!("no {opening} in {html}"))
        + opening.len()..];
    inside[..inside.find(closing).expect("the end")].trim()
}

app_tests! {
    async fn without_javascript_a_rows_form_returns_to_its_row_and_pay_all_to_its_pay_period(app) {
        let (browser, me) = user(&app, "alice").await;
        let rent = bill(&app, me, "Rent", 20, 90_000).await.to_string();
        let anchor = format!("occ-{rent}-2026-03-20");
        let html = page(&browser, MARCH).await;
        assert!(html.contains(&format!("<tr id=\"{anchor}\">")), "every row has its anchor: {html}");

        for (path, extra, notice) in [("/tracker/pay", None, "notice=paid"), ("/tracker/unpay", None, "notice=unpaid"), ("/tracker/skip", Some("true"), "notice=skipped"), ("/tracker/skip", Some("false"), "notice=unskipped")] {
            let mut fields = vec![("bill_id", rent.as_str()), ("due_date", "2026-03-20"), ("return_to", MARCH)];
            if let Some(skipped) = extra {
                fields.push(("skipped", skipped));
            }
            let (status, location, _) = submit(&browser, path, &fields).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
            assert!(location.starts_with(MARCH) && location.contains(notice), "{path}: {location}");
            assert!(location.ends_with(&format!("#{anchor}")), "{path} lands on the row: {location}");
            let html = page(&browser, &location).await;
            assert!(html.contains(&format!("<tr id=\"{anchor}\">")), "the anchor is on the page it returns to");
        }
        // The notice still names the bill and month (looked up on the page).
        let (_, location, _) = submit(&browser, "/tracker/pay", &[("bill_id", &rent), ("due_date", "2026-03-20"), ("return_to", MARCH)]).await;
        assert!(page(&browser, &location).await.contains("Rent marked paid for March 2026."));
        // An error goes back to the top, where its banner is.
        submit(&browser, "/tracker/unpay", &[("bill_id", &rent), ("due_date", "2026-03-20"), ("return_to", MARCH)]).await;
        let (_, location, _) = submit(&browser, "/tracker/unpay", &[("bill_id", &rent), ("due_date", "2026-03-20"), ("return_to", MARCH)]).await;
        assert!(location.contains("error=conflict") && !location.contains('#'), "{location}");

        // Pay all due lands on its pay period, whose header carries the notice and its Undo.
        bill(&app, me, "Water", 10, 5_000).await;
        let view = tracker(&browser, "year=2026&month=3").await;
        let bucket = find(&view, "Water", "2026-03-10")["bucket"].as_u64().expect("bucket").to_string();
        let (status, location, _) = submit(&browser, "/tracker/pay-all", &[("year", "2026"), ("month", "3"), ("bucket", &bucket), ("return_to", MARCH)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.ends_with(&format!("&bucket={bucket}#bucket-{bucket}")), "{location}");
        let html = page(&browser, &location).await;
        let section = &html[html.find(&format!("id=\"bucket-{bucket}-head\"")).expect("the pay period")..];
        let notice = section.find("Paid every bill due in this period.").expect("the notice sits in the pay period");
        assert!(notice < section.find("<table").expect("its rows"), "above its rows");
        let token = location.split("undo=").nth(1).and_then(|rest| rest.split('&').next()).expect("undo token").to_owned();
        assert!(section.contains(&format!("name=\"bucket\" value=\"{bucket}\"")), "its Undo returns there too");
        let (status, location, _) = submit(&browser, "/tracker/undo", &[("undo_token", &token), ("bucket", &bucket), ("return_to", MARCH)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.contains("notice=undone") && location.ends_with(&format!("#bucket-{bucket}")), "{location}");
        assert!(page(&browser, &location).await.contains("Undone: those payments were removed."));
        assert_ne!(status_of(&tracker(&browser, "year=2026&month=3").await, "Water", "2026-03-10"), "paid");
    }

    async fn an_htmx_pay_answers_with_the_row_its_pay_period_and_the_summary_drawn_like_the_page(app) {
        let (browser, me) = user(&app, "alice").await;
        let rent = bill(&app, me, "Rent", 20, 90_000).await.to_string();
        bill(&app, me, "Water", 10, 5_000).await;
        let anchor = format!("occ-{rent}-2026-03-20");
        let bucket = find(&tracker(&browser, "year=2026&month=3").await, "Rent", "2026-03-20")["bucket"].as_u64().expect("bucket");
        let fields = [("bill_id", rent.as_str()), ("due_date", "2026-03-20"), ("return_to", MARCH)];

        let (status, reswap, location, body) = htmx(&browser, "/tracker/pay", &fields, false).await;
        assert_eq!((status, reswap.as_str(), location.as_str()), (StatusCode::OK, "outerHTML", ""), "{body}");
        assert!(body.starts_with(&format!("<tr id=\"{anchor}\">")), "the row comes first, to replace the one sent: {body}");
        assert!(!body.contains("<html") && !body.contains("class=\"sidebar\""), "a partial, not a page");
        assert!(row_html(&body, &anchor).contains(">Paid</span>") && body.contains("action=\"/tracker/unpay\""), "{body}");
        assert!(body.contains(&format!("hx-swap-oob=\"innerHTML:#bucket-{bucket}-head\"")), "{body}");
        assert!(body.contains("Paid $900.00 · Remaining"), "the pay period's totals: {body}");
        assert!(body.contains("hx-swap-oob=\"innerHTML:#summary\""), "{body}");
        assert!(body.contains("hx-swap-oob=\"innerHTML:.toasts\"") && body.contains("Rent marked paid for March 2026."), "the notice, for the live region: {body}");
        assert_eq!(status_of(&tracker(&browser, "year=2026&month=3").await, "Rent", "2026-03-20"), "paid");

        // The same templates draw the page: the row and the cards are the page's, byte for byte.
        let html = page(&browser, MARCH).await;
        assert_eq!(row_html(&body, &anchor), row_html(&html, &anchor));
        let cards = cards_html(&body, "hx-swap-oob=\"innerHTML:#summary\">", "\n</div></template>");
        assert_eq!(cards, cards_html(&html, "id=\"summary\">", "\n</section>"));
        assert!(cards.contains("<p class=\"summary-label\">Paid</p>\n  <p class=\"summary-value\">$900.00</p>"), "the Paid card: {cards}");

        // Undo, skip and unskip answer the same way, each with its own notice.
        let (status, reswap, _, body) = htmx(&browser, "/tracker/unpay", &fields, false).await;
        assert_eq!((status, reswap.as_str()), (StatusCode::OK, "outerHTML"));
        assert!(row_html(&body, &anchor).contains("action=\"/tracker/pay\"") && body.contains("Rent for March 2026 is unpaid again."), "{body}");
        let mut skip = fields.to_vec();
        skip.push(("skipped", "true"));
        let (status, _, _, body) = htmx(&browser, "/tracker/skip", &skip, false).await;
        assert_eq!(status, StatusCode::OK);
        assert!(row_html(&body, &anchor).contains(">Skipped</span>") && body.contains("Rent skipped for March 2026."), "{body}");
        skip[3] = ("skipped", "false");
        let (_, _, _, body) = htmx(&browser, "/tracker/skip", &skip, false).await;
        assert!(row_html(&body, &anchor).contains(">Skip<") && body.contains("Rent is back on the list for March 2026."), "{body}");

        // A boosted form swaps the whole page: it gets the redirect, as without JavaScript.
        let (status, _, location, _) = htmx(&browser, "/tracker/pay", &fields, true).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.ends_with(&format!("#{anchor}")), "{location}");
    }

    async fn an_htmx_form_keeps_the_csrf_and_ownership_checks(app) {
        let (alice, me) = user(&app, "alice").await;
        let rent = bill(&app, me, "Rent", 20, 90_000).await.to_string();
        let (bob, bob_id) = user(&app, "bob").await;
        let his = bill(&app, bob_id, "Bob's rent", 20, 70_000).await.to_string();

        // Alice names Bob's bill: refused as not found, nothing of his drawn, nothing changed.
        let (status, reswap, _, body) = htmx(&alice, "/tracker/pay", &[("bill_id", &his), ("due_date", "2026-03-20"), ("return_to", MARCH)], false).await;
        assert_eq!((status, reswap.as_str()), (StatusCode::NOT_FOUND, "none"), "{body}");
        assert!(!body.contains("<tr") && !body.contains("Bob") && !body.contains("$700.00"), "{body}");
        assert!(body.contains("toast-error") && body.contains("That bill no longer exists."), "{body}");
        assert_ne!(status_of(&tracker(&bob, "year=2026&month=3").await, "Bob's rent", "2026-03-20"), "paid");

        // A stale Undo is refused and the row is drawn as it really is.
        let (status, reswap, _, body) = htmx(&alice, "/tracker/unpay", &[("bill_id", &rent), ("due_date", "2026-03-20"), ("return_to", MARCH)], false).await;
        assert_eq!((status, reswap.as_str()), (StatusCode::CONFLICT, "outerHTML"), "{body}");
        assert!(body.contains("action=\"/tracker/pay\"") && body.contains("toast-error"), "{body}");

        // Without the CSRF token the request never reaches the form.
        let response = alice.client.post(alice.url("/tracker/pay")).header("hx-request", "true")
            .form(&[("bill_id", rent.as_str()), ("due_date", "2026-03-20")]).send().await.expect("post");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        // The refusal is the HTML 403 page, marked so htmx draws nothing of it into the row.
        let reswap = response.headers().get("hx-reswap").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let refused = response.text().await.expect("body");
        assert_eq!(reswap, "none", "{refused}");
        assert!(refused.contains("Missing or invalid CSRF token") && !refused.contains("<tr"), "{refused}");
        assert_ne!(status_of(&tracker(&alice, "year=2026&month=3").await, "Rent", "2026-03-20"), "paid");
    }
}

app_tests! {
    async fn an_estimated_bill_is_paid_in_place_with_the_amount_typed_and_a_mistyped_one_stays_for_correction(app) {
        let (browser, _) = user(&app, "alice").await;
        let power = crate::bills::new_bill(&browser, serde_json::json!({
            "name": "Power", "amount_kind": "estimated", "expected_amount": "80", "expected_min": "60",
            "expected_max": "120", "anchor_date": "2026-03-10", "due_day": 10,
        })).await;
        let id = power["id"].as_str().expect("id").to_owned();
        let anchor = format!("occ-{id}-2026-03-10");
        let html = page(&browser, MARCH).await;
        assert!(row_html(&html, &anchor).contains("hx-post=\"/tracker/pay\"") && row_html(&html, &anchor).contains("name=\"amount\""), "the amount is asked in the row");

        let (status, reswap, _, body) = htmx(&browser, "/tracker/pay", &[("bill_id", &id), ("due_date", "2026-03-10"), ("amount", "abc"), ("return_to", MARCH)], false).await;
        assert_eq!((status, reswap.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "none"), "the row and what was typed stay: {body}");
        assert!(!body.contains("<tr") && body.contains("That amount is not valid"), "{body}");
        assert_eq!(status_of(&tracker(&browser, "year=2026&month=3").await, "Power", "2026-03-10"), "late", "nothing paid");

        let (status, _, _, body) = htmx(&browser, "/tracker/pay", &[("bill_id", &id), ("due_date", "2026-03-10"), ("amount", "87.30"), ("return_to", MARCH)], false).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(row_html(&body, &anchor).contains(">Paid</span>") && body.contains("Power marked paid for March 2026."), "{body}");
        assert_eq!(find(&tracker(&browser, "year=2026&month=3").await, "Power", "2026-03-10")["paid"]["amount"], "87.30");
    }
}
