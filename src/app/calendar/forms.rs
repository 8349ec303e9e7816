//! The calendar's forms at work: the keys of any of them, the small forms (go to a date, cancel
//! with a reason, working hours, time off) and their saves, and what the database answered to a
//! write. A refusal keeps the form open with everything typed and says why at the field.

use chrono::{NaiveDate, NaiveTime, Timelike};

use super::form::{self, parse_day, parse_time, weekday_names, Form, FormKind};
use super::{CalendarScreen, Cmd, Request, Write, WriteError, WriteErrorKind};
use crate::app::pending::RequestId;
use crate::app::screen::{Ctx, Outcome};
use crate::app::widgets::Field;
use crate::domain::appointment::{doctor_title, Appointment, AppointmentStatus, CalendarEntry};
use crate::domain::schedule::{local_instant, ExceptionKind, ScheduleException, WorkingHours};

pub(super) fn go_to_form(date: NaiveDate) -> Form {
    let field = Field::text("Date", date.format("%Y-%m-%d").to_string());
    Form::new("Go to a date", FormKind::GoTo, vec![field], 0)
}

pub(super) fn cancel_form(entry: &CalendarEntry, tz: chrono_tz::Tz) -> Form {
    let title = format!(
        "Cancel {} {}",
        entry.patient_name,
        entry.starts_at.with_timezone(&tz).format("%a %d %b %H:%M")
    );
    Form::new(
        title,
        FormKind::Cancel {
            entry: entry.clone(),
        },
        vec![Field::text("Reason", "")],
        0,
    )
}

pub(super) fn take_back_form(entry: &CalendarEntry, tz: chrono_tz::Tz) -> Form {
    let what = match entry.status {
        AppointmentStatus::NoShow => "no-show",
        _ => "check-in",
    };
    let title = format!(
        "Take back the {what} of {} {}",
        entry.patient_name,
        entry.starts_at.with_timezone(&tz).format("%a %H:%M")
    );
    Form::new(
        title,
        FormKind::TakeBack {
            entry: entry.clone(),
        },
        vec![Field::text("Reason", "")],
        0,
    )
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
    let mut days = weekday_names();
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
pub(super) fn time_off_form(doctor_id: i64, date: NaiveDate, time: NaiveTime) -> Form {
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

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str() + ".")
        .unwrap_or_default()
}

impl CalendarScreen {
    /// The keys of whichever form is open.
    pub(super) fn form_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        match cmd {
            Cmd::NextField => form.next_field(true, true),
            Cmd::PreviousField => form.next_field(false, true),
            Cmd::FormUp | Cmd::FormDown => {
                form.step(cmd == Cmd::FormDown);
                // Another doctor (or picking another patient) is another booking: warnings about
                // the one before do not carry over.
                if let Some(b) = form.booking_mut() {
                    b.squeeze_offered = false;
                    b.overlap_offered = false;
                }
            }
            Cmd::FormEnter => {
                let booking = matches!(form.kind, FormKind::Book(_));
                if booking && form.focus == form::PATIENT {
                    return Self::pick_patient(form);
                } else if form.fields.len() == 1 {
                    return self.save(ctx);
                }
                form.next_field(true, true);
            }
            Cmd::Save => return self.save(ctx),
            Cmd::FormFindFree => return self.form_find_free(ctx),
            Cmd::Discard => self.form = None,
            _ => return Outcome::default(),
        }
        Outcome::redraw()
    }

    /// Ctrl-S: check what can be checked here, then ask the database.
    fn save(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        if form.saving.in_flight() {
            return Outcome::notice("Still saving.");
        }
        form.clear_errors();
        match form.kind.clone() {
            FormKind::Book(_) => self.save_booking(ctx),
            FormKind::GoTo => {
                let Some(date) = parse_day(form.value(0), ctx.today(), ctx.date_format) else {
                    form.set_error(
                        0,
                        "Not a date: type 2026-12-24, your local format, +7 or -1.",
                    );
                    return Outcome::redraw();
                };
                self.form = None;
                self.go_to_date(date, ctx)
            }
            FormKind::Cancel { entry } => {
                let reason = form.value(0).trim().to_string();
                if reason.is_empty() {
                    form.set_error(0, "Say why the appointment is cancelled (the patient called, the doctor is away, ...).");
                    return Outcome::redraw();
                }
                let write = Write::Cancel {
                    patient: entry.patient_name.clone(),
                };
                let request = ctx.start(&mut self.writing, write);
                form.saving.expect(request, ctx.now, ());
                Outcome::request(Request::Cancel {
                    request,
                    appointment_id: entry.id,
                    version: entry.version,
                    reason,
                    tz: ctx.tz,
                })
            }
            FormKind::TakeBack { entry } => {
                let reason = form.value(0).trim().to_string();
                if reason.is_empty() {
                    form.set_error(
                        0,
                        "Say why (checked in by mistake, the patient came after all, ...).",
                    );
                    return Outcome::redraw();
                }
                let write = Write::TakeBack {
                    patient: entry.patient_name.clone(),
                    from: entry.status,
                };
                let request = ctx.start(&mut self.writing, write);
                form.saving.expect(request, ctx.now, ());
                Outcome::request(Request::TakeBack {
                    request,
                    appointment_id: entry.id,
                    version: entry.version,
                    reason,
                    tz: ctx.tz,
                })
            }
            FormKind::Hours {
                doctor_id,
                existing,
            } => self.save_hours(doctor_id, existing, ctx),
            FormKind::TimeOff { doctor_id } => self.save_time_off(doctor_id, ctx),
        }
    }

    /// Working hours go in as the doctor's whole week, in one transaction: the rows as read, with
    /// this change made (a row changed, or one or five days added).
    fn save_hours(
        &mut self,
        doctor_id: i64,
        existing: Option<(i64, i32)>,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        let weekday = u8::try_from(form.fields[0].chosen() + 1).unwrap_or(1);
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
        let new: Vec<WorkingHours> = weekdays
            .map(|weekday| WorkingHours {
                doctor_id,
                weekday,
                starts,
                ends,
                slot_minutes,
            })
            .collect();
        if let Some(Err(why)) = new.first().map(|h| h.check()) {
            form.error = Some(capitalised(&why));
            return Outcome::redraw();
        }
        let Some(panel) = self.availability.as_mut() else {
            return Outcome::default();
        };
        let Some(data) = &panel.data else {
            form.error = Some("Wait for the doctor's hours to load, then save again.".into());
            return Outcome::redraw();
        };
        let read: Vec<(i64, i32)> = data.hours.iter().map(|h| h.key()).collect();
        let mut week: Vec<WorkingHours> = data
            .hours
            .iter()
            .filter(|h| Some(h.key()) != existing)
            .map(|h| h.item.clone())
            .collect();
        week.extend(new);
        let request = ctx.start(&mut panel.saving, ());
        form.saving.expect(request, ctx.now, ());
        Outcome::request(Request::SaveWeek {
            request,
            doctor_id,
            read,
            week,
        })
    }

    fn save_time_off(&mut self, doctor_id: i64, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &mut self.form else {
            return Outcome::default();
        };
        let today = ctx.today();
        let kind = if form.fields[0].chosen() == 0 {
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
        let (Some(fd), Some(ft), Some(td), Some(tt)) = (from_date, from_time, to_date, to_time)
        else {
            form.focus_first_error();
            return Outcome::redraw();
        };
        let note = form.value(5).trim().to_string();
        let time_off = ScheduleException {
            doctor_id,
            starts_at: local_instant(ctx.tz, fd, ft, true),
            ends_at: local_instant(ctx.tz, td, tt, false),
            kind,
            note: (!note.is_empty()).then_some(note),
        };
        if let Err(why) = time_off.check() {
            form.error = Some(capitalised(&why));
            return Outcome::redraw();
        }
        let Some(panel) = self.availability.as_mut() else {
            return Outcome::default();
        };
        let request = ctx.start(&mut panel.saving, ());
        form.saving.expect(request, ctx.now, ());
        Outcome::request(Request::AddTimeOff { request, time_off })
    }

    /// A booking, move, cancellation or status change answered.
    pub(super) fn written(
        &mut self,
        request: RequestId,
        result: Result<Box<Appointment>, WriteError>,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        let Some(write) = self.writing.finish(request) else {
            return Outcome::default();
        };
        let form_is_ours = self.form.as_ref().is_some_and(|f| f.saving.is(request));
        if let Some(form) = self.form.as_mut().filter(|_| form_is_ours) {
            form.saving.cancel();
        }
        match result {
            Ok(a) => self.write_done(&write, &a, form_is_ours, ctx),
            Err(e) => {
                // The view may be out of date (a slot taken, a change elsewhere): load it again.
                let out = self.load(ctx);
                let Some(form) = self.form.as_mut().filter(|_| form_is_ours) else {
                    return out.with_notice(e.message);
                };
                let field = match (&form.kind, e.kind) {
                    (
                        FormKind::Book(_),
                        WriteErrorKind::SlotTaken
                        | WriteErrorKind::SqueezeIn
                        | WriteErrorKind::PatientBusy,
                    ) => Some(form::TIME),
                    (FormKind::Cancel { .. } | FormKind::TakeBack { .. }, _) => Some(0),
                    _ => None,
                };
                let mut message = e.message.clone();
                if let Some(b) = form.booking_mut() {
                    match e.kind {
                        WriteErrorKind::SqueezeIn => {
                            b.squeeze_offered = true;
                            message = message.replace(
                                "Book anyway to squeeze the patient in.",
                                "Ctrl-S again books anyway (squeeze in).",
                            );
                        }
                        WriteErrorKind::PatientBusy => {
                            b.overlap_offered = true;
                            message = message.replace(
                                "Book anyway to see two doctors.",
                                "Ctrl-S again books anyway.",
                            );
                        }
                        _ => {}
                    }
                }
                match field {
                    Some(i) => {
                        form.set_error(i, message);
                        form.focus = i;
                    }
                    None => form.error = Some(message),
                }
                out
            }
        }
    }

    fn write_done(
        &mut self,
        write: &Write,
        a: &Appointment,
        form_is_ours: bool,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        let when = a
            .starts_at
            .with_timezone(&ctx.tz)
            .format("%a %d %b %H:%M")
            .to_string();
        let doctor = self
            .grid
            .doctor_name(a.doctor_id)
            .map_or_else(|| "the doctor".into(), doctor_title);
        let notice = match write {
            Write::Book { patient } => format!("Booked {patient} with {doctor}, {when}."),
            Write::Move { patient } => {
                self.moving = None;
                format!("Moved {patient} to {doctor}, {when}.")
            }
            Write::Cancel { patient } => format!("Cancelled {patient}'s {when}."),
            Write::TakeBack { patient, from } => match from {
                AppointmentStatus::NoShow => {
                    format!("{patient}'s no-show is taken back: scheduled again.")
                }
                _ => format!("{patient}'s check-in is taken back: scheduled again."),
            },
            Write::Status { patient, to } => match to {
                AppointmentStatus::CheckedIn => format!("{patient} checked in."),
                AppointmentStatus::InProgress => format!("{patient} is with the doctor."),
                AppointmentStatus::Completed => format!("{patient}'s consultation is done."),
                AppointmentStatus::NoShow => format!("{patient} marked as no-show."),
                other => format!("{patient}: {other}."),
            },
        };
        if form_is_ours {
            self.form = None;
        }
        if matches!(write, Write::Book { .. } | Write::Move { .. }) {
            self.grid.focus(a.doctor_id, a.starts_at);
        }
        let mut out = self.load(ctx);
        if self
            .detail
            .as_ref()
            .is_some_and(|d| d.appointment_id == a.id)
        {
            out = out.and(self.request_detail(a.id, ctx));
        }
        out.with_notice(notice)
    }
}

impl super::Reply {
    /// A failed write in words, for tests and callers that build replies by hand.
    pub fn slot_taken(request: RequestId, message: impl Into<String>) -> super::Reply {
        super::Reply::Written {
            request,
            result: Err(WriteError {
                kind: WriteErrorKind::SlotTaken,
                message: message.into(),
            }),
        }
    }
}
