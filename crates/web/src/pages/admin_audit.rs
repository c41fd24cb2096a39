//! The audit log page (`GET /admin/audit-log`): newest first, filtered by action, actor and a
//! UTC date range, a page at a time (`before` is the cursor), with the hash chain's verdict on
//! top. The filters are a GET form, so a filtered view is a bookmarkable URL; a malformed date
//! comes back as an inline error with status 422 and no entries.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::Invalid;
use domain::date::parse_date;
use service::account::{AuditSearch, search_audit};
use service::audit::{AuditEntry, chain_intact};

use super::admin::{AdminPageUser, unavailable};
use super::common::{with_cookie, with_param};
use super::profile::labelled;
use super::{PageContext, chrome};
use crate::AppState;
use crate::auth::Caller;
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
    table.add("GET", "/admin/audit-log", get(show))
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
    let mut to = "/admin/audit-log".to_owned();
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

/// `GET /admin/audit-log?action=&actor=&from=&to=&before=`.
pub async fn show(
    State(state): State<AppState>,
    AdminPageUser(admin): AdminPageUser,
    caller: Caller,
    ctx: PageContext,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let app = &state.app;
    let mut filters = AuditFilters::default();
    let mut before = None;
    for (name, value) in pairs {
        match name.as_str() {
            "action" => filters.action = value,
            "actor" => filters.actor = value,
            "from" => filters.from = value,
            "to" => filters.to = value,
            // A cursor that is not a number is ignored: the first page is shown.
            "before" => before = value.trim().parse::<i64>().ok(),
            _ => {}
        }
    }
    // The chain is checked from its sealed checkpoint (see `service::audit`), on the first,
    // unfiltered page only.
    let first_view = before.is_none() && filters == AuditFilters::default();
    let intact = if first_view {
        match chain_intact(app, &admin).await {
            Ok(intact) => Some(intact),
            Err(err) => return unavailable(app, &caller, &ctx, &err),
        }
    } else {
        None
    };
    let (status, entries, errors, older) = match search(&filters, before) {
        Ok(query) => match search_audit(app, &admin, &query).await {
            Ok(page) => (StatusCode::OK, page.entries, Vec::new(), page.next_before),
            Err(err) => return unavailable(app, &caller, &ctx, &err),
        },
        Err(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Vec::new(),
            errors.iter().map(|e| labelled(&LABELS, e)).collect(),
            None,
        ),
    };
    let (chrome, cookie) = chrome(app, &caller, &ctx, "Audit log");
    let page = AuditLogPage {
        chrome,
        chain_intact: intact,
        entries: entries.into_iter().map(entry_row).collect(),
        older_href: older.map(|seq| href(&filters, Some(seq))),
        newest_href: before.map(|_| href(&filters, None)),
        filters,
        errors,
        actions: ACTIONS.to_vec(),
    };
    let mut response = with_cookie(views::render(&page), cookie);
    *response.status_mut() = status;
    response
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
