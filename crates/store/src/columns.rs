//! Column conversions shared by the tracking tables: calendar dates as ISO `YYYY-MM-DD` text
//! (so text order is date order on both engines), typed ids as UUID text, small integer lists
//! as JSON text, and literal `LIKE` patterns. A stored value that no longer parses is
//! [`Error::Corrupt`], never a panic.

use std::str::FromStr;

use chrono::NaiveDate;

use crate::{Error, Result};

/// The condition that a bill's or expense's category (`$3`) is none or one of the owner's
/// (`$2`): another user's category then matches no row, which the caller reports as `NotFound`.
pub(crate) const CATEGORY_IS_OWNED: &str = "($3 IS NULL OR EXISTS (SELECT 1 FROM categories \
     WHERE categories.id = $3 AND categories.user_id = $2))";

/// Returns transactions to unmatched; the caller adds the WHERE clause. Used wherever a
/// payment a transaction backs goes away (unmatch, deleting the payment, marking its
/// occurrence unpaid, deleting its bill for good), so no transaction stays matched to a
/// payment that is gone.
pub(crate) const UNMATCH_SET: &str = "UPDATE transactions SET state = 'unmatched', \
     payment_id = NULL, matched_at = NULL, matched_by = NULL";

/// The stored form of a calendar date.
pub(crate) fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

pub(crate) fn opt_date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(date_text)
}

pub(crate) fn parse_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| Error::Corrupt(format!("date {text}")))
}

pub(crate) fn parse_opt_date(text: Option<&str>) -> Result<Option<NaiveDate>> {
    text.map(parse_date).transpose()
}

/// A typed id from its stored text; `what` names it in the corruption message.
pub(crate) fn parse_id<T: FromStr>(what: &str, text: &str) -> Result<T> {
    text.parse()
        .map_err(|_| Error::Corrupt(format!("{what} id {text}")))
}

pub(crate) fn parse_opt_id<T: FromStr>(what: &str, text: Option<&str>) -> Result<Option<T>> {
    text.map(|text| parse_id(what, text)).transpose()
}

/// A list of small integers (reminder lead times, paydays) as a JSON array.
pub(crate) fn int_list_text(values: &[i64]) -> String {
    let items: Vec<String> = values.iter().map(i64::to_string).collect();
    format!("[{}]", items.join(","))
}

pub(crate) fn parse_int_list(text: &str) -> Result<Vec<i64>> {
    serde_json::from_str(text).map_err(|_| Error::Corrupt(format!("integer list {text}")))
}

/// A `LIKE` pattern matching `needle` anywhere, with `%`, `_` and `\` escaped so they match
/// themselves. Use it with `ESCAPE '\'`.
pub(crate) fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A unique violation renamed to the field the user can fix. Composite unique indexes name
/// their first column (`user_id`) or the whole index, neither of which a form can show.
pub(crate) fn conflict_on(field: &'static str) -> impl FnOnce(Error) -> Error {
    move |err| match err {
        Error::Conflict { .. } => Error::Conflict {
            field: field.to_owned(),
        },
        other => other,
    }
}

/// Why a versioned `UPDATE … WHERE version = $n` changed nothing: the row is gone (or not the
/// owner's) → `NotFound`; it is there with another version → `Stale`.
pub(crate) fn stale_or_missing(current_version: Option<i64>, expected: i64) -> Error {
    match current_version {
        Some(version) if version != expected => Error::Stale,
        _ => Error::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards_and_the_escape_character() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains_pattern(""), "%%");
    }

    #[test]
    fn dates_and_lists_round_trip_through_text() {
        let date = NaiveDate::from_ymd_opt(2025, 3, 9);
        assert_eq!(date.map(date_text).as_deref(), Some("2025-03-09"));
        assert_eq!(parse_date("2025-03-09").ok(), date);
        assert!(parse_date("09/03/2025").is_err());
        assert_eq!(int_list_text(&[1, 15]), "[1,15]");
        assert_eq!(parse_int_list("[1,15]").ok(), Some(vec![1, 15]));
        assert_eq!(int_list_text(&[]), "[]");
    }
}
