//! Labelling a file's rows against the account's transactions before anything is written:
//! new, duplicate of a stored transaction (which one, and why), or possible duplicate (with a
//! score and why).
//!
//! Rules:
//! - The same bank id (OFX `FITID`, a CSV id column) in the same account is a duplicate.
//! - Otherwise the key is date + amount + payee (lower case, letters and digits only) with an
//!   occurrence count: the first coffee of the day in a file is `…#1`, the second `…#2`. A row
//!   whose key is stored already is a duplicate, so importing a file twice adds nothing while
//!   two identical coffees in one file import as two.
//! - Otherwise a stored transaction of the same amount within three days, whose payee shares a
//!   word with the row's, is a possible duplicate, scored 0–100 (closer days and more shared
//!   words score higher). The person decides; it is not skipped by default.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use domain::id::TransactionId;
use store::transactions::TransactionKey;

/// What a row is, compared with the stored transactions.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "label", rename_all = "snake_case")]
pub enum Label {
    New,
    Duplicate {
        of: TransactionId,
        why: String,
    },
    Possible {
        of: TransactionId,
        score: u8,
        why: String,
    },
}

/// The payee as the key compares it: lower case, letters and digits, words single-spaced.
pub fn payee_key(payee: &str) -> String {
    payee
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The keys of a file's rows, in order, counting occurrences of the same date, amount and payee.
pub fn keys<'a>(rows: impl IntoIterator<Item = (NaiveDate, i64, &'a str)>) -> Vec<String> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    rows.into_iter()
        .map(|(on, amount, payee)| {
            let base = format!("{on}|{amount}|{}", payee_key(payee));
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            format!("{base}#{n}")
        })
        .collect()
}

/// One row to label.
pub struct Candidate<'a> {
    pub posted_on: NaiveDate,
    pub amount_minor: i64,
    pub payee: &'a str,
    pub source_id: Option<&'a str>,
    pub key: &'a str,
}

/// Labels `rows` against `stored` (the account's transactions around the file's dates).
pub fn label(rows: &[Candidate<'_>], stored: &[TransactionKey]) -> Vec<Label> {
    let by_source: HashMap<&str, TransactionId> = stored
        .iter()
        .filter_map(|k| k.source_id.as_deref().map(|s| (s, k.id)))
        .collect();
    let by_key: HashMap<&str, TransactionId> = stored
        .iter()
        .map(|k| (k.dedupe_key.as_str(), k.id))
        .collect();
    rows.iter()
        .map(|row| {
            if let Some(id) = row.source_id.and_then(|s| by_source.get(s)) {
                return Label::Duplicate {
                    of: *id,
                    why: "the same bank id".into(),
                };
            }
            if let Some(id) = by_key.get(row.key) {
                return Label::Duplicate {
                    of: *id,
                    why: "the same date, amount and payee".into(),
                };
            }
            possible(row, stored).unwrap_or(Label::New)
        })
        .collect()
}

fn possible(row: &Candidate<'_>, stored: &[TransactionKey]) -> Option<Label> {
    let words: HashSet<String> = payee_key(row.payee)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    stored
        .iter()
        .filter(|k| k.amount_minor == row.amount_minor)
        .filter_map(|k| {
            let days = (k.posted_on - row.posted_on).num_days().abs();
            if days > 3 {
                return None;
            }
            let theirs: HashSet<String> = payee_key(&k.payee)
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect();
            let shared = words.intersection(&theirs).count();
            if shared == 0 && !(words.is_empty() && theirs.is_empty()) {
                return None;
            }
            let total = words.union(&theirs).count().max(1);
            let similarity = shared * 100 / total;
            let score = u8::try_from(
                (100 - days * 15).max(0) * i64::try_from(similarity).unwrap_or(0) / 100,
            )
            .unwrap_or(0);
            let why = format!(
                "amount equal, {} apart, payee {}% alike",
                match days {
                    0 => "0 days".to_owned(),
                    1 => "1 day".to_owned(),
                    n => format!("{n} days"),
                },
                similarity
            );
            Some((score, k.id, why))
        })
        .max_by_key(|(score, _, _)| *score)
        .map(|(score, of, why)| Label::Possible { of, score, why })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).expect("day")
    }

    fn stored(
        id: TransactionId,
        d: u32,
        amount: i64,
        payee: &str,
        source: Option<&str>,
        key: &str,
    ) -> TransactionKey {
        TransactionKey {
            id,
            posted_on: day(d),
            amount_minor: amount,
            payee: payee.into(),
            source_id: source.map(str::to_owned),
            dedupe_key: key.into(),
        }
    }

    #[test]
    fn keys_count_occurrences_in_the_file() {
        let rows = [
            (day(4), -350, "Coffee"),
            (day(4), -350, "COFFEE!"),
            (day(5), -350, "Coffee"),
        ];
        assert_eq!(
            keys(rows),
            [
                "2027-03-04|-350|coffee#1",
                "2027-03-04|-350|coffee#2",
                "2027-03-05|-350|coffee#1"
            ]
        );
    }

    #[test]
    fn rows_are_new_duplicate_or_possible_with_why() {
        let (a, b, c) = (
            TransactionId::new(),
            TransactionId::new(),
            TransactionId::new(),
        );
        let db = [
            stored(
                a,
                1,
                -4510,
                "AT&T Wireless",
                Some("F1"),
                "2027-03-01|-4510|at t wireless#1",
            ),
            stored(b, 4, -350, "Coffee", None, "2027-03-04|-350|coffee#1"),
            stored(
                c,
                10,
                -1599,
                "Streamly Inc",
                None,
                "2027-03-10|-1599|streamly inc#1",
            ),
        ];
        let file_keys = keys([
            (day(2), -4510, "renamed"),
            (day(4), -350, "Coffee"),
            (day(4), -350, "Coffee"),
            (day(11), -1599, "STREAMLY"),
            (day(20), -1, "x"),
        ]);
        let rows = [
            Candidate {
                posted_on: day(2),
                amount_minor: -4510,
                payee: "renamed",
                source_id: Some("F1"),
                key: &file_keys[0],
            },
            Candidate {
                posted_on: day(4),
                amount_minor: -350,
                payee: "Coffee",
                source_id: None,
                key: &file_keys[1],
            },
            Candidate {
                posted_on: day(4),
                amount_minor: -350,
                payee: "Coffee",
                source_id: None,
                key: &file_keys[2],
            },
            Candidate {
                posted_on: day(11),
                amount_minor: -1599,
                payee: "STREAMLY",
                source_id: None,
                key: &file_keys[3],
            },
            Candidate {
                posted_on: day(20),
                amount_minor: -1,
                payee: "x",
                source_id: None,
                key: &file_keys[4],
            },
        ];
        let labels = label(&rows, &db);
        assert_eq!(
            labels[0],
            Label::Duplicate {
                of: a,
                why: "the same bank id".into()
            }
        );
        assert_eq!(
            labels[1],
            Label::Duplicate {
                of: b,
                why: "the same date, amount and payee".into()
            }
        );
        assert_ne!(
            labels[2], labels[1],
            "the second coffee of the day is not the first"
        );
        assert!(
            matches!(labels[2], Label::Possible { of, .. } if of == b),
            "{:?}",
            labels[2]
        );
        match &labels[3] {
            Label::Possible { of, score, why } => {
                assert_eq!(*of, c);
                assert!(*score > 0 && *score < 100, "{score}");
                assert_eq!(why, "amount equal, 1 day apart, payee 50% alike");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(labels[4], Label::New);
    }
}
