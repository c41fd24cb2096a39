//! The JSON API under `/api`, with the original BillTracker's route names. Handlers extract,
//! make one service call, and present JSON; errors are problem+json.

pub mod admin;
pub mod auth;
pub mod bank;
pub mod bank_sync_admin;
pub mod bills;
pub mod budgets;
pub mod constraints;
pub mod demo;
pub mod expenses;
pub mod external;
pub mod imports;
pub mod input;
pub mod matching;
pub mod mfa;
pub mod money;
pub mod openapi;
pub mod presets;
pub mod profile;
pub mod responses;
pub mod rules;
pub mod sync;
pub mod tracker;
pub mod webauthn;
pub mod wire;

use serde::Serialize;
use service::auth::Principal;

/// The caller's own account as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeResponse {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: &'static str,
    pub is_bootstrap: bool,
}

impl From<&Principal> for MeResponse {
    fn from(p: &Principal) -> Self {
        Self {
            id: p.user_id.to_string(),
            username: p.username.clone(),
            display_name: p.display_name.clone(),
            email: p.email.clone(),
            role: p.role.as_str(),
            is_bootstrap: p.is_bootstrap,
        }
    }
}
