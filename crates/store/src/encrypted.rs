//! Every encrypted column in one list, for key rotation: read all ciphertexts, and write the
//! re-encrypted values back in one transaction (all or nothing).

use crate::{Result, Store};

/// (table, id column, encrypted column) of every encrypted field.
pub const ENCRYPTED_COLUMNS: &[(&str, &str, &str)] = &[
    ("sessions", "id", "ip_enc"),
    ("sessions", "id", "user_agent_enc"),
    ("login_history", "id", "ip_enc"),
    ("login_history", "id", "user_agent_enc"),
    ("settings", "key", "value"),
    ("bills", "id", "account_details_enc"),
    ("mfa_factors", "id", "secret_enc"),
    ("external_sign_in_flows", "state_hash", "verifier_enc"),
    ("sync_connections", "id", "access_url_enc"),
];

/// One encrypted value and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub table: &'static str,
    pub column: &'static str,
    pub row: String,
    pub value: String,
}

impl Store {
    /// Every non-null encrypted value. Settings are included only when they hold ciphertext
    /// (values starting with `v1.`), since most settings are plain.
    pub async fn encrypted_cells(&self) -> Result<Vec<Cell>> {
        let mut cells = Vec::new();
        for &(table, id, column) in ENCRYPTED_COLUMNS {
            let sql = format!("SELECT {id}, {column} FROM {table} WHERE {column} IS NOT NULL");
            let rows: Vec<(String, String)> = on_pool!(self, |pool| {
                sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                    .fetch_all(pool)
                    .await?
            });
            cells.extend(
                rows.into_iter()
                    .filter(|(_, value)| table != "settings" || value.starts_with("v1."))
                    .map(|(row, value)| Cell {
                        table,
                        column,
                        row,
                        value,
                    }),
            );
        }
        Ok(cells)
    }

    /// Writes every cell's new value in one transaction.
    pub async fn rewrite_encrypted_cells(&self, cells: &[Cell]) -> Result<()> {
        on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            for cell in cells {
                let Some(&(table, id, column)) = ENCRYPTED_COLUMNS
                    .iter()
                    .find(|(t, _, c)| *t == cell.table && *c == cell.column)
                else {
                    continue;
                };
                let sql = format!("UPDATE {table} SET {column} = $1 WHERE {id} = $2");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(&cell.value)
                    .bind(&cell.row)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
