//! What `/accounts` answers: the query parameters as the Bridge reads them, the filtering
//! (dates, pending, accounts, balances only, the 90-day cap) and the v1 / v2 JSON bodies.

use serde_json::{Value, json};

use super::{BridgeAccount, BridgeTransaction, ConnectionState};

/// The longest range one request gets; longer ones are cut, with a warning.
const MAX_RANGE_SECONDS: i64 = 90 * 86_400;
/// The warning of a cut range (in `errors`, as the real Bridge does).
pub const RANGE_WARNING: &str =
    "You requested more than 90 days of data. Only 90 days are returned.";

/// The query parameters of one `/accounts` request.
#[derive(Debug, Default)]
pub(crate) struct Params {
    start: Option<i64>,
    end: Option<i64>,
    pending: bool,
    accounts: Vec<String>,
    balances_only: bool,
    version2: bool,
}

impl Params {
    pub(crate) fn parse(query: &str) -> Self {
        let mut params = Self::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match &*key {
                "start-date" => params.start = value.parse().ok(),
                "end-date" => params.end = value.parse().ok(),
                "pending" => params.pending = value == "1",
                "account" => params.accounts.push(value.into_owned()),
                "balances-only" => params.balances_only = value == "1",
                "version" => params.version2 = value == "2",
                _ => {}
            }
        }
        params
    }
}

/// The JSON body for `connection` and `params`.
pub(crate) fn body(connection: &ConnectionState, params: &Params) -> String {
    let mut warnings = Vec::new();
    let mut end = params.end;
    if let Some(start) = params.start {
        let effective_end = end.unwrap_or_else(|| chrono::Utc::now().timestamp());
        if effective_end - start > MAX_RANGE_SECONDS {
            end = Some(start + MAX_RANGE_SECONDS);
            warnings.push(RANGE_WARNING.to_owned());
        }
    }
    let conn_id = format!("CON-{}", connection.username);
    let accounts: Vec<Value> = connection
        .accounts
        .iter()
        .filter(|a| params.accounts.is_empty() || params.accounts.contains(&a.id))
        .map(|a| account(a, params, end, params.version2.then_some(&conn_id)))
        .collect();
    if params.version2 {
        let errlist: Vec<Value> = connection
            .errlist
            .iter()
            .map(|e| {
                // Both spellings the protocol allows, so clients are tested on both.
                let text_key = if e.code.starts_with("con.") {
                    "message"
                } else {
                    "msg"
                };
                let mut entry = json!({"code": e.code, text_key: e.message, "conn_id": conn_id});
                if let Some(account_id) = &e.account_id {
                    entry["account_id"] = json!(account_id);
                }
                entry
            })
            .collect();
        let org = connection.accounts.first();
        json!({
            "errors": warnings,
            "errlist": errlist,
            "connections": [{
                "conn_id": conn_id,
                "name": org.map_or("Example Bank", |a| a.org_name.as_str()),
                "org_id": "INST-1",
                "org_name": org.map_or("Example Bank", |a| a.org_name.as_str()),
                "org_url": "https://bank.example",
                "sfin_url": "https://sfin.bank.example",
            }],
            "accounts": accounts,
        })
        .to_string()
    } else {
        warnings.extend(connection.errlist.iter().map(|e| e.message.clone()));
        json!({"errors": warnings, "accounts": accounts}).to_string()
    }
}

fn account(
    a: &BridgeAccount,
    params: &Params,
    end: Option<i64>,
    conn_id: Option<&String>,
) -> Value {
    let transactions: Vec<Value> = if params.balances_only {
        Vec::new()
    } else {
        a.transactions
            .iter()
            .filter(|t| included(t, params, end))
            .map(transaction)
            .collect()
    };
    let mut value = json!({
        "id": a.id,
        "name": a.name,
        "currency": a.currency,
        "balance": a.balance,
        "balance-date": a.balance_date,
        "transactions": transactions,
        "holdings": [],
    });
    if let Some(available) = &a.available_balance {
        value["available-balance"] = json!(available);
    }
    match conn_id {
        Some(conn_id) => value["conn_id"] = json!(conn_id),
        None => {
            value["org"] = json!({
                "domain": a.org_domain,
                "name": a.org_name,
                "sfin-url": "https://sfin.bank.example",
                "url": format!("https://{}", a.org_domain),
            })
        }
    }
    value
}

/// Pending ones only with `pending=1`; dated by `posted`, or `transacted_at` while pending.
fn included(t: &BridgeTransaction, params: &Params, end: Option<i64>) -> bool {
    if t.pending && !params.pending {
        return false;
    }
    let at = if t.posted != 0 {
        Some(t.posted)
    } else {
        t.transacted_at
    };
    let Some(at) = at else { return true };
    params.start.is_none_or(|start| at >= start) && end.is_none_or(|end| at < end)
}

fn transaction(t: &BridgeTransaction) -> Value {
    let mut value = json!({
        "id": t.id,
        "posted": t.posted,
        "amount": t.amount,
        "description": t.description,
    });
    if t.pending {
        value["pending"] = json!(true);
    }
    if let Some(at) = t.transacted_at {
        value["transacted_at"] = json!(at);
    }
    if let Some(payee) = &t.payee {
        value["payee"] = json!(payee);
    }
    if let Some(memo) = &t.memo {
        value["memo"] = json!(memo);
    }
    value
}
