//! What the calendar asks of the database (run by `crate::effects::appointments`) and the answers,
//! each tagged with the request id it answers so a stale one is dropped.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::app::pending::RequestId;
use crate::app::widgets::PatientSearch;
use crate::domain::appointment::{
    Appointment, AppointmentStatus, CalendarEntry, MoveTo, NewAppointment, StatusChange,
};
use crate::domain::patient::{PatientHit, SearchQuery};
use crate::domain::schedule::{DayView, ScheduleException, Slot, WeekView, WorkingHours};
use crate::domain::stored::Stored;

/// Database work this screen asks for; run by `crate::effects::appointments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Day {
        request: RequestId,
        date: NaiveDate,
        tz: Tz,
    },
    Week {
        request: RequestId,
        doctor_id: i64,
        week_start: NaiveDate,
        tz: Tz,
    },
    /// The next free slot of a doctor (or any doctor) from `from`.
    FindFree {
        request: RequestId,
        doctor_id: Option<i64>,
        from: DateTime<Utc>,
        tz: Tz,
    },
    /// Where an appointment is (to show it).
    Locate {
        request: RequestId,
        appointment_id: i64,
    },
    Detail {
        request: RequestId,
        appointment_id: i64,
    },
    SearchPatients {
        request: RequestId,
        query: SearchQuery,
        limit: i64,
    },
    Book {
        request: RequestId,
        new: NewAppointment,
        tz: Tz,
    },
    Move {
        request: RequestId,
        appointment_id: i64,
        version: i32,
        to: MoveTo,
        tz: Tz,
    },
    Cancel {
        request: RequestId,
        appointment_id: i64,
        version: i32,
        reason: String,
        tz: Tz,
    },
    SetStatus {
        request: RequestId,
        appointment_id: i64,
        version: i32,
        status: AppointmentStatus,
        tz: Tz,
    },
    /// Back to scheduled, with the reason the history keeps.
    TakeBack {
        request: RequestId,
        appointment_id: i64,
        version: i32,
        reason: String,
        tz: Tz,
    },
    Availability {
        request: RequestId,
        doctor_id: i64,
        from: DateTime<Utc>,
    },
    /// The doctor's whole week from now on, in one transaction: `week` replaces the rows read as
    /// `read` (id, version), and is refused if someone changed them meanwhile.
    SaveWeek {
        request: RequestId,
        doctor_id: i64,
        read: Vec<(i64, i32)>,
        week: Vec<WorkingHours>,
    },
    DeleteHours {
        request: RequestId,
        id: i64,
        version: i32,
    },
    AddTimeOff {
        request: RequestId,
        time_off: ScheduleException,
    },
    DeleteTimeOff {
        request: RequestId,
        id: i64,
        version: i32,
    },
}

/// A write the database refused, in the desk's words, and what the form can do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError {
    pub kind: WriteErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteErrorKind {
    /// Another desk holds the time (the exclusion constraint): the view is out of date.
    SlotTaken,
    /// Blocked time or outside hours: saving again squeezes the patient in.
    SqueezeIn,
    /// The patient is with another doctor then: saving again books anyway.
    PatientBusy,
    /// Someone changed the appointment since it was read.
    Changed,
    Other,
}

/// An appointment with everything its detail shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentDetail {
    pub entry: CalendarEntry,
    pub appointment: Appointment,
    pub history: Vec<StatusChange>,
}

/// A doctor's rota and time off from today on, each row with its id and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailabilityData {
    pub hours: Vec<Stored<WorkingHours>>,
    pub time_off: Vec<Stored<ScheduleException>>,
}

/// The answers, each carrying the request id it answers so a stale one is dropped.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Day {
        request: RequestId,
        result: Result<DayView, String>,
    },
    Week {
        request: RequestId,
        result: Result<WeekView, String>,
    },
    Free {
        request: RequestId,
        result: Result<Option<Slot>, String>,
    },
    Located {
        request: RequestId,
        result: Result<Option<Box<CalendarEntry>>, String>,
    },
    Detail {
        request: RequestId,
        result: Result<Option<Box<AppointmentDetail>>, String>,
    },
    Patients {
        request: RequestId,
        result: Result<Vec<PatientHit>, String>,
    },
    /// A booking, move, cancellation or status change.
    Written {
        request: RequestId,
        result: Result<Box<Appointment>, WriteError>,
    },
    Availability {
        request: RequestId,
        result: Result<AvailabilityData, String>,
    },
    AvailabilitySaved {
        request: RequestId,
        result: Result<(), String>,
    },
}

impl From<PatientSearch> for Request {
    fn from(s: PatientSearch) -> Self {
        Request::SearchPatients {
            request: s.request,
            query: s.query,
            limit: s.limit,
        }
    }
}
