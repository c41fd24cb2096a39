//! Rows the store tests build again and again: fixed instants and dates, users, categories,
//! bills, payments and expenses with plain defaults. A test changes the field it is about with
//! struct-update syntax (`NewUser { email: …, ..new_user("a", None) }`) and keeps the rest.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use domain::id::{BillId, CategoryId, UserId};
use domain::user::Role;
use store::bills::{BillTemplate, NewBill};
use store::categories::CategoryFields;
use store::expenses::ExpenseFields;
use store::payments::NewPayment;
use store::users::NewUser;
use store::{Error, Store};

/// A fixed instant, `secs` after 2027-01-15 08:00:00 UTC (unix 1 800 000 000).
pub fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + secs, 0)
        .single()
        .expect("valid instant")
}

/// A calendar date that must exist.
pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A plain user named `name` (also its display name), without a password.
pub fn new_user(name: &str, email: Option<&str>) -> NewUser {
    NewUser {
        username: name.into(),
        email: email.map(str::to_owned),
        display_name: name.into(),
        password_hash: None,
        role: Role::User,
        is_bootstrap: false,
    }
}

/// Creates `user` at [`at`]`(0)` and returns its id.
pub async fn add_user(store: &Store, user: &NewUser) -> UserId {
    store
        .create_user(user, at(0))
        .await
        .expect("create user")
        .id
}

/// Creates a plain user named `name` (see [`new_user`]) and returns its id.
pub async fn user(store: &Store, name: &str) -> UserId {
    add_user(store, &new_user(name, None)).await
}

/// A spending category named `name`.
pub fn category_fields(name: &str) -> CategoryFields {
    CategoryFields {
        name: name.into(),
        color: "#3b82f6".into(),
        icon: "home".into(),
        is_spending: true,
    }
}

/// Creates `owner`'s category named `name` and returns its id.
pub async fn category(store: &Store, owner: UserId, name: &str) -> CategoryId {
    store
        .create_category(owner, &category_fields(name), at(0))
        .await
        .expect("create category")
        .id
}

/// A fixed monthly bill of 50.00 USD, due on the 1st from 2025-01-01, no category.
pub fn template(name: &str) -> BillTemplate {
    BillTemplate {
        category_id: None,
        name: name.into(),
        notes: String::new(),
        amount_kind: "fixed".into(),
        expected_minor: 5_000,
        min_minor: None,
        max_minor: None,
        currency: "USD".into(),
        cycle: "monthly".into(),
        anchor_date: day(2025, 1, 1),
        due_day: Some(1),
        autopay: "off".into(),
        autopay_verified_on: None,
        auto_mark_paid: false,
        is_subscription: false,
        reminder_days: vec![],
        website: None,
        account_details_enc: None,
        debt_apr_bp: None,
        debt_min_payment_minor: None,
        debt_payoff_order: None,
    }
}

/// Creates `owner`'s bill [`template`]`(name)`, active from 2025-01-01, and returns its id.
pub async fn bill(store: &Store, owner: UserId, name: &str) -> BillId {
    bill_with(store, owner, template(name), None, day(2025, 1, 1)).await
}

/// Creates `owner`'s bill from `template`, active from `active_from`, and returns its id.
pub async fn bill_with(
    store: &Store,
    owner: UserId,
    template: BillTemplate,
    debt_balance_minor: Option<i64>,
    active_from: NaiveDate,
) -> BillId {
    store
        .create_bill(
            owner,
            &NewBill {
                id: BillId::new(),
                template,
                debt_balance_minor,
                active_from,
            },
            at(0),
        )
        .await
        .expect("create bill")
        .id
}

/// A manual card payment of `amount_minor` on `paid_on`, settling the cycle due that day.
pub fn payment(bill: BillId, amount_minor: i64, paid_on: NaiveDate) -> NewPayment {
    NewPayment {
        bill_id: bill,
        amount_minor,
        paid_on,
        cycle_due: paid_on,
        method: "card".into(),
        note: String::new(),
        source: "manual".into(),
        autopay_failed: false,
    }
}

/// A cash expense of `amount_minor` USD at `payee` on `spent_on`, no category.
pub fn expense_fields(payee: &str, amount_minor: i64, spent_on: NaiveDate) -> ExpenseFields {
    ExpenseFields {
        category_id: None,
        amount_minor,
        currency: "USD".into(),
        spent_on,
        payee: payee.into(),
        note: String::new(),
        method: "cash".into(),
    }
}

/// Fails unless `result` is `NotFound`.
pub fn assert_not_found<T: std::fmt::Debug>(result: Result<T, Error>) {
    assert!(
        matches!(result, Err(Error::NotFound)),
        "expected NotFound, got {result:?}"
    );
}

/// Fails unless `result` is `Stale` (the version given was not the current one).
pub fn assert_stale<T: std::fmt::Debug>(result: Result<T, Error>) {
    assert!(
        matches!(result, Err(Error::Stale)),
        "expected Stale, got {result:?}"
    );
}

/// Fails unless `result` is a `Conflict` naming `field`.
pub fn assert_conflict<T: std::fmt::Debug>(result: Result<T, Error>, field: &str) {
    match result {
        Err(Error::Conflict { field: got }) => assert_eq!(got, field),
        other => panic!("expected a conflict on {field}, got {other:?}"),
    }
}
