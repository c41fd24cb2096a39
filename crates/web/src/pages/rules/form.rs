//! The rule form and what the pages draw from rules: the form as posted ([`RuleForm`], read
//! by the API's [`RuleRequest::parse`]), its choices (the caller's accounts and categories),
//! the bill page's section, the preview's rows and the banners after a rule form.

use domain::Invalid;
use domain::id::BillId;
use serde::Deserialize;
use service::auth::Principal;
use service::bank_accounts::{self, BankAccount};
use service::categories::{self, Category};
use service::matching::{self, MerchantRule, RulePreview};
use service::transactions::TransactionState;
use service::{App, Error};

use crate::api::rules::RuleRequest;
use crate::links;
use crate::locale::Locale;
use crate::views::bills::SelectOption;
use crate::views::rules::{
    PreviewRowView, RuleFormView, RulePreviewPart, RuleRowView, RulesSection,
};

/// The rule form as posted (every field text; an unticked box is absent).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    payee_match: String,
    #[serde(default)]
    payee_text: String,
    #[serde(default)]
    min_amount: String,
    #[serde(default)]
    max_amount: String,
    #[serde(default)]
    account_id: String,
    #[serde(default)]
    category_id: String,
    enabled: Option<String>,
    /// Editing: the rule and the version the edit is based on.
    pub(super) rule_id: Option<String>,
    version: Option<String>,
}

impl RuleForm {
    /// The form as the API's body, amounts in canonical writing.
    pub(super) fn request(&self, bill: BillId, l: &Locale) -> Result<RuleRequest, Invalid> {
        Ok(RuleRequest {
            bill_id: bill.to_string(),
            payee_match: Some(self.payee_match.clone()),
            payee_text: self.payee_text.clone(),
            min_amount: Some(l.amount_input("min_amount", &self.min_amount)?),
            max_amount: Some(l.amount_input("max_amount", &self.max_amount)?),
            account_id: Some(self.account_id.clone()),
            category_id: Some(self.category_id.clone()),
            enabled: Some(self.enabled.is_some()),
        })
    }

    /// A rule's values, to edit it.
    pub(super) fn of(rule: &MerchantRule, l: &Locale) -> Self {
        let id = |id: Option<String>| id.unwrap_or_default();
        Self {
            payee_match: rule.payee.kind().as_str().to_owned(),
            payee_text: rule.payee.text().to_owned(),
            min_amount: rule
                .min_amount
                .map(|m| l.money_field(m))
                .unwrap_or_default(),
            max_amount: rule
                .max_amount
                .map(|m| l.money_field(m))
                .unwrap_or_default(),
            account_id: id(rule.account_id.map(|a| a.to_string())),
            category_id: id(rule.category_id.map(|c| c.to_string())),
            enabled: rule.enabled.then(|| "true".to_owned()),
            rule_id: Some(rule.id.to_string()),
            version: Some(rule.version.to_string()),
        }
    }

    /// The version an edit is based on.
    pub(super) fn version(&self) -> Result<i64, Invalid> {
        self.version
            .as_deref()
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| Invalid::new("version", "is missing; reload the page"))
    }
}

/// What the rule form offers: the caller's accounts and categories.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub(super) accounts: Vec<BankAccount>,
    categories: Vec<Category>,
}

pub(super) async fn choices(app: &App, user: &Principal) -> Result<Choices, Error> {
    let (accounts, categories) = tokio::try_join!(
        bank_accounts::list(app, user),
        categories::list(app, user, false),
    )?;
    Ok(Choices {
        accounts,
        categories,
    })
}

/// What the bill page's rules section reads.
#[derive(Debug, Clone, Default)]
pub struct SectionData {
    rules: Vec<MerchantRule>,
    choices: Choices,
}

/// Reads bill `bill`'s rules and the form's choices, for the bill page.
pub(crate) async fn load_section(
    app: &App,
    user: &Principal,
    bill: BillId,
) -> Result<SectionData, Error> {
    let (rules, choices) = tokio::try_join!(
        matching::list_rules(app, user, Some(bill)),
        choices(app, user)
    )?;
    Ok(SectionData { rules, choices })
}

/// The bill page's "Bank matching rules" section: the rules and an empty form.
pub(crate) fn present_section(l: &Locale, bill: BillId, data: &SectionData) -> RulesSection {
    let name = |found: Option<String>, none: &str| found.unwrap_or_else(|| none.to_owned());
    let rules = data
        .rules
        .iter()
        .map(|r| RuleRowView {
            id: r.id.to_string(),
            payee: format!(
                "Payee {} \u{201c}{}\u{201d}",
                r.payee.kind().as_str(),
                r.payee.text()
            ),
            amount: match (r.min_amount, r.max_amount) {
                (Some(min), Some(max)) => {
                    format!("Between {} and {}", l.money_of(min), l.money_of(max))
                }
                (Some(min), None) => format!("At least {}", l.money_of(min)),
                (None, Some(max)) => format!("At most {}", l.money_of(max)),
                (None, None) => "Any amount".to_owned(),
            },
            account: name(
                r.account_id.and_then(|id| {
                    let found = data.choices.accounts.iter().find(|a| a.id == id);
                    found.map(|a| a.name.clone())
                }),
                "Any account",
            ),
            category: name(
                r.category_id.and_then(|id| {
                    let found = data.choices.categories.iter().find(|c| c.id == id);
                    found.map(|c| c.name.clone())
                }),
                "—",
            ),
            enabled: r.enabled,
        })
        .collect();
    let fresh = RuleForm {
        enabled: Some("true".into()),
        ..RuleForm::default()
    };
    RulesSection {
        rules,
        form: form_view(&fresh, bill, &data.choices, Vec::new()),
    }
}

/// The form as drawn: its values, its options and where it posts.
pub(super) fn form_view(
    form: &RuleForm,
    bill: BillId,
    choices: &Choices,
    errors: Vec<(String, String)>,
) -> RuleFormView {
    let mut accounts = vec![SelectOption::new("", "Any account", &form.account_id)];
    accounts.extend(choices.accounts.iter().map(|a| {
        let label = format!("{} ({})", a.name, a.currency);
        SelectOption::new(a.id.to_string(), label, &form.account_id)
    }));
    let mut categories = vec![SelectOption::new("", "None", &form.category_id)];
    categories.extend(
        choices
            .categories
            .iter()
            .map(|c| SelectOption::new(c.id.to_string(), c.name.clone(), &form.category_id)),
    );
    let kind = if form.payee_match.is_empty() {
        "contains"
    } else {
        form.payee_match.as_str()
    };
    RuleFormView {
        bill_id: bill.to_string(),
        payee_match: vec![
            SelectOption::new("contains", "contains", kind),
            SelectOption::new("equals", "equals exactly", kind),
        ],
        payee_text: form.payee_text.clone(),
        min_amount: form.min_amount.clone(),
        max_amount: form.max_amount.clone(),
        accounts,
        categories,
        enabled: form.enabled.is_some(),
        save_to: match &form.rule_id {
            Some(rule) => links::RULE.at(rule),
            None => links::BILL_RULES.at(bill),
        },
        preview_to: links::BILL_RULES_PREVIEW.at(bill),
        rule_id: form.rule_id.clone(),
        version: form.version.clone().unwrap_or_default(),
        errors,
    }
}

pub(super) fn preview_part(
    l: &Locale,
    preview: &RulePreview,
    choices: &Choices,
) -> RulePreviewPart {
    let count = preview.transactions.len();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    RulePreviewPart {
        count: format!(
            "Matches {count} transaction{}; {} of them would be matched to this bill when the rule is applied (the others are matched already, ignored or money in).",
            plural(count),
            preview.would_match,
        ),
        rows: preview
            .transactions
            .iter()
            .map(|t| PreviewRowView {
                posted_on: l.date(t.posted_on),
                account: choices
                    .accounts
                    .iter()
                    .find(|a| a.id == t.account_id)
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                payee: t.payee.clone(),
                amount: l.money_of(t.amount),
                state: match t.state {
                    TransactionState::Unmatched => "Not matched",
                    TransactionState::Matched => "Matched",
                    TransactionState::Ignored => "Ignored",
                },
            })
            .collect(),
    }
}

/// The bill page's banner after a rule form, from its query (`notice`, `matched`, `skipped`).
pub(crate) fn notice(pairs: &[(String, String)]) -> Option<String> {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let count = |name: &str| {
        value(name)
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0)
    };
    match value("notice")? {
        "rule_saved" => Some(
            "Rule saved. It runs on new imports; apply it to match past transactions now."
                .to_owned(),
        ),
        "rule_deleted" => Some("Rule deleted. What it matched stays matched.".to_owned()),
        "rule_applied" => {
            let (matched, skipped) = (count("matched"), count("skipped"));
            let mut words = match matched {
                0 => "No transactions were matched: the rule takes none that is still unmatched."
                    .to_owned(),
                1 => format!(
                    "1 transaction matched to this bill. A match can be undone from the transactions page for {} days.",
                    matching::UNDO_DAYS
                ),
                n => format!(
                    "{n} transactions matched to this bill. Matches can be undone from the transactions page for {} days.",
                    matching::UNDO_DAYS
                ),
            };
            if skipped > 0 {
                words.push_str(&format!(
                    " {skipped} could not be matched (for example, no due date of the bill fits them)."
                ));
            }
            Some(words)
        }
        _ => None,
    }
}
