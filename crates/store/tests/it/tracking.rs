//! The tracking tables' store contract, run unchanged on SQLite and PostgreSQL
//! (`name::sqlite`, `name::postgres`): ownership, round trips, versions, soft delete, debt
//! balances, undo, and expense search.
use chrono::NaiveDate;
use domain::id::{BillId, BudgetId, CategoryId, ExpenseId, PaymentId, UserId};
use store::Store;
use store::bills::{BillTemplate, NewBill};
use store::budgets::NewBudget;
use store::categories::CategoryFields;
use store::expense_queries::{ExpenseFilter, ExpenseSort, SortDirection};
use store::expenses::ExpenseFields;
use store::month_cash::BucketCash;
use store::month_states::MonthStateFields;
use store::payment_queries::PaymentFilter;
use store::payments::{NewPayment, PaymentChanges};
use store::user_settings::UserSettings;
use testkit::engine_tests;
use testkit::store_fixtures::{
    assert_conflict, assert_not_found, assert_stale, at, bill, bill_with, category,
    category_fields, day, expense_fields, payment, template, user,
};

fn payment_changes(amount_minor: i64, paid_on: NaiveDate) -> PaymentChanges {
    PaymentChanges {
        amount_minor,
        paid_on,
        cycle_due: paid_on,
        method: "card".into(),
        note: String::new(),
        autopay_failed: false,
    }
}

fn all_payments() -> PaymentFilter {
    PaymentFilter {
        bill: None,
        from: None,
        to: None,
        include_deleted: false,
        limit: 100,
        offset: 0,
    }
}

async fn expense(
    store: &Store,
    owner: UserId,
    payee: &str,
    amount: i64,
    on: NaiveDate,
) -> ExpenseId {
    store
        .create_expense(owner, &expense_fields(payee, amount, on), at(0))
        .await
        .expect("create expense")
        .id
}

async fn debt_balance(store: &Store, owner: UserId, bill: BillId) -> Option<i64> {
    store
        .bill(owner, bill)
        .await
        .expect("bill")
        .debt_balance_minor
}

engine_tests! {
    async fn user_settings_are_absent_until_saved_then_round_trip(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        assert_eq!(store.user_settings(alice).await.unwrap(), None);
        let mut settings = UserSettings {
            currency: "EUR".into(),
            locale: "de-DE".into(),
            time_zone: "Europe/Berlin".into(),
            week_start: 1,
            paydays: vec![1, 15],
            due_soon_days: 3,
            grace_days: 5,
            theme: "dark".into(),
        };
        store.upsert_user_settings(alice, &settings, at(1)).await.unwrap();
        settings.paydays = vec![10, 25];
        settings.theme = "light".into();
        let saved = store.upsert_user_settings(alice, &settings, at(2)).await.unwrap();
        let read = store.user_settings(alice).await.unwrap().unwrap();
        assert_eq!(read, saved);
        assert_eq!(read.paydays, vec![10, 25]);
        assert_eq!(read.theme, "light");
        assert_eq!(read.currency, "EUR");
        assert_eq!(read.updated_at, at(2));
        assert_eq!(store.user_settings(bob).await.unwrap(), None, "bob sees nothing of alice's");
    }

    async fn categories_round_trip_and_updates_bump_the_version(store) {
        let alice = user(&store, "alice").await;
        let created = store.create_category(alice, &category_fields("Home"), at(1)).await.unwrap();
        assert_eq!(store.category(alice, created.id).await.unwrap(), created);
        assert_eq!((created.version, created.deleted_at), (1, None));
        let fields = CategoryFields { name: "Housing".into(), color: "#000000".into(), icon: "house".into(), is_spending: false };
        let updated = store.update_category(alice, created.id, &fields, 1, at(2)).await.unwrap();
        assert_eq!((updated.name.as_str(), updated.color.as_str(), updated.icon.as_str()), ("Housing", "#000000", "house"));
        assert!(!updated.is_spending);
        assert_eq!(updated.version, 2);
        assert_eq!(updated.created_at, at(1));
        assert_eq!(updated.updated_at, at(2));
        assert_eq!(store.category(alice, created.id).await.unwrap(), updated);
    }

    async fn a_stale_category_version_is_rejected(store) {
        let alice = user(&store, "alice").await;
        let id = category(&store, alice, "Home").await;
        store.update_category(alice, id, &category_fields("Home 2"), 1, at(1)).await.unwrap();
        assert_stale(store.update_category(alice, id, &category_fields("Home 3"), 1, at(2)).await);
        assert_eq!(store.category(alice, id).await.unwrap().name, "Home 2");
    }

    async fn another_users_category_is_not_found_and_never_listed(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let id = category(&store, alice, "Home").await;
        assert_not_found(store.category(bob, id).await);
        assert_not_found(store.update_category(bob, id, &category_fields("Mine"), 1, at(1)).await);
        assert_not_found(store.soft_delete_category(bob, id, at(1)).await);
        assert_not_found(store.restore_category(bob, id, at(1)).await);
        assert_not_found(store.category(alice, CategoryId::new()).await);
        assert!(store.categories(bob, true).await.unwrap().is_empty());
        assert_eq!(store.category(alice, id).await.unwrap().name, "Home", "untouched");
    }

    async fn deleted_categories_leave_the_list_and_come_back_on_restore(store) {
        let alice = user(&store, "alice").await;
        let id = category(&store, alice, "Home").await;
        category(&store, alice, "Car").await;
        store.soft_delete_category(alice, id, at(1)).await.unwrap();
        store.soft_delete_category(alice, id, at(2)).await.expect("deleting twice is fine");
        let live: Vec<String> = store.categories(alice, false).await.unwrap().into_iter().map(|c| c.category.name).collect();
        assert_eq!(live, ["Car"]);
        let all = store.categories(alice, true).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(store.category(alice, id).await.unwrap().deleted_at, Some(at(1)), "the first delete's instant stays");
        assert_not_found(store.update_category(alice, id, &category_fields("Edited"), 2, at(3)).await);
        store.restore_category(alice, id, at(3)).await.unwrap();
        let live: Vec<String> = store.categories(alice, false).await.unwrap().into_iter().map(|c| c.category.name).collect();
        assert_eq!(live, ["Car", "Home"]);
        assert_eq!(store.category(alice, id).await.unwrap().deleted_at, None);
    }

    async fn category_names_are_unique_among_live_categories_only(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let first = category(&store, alice, "Home").await;
        assert_conflict(store.create_category(alice, &category_fields("Home"), at(1)).await, "name");
        category(&store, bob, "Home").await;
        let car = category(&store, alice, "Car").await;
        assert_conflict(store.update_category(alice, car, &category_fields("Home"), 1, at(1)).await, "name");

        store.soft_delete_category(alice, first, at(2)).await.unwrap();
        let second = category(&store, alice, "Home").await;
        assert_ne!(first, second);
        assert_conflict(store.restore_category(alice, first, at(3)).await, "name");
        assert!(store.category(alice, first).await.unwrap().deleted_at.is_some(), "still deleted");
    }

    async fn the_category_list_counts_live_bills(store) {
        let alice = user(&store, "alice").await;
        let home = category(&store, alice, "Home").await;
        let car = category(&store, alice, "Car").await;
        for name in ["Rent", "Power", "Water"] {
            let mut t = template(name);
            t.category_id = Some(home);
            bill_with(&store, alice, t, None, day(2025, 1, 1)).await;
        }
        let water = store.bills(alice, true, false).await.unwrap().into_iter().find(|b| b.name == "Water").unwrap();
        store.soft_delete_bill(alice, water.id, at(1)).await.unwrap();
        let counts: Vec<(String, i64)> = store
            .categories(alice, false)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.category.name, c.bill_count))
            .collect();
        assert_eq!(counts, [("Car".to_owned(), 0), ("Home".to_owned(), 2)]);
        assert_ne!(home, car);
    }

    async fn bills_round_trip_every_field_and_open_their_first_range(store) {
        let alice = user(&store, "alice").await;
        let cat = category(&store, alice, "Utilities").await;
        let t = BillTemplate {
            category_id: Some(cat),
            name: "Power".into(),
            notes: "meter 42".into(),
            amount_kind: "estimated".into(),
            expected_minor: 8_000,
            min_minor: Some(6_000),
            max_minor: Some(12_000),
            currency: "EUR".into(),
            cycle: "quarterly".into(),
            anchor_date: day(2025, 2, 28),
            due_day: Some(31),
            autopay: "verified".into(),
            autopay_verified_on: Some(day(2025, 3, 1)),
            auto_mark_paid: true,
            is_subscription: true,
            reminder_days: vec![7, 1],
            website: Some("https://power.example".into()),
            account_details_enc: Some("v1.ciphertext".into()),
            debt_apr_bp: Some(1_999),
            debt_min_payment_minor: Some(2_500),
            debt_payoff_order: Some(2),
        };
        let created = store
            .create_bill(alice, &NewBill { id: domain::id::BillId::new(), template: t.clone(), debt_balance_minor: Some(100_000), active_from: day(2025, 2, 1) }, at(1))
            .await
            .unwrap();
        let read = store.bill(alice, created.id).await.unwrap();
        assert_eq!(read, created);
        let got = BillTemplate {
            category_id: read.category_id,
            name: read.name.clone(),
            notes: read.notes.clone(),
            amount_kind: read.amount_kind.clone(),
            expected_minor: read.expected_minor,
            min_minor: read.min_minor,
            max_minor: read.max_minor,
            currency: read.currency.clone(),
            cycle: read.cycle.clone(),
            anchor_date: read.anchor_date,
            due_day: read.due_day,
            autopay: read.autopay.clone(),
            autopay_verified_on: read.autopay_verified_on,
            auto_mark_paid: read.auto_mark_paid,
            is_subscription: read.is_subscription,
            reminder_days: read.reminder_days.clone(),
            website: read.website.clone(),
            account_details_enc: read.account_details_enc.clone(),
            debt_apr_bp: read.debt_apr_bp,
            debt_min_payment_minor: read.debt_min_payment_minor,
            debt_payoff_order: read.debt_payoff_order,
        };
        assert_eq!(got, t);
        assert_eq!(read.debt_balance_minor, Some(100_000));
        assert!(read.is_active);
        assert_eq!((read.version, read.deleted_at, read.created_at, read.updated_at), (1, None, at(1), at(1)));
        let ranges = store.bill_active_ranges(alice, created.id).await.unwrap();
        assert_eq!(ranges.len(), 1);
        assert_eq!((ranges[0].start_date, ranges[0].end_date), (day(2025, 2, 1), None));
    }

    async fn bill_updates_replace_the_template_and_reject_stale_versions(store) {
        let alice = user(&store, "alice").await;
        let id = bill(&store, alice, "Rent").await;
        let mut t = template("Rent (flat 2)");
        t.expected_minor = 120_000;
        t.reminder_days = vec![3];
        let updated = store.update_bill(alice, id, &t, 1, at(1)).await.unwrap();
        assert_eq!((updated.name.as_str(), updated.expected_minor, updated.version), ("Rent (flat 2)", 120_000, 2));
        assert_eq!(updated.reminder_days, vec![3]);
        assert_stale(store.update_bill(alice, id, &template("Old form"), 1, at(2)).await);
        assert_stale(store.set_bill_debt_balance(alice, id, Some(1), 1, at(2)).await);
        assert_eq!(store.bill(alice, id).await.unwrap().name, "Rent (flat 2)");
        let with_debt = store.set_bill_debt_balance(alice, id, Some(9_000), 2, at(3)).await.unwrap();
        assert_eq!((with_debt.debt_balance_minor, with_debt.version), (Some(9_000), 3));
    }

    async fn another_users_bill_is_not_found_anywhere(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let id = bill(&store, alice, "Rent").await;
        assert_not_found(store.bill(bob, id).await);
        assert_not_found(store.update_bill(bob, id, &template("Mine"), 1, at(1)).await);
        assert_not_found(store.set_bill_active(bob, id, false, day(2025, 3, 1), at(1)).await);
        assert_not_found(store.bill_active_ranges(bob, id).await);
        assert_not_found(store.set_bill_debt_balance(bob, id, Some(5), 1, at(1)).await);
        assert_not_found(store.soft_delete_bill(bob, id, at(1)).await);
        assert_not_found(store.restore_bill(bob, id, at(1)).await);
        assert_not_found(store.delete_bill_permanently(bob, id).await);
        assert_not_found(store.upsert_month_state(bob, id, day(2025, 3, 1), &MonthStateFields::default(), at(1)).await);
        assert_not_found(store.create_payment(bob, &payment(id, 100, day(2025, 3, 1)), at(1)).await);
        assert_not_found(store.bill(alice, BillId::new()).await);
        assert!(store.bills(bob, true, true).await.unwrap().is_empty());
        assert!(store.bills_active_between(bob, day(2025, 1, 1), day(2025, 12, 31)).await.unwrap().is_empty());
        let still = store.bill(alice, id).await.unwrap();
        assert_eq!((still.name.as_str(), still.version, still.is_active), ("Rent", 1, true));
    }

    async fn a_bill_cannot_use_another_users_category(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let bobs = category(&store, bob, "Bob's").await;
        let mut t = template("Rent");
        t.category_id = Some(bobs);
        assert_not_found(store.create_bill(alice, &NewBill { id: domain::id::BillId::new(), template: t.clone(), debt_balance_minor: None, active_from: day(2025, 1, 1) }, at(1)).await);
        assert!(store.bills(alice, true, true).await.unwrap().is_empty(), "nothing half-created");
        let id = bill(&store, alice, "Rent").await;
        assert_not_found(store.update_bill(alice, id, &t, 1, at(2)).await);
        assert_eq!(store.bill(alice, id).await.unwrap().category_id, None);
    }

    async fn bill_lists_hide_inactive_and_deleted_bills_unless_asked(store) {
        let alice = user(&store, "alice").await;
        bill(&store, alice, "Active").await;
        let paused = bill(&store, alice, "Paused").await;
        let gone = bill(&store, alice, "Gone").await;
        store.set_bill_active(alice, paused, false, day(2025, 3, 1), at(1)).await.unwrap();
        store.soft_delete_bill(alice, gone, at(1)).await.unwrap();
        let names = |bills: Vec<store::bills::BillRow>| bills.into_iter().map(|b| b.name).collect::<Vec<_>>();
        assert_eq!(names(store.bills(alice, false, false).await.unwrap()), ["Active"]);
        assert_eq!(names(store.bills(alice, true, false).await.unwrap()), ["Active", "Paused"]);
        assert_eq!(names(store.bills(alice, true, true).await.unwrap()), ["Active", "Gone", "Paused"]);
        assert_not_found(store.update_bill(alice, gone, &template("Edit"), 2, at(2)).await);
        store.restore_bill(alice, gone, at(2)).await.unwrap();
        assert_eq!(names(store.bills(alice, false, false).await.unwrap()), ["Active", "Gone"]);
    }

    async fn a_bill_deactivated_in_march_still_appears_in_february(store) {
        let alice = user(&store, "alice").await;
        let id = bill_with(&store, alice, template("Gym"), None, day(2025, 1, 1)).await;
        bill(&store, alice, "Rent").await;
        let off = store.set_bill_active(alice, id, false, day(2025, 3, 10), at(1)).await.unwrap();
        assert!(!off.is_active);
        assert_eq!(off.version, 2);
        let again = store.set_bill_active(alice, id, false, day(2025, 4, 1), at(2)).await.unwrap();
        assert_eq!(again.version, 2, "deactivating twice changes nothing");

        let in_month = |y, m, last| {
            let store = store.clone();
            async move {
                store
                    .bills_active_between(alice, day(y, m, 1), day(y, m, last))
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|b| b.bill.name)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(in_month(2025, 2, 28).await, ["Gym", "Rent"]);
        assert_eq!(in_month(2025, 3, 31).await, ["Gym", "Rent"], "active until the 10th");
        assert_eq!(in_month(2025, 4, 30).await, ["Rent"]);
        assert_eq!(in_month(2024, 12, 31).await, Vec::<String>::new(), "not yet created");

        store.set_bill_active(alice, id, true, day(2025, 6, 1), at(3)).await.unwrap();
        assert_eq!(in_month(2025, 5, 31).await, ["Rent"]);
        assert_eq!(in_month(2025, 6, 30).await, ["Gym", "Rent"]);
        let gym = store
            .bills_active_between(alice, day(2025, 6, 1), day(2025, 6, 30))
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.bill.id == id)
            .unwrap();
        let ranges: Vec<_> = gym.ranges.iter().map(|r| (r.start_date, r.end_date)).collect();
        assert_eq!(ranges, [(day(2025, 1, 1), Some(day(2025, 3, 10))), (day(2025, 6, 1), None)]);
        assert!(gym.ranges[0].contains(day(2025, 3, 9)));
        assert!(!gym.ranges[0].contains(day(2025, 3, 10)), "inactive from the day it was deactivated");
        assert_eq!(store.bill_active_ranges(alice, id).await.unwrap(), gym.ranges);

        store.soft_delete_bill(alice, id, at(4)).await.unwrap();
        assert_eq!(in_month(2025, 6, 30).await, ["Rent"], "deleted bills never appear");
    }

    async fn deleting_a_bill_permanently_removes_its_payments_and_month_states(store) {
        let alice = user(&store, "alice").await;
        let id = bill(&store, alice, "Rent").await;
        let paid = store.create_payment(alice, &payment(id, 500, day(2025, 2, 1)), at(1)).await.unwrap();
        store.upsert_month_state(alice, id, day(2025, 2, 1), &MonthStateFields { note: "late".into(), ..Default::default() }, at(1)).await.unwrap();
        store.delete_bill_permanently(alice, id).await.unwrap();
        assert_not_found(store.bill(alice, id).await);
        assert_not_found(store.payment(alice, paid.id).await);
        assert!(store.month_states(alice, None, day(2025, 1, 1), day(2025, 12, 31)).await.unwrap().is_empty());
        assert_not_found(store.delete_bill_permanently(alice, id).await);
    }

    async fn month_states_are_saved_per_occurrence_and_listed_by_bill_and_range(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let rent = bill(&store, alice, "Rent").await;
        let power = bill(&store, alice, "Power").await;
        let bobs = bill(&store, bob, "Bob's").await;
        let fields = MonthStateFields { actual_minor: Some(4_321), note: "higher".into(), skipped: true, snoozed_until: Some(day(2025, 3, 5)) };
        let saved = store.upsert_month_state(alice, rent, day(2025, 3, 1), &fields, at(1)).await.unwrap();
        assert_eq!((saved.bill_id, saved.due_date, saved.updated_at), (rent, day(2025, 3, 1), at(1)));
        assert_eq!((saved.actual_minor, saved.note.as_str(), saved.skipped, saved.snoozed_until), (Some(4_321), "higher", true, Some(day(2025, 3, 5))));
        let cleared = store.upsert_month_state(alice, rent, day(2025, 3, 1), &MonthStateFields::default(), at(2)).await.unwrap();
        assert_eq!((cleared.actual_minor, cleared.skipped, cleared.snoozed_until), (None, false, None));
        store.upsert_month_state(alice, rent, day(2025, 4, 1), &fields, at(2)).await.unwrap();
        store.upsert_month_state(alice, power, day(2025, 3, 15), &fields, at(2)).await.unwrap();
        store.upsert_month_state(bob, bobs, day(2025, 3, 1), &fields, at(2)).await.unwrap();

        let march = store.month_states(alice, None, day(2025, 3, 1), day(2025, 3, 31)).await.unwrap();
        let keys: Vec<_> = march.iter().map(|s| (s.bill_id, s.due_date)).collect();
        assert_eq!(keys, [(rent, day(2025, 3, 1)), (power, day(2025, 3, 15))]);
        assert_eq!(march[0], cleared);
        let only_power = store.month_states(alice, Some(&[power]), day(2025, 1, 1), day(2025, 12, 31)).await.unwrap();
        assert_eq!(only_power.len(), 1);
        assert_eq!(only_power[0].bill_id, power);
        assert!(store.month_states(alice, Some(&[bobs]), day(2025, 1, 1), day(2025, 12, 31)).await.unwrap().is_empty());
        assert_not_found(store.upsert_month_state(alice, bobs, day(2025, 3, 1), &fields, at(3)).await);
    }

    async fn payments_round_trip_and_list_newest_first_with_filters(store) {
        let alice = user(&store, "alice").await;
        let rent = bill(&store, alice, "Rent").await;
        let power = bill(&store, alice, "Power").await;
        let new = NewPayment {
            bill_id: rent,
            amount_minor: 120_000,
            paid_on: day(2025, 3, 4),
            cycle_due: day(2025, 2, 28),
            method: "transfer".into(),
            note: "late, sorry".into(),
            source: "import".into(),
            autopay_failed: true,
        };
        let created = store.create_payment(alice, &new, at(1)).await.unwrap();
        assert_eq!(store.payment(alice, created.id).await.unwrap(), created);
        assert_eq!((created.bill_id, created.amount_minor, created.paid_on, created.cycle_due), (rent, 120_000, day(2025, 3, 4), day(2025, 2, 28)));
        assert_eq!((created.method.as_str(), created.note.as_str(), created.source.as_str()), ("transfer", "late, sorry", "import"));
        assert!(created.autopay_failed);
        assert_eq!((created.undo_token.as_deref(), created.deleted_at, created.version), (None, None, 1));

        store.create_payment(alice, &payment(power, 100, day(2025, 1, 10)), at(2)).await.unwrap();
        store.create_payment(alice, &payment(power, 200, day(2025, 2, 10)), at(3)).await.unwrap();
        let dates = |rows: Vec<store::payments::PaymentRow>| rows.into_iter().map(|p| p.paid_on).collect::<Vec<_>>();
        assert_eq!(dates(store.payments(alice, &all_payments()).await.unwrap()), [day(2025, 3, 4), day(2025, 2, 10), day(2025, 1, 10)]);
        let powers = PaymentFilter { bill: Some(power), ..all_payments() };
        assert_eq!(dates(store.payments(alice, &powers).await.unwrap()), [day(2025, 2, 10), day(2025, 1, 10)]);
        let february = PaymentFilter { from: Some(day(2025, 2, 1)), to: Some(day(2025, 2, 28)), ..all_payments() };
        assert_eq!(dates(store.payments(alice, &february).await.unwrap()), [day(2025, 2, 10)]);
        let second_page = PaymentFilter { limit: 2, offset: 2, ..all_payments() };
        assert_eq!(dates(store.payments(alice, &second_page).await.unwrap()), [day(2025, 1, 10)]);
    }

    async fn payments_update_with_a_version_and_soft_delete_and_restore(store) {
        let alice = user(&store, "alice").await;
        let rent = bill(&store, alice, "Rent").await;
        let p = store.create_payment(alice, &payment(rent, 500, day(2025, 3, 1)), at(1)).await.unwrap();
        let mut changes = payment_changes(700, day(2025, 3, 2));
        changes.cycle_due = day(2025, 2, 1);
        changes.note = "fixed".into();
        changes.autopay_failed = true;
        let updated = store.update_payment(alice, p.id, &changes, 1, at(2)).await.unwrap();
        assert_eq!((updated.amount_minor, updated.paid_on, updated.cycle_due, updated.version), (700, day(2025, 3, 2), day(2025, 2, 1), 2));
        assert_eq!((updated.note.as_str(), updated.autopay_failed, updated.source.as_str()), ("fixed", true, "manual"));
        assert_stale(store.update_payment(alice, p.id, &payment_changes(1, day(2025, 3, 1)), 1, at(3)).await);

        store.soft_delete_payment(alice, p.id, at(4)).await.unwrap();
        assert!(store.payments(alice, &all_payments()).await.unwrap().is_empty());
        let with_deleted = store.payments(alice, &PaymentFilter { include_deleted: true, ..all_payments() }).await.unwrap();
        assert_eq!(with_deleted.len(), 1);
        assert_eq!(with_deleted[0].deleted_at, Some(at(4)));
        assert_not_found(store.update_payment(alice, p.id, &changes, 3, at(5)).await);
        store.restore_payment(alice, p.id, at(5)).await.unwrap();
        let back = store.payments(alice, &all_payments()).await.unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!((back[0].amount_minor, back[0].deleted_at), (700, None));
    }

    async fn payments_lower_a_debt_balance_and_deleting_them_raises_it_back(store) {
        let alice = user(&store, "alice").await;
        let card = bill_with(&store, alice, template("Card"), Some(10_000), day(2025, 1, 1)).await;
        let rent = bill(&store, alice, "Rent").await;
        let p = store.create_payment(alice, &payment(card, 3_000, day(2025, 3, 1)), at(1)).await.unwrap();
        assert_eq!(debt_balance(&store, alice, card).await, Some(7_000));
        store.update_payment(alice, p.id, &payment_changes(4_000, day(2025, 3, 1)), 1, at(2)).await.unwrap();
        assert_eq!(debt_balance(&store, alice, card).await, Some(6_000), "moved by the difference");
        assert_stale(store.update_payment(alice, p.id, &payment_changes(9_000, day(2025, 3, 1)), 1, at(3)).await);
        assert_eq!(debt_balance(&store, alice, card).await, Some(6_000), "a stale edit moves nothing");
        store.soft_delete_payment(alice, p.id, at(3)).await.unwrap();
        assert_eq!(debt_balance(&store, alice, card).await, Some(10_000));
        store.soft_delete_payment(alice, p.id, at(4)).await.unwrap();
        assert_eq!(debt_balance(&store, alice, card).await, Some(10_000), "raised back once only");
        store.restore_payment(alice, p.id, at(5)).await.unwrap();
        store.restore_payment(alice, p.id, at(6)).await.unwrap();
        assert_eq!(debt_balance(&store, alice, card).await, Some(6_000), "lowered again once only");
        let accrued = store.adjust_bill_debt_balance(alice, card, 150, at(7)).await.unwrap();
        assert_eq!(accrued.debt_balance_minor, Some(6_150));

        store.create_payment(alice, &payment(rent, 3_000, day(2025, 3, 1)), at(8)).await.unwrap();
        assert_eq!(debt_balance(&store, alice, rent).await, None, "bills without a balance stay so");
    }

    async fn another_users_payment_is_not_found_and_never_listed(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let card = bill_with(&store, alice, template("Card"), Some(10_000), day(2025, 1, 1)).await;
        let p = store.create_payments(alice, &[payment(card, 1_000, day(2025, 3, 1))], "tok", at(1)).await.unwrap();
        let id = p[0].id;
        assert_not_found(store.payment(bob, id).await);
        assert_not_found(store.update_payment(bob, id, &payment_changes(1, day(2025, 3, 1)), 1, at(2)).await);
        assert_not_found(store.soft_delete_payment(bob, id, at(2)).await);
        assert_not_found(store.restore_payment(bob, id, at(2)).await);
        assert_not_found(store.payment(alice, PaymentId::new()).await);
        assert_eq!(store.undo_payments(bob, "tok", at(2)).await.unwrap(), 0);
        assert!(store.payments(bob, &PaymentFilter { include_deleted: true, ..all_payments() }).await.unwrap().is_empty());
        assert!(store.payment_totals(bob, day(2025, 1, 1), day(2025, 12, 31)).await.unwrap().is_empty());
        assert_eq!(store.payment(alice, id).await.unwrap().deleted_at, None);
        assert_eq!(debt_balance(&store, alice, card).await, Some(9_000));
    }

    async fn paying_all_due_and_undoing_touches_exactly_those_payments(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let card = bill_with(&store, alice, template("Card"), Some(10_000), day(2025, 1, 1)).await;
        let rent = bill(&store, alice, "Rent").await;
        let bobs = bill(&store, bob, "Bob's").await;
        let single = store.create_payment(alice, &payment(card, 500, day(2025, 3, 1)), at(1)).await.unwrap();
        let batch = store
            .create_payments(alice, &[payment(card, 2_000, day(2025, 3, 2)), payment(rent, 9_000, day(2025, 3, 2))], "undo-1", at(2))
            .await
            .unwrap();
        assert_eq!(batch.len(), 2);
        assert!(batch.iter().all(|p| p.undo_token.as_deref() == Some("undo-1")));
        assert_eq!(debt_balance(&store, alice, card).await, Some(7_500));

        assert_not_found(store.create_payments(alice, &[payment(rent, 1, day(2025, 3, 3)), payment(bobs, 1, day(2025, 3, 3))], "undo-2", at(3)).await);
        assert_eq!(store.payments(alice, &all_payments()).await.unwrap().len(), 3, "none of a failed batch is kept");

        assert_eq!(store.undo_payments(alice, "undo-1", at(4)).await.unwrap(), 2);
        let live: Vec<PaymentId> = store.payments(alice, &all_payments()).await.unwrap().into_iter().map(|p| p.id).collect();
        assert_eq!(live, [single.id]);
        assert_eq!(debt_balance(&store, alice, card).await, Some(9_500));
        assert_eq!(store.undo_payments(alice, "undo-1", at(5)).await.unwrap(), 0, "undoing twice changes nothing");
        assert_eq!(debt_balance(&store, alice, card).await, Some(9_500));
    }

    async fn payment_totals_sum_live_payments_per_occurrence(store) {
        let alice = user(&store, "alice").await;
        let rent = bill(&store, alice, "Rent").await;
        let power = bill(&store, alice, "Power").await;
        let mut late = payment(rent, 300, day(2025, 3, 5));
        late.cycle_due = day(2025, 2, 1);
        store.create_payment(alice, &payment(rent, 1_000, day(2025, 2, 1)), at(1)).await.unwrap();
        store.create_payment(alice, &late, at(1)).await.unwrap();
        let deleted = store.create_payment(alice, &payment(rent, 50, day(2025, 2, 1)), at(1)).await.unwrap();
        store.soft_delete_payment(alice, deleted.id, at(2)).await.unwrap();
        store.create_payment(alice, &payment(power, 70, day(2025, 2, 15)), at(1)).await.unwrap();
        store.create_payment(alice, &payment(power, 80, day(2025, 3, 15)), at(1)).await.unwrap();
        let totals: Vec<_> = store
            .payment_totals(alice, day(2025, 2, 1), day(2025, 2, 28))
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.bill_id, t.cycle_due, t.total_minor))
            .collect();
        assert_eq!(totals, [(rent, day(2025, 2, 1), 1_300), (power, day(2025, 2, 15), 70)]);
    }

    async fn month_cash_is_saved_per_bucket_and_owner(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let cash = |bucket, starting: i64, income: i64| [BucketCash { bucket, starting_minor: Some(starting), income_minor: Some(income) }];
        store.save_month_cash(alice, "2025-03", &cash(1, 5_000, 200_000), None, at(1)).await.unwrap();
        store.save_month_cash(alice, "2025-03", &cash(0, 10_000, 0), None, at(1)).await.unwrap();
        store.save_month_cash(alice, "2025-03", &cash(1, 6_000, 210_000), None, at(2)).await.unwrap();
        store.save_month_cash(alice, "2025-04", &cash(0, 1, 1), None, at(2)).await.unwrap();
        store.save_month_cash(bob, "2025-03", &cash(0, 99, 99), None, at(2)).await.unwrap();
        let march = store.month_cash(alice, "2025-03").await.unwrap();
        let buckets: Vec<_> = march.iter().map(|c| (c.bucket, c.starting_minor, c.income_minor)).collect();
        assert_eq!(buckets, [(0, Some(10_000), Some(0)), (1, Some(6_000), Some(210_000))]);
        assert_eq!(march[1].year_month, "2025-03");
        assert_eq!(march[1].updated_at, at(2));
        assert_eq!(store.month_cash(bob, "2025-03").await.unwrap().len(), 1);
        assert!(store.month_cash(bob, "2025-04").await.unwrap().is_empty());
        assert_eq!(store.recurring_income(alice).await.unwrap(), None, "left alone");
    }

    async fn a_month_and_the_recurring_income_are_saved_together_and_blank_buckets_removed(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        store.save_month_cash(bob, "2025-03", &[BucketCash { bucket: 0, starting_minor: Some(7), income_minor: None }], None, at(1)).await.unwrap();
        store.set_recurring_income(bob, Some(99), at(1)).await.unwrap();
        let month = [
            BucketCash { bucket: 0, starting_minor: Some(-2_500), income_minor: None },
            BucketCash { bucket: 1, starting_minor: None, income_minor: Some(0) },
        ];
        store.save_month_cash(alice, "2025-03", &month, Some(Some(150_000)), at(2)).await.unwrap();
        let saved: Vec<_> = store.month_cash(alice, "2025-03").await.unwrap().iter().map(|c| (c.bucket, c.starting_minor, c.income_minor)).collect();
        assert_eq!(saved, [(0, Some(-2_500), None), (1, None, Some(0))]);
        assert_eq!(store.recurring_income(alice).await.unwrap(), Some(150_000));

        let blank = [BucketCash { bucket: 0, starting_minor: None, income_minor: None }, month[1]];
        store.save_month_cash(alice, "2025-03", &blank, Some(None), at(3)).await.unwrap();
        let saved: Vec<_> = store.month_cash(alice, "2025-03").await.unwrap().iter().map(|c| c.bucket).collect();
        assert_eq!(saved, [1], "a bucket with neither amount has no row");
        assert_eq!(store.recurring_income(alice).await.unwrap(), None);
        // Bob's rows are his own.
        assert_eq!(store.recurring_income(bob).await.unwrap(), Some(99));
        assert_eq!(store.month_cash(bob, "2025-03").await.unwrap()[0].starting_minor, Some(7));
    }

    async fn expenses_round_trip_and_reject_stale_versions(store) {
        let alice = user(&store, "alice").await;
        let food = category(&store, alice, "Food").await;
        let fields = ExpenseFields {
            category_id: Some(food),
            amount_minor: 1_234,
            currency: "EUR".into(),
            spent_on: day(2025, 3, 9),
            payee: "Bakery".into(),
            note: "croissants".into(),
            method: "card".into(),
        };
        let created = store.create_expense(alice, &fields, at(1)).await.unwrap();
        assert_eq!(store.expense(alice, created.id).await.unwrap(), created);
        assert_eq!((created.category_id, created.amount_minor, created.currency.as_str(), created.spent_on), (Some(food), 1_234, "EUR", day(2025, 3, 9)));
        assert_eq!((created.payee.as_str(), created.note.as_str(), created.method.as_str()), ("Bakery", "croissants", "card"));
        assert_eq!((created.version, created.undo_token.as_deref(), created.deleted_at, created.created_at), (1, None, None, at(1)));
        let changed = ExpenseFields { category_id: None, payee: "Cafe".into(), ..fields.clone() };
        let updated = store.update_expense(alice, created.id, &changed, 1, at(2)).await.unwrap();
        assert_eq!((updated.category_id, updated.payee.as_str(), updated.version), (None, "Cafe", 2));
        assert_stale(store.update_expense(alice, created.id, &fields, 1, at(3)).await);
        assert_eq!(store.expense(alice, created.id).await.unwrap().payee, "Cafe");
    }

    async fn another_users_expense_is_not_found_and_never_listed(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let bobs_category = category(&store, bob, "Bob's").await;
        let id = expense(&store, alice, "Bakery", 500, day(2025, 3, 1)).await;
        assert_not_found(store.expense(bob, id).await);
        assert_not_found(store.update_expense(bob, id, &expense_fields("Mine", 1, day(2025, 3, 1)), 1, at(1)).await);
        assert_not_found(store.soft_delete_expense(bob, id, at(1)).await);
        assert_not_found(store.restore_expense(bob, id, at(1)).await);
        assert_not_found(store.expense(alice, ExpenseId::new()).await);
        let mut theirs = expense_fields("Bakery", 1, day(2025, 3, 1));
        theirs.category_id = Some(bobs_category);
        assert_not_found(store.create_expense(alice, &theirs, at(1)).await);
        assert_not_found(store.update_expense(alice, id, &theirs, 1, at(1)).await);
        let filter = ExpenseFilter { include_deleted: true, ..Default::default() };
        let page = store.expenses(bob, &filter, ExpenseSort::Date, SortDirection::Desc, 50, 0).await.unwrap();
        assert_eq!((page.rows.len(), page.total), (0, 0));
        assert!(store.spent_by_category(bob, day(2025, 1, 1), day(2025, 12, 31)).await.unwrap().is_empty());
        assert_eq!(store.expense(alice, id).await.unwrap().version, 1);
    }

    async fn deleted_expenses_leave_the_list_and_come_back_on_restore(store) {
        let alice = user(&store, "alice").await;
        let id = expense(&store, alice, "Bakery", 500, day(2025, 3, 1)).await;
        expense(&store, alice, "Cafe", 300, day(2025, 3, 2)).await;
        store.soft_delete_expense(alice, id, at(1)).await.unwrap();
        let live = store.expenses(alice, &ExpenseFilter::default(), ExpenseSort::Date, SortDirection::Asc, 50, 0).await.unwrap();
        assert_eq!(live.total, 1);
        assert_eq!(live.rows[0].payee, "Cafe");
        let all = ExpenseFilter { include_deleted: true, ..Default::default() };
        assert_eq!(store.expenses(alice, &all, ExpenseSort::Date, SortDirection::Asc, 50, 0).await.unwrap().total, 2);
        store.restore_expense(alice, id, at(2)).await.unwrap();
        assert_eq!(store.expenses(alice, &ExpenseFilter::default(), ExpenseSort::Date, SortDirection::Asc, 50, 0).await.unwrap().total, 2);
    }

    async fn expense_filters_sort_and_paginate_with_counts(store) {
        let alice = user(&store, "alice").await;
        let food = category(&store, alice, "Food").await;
        let rows = [("delta", 400, 4), ("alpha", 100, 1), ("Charlie", 300, 3), ("bravo", 200, 2), ("echo", 500, 5)];
        for (payee, amount, d) in rows {
            let mut f = expense_fields(payee, amount, day(2025, 3, d));
            if amount >= 300 {
                f.category_id = Some(food);
            }
            store.create_expense(alice, &f, at(1)).await.unwrap();
        }
        let payees = |page: store::expense_queries::ExpensePage| page.rows.into_iter().map(|e| e.payee).collect::<Vec<_>>();
        let all = ExpenseFilter::default();

        let by_date = store.expenses(alice, &all, ExpenseSort::Date, SortDirection::Desc, 2, 0).await.unwrap();
        assert_eq!(by_date.total, 5);
        assert_eq!(payees(by_date), ["echo", "delta"]);
        let last_page = store.expenses(alice, &all, ExpenseSort::Date, SortDirection::Desc, 2, 4).await.unwrap();
        assert_eq!((last_page.total, payees(last_page)), (5, vec!["alpha".to_owned()]));
        let beyond = store.expenses(alice, &all, ExpenseSort::Date, SortDirection::Desc, 2, 10).await.unwrap();
        assert_eq!((beyond.total, beyond.rows.len()), (5, 0));

        let by_amount = store.expenses(alice, &all, ExpenseSort::Amount, SortDirection::Asc, 10, 0).await.unwrap();
        assert_eq!(payees(by_amount), ["alpha", "bravo", "Charlie", "delta", "echo"]);
        let by_payee = store.expenses(alice, &all, ExpenseSort::Payee, SortDirection::Desc, 10, 0).await.unwrap();
        assert_eq!(payees(by_payee), ["echo", "delta", "Charlie", "bravo", "alpha"], "case-insensitive");

        let narrow = ExpenseFilter { from: Some(day(2025, 3, 2)), to: Some(day(2025, 3, 4)), min_minor: Some(250), ..Default::default() };
        let page = store.expenses(alice, &narrow, ExpenseSort::Date, SortDirection::Asc, 10, 0).await.unwrap();
        assert_eq!((page.total, payees(page)), (2, vec!["Charlie".to_owned(), "delta".to_owned()]));
        let in_food = ExpenseFilter { category: Some(food), max_minor: Some(400), ..Default::default() };
        let page = store.expenses(alice, &in_food, ExpenseSort::Amount, SortDirection::Desc, 10, 0).await.unwrap();
        assert_eq!((page.total, payees(page)), (2, vec!["delta".to_owned(), "Charlie".to_owned()]));
        let text = ExpenseFilter { text: Some("CHAR".into()), ..Default::default() };
        let page = store.expenses(alice, &text, ExpenseSort::Date, SortDirection::Asc, 10, 0).await.unwrap();
        assert_eq!((page.total, payees(page)), (1, vec!["Charlie".to_owned()]));
    }

    async fn expense_search_matches_percent_underscore_and_backslash_literally(store) {
        let alice = user(&store, "alice").await;
        for payee in ["50% off", "500 off", "a_b", "axb", "back\\slash", "backslash"] {
            expense(&store, alice, payee, 100, day(2025, 3, 1)).await;
        }
        let mut noted = expense_fields("Shop", 100, day(2025, 3, 1));
        noted.note = "paid 50% upfront".into();
        store.create_expense(alice, &noted, at(1)).await.unwrap();
        let search = |text: &str| {
            let store = store.clone();
            let filter = ExpenseFilter { text: Some(text.into()), ..Default::default() };
            async move {
                let mut found: Vec<String> = store
                    .expenses(alice, &filter, ExpenseSort::Date, SortDirection::Asc, 50, 0)
                    .await
                    .unwrap()
                    .rows
                    .into_iter()
                    .map(|e| e.payee)
                    .collect();
                found.sort();
                found
            }
        };
        assert_eq!(search("50%").await, ["50% off", "Shop"]);
        assert_eq!(search("a_b").await, ["a_b"]);
        assert_eq!(search("k\\s").await, ["back\\slash"]);
        assert_eq!(search("%").await, ["50% off", "Shop"]);
        assert_eq!(search("   ").await.len(), 7, "a blank search is no search");
    }

    async fn bulk_delete_and_undo_touch_exactly_those_expenses(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let a = expense(&store, alice, "A", 1, day(2025, 3, 1)).await;
        let b = expense(&store, alice, "B", 1, day(2025, 3, 1)).await;
        let c = expense(&store, alice, "C", 1, day(2025, 3, 1)).await;
        let earlier = expense(&store, alice, "Earlier", 1, day(2025, 3, 1)).await;
        let bobs = expense(&store, bob, "Bob's", 1, day(2025, 3, 1)).await;
        store.soft_delete_expense(alice, earlier, at(1)).await.unwrap();

        let outcome = store.soft_delete_expenses(alice, &[a, b, b, bobs, earlier], "bulk-1", at(2)).await.unwrap();
        assert_eq!(outcome.deleted, [a, b]);
        assert_eq!(outcome.not_found, [bobs, earlier]);
        assert_eq!(store.expense(bob, bobs).await.unwrap().deleted_at, None, "bob's expense untouched");
        let live = store.expenses(alice, &ExpenseFilter::default(), ExpenseSort::Payee, SortDirection::Asc, 50, 0).await.unwrap();
        assert_eq!(live.rows.iter().map(|e| e.id).collect::<Vec<_>>(), [c]);

        assert_eq!(store.undo_expense_delete(bob, "bulk-1", at(3)).await.unwrap(), 0);
        assert_eq!(store.undo_expense_delete(alice, "bulk-1", at(3)).await.unwrap(), 2);
        let live = store.expenses(alice, &ExpenseFilter::default(), ExpenseSort::Payee, SortDirection::Asc, 50, 0).await.unwrap();
        assert_eq!(live.rows.iter().map(|e| e.id).collect::<Vec<_>>(), [a, b, c]);
        assert!(store.expense(alice, earlier).await.unwrap().deleted_at.is_some(), "the earlier delete stays");
        assert_eq!(store.expense(alice, a).await.unwrap().undo_token, None);
        assert_eq!(store.undo_expense_delete(alice, "bulk-1", at(4)).await.unwrap(), 0);
    }

    async fn spending_is_summed_per_category_over_live_expenses_in_range(store) {
        let alice = user(&store, "alice").await;
        let food = category(&store, alice, "Food").await;
        let mut lunch = expense_fields("Lunch", 1_000, day(2025, 3, 1));
        lunch.category_id = Some(food);
        store.create_expense(alice, &lunch, at(1)).await.unwrap();
        lunch.spent_on = day(2025, 3, 31);
        store.create_expense(alice, &lunch, at(1)).await.unwrap();
        lunch.spent_on = day(2025, 4, 1);
        store.create_expense(alice, &lunch, at(1)).await.unwrap();
        lunch.spent_on = day(2025, 3, 15);
        let gone = store.create_expense(alice, &lunch, at(1)).await.unwrap();
        store.soft_delete_expense(alice, gone.id, at(2)).await.unwrap();
        expense(&store, alice, "Misc", 250, day(2025, 3, 10)).await;
        let spends: Vec<_> = store
            .spent_by_category(alice, day(2025, 3, 1), day(2025, 3, 31))
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.category_id, s.total_minor))
            .collect();
        assert_eq!(spends, [(None, 250), (Some(food), 2_000)]);
    }

    async fn budgets_are_one_per_category_and_period_and_versioned(store) {
        let alice = user(&store, "alice").await;
        let food = category(&store, alice, "Food").await;
        let new = NewBudget { category_id: food, period: "monthly".into(), limit_minor: 40_000, currency: "USD".into() };
        let created = store.create_budget(alice, &new, at(1)).await.unwrap();
        assert_eq!(store.budget(alice, created.id).await.unwrap(), created);
        assert_eq!((created.category_id, created.period.as_str(), created.limit_minor, created.currency.as_str(), created.version), (food, "monthly", 40_000, "USD", 1));
        assert_conflict(store.create_budget(alice, &new, at(2)).await, "category_id");
        let yearly = store.create_budget(alice, &NewBudget { period: "yearly".into(), ..new.clone() }, at(2)).await.unwrap();
        assert_eq!(store.budgets(alice).await.unwrap().len(), 2);

        let updated = store.update_budget_limit(alice, created.id, 45_000, 1, at(3)).await.unwrap();
        assert_eq!((updated.limit_minor, updated.version, updated.updated_at), (45_000, 2, at(3)));
        assert_stale(store.update_budget_limit(alice, created.id, 1, 1, at(4)).await);
        store.delete_budget(alice, yearly.id).await.unwrap();
        assert_not_found(store.budget(alice, yearly.id).await);
        assert_eq!(store.budgets(alice).await.unwrap(), [updated]);
    }

    async fn another_users_budget_is_not_found_and_never_listed(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let food = category(&store, alice, "Food").await;
        let new = NewBudget { category_id: food, period: "monthly".into(), limit_minor: 40_000, currency: "USD".into() };
        let id = store.create_budget(alice, &new, at(1)).await.unwrap().id;
        assert_not_found(store.create_budget(bob, &new, at(1)).await);
        assert_not_found(store.budget(bob, id).await);
        assert_not_found(store.update_budget_limit(bob, id, 1, 1, at(2)).await);
        assert_not_found(store.delete_budget(bob, id).await);
        assert_not_found(store.budget(alice, BudgetId::new()).await);
        assert!(store.budgets(bob).await.unwrap().is_empty());
        assert_eq!(store.budget(alice, id).await.unwrap().limit_minor, 40_000);
    }
}
