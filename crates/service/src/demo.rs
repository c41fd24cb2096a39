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
        categories: 10,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// One demo bill: what a household really pays, under the category it belongs to.
struct BillTemplate {
    name: &'static str,
    /// One of [`CATEGORY_NAMES`].
    category: &'static str,
    cycle: Cycle,
    /// The usual amount in minor units.
    amount: i64,
    /// The day of the month it falls due (monthly-type cycles).
    due_day: i64,
    estimated: bool,
    subscription: bool,
    /// A loan or card: a balance and an APR in basis points.
    debt: Option<(i64, i64)>,
}

const fn bill(
    name: &'static str,
    category: &'static str,
    cycle: Cycle,
    amount: i64,
    due_day: i64,
) -> BillTemplate {
    BillTemplate {
        name,
        category,
        cycle,
        amount,
        due_day,
        estimated: false,
        subscription: false,
        debt: None,
    }
}

const fn estimated(mut t: BillTemplate) -> BillTemplate {
    t.estimated = true;
    t
}

const fn subscription(mut t: BillTemplate) -> BillTemplate {
    t.subscription = true;
    t
}

const fn debt(mut t: BillTemplate, balance: i64, apr_bp: i64) -> BillTemplate {
    t.debt = Some((balance, apr_bp));
    t
}

/// The demo bills, in the order they are generated.
const BILLS: &[BillTemplate] = &[
    bill("Rent", "Housing", Cycle::Monthly, 145_000, 1),
    estimated(bill("Electricity", "Utilities", Cycle::Monthly, 9_000, 18)),
    estimated(bill("Water", "Utilities", Cycle::Quarterly, 12_000, 10)),
    subscription(bill("Internet", "Utilities", Cycle::Monthly, 5_500, 12)),
    subscription(bill("Phone", "Utilities", Cycle::Monthly, 3_500, 22)),
    subscription(bill(
        "Video streaming",
        "Subscriptions",
        Cycle::Monthly,
        1_599,
        7,
    )),
    subscription(bill(
        "Music streaming",
        "Subscriptions",
        Cycle::Monthly,
        1_099,
        15,
    )),
    bill("Car insurance", "Insurance", Cycle::Semiannual, 48_000, 5),
    bill("Home insurance", "Insurance", Cycle::Annual, 96_000, 20),
    subscription(bill("Gym", "Health", Cycle::Monthly, 4_500, 3)),
    bill("Cleaner", "Housing", Cycle::Biweekly, 8_000, 1),
    bill("Transport pass", "Transport", Cycle::Weekly, 2_600, 1),
    debt(
        bill("Credit card", "Debt", Cycle::Monthly, 20_000, 25),
        240_000,
        1_999,
    ),
    debt(
        bill("Student loan", "Debt", Cycle::Monthly, 31_000, 15),
        1_860_000,
        450,
    ),
    subscription(bill(
        "Cloud storage",
        "Subscriptions",
        Cycle::Annual,
        9_999,
        9,
    )),
    subscription(bill("Newspaper", "Subscriptions", Cycle::Monthly, 1_400, 1)),
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
/// Everyday spending: payee, its category, and the usual range of one purchase (minor units).
const PAYEES: &[(&str, &str, i64, i64)] = &[
    ("Grocer", "Groceries", 1_500, 12_000),
    ("Bakery", "Groceries", 300, 1_800),
    ("Pharmacy", "Health", 500, 4_500),
    ("Cinema", "Leisure", 1_200, 3_500),
    ("Bookshop", "Leisure", 900, 4_000),
    ("Café", "Dining", 350, 1_500),
    ("Restaurant", "Dining", 2_500, 9_000),
    ("Hardware", "Housing", 800, 15_000),
    ("Fuel station", "Transport", 3_000, 8_000),
];
/// How a bill without autopay is paid.
const METHODS: &[&str] = &["bank transfer", "card"];

/// The generated category for `base` in `round` (the reference scale repeats the names:
/// "Housing 2" …): that round's when it exists, else the first round's, else none.
fn category_for(categories: &[DemoCategory], base: &str, round: usize) -> Option<CategoryId> {
    let position = CATEGORY_NAMES.iter().position(|name| *name == base)?;
    categories
        .get(round * CATEGORY_NAMES.len() + position)
        .or_else(|| categories.get(position))
        .map(|c| c.id)
}

/// `n` as an `i64` (the dice never roll past it).
fn small(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(0)
}

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
                color: COLORS[i % COLORS.len()].to_owned(),
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
        let t = &BILLS[i % BILLS.len()];
        let round = i / BILLS.len();
        let name = if round == 0 {
            t.name.to_owned()
        } else {
            format!("{} {}", t.name, round + 1)
        };
        // Prices are what they are for subscriptions; other bills vary by up to 10 % between
        // households, in whole units.
        let expected = if t.subscription || round == 0 {
            t.amount
        } else {
            (t.amount + t.amount * small(dice.below(11)) / 100) / 100 * 100
        };
        let anchor = start + Duration::days(small(dice.below(28)));
        let due_day = t
            .cycle
            .is_monthly_type()
            .then_some((t.due_day - 1 + 3 * i64::try_from(round).unwrap_or(0)) % 28 + 1);
        let autopay = t.subscription;
        let bill = DemoBill {
            id: BillId::new(),
            category_id: category_for(&data.categories, t.category, round),
            name,
            amount_kind: if t.estimated { "estimated" } else { "fixed" },
            expected_minor: expected,
            min_minor: t.estimated.then_some(expected * 8 / 10),
            max_minor: t.estimated.then_some(expected * 13 / 10),
            currency: currency.to_owned(),
            cycle: t.cycle.as_str(),
            anchor_date: anchor,
            due_day,
            autopay: if autopay { "assumed" } else { "off" },
            is_subscription: t.subscription,
            debt_balance_minor: t.debt.map(|(balance, _)| balance),
            debt_apr_bp: t.debt.map(|(_, apr)| apr),
        };
        let schedule = Schedule::new(t.cycle, anchor, due_day.and_then(|d| DueDay::new(d).ok()));
        for due in schedule.occurrences_between(anchor, today) {
            let roll = dice.below(100);
            // Autopay is taken on the due date; other bills are mostly paid a few days ahead,
            // now and then late, rarely missed, and this month's may still be open.
            let recent = due > today - Duration::days(20);
            if !autopay && (roll < 3 || (recent && roll < 40)) {
                continue;
            }
            let paid_on = if autopay {
                due
            } else if roll > 92 {
                due + Duration::days(1 + small(dice.below(10)))
            } else {
                due - Duration::days(small(dice.below(5)))
            }
            .min(today);
            let amount = if t.estimated {
                expected * (85 + small(dice.below(30))) / 100
            } else {
                expected
            };
            data.payments.push(DemoPayment {
                bill_id: bill.id,
                amount_minor: amount,
                paid_on,
                cycle_due: due,
                method: if autopay {
                    "direct debit"
                } else {
                    dice.pick(METHODS)
                },
            });
        }
        data.bills.push(bill);
    }
    let days = (today - start).num_days().max(1);
    for _ in 0..scale.expenses {
        let spent_on = start + Duration::days(small(dice.below(u64::try_from(days).unwrap_or(1))));
        let (payee, category, low, high) = dice.pick(PAYEES);
        let spread = u64::try_from(high - low).unwrap_or(0);
        data.expenses.push(DemoExpense {
            category_id: category_for(&data.categories, category, 0),
            amount_minor: low + small(dice.below(spread)),
            currency: currency.to_owned(),
            spent_on,
            payee: payee.to_owned(),
            method: dice.pick(&["card", "cash"]),
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

    /// The category a name of `data` stands for, without the demo prefix.
    fn category_name(data: &DemoData, id: Option<CategoryId>) -> String {
        let category = data.categories.iter().find(|c| Some(c.id) == id);
        category.map_or_else(String::new, |c| c.name.replace(DEMO_CATEGORY_PREFIX, ""))
    }

    #[test]
    fn each_demo_bill_is_filed_where_a_person_would_look_for_it() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
        let data = generate(DemoScale::SMALL, today, "EUR", 7);
        let expected = [
            ("Rent", "Housing", "monthly", 1),
            ("Electricity", "Utilities", "monthly", 18),
            ("Water", "Utilities", "quarterly", 10),
            ("Internet", "Utilities", "monthly", 12),
            ("Phone", "Utilities", "monthly", 22),
            ("Video streaming", "Subscriptions", "monthly", 7),
            ("Music streaming", "Subscriptions", "monthly", 15),
            ("Car insurance", "Insurance", "semiannual", 5),
            ("Home insurance", "Insurance", "annual", 20),
            ("Gym", "Health", "monthly", 3),
            ("Cleaner", "Housing", "biweekly", 0),
            ("Transport pass", "Transport", "weekly", 0),
            ("Credit card", "Debt", "monthly", 25),
            ("Student loan", "Debt", "monthly", 15),
        ];
        assert_eq!(data.bills.len(), expected.len());
        for (bill, (name, category, cycle, day)) in data.bills.iter().zip(expected) {
            assert_eq!(bill.name, name);
            assert_eq!(category_name(&data, bill.category_id), category, "{name}");
            assert_eq!(bill.cycle, cycle, "{name}");
            assert_eq!(bill.due_day.unwrap_or(0), day, "{name}");
            assert_eq!(
                bill.debt_balance_minor.is_some(),
                category == "Debt",
                "{name}: debt fields only on debts"
            );
            assert_eq!(
                bill.min_minor.is_some(),
                bill.amount_kind == "estimated",
                "{name}"
            );
        }
        let rent = &data.bills[0];
        assert_eq!(
            (rent.expected_minor, rent.autopay),
            (145_000, "off"),
            "a realistic rent"
        );
        // Everyday spending sits under the category of what was bought.
        for expense in &data.expenses {
            let category = category_name(&data, expense.category_id);
            let wanted = PAYEES.iter().find(|p| p.0 == expense.payee).map(|p| p.1);
            assert_eq!(Some(category.as_str()), wanted, "{}", expense.payee);
        }
        // Payments: none in the future, none before the bill's due date by more than a few
        // days, each the bill's amount (or near it for an estimate).
        for payment in &data.payments {
            let bill = data
                .bills
                .iter()
                .find(|b| b.id == payment.bill_id)
                .expect("its bill");
            assert!(
                payment.paid_on <= today
                    && payment.paid_on >= payment.cycle_due - Duration::days(5)
            );
            if bill.amount_kind == "fixed" {
                assert_eq!(payment.amount_minor, bill.expected_minor, "{}", bill.name);
            }
        }
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
