//! `/api/merchant-rules…`: the caller's per-bill merchant rules — listed (of one bill),
//! added, replaced (with `version`), deleted, previewed as a draft (what it would match, past
//! transactions included, writing nothing) and applied to past transactions (matching the
//! unmatched ones with bank payments). The rules themselves are [`service::matching`]'s; this
//! module reads the body into a [`RuleInput`] ([`RuleRequest::parse`], which the bill page's
//! rule form uses too) and presents the answers.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use domain::Invalid;
use domain::id::{BillId, MerchantRuleId};
use domain::matching::rule::PayeeMatch;
use serde::Deserialize;
use service::matching::{self, RuleInput};

use super::input::{QueryParams, body_id};
use super::wire::rules::{MerchantRuleView, RuleAppliedView, RulePreviewView};
use crate::AppState;
use crate::api::responses::{BadQuery, Denied, Missing, Refused};
use crate::auth::{DataUser, Meta};
use crate::extract::PathId;
use crate::json::ApiJson;
use crate::problem::{ApiResult, PROBLEM_JSON, Problem};
use crate::routes::Table;

/// Adds the merchant rule routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/api/merchant-rules", get(list_merchant_rules))
        .add("POST", "/api/merchant-rules", post(create_merchant_rule))
        .add(
            "POST",
            "/api/merchant-rules/preview",
            post(preview_merchant_rule),
        )
        .add(
            "PATCH",
            "/api/merchant-rules/{id}",
            patch(update_merchant_rule),
        )
        .add(
            "DELETE",
            "/api/merchant-rules/{id}",
            delete(delete_merchant_rule),
        )
        .add(
            "POST",
            "/api/merchant-rules/{id}/apply",
            post(apply_merchant_rule),
        )
}

/// A rule as sent to add or preview it: the whole rule.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleRequest {
    /// The bill matched transactions pay.
    #[schema(format = Uuid)]
    pub bill_id: String,
    /// `contains` (default) or `equals`; compared case-insensitively, runs of spaces as one.
    pub payee_match: Option<String>,
    /// 1–200 characters, taken literally (no patterns).
    pub payee_text: String,
    /// Least absolute amount, decimal text in the bill's currency (`"40"`, `"59.99"`).
    pub min_amount: Option<String>,
    /// Greatest absolute amount; at least `min_amount`.
    pub max_amount: Option<String>,
    /// Only this account's transactions (in the bill's currency).
    #[schema(format = Uuid)]
    pub account_id: Option<String>,
    /// The category matched transactions get.
    #[schema(format = Uuid)]
    pub category_id: Option<String>,
    /// Default `true`. A disabled rule is not run on imports.
    pub enabled: Option<bool>,
}

/// A rule as sent to replace it: every field of [`RuleRequest`], and the version the edit is
/// based on (409 when the rule changed since).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRuleRequest {
    #[schema(format = Uuid)]
    pub bill_id: String,
    pub payee_match: Option<String>,
    pub payee_text: String,
    pub min_amount: Option<String>,
    pub max_amount: Option<String>,
    #[schema(format = Uuid)]
    pub account_id: Option<String>,
    #[schema(format = Uuid)]
    pub category_id: Option<String>,
    pub enabled: Option<bool>,
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub version: i64,
}

impl UpdateRuleRequest {
    /// The edit and the version it is based on.
    fn edit(self) -> Result<(RuleInput, i64), Invalid> {
        let rule = RuleRequest {
            bill_id: self.bill_id,
            payee_match: self.payee_match,
            payee_text: self.payee_text,
            min_amount: self.min_amount,
            max_amount: self.max_amount,
            account_id: self.account_id,
            category_id: self.category_id,
            enabled: self.enabled,
        };
        Ok((rule.parse()?, self.version))
    }
}

impl RuleRequest {
    /// The rule as the service takes it; each refusal names its field. Blank optional text
    /// is "none" (a form's empty field).
    pub fn parse(&self) -> Result<RuleInput, Invalid> {
        let blank = |raw: &Option<String>| {
            raw.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        Ok(RuleInput {
            bill_id: body_id("bill_id", &self.bill_id)?,
            payee_match: match blank(&self.payee_match) {
                Some(raw) => raw.parse()?,
                None => PayeeMatch::Contains,
            },
            payee_text: self.payee_text.clone(),
            min_amount: blank(&self.min_amount),
            max_amount: blank(&self.max_amount),
            account_id: optional_id("account_id", &self.account_id)?,
            category_id: optional_id("category_id", &self.category_id)?,
            enabled: self.enabled.unwrap_or(true),
        })
    }
}

/// The id in `raw`, if it holds more than blanks.
fn optional_id<T: std::str::FromStr>(
    field: &str,
    raw: &Option<String>,
) -> Result<Option<T>, Invalid> {
    match raw.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => body_id(field, raw).map(Some),
        _ => Ok(None),
    }
}

/// `GET /api/merchant-rules`: the caller's rules, oldest first (of one bill with `bill_id`).
#[utoipa::path(
    get,
    path = "/api/merchant-rules",
    tag = "transactions",
    params(("bill_id" = Option<String>, Query, description = "Only this bill's rules (404 when not the caller's)")),
    responses((status = 200, description = "OK", body = Vec<MerchantRuleView>), Denied, Missing, BadQuery)
)]
pub async fn list_merchant_rules(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Vec<MerchantRuleView>>> {
    let bill: Option<BillId> = QueryParams::parse(raw.as_deref(), &["bill_id"])?.id("bill_id")?;
    let rules = matching::list_rules(&state.app, &user, bill).await?;
    Ok(Json(super::wire::all(&rules)))
}

/// `POST /api/merchant-rules`: adds a rule to one of the caller's bills. Run it on past
/// transactions with `POST /api/merchant-rules/{id}/apply`.
#[utoipa::path(
    post,
    path = "/api/merchant-rules",
    tag = "transactions",
    request_body = RuleRequest,
    responses((status = 201, description = "Added", body = MerchantRuleView), Denied, Missing, Refused)
)]
pub async fn create_merchant_rule(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<RuleRequest>,
) -> ApiResult<(StatusCode, Json<MerchantRuleView>)> {
    let rule = matching::create_rule(&state.app, &user, &meta, &body.parse()?).await?;
    Ok((StatusCode::CREATED, Json(MerchantRuleView::from(&rule))))
}

/// `POST /api/merchant-rules/preview`: what a draft rule would match — every one of the
/// caller's transactions it takes, oldest first, past ones included — and how many applying
/// would match now. Writes nothing.
#[utoipa::path(
    post,
    path = "/api/merchant-rules/preview",
    tag = "transactions",
    request_body = RuleRequest,
    responses((status = 200, description = "What it would match", body = RulePreviewView), Denied, Missing, Refused)
)]
pub async fn preview_merchant_rule(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(body): ApiJson<RuleRequest>,
) -> ApiResult<Json<RulePreviewView>> {
    let preview = matching::preview_rule(&state.app, &user, &body.parse()?).await?;
    Ok(Json(RulePreviewView::from(&preview)))
}

/// `PATCH /api/merchant-rules/{id}`: replaces a rule (every field) if it is still at
/// `version`. What it matched stays matched.
#[utoipa::path(
    patch,
    path = "/api/merchant-rules/{id}",
    tag = "transactions",
    params(("id" = String, Path, description = "Rule id")),
    request_body = UpdateRuleRequest,
    responses(
        (status = 200, description = "Saved", body = MerchantRuleView),
        (status = 409, description = "Changed elsewhere since `version` (`field` is `version`)", body = Problem, content_type = PROBLEM_JSON),
        Denied, Missing, Refused
    )
)]
pub async fn update_merchant_rule(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<MerchantRuleId>,
    ApiJson(body): ApiJson<UpdateRuleRequest>,
) -> ApiResult<Json<MerchantRuleView>> {
    let (input, version) = body.edit()?;
    let rule = matching::update_rule(&state.app, &user, &meta, id, &input, version).await?;
    Ok(Json(MerchantRuleView::from(&rule)))
}

/// `DELETE /api/merchant-rules/{id}`: deletes a rule; what it matched stays matched.
#[utoipa::path(
    delete,
    path = "/api/merchant-rules/{id}",
    tag = "transactions",
    params(("id" = String, Path, description = "Rule id")),
    responses((status = 204, description = "Deleted"), Denied, Missing)
)]
pub async fn delete_merchant_rule(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<MerchantRuleId>,
) -> ApiResult<StatusCode> {
    matching::delete_rule(&state.app, &user, &meta, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/merchant-rules/{id}/apply`: matches every unmatched transaction the rule takes,
/// past ones included, to its bill with a bank payment for the cycle each settles; says which
/// it matched and which it skipped, and why. Each match can be undone by unmatching it.
#[utoipa::path(
    post,
    path = "/api/merchant-rules/{id}/apply",
    tag = "transactions",
    params(("id" = String, Path, description = "Rule id")),
    responses((status = 200, description = "What it matched and skipped", body = RuleAppliedView), Denied, Missing)
)]
pub async fn apply_merchant_rule(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<MerchantRuleId>,
) -> ApiResult<Json<RuleAppliedView>> {
    let applied = matching::apply_rule(&state.app, &user, &meta, id).await?;
    Ok(Json(RuleAppliedView::from(&applied)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_merchant_rules,
    create_merchant_rule,
    preview_merchant_rule,
    update_merchant_rule,
    delete_merchant_rule,
    apply_merchant_rule
))]
pub struct Doc;
