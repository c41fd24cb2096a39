//! Merchant rules on the pages: the bill page's "Bank matching rules" section ([`load_section`],
//! [`present_section`]) and the rule routes. A rule form posts "Save rule" to
//! `POST /bills/{id}/rules` (add) or `POST /rules/{id}` (edit), or "Preview" to
//! `POST /bills/{id}/rules/preview`, which writes nothing and draws the form again with what
//! the draft would match, count first (a POST, so the CSRF token never lands in a URL).
//! `POST /rules/{id}/apply` matches past transactions and says how many on the bill page.
//!
//! The form's text is read by the API's own [`RuleRequest::parse`] (after the locale's amount
//! writing is made canonical), so the page and `/api/merchant-rules` refuse the same input
//! with the same words; a refusal draws the rule page with 422 and the message under the
//! field.

use axum::Form;
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::Invalid;
use domain::id::{BillId, MerchantRuleId};
use service::Error;
use service::matching::{self, RulePreview};

use super::chrome;
use super::common::with_cookie;
use super::forms::CsrfForm;
use super::kit::{DataPage, Fail, PageError, PageResult};
use super::see_other;
use crate::auth::Meta;
use crate::extract::PathId;
use crate::links::{self, with_param};
use crate::pages::with_notice;
use crate::routes::Table;
use crate::views::render;
use crate::views::rules::RulePage;

pub mod form;

use form::{RuleForm, choices, form_view, preview_part};
pub(crate) use form::{SectionData, load_section, notice, present_section};

/// The 404 page's words for a rule or bill that is gone (or someone else's).
const MISSING: &str = "That rule or bill does not exist, or it was deleted.";

/// The rule routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("POST", links::BILL_RULES.template(), post(create))
        .add("POST", links::BILL_RULES_PREVIEW.template(), post(preview))
        .add("GET", links::RULE_EDIT.template(), get(edit))
        .add("POST", links::RULE.template(), post(update))
        .add("POST", links::RULE_DELETE.template(), post(delete))
        .add("POST", links::RULE_APPLY.template(), post(apply))
}

/// What the rule page shows under its form.
enum Shown {
    Nothing,
    Preview(RulePreview),
    Refused(Invalid),
}

/// Draws the rule page for bill `bill` with `form` as typed.
async fn rule_page(page: &DataPage, bill: BillId, form: &RuleForm, shown: Shown) -> PageResult {
    let (found, choices) = tokio::try_join!(
        service::bills::get(&page.app, &page.user, bill),
        choices(&page.app, &page.user)
    )
    .missing(MISSING)?;
    let ctx = page.context().await;
    let l = &ctx.locale;
    let heading = if form.rule_id.is_some() {
        "Edit bank matching rule"
    } else {
        "New bank matching rule"
    };
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, heading);
    let (status, errors, preview) = match shown {
        Shown::Nothing => (StatusCode::OK, Vec::new(), None),
        Shown::Refused(invalid) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![(invalid.field, invalid.reason)],
            None,
        ),
        Shown::Preview(found) => (
            StatusCode::OK,
            Vec::new(),
            Some(preview_part(l, &found, &choices)),
        ),
    };
    let view = RulePage {
        chrome,
        status,
        heading: heading.to_owned(),
        bill_id: bill.to_string(),
        bill_name: found.name,
        form: form_view(form, bill, &choices, errors),
        preview,
    };
    Ok(with_cookie(render(&view), cookie))
}

/// A service answer for a rule form: a refused field draws the rule page with 422; any other
/// failure is the usual error page (a missing bill or rule: 404).
async fn refused_or<T>(
    page: &DataPage,
    bill: BillId,
    form: &RuleForm,
    result: Result<T, Error>,
) -> Result<Result<T, PageResult>, PageError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(Error::Invalid(invalid)) => {
            Ok(Err(
                rule_page(page, bill, form, Shown::Refused(invalid)).await
            ))
        }
        Err(other) => Err(other).missing(MISSING),
    }
}

/// `POST /bills/{id}/rules/preview`: the form again with what it would match. Writes nothing.
pub async fn preview(
    page: DataPage,
    PathId(bill): PathId<BillId>,
    Form(form): Form<RuleForm>,
) -> PageResult {
    let l = page.context().await.locale;
    let result = match form.request(bill, &l).and_then(|r| r.parse()) {
        Ok(input) => matching::preview_rule(&page.app, &page.user, &input).await,
        Err(invalid) => Err(invalid.into()),
    };
    match refused_or(&page, bill, &form, result).await? {
        Ok(found) => rule_page(&page, bill, &form, Shown::Preview(found)).await,
        Err(answer) => answer,
    }
}

/// `POST /bills/{id}/rules`: adds the rule, then back to the bill.
pub async fn create(
    page: DataPage,
    Meta(meta): Meta,
    PathId(bill): PathId<BillId>,
    Form(form): Form<RuleForm>,
) -> PageResult {
    let l = page.context().await.locale;
    let result = match form.request(bill, &l).and_then(|r| r.parse()) {
        Ok(input) => matching::create_rule(&page.app, &page.user, &meta, &input).await,
        Err(invalid) => Err(invalid.into()),
    };
    match refused_or(&page, bill, &form, result).await? {
        Ok(_) => Ok(with_notice(&links::BILL.at(bill), "rule_saved")),
        Err(answer) => answer,
    }
}

/// `GET /rules/{id}/edit`: the rule's form with its values.
pub async fn edit(page: DataPage, PathId(id): PathId<MerchantRuleId>) -> PageResult {
    let rule = matching::get_rule(&page.app, &page.user, id)
        .await
        .missing(MISSING)?;
    let l = page.context().await.locale;
    rule_page(
        &page,
        rule.bill_id,
        &RuleForm::of(&rule, &l),
        Shown::Nothing,
    )
    .await
}

/// `POST /rules/{id}`: saves the edit if the rule is still at the form's version (else 409),
/// then back to the bill. The rule stays on its bill.
pub async fn update(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<MerchantRuleId>,
    Form(form): Form<RuleForm>,
) -> PageResult {
    let rule = matching::get_rule(&page.app, &page.user, id)
        .await
        .missing(MISSING)?;
    let bill = rule.bill_id;
    let mut form = form;
    form.rule_id = Some(id.to_string());
    let l = page.context().await.locale;
    let result = match form
        .version()
        .and_then(|v| Ok((form.request(bill, &l)?.parse()?, v)))
    {
        Ok((input, version)) => {
            matching::update_rule(&page.app, &page.user, &meta, id, &input, version).await
        }
        Err(invalid) => Err(invalid.into()),
    };
    match refused_or(&page, bill, &form, result).await? {
        Ok(_) => Ok(with_notice(&links::BILL.at(bill), "rule_saved")),
        Err(answer) => answer,
    }
}

/// The page of rule `id`'s bill, where its forms return (404 page when the rule is gone).
async fn bill_of(page: &DataPage, id: MerchantRuleId) -> Result<String, PageError> {
    let rule = matching::get_rule(&page.app, &page.user, id)
        .await
        .missing(MISSING)?;
    Ok(links::BILL.at(rule.bill_id))
}

/// `POST /rules/{id}/delete`: deletes the rule (what it matched stays matched).
pub async fn delete(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<MerchantRuleId>,
    _: Form<CsrfForm>,
) -> PageResult {
    let back = bill_of(&page, id).await?;
    matching::delete_rule(&page.app, &page.user, &meta, id)
        .await
        .missing(MISSING)?;
    Ok(with_notice(&back, "rule_deleted"))
}

/// `POST /rules/{id}/apply`: matches the unmatched transactions the rule takes, past ones
/// included; the bill page says how many.
pub async fn apply(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<MerchantRuleId>,
    _: Form<CsrfForm>,
) -> PageResult {
    let back = bill_of(&page, id).await?;
    let applied = matching::apply_rule(&page.app, &page.user, &meta, id)
        .await
        .back_to(&back)?;
    let to = with_param(&back, "notice", "rule_applied");
    let to = with_param(&to, "matched", &applied.matched.len().to_string());
    Ok(see_other(&with_param(
        &to,
        "skipped",
        &applied.skipped.len().to_string(),
    )))
}
