//! The analytics reads' store contract, run unchanged on SQLite and PostgreSQL
//! (`name::sqlite`, `name::postgres`): sums per day and per category, split by source and
//! currency; only the owner's live rows; only the requested dates; sums beyond `i64` exact.
use chrono::NaiveDate;
use domain::id::{BillId, CategoryId, UserId};
use store::Store;
use store::analytics::{CategorySpend, DaySpend, SpendSource};
use store::bills::BillTemplate;
use store::expenses::ExpenseFields;
use testkit::engine_tests;
use testkit::store_fixtures::{
    at, bill_with, category, day, expense_fields, payment, template, user,
};

/// A bill of 50.00 in `currency` from 2024-01-01, so every 2025 payment is in its life.
async fn bill(
    store: &Store,
    owner: UserId,
    category_id: Option<CategoryId>,
    currency: &str,
) -> BillId {
    let template = BillTemplate {
        category_id,
        currency: currency.into(),
        anchor_date: day(2024, 1, 1),
        ..template(&format!("Bill {currency}"))
    };
    bill_with(store, owner, template, None, day(2024, 1, 1)).await
}

async fn pay(store: &Store, owner: UserId, bill: BillId, amount_minor: i64, paid_on: NaiveDate) {
    store
        .create_payment(owner, &payment(bill, amount_minor, paid_on), at(1))
        .await
        .expect("create payment");
}

async fn spend(
    store: &Store,
    owner: UserId,
    category_id: Option<CategoryId>,
    currency: &str,
    amount_minor: i64,
    spent_on: NaiveDate,
) -> domain::id::ExpenseId {
    let fields = ExpenseFields {
        category_id,
        currency: currency.into(),
        ..expense_fields("Shop", amount_minor, spent_on)
    };
    store
        .create_expense(owner, &fields, at(1))
        .await
        .expect("create expense")
        .id
}

fn by_day(source: SpendSource, on: NaiveDate, currency: &str, total: i128) -> DaySpend {
    DaySpend {
        source,
        day: on,
        currency: currency.into(),
        total_minor: total,
    }
}

fn by_category(
    source: SpendSource,
    category_id: Option<CategoryId>,
    currency: &str,
    total: i128,
) -> CategorySpend {
    CategorySpend {
        source,
        category_id,
        currency: currency.into(),
        total_minor: total,
    }
}

const YEAR_START: (i32, u32, u32) = (2025, 1, 1);
const YEAR_END: (i32, u32, u32) = (2025, 12, 31);

fn year() -> (NaiveDate, NaiveDate) {
    let (a, b) = (YEAR_START, YEAR_END);
    (day(a.0, a.1, a.2), day(b.0, b.1, b.2))
}

engine_tests! {
    async fn spending_is_summed_per_day_source_and_currency(store) {
        let alice = user(&store, "alice").await;
        let usd = bill(&store, alice, None, "USD").await;
        let eur = bill(&store, alice, None, "EUR").await;
        pay(&store, alice, usd, 1_000, day(2025, 3, 5)).await;
        pay(&store, alice, usd, 250, day(2025, 3, 5)).await;
        pay(&store, alice, eur, 700, day(2025, 3, 5)).await;
        pay(&store, alice, usd, 99, day(2025, 12, 31)).await;
        spend(&store, alice, None, "USD", 300, day(2025, 3, 5)).await;
        spend(&store, alice, None, "USD", 45, day(2025, 1, 1)).await;

        let (from, to) = year();
        let days = store.spending_by_day(alice, from, to).await.unwrap();

        assert_eq!(days, vec![
            by_day(SpendSource::Expenses, day(2025, 1, 1), "USD", 45),
            by_day(SpendSource::Bills, day(2025, 3, 5), "EUR", 700),
            by_day(SpendSource::Bills, day(2025, 3, 5), "USD", 1_250),
            by_day(SpendSource::Expenses, day(2025, 3, 5), "USD", 300),
            by_day(SpendSource::Bills, day(2025, 12, 31), "USD", 99),
        ]);
    }

    async fn spending_is_summed_per_category_with_a_payment_in_its_bills_category(store) {
        let alice = user(&store, "alice").await;
        let home = category(&store, alice, "Home").await;
        let food = category(&store, alice, "Food").await;
        let rent = bill(&store, alice, Some(home), "USD").await;
        let loose = bill(&store, alice, None, "USD").await;
        pay(&store, alice, rent, 90_000, day(2025, 2, 1)).await;
        pay(&store, alice, rent, 90_000, day(2025, 3, 1)).await;
        pay(&store, alice, loose, 1_500, day(2025, 3, 9)).await;
        spend(&store, alice, Some(food), "USD", 1_200, day(2025, 4, 2)).await;
        spend(&store, alice, Some(food), "USD", 800, day(2025, 6, 2)).await;
        spend(&store, alice, Some(home), "USD", 2_000, day(2025, 6, 3)).await;
        spend(&store, alice, None, "USD", 50, day(2025, 6, 4)).await;

        let (from, to) = year();
        let mut got = store.spending_by_category(alice, from, to).await.unwrap();
        let mut want = vec![
            by_category(SpendSource::Bills, Some(home), "USD", 180_000),
            by_category(SpendSource::Expenses, Some(home), "USD", 2_000),
            by_category(SpendSource::Expenses, Some(food), "USD", 2_000),
            by_category(SpendSource::Bills, None, "USD", 1_500),
            by_category(SpendSource::Expenses, None, "USD", 50),
        ];
        let key = |c: &CategorySpend| (c.category_id, c.source);
        got.sort_by_key(key);
        want.sort_by_key(key);
        assert_eq!(got, want);
    }

    async fn only_the_requested_dates_count(store) {
        let alice = user(&store, "alice").await;
        let usd = bill(&store, alice, None, "USD").await;
        pay(&store, alice, usd, 1, day(2024, 12, 31)).await;
        pay(&store, alice, usd, 10, day(2025, 1, 1)).await;
        pay(&store, alice, usd, 100, day(2025, 12, 31)).await;
        pay(&store, alice, usd, 1_000, day(2026, 1, 1)).await;
        spend(&store, alice, None, "USD", 2, day(2024, 12, 31)).await;
        spend(&store, alice, None, "USD", 2_000, day(2026, 1, 1)).await;

        let (from, to) = year();
        let days = store.spending_by_day(alice, from, to).await.unwrap();
        let categories = store.spending_by_category(alice, from, to).await.unwrap();

        assert_eq!(days.iter().map(|d| d.total_minor).sum::<i128>(), 110);
        assert_eq!(categories, vec![by_category(SpendSource::Bills, None, "USD", 110)]);
        let empty = store.spending_by_day(alice, day(2030, 1, 1), day(2030, 12, 31)).await.unwrap();
        assert!(empty.is_empty());
    }

    async fn only_the_owners_live_rows_count(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let mine = bill(&store, alice, None, "USD").await;
        let theirs = bill(&store, bob, None, "USD").await;
        let gone = bill(&store, alice, None, "USD").await;
        pay(&store, alice, mine, 100, day(2025, 5, 5)).await;
        pay(&store, bob, theirs, 7_777, day(2025, 5, 5)).await;
        spend(&store, bob, None, "USD", 8_888, day(2025, 5, 5)).await;
        pay(&store, alice, gone, 5_000, day(2025, 5, 5)).await;
        store.soft_delete_bill(alice, gone, at(2)).await.unwrap();
        let deleted = spend(&store, alice, None, "USD", 6_000, day(2025, 5, 5)).await;
        store.soft_delete_expense(alice, deleted, at(2)).await.unwrap();
        let undone = bill(&store, alice, None, "USD").await;
        pay(&store, alice, undone, 9_000, day(2025, 5, 5)).await;
        store.soft_delete_occurrence_payments(alice, undone, day(2025, 5, 5), at(3)).await.unwrap();

        let (from, to) = year();
        let days = store.spending_by_day(alice, from, to).await.unwrap();
        let categories = store.spending_by_category(alice, from, to).await.unwrap();

        assert_eq!(days, vec![by_day(SpendSource::Bills, day(2025, 5, 5), "USD", 100)]);
        assert_eq!(categories, vec![by_category(SpendSource::Bills, None, "USD", 100)]);
        let bobs = store.spending_by_day(bob, from, to).await.unwrap();
        assert_eq!(bobs.iter().map(|d| d.total_minor).sum::<i128>(), 7_777 + 8_888);
    }

    async fn sums_beyond_i64_are_exact_and_negative_amounts_subtract(store) {
        let alice = user(&store, "alice").await;
        let usd = bill(&store, alice, None, "USD").await;
        pay(&store, alice, usd, i64::MAX, day(2025, 7, 1)).await;
        pay(&store, alice, usd, i64::MAX, day(2025, 7, 1)).await;
        spend(&store, alice, None, "USD", 1_000_000_123, day(2025, 7, 2)).await;
        spend(&store, alice, None, "USD", -123, day(2025, 7, 2)).await;

        let (from, to) = year();
        let days = store.spending_by_day(alice, from, to).await.unwrap();
        let categories = store.spending_by_category(alice, from, to).await.unwrap();

        assert_eq!(days, vec![
            by_day(SpendSource::Bills, day(2025, 7, 1), "USD", 2 * i128::from(i64::MAX)),
            by_day(SpendSource::Expenses, day(2025, 7, 2), "USD", 1_000_000_000),
        ]);
        assert_eq!(categories[0].total_minor, 2 * i128::from(i64::MAX));
    }
}
