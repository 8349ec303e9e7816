//! Patient lookup, summary and registration: reception's home screen, and a read-only lookup for
//! doctors, admins and accountants.
//!
//! Three layers, the top one in front: the lookup (always there, keeping its query and selection),
//! a patient's summary opened from it, and the registration/edit form with its popups. Each layer
//! with keys of its own is a [`Panel`], so the footer and `?` show what works where the person is.

mod bindings;
mod form;
mod lookup;
mod summary;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tui_input::InputRequest;

pub use bindings::{Panel, BINDINGS};
pub use form::{Form, FormPopup, Registration, SaveFailure, StaleInfo};
pub use lookup::{Lookup, LookupFocus, SEARCH_LIMIT};
pub use summary::{local_date, title_name, Details, Summary, SummaryScope, SummaryView};

use super::confirm::Confirm;
use super::keymap::Binding;
use super::pending::{earliest, spinner_frame, RequestId};
use super::screen::{Access, Ctx, Intent, Outcome, Screen};
use super::widgets::PatientSearch;
use crate::domain::money::NumberFormat;
use crate::domain::patient::{
    DuplicateCandidate, Patient, PatientField, PatientHit, SearchQuery, ValidPatient,
};
use crate::domain::staff::Job;

pub use super::widgets::picker::reading_of;
pub use super::widgets::DEBOUNCE;

/// Appointments read for the summary on each side of today.
pub const APPOINTMENTS_EACH_WAY: i64 = 8;

/// What this screen's keys ask for. One key may mean different things in different panels; each
/// handler says what it means where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    /// Back to the search box (from the list or a summary).
    FocusSearch,
    /// Between the search box and the list.
    SwitchFocus,
    Down,
    Up,
    PageDown,
    PageUp,
    /// Open the selected patient (the lookup) or the chosen duplicate (its popup, asking first).
    Open,
    New,
    Edit,
    Book,
    CheckIn,
    /// Take a payment at the desk (the billing screen, on the patient's open invoice).
    Pay,
    /// The patient's invoices, from a read-only summary.
    Invoices,
    /// Who did what to the patient's data: the audit trail (administrators).
    AuditTrail,
    /// Read the summary again, or (after a conflict) load the stored version into the form.
    Refresh,
    NextField,
    PreviousField,
    Save,
    SaveAnyway,
    /// Close a popup and go on with the form as it is.
    KeepEditing,
    /// Yes, throw the form away (asked through the confirm popup).
    Discard,
    /// Yes, drop the form and open the chosen duplicate instead (asked through the confirm popup).
    OpenInstead,
}

/// Where a save goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveTarget {
    New,
    /// An edit made to `version` of patient `id`.
    Existing {
        id: i64,
        version: i32,
    },
}

/// Database work this screen asks for; run by `crate::effects::patients`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Search {
        request: RequestId,
        query: SearchQuery,
        limit: i64,
    },
    Summary {
        request: RequestId,
        patient_id: i64,
        scope: SummaryScope,
        /// Appointments from this instant on are "upcoming" (the start of the clinic's today).
        around: DateTime<Utc>,
    },
    Duplicates {
        request: RequestId,
        details: Box<ValidPatient>,
        /// The patient being edited, who is not their own duplicate.
        exclude: Option<i64>,
    },
    Save {
        request: RequestId,
        target: SaveTarget,
        details: Box<ValidPatient>,
    },
    CheckIn {
        request: RequestId,
        appointment_id: i64,
        version: i32,
        tz: Tz,
    },
}

impl From<PatientSearch> for Request {
    fn from(s: PatientSearch) -> Self {
        Request::Search {
            request: s.request,
            query: s.query,
            limit: s.limit,
        }
    }
}

/// The answers, each carrying the request id it answers so a stale one is dropped. Errors come
/// as words for the desk.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Found {
        request: RequestId,
        result: Result<Vec<PatientHit>, String>,
    },
    Summary {
        request: RequestId,
        result: Result<Box<Summary>, String>,
    },
    Duplicates {
        request: RequestId,
        result: Result<Vec<DuplicateCandidate>, String>,
    },
    Saved {
        request: RequestId,
        result: Result<Box<Patient>, SaveFailure>,
    },
    /// `Ok` holds the sentence to show ("Checked in for 10:30.").
    CheckedIn {
        request: RequestId,
        result: Result<String, String>,
    },
}

/// The clock and the clinic's conventions as of the last handler, for drawing (which gets no
/// context) and for its spinner.
#[derive(Debug, Clone, PartialEq)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub date_format: String,
    pub number_format: NumberFormat,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            now: DateTime::<Utc>::UNIX_EPOCH,
            tz: Tz::UTC,
            date_format: "%Y-%m-%d".into(),
            number_format: NumberFormat::default(),
        }
    }
}

#[derive(Debug, Default)]
pub struct PatientsScreen {
    pub lookup: Lookup,
    pub summary: Option<SummaryView>,
    pub form: Option<Form>,
    pub clock: Clock,
    /// Reception's full access, as of the last handler: registering, editing, booking, check-in.
    pub full: bool,
    pub job: Option<Job>,
}

impl Screen for PatientsScreen {
    type Cmd = Cmd;
    type Request = Request;
    type Reply = Reply;
    type Panel = Panel;

    const TITLE: &'static str = "Patients";
    const COMMAND: &'static str = "patients";
    const BINDINGS: &'static [Binding] = BINDINGS;

    /// Everyone finds patients; reception registers and edits them.
    fn access(job: Job) -> Option<Access> {
        Some(match job {
            Job::Receptionist => Access::Full,
            Job::Admin | Job::Doctor | Job::Accountant => Access::ReadOnly,
        })
    }

    /// The screen came to the front: what it shows is read again (the calendar may have just
    /// booked or moved one of its appointments).
    fn entered(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        if self.form.is_none() && self.summary.is_some() {
            return self.load_summary(ctx);
        }
        // The list's "next appointment" may have changed elsewhere meanwhile.
        if self.form.is_none() && !self.lookup.picker.searching.in_flight() {
            self.lookup.picker.refresh_soon(ctx.now);
        }
        Outcome::redraw()
    }

    fn command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        if self.form.is_some() {
            return self.form_command(cmd, ctx);
        }
        if self.summary.is_some() {
            return self.summary_command(cmd, ctx);
        }
        self.lookup_command(cmd, ctx)
    }

    fn edit(&mut self, request: InputRequest, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        let changed = match (&mut self.form, &self.summary) {
            (Some(form), _) if form.kind.popup.is_none() => {
                let changed = form.edit(request, ctx.now, ctx.date_format);
                if changed && form.field() == PatientField::DateOfBirth {
                    form.check_date_of_birth(ctx.today(), ctx.date_format);
                }
                changed
            }
            (Some(_), _) | (None, Some(_)) => false,
            (None, None) if self.lookup.focus == LookupFocus::Search => {
                self.lookup.picker.edit(request, ctx.now, ctx.date_format)
            }
            (None, None) => false,
        };
        Outcome::redraw_if(changed)
    }

    /// Esc: close the top layer (asking first when it holds typed input).
    fn back(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        if let Some(form) = &mut self.form {
            // Back to the form exactly as it was: nothing saved, nothing lost.
            if form.kind.popup.take().is_some() {
                return Outcome::redraw();
            }
            if form.saving.in_flight() {
                return Outcome::notice("Saving… wait for the answer before leaving.");
            }
            if form.changed() {
                return Outcome::confirm(Confirm::discard(Cmd::Discard));
            }
            self.form = None;
            return Outcome::redraw();
        }
        if self.summary.take().is_some() {
            return Outcome::redraw();
        }
        // Esc leaves the box (as Tab does), so the screen's and the shell's letter keys work;
        // `/` comes back to it.
        self.lookup.focus = LookupFocus::List;
        Outcome::redraw()
    }

    fn reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        match reply {
            Reply::Found { request, result } => self.found(request, result, ctx),
            Reply::Summary { request, result } => self.summary_loaded(request, result, ctx),
            Reply::Duplicates { request, result } => self.duplicates_found(request, result, ctx),
            Reply::Saved { request, result } => self.saved(request, result, ctx),
            Reply::CheckedIn { request, result } => {
                let Some(summary) = self.summary.as_mut() else {
                    return Outcome::default();
                };
                if summary.checking_in.finish(request).is_none() {
                    return Outcome::default();
                }
                // Either way the appointment's state is worth reading again.
                self.load_summary(ctx).with_notice(match result {
                    Ok(words) | Err(words) => words,
                })
            }
        }
    }

    fn takes(intent: &Intent) -> bool {
        matches!(intent, Intent::OpenPatient { .. })
    }

    /// Work handed over from another screen: open this patient's summary.
    fn intent(&mut self, intent: Intent, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        let Intent::OpenPatient { patient_id } = intent else {
            return Outcome::default();
        };
        if self.has_unsaved_input() {
            return Outcome::notice(
                "The patient form has unsaved changes: save it (Ctrl-S) or discard it (Esc) first.",
            );
        }
        self.form = None;
        self.open_summary(SummaryView::new(patient_id, "", ""), ctx)
    }

    /// The debounced search, and the spinner's frames while something is out.
    fn deadline(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        earliest([
            self.lookup.picker.deadline(),
            spinner_frame(self.spinner(), now),
        ])
    }

    /// The clock moved on: the debounced search goes out, spinners turn.
    fn tick(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        let mut outcome = Outcome::redraw_if(self.busy());
        if self.lookup.picker.due(ctx.now) {
            outcome.redraw = true;
            outcome.requests.extend(self.lookup.search(ctx));
        }
        outcome
    }

    fn has_unsaved_input(&self) -> bool {
        self.form.as_ref().is_some_and(Form::changed)
    }

    fn text_focused(&self) -> bool {
        match (&self.form, &self.summary) {
            (Some(form), _) => form.kind.popup.is_none(),
            (None, Some(_)) => false,
            (None, None) => self.lookup.focus == LookupFocus::Search,
        }
    }

    /// The keys in front: the form and its popups, else the summary, else the lookup (whose
    /// receptionist keys are the screen's own list).
    /// The audit trail is offered to administrators only (the key still answers in words).
    fn offers(&self, cmd: Cmd) -> bool {
        cmd != Cmd::AuditTrail || self.job == Some(Job::Admin)
    }

    fn panel(&self) -> Option<Panel> {
        if let Some(form) = &self.form {
            return Some(match &form.kind.popup {
                None => Panel::Form,
                Some(FormPopup::Duplicates { .. }) => Panel::Duplicates,
                Some(FormPopup::Stale(_)) => Panel::Stale,
            });
        }
        match (&self.summary, self.full) {
            (Some(_), true) => Some(Panel::Summary),
            (Some(_), false) => Some(Panel::SummaryReadOnly),
            (None, true) => None,
            (None, false) => Some(Panel::LookupReadOnly),
        }
    }

    fn can_go_back(&self) -> bool {
        self.form.is_some() || self.summary.is_some()
    }
}

impl PatientsScreen {
    /// Every handler starts here: drawing and the access checks use what the shell knows now.
    fn sync(&mut self, ctx: &Ctx) {
        self.clock.now = ctx.now;
        self.clock.tz = ctx.tz;
        if self.clock.date_format != ctx.date_format {
            self.clock.date_format = ctx.date_format.to_string();
        }
        self.clock.number_format = ctx.number_format;
        self.full = ctx.access == Access::Full;
        self.job = Some(ctx.me.job);
    }

    /// Something is out that the person should see moving.
    pub fn busy(&self) -> bool {
        self.spinner().is_some()
    }

    /// Since when the oldest thing in flight has been out, if anything is.
    fn spinner(&self) -> Option<DateTime<Utc>> {
        earliest([
            self.lookup.picker.searching.since(),
            self.summary.as_ref().and_then(|s| s.loading.since()),
            self.summary.as_ref().and_then(|s| s.checking_in.since()),
            self.form.as_ref().and_then(|f| f.saving.since()),
            self.form.as_ref().and_then(|f| f.kind.checking.since()),
        ])
    }
}

/// A summary about to load for a patient of a list, titled with the list's name meanwhile.
fn view_of(hit: &PatientHit) -> SummaryView {
    SummaryView::new(hit.id, &hit.family_name, &hit.given_names)
}

fn book(patient_id: i64, patient_name: String) -> Outcome<PatientsScreen> {
    Outcome::hand_over(Intent::Book {
        patient_id,
        patient_name,
    })
}
