//! The budgets page (`GET /budgets`) and its forms: create a budget for a category and period,
//! change a budget's limit, delete a budget (confirmed; deleting is for good, as in the
//! service). A success redirects back (303) with a banner chosen by a fixed code; a refused
//! form draws the page again — 422 for bad input, 409 for a duplicate budget or a stale edit —
//! with the message next to the field and the typed value kept. A budget that is missing or
//! someone else's is a 404 page; the bootstrap administrator gets a 403 page.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::NaiveDate;
use domain::Invalid;
use domain::budget::{BudgetPeriod, BudgetState};
use domain::id::{BudgetId, CategoryId};
use domain::money::Money;
use serde::Deserialize;
use service::Error;
use service::budgets::{self, Budget, NewBudgetInput};
use service::categories;
use service::preferences::{self, data_owner};

use super::common::{message, with_cookie};
use super::expenses::fields::{category_options, field_error};
use super::forms::{BannerQuery, CsrfForm, error_message, version};
use super::kit::{DataPage, Fail, PageError, PageResult};
use super::{PageContext, chrome};
use crate::extract::PathId;
use crate::links;
use crate::locale::Locale;
use crate::pages::with_notice;
use crate::routes::Table;
use crate::views::budgets::{BudgetRow, BudgetsPage};
use crate::views::expenses::Choice;
use crate::views::{self};

/// The banner messages a redirect can ask for, by code.
const NOTICES: [(&str, &str); 3] = [
    ("created", "Budget created."),
    ("saved", "Limit saved."),
    ("deleted", "Budget deleted."),
];

/// The error banners a redirect can ask for, by code (besides the shared ones of
/// [`error_message`]).
const ERRORS: [(&str, &str); 2] = [
    ("not_found", "That budget no longer exists."),
    (
        "conflict",
        "That budget was changed elsewhere; reload the page and try again.",
    ),
];

/// The budgets routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::BUDGETS.path(), get(show))
        .add("POST", links::BUDGETS.path(), post(create))
        .add("POST", links::BUDGET.template(), post(update))
        .add("POST", links::BUDGET_DELETE.template(), post(delete))
}

/// What the page is drawn with besides the stored budgets.
#[derive(Default)]
struct Draw {
    /// The create form as typed: category, period, limit.
    new: (String, String, String),
    new_errors: Vec<(String, String)>,
    /// A refused limit change: budget id, typed limit, message.
    row_error: Option<(String, String, String)>,
    notice: Option<String>,
    error: Option<String>,
    status: Option<StatusCode>,
}

fn period_label(period: BudgetPeriod) -> &'static str {
    match period {
        BudgetPeriod::Monthly => "Monthly",
        BudgetPeriod::Yearly => "Yearly",
    }
}

/// The state in words and its badge class.
fn state_badge(state: BudgetState) -> (&'static str, &'static str) {
    match state {
        BudgetState::Under => ("Under budget", "badge-paid"),
        BudgetState::Warning => ("Nearly at the limit", "badge-due"),
        BudgetState::Exceeded => ("Over budget", "badge-late"),
    }
}

/// "Mar 1, 2026 – Mar 31, 2026", each date as the user's locale writes it.
fn range(l: &Locale, start: NaiveDate, end: NaiveDate) -> String {
    format!("{} – {}", l.date(start), l.date(end))
}

fn row(l: &Locale, b: &Budget, refused: Option<&(String, String, String)>) -> BudgetRow {
    let amount = |m: Money| l.money_of(m);
    let id = b.id.to_string();
    let (state_label, badge_class) = state_badge(b.state);
    let refused = refused.filter(|(rid, _, _)| *rid == id);
    let over = b.overspent();
    BudgetRow {
        category: b
            .category_name
            .clone()
            .unwrap_or_else(|| "Deleted category".to_owned()),
        period: period_label(b.period).to_owned(),
        range: range(l, b.period_start, b.period_end),
        limit: amount(b.limit),
        spent: amount(b.spent),
        remaining_label: if over.is_some() {
            "Over by"
        } else {
            "Remaining"
        },
        remaining: amount(over.unwrap_or(b.remaining)),
        percent: b.percent,
        meter: b.percent.clamp(0, 100),
        state_label,
        badge_class,
        limit_input: refused.map_or_else(|| l.money_field(b.limit), |(_, typed, _)| typed.clone()),
        version: b.version,
        error: refused.map(|(_, _, message)| message.clone()),
        id,
    }
}

/// Draws the page with the stored budgets and `draw`.
async fn render(page: &DataPage, ctx: &PageContext, draw: Draw) -> PageResult {
    let (app, user) = (&page.app, &page.user);
    let loaded = async {
        let prefs = preferences::load(app, data_owner(user)?).await?;
        let budgets = budgets::list(app, user).await?;
        let categories = categories::list(app, user, false).await?;
        Ok::<_, Error>((prefs, budgets, categories))
    };
    let (prefs, budgets, categories) = loaded.await.not_shown("The budgets could not be shown")?;
    let (category, period, limit) = draw.new;
    let (chrome, cookie) = chrome(app, &page.caller, ctx, "Budgets");
    let view = BudgetsPage {
        chrome,
        rows: budgets
            .iter()
            .map(|b| row(&ctx.locale, b, draw.row_error.as_ref()))
            .collect(),
        categories: category_options(&categories, &category),
        periods: BudgetPeriod::ALL
            .iter()
            .map(|p| Choice {
                value: p.as_str().to_owned(),
                label: period_label(*p).to_owned(),
                selected: p.as_str() == period,
            })
            .collect(),
        new_limit: limit,
        new_errors: draw.new_errors,
        currency: prefs.currency.code().to_owned(),
        amount_example: format!("250{}50", ctx.locale.number_style().decimal),
        notice: draw.notice,
        error: draw.error,
        status: draw.status.unwrap_or(StatusCode::OK),
    };
    Ok(with_cookie(views::render(&view), cookie))
}

/// `GET /budgets`.
pub async fn show(page: DataPage, Query(query): Query<BannerQuery>) -> PageResult {
    let draw = Draw {
        notice: message(&NOTICES, query.notice.as_deref()),
        error: error_message(&ERRORS, query.error.as_deref()),
        ..Draw::default()
    };
    render(&page, &page.context().await, draw).await
}

/// The 404 page's words for a budget that is missing or someone else's.
const NOT_FOUND: &str = "There is no such budget. It may have been deleted, or the link is wrong.";

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewBudgetForm {
    pub category_id: String,
    pub period: String,
    pub limit: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

impl NewBudgetForm {
    /// The limit is read as the user's locale writes it.
    fn parse(&self, l: &Locale) -> Result<NewBudgetInput, Vec<(String, String)>> {
        let category = self
            .category_id
            .trim()
            .parse::<CategoryId>()
            .map_err(|_| Invalid::new("category_id", "must be one of your categories"));
        let period = self.period.parse::<BudgetPeriod>();
        let limit = l.amount_input("limit", &self.limit);
        match (category, period, limit) {
            (Ok(category_id), Ok(period), Ok(limit)) => Ok(NewBudgetInput {
                category_id,
                period,
                limit,
            }),
            (category, period, limit) => Err([category.err(), period.err(), limit.err()]
                .into_iter()
                .flatten()
                .map(field_error)
                .collect()),
        }
    }
}

/// `POST /budgets`: a new budget for one of the caller's categories.
pub async fn create(page: DataPage, Form(form): Form<NewBudgetForm>) -> PageResult {
    let ctx = page.context().await;
    let mut draw = Draw {
        new: (
            form.category_id.trim().to_owned(),
            form.period.trim().to_owned(),
            form.limit.clone(),
        ),
        status: Some(StatusCode::UNPROCESSABLE_ENTITY),
        ..Draw::default()
    };
    draw.new_errors = match form.parse(&ctx.locale) {
        Ok(input) => match budgets::create(&page.app, &page.user, input.clone()).await {
            Ok(_) => return Ok(with_notice(links::BUDGETS.path(), "created")),
            Err(err) => refusal(err, input.period, &mut draw)?,
        },
        Err(errors) => errors,
    };
    render(&page, &ctx, draw).await
}

/// The messages of a refused new budget (422; 409 for a period its category already has), or
/// the failure's usual answer.
fn refusal(
    err: Error,
    period: BudgetPeriod,
    draw: &mut Draw,
) -> Result<Vec<(String, String)>, PageError> {
    Ok(match err {
        Error::Invalid(invalid) => vec![field_error(invalid)],
        Error::Conflict { .. } => {
            draw.status = Some(StatusCode::CONFLICT);
            vec![(
                "category_id".to_owned(),
                format!(
                    "This category already has a {} budget; change its limit in the list instead.",
                    period.as_str()
                ),
            )]
        }
        err => return Err(err).back_to(links::BUDGETS.path()),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LimitForm {
    pub limit: String,
    /// The version the page showed; a newer stored one is a conflict.
    pub version: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /budgets/{id}`: changes a budget's limit.
pub async fn update(
    page: DataPage,
    PathId(id): PathId<BudgetId>,
    Form(form): Form<LimitForm>,
) -> PageResult {
    let ctx = page.context().await;
    let updated = async {
        let limit = ctx.locale.amount_input("limit", &form.limit)?;
        budgets::update_limit(&page.app, &page.user, id, &limit, version(&form.version)).await
    };
    let (status, message) = match updated.await {
        Ok(_) => return Ok(with_notice(links::BUDGETS.path(), "saved")),
        Err(err) => limit_refusal(err)?,
    };
    let draw = Draw {
        row_error: Some((id.to_string(), form.limit, message)),
        status: Some(status),
        ..Draw::default()
    };
    render(&page, &ctx, draw).await
}

/// The status and message of a refused limit (422; 409 for a stale page), or the failure's
/// usual answer (a budget that is missing or someone else's is the 404 page).
fn limit_refusal(err: Error) -> Result<(StatusCode, String), PageError> {
    Ok(match err {
        Error::Invalid(invalid) => (StatusCode::UNPROCESSABLE_ENTITY, field_error(invalid).1),
        Error::Conflict { .. } => (
            StatusCode::CONFLICT,
            "This budget was changed elsewhere since the page was loaded. Check its figures and save again.".to_owned(),
        ),
        err => return Err(err).back_to(links::BUDGETS.path()).missing(NOT_FOUND),
    })
}

/// `POST /budgets/{id}/delete`: deletes a budget for good (the form asks first).
pub async fn delete(page: DataPage, PathId(id): PathId<BudgetId>, _: Form<CsrfForm>) -> PageResult {
    let deleted = budgets::delete(&page.app, &page.user, id).await;
    deleted.back_to(links::BUDGETS.path()).missing(NOT_FOUND)?;
    Ok(with_notice(links::BUDGETS.path(), "deleted"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_ranges_read_naturally() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(
            range(&Locale::default(), day(2026, 3, 1), day(2026, 3, 31)),
            "Mar 1, 2026 – Mar 31, 2026"
        );
        assert_eq!(
            range(
                &Locale::new("de-DE", chrono_tz::UTC),
                day(2026, 1, 1),
                day(2026, 12, 31)
            ),
            "01.01.2026 – 31.12.2026"
        );
    }

    #[test]
    fn every_state_has_words() {
        for state in [
            BudgetState::Under,
            BudgetState::Warning,
            BudgetState::Exceeded,
        ] {
            assert!(!state_badge(state).0.is_empty());
        }
        assert_eq!(state_badge(BudgetState::Exceeded).0, "Over budget");
    }
}
