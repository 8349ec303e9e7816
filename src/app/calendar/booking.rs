//! The calendar's forms at work: opening the booking form on a slot (or for a patient handed over
//! from the lookup), the patient lookup inside it, saving each kind of form, and what the database
//! answered. A refusal keeps the form open with everything typed and says why at the field.

use chrono::{Duration, Timelike};
use chrono_tz::Tz;

use super::form::{self, parse_day, parse_time, Booking, Field, Form, FormKind};
use super::{CalendarScreen, Cmd, FindFor, Reply, Request, Write, WriteError, WriteErrorKind};
use crate::app::action::{Effect, RequestId};
use crate::app::screen::{Ctx, Outcome};
use crate::db::patients::PatientHit;
use crate::domain::appointment::{doctor_title, Appointment, AppointmentStatus, NewAppointment};
use crate::domain::patient::SearchQuery;
use crate::domain::schedule::{
    local_instant, Doctor, ExceptionKind, ScheduleException, Slot, WorkingHours,
};

/// Fill the booking form's doctor, date and time from a slot.
pub(super) fn put_slot(form: &mut Form, slot: &Slot, tz: Tz) {
    let local = slot.starts_at.with_timezone(&tz);
    let doctor = form
        .booking()
        .and_then(|b| b.doctors.iter().position(|(id, _)| *id == slot.doctor_id));
    if let (Some(i), Some(f)) = (doctor, form.fields.get_mut(form::DOCTOR)) {
        f.choice = i;
    }
    let minutes = (slot.ends_at - slot.starts_at).num_minutes();
    for (field, value) in [
        (form::DATE, local.format("%Y-%m-%d").to_string()),
        (form::TIME, local.format("%H:%M").to_string()),
        (form::MINUTES, minutes.to_string()),
    ] {
        if let Some(f) = form.fields.get_mut(field) {
            f.input = tui_input::Input::new(value);
            f.error = None;
        }
    }
    form.touched = true;
}

/// Fill the doctor choices of a booking form that has none yet, on `current` when given.
pub(super) fn offer_doctors(form: &mut Form, doctors: &[Doctor], current: Option<i64>) {
    let Some(b) = form.booking_mut().filter(|b| b.doctors.is_empty()) else {
        return;
    };
    b.doctors = doctors
        .iter()
        .map(|d| (d.id, doctor_title(&d.name)))
        .collect();
    if b.doctors.is_empty() {
        return;
    }
    let choice = b
        .doctors
        .iter()
        .position(|(id, _)| Some(*id) == current)
        .unwrap_or(0);
    let names = b.doctors.iter().map(|(_, n)| n.clone()).collect();
    if let Some(f) = form.fields.get_mut(form::DOCTOR) {
        *f = Field::choice("Doctor", names, choice);
    }
}

impl CalendarScreen {
    /// Open the booking form on the cursor's slot, for `patient` when one is handed over.
    pub(super) fn open_booking(
        &mut self,
        patient: Option<(i64, String)>,
        ctx: &mut Ctx,
    ) -> Outcome {
        if !super::is_desk(ctx) {
            return super::desk_only(ctx, "book appointments");
        }
        let doctors: Vec<(i64, String)> = self
            .grid
            .doctors
            .iter()
            .map(|d| (d.id, doctor_title(&d.name)))
            .collect();
        let doctor_id = self.grid.doctor().map(|d| d.id);
        let choice = doctors
            .iter()
            .position(|(id, _)| Some(*id) == doctor_id)
            .unwrap_or(0);
        // The slot length of the doctor's working period at the cursor, else a row.
        let minutes = self
            .grid
            .cell()
            .and_then(|c| {
                c.column
                    .periods
                    .iter()
                    .find(|p| p.starts_at <= c.from && c.from < p.ends_at)
                    .map(|p| p.slot_minutes)
            })
            .unwrap_or(15);
        let focus = if patient.is_some() {
            form::TIME
        } else {
            form::PATIENT
        };
        let mut fields = vec![
            Field::text(
                "Patient",
                patient.as_ref().map(|(_, n)| n.clone()).unwrap_or_default(),
            ),
            Field::choice(
                "Doctor",
                doctors.iter().map(|(_, n)| n.clone()).collect(),
                choice,
            ),
            Field::text("Date", self.grid.date.format("%Y-%m-%d").to_string()),
            Field::text("Time", self.grid.time.format("%H:%M").to_string()),
            Field::text("Minutes", minutes.to_string()),
            Field::text("Reason", ""),
        ];
        if doctors.is_empty() {
            fields[form::DOCTOR] = Field::choice("Doctor", vec!["(no doctors loaded)".into()], 0);
        }
        let booking = Booking {
            doctors,
            patient,
            ..Booking::default()
        };
        self.detail = None;
        self.moving = None;
        self.form = Some(Form::new(
            "Book an appointment",
            FormKind::Book(Box::new(booking)),
            fields,
            focus,
        ));
        Outcome::redraw()
    }

    pub(super) fn book_here(&mut self, ctx: &mut Ctx) -> Outcome {
        if let Some(super::SlotState::Booked(_)) = self.grid.cell().map(|c| c.state) {
            return Outcome::notice("That slot is taken: pick a free one, or f for the next free.");
        }
        self.open_booking(None, ctx)
    }

    pub(super) fn search_patients(&mut self, ctx: &mut Ctx) -> Outcome {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        let query = SearchQuery::parse(form.value(form::PATIENT), ctx.date_format);
        let Some(b) = form.booking_mut() else {
            return Outcome::default();
        };
        b.search_due = None;
        if query == SearchQuery::Empty {
            b.hits.clear();
            b.search = None;
            return Outcome::redraw();
        }
        let request = ctx.request();
        b.search = Some(request);
        Outcome::effect(Effect::Calendar(Request::SearchPatients { request, query }))
    }

    pub(super) fn patients_found(
        &mut self,
        request: RequestId,
        result: Result<Vec<PatientHit>, String>,
    ) -> Outcome {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        let Some(b) = form.booking_mut().filter(|b| b.search == Some(request)) else {
            return Outcome::default();
        };
        b.search = None;
        b.hit = 0;
        match result {
            Ok(hits) => {
                b.hits = hits;
                if b.hits.is_empty() {
                    form.set_error(form::PATIENT, "No patient found: check the spelling, or register them on the Patients screen.");
                }
            }
            Err(e) => form.set_error(form::PATIENT, e),
        }
        Outcome::redraw()
    }

    pub(super) fn form_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        match cmd {
            Cmd::NextField => form.next_field(true),
            Cmd::PreviousField => form.next_field(false),
            Cmd::FormUp => form.step(false),
            Cmd::FormDown => form.step(true),
            Cmd::FormEnter => {
                let booking = matches!(form.kind, FormKind::Book(_));
                if booking && form.focus == form::PATIENT {
                    if !form.pick_patient() && form.booking().is_some_and(|b| b.patient.is_none()) {
                        form.set_error(form::PATIENT, "Type part of a name (or a birth date, phone, number), then pick with ↓ and Enter.");
                        return Outcome::redraw();
                    }
                    form.focus = form::TIME;
                } else if form.fields.len() == 1 {
                    return self.save(ctx);
                } else {
                    form.next_field(true);
                }
            }
            Cmd::Save => return self.save(ctx),
            Cmd::FormFindFree => {
                let Some(b) = form.booking() else {
                    return Outcome::default();
                };
                let doctor = b
                    .doctors
                    .get(form.fields[form::DOCTOR].choice)
                    .map(|(id, _)| *id);
                let date = parse_day(form.value(form::DATE), ctx.today(), ctx.date_format)
                    .unwrap_or_else(|| ctx.today());
                let time = parse_time(form.value(form::TIME)).unwrap_or_default();
                let from = local_instant(ctx.tz, date, time, true).max(ctx.now);
                return self.find_free(doctor, from, FindFor::Form, ctx);
            }
            _ => return Outcome::default(),
        }
        form.discard_armed = false;
        Outcome::redraw()
    }

    /// Ctrl-S: check what can be checked here, then ask the database.
    fn save(&mut self, ctx: &mut Ctx) -> Outcome {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        if form.saving.is_some() {
            return Outcome::notice("Still saving.");
        }
        form.clear_errors();
        let today = ctx.today();
        // A copy, so the fields can take their messages while the kind is looked at.
        let kind = form.kind.clone();
        let request = match &kind {
            FormKind::GoTo => {
                let Some(date) = parse_day(form.value(0), today, ctx.date_format) else {
                    form.set_error(
                        0,
                        "Not a date: type 2026-12-24, your local format, +7 or -1.",
                    );
                    return Outcome::redraw();
                };
                self.form = None;
                return self.go_to_date(date, ctx);
            }
            FormKind::Cancel { entry } => {
                let reason = form.value(0).trim().to_string();
                if reason.is_empty() {
                    form.set_error(0, "Say why the appointment is cancelled (the patient called, the doctor is away, ...).");
                    return Outcome::redraw();
                }
                let request = ctx.request();
                self.writing = Some((
                    request,
                    Write::Cancel {
                        patient: entry.patient_name.clone(),
                    },
                ));
                Request::Cancel {
                    request,
                    appointment_id: entry.id,
                    version: entry.version,
                    reason,
                    tz: ctx.tz,
                }
            }
            FormKind::Book(b) => {
                let patient = b.patient.as_ref().map(|(id, _)| *id);
                let doctor = b
                    .doctors
                    .get(form.fields[form::DOCTOR].choice)
                    .map(|(id, _)| *id);
                let squeeze_in = b.squeeze_offered;
                let reason = form.value(form::REASON).trim().to_string();
                let date = parse_day(form.value(form::DATE), today, ctx.date_format);
                let time = parse_time(form.value(form::TIME));
                let minutes = form
                    .value(form::MINUTES)
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|m| (5..=480).contains(m));
                if patient.is_none() {
                    form.set_error(
                        form::PATIENT,
                        "Pick a patient: type part of a name, then ↓ and Enter.",
                    );
                }
                if doctor.is_none() {
                    form.set_error(form::DOCTOR, "There is no doctor to book with.");
                }
                if date.is_none() {
                    form.set_error(
                        form::DATE,
                        "Not a date: type 2026-12-24 or your local format.",
                    );
                }
                if time.is_none() {
                    form.set_error(form::TIME, "Not a time: type 10:30.");
                }
                if minutes.is_none() {
                    form.set_error(form::MINUTES, "Type the length in minutes, 5 to 480.");
                }
                let (Some(patient_id), Some(doctor_id), Some(date), Some(time), Some(minutes)) =
                    (patient, doctor, date, time, minutes)
                else {
                    form.focus_first_error();
                    return Outcome::redraw();
                };
                let starts_at = local_instant(ctx.tz, date, time, true);
                let request = ctx.request();
                self.writing = Some((request, Write::Book));
                Request::Book {
                    request,
                    new: NewAppointment {
                        patient_id,
                        doctor_id,
                        starts_at,
                        ends_at: starts_at + Duration::minutes(minutes),
                        reason: (!reason.is_empty()).then_some(reason),
                        squeeze_in,
                    },
                    tz: ctx.tz,
                }
            }
            FormKind::Hours {
                doctor_id,
                existing,
            } => {
                let weekday = u8::try_from(form.fields[0].choice + 1).unwrap_or(1);
                let starts = parse_time(form.value(1));
                let ends = parse_time(form.value(2));
                let slot = form.value(3).trim().parse::<u16>().ok();
                if starts.is_none() {
                    form.set_error(1, "Not a time: type 09:00.");
                }
                if ends.is_none() {
                    form.set_error(2, "Not a time: type 12:30.");
                }
                if slot.is_none() {
                    form.set_error(3, "Type the slot length in minutes, 5 to 120.");
                }
                let (Some(starts), Some(ends), Some(slot_minutes)) = (starts, ends, slot) else {
                    form.focus_first_error();
                    return Outcome::redraw();
                };
                // The eighth choice (only when adding) is every weekday at once.
                let weekdays = if weekday == 8 {
                    1..=5
                } else {
                    weekday..=weekday
                };
                let hours: Vec<WorkingHours> = weekdays
                    .map(|weekday| WorkingHours {
                        doctor_id: *doctor_id,
                        weekday,
                        starts,
                        ends,
                        slot_minutes,
                    })
                    .collect();
                if let Some(Err(why)) = hours.first().map(WorkingHours::check) {
                    form.error = Some(capitalised(&why));
                    return Outcome::redraw();
                }
                let request = ctx.request();
                Request::SaveHours {
                    request,
                    existing: *existing,
                    hours,
                }
            }
            FormKind::TimeOff { doctor_id } => {
                let kind = if form.fields[0].choice == 0 {
                    ExceptionKind::Leave
                } else {
                    ExceptionKind::Blocked
                };
                let from_date = parse_day(form.value(1), today, ctx.date_format);
                let from_time = parse_time(form.value(2));
                let to_date = parse_day(form.value(3), today, ctx.date_format);
                let to_time = parse_time(form.value(4));
                for (i, ok, what) in [
                    (1, from_date.is_some(), "Not a date: type 2026-12-24."),
                    (2, from_time.is_some(), "Not a time: type 09:00."),
                    (3, to_date.is_some(), "Not a date: type 2026-12-24."),
                    (
                        4,
                        to_time.is_some(),
                        "Not a time: type 17:00 (00:00 is the start of that day).",
                    ),
                ] {
                    if !ok {
                        form.set_error(i, what);
                    }
                }
                let (Some(fd), Some(ft), Some(td), Some(tt)) =
                    (from_date, from_time, to_date, to_time)
                else {
                    form.focus_first_error();
                    return Outcome::redraw();
                };
                let note = form.value(5).trim().to_string();
                let time_off = ScheduleException {
                    doctor_id: *doctor_id,
                    starts_at: local_instant(ctx.tz, fd, ft, true),
                    ends_at: local_instant(ctx.tz, td, tt, false),
                    kind,
                    note: (!note.is_empty()).then_some(note),
                };
                if let Err(why) = time_off.check() {
                    form.error = Some(capitalised(&why));
                    return Outcome::redraw();
                }
                let request = ctx.request();
                Request::AddTimeOff { request, time_off }
            }
        };
        let id = match &request {
            Request::Book { request, .. }
            | Request::Cancel { request, .. }
            | Request::SaveHours { request, .. }
            | Request::AddTimeOff { request, .. } => *request,
            _ => return Outcome::default(),
        };
        if let Some(form) = &mut self.form {
            form.saving = Some(id);
        }
        if matches!(
            request,
            Request::SaveHours { .. } | Request::AddTimeOff { .. }
        ) {
            if let Some(panel) = &mut self.availability {
                panel.saving = Some(id);
            }
        }
        Outcome::effect(Effect::Calendar(request))
    }

    /// A booking, move, cancellation or status change answered.
    pub(super) fn written(
        &mut self,
        request: RequestId,
        result: Result<Box<Appointment>, WriteError>,
        ctx: &mut Ctx,
    ) -> Outcome {
        let Some((_, write)) = self.writing.take_if(|(r, _)| *r == request) else {
            return Outcome::default();
        };
        let when = |a: &Appointment| {
            a.starts_at
                .with_timezone(&ctx.tz)
                .format("%a %d %b %H:%M")
                .to_string()
        };
        let doctor = |s: &Self, id: i64| {
            s.grid
                .doctor_name(id)
                .map_or_else(|| "the doctor".into(), doctor_title)
        };
        let form_is_ours = self
            .form
            .as_ref()
            .is_some_and(|f| f.saving == Some(request));
        match result {
            Ok(a) => {
                let notice = match &write {
                    Write::Book => {
                        let patient = self
                            .form
                            .as_ref()
                            .and_then(Form::booking)
                            .and_then(|b| b.patient.as_ref())
                            .map(|(_, n)| n.clone())
                            .unwrap_or_default();
                        format!(
                            "Booked {patient} with {}, {}.",
                            doctor(self, a.doctor_id),
                            when(&a)
                        )
                    }
                    Write::Move { patient } => {
                        self.moving = None;
                        format!(
                            "Moved {patient} to {}, {}.",
                            doctor(self, a.doctor_id),
                            when(&a)
                        )
                    }
                    Write::Cancel { patient } => format!("Cancelled {patient}'s {}.", when(&a)),
                    Write::Status { patient, to } => match to {
                        AppointmentStatus::CheckedIn => format!("{patient} checked in."),
                        AppointmentStatus::InProgress => format!("{patient} is with the doctor."),
                        AppointmentStatus::Completed => {
                            format!("{patient}'s consultation is done.")
                        }
                        AppointmentStatus::NoShow => format!("{patient} marked as no-show."),
                        other => format!("{patient}: {other}."),
                    },
                };
                if form_is_ours {
                    self.form = None;
                }
                if matches!(write, Write::Book | Write::Move { .. }) {
                    self.grid.focus(a.doctor_id, a.starts_at);
                }
                let mut out = self.load(ctx);
                if let Some(d) = &self.detail {
                    if d.appointment_id == a.id {
                        out.effects.extend(self.request_detail(a.id, ctx).effects);
                    }
                }
                out.notice = Some(notice);
                out
            }
            Err(e) => {
                // The view may be out of date (a slot taken, a change elsewhere): load it again.
                let mut out = self.load(ctx);
                match self.form.as_mut().filter(|_| form_is_ours) {
                    Some(form) => {
                        form.saving = None;
                        let field = match (&form.kind, e.kind) {
                            (
                                FormKind::Book(_),
                                WriteErrorKind::SlotTaken | WriteErrorKind::SqueezeIn,
                            ) => Some(form::TIME),
                            (FormKind::Cancel { .. }, _) => Some(0),
                            _ => None,
                        };
                        let mut message = e.message.clone();
                        if e.kind == WriteErrorKind::SqueezeIn {
                            if let Some(b) = form.booking_mut() {
                                b.squeeze_offered = true;
                                message = message.replace(
                                    "Book anyway to squeeze the patient in.",
                                    "Ctrl-S again books anyway (squeeze in).",
                                );
                            }
                        }
                        match field {
                            Some(i) => {
                                form.set_error(i, message);
                                form.focus = i;
                            }
                            None => form.error = Some(message),
                        }
                    }
                    None => out.notice = Some(e.message),
                }
                out
            }
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str() + ".")
        .unwrap_or_default()
}

/// The form to add or change a row of working hours.
pub(super) fn hours_form(doctor_id: i64, existing: Option<(i64, i32, &WorkingHours)>) -> Form {
    let (weekday, starts, ends, slot) = match existing {
        Some((_, _, h)) => (
            usize::from(h.weekday.saturating_sub(1)),
            h.starts.format("%H:%M").to_string(),
            h.ends.format("%H:%M").to_string(),
            h.slot_minutes.to_string(),
        ),
        None => (0, "09:00".into(), "12:30".into(), "15".into()),
    };
    let mut days = form::weekday_names();
    if existing.is_none() {
        days.push("Monday to Friday".into());
    }
    let fields = vec![
        Field::choice("Day", days, weekday),
        Field::text("From", starts),
        Field::text("To", ends),
        Field::text("Slot minutes", slot),
    ];
    let title = if existing.is_some() {
        "Change working hours"
    } else {
        "Add working hours"
    };
    Form::new(
        title,
        FormKind::Hours {
            doctor_id,
            existing: existing.map(|(id, v, _)| (id, v)),
        },
        fields,
        0,
    )
}

/// The form to add leave or blocked time, starting on `date` at the cursor's time.
pub(super) fn time_off_form(
    doctor_id: i64,
    date: chrono::NaiveDate,
    time: chrono::NaiveTime,
) -> Form {
    let day = date.format("%Y-%m-%d").to_string();
    let end = time.hour().saturating_add(1).min(23);
    let fields = vec![
        Field::choice(
            "Kind",
            vec![
                "leave (away: no bookings)".into(),
                "blocked (in, not seeing patients)".into(),
            ],
            0,
        ),
        Field::text("From date", day.clone()),
        Field::text("From time", time.format("%H:%M").to_string()),
        Field::text("To date", day),
        Field::text("To time", format!("{end:02}:{:02}", time.minute())),
        Field::text("Note", ""),
    ];
    Form::new("Add time off", FormKind::TimeOff { doctor_id }, fields, 0)
}

impl Reply {
    /// A failed write in words, for tests and callers that build replies by hand.
    pub fn slot_taken(request: RequestId, message: impl Into<String>) -> Reply {
        Reply::Written {
            request,
            result: Err(WriteError {
                kind: WriteErrorKind::SlotTaken,
                message: message.into(),
            }),
        }
    }
}
