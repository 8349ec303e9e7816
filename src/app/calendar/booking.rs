//! Booking: the form opened on a slot (or for a patient handed over from the lookup), the patient
//! picker in its first field, the doctor's next free time, and the save.

use chrono::Duration;
use chrono_tz::Tz;

use super::form::{self, parse_day, parse_time, Booking, Form, FormKind};
use super::{CalendarScreen, FindFor, Request, SlotState, Write};
use crate::app::pending::RequestId;
use crate::app::screen::{Ctx, Outcome};
use crate::app::widgets::{Field, PatientPicker};
use crate::domain::appointment::{doctor_title, NewAppointment};
use crate::domain::patient::PatientHit;
use crate::domain::schedule::{local_instant, Doctor, Slot};

/// How many patients the booking form's lookup lists.
pub const PATIENT_HITS: i64 = 5;

/// Fill the booking form's doctor, date and time from a slot.
pub(super) fn put_slot(form: &mut Form, slot: &Slot, tz: Tz) {
    let local = slot.starts_at.with_timezone(&tz);
    let doctor = form
        .booking()
        .and_then(|b| b.doctors.iter().position(|(id, _)| *id == slot.doctor_id));
    if let Some(i) = doctor {
        form.set_choice(form::DOCTOR, i);
    }
    if let Some(b) = form.booking_mut() {
        b.wanted_doctor = Some(slot.doctor_id);
    }
    let minutes = (slot.ends_at - slot.starts_at).num_minutes();
    form.set_text(form::DATE, local.format("%Y-%m-%d").to_string());
    form.set_text(form::TIME, local.format("%H:%M").to_string());
    form.set_text(form::MINUTES, minutes.to_string());
}

/// Fill the doctor choices of a booking form that has none yet, on `current` when given.
pub(super) fn offer_doctors(form: &mut Form, doctors: &[Doctor], current: Option<i64>) {
    let Some(b) = form.booking_mut().filter(|b| b.doctors.is_empty()) else {
        return;
    };
    let current = b.wanted_doctor.or(current);
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
    ) -> Outcome<Self> {
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
        let picker = match patient {
            Some((id, name)) => PatientPicker::with_picked(PATIENT_HITS, id, name),
            None => PatientPicker::new(PATIENT_HITS),
        };
        let doctor_names = if doctors.is_empty() {
            vec!["(no doctors loaded)".to_string()]
        } else {
            doctors.iter().map(|(_, n)| n.clone()).collect()
        };
        let fields = vec![
            Field::patient("Patient", picker),
            Field::choice("Doctor", doctor_names, choice),
            Field::text("Date", self.grid.date.format("%Y-%m-%d").to_string()),
            Field::text("Time", self.grid.cursor_time().format("%H:%M").to_string()),
            Field::text("Minutes", minutes.to_string()),
            Field::text("Reason", ""),
            Field::choice("Visit", form::VISITS.map(String::from).to_vec(), 0),
        ];
        let booking = Booking {
            doctors,
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

    pub(super) fn book_here(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        if let Some(SlotState::Booked(_)) = self.grid.cell().map(|c| c.state) {
            return Outcome::notice("That slot is taken: pick a free one, or f for the next free.");
        }
        self.open_booking(None, ctx)
    }

    /// The booking form's lookup, once typing has paused.
    pub(super) fn search_patients(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(picker) = self.form.as_mut().and_then(|f| f.picker_mut(form::PATIENT)) else {
            return Outcome::default();
        };
        match picker.search(ctx) {
            Some(search) => Outcome::request(Request::from(search)),
            None => Outcome::redraw(),
        }
    }

    pub(super) fn patients_found(
        &mut self,
        request: RequestId,
        result: Result<Vec<PatientHit>, String>,
    ) -> Outcome<Self> {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        let Some(picker) = form.picker_mut(form::PATIENT) else {
            return Outcome::default();
        };
        let error = result.as_ref().err().cloned();
        if !picker.found(request, result) {
            return Outcome::default();
        }
        let none = picker.hits.is_empty();
        match error {
            Some(e) => form.set_error(form::PATIENT, e),
            None if none => form.set_error(
                form::PATIENT,
                "No patient found: check the spelling, or register them on the Patients screen.",
            ),
            None => {}
        }
        Outcome::redraw()
    }

    /// Enter in the patient field: pick the highlighted match and go on to the time.
    pub(super) fn pick_patient(form: &mut Form) -> Outcome<Self> {
        let picked = form
            .picker_mut(form::PATIENT)
            .is_some_and(PatientPicker::pick);
        if !picked && form.patient().is_none() {
            form.set_error(
                form::PATIENT,
                "Type part of a name (or a birth date, phone, number), then pick with ↓ and Enter.",
            );
            return Outcome::redraw();
        }
        if let Some(f) = form.fields.get_mut(form::PATIENT) {
            f.error = None;
        }
        form.focus = form::TIME;
        Outcome::redraw()
    }

    /// Ctrl-F in the booking form: the chosen doctor's next free time from the date and time typed.
    pub(super) fn form_find_free(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &self.form else {
            return Outcome::default();
        };
        if form.booking().is_none() {
            return Outcome::default();
        }
        let doctor = form.doctor();
        let date = parse_day(form.value(form::DATE), ctx.today(), ctx.date_format)
            .unwrap_or_else(|| ctx.today());
        let time = parse_time(form.value(form::TIME)).unwrap_or_default();
        let from = local_instant(ctx.tz, date, time, true).max(ctx.now);
        self.find_free(doctor, from, FindFor::Form, ctx)
    }

    /// Ctrl-S on the booking form: what can be checked here first, at the field it is about.
    pub(super) fn save_booking(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        let Some((squeeze_in, overlap_ok)) = form
            .booking()
            .map(|b| (b.squeeze_offered, b.overlap_offered))
        else {
            return Outcome::default();
        };
        let patient = form.patient().cloned();
        let doctor = form.doctor();
        let reason = form.value(form::REASON).trim().to_string();
        let date = parse_day(form.value(form::DATE), ctx.today(), ctx.date_format);
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
        let (Some((patient_id, name)), Some(doctor_id), Some(date), Some(time), Some(minutes)) =
            (patient, doctor, date, time, minutes)
        else {
            form.focus_first_error();
            return Outcome::redraw();
        };
        let starts_at = local_instant(ctx.tz, date, time, true);
        // Booking into the past is refused unless recording a past visit was chosen: a slip of
        // the date (yesterday for tomorrow) must not slip through.
        let past_visit = form.fields.get(form::VISIT).map(|f| f.chosen()) == Some(1);
        match (starts_at < ctx.now, past_visit) {
            (true, false) => {
                let now = ctx.now.with_timezone(&ctx.tz).format("%a %d %b %H:%M");
                form.set_error(
                    form::TIME,
                    format!(
                        "That time has passed (it is {now}): pick a later one, or set Visit to \"{}\".",
                        form::VISITS[1]
                    ),
                );
                form.focus = form::TIME;
                return Outcome::redraw();
            }
            (false, true) => {
                form.set_error(
                    form::VISIT,
                    format!(
                        "A past visit is in the past: set the date and time it happened, or Visit to \"{}\".",
                        form::VISITS[0]
                    ),
                );
                form.focus = form::VISIT;
                return Outcome::redraw();
            }
            _ => {}
        }
        let request = ctx.start(&mut self.writing, Write::Book { patient: name });
        form.saving.expect(request, ctx.now, ());
        Outcome::request(Request::Book {
            request,
            new: NewAppointment {
                patient_id,
                doctor_id,
                starts_at,
                ends_at: starts_at + Duration::minutes(minutes),
                reason: (!reason.is_empty()).then_some(reason),
                squeeze_in,
                overlap_ok,
            },
            tz: ctx.tz,
        })
    }
}
