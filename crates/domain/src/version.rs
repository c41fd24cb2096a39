//! Whole numbers as a JSON body sends them — the version an optimistic edit is based on, and
//! every other integer field (a year, a day of the month, a list of paydays): also when
//! written with a fraction of zero (`198.0` is an integer to JSON Schema, so clients and
//! generators may send it). Anything else — a real fraction, out of range, not a number — is
//! refused like any wrong type.

use serde::{Deserialize, Deserializer, de};

/// Reads a whole number into `i64`: `198` and `198.0` alike. Use with
/// `#[serde(deserialize_with = "domain::version::whole_number")]`.
pub fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Int(i64),
        Float(f64),
    }
    match Number::deserialize(d)? {
        Number::Int(n) => Ok(n),
        Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        Number::Float(f) => Err(de::Error::invalid_value(
            de::Unexpected::Float(f),
            &"a whole number",
        )),
    }
}

/// Like [`whole_number`], for an optional field (absent or `null` is `None`). Use with
/// `#[serde(default, deserialize_with = "domain::version::optional_whole_number")]`.
pub fn optional_whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "whole_number")] i64);
    Ok(Option::<Whole>::deserialize(d)?.map(|Whole(n)| n))
}

/// Like [`whole_number`], for an optional list of whole numbers. Use with
/// `#[serde(default, deserialize_with = "domain::version::optional_whole_numbers")]`.
pub fn optional_whole_numbers<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<i64>>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "whole_number")] i64);
    Ok(
        Option::<Vec<Whole>>::deserialize(d)?
            .map(|all| all.into_iter().map(|Whole(n)| n).collect()),
    )
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize, Debug)]
    struct Edit {
        #[serde(deserialize_with = "super::whole_number")]
        version: i64,
    }

    fn version(json: &str) -> Result<i64, String> {
        serde_json::from_str::<Edit>(json)
            .map(|e| e.version)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_whole_number_is_read_with_or_without_a_zero_fraction() {
        assert_eq!(version(r#"{"version": 198}"#), Ok(198));
        assert_eq!(version(r#"{"version": -24298000.0}"#), Ok(-24_298_000));
        assert!(version(r#"{"version": 1.5}"#).is_err());
        assert!(version(r#"{"version": 1e300}"#).is_err());
        assert!(version(r#"{"version": "3"}"#).is_err());
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Settings {
        #[serde(default, deserialize_with = "super::optional_whole_number")]
        week_start: Option<i64>,
        #[serde(default, deserialize_with = "super::optional_whole_numbers")]
        paydays: Option<Vec<i64>>,
    }

    #[test]
    fn optional_whole_numbers_and_lists_take_zero_fractions_too() {
        let read = |json: &str| serde_json::from_str::<Settings>(json).map_err(|e| e.to_string());
        assert_eq!(
            read(r#"{"week_start": 7.0, "paydays": [24, 18.0]}"#),
            Ok(Settings {
                week_start: Some(7),
                paydays: Some(vec![24, 18])
            })
        );
        assert_eq!(
            read(r#"{"week_start": null}"#),
            Ok(Settings {
                week_start: None,
                paydays: None
            })
        );
        assert_eq!(
            read("{}"),
            Ok(Settings {
                week_start: None,
                paydays: None
            })
        );
        assert!(read(r#"{"paydays": [1.5]}"#).is_err());
        assert!(read(r#"{"week_start": "1"}"#).is_err());
    }
}
