//! The user's locale on pages: every amount, date, month and instant a page shows is written
//! here, and every amount a page form sends is read here, so a page has one format per locale.
//!
//! Where the rules come from (no hand-written tables):
//! - Dates, months and weekdays come from CLDR through ICU4X (`icu_datetime` with its compiled
//!   data, always in the Gregorian calendar, since bills are due on Gregorian dates): one short
//!   form ([`Locale::date`]: "Mar 5, 2026", "05.03.2026", "5 mars 2026"), one long form
//!   ([`Locale::long_date`]), the day in a month ([`Locale::day`]), a month ([`Locale::month`]).
//! - Money comes from the locale's `LC_MONETARY` in glibc's locale data (`pure-rust-locales`):
//!   decimal mark, thousands separator and grouping, the local currency symbol and whether it
//!   goes before or after the number ("$1,234.56", "1.234,56 €", "1 234,56 €"). A currency
//!   other than the locale's own is written with its ISO code in the locale's international
//!   placement ("USD 1,234.56" is never confused with a local dollar; "1.234,56 USD"). A minus
//!   goes in front. The space between number and symbol is a no-break space.
//! - Instants are shown in the user's time zone (chrono-tz) with the zone's abbreviation:
//!   "Mar 5, 2026, 2:03 PM CET".
//!
//! A tag is resolved once: the glibc locale `ll_CC` of its language and region, else `ll_LL`
//! (`de` → `de_DE`), else en-US for everything, so an unknown tag reads as en-US, never half
//! in one locale and half in another.
//!
//! Amount fields of page forms accept the locale's own writing ([`Locale::amount_input`], the
//! rule is `domain::money::delocalize`); the JSON API keeps its machine format.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use domain::Invalid;
use domain::money::{Currency, Money, NumberStyle, delocalize, format_minor};
use icu_calendar::Date;
use icu_calendar::cal::Gregorian;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets;
use icu_datetime::input::{DateTime as IcuDateTime, Time};
use icu_datetime::options::TimePrecision;
use pure_rust_locales::{Locale as Glibc, locale_match};

/// `$day` (a `NaiveDate`) written by the field set `$fieldset` in `$locale`'s language, in the
/// Gregorian calendar; ISO text if the data cannot be had (it is compiled in, so never).
macro_rules! format_date {
    ($locale:expr, $day:expr, $fieldset:expr) => {
        gregorian($day)
            .and_then(|date| {
                FixedCalendarDateTimeFormatter::<Gregorian, _>::try_new(
                    (&$locale.icu).into(),
                    $fieldset,
                )
                .ok()
                .map(|f| f.format(&date).to_string())
            })
            .unwrap_or_else(|| $day.to_string())
    };
}

/// The fallback of an unknown or unsupported tag.
const DEFAULT_TAG: &str = "en-US";

/// A user's locale and time zone, resolved once per request.
#[derive(Debug, Clone)]
pub struct Locale {
    tag: String,
    glibc: Glibc,
    icu: icu_locale_core::Locale,
    time_zone: Tz,
}

impl Default for Locale {
    fn default() -> Self {
        Self::new(DEFAULT_TAG, chrono_tz::UTC)
    }
}

/// The parts of a locale's money format.
struct Monetary {
    symbol: &'static str,
    international: &'static str,
    decimal: &'static str,
    group: &'static str,
    grouping: &'static [i64],
    precedes: i64,
    separated: i64,
    int_precedes: Option<i64>,
    negative: &'static str,
}

impl Locale {
    /// The locale of the BCP 47 `tag` (en-US when unknown) showing instants in `time_zone`.
    pub fn new(tag: &str, time_zone: Tz) -> Self {
        let resolved = tag
            .parse::<icu_locale_core::Locale>()
            .ok()
            .and_then(|icu| glibc_of(&icu).map(|glibc| (icu, glibc)));
        // The fallback has data by construction.
        let (icu, glibc) = resolved.unwrap_or((icu_locale_core::locale!("en-US"), Glibc::en_US));
        Self {
            tag: icu.to_string(),
            glibc,
            icu,
            time_zone,
        }
    }

    /// The resolved tag (`en-US` for an unknown one).
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The user's time zone.
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    fn monetary(&self) -> Monetary {
        let l = self.glibc;
        Monetary {
            symbol: locale_match!(l => LC_MONETARY::CURRENCY_SYMBOL),
            international: locale_match!(l => LC_MONETARY::INT_CURR_SYMBOL),
            decimal: locale_match!(l => LC_MONETARY::MON_DECIMAL_POINT),
            group: locale_match!(l => LC_MONETARY::MON_THOUSANDS_SEP),
            grouping: locale_match!(l => LC_MONETARY::MON_GROUPING),
            precedes: locale_match!(l => LC_MONETARY::P_CS_PRECEDES),
            separated: locale_match!(l => LC_MONETARY::P_SEP_BY_SPACE),
            int_precedes: locale_match!(l => LC_MONETARY::INT_P_CS_PRECEDES),
            negative: locale_match!(l => LC_MONETARY::NEGATIVE_SIGN),
        }
    }

    /// How amounts are written here: decimal mark, thousands separator, group size.
    pub fn number_style(&self) -> NumberStyle {
        let m = self.monetary();
        NumberStyle {
            decimal: m.decimal.chars().next().unwrap_or('.'),
            group: m.group.chars().next(),
            group_size: m
                .grouping
                .first()
                .and_then(|g| u8::try_from(*g).ok())
                .filter(|g| *g > 0)
                .unwrap_or(3),
        }
    }

    /// `minor` units of `currency` with the locale's separators and symbol: `$1,234.56`,
    /// `1.234,56 €`, `1 234,56 €`, `EUR 5.00` (a foreign currency in en-US).
    pub fn money(&self, minor: i64, currency: Currency) -> String {
        let m = self.monetary();
        let number = self.number(minor, currency.exponent(), &m);
        let local = m.international.trim() == currency.code();
        let (symbol, before, spaced) = if local {
            (m.symbol, m.precedes == 1, m.separated != 0)
        } else {
            (
                currency.code(),
                m.int_precedes.unwrap_or(m.precedes) == 1,
                true,
            )
        };
        let gap = if spaced { "\u{a0}" } else { "" };
        let sign = if minor < 0 {
            if m.negative.is_empty() {
                "-"
            } else {
                m.negative
            }
        } else {
            ""
        };
        if before {
            format!("{sign}{symbol}{gap}{number}")
        } else {
            format!("{sign}{number}{gap}{symbol}")
        }
    }

    /// An amount with its currency, as [`Locale::money`] writes it.
    pub fn money_of(&self, amount: Money) -> String {
        self.money(amount.minor, amount.currency)
    }

    /// Like [`Locale::money`], without a fraction of zeros (`$2,500`): axis labels.
    pub fn money_rounded(&self, minor: i64, currency: Currency) -> String {
        let scale = 10_i64.pow(u32::from(currency.exponent()));
        if minor % scale != 0 {
            return self.money(minor, currency);
        }
        let m = self.monetary();
        let full = self.money(minor, currency);
        let digits = self.number(minor, currency.exponent(), &m);
        let whole = self.number(minor / scale, 0, &m);
        full.replacen(&digits, &whole, 1)
    }

    /// An amount to pre-fill a form field: the locale's decimal mark, no grouping, no symbol
    /// (`1234,56` in de-DE), so it reads back through [`Locale::amount_input`] unchanged.
    pub fn amount_field(&self, minor: i64, currency: Currency) -> String {
        let style = self.number_style();
        format_minor(minor, currency).replace('.', &style.decimal.to_string())
    }

    /// An amount with its currency for a form field, as [`Locale::amount_field`] writes it.
    pub fn money_field(&self, amount: Money) -> String {
        self.amount_field(amount.minor, amount.currency)
    }

    /// A canonical amount text (`1234.56`, what the JSON API takes) of a field the user typed
    /// in this locale's writing; blank stays blank. The field is named in the refusal.
    pub fn amount_input(&self, field: &str, typed: &str) -> Result<String, Invalid> {
        delocalize(field, typed, &self.number_style())
    }

    /// The example of an amount in hints: `12.34`, `12,34`.
    pub fn amount_example(&self) -> String {
        format!("12{}34", self.number_style().decimal)
    }

    /// The locale's short date: "Mar 5, 2026", "5 Mar 2026", "05.03.2026", "5 mars 2026".
    pub fn date(&self, day: NaiveDate) -> String {
        format_date!(self, day, fieldsets::YMD::medium())
    }

    /// The user's calendar date of an instant, written like [`Locale::date`].
    pub fn date_of(&self, at: DateTime<Utc>) -> String {
        self.date(at.with_timezone(&self.time_zone).date_naive())
    }

    /// The locale's long date with the weekday: "Thursday, March 5, 2026".
    pub fn long_date(&self, day: NaiveDate) -> String {
        format_date!(self, day, fieldsets::YMDE::long())
    }

    /// A day within a month that is shown: "Thu, Mar 5", "Do., 5. März", "jeu. 5 mars".
    pub fn day(&self, day: NaiveDate) -> String {
        format_date!(self, day, fieldsets::MDE::medium())
    }

    /// A day and month without the weekday: "Mar 5", "5. März".
    pub fn day_month(&self, day: NaiveDate) -> String {
        format_date!(self, day, fieldsets::MD::medium())
    }

    /// A month of a year: "March 2026", "März 2026", "mars 2026".
    pub fn month(&self, year: i32, month: u32) -> String {
        match NaiveDate::from_ymd_opt(year, month, 1) {
            Some(first) => format_date!(self, first, fieldsets::YM::long()),
            None => format!("{year}-{month:02}"),
        }
    }

    /// A month's name alone: "March", "März".
    pub fn month_name(&self, year: i32, month: u32) -> String {
        match NaiveDate::from_ymd_opt(year, month, 1) {
            Some(first) => format_date!(self, first, fieldsets::M::long()),
            None => month.to_string(),
        }
    }

    /// A month's short name: "Mar", "Mär".
    pub fn month_short(&self, day: NaiveDate) -> String {
        format_date!(self, day, fieldsets::M::medium())
    }

    /// A weekday's short name: "Thu", "Do".
    pub fn weekday_short(&self, day: NaiveDate) -> String {
        format_date!(self, day, fieldsets::E::short())
    }

    /// An instant in the user's time zone with the zone's abbreviation:
    /// "Mar 5, 2026, 2:03 PM CET", "05.03.2026, 14:03 MEZ"-style as the locale writes it.
    pub fn instant(&self, at: DateTime<Utc>) -> String {
        let local = at.with_timezone(&self.time_zone);
        let naive = local.naive_local();
        let fieldset = fieldsets::YMDT::medium().with_time_precision(TimePrecision::Minute);
        let formatted = gregorian(naive.date()).and_then(|date| {
            let time = Time::try_new(
                u8::try_from(naive.hour()).ok()?,
                u8::try_from(naive.minute()).ok()?,
                0,
                0,
            )
            .ok()?;
            let formatter = FixedCalendarDateTimeFormatter::<Gregorian, _>::try_new(
                (&self.icu).into(),
                fieldset,
            )
            .ok()?;
            Some(formatter.format(&IcuDateTime { date, time }).to_string())
        });
        let shown = formatted.unwrap_or_else(|| naive.format("%Y-%m-%d %H:%M").to_string());
        format!("{shown} {}", local.format("%Z"))
    }

    /// The digits of `minor`'s magnitude with `exponent` decimals, the locale's grouping and
    /// decimal mark.
    fn number(&self, minor: i64, exponent: u8, m: &Monetary) -> String {
        // `unsigned_abs` keeps `i64::MIN` exact.
        let magnitude = minor.unsigned_abs();
        let scale = 10_u64.pow(u32::from(exponent));
        let mut out = group(&(magnitude / scale).to_string(), m.group, m.grouping);
        if exponent > 0 {
            let width = usize::from(exponent);
            out.push_str(if m.decimal.is_empty() { "." } else { m.decimal });
            out.push_str(&format!("{:0width$}", magnitude % scale));
        }
        out
    }
}

/// `whole` with `separator` between groups sized by `grouping` (glibc's: the first size from
/// the right, each next size, the last one repeating; 0 or less ends grouping).
fn group(whole: &str, separator: &str, grouping: &[i64]) -> String {
    if separator.is_empty() || grouping.is_empty() {
        return whole.to_owned();
    }
    let digits: Vec<char> = whole.chars().collect();
    let mut cuts = Vec::new();
    let mut end = digits.len();
    let mut sizes = grouping.iter();
    let mut size = 0_i64;
    loop {
        if let Some(next) = sizes.next() {
            size = *next;
        }
        let Ok(step) = usize::try_from(size) else {
            break;
        };
        if step == 0 || end <= step {
            break;
        }
        end -= step;
        cuts.push(end);
    }
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if cuts.contains(&i) {
            out.push_str(separator);
        }
        out.push(*c);
    }
    out
}

fn gregorian(day: NaiveDate) -> Option<Date<Gregorian>> {
    Date::try_new_gregorian(
        day.year(),
        u8::try_from(day.month()).ok()?,
        u8::try_from(day.day()).ok()?,
    )
    .ok()
}

/// The glibc locale for a parsed tag: `ll_CC`, else `ll_LL`, else none.
fn glibc_of(icu: &icu_locale_core::Locale) -> Option<Glibc> {
    let language = icu.id.language.as_str();
    let exact = icu
        .id
        .region
        .map(|region| format!("{language}_{}", region.as_str()));
    let own = format!("{language}_{}", language.to_ascii_uppercase());
    exact
        .into_iter()
        .chain([own])
        .find_map(|name| Glibc::try_from(name.as_str()).ok())
}

#[cfg(test)]
mod tests;
