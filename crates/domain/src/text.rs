//! Text rules shared by every free-text input: trimmed, bounded by characters (not bytes), and
//! free of control characters that would corrupt logs, CSV exports or HTML. Also the two small
//! parsing shapes every input module repeats: an optional field (blank means absent) and a choice
//! from a fixed set of names (the enums' `FromStr`), whose error lists the accepted names.

use crate::Invalid;

/// Trims `raw` and checks it holds `min..=max` characters and no control characters.
pub fn bounded(field: &str, raw: &str, min: usize, max: usize) -> Result<String, Invalid> {
    let value = raw.trim();
    let count = value.chars().count();
    if count < min {
        return Err(Invalid::new(
            field,
            if min <= 1 {
                "must not be empty".to_owned()
            } else {
                format!("must be at least {min} characters")
            },
        ));
    }
    if count > max {
        return Err(Invalid::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Invalid::new(field, "must not contain control characters"));
    }
    Ok(value.to_owned())
}

/// Parses an optional input: blank (empty or only whitespace) is `None`, anything else must pass
/// `parse`.
pub fn optional<T>(
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, Invalid>,
) -> Result<Option<T>, Invalid> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse(raw).map(Some)
    }
}

/// Picks the value of `all` whose `name` is exactly `raw` (after trimming); otherwise an
/// [`Invalid`] for `field` listing the accepted names, e.g. "must be one of: off, assumed,
/// verified".
pub fn choice<T: Copy>(
    field: &str,
    raw: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
) -> Result<T, Invalid> {
    let wanted = raw.trim();
    all.iter()
        .copied()
        .find(|value| name(*value) == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|value| name(*value)).collect();
            Invalid::new(field, format!("must be one of: {}", names.join(", ")))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds_by_characters() {
        assert_eq!(
            bounded("name", "  Rent ", 1, 10).ok().as_deref(),
            Some("Rent")
        );
        assert_eq!(
            bounded("name", "   ", 1, 10).map_err(|e| e.field),
            Err("name".to_owned())
        );
        assert!(
            bounded("name", "ééééé", 1, 5).is_ok(),
            "five characters, ten bytes"
        );
        assert!(bounded("name", "abcdef", 1, 5).is_err());
        assert!(bounded("name", "a\u{0}b", 1, 5).is_err());
        assert!(bounded("name", "a\nb", 1, 5).is_err());
    }

    #[test]
    fn blank_optional_inputs_are_absent() {
        let parse = |raw: &str| bounded("payee", raw, 1, 5);
        assert_eq!(optional("  ", parse), Ok(None));
        assert_eq!(optional(" Shop ", parse), Ok(Some("Shop".to_owned())));
        assert!(optional("far too long", parse).is_err());
    }

    #[test]
    fn choices_accept_only_listed_names_and_list_them_when_refusing() {
        let name = |n: u8| if n == 0 { "off" } else { "on" };
        assert_eq!(choice("mode", " on ", &[0, 1], name), Ok(1));
        assert_eq!(
            choice("mode", "ON", &[0, 1], name),
            Err(Invalid::new("mode", "must be one of: off, on"))
        );
    }
}
