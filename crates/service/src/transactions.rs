//! The caller's bank transactions: a page of them filtered, searched, sorted and counted, and
//! one of them. Transactions are written only by an applied import ([`crate::imports`]) or a
//! sync; matching changes their state ([`crate::matching`] when it lands).
//!
//! Amount bounds are typed in the chosen account's currency, or the user's currency when no
//! account is chosen (as the expense list does), and compared with the signed amount: money
//! out is negative, so "at most −50.00" finds payments of 50 or more.

use chrono::{DateTime, NaiveDate, Utc};
use domain::bill::Notes;
use domain::id::{BankAccountId, CategoryId, ExpenseId, ImportId, PaymentId, TransactionId};
use domain::money::{Currency, Money, parse_amount};
use domain::payment::Payee;
pub use store::expense_queries::SortDirection;
use store::expenses::ExpenseFields;
use store::transaction_edits::NOT_RECORDABLE;
pub use store::transactions::TransactionSort;
use store::transactions::{TransactionFilter, TransactionRow};

use crate::auth::Principal;
use crate::expenses::Expense;
use crate::preferences::{self, data_owner};
use crate::{App, Error, Result};

/// Where a transaction stands against the person's bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionState {
    Unmatched,
    Matched,
    Ignored,
}

impl TransactionState {
    pub const ALL: [TransactionState; 3] = [Self::Unmatched, Self::Matched, Self::Ignored];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unmatched => "unmatched",
            Self::Matched => "matched",
            Self::Ignored => "ignored",
        }
    }

    fn from_stored(text: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| Error::internal("stored transaction state"))
    }
}

/// Where a transaction came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionSource {
    File,
    Sync,
}

impl TransactionSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Sync => "sync",
        }
    }
}

/// A transaction as the person's pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub id: TransactionId,
    pub account_id: BankAccountId,
    pub posted_on: NaiveDate,
    /// Signed: money out is negative.
    pub amount: Money,
    pub payee: String,
    pub memo: String,
    pub category_id: Option<CategoryId>,
    pub pending: bool,
    pub source: TransactionSource,
    pub source_id: Option<String>,
    pub import_id: Option<ImportId>,
    pub state: TransactionState,
    pub payment_id: Option<PaymentId>,
    /// The live expense it was recorded as ([`record_as_expense`]).
    pub expense_id: Option<ExpenseId>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl Transaction {
    /// The stored row, typed.
    pub fn from_row(row: TransactionRow) -> Result<Self> {
        let currency = Currency::parse("currency", &row.currency)
            .map_err(|_| Error::internal("stored transaction currency"))?;
        Ok(Transaction {
            id: row.id,
            account_id: row.account_id,
            posted_on: row.posted_on,
            amount: Money::new(row.amount_minor, currency),
            payee: row.payee,
            memo: row.memo,
            category_id: row.category_id,
            pending: row.pending,
            source: if row.source == "sync" {
                TransactionSource::Sync
            } else {
                TransactionSource::File
            },
            source_id: row.source_id,
            import_id: row.import_id,
            state: TransactionState::from_stored(&row.state)?,
            payment_id: row.payment_id,
            expense_id: row.expense_id,
            created_at: row.created_at,
            version: row.version,
        })
    }
}

/// Which transactions to list and how; `limit`, `offset` and `text` are already checked.
#[derive(Debug, Clone, Default)]
pub struct TransactionQuery {
    pub account_id: Option<BankAccountId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Typed amounts (`min_amount`, `max_amount`), signed.
    pub min_amount: Option<String>,
    pub max_amount: Option<String>,
    pub state: Option<TransactionState>,
    /// Searched literally in payee and memo.
    pub text: Option<String>,
    pub sort: TransactionSort,
    pub direction: SortDirection,
    pub limit: i64,
    pub offset: i64,
}

/// A page of transactions and the number of all matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transactions {
    pub items: Vec<Transaction>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// A page of the caller's transactions matching `query`.
pub async fn list(
    app: &App,
    principal: &Principal,
    query: TransactionQuery,
) -> Result<Transactions> {
    let owner = data_owner(principal)?;
    let currency = match query.account_id {
        Some(account) => {
            let account = app.store.bank_account(owner, account).await?;
            Currency::parse("currency", &account.currency)
                .map_err(|_| Error::internal("stored account currency"))?
        }
        None => preferences::load(app, owner).await?.currency,
    };
    let bound = |field: &str, text: &Option<String>| {
        text.as_deref()
            .map(|text| parse_amount(field, text, currency))
            .transpose()
    };
    let filter = TransactionFilter {
        account: query.account_id,
        from: query.from,
        to: query.to,
        min_minor: bound("min_amount", &query.min_amount)?,
        max_minor: bound("max_amount", &query.max_amount)?,
        state: query.state.map(|s| s.as_str().to_owned()),
        text: query.text,
    };
    let page = app
        .store
        .transactions(
            owner,
            &filter,
            query.sort,
            query.direction == SortDirection::Desc,
            query.limit,
            query.offset,
        )
        .await?;
    Ok(Transactions {
        items: page
            .rows
            .into_iter()
            .map(Transaction::from_row)
            .collect::<Result<_>>()?,
        total: page.total,
        limit: query.limit,
        offset: query.offset,
    })
}

/// One of the caller's transactions.
pub async fn find(app: &App, principal: &Principal, id: TransactionId) -> Result<Transaction> {
    let owner = data_owner(principal)?;
    Transaction::from_row(app.store.transaction(owner, id).await?)
}

/// Sets (or with `None` clears) the spending category of one of the caller's transactions
/// still at `version`; budgets then count it (unless it backs a bill payment).
pub async fn set_category(
    app: &App,
    principal: &Principal,
    meta: &crate::auth::RequestMeta,
    id: TransactionId,
    category: Option<CategoryId>,
    version: i64,
) -> Result<Transaction> {
    let owner = data_owner(principal)?;
    let row = app
        .store
        .set_transaction_category(owner, id, category, version, app.now())
        .await?;
    crate::audit::record(
        app,
        &principal.actor(),
        "transaction.categorised",
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({"category_id": category.map(|c| c.to_string())}),
    )
    .await?;
    Transaction::from_row(row)
}

/// Records one of the caller's unmatched transactions of money out as an expense: the
/// transaction's day, amount (as money spent), currency and payee, with `category` (else the
/// transaction's own) and `note`. Budgets then count that expense and not the transaction; deleting
/// the expense undoes it (restoring the expense brings the link back).
pub async fn record_as_expense(
    app: &App,
    principal: &Principal,
    meta: &crate::auth::RequestMeta,
    id: TransactionId,
    category: Option<CategoryId>,
    note: Notes,
) -> Result<Expense> {
    let owner = data_owner(principal)?;
    let row = app.store.transaction(owner, id).await?;
    let amount_minor = row
        .amount_minor
        .checked_neg()
        .filter(|spent| *spent > 0)
        .ok_or_else(|| {
            Error::invalid(
                "transaction",
                "only money out can be recorded as an expense",
            )
        })?;
    let category_id = category.or(row.category_id);
    crate::expenses::require_live_category(app, owner, category_id).await?;
    let fields = ExpenseFields {
        category_id,
        amount_minor,
        currency: row.currency.clone(),
        spent_on: row.posted_on,
        payee: row.payee.chars().take(Payee::MAX_CHARS).collect(),
        note: note.as_str().to_owned(),
        method: String::new(),
    };
    let expense = app
        .store
        .record_transaction_as_expense(owner, id, &fields, app.now())
        .await
        .map_err(|err| match err {
            store::Error::Conflict { field } if field == NOT_RECORDABLE => Error::Conflict {
                field: "transaction".into(),
                message: "this transaction is matched to a bill, ignored, or recorded as an \
                          expense already"
                    .into(),
            },
            other => other.into(),
        })?;
    crate::audit::record(
        app,
        &principal.actor(),
        "transaction.recorded_as_expense",
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({"expense_id": expense.id.to_string()}),
    )
    .await?;
    crate::expenses::view(expense)
}
