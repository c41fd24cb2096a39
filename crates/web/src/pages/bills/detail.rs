//! The bill detail page (`GET /bills/{id}`): every field of the bill, its next due date, its
//! payments (live and deleted), the "Record payment" form, its recent and upcoming occurrences
//! with their override forms, its active periods and its bank matching rules
//! ([`crate::pages::rules`]). The forms on it post to `actions` and
//! `payments`; a refused one comes back as this page with 422 and the message under the field
//! ([`Extras`] carries what was typed).

use axum::extract::Query;
use axum::http::StatusCode;
use chrono::{Datelike, Days, Months, NaiveDate};
use domain::Invalid;
use domain::id::{BillId, PaymentId};
use service::auth::Principal;
use service::bills::{self, ActiveRange, Bill};
use service::categories::{self, Category};
use service::payments::{self, Payment, PaymentQuery};
use service::preferences::{self, data_owner};
use service::tracker::UnpaidHistory;
use service::tracker::month::{self, Occurrence};
use service::{App, Error};

use super::{MISSING, on_bill, present};
use crate::extract::PathId;
use crate::locale::Locale;
use crate::pages::chrome;
use crate::pages::common::{badge, message, with_cookie};
use crate::pages::forms::{error_message, param};
use crate::pages::kit::{DataPage, Fail, PageResult};
use crate::pages::see_other;
use crate::views::bills::{BillPage, HistoryOffer, OccurrenceFields, PaymentFields, SelectOption};
use crate::views::{Chrome, render};

/// The detail page's banners, by code.
const NOTICES: [(&str, &str); 12] = [
    (
        "created",
        "Bill added. It is on the tracker from its first due date.",
    ),
    ("saved", "Changes saved."),
    ("restored", "Bill restored. It is back on the tracker."),
    (
        "deactivated",
        "Bill deactivated. It still shows in the months it was active.",
    ),
    ("reactivated", "Bill reactivated."),
    ("payment_recorded", "Payment recorded."),
    ("payment_saved", "Payment saved."),
    ("payment_deleted", "Payment deleted."),
    ("payment_restored", "Payment restored."),
    ("occurrence_saved", "Saved for that due date."),
    (
        "history_paid",
        "Earlier due dates marked paid, each on its due date.",
    ),
    (
        "history_undone",
        "Undone: the earlier due dates are unpaid again.",
    ),
];

/// The detail page's error banners, by code (those of [`crate::pages::common::failed`] whose
/// words are this page's; the rest are [`error_message`]'s).
const ERRORS: [(&str, &str); 3] = [
    ("not_found", "That no longer exists; reload the page."),
    (
        "conflict",
        "That was changed elsewhere, or would conflict with what is saved; reload the page.",
    ),
    (
        "invalid",
        "That was not possible: the amount would be too large or the request was not valid.",
    ),
];

/// How many payments the page lists (newest first).
const PAYMENTS_SHOWN: usize = 100;

/// What the page shows besides the bill: a refused form as typed, banners, the status.
#[derive(Debug, Default)]
pub(super) struct Extras {
    pub status: Option<StatusCode>,
    pub payment: Option<(PaymentFields, Vec<(String, String)>)>,
    pub occurrence: Option<(OccurrenceFields, Vec<(String, String)>)>,
    /// The deactivate / reactivate date as typed, and its error.
    pub active: Option<(String, String)>,
    pub confirm_error: Option<String>,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub undo_payment: Option<String>,
    pub undo_history: Option<String>,
}

/// Everything the page reads.
struct Loaded {
    bill: Bill,
    /// Occurrences before this month still owing (none for a deleted bill).
    unpaid: Option<UnpaidHistory>,
    categories: Vec<Category>,
    history: Vec<ActiveRange>,
    payments: Vec<Payment>,
    occurrences: Vec<Occurrence>,
    today: NaiveDate,
    /// The bill's merchant rules and their form's choices (none for a deleted bill).
    rules: Option<crate::pages::rules::SectionData>,
}

/// The occurrences of a live bill from two months back to the end of next month: read with the
/// tracker's month reader (three queries for the whole window), so statuses match the tracker.
async fn occurrences_of(
    app: &App,
    user: &Principal,
    id: BillId,
) -> Result<(Vec<Occurrence>, NaiveDate), Error> {
    let owner = data_owner(user)?;
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    let bill = month::live_bill(app, owner, id).await?;
    let month_start = today.with_day(1).unwrap_or(today);
    let first = month_start
        .checked_sub_months(Months::new(2))
        .unwrap_or(month_start);
    let last = month_start
        .checked_add_months(Months::new(2))
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .unwrap_or(today);
    let found = month::occurrences(
        app,
        owner,
        &prefs,
        today,
        std::slice::from_ref(&bill),
        first,
        last,
    )
    .await?;
    Ok((found, today))
}

async fn load(app: &App, user: &Principal, id: BillId) -> Result<Loaded, Error> {
    let bill = bills::get(app, user, id).await?;
    let query = PaymentQuery {
        bill_id: Some(id),
        from: None,
        to: None,
        include_deleted: true,
        limit: i64::try_from(PAYMENTS_SHOWN + 1).unwrap_or(i64::MAX),
        offset: 0,
    };
    let (categories, history, page) = tokio::try_join!(
        categories::list(app, user, true),
        bills::history(app, user, id),
        payments::list(app, user, query),
    )?;
    let (occurrences, today, unpaid, rules) = if bill.deleted_at.is_none() {
        let ((occurrences, today), unpaid, rules) = tokio::try_join!(
            occurrences_of(app, user, id),
            service::tracker::unpaid_history(app, user, id),
            crate::pages::rules::load_section(app, user, id),
        )?;
        (occurrences, today, Some(unpaid), Some(rules))
    } else {
        let today = preferences::load(app, data_owner(user)?)
            .await?
            .today(app.now());
        (Vec::new(), today, None, None)
    };
    Ok(Loaded {
        bill,
        unpaid,
        categories,
        history,
        payments: page.items,
        occurrences,
        today,
        rules,
    })
}

/// Builds the page from what was read and the extras.
fn present_page(l: &Locale, chrome: Chrome, data: Loaded, extras: Extras) -> BillPage {
    let bill = &data.bill;
    let id = bill.id.to_string();
    let (amount, range) = present::amount_text(l, bill);
    let mut summary = Vec::new();
    let (payment, payment_errors) = extras.payment.unwrap_or_else(|| {
        // This month's amount: its actual amount when set, else what it still owes.
        let this_month = data.occurrences.iter().find(|o| {
            (o.due.year(), o.due.month()) == (data.today.year(), data.today.month())
                && o.remaining().minor > 0
        });
        let fields = PaymentFields {
            amount: this_month.map_or_else(
                || l.money_field(bill.expected),
                |o| l.money_field(o.actual.unwrap_or_else(|| o.remaining())),
            ),
            paid_on: data.today.to_string(),
            ..PaymentFields::default()
        };
        (fields, Vec::new())
    });
    for (field, message) in &payment_errors {
        summary.push((format!("payment-{field}"), message.clone()));
    }
    let mut cycle_options = vec![SelectOption::new("", "Automatic", &payment.cycle_due)];
    cycle_options.extend(data.occurrences.iter().map(|o| {
        let label = format!("{} — {}", present::day_label(l, o.due), badge(o.status).0);
        SelectOption::new(o.due.to_string(), label, &payment.cycle_due)
    }));
    let mut occurrences: Vec<_> = data
        .occurrences
        .iter()
        .map(|o| present::occurrence_row(l, o))
        .collect();
    if let Some((typed, errors)) = extras.occurrence {
        match occurrences.iter_mut().find(|o| o.due_iso == typed.due_date) {
            Some(row) => {
                for (field, message) in &errors {
                    summary.push((row.id(field), message.clone()));
                }
                row.form = typed;
                row.errors = errors;
                row.open = true;
            }
            // An occurrence outside the listed months has no form here: say it at the top.
            None => summary.extend(
                errors
                    .into_iter()
                    .map(|(_, message)| ("occurrences-title".to_owned(), message)),
            ),
        }
    }
    let (active_on, active_error) = match extras.active {
        Some((typed, message)) => {
            summary.push(("active-on".to_owned(), message.clone()));
            (typed, Some(message))
        }
        None => (data.today.to_string(), None),
    };
    if let Some(message) = &extras.confirm_error {
        summary.push(("confirm".to_owned(), message.clone()));
    }
    let (deleted_payments, live_payments): (Vec<_>, Vec<_>) = data
        .payments
        .iter()
        .take(PAYMENTS_SHOWN)
        .partition(|p| p.deleted_at.is_some());
    BillPage {
        chrome,
        status: extras.status.unwrap_or(StatusCode::OK),
        name: bill.name.clone(),
        is_active: bill.is_active,
        deleted: bill.deleted_at.is_some(),
        deleted_on: bill
            .deleted_at
            .map(|at| format!("Deleted on {}", l.date_of(at)))
            .unwrap_or_default(),
        category: present::chip(bill, &data.categories),
        amount,
        range,
        cycle: present::cycle_words(bill),
        next_due: bill.next_due.map(|d| present::due_text(l, d, data.today)),
        markers: present::markers(bill),
        facts: present::facts(l, bill),
        debt: present::debt_facts(l, bill),
        website: bill.website.clone(),
        notes: bill.notes.clone(),
        account_details: bill.account_details.clone(),
        history: data
            .history
            .iter()
            .map(|r| present::range_text(l, r))
            .collect(),
        payments: live_payments
            .into_iter()
            .map(|p| present::payment_row(l, p))
            .collect(),
        deleted_payments: deleted_payments
            .into_iter()
            .map(|p| present::payment_row(l, p))
            .collect(),
        payments_truncated: data.payments.len() > PAYMENTS_SHOWN,
        payment,
        payment_errors,
        cycle_options,
        occurrences,
        active_on,
        active_error,
        confirm_error: extras.confirm_error,
        summary,
        notice: extras.notice,
        error: extras.error,
        undo_payment: extras.undo_payment,
        undo_history: extras.undo_history,
        history_offer: data
            .unpaid
            .filter(|unpaid| unpaid.unpaid_count > 0)
            .map(|unpaid| HistoryOffer {
                count: unpaid.unpaid_count,
                from: unpaid
                    .unpaid_from
                    .map(|d| l.month(d.year(), d.month()))
                    .unwrap_or_default(),
            }),
        rules: data
            .rules
            .as_ref()
            .map(|rules| crate::pages::rules::present_section(l, bill.id, rules)),
        id,
    }
}

/// Renders the detail page of bill `id` (a missing one is the 404 page).
pub(super) async fn render_detail(page: &DataPage, id: BillId, extras: Extras) -> PageResult {
    let data = load(&page.app, &page.user, id).await.missing(MISSING)?;
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, &data.bill.name);
    let view = present_page(&ctx.locale, chrome, data, extras);
    Ok(with_cookie(render(&view), cookie))
}

/// The answer to a form on bill `id`'s page: the page again with 422 when the service refused
/// a field that `shown` draws on it (`None`: a field the page has no place for, told by a
/// banner), else back to `to` on success, or the failure's usual answer.
pub(super) async fn answer<T>(
    page: &DataPage,
    id: BillId,
    result: Result<T, Error>,
    to: String,
    shown: impl FnOnce(&Invalid) -> Option<Extras>,
) -> PageResult {
    if let Err(Error::Invalid(invalid)) = &result
        && let Some(extras) = shown(invalid)
    {
        let status = Some(StatusCode::UNPROCESSABLE_ENTITY);
        return render_detail(page, id, Extras { status, ..extras }).await;
    }
    on_bill(result, id)?;
    Ok(see_other(&to))
}

/// `GET /bills/{id}` (plus `notice`, `error` and `payment` — a just-deleted payment — after a
/// form).
pub async fn show(
    page: DataPage,
    PathId(id): PathId<BillId>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let code = |name: &str| param(&pairs, name);
    let extras = Extras {
        notice: message(&NOTICES, code("notice")).or_else(|| crate::pages::rules::notice(&pairs)),
        error: error_message(&ERRORS, code("error")),
        undo_payment: code("payment")
            .and_then(|raw| raw.parse::<PaymentId>().ok())
            .map(|p| p.to_string()),
        undo_history: code("undo")
            .and_then(|raw| service::tracker::pay::parse_undo_token(raw).ok()),
        ..Extras::default()
    };
    render_detail(&page, id, extras).await
}
