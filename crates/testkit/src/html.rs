//! A small HTML tag tokenizer for tests that check rendered pages: enough to find every tag and
//! its attributes (quoted values included) in the markup our templates produce, and the forms
//! with their hidden fields. Text between tags is skipped, so escaped user data (which has no
//! `<`) is never mistaken for markup, while unescaped data shows up as tags.

/// A start or end tag, as a browser's tokenizer would see it.
#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub closing: bool,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Every tag of `html`, in order.
pub fn tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        i += 1;
        let closing = bytes.get(i) == Some(&b'/');
        if closing {
            i += 1;
        }
        if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue; // `<!doctype`, stray `<` in text would have been escaped.
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !b"/>".contains(&bytes[i]) {
            i += 1;
        }
        let name = html[start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                i += 1;
                break;
            }
            let start = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !b"=>/".contains(&bytes[i])
            {
                i += 1;
            }
            let attr = html[start..i].to_ascii_lowercase();
            let mut value = String::new();
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                match bytes.get(i) {
                    Some(&quote) if quote == b'"' || quote == b'\'' => {
                        let start = i + 1;
                        let end = html[start..]
                            .find(quote as char)
                            .map_or(html.len(), |at| at + start);
                        value = html[start..end].to_owned();
                        i = end + 1;
                    }
                    _ => {
                        let start = i;
                        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>'
                        {
                            i += 1;
                        }
                        value = html[start..i].to_owned();
                    }
                }
            }
            attrs.push((attr, value));
        }
        out.push(Tag {
            name,
            attrs,
            closing,
        });
    }
    out
}

/// One `<form>`: its method (lower case, `get` when missing), action, and the values of the
/// `csrf_token` inputs inside it (with their `type`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub method: String,
    pub action: Option<String>,
    pub csrf_tokens: Vec<(Option<String>, String)>,
}

/// The forms of `html`; an error for a nested or unclosed form.
pub fn forms(html: &str) -> Result<Vec<Form>, String> {
    let mut out: Vec<Form> = Vec::new();
    let mut open = false;
    for tag in tags(html) {
        match (tag.name.as_str(), tag.closing) {
            ("form", false) => {
                if open {
                    return Err(format!("nested form: {tag:?}"));
                }
                open = true;
                out.push(Form {
                    method: tag.attr("method").unwrap_or("get").to_ascii_lowercase(),
                    action: tag.attr("action").map(str::to_owned),
                    csrf_tokens: Vec::new(),
                });
            }
            ("form", true) => open = false,
            ("input", false) if open && tag.attr("name") == Some("csrf_token") => {
                if let Some(form) = out.last_mut() {
                    form.csrf_tokens.push((
                        tag.attr("type").map(str::to_owned),
                        tag.attr("value").unwrap_or("").to_owned(),
                    ));
                }
            }
            _ => {}
        }
    }
    if open {
        return Err("unclosed form".to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tokenizer_sees_quoted_attributes_as_values() {
        let found = tags(r#"<input value="a onclick=x" data-x='b style=c'><p>x onload=y</p>"#);

        assert_eq!(found.len(), 3);
        assert_eq!(found[0].attr("value"), Some("a onclick=x"));
        assert_eq!(found[0].attrs.len(), 2);
        assert!(found[2].closing);
    }

    #[test]
    fn forms_carry_their_csrf_inputs() {
        let html = r#"<form method="post" action="/x"><input type="hidden" name="csrf_token" value="t"></form><form action="/s"></form>"#;
        let found = forms(html).expect("well formed");
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].csrf_tokens,
            vec![(Some("hidden".to_owned()), "t".to_owned())]
        );
        assert_eq!(found[1].method, "get");
        assert!(forms("<form><form>").is_err());
        assert!(forms("<form method=post>").is_err());
    }
}
