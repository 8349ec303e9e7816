//! The Admin screen's keys: the staff list (the screen's own), each other part (permissions, the
//! audit trail, emergency accesses to review, the clinic's settings) and the forms.

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
        Command::Screen(ScreenCmd::Admin(cmd)),
        footer,
    )
}

/// The keys every part has: moving between parts and along its list, and reading it again.
macro_rules! part_keys {
    ($part:literal, $noun:literal) => {
        [
            bind(
                concat!("admin.", $part, ".next_tab"),
                &["tab"],
                "Next part: staff, permissions, audit, emergency access, settings",
                Cmd::NextTab,
                None,
            ),
            bind(
                concat!("admin.", $part, ".previous_tab"),
                &["shift-tab"],
                "Previous part",
                Cmd::PreviousTab,
                None,
            ),
            bind(
                concat!("admin.", $part, ".down"),
                &["down", "j"],
                concat!("Next ", $noun),
                Cmd::Down,
                None,
            ),
            bind(
                concat!("admin.", $part, ".up"),
                &["up", "k"],
                concat!("Previous ", $noun),
                Cmd::Up,
                None,
            ),
            bind(
                concat!("admin.", $part, ".page_down"),
                &["pagedown"],
                "A page down",
                Cmd::PageDown,
                None,
            ),
            bind(
                concat!("admin.", $part, ".page_up"),
                &["pageup"],
                "A page up",
                Cmd::PageUp,
                None,
            ),
            bind(
                concat!("admin.", $part, ".refresh"),
                &["ctrl-r"],
                "Read it again",
                Cmd::Refresh,
                None,
            ),
        ]
    };
}

const STAFF_PARTS: [Binding; 7] = part_keys!("staff", "person");
const REVIEW_PARTS: [Binding; 7] = part_keys!("reviews", "access");
const SETTINGS_PARTS: [Binding; 7] = part_keys!("settings", "setting");
const PERMISSION_PARTS: [Binding; 7] = part_keys!("permissions", "row");
const AUDIT_PARTS: [Binding; 7] = part_keys!("audit", "entry");

/// The staff list.
pub const BINDINGS: &[Binding] = &[
    bind(
        "admin.staff.add",
        &["a"],
        "Add a person: their login, name, job and first password",
        Cmd::Add,
        Some("add"),
    ),
    bind(
        "admin.staff.job",
        &["j"],
        "Change the selected person's job",
        Cmd::ChangeJob,
        Some("change job"),
    ),
    bind(
        "admin.staff.reset",
        &["r"],
        "Reset their password (they choose a new one at their next sign-in)",
        Cmd::ResetPassword,
        Some("reset password"),
    ),
    bind(
        "admin.staff.deactivate",
        &["d"],
        "Deactivate: locked out of the app and of PostgreSQL, open sessions ended",
        Cmd::Deactivate,
        Some("deactivate"),
    ),
    bind(
        "admin.staff.reactivate",
        &["e"],
        "Reactivate a deactivated person",
        Cmd::Reactivate,
        None,
    ),
    STAFF_PARTS[0],
    STAFF_PARTS[1],
    bind(
        "admin.staff.down",
        &["down"],
        "Next person",
        Cmd::Down,
        None,
    ),
    bind("admin.staff.up", &["up"], "Previous person", Cmd::Up, None),
    STAFF_PARTS[4],
    STAFF_PARTS[5],
    STAFF_PARTS[6],
];

const REVIEWS: &[Binding] = &[
    bind(
        "admin.reviews.review",
        &["enter", "m"],
        "Mark the selected access reviewed, with a note",
        Cmd::Review,
        Some("mark reviewed"),
    ),
    REVIEW_PARTS[0],
    REVIEW_PARTS[1],
    REVIEW_PARTS[2],
    REVIEW_PARTS[3],
    REVIEW_PARTS[4],
    REVIEW_PARTS[5],
    REVIEW_PARTS[6],
];

const SETTINGS: &[Binding] = &[
    bind(
        "admin.settings.edit",
        &["enter", "e"],
        "Change the clinic's settings",
        Cmd::EditSettings,
        Some("change"),
    ),
    SETTINGS_PARTS[0],
    SETTINGS_PARTS[1],
    SETTINGS_PARTS[6],
];

const PERMISSIONS: &[Binding] = &[
    bind(
        "admin.permissions.filter",
        &["/"],
        "Filter by role, table, function or operation",
        Cmd::Filter,
        Some("filter"),
    ),
    bind(
        "admin.permissions.done",
        &["enter"],
        "Leave the filter (it keeps narrowing the list)",
        Cmd::FormEnter,
        None,
    ),
    bind(
        "admin.permissions.kind",
        &["f"],
        "Tables or functions",
        Cmd::NextKind,
        Some("tables/functions"),
    ),
    PERMISSION_PARTS[0],
    PERMISSION_PARTS[1],
    PERMISSION_PARTS[2],
    PERMISSION_PARTS[3],
    PERMISSION_PARTS[4],
    PERMISSION_PARTS[5],
    PERMISSION_PARTS[6],
];

const AUDIT: &[Binding] = &[
    bind(
        "admin.audit.filter",
        &["/", "f"],
        "Filter by person, patient, action, table and dates",
        Cmd::Filter,
        Some("filter"),
    ),
    bind(
        "admin.audit.verify",
        &["v"],
        "Check the whole chain (nothing changed or removed)",
        Cmd::Verify,
        Some("verify chain"),
    ),
    bind(
        "admin.audit.export",
        &["e"],
        "Export the filtered entries as CSV",
        Cmd::Export,
        Some("export"),
    ),
    AUDIT_PARTS[0],
    AUDIT_PARTS[1],
    AUDIT_PARTS[2],
    AUDIT_PARTS[3],
    AUDIT_PARTS[4],
    AUDIT_PARTS[5],
    AUDIT_PARTS[6],
];

/// Every form of the screen (a person, a job, a password, a review's note, the settings, a
/// filter).
const FORM: &[Binding] = &[
    bind(
        "admin.form.save",
        &["ctrl-s"],
        "Save",
        Cmd::Save,
        Some("save"),
    ),
    bind(
        "admin.form.enter",
        &["enter"],
        "Next field; on the last, save",
        Cmd::FormEnter,
        Some("next"),
    ),
    bind(
        "admin.form.next",
        &["tab", "down"],
        "Next field",
        Cmd::NextField,
        None,
    ),
    bind(
        "admin.form.previous",
        &["shift-tab", "up"],
        "Previous field",
        Cmd::PreviousField,
        None,
    ),
    bind(
        "admin.form.choice_next",
        &["right", "]"],
        "Next choice (a job)",
        Cmd::ChoiceNext,
        None,
    ),
    bind(
        "admin.form.choice_previous",
        &["left", "["],
        "Previous choice",
        Cmd::ChoicePrevious,
        None,
    ),
];

/// The parts with keys of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Panel {
    Permissions,
    Audit,
    Reviews,
    Settings,
    Form,
}

impl PanelKind for Panel {
    const ALL: &'static [Panel] = &[
        Panel::Permissions,
        Panel::Audit,
        Panel::Reviews,
        Panel::Settings,
        Panel::Form,
    ];

    fn title(self) -> &'static str {
        match self {
            Panel::Permissions => "Permissions",
            Panel::Audit => "Audit trail",
            Panel::Reviews => "Emergency access to review",
            Panel::Settings => "Clinic settings",
            Panel::Form => "A form",
        }
    }

    fn bindings(self) -> &'static [Binding] {
        match self {
            Panel::Permissions => PERMISSIONS,
            Panel::Audit => AUDIT,
            Panel::Reviews => REVIEWS,
            Panel::Settings => SETTINGS,
            Panel::Form => FORM,
        }
    }
}
