//! Bank sync against the local SimpleFIN Bridge (`testkit::simplefin_bridge`), through the
//! service, on both engines: a setup token is claimed once and its access URL is stored only
//! encrypted; only monitored accounts sync; known ids are not written twice; a pending row
//! that posts under a new id replaces itself; re-issued ids are kept and flagged; the Bridge's
//! faults become health (needs reconnect, payment required, failing with backoff) and leave
//! the data and the other connections alone; the daily quota holds; merchant rules match new
//! rows to bills; another user's ids are not found.

use chrono::{Duration, Utc};
use domain::id::BankAccountId;
use domain::matching::rule::PayeeMatch;
use service::Error;
use service::auth::{Principal, RequestMeta};
use service::matching::RuleInput;
use service::sync::{self, ConnectionView, Health, Target};
use store::bills::BillTemplate;
use testkit::simplefin_bridge::{
    Bridge, BridgeAccount, BridgeConnection, BridgeTransaction, Fault, days_ago,
};
use testkit::store_fixtures::{bill_with, template};

use crate::app_tests;
use crate::imports::person;
use crate::support::{Spawn, TestApp, spawn_with};

const META: RequestMeta = RequestMeta {
    ip: None,
    user_agent: None,
    known_device: None,
};

/// A server with bank sync on that may reach the loopback Bridge over plain HTTP, its clock
/// at the real now (the Bridge dates by it).
pub(crate) async fn spawn_sync(engine: testkit::TestEngine) -> Option<TestApp> {
    let app = spawn_with(
        engine,
        Spawn {
            env: vec![
                ("BANK_SYNC_ENABLED", "true".to_owned()),
                ("OUTBOUND_ALLOW_HOSTS", "127.0.0.1".to_owned()),
                ("OUTBOUND_ALLOW_HTTP_HOSTS", "127.0.0.1".to_owned()),
            ],
            ..Default::default()
        },
    )
    .await?;
    app.clock.set(Utc::now());
    Some(app)
}

/// A Bridge connection with a checking account (three posted rows, one pending) and savings.
pub(crate) fn bank(bridge: &Bridge) -> BridgeConnection {
    let c = bridge.connection();
    c.add_account(BridgeAccount::new("acct-chk", "Checking", "1000.00"));
    c.add_account(BridgeAccount::new("acct-sav", "Savings", "5000.00"));
    c.add_transaction(
        "acct-chk",
        BridgeTransaction::posted("t1", days_ago(10), "-45.00", "Power Co"),
    );
    c.add_transaction(
        "acct-chk",
        BridgeTransaction::posted("t2", days_ago(5), "-4.50", "Coffee Corner"),
    );
    c.add_transaction(
        "acct-chk",
        BridgeTransaction::posted("t3", days_ago(5), "-4.50", "Coffee Corner"),
    );
    c.add_transaction(
        "acct-chk",
        BridgeTransaction::pending("p1", days_ago(1), "-12.00", "Taxi"),
    );
    c.add_transaction(
        "acct-sav",
        BridgeTransaction::posted("s1", days_ago(3), "100.00", "Transfer in"),
    );
    c
}

/// Connects `who` with `c`'s setup token and monitors its checking account into a new bank
/// account; returns the connection and that bank account.
async fn connected(
    app: &TestApp,
    who: &Principal,
    c: &BridgeConnection,
) -> (ConnectionView, BankAccountId) {
    let view = sync::connect(&app.app, who, &META, &c.setup_token(), None)
        .await
        .expect("connect");
    let checking = view
        .accounts
        .iter()
        .find(|a| a.remote_id == "acct-chk")
        .expect("checking")
        .clone();
    let chosen = sync::choose_account(
        &app.app,
        who,
        &META,
        checking.id,
        true,
        Target::New,
        checking.version,
    )
    .await
    .expect("choose");
    (view, chosen.bank_account_id.expect("bank account"))
}

/// One sync of `who`'s connection, past the per-user rate limit of "sync now" (the test of
/// that limit is its own).
async fn sync_once(
    app: &TestApp,
    who: &Principal,
    id: domain::id::SyncConnectionId,
) -> sync::SyncReport {
    let connection = app
        .app
        .store
        .sync_connection(who.user_id, id)
        .await
        .expect("connection");
    sync::run::sync_connection(&app.app, &connection, sync::run::Span::Routine)
        .await
        .expect("sync")
}

async fn rows(
    app: &TestApp,
    who: &Principal,
    account: BankAccountId,
) -> Vec<store::transactions::TransactionRow> {
    app.app
        .store
        .synced_rows(
            who.user_id,
            account,
            Utc::now().date_naive() - Duration::days(400),
        )
        .await
        .expect("rows")
}

app_tests! {
    @with spawn_sync;

    async fn a_setup_token_is_claimed_once_and_its_access_url_is_stored_only_encrypted(app) {
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        let alice = person(&app, "alice").await;
        let view = sync::connect(&app.app, &alice, &META, &c.setup_token(), Some("My bank")).await.expect("connect");
        assert_eq!(view.connection.label, "My bank");
        assert_eq!(view.accounts.len(), 2, "{view:?}");
        assert!(view.accounts.iter().all(|a| !a.monitored), "nothing syncs until chosen");
        let checking = view.accounts.iter().find(|a| a.remote_id == "acct-chk").expect("checking");
        assert_eq!(checking.balance_minor, Some(100_000));
        assert_eq!(view.health, Health::Ok);

        let again = sync::connect(&app.app, &alice, &META, &c.setup_token(), None).await;
        match again {
            Err(Error::Invalid(invalid)) => {
                assert_eq!(invalid.field, "setup_token");
                assert!(invalid.reason.contains("used already"), "{}", invalid.reason);
            }
            other => panic!("a second claim: {other:?}"),
        }
        let (user, password) = c.credentials();
        let dump = app.db.dump_text().await;
        for secret in [c.access_url(), password.clone(), format!("{user}:{password}")] {
            assert!(!dump.contains(&secret), "the access URL is in the database in plaintext");
        }
        let debug = format!("{view:?}");
        assert!(!debug.contains(&password), "the view holds no secret");
    }

    async fn only_monitored_accounts_sync_and_a_second_sync_writes_nothing_twice(app) {
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        let alice = person(&app, "alice").await;
        let (view, account) = connected(&app, &alice, &c).await;
        let report = sync_once(&app, &alice, view.connection.id).await;
        assert_eq!((report.new, report.error.as_deref()), (4, None), "{report:?}");
        let stored = rows(&app, &alice, account).await;
        assert_eq!(stored.len(), 4, "savings is not monitored: {stored:?}");
        assert_eq!(stored.iter().filter(|t| t.payee == "Coffee Corner").count(), 2, "two identical coffees are two rows");
        assert!(stored.iter().any(|t| t.pending && t.payee == "Taxi"));
        assert!(c.last_query().unwrap_or_default().contains("pending=1"));

        let shown = sync::connection(&app.app, &alice, view.connection.id).await.expect("view");
        assert_eq!(shown.last_sync.map(|s| s.new), Some(4), "what changed is shown");
        let again = sync_once(&app, &alice, view.connection.id).await;
        assert_eq!((again.new, again.posted, again.removed), (0, 0, 0), "{again:?}");
        assert_eq!(rows(&app, &alice, account).await.len(), 4);
    }

    async fn a_pending_row_that_posts_under_a_new_id_is_replaced_and_reissued_ids_are_flagged(app) {
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        let alice = person(&app, "alice").await;
        let (view, account) = connected(&app, &alice, &c).await;
        sync_once(&app, &alice, view.connection.id).await;
        let pending = rows(&app, &alice, account).await.into_iter().find(|t| t.pending).expect("pending");
        let new_id = c.post_pending("acct-chk", "p1", days_ago(0));
        assert_ne!(new_id, "p1");
        let report = sync_once(&app, &alice, view.connection.id).await;
        assert_eq!((report.new, report.posted), (0, 1), "{report:?}");
        let after = rows(&app, &alice, account).await;
        assert_eq!(after.len(), 4, "never both counted: {after:?}");
        let taxi = after.iter().find(|t| t.payee == "Taxi").expect("taxi");
        assert_eq!((taxi.id, taxi.pending, taxi.source_id.as_deref()), (pending.id, false, Some(new_id.as_str())));
        assert_ne!(taxi.posted_on.to_string(), "1970-01-01");

        c.rotate_transaction_ids("acct-chk");
        let report = sync_once(&app, &alice, view.connection.id).await;
        assert_eq!((report.new, report.flagged), (4, 4), "kept and flagged, never dropped: {report:?}");
    }

    async fn a_backfill_reads_in_90_day_windows_and_keeps_pending_rows_outside_a_window(app) {
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        c.add_transaction("acct-chk", BridgeTransaction::posted("old", days_ago(100), "-80.00", "Insurance"));
        let alice = person(&app, "alice").await;
        let (view, account) = connected(&app, &alice, &c).await;
        sync_once(&app, &alice, view.connection.id).await;
        assert!(rows(&app, &alice, account).await.iter().all(|t| t.payee != "Insurance"), "44 days on the first sync");
        let requests = c.requests();
        let report = sync::backfill(&app.app, &alice, &META, view.connection.id, 120).await.expect("backfill");
        assert_eq!((report.new, report.removed, report.error), (1, 0, None), "the pending taxi stays");
        assert_eq!(c.requests(), requests + 2, "two windows of at most 90 days");
        assert!(rows(&app, &alice, account).await.iter().any(|t| t.pending && t.payee == "Taxi"));
        assert!(matches!(sync::backfill(&app.app, &alice, &META, view.connection.id, 400).await, Err(Error::Invalid(_))));
        let gap = |v: &ConnectionView| v.accounts.iter().find(|a| a.remote_id == "acct-chk").and_then(|a| a.balance_gap_minor);
        let after = sync::connection(&app.app, &alice, view.connection.id).await.expect("view");
        assert_eq!(gap(&after).unwrap_or(0), 0, "old rows a backfill finds are no gap in today's balance");
        // The balance moved by 50.00 but only 30.00 arrived: 20.00 may be missing.
        c.set_balance("acct-chk", "950.00", days_ago(0));
        c.add_transaction("acct-chk", BridgeTransaction::posted("t9", days_ago(0), "-30.00", "Grocer"));
        sync_once(&app, &alice, view.connection.id).await;
        let checked = sync::connection(&app.app, &alice, view.connection.id).await.expect("view");
        assert_eq!(gap(&checked), Some(-2000), "{:?}", checked.accounts);
    }

    async fn faults_become_health_leave_data_alone_and_other_connections_sync(app) {
        let bridge = Bridge::start().await;
        let (c, other) = (bank(&bridge), bank(&bridge));
        let alice = person(&app, "alice").await;
        let (view, account) = connected(&app, &alice, &c).await;
        let (other_view, _) = connected(&app, &alice, &other).await;
        sync_once(&app, &alice, view.connection.id).await;
        let before = rows(&app, &alice, account).await;
        for (fault, health) in [
            (Fault::Status(402), Health::PaymentRequired),
            (Fault::Status(403), Health::NeedsReconnect),
            (Fault::Status(500), Health::Failing),
            (Fault::GarbageJson, Health::Failing),
            (Fault::HugeBody(20 * 1024 * 1024), Health::Failing),
            (Fault::RedirectTo("http://127.0.0.2:9/accounts".into()), Health::Failing),
        ] {
            c.set_fault(Some(fault.clone()));
            let report = sync_once(&app, &alice, view.connection.id).await;
            let error = report.error.clone().unwrap_or_default();
            assert!(!error.is_empty(), "{fault:?}: {report:?}");
            assert!(!error.contains(&c.credentials().1), "no secret in the error");
            let now = sync::connection(&app.app, &alice, view.connection.id).await.expect("view");
            assert_eq!(now.health, health, "{fault:?}: {:?}", now.connection);
            assert_eq!(rows(&app, &alice, account).await, before, "{fault:?} changed the data");
            let fine = sync_once(&app, &alice, other_view.connection.id).await;
            assert_eq!(fine.error, None, "{fault:?}: the other connection syncs");
            // Healthy again for the next fault.
            c.set_fault(None);
            sync_once(&app, &alice, view.connection.id).await;
        }
        c.set_fault(Some(Fault::Status(500)));
        sync_once(&app, &alice, view.connection.id).await;
        let failing = sync::connection(&app.app, &alice, view.connection.id).await.expect("view");
        assert!(failing.connection.next_attempt_at.is_some_and(|at| at > app.app.now()), "backoff");
        assert!(failing.connection.last_error.as_deref().is_some_and(|e| e.starts_with("server_error")), "{:?}", failing.connection.last_error);
    }

    async fn errlist_codes_become_health_with_the_bridges_words(app) {
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        let alice = person(&app, "alice").await;
        let (view, _) = connected(&app, &alice, &c).await;
        c.add_error("act.missingdata", "Checking is missing data <b>\u{202e}", Some("acct-chk"));
        sync_once(&app, &alice, view.connection.id).await;
        let now = sync::connection(&app.app, &alice, view.connection.id).await.expect("view");
        assert_eq!(now.health, Health::Incomplete);
        let checking = now.accounts.iter().find(|a| a.remote_id == "acct-chk").expect("checking");
        assert!(checking.message.as_deref().is_some_and(|m| m.contains("missing data") && !m.contains('\u{202e}')), "{checking:?}");

        c.add_error("con.auth", "Sign in to your bank again", None);
        let report = sync_once(&app, &alice, view.connection.id).await;
        assert!(report.error.as_deref().is_some_and(|e| e.contains("Sign in")), "{report:?}");
        assert_eq!(sync::connection(&app.app, &alice, view.connection.id).await.expect("view").health, Health::NeedsReconnect);
    }

    async fn the_daily_quota_of_24_requests_per_connection_holds(app) {
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        let alice = person(&app, "alice").await;
        let (view, _) = connected(&app, &alice, &c).await;
        let mut last = None;
        for _ in 0..30 {
            match sync::run::sync_connection(&app.app, &view.connection, sync::run::Span::Routine).await {
                Ok(report) => last = Some(report),
                Err(err) => panic!("{err:?}"),
            }
        }
        assert_eq!(c.requests(), 24, "never more than the Bridge's quota");
        let last = last.expect("report");
        assert_eq!(last.quota_left, 0);
        assert!(last.error.as_deref().is_some_and(|e| e.starts_with("quota")), "{last:?}");
    }

    async fn merchant_rules_match_synced_rows_so_the_bill_is_paid_without_typing(app) {
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        let alice = person(&app, "alice").await;
        let from = Utc::now().date_naive() - Duration::days(60);
        let bill = bill_with(&app.app.store, alice.user_id, BillTemplate { expected_minor: 4500, currency: "USD".into(), anchor_date: from, ..template("Power") }, None, from).await;
        service::matching::create_rule(&app.app, &alice, &META, &RuleInput {
            bill_id: bill, payee_match: PayeeMatch::Contains, payee_text: "Power".into(),
            min_amount: None, max_amount: None, account_id: None, category_id: None, enabled: true,
        }).await.expect("rule");
        let (view, account) = connected(&app, &alice, &c).await;
        let report = sync_once(&app, &alice, view.connection.id).await;
        assert_eq!(report.matched_by_rules, 1, "{report:?}");
        let power = rows(&app, &alice, account).await.into_iter().find(|t| t.payee == "Power Co").expect("power");
        assert_eq!(power.state, "matched");
        assert!(power.payment_id.is_some());
    }

    async fn the_tracker_shows_the_bank_balance_what_is_left_to_pay_and_after_it(app) {
        use chrono::Datelike;
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        let browser = app.signed_in("bob", domain::user::Role::User).await;
        let row = app.app.store.user_by_username("bob").await.expect("db").expect("bob");
        let bob = Principal::from_user(&row, None);
        let today = Utc::now().date_naive();
        let first = today.with_day(1).expect("first") - chrono::Months::new(2);
        bill_with(&app.app.store, bob.user_id, BillTemplate { expected_minor: 12_000, currency: "USD".into(), anchor_date: first, ..template("Rent") }, None, first).await;
        let query = service::tracker::TrackerQuery::default();
        let before = service::tracker::show(&app.app, &bob, query).await.expect("tracker");
        assert_eq!(before.bank, None, "no monitored account, no bar");
        let (view, _) = connected(&app, &bob, &c).await;
        sync_once(&app, &bob, view.connection.id).await;
        let month = service::tracker::show(&app.app, &bob, query).await.expect("tracker");
        let bar = month.bank.expect("the bank bar");
        assert_eq!((bar.balance.minor, bar.accounts, bar.to_pay.minor, bar.projected.minor), (100_000, 1, 12_000, 88_000), "{bar:?}");
        let page = browser.get("/").await.text().await.expect("html");
        assert!(page.contains("In the bank") && page.contains("Still to pay"), "{page}");
        let json: serde_json::Value = browser.get("/api/tracker").await.json().await.expect("json");
        assert_eq!((&json["bank"]["balance"]["amount"], &json["bank"]["to_pay"]["amount"], &json["bank"]["projected"]["amount"]), (&serde_json::json!("1000.00"), &serde_json::json!("120.00"), &serde_json::json!("880.00")), "{}", json["bank"]);
    }

    async fn rl_sync_now_is_limited_to_10_per_15_minutes_per_user(app) {
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        let alice = person(&app, "alice").await;
        let (view, _) = connected(&app, &alice, &c).await;
        // Connecting took one of the 10.
        for n in 2..=10 {
            sync::sync_now(&app.app, &alice, &META, view.connection.id).await.unwrap_or_else(|e| panic!("sync {n}: {e:?}"));
        }
        let requests = c.requests();
        let refused = sync::sync_now(&app.app, &alice, &META, view.connection.id).await;
        assert!(matches!(refused, Err(Error::RateLimited { .. })), "{refused:?}");
        assert_eq!(c.requests(), requests, "refused before any request");
        app.clock.advance(Duration::minutes(15) + Duration::seconds(1));
        sync::sync_now(&app.app, &alice, &META, view.connection.id).await.expect("after the window");
    }

    async fn another_users_ids_are_not_found_and_sync_off_refuses(app) {
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        let alice = person(&app, "alice").await;
        let mallory = person(&app, "mallory").await;
        let (view, _) = connected(&app, &alice, &c).await;
        let account = view.accounts[0].clone();
        assert!(matches!(sync::sync_now(&app.app, &mallory, &META, view.connection.id).await, Err(Error::NotFound)));
        assert!(matches!(sync::connection(&app.app, &mallory, view.connection.id).await, Err(Error::NotFound)));
        assert!(matches!(sync::disconnect(&app.app, &mallory, &META, view.connection.id).await, Err(Error::NotFound)));
        assert!(matches!(
            sync::choose_account(&app.app, &mallory, &META, account.id, false, Target::None, account.version).await,
            Err(Error::NotFound)
        ));
        // Alice cannot point her account at Mallory's bank account.
        let theirs = app.app.store.create_bank_account(mallory.user_id, &store::bank_accounts::NewBankAccount {
            name: "Theirs".into(), currency: "USD".into(), institution: String::new(), last_digits: String::new(), source: "file".into(), external_id: None,
        }, app.app.now()).await.expect("account");
        let fresh = sync::connection(&app.app, &alice, view.connection.id).await.expect("view").accounts.into_iter().find(|a| a.remote_id == "acct-sav").expect("savings");
        assert!(matches!(
            sync::choose_account(&app.app, &alice, &META, fresh.id, true, Target::Existing(theirs.id), fresh.version).await,
            Err(Error::NotFound)
        ));
        sync::disconnect(&app.app, &alice, &META, view.connection.id).await.expect("disconnect");
        assert!(app.app.store.sync_connections(alice.user_id).await.expect("list").is_empty());
        let dump = app.db.dump_text().await;
        assert!(!dump.contains(&c.credentials().1));
    }

    async fn the_background_run_syncs_due_connections_oldest_first_and_skips_fresh_ones(app) {
        let bridge = Bridge::start().await;
        let (c, d) = (bank(&bridge), bank(&bridge));
        let alice = person(&app, "alice").await;
        let bob = person(&app, "bob").await;
        let (fresh, _) = connected(&app, &alice, &c).await;
        let (due, due_account) = connected(&app, &bob, &d).await;
        sync_once(&app, &alice, fresh.connection.id).await;
        let (c_before, d_before) = (c.requests(), d.requests());
        let tried = sync::run::sync_due(&app.app, "instance-a").await.expect("run");
        assert_eq!(tried, Some(1), "the connection synced minutes ago is skipped");
        assert_eq!((c.requests(), d.requests()), (c_before, d_before + 1));
        assert_eq!(rows(&app, &bob, due_account).await.len(), 4);
        assert_eq!(sync::run::sync_due(&app.app, "instance-b").await.expect("run"), Some(0), "between runs only failing connections are retried: none");
        d.set_fault(Some(Fault::Status(500)));
        app.clock.advance(Duration::hours(5));
        assert_eq!(sync::run::sync_due(&app.app, "instance-a").await.expect("run"), Some(2), "a failing connection does not stop the run");
        let failing = sync::connection(&app.app, &bob, due.connection.id).await.expect("view");
        assert_eq!(failing.health, Health::Failing);
        // Retried after its backoff (30 minutes after a first failure), between full runs.
        let before = d.requests();
        app.clock.advance(Duration::minutes(10));
        assert_eq!(sync::run::sync_due(&app.app, "instance-b").await.expect("run"), Some(0), "backoff not over");
        app.clock.advance(Duration::minutes(25));
        assert_eq!(sync::run::sync_due(&app.app, "instance-b").await.expect("run"), Some(1), "the failing one is retried");
        assert_eq!(d.requests(), before + 1);
    }

    async fn a_custom_currency_account_is_listed_but_feeds_no_bank_account(app) {
        let bridge = Bridge::start().await;
        let c = bridge.connection();
        let mut points = BridgeAccount::new("acct-pts", "Reward points", "1234.567");
        points.currency = "https://bank.example/points".into();
        c.add_account(points);
        let alice = person(&app, "alice").await;
        let view = sync::connect(&app.app, &alice, &META, &c.setup_token(), None).await.expect("connect");
        let account = view.accounts.first().expect("listed").clone();
        assert_eq!((account.currency.as_str(), account.balance_minor), ("https://bank.example/points", None));
        match sync::choose_account(&app.app, &alice, &META, account.id, true, Target::New, account.version).await {
            Err(Error::Invalid(invalid)) => assert_eq!(invalid.field, "bank_account"),
            other => panic!("{other:?}"),
        }
        assert!(app.app.store.bank_accounts(alice.user_id).await.expect("list").is_empty(), "nothing made");
    }

    async fn a_claim_url_at_a_private_address_is_refused_before_any_request(app) {
        use base64::Engine as _;
        let alice = person(&app, "alice").await;
        for url in ["https://10.0.0.1/simplefin/claim/abc", "http://192.168.1.1/claim/x", "https://[::1]/claim/y"] {
            let token = base64::engine::general_purpose::STANDARD.encode(url);
            match sync::connect(&app.app, &alice, &META, &token, None).await {
                Err(Error::Invalid(invalid)) => assert_eq!(invalid.field, "setup_token", "{url}"),
                other => panic!("{url}: {other:?}"),
            }
        }
        assert!(app.app.store.sync_connections(alice.user_id).await.expect("list").is_empty());
    }
}

app_tests! {
    async fn bank_sync_switched_off_refuses_to_connect(app) {
        let alice = person(&app, "alice").await;
        let result = sync::connect(&app.app, &alice, &META, "aHR0cHM6Ly9icmlkZ2UuZXhhbXBsZS9jbGFpbS94", None).await;
        assert!(matches!(result, Err(Error::Conflict { ref field, .. }) if field == "bank_sync"), "{result:?}");
    }

    async fn an_administrator_switches_bank_sync_on_for_everyone_and_others_cannot(app) {
        let admin = app.signed_in("root2", domain::user::Role::Admin).await;
        let user = app.signed_in("carol", domain::user::Role::User).await;
        let shown: serde_json::Value = admin.get("/api/admin/bank-sync").await.json().await.expect("json");
        assert_eq!(shown, serde_json::json!({"enabled": false, "interval_hours": 4}), "the configuration's defaults");
        assert_eq!(user.send(reqwest::Method::PUT, "/api/admin/bank-sync", Some(serde_json::json!({"enabled": true, "interval_hours": 4}))).await.status(), reqwest::StatusCode::FORBIDDEN);
        let refused = admin.send(reqwest::Method::PUT, "/api/admin/bank-sync", Some(serde_json::json!({"enabled": true, "interval_hours": 0}))).await;
        assert_eq!(refused.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
        let problem: serde_json::Value = refused.json().await.expect("json");
        assert_eq!(problem["field"], "interval_hours", "{problem}");
        let saved = admin.send(reqwest::Method::PUT, "/api/admin/bank-sync", Some(serde_json::json!({"enabled": true, "interval_hours": 6}))).await;
        assert_eq!(saved.status(), reqwest::StatusCode::OK);
        let settings = sync::settings::load(&app.app).await.expect("settings");
        assert_eq!((settings.enabled, settings.interval_hours), (true, 6));
        // On: a connect now gets as far as the token.
        let alice = person(&app, "alice").await;
        let result = sync::connect(&app.app, &alice, &META, "not a token", None).await;
        assert!(matches!(result, Err(Error::Invalid(ref i)) if i.field == "setup_token"), "{result:?}");
        // The admin page's form switches it off again.
        let off = admin.client.post(admin.url("/admin/bank-sync")).form(&[("csrf_token", admin.csrf.as_str()), ("interval_hours", "6")]).send().await.expect("post");
        assert_eq!(off.status(), reqwest::StatusCode::SEE_OTHER);
        assert!(!sync::settings::load(&app.app).await.expect("settings").enabled);
        let page = admin.get("/admin").await.text().await.expect("html");
        assert!(page.contains("Bank sync is on"), "the admin page has the switch");
    }
}
