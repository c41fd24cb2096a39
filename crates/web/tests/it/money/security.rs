//! Security requirements on payments, expenses and budgets: AZ-02 (another user's rows are
//! not found and stay untouched), AZ-07 (lists and totals hold only the caller's rows),
//! VAL-01 (bad input refused naming the field, nothing written), VAL-02 (sums never wrap or
//! fail), and the bootstrap administrator holding no data (403).

use domain::user::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{
    answer, assert_refused, bill, category, created, day, delete, get, patch, post, text, user,
};
use crate::app_tests;
use crate::support::PASSWORD;

/// `i64::MAX` minor units of USD.
const MAX_USD: &str = "92233720368547758.07";

app_tests! {
    async fn az_02_another_users_payment_expense_and_budget_are_not_found(app) {
        let (alice, alice_id) = user(&app, "alice").await;
        let (bob, _) = user(&app, "bob").await;
        let card = bill(&app, alice_id, "Card", 10_000, Some(100_000)).await;
        let food = category(&app, alice_id, "Food").await;
        let payment = created(&alice, "/api/payments", json!({"bill_id": card.to_string(), "amount": "100", "paid_on": "2026-03-01"})).await;
        let expense = created(&alice, "/api/expenses", json!({"amount": "5", "category_id": food.to_string(), "payee": "Shop"})).await;
        let budget = created(&alice, "/api/budgets", json!({"category_id": food.to_string(), "period": "monthly", "limit": "10"})).await;
        let (p, e, b) = (text(&payment, "id"), text(&expense, "id"), text(&budget, "id"));

        let mut wrong = Vec::new();
        let mut expect_404 = |what: &str, status: StatusCode| {
            if status != StatusCode::NOT_FOUND {
                wrong.push(format!("{what}: {status}"));
            }
        };
        expect_404("GET payment", get(&bob, &format!("/api/payments/{p}")).await.0);
        expect_404("PATCH payment", patch(&bob, &format!("/api/payments/{p}"), json!({"amount": "1", "version": payment["version"]})).await.0);
        expect_404("DELETE payment", delete(&bob, &format!("/api/payments/{p}")).await);
        expect_404("restore payment", post(&bob, &format!("/api/payments/{p}/restore"), json!({})).await.0);
        expect_404("pay alice's bill", post(&bob, "/api/payments", json!({"bill_id": card.to_string(), "amount": "1"})).await.0);
        expect_404("GET expense", get(&bob, &format!("/api/expenses/{e}")).await.0);
        expect_404("PATCH expense", patch(&bob, &format!("/api/expenses/{e}"), json!({"amount": "1", "version": expense["version"]})).await.0);
        expect_404("DELETE expense", delete(&bob, &format!("/api/expenses/{e}")).await);
        expect_404("restore expense", post(&bob, &format!("/api/expenses/{e}/restore"), json!({})).await.0);
        expect_404("PATCH budget", patch(&bob, &format!("/api/budgets/{b}"), json!({"limit": "1", "version": budget["version"]})).await.0);
        expect_404("DELETE budget", delete(&bob, &format!("/api/budgets/{b}")).await);
        assert!(wrong.is_empty(), "another user's rows must be 404:\n{}", wrong.join("\n"));
        // Naming alice's category in a new row is refused like naming no category at all.
        let foreign = json!({"amount": "1", "category_id": food.to_string()});
        assert_refused("expense in alice's category", &post(&bob, "/api/expenses", foreign).await, "category_id");
        let foreign = json!({"category_id": food.to_string(), "period": "yearly", "limit": "1"});
        assert_refused("budget on alice's category", &post(&bob, "/api/budgets", foreign).await, "category_id");

        let (_, bulk) = post(&bob, "/api/expenses/bulk-delete", json!({"ids": [e]})).await;
        assert_eq!((bulk["deleted"].clone(), bulk["not_found"].clone()), (json!([]), json!([e])));
        let (_, undo) = post(&bob, "/api/expenses/undo", json!({"undo_token": "0123456789abcdef"})).await;
        assert_eq!(undo["restored"], 0);

        // Alice's rows are exactly as she left them.
        assert_eq!(get(&alice, &format!("/api/payments/{p}")).await.1, payment);
        assert_eq!(get(&alice, &format!("/api/expenses/{e}")).await.1, expense);
        let (_, budgets) = get(&alice, "/api/budgets").await;
        assert_eq!((budgets[0]["limit"].as_str(), budgets[0]["version"].clone()), (Some("10.00"), budget["version"].clone()));
        let balance = app.app.store.bill(alice_id, card).await.unwrap().debt_balance_minor;
        assert_eq!(balance, Some(90_000), "bob moved no balance");
    }

    async fn az_07_lists_and_totals_contain_only_the_callers_rows(app) {
        let (alice, alice_id) = user(&app, "alice").await;
        let (bob, bob_id) = user(&app, "bob").await;
        let alice_rent = bill(&app, alice_id, "Rent", 100_000, None).await;
        let bob_rent = bill(&app, bob_id, "Rent", 100_000, None).await;
        let alice_food = category(&app, alice_id, "Food").await;
        let bob_food = category(&app, bob_id, "Food").await;
        for (browser, rent, food, amount) in [(&alice, alice_rent, alice_food, "10"), (&bob, bob_rent, bob_food, "70")] {
            created(browser, "/api/payments", json!({"bill_id": rent.to_string(), "amount": "1000", "paid_on": "2026-03-01", "cycle_due": "2026-03-01"})).await;
            created(browser, "/api/expenses", json!({"amount": amount, "category_id": food.to_string(), "payee": "Shop"})).await;
            created(browser, "/api/expenses", json!({"amount": amount, "payee": "Shop"})).await;
            created(browser, "/api/budgets", json!({"category_id": food.to_string(), "period": "monthly", "limit": "100"})).await;
        }

        let (_, payments) = get(&alice, "/api/payments?include_deleted=true").await;
        let bills: Vec<&str> = payments["items"].as_array().unwrap().iter().map(|p| text(p, "bill_id")).collect();
        assert_eq!(bills, [alice_rent.to_string()], "only alice's payments");
        let (_, bobs_filter) = get(&alice, &format!("/api/payments?bill_id={bob_rent}")).await;
        assert_eq!(bobs_filter["items"], json!([]), "filtering by bob's bill shows nothing");

        let (_, expenses) = get(&alice, "/api/expenses?include_deleted=true&q=shop").await;
        assert_eq!(expenses["total"], 2, "the total counts only alice's rows");
        assert!(expenses["items"].as_array().unwrap().iter().all(|e| e["amount"] == "10.00"));
        let (_, bobs_category) = get(&alice, &format!("/api/expenses?category_id={bob_food}")).await;
        assert_eq!(bobs_category["total"], 0);

        let (_, budgets) = get(&alice, "/api/budgets").await;
        assert_eq!(budgets.as_array().map(Vec::len), Some(1));
        assert_eq!((budgets[0]["spent"].as_str(), budgets[0]["state"].as_str()), (Some("10.00"), Some("under")), "bob's 70 is not in alice's total");
        let totals = app.app.store.payment_totals(alice_id, day(2026, 3, 1), day(2026, 3, 1)).await.unwrap();
        assert_eq!(totals.len(), 1);
    }

    async fn val_01_payment_and_expense_fields_refuse_bad_input_naming_them(app) {
        let (alice, owner) = user(&app, "alice").await;
        let rent = bill(&app, owner, "Rent", 100_000, None).await;
        let food = category(&app, owner, "Food").await;
        let payment = |extra: Value| {
            let mut body = json!({"bill_id": rent.to_string(), "amount": "10", "paid_on": "2026-03-01"});
            for (k, v) in extra.as_object().unwrap() {
                body[k] = v.clone();
            }
            body
        };
        let long = "x".repeat(121);
        let payments: Vec<(Value, &str)> = vec![
            (payment(json!({"amount": "0"})), "amount"),
            (payment(json!({"amount": "-5"})), "amount"),
            (payment(json!({"amount": "12.345"})), "amount"),
            (payment(json!({"amount": "1e3"})), "amount"),
            (payment(json!({"amount": "1,000.00"})), "amount"),
            (payment(json!({"amount": "NaN"})), "amount"),
            (payment(json!({"amount": 12.34})), "amount"),
            (payment(json!({"amount": "99999999999999999999"})), "amount"),
            (json!({"bill_id": rent.to_string()}), "amount"),
            (payment(json!({"paid_on": "2025-02-30"})), "paid_on"),
            (payment(json!({"paid_on": "14/03/2026"})), "paid_on"),
            (payment(json!({"paid_on": 20260301})), "paid_on"),
            (payment(json!({"cycle_due": "2026-03-15"})), "cycle_due"),
            (payment(json!({"cycle_due": "2026-13-01"})), "cycle_due"),
            (payment(json!({"method": long})), "method"),
            (payment(json!({"method": "card\u{7}"})), "method"),
            (payment(json!({"note": "a\u{0}b"})), "note"),
            (payment(json!({"note": "n".repeat(2001)})), "note"),
            (payment(json!({"source": "csv"})), "source"),
            (payment(json!({"autopay_failed": "yes"})), "autopay_failed"),
            (payment(json!({"bill_id": "not-a-uuid"})), "bill_id"),
            (payment(json!({"bill_id": 5})), "bill_id"),
            (payment(json!({"user_id": owner.to_string()})), "user_id"),
        ];
        for (body, field) in &payments {
            assert_refused(&format!("POST /api/payments {body}"), &post(&alice, "/api/payments", body.clone()).await, field);
        }
        let expenses: Vec<(Value, &str)> = vec![
            (json!({"amount": "0"}), "amount"),
            (json!({"amount": "ten"}), "amount"),
            (json!({"amount": 5}), "amount"),
            (json!({"amount": "1.5", "currency": "JPY"}), "amount"),
            (json!({"amount": "-9223372036854775809"}), "amount"),
            (json!({"amount": "1", "currency": "usd"}), "currency"),
            (json!({"amount": "1", "currency": "XXX"}), "currency"),
            (json!({"amount": "1", "spent_on": "2026-02-29"}), "spent_on"),
            (json!({"amount": "1", "category_id": "food"}), "category_id"),
            (json!({"amount": "1", "category_id": "0190a5b2-0000-7000-8000-000000000000"}), "category_id"),
            (json!({"amount": "1", "payee": long}), "payee"),
            (json!({"amount": "1", "payee": "a\u{1b}[31m"}), "payee"),
            (json!({"amount": "1", "note": "\u{7f}"}), "note"),
            (json!({"amount": "1", "owner": "bob"}), "owner"),
        ];
        for (body, field) in &expenses {
            assert_refused(&format!("POST /api/expenses {body}"), &post(&alice, "/api/expenses", body.clone()).await, field);
        }
        let budgets: Vec<(Value, &str)> = vec![
            (json!({"category_id": food.to_string(), "period": "weekly", "limit": "10"}), "period"),
            (json!({"category_id": food.to_string(), "period": "monthly", "limit": "0"}), "limit"),
            (json!({"category_id": food.to_string(), "period": "monthly", "limit": "-1"}), "limit"),
            (json!({"category_id": "x", "period": "monthly", "limit": "10"}), "category_id"),
        ];
        for (body, field) in &budgets {
            assert_refused(&format!("POST /api/budgets {body}"), &post(&alice, "/api/budgets", body.clone()).await, field);
        }
        for (query, field) in [("from=2026-02-30", "from"), ("bill_id=nope", "bill_id"), ("include_deleted=yes", "include_deleted"), ("limit=abc", "limit"), ("bogus=1", "bogus"), ("to=1&to=2", "to")] {
            assert_refused(query, &get(&alice, &format!("/api/payments?{query}")).await, field);
        }
        for (query, field) in [("min_amount=abc", "min_amount"), ("max_amount=1.234", "max_amount"), ("q=%07", "q"), ("category_id=x", "category_id")] {
            assert_refused(query, &get(&alice, &format!("/api/expenses?{query}")).await, field);
        }

        // Broken JSON is 400 and another content type 415, both problem+json.
        let broken = alice.client.post(alice.url("/api/payments")).header("x-csrf-token", &alice.csrf)
            .header("content-type", "application/json").body("{\"amount\":").send().await.unwrap();
        assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
        let form = alice.client.post(alice.url("/api/expenses")).header("x-csrf-token", &alice.csrf)
            .form(&[("amount", "1")]).send().await.unwrap();
        assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

        // Edits are checked the same way, and need a version.
        let paid = created(&alice, "/api/payments", payment(json!({}))).await;
        let path = format!("/api/payments/{}", text(&paid, "id"));
        assert_refused("no version", &patch(&alice, &path, json!({"amount": "1"})).await, "version");
        assert_refused("text version", &patch(&alice, &path, json!({"amount": "1", "version": "1"})).await, "version");
        assert_refused("zero amount", &patch(&alice, &path, json!({"amount": "0", "version": paid["version"]})).await, "amount");
        assert_refused("bad cycle", &patch(&alice, &path, json!({"cycle_due": "2026-03-02", "version": paid["version"]})).await, "cycle_due");
        assert_eq!(get(&alice, &path).await.1, paid, "refused edits change nothing");

        // Nothing else was written.
        let (_, payments) = get(&alice, "/api/payments?include_deleted=true").await;
        assert_eq!(payments["items"].as_array().map(Vec::len), Some(1));
        let (_, expenses) = get(&alice, "/api/expenses?include_deleted=true").await;
        assert_eq!(expenses["total"], 0);
        assert_eq!(get(&alice, "/api/budgets").await.1, json!([]));
    }

    async fn val_02_sums_that_overflow_are_refused(app) {
        let (alice, owner) = user(&app, "alice").await;
        let big = bill(&app, owner, "Big", 100_000, None).await;
        let pay = |amount: &str| json!({"bill_id": big.to_string(), "amount": amount, "paid_on": "2026-03-01", "cycle_due": "2026-03-01"});
        let first = created(&alice, "/api/payments", pay(MAX_USD)).await;
        assert_eq!(first["amount_minor"], i64::MAX);
        assert_refused("second payment", &post(&alice, "/api/payments", pay("0.01")).await, "amount");

        // Deleting the first makes room; restoring it then would overflow.
        let first_path = format!("/api/payments/{}", text(&first, "id"));
        assert_eq!(delete(&alice, &first_path).await, StatusCode::NO_CONTENT);
        let second = created(&alice, "/api/payments", pay("0.01")).await;
        assert_refused("restore", &post(&alice, &format!("{first_path}/restore"), json!({})).await, "amount");
        // Two cents in March: raising one of them to the maximum would overflow March's total.
        created(&alice, "/api/payments", pay("0.01")).await;
        assert_refused("edit", &patch(&alice, &format!("/api/payments/{}", text(&second, "id")), json!({"amount": MAX_USD, "version": second["version"]})).await, "amount");
        let totals = app.app.store.payment_totals(owner, day(2026, 3, 1), day(2026, 3, 1)).await.unwrap();
        assert_eq!(totals[0].total_minor, 2, "the total never wrapped");

        // A debt balance cannot be pushed past the range either.
        let debt = bill(&app, owner, "Debt", 100_000, Some(-i64::MAX)).await;
        let (status, body) = post(&alice, "/api/payments", json!({"bill_id": debt.to_string(), "amount": "1", "cycle_due": "2026-03-01"})).await;
        assert_refused("debt", &(status, body), "amount");
        assert_eq!(app.app.store.bill(owner, debt).await.unwrap().debt_balance_minor, Some(-i64::MAX));

        // Expenses that add up past the range make the budget total refuse, not wrap or fail.
        let food = category(&app, owner, "Food").await;
        created(&alice, "/api/budgets", json!({"category_id": food.to_string(), "period": "monthly", "limit": "100"})).await;
        for _ in 0..2 {
            created(&alice, "/api/expenses", json!({"amount": MAX_USD, "category_id": food.to_string()})).await;
        }
        assert_refused("budget total", &get(&alice, "/api/budgets").await, "amount");
        let (status, _) = get(&alice, "/api/expenses").await;
        assert_eq!(status, StatusCode::OK, "the list itself still works");
    }

    async fn the_bootstrap_administrator_is_refused_on_payments_expenses_and_budgets(app) {
        let first = app.account("first", PASSWORD, Role::Admin).await;
        app.app.store.tamper_for_tests(&format!("UPDATE users SET is_bootstrap = TRUE WHERE id = '{}'", first.id)).await;
        let mut admin = app.browser().await;
        assert_eq!(admin.login("first", PASSWORD).await.status(), StatusCode::OK);
        let calls = [
            answer(admin.get("/api/payments").await).await,
            post(&admin, "/api/payments", json!({})).await,
            answer(admin.get("/api/expenses").await).await,
            post(&admin, "/api/expenses", json!({"amount": "1"})).await,
            post(&admin, "/api/expenses/bulk-delete", json!({"ids": []})).await,
            answer(admin.get("/api/budgets").await).await,
            post(&admin, "/api/budgets", json!({})).await,
        ];
        for (i, (status, body)) in calls.iter().enumerate() {
            assert_eq!(*status, StatusCode::FORBIDDEN, "call {i}: {body}");
        }
        assert_eq!(app.app.store.expenses(first.id, &Default::default(), Default::default(), Default::default(), 50, 0).await.unwrap().total, 0, "nothing was written for the administrator");
    }
}
