//! What the tracker is asked for: a calendar month, the sort order, and the URL's query
//! parameters (`year`, `month`, `sort`, `dir`). Every refusal is an [`Invalid`] naming the
//! parameter or field.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use domain::recurrence::{clamp_day, days_in_month};
use domain::{Invalid, text};

use crate::Result;

/// One calendar month of the years 1–9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// A month from the fields `year` (1–9999) and `month` (1–12).
    pub fn new(year: i64, month: i64) -> Result<Self, Invalid> {
        Ok(Self {
            year: check_year(year)?,
            month: check_month(month)?,
        })
    }

    /// The month holding `date`.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// The first and the last day of the month.
    pub fn bounds(self) -> Result<(NaiveDate, NaiveDate)> {
        let last = days_in_month(self.year, self.month).unwrap_or(28);
        match (
            clamp_day(self.year, self.month, 1),
            clamp_day(self.year, self.month, last),
        ) {
            (Some(first), Some(last)) => Ok((first, last)),
            _ => Err(crate::Error::invalid("month", "is not a calendar month")),
        }
    }

    /// The stored key, `YYYY-MM`.
    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// A year from 1 to 9999, for the field `year`.
pub fn check_year(year: i64) -> Result<i32, Invalid> {
    i32::try_from(year)
        .ok()
        .filter(|year| (1..=9999).contains(year))
        .ok_or_else(|| Invalid::new("year", "must be a year from 1 to 9999"))
}

/// A month from 1 to 12, for the field `month`.
pub fn check_month(month: i64) -> Result<u32, Invalid> {
    u32::try_from(month)
        .ok()
        .filter(|month| (1..=12).contains(month))
        .ok_or_else(|| Invalid::new("month", "must be a month from 1 to 12"))
}

/// How the tracker orders the occurrences within each bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortKey {
    /// By due date (the default).
    #[default]
    Due,
    /// By bill name.
    Name,
    /// By expected amount.
    Amount,
    /// By status: missed, late, due soon, upcoming, partial, paid, overpaid, skipped.
    Status,
    /// Missed → Late → Due soon → Upcoming → the rest, each by due date.
    PinDue,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [
        SortKey::Due,
        SortKey::Name,
        SortKey::Amount,
        SortKey::Status,
        SortKey::PinDue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Due => "due",
            SortKey::Name => "name",
            SortKey::Amount => "amount",
            SortKey::Status => "status",
            SortKey::PinDue => "pin_due",
        }
    }
}

impl FromStr for SortKey {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        text::choice("sort", s, &SortKey::ALL, SortKey::as_str)
    }
}

impl fmt::Display for SortKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortDir {
    #[default]
    Asc,
    Desc,
}

impl SortDir {
    pub const ALL: [SortDir; 2] = [SortDir::Asc, SortDir::Desc];

    pub fn as_str(self) -> &'static str {
        match self {
            SortDir::Asc => "asc",
            SortDir::Desc => "desc",
        }
    }
}

impl FromStr for SortDir {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        text::choice("dir", s, &SortDir::ALL, SortDir::as_str)
    }
}

/// What the tracker was asked for; `None` year or month means the user's current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrackerQuery {
    pub year: Option<i32>,
    pub month: Option<u32>,
    pub sort: SortKey,
    pub dir: SortDir,
}

impl TrackerQuery {
    /// Parses the URL's query pairs (`year`, `month`, `sort`, `dir`). A parameter given twice,
    /// an unknown parameter or a bad value is an [`Invalid`] naming the parameter.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, Invalid> {
        let mut query = Self::default();
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in pairs {
            if seen.contains(&name.as_str()) {
                return Err(Invalid::new(name.clone(), "must be given once"));
            }
            seen.push(name);
            let number = |field: &str| {
                value
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| Invalid::new(field, "must be a whole number written in digits"))
            };
            match name.as_str() {
                "year" => query.year = Some(check_year(number("year")?)?),
                "month" => query.month = Some(check_month(number("month")?)?),
                "sort" => query.sort = value.parse()?,
                "dir" => query.dir = value.parse()?,
                other => {
                    let shown: String = other.chars().take(40).collect();
                    return Err(Invalid::new(
                        shown,
                        "is not a parameter of the tracker (year, month, sort, dir)",
                    ));
                }
            }
        }
        Ok(query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn field(result: Result<TrackerQuery, Invalid>) -> String {
        result.map(|_| String::new()).unwrap_or_else(|e| e.field)
    }

    #[test]
    fn the_query_names_the_parameter_it_refuses() {
        assert_eq!(field(TrackerQuery::parse(&pairs(&[("year", "0")]))), "year");
        assert_eq!(
            field(TrackerQuery::parse(&pairs(&[("year", "10000")]))),
            "year"
        );
        assert_eq!(
            field(TrackerQuery::parse(&pairs(&[("month", "13")]))),
            "month"
        );
        assert_eq!(
            field(TrackerQuery::parse(&pairs(&[("month", "x")]))),
            "month"
        );
        assert_eq!(
            field(TrackerQuery::parse(&pairs(&[("sort", "drop")]))),
            "sort"
        );
        assert_eq!(field(TrackerQuery::parse(&pairs(&[("dir", "up")]))), "dir");
        assert_eq!(
            field(TrackerQuery::parse(&pairs(&[("limit", "1")]))),
            "limit"
        );
        assert_eq!(
            field(TrackerQuery::parse(&pairs(&[
                ("year", "2025"),
                ("year", "2026")
            ]))),
            "year"
        );
        let ok = TrackerQuery::parse(&pairs(&[("year", "2025"), ("sort", "pin_due")]));
        assert_eq!(
            ok.map(|q| (q.year, q.sort)),
            Ok((Some(2025), SortKey::PinDue))
        );
    }

    #[test]
    fn a_month_knows_its_bounds_and_key() {
        let feb = YearMonth::new(2024, 2).map(|m| (m.bounds().ok(), m.key()));
        let day = |d| NaiveDate::from_ymd_opt(2024, 2, d);
        assert_eq!(feb.ok(), Some((day(1).zip(day(29)), "2024-02".to_owned())));
        assert!(YearMonth::new(2024, 0).is_err());
    }
}
