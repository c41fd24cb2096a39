//! Amounts as people type them in their own locale (`12,50` in Germany, `1 234,56` in France)
//! made into the canonical text [`super::parse_amount`] reads (`12.50`, `1234.56`).
//!
//! The rule, so that `12,50` never silently becomes `1250`:
//! - Only the locale's decimal mark separates the decimals, at most once.
//! - The locale's thousands separator is accepted only between groups of the locale's size
//!   (`1.234,56` and `1234,56` in de-DE; `1,234.56` and `1234.56` in en-US); any space stands
//!   for a space-like separator (fr-FR writes U+202F).
//! - Anything else made of digits and `.`/`,` is refused with a message that says how to write
//!   it: `12,50` in en-US (a comma there groups thousands, and `50` is not a group of three),
//!   `12.50` in de-DE and in fr-FR (a point is not their decimal mark).
//! - Other characters are left for [`super::parse_amount`], which names the problem (exponent,
//!   not a number, non-ASCII digits); blank stays blank (optional fields).

use crate::Invalid;

/// How a locale writes amounts: its decimal mark, its thousands separator (if any) and the
/// size of its digit groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberStyle {
    pub decimal: char,
    pub group: Option<char>,
    pub group_size: u8,
}

impl NumberStyle {
    /// The machine format: a point, no grouping.
    pub const PLAIN: NumberStyle = NumberStyle {
        decimal: '.',
        group: None,
        group_size: 3,
    };

    /// What to change, in words: "must use a comma for the decimals and a point only between
    /// thousands, like 1.234,56 or 12,50".
    pub fn advice(&self) -> String {
        how_to_write(self)
    }

    /// `1,234.56` in this style, for messages and hints.
    pub fn example(&self) -> String {
        let group = self.group.map(String::from).unwrap_or_default();
        format!("1{group}234{}56", self.decimal)
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}')
}

fn name_of(c: char) -> &'static str {
    match c {
        '.' => "a point",
        ',' => "a comma",
        '\'' | '\u{2019}' => "an apostrophe",
        c if is_space(c) => "a space",
        _ => "the locale's mark",
    }
}

/// What to change, in words: "must use a comma for the decimals and a point only between
/// thousands, like 1.234,56 or 12,50".
fn how_to_write(style: &NumberStyle) -> String {
    let groups = match style.group {
        Some(g) => format!(" and {} only between thousands", name_of(g)),
        None => String::new(),
    };
    format!(
        "must use {} for the decimals{groups}, like {} or 12{}50",
        name_of(style.decimal),
        style.example(),
        style.decimal
    )
}

/// The canonical text (`[-]digits[.digits]`) of `typed`, written in `style`, for the input
/// named `field`; see the module documentation for what is accepted.
pub fn delocalize(field: &str, typed: &str, style: &NumberStyle) -> Result<String, Invalid> {
    let text = typed.trim();
    let is_group = |c: char| {
        style
            .group
            .is_some_and(|g| c == g || (is_space(g) && is_space(c)))
    };
    let refuse = || Invalid::new(field, how_to_write(style));
    let (sign, body) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let separator = |c: char| matches!(c, '.' | ',' | '\'' | '\u{2019}') || is_space(c);
    if body
        .chars()
        .any(|c| !c.is_ascii_digit() && !separator(c) && c != style.decimal)
    {
        // Not a number we can read: the amount parser says why.
        return Ok(text.to_owned());
    }
    if body
        .chars()
        .any(|c| separator(c) && c != style.decimal && !is_group(c))
    {
        return Err(refuse());
    }
    let (whole, fraction) = match body.split_once(style.decimal) {
        Some((_, f)) if f.contains(style.decimal) || f.chars().any(is_group) => {
            return Err(refuse());
        }
        Some((w, f)) => (w, Some(f)),
        None => (body, None),
    };
    let size = usize::from(style.group_size.max(1));
    let mut chunks = whole.split(is_group);
    let first = chunks.next().unwrap_or("");
    let mut digits = first.to_owned();
    let mut grouped = false;
    for chunk in chunks {
        grouped = true;
        if chunk.len() != size {
            return Err(refuse());
        }
        digits.push_str(chunk);
    }
    if grouped && (first.is_empty() || first.len() > size) {
        return Err(refuse());
    }
    Ok(match fraction {
        Some(f) => format!("{sign}{digits}.{f}"),
        None => format!("{sign}{digits}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN_US: NumberStyle = NumberStyle {
        decimal: '.',
        group: Some(','),
        group_size: 3,
    };
    const DE_DE: NumberStyle = NumberStyle {
        decimal: ',',
        group: Some('.'),
        group_size: 3,
    };
    const FR_FR: NumberStyle = NumberStyle {
        decimal: ',',
        group: Some('\u{202f}'),
        group_size: 3,
    };

    fn read(text: &str, style: &NumberStyle) -> Result<String, String> {
        delocalize("amount", text, style).map_err(|e| e.to_string())
    }

    #[test]
    fn a_decimal_comma_is_read_where_the_locale_writes_one() {
        assert_eq!(read("12,50", &DE_DE).as_deref(), Ok("12.50"));
        assert_eq!(read("1.234,56", &DE_DE).as_deref(), Ok("1234.56"));
        assert_eq!(read("1234,56", &DE_DE).as_deref(), Ok("1234.56"));
        assert_eq!(read("-0,05", &DE_DE).as_deref(), Ok("-0.05"));
        assert_eq!(read("1 234,56", &FR_FR).as_deref(), Ok("1234.56"));
        assert_eq!(read("1\u{202f}234,56", &FR_FR).as_deref(), Ok("1234.56"));
        assert_eq!(read("1\u{a0}234", &FR_FR).as_deref(), Ok("1234"));
    }

    #[test]
    fn grouping_is_read_only_between_groups_of_three() {
        assert_eq!(read("1,234.56", &EN_US).as_deref(), Ok("1234.56"));
        assert_eq!(read("1,234,567", &EN_US).as_deref(), Ok("1234567"));
        assert_eq!(read("1.234", &DE_DE).as_deref(), Ok("1234"));
        for bad in ["1,23.00", "1234,567", ",123", "1,234,56"] {
            assert!(read(bad, &EN_US).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_comma_is_never_silently_dropped_where_it_groups_thousands() {
        let refused = read("12,50", &EN_US);
        assert_eq!(
            refused,
            Err("amount: must use a point for the decimals and a comma only between thousands, like 1,234.56 or 12.50".to_owned())
        );
    }

    #[test]
    fn a_point_is_refused_where_it_is_not_the_decimal_mark() {
        assert!(read("12.50", &DE_DE).is_err());
        assert!(read("12.50", &FR_FR).is_err());
        assert!(read("1,234.56", &DE_DE).is_err());
        assert!(read("12,5,0", &DE_DE).is_err());
        assert!(read("1.234,5.6", &DE_DE).is_err());
    }

    #[test]
    fn other_text_is_left_for_the_amount_parser_and_blank_stays_blank() {
        assert_eq!(read("  ", &DE_DE).as_deref(), Ok(""));
        assert_eq!(read("1e3", &DE_DE).as_deref(), Ok("1e3"));
        assert_eq!(read("abc", &EN_US).as_deref(), Ok("abc"));
        assert_eq!(read("12.50", &NumberStyle::PLAIN).as_deref(), Ok("12.50"));
    }
}
