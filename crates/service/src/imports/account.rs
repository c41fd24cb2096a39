//! Which account an import's rows go to: one of the person's, a new one they name, or the one
//! the file names (found again by its number, or described from the file for the apply to
//! make — a preview writes none of the user's data).

use domain::id::{BankAccountId, UserId};
use domain::money::Currency;
use store::bank_accounts::BankAccountRow;

use crate::{App, Error, Result};

/// Which account the rows go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChoice {
    /// One of the person's accounts.
    Existing(BankAccountId),
    /// A new account with this name and currency.
    New { name: String, currency: Currency },
    /// The account the file names (OFX `ACCTID`): found again, or made from the file.
    FromFile,
}

/// The account a preview's rows go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewAccount {
    Existing(BankAccountRow),
    /// Made by the apply (a preview writes none of the user's data).
    New(NewAccount),
}

impl PreviewAccount {
    pub fn name(&self) -> &str {
        match self {
            PreviewAccount::Existing(a) => &a.name,
            PreviewAccount::New(a) => &a.name,
        }
    }

    pub fn currency(&self) -> &str {
        match self {
            PreviewAccount::Existing(a) => &a.currency,
            PreviewAccount::New(a) => &a.currency,
        }
    }
}

/// An account the apply will make.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewAccount {
    pub name: String,
    pub currency: String,
    pub institution: String,
    pub last_digits: String,
    pub external_id: Option<String>,
}

/// The account for `choice`, with the file's `hint` (`ACCTID`, `CURDEF`, institution).
pub(super) async fn resolve(
    app: &App,
    owner: UserId,
    choice: AccountChoice,
    hint: &bankfile::AccountHint,
) -> Result<PreviewAccount> {
    match choice {
        AccountChoice::Existing(id) => {
            let account = app.store.bank_account(owner, id).await?;
            if account.deleted_at.is_some() {
                return Err(Error::NotFound);
            }
            Ok(PreviewAccount::Existing(account))
        }
        AccountChoice::New { name, currency } => {
            let name = domain::text::bounded("account_name", &name, 1, 64)?;
            Ok(new_account(name, currency.code().to_owned(), hint))
        }
        AccountChoice::FromFile => {
            let Some(external) = hint.id.as_deref() else {
                return Err(Error::invalid(
                    "account",
                    "the file does not name its account; choose one",
                ));
            };
            if let Some(found) = app
                .store
                .bank_account_by_external_id(owner, "file", external)
                .await?
            {
                return Ok(PreviewAccount::Existing(found));
            }
            let Some(currency) = hint.currency.as_deref() else {
                return Err(Error::invalid(
                    "account",
                    "the file does not state its currency; choose an account",
                ));
            };
            let currency = Currency::parse("account", currency)?;
            let digits: String = external
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let institution = hint.institution.clone().unwrap_or_default();
            let name = if institution.is_empty() {
                format!("Account …{digits}")
            } else {
                format!("{institution} …{digits}")
            };
            Ok(new_account(name, currency.code().to_owned(), hint))
        }
    }
}

/// The account a preview will make, from the file's hints.
fn new_account(name: String, currency: String, hint: &bankfile::AccountHint) -> PreviewAccount {
    let external = hint.id.clone();
    let last_digits = external
        .as_deref()
        .map(|id| id.chars().filter(char::is_ascii_digit).collect::<Vec<_>>())
        .map(|d| d[d.len().saturating_sub(4)..].iter().collect())
        .unwrap_or_default();
    PreviewAccount::New(NewAccount {
        name,
        currency,
        institution: hint.institution.clone().unwrap_or_default(),
        last_digits,
        external_id: external,
    })
}
