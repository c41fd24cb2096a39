//! Bank accounts, transactions and imports, run unchanged on SQLite and PostgreSQL: owner
//! scoping, a preview applied once and atomically (FILE-01, FILE-02 at the store), undo of a
//! whole import, expiry, and the transaction list's filters, literal search, sort and count.

use chrono::{Duration, NaiveDate};
use domain::id::{BankAccountId, ImportId, UserId};
use store::Store;
use store::bank_accounts::NewBankAccount;
use store::imports::{EXPIRED, NOT_PREVIEWED, NewImport};
use store::transactions::{NewTransaction, TransactionFilter, TransactionSort};
use testkit::engine_tests;
use testkit::store_fixtures::{assert_conflict, assert_not_found, assert_stale, at, day, user};

fn account_fields(name: &str, external_id: Option<&str>) -> NewBankAccount {
    NewBankAccount {
        name: name.into(),
        currency: "USD".into(),
        institution: "First Example Bank".into(),
        last_digits: "6789".into(),
        source: "file".into(),
        external_id: external_id.map(str::to_owned),
    }
}

async fn account(store: &Store, owner: UserId, name: &str) -> BankAccountId {
    store
        .create_bank_account(owner, &account_fields(name, None), at(0))
        .await
        .expect("account")
        .id
}

fn row(on: NaiveDate, amount_minor: i64, payee: &str, source_id: Option<&str>) -> NewTransaction {
    NewTransaction {
        posted_on: on,
        amount_minor,
        payee: payee.into(),
        memo: String::new(),
        category_id: None,
        pending: false,
        source_id: source_id.map(str::to_owned),
        dedupe_key: format!("{on}|{amount_minor}|{}#1", payee.to_lowercase()),
        duplicate_of: None,
    }
}

async fn preview(store: &Store, owner: UserId, account: BankAccountId, rows: i64) -> ImportId {
    let new = NewImport {
        account_id: Some(account),
        file_name: "march.ofx".into(),
        format: "ofx".into(),
        rows_in_file: rows,
        preview: "[]".into(),
        expires_at: at(0) + Duration::hours(24),
    };
    store
        .create_import(owner, &new, at(0))
        .await
        .expect("preview")
        .id
}

async fn count(store: &Store, owner: UserId) -> i64 {
    store
        .transactions(
            owner,
            &TransactionFilter::default(),
            TransactionSort::Posted,
            true,
            500,
            0,
        )
        .await
        .expect("list")
        .total
}

engine_tests! {
    async fn accounts_are_the_owners_found_by_their_source_id_and_renamed_by_version(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let checking = store.create_bank_account(alice, &account_fields("Checking", Some("000123456789")), at(1)).await.unwrap();
        account(&store, alice, "card").await;
        let names: Vec<_> = store.bank_accounts(alice).await.unwrap().into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["card", "Checking"], "by name, case-insensitively");
        assert!(store.bank_accounts(bob).await.unwrap().is_empty());
        let found = store.bank_account_by_external_id(alice, "file", "000123456789").await.unwrap();
        assert_eq!(found.map(|a| a.id), Some(checking.id));
        assert_eq!(store.bank_account_by_external_id(bob, "file", "000123456789").await.unwrap(), None, "another owner's account is not found");
        assert_not_found(store.bank_account(bob, checking.id).await);
        let renamed = store.rename_bank_account(alice, checking.id, "Everyday", checking.version, at(2)).await.unwrap();
        assert_eq!((renamed.name.as_str(), renamed.version), ("Everyday", checking.version + 1));
        assert_stale(store.rename_bank_account(alice, checking.id, "Again", checking.version, at(3)).await);
        assert_not_found(store.rename_bank_account(bob, checking.id, "Mine", renamed.version, at(3)).await);
    }

    async fn file_01_02_a_preview_is_applied_once_and_all_or_nothing(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let checking = account(&store, alice, "Checking").await;
        assert_not_found(store.create_import(bob, &NewImport {
            account_id: Some(checking), file_name: "x.csv".into(), format: "csv".into(), rows_in_file: 0,
            preview: "[]".into(), expires_at: at(100),
        }, at(0)).await);

        let first = preview(&store, alice, checking, 2).await;
        assert_eq!(store.import_preview(alice, first, at(1)).await.unwrap().1, "[]");
        assert_not_found(store.import_preview(bob, first, at(1)).await);
        assert_eq!(count(&store, alice).await, 0, "a preview writes no transaction");

        // Another owner's apply is NotFound and writes nothing.
        assert_not_found(store.apply_import(bob, first, None, &[row(day(2027, 3, 1), -100, "Power", None)], at(1)).await);
        assert_eq!(count(&store, bob).await + count(&store, alice).await, 0);

        // A row the database refuses (the same bank id twice in one account) rolls back the
        // whole apply: no row is written and the preview can still be applied.
        let clash = [row(day(2027, 3, 1), -100, "Power", Some("F1")), row(day(2027, 3, 2), -200, "Water", Some("F1"))];
        assert!(store.apply_import(alice, first, None, &clash, at(1)).await.is_err());
        assert_eq!(count(&store, alice).await, 0, "nothing of a failed apply is left");
        assert_eq!(store.import(alice, first).await.unwrap().state, "previewed");

        let rows = [row(day(2027, 3, 1), -100, "Power", Some("F1")), row(day(2027, 3, 2), -200, "Water", Some("F2"))];
        let (into, ids) = store.apply_import(alice, first, None, &rows, at(2)).await.unwrap();
        assert_eq!(into, checking);
        assert_eq!(ids.len(), 2);
        let applied = store.import(alice, first).await.unwrap();
        assert_eq!((applied.state.as_str(), applied.rows_imported, applied.applied_at), ("applied", 2, Some(at(2))));
        let written = store.transaction(alice, ids[0]).await.unwrap();
        assert_eq!((written.amount_minor, written.currency.as_str(), written.source.as_str(), written.import_id), (-100, "USD", "file", Some(first)));
        assert_not_found(store.transaction(bob, ids[0]).await);

        assert_conflict(store.apply_import(alice, first, None, &rows, at(3)).await, NOT_PREVIEWED);
        assert_conflict(store.import_preview(alice, first, at(3)).await, NOT_PREVIEWED);
        assert_eq!(count(&store, alice).await, 2, "the second apply wrote nothing");

        let late = preview(&store, alice, checking, 1).await;
        assert_conflict(store.apply_import(alice, late, None, &rows[..1], at(0) + Duration::hours(24)).await, EXPIRED);
        assert_eq!(store.purge_expired_imports(at(0) + Duration::hours(24)).await.unwrap(), 1);
        assert_not_found(store.import(alice, late).await);
        assert_eq!(store.imports(alice, 50).await.unwrap().len(), 1, "applied imports stay as history");
    }

    async fn a_preview_without_an_account_makes_it_when_applied_and_only_then(store) {
        let alice = user(&store, "alice").await;
        let new = NewImport {
            account_id: None, file_name: "card.qfx".into(), format: "ofx".into(), rows_in_file: 2,
            preview: "{}".into(), expires_at: at(0) + Duration::hours(24),
        };
        let id = store.create_import(alice, &new, at(0)).await.unwrap().id;
        assert!(store.bank_accounts(alice).await.unwrap().is_empty(), "a preview makes no account");
        let card = account_fields("Card Co …4242", Some("XXXX4242"));
        assert_not_found(store.apply_import(alice, id, None, &[], at(1)).await);
        let clash = [row(day(2027, 3, 1), -1, "A", Some("X")), row(day(2027, 3, 2), -2, "B", Some("X"))];
        assert!(store.apply_import(alice, id, Some(&card), &clash, at(1)).await.is_err());
        assert!(store.bank_accounts(alice).await.unwrap().is_empty(), "a failed apply makes no account either");
        let (made, ids) = store.apply_import(alice, id, Some(&card), &clash[..1], at(2)).await.unwrap();
        assert_eq!(ids.len(), 1);
        let accounts = store.bank_accounts(alice).await.unwrap();
        assert_eq!((accounts.len(), accounts[0].id, accounts[0].external_id.as_deref()), (1, made, Some("XXXX4242")));
        assert_eq!(store.import(alice, id).await.unwrap().account_id, Some(made));
        assert_eq!(store.transaction(alice, ids[0]).await.unwrap().account_id, made);
    }

    async fn undo_removes_exactly_one_imports_rows_once(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let checking = account(&store, alice, "Checking").await;
        let march = preview(&store, alice, checking, 2).await;
        store.apply_import(alice, march, None, &[row(day(2027, 3, 1), -1, "A", None), row(day(2027, 3, 2), -2, "B", None)], at(1)).await.unwrap();
        let april = preview(&store, alice, checking, 1).await;
        store.apply_import(alice, april, None, &[row(day(2027, 4, 1), -3, "C", None)], at(2)).await.unwrap();
        assert_not_found(store.undo_import(bob, march, at(3)).await);
        assert_eq!(store.undo_import(alice, march, at(3)).await.unwrap(), 2);
        assert_eq!(count(&store, alice).await, 1, "April stays");
        assert_conflict(store.undo_import(alice, march, at(4)).await, NOT_PREVIEWED);
        let history: Vec<_> = store.imports(alice, 50).await.unwrap().into_iter().map(|i| (i.id, i.state)).collect();
        assert_eq!(history, [(april, "applied".to_owned()), (march, "undone".to_owned())]);
    }

    async fn an_apply_writes_every_row_across_its_insert_statements_in_order(store) {
        // 1 001 rows: several full statements on either engine, and a short last one.
        let alice = user(&store, "alice").await;
        let checking = account(&store, alice, "Checking").await;
        let big = preview(&store, alice, checking, 1001).await;
        let rows: Vec<_> = (0..1001).map(|i| row(day(2027, 3, 1), -1 - i, &format!("P{i}"), Some(&format!("T{i}")))).collect();
        let (_, ids) = store.apply_import(alice, big, None, &rows, at(1)).await.unwrap();
        assert_eq!((ids.len(), count(&store, alice).await), (1001, 1001));
        let last = store.transaction(alice, ids[1000]).await.unwrap();
        assert_eq!((last.amount_minor, last.payee.as_str(), last.source_id.as_deref()), (-1001, "P1000", Some("T1000")), "each id is its row's");
    }

    async fn the_list_filters_searches_literally_sorts_and_counts(store) {
        let alice = user(&store, "alice").await;
        let checking = account(&store, alice, "Checking").await;
        let card = account(&store, alice, "Card").await;
        let a = preview(&store, alice, checking, 4).await;
        store.apply_import(alice, a, None, &[
            row(day(2027, 3, 1), -4_510, "City Power", None),
            row(day(2027, 3, 2), -120_000, "Landlord", None),
            row(day(2027, 3, 3), 250_000, "Payroll 100%", None),
            row(day(2027, 3, 4), -350, "Coffee_Shop", None),
        ], at(1)).await.unwrap();
        let b = preview(&store, alice, card, 1).await;
        store.apply_import(alice, b, None, &[row(day(2027, 3, 5), -1_599, "Streamly", None)], at(1)).await.unwrap();

        let list = |filter: TransactionFilter, sort, descending| {
            let store = store.clone();
            async move {
                let page = store.transactions(alice, &filter, sort, descending, 2, 0).await.unwrap();
                (page.rows.into_iter().map(|r| r.payee).collect::<Vec<_>>(), page.total)
            }
        };
        assert_eq!(list(TransactionFilter::default(), TransactionSort::Posted, true).await, (vec!["Streamly".into(), "Coffee_Shop".into()], 5));
        assert_eq!(list(TransactionFilter { account: Some(card), ..Default::default() }, TransactionSort::Posted, true).await.1, 1);
        assert_eq!(list(TransactionFilter { text: Some("100%".into()), ..Default::default() }, TransactionSort::Posted, true).await, (vec!["Payroll 100%".into()], 1));
        assert_eq!(list(TransactionFilter { text: Some("e_s".into()), ..Default::default() }, TransactionSort::Posted, true).await.1, 1, "_ is literal");
        assert_eq!(list(TransactionFilter { max_minor: Some(-1_000), ..Default::default() }, TransactionSort::Amount, false).await, (vec!["Landlord".into(), "City Power".into()], 3));
        assert_eq!(list(TransactionFilter { from: Some(day(2027, 3, 2)), to: Some(day(2027, 3, 3)), ..Default::default() }, TransactionSort::Payee, false).await, (vec!["Landlord".into(), "Payroll 100%".into()], 2));
        assert_eq!(list(TransactionFilter { state: Some("matched".into()), ..Default::default() }, TransactionSort::Posted, true).await.1, 0);

        let keys = store.transaction_keys(alice, checking, day(2027, 3, 2), day(2027, 3, 3)).await.unwrap();
        assert_eq!(keys.iter().map(|k| k.payee.as_str()).collect::<Vec<_>>(), ["Landlord", "Payroll 100%"]);
    }
}
