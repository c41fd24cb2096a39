//! `GET /transactions`: the caller's bank transactions, filtered (account, dates, amounts,
//! status, text), sorted and paged 50 at a time, from a bookmarkable GET form. The query is
//! read by the same parser as `GET /api/transactions` (blank fields left out), so the page
//! and the API refuse the same input with the same words.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::Invalid;
use domain::id::{BankAccountId, TransactionId};
use domain::money::Currency;
use service::bank_accounts::{self, AccountInput};
use service::transactions::{self, Transactions};

use super::chrome;
use super::common::with_cookie;
use super::forms::{back_to, param};
use super::kit::{DataPage, Fail, PageResult};
use crate::api::bank::transaction_query;
use crate::auth::Meta;
use crate::extract::PathId;
use crate::links;
use crate::pages::with_notice;
use crate::routes::Table;
use crate::views;
use crate::views::bank::{AccountItem, RecentItem, TransactionRowView, TransactionsPage};

/// Rows on one page.
const PAGE_SIZE: i64 = 50;

/// The transactions routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::TRANSACTIONS.path(), get(show))
        .add(
            "POST",
            links::TRANSACTION_CATEGORY.template(),
            post(set_category),
        )
        .add("POST", links::BANK_ACCOUNTS.path(), post(add_account))
        .add(
            "POST",
            links::BANK_ACCOUNT_RENAME.template(),
            post(rename_account),
        )
}

/// `POST /transactions/accounts` (`name`, `currency`, `institution`, `last_digits`).
pub async fn add_account(
    page: DataPage,
    Meta(meta): Meta,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let text = |name: &str| param(&fields, name).unwrap_or_default();
    let input = AccountInput::parse(
        text("name"),
        Currency::parse("currency", text("currency"))?,
        text("institution"),
        text("last_digits"),
    )?;
    bank_accounts::create(&page.app, &page.user, &meta, input).await?;
    Ok(with_notice(links::TRANSACTIONS.path(), "account_added"))
}

/// `POST /transactions/accounts/{id}/rename` (`name`, `version`).
pub async fn rename_account(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<BankAccountId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let name = param(&fields, "name").unwrap_or_default();
    let version = param(&fields, "version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    bank_accounts::rename(&page.app, &page.user, &meta, id, name, version)
        .await
        .missing("There is no such account, or the link is wrong.")?;
    Ok(with_notice(links::TRANSACTIONS.path(), "account_renamed"))
}

/// `POST /transactions/{id}/category`: sets or clears the category, then back to the list.
pub async fn set_category(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let to = back_to(links::TRANSACTIONS.path(), param(&fields, "return_to"));
    let category = param(&fields, "category_id")
        .filter(|c| !c.trim().is_empty())
        .map(|c| {
            c.trim()
                .parse()
                .map_err(|_| Invalid::new("category_id", "is not a category"))
        })
        .transpose()
        .back_to(&to)?;
    let version = param(&fields, "version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    transactions::set_category(&page.app, &page.user, &meta, id, category, version)
        .await
        .back_to(&to)?;
    Ok(with_notice(&to, "categorised"))
}

/// `GET /transactions?…`.
pub async fn show(page: DataPage, Query(pairs): Query<Vec<(String, String)>>) -> PageResult {
    let ctx = page.context().await;
    let l = &ctx.locale;
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let number: i64 = value("page").parse().unwrap_or(1).clamp(1, 1_000_000);
    let kept: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, v)| !v.trim().is_empty() && k != "page" && k != "notice")
        .cloned()
        .collect();
    let raw = encode(&kept);
    let accounts = bank_accounts::list(&page.app, &page.user).await?;
    let categories = service::categories::list(&page.app, &page.user, false).await?;
    let recent = service::matching::recent_matches(&page.app, &page.user).await?;
    let mut errors = Vec::new();
    let found = match transaction_query(Some(&raw)) {
        Ok(mut query) => {
            query.limit = PAGE_SIZE;
            query.offset = (number - 1) * PAGE_SIZE;
            match transactions::list(&page.app, &page.user, query).await {
                Ok(found) => found,
                Err(service::Error::Invalid(invalid)) => {
                    errors.push((invalid.field, invalid.reason));
                    empty()
                }
                Err(err) => return Err(err.into()),
            }
        }
        Err(invalid) => {
            errors.push((invalid.field, invalid.reason));
            empty()
        }
    };
    let names: std::collections::HashMap<_, _> =
        accounts.iter().map(|a| (a.id, a.name.clone())).collect();
    let first = found.offset + 1;
    let last = found.offset + found.items.len() as i64;
    let link = |n: i64| {
        let mut with = kept.clone();
        with.push(("page".into(), n.to_string()));
        format!("{}?{}", links::TRANSACTIONS.path(), encode(&with))
    };
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "Transactions");
    let choose = |selected: &str, all: &[(&str, &str)]| {
        all.iter()
            .map(|(v, t)| ((*v).to_owned(), (*t).to_owned(), *v == selected))
            .collect()
    };
    let view = TransactionsPage {
        chrome,
        status: if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        accounts: accounts
            .iter()
            .map(|a| {
                let id = a.id.to_string();
                let selected = id == value("account_id");
                (id, format!("{} ({})", a.name, a.currency), selected)
            })
            .collect(),
        states: choose(
            &value("state"),
            &[
                ("unmatched", "Not matched"),
                ("matched", "Matched to a bill"),
                ("ignored", "Ignored"),
            ],
        ),
        sorts: choose(
            &value("sort"),
            &[("date", "Date"), ("amount", "Amount"), ("payee", "Payee")],
        ),
        q: value("q"),
        from: value("from"),
        to: value("to"),
        min_amount: value("min_amount"),
        max_amount: value("max_amount"),
        errors,
        rows: found
            .items
            .iter()
            .map(|t| TransactionRowView {
                id: t.id.to_string(),
                version: t.version,
                categories: super::transaction::category_choices(&categories, t.category_id),
                posted_on: l.date(t.posted_on),
                account: names.get(&t.account_id).cloned().unwrap_or_default(),
                payee: t.payee.clone(),
                memo: t.memo.clone(),
                amount: l.money_of(t.amount),
                money_in: t.amount.minor > 0,
                state: super::transaction::state_label(t),
                href: links::TRANSACTION.at(t.id),
            })
            .collect(),
        total: found.total,
        showing: if found.total == 0 {
            "No transactions".to_owned()
        } else {
            format!("Showing {first}–{last} of {}", found.total)
        },
        previous: (number > 1).then(|| link(number - 1)),
        next: (last < found.total).then(|| link(number + 1)),
        has_accounts: !accounts.is_empty(),
        return_to: link(number),
        notice: match value("notice").as_str() {
            "categorised" => Some("Category saved.".to_owned()),
            "unmatched" => Some("Unmatched: its payment was removed.".to_owned()),
            "account_added" => Some("Account added.".to_owned()),
            "account_renamed" => Some("Account renamed.".to_owned()),
            _ => None,
        },
        account_items: accounts
            .iter()
            .map(|a| AccountItem {
                id: a.id.to_string(),
                name: a.name.clone(),
                details: [
                    a.currency.clone(),
                    a.institution.clone(),
                    if a.last_digits.is_empty() {
                        String::new()
                    } else {
                        format!("…{}", a.last_digits)
                    },
                ]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
                version: a.version,
            })
            .collect(),
        currencies: Currency::all()
            .map(|c| (c.code().to_owned(), c.label(), c.code() == "USD"))
            .collect(),
        recent: recent
            .iter()
            .map(|m| RecentItem {
                transaction_id: m.transaction.id.to_string(),
                text: format!(
                    "{} {} → {} (due {})",
                    m.transaction.payee,
                    l.money_of(m.transaction.amount),
                    m.bill_name,
                    l.date(m.cycle_due)
                ),
                until: format!("Undo until {}", l.instant(m.undo_until)),
            })
            .collect(),
    };
    Ok(with_cookie(views::render(&view), cookie))
}

fn empty() -> Transactions {
    Transactions {
        items: Vec::new(),
        total: 0,
        limit: PAGE_SIZE,
        offset: 0,
    }
}

fn encode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                links::encode_component(k),
                links::encode_component(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}
