//! What the expense forms (and the budgets page's forms) share: the person-facing name of each
//! field, refusals turned into sentences that start with it, and the options of a category
//! select.

use domain::Invalid;
use domain::money::TOO_LARGE;
use service::categories::Category;

use crate::views::expenses::CategoryOption;

/// The person-facing name of a form field, for messages that name it.
pub fn label(field: &str) -> &str {
    match field {
        "from" => "From",
        "to" => "To",
        "month" => "Month",
        "category_id" => "Category",
        "q" => "Search",
        "min_amount" => "Minimum amount",
        "max_amount" => "Maximum amount",
        "sort" => "Sort by",
        "dir" => "Order",
        "amount" => "Amount",
        "currency" => "Currency",
        "spent_on" => "Date",
        "payee" => "Payee",
        "note" => "Note",
        "method" => "Payment method",
        "limit" => "Limit",
        "period" => "Period",
        other => other,
    }
}

/// A refusal as a sentence that starts with the field's name.
pub fn field_error(invalid: Invalid) -> (String, String) {
    let message = match (invalid.field.as_str(), invalid.reason.as_str()) {
        ("category_id", _) => "Choose one of your categories.".to_owned(),
        (field, TOO_LARGE) => format!("{} is too large.", label(field)),
        (field, reason) => format!("{} {reason}.", label(field)),
    };
    (invalid.field, message)
}

/// The options of a category select: the live categories, plus `current` even if deleted.
pub fn category_options(categories: &[Category], current: &str) -> Vec<CategoryOption> {
    categories
        .iter()
        .filter(|c| c.deleted_at.is_none() || c.id.to_string() == current)
        .map(|c| {
            let id = c.id.to_string();
            CategoryOption {
                selected: id == current,
                name: if c.deleted_at.is_some() {
                    format!("{} (deleted)", c.name)
                } else {
                    c.name.clone()
                },
                id,
            }
        })
        .collect()
}
