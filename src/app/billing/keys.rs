//! The Billing screen's keys: the invoice list, an invoice's detail, and the popups (a payment,
//! money paid back, a receipt, a reason for a void or a credit note, invoicing a day).

use super::keys_parts::{
    AGING, CASH, EXPORT, IMPORT, PICK, PRICE, PRICES, RECONCILE, SPLIT, STATEMENT,
};
use super::Cmd;
use crate::app::keymap::{self, Binding, Command};
use crate::app::registry::ScreenCmd;
use crate::app::screen::PanelKind;

pub(super) const fn bind(
    name: &'static str,
    keys: &'static [&'static str],
    desc: &'static str,
    cmd: Cmd,
    footer: Option<&'static str>,
) -> Binding {
    keymap::bind(
        name,
        keys,
        desc,
        Command::Screen(ScreenCmd::Billing(cmd)),
        footer,
    )
}

/// The invoice list.
pub const BINDINGS: &[Binding] = &[
    bind(
        "billing.next_tab",
        &["tab"],
        "Next part: invoices, reconcile, aging, cash, prices",
        Cmd::NextTab,
        None,
    ),
    bind(
        "billing.previous_tab",
        &["shift-tab"],
        "Previous part",
        Cmd::PreviousTab,
        None,
    ),
    bind(
        "billing.open",
        &["enter"],
        "Open the invoice (lines, payments, what is owed)",
        Cmd::Open,
        Some("open"),
    ),
    bind(
        "billing.pay",
        &["p"],
        "Take a payment for the selected invoice",
        Cmd::Pay,
        Some("payment"),
    ),
    bind(
        "billing.refund",
        &["b"],
        "Pay money back from the selected invoice (never more than it was paid)",
        Cmd::Refund,
        None,
    ),
    bind(
        "billing.issue",
        &["i"],
        "Issue the draft (it gets its number and due date)",
        Cmd::Issue,
        Some("issue"),
    ),
    bind(
        "billing.day",
        &["d"],
        "Invoice a day's completed appointments (preview first)",
        Cmd::InvoiceDay,
        Some("invoice a day"),
    ),
    bind(
        "billing.new",
        &["n"],
        "A new invoice by hand, for the patient whose invoices are listed",
        Cmd::NewInvoice,
        None,
    ),
    bind(
        "billing.export",
        &["e"],
        "Export a period's invoices, lines and payments (CSV, for the accounting software)",
        Cmd::Export,
        Some("export"),
    ),
    bind(
        "billing.statement",
        &["s"],
        "The patient's statement (printable, kept as a file)",
        Cmd::Statement,
        None,
    ),
    bind(
        "billing.filter",
        &["f"],
        "Show open invoices, drafts, or all (newest first)",
        Cmd::NextFilter,
        Some("open/drafts/all"),
    ),
    bind(
        "billing.void",
        &["v"],
        "Void the invoice (nothing paid yet; say why)",
        Cmd::Void,
        None,
    ),
    bind(
        "billing.credit",
        &["c"],
        "Credit note for an issued invoice (say why)",
        Cmd::CreditNote,
        None,
    ),
    bind(
        "billing.down",
        &["down", "j"],
        "Next invoice",
        Cmd::Down,
        None,
    ),
    bind(
        "billing.up",
        &["up", "k"],
        "Previous invoice",
        Cmd::Up,
        None,
    ),
    bind(
        "billing.page_down",
        &["pagedown"],
        "A page down",
        Cmd::PageDown,
        None,
    ),
    bind(
        "billing.page_up",
        &["pageup"],
        "A page up",
        Cmd::PageUp,
        None,
    ),
    bind(
        "billing.refresh",
        &["r", "ctrl-r"],
        "Load again",
        Cmd::Refresh,
        None,
    ),
];

const DETAIL: &[Binding] = &[
    bind(
        "billing.detail.pay",
        &["p"],
        "Take a payment for this invoice",
        Cmd::Pay,
        Some("payment"),
    ),
    bind(
        "billing.detail.refund",
        &["b"],
        "Pay money back from this invoice (never more than it was paid)",
        Cmd::Refund,
        Some("refund"),
    ),
    bind(
        "billing.detail.refund_credit",
        &["B"],
        "Pay the patient's credit back (never more than they hold)",
        Cmd::RefundCredit,
        Some("pay credit back"),
    ),
    bind(
        "billing.detail.issue",
        &["i"],
        "Issue this draft",
        Cmd::Issue,
        Some("issue"),
    ),
    bind(
        "billing.detail.void",
        &["v"],
        "Void this invoice (nothing paid yet; say why)",
        Cmd::Void,
        Some("void"),
    ),
    bind(
        "billing.detail.credit",
        &["c"],
        "Credit note for this invoice (say why)",
        Cmd::CreditNote,
        Some("credit note"),
    ),
    bind(
        "billing.detail.add_line",
        &["a"],
        "Add a line to this draft (a service code fills it in)",
        Cmd::AddLine,
        Some("add line"),
    ),
    bind(
        "billing.detail.remove_line",
        &["delete", "-"],
        "Take the chosen line off this draft (asks first)",
        Cmd::RemoveLine,
        Some("take off"),
    ),
    bind(
        "billing.detail.new",
        &["n"],
        "A new invoice by hand for this patient",
        Cmd::NewInvoice,
        None,
    ),
    bind(
        "billing.detail.down",
        &["down", "j"],
        "Scroll down",
        Cmd::Down,
        None,
    ),
    bind(
        "billing.detail.up",
        &["up", "k"],
        "Scroll up",
        Cmd::Up,
        None,
    ),
    bind(
        "billing.detail.refresh",
        &["r", "ctrl-r"],
        "Read the invoice again",
        Cmd::Refresh,
        None,
    ),
];

/// Every key here is a control key: the fields take all the printable ones.
const PAYMENT: &[Binding] = &[
    bind(
        "billing.payment.save",
        &["ctrl-s"],
        "Record the payment (or the money paid back)",
        Cmd::Save,
        Some("record"),
    ),
    bind(
        "billing.payment.enter",
        &["enter"],
        "Next field; on the last, record it",
        Cmd::FormEnter,
        Some("next"),
    ),
    bind(
        "billing.payment.next",
        &["tab"],
        "Next field",
        Cmd::NextField,
        None,
    ),
    bind(
        "billing.payment.previous",
        &["shift-tab"],
        "Previous field",
        Cmd::PreviousField,
        None,
    ),
    bind(
        "billing.payment.down",
        &["down"],
        "Next method (on the method)",
        Cmd::FormDown,
        None,
    ),
    bind(
        "billing.payment.up",
        &["up"],
        "Previous method (on the method)",
        Cmd::FormUp,
        None,
    ),
];

/// Every key here is a control key: the fields take all the printable ones.
const LINE: &[Binding] = &[
    bind(
        "billing.line.save",
        &["ctrl-s"],
        "Add the line",
        Cmd::Save,
        Some("add"),
    ),
    bind(
        "billing.line.enter",
        &["enter"],
        "Next field; on the last, add the line",
        Cmd::FormEnter,
        Some("next"),
    ),
    bind(
        "billing.line.next",
        &["tab", "down"],
        "Next field",
        Cmd::NextField,
        None,
    ),
    bind(
        "billing.line.previous",
        &["shift-tab", "up"],
        "Previous field",
        Cmd::PreviousField,
        None,
    ),
];

const RECEIPT: &[Binding] = &[bind(
    "billing.receipt.close",
    &["enter"],
    "Close the receipt",
    Cmd::Close,
    Some("close"),
)];

const REASON: &[Binding] = &[bind(
    "billing.reason.submit",
    &["enter"],
    "Go ahead with this reason",
    Cmd::Submit,
    Some("go ahead"),
)];

const DAY: &[Binding] = &[
    bind(
        "billing.day.submit",
        &["enter"],
        "Preview the day; once previewed, invoice and issue it (asks first)",
        Cmd::Submit,
        Some("preview / invoice"),
    ),
    bind(
        "billing.day.one",
        &["ctrl-o"],
        "Only the marked appointment: a draft with its services, to change before issuing",
        Cmd::InvoiceOne,
        Some("only this one"),
    ),
    bind(
        "billing.day.previous",
        &["pageup", "ctrl-left"],
        "The day before",
        Cmd::PreviousDay,
        Some("day"),
    ),
    bind(
        "billing.day.next",
        &["pagedown", "ctrl-right"],
        "The day after",
        Cmd::NextDay,
        None,
    ),
    bind(
        "billing.day.down",
        &["down"],
        "The next appointment",
        Cmd::Down,
        None,
    ),
    bind(
        "billing.day.up",
        &["up"],
        "The appointment before",
        Cmd::Up,
        None,
    ),
];

/// The parts of the screen with keys of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Panel {
    /// What is owed, by patient and how late.
    Aging,
    /// The money taken on a day.
    Cash,
    /// A bank statement's lines to review.
    Reconcile,
    Import,
    Pick,
    Split,
    Prices,
    Price,
    Detail,
    /// The money form: a payment, a refund or credit paid back.
    Payment,
    Line,
    Receipt,
    Reason,
    Day,
    Export,
    Statement,
}

impl PanelKind for Panel {
    const ALL: &'static [Panel] = &[
        Panel::Aging,
        Panel::Cash,
        Panel::Reconcile,
        Panel::Import,
        Panel::Pick,
        Panel::Split,
        Panel::Prices,
        Panel::Price,
        Panel::Detail,
        Panel::Payment,
        Panel::Line,
        Panel::Receipt,
        Panel::Reason,
        Panel::Day,
        Panel::Export,
        Panel::Statement,
    ];

    fn title(self) -> &'static str {
        match self {
            Panel::Aging => "Aging",
            Panel::Cash => "Cash report",
            Panel::Reconcile => "Reconcile",
            Panel::Import => "Import a statement",
            Panel::Pick => "Put a line on an invoice",
            Panel::Split => "Split a line over invoices",
            Panel::Prices => "Fee schedule",
            Panel::Price => "A price",
            Panel::Detail => "Invoice",
            Panel::Payment => "A payment or money paid back",
            Panel::Line => "Add a line",
            Panel::Receipt => "Receipt",
            Panel::Reason => "Void or credit: the reason",
            Panel::Day => "Invoice a day",
            Panel::Export => "Export the books",
            Panel::Statement => "A patient's statement",
        }
    }

    fn bindings(self) -> &'static [Binding] {
        match self {
            Panel::Aging => AGING,
            Panel::Cash => CASH,
            Panel::Reconcile => RECONCILE,
            Panel::Import => IMPORT,
            Panel::Pick => PICK,
            Panel::Split => SPLIT,
            Panel::Prices => PRICES,
            Panel::Price => PRICE,
            Panel::Detail => DETAIL,
            Panel::Payment => PAYMENT,
            Panel::Line => LINE,
            Panel::Receipt => RECEIPT,
            Panel::Reason => REASON,
            Panel::Day => DAY,
            Panel::Export => EXPORT,
            Panel::Statement => STATEMENT,
        }
    }
}
