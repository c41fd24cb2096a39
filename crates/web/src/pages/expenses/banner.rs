//! The expense list's banners after a form: a notice or an error chosen by a fixed code (never
//! reflected input; the only numbers shown are parsed ones), the undo token of a bulk delete
//! (only its shape is checked here, the service checks the rest) and the id of a deleted
//! expense to offer "Restore" for.

use domain::id::ExpenseId;

use crate::pages::common::message;
use crate::pages::forms::{error_message, param};

/// The banner messages a redirect can ask for, by code (`{n}` is the `count` parameter).
const NOTICES: [(&str, &str); 6] = [
    ("added", "Expense added."),
    ("saved", "Expense saved."),
    ("deleted", "Expense deleted."),
    ("restored", "Expense restored."),
    ("bulk_deleted", "Deleted {n}."),
    ("undone", "Undone: {n} back."),
];

/// The error banners a redirect can ask for, by code (besides the shared ones of
/// [`error_message`]).
const ERRORS: [(&str, &str); 4] = [
    ("not_found", "That expense no longer exists."),
    ("none_selected", "Select at least one expense to delete."),
    (
        "nothing_to_undo",
        "Nothing to undo: those expenses are already back.",
    ),
    (
        "conflict",
        "That expense was changed elsewhere; reload the page and try again.",
    ),
];

/// "1 expense", "3 expenses".
fn expenses_count(n: u64) -> String {
    if n == 1 {
        "1 expense".to_owned()
    } else {
        format!("{n} expenses")
    }
}

/// The banner of a list URL: notice, error, undo token and restorable id.
pub struct Banner {
    pub notice: Option<String>,
    pub error: Option<String>,
    pub undo_token: Option<String>,
    pub restore_id: Option<String>,
}

pub fn banner(pairs: &[(String, String)]) -> Banner {
    let get = |name: &str| param(pairs, name);
    let count = get("count").and_then(|n| n.parse::<u64>().ok());
    let notice = message(&NOTICES, get("notice")).and_then(|text| {
        if text.contains("{n}") {
            count.map(|n| text.replace("{n}", &expenses_count(n)))
        } else {
            Some(text)
        }
    });
    Banner {
        notice,
        error: error_message(&ERRORS, get("error")),
        // Only a token's shape is reflected (into a hidden input); the service checks it.
        undo_token: get("undo")
            .filter(|t| {
                !t.is_empty() && t.len() <= 128 && t.bytes().all(|b| b.is_ascii_alphanumeric())
            })
            .map(str::to_owned),
        restore_id: get("deleted")
            .and_then(|id| id.parse::<ExpenseId>().ok())
            .map(|id| id.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banners_reflect_only_fixed_text_numbers_and_shapes() {
        let pairs = |q: &[(&str, &str)]| -> Vec<(String, String)> {
            q.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
        };
        let b = banner(&pairs(&[
            ("notice", "bulk_deleted"),
            ("count", "3"),
            ("undo", "ab12"),
        ]));
        assert_eq!(b.notice.as_deref(), Some("Deleted 3 expenses."));
        assert_eq!(b.undo_token.as_deref(), Some("ab12"));
        let b = banner(&pairs(&[
            ("notice", "<b>"),
            ("undo", "<script>"),
            ("deleted", "x"),
        ]));
        assert!(b.notice.is_none() && b.undo_token.is_none() && b.restore_id.is_none());
    }
}
