//! The Billing screen's keys: the invoice list, an invoice's detail, and the popups (a payment,
//! its receipt, a reason for a void or a credit note, invoicing a day).

use super::Cmd;
use crate::app::keymap::{self, Binding, Command};
use crate::app::registry::ScreenCmd;
use crate::app::screen::PanelKind;

const fn bind(
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
        "Next part: invoices, aging, cash",
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
        "Record the payment",
        Cmd::Save,
        Some("record"),
    ),
    bind(
        "billing.payment.enter",
        &["enter"],
        "Next field; on the last, record the payment",
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

/// Every key here is a control key: the fields take all the printable ones.
const SPLIT: &[Binding] = &[
    bind(
        "billing.split.save",
        &["ctrl-s"],
        "Put the line on these invoices",
        Cmd::Save,
        Some("split"),
    ),
    bind(
        "billing.split.enter",
        &["enter"],
        "Next field; on the last, split",
        Cmd::FormEnter,
        Some("next"),
    ),
    bind(
        "billing.split.next",
        &["tab", "down"],
        "Next field",
        Cmd::NextField,
        None,
    ),
    bind(
        "billing.split.previous",
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
        "Scroll the preview down",
        Cmd::Down,
        None,
    ),
    bind(
        "billing.day.up",
        &["up"],
        "Scroll the preview up",
        Cmd::Up,
        None,
    ),
];

const AGING: &[Binding] = &[
    bind(
        "billing.aging.open",
        &["enter"],
        "The patient's invoices",
        Cmd::Open,
        Some("invoices"),
    ),
    bind(
        "billing.aging.next_tab",
        &["tab"],
        "Next part",
        Cmd::NextTab,
        Some("next part"),
    ),
    bind(
        "billing.aging.previous_tab",
        &["shift-tab"],
        "Previous part",
        Cmd::PreviousTab,
        None,
    ),
    bind(
        "billing.aging.down",
        &["down", "j"],
        "Next patient",
        Cmd::Down,
        None,
    ),
    bind(
        "billing.aging.up",
        &["up", "k"],
        "Previous patient",
        Cmd::Up,
        None,
    ),
    bind(
        "billing.aging.page_down",
        &["pagedown"],
        "A page down",
        Cmd::PageDown,
        None,
    ),
    bind(
        "billing.aging.page_up",
        &["pageup"],
        "A page up",
        Cmd::PageUp,
        None,
    ),
    bind(
        "billing.aging.refresh",
        &["r", "ctrl-r"],
        "Read the aging again",
        Cmd::Refresh,
        None,
    ),
];

const RECONCILE: &[Binding] = &[
    bind(
        "billing.reconcile.accept",
        &["a"],
        "Accept the suggestion: a bank-transfer payment on that invoice",
        Cmd::Accept,
        Some("accept"),
    ),
    bind(
        "billing.reconcile.pick",
        &["p"],
        "Put the line on an invoice by its number",
        Cmd::Pick,
        Some("pick invoice"),
    ),
    bind(
        "billing.reconcile.split",
        &["s"],
        "Split the line over several invoices (by their numbers)",
        Cmd::Split,
        Some("split"),
    ),
    bind(
        "billing.reconcile.not_ours",
        &["o"],
        "Not ours (someone else's money): it leaves the list",
        Cmd::NotOurs,
        Some("not ours"),
    ),
    bind(
        "billing.reconcile.skip",
        &["space"],
        "Leave it for later: the next line",
        Cmd::Skip,
        Some("skip"),
    ),
    bind(
        "billing.reconcile.import",
        &["i"],
        "Import a bank statement (CSV or CAMT.053)",
        Cmd::Import,
        Some("import"),
    ),
    bind(
        "billing.reconcile.next_tab",
        &["tab"],
        "Next part",
        Cmd::NextTab,
        None,
    ),
    bind(
        "billing.reconcile.previous_tab",
        &["shift-tab"],
        "Previous part",
        Cmd::PreviousTab,
        None,
    ),
    bind(
        "billing.reconcile.down",
        &["down", "j"],
        "Next line",
        Cmd::Down,
        None,
    ),
    bind(
        "billing.reconcile.up",
        &["up", "k"],
        "Previous line",
        Cmd::Up,
        None,
    ),
    bind(
        "billing.reconcile.page_down",
        &["pagedown"],
        "A page down",
        Cmd::PageDown,
        None,
    ),
    bind(
        "billing.reconcile.page_up",
        &["pageup"],
        "A page up",
        Cmd::PageUp,
        None,
    ),
    bind(
        "billing.reconcile.refresh",
        &["r", "ctrl-r"],
        "Read the lines again",
        Cmd::Refresh,
        None,
    ),
];

const PRICES: &[Binding] = &[
    bind(
        "billing.prices.new_price",
        &["c"],
        "A new price for the selected service, from a day on",
        Cmd::NewPrice,
        Some("change price"),
    ),
    bind(
        "billing.prices.new_service",
        &["n"],
        "A new service",
        Cmd::NewService,
        Some("new service"),
    ),
    bind(
        "billing.prices.next_tab",
        &["tab"],
        "Next part",
        Cmd::NextTab,
        None,
    ),
    bind(
        "billing.prices.previous_tab",
        &["shift-tab"],
        "Previous part",
        Cmd::PreviousTab,
        None,
    ),
    bind(
        "billing.prices.down",
        &["down", "j"],
        "Next service",
        Cmd::Down,
        None,
    ),
    bind(
        "billing.prices.up",
        &["up", "k"],
        "Previous service",
        Cmd::Up,
        None,
    ),
    bind(
        "billing.prices.refresh",
        &["r", "ctrl-r"],
        "Read the fee schedule again",
        Cmd::Refresh,
        None,
    ),
];

/// Every key here is a control key: the fields take all the printable ones.
const PRICE: &[Binding] = &[
    bind(
        "billing.price.save",
        &["ctrl-s"],
        "Save",
        Cmd::Save,
        Some("save"),
    ),
    bind(
        "billing.price.enter",
        &["enter"],
        "Next field; on the last, save",
        Cmd::FormEnter,
        Some("next"),
    ),
    bind(
        "billing.price.next",
        &["tab", "down"],
        "Next field",
        Cmd::NextField,
        None,
    ),
    bind(
        "billing.price.previous",
        &["shift-tab", "up"],
        "Previous field",
        Cmd::PreviousField,
        None,
    ),
];

const IMPORT: &[Binding] = &[bind(
    "billing.import.submit",
    &["enter"],
    "Read and stage the file",
    Cmd::Submit,
    Some("import"),
)];

const PICK: &[Binding] = &[bind(
    "billing.pick.submit",
    &["enter"],
    "Find the invoice; once found, put the line on it",
    Cmd::Submit,
    Some("find / accept"),
)];

const CASH: &[Binding] = &[
    bind(
        "billing.cash.previous_day",
        &["left", "["],
        "The day before",
        Cmd::PreviousDay,
        Some("day"),
    ),
    bind(
        "billing.cash.next_day",
        &["right", "]"],
        "The day after",
        Cmd::NextDay,
        None,
    ),
    bind(
        "billing.cash.today",
        &["t"],
        "Today",
        Cmd::Today,
        Some("today"),
    ),
    bind(
        "billing.cash.next_tab",
        &["tab"],
        "Next part",
        Cmd::NextTab,
        Some("next part"),
    ),
    bind(
        "billing.cash.previous_tab",
        &["shift-tab"],
        "Previous part",
        Cmd::PreviousTab,
        None,
    ),
    bind(
        "billing.cash.refresh",
        &["r", "ctrl-r"],
        "Read the day again",
        Cmd::Refresh,
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
    Payment,
    Line,
    Receipt,
    Reason,
    Day,
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
            Panel::Payment => "Take a payment",
            Panel::Line => "Add a line",
            Panel::Receipt => "Receipt",
            Panel::Reason => "Void or credit: the reason",
            Panel::Day => "Invoice a day",
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
        }
    }
}
