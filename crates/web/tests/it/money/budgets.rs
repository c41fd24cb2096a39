//! Budgets: spent in the current period, remaining, percent and the 80 % / 100 % states;
//! one budget per category and period; editing the limit and deleting.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{category, created, delete, get, patch, post, text, user};
use crate::app_tests;
use crate::support::Browser;

async fn only_budget(browser: &Browser) -> Value {
    let (status, list) = get(browser, "/api/budgets").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    list[0].clone()
}

app_tests! {
    async fn budgets_are_under_at_79_percent_warn_at_80_and_are_exceeded_at_100(app) {
        let (alice, owner) = user(&app, "alice").await;
        let food = category(&app, owner, "Food").await;
        let spend = |amount: &str, spent_on: &str| json!({"amount": amount, "spent_on": spent_on, "category_id": food.to_string()});
        let budget = created(&alice, "/api/budgets", json!({"category_id": food.to_string(), "period": "monthly", "limit": "100"})).await;
        assert_eq!((budget["limit"].as_str(), budget["spent"].as_str()), (Some("100.00"), Some("0.00")));
        assert_eq!((budget["state"].as_str(), budget["percent"].as_i64()), (Some("under"), Some(0)));
        assert_eq!((budget["period_start"].as_str(), budget["period_end"].as_str()), (Some("2026-03-01"), Some("2026-03-31")));
        assert_eq!(budget["category_name"], "Food");

        // Not this period, not this category, not this currency: none of it counts.
        created(&alice, "/api/expenses", spend("500", "2026-02-28")).await;
        created(&alice, "/api/expenses", json!({"amount": "500", "spent_on": "2026-03-02"})).await;
        created(&alice, "/api/expenses", json!({"amount": "500", "currency": "EUR", "spent_on": "2026-03-02", "category_id": food.to_string()})).await;

        created(&alice, "/api/expenses", spend("79", "2026-03-01")).await;
        let now = only_budget(&alice).await;
        assert_eq!((now["spent"].as_str(), now["remaining"].as_str()), (Some("79.00"), Some("21.00")));
        assert_eq!((now["state"].as_str(), now["percent"].as_i64()), (Some("under"), Some(79)));

        created(&alice, "/api/expenses", spend("1", "2026-03-14")).await;
        let now = only_budget(&alice).await;
        assert_eq!((now["state"].as_str(), now["percent"].as_i64()), (Some("warning"), Some(80)));

        let last = created(&alice, "/api/expenses", spend("20", "2026-03-31")).await;
        let now = only_budget(&alice).await;
        assert_eq!((now["state"].as_str(), now["percent"].as_i64()), (Some("exceeded"), Some(100)));
        assert_eq!((now["remaining"].as_str(), now["remaining_minor"].as_i64()), (Some("0.00"), Some(0)));

        created(&alice, "/api/expenses", spend("10.50", "2026-03-20")).await;
        let now = only_budget(&alice).await;
        assert_eq!((now["remaining"].as_str(), now["percent"].as_i64()), (Some("-10.50"), Some(110)));

        // Deleted expenses stop counting.
        assert_eq!(delete(&alice, &format!("/api/expenses/{}", text(&last, "id"))).await, StatusCode::NO_CONTENT);
        let now = only_budget(&alice).await;
        assert_eq!((now["spent"].as_str(), now["state"].as_str()), (Some("90.50"), Some("warning")));
    }

    async fn budgets_are_one_per_category_and_period_and_their_limit_can_change(app) {
        let (alice, owner) = user(&app, "alice").await;
        let food = category(&app, owner, "Food").await;
        let monthly = created(&alice, "/api/budgets", json!({"category_id": food.to_string(), "period": "monthly", "limit": "100"})).await;
        let (status, twice) = post(&alice, "/api/budgets", json!({"category_id": food.to_string(), "period": "monthly", "limit": "50"})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{twice}");
        assert_eq!(twice["field"], "category_id");
        let yearly = created(&alice, "/api/budgets", json!({"category_id": food.to_string(), "period": "yearly", "limit": "1000"})).await;
        assert_eq!((yearly["period_start"].as_str(), yearly["period_end"].as_str()), (Some("2026-01-01"), Some("2026-12-31")));
        created(&alice, "/api/expenses", json!({"amount": "300", "spent_on": "2026-01-10", "category_id": food.to_string()})).await;
        let (_, list) = get(&alice, "/api/budgets").await;
        let spent: Vec<(&str, &str)> = list.as_array().unwrap().iter().map(|b| (text(b, "period"), text(b, "spent"))).collect();
        assert!(spent.contains(&("yearly", "300.00")) && spent.contains(&("monthly", "0.00")), "January counts for the year only: {spent:?}");

        let id = text(&monthly, "id");
        let (status, changed) = patch(&alice, &format!("/api/budgets/{id}"), json!({"limit": "250.5", "version": monthly["version"]})).await;
        assert_eq!(status, StatusCode::OK, "{changed}");
        assert_eq!(changed["limit"], "250.50");
        let (status, _) = patch(&alice, &format!("/api/budgets/{id}"), json!({"limit": "1", "version": monthly["version"]})).await;
        assert_eq!(status, StatusCode::CONFLICT, "stale version");

        assert_eq!(delete(&alice, &format!("/api/budgets/{id}")).await, StatusCode::NO_CONTENT);
        assert_eq!(delete(&alice, &format!("/api/budgets/{id}")).await, StatusCode::NOT_FOUND, "deleted for good");
        let (_, list) = get(&alice, "/api/budgets").await;
        assert_eq!(list.as_array().map(Vec::len), Some(1));
    }
}

app_tests! {
    async fn bill_payments_count_toward_their_categorys_budget(app) {
        let (alice, owner) = user(&app, "alice").await;
        let housing = category(&app, owner, "Housing").await;
        created(&alice, "/api/budgets", json!({"category_id": housing.to_string(), "period": "monthly", "limit": "1000"})).await;
        let rent = created(&alice, "/api/bills", json!({"name": "Rent", "expected_amount": "900", "anchor_date": "2026-03-01", "category_id": housing.to_string()})).await;
        let euro = created(&alice, "/api/bills", json!({"name": "Flat abroad", "expected_amount": "300", "currency": "EUR", "anchor_date": "2026-03-01", "category_id": housing.to_string()})).await;
        assert_eq!(only_budget(&alice).await["spent"], "0.00");

        // Paying the rent is spending on housing, in the period it was paid.
        let paid = created(&alice, "/api/payments", json!({"bill_id": text(&rent, "id"), "amount": "900", "paid_on": "2026-03-02", "cycle_due": "2026-03-01"})).await;
        let now = only_budget(&alice).await;
        assert_eq!((now["spent"].as_str(), now["percent"].as_i64(), now["state"].as_str()), (Some("900.00"), Some(90), Some("warning")), "{now}");

        // Not another currency, not last month, not a deleted payment.
        created(&alice, "/api/payments", json!({"bill_id": text(&euro, "id"), "amount": "300", "paid_on": "2026-03-03", "cycle_due": "2026-03-01"})).await;
        created(&alice, "/api/payments", json!({"bill_id": text(&rent, "id"), "amount": "900", "paid_on": "2026-02-27", "cycle_due": "2026-03-01"})).await;
        assert_eq!(only_budget(&alice).await["spent"], "900.00");
        assert_eq!(delete(&alice, &format!("/api/payments/{}", text(&paid, "id"))).await, StatusCode::NO_CONTENT);
        assert_eq!(only_budget(&alice).await["spent"], "0.00");

        // Expenses and payments add up.
        created(&alice, "/api/expenses", json!({"amount": "120", "spent_on": "2026-03-05", "category_id": housing.to_string()})).await;
        created(&alice, "/api/payments", json!({"bill_id": text(&rent, "id"), "amount": "900", "paid_on": "2026-03-06", "cycle_due": "2026-03-01"})).await;
        assert_eq!(only_budget(&alice).await["spent"], "1020.00");
    }
}
