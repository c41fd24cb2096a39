//! Statement imports through the service (the pages and the API come next): a preview writes
//! none of the user's data (FILE-01), applies once and all or nothing (FILE-02), labels
//! duplicates with why, asks for ambiguous dates, refuses bad files by name, undoes a whole
//! import, and keeps every user's imports to themselves. Both engines.

use bankfile::DateOrder;
use bankfile::csv_map::{AmountColumns, Mapping};
use bankfile::decimal::Style;
use domain::money::Currency;
use domain::user::Role;
use service::Error;
use service::auth::{Principal, RequestMeta};
use service::imports::{self, AccountChoice, Choices, Label, PreviewAccount, Upload};

use crate::app_tests;
use crate::support::TestApp;

const OFX: &[u8] = include_bytes!("../../../bankfile/tests/fixtures/bank-1x-sgml-1252.ofx");

pub(crate) async fn person(app: &TestApp, name: &str) -> Principal {
    let row = app
        .account(name, crate::support::PASSWORD, Role::User)
        .await;
    service::auth::session::open(&app.app, &row, &RequestMeta::default(), true)
        .await
        .expect("session")
        .principal
}

fn upload(bytes: &[u8]) -> Upload {
    Upload {
        file_name: "statement.ofx".into(),
        bytes: bytes.to_vec(),
        date_order: None,
        mapping: None,
        statement: None,
        preset: None,
    }
}

pub(crate) fn csv(bytes: &str) -> Upload {
    Upload {
        file_name: "bank.csv".into(),
        bytes: bytes.as_bytes().to_vec(),
        date_order: None,
        mapping: Some(Mapping {
            delimiter: b',',
            header: true,
            date: 0,
            amount: AmountColumns::Signed(1),
            payee: Some(2),
            memo: None,
            category: None,
            id: None,
            order: DateOrder::Mdy,
            style: Style::POINT,
            flip_sign: false,
            encoding: None,
        }),
        statement: None,
        preset: None,
    }
}

pub(crate) fn usd(name: &str) -> AccountChoice {
    AccountChoice::New {
        name: name.into(),
        currency: Currency::parse("c", "USD").expect("USD"),
    }
}

/// The user's data, without the preview store, the audit log and the rate-limit counters.
pub(crate) async fn user_data(app: &TestApp) -> String {
    app.db
        .rows_except(&[
            "imports",
            "audit_log",
            "rate_limits",
            "sessions.last_seen_at",
        ])
        .await
}

pub(crate) fn field_of<T: std::fmt::Debug>(result: Result<T, Error>) -> (String, String) {
    match result {
        Err(Error::Invalid(invalid)) => (invalid.field.clone(), invalid.reason.clone()),
        Err(Error::Conflict { field, message }) => (field, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

app_tests! {
    async fn file_01_02_an_ofx_preview_writes_nothing_applies_once_and_undoes(app) {
        let alice = person(&app, "alice").await;
        let bob = person(&app, "bob").await;
        let meta = RequestMeta::default();
        let before = user_data(&app).await;
        let preview = imports::preview(&app.app, &alice, &meta, upload(OFX), AccountChoice::FromFile).await.expect("preview");
        assert_eq!(user_data(&app).await, before, "a preview writes none of the user's data, not even the account");
        assert!(matches!(&preview.account, PreviewAccount::New(a) if a.name == "First Example Bank …6789" && a.currency == "USD"), "{:?}", preview.account);
        assert_eq!(preview.counts(), (5, 0, 0, 0));
        assert_eq!(preview.rows[0].amount_minor, -4510);

        // Another user's preview id is not found, and applying it writes nothing.
        assert!(matches!(imports::show(&app.app, &bob, preview.import.id).await, Err(Error::NotFound)));
        assert!(matches!(imports::apply(&app.app, &bob, &meta, preview.import.id, &Choices::default()).await, Err(Error::NotFound)));
        assert_eq!(user_data(&app).await, before);

        let applied = imports::apply(&app.app, &alice, &meta, preview.import.id, &Choices::default()).await.expect("apply");
        assert_eq!((applied.written, applied.skipped), (5, 0));
        let (field, message) = field_of(imports::apply(&app.app, &alice, &meta, preview.import.id, &Choices::default()).await);
        assert_eq!(field, "import");
        assert!(message.contains("applied or undone already"), "{message}");

        // The same file again: the account is found by its number and every row is a duplicate.
        let again = imports::preview(&app.app, &alice, &meta, upload(OFX), AccountChoice::FromFile).await.expect("preview");
        assert!(matches!(&again.account, PreviewAccount::Existing(a) if Some(a.id) == applied.import.account_id));
        assert_eq!(again.counts(), (0, 5, 0, 0));
        assert!(matches!(&again.rows[0].label, Label::Duplicate { why, .. } if why == "the same bank id"));
        let nothing = imports::apply(&app.app, &alice, &meta, again.import.id, &Choices::default()).await.expect("apply");
        assert_eq!((nothing.written, nothing.skipped), (0, 5), "duplicates are skipped unless asked for");

        assert_eq!(imports::undo(&app.app, &alice, &meta, preview.import.id).await.expect("undo"), 5);
        assert!(matches!(imports::undo(&app.app, &bob, &meta, preview.import.id).await, Err(Error::NotFound)));
        assert_eq!(field_of(imports::undo(&app.app, &alice, &meta, preview.import.id).await).0, "import");
        let history: Vec<_> = imports::history(&app.app, &alice).await.expect("history").into_iter().map(|i| i.state).collect();
        assert_eq!(history, ["applied", "undone"]);
        // The name the browser sent is text only: control characters dropped, cut to 200.
        let hostile = format!("../../etc/passwd\r\n{}", "x".repeat(500));
        let named = imports::preview(&app.app, &alice, &meta, Upload { file_name: hostile, ..upload(OFX) }, AccountChoice::FromFile).await.expect("preview");
        assert_eq!(named.import.file_name.chars().count(), 200);
        assert!(named.import.file_name.starts_with("../../etc/passwdxxx"), "{}", named.import.file_name);
        assert!(imports::history(&app.app, &bob).await.expect("history").is_empty());
    }

    async fn csv_rows_count_occurrences_and_refuse_bad_rows_by_row_and_column(app) {
        let alice = person(&app, "alice").await;
        let meta = RequestMeta::default();
        let file = "Date,Amount,Payee\n03/04/2027,-3.50,Coffee\n03/04/2027,-3.50,Coffee\n03/25/2027,-45.10,Power\n";
        let first = imports::preview(&app.app, &alice, &meta, csv(file), usd("Checking")).await.expect("preview");
        imports::apply(&app.app, &alice, &meta, first.import.id, &Choices::default()).await.expect("apply");
        let account = imports::history(&app.app, &alice).await.expect("history")[0].account_id.expect("account");

        let more = "Date,Amount,Payee\n03/04/2027,-3.50,Coffee\n03/04/2027,-3.50,Coffee\n03/04/2027,-3.50,Coffee\n03/26/2027,-45.10,Power\n";
        let second = imports::preview(&app.app, &alice, &meta, csv(more), AccountChoice::Existing(account)).await.expect("preview");
        let labels: Vec<&str> = second.rows.iter().map(|r| match r.label { Label::New => "new", Label::Duplicate { .. } => "dup", Label::Possible { .. } => "possible" }).collect();
        assert_eq!(labels, ["dup", "dup", "possible", "possible"], "the third coffee is new by key but alike; Power moved a day");

        // 12.345 in a two-decimal currency stays on its row; apply refuses while it is kept.
        let bad = "Date,Amount,Payee\n03/27/2027,-12.345,Odd\n03/28/2027,-1.00,Fine\n";
        let third = imports::preview(&app.app, &alice, &meta, csv(bad), AccountChoice::Existing(account)).await.expect("preview");
        assert_eq!(third.rows[0].error.as_ref().map(|e| e.field.as_str()), Some("amount"));
        let (field, reason) = field_of(imports::apply(&app.app, &alice, &meta, third.import.id, &Choices::default()).await);
        assert_eq!(field, "rows");
        assert!(reason.contains("row 2, amount: '-12.345' has 3 decimals"), "{reason}");
        let kept = imports::apply(&app.app, &alice, &meta, third.import.id, &Choices { exclude: vec![2], ..Default::default() }).await.expect("apply");
        assert_eq!((kept.written, kept.skipped), (1, 1));
    }

    async fn whole_file_refusals_name_file_date_order_or_mapping(app) {
        let alice = person(&app, "alice").await;
        let meta = RequestMeta::default();
        let preview = |u: Upload| imports::preview(&app.app, &alice, &meta, u, usd("Checking"));
        let qif = b"!Type:Bank\nD03/04/2027\nT-1\nPA\n^\nD05/06/2027\nT-2\nPB\n^\n";
        let (field, reason) = field_of(preview(upload(qif)).await);
        assert_eq!(field, "date_order");
        assert!(reason.contains("03/04/2027 (month, day, year) or 04/03/2027 (day, month, year)"), "{reason}");
        let answered = preview(Upload { date_order: Some(DateOrder::Dmy), ..upload(qif) }).await.expect("preview");
        assert_eq!(answered.rows[0].posted_on.to_string(), "2027-04-03");

        for (bytes, words) in [
            (&b"%PDF-1.7 ..."[..], "PDF"),
            (b"", "empty"),
            (b"<!DOCTYPE x><OFX></OFX>", "markup"),
            (b"<?xml version=\"1.0\"?><!DOCTYPE o [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><?OFX OFXHEADER=\"200\"?><OFX></OFX>", "DOCTYPE"),
            (b"\x00\x01\x02\x03", "NUL"),
        ] {
            let (field, reason) = field_of(preview(upload(bytes)).await);
            assert_eq!(field, "file", "{reason}");
            assert!(reason.contains(words), "{words}: {reason}");
        }
        let huge = vec![b'a'; imports::MAX_FILE_BYTES + 1];
        assert_eq!(field_of(preview(upload(&huge)).await), ("file".into(), "is larger than 10 MB".into()));
        assert_eq!(field_of(preview(Upload { mapping: None, ..csv("a,b\n1,2\n") }).await).0, "mapping");
        let (field, reason) = field_of(preview(csv("Date,Amount,Payee\n02/30/2027,-1,X\n")).await);
        assert_eq!(field, "file");
        assert!(reason.contains("row 2, column 1 (Date)"), "{reason}");
        let card = AccountChoice::New { name: "Card".into(), currency: Currency::parse("c", "EUR").expect("EUR") };
        let (field, reason) = field_of(imports::preview(&app.app, &alice, &meta, upload(OFX), card).await);
        assert_eq!(field, "account");
        assert!(reason.contains("the file is in USD"), "{reason}");
        assert!(imports::history(&app.app, &alice).await.expect("history").len() == 1, "only the answered preview was saved");
    }

    async fn a_preview_expires_after_a_day(app) {
        let alice = person(&app, "alice").await;
        let meta = RequestMeta::default();
        let preview = imports::preview(&app.app, &alice, &meta, upload(OFX), usd("Checking")).await.expect("preview");
        app.clock.advance(chrono::Duration::hours(24));
        let (field, message) = field_of(imports::apply(&app.app, &alice, &meta, preview.import.id, &Choices::default()).await);
        assert_eq!(field, "import");
        assert!(message.contains("more than 24 hours old"), "{message}");

        // The cleanup job removes expired previews (a kept file too), never the history.
        let kept = imports::stage(&app.app, &alice, &meta, csv_needing_columns(), usd("Checking")).await.expect("stage");
        assert!(matches!(kept, imports::Staged::Asks { .. }), "a CSV without columns is kept");
        let fresh = imports::preview(&app.app, &alice, &meta, upload(OFX), usd("Checking")).await.expect("preview");
        imports::apply(&app.app, &alice, &meta, fresh.import.id, &Choices::default()).await.expect("apply");
        app.clock.advance(chrono::Duration::hours(25));
        service::jobs::cleanup_once(&app.app, "instance", std::time::Duration::from_secs(60)).await.expect("cleanup");
        let left: Vec<_> = imports::history(&app.app, &alice).await.expect("history").into_iter().map(|i| (i.id, i.state)).collect();
        assert_eq!(left, [(fresh.import.id, "applied".to_owned())], "the expired preview and the kept file are gone; the applied import stays");
    }
}

/// A CSV upload without its columns mapped.
fn csv_needing_columns() -> Upload {
    Upload {
        mapping: None,
        ..csv("Date,Amount,Payee\n2027-03-01,-1,A\n")
    }
}
