//! The audit log page (`GET /admin/audit-log`): newest first, filtered by action, actor and a
//! UTC date range, a page at a time (`before` is the cursor), with the hash chain's verdict on
//! top. The filters are a GET form, so a filtered view is a bookmarkable URL; a malformed date
//! comes back as an inline error with status 422 and no entries.

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::Invalid;
use domain::date::parse_date;
use service::account::{AuditSearch, search_audit};
use service::audit::{AuditEntry, chain_intact};

use super::AdminPage;
use crate::links;
use crate::pages::chrome;
use crate::pages::common::{with_cookie, with_param};
use crate::pages::kit::{Fail, PageError, PageResult};
use crate::pages::profile::labelled;
use crate::routes::Table;
use crate::views;
use crate::views::admin::{AuditFilters, AuditLogPage, AuditRow};

/// Entries per page.
const PAGE_SIZE: i64 = 50;

/// Actions offered as suggestions in the filter (any text may be typed).
const ACTIONS: [&str; 24] = [
    "login.success",
    "login.failure",
    "mfa.failure",
    "mfa.recovery_code_used",
    "mfa.totp_enrolment_started",
    "mfa.totp_enabled",
    "mfa.totp_disabled",
    "mfa.recovery_codes_regenerated",
    "mfa.policy",
    "reauth.success",
    "reauth.failure",
    "user.mfa_reset",
    "password.change",
    "password.change_refused",
    "profile.rename",
    "session.end",
    "sessions.end_all",
    "user.create",
    "user.update",
    "user.delete",
    "user.password_reset",
    "user.end_sessions",
    "demo.load",
    "demo.clear",
];

const LABELS: [(&str, &str); 2] = [("from", "From"), ("to", "To")];

/// The audit log's route.
pub(crate) fn routes(table: Table) -> Table {
    table.add("GET", links::ADMIN_AUDIT_LOG.path(), get(show))
}

/// Midnight UTC at the start of `day`.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// A blank filter is no filter.
fn given(raw: &str) -> Option<String> {
    let value = raw.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// The filters parsed into a search, or the date errors.
fn search(filters: &AuditFilters, before: Option<i64>) -> Result<AuditSearch, Vec<Invalid>> {
    let mut errors = Vec::new();
    let mut date = |field: &str, raw: &str| match given(raw) {
        Some(raw) => parse_date(field, &raw).map_err(|e| errors.push(e)).ok(),
        None => None,
    };
    let from = date("from", &filters.from);
    let to = date("to", &filters.to);
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        errors.push(Invalid::new("to", "must not be before the From date"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(AuditSearch {
        action: given(&filters.action),
        actor_name: given(&filters.actor),
        before_seq: before,
        from: from.map(start_of),
        // The whole `to` day is included: the range ends at the next midnight.
        until: to
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .map(start_of),
        limit: PAGE_SIZE,
    })
}

/// The log page for these filters, from the newest entry or below `before`.
fn href(filters: &AuditFilters, before: Option<i64>) -> String {
    let mut to = links::ADMIN_AUDIT_LOG.path().to_owned();
    for (name, value) in [
        ("action", &filters.action),
        ("actor", &filters.actor),
        ("from", &filters.from),
        ("to", &filters.to),
    ] {
        if !value.trim().is_empty() {
            to = with_param(&to, name, value.trim());
        }
    }
    match before {
        Some(seq) => with_param(&to, "before", &seq.to_string()),
        None => to,
    }
}

/// An entry's details as `key: value` pairs (the JSON object the service wrote).
fn detail(raw: &str) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(raw) else {
        return String::new();
    };
    map.iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| match value {
            serde_json::Value::String(text) => format!("{key}: {text}"),
            other => format!("{key}: {other}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn entry_row(entry: AuditEntry) -> AuditRow {
    AuditRow {
        seq: entry.seq,
        at: entry.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        at_iso: entry.at.to_rfc3339(),
        actor: entry.actor_name,
        action: entry.action,
        target: entry.target.unwrap_or_else(|| "—".to_owned()),
        ip: entry.ip.unwrap_or_else(|| "—".to_owned()),
        detail: detail(&entry.detail),
    }
}

/// The page asked for: the filters as typed and the cursor (`before`, an entry's sequence
/// number; one that is not a number is ignored, so the first page is shown).
fn asked(pairs: Vec<(String, String)>) -> (AuditFilters, Option<i64>) {
    let mut filters = AuditFilters::default();
    let mut before = None;
    for (name, value) in pairs {
        match name.as_str() {
            "action" => filters.action = value,
            "actor" => filters.actor = value,
            "from" => filters.from = value,
            "to" => filters.to = value,
            "before" => before = value.trim().parse::<i64>().ok(),
            _ => {}
        }
    }
    (filters, before)
}

/// What the log shows for a request: the chain's verdict, a page of entries and the cursor of
/// the next (older) one, or the filters' errors (422, no entries).
struct Found {
    intact: Option<bool>,
    entries: Vec<AuditEntry>,
    older: Option<i64>,
    errors: Vec<(String, String)>,
}

/// Reads the entries `filters` and `before` ask for. The chain is checked from its sealed
/// checkpoint (see `service::audit`) on the first, unfiltered page only.
async fn find(
    page: &AdminPage,
    filters: &AuditFilters,
    before: Option<i64>,
) -> Result<Found, PageError> {
    let (app, admin) = (&page.app, &page.admin);
    let query = match search(filters, before) {
        Ok(query) => query,
        Err(errors) => {
            let errors = errors.iter().map(|e| labelled(&LABELS, e)).collect();
            let (intact, entries, older) = (None, Vec::new(), None);
            return Ok(Found {
                intact,
                entries,
                older,
                errors,
            });
        }
    };
    let intact = if before.is_none() && *filters == AuditFilters::default() {
        Some(chain_intact(app, admin).await.not_shown(NOT_SHOWN)?)
    } else {
        None
    };
    let found = search_audit(app, admin, &query)
        .await
        .not_shown(NOT_SHOWN)?;
    let (entries, older, errors) = (found.entries, found.next_before, Vec::new());
    Ok(Found {
        intact,
        entries,
        older,
        errors,
    })
}

/// The error page's heading when the log could not be read.
const NOT_SHOWN: &str = "The audit log could not be shown";

/// The log page for `found`, on the filters and cursor asked for.
async fn draw(
    page: &AdminPage,
    filters: AuditFilters,
    before: Option<i64>,
    found: Found,
) -> Response {
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "Audit log");
    let status = if found.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = AuditLogPage {
        chrome,
        status,
        chain_intact: found.intact,
        entries: found.entries.into_iter().map(entry_row).collect(),
        older_href: found.older.map(|seq| href(&filters, Some(seq))),
        newest_href: before.map(|_| href(&filters, None)),
        filters,
        errors: found.errors,
        actions: ACTIONS.to_vec(),
    };
    with_cookie(views::render(&view), cookie)
}

/// `GET /admin/audit-log?action=&actor=&from=&to=&before=`.
pub async fn show(page: AdminPage, Query(pairs): Query<Vec<(String, String)>>) -> PageResult {
    let (filters, before) = asked(pairs);
    let found = find(&page, &filters, before).await?;
    Ok(draw(&page, filters, before, found).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_as_pairs_without_nulls() {
        assert_eq!(
            detail(r#"{"role":"admin","is_active":null,"renamed":false}"#),
            "renamed: false, role: admin"
        );
        assert_eq!(detail("not json"), "");
    }

    #[test]
    fn the_to_date_is_inclusive_and_checked() {
        let filters = AuditFilters {
            from: "2026-03-14".into(),
            to: "2026-03-14".into(),
            ..AuditFilters::default()
        };
        let query = search(&filters, None).map_err(|_| ()).unwrap();
        assert_eq!(
            query.until.map(|t| t.to_rfc3339()),
            Some("2026-03-15T00:00:00+00:00".to_owned())
        );
        let backwards = AuditFilters {
            from: "2026-03-15".into(),
            to: "2026-03-14".into(),
            ..AuditFilters::default()
        };
        let errors = search(&backwards, None).err().unwrap_or_default();
        assert_eq!(errors.first().map(|e| e.field.as_str()), Some("to"));
        let bad = AuditFilters {
            from: "14/03/2026".into(),
            ..AuditFilters::default()
        };
        assert!(search(&bad, None).is_err());
    }

    #[test]
    fn page_links_keep_the_filters() {
        let filters = AuditFilters {
            action: "user.create".into(),
            actor: "a b".into(),
            ..AuditFilters::default()
        };
        assert_eq!(
            href(&filters, Some(7)),
            "/admin/audit-log?action=user.create&actor=a%20b&before=7"
        );
    }
}
