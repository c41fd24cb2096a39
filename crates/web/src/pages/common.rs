//! What the data pages share: the banner-code plumbing of form redirects (`?notice=` /
//! `?error=` codes mapped to fixed messages, never reflected input) and the words of statuses
//! and relative dates (amounts and dates are written by [`crate::locale`]). Failures are the
//! page kit's ([`super::kit`]).

use axum::http::HeaderValue;
use axum::response::Response;
use chrono::NaiveDate;
use domain::status::OccurrenceStatus;

use super::with_cookies;

/// The message for `code` in a table of `(code, message)` pairs.
pub fn message(table: &[(&str, &'static str)], code: Option<&str>) -> Option<String> {
    let code = code?;
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, m)| (*m).to_owned())
}

/// Appends one `Set-Cookie` header (if any) to a response.
pub fn with_cookie(response: Response, cookie: Option<HeaderValue>) -> Response {
    with_cookies(response, [cookie])
}

pub use super::href::{encode_component, with_param};

pub use super::kit::banner_code;

/// The badge text and class of an occurrence's status.
pub fn badge(status: OccurrenceStatus) -> (&'static str, &'static str) {
    match status {
        OccurrenceStatus::Paid => ("Paid", "badge-paid"),
        OccurrenceStatus::Overpaid => ("Overpaid", "badge-paid"),
        OccurrenceStatus::Partial => ("Partial", "badge-accent"),
        OccurrenceStatus::DueSoon => ("Due soon", "badge-due"),
        OccurrenceStatus::Late => ("Late", "badge-late"),
        OccurrenceStatus::Missed => ("Missed", "badge-failed"),
        OccurrenceStatus::Skipped => ("Skipped", "badge-skipped"),
        OccurrenceStatus::Upcoming => ("Upcoming", "badge-neutral"),
    }
}

/// How far `due` is from `today`, in words.
pub fn relative(due: NaiveDate, today: NaiveDate) -> String {
    match (due - today).num_days() {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        -1 => "yesterday".to_owned(),
        days if days > 1 => format!("in {days} days"),
        days => format!("{} days ago", -days),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_are_told_relative_to_today() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default();
        assert_eq!(relative(day(17), day(14)), "in 3 days");
        assert_eq!(relative(day(15), day(14)), "tomorrow");
        assert_eq!(relative(day(14), day(14)), "today");
        assert_eq!(relative(day(13), day(14)), "yesterday");
        assert_eq!(relative(day(10), day(14)), "4 days ago");
    }

    #[test]
    fn params_are_encoded() {
        assert_eq!(with_param("/", "undo", "a b&"), "/?undo=a%20b%26");
        assert_eq!(with_param("/?x=1", "notice", "paid"), "/?x=1&notice=paid");
    }
}
