//! The error paths of the tracker's browser routes (tracker forms, this month's page, cash,
//! budgets, analytics) on the page kit (issue 12), on both engines: an unknown id, an id that
//! does not parse, another user's real id, a garbled form body and the demo data's rate limit
//! each answer a redirect with a banner or an HTML page that says so — never problem+json,
//! never a 500 — and nothing of the other user's is shown or changed. Also the settled rule
//! the pages now take from the service: a skipped occurrence with a payment is settled (Undo,
//! not Pay). The manual clock starts on Saturday 2026-03-14.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::app_tests;
use crate::money::{category, created, user};
use crate::pages_support::{fetch, header, page, post_form, submit};
use crate::support::Browser;
use crate::tracker::{bill, call, find, pay, status_of, tracker};

const MARCH: &str = "/?year=2026&month=3&sort=due&dir=asc";
/// A well-formed id that names nothing.
const UNKNOWN: &str = "0190f000-0000-7000-8000-000000000000";

/// What a browser route answered: status, content type, `Location` and body.
struct Answer {
    status: StatusCode,
    kind: String,
    location: String,
    body: String,
}

impl Answer {
    async fn of(response: reqwest::Response) -> Self {
        let (kind, location) = (
            header(&response, "content-type"),
            header(&response, "location"),
        );
        let status = response.status();
        let body = response.text().await.expect("body");
        Answer {
            status,
            kind,
            location,
            body,
        }
    }

    /// A redirect with a banner code, or an HTML page: never problem+json, never a 5xx.
    fn assert_html(&self, what: &str) {
        assert!(
            !self.status.is_server_error(),
            "{what}: {} {}",
            self.status,
            self.body
        );
        assert!(
            !self.kind.contains("json"),
            "{what}: {} answered {}: {}",
            self.status,
            self.kind,
            self.body
        );
        if self.status.is_redirection() {
            assert!(self.location.starts_with('/'), "{what}: {}", self.location);
        } else {
            assert!(
                self.kind.starts_with("text/html"),
                "{what}: {} {}",
                self.status,
                self.kind
            );
            assert!(
                self.body.contains("<html"),
                "{what}: a whole page: {}",
                self.body
            );
        }
    }

    /// The 404 page with `words`.
    fn assert_not_found(&self, what: &str, words: &str) {
        self.assert_html(what);
        assert_eq!(self.status, StatusCode::NOT_FOUND, "{what}: {}", self.body);
        assert!(self.body.contains(words), "{what}: {}", self.body);
    }
}

/// POSTs a form (with the CSRF token) without following the redirect.
async fn post(browser: &Browser, path: &str, fields: &[(&str, &str)]) -> Answer {
    Answer::of(post_form(browser, path, fields).await).await
}

/// GETs a page.
async fn get(browser: &Browser, path: &str) -> Answer {
    Answer::of(browser.get(path).await).await
}

app_tests! {
    async fn pages_never_answer_problem_json_tracker_forms(app) {
        let (alice, me) = user(&app, "alice").await;
        bill(&app, me, "Rent", 20, 90_000).await;
        let (bob, bob_id) = user(&app, "bob").await;
        let his = bill(&app, bob_id, "Bob's rent", 20, 70_000).await.to_string();

        // Unknown, malformed and someone else's bill: a banner on the month, nothing of Bob's.
        for (id, case) in [(UNKNOWN, "unknown"), ("nope", "malformed"), (his.as_str(), "another user's")] {
            for path in ["/tracker/pay", "/tracker/unpay"] {
                let answer = post(&alice, path, &[("bill_id", id), ("due_date", "2026-03-20"), ("return_to", MARCH)]).await;
                answer.assert_html(&format!("{path} {case}"));
                assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path} {case}");
                assert!(answer.location.contains("error=not_found"), "{path} {case}: {}", answer.location);
                let html = page(&alice, &answer.location).await;
                assert!(html.contains("That bill no longer exists.") && !html.contains("Bob"), "{html}");
            }
            let answer = post(&alice, "/tracker/skip", &[("bill_id", id), ("due_date", "2026-03-20"), ("skipped", "true"), ("return_to", MARCH)]).await;
            answer.assert_html(&format!("skip {case}"));
            assert!(answer.location.contains("error=not_found"), "skip {case}: {}", answer.location);
        }
        let view = tracker(&bob, "year=2026&month=3").await;
        let theirs = find(&view, "Bob's rent", "2026-03-20");
        assert_eq!((theirs["paid"]["amount_minor"].as_i64(), theirs["skipped"].as_bool()), (Some(0), Some(false)), "Bob's bill is untouched: {theirs}");

        // Garbled or missing fields: a banner naming no input, never a 5xx or JSON.
        let garbled: [(&str, Vec<(&str, &str)>); 7] = [
            ("/tracker/pay", vec![]),
            ("/tracker/pay", vec![("bill_id", UNKNOWN), ("due_date", "March")]),
            ("/tracker/skip", vec![("bill_id", UNKNOWN), ("due_date", "2026-03-20"), ("skipped", "maybe")]),
            ("/tracker/pay-all", vec![("year", "twenty"), ("month", "3"), ("bucket", "0")]),
            ("/tracker/pay-all", vec![("year", "2026"), ("month", "3"), ("bucket", "99")]),
            ("/tracker/undo", vec![("undo_token", "")]),
            ("/tracker/undo", vec![("undo_token", "a b")]),
        ];
        for (path, fields) in garbled {
            let answer = post(&alice, path, &fields).await;
            answer.assert_html(path);
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path} {fields:?}");
            assert!(answer.location.contains("error="), "{path} {fields:?}: {}", answer.location);
            let (status, html) = fetch(&alice, &answer.location).await;
            assert_eq!(status, StatusCode::OK, "{html}");
            assert!(html.contains("class=\"notice error-summary\" role=\"alert\""), "the banner is on the page: {html}");
        }

        // A body that is not a form at all is the HTML error page.
        let response = alice.client.post(alice.url("/tracker/pay")).header("x-csrf-token", alice.csrf.as_str())
            .header("content-type", "application/json").body("{\"bill_id\": 1}").send().await.expect("post");
        let answer = Answer::of(response).await;
        answer.assert_html("a JSON body");
        assert!(answer.status.is_client_error(), "{}", answer.status);
    }

    async fn pages_never_answer_problem_json_occurrence_page(app) {
        let (alice, me) = user(&app, "alice").await;
        let rent = bill(&app, me, "Rent", 20, 90_000).await.to_string();
        let (bob, bob_id) = user(&app, "bob").await;
        let his = bill(&app, bob_id, "Bob's rent", 20, 70_000).await.to_string();
        let words = "That bill has no such due date, or it no longer exists.";
        for (id, due, case) in [(UNKNOWN, "2026-03-20", "unknown"), ("nope", "2026-03-20", "malformed"), (his.as_str(), "2026-03-20", "another user's"), (rent.as_str(), "2026-03-21", "not a due date"), (rent.as_str(), "someday", "a garbled date")] {
            let answer = get(&alice, &format!("/tracker/occurrence?bill_id={id}&due_date={due}")).await;
            answer.assert_not_found(&format!("GET {case}"), words);
            assert!(!answer.body.contains("Bob"), "{}", answer.body);
            let answer = post(&alice, "/tracker/occurrence", &[("bill_id", id), ("due_date", due), ("actual_amount", "1"), ("note", "mine now"), ("snoozed_until", "")]).await;
            answer.assert_not_found(&format!("POST {case}"), words);
        }
        let answer = get(&alice, "/tracker/occurrence").await;
        answer.assert_not_found("no query", words);

        // A garbled field comes back under its field, with 422.
        let answer = post(&alice, "/tracker/occurrence", &[("bill_id", &rent), ("due_date", "2026-03-20"), ("actual_amount", "lots"), ("return_to", MARCH)]).await;
        answer.assert_html("a garbled amount");
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(answer.body.contains("id=\"actual_amount-error\"") && answer.body.contains("value=\"lots\""), "{}", answer.body);
        let view = tracker(&bob, "year=2026&month=3").await;
        assert_eq!(find(&view, "Bob's rent", "2026-03-20")["note"], "", "Bob's month is untouched");
    }

    async fn pages_never_answer_problem_json_budgets(app) {
        let (alice, me) = user(&app, "alice").await;
        let food = category(&app, me, "Food").await.to_string();
        let mine = created(&alice, "/api/budgets", json!({"category_id": food, "period": "monthly", "limit": "100"})).await;
        let mine = mine["id"].as_str().expect("id").to_owned();
        let (bob, bob_id) = user(&app, "bob").await;
        let hobby = category(&app, bob_id, "Bob's hobby").await.to_string();
        let his = created(&bob, "/api/budgets", json!({"category_id": hobby, "period": "monthly", "limit": "300"})).await;
        let his = his["id"].as_str().expect("id").to_owned();
        let words = "There is no such budget.";
        for (id, case) in [(UNKNOWN, "unknown"), (his.as_str(), "another user's")] {
            post(&alice, &format!("/budgets/{id}"), &[("limit", "1"), ("version", "1")]).await.assert_not_found(case, words);
            post(&alice, &format!("/budgets/{id}/delete"), &[]).await.assert_not_found(case, words);
        }
        for path in ["/budgets/not-an-id", "/budgets/not-an-id/delete"] {
            post(&alice, path, &[("limit", "1")]).await.assert_not_found(path, "That does not exist");
        }

        // Garbled bodies: the page again with 422 and the message under each field.
        let answer = post(&alice, "/budgets", &[]).await;
        answer.assert_html("an empty form");
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(answer.body.contains("Choose one of your categories.") && answer.body.contains("aria-invalid=\"true\""), "{}", answer.body);
        let answer = post(&alice, &format!("/budgets/{mine}"), &[("limit", "a lot"), ("version", "1")]).await;
        answer.assert_html("a garbled limit");
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(answer.body.contains("value=\"a lot\""), "{}", answer.body);
        let (_, theirs) = crate::money::get(&bob, "/api/budgets").await;
        assert_eq!(theirs[0]["limit"], "300.00", "Bob's budget is untouched");
    }

    async fn pages_never_answer_problem_json_cash_and_analytics(app) {
        let (alice, _) = user(&app, "alice").await;
        for path in ["/tracker/cash?month=13", "/tracker/cash?year=abc"] {
            let answer = get(&alice, path).await;
            answer.assert_html(path);
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            assert!(answer.body.contains("Starting cash and income could not be shown"), "{path}: {}", answer.body);
        }
        for fields in [vec![], vec![("year", "2026"), ("month", "thirteen")], vec![("year", "2026"), ("month", "3"), ("periods", "2"), ("starting_cash_0", "12,34,5")]] {
            let answer = post(&alice, "/tracker/cash", &fields).await;
            answer.assert_html(&format!("{fields:?}"));
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}: {}", answer.body);
        }
        for query in ["year=abc", "year=0", "year=%FF"] {
            let answer = get(&alice, &format!("/analytics?{query}")).await;
            answer.assert_html(query);
        }
    }

    async fn pages_never_answer_problem_json_demo_data_rate_limit(app) {
        let (alice, _) = user(&app, "alice").await;
        for _ in 0..3 {
            let answer = post(&alice, "/tracker/demo/clear", &[]).await;
            assert_eq!((answer.status, answer.location.as_str()), (StatusCode::SEE_OTHER, "/?notice=demo_cleared"));
        }
        let answer = post(&alice, "/tracker/demo/clear", &[]).await;
        answer.assert_html("over the limit");
        assert_eq!((answer.status, answer.location.as_str()), (StatusCode::SEE_OTHER, "/?error=rate"));
        assert!(page(&alice, &answer.location).await.contains("Too many attempts; wait a few minutes and try again."));
        let answer = post(&alice, "/tracker/demo", &[]).await;
        assert_eq!(answer.location, "/?error=rate", "loading shares the limit");
    }

    async fn a_skipped_occurrence_with_a_payment_is_settled_so_its_row_offers_undo_not_pay(app) {
        let (alice, me) = user(&app, "alice").await;
        let rent = bill(&app, me, "Rent", 20, 90_000).await;
        pay(&app, me, rent, 30_000, crate::tracker::day(2026, 3, 20)).await;
        let (status, _) = call(&alice, Method::PUT, &format!("/api/tracker/occurrences/{rent}/2026-03-20"), json!({"skipped": true})).await;
        assert_eq!(status, StatusCode::OK);
        let view = tracker(&alice, "year=2026&month=3").await;
        assert_eq!(status_of(&view, "Rent", "2026-03-20"), "skipped");

        // Payments settle it (the service's rule), so the row offers Undo and neither Pay nor Unskip.
        let anchor = format!("occ-{rent}-2026-03-20");
        let html = page(&alice, MARCH).await;
        let row = &html[html.find(&format!("<tr id=\"{anchor}\">")).expect("the row")..];
        let row = &row[..row.find("</tr>").expect("row end")];
        assert!(row.contains("action=\"/tracker/unpay\"") && !row.contains("action=\"/tracker/pay\"") && !row.contains(">Unskip<"), "{row}");

        let (status, location, _) = submit(&alice, "/tracker/unpay", &[("bill_id", &rent.to_string()), ("due_date", "2026-03-20"), ("return_to", MARCH)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.contains("notice=unpaid"), "{location}");
        let after = find(&tracker(&alice, "year=2026&month=3").await, "Rent", "2026-03-20").clone();
        assert_eq!((after["status"].as_str(), after["paid"]["amount_minor"].as_i64()), (Some("skipped"), Some(0)), "{after}");
        let html = page(&alice, MARCH).await;
        let row = &html[html.find(&format!("<tr id=\"{anchor}\">")).expect("the row")..];
        assert!(row[..row.find("</tr>").expect("row end")].contains(">Unskip<"), "now it is only skipped");
    }
}
