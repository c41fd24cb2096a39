//! Readiness and the `check` self-test.

use crate::{App, Error, Result};

/// What `/readyz` reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Readiness {
    pub database: &'static str,
    pub engine: &'static str,
}

/// Ready when the database answers a query.
pub async fn readiness(app: &App) -> Result<Readiness> {
    app.store.ping().await.map_err(|_| Error::Unavailable {
        retry_after: std::time::Duration::from_secs(5),
    })?;
    Ok(Readiness {
        database: "ok",
        engine: app.store.engine().as_str(),
    })
}

/// One line of `billtracker check`.
#[derive(Debug, Clone)]
pub struct CheckItem {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

/// The database self-test: reachable, migrated, consistent, audit chain whole.
pub async fn self_test(app: &App) -> Vec<CheckItem> {
    let mut items = Vec::new();
    let store = &app.store;
    let ping = store.ping().await;
    items.push(CheckItem {
        name: "database reachable",
        ok: ping.is_ok(),
        detail: store.engine().as_str().into(),
    });
    let migrations = store.applied_migrations().await;
    items.push(CheckItem {
        name: "migrations applied",
        ok: matches!(migrations, Ok(n) if n > 0),
        detail: migrations.map_or_else(|e| e.to_string(), |n| format!("{n} applied")),
    });
    let integrity = store.integrity_check().await;
    items.push(CheckItem {
        name: "integrity",
        ok: matches!(&integrity, Ok(s) if s == "ok"),
        detail: integrity.unwrap_or_else(|e| e.to_string()),
    });
    let chain = store.verify_audit_chain().await;
    items.push(CheckItem {
        name: "audit log chain",
        ok: matches!(chain, Ok(None)),
        detail: match chain {
            Ok(None) => "intact".into(),
            Ok(Some(seq)) => format!("broken at entry {seq}"),
            Err(e) => e.to_string(),
        },
    });
    items
}
