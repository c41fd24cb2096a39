//! The caller's bank and card accounts: listed, added by hand (an import can also add one),
//! and renamed. Every transaction of an account is in the account's currency.

use domain::Invalid;
use domain::id::BankAccountId;
use domain::money::Currency;
use domain::text;
pub use store::bank_accounts::BankAccountRow as BankAccount;
use store::bank_accounts::NewBankAccount;

use crate::audit;
use crate::auth::{Principal, RequestMeta};
use crate::preferences::data_owner;
use crate::{App, Result};

/// The longest account name.
pub const NAME_MAX: usize = 64;
/// The longest institution name.
pub const INSTITUTION_MAX: usize = 100;

/// A new account's fields, as the person typed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInput {
    pub name: String,
    pub currency: Currency,
    pub institution: String,
    /// Up to four digits that tell the account apart ("…1234").
    pub last_digits: String,
}

impl AccountInput {
    /// Checks the typed fields, naming the one that is wrong.
    pub fn parse(
        name: &str,
        currency: Currency,
        institution: &str,
        last_digits: &str,
    ) -> Result<Self, Invalid> {
        let last_digits = last_digits.trim();
        if last_digits.len() > 4 || !last_digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(Invalid::new("last_digits", "must be up to 4 digits"));
        }
        Ok(AccountInput {
            name: text::bounded("name", name, 1, NAME_MAX)?,
            currency,
            institution: if institution.trim().is_empty() {
                String::new()
            } else {
                text::bounded("institution", institution, 1, INSTITUTION_MAX)?
            },
            last_digits: last_digits.to_owned(),
        })
    }
}

/// The caller's live accounts, by name.
pub async fn list(app: &App, principal: &Principal) -> Result<Vec<BankAccount>> {
    let owner = data_owner(principal)?;
    Ok(app.store.bank_accounts(owner).await?)
}

/// One of the caller's live accounts.
pub async fn find(app: &App, principal: &Principal, id: BankAccountId) -> Result<BankAccount> {
    let owner = data_owner(principal)?;
    let account = app.store.bank_account(owner, id).await?;
    if account.deleted_at.is_some() {
        return Err(crate::Error::NotFound);
    }
    Ok(account)
}

/// Adds an account the person's files will go to.
pub async fn create(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    input: AccountInput,
) -> Result<BankAccount> {
    let owner = data_owner(principal)?;
    let account = app
        .store
        .create_bank_account(
            owner,
            &NewBankAccount {
                name: input.name,
                currency: input.currency.code().to_owned(),
                institution: input.institution,
                last_digits: input.last_digits,
                source: "file".into(),
                external_id: None,
            },
            app.now(),
        )
        .await?;
    audit::record(
        app,
        &principal.actor(),
        "bank_account.created",
        Some(account.id.to_string()),
        meta.ip,
        serde_json::json!({"currency": account.currency}),
    )
    .await?;
    Ok(account)
}

/// Renames one of the caller's accounts still at `version`.
pub async fn rename(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: BankAccountId,
    name: &str,
    version: i64,
) -> Result<BankAccount> {
    let owner = data_owner(principal)?;
    let name = text::bounded("name", name, 1, NAME_MAX)?;
    let account = app
        .store
        .rename_bank_account(owner, id, &name, version, app.now())
        .await?;
    audit::record(
        app,
        &principal.actor(),
        "bank_account.renamed",
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({}),
    )
    .await?;
    Ok(account)
}
