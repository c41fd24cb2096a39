//! The tracker page (`GET /`) and its no-JavaScript forms, on both engines: listing, pay and
//! undo, pay all with its undo banner, skip, the month switcher, CSP hygiene, escaping, and
//! who may see it. The manual clock starts on Saturday 2026-03-14 (see `tracker.rs`).

use domain::user::Role;
use reqwest::StatusCode;

use crate::app_tests;
use crate::money::user;
use crate::pages_support::{page, submit, unescape_amp};
use crate::support::PASSWORD;
use crate::tracker::{bill, owner, status_of, tracker};

const MARCH: &str = "/?year=2026&month=3&sort=due&dir=asc";

app_tests! {
    async fn the_page_lists_a_bill_with_its_status_text_and_amount(app) {
        let (browser, me) = user(&app, "alice").await;
        bill(&app, me, "Rent", 20, 123_456).await;
        let html = page(&browser, MARCH).await;
        assert!(html.contains("Rent"), "{html}");
        assert!(html.contains("$1,234.56"), "{html}");
        assert!(html.contains("Fri, Mar 20"), "{html}");
        assert!(html.contains("in 6 days"), "{html}");
        let status = status_of(&tracker(&browser, "year=2026&month=3").await, "Rent", "2026-03-20");
        let label = web::pages::common::badge(status.parse().expect("a status the API names")).0;
        assert!(html.contains(&format!(">{label}</span>")), "{status}: {html}");
        // One vocabulary: the card counts with the words of the rows' badges.
        assert!(!html.contains("Overdue"), "the tracker says late or missed, like its rows");
        for card in ["Expected", "Paid", "Remaining", "Late or missed"] {
            assert!(html.contains(card), "{card}");
        }
        // Nothing to compute safe-to-spend from yet: a link to set it instead of a card.
        assert!(html.contains("Set your starting cash and income to see what is safe to spend"), "{html}");
        assert!(html.contains("action=\"/tracker/pay\""));
        assert!(html.contains("March 2026"));
    }

    async fn pay_and_undo_through_the_forms(app) {
        let (browser, me) = user(&app, "alice").await;
        let rent = bill(&app, me, "Rent", 20, 90_000).await.to_string();
        let (status, location, _) = submit(&browser, "/tracker/pay", &[("bill_id", &rent), ("due_date", "2026-03-20"), ("return_to", MARCH)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with(MARCH), "{location}");
        let html = page(&browser, &location).await;
        assert!(html.contains(">Paid</span>"), "{html}");
        assert!(html.contains("action=\"/tracker/unpay\""));
        let view = tracker(&browser, "year=2026&month=3").await;
        assert_eq!(status_of(&view, "Rent", "2026-03-20"), "paid");
        let paid = &crate::tracker::find(&view, "Rent", "2026-03-20")["paid"]["amount_minor"];
        assert_eq!(paid.as_i64(), Some(90_000), "the payment exists");

        let (status, location, _) = submit(&browser, "/tracker/unpay", &[("bill_id", &rent), ("due_date", "2026-03-20"), ("return_to", MARCH)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&browser, &location).await;
        assert!(!html.contains(">Paid</span>"), "{html}");
        assert_ne!(status_of(&tracker(&browser, "year=2026&month=3").await, "Rent", "2026-03-20"), "paid");

        // A second "Undo" (a stale tab) does not pay it again.
        let (status, location, _) = submit(&browser, "/tracker/unpay", &[("bill_id", &rent), ("due_date", "2026-03-20"), ("return_to", MARCH)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.contains("error=conflict"), "{location}");
        assert_ne!(status_of(&tracker(&browser, "year=2026&month=3").await, "Rent", "2026-03-20"), "paid");
    }

    async fn pay_all_then_undo_restores(app) {
        let (browser, me) = user(&app, "alice").await;
        bill(&app, me, "Water", 10, 5_000).await;
        bill(&app, me, "Power", 12, 7_000).await;
        let view = tracker(&browser, "year=2026&month=3").await;
        let before = status_of(&view, "Water", "2026-03-10");
        let bucket = crate::tracker::find(&view, "Water", "2026-03-10")["bucket"].as_u64().expect("bucket").to_string();
        let (status, location, _) = submit(&browser, "/tracker/pay-all", &[("year", "2026"), ("month", "3"), ("bucket", &bucket), ("return_to", MARCH)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let token = location.split("undo=").nth(1).and_then(|rest| rest.split(&['&', '#']).next()).expect("undo token in the redirect").to_owned();
        let html = page(&browser, &location).await;
        assert!(html.contains("action=\"/tracker/undo\""), "{html}");
        assert!(html.contains(&token));
        let view = tracker(&browser, "year=2026&month=3").await;
        assert_eq!(status_of(&view, "Water", "2026-03-10"), "paid");
        assert_eq!(status_of(&view, "Power", "2026-03-12"), "paid");

        let (status, location, _) = submit(&browser, "/tracker/undo", &[("undo_token", &token), ("return_to", MARCH)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.contains("notice=undone"), "{location}");
        page(&browser, &location).await;
        assert_eq!(status_of(&tracker(&browser, "year=2026&month=3").await, "Water", "2026-03-10"), before);
    }

    async fn skip_and_unskip_through_the_form(app) {
        let (browser, me) = user(&app, "alice").await;
        let rent = bill(&app, me, "Rent", 20, 90_000).await.to_string();
        let (status, _, _) = submit(&browser, "/tracker/skip", &[("bill_id", &rent), ("due_date", "2026-03-20"), ("skipped", "true"), ("return_to", MARCH)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(page(&browser, MARCH).await.contains(">Skipped</span>"));
        submit(&browser, "/tracker/skip", &[("bill_id", &rent), ("due_date", "2026-03-20"), ("skipped", "false"), ("return_to", MARCH)]).await;
        assert_ne!(status_of(&tracker(&browser, "year=2026&month=3").await, "Rent", "2026-03-20"), "skipped");
    }

    async fn this_months_amount_note_and_snooze_are_saved_on_their_page(app) {
        let (browser, me) = user(&app, "alice").await;
        let rent = bill(&app, me, "Rent", 20, 90_000).await.to_string();
        let tracker_html = unescape_amp(&page(&browser, MARCH).await);
        let href = format!("/tracker/occurrence?bill_id={rent}&due_date=2026-03-20&return_to=%2F%3Fyear%3D2026%26month%3D3%26sort%3Ddue%26dir%3Dasc");
        assert!(tracker_html.contains(&format!("href=\"{href}\"")), "the row links to its month: {tracker_html}");
        let form = page(&browser, &href).await;
        assert!(form.contains("<h1>Rent</h1>") && form.contains("$900.00"), "{form}");

        let edit = |amount: &'static str, note: &'static str, snooze: &'static str| {
            let rent = rent.clone();
            let browser = &browser;
            async move {
                submit(browser, "/tracker/occurrence", &[("bill_id", &rent), ("due_date", "2026-03-20"), ("actual_amount", amount), ("note", note), ("snoozed_until", snooze), ("return_to", MARCH)]).await
            }
        };
        let (status, location, _) = edit("912.30", "Rate went up <b>", "2026-03-25").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with(MARCH), "back to the month: {location}");
        let html = page(&browser, &location).await;
        assert!(html.contains("Rate went up &#60;b&#62;"), "the note shows, escaped: {html}");
        assert!(html.contains("Snoozed until"), "{html}");
        assert!(page(&browser, &href).await.contains("value=\"912.30\""), "the actual amount is saved");

        for (amount, note, snooze, field) in [("12.345", "", "", "actual_amount"), ("abc", "", "", "actual_amount"), ("-5", "", "", "actual_amount"), ("", "", "2026-02-30", "snoozed_until"), ("", "", "2026-03-19", "snoozed_until"), ("", "bell\u{7}", "", "note")] {
            let (status, _, body) = edit(amount, note, snooze).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{amount:?} {note:?} {snooze:?}");
            assert!(body.contains(&format!("id=\"{field}-error\"")), "the message sits under {field}: {body}");
            assert!(body.contains(&format!("id=\"{field}\"")) && body.contains("aria-invalid=\"true\""), "{body}");
            if !amount.is_empty() {
                assert!(body.contains(&format!("value=\"{amount}\"")), "what was typed is kept: {body}");
            }
            let saved = page(&browser, &href).await;
            assert!(saved.contains("value=\"912.30\"") && saved.contains("Rate went up"), "nothing changed: {saved}");
        }

        let (_, location, _) = edit("", "", "").await;
        let html = page(&browser, &location).await;
        assert!(!html.contains("Rate went up") && !html.contains("Snoozed until"), "blank clears: {html}");
        for missing in [format!("/tracker/occurrence?bill_id={rent}&due_date=2026-03-21"), "/tracker/occurrence?bill_id=nope&due_date=2026-03-20".to_owned(), "/tracker/occurrence".to_owned()] {
            assert_eq!(browser.get(&missing).await.status(), StatusCode::NOT_FOUND, "{missing}");
        }
    }

    async fn bad_input_comes_back_as_a_banner_never_a_500(app) {
        let (browser, me) = user(&app, "alice").await;
        bill(&app, me, "Rent", 20, 90_000).await;
        let cases = [
            ("/tracker/pay", vec![("bill_id", "nope"), ("due_date", "2026-03-20")], "error=not_found"),
            ("/tracker/pay", vec![("bill_id", "01J00000000000000000000000"), ("due_date", "2026-02-30")], "error="),
            ("/tracker/pay-all", vec![("year", "2026"), ("month", "13"), ("bucket", "0")], "error=invalid"),
            ("/tracker/undo", vec![("undo_token", "<script>")], "error=invalid"),
            ("/tracker/skip", vec![("bill_id", "x"), ("due_date", "2026-03-20"), ("skipped", "maybe")], "error="),
        ];
        for (path, fields, expected) in cases {
            let (status, location, _) = submit(&browser, path, &fields).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
            assert!(location.contains(expected), "{path}: {location}");
            page(&browser, &location).await;
        }
        let (status, location, _) = submit(&browser, "/tracker/pay", &[("return_to", "https://evil.test/")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/?"), "{location}");
        let html = page(&browser, "/?month=13&sort=drop").await;
        assert!(html.contains("not valid"), "{html}");
    }

    async fn the_month_switcher_wraps_the_year_and_keeps_the_sort(app) {
        let (browser, _) = user(&app, "alice").await;
        let html = unescape_amp(&page(&browser, "/?year=2026&month=1&sort=name&dir=desc").await);
        assert!(html.contains("href=\"/?year=2025&month=12&sort=name&dir=desc\""), "{html}");
        assert!(html.contains("href=\"/?year=2026&month=2&sort=name&dir=desc\""), "{html}");
        assert!(html.contains("January 2026"));
        let html = unescape_amp(&page(&browser, "/?year=2026&month=12&sort=pin_due").await);
        assert!(html.contains("href=\"/?year=2026&month=11&sort=pin_due&dir=asc\""), "{html}");
        assert!(html.contains("href=\"/?year=2027&month=1&sort=pin_due&dir=asc\""), "{html}");
    }

    async fn the_page_keeps_to_the_csp_and_escapes_bill_names(app) {
        let (browser, me) = user(&app, "alice").await;
        bill(&app, me, "<script>alert(1)</script>", 20, 1_000).await;
        let response = browser.get(MARCH).await;
        let csp = response.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let html = response.text().await.expect("body");
        let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("nonce in CSP").to_owned();
        assert!(!html.contains("style="), "no inline styles");
        assert!(html.contains("href=\"/static/app.css\""), "{html}");
        let css = browser.get("/static/app.css").await;
        assert_eq!(css.status(), StatusCode::OK);
        assert!(css.text().await.expect("css").contains(".summary-cards"), "the tracker's rules are in the one stylesheet");
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;") || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "the name renders as text: {html}"
        );
        for tag in html.split('<').skip(1) {
            if tag.starts_with("script") || tag.starts_with("link rel=\"stylesheet\"") {
                assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{tag}");
            }
            let lower = tag.to_ascii_lowercase();
            assert!(!lower.split_whitespace().any(|a| a.starts_with("on") && a.contains('=')), "{tag}");
        }
        for form in html.split("<form method=\"post\"").skip(1) {
            let form = form.split("</form>").next().unwrap_or_default();
            assert!(form.contains("name=\"csrf_token\""), "{form}");
        }
    }

    async fn an_empty_account_offers_its_first_bill_and_demo_data_only_then(app) {
        let (browser, _) = user(&app, "alice").await;
        let html = page(&browser, "/").await;
        assert!(html.contains("No bills yet"), "{html}");
        assert!(html.contains("class=\"btn btn-primary\" href=\"/bills/new\"><span>Add your first bill"), "the primary action: {html}");
        assert!(html.contains("action=\"/tracker/demo\" data-confirm="), "demo data asks first");
        assert!(html.contains("btn btn-secondary\">Try it with demo data"), "as a secondary action");
        assert!(!html.contains("action=\"/tracker/demo/clear\""), "nothing to remove yet");
        let (status, location, _) = submit(&browser, "/tracker/demo", &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&browser, &location).await;
        assert!(!html.contains("No bills yet"), "{html}");
        assert!(html.contains("Demo data loaded"));
        assert!(html.contains("action=\"/tracker/demo/clear\""), "removable from the page");
        assert!(!html.contains("Try it with demo data"), "offered only on an empty account");

        // A month without bills of an account that has some offers no demo data.
        let later = page(&browser, "/?year=2000&month=1").await;
        assert!(later.contains("Nothing due this month") && !later.contains("Try it with demo data"), "{later}");

        let (status, location, _) = submit(&browser, "/tracker/demo/clear", &[]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/?notice=demo_cleared"));
        let html = page(&browser, &location).await;
        assert!(html.contains("Demo data removed") && !html.contains("action=\"/tracker/demo/clear\""), "{html}");
        assert!(html.contains("No bills yet"), "back to an empty account");
    }

    async fn the_bootstrap_administrator_gets_403_and_strangers_sign_in(app) {
        app.account("first", PASSWORD, Role::Admin).await;
        let first = owner(&app, "first").await;
        app.app.store.tamper_for_tests(&format!("UPDATE users SET is_bootstrap = TRUE WHERE id = '{first}'")).await;
        let water = bill(&app, first, "Water", 10, 5_000).await.to_string();
        let mut admin = app.browser().await;
        assert_eq!(admin.login("first", PASSWORD).await.status(), StatusCode::OK);
        let home = admin.get("/").await;
        assert_eq!(home.status(), StatusCode::SEE_OTHER, "its home is the admin area");
        assert_eq!(home.headers().get("location").and_then(|v| v.to_str().ok()), Some("/admin"));
        assert!(!home.text().await.expect("body").contains("Water"), "no data on the way");
        assert_eq!(admin.get("/bills").await.status(), StatusCode::FORBIDDEN);
        let (status, _, _) = submit(&admin, "/tracker/pay", &[("bill_id", &water), ("due_date", "2026-03-10")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let anonymous = app.browser().await;
        let response = anonymous.get(MARCH).await;
        assert!(response.status().is_redirection(), "{}", response.status());
        let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(location.starts_with("/login?next="), "{location}");
        let (status, location, _) = submit(&anonymous, "/tracker/pay", &[("bill_id", &water), ("due_date", "2026-03-10")]).await;
        assert!(status.is_redirection() || status == StatusCode::FORBIDDEN, "{status}");
        if status.is_redirection() {
            assert!(location.starts_with("/login"), "{location}");
        }
    }
}

app_tests! {
    async fn pay_on_an_estimated_bill_asks_for_the_amount_a_fixed_one_does_not(app) {
        let (browser, _) = user(&app, "alice").await;
        let power = crate::bills::new_bill(&browser, serde_json::json!({
            "name": "Power", "amount_kind": "estimated", "expected_amount": "80", "expected_min": "60",
            "expected_max": "120", "anchor_date": "2026-03-10", "due_day": 10,
        })).await;
        let power_id = power["id"].as_str().expect("id").to_owned();
        crate::bills::new_bill(&browser, serde_json::json!({"name": "Rent", "expected_amount": "900", "anchor_date": "2026-03-20", "due_day": 20})).await;
        let html = page(&browser, MARCH).await;
        let field = format!("id=\"pay-{power_id}-2026-03-10\" name=\"amount\" value=\"80.00\"");
        assert!(html.contains(&field), "the estimate is proposed, not recorded: {html}");
        assert_eq!(html.matches("name=\"amount\"").count(), 1, "a fixed bill pays in one tap");

        // A mistyped amount is refused and nothing is paid.
        let (status, location, _) = submit(&browser, "/tracker/pay", &[("bill_id", &power_id), ("due_date", "2026-03-10"), ("amount", "abc"), ("return_to", MARCH)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.contains("error=amount"), "{location}");
        assert!(page(&browser, &location).await.contains("That amount is not valid"), "the banner says which field");
        assert_eq!(status_of(&tracker(&browser, "year=2026&month=3").await, "Power", "2026-03-10"), "late");

        let (status, location, _) = submit(&browser, "/tracker/pay", &[("bill_id", &power_id), ("due_date", "2026-03-10"), ("amount", "87.30"), ("return_to", MARCH)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
        let view = tracker(&browser, "year=2026&month=3").await;
        let paid = crate::tracker::find(&view, "Power", "2026-03-10");
        assert_eq!(paid["paid"]["amount"], "87.30", "{paid}");
        assert_eq!(paid["status"], "paid");
    }

    async fn the_payment_form_proposes_this_months_actual_amount(app) {
        let (browser, _) = user(&app, "alice").await;
        let power = crate::bills::new_bill(&browser, serde_json::json!({
            "name": "Power", "amount_kind": "estimated", "expected_amount": "80", "expected_min": "60",
            "expected_max": "120", "anchor_date": "2026-03-20", "due_day": 20,
        })).await;
        let id = power["id"].as_str().expect("id").to_owned();
        let (status, _, body) = submit(&browser, &format!("/bills/{id}/occurrence"), &[("due_date", "2026-03-20"), ("actual_amount", "93.15"), ("note", ""), ("snoozed_until", "")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let html = page(&browser, &format!("/bills/{id}")).await;
        assert!(html.contains("name=\"amount\" type=\"text\" value=\"93.15\""), "{html}");
        let html = page(&browser, MARCH).await;
        assert!(html.contains("name=\"amount\" value=\"93.15\""), "the tracker proposes it too");
    }
}

app_tests! {
    async fn expected_paid_and_remaining_add_up_or_say_why_not(app) {
        let (browser, _) = user(&app, "alice").await;
        let power = crate::bills::new_bill(&browser, serde_json::json!({
            "name": "Power", "amount_kind": "estimated", "expected_amount": "80", "expected_min": "60",
            "expected_max": "120", "anchor_date": "2026-03-10", "due_day": 10,
        })).await;
        let power_id = power["id"].as_str().expect("id").to_owned();
        let (status, _, _) = submit(&browser, "/tracker/pay", &[("bill_id", &power_id), ("due_date", "2026-03-10"), ("amount", "65"), ("return_to", MARCH)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let view = tracker(&browser, "year=2026&month=3").await;
        let s = &view["summary"];
        assert_eq!((s["expected"]["amount"].as_str(), s["paid"]["amount"].as_str(), s["remaining"]["amount"].as_str(), s["settled_difference"]["amount"].as_str()),
            (Some("80.00"), Some("65.00"), Some("0.00"), Some("15.00")), "{s}");
        assert!(page(&browser, MARCH).await.contains("$15.00 of the expected was settled for less"));

        // An overpayment is said the other way round.
        let rent = crate::bills::new_bill(&browser, serde_json::json!({"name": "Rent", "expected_amount": "100", "anchor_date": "2026-03-20", "due_day": 20})).await;
        let (status, _) = crate::bills::call(&browser, reqwest::Method::POST, "/api/payments", Some(serde_json::json!({"bill_id": rent["id"], "amount": "135", "cycle_due": "2026-03-20"}))).await;
        assert_eq!(status, StatusCode::CREATED);
        let s = tracker(&browser, "year=2026&month=3").await["summary"].clone();
        assert_eq!(s["settled_difference"]["amount"], "-20.00", "{s}");
        assert!(page(&browser, MARCH).await.contains("$20.00 paid beyond what was expected"));
    }
}

app_tests! {
    async fn the_first_visit_asks_for_currency_time_zone_and_locale_until_saved(app) {
        let (browser, _) = user(&app, "alice").await;
        let html = page(&browser, "/").await;
        assert!(html.contains("Before you start: your currency, time zone and language"), "{html}");
        assert!(html.contains("list=\"welcome-time-zones\"") && html.contains("<option value=\"Europe/Berlin\"></option>"), "a searchable list of zones");
        assert!(html.contains("data-prefill=\"time-zone\""), "the browser's zone fills it with JavaScript on");

        // A zone that does not exist is refused under its field, nothing saved.
        let (status, location, _) = submit(&browser, "/welcome", &[("currency", "EUR"), ("time_zone", "Mars/Olympus"), ("locale", "de-DE")]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/?welcome_error=time_zone"));
        let html = page(&browser, &location).await;
        assert!(html.contains("Time zone must be one of the list"), "{html}");
        let (_, settings) = crate::bills::get(&browser, "/api/profile/settings").await;
        assert_eq!(settings["currency"], "USD", "nothing was saved: {settings}");

        let (status, location, _) = submit(&browser, "/welcome", &[("currency", "EUR"), ("time_zone", "Europe/Berlin"), ("locale", "de-DE")]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/?notice=welcome"));
        let html = page(&browser, &location).await;
        assert!(!html.contains("Before you start"), "asked once: {html}");
        let (_, settings) = crate::bills::get(&browser, "/api/profile/settings").await;
        assert_eq!((settings["currency"].as_str(), settings["time_zone"].as_str(), settings["locale"].as_str()), (Some("EUR"), Some("Europe/Berlin"), Some("de-DE")), "{settings}");
    }
}

app_tests! {
    async fn notices_name_the_bill_and_month_and_pay_all_shows_only_when_something_is_due(app) {
        let (browser, me) = user(&app, "alice").await;
        let rent = bill(&app, me, "<b>Rent</b>", 10, 90_000).await.to_string();
        bill(&app, me, "Later", 28, 5_000).await;
        let html = page(&browser, MARCH).await;
        assert_eq!(html.matches("action=\"/tracker/pay-all\"").count(), 1, "this month has something due by today: {html}");
        let april = page(&browser, "/?year=2026&month=4&sort=due&dir=asc").await;
        assert!(april.contains("action=\"/tracker/pay\""), "April's bills can be paid one by one");
        assert!(!april.contains("action=\"/tracker/pay-all\""), "but nothing is due yet, so no Pay all due: {april}");

        let (_, location, _) = submit(&browser, "/tracker/pay", &[("bill_id", &rent), ("due_date", "2026-03-10"), ("return_to", MARCH)]).await;
        let html = page(&browser, &location).await;
        assert!(html.contains("&#60;b&#62;Rent&#60;/b&#62; marked paid for March 2026."), "{html}");
        let (_, location, _) = submit(&browser, "/tracker/unpay", &[("bill_id", &rent), ("due_date", "2026-03-10"), ("return_to", MARCH)]).await;
        assert!(page(&browser, &location).await.contains("for March 2026 is unpaid again."));
        let (_, location, _) = submit(&browser, "/tracker/skip", &[("bill_id", &rent), ("due_date", "2026-03-10"), ("skipped", "true"), ("return_to", MARCH)]).await;
        assert!(page(&browser, &location).await.contains("skipped for March 2026."));
        // A bill id in the address that is not on the page says only the generic words.
        let other = page(&browser, &format!("{MARCH}&notice=paid&bill={}&due=2026-03-10", uuid_like())).await;
        assert!(other.contains("Marked as paid."), "{other}");
    }
}

fn uuid_like() -> &'static str {
    "0190f000-0000-7000-8000-000000000000"
}

app_tests! {
    async fn filters_and_sorting_are_marked_to_apply_on_change_and_the_sign_in_page_says_what_to_do_on_a_lost_password(app) {
        let (browser, me) = user(&app, "alice").await;
        bill(&app, me, "Rent", 10, 90_000).await;
        for path in [MARCH, "/bills", "/expenses"] {
            let html = page(&browser, path).await;
            assert!(html.contains("method=\"get\"") && html.contains(" data-autosubmit>"), "{path}");
        }
        let anonymous = app.browser().await;
        let html = page(&anonymous, "/login").await;
        assert!(html.contains("Forgot your password?"), "{html}");
    }
}
