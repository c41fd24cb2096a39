//! Demo data: a realistic, deterministic data set for one account — bills of every cycle with
//! years of payments (mostly on time, some late, a few missed), categories and everyday
//! expenses. The same generator, at the reference scale of `performance.md` (150 bills, 10
//! years, 40 categories, 20 000 expenses), builds the benchmark data set.
//!
//! Loading needs an account without demo data already; clearing removes only generated rows
//! (marked as such when written, never recognised by name or note: see `store::demo`). A
//! generated category whose name the person already uses gets a numbered name instead.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use domain::id::{BillId, CategoryId, UserId};
use domain::recurrence::{Cycle, DueDay, Schedule};
use store::demo::{
    DEMO_CATEGORY_PREFIX, DemoBill, DemoCategory, DemoData, DemoExpense, DemoPayment,
};

use crate::audit;
use crate::auth::{Principal, RequestMeta};
use crate::rate_limit::{self, Limit};
use crate::{App, Error, Result, preferences};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoScale {
    pub bills: usize,
    pub years: i64,
    pub categories: usize,
    pub expenses: usize,
}

impl DemoScale {
    /// What a person trying the app gets.
    pub const SMALL: DemoScale = DemoScale {
        bills: 14,
        years: 2,
        categories: 8,
        expenses: 240,
    };
    /// The reference data set of `performance.md`.
    pub const REFERENCE: DemoScale = DemoScale {
        bills: 150,
        years: 10,
        categories: 40,
        expenses: 20_000,
    };
}

/// What was generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DemoCounts {
    pub categories: usize,
    pub bills: usize,
    pub payments: usize,
    pub expenses: usize,
}

/// SplitMix64: small, fast and deterministic (this is sample data, not a secret).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

const BILL_NAMES: &[(&str, Cycle, i64, bool)] = &[
    ("Rent", Cycle::Monthly, 145_000, false),
    ("Electricity", Cycle::Monthly, 9_000, false),
    ("Water", Cycle::Quarterly, 12_000, false),
    ("Internet", Cycle::Monthly, 5_500, true),
    ("Phone", Cycle::Monthly, 3_500, true),
    ("Streaming", Cycle::Monthly, 1_599, true),
    ("Music", Cycle::Monthly, 1_099, true),
    ("Car insurance", Cycle::Semiannual, 48_000, false),
    ("Home insurance", Cycle::Annual, 96_000, false),
    ("Gym", Cycle::Monthly, 4_500, true),
    ("Cleaner", Cycle::Biweekly, 8_000, false),
    ("Lunch plan", Cycle::Weekly, 2_500, false),
    ("Credit card", Cycle::Monthly, 20_000, false),
    ("Student loan", Cycle::Monthly, 31_000, false),
    ("Cloud storage", Cycle::Annual, 9_999, true),
    ("Newspaper", Cycle::Monthly, 1_400, true),
];
const CATEGORY_NAMES: &[&str] = &[
    "Housing",
    "Utilities",
    "Subscriptions",
    "Insurance",
    "Transport",
    "Groceries",
    "Dining",
    "Health",
    "Debt",
    "Leisure",
];
const COLORS: &[&str] = &[
    "#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#4b5563",
];
const PAYEES: &[&str] = &[
    "Grocer",
    "Bakery",
    "Pharmacy",
    "Cinema",
    "Bookshop",
    "Café",
    "Hardware",
    "Fuel station",
];
const METHODS: &[&str] = &["card", "bank transfer", "cash", "direct debit"];

/// Generates the data set for a user whose today is `today`.
pub fn generate(scale: DemoScale, today: NaiveDate, currency: &str, seed: u64) -> DemoData {
    let mut dice = Dice(seed);
    let start = today - Duration::days(365 * scale.years);
    let categories: Vec<DemoCategory> = (0..scale.categories)
        .map(|i| {
            let base = CATEGORY_NAMES[i % CATEGORY_NAMES.len()];
            let round = i / CATEGORY_NAMES.len();
            let name = if round == 0 {
                format!("{DEMO_CATEGORY_PREFIX}{base}")
            } else {
                format!("{DEMO_CATEGORY_PREFIX}{base} {}", round + 1)
            };
            DemoCategory {
                id: CategoryId::new(),
                name,
                color: dice.pick(COLORS).to_owned(),
                icon: "tag".to_owned(),
                is_spending: true,
            }
        })
        .collect();
    let mut data = DemoData {
        categories,
        ..DemoData::default()
    };
    for i in 0..scale.bills {
        let (base, cycle, amount, subscription) = BILL_NAMES[i % BILL_NAMES.len()];
        let round = i / BILL_NAMES.len();
        let name = if round == 0 {
            base.to_owned()
        } else {
            format!("{base} {}", round + 1)
        };
        let expected = amount + i64::try_from(dice.below(500)).unwrap_or(0) * 10;
        let estimated = matches!(base, "Electricity" | "Water");
        let day = i64::try_from(1 + dice.below(31)).unwrap_or(1);
        let anchor = start + Duration::days(i64::try_from(dice.below(28)).unwrap_or(0));
        let due_day = cycle.is_monthly_type().then_some(day);
        let bill = DemoBill {
            id: BillId::new(),
            category_id: data
                .categories
                .get(i % data.categories.len().max(1))
                .map(|c| c.id),
            name,
            amount_kind: if estimated { "estimated" } else { "fixed" },
            expected_minor: expected,
            min_minor: estimated.then_some(expected * 8 / 10),
            max_minor: estimated.then_some(expected * 13 / 10),
            currency: currency.to_owned(),
            cycle: cycle.as_str(),
            anchor_date: anchor,
            due_day,
            autopay: if subscription { "assumed" } else { "off" },
            is_subscription: subscription,
            debt_balance_minor: base.ends_with("loan").then_some(expected * 60),
            debt_apr_bp: base.ends_with("loan").then_some(450),
        };
        let schedule = Schedule::new(cycle, anchor, due_day.and_then(|d| DueDay::new(d).ok()));
        for due in schedule.occurrences_between(anchor, today) {
            let roll = dice.below(100);
            if roll < 3 || (due > today - Duration::days(20) && roll < 40) {
                continue; // missed, or not paid yet this month
            }
            let late = if roll > 90 {
                i64::try_from(dice.below(20)).unwrap_or(0)
            } else {
                0
            };
            let paid_on = (due - Duration::days(2) + Duration::days(late)).min(today);
            let amount = if estimated {
                expected * (85 + i64::try_from(dice.below(30)).unwrap_or(0)) / 100
            } else {
                expected
            };
            data.payments.push(DemoPayment {
                bill_id: bill.id,
                amount_minor: amount,
                paid_on,
                cycle_due: due,
                method: dice.pick(METHODS),
            });
        }
        data.bills.push(bill);
    }
    let days = (today - start).num_days().max(1);
    for _ in 0..scale.expenses {
        let spent_on = start
            + Duration::days(
                i64::try_from(dice.below(u64::try_from(days).unwrap_or(1))).unwrap_or(0),
            );
        data.expenses.push(DemoExpense {
            category_id: data
                .categories
                .get(dice.below(data.categories.len() as u64) as usize)
                .map(|c| c.id),
            amount_minor: 150 + i64::try_from(dice.below(12_000)).unwrap_or(0),
            currency: currency.to_owned(),
            spent_on,
            payee: dice.pick(PAYEES).to_owned(),
            method: dice.pick(METHODS),
        });
    }
    data
}

/// Gives each category whose name is in `taken` (lower case, as names are compared) a free
/// numbered name ("Demo · Housing (2)"), so the person's own categories stay as they are.
fn rename_taken(categories: &mut [DemoCategory], mut taken: HashSet<String>) {
    for category in categories {
        let mut name = category.name.clone();
        let mut n = 2;
        while taken.contains(&name.to_lowercase()) {
            name = format!("{} ({n})", category.name);
            n += 1;
        }
        taken.insert(name.to_lowercase());
        category.name = name;
    }
}

fn counts(data: &DemoData) -> DemoCounts {
    DemoCounts {
        categories: data.categories.len(),
        bills: data.bills.len(),
        payments: data.payments.len(),
        expenses: data.expenses.len(),
    }
}

/// Loads the demo data set into `owner`'s account (command line and benchmarks).
pub async fn load_for(app: &App, owner: UserId, scale: DemoScale) -> Result<DemoCounts> {
    if app.store.has_demo(owner).await? {
        return Err(Error::Conflict {
            field: "demo".into(),
            message: "demo data is already loaded; clear it first".into(),
        });
    }
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    let seed = u64::from(today.num_days_from_ce().unsigned_abs());
    let mut data = generate(scale, today, prefs.currency.code(), seed);
    let taken = app
        .store
        .categories(owner, false)
        .await?
        .into_iter()
        .map(|c| c.category.name.to_lowercase())
        .collect();
    rename_taken(&mut data.categories, taken);
    app.store.insert_demo(owner, &data, app.now()).await?;
    Ok(counts(&data))
}

/// What the tracker offers about demo data: to try it (only on an account without any bill)
/// or to remove it (while there is some).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOffer {
    pub has_demo: bool,
    pub has_bills: bool,
}

/// The caller's [`DemoOffer`].
pub async fn offer(app: &App, principal: &Principal) -> Result<DemoOffer> {
    let owner = preferences::data_owner(principal)?;
    let (has_demo, has_bills) = app.store.demo_state(owner).await?;
    Ok(DemoOffer {
        has_demo,
        has_bills,
    })
}

/// `POST /api/demo/load`: the small data set into the caller's own account.
pub async fn load(app: &App, principal: &Principal, meta: &RequestMeta) -> Result<DemoCounts> {
    let owner = preferences::data_owner(principal)?;
    rate_limit::hit(app, Limit::DemoClear, &rate_limit::ip_subject(app, meta.ip)).await?;
    let loaded = load_for(app, owner, DemoScale::SMALL).await?;
    audit::record(
        app,
        &principal.actor(),
        "demo.load",
        None,
        meta.ip,
        serde_json::json!({"bills": loaded.bills}),
    )
    .await?;
    Ok(loaded)
}

/// `POST /api/demo/clear`: removes the generated rows only.
pub async fn clear(app: &App, principal: &Principal, meta: &RequestMeta) -> Result<(u64, u64)> {
    let owner = preferences::data_owner(principal)?;
    rate_limit::hit(app, Limit::DemoClear, &rate_limit::ip_subject(app, meta.ip)).await?;
    let cleared = app.store.clear_demo(owner).await?;
    audit::record(
        app,
        &principal.actor(),
        "demo.clear",
        None,
        meta.ip,
        serde_json::json!({"bills": cleared.0, "expenses": cleared.1}),
    )
    .await?;
    Ok(cleared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_categories_never_take_a_name_the_person_uses() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
        let mut data = generate(DemoScale::SMALL, today, "USD", 7);
        let first = data.categories[0].name.clone();
        let taken = HashSet::from([first.to_lowercase(), format!("{first} (2)").to_lowercase()]);
        rename_taken(&mut data.categories, taken);
        assert_eq!(data.categories[0].name, format!("{first} (3)"));
        assert_ne!(data.categories[1].name, data.categories[0].name);
    }

    #[test]
    fn the_reference_data_set_has_the_documented_size_and_is_deterministic() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
        let a = generate(DemoScale::REFERENCE, today, "USD", 7);
        let b = generate(DemoScale::REFERENCE, today, "USD", 7);
        assert_eq!(
            (a.bills.len(), a.categories.len(), a.expenses.len()),
            (150, 40, 20_000)
        );
        assert!(
            a.payments.len() > 10_000,
            "ten years of payments: {}",
            a.payments.len()
        );
        assert_eq!(a.payments.len(), b.payments.len());
        assert_eq!(
            a.bills.iter().map(|x| &x.name).collect::<Vec<_>>(),
            b.bills.iter().map(|x| &x.name).collect::<Vec<_>>()
        );
        let cycles: std::collections::HashSet<_> = a.bills.iter().map(|x| x.cycle).collect();
        assert_eq!(cycles.len(), 6, "every cycle is represented");
        assert!(
            a.payments.iter().all(|p| p.paid_on <= today),
            "no payment in the future"
        );
    }
}
