//! Matching transactions to bills at the store, on SQLite and PostgreSQL: one transaction
//! backs at most one payment (also when two matches race), an unmatch removes the payment and
//! frees the transaction, and rules and rejections are the owner's only.

use domain::id::{BankAccountId, TransactionId, UserId};
use store::Store;
use store::bank_accounts::NewBankAccount;
use store::imports::NewImport;
use store::matching::STATE;
use store::merchant_rules::RuleFields;
use store::payment_queries::PaymentFilter;
use store::transactions::NewTransaction;
use testkit::engine_tests;
use testkit::store_fixtures::{
    assert_conflict, assert_not_found, assert_stale, at, bill, day, payment, user,
};

/// One imported transaction of `owner`: 50.00 out to "City Power" on 2025-03-02.
async fn transaction(store: &Store, owner: UserId) -> (BankAccountId, TransactionId) {
    let account = NewBankAccount {
        name: "Checking".into(),
        currency: "USD".into(),
        institution: String::new(),
        last_digits: String::new(),
        source: "file".into(),
        external_id: None,
    };
    let import = store
        .create_import(
            owner,
            &NewImport {
                account_id: None,
                file_name: "march.csv".into(),
                format: "csv".into(),
                rows_in_file: 1,
                preview: "[]".into(),
                expires_at: at(3600),
            },
            at(0),
        )
        .await
        .expect("preview");
    let row = NewTransaction {
        posted_on: day(2025, 3, 2),
        amount_minor: -5_000,
        payee: "City Power".into(),
        memo: String::new(),
        category_id: None,
        pending: false,
        source_id: None,
        dedupe_key: "k#1".into(),
        duplicate_of: None,
    };
    let (account, ids) = store
        .apply_import(owner, import.id, Some(&account), &[row], at(1))
        .await
        .expect("apply");
    (account, ids[0])
}

async fn live_payments(store: &Store, owner: UserId) -> usize {
    let filter = PaymentFilter {
        bill: None,
        from: None,
        to: None,
        include_deleted: false,
        limit: 100,
        offset: 0,
    };
    store
        .payments(owner, &filter)
        .await
        .expect("payments")
        .len()
}

fn bank_payment(bill: domain::id::BillId) -> store::payments::NewPayment {
    store::payments::NewPayment {
        source: "bank".into(),
        ..payment(bill, 5_000, day(2025, 3, 2))
    }
}

engine_tests! {
    async fn one_transaction_backs_one_payment_even_when_two_matches_race(store) {
        let alice = user(&store, "alice").await;
        let power = bill(&store, alice, "Power").await;
        let (_, id) = transaction(&store, alice).await;
        let new = bank_payment(power);
        let (first, second) = tokio::join!(
            store.match_transaction(alice, id, &new, "manual", None, at(10)),
            store.match_transaction(alice, id, &new, "manual", None, at(10)),
        );
        assert_eq!(usize::from(first.is_ok()) + usize::from(second.is_ok()), 1, "{first:?} {second:?}");
        assert_conflict(if first.is_err() { first } else { second }, STATE);
        assert_conflict(store.match_transaction(alice, id, &new, "suggestion", None, at(11)).await, STATE);
        assert_eq!(live_payments(&store, alice).await, 1);
        let row = store.transaction(alice, id).await.expect("transaction");
        assert_eq!(row.state, "matched");
        assert!(row.payment_id.is_some());
        let recent = store.matches_since(alice, at(0)).await.expect("recent");
        assert_eq!((recent.len(), recent[0].bill_id, recent[0].matched_by.as_str()), (1, power, "manual"));
        assert!(store.matches_since(alice, at(11)).await.expect("recent").is_empty());
    }

    async fn unmatch_removes_the_payment_and_frees_the_transaction(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let power = bill(&store, alice, "Power").await;
        let bobs_bill = bill(&store, bob, "Bob's").await;
        let (_, id) = transaction(&store, alice).await;
        // Another user's transaction or bill: not found, and nothing is written.
        assert_not_found(store.match_transaction(bob, id, &bank_payment(bobs_bill), "manual", None, at(10)).await);
        assert_not_found(store.match_transaction(alice, id, &bank_payment(bobs_bill), "manual", None, at(10)).await);
        assert_eq!(store.transaction(alice, id).await.expect("transaction").state, "unmatched");
        assert_eq!(live_payments(&store, bob).await, 0);

        let paid = store.match_transaction(alice, id, &bank_payment(power), "manual", None, at(10)).await.expect("match");
        assert_not_found(store.unmatch_transaction(bob, id, at(11)).await);
        assert_eq!(store.unmatch_transaction(alice, id, at(11)).await.expect("unmatch"), Some(paid.id));
        assert!(store.payment(alice, paid.id).await.expect("payment").deleted_at.is_some());
        assert_eq!(live_payments(&store, alice).await, 0);
        assert_conflict(store.unmatch_transaction(alice, id, at(12)).await, STATE);
        // Free again: it can be matched anew, and ignored only while unmatched.
        store.set_transaction_ignored(alice, id, true, at(13)).await.expect("ignore");
        store.set_transaction_ignored(alice, id, true, at(13)).await.expect("ignoring twice is fine");
        assert_conflict(store.match_transaction(alice, id, &bank_payment(power), "manual", None, at(14)).await, STATE);
        assert_not_found(store.set_transaction_ignored(bob, id, false, at(14)).await);
        store.set_transaction_ignored(alice, id, false, at(14)).await.expect("unignore");
        store.match_transaction(alice, id, &bank_payment(power), "rule", None, at(15)).await.expect("match again");
        assert_conflict(store.set_transaction_ignored(alice, id, true, at(16)).await, STATE);
        // A payment that goes away frees its transaction: deleted, or its occurrence marked
        // unpaid.
        let paid = store.transaction(alice, id).await.expect("transaction").payment_id.expect("payment");
        store.soft_delete_payment(alice, paid, at(17)).await.expect("delete payment");
        assert_eq!(store.transaction(alice, id).await.expect("transaction").state, "unmatched");
        let again = store.match_transaction(alice, id, &bank_payment(power), "manual", None, at(18)).await.expect("match");
        store.soft_delete_occurrence_payments(alice, power, again.cycle_due, at(19)).await.expect("mark unpaid");
        assert_eq!(store.transaction(alice, id).await.expect("transaction").state, "unmatched");
        store.match_transaction(alice, id, &bank_payment(power), "manual", None, at(20)).await.expect("match");
        // Deleting the bill for good unmatches what was matched to it.
        store.delete_bill_permanently(alice, power).await.expect("delete");
        let row = store.transaction(alice, id).await.expect("transaction");
        assert_eq!((row.state.as_str(), row.payment_id), ("unmatched", None));
    }

    async fn rejections_and_rules_are_the_owners_only(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let power = bill(&store, alice, "Power").await;
        let bobs_bill = bill(&store, bob, "Bob's").await;
        let (account, id) = transaction(&store, alice).await;
        assert_not_found(store.reject_match(alice, id, bobs_bill, at(5)).await);
        assert_not_found(store.reject_match(bob, id, bobs_bill, at(5)).await);
        store.reject_match(alice, id, power, at(5)).await.expect("reject");
        store.reject_match(alice, id, power, at(50)).await.expect("rejecting again renews it");
        assert_eq!(store.rejections_since(alice, at(40)).await.expect("rejections"), [(id, power)]);
        assert!(store.rejections_since(bob, at(0)).await.expect("rejections").is_empty());

        let fields = RuleFields { bill_id: power, payee_match: "contains".into(), payee_text: "power".into(), min_minor: Some(4_000), max_minor: Some(6_000), account_id: Some(account), category_id: None, enabled: true };
        assert_not_found(store.create_merchant_rule(bob, &fields, at(0)).await);
        assert_not_found(store.create_merchant_rule(alice, &RuleFields { bill_id: bobs_bill, ..fields.clone() }, at(0)).await);
        let rule = store.create_merchant_rule(alice, &fields, at(0)).await.expect("rule");
        assert_not_found(store.merchant_rule(bob, rule.id).await);
        assert_not_found(store.delete_merchant_rule(bob, rule.id).await);
        let changed = RuleFields { payee_text: "city power".into(), ..fields.clone() };
        assert_not_found(store.update_merchant_rule(bob, rule.id, &changed, rule.version, at(1)).await);
        let updated = store.update_merchant_rule(alice, rule.id, &changed, rule.version, at(1)).await.expect("update");
        assert_stale(store.update_merchant_rule(alice, rule.id, &changed, rule.version, at(2)).await);
        assert_eq!(store.merchant_rules(alice, Some(power)).await.expect("rules"), [updated]);
        assert!(store.merchant_rules(bob, None).await.expect("rules").is_empty());
        let candidates = store.rule_candidates(alice, Some(account), Some(4_000), Some(6_000), Some(&[id])).await.expect("candidates");
        assert_eq!(candidates.len(), 1);
        assert!(store.rule_candidates(alice, None, Some(5_001), None, None).await.expect("candidates").is_empty());
        assert!(store.rule_candidates(bob, None, None, None, Some(&[id])).await.expect("candidates").is_empty());
        store.delete_merchant_rule(alice, rule.id).await.expect("delete");
        assert_not_found(store.merchant_rule(alice, rule.id).await);
    }
}
