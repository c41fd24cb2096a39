//! [`Query`]: what one `GET /accounts` asks for, and the Bridge's limits as constants and a
//! pure function: [`windows`] splits a longer range into requests of at most
//! [`MAX_WINDOW_DAYS`] (the Bridge caps one request at 90 days and says so in a warning).

use chrono::{DateTime, Duration, Utc};

/// The longest range one request may cover.
pub const MAX_WINDOW_DAYS: i64 = 90;
/// How far back the first sync of a connection, and a backfill, look.
pub const FIRST_SYNC_LOOKBACK_DAYS: i64 = 44;
/// How far back a routine sync looks.
pub const ROUTINE_LOOKBACK_DAYS: i64 = 30;
/// The Bridge asks for at most this many requests a day per connection.
pub const DAILY_REQUEST_QUOTA: u32 = 24;

/// The answer format asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Version {
    /// The original format: `errors` strings and `org` on each account.
    V1,
    /// `version=2`: `errlist`, `connections`, `conn_id` on accounts.
    #[default]
    V2,
}

/// The parameters of one `GET /accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// `start-date`: transactions on or after (inclusive).
    pub start: Option<DateTime<Utc>>,
    /// `end-date`: transactions before (exclusive).
    pub end: Option<DateTime<Utc>>,
    /// `pending=1`: include pending transactions.
    pub pending: bool,
    /// `account=<id>` for each: only these accounts (empty: all).
    pub accounts: Vec<String>,
    /// `balances-only=1`: no transactions.
    pub balances_only: bool,
    pub version: Version,
}

impl Query {
    /// Transactions (pending included) from `start` (inclusive) to `end` (exclusive), v2.
    pub fn range(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self {
            start: Some(start),
            end: Some(end),
            pending: true,
            ..Self::default()
        }
    }

    /// Transactions of the last `days` days before `now` (pending included), v2: use
    /// [`FIRST_SYNC_LOOKBACK_DAYS`] or [`ROUTINE_LOOKBACK_DAYS`].
    pub fn look_back(now: DateTime<Utc>, days: i64) -> Self {
        Self::range(now - Duration::days(days), now)
    }

    /// Balances only, no transactions, v2.
    pub fn balances() -> Self {
        Self {
            balances_only: true,
            ..Self::default()
        }
    }

    /// The query string pairs, in a stable order.
    pub(crate) fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(start) = self.start {
            pairs.push(("start-date", start.timestamp().to_string()));
        }
        if let Some(end) = self.end {
            pairs.push(("end-date", end.timestamp().to_string()));
        }
        if self.pending {
            pairs.push(("pending", "1".to_owned()));
        }
        for account in &self.accounts {
            pairs.push(("account", account.clone()));
        }
        if self.balances_only {
            pairs.push(("balances-only", "1".to_owned()));
        }
        if self.version == Version::V2 {
            pairs.push(("version", "2".to_owned()));
        }
        pairs
    }
}

/// `[start, end)` split into consecutive windows of at most [`MAX_WINDOW_DAYS`], oldest first;
/// empty when `start >= end`.
pub fn windows(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let step = Duration::days(MAX_WINDOW_DAYS);
    let mut out = Vec::new();
    let mut from = start;
    while from < end {
        let to = from.checked_add_signed(step).map_or(end, |to| to.min(end));
        out.push((from, to));
        from = to;
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(n: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + n * 86_400, 0).unwrap()
    }

    #[test]
    fn windows_split_a_long_range_into_90_day_pieces_without_gaps_or_overlap() {
        let w = windows(day(0), day(200));
        assert_eq!(
            w,
            vec![(day(0), day(90)), (day(90), day(180)), (day(180), day(200))]
        );
        for pair in w.windows(2) {
            assert_eq!(pair[0].1, pair[1].0);
        }
    }

    #[test]
    fn windows_of_exactly_90_days_or_less_are_one_request() {
        assert_eq!(windows(day(0), day(90)), vec![(day(0), day(90))]);
        assert_eq!(windows(day(0), day(44)), vec![(day(0), day(44))]);
        // 90 days and one second is two requests.
        let end = day(90) + Duration::seconds(1);
        assert_eq!(windows(day(0), end).len(), 2);
    }

    #[test]
    fn windows_of_an_empty_or_reversed_range_are_none() {
        assert!(windows(day(5), day(5)).is_empty());
        assert!(windows(day(5), day(1)).is_empty());
    }

    #[test]
    fn query_pairs_follow_the_protocol() {
        let mut query = Query::range(day(0), day(30));
        query.accounts = vec!["a 1".into(), "b".into()];
        let pairs = query.pairs();
        let start = day(0).timestamp().to_string();
        let end = day(30).timestamp().to_string();
        assert_eq!(
            pairs,
            vec![
                ("start-date", start),
                ("end-date", end),
                ("pending", "1".to_owned()),
                ("account", "a 1".to_owned()),
                ("account", "b".to_owned()),
                ("version", "2".to_owned()),
            ]
        );
        let v1 = Query {
            version: Version::V1,
            ..Query::balances()
        };
        assert_eq!(v1.pairs(), vec![("balances-only", "1".to_owned())]);
    }

    #[test]
    fn look_back_ends_now() {
        let q = Query::look_back(day(100), FIRST_SYNC_LOOKBACK_DAYS);
        assert_eq!((q.start, q.end), (Some(day(56)), Some(day(100))));
        assert!(q.pending && !q.balances_only);
    }
}
