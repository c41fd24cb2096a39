//! Prints what the OFX reader finds in each file named on the command line, one JSON object
//! per line (`{"file", "statements": [{"account", "currency", "rows": [...]}]}` or
//! `{"file", "error"}`), for `scripts/ofx-differential` to compare with an independent parser.

use std::process::ExitCode;

use serde_json::json;

fn main() -> ExitCode {
    for path in std::env::args().skip(1) {
        let line = match std::fs::read(&path) {
            Err(e) => json!({"file": path, "error": e.to_string()}),
            Ok(bytes) => match bankfile::ofx::parse(&bytes, bankfile::Limits::default()) {
                Err(e) => json!({"file": path, "error": e.to_string()}),
                Ok(statements) => json!({
                    "file": path,
                    "statements": statements.iter().map(|s| json!({
                        "account": s.account.id,
                        "currency": s.account.currency,
                        "rows": s.rows.iter().map(|r| json!({
                            "date": r.posted.to_string(),
                            "amount": r.amount.to_string(),
                            "payee": r.payee,
                            "memo": r.memo,
                            "id": r.source_id,
                        })).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                }),
            },
        };
        println!("{line}");
    }
    ExitCode::SUCCESS
}
