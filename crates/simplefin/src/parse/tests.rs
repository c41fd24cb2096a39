#![allow(clippy::unwrap_used, clippy::panic)]

use domain::money::Currency;
use serde_json::json;

use super::*;

fn read(body: serde_json::Value) -> AccountSet {
    account_set(body.to_string().as_bytes()).unwrap()
}

fn usd(minor: i64) -> Amount {
    Amount::Iso(Money::new(minor, Currency::USD))
}

fn at(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
}

#[test]
fn reads_a_v1_answer_with_org_errors_and_transactions() {
    let set = read(json!({
        "errors": ["Connection to Example Bank may need attention"],
        "accounts": [{
            "org": {"domain": "bank.example", "name": "Example Bank", "sfin-url": "https://sfin.bank.example", "url": "https://bank.example", "id": "ORG-1"},
            "id": "ACT-1", "name": "Checking", "currency": "USD",
            "balance": "1234.56", "available-balance": "1000.00", "balance-date": 1_700_000_000,
            "transactions": [{
                "id": "TRN-1", "posted": 1_699_990_000, "amount": "-42.10",
                "description": "Power company", "payee": "Power Co", "memo": "autopay",
                "transacted_at": 1_699_980_000, "extra": {"category": "utilities"}
            }],
            "holdings": [{"id": "H1"}]
        }]
    }));
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    assert_eq!(set.messages.len(), 1);
    assert_eq!(set.messages[0].code, None);
    let account = &set.accounts[0];
    assert_eq!(account.id, "ACT-1");
    assert_eq!(account.currency, AccountCurrency::Iso(Currency::USD));
    assert_eq!(account.balance, usd(123_456));
    assert_eq!(account.available_balance, Some(usd(100_000)));
    assert_eq!(account.balance_date, at(1_700_000_000));
    let org = account.org.as_ref().unwrap();
    assert_eq!(org.sfin_url.as_deref(), Some("https://sfin.bank.example"));
    assert_eq!(org.id.as_deref(), Some("ORG-1"));
    let t = &account.transactions[0];
    assert_eq!(t.amount, usd(-4210));
    assert_eq!(t.posted, at(1_699_990_000));
    assert_eq!(t.transacted_at, at(1_699_980_000));
    assert_eq!(
        (t.payee.as_deref(), t.memo.as_deref()),
        (Some("Power Co"), Some("autopay"))
    );
    assert!(!t.pending, "absent pending is false");
}

#[test]
fn reads_a_v2_answer_with_connections_and_conn_ids() {
    let set = read(json!({
        "errlist": [],
        "connections": [{"conn_id": "CON-1", "name": "My Bank - Jo", "org_id": "INST-1", "org_name": "My Bank", "org_url": "https://bank.example", "sfin_url": "https://sfin.bank.example"}],
        "accounts": [{"id": "ACT-1", "name": "Savings", "conn_id": "CON-1", "currency": "EUR", "balance": "100.23", "balance-date": 978_366_153, "transactions": []}]
    }));
    assert!(set.problems.is_empty());
    assert_eq!(set.connections[0].conn_id, "CON-1");
    assert_eq!(set.connections[0].org_name.as_deref(), Some("My Bank"));
    assert_eq!(set.accounts[0].conn_id.as_deref(), Some("CON-1"));
    assert_eq!(set.accounts[0].org, None);
    assert_eq!(set.accounts[0].available_balance, None);
}

#[test]
fn every_errlist_code_is_typed_and_unknown_codes_are_kept() {
    let set = read(json!({
        "errlist": [
            {"code": "gen.auth", "msg": "Access denied"},
            {"code": "con.auth", "message": "Authentication required", "conn_id": "CON-1"},
            {"code": "act.failed", "msg": "Could not fetch", "account_id": "ACT-1"},
            {"code": "act.missingdata", "msg": "Some data is missing", "account_id": "ACT-2"},
            {"code": "new.thing", "msg": "Something new"},
            {"msg": "No code at all"}
        ],
        "accounts": []
    }));
    let codes: Vec<_> = set.messages.iter().map(|m| m.code.clone()).collect();
    assert_eq!(
        codes,
        vec![
            Some(BridgeCode::GeneralAuth),
            Some(BridgeCode::ConnectionAuth),
            Some(BridgeCode::AccountFailed),
            Some(BridgeCode::AccountMissingData),
            Some(BridgeCode::Unknown("new.thing".into())),
            None,
        ]
    );
    assert_eq!(
        set.messages[1].text, "Authentication required",
        "message is read like msg"
    );
    assert_eq!(set.messages[1].conn_id.as_deref(), Some("CON-1"));
    assert_eq!(set.messages[3].account_id.as_deref(), Some("ACT-2"));
    assert!(set.has_code(&BridgeCode::ConnectionAuth));
    assert_eq!(BridgeCode::AccountMissingData.as_str(), "act.missingdata");
}

#[test]
fn posted_zero_is_pending_with_no_date_never_1970() {
    let set = read(
        json!({"accounts": [{"id": "A", "currency": "USD", "balance": "0", "transactions": [
            {"id": "P1", "posted": 0, "amount": "-5.00", "description": "Coffee"},
            {"id": "P2", "posted": 0, "amount": "-6.00", "description": "Tea", "pending": true, "transacted_at": 0},
            {"id": "T3", "posted": 1_700_000_000, "amount": "-7.00", "description": "Cake", "pending": true}
        ]}]}),
    );
    let t = &set.accounts[0].transactions;
    assert_eq!((t[0].posted, t[0].pending), (None, true));
    assert_eq!(
        (t[1].posted, t[1].transacted_at, t[1].pending),
        (None, None, true)
    );
    assert_eq!((t[2].posted, t[2].pending), (at(1_700_000_000), true));
}

#[test]
fn a_custom_currency_url_keeps_exact_decimals() {
    let set = read(
        json!({"accounts": [{"id": "MILES", "name": "Air miles", "currency": "https://www.example.com/flight-miles",
        "balance": "12345.678901", "transactions": [{"id": "M1", "posted": 1_700_000_000, "amount": "0.000001"}]}]}),
    );
    let account = &set.accounts[0];
    assert_eq!(
        account.currency,
        AccountCurrency::Custom("https://www.example.com/flight-miles".into())
    );
    assert_eq!(
        account.balance,
        Amount::Custom(parse_number("12345.678901").unwrap())
    );
    assert_eq!(account.balance.money(), None);
    assert_eq!(
        account.transactions[0].amount.to_owned(),
        Amount::Custom(parse_number("0.000001").unwrap())
    );
}

#[test]
fn huge_negative_and_extra_decimal_amounts_are_exact_or_reported_never_rounded() {
    let set = read(
        json!({"accounts": [{"id": "A", "currency": "USD", "balance": "-92233720368547758.08", "transactions": [
            {"id": "BIG", "posted": 1, "amount": "92233720368547758.08"},
            {"id": "FLOAT", "posted": 1, "amount": 12.5},
            {"id": "CENT", "posted": 1, "amount": "0.001"},
            {"id": "EXP", "posted": 1, "amount": "1e3"},
            {"id": "INT", "posted": 1, "amount": 12},
            {"id": "OK", "posted": 1, "amount": "-0.01"}
        ]}]}),
    );
    let account = &set.accounts[0];
    assert_eq!(account.balance, usd(i64::MIN));
    let kept: Vec<_> = account
        .transactions
        .iter()
        .map(|t| (t.id.as_str(), t.amount))
        .collect();
    assert_eq!(kept, vec![("INT", usd(1200)), ("OK", usd(-1))]);
    let reported: Vec<_> = set
        .problems
        .iter()
        .map(|p| p.transaction_id.as_deref().unwrap())
        .collect();
    assert_eq!(reported, vec!["BIG", "FLOAT", "CENT", "EXP"]);
    assert!(
        set.problems
            .iter()
            .all(|p| p.account_id.as_deref() == Some("A"))
    );
    assert!(
        set.problems[0].reason.contains("too large"),
        "{}",
        set.problems[0].reason
    );
    assert!(
        set.problems[2].reason.contains("the currency has 2"),
        "{}",
        set.problems[2].reason
    );
}

#[test]
fn one_bad_account_or_transaction_is_reported_and_the_rest_kept() {
    let set = read(json!({"accounts": [
        "not an object",
        {"name": "no id", "currency": "USD", "balance": "1"},
        {"id": "NOCUR", "balance": "1"},
        {"id": "BADCUR", "currency": "XXX", "balance": "1"},
        {"id": "BADBAL", "currency": "USD", "balance": "lots"},
        {"id": "GOOD", "currency": "USD", "balance": "1", "transactions": [
            42,
            {"amount": "1.00", "posted": 1},
            {"id": "NEG", "posted": -5, "amount": "1.00"},
            {"id": "STRDATE", "posted": "yesterday", "amount": "1.00"},
            {"id": "NOAMT", "posted": 1},
            {"id": "BADPEND", "posted": 1, "amount": "1", "pending": "yes"},
            {"id": "FINE", "posted": 1, "amount": "1.00"}
        ]}
    ]}));
    assert_eq!(set.accounts.len(), 1);
    assert_eq!(set.accounts[0].id, "GOOD");
    assert_eq!(set.accounts[0].transactions.len(), 1);
    assert_eq!(set.accounts[0].transactions[0].id, "FINE");
    assert_eq!(set.problems.len(), 11, "{:#?}", set.problems);
    let badcur = set
        .problems
        .iter()
        .find(|p| p.account_id.as_deref() == Some("BADCUR"))
        .unwrap();
    assert!(badcur.reason.contains("XXX") && badcur.reason.contains("not supported"));
}

#[test]
fn garbage_or_a_non_object_is_refused_as_a_whole_without_quoting_it() {
    for body in [
        &b"<html>secret-token</html>"[..],
        b"",
        b"[]",
        b"\"text\"",
        b"{}",
        b"{\"accounts\": ",
    ] {
        let reason = account_set(body).unwrap_err();
        assert!(!reason.contains("secret-token"), "{reason}");
    }
    // Lists of the wrong type are problems, not a failure.
    let set = read(json!({"errors": "one string", "accounts": []}));
    assert_eq!(set.problems.len(), 1);
}

#[test]
fn every_text_for_a_person_is_sanitised_and_ids_are_kept_as_sent() {
    let long = "x".repeat(5000);
    let set = read(json!({
        "errors": ["Reconnect\u{202E}won\u{202C} \u{0}now", 7],
        "accounts": [{"id": "ID with spaces", "name": long, "currency": "USD", "balance": "1",
            "org": {"name": "Bank\r\nInjected: header"},
            "transactions": [{"id": "T1", "posted": 1, "amount": "1", "description": "\u{2066}Rent\u{2069}\tJune", "payee": "\u{1b}[2J"}]}]
    }));
    assert_eq!(set.messages[0].text, "Reconnectwon now");
    assert_eq!(set.problems.len(), 1, "the number in errors");
    let account = &set.accounts[0];
    assert_eq!(account.id, "ID with spaces");
    assert_eq!(account.name.chars().count(), crate::MAX_TEXT_CHARS);
    assert_eq!(
        account.org.as_ref().unwrap().name.as_deref(),
        Some("Bank Injected: header")
    );
    assert_eq!(account.transactions[0].description, "Rent June");
    assert_eq!(account.transactions[0].payee.as_deref(), Some("[2J"));
}

#[test]
fn ids_that_are_empty_too_long_or_hold_control_characters_are_problems() {
    let set = read(
        json!({"accounts": [{"id": "A", "currency": "JPY", "balance": "100", "transactions": [
            {"id": "", "posted": 1, "amount": "1"},
            {"id": "x".repeat(257), "posted": 1, "amount": "1"},
            {"id": "a\nb", "posted": 1, "amount": "1"},
            {"id": 12345, "posted": 1, "amount": "1"}
        ]}]}),
    );
    assert_eq!(
        set.accounts[0].balance,
        Amount::Iso(Money::new(100, Currency::parse("c", "JPY").unwrap()))
    );
    assert_eq!(set.accounts[0].transactions.len(), 1);
    assert_eq!(set.accounts[0].transactions[0].id, "12345");
    assert_eq!(set.problems.len(), 3);
}

#[test]
fn a_message_sent_both_as_errors_and_errlist_is_shown_once_with_its_code() {
    let set = read(json!({
        "errors": ["Authentication required", "Range too long"],
        "errlist": [{"code": "con.auth", "message": "Authentication required", "conn_id": "C"}],
        "accounts": []
    }));
    let shown: Vec<_> = set
        .messages
        .iter()
        .map(|m| (m.code.clone(), m.text.as_str()))
        .collect();
    assert_eq!(
        shown,
        vec![
            (None, "Range too long"),
            (Some(BridgeCode::ConnectionAuth), "Authentication required")
        ]
    );
}
