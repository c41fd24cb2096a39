//! Typed pages: one struct per page, named `…Page`, each rendered by the askama template of the
//! same name in snake case (`SignInPage` → `templates/sign_in_page.html`). Every template extends
//! `base.html`, which draws the chrome shared by all pages: `<head>` with the CSP nonce on the
//! stylesheet and script, the skip link, the navigation (signed-in users only) and the flash
//! region.
//!
//! Invariants:
//! - Askama escapes every value (HTML escaping is on for `.html` templates); templates never use
//!   `|safe`, so user data cannot become markup.
//! - Templates contain no `style=` attributes, no `on…=` handlers and no inline `<script>`: the
//!   CSP allows only same-origin files and the request's nonce. Behaviour lives in
//!   `static/app.js`, and every page works without it.
//! - Every POST form carries the hidden `csrf_token` input from [`Chrome::csrf_token`].
//! - A template error never reaches the client: [`render`] logs it and answers a bare 500.
//!
//! Pages:
//! - [`SignInPage`], [`SetupPage`] (in `auth`) — signing in and first-run administrator setup.
//! - [`TrackerPage`] (in `tracker`) — the month's bills by pay period, with pay/undo forms;
//!   `tracker::TrackerRowPartial` answers a row's form sent by htmx (the row, its pay period's
//!   header and the summary cards, drawn by the page's own included templates).
//! - `cash::CashPage` — a month's starting cash and income per pay period, and the recurring
//!   income, for safe-to-spend.
//! - [`SecurityPage`] (in `security`) — sessions, sign-in history, password change and the
//!   two-step verification section.
//! - `mfa::SecondFactorPage`, `mfa::TotpSetupPage`, `mfa::RecoveryCodesPage`, `mfa::ReauthPage` —
//!   the second step of signing in, setting up an authenticator app (QR code from `qr`, drawn as
//!   one SVG path of numbers, no `|safe`), recovery codes shown once, and step-up.
//! - `profile::ProfilePage` — display name and tracking preferences.
//! - `admin::AdminUsersPage`, `admin::AdminUserPage`, `admin::AuditLogPage` — administration.
//! - [`ErrorPage`] (in `error`) — an HTML error with its status.
//! - `expenses::ExpensesPage`, `expenses::ExpenseFormPage` — the expense list and its form.
//! - `analytics::AnalyticsPage` — one year as SVG charts and tables; its charts (from `charts`,
//!   built only from numbers and escaped text) are the one place a template uses `|safe`.
//! - `budgets::BudgetsPage` — budgets with spent, remaining and state.
//! - `bills::BillsPage`, `bills::BillFormPage`, `bills::BillPage`, `bills::BillPaymentPage` — the
//!   bills list, the bill form, one bill with its payments, a payment's form.
//! - `rules::RulePage`, `rules::RulesSection` — a merchant rule's form with its preview, and the
//!   bill page's "Bank matching rules" section.
//! - `categories::CategoriesPage` — categories with bill counts; create, edit, delete, restore.
//! - `sync::BankSyncPage` — bank sync: connect, the connections with health and accounts.

pub mod admin;
pub mod admin_sign_in;
pub mod analytics;
mod auth;
pub mod bank;
pub mod bills;
pub mod budgets;
pub mod cash;
pub mod categories;
pub mod charts;
mod error;
pub mod expenses;
pub mod mfa;
pub mod occurrence;
pub mod profile;
pub mod qr;
pub mod rules;
mod security;
pub mod sync;
#[cfg(test)]
mod tests;
pub mod tracker;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

pub use auth::{ContinuePage, SetupPage, SignInPage};
pub use error::ErrorPage;
pub use occurrence::OccurrencePage;
pub use security::{IdentityRow, LoginRow, SecurityPage, SessionRow};
pub use tracker::TrackerPage;

/// What every page needs from the request.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    /// The page's title; the layout appends " · BillTracker".
    pub title: String,
    /// This request's CSP nonce, put on the stylesheet and script tags.
    pub nonce: String,
    /// The CSRF token every POST form submits as the hidden `csrf_token` field.
    pub csrf_token: String,
    /// The signed-in user; `None` hides the navigation.
    pub user: Option<NavUser>,
    /// A one-time message shown in the flash region (e.g. "Password changed").
    pub flash: Option<String>,
    /// The saved theme: `light` or `dark` set `data-theme` on `<html>`; anything else follows
    /// the system. The navigation's theme toggle saves this same setting (`POST
    /// /profile/theme`), so there is one theme per account, never a device's own.
    pub theme: String,
}

/// The signed-in user, as far as the navigation cares.
#[derive(Debug, Clone, Default)]
pub struct NavUser {
    pub display_name: String,
    /// Shows the Admin link.
    pub is_admin: bool,
    /// May hold tracking data: false for the setup administrator, whose navigation then shows
    /// only what it can open (admin, profile, security).
    pub holds_data: bool,
}

/// The part of the application a page belongs to; its navigation link is marked current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Pages outside the navigation (sign-in, errors).
    None,
    Tracker,
    Bills,
    Expenses,
    Transactions,
    BankSync,
    Budgets,
    Analytics,
    Profile,
    Security,
    Admin,
}

/// One link of the navigation, as the layout draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    /// The symbol id in `static/icons.svg`.
    pub icon: &'static str,
    /// This is the current page's section (`aria-current="page"`).
    pub current: bool,
    /// Shown in the phone tab bar; the others sit in its "More" menu.
    pub primary: bool,
}

/// One entry of the navigation table.
struct NavEntry {
    section: Section,
    href: &'static str,
    label: &'static str,
    icon: &'static str,
    primary: bool,
    admins_only: bool,
    /// Opens tracking data: hidden from the setup administrator, who holds none.
    data: bool,
}

impl NavEntry {
    /// An entry shown in the phone tab bar.
    const fn tab(
        section: Section,
        href: &'static str,
        label: &'static str,
        icon: &'static str,
    ) -> Self {
        Self {
            section,
            href,
            label,
            icon,
            primary: true,
            admins_only: false,
            data: true,
        }
    }

    /// An entry in the phone tab bar's "More" menu.
    const fn more(
        section: Section,
        href: &'static str,
        label: &'static str,
        icon: &'static str,
    ) -> Self {
        Self {
            primary: false,
            ..Self::tab(section, href, label, icon)
        }
    }

    const fn admins_only(self) -> Self {
        Self {
            admins_only: true,
            ..self
        }
    }

    /// An entry every signed-in account can open (no tracking data behind it).
    const fn any_account(self) -> Self {
        Self {
            data: false,
            ..self
        }
    }
}

/// The navigation, in order (ui.md: the four most used sections are the phone's tabs).
const NAV: [NavEntry; 10] = [
    NavEntry::tab(Section::Tracker, "/", "Tracker", "home"),
    NavEntry::tab(Section::Bills, "/bills", "Bills", "list"),
    NavEntry::tab(Section::Expenses, "/expenses", "Expenses", "wallet"),
    NavEntry::tab(Section::Budgets, "/budgets", "Budgets", "target"),
    NavEntry::more(
        Section::Transactions,
        "/transactions",
        "Transactions",
        "list",
    ),
    NavEntry::more(Section::BankSync, "/bank-sync", "Bank sync", "wallet"),
    NavEntry::more(Section::Analytics, "/analytics", "Analytics", "chart"),
    NavEntry::more(Section::Profile, "/profile", "Profile", "user").any_account(),
    NavEntry::more(Section::Security, "/profile/security", "Security", "shield").any_account(),
    NavEntry::more(Section::Admin, "/admin", "Admin", "settings")
        .admins_only()
        .any_account(),
];

impl Chrome {
    /// The navigation links for this user with `current` marked; empty when nobody is signed in.
    pub fn nav_links(&self, current: Section) -> Vec<NavLink> {
        let Some(user) = &self.user else {
            return Vec::new();
        };
        NAV.iter()
            .filter(|entry| user.is_admin || !entry.admins_only)
            .filter(|entry| user.holds_data || !entry.data)
            .map(|entry| NavLink {
                href: entry.href,
                label: entry.label,
                icon: entry.icon,
                current: entry.section == current,
                primary: entry.primary,
            })
            .collect()
    }
}

/// What the layout and [`render`] need from every page besides its template.
pub trait Page: Template {
    /// The navigation section to mark as current.
    fn section(&self) -> Section {
        Section::None
    }

    /// The response status.
    fn status(&self) -> StatusCode {
        StatusCode::OK
    }
}

/// Renders `page` as an HTML response with its status. A template error is logged and becomes a
/// bare 500 without details.
pub fn render<P: Page>(page: &P) -> Response {
    match Template::render(page) {
        Ok(html) => (page.status(), Html(html)).into_response(),
        Err(error) => {
            tracing::error!(
                page = std::any::type_name::<P>(),
                %error,
                "page template failed to render"
            );
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The message for `field` in a list of `(field, message)` errors, if any.
pub fn error_for<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(name, _)| name == field)
        .map(|(_, message)| message.as_str())
}
