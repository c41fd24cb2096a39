//! The import pages: `GET /imports` (the upload form and the history), `POST /imports` (a
//! statement file: previewed, or kept while it needs an answer), `GET /imports/{id}` (the
//! question, the preview to review, or what the import wrote), and the answer, apply and undo
//! forms. Every POST calls one service function and redirects (303). A refused file comes
//! back as the error page naming the field and the row.

use axum::Form;
use axum::extract::Query;
use axum::routing::{get, post};
use domain::id::ImportId;
use domain::money::{Currency, Money};
use service::imports::{self, Choices, Label, Opened, Question, Staged};
use service::{bank_accounts, imports::ImportRow};

use super::common::with_cookie;
use super::forms::param;
use super::kit::{DataPage, Fail, PageResult};
use super::{chrome, see_other};
use crate::auth::Meta;
use crate::extract::PathId;
use crate::links;
use crate::locale::Locale;
use crate::pages::with_notice;
use crate::routes::Table;
use crate::upload::{MAX_FILE_BYTES, UploadForm};
use crate::views;
use crate::views::bank::{Choice, ImportBody, ImportItem, ImportPage, ImportsPage, PreviewItem};

/// The 404 page's words for an import that is missing or someone else's.
const MISSING: &str = "There is no such import. It may have expired (a preview lasts 24 hours), or the link is wrong.";

/// The import routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::IMPORTS.path(), get(show))
        .add_upload("POST", links::IMPORTS.path(), post(upload))
        .add("GET", links::IMPORT.template(), get(one))
        .add("POST", links::IMPORT_ANSWER.template(), post(answer))
        .add("POST", links::IMPORT_APPLY.template(), post(apply))
        .add("POST", links::IMPORT_UNDO.template(), post(undo))
}

/// `GET /imports`: the upload form and the history.
pub async fn show(page: DataPage, Query(query): Query<Vec<(String, String)>>) -> PageResult {
    let ctx = page.context().await;
    let l = &ctx.locale;
    let accounts = bank_accounts::list(&page.app, &page.user).await?;
    let history = imports::history(&page.app, &page.user).await?;
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "Import a statement");
    let view = ImportsPage {
        chrome,
        accounts: accounts
            .iter()
            .map(|a| {
                (
                    a.id.to_string(),
                    account_label(&a.name, &a.currency, &a.last_digits),
                    false,
                )
            })
            .collect(),
        currencies: Currency::all()
            .map(|c| (c.code().to_owned(), c.label(), false))
            .collect(),
        history: history.iter().map(|i| history_item(l, i)).collect(),
        notice: param(&query, "notice").and_then(notice),
        max_mb: MAX_FILE_BYTES / (1024 * 1024),
    };
    Ok(with_cookie(views::render(&view), cookie))
}

/// `POST /imports` (multipart): previews the file, or keeps it and asks; then its page.
pub async fn upload(page: DataPage, Meta(meta): Meta, form: UploadForm) -> PageResult {
    let (upload, account) = form.statement()?;
    let staged = imports::stage(&page.app, &page.user, &meta, upload, account).await?;
    Ok(see_other(&links::IMPORT.at(staged_id(&staged))))
}

/// `POST /imports/{id}/answer`: reads the kept file again with the answers.
pub async fn answer(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<ImportId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let back = links::IMPORT.at(id);
    let form = UploadForm {
        fields: fields
            .into_iter()
            .filter(|(k, _)| k != "csrf_token")
            .collect(),
        file: None,
    };
    let answers = form.answers().back_to(&back)?;
    let staged = imports::answer(&page.app, &page.user, &meta, id, answers)
        .await
        .missing(MISSING)?;
    Ok(see_other(&links::IMPORT.at(staged_id(&staged))))
}

/// `POST /imports/{id}/apply` (`include` and `exclude` repeated row numbers): imports the
/// preview's rows as decided (rows the form did not show keep their default).
pub async fn apply(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<ImportId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let rows = |name: &str| -> Vec<usize> {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect()
    };
    let choices = Choices {
        include: rows("include"),
        exclude: rows("exclude"),
    };
    imports::apply(&page.app, &page.user, &meta, id, &choices)
        .await
        .missing(MISSING)?;
    Ok(with_notice(&links::IMPORT.at(id), "applied"))
}

/// `POST /imports/{id}/undo`: removes what the import wrote.
pub async fn undo(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<ImportId>,
    _: Form<Vec<(String, String)>>,
) -> PageResult {
    imports::undo(&page.app, &page.user, &meta, id)
        .await
        .missing(MISSING)?;
    Ok(with_notice(links::IMPORTS.path(), "undone"))
}

/// `GET /imports/{id}`: the question, the preview, or what the import did.
pub async fn one(
    page: DataPage,
    PathId(id): PathId<ImportId>,
    Query(query): Query<Vec<(String, String)>>,
) -> PageResult {
    let opened = imports::open(&page.app, &page.user, id)
        .await
        .missing(MISSING)?;
    let ctx = page.context().await;
    let l = &ctx.locale;
    let (import, body) = match opened {
        Opened::Asks { import, question } => (import, question_body(question)),
        Opened::Preview(preview) => {
            let (new, duplicate, possible, errors) = preview.counts();
            let body = ImportBody::Preview {
                account: preview.account.name().to_owned(),
                counts: format!(
                    "{new} new, {duplicate} already imported, {possible} possible duplicates, {errors} with errors"
                ),
                rows: shown(&preview.rows)
                    .map(|r| preview_item(l, r, preview.currency))
                    .collect(),
                more: (new > NEW_SHOWN)
                    .then(|| format!("and {} more new rows, all imported", new - NEW_SHOWN)),
                expires: l.instant(preview.import.expires_at),
            };
            (preview.import, body)
        }
        Opened::Done(import) => {
            let body = done_body(&import);
            (import, body)
        }
    };
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, &import.file_name);
    let view = ImportPage {
        chrome,
        status: axum::http::StatusCode::OK,
        id: import.id.to_string(),
        file_name: import.file_name.clone(),
        body,
        error: None,
        notice: param(&query, "notice").and_then(notice),
        date_orders: imports::DateOrder::ALL
            .into_iter()
            .map(|o| (o.as_str().to_owned(), o.example().to_owned(), false))
            .collect(),
    };
    Ok(with_cookie(views::render(&view), cookie))
}

/// New rows shown on a preview page (every row that needs a decision is shown).
const NEW_SHOWN: usize = 200;
/// Rows that need a decision shown at most.
const DECISIONS_SHOWN: usize = 2_000;

/// The rows a preview page shows: those that need a decision, and the first new ones.
fn shown(rows: &[imports::PreviewRow]) -> impl Iterator<Item = &imports::PreviewRow> {
    let mut new = 0;
    let mut decisions = 0;
    rows.iter().filter(move |r| {
        if r.error.is_none() && r.label == Label::New {
            new += 1;
            new <= NEW_SHOWN
        } else {
            decisions += 1;
            decisions <= DECISIONS_SHOWN
        }
    })
}

fn staged_id(staged: &Staged) -> String {
    match staged {
        Staged::Ready(preview) => preview.import.id.to_string(),
        Staged::Asks { import, .. } => import.id.to_string(),
    }
}

/// The fixed words of a notice code (never reflected input).
fn notice(code: &str) -> Option<String> {
    Some(
        match code {
            "applied" => "Imported. Undo it below if it was the wrong file.",
            "undone" => "The import was undone: its transactions are gone.",
            _ => return None,
        }
        .to_owned(),
    )
}

fn account_label(name: &str, currency: &str, digits: &str) -> String {
    if digits.is_empty() {
        format!("{name} ({currency})")
    } else {
        format!("{name} …{digits} ({currency})")
    }
}

fn history_item(l: &Locale, i: &ImportRow) -> ImportItem {
    ImportItem {
        href: links::IMPORT.at(i.id),
        file_name: i.file_name.clone(),
        format: i.format.to_uppercase(),
        state: match i.state.as_str() {
            "applied" => "Imported".into(),
            "undone" => "Undone".into(),
            _ => "Preview".into(),
        },
        rows: if i.state == "previewed" {
            i.rows_in_file.to_string()
        } else {
            format!("{} of {}", i.rows_imported, i.rows_in_file)
        },
        when: l.instant(i.created_at),
    }
}

fn preview_item(l: &Locale, r: &imports::PreviewRow, currency: Currency) -> PreviewItem {
    let (label, label_text, why) = match (&r.error, &r.label) {
        (Some(e), _) => (
            "error",
            "Cannot be read".to_owned(),
            format!("{}: {}", e.field, e.reason),
        ),
        (None, Label::New) => ("new", "New".to_owned(), String::new()),
        (None, Label::Duplicate { why, .. }) => {
            ("duplicate", "Already imported".to_owned(), why.clone())
        }
        (None, Label::Possible { score, why, .. }) => (
            "possible",
            format!("Possible duplicate ({score}%)"),
            why.clone(),
        ),
    };
    let (choice, choice_label) = if label == "duplicate" {
        ("include", "Import anyway")
    } else {
        ("exclude", "Leave out")
    };
    PreviewItem {
        row: r.row,
        posted_on: l.date(r.posted_on),
        payee: r.payee.clone(),
        memo: r.memo.clone(),
        amount: l.money_of(Money::new(r.amount_minor, currency)),
        choice,
        choice_label,
        checked: label == "error",
        label,
        label_text,
        why,
    }
}

fn question_body(question: Question) -> ImportBody {
    match question {
        Question::Mapping { layout, reason } => {
            let columns: Vec<Choice> = (0..layout.columns)
                .map(|i| {
                    let name = layout.first.get(i).map(String::as_str).unwrap_or("");
                    ((i + 1).to_string(), format!("{}. {name}", i + 1), false)
                })
                .collect();
            let delimiter = [
                ("comma", ",", b','),
                ("semicolon", ";", b';'),
                ("tab", "tab", b'\t'),
                ("pipe", "|", b'|'),
            ]
            .into_iter()
            .map(|(v, t, b)| (v.to_owned(), t.to_owned(), layout.delimiter == b))
            .collect();
            ImportBody::Mapping {
                reason,
                header: layout.first,
                sample: layout.sample,
                columns,
                delimiter,
            }
        }
        Question::DateOrder { reason } => ImportBody::DateOrder { reason },
        Question::Statement { reason } => ImportBody::Statement { reason },
    }
}

fn done_body(import: &ImportRow) -> ImportBody {
    let summary = match import.state.as_str() {
        "applied" => format!(
            "{} of {} rows imported",
            import.rows_imported, import.rows_in_file
        ),
        "undone" => "This import was undone".to_owned(),
        _ => "This preview expired; upload the file again".to_owned(),
    };
    ImportBody::Done {
        summary,
        can_undo: import.state == "applied",
        rows_imported: import.rows_imported,
    }
}
