//! A user's tracking preferences (currency, locale, time zone, paydays, status rules, theme),
//! with defaults when none are stored, and "today" in the user's time zone: due dates are
//! calendar dates, and a bill is late when the user's own day has passed, not UTC's.

use chrono::{DateTime, NaiveDate, Utc};
use domain::buckets::Paydays;
use domain::id::UserId;
use domain::money::Currency;
use domain::status::StatusRules;
use store::user_settings::{UserSettings, UserSettingsRow};

use crate::auth::Principal;
use crate::{App, Error, Result};

/// Everything the tracking rules need to know about the user.
#[derive(Debug, Clone)]
pub struct Preferences {
    pub currency: Currency,
    pub locale: String,
    pub time_zone: chrono_tz::Tz,
    /// 1 = Monday … 7 = Sunday.
    pub week_start: u8,
    pub paydays: Paydays,
    pub rules: StatusRules,
    /// `system`, `light` or `dark`.
    pub theme: String,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            currency: Currency::USD,
            locale: "en-US".to_owned(),
            time_zone: chrono_tz::UTC,
            week_start: 1,
            paydays: Paydays::default(),
            rules: StatusRules::default(),
            theme: "system".to_owned(),
        }
    }
}

impl Preferences {
    /// The user's calendar date at `now`.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.time_zone).date_naive()
    }

    fn from_row(row: &UserSettingsRow) -> Result<Self> {
        let corrupt =
            |what: &str| Error::Internal(format!("stored user setting {what} is invalid"));
        Ok(Self {
            currency: Currency::parse("currency", &row.currency)
                .map_err(|_| corrupt("currency"))?,
            locale: row.locale.clone(),
            time_zone: row.time_zone.parse().map_err(|_| corrupt("time_zone"))?,
            week_start: u8::try_from(row.week_start).map_err(|_| corrupt("week_start"))?,
            paydays: Paydays::parse(&row.paydays).map_err(|_| corrupt("paydays"))?,
            rules: StatusRules {
                due_soon_days: u8::try_from(row.due_soon_days)
                    .map_err(|_| corrupt("due_soon_days"))?,
                grace_days: u8::try_from(row.grace_days).map_err(|_| corrupt("grace_days"))?,
            },
            theme: row.theme.clone(),
        })
    }

    /// The stored form.
    pub fn to_settings(&self) -> UserSettings {
        UserSettings {
            currency: self.currency.code().to_owned(),
            locale: self.locale.clone(),
            time_zone: self.time_zone.name().to_owned(),
            week_start: i64::from(self.week_start),
            paydays: self.paydays.days().iter().map(|d| i64::from(*d)).collect(),
            due_soon_days: i64::from(self.rules.due_soon_days),
            grace_days: i64::from(self.rules.grace_days),
            theme: self.theme.clone(),
        }
    }
}

/// The owner of user data behind `principal`: the bootstrap admin has none (403).
pub fn data_owner(principal: &Principal) -> Result<UserId> {
    principal.require_data_access()?;
    Ok(principal.user_id)
}

/// The user's preferences, or the defaults when none are stored.
pub async fn load(app: &App, owner: UserId) -> Result<Preferences> {
    match app.store.user_settings(owner).await? {
        Some(row) => Preferences::from_row(&row),
        None => Ok(Preferences::default()),
    }
}

/// How pages look for one caller: saved theme, locale and time zone.
#[derive(Debug, Clone)]
pub struct Display {
    /// `system`, `light` or `dark`.
    pub theme: String,
    /// A BCP 47 tag (`en-US`).
    pub locale: String,
    pub time_zone: chrono_tz::Tz,
}

impl Default for Display {
    fn default() -> Self {
        let defaults = Preferences::default();
        Self {
            theme: defaults.theme,
            locale: defaults.locale,
            time_zone: defaults.time_zone,
        }
    }
}

/// What the caller saved for the pages' look (theme `system` unless `light` or `dark`); the
/// defaults when they hold no data (the bootstrap administrator) or the settings cannot be
/// read — a page never fails for it.
pub async fn display_of(app: &App, principal: &Principal) -> Display {
    let Ok(owner) = data_owner(principal) else {
        return Display::default();
    };
    match app.store.user_settings(owner).await {
        Ok(Some(row)) => Display {
            theme: if matches!(row.theme.as_str(), "light" | "dark") {
                row.theme
            } else {
                "system".to_owned()
            },
            time_zone: row.time_zone.parse().unwrap_or(chrono_tz::UTC),
            locale: row.locale,
        },
        _ => Display::default(),
    }
}

/// Stores `preferences` for the caller.
pub async fn save(
    app: &App,
    principal: &Principal,
    preferences: &Preferences,
) -> Result<Preferences> {
    let owner = data_owner(principal)?;
    let row = app
        .store
        .upsert_user_settings(owner, &preferences.to_settings(), app.now())
        .await?;
    Preferences::from_row(&row)
}

/// Parses a time zone name (IANA, e.g. `Europe/Berlin`).
pub fn parse_time_zone(raw: &str) -> Result<chrono_tz::Tz> {
    raw.trim().parse().map_err(|_| {
        Error::invalid(
            "time_zone",
            "must be an IANA time zone such as Europe/Berlin",
        )
    })
}
