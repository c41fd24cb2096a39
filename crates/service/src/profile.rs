//! The signed-in user's own account: who am I, and my sign-in history.

use chrono::{DateTime, Utc};

use crate::auth::{Principal, device};
use crate::crypto::Aad;
use crate::{App, Result};

/// One sign-in attempt as its owner sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LoginView {
    pub at: DateTime<Utc>,
    pub success: bool,
    pub method: String,
    pub ip: Option<String>,
    pub device: String,
    /// This attempt opened the session making the request.
    pub this_session: bool,
}

pub async fn login_history(app: &App, principal: &Principal, limit: i64) -> Result<Vec<LoginView>> {
    let rows = app.store.logins_of(principal.user_id, limit).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let ip = row.ip_enc.as_deref().and_then(|v| {
                app.decrypt_or_log(
                    Aad {
                        table: "login_history",
                        column: "ip_enc",
                        row: &row.id,
                    },
                    v,
                )
            });
            let ua = row.user_agent_enc.as_deref().and_then(|v| {
                app.decrypt_or_log(
                    Aad {
                        table: "login_history",
                        column: "user_agent_enc",
                        row: &row.id,
                    },
                    v,
                )
            });
            LoginView {
                at: row.at,
                success: row.success,
                method: row.method,
                ip,
                device: device::describe(ua.as_deref()),
                this_session: row.session_id.is_some() && row.session_id == principal.session,
            }
        })
        .collect())
}
