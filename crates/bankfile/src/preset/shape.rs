//! How a file's header row compares with the one a preset was made for. Header cells are
//! compared [`normalise`]d (trimmed, control characters dropped, inner whitespace collapsed to
//! one space, lower case), so `" Posting  Date"` and `"posting date"` are one column; a
//! header's [`signature`] is its normalised cells joined, the key a preset is recognised by.
//!
//! [`Preset::fit`] finds each mapped column in the file: at its old position when the name
//! there is the same, else by its name elsewhere (a column the preset's header left blank is
//! found by position only). The [`Shape`] says what the person should know: the same header
//! ([`Shape::Exact`]); the same columns in another order, read by their names
//! ([`Shape::Reordered`]); or columns gone or new ([`Shape::Changed`], naming the mapped
//! columns that are missing). Without its date or amount columns the file cannot be read with
//! the preset; a missing payee, memo, category or id column is left out.

use std::collections::HashMap;

use super::Preset;
use crate::csv_map::{AmountColumns, Mapping};

/// A header cell as it is compared.
pub fn normalise(cell: &str) -> String {
    cell.replace(char::is_control, "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The normalised cells joined by U+001F (a control character, so never part of a cell).
pub fn signature(header: &[String]) -> String {
    header
        .iter()
        .map(|c| normalise(c))
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// What a mapped column is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Date,
    Amount,
    Debit,
    Credit,
    Payee,
    Memo,
    Category,
    Id,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Date => "date",
            Role::Amount => "amount",
            Role::Debit => "debit",
            Role::Credit => "credit",
            Role::Payee => "payee",
            Role::Memo => "memo",
            Role::Category => "category",
            Role::Id => "id",
        }
    }

    /// The file cannot be read without it.
    pub fn required(self) -> bool {
        matches!(self, Role::Date | Role::Amount | Role::Debit | Role::Credit)
    }
}

/// A mapped column the file no longer has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingColumn {
    pub role: Role,
    /// Its header cell when the preset was saved.
    pub name: String,
}

/// How a file's header differs from the preset's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Mapped columns not found, by name or position.
    pub missing: Vec<MissingColumn>,
    /// The file's cells the preset's header does not have.
    pub added: Vec<String>,
    /// The preset's cells the file does not have.
    pub removed: Vec<String>,
}

/// A file's header against a preset's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// The same cells in the same order (after [`normalise`]).
    Exact,
    /// The same cells in another order: the columns are read by their names.
    Reordered,
    /// Cells gone or new.
    Changed(Changes),
}

impl Shape {
    /// What to tell the person, if anything.
    pub fn warning(&self) -> Option<String> {
        let quoted = |cells: &[String]| {
            cells
                .iter()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Shape::Exact => None,
            Shape::Reordered => Some(
                "the columns are in another order than when the preset was saved; \
                 they were read by their names"
                    .to_owned(),
            ),
            Shape::Changed(changes) => {
                let mut parts = Vec::new();
                for missing in &changes.missing {
                    parts.push(format!(
                        "the {} column '{}' is missing",
                        missing.role.as_str(),
                        missing.name
                    ));
                }
                if !changes.added.is_empty() {
                    parts.push(format!("new columns: {}", quoted(&changes.added)));
                }
                if !changes.removed.is_empty() {
                    parts.push(format!("columns gone: {}", quoted(&changes.removed)));
                }
                Some(format!(
                    "the file no longer matches the preset's columns: {}",
                    parts.join("; ")
                ))
            }
        }
    }

    /// Every mapped column was found.
    pub fn complete(&self) -> bool {
        !matches!(self, Shape::Changed(c) if !c.missing.is_empty())
    }
}

/// A preset fitted to a file's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    pub shape: Shape,
    /// The mapping with the columns where this file has them; `None` when the date or amount
    /// columns are missing.
    pub mapping: Option<Mapping>,
}

impl Preset {
    /// This preset against a file whose first row is `file_header` (read with
    /// [`crate::csv_map::first_row`] and the preset's delimiter).
    pub fn fit(&self, file_header: &[String]) -> Fit {
        let saved: Vec<String> = self.header.iter().map(|c| normalise(c)).collect();
        let file: Vec<String> = file_header.iter().map(|c| normalise(c)).collect();
        if saved.is_empty() || saved == file {
            return Fit {
                shape: Shape::Exact,
                mapping: Some(self.mapping.clone()),
            };
        }
        let m = &self.mapping;
        let mut roles: Vec<(Role, usize)> = vec![(Role::Date, m.date)];
        match m.amount {
            AmountColumns::Signed(i) => roles.push((Role::Amount, i)),
            AmountColumns::DebitCredit { debit, credit } => {
                roles.extend([(Role::Debit, debit), (Role::Credit, credit)]);
            }
        }
        for (role, index) in [
            (Role::Payee, m.payee),
            (Role::Memo, m.memo),
            (Role::Category, m.category),
            (Role::Id, m.id),
        ] {
            roles.extend(index.map(|i| (role, i)));
        }
        let found = locate(&roles, &saved, &file);
        let at = |role: Role| {
            roles
                .iter()
                .zip(&found)
                .find(|((r, _), _)| *r == role)
                .and_then(|(_, f)| *f)
        };
        let missing: Vec<MissingColumn> = roles
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|((role, index), _)| MissingColumn {
                role: *role,
                name: self.header.get(*index).cloned().unwrap_or_default(),
            })
            .collect();
        let amount = match m.amount {
            AmountColumns::Signed(_) => at(Role::Amount).map(AmountColumns::Signed),
            AmountColumns::DebitCredit { .. } => at(Role::Debit)
                .zip(at(Role::Credit))
                .map(|(debit, credit)| AmountColumns::DebitCredit { debit, credit }),
        };
        let mapping = at(Role::Date).zip(amount).map(|(date, amount)| Mapping {
            date,
            amount,
            payee: at(Role::Payee),
            memo: at(Role::Memo),
            category: at(Role::Category),
            id: at(Role::Id),
            ..m.clone()
        });
        let added = absent(file_header, &file, &saved);
        let removed = absent(&self.header, &saved, &file);
        let shape = if missing.is_empty() && added.is_empty() && removed.is_empty() {
            Shape::Reordered
        } else {
            Shape::Changed(Changes {
                missing,
                added,
                removed,
            })
        };
        Fit { shape, mapping }
    }
}

/// Where each role's column is in `file`: at its old index when the name there is the same,
/// else the first unclaimed cell of that name (a blank name: by position only).
fn locate(roles: &[(Role, usize)], saved: &[String], file: &[String]) -> Vec<Option<usize>> {
    let mut claimed = vec![false; file.len()];
    let mut found: Vec<Option<usize>> = roles
        .iter()
        .map(|(_, index)| {
            let name = saved.get(*index)?;
            let same = file
                .get(*index)
                .is_some_and(|f| f == name || name.is_empty());
            same.then(|| {
                claimed[*index] = true;
                *index
            })
        })
        .collect();
    for ((_, index), slot) in roles.iter().zip(found.iter_mut()) {
        let Some(name) = saved.get(*index).filter(|n| !n.is_empty()) else {
            continue;
        };
        if slot.is_none() {
            *slot = file
                .iter()
                .enumerate()
                .position(|(j, f)| f == name && !claimed[j]);
            if let Some(j) = *slot {
                claimed[j] = true;
            }
        }
    }
    found
}

/// The cells of `cells` (normalised as `normalised`) that `other` does not have, counting
/// repeats, blank cells left out.
fn absent(cells: &[String], normalised: &[String], other: &[String]) -> Vec<String> {
    let mut left: HashMap<&str, usize> = HashMap::new();
    for cell in other {
        *left.entry(cell.as_str()).or_default() += 1;
    }
    cells
        .iter()
        .zip(normalised)
        .filter(|(_, n)| !n.is_empty())
        .filter(|(_, n)| match left.get_mut(n.as_str()) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        })
        .map(|(cell, _)| cell.clone())
        .collect()
}
