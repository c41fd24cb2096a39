//! Category input types: name, colour and icon.
//!
//! Rules and invariants (the error of each names its JSON field):
//! - [`CategoryName`]: 1–60 characters after trimming, no control characters (`name`).
//! - [`Color`]: `#rrggbb` hex, stored lower-case (`color`). Only this form is accepted, so the
//!   value can go into a style or SVG attribute without escaping.
//! - [`Icon`]: 1–32 characters of `a-z`, `0-9` and `-` (`icon`): the name of an icon in the
//!   embedded set, safe in a class name or file path.

use std::fmt;

use crate::{Invalid, text};

/// A category's name: 1–60 characters, trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CategoryName(String);

impl CategoryName {
    /// The most characters a name may hold.
    pub const MAX_CHARS: usize = 60;

    /// Parses the field `name`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        text::bounded("name", raw, 1, Self::MAX_CHARS).map(Self)
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A colour as `#rrggbb`, lower-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Color([u8; 3]);

impl Color {
    /// The shape [`Color::parse`] accepts once trimmed, as a regular expression.
    pub const PATTERN: &'static str = "#[0-9a-fA-F]{6}";

    /// Parses the field `color` (`#1a2B3c`, surrounding spaces ignored).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let invalid = || Invalid::new("color", "must be a colour like #1a2b3c");
        let hex = raw.trim().strip_prefix('#').ok_or_else(invalid)?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        let channel = |i: usize| {
            hex.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(invalid)
        };
        Ok(Self([channel(0)?, channel(2)?, channel(4)?]))
    }

    /// The red, green and blue channels.
    pub fn rgb(self) -> [u8; 3] {
        self.0
    }
}

impl fmt::Display for Color {
    /// `#1a2b3c`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

/// The name of an icon: 1–32 characters of `a-z`, `0-9` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Icon(String);

impl Icon {
    /// The shape [`Icon::parse`] accepts once trimmed, as a regular expression.
    pub const PATTERN: &'static str = "[a-z0-9-]{1,32}";

    /// Parses the field `icon`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        let shape_ok = (1..=32).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !shape_ok {
            return Err(Invalid::new(
                "icon",
                "must be 1 to 32 characters of a-z, 0-9 and -",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The icon's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_names_are_trimmed_and_bounded() {
        assert_eq!(
            CategoryName::parse(" Utilities ").map(|n| n.0),
            Ok("Utilities".to_owned())
        );
        assert_eq!(
            CategoryName::parse("").map_err(|e| e.field),
            Err("name".to_owned())
        );
        assert!(CategoryName::parse(&"x".repeat(60)).is_ok());
        assert!(CategoryName::parse(&"x".repeat(61)).is_err());
    }

    #[test]
    fn colours_are_six_hex_digits_stored_lower_case() {
        assert_eq!(
            Color::parse(" #1A2b3C ").map(|c| c.to_string()),
            Ok("#1a2b3c".to_owned())
        );
        assert_eq!(Color::parse("#ff0000").map(Color::rgb), Ok([255, 0, 0]));
        for bad in [
            "1a2b3c",
            "#1a2b3",
            "#1a2b3c4",
            "#gggggg",
            "red",
            "#1a2b3c;x",
            "#１a2b3c",
        ] {
            assert_eq!(
                Color::parse(bad).map_err(|e| e.field),
                Err("color".to_owned()),
                "{bad}"
            );
        }
    }

    #[test]
    fn icons_are_lower_case_names() {
        assert_eq!(
            Icon::parse("credit-card2").map(|i| i.0),
            Ok("credit-card2".to_owned())
        );
        for bad in [
            "",
            "Home",
            "home page",
            "../etc",
            "a_b",
            &"a".repeat(33),
            "é",
        ] {
            assert_eq!(
                Icon::parse(bad).map_err(|e| e.field),
                Err("icon".to_owned()),
                "{bad}"
            );
        }
    }
}
