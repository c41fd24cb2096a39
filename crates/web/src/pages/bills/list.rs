//! The bills list (`GET /bills`): tabs for active, inactive and deleted bills, a text search,
//! a category filter and a sort order, all in the query string so every view is bookmarkable
//! (`?show=&q=&category=&sort=&dir=`). A value that is not understood falls back to its
//! default with a banner, never an error page. The bills are read once and filtered here: a
//! user's bills are a few hundred rows at most.

use std::cmp::Ordering;

use axum::extract::Query;
use chrono::NaiveDate;
use domain::id::BillId;
use service::bills::{self, Bill};
use service::categories::{self, Category};

use super::{prefs, present};
use crate::links;
use crate::pages::chrome;
use crate::pages::common::{message, with_cookie, with_param};
use crate::pages::forms::{error_message, param};
use crate::pages::kit::{DataPage, PageResult};
use crate::views::bills::{BillsPage, SelectOption, Tab};
use crate::views::render;

/// The list's banners, by code.
const NOTICES: [(&str, &str); 2] = [
    ("deleted", "Bill deleted. It is no longer on the tracker."),
    ("purged", "The bill and its payments were deleted for good."),
];

/// The list's error banners, by code (the codes of [`crate::pages::common::failed`] whose
/// words are this list's, and `query`; the rest are [`error_message`]'s).
const ERRORS: [(&str, &str); 3] = [
    ("not_found", "That bill no longer exists."),
    ("conflict", "That bill was changed elsewhere; try again."),
    (
        "query",
        "That filter is not valid; showing your active bills.",
    ),
];

/// Which bills the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Show {
    Active,
    Inactive,
    Deleted,
}

impl Show {
    const ALL: [Show; 3] = [Show::Active, Show::Inactive, Show::Deleted];

    fn value(self) -> &'static str {
        match self {
            Show::Active => "active",
            Show::Inactive => "inactive",
            Show::Deleted => "deleted",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Show::Active => "Active",
            Show::Inactive => "Inactive",
            Show::Deleted => "Deleted",
        }
    }

    fn holds(self, bill: &Bill) -> bool {
        match self {
            Show::Deleted => bill.deleted_at.is_some(),
            Show::Inactive => bill.deleted_at.is_none() && !bill.is_active,
            Show::Active => bill.deleted_at.is_none() && bill.is_active,
        }
    }
}

const SORTS: [(&str, &str); 4] = [
    ("name", "Name"),
    ("amount", "Amount"),
    ("next_due", "Next due date"),
    ("category", "Category"),
];

/// The list's query: `?show=&q=&category=&sort=&dir=`; anything unknown falls back to the
/// default with a banner, never an error page.
struct ListQuery {
    show: Show,
    q: String,
    /// Empty (every category), `none` (no category) or a category id.
    category: String,
    sort: &'static str,
    desc: bool,
    invalid: bool,
}

impl ListQuery {
    fn parse(pairs: &[(String, String)], categories: &[Category]) -> Self {
        let mut query = ListQuery {
            show: Show::Active,
            q: String::new(),
            category: String::new(),
            sort: "name",
            desc: false,
            invalid: false,
        };
        for (name, value) in pairs {
            let value = value.trim();
            match name.as_str() {
                "show" => match Show::ALL.iter().find(|s| s.value() == value) {
                    Some(show) => query.show = *show,
                    None => query.invalid = true,
                },
                "q" => query.q = value.chars().take(120).collect(),
                "category" => {
                    let known = value.is_empty()
                        || value == "none"
                        || categories.iter().any(|c| c.id.to_string() == value);
                    if known {
                        query.category = value.to_owned();
                    } else {
                        query.invalid = true;
                    }
                }
                "sort" => match SORTS.iter().find(|(key, _)| *key == value) {
                    Some((key, _)) => query.sort = key,
                    None => query.invalid = true,
                },
                "dir" => match value {
                    "asc" => query.desc = false,
                    "desc" => query.desc = true,
                    _ => query.invalid = true,
                },
                _ => {}
            }
        }
        query
    }

    /// The list URL for tab `show` with this search, filter and sort.
    fn href(&self, show: Show) -> String {
        let mut href = format!("{}?show={}", links::BILLS, show.value());
        if !self.q.is_empty() {
            href = with_param(&href, "q", &self.q);
        }
        if !self.category.is_empty() {
            href = with_param(&href, "category", &self.category);
        }
        format!(
            "{href}&sort={}&dir={}",
            self.sort,
            if self.desc { "desc" } else { "asc" }
        )
    }

    fn matches(&self, bill: &Bill, categories: &[Category]) -> bool {
        let category = bill
            .category_id
            .and_then(|id| categories.iter().find(|c| c.id == id));
        let in_category = match self.category.as_str() {
            "" => true,
            "none" => bill.category_id.is_none(),
            id => bill.category_id.is_some_and(|c| c.to_string() == id),
        };
        let needle = self.q.to_lowercase();
        let found = needle.is_empty()
            || bill.name.to_lowercase().contains(&needle)
            || bill.notes.to_lowercase().contains(&needle)
            || category.is_some_and(|c| c.name.to_lowercase().contains(&needle));
        in_category && found
    }

    fn compare(&self, a: &Bill, b: &Bill, categories: &[Category]) -> Ordering {
        let name = |bill: &Bill| bill.name.to_lowercase();
        let category = |bill: &Bill| {
            bill.category_id
                .and_then(|id| categories.iter().find(|c| c.id == id))
                .map(|c| c.name.to_lowercase())
        };
        // Missing values (no next due date, no category) sort last either way.
        let last_if_none = |x: Option<Ordering>, a_none: bool, b_none: bool| match (a_none, b_none)
        {
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => x.unwrap_or(Ordering::Equal),
        };
        let flip = |o: Ordering| if self.desc { o.reverse() } else { o };
        let primary = match self.sort {
            "amount" => flip(
                (a.expected.minor, a.currency().code())
                    .cmp(&(b.expected.minor, b.currency().code())),
            ),
            "next_due" => last_if_none(
                a.next_due.zip(b.next_due).map(|(x, y)| flip(x.cmp(&y))),
                a.next_due.is_none(),
                b.next_due.is_none(),
            ),
            "category" => {
                let (x, y) = (category(a), category(b));
                last_if_none(
                    x.as_ref().zip(y.as_ref()).map(|(x, y)| flip(x.cmp(y))),
                    x.is_none(),
                    y.is_none(),
                )
            }
            _ => flip(name(a).cmp(&name(b))),
        };
        primary.then_with(|| name(a).cmp(&name(b)))
    }
}

/// The filters' select options.
fn filter_options(
    query: &ListQuery,
    categories: &[Category],
) -> (Vec<SelectOption>, Vec<SelectOption>, Vec<SelectOption>) {
    let mut category = vec![
        SelectOption::new("", "All categories", &query.category),
        SelectOption::new("none", "No category", &query.category),
    ];
    category.extend(
        categories
            .iter()
            .filter(|c| c.deleted_at.is_none() || c.id.to_string() == query.category)
            .map(|c| SelectOption::new(c.id.to_string(), c.name.clone(), &query.category)),
    );
    let sort = SORTS
        .iter()
        .map(|(key, label)| SelectOption::new(*key, *label, query.sort))
        .collect();
    let dir_value = if query.desc { "desc" } else { "asc" };
    let dir = vec![
        SelectOption::new("asc", "Ascending", dir_value),
        SelectOption::new("desc", "Descending", dir_value),
    ];
    (category, sort, dir)
}

/// Builds the list page.
fn present_list(
    l: &crate::locale::Locale,
    chrome: crate::views::Chrome,
    all: &[Bill],
    categories: &[Category],
    query: &ListQuery,
    today: NaiveDate,
) -> BillsPage {
    let tabs = Show::ALL
        .iter()
        .map(|show| Tab {
            label: show.label(),
            count: all.iter().filter(|b| show.holds(b)).count(),
            href: query.href(*show),
            current: *show == query.show,
        })
        .collect();
    let mut shown: Vec<&Bill> = all
        .iter()
        .filter(|b| query.show.holds(b) && query.matches(b, categories))
        .collect();
    shown.sort_by(|a, b| query.compare(a, b, categories));
    let (category_options, sort_options, dir_options) = filter_options(query, categories);
    BillsPage {
        chrome,
        tabs,
        show: query.show.value(),
        show_label: query.show.label(),
        q: query.q.clone(),
        category_options,
        sort_options,
        dir_options,
        rows: shown
            .into_iter()
            .map(|b| present::list_row(l, b, categories, today))
            .collect(),
        no_bills: all.is_empty(),
        filtered: !query.q.is_empty() || !query.category.is_empty(),
        clear_href: format!("{}?show={}", links::BILLS, query.show.value()),
        notice: None,
        error: None,
        undo_bill: None,
    }
}

/// `GET /bills?show=&q=&category=&sort=&dir=` (plus `notice`, `error`, `bill` after a form).
pub async fn list(page: DataPage, Query(pairs): Query<Vec<(String, String)>>) -> PageResult {
    let (app, user) = (&page.app, &page.user);
    let all = bills::list(app, user, true, true).await?;
    let categories = categories::list(app, user, true).await?;
    let today = prefs(app, user).await?.today(app.now());
    let query = ListQuery::parse(&pairs, &categories);
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(app, &page.caller, &ctx, "Bills");
    let mut view = present_list(&ctx.locale, chrome, &all, &categories, &query, today);
    with_banners(&mut view, &pairs, &all, query.invalid);
    Ok(with_cookie(render(&view), cookie))
}

/// The banners of the list: after a form (`notice`, `error`, and `bill`, a just-deleted bill
/// to restore), or for a query that was not understood.
fn with_banners(view: &mut BillsPage, pairs: &[(String, String)], all: &[Bill], invalid: bool) {
    let code = |name: &str| param(pairs, name);
    view.notice = message(&NOTICES, code("notice"));
    view.error = error_message(&ERRORS, code("error"));
    if invalid {
        view.error = error_message(&ERRORS, Some("query"));
    }
    // Only an id that parses and names one of the caller's deleted bills gets a Restore button.
    view.undo_bill = code("bill")
        .and_then(|raw| raw.parse::<BillId>().ok())
        .map(|id| id.to_string())
        .filter(|id| {
            all.iter()
                .any(|b| b.id.to_string() == *id && b.deleted_at.is_some())
        });
}
