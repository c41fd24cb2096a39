//! Per-bill merchant rules: which bank transactions belong to a bill (payee contains / equals
//! a text, optionally an amount range and an account) and the category they get. The rule's
//! meaning lives in `domain::matching::rule`; this module stores rules and reads the
//! transactions a rule could match.
//!
//! A rule's bill, account and category must be the owner's (another user's is `NotFound`,
//! nothing written); amounts are absolute minor units (money out of 12.34 is 1234). Edits
//! check the version (`Stale` when changed since read). Deleting a bill deletes its rules.

use chrono::{DateTime, Utc};

use domain::id::{BankAccountId, BillId, CategoryId, MerchantRuleId, UserId};

use crate::columns::{parse_id, parse_opt_id, stale_or_missing};
use crate::time::{from_millis, to_millis};
use crate::transactions::{COLUMNS, StoredTransaction, TransactionRow, from_stored};
use crate::{Error, Result, Store};

/// A stored merchant rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantRuleRow {
    pub id: MerchantRuleId,
    pub bill_id: BillId,
    /// `contains` or `equals`.
    pub payee_match: String,
    pub payee_text: String,
    /// Absolute minor units.
    pub min_minor: Option<i64>,
    pub max_minor: Option<i64>,
    pub account_id: Option<BankAccountId>,
    pub category_id: Option<CategoryId>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// Every field of a rule: what create sets and update replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFields {
    pub bill_id: BillId,
    pub payee_match: String,
    pub payee_text: String,
    pub min_minor: Option<i64>,
    pub max_minor: Option<i64>,
    pub account_id: Option<BankAccountId>,
    pub category_id: Option<CategoryId>,
    pub enabled: bool,
}

#[derive(sqlx::FromRow)]
struct StoredRule {
    id: String,
    bill_id: String,
    payee_match: String,
    payee_text: String,
    min_minor: Option<i64>,
    max_minor: Option<i64>,
    account_id: Option<String>,
    category_id: Option<String>,
    enabled: bool,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

const RULE_COLUMNS: &str = "id, bill_id, payee_match, payee_text, min_minor, max_minor, \
     account_id, category_id, enabled, created_at, updated_at, version";

/// The bill (`$3`), account (`$8`) and category (`$9`) are the owner's (`$2`).
const OWNED: &str = "EXISTS (SELECT 1 FROM bills WHERE bills.id = $3 AND bills.user_id = $2 \
       AND bills.deleted_at IS NULL) \
     AND ($8 IS NULL OR EXISTS (SELECT 1 FROM bank_accounts a WHERE a.id = $8 \
       AND a.user_id = $2 AND a.deleted_at IS NULL)) \
     AND ($9 IS NULL OR EXISTS (SELECT 1 FROM categories c WHERE c.id = $9 \
       AND c.user_id = $2 AND c.deleted_at IS NULL))";

fn from_stored_rule(row: StoredRule) -> Result<MerchantRuleRow> {
    Ok(MerchantRuleRow {
        id: parse_id("merchant rule", &row.id)?,
        bill_id: parse_id("bill", &row.bill_id)?,
        payee_match: row.payee_match,
        payee_text: row.payee_text,
        min_minor: row.min_minor,
        max_minor: row.max_minor,
        account_id: parse_opt_id("bank account", row.account_id.as_deref())?,
        category_id: parse_opt_id("category", row.category_id.as_deref())?,
        enabled: row.enabled,
        created_at: from_millis(row.created_at)?,
        updated_at: from_millis(row.updated_at)?,
        version: row.version,
    })
}

macro_rules! bind_rule {
    ($query:expr, $id:expr, $user:expr, $fields:expr) => {
        $query
            .bind($id)
            .bind($user)
            .bind($fields.bill_id.to_string())
            .bind(&$fields.payee_match)
            .bind(&$fields.payee_text)
            .bind($fields.min_minor)
            .bind($fields.max_minor)
            .bind($fields.account_id.map(|a| a.to_string()))
            .bind($fields.category_id.map(|c| c.to_string()))
            .bind($fields.enabled)
    };
}

impl Store {
    /// Stores a new rule. A bill, account or category that is not the owner's: `NotFound`.
    pub async fn create_merchant_rule(
        &self,
        owner: UserId,
        fields: &RuleFields,
        now: DateTime<Utc>,
    ) -> Result<MerchantRuleRow> {
        let (id, user) = (MerchantRuleId::new().to_string(), owner.to_string());
        let row: Option<StoredRule> = on_pool!(self, |pool| {
            bind_rule!(
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO merchant_rules (id, user_id, bill_id, payee_match, payee_text, \
                     min_minor, max_minor, account_id, category_id, enabled, created_at, \
                     updated_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11 \
                     WHERE {OWNED} RETURNING {RULE_COLUMNS}"
                ))),
                &id,
                &user,
                fields
            )
            .bind(to_millis(now))
            .fetch_optional(pool)
            .await?
        });
        row.map_or(Err(Error::NotFound), from_stored_rule)
    }

    /// One of the owner's rules.
    pub async fn merchant_rule(
        &self,
        owner: UserId,
        id: MerchantRuleId,
    ) -> Result<MerchantRuleRow> {
        let row: StoredRule = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {RULE_COLUMNS} FROM merchant_rules WHERE id = $1 AND user_id = $2"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        from_stored_rule(row)
    }

    /// The owner's rules (of one bill when given), oldest first.
    pub async fn merchant_rules(
        &self,
        owner: UserId,
        bill: Option<BillId>,
    ) -> Result<Vec<MerchantRuleRow>> {
        let rows: Vec<StoredRule> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {RULE_COLUMNS} FROM merchant_rules WHERE user_id = $1 \
                 AND ($2 IS NULL OR bill_id = $2) ORDER BY created_at, id"
            )))
            .bind(owner.to_string())
            .bind(bill.map(|b| b.to_string()))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(from_stored_rule).collect()
    }

    /// Replaces a rule's fields if it is still at `expected_version`.
    pub async fn update_merchant_rule(
        &self,
        owner: UserId,
        id: MerchantRuleId,
        fields: &RuleFields,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<MerchantRuleRow> {
        let (rule, user) = (id.to_string(), owner.to_string());
        let row: Option<StoredRule> = on_pool!(self, |pool| {
            bind_rule!(
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "UPDATE merchant_rules SET bill_id = $3, payee_match = $4, payee_text = $5, \
                     min_minor = $6, max_minor = $7, account_id = $8, category_id = $9, \
                     enabled = $10, updated_at = $11, version = version + 1 \
                     WHERE id = $1 AND user_id = $2 AND version = $12 AND {OWNED} \
                     RETURNING {RULE_COLUMNS}"
                ))),
                &rule,
                &user,
                fields
            )
            .bind(to_millis(now))
            .bind(expected_version)
            .fetch_optional(pool)
            .await?
        });
        match row {
            Some(row) => from_stored_rule(row),
            None => {
                let current = self.merchant_rule(owner, id).await.ok().map(|r| r.version);
                Err(stale_or_missing(current, expected_version))
            }
        }
    }

    /// Deletes one of the owner's rules; the transactions it matched stay matched.
    pub async fn delete_merchant_rule(&self, owner: UserId, id: MerchantRuleId) -> Result<()> {
        let deleted = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM merchant_rules WHERE id = $1 AND user_id = $2")
                .bind(id.to_string())
                .bind(owner.to_string())
                .execute(pool)
                .await?
                .rows_affected()
        });
        if deleted == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// The owner's transactions a rule with these bounds could match, oldest first: in
    /// `account` when given, with an absolute amount within `[min_minor, max_minor]` (either
    /// open), and, when `ids` is given, only those. The payee test is the rule's own (in
    /// `domain`), applied by the caller.
    pub async fn rule_candidates(
        &self,
        owner: UserId,
        account: Option<BankAccountId>,
        min_minor: Option<i64>,
        max_minor: Option<i64>,
        ids: Option<&[domain::id::TransactionId]>,
    ) -> Result<Vec<TransactionRow>> {
        let wanted: Option<String> = ids.map(|ids| {
            let list: Vec<String> = ids.iter().map(|id| format!("\"{id}\"")).collect();
            format!("[{}]", list.join(","))
        });
        let in_list = match self.engine() {
            crate::Engine::Sqlite => "id IN (SELECT value FROM json_each($5))",
            crate::Engine::Postgres => "id IN (SELECT jsonb_array_elements_text($5::jsonb))",
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM transactions WHERE user_id = $1 \
             AND ($2 IS NULL OR account_id = $2) \
             AND ($3 IS NULL OR ABS(amount_minor) >= $3) \
             AND ($4 IS NULL OR ABS(amount_minor) <= $4) \
             AND ($5 IS NULL OR {in_list}) ORDER BY posted_on, id"
        );
        let rows: Vec<StoredTransaction> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(owner.to_string())
                .bind(account.map(|a| a.to_string()))
                .bind(min_minor)
                .bind(max_minor)
                .bind(&wanted)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(from_stored).collect()
    }
}
