//! The Records screen's keys: the doctor's day, the chart, the encounter (its note sections and
//! its lists apart, so arrows move in a note and between a list's rows), and its popups.

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
        Command::Screen(ScreenCmd::Records(cmd)),
        footer,
    )
}

/// The doctor's day.
pub const BINDINGS: &[Binding] = &[
    bind(
        "records.start",
        &["s"],
        "Start the consultation (appointment in progress, encounter opened)",
        Cmd::Start,
        Some("start consultation"),
    ),
    bind(
        "records.open",
        &["enter"],
        "Open the patient's chart",
        Cmd::Open,
        Some("open chart"),
    ),
    bind(
        "records.find",
        &["w", "/"],
        "Find any patient (a walk-in) and open their chart",
        Cmd::Find,
        Some("find patient"),
    ),
    bind(
        "records.down",
        &["down", "j"],
        "Next visit",
        Cmd::Down,
        None,
    ),
    bind("records.up", &["up", "k"], "Previous visit", Cmd::Up, None),
    bind(
        "records.previous_day",
        &["left", "["],
        "The day before",
        Cmd::PreviousDay,
        Some("day"),
    ),
    bind(
        "records.next_day",
        &["right", "]"],
        "The day after",
        Cmd::NextDay,
        None,
    ),
    bind("records.today", &["t"], "Back to today", Cmd::Today, None),
    bind(
        "records.refresh",
        &["r", "ctrl-r"],
        "Load again (it also updates by itself)",
        Cmd::Refresh,
        None,
    ),
];

pub const CHART_BINDINGS: &[Binding] = &[
    bind(
        "records.chart.edit",
        &["e", "enter"],
        "Continue your unsigned draft of this visit",
        Cmd::EditDraft,
        Some("edit draft"),
    ),
    bind(
        "records.chart.start",
        &["s"],
        "Start this visit's consultation",
        Cmd::Start,
        Some("start"),
    ),
    bind(
        "records.chart.note",
        &["n"],
        "A new note for this patient (a walk-in, a call)",
        Cmd::NewNote,
        Some("new note"),
    ),
    bind(
        "records.chart.amend",
        &["a"],
        "Amend a signed record",
        Cmd::Amend,
        Some("amend"),
    ),
    bind(
        "records.chart.break_glass",
        &["b"],
        "Emergency access to a patient outside your care (state why; logged for review)",
        Cmd::BreakGlass,
        Some("emergency access"),
    ),
    bind(
        "records.chart.down",
        &["down", "j"],
        "Scroll down",
        Cmd::Down,
        None,
    ),
    bind("records.chart.up", &["up", "k"], "Scroll up", Cmd::Up, None),
    bind(
        "records.chart.page_down",
        &["pagedown", "space"],
        "A page down",
        Cmd::PageDown,
        None,
    ),
    bind(
        "records.chart.page_up",
        &["pageup"],
        "A page up",
        Cmd::PageUp,
        None,
    ),
];

/// While a note section (S, O, A, P) has the cursor: every other key is the editor's.
pub const NOTE_BINDINGS: &[Binding] = &[
    bind(
        "records.encounter.next",
        &["tab"],
        "Next section",
        Cmd::NextSection,
        Some("next section"),
    ),
    bind(
        "records.encounter.previous",
        &["shift-tab"],
        "Previous section",
        Cmd::PreviousSection,
        None,
    ),
    bind(
        "records.encounter.save",
        &["ctrl-s"],
        "Save now (it also saves as you type)",
        Cmd::Save,
        None,
    ),
    bind(
        "records.encounter.sign",
        &["ctrl-g"],
        "Sign the encounter (asks for your password)",
        Cmd::Sign,
        Some("sign"),
    ),
    bind(
        "records.encounter.diagnosis",
        &["ctrl-d"],
        "Add a diagnosis (ICD-10-CM)",
        Cmd::AddDiagnosis,
        Some("diagnosis"),
    ),
    bind(
        "records.encounter.prescribe",
        &["ctrl-p"],
        "Add a prescription",
        Cmd::AddPrescription,
        Some("prescribe"),
    ),
    bind(
        "records.encounter.allergy",
        &["ctrl-t", "alt-a"],
        "Record an allergy of the patient",
        Cmd::AddAllergy,
        None,
    ),
];

/// While the vitals or a list (diagnoses, prescriptions) has the cursor.
pub const PARTS_BINDINGS: &[Binding] = &[
    bind(
        "records.parts.next",
        &["tab"],
        "Next field or section",
        Cmd::NextSection,
        Some("next"),
    ),
    bind(
        "records.parts.previous",
        &["shift-tab"],
        "Previous field or section",
        Cmd::PreviousSection,
        None,
    ),
    bind("records.parts.down", &["down"], "Next row", Cmd::Down, None),
    bind("records.parts.up", &["up"], "Previous row", Cmd::Up, None),
    bind(
        "records.parts.remove",
        &["delete", "ctrl-x"],
        "Remove the selected diagnosis or prescription",
        Cmd::Remove,
        Some("remove"),
    ),
    bind(
        "records.parts.save",
        &["ctrl-s"],
        "Save now",
        Cmd::Save,
        None,
    ),
    bind(
        "records.parts.sign",
        &["ctrl-g"],
        "Sign the encounter (asks for your password)",
        Cmd::Sign,
        Some("sign"),
    ),
    bind(
        "records.parts.diagnosis",
        &["ctrl-d"],
        "Add a diagnosis (ICD-10-CM)",
        Cmd::AddDiagnosis,
        Some("diagnosis"),
    ),
    bind(
        "records.parts.prescribe",
        &["ctrl-p"],
        "Add a prescription",
        Cmd::AddPrescription,
        Some("prescribe"),
    ),
    bind(
        "records.parts.allergy",
        &["ctrl-t", "alt-a"],
        "Record an allergy of the patient",
        Cmd::AddAllergy,
        None,
    ),
];

pub const DIAGNOSIS_BINDINGS: &[Binding] = &[
    bind(
        "records.diagnosis.pick",
        &["enter"],
        "Add the selected code",
        Cmd::Pick,
        Some("add"),
    ),
    bind(
        "records.diagnosis.down",
        &["down"],
        "Next code",
        Cmd::Down,
        None,
    ),
    bind(
        "records.diagnosis.up",
        &["up"],
        "Previous code",
        Cmd::Up,
        None,
    ),
];

pub const PRESCRIPTION_BINDINGS: &[Binding] = &[
    bind(
        "records.prescription.save",
        &["ctrl-s"],
        "Add the prescription",
        Cmd::Pick,
        Some("add"),
    ),
    bind(
        "records.prescription.next",
        &["tab", "down", "enter"],
        "Next field",
        Cmd::NextSection,
        Some("next field"),
    ),
    bind(
        "records.prescription.previous",
        &["shift-tab", "up"],
        "Previous field",
        Cmd::PreviousSection,
        None,
    ),
];

pub const ALLERGY_BINDINGS: &[Binding] = &[
    bind(
        "records.allergy.save",
        &["ctrl-s"],
        "Record the allergy",
        Cmd::Pick,
        Some("record"),
    ),
    bind(
        "records.allergy.next",
        &["tab", "enter"],
        "Next field",
        Cmd::NextSection,
        Some("next field"),
    ),
    bind(
        "records.allergy.previous",
        &["shift-tab"],
        "Previous field",
        Cmd::PreviousSection,
        None,
    ),
    bind(
        "records.allergy.down",
        &["down"],
        "Next severity",
        Cmd::Down,
        Some("severity"),
    ),
    bind(
        "records.allergy.up",
        &["up"],
        "Previous severity",
        Cmd::Up,
        None,
    ),
];

pub const FIND_BINDINGS: &[Binding] = &[
    bind(
        "records.find.open",
        &["enter"],
        "Open the chosen patient's chart",
        Cmd::Pick,
        Some("open chart"),
    ),
    bind(
        "records.find.down",
        &["down"],
        "Next patient",
        Cmd::Down,
        None,
    ),
    bind(
        "records.find.up",
        &["up"],
        "Previous patient",
        Cmd::Up,
        None,
    ),
];

pub const BREAK_GLASS_BINDINGS: &[Binding] = &[bind(
    "records.break_glass.open",
    &["enter"],
    "Open the chart for a while, with this reason",
    Cmd::Pick,
    Some("open, logged"),
)];

pub const AMEND_BINDINGS: &[Binding] = &[
    bind(
        "records.amend.save",
        &["ctrl-s"],
        "Save the amendment",
        Cmd::Pick,
        Some("save"),
    ),
    bind(
        "records.amend.next",
        &["tab", "enter"],
        "Next field",
        Cmd::NextSection,
        Some("next field"),
    ),
    bind(
        "records.amend.previous",
        &["shift-tab"],
        "Previous field",
        Cmd::PreviousSection,
        None,
    ),
    bind(
        "records.amend.down",
        &["down"],
        "The record before (on the Record field)",
        Cmd::Down,
        Some("record"),
    ),
    bind(
        "records.amend.up",
        &["up"],
        "The record after",
        Cmd::Up,
        None,
    ),
];

pub const SIGN_BINDINGS: &[Binding] = &[bind(
    "records.sign.confirm",
    &["enter"],
    "Sign with this password",
    Cmd::Pick,
    Some("sign"),
)];

/// The parts of the screen with keys of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Panel {
    Chart,
    Note,
    Parts,
    Diagnosis,
    Prescription,
    Allergy,
    Sign,
    Find,
    BreakGlass,
    Amend,
}

impl PanelKind for Panel {
    const ALL: &'static [Panel] = &[
        Panel::Chart,
        Panel::Note,
        Panel::Parts,
        Panel::Diagnosis,
        Panel::Prescription,
        Panel::Allergy,
        Panel::Sign,
        Panel::Find,
        Panel::BreakGlass,
        Panel::Amend,
    ];

    fn title(self) -> &'static str {
        match self {
            Panel::Chart => "Chart",
            Panel::Note => "Encounter note",
            Panel::Parts => "Encounter vitals and lists",
            Panel::Diagnosis => "Add a diagnosis",
            Panel::Prescription => "Add a prescription",
            Panel::Allergy => "Record an allergy",
            Panel::Sign => "Sign",
            Panel::Find => "Find a patient",
            Panel::BreakGlass => "Emergency access",
            Panel::Amend => "Amend a signed record",
        }
    }

    fn bindings(self) -> &'static [Binding] {
        match self {
            Panel::Chart => CHART_BINDINGS,
            Panel::Note => NOTE_BINDINGS,
            Panel::Parts => PARTS_BINDINGS,
            Panel::Diagnosis => DIAGNOSIS_BINDINGS,
            Panel::Prescription => PRESCRIPTION_BINDINGS,
            Panel::Allergy => ALLERGY_BINDINGS,
            Panel::Sign => SIGN_BINDINGS,
            Panel::Find => FIND_BINDINGS,
            Panel::BreakGlass => BREAK_GLASS_BINDINGS,
            Panel::Amend => AMEND_BINDINGS,
        }
    }
}
