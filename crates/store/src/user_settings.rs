//! Per-user preferences: currency, locale, time zone, week start, paydays, due-soon and grace
//! days, theme. One row per user, created on first save; until then the service uses defaults.

use chrono::{DateTime, Utc};

use domain::id::UserId;

use crate::columns::{int_list_text, parse_int_list};
use crate::time::{from_millis, to_millis};
use crate::{Result, Store};

/// A user's stored preferences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSettingsRow {
    pub user_id: UserId,
    /// ISO 4217 code.
    pub currency: String,
    /// BCP 47 tag, e.g. `en-US`.
    pub locale: String,
    /// IANA zone name, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// 1 = Monday … 7 = Sunday.
    pub week_start: i64,
    /// Days of the month that start a pay-period bucket, e.g. `[1, 15]`.
    pub paydays: Vec<i64>,
    pub due_soon_days: i64,
    pub grace_days: i64,
    pub theme: String,
    pub updated_at: DateTime<Utc>,
}

/// Every preference, as saved from the settings form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSettings {
    pub currency: String,
    pub locale: String,
    pub time_zone: String,
    pub week_start: i64,
    pub paydays: Vec<i64>,
    pub due_soon_days: i64,
    pub grace_days: i64,
    pub theme: String,
}

#[derive(sqlx::FromRow)]
struct Stored {
    currency: String,
    locale: String,
    time_zone: String,
    week_start: i64,
    paydays: String,
    due_soon_days: i64,
    grace_days: i64,
    theme: String,
    updated_at: i64,
}

const COLUMNS: &str = "currency, locale, time_zone, week_start, paydays, due_soon_days, grace_days, theme, updated_at";

fn from_stored(owner: UserId, row: Stored) -> Result<UserSettingsRow> {
    Ok(UserSettingsRow {
        user_id: owner,
        currency: row.currency,
        locale: row.locale,
        time_zone: row.time_zone,
        week_start: row.week_start,
        paydays: parse_int_list(&row.paydays)?,
        due_soon_days: row.due_soon_days,
        grace_days: row.grace_days,
        theme: row.theme,
        updated_at: from_millis(row.updated_at)?,
    })
}

impl Store {
    /// The owner's saved preferences, or `None` when they never saved any.
    pub async fn user_settings(&self, owner: UserId) -> Result<Option<UserSettingsRow>> {
        let row: Option<Stored> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM user_settings WHERE user_id = $1"
            )))
            .bind(owner.to_string())
            .fetch_optional(pool)
            .await?
        });
        row.map(|row| from_stored(owner, row)).transpose()
    }

    /// Saves every preference, creating the row on first save.
    pub async fn upsert_user_settings(
        &self,
        owner: UserId,
        settings: &UserSettings,
        now: DateTime<Utc>,
    ) -> Result<UserSettingsRow> {
        let row: Stored = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO user_settings (user_id, currency, locale, time_zone, week_start, \
                 paydays, due_soon_days, grace_days, theme, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (user_id) DO UPDATE SET currency = excluded.currency, \
                 locale = excluded.locale, time_zone = excluded.time_zone, \
                 week_start = excluded.week_start, paydays = excluded.paydays, \
                 due_soon_days = excluded.due_soon_days, grace_days = excluded.grace_days, \
                 theme = excluded.theme, updated_at = excluded.updated_at \
                 RETURNING {COLUMNS}"
            )))
            .bind(owner.to_string())
            .bind(&settings.currency)
            .bind(&settings.locale)
            .bind(&settings.time_zone)
            .bind(settings.week_start)
            .bind(int_list_text(&settings.paydays))
            .bind(settings.due_soon_days)
            .bind(settings.grace_days)
            .bind(&settings.theme)
            .bind(to_millis(now))
            .fetch_one(pool)
            .await?
        });
        from_stored(owner, row)
    }
}
