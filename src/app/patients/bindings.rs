//! The patients screen's keys: the receptionist's lookup is the screen's own list; every other
//! layer (the read-only lookup, the summary, the form and its popups) is a panel with its own, so
//! the footer and `?` offer only what works there and for this job.

use super::Cmd;
use crate::app::keymap::{self, Binding, Command};
use crate::app::registry::ScreenCmd;
use crate::app::screen::PanelKind;

/// This screen's bindings: the shared declaration with this screen's command.
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
        Command::Screen(ScreenCmd::Patients(cmd)),
        footer,
    )
}

/// The lookup for reception: find, open, register, book, check in.
pub const BINDINGS: &[Binding] = &[
    bind(
        "patients.open",
        &["enter"],
        "Open the selected patient's summary",
        Cmd::Open,
        Some("open"),
    ),
    bind(
        "patients.new",
        &["n", "ctrl-n"],
        "Register a new patient",
        Cmd::New,
        Some("new patient"),
    ),
    bind(
        "patients.book",
        &["b"],
        "Book for the selected patient",
        Cmd::Book,
        Some("book"),
    ),
    bind(
        "patients.check_in",
        &["c"],
        "Check the selected patient in today",
        Cmd::CheckIn,
        Some("check in"),
    ),
    bind(
        "patients.search",
        &["/"],
        "Back to the search box",
        Cmd::FocusSearch,
        None,
    ),
    bind(
        "patients.switch",
        &["tab", "shift-tab"],
        "Search box or list (Esc leaves the box)",
        Cmd::SwitchFocus,
        None,
    ),
    bind(
        "patients.down",
        &["down", "j"],
        "Next patient (from the box: into the list)",
        Cmd::Down,
        None,
    ),
    bind(
        "patients.up",
        &["up", "k"],
        "Previous patient (at the top: the box)",
        Cmd::Up,
        None,
    ),
    bind(
        "patients.page_down",
        &["pagedown"],
        "A page down the list",
        Cmd::PageDown,
        None,
    ),
    bind(
        "patients.page_up",
        &["pageup"],
        "A page up the list",
        Cmd::PageUp,
        None,
    ),
];

/// The lookup for doctors, admins and accountants: find and read.
const LOOKUP_READ_ONLY: &[Binding] = &[
    bind(
        "patients.ro.open",
        &["enter"],
        "Open the selected patient's summary",
        Cmd::Open,
        Some("open"),
    ),
    bind(
        "patients.ro.search",
        &["/"],
        "Back to the search box",
        Cmd::FocusSearch,
        None,
    ),
    bind(
        "patients.ro.switch",
        &["tab", "shift-tab"],
        "Search box or list (Esc leaves the box)",
        Cmd::SwitchFocus,
        None,
    ),
    bind(
        "patients.ro.down",
        &["down", "j"],
        "Next patient (from the box: into the list)",
        Cmd::Down,
        None,
    ),
    bind(
        "patients.ro.up",
        &["up", "k"],
        "Previous patient (at the top: the box)",
        Cmd::Up,
        None,
    ),
    bind(
        "patients.ro.page_down",
        &["pagedown"],
        "A page down the list",
        Cmd::PageDown,
        None,
    ),
    bind(
        "patients.ro.page_up",
        &["pageup"],
        "A page up the list",
        Cmd::PageUp,
        None,
    ),
];

const SUMMARY: &[Binding] = &[
    bind(
        "patients.summary.edit",
        &["e"],
        "Edit this patient's details",
        Cmd::Edit,
        Some("edit"),
    ),
    bind(
        "patients.summary.book",
        &["b"],
        "Book an appointment for this patient",
        Cmd::Book,
        Some("book"),
    ),
    bind(
        "patients.summary.check_in",
        &["c"],
        "Check in today's appointment",
        Cmd::CheckIn,
        Some("check in"),
    ),
    bind(
        "patients.summary.pay",
        &["p"],
        "Take a payment against the patient's open invoice (shows a receipt)",
        Cmd::Pay,
        Some("payment"),
    ),
    bind(
        "patients.summary.refresh",
        &["r"],
        "Read the summary again",
        Cmd::Refresh,
        None,
    ),
    bind(
        "patients.summary.search",
        &["/"],
        "Back to the search box",
        Cmd::FocusSearch,
        None,
    ),
];

const SUMMARY_READ_ONLY: &[Binding] = &[
    bind(
        "patients.summary_ro.search",
        &["/"],
        "Back to the search box",
        Cmd::FocusSearch,
        Some("search"),
    ),
    bind(
        "patients.summary_ro.invoices",
        &["p"],
        "The patient's invoices, on the billing screen",
        Cmd::Invoices,
        Some("invoices"),
    ),
    bind(
        "patients.summary_ro.audit",
        &["a"],
        "Who read or changed this patient's data: the audit trail (administrators)",
        Cmd::AuditTrail,
        Some("audit trail"),
    ),
    bind(
        "patients.summary_ro.refresh",
        &["r"],
        "Read the summary again",
        Cmd::Refresh,
        None,
    ),
];

/// Every key here is a control key: the fields take all the printable ones.
const FORM: &[Binding] = &[
    bind(
        "patients.form.save",
        &["ctrl-s"],
        "Save (checks for likely duplicates first)",
        Cmd::Save,
        Some("save"),
    ),
    bind(
        "patients.form.next",
        &["tab"],
        "Next field",
        Cmd::NextField,
        Some("next field"),
    ),
    bind(
        "patients.form.previous",
        &["shift-tab"],
        "Previous field",
        Cmd::PreviousField,
        None,
    ),
    bind(
        "patients.form.down",
        &["down", "enter"],
        "Next field (stops at the last)",
        Cmd::Down,
        None,
    ),
    bind(
        "patients.form.up",
        &["up"],
        "Previous field (stops at the first)",
        Cmd::Up,
        None,
    ),
];

const DUPLICATES: &[Binding] = &[
    bind(
        "patients.duplicates.open",
        &["enter"],
        "Open this patient instead (asks first)",
        Cmd::Open,
        Some("open existing"),
    ),
    bind(
        "patients.duplicates.save_anyway",
        &["s"],
        "Not the same person: save anyway",
        Cmd::SaveAnyway,
        Some("save anyway"),
    ),
    bind(
        "patients.duplicates.down",
        &["down", "j"],
        "Next candidate",
        Cmd::Down,
        None,
    ),
    bind(
        "patients.duplicates.up",
        &["up", "k"],
        "Previous candidate",
        Cmd::Up,
        None,
    ),
];

const STALE: &[Binding] = &[
    bind(
        "patients.stale.reload",
        &["r"],
        "Load their version (drops what you typed)",
        Cmd::Refresh,
        Some("load theirs"),
    ),
    bind(
        "patients.stale.save",
        &["ctrl-s"],
        "Save yours over their version",
        Cmd::Save,
        Some("save yours"),
    ),
    bind(
        "patients.stale.keep",
        &["enter"],
        "Keep editing yours",
        Cmd::KeepEditing,
        Some("keep editing"),
    ),
];

/// The layers of the patients screen that have keys of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Panel {
    LookupReadOnly,
    Summary,
    SummaryReadOnly,
    Form,
    Duplicates,
    Stale,
}

impl PanelKind for Panel {
    const ALL: &'static [Panel] = &[
        Panel::LookupReadOnly,
        Panel::Summary,
        Panel::SummaryReadOnly,
        Panel::Form,
        Panel::Duplicates,
        Panel::Stale,
    ];

    fn title(self) -> &'static str {
        match self {
            Panel::LookupReadOnly => "Patients",
            Panel::Summary | Panel::SummaryReadOnly => "Patient summary",
            Panel::Form => "Patient form",
            Panel::Duplicates => "Likely duplicates",
            Panel::Stale => "Changed by someone else",
        }
    }

    fn bindings(self) -> &'static [Binding] {
        match self {
            Panel::LookupReadOnly => LOOKUP_READ_ONLY,
            Panel::Summary => SUMMARY,
            Panel::SummaryReadOnly => SUMMARY_READ_ONLY,
            Panel::Form => FORM,
            Panel::Duplicates => DUPLICATES,
            Panel::Stale => STALE,
        }
    }
}
