//! `/bank-sync`: bank sync with the person's SimpleFIN Bridge — the Connect form (a refused
//! setup token or name comes back as the page with 422 and the message under the field; the
//! token is never shown again), the connections with their health in words, and per account
//! the form that chooses whether it syncs and which bank account it feeds. Every POST calls
//! one service function and redirects (303) with a fixed notice; disconnecting needs its
//! ticked box.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::Invalid;
use domain::id::{SyncAccountId, SyncConnectionId};
use service::Error;
use service::bank_accounts::BankAccount;
use service::sync::{self, ConnectionView, Health, SyncAccountRow};

use super::chrome;
use super::common::{message, with_cookie};
use super::forms::{checked, error_message, param, version};
use super::kit::{DataPage, Fail, PageResult};
use crate::api::sync::{NEW_ACCOUNT, target};
use crate::auth::Meta;
use crate::extract::PathId;
use crate::links;
use crate::locale::Locale;
use crate::pages::with_notice;
use crate::routes::Table;
use crate::views;
use crate::views::sync::{BankSyncPage, ConnectionCard, SyncAccountItem};

/// The 404 page's words for a connection or account that is missing or someone else's.
const MISSING: &str =
    "There is no such bank-sync connection or account; it may have been disconnected.";

/// How far back the page's Backfill button reaches.
const BACKFILL_DAYS: i64 = 90;

/// The page's notices, by code.
const NOTICES: [(&str, &str); 6] = [
    (
        "connected",
        "Connected. Choose below which accounts sync, and into which bank account.",
    ),
    ("synced", "Synced."),
    (
        "sync_failed",
        "The sync did not finish; the connection's health says why.",
    ),
    ("backfilled", "Fetched the last 90 days."),
    (
        "disconnected",
        "Disconnected. The transactions it synced stay.",
    ),
    ("account_saved", "Saved."),
];

/// The page's error banners, by code (the rest are [`error_message`]'s).
const ERRORS: [(&str, &str); 3] = [
    (
        "conflict",
        "Nothing was saved: it changed since you opened the page, or bank sync is switched off. Reload the page and try again.",
    ),
    (
        "invalid",
        "Nothing was saved: a synced account needs the bank account it feeds, and only an account in a standard currency can feed one.",
    ),
    (
        "unconfirmed",
        "Tick the box to confirm that you want to disconnect.",
    ),
];

/// The bank-sync routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::BANK_SYNC.path(), get(show))
        .add("POST", links::BANK_SYNC.path(), post(connect))
        .add("POST", links::BANK_SYNC_SYNC.template(), post(sync_now))
        .add("POST", links::BANK_SYNC_BACKFILL.template(), post(backfill))
        .add(
            "POST",
            links::BANK_SYNC_DISCONNECT.template(),
            post(disconnect),
        )
        .add("POST", links::BANK_SYNC_ACCOUNT.template(), post(choose))
}

/// A refused Connect form: its status, the typed label and the errors.
#[derive(Default)]
struct Refusal {
    status: Option<StatusCode>,
    label: String,
    errors: Vec<(String, String)>,
}

/// `GET /bank-sync` (plus `notice` or `error` after a form).
pub async fn show(page: DataPage, Query(pairs): Query<Vec<(String, String)>>) -> PageResult {
    let banners = (
        message(&NOTICES, param(&pairs, "notice")),
        error_message(&ERRORS, param(&pairs, "error")),
    );
    show_page(&page, banners, Refusal::default()).await
}

async fn show_page(
    page: &DataPage,
    (notice, error): (Option<String>, Option<String>),
    refusal: Refusal,
) -> PageResult {
    let connections = sync::connections(&page.app, &page.user)
        .await
        .not_shown("Bank sync could not be shown")?;
    let accounts = service::bank_accounts::list(&page.app, &page.user).await?;
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "Bank sync");
    let view = BankSyncPage {
        chrome,
        status: refusal.status.unwrap_or(StatusCode::OK),
        enabled: sync::enabled(&page.app).await?,
        notice,
        error,
        label: refusal.label,
        errors: refusal.errors,
        connections: connections
            .iter()
            .map(|c| card(&ctx.locale, c, &accounts))
            .collect(),
    };
    Ok(with_cookie(views::render(&view), cookie))
}

/// A connection's health badge: its words and class.
fn health(l: &Locale, c: &ConnectionView) -> (String, &'static str) {
    let row = &c.connection;
    match c.health {
        Health::NeedsReconnect => (
            "Needs reconnect: your Bridge refused the credentials — make a new setup token".into(),
            "badge-failed",
        ),
        Health::PaymentRequired => ("Payment required at your Bridge".into(), "badge-failed"),
        Health::Failing => {
            let next = row
                .next_attempt_at
                .map(|at| format!(", next try {}", l.instant(at)))
                .unwrap_or_default();
            let error = row.last_error.as_deref().unwrap_or("unknown error");
            (format!("Failing: {error}{next}"), "badge-late")
        }
        Health::Incomplete => ("Incomplete data".into(), "badge-due"),
        Health::Stale => (
            format!("No new data for {} hours", sync::STALE_HOURS),
            "badge-due",
        ),
        Health::Ok => match row.last_success_at {
            Some(at) => (
                format!("OK, last synced {}", l.instant(at)),
                "badge-success",
            ),
            None => ("OK, not synced yet".into(), "badge-neutral"),
        },
    }
}

fn card(l: &Locale, c: &ConnectionView, accounts: &[BankAccount]) -> ConnectionCard {
    let (health, badge) = health(l, c);
    ConnectionCard {
        id: c.connection.id.to_string(),
        label: c.connection.label.clone(),
        host: c.connection.host.clone(),
        health,
        badge,
        messages: c.messages.clone(),
        last_sync: c.last_sync.map(last_sync_words),
        accounts: c.accounts.iter().map(|a| item(l, a, accounts)).collect(),
    }
}

/// What the last sync changed, in words: only the counts that are not zero.
fn last_sync_words(s: service::sync::SyncCounts) -> String {
    let parts: Vec<String> = [
        (s.new, "new"),
        (s.posted, "posted"),
        (s.removed, "pending removed"),
        (s.flagged, "possible duplicates"),
        (s.matched_by_rules, "matched to bills by your rules"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        "Last sync: nothing new.".to_owned()
    } else {
        format!("Last sync: {}.", parts.join(", "))
    }
}

fn item(l: &Locale, a: &SyncAccountRow, accounts: &[BankAccount]) -> SyncAccountItem {
    let currency = domain::money::Currency::parse("currency", &a.currency).ok();
    let money = |minor: Option<i64>| match (minor, currency) {
        (Some(minor), Some(currency)) => l.money(minor, currency),
        _ => "—".to_owned(),
    };
    let mut targets = Vec::new();
    if currency.is_some() {
        targets.push((NEW_ACCOUNT.to_owned(), "New account".to_owned(), false));
    }
    targets.extend(
        accounts
            .iter()
            .filter(|b| b.currency == a.currency)
            .map(|b| {
                let selected = Some(b.id) == a.bank_account_id;
                (b.id.to_string(), b.name.clone(), selected)
            }),
    );
    SyncAccountItem {
        id: a.id.to_string(),
        name: a.name.clone(),
        org: a.org_name.clone(),
        balance: money(a.balance_minor),
        available: money(a.available_minor),
        as_of: a
            .balance_date
            .map(|at| format!("as of {}", l.instant(at)))
            .unwrap_or_default(),
        health: match a.health.as_str() {
            "ok" => String::new(),
            "gone" => "No longer reported by the Bridge".into(),
            "failed" => "Failed at the bank".into(),
            _ => "Incomplete data".into(),
        },
        message: a.message.clone(),
        gap: a.balance_gap_minor.filter(|gap| *gap != 0).map(|gap| {
            format!(
                "The balance moved by {} more than the synced transactions explain: transactions may be missing.",
                money(Some(gap))
            )
        }),
        monitored: a.monitored,
        no_target: a.bank_account_id.is_none(),
        targets,
        version: a.version,
    }
}

/// `POST /bank-sync` (`setup_token`, optional `label`).
pub async fn connect(
    page: DataPage,
    Meta(meta): Meta,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let token = param(&fields, "setup_token").unwrap_or_default();
    let label = param(&fields, "label").unwrap_or_default();
    match sync::connect(&page.app, &page.user, &meta, token, Some(label)).await {
        Ok(_) => Ok(with_notice(links::BANK_SYNC.path(), "connected")),
        Err(Error::Invalid(invalid)) => {
            let refusal = Refusal {
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                label: label.to_owned(),
                errors: vec![field_error(&invalid)],
            };
            show_page(&page, (None, None), refusal).await
        }
        Err(err) => Err(err).back_to(links::BANK_SYNC.path()),
    }
}

/// A refusal under its field: `("label", "Name: must not be empty")`.
fn field_error(invalid: &Invalid) -> (String, String) {
    let label = match invalid.field.as_str() {
        "label" => "Name",
        _ => "Setup token",
    };
    (
        invalid.field.clone(),
        format!("{label}: {}", invalid.reason),
    )
}

/// `POST /bank-sync/{id}/sync`.
pub async fn sync_now(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<SyncConnectionId>,
    _: Form<Vec<(String, String)>>,
) -> PageResult {
    let report = sync::sync_now(&page.app, &page.user, &meta, id).await;
    reported(report, "synced")
}

/// `POST /bank-sync/{id}/backfill`: the last 90 days.
pub async fn backfill(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<SyncConnectionId>,
    _: Form<Vec<(String, String)>>,
) -> PageResult {
    let report = sync::backfill(&page.app, &page.user, &meta, id, BACKFILL_DAYS).await;
    reported(report, "backfilled")
}

/// Back to the page after a sync: `done`, or `sync_failed` when the report says it failed.
fn reported(report: service::Result<sync::SyncReport>, done: &str) -> PageResult {
    let report = report.back_to(links::BANK_SYNC.path()).missing(MISSING)?;
    let code = if report.error.is_some() {
        "sync_failed"
    } else {
        done
    };
    Ok(with_notice(links::BANK_SYNC.path(), code))
}

/// `POST /bank-sync/{id}/disconnect`: only with `confirm=true` (the ticked box).
pub async fn disconnect(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<SyncConnectionId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    if !param(&fields, "confirm").is_some_and(checked) {
        return Ok(super::see_other(
            &links::BANK_SYNC.with("error", "unconfirmed"),
        ));
    }
    sync::disconnect(&page.app, &page.user, &meta, id)
        .await
        .back_to(links::BANK_SYNC.path())
        .missing(MISSING)?;
    Ok(with_notice(links::BANK_SYNC.path(), "disconnected"))
}

/// `POST /bank-sync/accounts/{id}` (`monitored`, `bank_account_id`: blank, `new` or an id,
/// `version`).
pub async fn choose(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<SyncAccountId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let to = links::BANK_SYNC.path();
    let monitored = param(&fields, "monitored").is_some_and(checked);
    let target = target(param(&fields, "bank_account_id"));
    let version = version(param(&fields, "version").unwrap_or_default());
    sync::choose_account(
        &page.app,
        &page.user,
        &meta,
        id,
        monitored,
        target.back_to(to)?,
        version,
    )
    .await
    .back_to(to)
    .missing(MISSING)?;
    Ok(with_notice(to, "account_saved"))
}
