//! Syncing one connection, and the background job that syncs the due ones.
//!
//! One sync, under the connection's own lease (`bank-sync:<id>`, so two instances never sync
//! one connection at once):
//! 1. the window: the routine 30 days back, 44 on a connection's first sync, or a backfill's
//!    days — cut into ≤ 90-day windows, each one request;
//! 2. each request first takes one of the connection's 24 a day ([`Store::take_sync_request`]);
//!    none left: the sync stops there and says so;
//! 3. the answer updates the reported accounts (balances, health from the Bridge's messages,
//!    `gone` when no longer reported); each monitored account that feeds a bank account is
//!    reconciled ([`super::reconcile`]) and written in one transaction; the new rows run
//!    through the person's merchant rules, so autopay bills turn verified without typing;
//! 4. the balance check: between two syncs, the Bridge's balance should move by what arrived;
//!    the difference is kept as the account's `balance_gap_minor` (a warning: missing rows);
//! 5. the outcome: health (needs reconnect on 403 or `con.auth`/`gen.auth`, payment required
//!    on 402, failing otherwise), the last error as a fixed code with the Bridge's sanitised
//!    words, and the next attempt after a failure (backoff 15 min × 2^failures, at most 4 h;
//!    after 3 failures in a row 4 hours).
//!
//! A failing connection never stops the others: [`sync_due`] records its error and goes on.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::id::UserId;
use outbound::OutboundClient;
use simplefin::{AccessUrl, Account, AccountSet, BridgeCode, Query};
use store::sync_accounts::{AccountSynced, ReportedAccount, SyncAccountRow};
use store::sync_connections::{SyncConnectionRow, SyncOutcome};

use super::reconcile::{Incoming, reconcile};
use crate::auth::{Principal, RequestMeta};
use crate::{App, Error, Result};

/// The largest answer read (a year of a busy account is a few MB).
const MAX_ANSWER_BYTES: u64 = 16 * 1024 * 1024;
/// The longest a request to a Bridge may take.
const REQUEST_TIMEOUT: StdDuration = StdDuration::from_secs(30);
/// Failures in a row after which a connection waits for the next routine run.
const ATTEMPTS: i64 = 3;
/// A connection synced within this long is skipped by the background run.
pub const SKIP_WITHIN_MINUTES: i64 = 60;

/// How far back one sync reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// 30 days, or 44 on the connection's first sync.
    Routine,
    /// A backfill of this many days.
    Days(i64),
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub new: usize,
    pub posted: usize,
    pub removed: usize,
    /// New rows kept and flagged as possible duplicates.
    pub flagged: usize,
    pub matched_by_rules: usize,
    /// Why it stopped (a fixed code and the Bridge's sanitised words), when it failed.
    pub error: Option<String>,
    /// The requests the daily quota still allows.
    pub quota_left: i64,
}

/// The outbound client for Bridges: the instance's policy (SSRF rules, allow-lists), a 30 s
/// timeout and a 16 MB answer cap.
pub fn client(app: &App) -> Result<OutboundClient> {
    let policy = app
        .outbound()
        .map_err(Error::internal)?
        .policy()
        .clone()
        .with_timeout(REQUEST_TIMEOUT)
        .with_max_response_bytes(MAX_ANSWER_BYTES);
    OutboundClient::new(policy).map_err(Error::internal)
}

/// Reads a new connection's accounts (balances only) and records them.
pub(crate) async fn refresh_accounts(
    app: &App,
    connection: &SyncConnectionRow,
    access: &AccessUrl,
) -> Result<()> {
    let now = app.now();
    if !take_request(app, connection, now).await? {
        return Ok(());
    }
    let client = client(app)?;
    match simplefin::fetch(&client, access, &Query::balances()).await {
        Ok(set) => {
            report_accounts(app, connection, &set).await?;
            Ok(())
        }
        Err(err) => {
            record_failure(app, connection, &err, now).await?;
            Ok(())
        }
    }
}

async fn take_request(
    app: &App,
    connection: &SyncConnectionRow,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(app
        .store
        .take_sync_request(
            connection.id,
            now - Duration::days(1),
            i64::from(simplefin::DAILY_REQUEST_QUOTA),
            now,
        )
        .await?)
}

/// Syncs one connection over `span`.
pub async fn sync_connection(
    app: &App,
    connection: &SyncConnectionRow,
    span: Span,
) -> Result<SyncReport> {
    let now = app.now();
    let holder = uuid::Uuid::now_v7().to_string();
    let lease = format!("bank-sync:{}", connection.id);
    if !app
        .store
        .acquire_lease(&lease, &holder, now + Duration::minutes(10), now)
        .await?
    {
        return Err(Error::Conflict {
            field: "connection".into(),
            message: "this connection is syncing already".into(),
        });
    }
    let result = sync_under_lease(app, connection, span, now).await;
    app.store.release_lease(&lease, &holder).await?;
    result
}

async fn sync_under_lease(
    app: &App,
    connection: &SyncConnectionRow,
    span: Span,
    now: DateTime<Utc>,
) -> Result<SyncReport> {
    let sealed = app
        .store
        .sync_access(connection.user_id, connection.id)
        .await?;
    let access = super::open_access(app, connection, &sealed)?;
    let days = match span {
        Span::Days(days) => days,
        Span::Routine if connection.last_success_at.is_none() => {
            simplefin::FIRST_SYNC_LOOKBACK_DAYS
        }
        Span::Routine => simplefin::ROUTINE_LOOKBACK_DAYS,
    };
    let client = client(app)?;
    let mut report = SyncReport::default();
    let mut messages = Vec::new();
    let mut new_data = false;
    for (start, end) in simplefin::windows(now - Duration::days(days), now + Duration::days(1)) {
        if !take_request(app, connection, app.now()).await? {
            report.error = Some(
                "quota: the Bridge's 24 requests a day are used; the next sync will go on".into(),
            );
            break;
        }
        let set = match simplefin::fetch(&client, &access, &Query::range(start, end)).await {
            Ok(set) => set,
            Err(err) => {
                report.error = Some(record_failure(app, connection, &err, now).await?);
                return finish(app, connection, report).await;
            }
        };
        messages.extend(set.messages.iter().map(|m| m.text.clone()));
        let chosen = report_accounts(app, connection, &set).await?;
        for account in &set.accounts {
            let Some(row) = chosen.iter().find(|r| r.remote_id == account.id) else {
                continue;
            };
            let (written, arrived) =
                sync_account(app, connection.user_id, row, account, (start, end)).await?;
            new_data |= written.new > 0;
            report.new += written.new;
            report.posted += written.posted;
            report.removed += written.removed;
            report.flagged += written.flagged;
            report.matched_by_rules += written.matched_by_rules;
            let current = end > now;
            check_balance(
                app,
                row,
                account,
                arrived,
                (start, current),
                written.new > 0,
            )
            .await?;
        }
        if set.has_code(&BridgeCode::ConnectionAuth) || set.has_code(&BridgeCode::GeneralAuth) {
            let text = set
                .messages
                .iter()
                .find(|m| {
                    matches!(
                        m.code,
                        Some(BridgeCode::ConnectionAuth | BridgeCode::GeneralAuth)
                    )
                })
                .map_or_else(String::new, |m| m.text.clone());
            record(
                app,
                connection,
                "needs_reconnect",
                Some(format!("con.auth: {text}")),
                &messages,
                0,
                None,
                false,
                new_data,
                None,
            )
            .await?;
            report.error = Some(format!("con.auth: {text}"));
            return finish(app, connection, report).await;
        }
    }
    if report.error.is_none() {
        let counts = serde_json::json!({
            "new": report.new, "posted": report.posted, "removed": report.removed,
            "flagged": report.flagged, "matched_by_rules": report.matched_by_rules,
        });
        record(
            app,
            connection,
            "ok",
            None,
            &messages,
            0,
            None,
            true,
            new_data,
            Some(counts.to_string()),
        )
        .await?;
    }
    finish(app, connection, report).await
}

async fn finish(
    app: &App,
    connection: &SyncConnectionRow,
    mut report: SyncReport,
) -> Result<SyncReport> {
    let used = app
        .store
        .sync_requests_since(connection.id, app.now() - Duration::days(1))
        .await?;
    report.quota_left = (i64::from(simplefin::DAILY_REQUEST_QUOTA) - used).max(0);
    Ok(report)
}

#[allow(
    clippy::too_many_arguments,
    reason = "one row's worth of outcome fields"
)]
async fn record(
    app: &App,
    connection: &SyncConnectionRow,
    health: &str,
    error: Option<String>,
    messages: &[String],
    failures: i64,
    next_attempt_at: Option<DateTime<Utc>>,
    succeeded: bool,
    new_data: bool,
    report: Option<String>,
) -> Result<()> {
    let mut shown: Vec<&String> = Vec::new();
    for m in messages {
        if !shown.contains(&m) && shown.len() < 20 {
            shown.push(m);
        }
    }
    app.store
        .record_sync_outcome(
            connection.id,
            &SyncOutcome {
                health: health.into(),
                error,
                messages: serde_json::to_string(&shown).unwrap_or_else(|_| "[]".into()),
                failures,
                next_attempt_at,
                succeeded,
                new_data,
                report,
            },
            app.now(),
        )
        .await?;
    Ok(())
}

/// Records a failed request on the connection; returns the error's words.
async fn record_failure(
    app: &App,
    connection: &SyncConnectionRow,
    err: &simplefin::Error,
    now: DateTime<Utc>,
) -> Result<String> {
    let (health, failures, next) = if err.needs_reconnect() {
        ("needs_reconnect", connection.failures + 1, None)
    } else if matches!(err, simplefin::Error::PaymentRequired) {
        ("payment_required", connection.failures + 1, None)
    } else {
        let failures = connection.failures + 1;
        let backoff = if failures >= ATTEMPTS {
            Duration::hours(4)
        } else {
            Duration::minutes(15 * (1_i64 << failures.clamp(0, 4))).min(Duration::hours(4))
        };
        let retry_after = match err {
            simplefin::Error::RateLimited {
                retry_after: Some(wait),
            } => Duration::from_std(*wait).unwrap_or(backoff).max(backoff),
            _ => backoff,
        };
        ("failing", failures, Some(now + retry_after))
    };
    let words = format!("{}: {err}", err.code());
    tracing::info!(connection = %connection.id, code = err.code(), "bank sync request failed");
    record(
        app,
        connection,
        health,
        Some(words.clone()),
        &[],
        failures,
        next,
        false,
        false,
        None,
    )
    .await?;
    Ok(words)
}

/// Records what the answer says about each account; returns the monitored ones that feed a
/// bank account.
async fn report_accounts(
    app: &App,
    connection: &SyncConnectionRow,
    set: &AccountSet,
) -> Result<Vec<SyncAccountRow>> {
    let now = app.now();
    let mut chosen = Vec::new();
    for account in &set.accounts {
        let message = set
            .messages
            .iter()
            .find(|m| m.account_id.as_deref() == Some(account.id.as_str()))
            .cloned();
        let health = match message.as_ref().and_then(|m| m.code.as_ref()) {
            Some(BridgeCode::AccountMissingData) => "incomplete",
            Some(BridgeCode::AccountFailed) => "failed",
            _ => "ok",
        };
        let row = app
            .store
            .report_sync_account(
                connection.user_id,
                connection.id,
                &ReportedAccount {
                    remote_id: account.id.clone(),
                    name: account.name.clone(),
                    org_name: account
                        .org
                        .as_ref()
                        .and_then(|o| o.name.clone().or_else(|| o.domain.clone()))
                        .unwrap_or_default(),
                    currency: match &account.currency {
                        simplefin::AccountCurrency::Iso(c) => c.code().to_owned(),
                        simplefin::AccountCurrency::Custom(url) => url.clone(),
                    },
                    balance_minor: account.balance.money().map(|m| m.minor),
                    available_minor: account
                        .available_balance
                        .as_ref()
                        .and_then(|a| a.money())
                        .map(|m| m.minor),
                    balance_date: account.balance_date,
                    health: health.into(),
                    message: message.map(|m| m.text),
                },
                now,
            )
            .await?;
        if row.monitored && row.bank_account_id.is_some() && health != "failed" {
            chosen.push(row);
        }
    }
    if !set.accounts.is_empty() {
        let reported: Vec<String> = set.accounts.iter().map(|a| a.id.clone()).collect();
        app.store
            .mark_sync_accounts_gone(connection.id, &reported, now)
            .await?;
    }
    Ok(chosen)
}

/// What syncing one account wrote.
#[derive(Debug, Default)]
struct Written {
    new: usize,
    posted: usize,
    removed: usize,
    flagged: usize,
    matched_by_rules: usize,
}

/// Reconciles and writes one monitored account; returns what it wrote and the sum of the
/// amounts that arrived posted (new posted rows and pending rows that posted).
async fn sync_account(
    app: &App,
    owner: UserId,
    row: &SyncAccountRow,
    account: &Account,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> Result<(Written, i128)> {
    let Some(bank_account) = row.bank_account_id else {
        return Ok((Written::default(), 0));
    };
    let target = app.store.bank_account(owner, bank_account).await?;
    let incoming: Vec<Incoming> = account
        .transactions
        .iter()
        .filter_map(|t| {
            let money = t
                .amount
                .money()
                .filter(|m| m.currency.code() == target.currency)?;
            Some(Incoming {
                id: t.id.clone(),
                posted: t.posted,
                transacted_at: t.transacted_at,
                amount_minor: money.minor,
                payee: t.payee.clone().unwrap_or_else(|| t.description.clone()),
                memo: t.memo.clone().unwrap_or_default(),
                pending: t.pending,
            })
        })
        .collect();
    let today = app.now().date_naive();
    let from: NaiveDate = start.date_naive();
    let stored = app.store.synced_rows(owner, bank_account, from).await?;
    let changes = reconcile(&stored, &incoming, today, from..end.date_naive());
    let arrived: i128 = changes
        .new
        .iter()
        .filter(|t| !t.pending)
        .map(|t| i128::from(t.amount_minor))
        .chain(changes.posted.iter().map(|p| i128::from(p.amount_minor)))
        .sum();
    let written = app
        .store
        .write_synced(owner, bank_account, &target.currency, &changes, app.now())
        .await?;
    let mut result = Written {
        new: written.inserted.len(),
        posted: usize::try_from(written.posted).unwrap_or(usize::MAX),
        removed: usize::try_from(written.removed).unwrap_or(usize::MAX),
        flagged: changes
            .new
            .iter()
            .filter(|t| t.duplicate_of.is_some())
            .count(),
        matched_by_rules: 0,
    };
    if !written.inserted.is_empty() {
        let user = app.store.user(owner).await?;
        let principal = Principal::from_user(&user, None);
        let meta = RequestMeta {
            ip: None,
            user_agent: None,
            known_device: None,
        };
        let applied =
            crate::matching::apply::apply_rules_to(app, &principal, &meta, &written.inserted)
                .await?;
        result.matched_by_rules = applied.matched.len();
    }
    Ok((result, arrived))
}

/// The balance check: since the last check, the balance should have moved by what arrived.
/// Only a window that reaches now checks: an older one (a backfill's) brings rows the balance
/// moved for long ago, so the last check stays as it was.
async fn check_balance(
    app: &App,
    row: &SyncAccountRow,
    account: &Account,
    arrived: i128,
    (start, current): (DateTime<Utc>, bool),
    new_data: bool,
) -> Result<()> {
    let (balance, gap) = if current {
        let balance = account.balance.money().map(|m| m.minor);
        let gap = match (row.checked_balance_minor, balance) {
            (Some(before), Some(now)) => {
                let moved = i128::from(now) - i128::from(before);
                i64::try_from(moved - arrived).ok()
            }
            _ => None,
        };
        (balance, gap)
    } else {
        (row.checked_balance_minor, row.balance_gap_minor)
    };
    app.store
        .record_account_synced(
            row.id,
            &AccountSynced {
                synced_through: start,
                new_data,
                checked_balance_minor: balance,
                balance_gap_minor: gap,
            },
            app.now(),
        )
        .await?;
    Ok(())
}

/// One background pass. When the `bank-sync` lease (held for the interval) is free, a full
/// run: the due connections (oldest success first, none synced within the last hour). Else,
/// under a five-minute `bank-sync-retry` lease, the failing connections whose backoff is over
/// and that failed fewer than 3 times in a row (so a failure is retried after 15 and 30
/// minutes, then waits 4 hours). A failure is recorded on its connection and the pass goes on.
/// Returns how many were tried, or `None` when bank sync is off or another instance holds the
/// leases.
pub async fn sync_due(app: &App, holder: &str) -> Result<Option<usize>> {
    let settings = super::settings::load(app).await?;
    if !settings.enabled {
        return Ok(None);
    }
    let now = app.now();
    let until = now + Duration::hours(i64::from(settings.interval_hours));
    let due = if app
        .store
        .acquire_lease("bank-sync", holder, until, now)
        .await?
    {
        app.store
            .purge_sync_requests(now - Duration::days(2))
            .await?;
        app.store
            .due_sync_connections(now, now - Duration::minutes(SKIP_WITHIN_MINUTES), 500)
            .await?
    } else if app
        .store
        .acquire_lease("bank-sync-retry", holder, now + Duration::minutes(5), now)
        .await?
    {
        app.store.sync_retries_due(now, ATTEMPTS, 500).await?
    } else {
        return Ok(None);
    };
    for (id, owner) in &due {
        let connection = app.store.sync_connection(*owner, *id).await?;
        if let Err(err) = sync_connection(app, &connection, Span::Routine).await {
            tracing::warn!(connection = %id, error = %err, "bank sync of a connection failed");
        }
    }
    Ok(Some(due.len()))
}

/// Checks every five minutes whether a run is due ([`sync_due`]: on, and the `bank-sync`
/// lease of the last run, held for the interval, is over) until the task is dropped.
pub async fn run_background(app: App) {
    let holder = uuid::Uuid::now_v7().to_string();
    let mut ticker = tokio::time::interval(StdDuration::from_secs(300));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(err) = sync_due(&app, &holder).await {
            tracing::warn!(error = %err, "bank sync run failed; will retry");
        }
    }
}
