//! The payment edit page (`GET /payments/{id}/edit`) and the payment form's values, shared with
//! the "Record payment" form of the bill page.

use askama::Template;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::views::{Chrome, Page, Section, error_for};

/// A payment form as typed; `autopay_failed` is `"true"` when ticked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PaymentFields {
    pub amount: String,
    pub paid_on: String,
    /// The due date of the occurrence it settles; empty lets the server choose.
    pub cycle_due: String,
    pub method: String,
    pub note: String,
    pub autopay_failed: String,
    /// The version an edit is based on (edit form only).
    pub version: String,
}

/// `GET /payments/{id}/edit` (and its refusals: 422 with the errors, 409 when the payment
/// changed elsewhere).
#[derive(Debug, Clone, Template)]
#[template(path = "bill_payment_page.html")]
pub struct BillPaymentPage {
    pub chrome: Chrome,
    pub status: StatusCode,
    pub bill_id: String,
    pub bill_name: String,
    pub payment_id: String,
    /// The bill's currency code, next to the amount.
    pub currency: String,
    pub fields: PaymentFields,
    pub errors: Vec<(String, String)>,
    /// The payment changed elsewhere since the form was opened: nothing was saved.
    pub conflict: bool,
}

impl BillPaymentPage {
    const FIELDS: [&'static str; 6] = [
        "amount",
        "paid_on",
        "cycle_due",
        "method",
        "note",
        "autopay_failed",
    ];

    /// The error message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    /// Whether the summary can link to `field`.
    pub fn has_field(&self, field: &str) -> bool {
        Self::FIELDS.contains(&field)
    }
}

impl Page for BillPaymentPage {
    fn section(&self) -> Section {
        Section::Bills
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}
