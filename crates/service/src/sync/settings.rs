//! The instance's bank-sync switch and interval: the administrator's choice, saved as a
//! setting, else the configuration's (`BANK_SYNC_ENABLED`, `BANK_SYNC_INTERVAL_HOURS`).
//! Changing it needs the administrator's fresh step-up and is audited.

use crate::auth::{Principal, RequestMeta};
use crate::rate_limit::{self, Limit};
use crate::{App, Error, Result, audit};

const KEY: &str = "bank_sync";

/// Whether bank sync is on, and how often the background run syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BankSyncSettings {
    pub enabled: bool,
    /// 1–24.
    pub interval_hours: u32,
}

/// The settings in force: the saved ones, else the configuration's. An unreadable saved value
/// counts as off (a damaged setting never turns outbound requests on).
pub async fn load(app: &App) -> Result<BankSyncSettings> {
    let configured = BankSyncSettings {
        enabled: app.config.bank_sync_enabled,
        interval_hours: u32::try_from(app.config.bank_sync_interval.as_secs() / 3600)
            .unwrap_or(4)
            .clamp(1, 24),
    };
    let Some(text) = app.store.setting(KEY).await? else {
        return Ok(configured);
    };
    Ok(match serde_json::from_str::<BankSyncSettings>(&text) {
        Ok(saved) if (1..=24).contains(&saved.interval_hours) => saved,
        _ => {
            tracing::error!("the stored bank-sync setting is unreadable; bank sync is off");
            BankSyncSettings {
                enabled: false,
                ..configured
            }
        }
    })
}

/// `GET /api/admin/bank-sync`.
pub async fn get(app: &App, admin: &Principal) -> Result<BankSyncSettings> {
    admin.require_admin()?;
    load(app).await
}

/// `PUT /api/admin/bank-sync`: switches bank sync on or off for everyone and sets the
/// interval. Needs the administrator's fresh step-up; audited.
pub async fn set(
    app: &App,
    admin: &Principal,
    meta: &RequestMeta,
    wanted: BankSyncSettings,
) -> Result<BankSyncSettings> {
    admin.require_admin()?;
    rate_limit::hit(app, Limit::Admin, &rate_limit::ip_subject(app, meta.ip)).await?;
    crate::auth::freshness::require_fresh(app, admin).await?;
    if !(1..=24).contains(&wanted.interval_hours) {
        return Err(Error::invalid("interval_hours", "must be between 1 and 24"));
    }
    let text = serde_json::to_string(&wanted).map_err(Error::internal)?;
    app.store.put_setting(KEY, &text, app.now()).await?;
    audit::record(
        app,
        &admin.actor(),
        "bank_sync.settings",
        None,
        meta.ip,
        serde_json::json!({"enabled": wanted.enabled, "interval_hours": wanted.interval_hours}),
    )
    .await?;
    Ok(wanted)
}
