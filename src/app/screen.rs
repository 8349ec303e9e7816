//! The screens of the shell, which jobs get which, and what every screen's state must answer.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::staff::{Job, StaffIdentity};

use super::action::{Effect, RequestId};
use super::keymap::Binding;
use super::{admin, billing, calendar, patients, queue, records};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScreenId {
    Patients,
    Calendar,
    Queue,
    Records,
    Billing,
    Admin,
}

/// How much of a screen's data a job may change. The database enforces it; the app only says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Full,
    ReadOnly,
}

impl ScreenId {
    pub const ALL: [ScreenId; 6] = [
        ScreenId::Patients,
        ScreenId::Calendar,
        ScreenId::Queue,
        ScreenId::Records,
        ScreenId::Billing,
        ScreenId::Admin,
    ];

    pub fn title(self) -> &'static str {
        match self {
            ScreenId::Patients => "Patients",
            ScreenId::Calendar => "Calendar",
            ScreenId::Queue => "Queue",
            ScreenId::Records => "Records",
            ScreenId::Billing => "Billing",
            ScreenId::Admin => "Admin",
        }
    }

    /// The word typed at the `:` command line.
    pub fn command_name(self) -> &'static str {
        match self {
            ScreenId::Patients => "patients",
            ScreenId::Calendar => "calendar",
            ScreenId::Queue => "queue",
            ScreenId::Records => "records",
            ScreenId::Billing => "billing",
            ScreenId::Admin => "admin",
        }
    }

    pub fn bindings(self) -> &'static [Binding] {
        match self {
            ScreenId::Patients => patients::BINDINGS,
            ScreenId::Calendar => calendar::BINDINGS,
            ScreenId::Queue => queue::BINDINGS,
            ScreenId::Records => records::BINDINGS,
            ScreenId::Billing => billing::BINDINGS,
            ScreenId::Admin => admin::BINDINGS,
        }
    }
}

/// The top bar of each job, in order (design.md, "Roles and what they may do").
pub fn screens_for(job: Job) -> &'static [(ScreenId, Access)] {
    use Access::{Full, ReadOnly};
    match job {
        Job::Admin => &[
            (ScreenId::Patients, ReadOnly),
            (ScreenId::Calendar, ReadOnly),
            (ScreenId::Billing, ReadOnly),
            (ScreenId::Admin, Full),
        ],
        Job::Doctor => &[
            (ScreenId::Patients, ReadOnly),
            (ScreenId::Calendar, Full),
            (ScreenId::Records, Full),
        ],
        Job::Receptionist => &[
            (ScreenId::Patients, Full),
            (ScreenId::Calendar, Full),
            (ScreenId::Queue, Full),
            (ScreenId::Billing, Full),
        ],
        Job::Accountant => &[(ScreenId::Patients, ReadOnly), (ScreenId::Billing, Full)],
    }
}

/// What the shell asks of every screen's state, whatever the screen holds.
pub trait ScreenState {
    /// Typed but not saved: quitting must ask first.
    fn has_unsaved_input(&self) -> bool {
        false
    }

    /// A text field has the focus, so plain characters are typed rather than taken as commands.
    fn text_focused(&self) -> bool {
        false
    }

    /// Whether this person is offered `command` in the footer: a key their job cannot use only
    /// crowds out one they can. (The key still answers, with a refusal in words.)
    fn offers(&self, _command: super::keymap::Command) -> bool {
        true
    }

    /// A part of the screen with keys of its own (a form, a popup) is in front of the screen's keys.
    fn panel(&self) -> Option<Panel> {
        None
    }

    /// Something on the screen closes with `back` (Esc): a panel, or a step half taken.
    fn can_go_back(&self) -> bool {
        self.panel().is_some()
    }
}

/// A part of a screen with its own list of keys: while it is open its list replaces the screen's
/// (the shell's and the global keys stay), so the footer and `?` show what works there and the
/// same key can mean different things in a form and on the grid behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Panel {
    /// The calendar's forms: booking, cancelling, going to a date, editing availability.
    CalendarForm,
    /// One appointment with its status history.
    CalendarDetail,
    /// A doctor's working hours and time off.
    CalendarAvailability,
    /// The patient summary, the registration/edit form and its popups (`patients::Panel`).
    Patients(patients::Panel),
}

impl Panel {
    pub const ALL: [Panel; 10] = [
        Panel::CalendarForm,
        Panel::CalendarDetail,
        Panel::CalendarAvailability,
        Panel::Patients(patients::Panel::ALL[0]),
        Panel::Patients(patients::Panel::ALL[1]),
        Panel::Patients(patients::Panel::ALL[2]),
        Panel::Patients(patients::Panel::ALL[3]),
        Panel::Patients(patients::Panel::ALL[4]),
        Panel::Patients(patients::Panel::ALL[5]),
        Panel::Patients(patients::Panel::ALL[6]),
    ];

    /// The screen the panel belongs to.
    pub fn screen(self) -> ScreenId {
        match self {
            Panel::CalendarForm | Panel::CalendarDetail | Panel::CalendarAvailability => {
                ScreenId::Calendar
            }
            Panel::Patients(_) => ScreenId::Patients,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Panel::CalendarForm => "Calendar form",
            Panel::CalendarDetail => "Appointment",
            Panel::CalendarAvailability => "Availability",
            Panel::Patients(p) => p.title(),
        }
    }

    pub fn bindings(self) -> &'static [Binding] {
        match self {
            Panel::CalendarForm => calendar::FORM_BINDINGS,
            Panel::CalendarDetail => calendar::DETAIL_BINDINGS,
            Panel::CalendarAvailability => calendar::AVAILABILITY_BINDINGS,
            Panel::Patients(p) => p.bindings(),
        }
    }
}

/// What a screen's handlers may know and use: who is signed in, with what access, the clock and
/// the clinic's conventions, and a source of request ids for the effects they ask for.
pub struct Ctx<'a> {
    pub me: &'a StaffIdentity,
    pub access: Access,
    pub now: DateTime<Utc>,
    pub tz: chrono_tz::Tz,
    /// The clinic's local date format (chrono), besides ISO.
    pub date_format: &'a str,
    pub(super) next_request: &'a mut u64,
}

impl Ctx<'_> {
    pub fn request(&mut self) -> RequestId {
        *self.next_request += 1;
        RequestId(*self.next_request)
    }

    /// Today in the clinic's time zone.
    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.tz).date_naive()
    }
}

/// What a screen's handler hands back to the shell.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    pub effects: Vec<Effect>,
    /// A one-line message for the person (gone at their next key).
    pub notice: Option<String>,
    /// Work that continues on another screen.
    pub intent: Option<Intent>,
    /// Whether anything visible changed.
    pub redraw: bool,
}

impl Outcome {
    pub fn redraw() -> Self {
        Self {
            redraw: true,
            ..Self::default()
        }
    }

    pub fn effect(effect: Effect) -> Self {
        Self {
            effects: vec![effect],
            redraw: true,
            ..Self::default()
        }
    }

    pub fn notice(text: impl Into<String>) -> Self {
        Self {
            notice: Some(text.into()),
            redraw: true,
            ..Self::default()
        }
    }
}

/// A hand-over from one screen to another (e.g. "book this patient" from the patient lookup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// Open the calendar to book an appointment for this patient.
    Book {
        patient_id: i64,
        patient_name: String,
    },
    /// Open this patient's summary on the patients screen.
    OpenPatient { patient_id: i64 },
    /// Show this appointment on the calendar (its day, its doctor).
    ShowAppointment { appointment_id: i64 },
}

/// One state per screen, kept while the person moves between screens.
#[derive(Debug, Default)]
pub struct Screens {
    pub patients: patients::PatientsScreen,
    pub calendar: calendar::CalendarScreen,
    pub queue: queue::QueueScreen,
    pub records: records::RecordsScreen,
    pub billing: billing::BillingScreen,
    pub admin: admin::AdminScreen,
}

impl Screens {
    pub fn get(&self, id: ScreenId) -> &dyn ScreenState {
        match id {
            ScreenId::Patients => &self.patients,
            ScreenId::Calendar => &self.calendar,
            ScreenId::Queue => &self.queue,
            ScreenId::Records => &self.records,
            ScreenId::Billing => &self.billing,
            ScreenId::Admin => &self.admin,
        }
    }

    pub fn any_unsaved_input(&self) -> bool {
        ScreenId::ALL
            .into_iter()
            .any(|id| self.get(id).has_unsaved_input())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_gets_at_most_five_screens_and_never_one_twice() {
        // Five is what F2..F6 and Alt-1..Alt-5 can reach.
        for job in Job::ALL {
            let screens = screens_for(job);
            assert!(!screens.is_empty() && screens.len() <= 5, "{job}");
            let mut ids: Vec<ScreenId> = screens.iter().map(|(s, _)| *s).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), screens.len(), "{job}");
        }
        assert!(!screens_for(Job::Admin)
            .iter()
            .any(|(s, _)| *s == ScreenId::Records));
    }
}
