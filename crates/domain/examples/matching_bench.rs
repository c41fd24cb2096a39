//! The in-memory half of suggestions, timed: 10 000 transactions scored against 150 bills
//! (each with a year of monthly due dates and a few earlier payees), as
//! `service::matching::suggest` does after its reads. Not a test; run it with
//! `cargo run --release -p domain --example matching_bench` and read the figure.

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use domain::matching::payee::Words;
use domain::matching::{BillFacts, TransactionFacts, score};

fn main() {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    let dues: Vec<Vec<NaiveDate>> = (0..150)
        .map(|b| {
            (0..27)
                .map(|m| start + Duration::days(m * 30 + b % 28))
                .collect()
        })
        .collect();
    let names: Vec<Words> = (0..150)
        .map(|b| Words::of(&format!("Bill {b} company")))
        .collect();
    let earlier: Vec<Vec<(Words, usize)>> = (0..150)
        .map(|b| {
            vec![
                (Words::of(&format!("PAYEE {b} LTD")), 3),
                (Words::of(&format!("bill{b}")), 1),
            ]
        })
        .collect();
    let payees: Vec<Words> = (0..10_000)
        .map(|i| Words::of(&format!("Payee {} 0042", i % 150)))
        .collect();
    let began = Instant::now();
    let mut suggested = 0usize;
    for (i, payee) in payees.iter().enumerate() {
        let i = i64::try_from(i).unwrap_or(0);
        let tx = TransactionFacts {
            amount_minor: -(1_000 + (i % 150) * 100),
            currency: "USD",
            posted_on: start + Duration::days(i % 800),
            payee,
        };
        for b in 0..150usize {
            let bill = BillFacts {
                currency: "USD",
                expected_minor: 1_000 + i64::try_from(b).unwrap_or(0) * 100,
                range: None,
                due_dates: &dues[b],
                name: &names[b],
                earlier: &earlier[b],
            };
            if score(&tx, &bill).is_some_and(|s| s.suggested()) {
                suggested += 1;
            }
        }
    }
    println!(
        "1 500 000 pairs scored in {:?} ({suggested} suggested)",
        began.elapsed()
    );
}
