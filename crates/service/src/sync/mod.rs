//! Bank sync with SimpleFIN: a user's connections to their Bridge, the accounts it reports,
//! and syncing their transactions into the user's bank accounts through the same
//! de-duplication and matching as file imports.
//!
//! - [`connect`] claims a pasted setup token once through the guarded outbound client (the
//!   claim URL is user input: the SSRF rules apply) and stores the access URL encrypted,
//!   bound to its row. Nothing else ever holds it: no answer, page, log line, error text or
//!   audit entry ([`simplefin::AccessUrl`] prints redacted). [`disconnect`] deletes it.
//! - [`choose_account`]: monitor a reported account and say which bank account it feeds (an
//!   existing one of its currency, or a new one) — also how a relinked account (a new id at
//!   the Bridge) is pointed at the bank account its old id fed.
//! - [`sync_now`] (rate-limited: [`Limit::BankSync`], 10 per 15 minutes per user), [`backfill`]
//!   (further back, in ≤ 90-day windows) and the background job ([`run::sync_due`]) all run
//!   [`run::sync_connection`]: see there for windows, quota, backoff and health.
//! - [`Health`] tells the truth per connection: needs reconnect, payment required, failing
//!   with the last error, incomplete data, stale (no new data for 48 hours), or ok.
//!
//! Bank sync must be switched on for the instance ([`settings`]: the administrator's switch,
//! else `BANK_SYNC_ENABLED`); off, connecting and syncing are refused (stored connections stay
//! and can be disconnected).

pub mod health;
pub mod reconcile;
pub mod run;
pub mod settings;

use domain::id::{BankAccountId, SyncAccountId, SyncConnectionId};
use simplefin::{AccessUrl, SetupToken};
use store::bank_accounts::NewBankAccount;
pub use store::sync_accounts::SyncAccountRow;
pub use store::sync_connections::SyncConnectionRow;

use crate::auth::{Principal, RequestMeta};
use crate::crypto::Aad;
use crate::preferences::data_owner;
use crate::rate_limit::{self, Limit};
use crate::{App, Error, Result, audit};
use health::view;

pub use health::{ConnectionView, Health, SyncCounts};
pub use run::SyncReport;
pub use simplefin::MAX_TOKEN_CHARS as SETUP_TOKEN_MAX_CHARS;

/// No new transaction for this long makes a connection or account stale.
pub const STALE_HOURS: i64 = 48;
/// The longest name of a connection.
pub const LABEL_MAX_CHARS: usize = 64;
/// The most days one backfill reaches back.
pub const BACKFILL_DAYS_MAX: i64 = 366;

/// Where a connection's access URL is stored: the cell its ciphertext is bound to.
pub(crate) fn access_aad(row: &str) -> Aad<'_> {
    Aad {
        table: "sync_connections",
        column: "access_url_enc",
        row,
    }
}

/// Which bank account a reported account feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    None,
    Existing(BankAccountId),
    /// A new bank account named after the reported one.
    New,
}

/// Whether bank sync is switched on for this instance ([`settings`]).
pub async fn enabled(app: &App) -> Result<bool> {
    Ok(settings::load(app).await?.enabled)
}

async fn require_enabled(app: &App) -> Result<()> {
    if enabled(app).await? {
        Ok(())
    } else {
        Err(Error::Conflict {
            field: "bank_sync".into(),
            message: "bank sync is switched off on this server (an administrator can switch it on)"
                .into(),
        })
    }
}

/// Claims `token` (a pasted setup token) and saves the connection, then reads its accounts
/// (balances only: nothing is synced until the person chooses accounts).
pub async fn connect(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    token: &str,
    label: Option<&str>,
) -> Result<ConnectionView> {
    let owner = data_owner(principal)?;
    require_enabled(app).await?;
    let label = label
        .map(|l| {
            domain::text::optional(l, |l| domain::text::bounded("label", l, 1, LABEL_MAX_CHARS))
        })
        .transpose()?
        .flatten();
    rate_limit::hit(app, Limit::BankSync, &user_subject(owner)).await?;
    let token = SetupToken::parse(token)?;
    let client = run::client(app)?;
    let access = simplefin::claim(&client, &token)
        .await
        .map_err(|err| claim_error(&err))?;
    let id = SyncConnectionId::new();
    let sealed = app.encrypt(access_aad(&id.to_string()), access.expose_secret())?;
    let label = label.as_deref().unwrap_or(access.host());
    let connection = app
        .store
        .create_sync_connection(owner, id, label, access.host(), &sealed, app.now())
        .await?;
    audit::record(
        app,
        &principal.actor(),
        "bank_sync.connected",
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({"host": access.host()}),
    )
    .await?;
    run::refresh_accounts(app, &connection, &access).await?;
    view(app, app.store.sync_connection(owner, id).await?).await
}

/// A refused claim, in words for the person (never the URL).
fn claim_error(err: &simplefin::Error) -> Error {
    match err {
        simplefin::Error::TokenAlreadyClaimed => Error::invalid(
            "setup_token",
            "the Bridge does not know this setup token, or it was used already — perhaps by \
             someone else. Make a new one at your SimpleFIN Bridge.",
        ),
        simplefin::Error::Refused { .. } | simplefin::Error::InvalidUrl => Error::invalid(
            "setup_token",
            "its address is not one this server may reach (it must be a public HTTPS address)",
        ),
        other => Error::invalid(
            "setup_token",
            format!("the Bridge could not be reached ({})", other.code()),
        ),
    }
}

pub(crate) fn user_subject(owner: domain::id::UserId) -> String {
    format!("user:{owner}")
}

/// The caller's connections with their accounts.
pub async fn connections(app: &App, principal: &Principal) -> Result<Vec<ConnectionView>> {
    let owner = data_owner(principal)?;
    let mut views = Vec::new();
    for connection in app.store.sync_connections(owner).await? {
        views.push(view(app, connection).await?);
    }
    Ok(views)
}

/// One of the caller's connections.
pub async fn connection(
    app: &App,
    principal: &Principal,
    id: SyncConnectionId,
) -> Result<ConnectionView> {
    let owner = data_owner(principal)?;
    view(app, app.store.sync_connection(owner, id).await?).await
}

/// Renames one of the caller's connections (1–[`LABEL_MAX_CHARS`] characters).
pub async fn rename(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: SyncConnectionId,
    label: &str,
) -> Result<ConnectionView> {
    let owner = data_owner(principal)?;
    let label = domain::text::bounded("label", label, 1, LABEL_MAX_CHARS)?;
    let renamed = app
        .store
        .rename_sync_connection(owner, id, &label, app.now())
        .await?;
    audit::record(
        app,
        &principal.actor(),
        "bank_sync.renamed",
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({}),
    )
    .await?;
    view(app, renamed).await
}

/// Deletes one of the caller's connections and its access URL (synced transactions stay).
pub async fn disconnect(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: SyncConnectionId,
) -> Result<()> {
    let owner = data_owner(principal)?;
    app.store.delete_sync_connection(owner, id).await?;
    audit::record(
        app,
        &principal.actor(),
        "bank_sync.disconnected",
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({}),
    )
    .await
}

/// Chooses whether one of the caller's reported accounts is monitored and which bank account
/// it feeds (still at `version`).
pub async fn choose_account(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: SyncAccountId,
    monitored: bool,
    target: Target,
    version: i64,
) -> Result<SyncAccountRow> {
    let owner = data_owner(principal)?;
    let account = app.store.sync_account(owner, id).await?;
    if account.version != version {
        // Before a new bank account is made for an edit that cannot be saved.
        return Err(store::Error::Stale.into());
    }
    let bank_account = match target {
        Target::None => None,
        Target::Existing(existing) => Some(existing),
        Target::New => {
            if domain::money::Currency::parse("currency", &account.currency).is_err() {
                return Err(Error::invalid(
                    "bank_account",
                    "this account's currency is not an ISO currency, so it cannot feed a bank account",
                ));
            }
            let made = app
                .store
                .create_bank_account(
                    owner,
                    &NewBankAccount {
                        name: account.name.clone(),
                        currency: account.currency.clone(),
                        institution: account.org_name.clone(),
                        last_digits: String::new(),
                        source: "sync".into(),
                        external_id: Some(account.remote_id.clone()),
                    },
                    app.now(),
                )
                .await?;
            Some(made.id)
        }
    };
    if monitored && bank_account.is_none() {
        return Err(Error::invalid(
            "bank_account",
            "choose the bank account a monitored account feeds",
        ));
    }
    let chosen = app
        .store
        .choose_sync_account(owner, id, monitored, bank_account, version, app.now())
        .await?;
    audit::record(
        app,
        &principal.actor(),
        "bank_sync.account_chosen",
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({"monitored": monitored, "bank_account_id": bank_account.map(|b| b.to_string())}),
    )
    .await?;
    Ok(chosen)
}

/// Syncs one of the caller's connections now (the routine 30 days, or 44 on its first sync).
pub async fn sync_now(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: SyncConnectionId,
) -> Result<SyncReport> {
    let owner = data_owner(principal)?;
    require_enabled(app).await?;
    let connection = app.store.sync_connection(owner, id).await?;
    rate_limit::hit(app, Limit::BankSync, &user_subject(owner)).await?;
    let report = run::sync_connection(app, &connection, run::Span::Routine).await?;
    audit_report(app, principal, meta, id, &report).await?;
    Ok(report)
}

/// Fetches `days` (up to 366) back for one of the caller's connections, in ≤ 90-day windows.
pub async fn backfill(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: SyncConnectionId,
    days: i64,
) -> Result<SyncReport> {
    let owner = data_owner(principal)?;
    require_enabled(app).await?;
    if !(1..=BACKFILL_DAYS_MAX).contains(&days) {
        return Err(Error::invalid(
            "days",
            format!("must be 1–{BACKFILL_DAYS_MAX}"),
        ));
    }
    let connection = app.store.sync_connection(owner, id).await?;
    rate_limit::hit(app, Limit::BankSync, &user_subject(owner)).await?;
    let report = run::sync_connection(app, &connection, run::Span::Days(days)).await?;
    audit_report(app, principal, meta, id, &report).await?;
    Ok(report)
}

async fn audit_report(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: SyncConnectionId,
    report: &SyncReport,
) -> Result<()> {
    let action = if report.error.is_some() {
        "bank_sync.failed"
    } else {
        "bank_sync.synced"
    };
    audit::record(
        app,
        &principal.actor(),
        action,
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({"new": report.new, "posted": report.posted, "removed": report.removed, "error": report.error}),
    )
    .await
}

/// Reads a stored access URL back (a ciphertext that does not open is an internal error,
/// logged without its text).
pub(crate) fn open_access(
    app: &App,
    connection: &SyncConnectionRow,
    sealed: &str,
) -> Result<AccessUrl> {
    let plain = app
        .decrypt_or_log(access_aad(&connection.id.to_string()), sealed)
        .ok_or_else(|| Error::internal("a stored access URL did not decrypt"))?;
    AccessUrl::parse(&plain).map_err(|_| Error::internal("a stored access URL did not parse"))
}
