//! The expense list's query string and its presentation: filters parsed into a
//! [`ExpenseQuery`] (a refused filter names its field, and nothing is listed until it is fixed),
//! the canonical list URL that page links and forms keep, the page links, and the rows.
//!
//! The query is bookmarkable: `from`, `to` (or `month=YYYY-MM`, which fills a blank `from` /
//! `to` with that month's first and last day), `category_id`, `q` (literal text in payee or
//! note), `min_amount`, `max_amount`, `sort` (`date`, `amount`, `payee`), `dir` (`asc`,
//! `desc`) and `page` (1-based). Unknown names are ignored, so an old bookmark still opens.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::date::parse_date;
use domain::id::CategoryId;
use domain::money::Money;
use domain::{Invalid, text};
use service::expenses::{Expense, ExpenseQuery, ExpenseSort, SortDirection};

use super::fields::field_error;
use crate::links;
use crate::locale::Locale;
use crate::pages::common::with_param;
use crate::pages::forms::param;
use crate::views::bills::CategoryChip;
use crate::views::expenses::{Choice, ExpenseRow, FilterValues, PageLink, Pagination};

/// Expenses per page.
pub const PAGE_SIZE: i64 = 25;

/// The highest page number a link may ask for (keeps the offset in the store's range).
const MAX_PAGE: i64 = 1_000_000;

/// The sort keys, their labels and the service's key.
const SORTS: [(&str, &str, ExpenseSort); 3] = [
    ("date", "Date", ExpenseSort::Date),
    ("amount", "Amount", ExpenseSort::Amount),
    ("payee", "Payee", ExpenseSort::Payee),
];

/// The list request: the filters as typed, what they parse to, and the page.
pub struct ListRequest {
    pub values: FilterValues,
    pub query: ExpenseQuery,
    pub page: i64,
    pub errors: Vec<(String, String)>,
}

/// Reads the list's query parameters (banner parameters are the caller's business); amounts
/// as the user's locale writes them.
pub fn parse(l: &Locale, pairs: &[(String, String)]) -> ListRequest {
    let get = |name: &str| {
        param(pairs, name)
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    let mut values = FilterValues {
        from: get("from"),
        to: get("to"),
        month: get("month"),
        category_id: get("category_id"),
        q: get("q"),
        min_amount: get("min_amount"),
        max_amount: get("max_amount"),
        sort: get("sort"),
        dir: get("dir"),
    };
    let page = get("page")
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=MAX_PAGE).contains(n))
        .unwrap_or(1);
    let mut errors = Vec::new();
    let mut keep = Keep(&mut errors);
    let blank_or = |raw: &str| (!raw.is_empty()).then_some(raw.to_owned());
    let date =
        |field: &str, raw: &str| blank_or(raw).map(|raw| parse_date(field, &raw)).transpose();
    let month = keep
        .ok(blank_or(&values.month).map(|m| month_range(&m)).transpose())
        .flatten();
    let from = keep.ok(date("from", &values.from)).flatten();
    let to = keep.ok(date("to", &values.to)).flatten();
    let category_id = keep
        .ok(blank_or(&values.category_id)
            .map(|raw| {
                raw.parse::<CategoryId>()
                    .map_err(|_| Invalid::new("category_id", "must be one of your categories"))
            })
            .transpose())
        .flatten();
    let q = keep
        .ok(blank_or(&values.q)
            .map(|q| text::bounded("q", &q, 1, 200))
            .transpose())
        .flatten();
    let sort = keep
        .ok(match values.sort.as_str() {
            "" => Ok(ExpenseSort::Date),
            raw => text::choice("sort", raw, &SORTS, |s| s.0).map(|s| s.2),
        })
        .unwrap_or_default();
    let direction = keep
        .ok(match values.dir.as_str() {
            "" | "desc" => Ok(SortDirection::Desc),
            "asc" => Ok(SortDirection::Asc),
            _ => Err(Invalid::new("dir", "must be asc or desc")),
        })
        .unwrap_or_default();
    let amount = |field: &str, raw: &str| l.amount_input(field, raw).map(|a| blank_or(&a));
    let min_amount = keep.ok(amount("min_amount", &values.min_amount)).flatten();
    let max_amount = keep.ok(amount("max_amount", &values.max_amount)).flatten();
    values.sort = sort_name(sort).to_owned();
    values.dir = dir_name(direction).to_owned();
    let query = ExpenseQuery {
        from: from.or(month.map(|m| m.0)),
        to: to.or(month.map(|m| m.1)),
        category_id,
        min_amount,
        max_amount,
        text: q,
        include_deleted: false,
        sort,
        direction,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    ListRequest {
        values,
        query,
        page,
        errors,
    }
}

/// Collects the refusals of several parses.
struct Keep<'a>(&'a mut Vec<(String, String)>);

impl Keep<'_> {
    /// The value, or `None` with the refusal recorded.
    fn ok<T>(&mut self, result: Result<T, Invalid>) -> Option<T> {
        result
            .map_err(|invalid| self.0.push(field_error(invalid)))
            .ok()
    }
}

/// `YYYY-MM` as its first and last day.
fn month_range(raw: &str) -> Result<(NaiveDate, NaiveDate), Invalid> {
    let refused = || Invalid::new("month", "must be a month written like 2026-03");
    let shaped = raw.len() == 7
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(refused());
    }
    let first =
        NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d").map_err(|_| refused())?;
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(refused)?;
    let last = next.pred_opt().ok_or_else(refused)?;
    Ok((first, last))
}

fn sort_name(sort: ExpenseSort) -> &'static str {
    SORTS.iter().find(|s| s.2 == sort).map_or("date", |s| s.0)
}

fn dir_name(direction: SortDirection) -> &'static str {
    match direction {
        SortDirection::Asc => "asc",
        SortDirection::Desc => "desc",
    }
}

/// The sort select's options.
pub fn sort_options(values: &FilterValues) -> Vec<Choice> {
    SORTS
        .iter()
        .map(|(value, label, _)| Choice {
            value: (*value).to_owned(),
            label: (*label).to_owned(),
            selected: values.sort == *value,
        })
        .collect()
}

/// Whether any filter (not the sort) is set.
pub fn filtered(values: &FilterValues) -> bool {
    [
        &values.from,
        &values.to,
        &values.month,
        &values.category_id,
        &values.q,
        &values.min_amount,
        &values.max_amount,
    ]
    .iter()
    .any(|v| !v.is_empty())
}

/// The list URL for these filters and `page`: blank filters, the default sort and page 1 are
/// left out, so the same list always has the same URL.
pub fn href(values: &FilterValues, page: i64) -> String {
    let mut to = links::EXPENSES.path().to_owned();
    for (name, value) in [
        ("from", &values.from),
        ("to", &values.to),
        ("month", &values.month),
        ("category_id", &values.category_id),
        ("q", &values.q),
        ("min_amount", &values.min_amount),
        ("max_amount", &values.max_amount),
    ] {
        if !value.is_empty() {
            to = with_param(&to, name, value);
        }
    }
    if values.sort != "date" || values.dir != "desc" {
        to = with_param(&to, "sort", &values.sort);
        to = with_param(&to, "dir", &values.dir);
    }
    if page > 1 {
        to = with_param(&to, "page", &page.to_string());
    }
    to
}

/// The page links for `total` matches, keeping the filters.
pub fn pagination(values: &FilterValues, page: i64, total: i64) -> Pagination {
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let mut links: Vec<Option<PageLink>> = Vec::new();
    for number in 1..=pages {
        let near = (number - page).abs() <= 2;
        if number == 1 || number == pages || near {
            links.push(Some(PageLink {
                number,
                href: href(values, number),
                current: number == page,
            }));
        } else if links.last().is_some_and(Option::is_some) {
            links.push(None);
        }
    }
    Pagination {
        page,
        pages,
        prev_href: (page > 1).then(|| href(values, (page - 1).min(pages))),
        next_href: (page < pages).then(|| href(values, page + 1)),
        links,
    }
}

/// The amount of an expense as shown ("$12.34").
pub fn amount_of(l: &Locale, expense: &Expense) -> String {
    l.money_of(expense.amount)
}

/// The list rows; `names` maps category ids to their chips (name and colour); edit links
/// return to `return_to`.
pub fn rows(
    l: &Locale,
    items: &[Expense],
    names: &HashMap<String, CategoryChip>,
    return_to: &str,
) -> Vec<ExpenseRow> {
    items
        .iter()
        .map(|e| {
            let note = shorten(&e.note);
            let (description, detail) = match (&e.payee, note.is_empty()) {
                (Some(payee), true) => (payee.clone(), None),
                (Some(payee), false) => (payee.clone(), Some(note)),
                (None, false) => (note, None),
                (None, true) => ("No description".to_owned(), None),
            };
            ExpenseRow {
                id: e.id.to_string(),
                edit_href: with_param(&links::EXPENSE_EDIT.at(e.id), "return_to", return_to),
                date: e.spent_on.to_string(),
                date_label: l.date(e.spent_on),
                description,
                detail,
                method: e.method.clone(),
                category: e
                    .category_id
                    .and_then(|id| names.get(&id.to_string()).cloned()),
                amount: amount_of(l, e),
                refund: e.amount.minor < 0,
            }
        })
        .collect()
}

/// The sum of the shown rows per currency, in the order the currencies first appear; empty if
/// a sum would not fit an amount.
pub fn page_sums(l: &Locale, items: &[Expense]) -> Vec<String> {
    let mut sums: Vec<Money> = Vec::new();
    for e in items {
        match sums
            .iter_mut()
            .find(|sum| sum.currency == e.amount.currency)
        {
            Some(sum) => match sum.checked_add(e.amount) {
                Ok(total) => *sum = total,
                Err(_) => return Vec::new(),
            },
            None => sums.push(e.amount),
        }
    }
    sums.into_iter().map(|sum| l.money_of(sum)).collect()
}

/// A note cut to one line of about 80 characters.
fn shorten(note: &str) -> String {
    let line = note.lines().next().unwrap_or_default();
    if line.chars().count() > 80 || line.len() < note.trim_end().len() {
        let cut: String = line.chars().take(80).collect();
        format!("{}…", cut.trim_end())
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_month_fills_blank_dates_and_links_keep_the_filters() {
        let request = parse(
            &Locale::default(),
            &pairs(&[("month", "2024-02"), ("q", "50%"), ("page", "3")]),
        );
        assert!(request.errors.is_empty());
        assert_eq!(request.query.from, NaiveDate::from_ymd_opt(2024, 2, 1));
        assert_eq!(request.query.to, NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(request.query.offset, 2 * PAGE_SIZE);
        assert_eq!(
            href(&request.values, 2),
            "/expenses?month=2024-02&q=50%25&page=2"
        );
    }

    #[test]
    fn refused_filters_name_their_field() {
        let request = parse(
            &Locale::default(),
            &pairs(&[
                ("from", "2025-02-30"),
                ("month", "March"),
                ("sort", "drop table"),
                ("dir", "up"),
                ("category_id", "x"),
            ]),
        );
        let fields: Vec<&str> = request.errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["month", "from", "category_id", "sort", "dir"]);
        assert!(
            request.errors[1].1.starts_with("From "),
            "{:?}",
            request.errors
        );
    }

    #[test]
    fn page_links_skip_the_middle() {
        let values = FilterValues {
            sort: "date".into(),
            dir: "desc".into(),
            ..FilterValues::default()
        };
        let shown: Vec<String> = pagination(&values, 6, 20 * PAGE_SIZE)
            .links
            .iter()
            .map(|l| l.as_ref().map_or("…".to_owned(), |l| l.number.to_string()))
            .collect();
        assert_eq!(shown, ["1", "…", "4", "5", "6", "7", "8", "…", "20"]);
    }
}
