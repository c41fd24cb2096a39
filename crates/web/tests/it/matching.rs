//! Matching bank transactions to bills through the service (the pages and the API come next):
//! suggestions say why, a rejection hides one for 90 days, a match makes exactly one bank
//! payment for the cycle it settles (a late one settles the earlier month) and refuses a
//! second match, another user's ids are not found, unmatch removes the payment, merchant
//! rules preview without writing, apply to past transactions and run on an import; autopay
//! occurrences are verified or flagged by the bank's record. Both engines.

use chrono::Duration;
use domain::id::{BillId, UserId};
use domain::matching::MatchedBy;
use domain::matching::autopay::AutopayCheck;
use domain::matching::rule::PayeeMatch;
use domain::payment::PaymentSource;
use service::Error;
use service::auth::{Principal, RequestMeta};
use service::imports::{self, Choices};
use service::matching::{self, RuleInput, SuggestionQuery};
use service::payments::{self, PaymentQuery};
use service::tracker::{self, TrackerQuery};
use store::bills::BillTemplate;
use store::transactions::{TransactionFilter, TransactionRow, TransactionSort};
use testkit::store_fixtures::{bill_with, category, day, template};

use crate::app_tests;
use crate::imports::{csv, person, usd, user_data};
use crate::support::TestApp;
use bankfile::DateOrder;
use service::imports::Upload;

const META: RequestMeta = RequestMeta {
    ip: None,
    user_agent: None,
    known_device: None,
};

/// A CSV upload of `file` (date, amount, payee) with US dates.
fn us_csv(file: &str) -> Upload {
    Upload {
        date_order: Some(DateOrder::Mdy),
        ..csv(file)
    }
}

/// Imports `file` (CSV: date, amount, payee) into a new USD account of `who`; returns every
/// transaction of theirs, oldest first.
async fn import(app: &TestApp, who: &Principal, file: &str) -> Vec<TransactionRow> {
    let preview = imports::preview(&app.app, who, &META, us_csv(file), usd("Checking"))
        .await
        .expect("preview");
    imports::apply(&app.app, who, &META, preview.import.id, &Choices::default())
        .await
        .expect("apply");
    transactions(app, who.user_id).await
}

async fn transactions(app: &TestApp, owner: UserId) -> Vec<TransactionRow> {
    app.app
        .store
        .transactions(
            owner,
            &TransactionFilter::default(),
            TransactionSort::Posted,
            false,
            500,
            0,
        )
        .await
        .expect("transactions")
        .rows
}

/// A monthly bill due on the 1st, active from `from`, of `amount_minor` in `currency`.
async fn monthly(
    app: &TestApp,
    owner: UserId,
    name: &str,
    amount_minor: i64,
    currency: &str,
    from: chrono::NaiveDate,
) -> BillId {
    let template = BillTemplate {
        expected_minor: amount_minor,
        currency: currency.into(),
        anchor_date: from,
        ..template(name)
    };
    bill_with(&app.app.store, owner, template, None, from).await
}

async fn live_payments(app: &TestApp, who: &Principal, bill: BillId) -> Vec<payments::Payment> {
    let query = PaymentQuery {
        bill_id: Some(bill),
        from: None,
        to: None,
        include_deleted: false,
        limit: 100,
        offset: 0,
    };
    payments::list(&app.app, who, query)
        .await
        .expect("payments")
        .items
}

fn all() -> SuggestionQuery {
    SuggestionQuery {
        from: None,
        to: None,
        limit: 100,
        offset: 0,
    }
}

fn rule(bill: BillId, text: &str, min: Option<&str>, max: Option<&str>) -> RuleInput {
    RuleInput {
        bill_id: bill,
        payee_match: PayeeMatch::Contains,
        payee_text: text.into(),
        min_amount: min.map(str::to_owned),
        max_amount: max.map(str::to_owned),
        account_id: None,
        category_id: None,
        enabled: true,
    }
}

/// Alice's audit entries: (action, detail).
async fn audited(app: &TestApp) -> Vec<(String, String)> {
    let filter = store::audit::AuditFilter {
        action: None,
        actor_name: Some("alice".into()),
        before_seq: None,
        from: None,
        until: None,
        limit: 500,
    };
    let entries = app.app.store.audit_entries(&filter).await.expect("audit");
    entries.into_iter().map(|e| (e.action, e.detail)).collect()
}

fn refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::Invalid(invalid)) => invalid.field.clone(),
        Err(Error::Conflict { field, .. }) => field,
        Err(Error::NotFound) => "not found".into(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

app_tests! {
    async fn suggestions_say_why_and_a_rejection_hides_one_for_90_days(app) {
        let alice = person(&app, "alice").await;
        let bob = person(&app, "bob").await;
        let power = monthly(&app, alice.user_id, "City Power", 5_000, "USD", day(2025, 1, 1)).await;
        monthly(&app, alice.user_id, "Gym", 3_000, "USD", day(2025, 1, 1)).await;
        let rows = import(&app, &alice, "Date,Amount,Payee\n02/03/2026,-50.00,CITY POWER 0042\n02/10/2026,1000.00,City Power refund\n02/20/2026,-12.00,Coffee\n").await;
        let paid = rows[0].id;

        let found = matching::suggestions(&app.app, &alice, &all()).await.expect("suggestions");
        assert_eq!(found.len(), 3, "every unmatched transaction of the page, each with its suggestions");
        let best = found.iter().find(|t| t.transaction.id == paid).expect("listed");
        assert_eq!(best.suggestions.len(), 1, "{best:?}");
        let suggestion = &best.suggestions[0];
        assert_eq!((suggestion.bill_id, suggestion.score), (power, 90));
        let why: Vec<String> = suggestion.reasons.iter().map(ToString::to_string).collect();
        assert_eq!(why, ["amount equal", "2 days after due", "payee like the bill's name"]);
        assert!(found.iter().filter(|t| t.transaction.id != paid).all(|t| t.suggestions.is_empty()), "money in and an unknown coffee match no bill");

        // Another user's transaction or bill: not found.
        assert_eq!(refusal(matching::suggestions_for(&app.app, &bob, paid).await), "not found");
        assert_eq!(refusal(matching::reject_suggestion(&app.app, &bob, &META, paid, power).await), "not found");
        assert!(matching::suggestions(&app.app, &bob, &all()).await.expect("suggestions").is_empty());

        matching::reject_suggestion(&app.app, &alice, &META, paid, power).await.expect("reject");
        matching::reject_suggestion(&app.app, &alice, &META, paid, power).await.expect("rejecting twice is fine");
        assert!(matching::suggestions_for(&app.app, &alice, paid).await.expect("one").suggestions.is_empty());
        app.clock.advance(Duration::days(89));
        assert!(matching::suggestions_for(&app.app, &alice, paid).await.expect("one").suggestions.is_empty(), "hidden for 90 days");
        app.clock.advance(Duration::days(2));
        assert_eq!(matching::suggestions_for(&app.app, &alice, paid).await.expect("one").suggestions.len(), 1, "back after 90 days");
    }

    async fn a_match_makes_one_bank_payment_for_the_cycle_it_settles_and_unmatch_removes_it(app) {
        let alice = person(&app, "alice").await;
        let bob = person(&app, "bob").await;
        // Due on 1 February and 1 March; paid once, late, on 5 March.
        let power = monthly(&app, alice.user_id, "City Power", 5_000, "USD", day(2026, 2, 1)).await;
        let euros = monthly(&app, alice.user_id, "Abroad", 5_000, "EUR", day(2026, 2, 1)).await;
        let bobs_bill = monthly(&app, bob.user_id, "Bob's", 5_000, "USD", day(2026, 2, 1)).await;
        let rows = import(&app, &alice, "Date,Amount,Payee\n03/05/2026,-50.00,City Power\n03/06/2026,50.00,Refund\n").await;
        let (paid, refund) = (rows[0].id, rows[1].id);
        let bobs = import(&app, &bob, "Date,Amount,Payee\n03/05/2026,-50.00,City Power\n").await[0].id;

        // Another user's transaction or bill: not found, nothing written.
        assert_eq!(refusal(matching::match_transaction(&app.app, &alice, &META, bobs, power, None, MatchedBy::Manual).await), "not found");
        assert_eq!(refusal(matching::match_transaction(&app.app, &alice, &META, paid, bobs_bill, None, MatchedBy::Manual).await), "not found");
        assert_eq!(refusal(matching::match_transaction(&app.app, &bob, &META, paid, bobs_bill, None, MatchedBy::Manual).await), "not found");
        // Another currency, money in, a date that is no due date: refused by field.
        assert_eq!(refusal(matching::match_transaction(&app.app, &alice, &META, paid, euros, None, MatchedBy::Manual).await), "bill_id");
        assert_eq!(refusal(matching::match_transaction(&app.app, &alice, &META, refund, power, None, MatchedBy::Manual).await), "transaction");
        assert_eq!(refusal(matching::match_transaction(&app.app, &alice, &META, paid, power, Some(day(2026, 3, 2)), MatchedBy::Manual).await), "cycle_due");
        assert!(live_payments(&app, &alice, power).await.is_empty());

        let payment = matching::match_transaction(&app.app, &alice, &META, paid, power, None, MatchedBy::Suggestion).await.expect("match");
        assert_eq!(payment.source, PaymentSource::Bank);
        assert_eq!((payment.amount.minor, payment.paid_on, payment.cycle_due), (5_000, day(2026, 3, 5), day(2026, 2, 1)), "the late payment settles February");
        assert_eq!(refusal(matching::match_transaction(&app.app, &alice, &META, paid, power, None, MatchedBy::Manual).await), "state");
        assert_eq!(live_payments(&app, &alice, power).await.len(), 1, "one transaction, one payment");
        assert!(matching::suggestions_for(&app.app, &alice, paid).await.expect("one").suggestions.is_empty(), "a matched transaction gets no suggestions");

        let recent = matching::recent_matches(&app.app, &alice).await.expect("recent");
        assert_eq!(recent.len(), 1);
        assert_eq!((recent[0].bill_name.as_str(), recent[0].matched_by, recent[0].cycle_due), ("City Power", MatchedBy::Suggestion, day(2026, 2, 1)));
        assert_eq!(recent[0].undo_until, app.app.now() + Duration::days(7));
        assert!(matching::recent_matches(&app.app, &bob).await.expect("recent").is_empty());
        app.clock.advance(Duration::days(8));
        assert!(matching::recent_matches(&app.app, &alice).await.expect("recent").is_empty(), "off the undo panel after 7 days");

        assert_eq!(refusal(matching::unmatch(&app.app, &bob, &META, paid).await), "not found");
        matching::unmatch(&app.app, &alice, &META, paid).await.expect("unmatch");
        assert!(live_payments(&app, &alice, power).await.is_empty(), "unmatch removes the payment");
        assert_eq!(transactions(&app, alice.user_id).await[0].state, "unmatched");
        assert_eq!(refusal(matching::unmatch(&app.app, &alice, &META, paid).await), "state");

        matching::ignore(&app.app, &alice, &META, paid).await.expect("ignore");
        assert_eq!(refusal(matching::match_transaction(&app.app, &alice, &META, paid, power, None, MatchedBy::Manual).await), "state");
        assert!(matching::suggestions(&app.app, &alice, &all()).await.expect("suggestions").iter().all(|t| t.transaction.id != paid), "ignored ones are not offered");
        assert_eq!(refusal(matching::ignore(&app.app, &bob, &META, paid).await), "not found");
        matching::unignore(&app.app, &alice, &META, paid).await.expect("unignore");
        matching::match_transaction(&app.app, &alice, &META, paid, power, Some(day(2026, 3, 1)), MatchedBy::Manual).await.expect("match the named cycle");
        assert_eq!(live_payments(&app, &alice, power).await[0].cycle_due, day(2026, 3, 1));
        let audit = audited(&app).await;
        for action in ["transaction.matched", "transaction.unmatched", "transaction.ignored", "transaction.unignored"] {
            assert!(audit.iter().any(|(a, _)| a == action), "{action} in {audit:?}");
        }
        assert!(audit.iter().all(|(_, detail)| !detail.contains("City Power")), "never the payee text");
    }

    async fn a_rule_preview_writes_nothing_and_applying_matches_past_transactions(app) {
        let alice = person(&app, "alice").await;
        let bob = person(&app, "bob").await;
        let internet = monthly(&app, alice.user_id, "Internet", 6_000, "USD", day(2025, 12, 1)).await;
        let bobs_bill = monthly(&app, bob.user_id, "Bob's", 6_000, "USD", day(2025, 12, 1)).await;
        let utilities = category(&app.app.store, alice.user_id, "Utilities").await;
        let bobs_category = category(&app.app.store, bob.user_id, "Bob's").await;
        import(&app, &alice, "Date,Amount,Payee\n12/02/2025,-60.00,ACME FIBER 123\n01/02/2026,-60.00,Acme  Fiber 124\n02/02/2026,-61.00,acme fiber\n02/15/2026,-5.00,Acme Fiber shop\n02/16/2026,-60.00,Other\n").await;

        let draft = RuleInput { category_id: Some(utilities), ..rule(internet, "Acme Fiber", Some("55"), Some("65")) };
        let before = user_data(&app).await;
        let preview = matching::preview_rule(&app.app, &alice, &draft).await.expect("preview");
        assert_eq!(user_data(&app).await, before, "a preview writes nothing");
        let payees: Vec<&str> = preview.transactions.iter().map(|t| t.payee.as_str()).collect();
        assert_eq!(payees, ["ACME FIBER 123", "Acme  Fiber 124", "acme fiber"]);
        assert_eq!(preview.would_match, 3);

        // Bad input names its field; another user's bill or category is not found.
        assert_eq!(refusal(matching::create_rule(&app.app, &alice, &META, &rule(internet, "  ", None, None)).await), "payee_text");
        assert_eq!(refusal(matching::create_rule(&app.app, &alice, &META, &rule(internet, &"x".repeat(201), None, None)).await), "payee_text");
        assert_eq!(refusal(matching::create_rule(&app.app, &alice, &META, &rule(internet, "acme", Some("70"), Some("65"))).await), "max_amount");
        assert_eq!(refusal(matching::create_rule(&app.app, &alice, &META, &rule(internet, "acme", Some("1.234"), None)).await), "min_amount");
        assert_eq!(refusal(matching::create_rule(&app.app, &alice, &META, &rule(bobs_bill, "acme", None, None)).await), "not found");
        assert_eq!(refusal(matching::create_rule(&app.app, &alice, &META, &RuleInput { category_id: Some(bobs_category), ..draft.clone() }).await), "not found");
        assert_eq!(user_data(&app).await, before);

        let created = matching::create_rule(&app.app, &alice, &META, &draft).await.expect("rule");
        assert_eq!(created.min_amount.map(|m| m.minor), Some(5_500));
        assert_eq!(refusal(matching::apply_rule(&app.app, &bob, &META, created.id).await), "not found");
        let applied = matching::apply_rule(&app.app, &alice, &META, created.id).await.expect("apply");
        assert_eq!((applied.matched.len(), applied.skipped.len()), (3, 0));
        let cycles: Vec<_> = live_payments(&app, &alice, internet).await.iter().map(|p| p.cycle_due).collect();
        assert_eq!(cycles.len(), 3);
        assert!([day(2025, 12, 1), day(2026, 1, 1), day(2026, 2, 1)].iter().all(|d| cycles.contains(d)), "{cycles:?}");
        let rows = transactions(&app, alice.user_id).await;
        assert!(rows.iter().take(3).all(|t| t.state == "matched" && t.category_id == Some(utilities)), "{rows:?}");
        assert!(rows.iter().skip(3).all(|t| t.state == "unmatched" && t.category_id.is_none()));
        let again = matching::apply_rule(&app.app, &alice, &META, created.id).await.expect("apply again");
        assert!(again.matched.is_empty(), "already matched ones stay as they are");

        let edited = matching::update_rule(&app.app, &alice, &META, created.id, &RuleInput { enabled: false, ..draft.clone() }, created.version).await.expect("edit");
        assert_eq!(refusal(matching::update_rule(&app.app, &alice, &META, created.id, &draft, created.version).await), "version");
        assert_eq!(refusal(matching::delete_rule(&app.app, &bob, &META, created.id).await), "not found");
        assert_eq!(matching::list_rules(&app.app, &alice, Some(internet)).await.expect("rules"), [edited]);
        assert!(matching::list_rules(&app.app, &bob, None).await.expect("rules").is_empty());
        matching::delete_rule(&app.app, &alice, &META, created.id).await.expect("delete");
        assert!(matching::list_rules(&app.app, &alice, None).await.expect("rules").is_empty());
        let audit = audited(&app).await;
        for action in ["rule.created", "rule.applied", "rule.updated", "rule.deleted"] {
            assert!(audit.iter().any(|(a, _)| a == action), "{action} in {audit:?}");
        }
        assert!(audit.iter().all(|(_, detail)| !detail.to_lowercase().contains("acme")), "never the payee text: {audit:?}");
    }

    async fn an_import_runs_the_rules_on_its_new_rows_and_its_undo_removes_their_payments(app) {
        let alice = person(&app, "alice").await;
        let power = monthly(&app, alice.user_id, "City Power", 5_000, "USD", day(2026, 2, 1)).await;
        matching::create_rule(&app.app, &alice, &META, &rule(power, "city power", None, None)).await.expect("rule");
        let preview = imports::preview(&app.app, &alice, &META, us_csv("Date,Amount,Payee\n02/02/2026,-50.00,CITY POWER\n02/03/2026,-9.00,Coffee\n"), usd("Checking")).await.expect("preview");
        let applied = imports::apply(&app.app, &alice, &META, preview.import.id, &Choices::default()).await.expect("apply");
        assert_eq!((applied.written, applied.matched_by_rules), (2, 1));
        let payments = live_payments(&app, &alice, power).await;
        assert_eq!((payments.len(), payments[0].source, payments[0].cycle_due), (1, PaymentSource::Bank, day(2026, 2, 1)));
        let recent = matching::recent_matches(&app.app, &alice).await.expect("recent");
        assert_eq!(recent[0].matched_by, MatchedBy::Rule);

        imports::undo(&app.app, &alice, &META, preview.import.id).await.expect("undo");
        assert!(live_payments(&app, &alice, power).await.is_empty(), "undoing the import removes its bank payments");
    }
}

app_tests! {
    async fn an_autopay_occurrence_is_verified_by_its_bank_payment_and_flagged_when_the_bank_shows_none(app) {
        let alice = person(&app, "alice").await;
        let autopay = BillTemplate { autopay: "assumed".into(), expected_minor: 5_000, anchor_date: day(2026, 2, 1), ..template("Power") };
        let power = bill_with(&app.app.store, alice.user_id, autopay, None, day(2026, 2, 1)).await;
        let by_hand = monthly(&app, alice.user_id, "Rent", 90_000, "USD", day(2026, 2, 1)).await;
        let checks = |month: u32| {
            let app = &app.app;
            let alice = &alice;
            async move {
                let query = TrackerQuery { year: Some(2026), month: Some(month), ..TrackerQuery::default() };
                let shown = tracker::show(app, alice, query).await.expect("tracker");
                shown.buckets.into_iter().flat_map(|b| b.occurrences).map(|o| (o.bill_id, o.autopay_check)).collect::<Vec<_>>()
            }
        };
        // Nothing imported: nothing known, March (past due + 5 days of grace) is not flagged.
        assert!(checks(3).await.iter().all(|(_, check)| check.is_none()));

        let rows = import(&app, &alice, "Date,Amount,Payee\n02/01/2026,-50.00,POWER AUTOPAY\n03/12/2026,-9.00,Coffee\n").await;
        matching::match_transaction(&app.app, &alice, &META, rows[0].id, power, None, MatchedBy::Manual).await.expect("match");
        let february = checks(2).await;
        assert!(february.contains(&(power, Some(AutopayCheck::Verified))), "{february:?}");
        assert!(february.contains(&(by_hand, None)), "bills without autopay get no check");
        let march = checks(3).await;
        assert!(march.contains(&(power, Some(AutopayCheck::Flagged))), "due 1 March, grace to the 6th, the bank's record reaches the 12th: {march:?}");
    }
}

/// The figure for the benchmark note: suggestions for 10 000 transactions against 150 bills,
/// printed (no wall-clock assertion). SQLite only; run with `--nocapture` to read it.
#[tokio::test]
async fn ten_thousand_transactions_against_150_bills_time() {
    let Some(app) = crate::support::spawn(testkit::TestEngine::Sqlite).await else {
        return;
    };
    let alice = person(&app, "alice").await;
    for i in 0..150 {
        monthly(
            &app,
            alice.user_id,
            &format!("Bill {i}"),
            1_000 + i * 100,
            "USD",
            day(2024, 1, 1),
        )
        .await;
    }
    let mut file = String::from("Date,Amount,Payee\n");
    for i in 0..10_000i64 {
        let date = day(2024, 1, 1) + Duration::days(i % 800);
        file.push_str(&format!(
            "{},-{}.{:02},Payee {}\n",
            date.format("%m/%d/%Y"),
            10 + i % 150,
            i % 100,
            i % 150
        ));
    }
    import(&app, &alice, &file).await;
    let query = SuggestionQuery {
        limit: 10_000,
        ..all()
    };
    let reading = std::time::Instant::now();
    let rows = app
        .app
        .store
        .unmatched_transactions(alice.user_id, None, None, 10_000, 0)
        .await;
    println!(
        "reading the 10 000 transactions alone: {:?}",
        reading.elapsed()
    );
    assert_eq!(rows.map(|r| r.len()).ok(), Some(10_000));
    let started = std::time::Instant::now();
    let found = matching::suggestions(&app.app, &alice, &query)
        .await
        .expect("suggestions");
    let took = started.elapsed();
    assert_eq!(found.len(), 10_000);
    println!("suggestions for 10 000 transactions × 150 bills: {took:?}");
}
