//! Dates as statement files write them. ISO dates (`2027-03-04`) and OFX dates
//! (`20270304120000.000[-5:EST]`) are unambiguous: year first ([`DateOrder::Ymd`]). Dates of three numbers (`03/04/2027`,
//! `3/4'27`, `04.03.27`) may be month-first or day-first: [`orders_fitting`] says which
//! [`DateOrder`]s read every date of a file as a real day, and when more than one does, the
//! person chooses (`03/04/2027` is 4 March or 3 April). Two-digit years are 19xx from 70 on and
//! 20xx below, except that QIF's apostrophe (`1/2'05`) always means 20xx.

use chrono::NaiveDate;

/// The order of day, month and year in a date of three numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateOrder {
    /// `2027-03-04`, `2027/3/4`.
    Ymd,
    /// `03/04/2027` is 4 March (United States).
    Mdy,
    /// `04/03/2027` is 4 March (most of the world).
    Dmy,
}

impl DateOrder {
    pub const ALL: [DateOrder; 3] = [DateOrder::Ymd, DateOrder::Mdy, DateOrder::Dmy];

    pub fn as_str(self) -> &'static str {
        match self {
            DateOrder::Ymd => "ymd",
            DateOrder::Mdy => "mdy",
            DateOrder::Dmy => "dmy",
        }
    }

    /// 4 March 2027 in this order, to show the person.
    pub fn example(self) -> &'static str {
        match self {
            DateOrder::Ymd => "2027-03-04 (year, month, day)",
            DateOrder::Mdy => "03/04/2027 (month, day, year)",
            DateOrder::Dmy => "04/03/2027 (day, month, year)",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == name)
    }
}

/// The three numbers of a date and whether its year was marked 20xx by QIF's apostrophe.
fn numbers(text: &str) -> Option<([u32; 3], [usize; 3], bool)> {
    let text = text.trim();
    let apostrophe = text.contains('\'');
    let parts: Vec<&str> = text
        .split(|c: char| matches!(c, '/' | '-' | '.' | '\'') || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    let [a, b, c] = parts[..] else {
        return None;
    };
    let mut values = [0; 3];
    let mut widths = [0; 3];
    for (i, part) in [a, b, c].into_iter().enumerate() {
        if part.len() > 4 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        values[i] = part.parse().ok()?;
        widths[i] = part.len();
    }
    Some((values, widths, apostrophe))
}

fn year(value: u32, width: usize, apostrophe: bool) -> Option<i32> {
    let value = i32::try_from(value).ok()?;
    match width {
        4 => Some(value),
        1 | 2 if apostrophe => Some(2000 + value),
        1 | 2 if value >= 70 => Some(1900 + value),
        1 | 2 => Some(2000 + value),
        _ => None,
    }
}

/// `text` read in `order`, if it is a real day that way.
pub fn parse(text: &str, order: DateOrder) -> Option<NaiveDate> {
    if order == DateOrder::Ymd
        && let Some(date) = compact(text)
    {
        return Some(date);
    }
    let ([a, b, c], [wa, _, wc], apostrophe) = numbers(text)?;
    let (y, m, d) = match order {
        DateOrder::Ymd if wa == 4 => (year(a, wa, false)?, b, c),
        DateOrder::Mdy if wa <= 2 => (year(c, wc, apostrophe)?, a, b),
        DateOrder::Dmy if wa <= 2 => (year(c, wc, apostrophe)?, b, a),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

/// `20270304` and OFX's `20270304120000.000[-5:EST]`: the first eight digits are the day.
fn compact(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let digits = text.get(..8)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = &text[8..];
    if !(rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit() || c == '[')) {
        return None;
    }
    NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

/// The orders that read every one of `dates` as a real day (none when some date fits no order).
pub fn orders_fitting<'a>(dates: impl IntoIterator<Item = &'a str> + Clone) -> Vec<DateOrder> {
    DateOrder::ALL
        .into_iter()
        .filter(|order| {
            dates
                .clone()
                .into_iter()
                .all(|d| parse(d, *order).is_some())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn each_order_reads_its_dates() {
        assert_eq!(parse("2027-03-04", DateOrder::Ymd), day(2027, 3, 4));
        assert_eq!(parse("03/04/2027", DateOrder::Mdy), day(2027, 3, 4));
        assert_eq!(parse("03/04/2027", DateOrder::Dmy), day(2027, 4, 3));
        assert_eq!(parse("4.3.27", DateOrder::Dmy), day(2027, 3, 4));
        assert_eq!(
            parse("1/ 2'05", DateOrder::Mdy),
            day(2005, 1, 2),
            "QIF's apostrophe"
        );
        assert_eq!(parse("1/2/98", DateOrder::Mdy), day(1998, 1, 2));
        assert_eq!(parse("20270304", DateOrder::Ymd), day(2027, 3, 4));
        assert_eq!(
            parse("20270304", DateOrder::Dmy),
            None,
            "compact dates are year first"
        );
        assert_eq!(
            parse("20270304120000.000[-5:EST]", DateOrder::Ymd),
            day(2027, 3, 4)
        );
    }

    #[test]
    fn impossible_days_are_no_dates() {
        for text in [
            "2027-02-30",
            "02/30/2027",
            "31/04/2027",
            "2027-13-01",
            "1/2",
            "x/y/z",
            "",
        ] {
            assert!(
                DateOrder::ALL.iter().all(|o| parse(text, *o).is_none()),
                "{text}"
            );
        }
        assert_eq!(parse("20270230", DateOrder::Ymd), None);
    }

    #[test]
    fn a_file_is_ambiguous_only_when_every_date_fits_both_orders() {
        assert_eq!(
            orders_fitting(["03/04/2027", "05/06/2027"]),
            [DateOrder::Mdy, DateOrder::Dmy]
        );
        assert_eq!(
            orders_fitting(["03/04/2027", "03/25/2027"]),
            [DateOrder::Mdy]
        );
        assert_eq!(
            orders_fitting(["25/03/2027", "03/04/2027"]),
            [DateOrder::Dmy]
        );
        assert_eq!(orders_fitting(["2027-03-04"]), [DateOrder::Ymd]);
        assert!(orders_fitting(["25/25/2027"]).is_empty());
    }
}
