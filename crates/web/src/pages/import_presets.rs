//! `GET /imports/presets`: the person's CSV mapping presets, with Export (a download), Rename
//! and Delete, and the upload of someone's preset file. Every POST calls one service function
//! and redirects back (303) with a fixed notice; a refused file or name comes back as the error
//! page naming the field.

use axum::Form;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::{get, post};
use domain::Invalid;
use domain::id::ImportPresetId;
use service::imports::presets;

use super::chrome;
use super::common::with_cookie;
use super::forms::param;
use super::kit::{DataPage, Fail, PageResult};
use crate::auth::Meta;
use crate::extract::PathId;
use crate::links;
use crate::pages::with_notice;
use crate::routes::Table;
use crate::upload::UploadForm;
use crate::views;
use crate::views::bank::{PresetItem, PresetsPage};

/// The 404 page's words for a preset that is missing or someone else's.
const MISSING: &str = "There is no such preset. It may have been deleted, or the link is wrong.";

/// The preset routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::IMPORT_PRESETS.path(), get(show))
        .add_upload("POST", links::IMPORT_PRESETS.path(), post(import))
        .add("GET", links::IMPORT_PRESET_EXPORT.template(), get(export))
        .add("POST", links::IMPORT_PRESET_RENAME.template(), post(rename))
        .add("POST", links::IMPORT_PRESET_DELETE.template(), post(delete))
}

/// `GET /imports/presets`.
pub async fn show(page: DataPage, Query(query): Query<Vec<(String, String)>>) -> PageResult {
    let ctx = page.context().await;
    let saved = presets::list(&page.app, &page.user).await?;
    let accounts = service::bank_accounts::list(&page.app, &page.user).await?;
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "CSV presets");
    let view = PresetsPage {
        chrome,
        presets: saved
            .iter()
            .map(|p| PresetItem {
                id: p.id.to_string(),
                name: p.preset.name().to_owned(),
                version: p.version,
                account: match p
                    .account_id
                    .and_then(|id| accounts.iter().find(|a| a.id == id))
                {
                    Some(account) => format!("For {}", account.name),
                    None => "For any account".to_owned(),
                },
                header: p.preset.header().join(", "),
            })
            .collect(),
        notice: match param(&query, "notice") {
            Some("imported") => Some("Preset imported.".to_owned()),
            Some("renamed") => Some("Preset renamed.".to_owned()),
            Some("deleted") => Some("Preset deleted.".to_owned()),
            _ => None,
        },
    };
    Ok(with_cookie(views::render(&view), cookie))
}

/// `POST /imports/presets` (multipart): imports a preset file.
pub async fn import(page: DataPage, Meta(meta): Meta, form: UploadForm) -> PageResult {
    let Some(file) = form.file else {
        return Err(Invalid::new("file", "choose a preset file").into());
    };
    presets::import(&page.app, &page.user, &meta, &file.bytes, None).await?;
    Ok(with_notice(links::IMPORT_PRESETS.path(), "imported"))
}

/// `GET /imports/presets/{id}/export`: the preset file, as a download.
pub async fn export(
    page: DataPage,
    PathId(id): PathId<ImportPresetId>,
) -> Result<Response, super::kit::PageError> {
    let (name, bytes) = presets::export(&page.app, &page.user, id)
        .await
        .missing(MISSING)?;
    Ok(crate::api::presets::download(&name, bytes))
}

/// `POST /imports/presets/{id}/rename`.
pub async fn rename(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<ImportPresetId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let name = param(&fields, "name").unwrap_or_default();
    let version = param(&fields, "version")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    presets::rename(&page.app, &page.user, &meta, id, version, name)
        .await
        .missing(MISSING)?;
    Ok(with_notice(links::IMPORT_PRESETS.path(), "renamed"))
}

/// `POST /imports/presets/{id}/delete`.
pub async fn delete(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<ImportPresetId>,
    _: Form<Vec<(String, String)>>,
) -> PageResult {
    presets::delete(&page.app, &page.user, &meta, id)
        .await
        .missing(MISSING)?;
    Ok(with_notice(links::IMPORT_PRESETS.path(), "deleted"))
}
