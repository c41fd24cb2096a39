//! The add and edit forms of an expense. Every field is a text field in the form struct and
//! is parsed here into the domain's types (amount by the domain's decimal parser in the chosen
//! currency), so bad input of any kind is drawn again with 422, every refused field named next
//! to its input, the typed values kept, and nothing written. A stale edit (changed elsewhere)
//! is 409 with the same form; an expense that is missing, deleted or someone else's is 404.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use chrono::NaiveDate;
use domain::Invalid;
use domain::bill::Notes;
use domain::date::parse_date;
use domain::id::{CategoryId, ExpenseId};
use domain::money::{Currency, parse_amount};
use domain::payment::{Payee, PaymentMethod};
use serde::Deserialize;
use service::Error;
use service::expenses::{self, Expense, ExpensePatch, NewExpenseInput};
use service::preferences::{self, data_owner};

use super::fields::{category_options, field_error};
use super::{MISSING, NOT_SHOWN, all_categories, back};
use crate::extract::PathId;
use crate::locale::Locale;
use crate::pages::common::{with_cookie, with_param};
use crate::pages::forms::version;
use crate::pages::kit::{DataPage, Fail, PageResult};
use crate::pages::{PageContext, chrome, see_other};
use crate::views::expenses::{Choice, Editing, ExpenseFormPage, ExpenseValues};
use crate::views::{self};

/// The expense form as posted: every field as text, parsed by [`ExpenseForm::parse`].
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExpenseForm {
    pub amount: String,
    pub currency: String,
    pub spent_on: String,
    pub category_id: String,
    pub payee: String,
    pub note: String,
    pub method: String,
    /// The version an edit is based on.
    pub version: String,
    pub return_to: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// The form's fields, parsed.
struct Parsed {
    amount: String,
    currency: Currency,
    spent_on: Option<NaiveDate>,
    category_id: Option<CategoryId>,
    payee: Option<Payee>,
    note: Notes,
    method: Option<PaymentMethod>,
}

impl Parsed {
    /// A new expense of these values.
    fn into_input(self) -> NewExpenseInput {
        NewExpenseInput {
            amount: self.amount,
            currency: Some(self.currency),
            spent_on: self.spent_on,
            category_id: self.category_id,
            payee: self.payee,
            note: self.note,
            method: self.method,
        }
    }

    /// An edit setting every field to these values.
    fn into_patch(self) -> ExpensePatch {
        ExpensePatch {
            amount: Some(self.amount),
            currency: Some(self.currency),
            spent_on: self.spent_on,
            category_id: Some(self.category_id),
            payee: Some(self.payee),
            note: Some(self.note),
            method: Some(self.method),
        }
    }
}

impl ExpenseForm {
    /// The values to draw again.
    fn values(&self) -> ExpenseValues {
        ExpenseValues {
            amount: self.amount.clone(),
            currency: self.currency.trim().to_owned(),
            spent_on: self.spent_on.clone(),
            category_id: self.category_id.trim().to_owned(),
            payee: self.payee.clone(),
            note: self.note.clone(),
            method: self.method.clone(),
        }
    }

    /// Every field parsed, or every refusal (not only the first); the amount as the user's
    /// locale writes it.
    fn parse(&self, l: &Locale) -> Result<Parsed, Vec<(String, String)>> {
        let mut errors: Vec<Invalid> = Vec::new();
        let mut keep = |result: Result<(), Invalid>| {
            if let Err(invalid) = result {
                errors.push(invalid);
            }
        };
        let mut currency = None;
        keep(Currency::parse("currency", &self.currency).map(|c| currency = Some(c)));
        let mut amount = None;
        keep(
            l.amount_input("amount", &self.amount)
                .map(|a| amount = Some(a)),
        );
        if let (Some(c), Some(amount)) = (currency, &amount) {
            // The domain's parser; the service parses it again when it stores it.
            keep(parse_amount("amount", amount, c).map(|_| ()));
        }
        let mut spent_on = None;
        if !self.spent_on.trim().is_empty() {
            keep(parse_date("spent_on", &self.spent_on).map(|d| spent_on = Some(d)));
        }
        let mut category_id = None;
        if !self.category_id.trim().is_empty() {
            keep(
                self.category_id
                    .trim()
                    .parse::<CategoryId>()
                    .map(|id| category_id = Some(id))
                    .map_err(|_| Invalid::new("category_id", "must be one of your categories")),
            );
        }
        let mut payee = None;
        keep(Payee::parse_optional(&self.payee).map(|p| payee = p));
        let mut note = None;
        keep(Notes::parse("note", &self.note).map(|n| note = Some(n)));
        let mut method = None;
        keep(PaymentMethod::parse_optional(&self.method).map(|m| method = m));
        match (currency, note, amount) {
            (Some(currency), Some(note), Some(amount)) if errors.is_empty() => Ok(Parsed {
                amount,
                currency,
                spent_on,
                category_id,
                payee,
                note,
                method,
            }),
            _ => Err(errors.into_iter().map(field_error).collect()),
        }
    }
}

/// What to draw the form with.
struct FormState {
    editing: Option<Editing>,
    values: ExpenseValues,
    errors: Vec<(String, String)>,
    return_to: String,
    status: StatusCode,
}

impl FormState {
    /// The form of `editing` (`None`: a new expense) with `values` and no errors, returning
    /// to `return_to` (as [`back`] allows).
    fn new(editing: Option<Editing>, values: ExpenseValues, return_to: Option<&str>) -> Self {
        Self {
            editing,
            values,
            errors: Vec::new(),
            return_to: back(return_to),
            status: StatusCode::OK,
        }
    }

    /// The same form refused with `status` and `errors`.
    fn refused(self, status: StatusCode, errors: Vec<(String, String)>) -> Self {
        Self {
            errors,
            status,
            ..self
        }
    }
}

/// Draws the form (loading the category options).
async fn render(page: &DataPage, ctx: &PageContext, form: FormState) -> PageResult {
    let categories = all_categories(&page.app, &page.user)
        .await
        .not_shown(NOT_SHOWN)?;
    let title = if form.editing.is_some() {
        "Edit expense"
    } else {
        "Add expense"
    };
    let (chrome, cookie) = chrome(&page.app, &page.caller, ctx, title);
    let view = ExpenseFormPage {
        chrome,
        categories: category_options(&categories, &form.values.category_id),
        currencies: Currency::all()
            .map(|c| Choice {
                value: c.code().to_owned(),
                label: c.label(),
                selected: c.code() == form.values.currency,
            })
            .collect(),
        amount_example: ctx.locale.amount_example(),
        editing: form.editing,
        values: form.values,
        errors: form.errors,
        return_to: form.return_to,
        status: form.status,
    };
    Ok(with_cookie(views::render(&view), cookie))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReturnQuery {
    pub return_to: Option<String>,
}

/// `GET /expenses/new`: an empty form in the user's currency, dated today.
pub async fn new(page: DataPage, Query(query): Query<ReturnQuery>) -> PageResult {
    let owner = data_owner(&page.user)?;
    let prefs = preferences::load(&page.app, owner)
        .await
        .not_shown(NOT_SHOWN)?;
    let values = ExpenseValues {
        currency: prefs.currency.code().to_owned(),
        spent_on: prefs.today(page.app.now()).to_string(),
        ..ExpenseValues::default()
    };
    let form = FormState::new(None, values, query.return_to.as_deref());
    render(&page, &page.context().await, form).await
}

/// The form's values for a stored expense (the amount as the user's locale writes it).
fn stored(l: &Locale, expense: &Expense) -> ExpenseValues {
    ExpenseValues {
        amount: l.money_field(expense.amount),
        currency: expense.amount.currency.code().to_owned(),
        spent_on: expense.spent_on.to_string(),
        category_id: expense
            .category_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        payee: expense.payee.clone().unwrap_or_default(),
        note: expense.note.clone(),
        method: expense.method.clone().unwrap_or_default(),
    }
}

/// `GET /expenses/{id}/edit`: the form filled with the stored expense.
pub async fn edit(
    page: DataPage,
    PathId(id): PathId<ExpenseId>,
    Query(query): Query<ReturnQuery>,
) -> PageResult {
    let expense = expenses::get(&page.app, &page.user, id)
        .await
        .missing(MISSING)?;
    if expense.deleted_at.is_some() {
        return Err(Error::NotFound).missing(MISSING);
    }
    let editing = Editing {
        id: expense.id.to_string(),
        version: expense.version.to_string(),
    };
    let ctx = page.context().await;
    let values = stored(&ctx.locale, &expense);
    let form = FormState::new(Some(editing), values, query.return_to.as_deref());
    render(&page, &ctx, form).await
}

/// The answer to a refused save: the form again (422 invalid, 409 stale), a 404 page, or
/// back to the list with a banner.
async fn refused(page: &DataPage, ctx: &PageContext, form: FormState, err: Error) -> PageResult {
    let form = match err {
        Error::Invalid(invalid) => {
            form.refused(StatusCode::UNPROCESSABLE_ENTITY, vec![field_error(invalid)])
        }
        Error::Conflict { .. } => form.refused(
            StatusCode::CONFLICT,
            vec![(
                "version".to_owned(),
                "This expense was changed elsewhere since you opened it. Open it again to see the changes; nothing was saved.".to_owned(),
            )],
        ),
        other => return Err(other).back_to(&form.return_to).missing(MISSING),
    };
    render(page, ctx, form).await
}

/// `POST /expenses`: records an expense, then back to the list.
pub async fn create(page: DataPage, Form(posted): Form<ExpenseForm>) -> PageResult {
    let ctx = page.context().await;
    let form = FormState::new(None, posted.values(), posted.return_to.as_deref());
    let parsed = match posted.parse(&ctx.locale) {
        Ok(parsed) => parsed,
        Err(errors) => return invalid(&page, &ctx, form, errors).await,
    };
    let saved = expenses::create(&page.app, &page.user, parsed.into_input()).await;
    answer(&page, &ctx, form, saved, "added").await
}

/// `POST /expenses/{id}`: saves every field of the form if the expense is still at `version`.
pub async fn update(
    page: DataPage,
    PathId(id): PathId<ExpenseId>,
    Form(posted): Form<ExpenseForm>,
) -> PageResult {
    let ctx = page.context().await;
    let editing = Some(Editing {
        id: id.to_string(),
        version: posted.version.trim().to_owned(),
    });
    let form = FormState::new(editing, posted.values(), posted.return_to.as_deref());
    let parsed = match posted.parse(&ctx.locale) {
        Ok(parsed) => parsed,
        Err(errors) => return invalid(&page, &ctx, form, errors).await,
    };
    let (app, user, version) = (&page.app, &page.user, version(&posted.version));
    let saved = expenses::update(app, user, id, parsed.into_patch(), version).await;
    answer(&page, &ctx, form, saved, "saved").await
}

/// The form again with 422 and the message under each field that did not parse.
async fn invalid(
    page: &DataPage,
    ctx: &PageContext,
    form: FormState,
    errors: Vec<(String, String)>,
) -> PageResult {
    render(
        page,
        ctx,
        form.refused(StatusCode::UNPROCESSABLE_ENTITY, errors),
    )
    .await
}

/// After a save: back to the list with `notice`, or the refusal's answer.
async fn answer<T>(
    page: &DataPage,
    ctx: &PageContext,
    form: FormState,
    saved: Result<T, Error>,
    notice: &str,
) -> PageResult {
    match saved {
        Ok(_) => Ok(see_other(&with_param(&form.return_to, "notice", notice))),
        Err(err) => refused(page, ctx, form, err).await,
    }
}
