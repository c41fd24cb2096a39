//! The "Sign-in methods" administration page (`/admin/sign-in-methods`): password sign-in, an
//! OpenID Connect provider and GitHub in one form.
//!
//! - `GET` shows the settings in force ([`admin::view`]: secrets never leave the service, only
//!   where the one in force comes from).
//! - `POST` saves them through [`admin::update`], which validates every field and applies the
//!   lock-out guards; success is a 303 back with a notice, a refusal the form again (422) with
//!   the message next to the named field and in the summary, keeping what was typed.
//! - `POST …/test` runs [`admin::test_provider`] on the typed settings without saving them
//!   (the pressed button's `test` value names the provider) and shows what it found (200).
//!
//! A typed client secret is never written back into the page: the secret fields are always
//! empty, and after a refusal or a test their hint asks for the secret again. An empty secret
//! field keeps the secret in force. Administrators only: [`AdminPage`] answers everyone
//! else before the form body is read.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::Invalid;
use serde::Deserialize;
use service::Error;
use service::auth::external::Provider;
use service::auth::external::admin::{
    self, GithubUpdate, MethodsInForce, MethodsUpdate, OidcUpdate, ProviderTest, SecretSource,
    SettingsSource,
};

use super::{AdminPage, ERRORS};
use crate::links;
use crate::pages::chrome;
use crate::pages::common::{message, with_cookie};
use crate::pages::forms::{BannerQuery, checked};
use crate::pages::kit::{Fail, PageResult};
use crate::pages::profile::labelled;
use crate::pages::with_notice;
use crate::routes::Table;
use crate::views;
use crate::views::admin_sign_in::{AdminSignInPage, SignInMethodsForm, TestResult};

/// The page's address.
const HREF: &str = links::ADMIN_SIGN_IN_METHODS.path();

/// This page's routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", HREF, get(show))
        .add("POST", HREF, post(save))
        .add("POST", links::ADMIN_SIGN_IN_METHODS_TEST.path(), post(test))
}

/// The success banners of this page, by code.
const NOTICES: [(&str, &str); 1] = [(
    "saved",
    "Sign-in methods saved. The sign-in page now offers the methods that are on.",
)];

/// The label of each field, to name it in messages (the service's field names).
const LABELS: [(&str, &str); 13] = [
    ("local_enabled", "Password sign-in"),
    ("oidc.provider_name", "Provider name"),
    ("oidc.issuer_url", "Issuer URL"),
    ("oidc.client_id", "OpenID Connect client ID"),
    ("oidc.client_secret", "OpenID Connect client secret"),
    ("oidc.token_auth_method", "Token endpoint authentication"),
    ("oidc.redirect_uri", "Callback URL"),
    ("oidc.scopes", "Scopes"),
    ("oidc.admin_group", "Admin group"),
    ("github.client_id", "GitHub client ID"),
    ("github.client_secret", "GitHub client secret"),
    ("github.web_url", "GitHub web URL"),
    ("github.api_url", "GitHub API URL"),
];

/// The form as posted: the service's field names; an absent checkbox is off.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MethodsForm {
    pub local_enabled: String,
    #[serde(rename = "oidc.enabled")]
    pub oidc_enabled: String,
    #[serde(rename = "oidc.provider_name")]
    pub oidc_provider_name: String,
    #[serde(rename = "oidc.issuer_url")]
    pub oidc_issuer_url: String,
    #[serde(rename = "oidc.client_id")]
    pub oidc_client_id: String,
    #[serde(rename = "oidc.client_secret")]
    pub oidc_client_secret: String,
    #[serde(rename = "oidc.token_auth_method")]
    pub oidc_token_auth_method: String,
    #[serde(rename = "oidc.redirect_uri")]
    pub oidc_redirect_uri: String,
    #[serde(rename = "oidc.scopes")]
    pub oidc_scopes: String,
    #[serde(rename = "oidc.admin_group")]
    pub oidc_admin_group: String,
    #[serde(rename = "oidc.auto_provision")]
    pub oidc_auto_provision: String,
    #[serde(rename = "oidc.link_verified_email")]
    pub oidc_link_verified_email: String,
    #[serde(rename = "github.enabled")]
    pub github_enabled: String,
    #[serde(rename = "github.client_id")]
    pub github_client_id: String,
    #[serde(rename = "github.client_secret")]
    pub github_client_secret: String,
    #[serde(rename = "github.auto_provision")]
    pub github_auto_provision: String,
    #[serde(rename = "github.link_verified_email")]
    pub github_link_verified_email: String,
    #[serde(rename = "github.web_url")]
    pub github_web_url: String,
    #[serde(rename = "github.api_url")]
    pub github_api_url: String,
    /// The Test button pressed: `oidc` or `github`.
    pub test: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

impl MethodsForm {
    /// The change to submit (an empty secret keeps the one in force).
    fn update(&self) -> MethodsUpdate {
        MethodsUpdate {
            local_enabled: checked(&self.local_enabled),
            oidc: OidcUpdate {
                enabled: checked(&self.oidc_enabled),
                provider_name: self.oidc_provider_name.clone(),
                issuer_url: self.oidc_issuer_url.clone(),
                client_id: self.oidc_client_id.clone(),
                client_secret: Some(self.oidc_client_secret.clone()),
                token_auth_method: self.oidc_token_auth_method.clone(),
                redirect_uri: self.oidc_redirect_uri.clone(),
                scopes: self.oidc_scopes.clone(),
                admin_group: self.oidc_admin_group.clone(),
                auto_provision: checked(&self.oidc_auto_provision),
                link_verified_email: checked(&self.oidc_link_verified_email),
            },
            github: GithubUpdate {
                enabled: checked(&self.github_enabled),
                client_id: self.github_client_id.clone(),
                client_secret: Some(self.github_client_secret.clone()),
                auto_provision: checked(&self.github_auto_provision),
                link_verified_email: checked(&self.github_link_verified_email),
                web_url: self.github_web_url.clone(),
                api_url: self.github_api_url.clone(),
            },
        }
    }

    /// What was typed, to show again (never a secret).
    fn typed(&self) -> SignInMethodsForm {
        SignInMethodsForm {
            local_enabled: checked(&self.local_enabled),
            oidc_enabled: checked(&self.oidc_enabled),
            oidc_provider_name: self.oidc_provider_name.clone(),
            oidc_issuer_url: self.oidc_issuer_url.clone(),
            oidc_client_id: self.oidc_client_id.clone(),
            oidc_token_auth_method: self.oidc_token_auth_method.clone(),
            oidc_redirect_uri: self.oidc_redirect_uri.clone(),
            oidc_scopes: self.oidc_scopes.clone(),
            oidc_admin_group: self.oidc_admin_group.clone(),
            oidc_auto_provision: checked(&self.oidc_auto_provision),
            oidc_link_verified_email: checked(&self.oidc_link_verified_email),
            github_enabled: checked(&self.github_enabled),
            github_client_id: self.github_client_id.clone(),
            github_auto_provision: checked(&self.github_auto_provision),
            github_link_verified_email: checked(&self.github_link_verified_email),
            github_web_url: self.github_web_url.clone(),
            github_api_url: self.github_api_url.clone(),
        }
    }

    /// What the page shows again after this form was refused or tested.
    fn shown(&self, status: StatusCode) -> Shown {
        Shown {
            status,
            form: Some(self.typed()),
            oidc_secret_typed: !self.oidc_client_secret.trim().is_empty(),
            github_secret_typed: !self.github_client_secret.trim().is_empty(),
            ..Shown::default()
        }
    }

    /// The form again after the service refused one of its fields (422).
    fn refused(&self, invalid: &Invalid) -> Shown {
        Shown {
            errors: vec![labelled(&LABELS, invalid)],
            ..self.shown(StatusCode::UNPROCESSABLE_ENTITY)
        }
    }

    /// The form again with what testing `label`'s provider found.
    fn tested(&self, label: &str, found: ProviderTest) -> Shown {
        let ProviderTest {
            ok,
            checks,
            problem,
        } = found;
        let provider = label.to_owned();
        Shown {
            test: Some(TestResult {
                provider,
                ok,
                checks,
                problem,
            }),
            ..self.shown(StatusCode::OK)
        }
    }
}

/// The settings in force as the form shows them.
fn form_of(view: &MethodsInForce) -> SignInMethodsForm {
    SignInMethodsForm {
        local_enabled: view.local_enabled,
        oidc_enabled: view.oidc.enabled,
        oidc_provider_name: view.oidc.provider_name.clone(),
        oidc_issuer_url: view.oidc.issuer_url.clone(),
        oidc_client_id: view.oidc.client_id.clone(),
        oidc_token_auth_method: view.oidc.token_auth_method.as_str().to_owned(),
        oidc_redirect_uri: view.oidc.redirect_uri.clone().unwrap_or_default(),
        oidc_scopes: view.oidc.scopes_text(),
        oidc_admin_group: view.oidc.admin_group.clone().unwrap_or_default(),
        oidc_auto_provision: view.oidc.auto_provision,
        oidc_link_verified_email: view.oidc.link_verified_email,
        github_enabled: view.github.enabled,
        github_client_id: view.github.client_id.clone(),
        github_auto_provision: view.github.auto_provision,
        github_link_verified_email: view.github.link_verified_email,
        github_web_url: view.github.web_url.clone(),
        github_api_url: view.github.api_url.clone(),
    }
}

/// The hint under a secret field: where the secret in force comes from, and whether one that
/// was just typed has to be typed again.
fn secret_hint(source: SecretSource, typed: bool) -> String {
    let in_force = match source {
        SecretSource::Saved => "Saved — leave empty to keep it, or type a new one to replace it.",
        SecretSource::Environment => {
            "From the environment — leave empty to keep using it, or type one to save it here."
        }
        SecretSource::None => "Not set.",
    };
    if typed {
        format!("The secret you typed is not shown again: type it again to save it. {in_force}")
    } else {
        in_force.to_owned()
    }
}

/// What a page shows besides the settings in force, and its status (200 unless said).
#[derive(Default)]
struct Shown {
    status: StatusCode,
    /// What was typed; `None`: the settings in force.
    form: Option<SignInMethodsForm>,
    oidc_secret_typed: bool,
    github_secret_typed: bool,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    error: Option<String>,
    test: Option<TestResult>,
}

/// The page with what `shown` adds to the settings in force.
async fn draw(page: &AdminPage, shown: Shown) -> PageResult {
    let view = admin::view(&page.app, &page.admin).await;
    let view = view.not_shown("The sign-in methods could not be shown")?;
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "Sign-in methods");
    let drawn = AdminSignInPage {
        chrome,
        status: shown.status,
        form: shown.form.unwrap_or_else(|| form_of(&view)),
        oidc_secret_hint: secret_hint(view.oidc.client_secret, shown.oidc_secret_typed),
        github_secret_hint: secret_hint(view.github.client_secret, shown.github_secret_typed),
        oidc_callback: view.oidc.effective_redirect_uri,
        github_callback: view.github.callback_url,
        from_environment: view.source == SettingsSource::Environment,
        errors: shown.errors,
        notice: shown.notice,
        error: shown.error,
        test: shown.test,
    };
    Ok(with_cookie(views::render(&drawn), cookie))
}

/// `GET /admin/sign-in-methods` (plus `notice` / `error` after a form).
pub async fn show(page: AdminPage, Query(banner): Query<BannerQuery>) -> PageResult {
    let shown = Shown {
        notice: message(&NOTICES, banner.notice.as_deref()),
        error: message(&ERRORS, banner.error.as_deref()),
        ..Shown::default()
    };
    draw(&page, shown).await
}

/// `POST /admin/sign-in-methods`: saves every setting, behind the service's lock-out guards.
pub async fn save(page: AdminPage, Form(form): Form<MethodsForm>) -> PageResult {
    match admin::update(&page.app, &page.admin, form.update(), &page.meta).await {
        Ok(_) => Ok(with_notice(HREF, "saved")),
        Err(Error::Invalid(invalid)) => draw(&page, form.refused(&invalid)).await,
        Err(err) => Err(err).back_to(HREF),
    }
}

/// The provider a Test button names, with its label.
fn provider_of(value: &str) -> Option<(Provider, &'static str)> {
    match value {
        "oidc" => Some((Provider::Oidc, "OpenID Connect")),
        "github" => Some((Provider::Github, "GitHub")),
        _ => None,
    }
}

/// `POST /admin/sign-in-methods/test`: tries the typed settings of the provider the pressed
/// button names, without saving anything.
pub async fn test(page: AdminPage, Form(form): Form<MethodsForm>) -> PageResult {
    let Some((provider, label)) = provider_of(form.test.trim()) else {
        let shown = Shown {
            error: Some("Choose what to test with one of the Test buttons.".to_owned()),
            ..form.shown(StatusCode::UNPROCESSABLE_ENTITY)
        };
        return draw(&page, shown).await;
    };
    let update = form.update();
    let tested = admin::test_provider(&page.app, &page.admin, provider, update, &page.meta).await;
    let shown = match tested {
        Ok(found) => form.tested(label, found),
        Err(Error::Invalid(invalid)) => form.refused(&invalid),
        Err(err) => return Err(err).back_to(HREF),
    };
    draw(&page, shown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_checkboxes_are_off_and_an_empty_secret_keeps_the_one_in_force() {
        let form = MethodsForm {
            oidc_enabled: "true".into(),
            oidc_issuer_url: "https://id.example".into(),
            ..MethodsForm::default()
        };
        let update = form.update();
        assert!(!update.local_enabled);
        assert!(update.oidc.enabled);
        assert!(!update.github.enabled);
        assert_eq!(update.oidc.client_secret.as_deref(), Some(""));
        assert_eq!(form.typed().oidc_issuer_url, "https://id.example");
    }

    #[test]
    fn a_typed_secret_is_asked_for_again() {
        let form = MethodsForm {
            oidc_client_secret: "s3cret".into(),
            ..MethodsForm::default()
        };
        let shown = form.shown(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(shown.oidc_secret_typed && !shown.github_secret_typed);
        let hint = secret_hint(SecretSource::Saved, true);
        assert!(hint.contains("type it again") && !hint.contains("s3cret"));
        assert_eq!(secret_hint(SecretSource::None, false), "Not set.");
    }

    #[test]
    fn only_the_two_providers_can_be_tested() {
        assert_eq!(provider_of("oidc").map(|p| p.0), Some(Provider::Oidc));
        assert_eq!(provider_of("github").map(|p| p.0), Some(Provider::Github));
        assert!(provider_of("saml").is_none());
    }
}
