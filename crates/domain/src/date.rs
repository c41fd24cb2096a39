//! Calendar dates as people type them: exactly `YYYY-MM-DD`, and a day that exists (no
//! 2025-02-30, no 2025-1-1).

use chrono::NaiveDate;

use crate::Invalid;

/// Parses `raw` for the input named `field`.
pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, Invalid> {
    let raw = raw.trim();
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(Invalid::new(
            field,
            "must be a date written like 2025-03-14",
        ));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| Invalid::new(field, "is not a day of the calendar"))
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn only_real_days_in_iso_form() {
        assert!(parse_date("d", "2024-02-29").is_ok());
        for bad in [
            "2025-02-29",
            "2025-02-30",
            "2025-1-1",
            "2025/01/01",
            "",
            "20250101",
            "2025-13-01",
            "２０２５-01-01",
        ] {
            assert_eq!(
                parse_date("paid_on", bad).map_err(|e| e.field),
                Err("paid_on".to_owned()),
                "{bad}"
            );
        }
    }
}
