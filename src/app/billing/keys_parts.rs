//! The keys of the Billing screen's other parts: reconciling a statement (and its popups), the
//! aging, the day's cash and the fee schedule. The invoice list's, an invoice's and their popups'
//! are in keys.rs, with the panels that pick among them.

use super::keys::bind;
use super::Cmd;
use crate::app::keymap::Binding;

/// Every key here is a control key: the fields take all the printable ones.
pub(super) const SPLIT: &[Binding] = &[
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

pub(super) const AGING: &[Binding] = &[
    bind(
        "billing.aging.open",
        &["enter"],
        "The patient's invoices",
        Cmd::Open,
        Some("invoices"),
    ),
    bind(
        "billing.aging.statement",
        &["s"],
        "The patient's statement (printable, kept as a file)",
        Cmd::Statement,
        Some("statement"),
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

pub(super) const RECONCILE: &[Binding] = &[
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

pub(super) const PRICES: &[Binding] = &[
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
pub(super) const PRICE: &[Binding] = &[
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

pub(super) const IMPORT: &[Binding] = &[bind(
    "billing.import.submit",
    &["enter"],
    "Read and stage the file",
    Cmd::Submit,
    Some("import"),
)];

pub(super) const PICK: &[Binding] = &[bind(
    "billing.pick.submit",
    &["enter"],
    "Find the invoice; once found, put the line on it",
    Cmd::Submit,
    Some("find / accept"),
)];

pub(super) const CASH: &[Binding] = &[
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

pub(super) const EXPORT: &[Binding] = &[
    bind(
        "billing.export.save",
        &["ctrl-s"],
        "Write the three files",
        Cmd::Save,
        Some("export"),
    ),
    bind(
        "billing.export.enter",
        &["enter"],
        "Next field; on the last, write the files",
        Cmd::FormEnter,
        Some("next"),
    ),
    bind(
        "billing.export.next",
        &["tab", "down"],
        "Next field",
        Cmd::NextField,
        None,
    ),
    bind(
        "billing.export.previous",
        &["shift-tab", "up"],
        "Previous field",
        Cmd::PreviousField,
        None,
    ),
];

pub(super) const STATEMENT: &[Binding] = &[
    bind(
        "billing.statement_view.close",
        &["enter"],
        "Close the statement (its file stays)",
        Cmd::Close,
        Some("close"),
    ),
    bind(
        "billing.statement_view.down",
        &["down", "j"],
        "Scroll down",
        Cmd::Down,
        None,
    ),
    bind(
        "billing.statement_view.up",
        &["up", "k"],
        "Scroll up",
        Cmd::Up,
        None,
    ),
    bind(
        "billing.statement_view.page_down",
        &["pagedown"],
        "A page down",
        Cmd::PageDown,
        None,
    ),
    bind(
        "billing.statement_view.page_up",
        &["pageup"],
        "A page up",
        Cmd::PageUp,
        None,
    ),
];
