//! Reads the body of `GET /accounts` (v1 and v2) into an [`AccountSet`].
//!
//! The body must be a JSON object; anything else is refused as a whole. Inside it each
//! account, transaction, connection and message is read on its own: one that cannot be read
//! becomes an [`ItemProblem`] and the rest are kept. Unknown fields are ignored (holdings,
//! `extra`). Amounts are numeric strings read exactly (never as floats); timestamps are Unix
//! seconds where 0 means "none" (a pending transaction's `posted`), never 1970-01-01.

use chrono::{DateTime, Utc};
use domain::money::{Currency, Money};
use serde_json::{Map, Value};

use crate::decimal::parse_number;
use crate::model::{
    Account, AccountCurrency, AccountSet, Amount, BridgeCode, BridgeMessage, Connection,
    ItemProblem, Org, Transaction,
};
use crate::sanitise;

type Object = Map<String, Value>;

/// The longest id kept (ids are keys; a longer one is a broken item).
const MAX_ID_CHARS: usize = 256;
/// The longest custom-currency URL kept.
const MAX_CURRENCY_URL_CHARS: usize = 2048;

/// Reads a `/accounts` body. `Err` (a reason without any of the body's text) when it is not
/// a JSON object or has neither accounts nor messages.
pub fn account_set(body: &[u8]) -> Result<AccountSet, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        // serde_json names the line, column and kind of problem, never the text.
        format!("the answer is not JSON: {e}")
    })?;
    let Value::Object(top) = value else {
        return Err("the answer is not a JSON object".into());
    };
    if !["accounts", "errors", "errlist"]
        .iter()
        .any(|k| top.contains_key(*k))
    {
        return Err("the answer has no accounts and no errors".into());
    }
    let mut set = AccountSet::default();
    for (index, item) in list(&top, "errors", &mut set.problems).iter().enumerate() {
        match item.as_str() {
            Some(text) => set.messages.push(BridgeMessage {
                code: None,
                text: sanitise(text),
                conn_id: None,
                account_id: None,
            }),
            None => set.problems.push(problem(
                None,
                None,
                format!("errors[{index}] is not a text"),
            )),
        }
    }
    for (index, item) in list(&top, "errlist", &mut set.problems).iter().enumerate() {
        match message(item) {
            Ok(message) => set.messages.push(message),
            Err(reason) => {
                set.problems
                    .push(problem(None, None, format!("errlist[{index}] {reason}")))
            }
        }
    }
    // A server in migration sends each message twice (`errors` and `errlist`): keep the
    // coded one.
    let coded: Vec<String> = set
        .messages
        .iter()
        .filter(|m| m.code.is_some())
        .map(|m| m.text.clone())
        .collect();
    set.messages
        .retain(|m| m.code.is_some() || !coded.contains(&m.text));
    for (index, item) in list(&top, "connections", &mut set.problems)
        .iter()
        .enumerate()
    {
        match connection(item) {
            Ok(connection) => set.connections.push(connection),
            Err(reason) => {
                set.problems.push(problem(
                    None,
                    None,
                    format!("connections[{index}] {reason}"),
                ));
            }
        }
    }
    for (index, item) in list(&top, "accounts", &mut set.problems).iter().enumerate() {
        if let Some(account) = account(index, item, &mut set.problems) {
            set.accounts.push(account);
        }
    }
    Ok(set)
}

/// The array under `key` (absent or null: empty; another type: a problem, empty).
fn list<'a>(top: &'a Object, key: &str, problems: &mut Vec<ItemProblem>) -> &'a [Value] {
    match top.get(key) {
        None | Some(Value::Null) => &[],
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.push(problem(None, None, format!("{key} is not a list")));
            &[]
        }
    }
}

fn message(item: &Value) -> Result<BridgeMessage, String> {
    let object = item.as_object().ok_or("is not an object")?;
    let text = text(object, "msg")?
        .or(text(object, "message")?)
        .ok_or("has no msg or message")?;
    Ok(BridgeMessage {
        code: text_field(object, "code")?.map(|c| BridgeCode::parse(&c)),
        text: sanitise(&text),
        conn_id: read_id(object, "conn_id")?,
        account_id: read_id(object, "account_id")?,
    })
}

fn connection(item: &Value) -> Result<Connection, String> {
    let object = item.as_object().ok_or("is not an object")?;
    Ok(Connection {
        conn_id: read_id(object, "conn_id")?.ok_or("has no conn_id")?,
        name: text_field(object, "name")?,
        org_id: read_id(object, "org_id")?,
        org_name: text_field(object, "org_name")?,
        org_url: text_field(object, "org_url")?,
        sfin_url: text_field(object, "sfin_url")?,
    })
}

/// One account, or `None` with its problem recorded. Its unreadable transactions are
/// recorded too, and left out.
fn account(index: usize, item: &Value, problems: &mut Vec<ItemProblem>) -> Option<Account> {
    let Some(object) = item.as_object() else {
        problems.push(problem(
            None,
            None,
            format!("accounts[{index}] is not an object"),
        ));
        return None;
    };
    let account_id = match read_id(object, "id") {
        Ok(Some(id)) => id,
        Ok(None) => {
            problems.push(problem(None, None, format!("accounts[{index}] has no id")));
            return None;
        }
        Err(reason) => {
            problems.push(problem(None, None, format!("accounts[{index}] {reason}")));
            return None;
        }
    };
    let mut account = match account_fields(object, account_id.clone()) {
        Ok(account) => account,
        Err(reason) => {
            problems.push(problem(
                Some(&account_id),
                None,
                format!("account {reason}"),
            ));
            return None;
        }
    };
    let transactions = match object.get("transactions") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.push(problem(
                Some(&account_id),
                None,
                "transactions is not a list".into(),
            ));
            &[][..]
        }
    };
    for (index, item) in transactions.iter().enumerate() {
        match transaction(item, &account.currency) {
            Ok(transaction) => account.transactions.push(transaction),
            Err((transaction_id, reason)) => {
                let reason = match &transaction_id {
                    Some(_) => format!("transaction {reason}"),
                    None => format!("transactions[{index}] {reason}"),
                };
                problems.push(problem(
                    Some(&account_id),
                    transaction_id.as_deref(),
                    reason,
                ));
            }
        }
    }
    Some(account)
}

fn account_fields(object: &Object, id: String) -> Result<Account, String> {
    let currency_text = text(object, "currency")?.ok_or("has no currency")?;
    let currency = account_currency(&currency_text)?;
    let balance = amount(object, "balance", &currency)?.ok_or("has no balance")?;
    let org = match object.get("org") {
        None | Some(Value::Null) => None,
        Some(Value::Object(org)) => Some(Org {
            domain: text_field(org, "domain")?,
            name: text_field(org, "name")?,
            sfin_url: text_field(org, "sfin-url")?,
            url: text_field(org, "url")?,
            id: read_id(org, "id")?,
        }),
        Some(_) => return Err("has an org that is not an object".into()),
    };
    Ok(Account {
        id,
        name: text_field(object, "name")?.unwrap_or_default(),
        conn_id: read_id(object, "conn_id")?,
        org,
        available_balance: amount(object, "available-balance", &currency)?,
        balance_date: timestamp(object, "balance-date")?,
        currency,
        balance,
        transactions: Vec::new(),
    })
}

/// ISO 4217 from the built-in list, or an `http(s)` URL naming a custom currency.
fn account_currency(text: &str) -> Result<AccountCurrency, String> {
    let text = text.trim();
    if text.starts_with("https://") || text.starts_with("http://") {
        if text.chars().count() > MAX_CURRENCY_URL_CHARS || url::Url::parse(text).is_err() {
            return Err("has a custom currency that is not a valid URL".into());
        }
        return Ok(AccountCurrency::Custom(text.to_owned()));
    }
    Currency::parse("currency", text)
        .map(AccountCurrency::Iso)
        .map_err(|_| {
            format!(
                "has the currency {:?}, which is not supported",
                sanitise(text)
            )
        })
}

/// One transaction, or its id (when readable) and the reason.
fn transaction(
    item: &Value,
    currency: &AccountCurrency,
) -> Result<Transaction, (Option<String>, String)> {
    let object = item
        .as_object()
        .ok_or((None, "is not an object".to_owned()))?;
    let id = match read_id(object, "id") {
        Ok(Some(id)) => id,
        Ok(None) => return Err((None, "has no id".into())),
        Err(reason) => return Err((None, reason)),
    };
    let fields = || -> Result<Transaction, String> {
        let posted = timestamp(object, "posted")?;
        let pending = match object.get("pending") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(pending)) => *pending,
            Some(_) => return Err("has a pending flag that is not true or false".into()),
        };
        Ok(Transaction {
            amount: amount(object, "amount", currency)?.ok_or("has no amount")?,
            description: text_field(object, "description")?.unwrap_or_default(),
            payee: text_field(object, "payee")?,
            memo: text_field(object, "memo")?,
            transacted_at: timestamp(object, "transacted_at")?,
            pending: pending || posted.is_none(),
            posted,
            id: id.clone(),
        })
    };
    fields().map_err(|reason| (Some(id.clone()), reason))
}

/// A numeric string (or a JSON integer) in the account's currency; absent or null: `None`.
fn amount(
    object: &Object,
    key: &str,
    currency: &AccountCurrency,
) -> Result<Option<Amount>, String> {
    let decimal = match object.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => parse_number(text),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => parse_number(&n.to_string()),
        Some(_) => Err("is not a numeric string".to_owned()),
    }
    .map_err(|reason| format!("has a {key} that {reason}"))?;
    Ok(Some(match currency {
        AccountCurrency::Iso(currency) => {
            let minor = decimal
                .to_minor(u32::from(currency.exponent()))
                .map_err(|reason| format!("has a {key} that {reason} for {currency}"))?;
            Amount::Iso(Money::new(minor, *currency))
        }
        AccountCurrency::Custom(_) => Amount::Custom(decimal),
    }))
}

/// Unix seconds; absent, null or 0: `None`. Negative or out of range: refused.
fn timestamp(object: &Object, key: &str) -> Result<Option<DateTime<Utc>>, String> {
    let seconds = match object.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_i64(),
        Some(_) => None,
    }
    .ok_or_else(|| format!("has a {key} that is not whole Unix seconds"))?;
    match seconds {
        0 => Ok(None),
        s if s < 0 => Err(format!("has a {key} before 1970")),
        s => DateTime::from_timestamp(s, 0)
            .map(Some)
            .ok_or_else(|| format!("has a {key} out of range")),
    }
}

/// A string field as sent (absent or null: `None`).
fn text(object: &Object, key: &str) -> Result<Option<String>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(format!("has a {key} that is not a text")),
    }
}

/// A string field meant for a person: sanitised.
fn text_field(object: &Object, key: &str) -> Result<Option<String>, String> {
    Ok(text(object, key)?.map(|t| sanitise(&t)))
}

/// An id: a non-empty string (or integer) without control characters, at most 256 chars.
fn read_id(object: &Object, key: &str) -> Result<Option<String>, String> {
    let id = match object.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
        Some(_) => return Err(format!("has a {key} that is not a text")),
    };
    if id.is_empty() || id.chars().count() > MAX_ID_CHARS || id.chars().any(char::is_control) {
        return Err(format!(
            "has a {key} that is empty, too long or not printable"
        ));
    }
    Ok(Some(id))
}

fn problem(account_id: Option<&str>, transaction_id: Option<&str>, reason: String) -> ItemProblem {
    ItemProblem {
        account_id: account_id.map(str::to_owned),
        transaction_id: transaction_id.map(str::to_owned),
        reason: sanitise(&reason),
    }
}

#[cfg(test)]
mod tests;
