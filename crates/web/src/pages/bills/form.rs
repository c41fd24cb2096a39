//! The add and edit bill form: `GET /bills/new`, `POST /bills`, `GET /bills/{id}/edit`,
//! `POST /bills/{id}`.
//!
//! The form's text becomes the service's request in `input`; the service parses it and names
//! the refused field: the form comes back with 422, the message under the field and every
//! typed value kept. A stale version comes back with 409, the typed values and nothing saved.

use axum::Form;
use axum::http::StatusCode;
use chrono::NaiveDate;
use domain::id::BillId;
use domain::money::{Currency, Money};
use serde::Deserialize;
use service::Error;
use service::bills::{self, Bill};
use service::categories::{self, Category};

use super::input::{create_request, in_locale, update_request};
use super::{MISSING, bill_href, prefs, refusal_of};
use crate::extract::PathId;
use crate::links;
use crate::locale::Locale;
use crate::pages::common::with_cookie;
use crate::pages::kit::{DataPage, Fail, PageResult};
use crate::pages::with_notice;
use crate::pages::{PageContext, chrome};
use crate::views::bills::{BillFields, BillFormPage, SelectOption};
use crate::views::render;

/// The form body: the fields and the CSRF token (checked by the CSRF layer).
#[derive(Deserialize)]
pub struct BillForm {
    #[serde(flatten)]
    pub fields: BillFields,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// A new bill's defaults: the user's currency, monthly, first due today.
fn new_fields(currency: Currency, today: NaiveDate) -> BillFields {
    BillFields {
        currency: currency.code().to_owned(),
        cycle: "monthly".to_owned(),
        amount_kind: "fixed".to_owned(),
        autopay: "off".to_owned(),
        anchor_date: today.to_string(),
        ..BillFields::default()
    }
}

/// A stored bill as the edit form's values (amounts as the user's locale writes them).
fn fields_of(l: &Locale, bill: &Bill) -> BillFields {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let amount = |money: Option<Money>| money.map_or_else(String::new, |m| l.money_field(m));
    let number = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let flag = |v: bool| if v { "true" } else { "" }.to_owned();
    BillFields {
        name: bill.name.clone(),
        category_id: bill.category_id.map(|c| c.to_string()).unwrap_or_default(),
        new_category: String::new(),
        notes: bill.notes.clone(),
        amount_kind: bill.amount_kind.as_str().to_owned(),
        expected_amount: amount(Some(bill.expected)),
        expected_min: amount(bill.expected_min),
        expected_max: amount(bill.expected_max),
        currency: bill.currency().code().to_owned(),
        cycle: bill.cycle.as_str().to_owned(),
        anchor_date: bill.anchor_date.to_string(),
        due_day: number(bill.due_day),
        autopay: bill.autopay.as_str().to_owned(),
        autopay_verified_on: bill
            .autopay_verified_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        auto_mark_paid: flag(bill.auto_mark_paid),
        is_subscription: flag(bill.is_subscription),
        reminder_days: bill
            .reminder_days
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        website: text(&bill.website),
        account_details: text(&bill.account_details),
        debt_balance: amount(bill.debt_balance),
        apr: bill.apr.map(|apr| apr.percent_text()).unwrap_or_default(),
        min_payment: amount(bill.min_payment),
        payoff_order: number(bill.payoff_order),
        version: bill.version.to_string(),
    }
}

const CYCLES: [(&str, &str); 6] = [
    ("monthly", "Monthly"),
    ("weekly", "Weekly"),
    ("biweekly", "Every 2 weeks"),
    ("quarterly", "Every 3 months"),
    ("semiannual", "Every 6 months"),
    ("annual", "Yearly"),
];

const AUTOPAY: [(&str, &str); 3] = [
    ("off", "Off"),
    ("assumed", "On — assume it is paid on the due date"),
    ("verified", "On — verified"),
];

/// The form page for `fields`, with the select options built around the typed values.
fn form_page(
    chrome: crate::views::Chrome,
    bill_id: Option<String>,
    fields: BillFields,
    categories: &[Category],
) -> BillFormPage {
    let mut category_options = vec![SelectOption::new("", "No category", &fields.category_id)];
    category_options.extend(
        categories
            .iter()
            .filter(|c| c.deleted_at.is_none() || c.id.to_string() == fields.category_id)
            .map(|c| {
                let label = if c.deleted_at.is_some() {
                    format!("{} (deleted)", c.name)
                } else {
                    c.name.clone()
                };
                SelectOption::new(c.id.to_string(), label, &fields.category_id)
            }),
    );
    let mut currencies: Vec<SelectOption> = Currency::all()
        .map(|c| SelectOption::new(c.code(), c.label(), fields.currency.trim()))
        .collect();
    if !currencies.iter().any(|o| o.selected) {
        // An unknown code typed by hand (or posted by a script) is kept, so the error under
        // the field shows what was sent.
        currencies.insert(
            0,
            SelectOption::new(
                fields.currency.clone(),
                fields.currency.clone(),
                &fields.currency,
            ),
        );
    }
    let (heading, action, cancel_href, submit_label) = match &bill_id {
        Some(id) => (
            format!("Edit {}", fields.name),
            bill_href(id),
            bill_href(id),
            "Save changes",
        ),
        None => (
            "Add a bill".to_owned(),
            links::BILLS.path().to_owned(),
            links::BILLS.path().to_owned(),
            "Add bill",
        ),
    };
    BillFormPage {
        chrome,
        status: StatusCode::OK,
        heading,
        action,
        cancel_href,
        submit_label,
        offer_starter_set: !categories.iter().any(|c| c.deleted_at.is_none()),
        amount_hint: String::new(),
        bill_id,
        categories: category_options,
        currencies,
        cycles: CYCLES
            .iter()
            .map(|(v, l)| SelectOption::new(*v, *l, fields.cycle.trim()))
            .collect(),
        kinds: [("fixed", "Fixed"), ("estimated", "Estimated (varies)")]
            .iter()
            .map(|(v, l)| SelectOption::new(*v, *l, fields.amount_kind.trim()))
            .collect(),
        autopays: AUTOPAY
            .iter()
            .map(|(v, l)| SelectOption::new(*v, *l, fields.autopay.trim()))
            .collect(),
        fields,
        errors: Vec::new(),
        conflict: false,
    }
}

/// Renders the form; `refusal` is the status and errors of a refused post.
async fn show_form(
    page: &DataPage,
    ctx: &PageContext,
    bill_id: Option<String>,
    fields: BillFields,
    refusal: Option<(StatusCode, Vec<(String, String)>)>,
) -> PageResult {
    let categories = categories::list(&page.app, &page.user, true)
        .await
        .missing(MISSING)?;
    let title = if bill_id.is_some() {
        "Edit bill"
    } else {
        "Add a bill"
    };
    let (chrome, cookie) = chrome(&page.app, &page.caller, ctx, title);
    let mut view = form_page(chrome, bill_id, fields, &categories);
    view.amount_hint = format!("For example 89{}99", ctx.locale.number_style().decimal);
    if let Some((status, errors)) = refusal {
        view.conflict = status == StatusCode::CONFLICT;
        view.status = status;
        view.errors = errors;
    }
    Ok(with_cookie(render(&view), cookie))
}

/// `GET /bills/new`.
pub async fn new(page: DataPage) -> PageResult {
    let p = prefs(&page.app, &page.user).await?;
    let fields = new_fields(p.currency, p.today(page.app.now()));
    show_form(&page, &page.context().await, None, fields, None).await
}

/// How a refused save comes back: the form with 422 (or 409), or a banner/404 page.
async fn refused(
    page: &DataPage,
    ctx: &PageContext,
    bill_id: Option<BillId>,
    fields: BillFields,
    err: Error,
) -> PageResult {
    match refusal_of(err) {
        Ok(refusal) => {
            show_form(
                page,
                ctx,
                bill_id.map(|id| id.to_string()),
                fields,
                Some(refusal),
            )
            .await
        }
        Err(other) => {
            let back = bill_id.map_or(links::BILLS.path().to_owned(), |id| {
                bill_href(&id.to_string())
            });
            Err(other).back_to(&back).missing(MISSING)
        }
    }
}

/// `POST /bills`: creates the bill and opens it.
pub async fn create(page: DataPage, Form(form): Form<BillForm>) -> PageResult {
    let ctx = page.context().await;
    let result = match in_locale(&ctx.locale, &form.fields).and_then(|f| create_request(&f)) {
        Ok(request) => create_bill(&page.app, &page.user, request, &form.fields.new_category).await,
        Err(invalid) => Err(invalid.into()),
    };
    match result {
        Ok(bill) => Ok(with_notice(&links::BILL.at(bill.id), "created")),
        Err(err) => refused(&page, &ctx, None, form.fields, err).await,
    }
}

/// Creates the bill, in a new category when one was typed: the bill is checked first, so a
/// refused bill leaves no category behind; a typed name that exists is that category.
async fn create_bill(
    app: &service::App,
    user: &service::auth::Principal,
    mut request: service::bills::NewBillInput,
    new_category: &str,
) -> Result<service::bills::Bill, Error> {
    if !new_category.trim().is_empty() {
        bills::check_new(app, user, &request).await?;
        let id =
            service::categories::find_or_create(app, user, new_category, "new_category").await?;
        request.category_id = Some(id.to_string());
    }
    bills::create(app, user, request).await
}

/// `GET /bills/{id}/edit`: the form with the bill's values (a deleted bill cannot be edited).
pub async fn edit(page: DataPage, PathId(id): PathId<BillId>) -> PageResult {
    let bill = bills::get(&page.app, &page.user, id)
        .await
        .missing(MISSING)?;
    if bill.deleted_at.is_some() {
        return Err(Error::NotFound).missing(MISSING);
    }
    let ctx = page.context().await;
    let fields = fields_of(&ctx.locale, &bill);
    show_form(&page, &ctx, Some(id.to_string()), fields, None).await
}

/// `POST /bills/{id}`: saves the edit if the bill is still at the form's version.
pub async fn update(
    page: DataPage,
    PathId(id): PathId<BillId>,
    Form(form): Form<BillForm>,
) -> PageResult {
    let ctx = page.context().await;
    let result = match in_locale(&ctx.locale, &form.fields).and_then(|f| update_request(&f)) {
        Ok(request) => bills::update(&page.app, &page.user, id, request).await,
        Err(invalid) => Err(invalid.into()),
    };
    match result {
        Ok(bill) => Ok(with_notice(&links::BILL.at(bill.id), "saved")),
        Err(err) => refused(&page, &ctx, Some(id), form.fields, err).await,
    }
}
