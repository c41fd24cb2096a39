//! How the tracker's row forms (pay, undo a payment, skip, unskip) answer, in one place.
//!
//! - Without JavaScript (or through `hx-boost`): 303 back to the month with the notice, at the
//!   row's anchor (`…&notice=paid#occ-<bill>-<date>`), so the browser lands on the row instead
//!   of the top of the page. An error goes back to the top, where its banner is.
//! - With JavaScript (htmx's own request, [`Htmx::partial`]): [`TrackerRowPartial`] — the row,
//!   its pay period's header and the summary cards, read again from the month after the change
//!   and drawn with the page's own templates, plus the notice as a toast — so nothing reloads
//!   or scrolls. The `HX-Reswap` header marks every such answer (`app.js` treats an answer
//!   without it, such as the sign-in page after a session ended, as a whole page).
//!
//! Both shapes come after the same extractors (signed in, CSRF, data owner) and the same
//! service call, which checks the owner: a bill of someone else's is "not found" either way,
//! and its partial draws nothing of it. A failure that is not drawn in place (the bootstrap
//! administrator's 403, signing in, stepping up, any failure without JavaScript) is the page
//! kit's ([`super::super::kit`]). The user's theme and locale are read only when something
//! needs them (a typed amount, a partial), so a pay without JavaScript reads neither.

use std::future::Future;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use domain::id::BillId;
use service::Error;
use service::tracker::{self, TrackerQuery};
use tokio::sync::OnceCell;

use super::super::common::{banner_code, encode_component, message, with_cookie, with_param};
use super::super::forms::error_message;
use super::super::htmx::Htmx;
use super::super::kit::{DataPage, Fail, PageResult};
use super::super::{PageContext, chrome, see_other};
use super::view::{amount_advice, occurrence_notice, present};
use super::{ERRORS, NOTICES, back, parse_occurrence};
use crate::views::tracker::{SafeToSpendCard, TrackerRowPartial, occurrence_anchor};
use crate::views::{self};

/// `to` landing on the element with id `anchor`.
pub(super) fn at(to: &str, anchor: &str) -> String {
    format!("{to}#{anchor}")
}

/// Everything a row form's answer needs from its request.
pub(super) struct Reply<'a> {
    pub page: &'a DataPage,
    pub htmx: Htmx,
    /// The tracker URL the form came from, as posted (checked by [`back`]).
    pub return_to: Option<&'a str>,
    /// The page context, read once when something needs it (a typed amount, a partial).
    ctx: OnceCell<PageContext>,
}

impl<'a> Reply<'a> {
    pub fn new(page: &'a DataPage, htmx: Htmx, return_to: Option<&'a str>) -> Self {
        Reply {
            page,
            htmx,
            return_to,
            ctx: OnceCell::new(),
        }
    }

    /// The user's page context (theme and locale), read on first use.
    pub async fn context(&self) -> &PageContext {
        self.ctx.get_or_init(|| self.page.context()).await
    }

    /// Answers a row's form: parses the occurrence it names, runs `act` (its one service call)
    /// on it, and answers with [`Reply::row`]; `notice` is the banner code of a success.
    pub async fn act<F, Fut>(
        &self,
        bill_id: &str,
        due_date: &str,
        notice: &str,
        act: F,
    ) -> PageResult
    where
        F: FnOnce(BillId, NaiveDate) -> Fut,
        Fut: Future<Output = Result<(), Error>>,
    {
        match parse_occurrence(bill_id, due_date) {
            Ok((bill, due)) => {
                let result = act(bill, due).await;
                self.row(Some((bill, due)), result, notice).await
            }
            Err(err) => self.row(None, Err(err), notice).await,
        }
    }

    /// The answer after the form's service call on `occurrence` (`None`: the form named none
    /// that parses) returned `result`; `notice` is the banner code of a success. A failure
    /// that is not drawn in place is the page kit's (a banner back on the month, the 403
    /// page, signing in).
    async fn row(
        &self,
        occurrence: Option<(BillId, NaiveDate)>,
        result: Result<(), Error>,
        notice: &str,
    ) -> PageResult {
        let mut to = back(self.return_to);
        if let Some((bill, due)) = occurrence {
            // The banner names the bill and month it acted on (looked up on the page).
            to = with_param(
                &with_param(&to, "bill", &bill.to_string()),
                "due",
                &due.to_string(),
            );
        }
        let landing = |to: &str| match occurrence {
            Some((bill, due)) => at(to, &occurrence_anchor(&bill.to_string(), &due.to_string())),
            None => to.to_owned(),
        };
        let (code, status) = match result {
            Ok(()) if !self.htmx.partial => {
                return Ok(see_other(&landing(&with_param(&to, "notice", notice))));
            }
            Ok(()) => (notice, StatusCode::OK),
            // The amount asked for on an estimated bill: say so, not "reload the page".
            Err(Error::Invalid(invalid)) if invalid.field == "amount" => {
                if !self.htmx.partial {
                    return Ok(see_other(&with_param(&to, "error", "amount")));
                }
                ("amount", StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(err) => match banner_code(&err) {
                Some(code) if self.htmx.partial => (code, status_of(code)),
                _ => return Err(err).back_to(&to),
            },
        };
        match self.partial(occurrence, code, status).await {
            Some(response) => Ok(response),
            // The month could not be read again: show the whole page, at the row.
            None => Ok(hx_redirect(&landing(&with_param(&to, "notice", code)))),
        }
    }

    /// The partial for `occurrence` after a form whose banner code is `code`; `None` when a
    /// success cannot be drawn (the month could not be read, or no longer holds the row).
    async fn partial(
        &self,
        occurrence: Option<(BillId, NaiveDate)>,
        code: &str,
        status: StatusCode,
    ) -> Option<Response> {
        let failed = status != StatusCode::OK;
        let ctx = self.context().await;
        let (chrome, cookie) = chrome(&self.page.app, &self.page.caller, ctx, "Tracker");
        let return_to = back(self.return_to);
        let mut partial = TrackerRowPartial {
            chrome,
            year: 0,
            month: 0,
            return_query: encode_component(&return_to),
            return_to,
            row: None,
            bucket: None,
            cards: Vec::new(),
            safe_to_spend: SafeToSpendCard::default(),
            message: if code == "amount" {
                amount_advice(&ctx.locale)
            } else if failed {
                error_message(&ERRORS, Some(code))?
            } else {
                message(&NOTICES, Some(code))?
            },
            failed,
            status: status.as_u16(),
        };
        // After a mistyped amount the row stays as it is, with what was typed, for a correction.
        if let Some((bill, due)) = occurrence.filter(|_| code != "amount") {
            let query = TrackerQuery {
                year: Some(due.year()),
                month: Some(due.month()),
                ..TrackerQuery::default()
            };
            let view = match tracker::show(&self.page.app, &self.page.user, query).await {
                Ok(view) => Some(view),
                Err(_) if failed => None,
                Err(err) => {
                    tracing::error!(error = %err, "tracker row could not be drawn again");
                    return None;
                }
            };
            if let Some(view) = view {
                let (bill, due) = (bill.to_string(), due.to_string());
                if !failed
                    && let Some(said) = occurrence_notice(&ctx.locale, &view, code, &bill, &due)
                {
                    partial.message = said;
                }
                let page = present(&ctx.locale, partial.chrome.clone(), &view);
                let anchor = occurrence_anchor(&bill, &due);
                let found = page.buckets.into_iter().find_map(|mut bucket| {
                    let at = bucket.rows.iter().position(|r| r.anchor() == anchor)?;
                    let row = bucket.rows.swap_remove(at);
                    bucket.rows.clear();
                    Some((bucket, row))
                });
                if let Some((bucket, row)) = found {
                    partial.year = page.year;
                    partial.month = page.month;
                    partial.cards = page.cards;
                    partial.safe_to_spend = page.safe_to_spend;
                    partial.bucket = Some(bucket);
                    partial.row = Some(row);
                }
            }
        }
        if partial.row.is_none() && !failed {
            return None;
        }
        let swap = if partial.row.is_some() {
            "outerHTML"
        } else {
            "none"
        };
        let mut response = views::render(&partial);
        response
            .headers_mut()
            .insert("hx-reswap", HeaderValue::from_static(swap));
        Some(with_cookie(response, cookie))
    }
}

/// The status of a refused row form, by its banner code.
fn status_of(code: &str) -> StatusCode {
    match code {
        "not_found" => StatusCode::NOT_FOUND,
        "conflict" => StatusCode::CONFLICT,
        "invalid" => StatusCode::UNPROCESSABLE_ENTITY,
        "rate" => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Tells htmx to load `to` as a whole page (`HX-Redirect`).
fn hx_redirect(to: &str) -> Response {
    let mut response = StatusCode::OK.into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert("hx-redirect", value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anchor_follows_the_query() {
        assert_eq!(
            at("/?year=2026&notice=paid", "occ-b-2026-03-20"),
            "/?year=2026&notice=paid#occ-b-2026-03-20"
        );
    }
}
