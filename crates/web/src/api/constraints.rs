//! The input constraints the OpenAPI document states, written from the constants and lists
//! the validators themselves use (`domain`'s `MAX_CHARS`, `ALL`, the currency list, the page
//! size of [`super::money::QueryParams::page`]), so the document cannot promise one length and
//! the parser enforce another. `utoipa`'s attributes take only literals, which would drift;
//! instead [`apply`] walks the generated document once and adds, per request-body property
//! ([`BODIES`]) and per parameter name ([`PARAMS`]), the JSON Schema keywords of its [`Rule`].
//! A rule naming a schema or property the document lacks is an error (the test
//! `every_constraint_names_a_documented_input` keeps the table in step with the types).

use domain::bill::{AmountKind, AutopayState, BillName, Notes};
use domain::budget::BudgetPeriod;
use domain::category::{CategoryName, Color, Icon};
use domain::factor::KeyName;
use domain::money::Currency;
use domain::payment::{Payee, PaymentMethod, PaymentSource};
use domain::recurrence::Cycle;
use domain::user::DisplayName;
use serde_json::{Value, json};

use service::tracker::query::{SortDir, SortKey};
use service::tracker::settings::{
    DUE_SOON_DAYS, GRACE_DAYS, LOCALE_SUBTAGS_MAX, SmallSetting, THEMES, WEEK_START,
};

use super::bank::{TRANSACTION_SEARCH_MAX, TRANSACTION_SORTS, TRANSACTION_STATES};
use super::expenses::{EXPENSE_SEARCH_MAX, EXPENSE_SORTS, SORT_DIRS};
use super::input::{OFFSET_MAX, PAGE_SIZE_MAX, PAGE_SIZE_MIN};

/// What an input must look like.
#[derive(Debug, Clone)]
pub enum Rule {
    /// Text that, trimmed, holds `min..=max` characters and no control characters.
    Text { min: usize, max: usize },
    /// Like `Text` with `min` 1, or blank (which means "none").
    OptionalText { max: usize },
    /// Up to `max` characters once trimmed; line breaks and tabs are the only control
    /// characters allowed (notes).
    Notes { max: usize },
    /// One of these names.
    Choice(Vec<&'static str>),
    /// A regular expression the input must match (trimmed: spaces around are allowed).
    Pattern(&'static str),
    /// A decimal amount: digits with an optional `.` and decimals, never an exponent; the
    /// sign it may have (how many decimals depends on the currency, which JSON Schema cannot
    /// see: at most three is stated).
    Amount(Sign),
    /// A UUID (an item's id).
    Uuid,
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// A whole number in `min..=max`.
    Range { min: i64, max: i64 },
    /// An array of `min..=max` items, each following the inner rule.
    Items {
        min: usize,
        max: usize,
        unique: bool,
        item: Box<Rule>,
    },
    /// The boolean `true` (a confirmation).
    True,
    /// The inner rule, or blank (a body field the parser reads as "not given" when blank).
    OrBlank(Box<Rule>),
    /// `1..=max` characters that are not white space, with white space anywhere (a pasted
    /// token that wrapped).
    Spaced { max: usize },
    /// A language tag with at most `subtags` subtags after the language
    /// ([`service::tracker::settings::parse_locale`]).
    LanguageTag { subtags: usize },
}

/// Which amounts a field takes.
#[derive(Debug, Clone, Copy)]
pub enum Sign {
    /// Negative, zero or positive.
    Any,
    /// Zero or more.
    NotNegative,
    /// More than zero.
    Positive,
}

/// Characters `str::trim` removes (Unicode `White_Space`), as a regex class body.
const SPACE: &str = r"\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// Control characters (`char::is_control`: Unicode `Cc`), as a regex class body.
const CONTROL: &str = r"\x00-\x1F\x7F-\x9F";

/// A day of the calendar written `YYYY-MM-DD`: each month's own number of days, and 29
/// February only in leap years (every fourth year, but not a century unless divisible by 400),
/// as `chrono` reads them (`tests::the_day_pattern_is_the_calendar` checks it day by day).
const DAY: &str = concat!(
    "[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])",
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)",
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))",
    "|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29",
);

/// A pattern for text that, trimmed, is `min..=max` characters without control characters.
fn text_pattern(min: usize, max: usize) -> String {
    let edge = format!("[^{SPACE}{CONTROL}]");
    let inner = format!("[^{CONTROL}]");
    let core = match (min, max) {
        (_, 0) => String::new(),
        (0 | 1, 1) => edge.clone(),
        (0 | 1, _) => format!("{edge}(?:{inner}{{0,{}}}{edge})?", max - 2),
        _ => format!("{edge}{inner}{{{},{}}}{edge}", min - 2, max - 2),
    };
    let core = if min == 0 {
        format!("(?:{core})?")
    } else {
        core
    };
    format!("^[{SPACE}]*{core}[{SPACE}]*$")
}

impl Rule {
    fn text(min: usize, max: usize) -> Self {
        Self::Text { min, max }
    }

    /// The JSON Schema keywords of this rule.
    fn keywords(&self) -> Value {
        match self {
            Rule::Text { min, max } => json!({ "pattern": text_pattern(*min, *max) }),
            Rule::OptionalText { max } => json!({ "pattern": text_pattern(0, *max) }),
            Rule::Notes { max } => json!({
                "pattern": format!(
                    "^[{SPACE}]*(?:[^{CONTROL}]|[\\t\\n]){{0,{max}}}[{SPACE}]*$"
                )
            }),
            Rule::Choice(names) => json!({ "enum": names }),
            Rule::Pattern(core) => json!({ "pattern": format!("^[{SPACE}]*{core}[{SPACE}]*$") }),
            Rule::Spaced { max } => {
                json!({ "pattern": format!("^[{SPACE}]*(?:[^{SPACE}][{SPACE}]*){{1,{max}}}$") })
            }
            Rule::Amount(sign) => {
                let core = match sign {
                    Sign::Any => r"-?[0-9]{1,15}(?:\.[0-9]{1,3})?",
                    Sign::NotNegative => r"[0-9]{1,15}(?:\.[0-9]{1,3})?",
                    Sign::Positive => concat!(
                        r"0*[1-9][0-9]{0,14}(?:\.[0-9]{1,3})?",
                        r"|0+\.(?:[1-9][0-9]{0,2}|0[1-9][0-9]?|00[1-9])"
                    ),
                };
                json!({ "pattern": format!("^[{SPACE}]*(?:{core})[{SPACE}]*$") })
            }
            Rule::OrBlank(inner) => {
                let keywords = inner.keywords();
                let pattern = keywords["pattern"].as_str().unwrap_or("^.*$");
                let bare = pattern.trim_start_matches('^').trim_end_matches('$');
                json!({ "pattern": format!("^(?:{bare}|[{SPACE}]*)$") })
            }
            Rule::Uuid => json!({
                "format": "uuid",
                "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
            }),
            Rule::Date => {
                json!({ "format": "date", "pattern": format!("^[{SPACE}]*(?:{DAY})[{SPACE}]*$") })
            }
            Rule::Range { min, max } => json!({ "minimum": min, "maximum": max }),
            Rule::Items {
                min,
                max,
                unique,
                item,
            } => json!({
                "minItems": min, "maxItems": max, "uniqueItems": unique, "items": item.keywords()
            }),
            Rule::True => json!({ "enum": [true] }),
            Rule::LanguageTag { subtags } => json!({
                "pattern": format!(
                    "^[{SPACE}]*[A-Za-z]{{2,3}}(?:-[A-Za-z0-9]{{1,8}}){{0,{subtags}}}[{SPACE}]*$"
                )
            }),
        }
    }
}

/// Every request-body property with a constraint: (schema, property, rule).
pub fn bodies() -> Vec<(&'static str, &'static str, Rule)> {
    let currency: Vec<&'static str> = Currency::all().map(Currency::code).collect();
    let cycle: Vec<_> = Cycle::ALL.iter().map(|c| c.as_str()).collect();
    let amount_kind: Vec<_> = AmountKind::ALL.iter().map(|k| k.as_str()).collect();
    let autopay: Vec<_> = AutopayState::ALL.iter().map(|a| a.as_str()).collect();
    let period: Vec<_> = BudgetPeriod::ALL.iter().map(|p| p.as_str()).collect();
    let source: Vec<_> = PaymentSource::ALL.iter().map(|s| s.as_str()).collect();
    let mut rules = Vec::new();
    for schema in ["CreateBillRequest", "UpdateBillRequest"] {
        rules.extend([
            (schema, "name", Rule::text(1, BillName::MAX_CHARS)),
            (
                schema,
                "notes",
                Rule::Notes {
                    max: Notes::MAX_CHARS,
                },
            ),
            (schema, "currency", Rule::Choice(currency.clone())),
            (schema, "cycle", Rule::Choice(cycle.clone())),
            (schema, "amount_kind", Rule::Choice(amount_kind.clone())),
            (schema, "autopay", Rule::Choice(autopay.clone())),
            (schema, "category_id", Rule::Uuid),
            (schema, "anchor_date", Rule::Date),
            (schema, "autopay_verified_on", Rule::Date),
            (schema, "expected_amount", Rule::Amount(Sign::NotNegative)),
            (schema, "due_day", Rule::Range { min: 1, max: 31 }),
        ]);
    }
    for schema in ["CreateCategoryRequest", "UpdateCategoryRequest"] {
        rules.push((schema, "name", Rule::text(1, CategoryName::MAX_CHARS)));
        rules.push((schema, "color", Rule::Pattern(Color::PATTERN)));
        rules.push((schema, "icon", Rule::Pattern(Icon::PATTERN)));
    }
    for (schema, field) in [
        ("CreateBudgetRequest", "category_id"),
        ("CreatePaymentRequest", "bill_id"),
        ("CreateExpenseRequest", "category_id"),
        ("QuickPayRequest", "bill_id"),
    ] {
        rules.push((schema, field, Rule::Uuid));
    }
    for (schema, field) in [
        ("CreatePaymentRequest", "paid_on"),
        ("CreatePaymentRequest", "cycle_due"),
        ("UpdatePaymentRequest", "paid_on"),
        ("UpdatePaymentRequest", "cycle_due"),
        ("CreateExpenseRequest", "spent_on"),
        ("UpdateExpenseRequest", "spent_on"),
        ("QuickPayRequest", "due_date"),
        ("TogglePaidRequest", "due_date"),
        ("MonthStateRequest", "snoozed_until"),
    ] {
        rules.push((schema, field, Rule::Date));
    }
    for schema in ["CreatePaymentRequest", "UpdatePaymentRequest"] {
        rules.push((
            schema,
            "method",
            Rule::OptionalText {
                max: PaymentMethod::MAX_CHARS,
            },
        ));
        rules.push((
            schema,
            "note",
            Rule::Notes {
                max: Notes::MAX_CHARS,
            },
        ));
    }
    for schema in ["CreateExpenseRequest", "UpdateExpenseRequest"] {
        rules.push((
            schema,
            "payee",
            Rule::OptionalText {
                max: Payee::MAX_CHARS,
            },
        ));
        rules.push((
            schema,
            "method",
            Rule::OptionalText {
                max: PaymentMethod::MAX_CHARS,
            },
        ));
        rules.push((
            schema,
            "note",
            Rule::Notes {
                max: Notes::MAX_CHARS,
            },
        ));
        rules.push((schema, "currency", Rule::Choice(currency.clone())));
    }
    rules.extend([
        ("CreatePaymentRequest", "source", Rule::Choice(source)),
        ("CreateBudgetRequest", "period", Rule::Choice(period)),
        (
            "ChangeCurrencyRequest",
            "from",
            Rule::Choice(currency.clone()),
        ),
        (
            "ChangeCurrencyRequest",
            "to",
            Rule::Choice(currency.clone()),
        ),
        (
            "SettingsRequest",
            "currency",
            Rule::Choice(currency.clone()),
        ),
        (
            "RegisterStartRequest",
            "name",
            Rule::text(1, KeyName::MAX_CHARS),
        ),
        ("RenameRequest", "name", Rule::text(1, KeyName::MAX_CHARS)),
        (
            "CreateUserRequest",
            "display_name",
            Rule::text(1, DisplayName::MAX_CHARS),
        ),
        (
            "UpdateUserRequest",
            "display_name",
            Rule::text(1, DisplayName::MAX_CHARS),
        ),
        (
            "BulkDeleteExpensesRequest",
            "ids",
            Rule::Items {
                min: 1,
                max: super::expenses::BULK_LIMIT,
                unique: false,
                item: Box::new(Rule::Uuid),
            },
        ),
        (
            "SettingsRequest",
            "paydays",
            Rule::Items {
                min: 1,
                max: domain::buckets::Paydays::MAX_DAYS,
                unique: true,
                item: Box::new(Rule::Range { min: 1, max: 31 }),
            },
        ),
    ]);
    let zones: Vec<_> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    let small = |s: SmallSetting| Rule::Range {
        min: s.min.into(),
        max: s.max.into(),
    };
    rules.extend([
        ("SettingsRequest", "week_start", small(WEEK_START)),
        ("SettingsRequest", "due_soon_days", small(DUE_SOON_DAYS)),
        ("SettingsRequest", "grace_days", small(GRACE_DAYS)),
        ("SettingsRequest", "theme", Rule::Choice(THEMES.to_vec())),
        ("SettingsRequest", "time_zone", Rule::Choice(zones)),
        (
            "SettingsRequest",
            "locale",
            Rule::LanguageTag {
                subtags: LOCALE_SUBTAGS_MAX,
            },
        ),
        ("ActiveChangeRequest", "on", Rule::Date),
        (
            "CashRequest",
            "starting_cash",
            blank(Rule::Amount(Sign::Any)),
        ),
        (
            "CashRequest",
            "income",
            blank(Rule::Amount(Sign::NotNegative)),
        ),
        (
            "RecurringIncomeRequest",
            "income_per_payday",
            blank(Rule::Amount(Sign::Positive)),
        ),
    ]);
    rules.extend(bank_bodies(&currency));
    rules.extend(sync_bodies());
    for schema in ["PayAllRequest", "CashRequest"] {
        rules.push((schema, "year", Rule::Range { min: 1, max: 9999 }));
        rules.push((schema, "month", Rule::Range { min: 1, max: 12 }));
    }
    rules
}

/// The bodies of accounts, transactions, imports, presets and matching.
fn bank_bodies(currency: &[&'static str]) -> Vec<(&'static str, &'static str, Rule)> {
    use service::bank_accounts::{INSTITUTION_MAX, NAME_MAX};
    let column = || Rule::Range {
        min: 1,
        max: i64::try_from(service::imports::MAX_COLUMNS).unwrap_or(i64::MAX),
    };
    let row_numbers = || Rule::Items {
        min: 0,
        max: super::imports::CHOICES_MAX,
        unique: false,
        item: Box::new(Rule::Range {
            min: 1,
            max: OFFSET_MAX,
        }),
    };
    let names = |all: &[&'static str]| Rule::Choice(all.to_vec());
    let orders: Vec<_> = service::imports::DateOrder::ALL
        .iter()
        .map(|o| o.as_str())
        .collect();
    let mut rules = vec![
        ("CreateBankAccountRequest", "name", Rule::text(1, NAME_MAX)),
        (
            "CreateBankAccountRequest",
            "currency",
            Rule::Choice(currency.to_vec()),
        ),
        (
            "CreateBankAccountRequest",
            "institution",
            Rule::OptionalText {
                max: INSTITUTION_MAX,
            },
        ),
        (
            "CreateBankAccountRequest",
            "last_digits",
            Rule::Pattern("^[0-9]{0,4}$"),
        ),
        ("RenameBankAccountRequest", "name", Rule::text(1, NAME_MAX)),
        ("UpdateTransactionRequest", "category_id", Rule::Uuid),
        ("RecordExpenseRequest", "category_id", Rule::Uuid),
        (
            "RecordExpenseRequest",
            "note",
            Rule::Notes {
                max: Notes::MAX_CHARS,
            },
        ),
        ("ApplyImportRequest", "include", row_numbers()),
        ("ApplyImportRequest", "exclude", row_numbers()),
        ("ImportUpload", "account_id", Rule::Uuid),
        ("ImportUpload", "account_name", Rule::text(1, NAME_MAX)),
        (
            "ImportUpload",
            "account_currency",
            Rule::Choice(currency.to_vec()),
        ),
        ("ImportUpload", "preset_id", Rule::Uuid),
        ("ImportUpload", "date_order", Rule::Choice(orders)),
        (
            "ImportUpload",
            "statement",
            Rule::Range { min: 1, max: 100 },
        ),
        (
            "ImportUpload",
            "delimiter",
            names(&crate::upload::DELIMITERS),
        ),
        (
            "ImportUpload",
            "number_style",
            names(&crate::upload::NUMBER_STYLES),
        ),
        ("ImportUpload", "sign", names(&crate::upload::SIGN_RULES)),
        ("MatchRequest", "bill_id", Rule::Uuid),
        ("MatchRequest", "cycle_due", Rule::Date),
        ("RejectRequest", "bill_id", Rule::Uuid),
        (
            "PresetFile",
            "format",
            Rule::Choice(vec![bankfile_format()]),
        ),
        ("PresetFile", "version", Rule::Range { min: 1, max: 1 }),
        (
            "PresetFile",
            "name",
            Rule::text(1, service::imports::presets::NAME_MAX_CHARS),
        ),
        (
            "RenamePresetRequest",
            "name",
            Rule::text(1, service::imports::presets::NAME_MAX_CHARS),
        ),
    ];
    let matches: Vec<_> = domain::matching::rule::PayeeMatch::ALL
        .iter()
        .map(|m| m.as_str())
        .collect();
    for schema in ["RuleRequest", "UpdateRuleRequest"] {
        rules.extend([
            (schema, "bill_id", Rule::Uuid),
            (schema, "payee_match", Rule::Choice(matches.clone())),
            (
                schema,
                "payee_text",
                Rule::text(1, domain::matching::rule::PayeePattern::MAX_CHARS),
            ),
            (schema, "min_amount", blank(Rule::Amount(Sign::NotNegative))),
            (schema, "max_amount", blank(Rule::Amount(Sign::NotNegative))),
            (schema, "account_id", Rule::Uuid),
            (schema, "category_id", Rule::Uuid),
        ]);
    }
    for field in crate::upload::CSV_FIELDS
        .iter()
        .filter(|f| f.ends_with("_column"))
    {
        rules.push(("ImportUpload", field, column()));
    }
    rules
}

/// The bodies of bank sync.
fn sync_bodies() -> Vec<(&'static str, &'static str, Rule)> {
    use service::sync::{BACKFILL_DAYS_MAX, LABEL_MAX_CHARS, SETUP_TOKEN_MAX_CHARS};
    vec![
        (
            "ConnectRequest",
            "setup_token",
            Rule::Spaced {
                max: SETUP_TOKEN_MAX_CHARS,
            },
        ),
        (
            "ConnectRequest",
            "label",
            Rule::OptionalText {
                max: LABEL_MAX_CHARS,
            },
        ),
        (
            "RenameConnectionRequest",
            "label",
            Rule::text(1, LABEL_MAX_CHARS),
        ),
        (
            "BackfillRequest",
            "days",
            Rule::Range {
                min: 1,
                max: BACKFILL_DAYS_MAX,
            },
        ),
        (
            "ChooseSyncAccountRequest",
            "bank_account_id",
            Rule::Pattern(concat!(
                "(?:new|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}",
                "-[0-9a-fA-F]{12})"
            )),
        ),
    ]
}

/// The `format` a preset file names.
fn bankfile_format() -> &'static str {
    service::imports::presets::FILE_FORMAT
}

fn blank(rule: Rule) -> Rule {
    Rule::OrBlank(Box::new(rule))
}

/// Every query or path parameter with a constraint: (path, name, rule), where the path `*`
/// means every route that has a parameter of that name.
pub fn params() -> Vec<(&'static str, &'static str, Rule)> {
    let names = |all: &[&'static str]| Rule::Choice(all.to_vec());
    let tracker_sorts: Vec<_> = SortKey::ALL.iter().map(|k| k.as_str()).collect();
    let tracker_dirs: Vec<_> = SortDir::ALL.iter().map(|d| d.as_str()).collect();
    vec![
        (
            "*",
            "limit",
            Rule::Range {
                min: PAGE_SIZE_MIN,
                max: PAGE_SIZE_MAX,
            },
        ),
        (
            "*",
            "offset",
            Rule::Range {
                min: 0,
                max: OFFSET_MAX,
            },
        ),
        ("*", "year", Rule::Range { min: 1, max: 9999 }),
        ("*", "month", Rule::Range { min: 1, max: 12 }),
        ("*", "confirm", Rule::True),
        ("*", "from", Rule::Date),
        ("*", "to", Rule::Date),
        ("*", "due_date", Rule::Date),
        ("*", "bill_id", Rule::Uuid),
        ("*", "category_id", Rule::Uuid),
        ("*", "min_amount", Rule::Amount(Sign::Any)),
        ("*", "max_amount", Rule::Amount(Sign::Any)),
        ("/api/expenses", "q", Rule::text(1, EXPENSE_SEARCH_MAX)),
        ("/api/expenses", "sort", names(&EXPENSE_SORTS)),
        ("/api/expenses", "dir", names(&SORT_DIRS)),
        ("*", "account_id", Rule::Uuid),
        (
            "/api/transactions",
            "q",
            Rule::text(1, TRANSACTION_SEARCH_MAX),
        ),
        ("/api/transactions", "sort", names(&TRANSACTION_SORTS)),
        ("/api/transactions", "dir", names(&SORT_DIRS)),
        ("/api/transactions", "state", names(&TRANSACTION_STATES)),
        ("/api/tracker", "sort", Rule::Choice(tracker_sorts)),
        ("/api/tracker", "dir", Rule::Choice(tracker_dirs)),
    ]
}

/// Adds every rule's keywords to `doc` (the document as JSON). Errs naming a rule whose
/// schema or property the document does not have.
pub fn apply(doc: &mut Value) -> Result<(), String> {
    for (schema, property, rule) in bodies() {
        let target = doc
            .pointer_mut(&format!(
                "/components/schemas/{schema}/properties/{property}"
            ))
            .ok_or_else(|| format!("no property {schema}.{property} in the document"))?;
        merge(target, rule.keywords());
    }
    let params = params();
    let mut used = vec![false; params.len()];
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, operation) in paths.iter_mut() {
            let Some(operation) = operation.as_object_mut() else {
                continue;
            };
            for operation in operation.values_mut() {
                let Some(list) = operation
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                else {
                    continue;
                };
                for param in list {
                    let name = param
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    let applies =
                        |(on, n, _): &(&str, &str, Rule)| *n == name && (*on == "*" || on == path);
                    if let Some(i) = params.iter().position(applies) {
                        used[i] = true;
                        if let Some(schema) = param.get_mut("schema") {
                            merge(schema, params[i].2.keywords());
                        }
                    }
                }
            }
        }
    }
    match params.iter().zip(used).find(|(_, used)| !used) {
        Some(((path, name, _), _)) => Err(format!("no parameter {name} on {path} in the document")),
        None => Ok(()),
    }
}

/// Adds `keywords` to `schema`. A nullable schema keeps `null` valid: an `enum` gets `null`
/// added; other keywords do not apply to `null` anyway.
fn merge(schema: &mut Value, keywords: Value) {
    let nullable = match schema.get("type") {
        Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
        _ => false,
    };
    let (Some(schema), Value::Object(keywords)) = (schema.as_object_mut(), keywords) else {
        return;
    };
    for (key, mut value) in keywords {
        if key == "enum"
            && nullable
            && let Value::Array(values) = &mut value
        {
            values.push(Value::Null);
        }
        if key == "items"
            && let Some(items) = schema.get_mut("items")
        {
            merge(items, value);
            continue;
        }
        schema.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_constraint_names_a_documented_input() {
        let mut doc = serde_json::to_value(super::super::openapi::generated()).expect("json");
        assert_eq!(apply(&mut doc), Ok(()));
    }

    /// The document's day pattern admits exactly the days `parse_date` reads, leap days
    /// included, over four centuries' worth of edge years.
    #[test]
    fn the_day_pattern_is_the_calendar() {
        let Value::String(pattern) = Rule::Date.keywords()["pattern"].take() else {
            panic!("no pattern");
        };
        let day = regex::Regex::new(&pattern).expect("pattern");
        for year in [0, 4, 100, 1900, 1999, 2000, 2024, 2025, 2100, 2400, 9999] {
            for month in 0..=13 {
                for d in 0..=32 {
                    let text = format!("{year:04}-{month:02}-{d:02}");
                    let real = domain::date::parse_date("d", &text).is_ok();
                    assert_eq!(day.is_match(&text), real, "{text}");
                }
            }
        }
        for text in [" 2024-02-29 ", "2024-2-29", "20240229", "2024-02-29x"] {
            let real = domain::date::parse_date("d", text).is_ok();
            assert_eq!(day.is_match(text), real, "{text:?}");
        }
    }

    /// Amount patterns take what the parser takes, sign by sign.
    #[test]
    fn amount_patterns_follow_the_sign_rules() {
        let pattern = |sign| {
            let Value::String(p) = Rule::Amount(sign).keywords()["pattern"].take() else {
                panic!("no pattern");
            };
            regex::Regex::new(&p).expect("pattern")
        };
        let (any, not_negative, positive) = (
            pattern(Sign::Any),
            pattern(Sign::NotNegative),
            pattern(Sign::Positive),
        );
        for (text, signs) in [
            ("12.5", [true, true, true]),
            ("0", [true, true, false]),
            ("0.00", [true, true, false]),
            ("0.001", [true, true, true]),
            ("00.10", [true, true, true]),
            ("-3", [true, false, false]),
            (" 7 ", [true, true, true]),
            ("1e3", [false, false, false]),
            ("1,000", [false, false, false]),
            (".5", [false, false, false]),
        ] {
            let matched = [&any, &not_negative, &positive].map(|p| p.is_match(text));
            assert_eq!(matched, signs, "{text:?}");
        }
    }

    #[test]
    fn a_text_pattern_bounds_the_trimmed_text() {
        assert_eq!(
            text_pattern(1, 5),
            format!(
                "^[{SPACE}]*[^{SPACE}{CONTROL}](?:[^{CONTROL}]{{0,3}}[^{SPACE}{CONTROL}])?[{SPACE}]*$"
            )
        );
        assert_eq!(
            text_pattern(3, 64),
            format!(
                "^[{SPACE}]*[^{SPACE}{CONTROL}][^{CONTROL}]{{1,62}}[^{SPACE}{CONTROL}][{SPACE}]*$"
            )
        );
    }
}
