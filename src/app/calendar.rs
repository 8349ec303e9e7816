//! The appointment calendar: every doctor's day and one doctor's week, booking, moving,
//! cancelling and the status steps of each appointment, and each doctor's availability.
//!
//! The grid (`grid`) is the screen; forms (`form`, `booking`, `forms`), the appointment's detail
//! and the availability panel (`panels`) open in front of it with keys of their own ([`Panel`]).

mod booking;
pub mod form;
mod forms;
pub mod grid;
mod keys;
mod panels;
mod requests;
mod steps;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use tui_input::InputRequest;

use super::confirm::Confirm;
use super::keymap::Binding;
use super::pending::{earliest, Pending};
use super::refetch::Refetch;
use super::screen::{Access, Ctx, Intent, Outcome, Screen};
use crate::domain::appointment::{doctor_title, AppointmentStatus, CalendarEntry};
use crate::domain::live::LiveEvent;
use crate::domain::schedule::{local_date, week_start, Slot, SlotState};
use crate::domain::staff::Job;

pub use form::{Booking, Form, FormKind};
pub use grid::{Grid, Loaded};
pub use keys::{Cmd, Panel, AVAILABILITY_BINDINGS, BINDINGS, DETAIL_BINDINGS, FORM_BINDINGS};
pub use panels::{AvailabilityPanel, Detail, TIME_OFF_AHEAD};
pub use requests::{
    AppointmentDetail, AvailabilityData, Reply, Request, WriteError, WriteErrorKind,
};

/// What a write on its way was for, so its answer is reported in the right words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    Book {
        patient: String,
    },
    Move {
        patient: String,
    },
    Cancel {
        patient: String,
    },
    TakeBack {
        patient: String,
        from: AppointmentStatus,
    },
    Status {
        patient: String,
        to: AppointmentStatus,
    },
}

/// Where the finder's answer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FindFor {
    Grid,
    Form,
}

#[derive(Debug, Default)]
pub struct CalendarScreen {
    pub grid: Grid,
    /// Set once the screen has been opened (it starts on today).
    pub started: bool,
    /// The view load on its way; an answer to any other is stale.
    pub loading: Pending,
    pub load_error: Option<String>,
    /// The re-read after other desks' changes.
    pub refetch: Refetch,
    /// Another desk changed the appointment open in the detail: it is read with the grid.
    detail_behind: bool,
    /// The appointment being moved: the cursor picks its new slot.
    pub moving: Option<CalendarEntry>,
    /// The appointment a question in the confirm popup is about ("yes" acts on this one).
    asking: Option<CalendarEntry>,
    /// The screen that asked to show an appointment: closing its detail goes back there.
    return_to: Option<crate::app::registry::ScreenId>,
    pub form: Option<Form>,
    pub detail: Option<Detail>,
    pub availability: Option<AvailabilityPanel>,
    /// A write on its way (one at a time).
    pub writing: Pending<Write>,
    finding: Pending<FindFor>,
    locating: Pending,
    /// Live updates as last heard: `None` before they start.
    pub live: Option<bool>,
    /// The person's job, as of the last handler (the view draws by it).
    pub job: Option<Job>,
    pub today: NaiveDate,
}

impl Screen for CalendarScreen {
    type Cmd = Cmd;
    type Request = Request;
    type Reply = Reply;
    type Panel = Panel;

    const TITLE: &'static str = "Calendar";
    const COMMAND: &'static str = "calendar";
    const BINDINGS: &'static [Binding] = BINDINGS;

    /// Reception runs it, doctors work their own column, admins read (and keep the doctors' hours).
    fn access(job: Job) -> Option<Access> {
        match job {
            Job::Receptionist | Job::Doctor => Some(Access::Full),
            Job::Admin => Some(Access::ReadOnly),
            Job::Accountant => None,
        }
    }

    /// The screen came to the front: the first time on today at the current time; after that
    /// where it was, with fresh data.
    fn entered(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        if !self.started {
            self.started = true;
            self.grid.date = ctx.today();
            self.grid.time = grid::floor_to_row(ctx.now.with_timezone(&ctx.tz).time());
            if ctx.me.job == Job::Doctor {
                self.grid.only_doctor = Some(ctx.me.staff_id);
            }
        }
        self.reread(ctx)
    }

    fn command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        if self.form.is_some() {
            return self.form_command(cmd, ctx);
        }
        if self.detail.is_some() {
            return self.detail_command(cmd, ctx);
        }
        if self.availability.is_some() {
            return self.availability_command(cmd, ctx);
        }
        self.grid_command(cmd, ctx)
    }

    /// Typing in the focused text field.
    fn edit(&mut self, request: InputRequest, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        if form.edit(request, ctx.now, ctx.date_format) {
            if let Some(b) = form.booking_mut() {
                // A warning was about what was typed before; the next save checks again.
                b.squeeze_offered = false;
                b.overlap_offered = false;
            }
        }
        Outcome::redraw()
    }

    /// Esc: the form (asking first when it holds typed input), then the detail, then the
    /// availability panel, then a move half made.
    fn back(&mut self, _ctx: &mut Ctx) -> Outcome<Self> {
        if let Some(form) = &self.form {
            if form.changed() && !form.saving.in_flight() {
                return Outcome::confirm(Confirm::discard(Cmd::Discard));
            }
            self.form = None;
        } else if self.detail.is_some() {
            self.detail = None;
            if let Some(to) = self.return_to.take() {
                return Outcome::hand_over(Intent::Return { to });
            }
        } else if self.availability.is_some() {
            self.availability = None;
        } else if self.moving.take().is_some() {
            return Outcome::notice("Move abandoned; the appointment stays where it was.");
        }
        Outcome::redraw()
    }

    fn reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        match reply {
            Reply::Day { request, result } => {
                if self.loading.finish(request).is_none() {
                    return Outcome::default();
                }
                if let Ok(day) = &result {
                    self.grid.doctors = day.doctors.iter().map(|d| d.doctor.clone()).collect();
                }
                self.loaded(result.map(Loaded::Day), ctx)
            }
            Reply::Week { request, result } => {
                if self.loading.finish(request).is_none() {
                    return Outcome::default();
                }
                self.loaded(result.map(Loaded::Week), ctx)
            }
            Reply::Free { request, result } => match self.finding.finish(request) {
                Some(purpose) => self.found(purpose, result, ctx),
                None => Outcome::default(),
            },
            Reply::Located { request, result } => {
                if self.locating.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(Some(entry)) => {
                        self.grid.week = false;
                        self.grid.date = local_date(ctx.tz, entry.starts_at);
                        self.grid.focus(entry.doctor_id, entry.starts_at);
                        let load = self.load(ctx);
                        let detail = self.open_detail(entry.id, ctx);
                        Outcome {
                            notice: None,
                            ..load.and(detail)
                        }
                    }
                    Ok(None) => Outcome::notice(
                        "That appointment is not there any more, or not yours to see.",
                    ),
                    Err(e) => Outcome::notice(e),
                }
            }
            Reply::Detail { request, result } => self.detail_loaded(request, result),
            Reply::Patients { request, result } => self.patients_found(request, result),
            Reply::Written { request, result } => self.written(request, result, ctx),
            Reply::Availability { request, result } => self.availability_loaded(request, result),
            Reply::AvailabilitySaved { request, result } => {
                self.availability_saved(request, result, ctx)
            }
        }
    }

    fn takes(intent: &Intent) -> bool {
        matches!(intent, Intent::Book { .. } | Intent::ShowAppointment { .. })
    }

    /// Work handed over from another screen: book for a patient (from now on: today's grid, and
    /// the next free slot filled in once the finder answers), or show one appointment.
    fn intent(&mut self, intent: Intent, ctx: &mut Ctx) -> Outcome<Self> {
        if matches!(intent, Intent::Book { .. }) && self.started {
            self.grid.week = false;
            self.grid.date = ctx.today();
            self.grid.time = grid::floor_to_row(ctx.now.with_timezone(&ctx.tz).time());
        }
        let out = Screen::entered(self, ctx);
        let more = match intent {
            Intent::Book {
                patient_id,
                patient_name,
            } => {
                let form = self.open_booking(Some((patient_id, patient_name)), ctx);
                if self.form.is_none() {
                    form
                } else {
                    let doctor = self.grid.doctor().map(|d| d.id).or(self.grid.only_doctor);
                    form.and(self.find_free(doctor, ctx.now, FindFor::Form, ctx))
                }
            }
            Intent::ShowAppointment {
                appointment_id,
                back_to,
            } => {
                self.return_to = back_to;
                let request = ctx.start(&mut self.locating, ());
                Outcome::request(Request::Locate {
                    request,
                    appointment_id,
                })
            }
            Intent::OpenPatient { .. }
            | Intent::TakePayment { .. }
            | Intent::PatientInvoices { .. }
            | Intent::PatientAudit { .. }
            | Intent::ClinicSettings(_)
            | Intent::Return { .. } => Outcome::default(),
        };
        out.and(more)
    }

    /// Another desk changed an appointment, or live updates came back: re-read what is shown,
    /// soon (`Refetch`).
    fn notified(&mut self, event: LiveEvent, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        match event {
            LiveEvent::Lost => {
                self.live = Some(false);
                return Outcome::redraw();
            }
            LiveEvent::Reconnected => self.live = Some(true),
            LiveEvent::Appointment(_) => {}
        }
        if !self.started {
            return Outcome::redraw_if(event == LiveEvent::Reconnected);
        }
        let shown = self.detail.as_ref().map(|d| d.appointment_id);
        self.detail_behind |= match event {
            LiveEvent::Appointment(id) => shown == Some(id),
            _ => shown.is_some(),
        };
        self.refetch.heard(ctx, self.loading.in_flight());
        Outcome::redraw()
    }

    /// The booking form's patient lookup goes out when typing pauses.
    fn deadline(&self, _now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        earliest([
            self.form.as_ref().and_then(Form::deadline),
            self.refetch.deadline(),
        ])
    }

    /// The clock moved on: midnight moves the "today" mark; the booking form's lookup goes out
    /// once typing has paused.
    fn tick(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let today = ctx.today();
        let mut out = Outcome::default();
        if self.today != today {
            // Midnight moves the "today" mark, if the calendar was ever opened to show it.
            out.redraw = self.today != NaiveDate::default();
            self.today = today;
        }
        let due = self
            .form
            .as_ref()
            .and_then(|f| f.picker(form::PATIENT))
            .is_some_and(|p| p.due(ctx.now));
        if due {
            out = out.and(self.search_patients(ctx));
        }
        if self.refetch.due(ctx) {
            out = out.and(self.reread(ctx));
        }
        out
    }

    fn has_unsaved_input(&self) -> bool {
        self.form.as_ref().is_some_and(Form::changed)
    }

    fn text_focused(&self) -> bool {
        self.form.as_ref().is_some_and(Form::text_focused)
    }

    fn offers(&self, cmd: Cmd) -> bool {
        match cmd {
            Cmd::CheckIn | Cmd::Move | Cmd::Cancel | Cmd::Book | Cmd::NoShow | Cmd::TakeBack => {
                self.job == Some(Job::Receptionist)
            }
            Cmd::Advance => self.job == Some(Job::Doctor),
            _ => true,
        }
    }

    fn panel(&self) -> Option<Panel> {
        if self.form.is_some() {
            Some(Panel::Form)
        } else if self.detail.is_some() {
            Some(Panel::Detail)
        } else if self.availability.is_some() {
            Some(Panel::Availability)
        } else {
            None
        }
    }

    fn can_go_back(&self) -> bool {
        self.panel().is_some() || self.moving.is_some()
    }
}

/// Reception books, moves, cancels, checks in and marks no-shows.
fn is_desk(ctx: &Ctx) -> bool {
    ctx.me.job == Job::Receptionist && ctx.access == Access::Full
}

/// The refusal for a desk action, in words for whoever asked.
fn desk_only(ctx: &Ctx, what: &str) -> Outcome<CalendarScreen> {
    Outcome::notice(match (ctx.me.job, ctx.access) {
        (Job::Doctor, _) => format!("Doctors don't {what}; the desk does."),
        (_, Access::ReadOnly) => format!("The calendar is read only for you: you cannot {what}."),
        _ => format!("Only the desk can {what}."),
    })
}

impl CalendarScreen {
    fn sync(&mut self, ctx: &Ctx) {
        self.job = Some(ctx.me.job);
        self.today = ctx.today();
        self.grid.tz = ctx.tz;
    }

    /// Read again what is shown: the grid, and the open appointment when another desk changed it.
    fn reread(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let load = self.load(ctx);
        let changed = self.detail.as_ref().map(|d| d.appointment_id);
        match changed.filter(|_| self.detail_behind) {
            Some(id) => load.and(self.request_detail(id, ctx)),
            None => load,
        }
    }

    /// Ask for what the grid shows now; any answer to an earlier ask is dropped when it comes.
    fn load(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let request = ctx.start(&mut self.loading, ());
        self.refetch.started();
        let tz = ctx.tz;
        Outcome::request(match (self.grid.week, self.week_doctor()) {
            (true, Some(doctor_id)) => Request::Week {
                request,
                doctor_id,
                week_start: week_start(self.grid.date),
                tz,
            },
            _ => {
                self.grid.week = false;
                Request::Day {
                    request,
                    date: self.grid.date,
                    tz,
                }
            }
        })
    }

    fn week_doctor(&self) -> Option<i64> {
        self.grid.week_doctor.or(self.grid.only_doctor)
    }

    /// Load when the cursor's date is outside what is shown.
    fn load_if_needed(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        if self.grid.needs_load_for(self.grid.date) {
            self.load(ctx)
        } else {
            Outcome::redraw()
        }
    }

    fn go_to_date(&mut self, date: NaiveDate, ctx: &mut Ctx) -> Outcome<Self> {
        self.grid.date = date;
        self.load_if_needed(ctx)
    }

    /// The grid's own keys.
    fn grid_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        // Working in the calendar itself: Esc no longer goes back to where a detail came from.
        self.return_to = None;
        let day = Duration::days(1);
        let week = Duration::days(7);
        match cmd {
            Cmd::Refresh => self.load(ctx),
            Cmd::Up => self.rows(-1),
            Cmd::Down => self.rows(1),
            Cmd::PageUp => self.rows(-grid::PAGE_ROWS),
            Cmd::PageDown => self.rows(grid::PAGE_ROWS),
            Cmd::Left | Cmd::Right => {
                let by = if cmd == Cmd::Left { -1 } else { 1 };
                if self.grid.move_cols(by) {
                    self.load_if_needed(ctx)
                } else {
                    Outcome::redraw()
                }
            }
            Cmd::PrevDay | Cmd::NextDay => {
                let step = if self.grid.week { week } else { day };
                let date = if cmd == Cmd::PrevDay {
                    self.grid.date - step
                } else {
                    self.grid.date + step
                };
                self.go_to_date(date, ctx)
            }
            Cmd::PrevWeek => self.go_to_date(self.grid.date - week, ctx),
            Cmd::NextWeek => self.go_to_date(self.grid.date + week, ctx),
            Cmd::PrevDoctors | Cmd::NextDoctors => self.page_doctors(cmd == Cmd::NextDoctors, ctx),
            Cmd::Today => self.go_to_date(ctx.today(), ctx),
            Cmd::GoTo => {
                self.form = Some(forms::go_to_form(self.grid.date));
                Outcome::redraw()
            }
            Cmd::ToggleWeek => self.toggle_week(ctx),
            Cmd::Open => self.open(ctx),
            Cmd::Book => self.book_here(ctx),
            Cmd::FindFree | Cmd::FindFreeAny => {
                let doctor = if cmd == Cmd::FindFree {
                    self.grid.doctor().map(|d| d.id)
                } else {
                    self.grid.only_doctor
                };
                let from = self.grid.cell().map_or(ctx.now, |c| c.from).max(ctx.now);
                self.find_free(doctor, from, FindFor::Grid, ctx)
            }
            Cmd::Availability => self.open_availability(ctx),
            Cmd::CheckIn | Cmd::NoShow | Cmd::Advance | Cmd::Cancel | Cmd::Move | Cmd::TakeBack => {
                match self.grid.entry().cloned() {
                    Some(entry) => self.act_on(cmd, &entry, ctx),
                    None => Outcome::notice("There is no appointment under the cursor."),
                }
            }
            Cmd::NoShowConfirmed | Cmd::CompleteConfirmed | Cmd::CancelConfirmed => {
                self.confirmed(cmd, ctx)
            }
            _ => Outcome::default(),
        }
    }

    fn rows(&mut self, by: i64) -> Outcome<Self> {
        self.grid.move_rows(by);
        Outcome::redraw()
    }

    fn page_doctors(&mut self, next: bool, ctx: &mut Ctx) -> Outcome<Self> {
        if self.grid.week {
            let doctors: Vec<i64> = self.grid.week_doctors().iter().map(|d| d.id).collect();
            let now = self
                .week_doctor()
                .and_then(|id| doctors.iter().position(|d| *d == id))
                .unwrap_or(0);
            let to = if next {
                (now + 1).min(doctors.len().saturating_sub(1))
            } else {
                now.saturating_sub(1)
            };
            match doctors.get(to) {
                Some(id) if to != now => {
                    self.grid.week_doctor = Some(*id);
                    self.load(ctx)
                }
                _ => Outcome::redraw(),
            }
        } else {
            let by = i64::try_from(grid::DOCTORS_PER_PAGE).unwrap_or(3);
            self.grid.move_cols(if next { by } else { -by });
            Outcome::redraw()
        }
    }

    fn toggle_week(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        if self.grid.week {
            self.grid.week = false;
            if let Some(id) = self.grid.week_doctor {
                if let Some(i) = self.grid.week_doctors().iter().position(|d| d.id == id) {
                    self.grid.col = i;
                }
            }
        } else {
            let Some(doctor) = self.grid.doctor().map(|d| d.id) else {
                return Outcome::notice("Wait for the day to load, then pick a doctor's column.");
            };
            self.grid.week = true;
            self.grid.week_doctor = Some(doctor);
        }
        self.load(ctx)
    }

    /// Enter: the appointment's detail, or book the free slot (move mode: put it here).
    fn open(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        if self.moving.is_some() {
            return self.put_moved_here(ctx);
        }
        match self.grid.cell().map(|c| c.state) {
            Some(SlotState::Booked(e) | SlotState::Cancelled(e)) => {
                let id = e.id;
                self.open_detail(id, ctx)
            }
            Some(_) => self.book_here(ctx),
            None => Outcome::notice("Still loading the calendar."),
        }
    }

    fn loaded(&mut self, result: Result<Loaded, String>, ctx: &mut Ctx) -> Outcome<Self> {
        match result {
            Ok(loaded) => {
                self.grid.loaded = Some(loaded);
                self.grid.clamp();
                self.load_error = None;
                // A booking form opened before the first day arrived (a patient handed over
                // from the lookup) gets its doctors now.
                let doctor = self.grid.doctor().map(|d| d.id);
                let doctors = &self.grid.doctors;
                if let Some(form) = &mut self.form {
                    booking::offer_doctors(form, doctors, doctor);
                }
            }
            Err(e) => self.load_error = Some(e),
        }
        self.refetch.answered(ctx);
        Outcome::redraw()
    }

    fn found(
        &mut self,
        purpose: FindFor,
        result: Result<Option<Slot>, String>,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        let slot = match result {
            Ok(Some(slot)) => slot,
            Ok(None) => return Outcome::notice("No free slot in the next three months."),
            Err(e) => return Outcome::notice(e),
        };
        // The finder can answer before the day's doctors arrive (a booking handed over from the
        // patients screen): then the form's doctor choices, if any, name them.
        let name = self
            .grid
            .doctor_name(slot.doctor_id)
            .or_else(|| {
                let booking = self.form.as_ref()?.booking()?;
                let (_, name) = booking
                    .doctors
                    .iter()
                    .find(|(id, _)| *id == slot.doctor_id)?;
                Some(name.as_str())
            })
            .map(doctor_title);
        let when = slot
            .starts_at
            .with_timezone(&ctx.tz)
            .format("%a %d %b %H:%M");
        let when = match name {
            Some(name) => format!("{name}, {when}"),
            None => when.to_string(),
        };
        match purpose {
            FindFor::Form => {
                if let Some(form) = &mut self.form {
                    booking::put_slot(form, &slot, ctx.tz);
                }
                Outcome::notice(format!("Next free: {when}."))
            }
            FindFor::Grid => {
                self.grid.focus(slot.doctor_id, slot.starts_at);
                self.load_if_needed(ctx)
                    .with_notice(format!("Next free: {when}. Enter books it."))
            }
        }
    }
}
