//! How long `Store::apply_import` takes to write N rows (default 100 000) into a fresh SQLite
//! file (or the PostgreSQL of `DATABASE_URL`): `cargo run --release -p store --example
//! apply_bench [rows]`. A figure for people, not a test.

#![allow(
    clippy::expect_used,
    reason = "a measurement stops at its first failure"
)]

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use store::Store;
use store::bank_accounts::NewBankAccount;
use store::db::{StoreOptions, Synchronous};
use store::imports::NewImport;
use store::transactions::NewTransaction;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::connect(&StoreOptions {
        database_url: std::env::var("DATABASE_URL").ok(),
        sqlite_path: dir.path().join("bench.sqlite"),
        synchronous: Synchronous::Normal,
        max_connections: 4,
        busy_timeout: Duration::from_secs(30),
    })
    .await
    .expect("connect");
    store.migrate().await.expect("migrate");
    let now = Utc::now();
    let owner = testkit::store_fixtures::user(&store, "bench").await;
    let import = store
        .create_import(
            owner,
            &NewImport {
                account_id: None,
                file_name: "bench.csv".into(),
                format: "csv".into(),
                rows_in_file: i64::try_from(rows).unwrap_or(0),
                preview: "{}".into(),
                expires_at: now + chrono::Duration::hours(1),
            },
            now,
        )
        .await
        .expect("import");
    let base = NaiveDate::from_ymd_opt(2017, 1, 1).expect("day");
    let new: Vec<NewTransaction> = (0..rows)
        .map(|i| NewTransaction {
            posted_on: base + chrono::Duration::days(i64::try_from(i % 3650).unwrap_or(0)),
            amount_minor: -1 - i64::try_from(i % 50_000).unwrap_or(0),
            payee: format!("Payee {}", i % 300),
            memo: format!("memo {i}"),
            category_id: None,
            pending: false,
            source_id: Some(format!("T{i}")),
            dedupe_key: format!("2017-01-01|-{i}|payee#{i}"),
            duplicate_of: None,
        })
        .collect();
    let account = NewBankAccount {
        name: "Checking".into(),
        currency: "USD".into(),
        institution: String::new(),
        last_digits: String::new(),
        source: "file".into(),
        external_id: None,
    };
    let started = Instant::now();
    store
        .apply_import(owner, import.id, Some(&account), &new, now)
        .await
        .expect("apply");
    println!(
        "{:?}: {rows} rows applied in {:.2} s",
        store.engine(),
        started.elapsed().as_secs_f64()
    );
}
