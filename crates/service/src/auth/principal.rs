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

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, is_bootstrap: bool) -> Principal {
        Principal {
            user_id: UserId::new(),
            username: "x".into(),
            display_name: "X".into(),
            email: None,
            role,
            is_bootstrap,
            session: None,
        }
    }

    #[test]
    fn auth_09_the_bootstrap_admin_administers_but_never_touches_user_data() {
        let bootstrap = principal(Role::Admin, true);
        assert!(bootstrap.require_admin().is_ok());
        assert!(matches!(
            bootstrap.require_data_access(),
            Err(Error::Forbidden)
        ));
        let admin = principal(Role::Admin, false);
        assert!(
            admin.require_data_access().is_ok(),
            "other admins may track their own bills"
        );
        let user = principal(Role::User, false);
        assert!(matches!(user.require_admin(), Err(Error::Forbidden)));
        assert!(user.require_data_access().is_ok());
    }
}
