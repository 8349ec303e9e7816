//! What the Billing screen's keys ask for, and what it asks of the database (run by
//! `crate::effects::billing`), each answer carrying the request id it answers.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::export::{ExportRefused, Exported};
use crate::app::pending::RequestId;
use crate::app::progress::Progress;
use crate::domain::invoice::{
    IdempotencyKey, InvoiceDetail, InvoiceFilter, InvoiceRow, NewLine, PaymentMethod, PriceChange,
    Receipt, RefundRefused, ServicePrice, UninvoicedVisit,
};
use crate::domain::money::{Currency, NumberFormat};
use crate::domain::receivables::{Aging, CashRow};
use crate::domain::statement::{BankLine, CsvLayout, ImportSummary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    Refresh,
    Open,
    Pay,
    /// Money paid back from the invoice.
    Refund,
    /// The patient's credit paid back.
    RefundCredit,
    Issue,
    /// "Yes" to issuing the draft asked about.
    IssueConfirmed,
    Void,
    CreditNote,
    InvoiceDay,
    /// "Yes" to invoicing the previewed day.
    InvoiceDayConfirmed,
    /// Only the marked appointment of the preview, as a draft.
    InvoiceOne,
    NextFilter,
    NextTab,
    PreviousTab,
    Today,
    // Reconciling.
    Accept,
    Pick,
    NotOurs,
    Skip,
    Import,
    Split,
    // The fee schedule.
    NewPrice,
    NewService,
    // A draft's lines, and a draft by hand.
    AddLine,
    RemoveLine,
    RemoveLineConfirmed,
    NewInvoice,
    Up,
    Down,
    PageUp,
    PageDown,
    // The payment form.
    Save,
    FormEnter,
    NextField,
    PreviousField,
    FormUp,
    FormDown,
    /// "Yes" to throwing a typed payment (or refund) away.
    Discard,
    /// "Yes" to money going back, or in beyond what is owed.
    MoneyConfirmed,
    // Taking the books out.
    Export,
    Statement,
    // The other popups.
    Close,
    Submit,
    PreviousDay,
    NextDay,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Load {
        request: RequestId,
        filter: InvoiceFilter,
        limit: i64,
    },
    Detail {
        request: RequestId,
        invoice_id: i64,
    },
    Pay {
        request: RequestId,
        invoice_id: i64,
        amount_minor: i64,
        method: PaymentMethod,
        reference: Option<String>,
        key: IdempotencyKey,
    },
    /// Money paid back from an invoice (`amount_minor` > 0 going out).
    Refund {
        request: RequestId,
        invoice_id: i64,
        amount_minor: i64,
        method: PaymentMethod,
        reference: Option<String>,
        key: IdempotencyKey,
    },
    /// A patient's credit in `currency` paid back (`amount_minor` > 0 going out).
    RefundCredit {
        request: RequestId,
        patient_id: i64,
        currency: Currency,
        amount_minor: i64,
        method: PaymentMethod,
        reference: Option<String>,
        key: IdempotencyKey,
    },
    Issue {
        request: RequestId,
        invoice_id: i64,
        due_on: NaiveDate,
    },
    Void {
        request: RequestId,
        invoice_id: i64,
        version: i32,
        reason: String,
    },
    CreditNote {
        request: RequestId,
        invoice_id: i64,
        reason: String,
    },
    Uninvoiced {
        request: RequestId,
        day: NaiveDate,
        currency: Currency,
    },
    InvoiceDay {
        request: RequestId,
        appointment_ids: Vec<i64>,
        currency: Currency,
        due_on: NaiveDate,
    },
    /// One completed appointment as a draft with its suggested services.
    InvoiceAppointment {
        request: RequestId,
        appointment_id: i64,
        currency: Currency,
    },
    Aging {
        request: RequestId,
        as_of: NaiveDate,
        currency: Currency,
    },
    Cash {
        request: RequestId,
        from: NaiveDate,
        to: NaiveDate,
    },
    AddLine {
        request: RequestId,
        invoice_id: i64,
        line: NewLine,
    },
    RemoveLine {
        request: RequestId,
        invoice_id: i64,
        line_id: i64,
    },
    NewInvoice {
        request: RequestId,
        patient_id: i64,
        currency: Currency,
    },
    Prices {
        request: RequestId,
        day: NaiveDate,
    },
    ChangePrice {
        request: RequestId,
        change: PriceChange,
    },
    /// The statement lines still to review.
    BankLines {
        request: RequestId,
        limit: i64,
    },
    /// Read, parse and stage a statement file, as the clinic's CSV layout says.
    Import {
        request: RequestId,
        path: PathBuf,
        layout: CsvLayout,
        currency: Currency,
        progress: Progress,
    },
    Accept {
        request: RequestId,
        line_id: i64,
        /// (invoice, amount) pairs adding up to the line.
        parts: Vec<(i64, i64)>,
    },
    NotOurs {
        request: RequestId,
        line_id: i64,
    },
    /// A line put on several invoices by their numbers, (number, amount) adding up to the line.
    Split {
        request: RequestId,
        line_id: i64,
        currency: Currency,
        parts: Vec<(String, i64)>,
    },
    /// An open invoice by its number, to put a line on by hand.
    FindInvoice {
        request: RequestId,
        number: String,
        currency: Currency,
    },
    /// invoices.csv, invoice_lines.csv and payments.csv for the period into `dir`, counting the
    /// rows into `progress`; an earlier export there is replaced only when `replace` says so.
    Export {
        request: RequestId,
        from: NaiveDate,
        to: NaiveDate,
        dir: PathBuf,
        replace: bool,
        progress: Progress,
    },
    /// A patient's statement as printable text, kept at `path`.
    Statement {
        request: RequestId,
        patient_number: i64,
        clinic_name: String,
        today: NaiveDate,
        currency: Currency,
        format: NumberFormat,
        path: PathBuf,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Loaded {
        request: RequestId,
        result: Result<Vec<InvoiceRow>, String>,
    },
    Detail {
        request: RequestId,
        result: Result<Box<InvoiceDetail>, String>,
    },
    Paid {
        request: RequestId,
        result: Result<Receipt, String>,
    },
    /// A refund's payment id, or the credit ledger entry of credit paid back.
    Refunded {
        request: RequestId,
        result: Result<i64, RefundRefused>,
    },
    /// The number the issue got (None until the numberer gets to it).
    Issued {
        request: RequestId,
        result: Result<Option<String>, String>,
    },
    Voided {
        request: RequestId,
        result: Result<(), String>,
    },
    /// The new credit note's id.
    Credited {
        request: RequestId,
        result: Result<i64, String>,
    },
    Uninvoiced {
        request: RequestId,
        result: Result<Vec<UninvoicedVisit>, String>,
    },
    /// The new invoices' ids.
    DayInvoiced {
        request: RequestId,
        result: Result<Vec<i64>, String>,
    },
    /// The draft's id.
    AppointmentInvoiced {
        request: RequestId,
        result: Result<i64, String>,
    },
    Aging {
        request: RequestId,
        result: Result<Aging, String>,
    },
    Cash {
        request: RequestId,
        result: Result<Vec<CashRow>, String>,
    },
    /// A line added or removed.
    LineSaved {
        request: RequestId,
        result: Result<(), String>,
    },
    /// The new draft's id.
    InvoiceCreated {
        request: RequestId,
        result: Result<i64, String>,
    },
    Prices {
        request: RequestId,
        result: Result<Vec<ServicePrice>, String>,
    },
    PriceChanged {
        request: RequestId,
        result: Result<(), String>,
    },
    /// The lines shown (up to the limit) and how many are open.
    BankLines {
        request: RequestId,
        result: Result<(Vec<BankLine>, i64), String>,
    },
    Imported {
        request: RequestId,
        result: Result<ImportSummary, String>,
    },
    /// The payments the line became.
    Accepted {
        request: RequestId,
        result: Result<Vec<i64>, String>,
    },
    Marked {
        request: RequestId,
        result: Result<(), String>,
    },
    /// (id, patient, what it owes) of the open invoice with that number.
    FoundInvoice {
        request: RequestId,
        result: Result<Option<(i64, String, i64)>, String>,
    },
    Exported {
        request: RequestId,
        result: Result<Exported, ExportRefused>,
    },
    /// Where the statement was kept, and its text.
    Statement {
        request: RequestId,
        result: Result<(PathBuf, String), String>,
    },
}
