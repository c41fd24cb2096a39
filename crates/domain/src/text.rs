//! Text rules shared by every free-text input: trimmed, bounded by characters (not bytes), and
//! free of control characters that would corrupt logs, CSV exports or HTML.

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
}
