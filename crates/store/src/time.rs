//! Instants are stored as unix milliseconds (UTC) on both engines.

use chrono::{DateTime, Utc};

use crate::Error;

pub fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub fn from_millis(ms: i64) -> Result<DateTime<Utc>, Error> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| Error::Corrupt(format!("instant {ms}")))
}
