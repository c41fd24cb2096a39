//! The signed-in user's own account: who am I, and my sign-in history.

use chrono::{DateTime, Utc};

use crate::auth::{Principal, device};
use crate::crypto::Aad;
use crate::{App, Result};

/// One sign-in attempt as its owner sees it.
#[derive(Debug, Clone)]
pub struct Login {
    pub at: DateTime<Utc>,
    pub success: bool,
    pub method: String,
    pub ip: Option<String>,
    pub device: String,
    /// This attempt opened the session making the request.
    pub this_session: bool,
}

pub async fn login_history(app: &App, principal: &Principal, limit: i64) -> Result<Vec<Login>> {
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
            Login {
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

/// From this many failed sign-ins since the previous one, the owner is warned (AUTH-10: the
/// account is under attack, or someone forgot the password).
pub const FAILURES_WORTH_A_WARNING: usize = 3;

/// Failed sign-ins in `history` (newest first, as [`login_history`] returns it) since the
/// previous successful sign-in (the current session's own sign-in does not end the count).
pub fn failures_since_previous_sign_in(history: &[Login]) -> usize {
    history
        .iter()
        .take_while(|login| !login.success || login.this_session)
        .filter(|login| !login.success)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(success: bool, this_session: bool) -> Login {
        Login {
            at: DateTime::<Utc>::MIN_UTC,
            success,
            method: "password".into(),
            ip: None,
            device: String::new(),
            this_session,
        }
    }

    #[test]
    fn auth_10_failures_are_counted_back_to_the_previous_sign_in() {
        let history = [
            attempt(false, false),
            attempt(true, true),
            attempt(false, false),
            attempt(false, false),
            attempt(true, false),
            attempt(false, false),
        ];
        assert_eq!(failures_since_previous_sign_in(&history), 3);
        assert_eq!(failures_since_previous_sign_in(&[]), 0);
        assert_eq!(failures_since_previous_sign_in(&history[4..]), 0);
    }
}
