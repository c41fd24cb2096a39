//! File uploads (statement files): the one multipart reader of the application, bounded in
//! every dimension, and the CSRF rule for a multipart form.
//!
//! - Only the routes in [`UPLOAD_PATHS`] take `multipart/form-data`, and only they get the
//!   larger body limit [`UPLOAD_BODY_LIMIT`] (the router gives them their own limit layer).
//! - CSRF: a script sends `x-csrf-token`, checked by [`crate::auth`] like any request. A
//!   browser form without JavaScript cannot, so for these paths the middleware marks the
//!   request [`CsrfInBody`] instead of buffering 10 MB, and [`UploadForm`] requires the
//!   form's **first part** to be `csrf_token` and verifies it before reading anything else.
//!   Every other path refuses a multipart body without the header (403).
//! - At most one file part (`file`), at most [`MAX_FILE_BYTES`]; at most [`MAX_FIELDS`] text
//!   fields of at most [`MAX_FIELD_BYTES`] each, each name once. Too large is a 413 naming the
//!   field; anything else malformed is a 400 or 415. The file's name is only ever shown as
//!   text, never used as a path.
//! - [`UploadForm::statement`] reads a statement form (the API's and the import page's): the
//!   file, its account, and the answers a file may need (CSV columns, date order, statement).

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Invalid;
use domain::money::Currency;
use domain::text;
pub use service::imports::MAX_FILE_BYTES;
use service::imports::{
    AccountChoice, AmountColumns, Answers, DateOrder, MAX_COLUMNS, Mapping, Style, Upload,
};

use crate::AppState;
use crate::api::input::body_id;
use crate::auth::Caller;
pub use crate::auth::{CsrfInBody, UPLOAD_PATHS, is_upload_path};
use crate::problem::Problem;

/// The body limit of an upload route: the file and the form around it.
pub const UPLOAD_BODY_LIMIT: usize = MAX_FILE_BYTES + 256 * 1024;
/// The most text fields an upload form has.
pub const MAX_FIELDS: usize = 32;
/// The longest text field (a CSV mapping is the largest).
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// An uploaded file.
#[derive(Debug, Clone, Default)]
pub struct FilePart {
    /// As the browser sent it: text to show, never a path.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A multipart form: its text fields and its one file.
#[derive(Debug, Clone, Default)]
pub struct UploadForm {
    pub fields: Vec<(String, String)>,
    pub file: Option<FilePart>,
}

impl UploadForm {
    /// A text field's value, `None` when absent or blank.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

fn refused(status: StatusCode, field: &str, detail: impl Into<String>) -> Response {
    Problem::new(status)
        .detail(detail)
        .field(field.to_owned())
        .into_response()
}

fn csrf_refused() -> Response {
    Problem::new(StatusCode::FORBIDDEN)
        .detail("Missing or invalid CSRF token; reload the page and try again.")
        .field("csrf_token")
        .code("csrf")
        .into_response()
}

fn too_large(field: &str) -> Response {
    let limit = if field == "file" {
        format!("{} MB", MAX_FILE_BYTES / (1024 * 1024))
    } else {
        format!("{} KB", MAX_FIELD_BYTES / 1024)
    };
    refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        field,
        format!("{field} is larger than {limit}"),
    )
}

/// Why the multipart stream could not be read.
fn broken(err: &axum::extract::multipart::MultipartError) -> Response {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large("file");
    }
    refused(
        StatusCode::BAD_REQUEST,
        "file",
        "the upload could not be read; send it again",
    )
}

impl FromRequest<AppState> for UploadForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let check_token = req.extensions().get::<CsrfInBody>().is_some();
        let caller = req
            .extensions()
            .get::<Caller>()
            .cloned()
            .unwrap_or_default();
        let mut multipart = Multipart::from_request(req, state).await.map_err(|_| {
            refused(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "file",
                "send the file as multipart/form-data",
            )
        })?;
        let mut form = UploadForm::default();
        let mut first = true;
        while let Some(mut field) = multipart.next_field().await.map_err(|e| broken(&e))? {
            let name = field.name().unwrap_or_default().to_owned();
            if std::mem::take(&mut first) && check_token {
                let (Some(cookie), "csrf_token") = (caller.csrf_cookie.as_deref(), name.as_str())
                else {
                    return Err(csrf_refused());
                };
                let token = read_text(&mut field, &name).await?;
                if !service::auth::csrf::verify(&state.app, &caller.csrf_binding(), cookie, &token)
                {
                    return Err(csrf_refused());
                }
                continue;
            }
            if field.file_name().is_some() || name == "file" {
                if name != "file" || form.file.is_some() {
                    return Err(refused(
                        StatusCode::BAD_REQUEST,
                        "file",
                        "send one file, in the field named file",
                    ));
                }
                let shown = field.file_name().unwrap_or_default().to_owned();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| broken(&e))? {
                    if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                        return Err(too_large("file"));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                form.file = Some(FilePart { name: shown, bytes });
                continue;
            }
            if form.fields.len() >= MAX_FIELDS || form.fields.iter().any(|(n, _)| *n == name) {
                return Err(refused(
                    StatusCode::BAD_REQUEST,
                    &name,
                    format!("{name} is sent twice, or the form has too many fields"),
                ));
            }
            let value = read_text(&mut field, &name).await?;
            form.fields.push((name, value));
        }
        Ok(form)
    }
}

/// A text part, at most [`MAX_FIELD_BYTES`] of UTF-8.
async fn read_text(
    field: &mut axum::extract::multipart::Field<'_>,
    name: &str,
) -> Result<String, Response> {
    let mut value = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| broken(&e))? {
        if value.len() + chunk.len() > MAX_FIELD_BYTES {
            return Err(too_large(name));
        }
        value.extend_from_slice(&chunk);
    }
    String::from_utf8(value).map_err(|_| {
        refused(
            StatusCode::BAD_REQUEST,
            name,
            format!("{name} is not UTF-8 text"),
        )
    })
}

/// The CSV fields of a statement form (columns are 1-based, as the person counts them).
pub const CSV_FIELDS: [&str; 12] = [
    "delimiter",
    "header",
    "date_column",
    "amount_column",
    "debit_column",
    "credit_column",
    "payee_column",
    "memo_column",
    "category_column",
    "id_column",
    "number_style",
    "sign",
];
/// The delimiters a CSV mapping names.
pub const DELIMITERS: [&str; 4] = ["comma", "semicolon", "tab", "pipe"];
/// The number styles a CSV mapping names.
pub const NUMBER_STYLES: [&str; 2] = ["point", "comma"];
/// The sign rules a CSV mapping names.
pub const SIGN_RULES: [&str; 2] = ["as_is", "flip"];

impl UploadForm {
    /// A 1-based column number field, as a 0-based index.
    fn column(&self, name: &str) -> Result<Option<usize>, Invalid> {
        self.text(name)
            .map(|raw| match raw.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_COLUMNS).contains(&n) => Ok(n - 1),
                _ => Err(Invalid::new(
                    name,
                    format!("must be a column number from 1 to {MAX_COLUMNS}"),
                )),
            })
            .transpose()
    }

    /// The CSV mapping, when the form maps columns (`date_column` given).
    pub fn mapping(&self) -> Result<Option<Mapping>, Invalid> {
        let Some(date) = self.column("date_column")? else {
            let column_named = CSV_FIELDS.iter().any(|f| {
                !matches!(*f, "delimiter" | "header" | "number_style" | "sign")
                    && self.text(f).is_some()
            });
            if column_named {
                return Err(Invalid::new("date_column", "name the date column too"));
            }
            return Ok(None);
        };
        let amount = match (
            self.column("amount_column")?,
            self.column("debit_column")?,
            self.column("credit_column")?,
        ) {
            (Some(signed), None, None) => AmountColumns::Signed(signed),
            (None, Some(debit), Some(credit)) => AmountColumns::DebitCredit { debit, credit },
            _ => {
                return Err(Invalid::new(
                    "amount_column",
                    "name one amount column, or both a debit and a credit column",
                ));
            }
        };
        let delimiter = match self.text("delimiter") {
            None => b',',
            Some(raw) => match text::choice("delimiter", raw, &DELIMITERS, |d| d)? {
                "semicolon" => b';',
                "tab" => b'\t',
                "pipe" => b'|',
                _ => b',',
            },
        };
        let style = match self.text("number_style") {
            None => Style::POINT,
            Some(raw) => match text::choice("number_style", raw, &NUMBER_STYLES, |s| s)? {
                "comma" => Style::COMMA,
                _ => Style::POINT,
            },
        };
        let flip_sign = match self.text("sign") {
            None => false,
            Some(raw) => text::choice("sign", raw, &SIGN_RULES, |s| s)? == "flip",
        };
        Ok(Some(Mapping {
            delimiter,
            header: self.flag("header", true)?,
            date,
            amount,
            payee: self.column("payee_column")?,
            memo: self.column("memo_column")?,
            category: self.column("category_column")?,
            id: self.column("id_column")?,
            // Not used: the order is `date_order` (see `service::imports::Upload`).
            order: DateOrder::Ymd,
            style,
            flip_sign,
            encoding: None,
        }))
    }

    /// `true` or `false` (a checkbox sends `on`); absent is `default`.
    fn flag(&self, name: &str, default: bool) -> Result<bool, Invalid> {
        match self.text(name).map(str::trim) {
            None => Ok(default),
            Some("true" | "on") => Ok(true),
            Some("false") => Ok(false),
            Some(_) => Err(Invalid::new(name, "must be true or false")),
        }
    }

    /// The answers of a statement form: the date order, the statement (1-based), the mapping.
    pub fn answers(&self) -> Result<Answers, Invalid> {
        Ok(Answers {
            mapping: self.mapping()?,
            date_order: self
                .text("date_order")
                .map(|raw| text::choice("date_order", raw, &DateOrder::ALL, DateOrder::as_str))
                .transpose()?,
            statement: self
                .text("statement")
                .map(|raw| match raw.trim().parse::<usize>() {
                    Ok(n) if (1..=100).contains(&n) => Ok(n - 1),
                    _ => Err(Invalid::new("statement", "must be a number from 1 to 100")),
                })
                .transpose()?,
        })
    }

    /// The statement file and where its rows go: `account_id`, or a new account
    /// (`account_name` and `account_currency`), or (neither) the account the file names.
    pub fn statement(self) -> Result<(Upload, AccountChoice), Invalid> {
        let answers = self.answers()?;
        let account = match (
            self.text("account_id"),
            self.text("account_name"),
            self.text("account_currency"),
        ) {
            (Some(id), None, None) => AccountChoice::Existing(body_id("account_id", id)?),
            (None, Some(name), Some(currency)) => AccountChoice::New {
                name: name.to_owned(),
                currency: Currency::parse("account_currency", currency)?,
            },
            (None, None, None) => AccountChoice::FromFile,
            _ => {
                return Err(Invalid::new(
                    "account_id",
                    "give account_id, or account_name with account_currency, or neither",
                ));
            }
        };
        let Some(file) = self.file else {
            return Err(Invalid::new("file", "choose a statement file"));
        };
        if file.bytes.is_empty() {
            return Err(Invalid::new("file", "is empty"));
        }
        Ok((
            Upload {
                file_name: file.name,
                bytes: file.bytes,
                date_order: answers.date_order,
                mapping: answers.mapping,
                statement: answers.statement,
                // Presets reach the pages and the API later: a CSV file without a mapping is
                // read with the preset recognised from its header.
                preset: None,
            },
            account,
        ))
    }
}
