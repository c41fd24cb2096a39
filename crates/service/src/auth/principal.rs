//! The authenticated caller, and the checks every route makes on it.

use domain::id::{SessionId, UserId};
use domain::user::Role;
use store::users::UserRow;

use crate::audit::Actor;
use crate::{Error, Result};

#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    /// The administrator made at first start: administers, never tracks data.
    pub is_bootstrap: bool,
    /// The session behind this request; `None` in single-user mode.
    pub session: Option<SessionId>,
}

impl Principal {
    pub fn from_user(user: &UserRow, session: Option<SessionId>) -> Self {
        Self {
            user_id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            role: user.role,
            is_bootstrap: user.is_bootstrap,
            session,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Admin routes: anyone else is `Forbidden`.
    pub fn require_admin(&self) -> Result<()> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// User-data routes (bills, payments, …): the bootstrap admin is refused.
    pub fn require_data_access(&self) -> Result<()> {
        if self.is_bootstrap {
            Err(Error::Forbidden)
        } else {
            Ok(())
        }
    }

    pub fn actor(&self) -> Actor {
        Actor::User {
            id: self.user_id,
            username: self.username.clone(),
        }
    }
}
