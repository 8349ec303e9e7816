//! Appointments: the calendar's day and week, the free-slot finder, one appointment's history and
//! today's queue (`reads`); booking, moving, cancelling and status changes (`writes`). The only
//! Rust that speaks SQL about appointments; this file holds what both sides share.
//!
//! Every function takes the clinic's time zone and does the local-day arithmetic here (chrono-tz),
//! passing UTC instants to the server: the database never depends on a session's TimeZone.
//! Functions take `&Client`; a pooled `deadpool_postgres::Object` derefs to one.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use tokio_postgres::types::Type;
use tokio_postgres::Row;

mod reads;
mod writes;

pub use reads::{day_view, doctors, entry, find_free_slots, get, history, today_queue, week_view};
pub use writes::{book, cancel, check_in, move_to, set_status, take_back};

use super::DbError;
use crate::domain::appointment::{
    patient_list_name, Appointment, AppointmentStatus, CalendarEntry,
};
pub use crate::domain::appointment::{MoveTo, NewAppointment};
use crate::domain::schedule::Doctor;

/// The longest appointment the schema allows (0003's CHECK): a query for what overlaps a range only
/// has to look this far back for start times, so it stays an index range scan.
const LONGEST: Duration = Duration::hours(8);
/// Parameter types, so the hot reads go out as one round trip each (`db::conn::query`: parsed and
/// planned for the range asked, since a generic plan of a time range is far slower at ten million
/// appointments), and a view's pipelined queries as one flight.
const TS: Type = Type::TIMESTAMPTZ;
const ID: Type = Type::INT8;
/// How far ahead the slot finder looks before saying there is nothing.
const FINDER_HORIZON_DAYS: i64 = 92;

const APPT_COLS: &str = "a.id, a.patient_id, a.doctor_id, a.starts_at, a.ends_at, a.reason, a.status, \
     a.cancel_reason, a.status_changed_at, a.status_changed_by, a.updated_at, a.updated_by, a.version";
const ENTRY_COLS: &str =
    "a.id, a.version, a.patient_id, p.family_name, p.given_names, a.doctor_id, \
     a.starts_at, a.ends_at, a.reason, a.status";

/// Why a booking or a change to an appointment did not happen, in words for the desk.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// Another desk got there first (the exclusion constraint, SQLSTATE 23P01).
    #[error("That slot was just taken by {by}.")]
    SlotTaken { by: String },
    /// The doctor is on leave then; the database refuses it whoever asks.
    #[error("{0}")]
    OnLeave(String),
    /// Blocked time: allowed only when squeezing an urgent patient in.
    #[error("{0} Book anyway to squeeze the patient in.")]
    Blocked(String),
    /// Outside working hours: allowed only when squeezing an urgent patient in.
    #[error("{0} Book anyway to squeeze the patient in.")]
    OutsideHours(String),
    /// The patient already has a live appointment then, with another doctor.
    #[error("The patient already has an appointment then: {0}. Book anyway to see two doctors.")]
    PatientBusy(String),
    /// Someone changed it since it was read (optimistic concurrency); `current` is what is there now.
    #[error("{by} changed this appointment at {at} (it is now {}). Look again and redo your change.", .current.status)]
    Changed {
        by: String,
        at: String,
        current: Box<Appointment>,
    },
    #[error("That appointment is not there any more, or is not yours.")]
    NotFound,
    /// The database (or a check made before asking it) refused, e.g. a disallowed status change.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn status_of(s: &str) -> Result<AppointmentStatus, DbError> {
    AppointmentStatus::parse(s)
        .ok_or_else(|| DbError::Other(format!("unknown appointment status {s:?}")))
}

fn appointment_from_row(r: &Row) -> Result<Appointment, DbError> {
    Ok(Appointment {
        id: r.get(0),
        patient_id: r.get(1),
        doctor_id: r.get(2),
        starts_at: r.get(3),
        ends_at: r.get(4),
        reason: r.get(5),
        status: status_of(r.get(6))?,
        cancel_reason: r.get(7),
        status_changed_at: r.get(8),
        status_changed_by: r.get(9),
        updated_at: r.get(10),
        updated_by: r.get(11),
        version: r.get(12),
    })
}

fn entry_from_row(r: &Row) -> Result<CalendarEntry, DbError> {
    Ok(CalendarEntry {
        id: r.get(0),
        version: r.get(1),
        patient_id: r.get(2),
        patient_name: patient_list_name(r.get(3), r.get(4)),
        doctor_id: r.get(5),
        starts_at: r.get(6),
        ends_at: r.get(7),
        reason: r.get(8),
        status: status_of(r.get(9))?,
    })
}

fn doctor_from_row(r: &Row) -> Doctor {
    Doctor {
        id: r.get(0),
        name: r.get(1),
    }
}

/// One doctor by staff id, if that is a doctor.
async fn doctor(client: &impl super::conn::Conn, id: i64) -> Result<Option<Doctor>, DbError> {
    let rows = super::conn::query(
        client,
        "SELECT id, full_name FROM clinic.staff WHERE id = $1 AND job = 'doctor'",
        &[(&id, ID)],
    )
    .await?;
    Ok(rows.first().map(doctor_from_row))
}

fn hm(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%H:%M").to_string()
}
