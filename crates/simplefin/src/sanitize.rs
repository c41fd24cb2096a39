//! [`sanitise`]: every text the Bridge sends that a person may see (warnings, account and
//! institution names, descriptions, payees, memos) goes through here before it leaves this
//! crate. The Bridge relays what banks write, so it is untrusted text.

/// The most characters of one Bridge text kept; longer texts end in `…`.
pub const MAX_TEXT_CHARS: usize = 300;

/// Control characters become spaces (runs of white space fold into one), bidirectional
/// overrides and isolates, zero-width characters and the BOM are removed (they can make a
/// text read differently from what it is), the result is trimmed and capped at
/// [`MAX_TEXT_CHARS`].
pub fn sanitise(text: &str) -> String {
    let mut kept: Vec<char> = Vec::with_capacity(text.len().min(MAX_TEXT_CHARS + 1));
    let mut pending_space = false;
    for c in text.chars() {
        if kept.len() > MAX_TEXT_CHARS {
            break;
        }
        if is_invisible(c) {
            continue;
        }
        if c.is_control() || c.is_whitespace() {
            pending_space = !kept.is_empty();
            continue;
        }
        if pending_space {
            kept.push(' ');
            pending_space = false;
        }
        kept.push(c);
    }
    if kept.len() > MAX_TEXT_CHARS {
        kept.truncate(MAX_TEXT_CHARS - 1);
        while kept.last() == Some(&' ') {
            kept.pop();
        }
        kept.push('…');
    }
    kept.into_iter().collect()
}

/// Bidi embeddings, overrides and isolates, marks, zero-width characters, the BOM.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_control_characters_and_bidi_overrides() {
        assert_eq!(sanitise("Pay\u{202E}lapyap\u{202C} now"), "Paylapyap now");
        assert_eq!(sanitise("a\u{0}b\u{7}c\r\n\td"), "a b c d");
        assert_eq!(sanitise("\u{2066}x\u{2069}\u{200B}y\u{FEFF}"), "xy");
        assert_eq!(
            sanitise("  spaced   out \u{1b}[31m red "),
            "spaced out [31m red"
        );
    }

    #[test]
    fn caps_length_on_characters_not_bytes() {
        let long = "é".repeat(1000);
        let out = sanitise(&long);
        assert_eq!(out.chars().count(), MAX_TEXT_CHARS);
        assert!(out.ends_with('…'));
        let exact = "x".repeat(MAX_TEXT_CHARS);
        assert_eq!(sanitise(&exact), exact);
    }

    #[test]
    fn keeps_ordinary_text() {
        assert_eq!(sanitise("Café Zürich — 東京"), "Café Zürich — 東京");
        assert_eq!(sanitise(""), "");
    }
}
