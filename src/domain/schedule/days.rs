//! The calendar's days as the database reads them: each doctor's column on a date (hours, time
//! off, appointments) and what one cell of it shows.

use chrono::{DateTime, NaiveDate, Utc};

use super::{clashing_exception, ExceptionKind, Period, ScheduleException, WorkingHours};
use crate::domain::appointment::CalendarEntry;

/// A doctor as the calendar heads a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doctor {
    pub id: i64,
    /// The staff directory's full name ("Alice Smith"); `appointment::doctor_title` adds "Dr".
    pub name: String,
}

/// One doctor's column on one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorDay {
    pub doctor: Doctor,
    pub date: NaiveDate,
    /// That weekday's working hours as set up (wall clock).
    pub hours: Vec<WorkingHours>,
    /// Whether the doctor has working hours on any weekday. A doctor with a rota is closed on the
    /// days it leaves out; one with no rota at all is open all day (nothing set up yet).
    pub has_rota: bool,
    /// The same hours as instants on this date.
    pub periods: Vec<Period>,
    pub exceptions: Vec<ScheduleException>,
    /// Every appointment that day, cancelled ones included, by start time.
    pub appointments: Vec<CalendarEntry>,
}

/// What one calendar cell shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotState<'a> {
    Booked(&'a CalendarEntry),
    Leave(&'a ScheduleException),
    Blocked(&'a ScheduleException),
    /// Only a cancelled appointment here: shown as "[x]", and bookable.
    Cancelled(&'a CalendarEntry),
    Free,
    /// Outside working hours.
    Closed,
}

impl DoctorDay {
    /// The cell for `from..to`: a live appointment first, then leave, blocked time, a cancellation,
    /// then free or closed by the working hours. A doctor with no rota at all is open all day.
    pub fn slot_state(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> SlotState<'_> {
        let here = |e: &&CalendarEntry| e.overlaps(from, to);
        if let Some(e) = self
            .appointments
            .iter()
            .filter(here)
            .find(|e| e.status.occupies_slot())
        {
            return SlotState::Booked(e);
        }
        if let Some(x) = clashing_exception(&self.exceptions, self.doctor.id, from, to) {
            return match x.kind {
                ExceptionKind::Leave => SlotState::Leave(x),
                ExceptionKind::Blocked => SlotState::Blocked(x),
            };
        }
        if let Some(e) = self.appointments.iter().find(here) {
            return SlotState::Cancelled(e);
        }
        let open = !self.has_rota
            || self
                .periods
                .iter()
                .any(|p| p.starts_at <= from && to <= p.ends_at);
        if open {
            SlotState::Free
        } else {
            SlotState::Closed
        }
    }
}

/// All doctors on one date, ordered by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayView {
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub doctors: Vec<DoctorDay>,
}

/// One doctor's week, Monday (or the requested first day) and the six days after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekView {
    pub doctor: Doctor,
    pub days: Vec<DoctorDay>,
}
