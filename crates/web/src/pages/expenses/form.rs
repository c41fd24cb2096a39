//! The add and edit forms of an expense. Every field is a text field in the form struct and
//! is parsed here into the domain's types (amount by the domain's decimal parser in the chosen
//! currency), so bad input of any kind is drawn again with 422, every refused field named next
//! to its input, the typed values kept, and nothing written. A stale edit (changed elsewhere)
//! is 409 with the same form; an expense that is missing, deleted or someone else's is 404.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use domain::Invalid;
use domain::bill::Notes;
use domain::date::parse_date;
use domain::id::{CategoryId, ExpenseId};
use domain::money::{Currency, parse_amount};
use domain::payment::{Payee, PaymentMethod};
use serde::Deserialize;
use service::auth::Principal;
use service::expenses::{self, ExpensePatch, ExpenseView, NewExpenseInput};
use service::preferences::{self, data_owner};
use service::{App, Error};

use super::fields::{category_options, field_error};
use super::{all_categories, back, not_found, show_failed};
use crate::AppState;
use crate::auth::Caller;
use crate::locale::Locale;
use crate::pages::common::{DataPageUser, with_cookie, with_param};
use crate::pages::forms::{failed_or_404, version};
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
async fn render(
    app: &App,
    user: &Principal,
    caller: &Caller,
    ctx: &PageContext,
    form: FormState,
) -> Response {
    let categories = match all_categories(app, user).await {
        Ok(c) => c,
        Err(err) => return show_failed(app, caller, ctx, err),
    };
    let title = if form.editing.is_some() {
        "Edit expense"
    } else {
        "Add expense"
    };
    let (chrome, cookie) = chrome(app, caller, ctx, title);
    let page = ExpenseFormPage {
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
    with_cookie(views::render(&page), cookie)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReturnQuery {
    pub return_to: Option<String>,
}

/// `GET /expenses/new`: an empty form in the user's currency, dated today.
pub async fn new(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Query(query): Query<ReturnQuery>,
) -> Response {
    let app = &state.app;
    let prefs = match data_owner(&user) {
        Ok(owner) => preferences::load(app, owner).await,
        Err(err) => Err(err),
    };
    let prefs = match prefs {
        Ok(p) => p,
        Err(err) => return show_failed(app, &caller, &ctx, err),
    };
    let values = ExpenseValues {
        currency: prefs.currency.code().to_owned(),
        spent_on: prefs.today(app.now()).to_string(),
        ..ExpenseValues::default()
    };
    let form = FormState::new(None, values, query.return_to.as_deref());
    render(app, &user, &caller, &ctx, form).await
}

/// The form's values for a stored expense (the amount as the user's locale writes it).
fn stored(l: &Locale, expense: &ExpenseView) -> ExpenseValues {
    ExpenseValues {
        amount: l.amount_field_of(expense.amount_minor, &expense.currency, &expense.amount),
        currency: expense.currency.clone(),
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
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Query(query): Query<ReturnQuery>,
) -> Response {
    let app = &state.app;
    let Ok(id) = id.parse::<ExpenseId>() else {
        return not_found(app, &caller, &ctx);
    };
    let expense = match expenses::get(app, &user, id).await {
        Ok(e) if e.deleted_at.is_none() => e,
        Ok(_) | Err(Error::NotFound) => return not_found(app, &caller, &ctx),
        Err(err) => return show_failed(app, &caller, &ctx, err),
    };
    let editing = Editing {
        id: expense.id.to_string(),
        version: expense.version.to_string(),
    };
    let form = FormState::new(
        Some(editing),
        stored(&ctx.locale, &expense),
        query.return_to.as_deref(),
    );
    render(app, &user, &caller, &ctx, form).await
}

/// The answer to a refused save: the form again (422 invalid, 409 stale), a 404 page, or
/// back to the list with a banner.
async fn refused(
    app: &App,
    user: &Principal,
    caller: &Caller,
    ctx: &PageContext,
    form: FormState,
    err: Error,
) -> Response {
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
        other => return failed_or_404(app, caller, ctx, &form.return_to, other, not_found),
    };
    render(app, user, caller, ctx, form).await
}

/// `POST /expenses`: records an expense, then back to the list.
pub async fn create(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Form(posted): Form<ExpenseForm>,
) -> Response {
    let app = &state.app;
    let form = FormState::new(None, posted.values(), posted.return_to.as_deref());
    let parsed = match posted.parse(&ctx.locale) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let form = form.refused(StatusCode::UNPROCESSABLE_ENTITY, errors);
            return render(app, &user, &caller, &ctx, form).await;
        }
    };
    let input = NewExpenseInput {
        amount: parsed.amount,
        currency: Some(parsed.currency),
        spent_on: parsed.spent_on,
        category_id: parsed.category_id,
        payee: parsed.payee,
        note: parsed.note,
        method: parsed.method,
    };
    match expenses::create(app, &user, input).await {
        Ok(_) => see_other(&with_param(&form.return_to, "notice", "added")),
        Err(err) => refused(app, &user, &caller, &ctx, form, err).await,
    }
}

/// `POST /expenses/{id}`: saves every field of the form if the expense is still at `version`.
pub async fn update(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(posted): Form<ExpenseForm>,
) -> Response {
    let app = &state.app;
    let Ok(id) = id.parse::<ExpenseId>() else {
        return not_found(app, &caller, &ctx);
    };
    let editing = Editing {
        id: id.to_string(),
        version: posted.version.trim().to_owned(),
    };
    let form = FormState::new(Some(editing), posted.values(), posted.return_to.as_deref());
    let parsed = match posted.parse(&ctx.locale) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let form = form.refused(StatusCode::UNPROCESSABLE_ENTITY, errors);
            return render(app, &user, &caller, &ctx, form).await;
        }
    };
    let version = version(&posted.version);
    let patch = ExpensePatch {
        amount: Some(parsed.amount),
        currency: Some(parsed.currency),
        spent_on: parsed.spent_on,
        category_id: Some(parsed.category_id),
        payee: Some(parsed.payee),
        note: Some(parsed.note),
        method: Some(parsed.method),
    };
    match expenses::update(app, &user, id, patch, version).await {
        Ok(_) => see_other(&with_param(&form.return_to, "notice", "saved")),
        Err(err) => refused(app, &user, &caller, &ctx, form, err).await,
    }
}
