//! Fetching account sets: the query parameters as the bridge honours them, v1 and v2, and
//! the quirks the sync must survive (rotated ids, pending posting under a new id, `posted: 0`,
//! custom currencies, `errlist` codes, the 90-day cap, the quota counter).

use chrono::{DateTime, Duration, Utc};
use domain::money::{Currency, Money};
use simplefin::{AccessUrl, AccountCurrency, Amount, BridgeCode, Error, Query, Version, windows};
use testkit::simplefin_bridge::{Bridge, BridgeAccount, BridgeTransaction, days_ago};

use super::{claimed, local_client};

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap()
}

fn usd(minor: i64) -> Amount {
    Amount::Iso(Money::new(minor, Currency::USD))
}

#[tokio::test]
async fn v2_answers_carry_connections_conn_ids_and_exact_amounts() {
    let bridge = Bridge::start().await;
    let (connection, access) = claimed(&bridge).await;
    let mut checking = BridgeAccount::new("ACT-1", "Checking", "1234.56");
    checking.transactions.push(BridgeTransaction::posted(
        "T1",
        days_ago(3),
        "-89.99",
        "City Power",
    ));
    connection.add_account(checking);
    let set = simplefin::fetch(&local_client(), &access, &Query::look_back(Utc::now(), 30))
        .await
        .unwrap();
    assert!(
        set.problems.is_empty() && set.messages.is_empty(),
        "{set:?}"
    );
    assert_eq!(set.connections.len(), 1);
    let account = &set.accounts[0];
    assert_eq!(
        account.conn_id.as_deref(),
        Some(set.connections[0].conn_id.as_str())
    );
    assert_eq!(account.balance, usd(123_456));
    assert_eq!(account.transactions[0].amount, usd(-8999));
    assert_eq!(connection.requests(), 1);
}

#[tokio::test]
async fn v1_answers_carry_the_org_and_errors_as_plain_messages() {
    let bridge = Bridge::start().await;
    let (connection, access) = claimed(&bridge).await;
    connection.add_account(BridgeAccount::new("ACT-1", "Checking", "10.00"));
    connection.add_error("con.auth", "Please sign in to Example Bank again", None);
    let query = Query {
        version: Version::V1,
        ..Query::balances()
    };
    let set = simplefin::fetch(&local_client(), &access, &query)
        .await
        .unwrap();
    assert_eq!(
        set.accounts[0].org.as_ref().unwrap().name.as_deref(),
        Some("Example Bank")
    );
    assert!(set.connections.is_empty());
    assert_eq!(set.messages.len(), 1);
    assert_eq!(set.messages[0].code, None);
    assert_eq!(set.messages[0].text, "Please sign in to Example Bank again");
    assert_eq!(connection.last_query().as_deref(), Some("balances-only=1"));
}

#[tokio::test]
async fn credentials_travel_as_basic_auth_and_wrong_ones_mean_access_revoked() {
    let bridge = Bridge::start().await;
    let (connection, access) = claimed(&bridge).await;
    connection.add_account(BridgeAccount::new("ACT-1", "Checking", "1"));
    let query = Query::balances();
    simplefin::fetch(&local_client(), &access, &query)
        .await
        .unwrap();
    let (_, password) = connection.credentials();
    assert!(!connection.last_query().unwrap().contains(&password));
    // A trailing slash on the access URL reaches the same /accounts.
    let slash = AccessUrl::parse(&format!("{}/", access.expose_secret())).unwrap();
    simplefin::fetch(&local_client(), &slash, &query)
        .await
        .unwrap();
    assert_eq!(connection.requests(), 2);
    // Another connection's user name with a guessed password.
    let other = bridge.connection();
    let (user, _) = other.credentials();
    let forged = AccessUrl::parse(&format!(
        "http://{user}:guess@{}/simplefin",
        &bridge.base_url()[7..]
    ))
    .unwrap();
    let err = simplefin::fetch(&local_client(), &forged, &query)
        .await
        .unwrap_err();
    assert_eq!(err, Error::AccessRevoked);
    assert!(err.needs_reconnect());
}

#[tokio::test]
async fn start_is_inclusive_end_exclusive_and_pending_only_when_asked() {
    let bridge = Bridge::start().await;
    let (connection, access) = claimed(&bridge).await;
    let (start, end) = (days_ago(10), days_ago(2));
    let mut account = BridgeAccount::new("ACT-1", "Checking", "0");
    account.transactions = vec![
        BridgeTransaction::posted("BEFORE", start - 1, "-1.00", "before"),
        BridgeTransaction::posted("AT-START", start, "-2.00", "at start"),
        BridgeTransaction::posted("LAST", end - 1, "-3.00", "last second"),
        BridgeTransaction::posted("AT-END", end, "-4.00", "at end"),
        BridgeTransaction::pending("PENDING", start + 60, "-5.00", "pending"),
    ];
    connection.add_account(account);
    let mut query = Query::range(at(start), at(end));
    query.pending = false;
    let set = simplefin::fetch(&local_client(), &access, &query)
        .await
        .unwrap();
    let ids: Vec<_> = set.accounts[0]
        .transactions
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(ids, vec!["AT-START", "LAST"]);
    assert!(!connection.last_query().unwrap().contains("pending"));
    query.pending = true;
    let set = simplefin::fetch(&local_client(), &access, &query)
        .await
        .unwrap();
    let pending = set.accounts[0]
        .transactions
        .iter()
        .find(|t| t.id == "PENDING")
        .unwrap();
    assert_eq!(
        (pending.posted, pending.pending),
        (None, true),
        "posted 0 is never 1970"
    );
    assert!(connection.last_query().unwrap().contains("pending=1"));
}

#[tokio::test]
async fn account_filters_and_balances_only_are_honoured() {
    let bridge = Bridge::start().await;
    let (connection, access) = claimed(&bridge).await;
    for id in ["A 1", "B&2", "C"] {
        let mut account = BridgeAccount::new(id, id, "5.00");
        account.transactions.push(BridgeTransaction::posted(
            &format!("{id}-T"),
            days_ago(1),
            "-1.00",
            "x",
        ));
        connection.add_account(account);
    }
    let mut query = Query::look_back(Utc::now(), 30);
    query.accounts = vec!["A 1".into(), "B&2".into()];
    let set = simplefin::fetch(&local_client(), &access, &query)
        .await
        .unwrap();
    let ids: Vec<_> = set.accounts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, vec!["A 1", "B&2"]);
    query.balances_only = true;
    let set = simplefin::fetch(&local_client(), &access, &query)
        .await
        .unwrap();
    assert!(set.accounts.iter().all(|a| a.transactions.is_empty()));
    assert_eq!(set.accounts[1].balance, usd(500));
}

#[tokio::test]
async fn a_range_over_90_days_is_cut_with_a_warning_and_windows_avoid_it() {
    let bridge = Bridge::start().await;
    let (connection, access) = claimed(&bridge).await;
    let mut account = BridgeAccount::new("ACT-1", "Checking", "0");
    account.transactions = vec![
        BridgeTransaction::posted("OLD", days_ago(120), "-1.00", "old"),
        BridgeTransaction::posted("NEW", days_ago(5), "-2.00", "new"),
    ];
    connection.add_account(account);
    let (start, end) = (Utc::now() - Duration::days(150), Utc::now());
    let set = simplefin::fetch(&local_client(), &access, &Query::range(start, end))
        .await
        .unwrap();
    assert_eq!(set.messages.len(), 1, "{set:?}");
    assert!(set.messages[0].text.contains("90 days"));
    let ids: Vec<_> = set.accounts[0]
        .transactions
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(ids, vec!["OLD"], "only the first 90 days came back");
    let mut found = Vec::new();
    for (from, to) in windows(start, end) {
        let set = simplefin::fetch(&local_client(), &access, &Query::range(from, to))
            .await
            .unwrap();
        assert!(set.messages.is_empty());
        found.extend(set.accounts[0].transactions.iter().map(|t| t.id.clone()));
    }
    assert_eq!(found, vec!["OLD", "NEW"]);
    assert_eq!(
        connection.requests(),
        3,
        "each window is one request of the quota"
    );
}

#[tokio::test]
async fn rotated_ids_and_a_pending_transaction_posting_under_a_new_id_are_visible() {
    let bridge = Bridge::start().await;
    let (connection, access) = claimed(&bridge).await;
    let mut account = BridgeAccount::new("ACT-1", "Checking", "0");
    account.transactions = vec![
        BridgeTransaction::posted("T1", days_ago(5), "-10.00", "rent"),
        BridgeTransaction::pending("P1", days_ago(1), "-20.00", "power"),
    ];
    connection.add_account(account);
    let query = Query::look_back(Utc::now(), 30);
    let ids = |set: &simplefin::AccountSet| -> Vec<(String, bool)> {
        set.accounts[0]
            .transactions
            .iter()
            .map(|t| (t.id.clone(), t.pending))
            .collect()
    };
    let first = simplefin::fetch(&local_client(), &access, &query)
        .await
        .unwrap();
    assert_eq!(ids(&first), vec![("T1".into(), false), ("P1".into(), true)]);
    let posted_id = connection.post_pending("ACT-1", "P1", days_ago(0) - 60);
    let second = simplefin::fetch(&local_client(), &access, &query)
        .await
        .unwrap();
    assert_eq!(ids(&second), vec![("T1".into(), false), (posted_id, false)]);
    assert!(second.accounts[0].transactions[1].posted.is_some());
    connection.rotate_transaction_ids("ACT-1");
    let third = simplefin::fetch(&local_client(), &access, &query)
        .await
        .unwrap();
    assert!(ids(&third).iter().all(|(id, _)| id.ends_with("-r1")));
    // Same amounts, new ids: content is what the sync's fingerprint sees.
    let amounts = |set: &simplefin::AccountSet| -> Vec<Amount> {
        set.accounts[0]
            .transactions
            .iter()
            .map(|t| t.amount)
            .collect()
    };
    assert_eq!(amounts(&second), amounts(&third));
}

#[tokio::test]
async fn a_custom_currency_account_keeps_exact_decimals() {
    let bridge = Bridge::start().await;
    let (connection, access) = claimed(&bridge).await;
    let mut miles = BridgeAccount::new("MILES", "Air miles", "120500.25");
    miles.currency = "https://www.example.com/flight-miles".into();
    miles.transactions.push(BridgeTransaction::posted(
        "M1",
        days_ago(1),
        "1500.125",
        "flight",
    ));
    connection.add_account(miles);
    let set = simplefin::fetch(&local_client(), &access, &Query::look_back(Utc::now(), 30))
        .await
        .unwrap();
    let account = &set.accounts[0];
    assert_eq!(
        account.currency,
        AccountCurrency::Custom("https://www.example.com/flight-miles".into())
    );
    let Amount::Custom(amount) = account.transactions[0].amount else {
        panic!("not custom")
    };
    assert_eq!(amount.to_string(), "1500.125");
    assert_eq!(account.balance.money(), None);
}

#[tokio::test]
async fn each_errlist_code_arrives_typed_with_its_account() {
    let bridge = Bridge::start().await;
    let (connection, access) = claimed(&bridge).await;
    connection.add_account(BridgeAccount::new("ACT-1", "Checking", "1"));
    connection.add_error("gen.auth", "Access denied", None);
    connection.add_error("con.auth", "Sign in again", None);
    connection.add_error("act.failed", "Could not fetch", Some("ACT-1"));
    connection.add_error("act.missingdata", "Missing \u{202E}data", Some("ACT-1"));
    connection.add_error("zzz.new", "New kind", None);
    let set = simplefin::fetch(&local_client(), &access, &Query::balances())
        .await
        .unwrap();
    let codes: Vec<_> = set
        .messages
        .iter()
        .map(|m| m.code.clone().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec![
            BridgeCode::GeneralAuth,
            BridgeCode::ConnectionAuth,
            BridgeCode::AccountFailed,
            BridgeCode::AccountMissingData,
            BridgeCode::Unknown("zzz.new".into()),
        ]
    );
    assert_eq!(set.messages[1].text, "Sign in again", "read from `message`");
    assert_eq!(set.messages[3].text, "Missing data", "sanitised");
    assert_eq!(set.messages[3].account_id.as_deref(), Some("ACT-1"));
    assert_eq!(set.accounts.len(), 1, "messages do not sink the accounts");
}

#[tokio::test]
async fn requests_are_counted_per_connection_for_the_quota() {
    let bridge = Bridge::start().await;
    let (first, first_access) = claimed(&bridge).await;
    let (second, _) = claimed(&bridge).await;
    for _ in 0..3 {
        simplefin::fetch(&local_client(), &first_access, &Query::balances())
            .await
            .unwrap();
    }
    assert_eq!((first.requests(), second.requests()), (3, 0));
    assert_eq!(simplefin::DAILY_REQUEST_QUOTA, 24);
}
