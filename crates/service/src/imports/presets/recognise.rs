//! Finding the preset for a file: [`recognise`] ranks the person's presets against the
//! file's header row, and [`for_upload`] chooses the mapping a preview reads a CSV file with —
//! the upload's own, its named preset fitted to the file, or the recognised one — with a
//! warning when the file no longer matches the preset's shape.

use bankfile::Format;
use bankfile::csv_map::{self, Mapping};
use bankfile::preset::Shape;
use domain::id::{BankAccountId, UserId};

use super::{ForUpload, ImportPreset, Recognised, UsedPreset, from_row};
use crate::auth::Principal;
use crate::imports::read::{Upload, refused};
use crate::preferences::data_owner;
use crate::{App, Error, Result};

/// The caller's best preset for a CSV file's header row (`None` for another format or when
/// none fits), preferring one tied to `account`. A file over 10 MB is a 422 on `file`.
pub async fn recognise(
    app: &App,
    principal: &Principal,
    bytes: &[u8],
    account: Option<BankAccountId>,
) -> Result<Option<Recognised>> {
    let owner = data_owner(principal)?;
    if bytes.len() > crate::imports::MAX_FILE_BYTES {
        return Err(Error::invalid("file", "is larger than 10 MB"));
    }
    if bankfile::sniff::sniff(bytes).ok() != Some(Format::Csv) {
        return Ok(None);
    }
    Ok(best(app, owner, bytes, account)
        .await?
        .map(|(recognised, _)| recognised))
}

type HeaderKey = (u8, Option<bankfile::text::Encoding>);

/// The best fitting preset with the mapping it reads this file with.
async fn best(
    app: &App,
    owner: UserId,
    bytes: &[u8],
    account: Option<BankAccountId>,
) -> Result<Option<(Recognised, Mapping)>> {
    let presets: Vec<ImportPreset> = app
        .store
        .import_presets(owner)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_>>()?;
    // The file's first row per (delimiter, encoding) the presets read it with.
    let mut headers: Vec<(HeaderKey, Option<Vec<String>>)> = Vec::new();
    let mut fitting = Vec::new();
    for saved in presets {
        let mapping = saved.preset.mapping();
        if !mapping.header {
            continue;
        }
        let key = (mapping.delimiter, mapping.encoding);
        let header = match headers.iter().find(|(k, _)| *k == key) {
            Some((_, header)) => header.clone(),
            None => {
                let header = csv_map::first_row(bytes, key.0, key.1).ok();
                headers.push((key, header.clone()));
                header
            }
        };
        let Some(header) = header else { continue };
        let fit = saved.preset.fit(&header);
        let Some(mapping) = fit.mapping.filter(|_| fit.shape.complete()) else {
            continue;
        };
        let shape_rank = match fit.shape {
            Shape::Exact => 0,
            Shape::Reordered => 1,
            Shape::Changed(_) => 2,
        };
        let account_rank = match (account, saved.account_id) {
            (Some(chosen), Some(tied)) if chosen == tied => 0,
            (_, None) => 1,
            _ => 2,
        };
        let rank = (
            shape_rank,
            account_rank,
            std::cmp::Reverse(saved.updated_at),
        );
        fitting.push((
            rank,
            Recognised {
                preset: saved,
                shape: fit.shape,
            },
            mapping,
        ));
    }
    Ok(fitting
        .into_iter()
        .min_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, recognised, mapping)| (recognised, mapping)))
}

/// The mapping for a CSV upload that has none: its named preset fitted to the file (another
/// user's is `NotFound`; a file without the preset's date or amount columns is a 422 on
/// `preset`), or else the preset recognised from the header; `None` when there is neither.
/// An upload that names a preset for a file that is not CSV is a 422 on `preset`.
pub(in crate::imports) async fn for_upload(
    app: &App,
    owner: UserId,
    upload: &Upload,
    account: Option<BankAccountId>,
) -> Result<Option<ForUpload>> {
    let format = bankfile::sniff::sniff(&upload.bytes).map_err(refused)?;
    if format != Format::Csv {
        return match upload.preset {
            Some(_) => Err(Error::invalid(
                "preset",
                format!(
                    "this is a {} file; presets are for CSV files",
                    format.as_str()
                ),
            )),
            None => Ok(None),
        };
    }
    if upload.mapping.is_some() {
        return Ok(None);
    }
    let (saved, shape, mapping, named) = match upload.preset {
        Some(id) => {
            let saved = from_row(app.store.import_preset(owner, id).await?)?;
            let m = saved.preset.mapping();
            let header =
                csv_map::first_row(&upload.bytes, m.delimiter, m.encoding).map_err(refused)?;
            let fit = saved.preset.fit(&header);
            let Some(mapping) = fit.mapping else {
                return Err(Error::invalid(
                    "preset",
                    format!(
                        "the file cannot be read with the preset '{}': {}",
                        saved.preset.name(),
                        fit.shape.warning().unwrap_or_default()
                    ),
                ));
            };
            (saved, fit.shape, mapping, true)
        }
        None => match best(app, owner, &upload.bytes, account).await? {
            Some((found, mapping)) => (found.preset, found.shape, mapping, false),
            None => return Ok(None),
        },
    };
    let warnings = shape
        .warning()
        .map(|w| format!("Preset '{}': {w}", saved.preset.name()))
        .into_iter()
        .collect();
    Ok(Some(ForUpload {
        mapping,
        preset: UsedPreset {
            id: saved.id,
            name: saved.preset.name().to_owned(),
            named,
            warnings,
        },
    }))
}
