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

use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use tui_input::InputRequest;

pub use bindings::{Panel, BINDINGS};
pub use form::{Form, FormPopup, SaveFailure, StaleInfo, Step};
pub use lookup::{reading_of, Lookup, LookupFocus, Searching, DEBOUNCE, PAGE};
pub use summary::{local_date, title_name, Details, Summary, SummaryScope, SummaryView};

use super::action::RequestId;
use super::screen::{Access, Ctx, Intent, Outcome, ScreenState};
use crate::db::patients::{DuplicateCandidate, PatientHit};
use crate::domain::patient::{Patient, SearchQuery, ValidPatient};
use crate::domain::staff::Job;

/// The most matches one lookup lists; more than this and the list says "100+".
pub const SEARCH_LIMIT: i64 = 100;
/// Appointments read for the summary on each side of today.
pub const APPOINTMENTS_EACH_WAY: i64 = 8;

/// What this screen's keys ask for (wrapped in `keymap::Command`). One key may mean different
/// things in different panels; each handler below says what it means where.
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
    /// Open the selected patient (the lookup) or the chosen duplicate (its popup).
    Open,
    New,
    Edit,
    Book,
    CheckIn,
    /// Read the summary again, or (after a conflict) load the stored version into the form.
    Refresh,
    NextField,
    PreviousField,
    Save,
    SaveAnyway,
    /// Close a popup and go on with the form as it is.
    KeepEditing,
    /// Yes, throw the form away.
    Discard,
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

impl Reply {
    pub fn request(&self) -> RequestId {
        match self {
            Reply::Found { request, .. }
            | Reply::Summary { request, .. }
            | Reply::Duplicates { request, .. }
            | Reply::Saved { request, .. }
            | Reply::CheckedIn { request, .. } => *request,
        }
    }
}

/// The clock and the clinic's conventions as of the last handler, for drawing (which gets no
/// context) and for its spinner.
#[derive(Debug, Clone, PartialEq)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub date_format: String,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            now: DateTime::<Utc>::UNIX_EPOCH,
            tz: Tz::UTC,
            date_format: "%Y-%m-%d".into(),
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

impl ScreenState for PatientsScreen {
    fn has_unsaved_input(&self) -> bool {
        self.form.as_ref().is_some_and(Form::changed)
    }

    fn text_focused(&self) -> bool {
        match (&self.form, &self.summary) {
            (Some(form), _) => form.popup.is_none(),
            (None, Some(_)) => false,
            (None, None) => self.lookup.focus == LookupFocus::Search,
        }
    }

    fn panel(&self) -> Option<super::screen::Panel> {
        self.own_panel().map(super::screen::Panel::Patients)
    }

    fn can_go_back(&self) -> bool {
        self.form.is_some() || self.summary.is_some()
    }
}

impl PatientsScreen {
    /// The keys in front: the form and its popups, else the summary, else the lookup (whose
    /// receptionist keys are the screen's own list).
    pub fn own_panel(&self) -> Option<Panel> {
        if let Some(form) = &self.form {
            return Some(match &form.popup {
                None => Panel::Form,
                Some(FormPopup::Duplicates {
                    confirm_open: false,
                    ..
                }) => Panel::Duplicates,
                Some(FormPopup::Duplicates { .. } | FormPopup::Discard) => Panel::Discard,
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

    /// Every handler starts here: drawing and the access checks use what the shell knows now.
    fn sync(&mut self, ctx: &Ctx) {
        self.clock.now = ctx.now;
        self.clock.tz = ctx.tz;
        if self.clock.date_format != ctx.date_format {
            self.clock.date_format = ctx.date_format.to_string();
        }
        self.full = ctx.access == Access::Full;
        self.job = Some(ctx.me.job);
    }

    /// Something is out that the person should see moving.
    pub fn busy(&self) -> bool {
        self.lookup.searching.is_some()
            || self
                .summary
                .as_ref()
                .is_some_and(|s| s.loading.is_some() || s.checking_in.is_some())
            || self.form.as_ref().is_some_and(|f| f.busy.is_some())
    }

    /// The screen came to the front: what it shows is read again (the calendar may have just
    /// booked or moved one of its appointments).
    pub fn entered(&mut self, ctx: &mut Ctx) -> Outcome {
        self.sync(ctx);
        if self.form.is_none() && self.summary.is_some() {
            return self.load_summary(ctx);
        }
        // The list's "next appointment" may have changed elsewhere meanwhile.
        if self.form.is_none() && self.lookup.searching.is_none() {
            self.lookup.refresh_soon(ctx.now);
        }
        Outcome::redraw()
    }

    pub fn command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome {
        self.sync(ctx);
        if self.form.is_some() {
            return self.form_command(cmd, ctx);
        }
        if self.summary.is_some() {
            return self.summary_command(cmd, ctx);
        }
        self.lookup_command(cmd, ctx)
    }

    /// Typing in the focused text field.
    pub fn edit(&mut self, request: InputRequest, ctx: &mut Ctx) -> Outcome {
        self.sync(ctx);
        let changed = match (&mut self.form, &self.summary) {
            (Some(form), _) if form.popup.is_none() => form.edit_field(request),
            (Some(_), _) | (None, Some(_)) => false,
            (None, None) if self.lookup.focus == LookupFocus::Search => {
                self.lookup.edit(request, ctx.now, ctx.date_format)
            }
            (None, None) => false,
        };
        Outcome {
            redraw: changed,
            ..Outcome::default()
        }
    }

    /// Esc: close the top layer (asking first when it holds typed input).
    pub fn back(&mut self, ctx: &mut Ctx) -> Outcome {
        self.sync(ctx);
        if let Some(form) = &mut self.form {
            if let Some(FormPopup::Duplicates { confirm_open, .. }) = &mut form.popup {
                if std::mem::take(confirm_open) {
                    return Outcome::redraw();
                }
            }
            // Back to the form exactly as it was: nothing saved, nothing lost.
            if form.popup.take().is_some() {
                return Outcome::redraw();
            }
            if form.busy.is_some_and(|(_, step)| step == Step::Save) {
                return Outcome::notice("Saving… wait for the answer before leaving.");
            }
            if form.changed() {
                form.popup = Some(FormPopup::Discard);
            } else {
                self.form = None;
            }
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

    pub fn reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome {
        self.sync(ctx);
        match reply {
            Reply::Found { request, result } => {
                if !self.lookup.found(request, result) {
                    return Outcome::default();
                }
                if std::mem::take(&mut self.lookup.open_when_found) && !self.lookup.behind() {
                    if let [hit] = self.lookup.hits.as_slice() {
                        let view = view_of(hit);
                        return self.open_summary(view, ctx);
                    }
                    self.lookup.down();
                }
                Outcome::redraw()
            }
            Reply::Summary { request, result } => self.summary_loaded(request, result, ctx),
            Reply::Duplicates { request, result } => self.duplicates_found(request, result, ctx),
            Reply::Saved { request, result } => self.saved(request, result, ctx),
            Reply::CheckedIn { request, result } => {
                let Some(summary) = self
                    .summary
                    .as_mut()
                    .filter(|s| s.checking_in == Some(request))
                else {
                    return Outcome::default();
                };
                summary.checking_in = None;
                // Either way the appointment's state is worth reading again.
                let mut outcome = self.load_summary(ctx);
                outcome.notice = Some(match result {
                    Ok(words) | Err(words) => words,
                });
                outcome
            }
        }
    }

    /// Work handed over from another screen: open this patient's summary.
    pub fn intent(&mut self, intent: Intent, ctx: &mut Ctx) -> Outcome {
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

    /// The clock moved on: the debounced search goes out, spinners turn.
    pub fn tick(&mut self, ctx: &mut Ctx) -> Outcome {
        self.sync(ctx);
        let mut outcome = Outcome {
            redraw: self.busy(),
            ..Outcome::default()
        };
        if self.lookup.due(ctx.now) {
            let request = ctx.request();
            outcome.redraw = true;
            outcome
                .effects
                .extend(self.lookup.search(request, ctx.now, ctx.date_format));
        }
        outcome
    }
}

/// A summary about to load for a patient of a list, titled with the list's name meanwhile.
fn view_of(hit: &PatientHit) -> SummaryView {
    SummaryView::new(hit.id, &hit.family_name, &hit.given_names)
}

fn book(patient_id: i64, patient_name: String) -> Outcome {
    Outcome {
        intent: Some(Intent::Book {
            patient_id,
            patient_name,
        }),
        redraw: true,
        ..Outcome::default()
    }
}

/// Midnight at the clinic today, as an instant: the line between past and upcoming.
fn start_of_today(ctx: &Ctx) -> DateTime<Utc> {
    ctx.today()
        .and_time(NaiveTime::MIN)
        .and_local_timezone(ctx.tz)
        .earliest()
        .map_or(ctx.now, |t| t.with_timezone(&Utc))
}
