use chrono::{NaiveDate, TimeZone, Utc};
use domain::id::{BankAccountId, TransactionId};
use store::transactions::TransactionRow;

use super::{Incoming, reconcile};
use crate::imports::dedupe::keys;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, d).expect("day")
}

fn stored(id: &str, on: NaiveDate, amount: i64, payee: &str, pending: bool) -> TransactionRow {
    TransactionRow {
        id: TransactionId::new(),
        account_id: BankAccountId::new(),
        posted_on: on,
        amount_minor: amount,
        currency: "USD".into(),
        payee: payee.into(),
        memo: String::new(),
        category_id: None,
        pending,
        source: "sync".into(),
        source_id: Some(id.into()),
        import_id: None,
        dedupe_key: keys([(on, amount, payee)]).remove(0),
        state: "unmatched".into(),
        payment_id: None,
        expense_id: None,
        created_at: Utc::now(),
        version: 1,
    }
}

fn incoming(id: &str, on: Option<NaiveDate>, amount: i64, payee: &str) -> Incoming {
    Incoming {
        id: id.into(),
        posted: on.map(|d| Utc.from_utc_datetime(&d.and_hms_opt(12, 0, 0).expect("noon"))),
        transacted_at: None,
        amount_minor: amount,
        payee: payee.into(),
        memo: String::new(),
        pending: on.is_none(),
    }
}

/// A window holding every day of the tests.
fn all() -> std::ops::Range<NaiveDate> {
    day(1)..day(31)
}

#[test]
fn a_pending_row_outside_the_answers_window_has_not_vanished() {
    let rows = [stored("old-hold", day(1), -500, "Hotel hold", true)];
    let changes = reconcile(&rows, &[], day(20), day(10)..day(21));
    assert!(changes.vanished.is_empty(), "{changes:?}");
}

#[test]
fn a_known_id_changes_nothing_and_a_new_one_is_new() {
    let rows = [stored("a", day(1), -500, "Coffee", false)];
    let changes = reconcile(
        &rows,
        &[
            incoming("a", Some(day(1)), -500, "Coffee"),
            incoming("b", Some(day(2)), -700, "Power"),
        ],
        day(5),
        all(),
    );
    assert_eq!(changes.new.len(), 1);
    assert_eq!(changes.new[0].source_id.as_deref(), Some("b"));
    assert!(changes.posted.is_empty() && changes.vanished.is_empty());
}

#[test]
fn a_pending_row_that_posts_under_its_own_id_is_updated_in_place() {
    let rows = [stored("a", day(1), -500, "Coffee", true)];
    let changes = reconcile(
        &rows,
        &[incoming("a", Some(day(3)), -520, "Coffee")],
        day(5),
        all(),
    );
    assert!(changes.new.is_empty());
    assert_eq!(changes.posted.len(), 1);
    assert_eq!(
        (changes.posted[0].id, changes.posted[0].amount_minor),
        (rows[0].id, -520)
    );
}

#[test]
fn a_pending_row_that_posts_under_a_new_id_is_replaced_never_both_counted() {
    let rows = [stored("p-1", day(1), -500, "Coffee", true)];
    let changes = reconcile(
        &rows,
        &[incoming("posted-9", Some(day(3)), -500, "COFFEE #12")],
        day(5),
        all(),
    );
    assert!(changes.new.is_empty(), "{changes:?}");
    assert_eq!(changes.posted.len(), 1);
    assert_eq!(changes.posted[0].id, rows[0].id);
    assert_eq!(changes.posted[0].source_id, "posted-9");
    assert!(changes.vanished.is_empty());
}

#[test]
fn a_pending_row_the_bridge_dropped_vanishes_and_one_still_reported_stays() {
    let rows = [
        stored("gone", day(1), -500, "Hotel hold", true),
        stored("still", day(2), -300, "Taxi", true),
    ];
    let changes = reconcile(
        &rows,
        &[incoming("still", None, -300, "Taxi")],
        day(5),
        all(),
    );
    assert_eq!(changes.vanished, vec![rows[0].id]);
    assert!(changes.new.is_empty() && changes.posted.is_empty());
}

#[test]
fn a_posting_of_another_amount_or_too_late_does_not_replace_a_pending_row() {
    let rows = [stored("p", day(1), -500, "Coffee", true)];
    let changes = reconcile(
        &rows,
        &[
            incoming("x", Some(day(3)), -501, "Coffee"),
            incoming("y", Some(day(20)), -500, "Coffee"),
        ],
        day(21),
        all(),
    );
    assert_eq!(changes.new.len(), 2);
    assert_eq!(changes.vanished, vec![rows[0].id]);
}

#[test]
fn a_reissued_id_with_stored_content_is_kept_and_flagged_not_dropped() {
    let rows = [stored("old-1", day(1), -500, "Coffee", false)];
    let changes = reconcile(
        &rows,
        &[incoming("new-1", Some(day(1)), -500, "Coffee")],
        day(5),
        all(),
    );
    assert_eq!(changes.new.len(), 1);
    assert_eq!(changes.new[0].duplicate_of, Some(rows[0].id));
}

#[test]
fn two_identical_coffees_in_one_answer_are_two_rows() {
    let changes = reconcile(
        &[],
        &[
            incoming("c1", Some(day(1)), -500, "Coffee"),
            incoming("c2", Some(day(1)), -500, "Coffee"),
        ],
        day(5),
        all(),
    );
    assert_eq!(changes.new.len(), 2);
    assert_ne!(changes.new[0].dedupe_key, changes.new[1].dedupe_key);
    assert!(changes.new.iter().all(|t| t.duplicate_of.is_none()));
}

#[test]
fn a_pending_transaction_without_dates_is_dated_by_the_sync_never_1970() {
    let changes = reconcile(&[], &[incoming("p", None, -500, "Coffee")], day(5), all());
    assert_eq!(changes.new[0].posted_on, day(5));
    assert!(changes.new[0].pending);
}
