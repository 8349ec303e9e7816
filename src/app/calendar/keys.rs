//! The calendar's keys, declared once per place (the grid, its forms, an appointment's detail,
//! the availability panel): they feed the key lookup, the footer and the `?` help.

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
        Command::Screen(ScreenCmd::Calendar(cmd)),
        footer,
    )
}

/// The grid's keys: declared once, feeding the footer, the help and the key lookup.
pub const BINDINGS: &[Binding] = &[
    bind(
        "calendar.open",
        &["enter"],
        "Open the appointment, or book the free slot (reception)",
        Cmd::Open,
        Some("open"),
    ),
    bind(
        "calendar.book",
        &["b"],
        "Book the slot under the cursor (reception)",
        Cmd::Book,
        Some("book"),
    ),
    bind(
        "calendar.check_in",
        &["c"],
        "Check the patient in (reception)",
        Cmd::CheckIn,
        Some("check in"),
    ),
    bind(
        "calendar.move",
        &["m"],
        "Move it: pick the new slot, then Enter",
        Cmd::Move,
        Some("move"),
    ),
    bind(
        "calendar.cancel",
        &["x"],
        "Cancel the appointment, with a reason (asks first)",
        Cmd::Cancel,
        Some("cancel"),
    ),
    bind(
        "calendar.next_free",
        &["f"],
        "Next free slot of this doctor from here",
        Cmd::FindFree,
        Some("next free"),
    ),
    bind(
        "calendar.next_free_any",
        &["F"],
        "Next free slot of any doctor from here",
        Cmd::FindFreeAny,
        None,
    ),
    bind(
        "calendar.no_show",
        &["N"],
        "Mark as no-show, once it has started (reception; asks first)",
        Cmd::NoShow,
        None,
    ),
    bind(
        "calendar.take_back",
        &["u"],
        "Take back a check-in or a no-show, with a reason (reception)",
        Cmd::TakeBack,
        None,
    ),
    bind(
        "calendar.advance",
        &["s"],
        "Start your consultation; when started, complete it (asks first)",
        Cmd::Advance,
        Some("start/complete"),
    ),
    bind("calendar.up", &["up", "k"], "Earlier slot", Cmd::Up, None),
    bind(
        "calendar.down",
        &["down", "j"],
        "Later slot",
        Cmd::Down,
        None,
    ),
    bind(
        "calendar.left",
        &["left", "h"],
        "Doctor on the left (week view: day before)",
        Cmd::Left,
        None,
    ),
    bind(
        "calendar.right",
        &["right", "l"],
        "Doctor on the right (week view: day after)",
        Cmd::Right,
        None,
    ),
    bind(
        "calendar.page_up",
        &["pageup"],
        "Two hours earlier",
        Cmd::PageUp,
        None,
    ),
    bind(
        "calendar.page_down",
        &["pagedown"],
        "Two hours later",
        Cmd::PageDown,
        None,
    ),
    bind(
        "calendar.prev_day",
        &["<", ","],
        "Previous day (week view: previous week)",
        Cmd::PrevDay,
        None,
    ),
    bind(
        "calendar.next_day",
        &[">", "."],
        "Next day (week view: next week)",
        Cmd::NextDay,
        None,
    ),
    bind(
        "calendar.prev_week",
        &["{"],
        "Same day a week earlier",
        Cmd::PrevWeek,
        None,
    ),
    bind(
        "calendar.next_week",
        &["}"],
        "Same day a week later",
        Cmd::NextWeek,
        None,
    ),
    bind(
        "calendar.prev_doctors",
        &["["],
        "Previous doctors (week view: doctor)",
        Cmd::PrevDoctors,
        None,
    ),
    bind(
        "calendar.next_doctors",
        &["]"],
        "Next doctors (week view: next doctor)",
        Cmd::NextDoctors,
        None,
    ),
    bind("calendar.today", &["t"], "Today", Cmd::Today, None),
    bind(
        "calendar.go_to",
        &["g"],
        "Go to a date (2026-12-24, +7, -1, ...)",
        Cmd::GoTo,
        None,
    ),
    bind(
        "calendar.week",
        &["w"],
        "Week of this doctor, or back to the day",
        Cmd::ToggleWeek,
        None,
    ),
    bind(
        "calendar.availability",
        &["a"],
        "The doctor's working hours and time off",
        Cmd::Availability,
        None,
    ),
    bind(
        "calendar.refresh",
        &["r", "ctrl-r"],
        "Load again",
        Cmd::Refresh,
        None,
    ),
];

/// The keys of the calendar's forms (booking, cancelling, a date, availability).
pub const FORM_BINDINGS: &[Binding] = &[
    bind(
        "calendar.form.save",
        &["ctrl-s"],
        "Save: book, cancel, go, keep the hours",
        Cmd::Save,
        Some("save"),
    ),
    bind(
        "calendar.form.next",
        &["tab"],
        "Next field",
        Cmd::NextField,
        Some("next field"),
    ),
    bind(
        "calendar.form.previous",
        &["shift-tab"],
        "Previous field",
        Cmd::PreviousField,
        None,
    ),
    bind(
        "calendar.form.enter",
        &["enter"],
        "Pick the patient, next field, or confirm",
        Cmd::FormEnter,
        Some("pick/next"),
    ),
    bind(
        "calendar.form.down",
        &["down"],
        "Next patient found, or next choice",
        Cmd::FormDown,
        Some("choose"),
    ),
    bind(
        "calendar.form.up",
        &["up"],
        "Previous patient found, or previous choice",
        Cmd::FormUp,
        None,
    ),
    bind(
        "calendar.form.next_free",
        &["ctrl-f"],
        "Booking: the doctor's next free time",
        Cmd::FormFindFree,
        None,
    ),
];

/// The keys of an appointment's detail.
pub const DETAIL_BINDINGS: &[Binding] = &[
    bind(
        "calendar.detail.check_in",
        &["c"],
        "Check the patient in (reception)",
        Cmd::CheckIn,
        Some("check in"),
    ),
    bind(
        "calendar.detail.advance",
        &["s"],
        "Start your consultation; when started, complete it (asks first)",
        Cmd::Advance,
        Some("start/complete"),
    ),
    bind(
        "calendar.detail.no_show",
        &["N"],
        "Mark as no-show, once it has started (reception; asks first)",
        Cmd::NoShow,
        Some("no-show"),
    ),
    bind(
        "calendar.detail.take_back",
        &["u"],
        "Take back a check-in or a no-show, with a reason (reception)",
        Cmd::TakeBack,
        Some("take back"),
    ),
    bind(
        "calendar.detail.cancel",
        &["x"],
        "Cancel, with a reason (reception; asks first)",
        Cmd::Cancel,
        Some("cancel"),
    ),
    bind(
        "calendar.detail.move",
        &["m"],
        "Move to another slot (reception)",
        Cmd::Move,
        None,
    ),
    bind(
        "calendar.detail.patient",
        &["o"],
        "Open the patient",
        Cmd::OpenPatient,
        None,
    ),
];

/// The keys of a doctor's availability panel.
pub const AVAILABILITY_BINDINGS: &[Binding] = &[
    bind(
        "calendar.availability.add_hours",
        &["a"],
        "Add working hours",
        Cmd::AddHours,
        Some("add hours"),
    ),
    bind(
        "calendar.availability.add_time_off",
        &["l"],
        "Add leave or blocked time",
        Cmd::AddTimeOff,
        Some("add time off"),
    ),
    bind(
        "calendar.availability.edit",
        &["enter", "e"],
        "Change the working hours",
        Cmd::EditRow,
        Some("edit"),
    ),
    bind(
        "calendar.availability.delete",
        &["d", "delete"],
        "Delete the row (asks first)",
        Cmd::DeleteRow,
        Some("delete"),
    ),
    bind(
        "calendar.availability.up",
        &["up", "k"],
        "Previous row",
        Cmd::Up,
        None,
    ),
    bind(
        "calendar.availability.down",
        &["down", "j"],
        "Next row",
        Cmd::Down,
        None,
    ),
];

/// What this screen's keys ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    Refresh,
    Open,
    Book,
    CheckIn,
    Move,
    Cancel,
    NoShow,
    Advance,
    FindFree,
    FindFreeAny,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    PrevDay,
    NextDay,
    PrevWeek,
    NextWeek,
    PrevDoctors,
    NextDoctors,
    Today,
    GoTo,
    ToggleWeek,
    Availability,
    // Forms.
    Save,
    NextField,
    PreviousField,
    FormEnter,
    FormUp,
    FormDown,
    FormFindFree,
    // Detail.
    OpenPatient,
    // Availability.
    AddHours,
    AddTimeOff,
    EditRow,
    DeleteRow,
    TakeBack,
    // Answers to the confirm popup (about `CalendarScreen::asking`).
    /// Yes, throw the form away.
    Discard,
    /// Yes, mark it a no-show.
    NoShowConfirmed,
    /// Yes, complete the consultation.
    CompleteConfirmed,
    /// Yes, cancel it (the reason comes next).
    CancelConfirmed,
    /// Yes, delete the availability row asked about.
    DeleteConfirmed,
}

/// The parts of the calendar with keys of their own, in front of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Panel {
    /// The calendar's forms: booking, cancelling, going to a date, editing availability.
    Form,
    /// One appointment with its status history.
    Detail,
    /// A doctor's working hours and time off.
    Availability,
}

impl PanelKind for Panel {
    const ALL: &'static [Panel] = &[Panel::Form, Panel::Detail, Panel::Availability];

    fn title(self) -> &'static str {
        match self {
            Panel::Form => "Calendar form",
            Panel::Detail => "Appointment",
            Panel::Availability => "Availability",
        }
    }

    fn bindings(self) -> &'static [Binding] {
        match self {
            Panel::Form => FORM_BINDINGS,
            Panel::Detail => DETAIL_BINDINGS,
            Panel::Availability => AVAILABILITY_BINDINGS,
        }
    }
}
