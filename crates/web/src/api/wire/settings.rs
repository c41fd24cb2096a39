//! The JSON of the tracking settings (`/api/profile/settings`), built from the service's
//! [`Settings`].

use serde::Serialize;
use service::tracker::Settings;

/// Bills in one currency that is not the caller's default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OtherCurrencyBills {
    /// ISO 4217 code of these bills.
    pub currency: String,
    /// How many bills (not deleted, active or not) are in it.
    pub bills: i64,
    /// Whether they can move to the default currency in one step: only when both have the same
    /// number of decimals, so the amounts read the same.
    pub can_change: bool,
}

impl From<&service::bills::OtherCurrencyBills> for OtherCurrencyBills {
    fn from(o: &service::bills::OtherCurrencyBills) -> Self {
        Self {
            currency: o.currency.clone(),
            bills: o.bills,
            can_change: o.can_change,
        }
    }
}

/// The settings as the API shows them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SettingsView {
    /// ISO 4217 code.
    pub currency: String,
    /// BCP 47 language tag, e.g. `en-US`.
    pub locale: String,
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// 1 = Monday … 7 = Sunday.
    pub week_start: u8,
    /// Days of the month that start a pay-period bucket.
    pub paydays: Vec<u32>,
    pub due_soon_days: u8,
    pub grace_days: u8,
    /// `system`, `light` or `dark`.
    pub theme: String,
    /// The bills (not deleted) in other currencies than `currency`, per currency: they are
    /// totalled apart, and `POST /api/bills/change-currency` moves them in one step.
    pub bills_in_other_currencies: Vec<OtherCurrencyBills>,
}

impl From<&Settings> for SettingsView {
    fn from(s: &Settings) -> Self {
        let p = &s.preferences;
        Self {
            currency: p.currency.code().to_owned(),
            locale: p.locale.clone(),
            time_zone: p.time_zone.name().to_owned(),
            week_start: p.week_start,
            paydays: p.paydays.days().to_vec(),
            due_soon_days: p.rules.due_soon_days,
            grace_days: p.rules.grace_days,
            theme: p.theme.clone(),
            bills_in_other_currencies: s.bills_in_other_currencies.iter().map(Into::into).collect(),
        }
    }
}
