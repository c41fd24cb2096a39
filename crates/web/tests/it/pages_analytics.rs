//! The analytics page (`GET /analytics?year=`), on both engines: the data tables show the
//! year's totals per month, category and day; expected vs paid follows the tracker; another
//! user's data never appears; bad years fall back to this year with a message (never a 500);
//! category names come out escaped in the SVG and the tables; the charts (wide and narrow)
//! carry their titles and ids of their own; no inline styles. The manual clock starts on Saturday 2026-03-14 (see `tracker.rs`).

use domain::id::{CategoryId, UserId};
use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;
use store::categories::CategoryFields;
use store::expenses::ExpenseFields;

use crate::app_tests;
use crate::money::user;
use crate::pages_support::page;
use crate::support::TestApp;
use crate::tracker::{bill, call, create, day, monthly, owner, pay};

async fn category(app: &TestApp, owner: UserId, name: &str) -> CategoryId {
    let fields = CategoryFields {
        name: name.into(),
        color: "#3b82f6".into(),
        icon: "home".into(),
        is_spending: true,
    };
    app.app
        .store
        .create_category(owner, &fields, app.app.now())
        .await
        .expect("category")
        .id
}

async fn expense(
    app: &TestApp,
    owner: UserId,
    category_id: Option<CategoryId>,
    currency: &str,
    amount_minor: i64,
    on: chrono::NaiveDate,
) {
    let fields = ExpenseFields {
        category_id,
        amount_minor,
        currency: currency.into(),
        spent_on: on,
        payee: "Corner shop".into(),
        note: String::new(),
        method: "card".into(),
    };
    app.app
        .store
        .create_expense(owner, &fields, app.app.now())
        .await
        .expect("expense");
}

/// A table row: its header cell and the cells after it, as the template writes them.
fn row(header: &str, cells: &[(&str, &str)]) -> String {
    let mut out = format!("<th scope=\"row\">{header}</th>");
    for (label, value) in cells {
        out.push_str(&format!(
            "<td data-label=\"{label}\" class=\"num tabular\">{value}</td>"
        ));
    }
    out
}

app_tests! {
    async fn the_tables_show_the_years_totals_per_month_category_and_day(app) {
        let (browser, me) = user(&app, "alice").await;
        let home = category(&app, me, "Home").await;
        let food = category(&app, me, "Food").await;
        let mut rent = monthly("Rent", 20, 100_000);
        rent.category_id = Some(home);
        let rent = create(&app, me, rent).await;
        pay(&app, me, rent, 100_000, day(2026, 1, 20)).await;
        pay(&app, me, rent, 100_000, day(2026, 2, 20)).await;
        expense(&app, me, Some(food), "USD", 1_234, day(2026, 3, 3)).await;
        expense(&app, me, Some(food), "USD", 766, day(2026, 3, 3)).await;
        expense(&app, me, None, "USD", 500, day(2026, 2, 1)).await;

        let html = page(&browser, "/analytics?year=2026").await;

        assert!(html.contains("<h1>Analytics</h1>"), "{html}");
        assert!(html.contains("Amounts in USD."));
        assert!(html.contains(&row("January", &[("Bills", "$1,000.00"), ("Expenses", "$0.00"), ("Total", "$1,000.00")])), "{html}");
        assert!(html.contains(&row("February", &[("Bills", "$1,000.00"), ("Expenses", "$5.00"), ("Total", "$1,005.00")])));
        assert!(html.contains(&row("March", &[("Bills", "$0.00"), ("Expenses", "$20.00"), ("Total", "$20.00")])));
        assert!(html.contains(&row("Total", &[("Bills", "$2,000.00"), ("Expenses", "$25.00"), ("Total", "$2,025.00")])));
        // Expected vs paid: twelve rents of $1,000 are due in 2026; two were paid.
        assert!(html.contains(&row("January", &[("Expected", "$1,000.00"), ("Paid", "$1,000.00"), ("Difference", "$0.00")])));
        assert!(html.contains(&row("April", &[("Expected", "$1,000.00"), ("Paid", "$0.00"), ("Difference", "$1,000.00")])));
        assert!(html.contains(&row("Total", &[("Expected", "$12,000.00"), ("Paid", "$2,000.00"), ("Difference", "$10,000.00")])));
        // Categories, largest first.
        let home_row = row("Home", &[("Bills", "$2,000.00"), ("Expenses", "$0.00"), ("Total", "$2,000.00")]);
        let food_row = row("Food", &[("Bills", "$0.00"), ("Expenses", "$20.00"), ("Total", "$20.00")]);
        let loose_row = row("Uncategorised", &[("Bills", "$0.00"), ("Expenses", "$5.00"), ("Total", "$5.00")]);
        let (h, f, u) = (html.find(&home_row), html.find(&food_row), html.find(&loose_row));
        assert!(h.is_some() && f.is_some() && u.is_some(), "{html}");
        assert!(h < f && f < u, "largest first");
        // Days with spending, and the heatmap's titled cells.
        assert!(html.contains("<time datetime=\"2026-03-03\">Tue, Mar 3</time></th><td data-label=\"Paid\" class=\"num tabular\">$20.00</td>"));
        assert!(html.contains("<title>Tuesday, March 3, 2026: $20.00</title>"));
        assert!(html.contains("<title>Wednesday, March 4, 2026: nothing</title>"));
        // Four charts, each an image with a title and a description; three also drawn narrow
        // for phones (the stylesheet shows one per width), with ids of their own.
        assert_eq!(html.matches("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-svg").count(), 7);
        assert_eq!(html.matches("class=\"chart-svg chart-for-wide\"").count(), 3);
        assert_eq!(html.matches("class=\"chart-svg chart-for-narrow\"").count(), 3);
        let ids: Vec<&str> = html.split(" id=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
        let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), unique.len(), "no id twice on the page: {ids:?}");
        for id in ["monthly-chart", "expected-chart", "categories-chart", "heatmap-chart", "monthly-chart-narrow", "expected-chart-narrow", "categories-chart-narrow"] {
            assert!(html.contains(&format!("role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"")), "{id}");
            assert!(html.contains(&format!("<title id=\"{id}-title\">")), "{id}");
            assert!(html.contains(&format!("<desc id=\"{id}-desc\">")), "{id}");
        }
        assert!(html.contains("<title>Jan: Bills $1,000.00</title>"), "each bar says what it is");
        assert!(html.contains(">$1,000</text>"), "axis ticks drop a fraction of zeros");
        assert_eq!(html.matches("<details>").count(), 4, "every chart has a table");
    }

    async fn a_skipped_bill_is_not_expected_and_other_currencies_are_listed_apart(app) {
        let (browser, me) = user(&app, "alice").await;
        let water = bill(&app, me, "Water", 10, 5_000).await;
        let skipped = call(&browser, Method::PUT, &format!("/api/tracker/occurrences/{water}/2026-02-10"), json!({"skipped": true})).await;
        assert_eq!(skipped.0, StatusCode::OK, "{}", skipped.1);
        expense(&app, me, None, "EUR", 5_000, day(2026, 1, 5)).await;
        expense(&app, me, None, "USD", 100, day(2026, 1, 5)).await;

        let html = page(&browser, "/analytics").await;

        assert!(html.contains(&row("January", &[("Expected", "$50.00"), ("Paid", "$0.00"), ("Difference", "$50.00")])), "{html}");
        assert!(html.contains(&row("February", &[("Expected", "$0.00"), ("Paid", "$0.00"), ("Difference", "$0.00")])));
        assert!(html.contains(&row("Total", &[("Bills", "$0.00"), ("Expenses", "$1.00"), ("Total", "$1.00")])), "EUR is not added to USD");
        assert!(html.contains("Other currencies"));
        assert!(html.contains(&row("EUR", &[("Bills", "EUR\u{a0}0.00"), ("Expenses", "EUR\u{a0}50.00"), ("Total", "EUR\u{a0}50.00")])), "{html}");
    }

    async fn another_users_data_never_appears(app) {
        let (browser, me) = user(&app, "alice").await;
        let bob = app.signed_in("bob", Role::User).await;
        let bob_id = owner(&app, "bob").await;
        let secret = category(&app, bob_id, "Bobs secret hobby").await;
        let mut hobby = monthly("Hobby", 5, 777_777);
        hobby.category_id = Some(secret);
        let hobby = create(&app, bob_id, hobby).await;
        pay(&app, bob_id, hobby, 777_777, day(2026, 2, 5)).await;
        expense(&app, bob_id, Some(secret), "USD", 333_333, day(2026, 2, 6)).await;
        expense(&app, me, None, "USD", 1_000, day(2026, 2, 6)).await;

        let mine = page(&browser, "/analytics?year=2026").await;
        let theirs = page(&bob, "/analytics?year=2026").await;

        assert!(!mine.contains("Bobs secret hobby"), "{mine}");
        assert!(!mine.contains("7,777.77") && !mine.contains("3,333.33"));
        assert!(mine.contains(&row("Total", &[("Bills", "$0.00"), ("Expenses", "$10.00"), ("Total", "$10.00")])));
        assert!(theirs.contains("Bobs secret hobby"));
        assert!(theirs.contains("$7,777.77"));
        assert!(!theirs.contains("$10.00</td>"), "alice's expense is not bob's");
    }

    async fn an_empty_year_says_what_to_do(app) {
        let (browser, me) = user(&app, "alice").await;
        expense(&app, me, None, "USD", 1_000, day(2026, 2, 6)).await;

        let html = page(&browser, "/analytics?year=2020").await;

        assert!(html.contains("Nothing recorded in 2020"), "{html}");
        assert!(html.contains("<a class=\"btn btn-primary\" href=\"/\"><span>Go to the tracker</span></a>"), "{html}");
        assert!(!html.contains("<svg xmlns"), "no empty charts");
        assert!(html.contains("href=\"/analytics?year=2019\"") && html.contains("href=\"/analytics?year=2021\""));
        assert!(html.contains(">This year</a>"));
    }

    async fn a_bad_year_shows_this_year_with_a_message_never_a_500(app) {
        let (browser, me) = user(&app, "alice").await;
        expense(&app, me, None, "USD", 4_200, day(2026, 3, 1)).await;
        for query in ["year=abc", "year=0", "year=99999", "year=-1", "year=", "year=2025&year=2026", "month=3", "year=%FF"] {
            let response = browser.get(&format!("/analytics?{query}")).await;
            let status = response.status();
            let html = response.text().await.expect("body");
            assert!(status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST, "{query}: {status}");
            if status == StatusCode::OK {
                assert!(html.contains("That year is not valid"), "{query}: {html}");
                assert!(html.contains("<h2 id=\"year-title\">2026</h2>"), "{query}");
                assert!(html.contains("$42.00"), "{query}: this year's data is shown");
                assert!(!html.contains("abc") && !html.contains("99999"), "{query}: input is not reflected");
            }
        }
        let first = page(&browser, "/analytics?year=1").await;
        assert!(!first.contains("rel=\"prev\""), "no year 0");
        assert!(first.contains("href=\"/analytics?year=2\""));
        let last = page(&browser, "/analytics?year=9999").await;
        assert!(!last.contains("rel=\"next\""), "no year 10000");
    }

    async fn totals_too_large_to_add_are_a_422_page_that_names_the_year(app) {
        let (browser, me) = user(&app, "alice").await;
        expense(&app, me, None, "USD", i64::MAX - 1, day(2026, 3, 1)).await;
        expense(&app, me, None, "USD", i64::MAX - 1, day(2026, 4, 1)).await;
        let response = browser.get("/analytics?year=2026").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.expect("body");
        assert!(html.contains("Analytics could not be shown"), "{html}");
        assert!(html.contains("year: amount is too large"), "the page says why: {html}");
    }

    async fn category_names_are_escaped_in_the_svg_and_the_tables(app) {
        let (browser, me) = user(&app, "alice").await;
        let bold = category(&app, me, "<b>&").await;
        let script = category(&app, me, "<script>alert(1)</script>").await;
        expense(&app, me, Some(bold), "USD", 2_000, day(2026, 1, 2)).await;
        expense(&app, me, Some(script), "USD", 1_000, day(2026, 1, 3)).await;

        let html = page(&browser, "/analytics").await;

        assert!(!html.contains("<b>"), "{html}");
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains(">&lt;b&gt;&amp;</text>"), "escaped in the SVG label: {html}");
        assert!(html.contains("<title>&lt;b&gt;&amp;: $20.00</title>"), "escaped in the bar's title");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "escaped in the SVG");
        assert!(html.contains("<th scope=\"row\">&#60;b&#62;&#38;</th>"), "escaped in the table: {html}");
    }

    async fn the_page_is_csp_clean_and_marks_its_section(app) {
        let (browser, me) = user(&app, "alice").await;
        expense(&app, me, None, "USD", 100, day(2026, 1, 2)).await;

        let html = page(&browser, "/analytics").await;

        assert!(!html.contains("style="), "no inline styles");
        assert!(!html.contains(" onclick") && !html.contains(" onload"), "no handlers");
        assert!(!html.contains(" fill=\""), "colours come from classes");
        assert!(html.contains("href=\"/static/app.css\" nonce=\""), "the stylesheet has the nonce");
        assert!(html.contains("href=\"/analytics\" aria-current=\"page\""), "the nav marks analytics");
        let css = browser.get("/static/app.css").await;
        assert_eq!(css.status(), StatusCode::OK);
        assert!(css.text().await.expect("css").contains(".heat-4"));
    }
}
