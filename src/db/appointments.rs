//! Appointments: the calendar's day and week, the free-slot finder, booking, moving, cancelling,
//! status changes and their history, and today's queue. The only Rust that speaks SQL about
//! appointments.
//!
//! Every function takes the clinic's time zone and does the local-day arithmetic here (chrono-tz),
//! passing UTC instants to the server: the database never depends on a session's TimeZone.
//! Functions take `&Client`; a pooled `deadpool_postgres::Object` derefs to one.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Row};

use super::availability;
use super::DbError;
use crate::domain::appointment::{
    doctor_title, patient_list_name, patient_short_name, Appointment, AppointmentStatus,
    CalendarEntry, QueueEntry, StatusChange,
};
pub use crate::domain::appointment::{MoveTo, NewAppointment};
use crate::domain::schedule::{
    check_slot, day_bounds, free_slots, local_date, working_periods, Busy, DayView, Doctor,
    DoctorDay, ScheduleException, Slot, Unavailable, WeekView, WorkingHours,
};

/// The longest appointment the schema allows (0003's CHECK): a query for what overlaps a range only
/// has to look this far back for start times, so it stays an index range scan.
const LONGEST: Duration = Duration::hours(8);
/// Parameter types, so the hot reads go out as one round trip each (`query_typed`: no separate
/// prepare), and a view's pipelined queries as one flight.
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

fn hm(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%H:%M").to_string()
}

/// Active doctors (and any inactive one who still has appointments in `from..to`), by name.
async fn doctors_between(
    client: &Client,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Doctor>, DbError> {
    let rows = client
        .query_typed(
            "SELECT s.id, s.full_name FROM clinic.staff s
              WHERE s.job = 'doctor'
                AND (s.active OR EXISTS (SELECT FROM clinic.appointments a WHERE a.doctor_id = s.id
                                            AND a.starts_at >= $1 AND a.starts_at < $2 AND a.ends_at > $3))
              ORDER BY s.full_name, s.id",
            &[(&(from - LONGEST), TS), (&to, TS), (&from, TS)],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Doctor {
            id: r.get(0),
            name: r.get(1),
        })
        .collect())
}

/// The doctors the calendar can show, by name.
pub async fn doctors(client: &Client) -> Result<Vec<Doctor>, DbError> {
    let rows = client
        .query_typed("SELECT id, full_name FROM clinic.staff WHERE job = 'doctor' AND active ORDER BY full_name, id", &[])
        .await?;
    Ok(rows
        .iter()
        .map(|r| Doctor {
            id: r.get(0),
            name: r.get(1),
        })
        .collect())
}

/// What an accountant may read of an appointment (sql/0003 grants them columns, not rows): no
/// reason, which can be clinical, and no version, since they change nothing.
const ENTRY_COLS_BILLING: &str =
    "a.id, 0, a.patient_id, p.family_name, p.given_names, a.doctor_id, \
     a.starts_at, a.ends_at, NULL::text, a.status";

/// Run an entries query with the full columns, or, when the caller's grants leave some out (42501),
/// with what billing may see. Only such roles pay the second round trip.
async fn entry_rows(
    client: &Client,
    sql: impl Fn(&str) -> String,
    params: &[(&(dyn ToSql + Sync), Type)],
) -> Result<Vec<Row>, DbError> {
    match client.query_typed(&sql(ENTRY_COLS), params).await {
        Err(e) if e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) => {
            Ok(client.query_typed(&sql(ENTRY_COLS_BILLING), params).await?)
        }
        r => Ok(r?),
    }
}

/// Appointments overlapping `from..to` (one doctor's or everyone's the caller may see), by start.
async fn entries_between(
    client: &Client,
    doctor: Option<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<CalendarEntry>, DbError> {
    let sql =
        |cols: &str| {
            format!(
            "SELECT {cols} FROM clinic.appointments a JOIN clinic.patients p ON p.id = a.patient_id
              WHERE a.starts_at >= $1 AND a.starts_at < $2 AND a.ends_at > $3 {}
              ORDER BY a.starts_at, a.id",
            if doctor.is_some() { "AND a.doctor_id = $4" } else { "" }
        )
        };
    let lo = from - LONGEST;
    let rows = match doctor {
        Some(d) => entry_rows(client, sql, &[(&lo, TS), (&to, TS), (&from, TS), (&d, ID)]).await?,
        None => entry_rows(client, sql, &[(&lo, TS), (&to, TS), (&from, TS)]).await?,
    };
    rows.iter().map(entry_from_row).collect()
}

fn doctor_day(
    doctor: &Doctor,
    date: NaiveDate,
    tz: Tz,
    hours: &[WorkingHours],
    exceptions: &[ScheduleException],
    entries: &[CalendarEntry],
) -> DoctorDay {
    let (from, to) = day_bounds(tz, date);
    let weekday = u8::try_from(chrono::Datelike::weekday(&date).number_from_monday()).unwrap_or(0);
    let has_rota = hours.iter().any(|h| h.doctor_id == doctor.id);
    let hours: Vec<WorkingHours> = hours
        .iter()
        .filter(|h| h.doctor_id == doctor.id && h.weekday == weekday)
        .cloned()
        .collect();
    DoctorDay {
        doctor: doctor.clone(),
        date,
        periods: working_periods(&hours, tz, date),
        hours,
        has_rota,
        exceptions: exceptions
            .iter()
            .filter(|x| x.doctor_id == doctor.id && x.overlaps(from, to))
            .cloned()
            .collect(),
        appointments: entries
            .iter()
            .filter(|e| e.doctor_id == doctor.id && local_date(tz, e.starts_at) == date)
            .cloned()
            .collect(),
    }
}

/// Every doctor's column for one clinic date, doctors ordered by name. Four queries, pipelined on
/// the one connection.
pub async fn day_view(client: &Client, date: NaiveDate, tz: Tz) -> Result<DayView, DbError> {
    let (from, to) = day_bounds(tz, date);
    let (doctors, hours, exceptions, entries) = tokio::try_join!(
        doctors_between(client, from, to),
        availability::active_hours(client, None),
        availability::exceptions_between(client, None, from, to),
        entries_between(client, None, from, to),
    )?;
    let doctors = doctors
        .iter()
        .map(|d| doctor_day(d, date, tz, &hours, &exceptions, &entries))
        .collect();
    Ok(DayView {
        date,
        starts_at: from,
        ends_at: to,
        doctors,
    })
}

/// One doctor's seven days from `week_start` (normally a Monday: `schedule::week_start`).
pub async fn week_view(
    client: &Client,
    doctor_id: i64,
    week_start: NaiveDate,
    tz: Tz,
) -> Result<WeekView, DbError> {
    let dates: Vec<NaiveDate> = week_start.iter_days().take(7).collect();
    let (from, _) = day_bounds(tz, week_start);
    let (_, to) = day_bounds(tz, dates.last().copied().unwrap_or(week_start));
    let name = async {
        client
            .query_typed_opt(
                "SELECT full_name FROM clinic.staff WHERE id = $1 AND job = 'doctor'",
                &[(&doctor_id, ID)],
            )
            .await
            .map_err(DbError::from)
    };
    let (name, hours, exceptions, entries) = tokio::try_join!(
        name,
        availability::active_hours(client, Some(doctor_id)),
        availability::exceptions_between(client, Some(doctor_id), from, to),
        entries_between(client, Some(doctor_id), from, to),
    )?;
    let name = name.ok_or_else(|| DbError::Invalid("there is no such doctor".into()))?;
    let doctor = Doctor {
        id: doctor_id,
        name: name.get(0),
    };
    let days = dates
        .iter()
        .map(|d| doctor_day(&doctor, *d, tz, &hours, &exceptions, &entries))
        .collect();
    Ok(WeekView { doctor, days })
}

/// The next `limit` free slots from `from`, for one doctor or any doctor (ordered by time, then
/// doctor), looking up to three months ahead a week at a time. Loads the rota and that week's
/// appointments, then computes (`schedule::free_slots`): a handful of indexed range reads.
/// Run as a doctor, RLS hides colleagues' appointments, so only the doctor's own slots are reliable.
pub async fn find_free_slots(
    client: &Client,
    doctor: Option<i64>,
    from: DateTime<Utc>,
    tz: Tz,
    limit: usize,
) -> Result<Vec<Slot>, DbError> {
    let hours = availability::active_hours(client, doctor).await?;
    let mut out = Vec::new();
    if hours.is_empty() || limit == 0 {
        return Ok(out);
    }
    let first = local_date(tz, from);
    let last = first + Duration::days(FINDER_HORIZON_DAYS);
    let mut day = first;
    while day <= last && out.len() < limit {
        let chunk_end = (day + Duration::days(6)).min(last);
        let (lo, _) = day_bounds(tz, day);
        let (_, hi) = day_bounds(tz, chunk_end);
        let busy_sql = format!(
            "SELECT a.doctor_id, a.starts_at, a.ends_at FROM clinic.appointments a
              WHERE a.status <> 'cancelled' AND a.starts_at >= $1 AND a.starts_at < $2 AND a.ends_at > $3 {}",
            if doctor.is_some() { "AND a.doctor_id = $4" } else { "" }
        );
        let busy = async {
            let lo_back = lo - LONGEST;
            let rows = match doctor {
                Some(d) => {
                    let p: [(&(dyn ToSql + Sync), Type); 4] =
                        [(&lo_back, TS), (&hi, TS), (&lo, TS), (&d, ID)];
                    client.query_typed(&busy_sql, &p).await?
                }
                None => {
                    client
                        .query_typed(&busy_sql, &[(&lo_back, TS), (&hi, TS), (&lo, TS)])
                        .await?
                }
            };
            Ok::<_, DbError>(
                rows.iter()
                    .map(|r| Busy {
                        doctor_id: r.get(0),
                        starts_at: r.get(1),
                        ends_at: r.get(2),
                    })
                    .collect::<Vec<_>>(),
            )
        };
        let (busy, exceptions) = tokio::try_join!(
            busy,
            availability::exceptions_between(client, doctor, lo, hi)
        )?;
        out.extend(free_slots(
            &hours,
            &exceptions,
            &busy,
            tz,
            day..=chunk_end,
            from,
        ));
        day = chunk_end + Duration::days(1);
    }
    out.truncate(limit);
    Ok(out)
}

/// One appointment as the calendar shows it (after a notification names it), if the caller may see it.
pub async fn entry(client: &Client, id: i64) -> Result<Option<CalendarEntry>, DbError> {
    let sql = |cols: &str| {
        format!("SELECT {cols} FROM clinic.appointments a JOIN clinic.patients p ON p.id = a.patient_id WHERE a.id = $1")
    };
    entry_rows(client, sql, &[(&id, ID)])
        .await?
        .first()
        .map(entry_from_row)
        .transpose()
}

/// One appointment as stored, if the caller may see it.
pub async fn get(client: &Client, id: i64) -> Result<Option<Appointment>, DbError> {
    let sql = format!("SELECT {APPT_COLS} FROM clinic.appointments a WHERE a.id = $1");
    client
        .query_typed_opt(&sql, &[(&id, ID)])
        .await?
        .as_ref()
        .map(appointment_from_row)
        .transpose()
}

fn check_times(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Result<(), BookError> {
    if ends_at <= starts_at {
        return Err(BookError::Refused(
            "The appointment must end after it starts.".into(),
        ));
    }
    if ends_at - starts_at > LONGEST {
        return Err(BookError::Refused(
            "An appointment is at most 8 hours long.".into(),
        ));
    }
    Ok(())
}

/// Leave always refuses; blocked time and hours outside the rota refuse unless squeezing in. The
/// database enforces leave again on its own (trigger appointments_leave) for anyone bypassing this.
async fn check_availability(
    client: &Client,
    doctor_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    squeeze_in: bool,
    tz: Tz,
) -> Result<(), BookError> {
    let name = async {
        client
            .query_typed_opt(
                "SELECT full_name FROM clinic.staff WHERE id = $1 AND job = 'doctor'",
                &[(&doctor_id, ID)],
            )
            .await
            .map_err(DbError::from)
    };
    let (name, hours, exceptions) = tokio::try_join!(
        name,
        availability::active_hours(client, Some(doctor_id)),
        availability::exceptions_between(client, Some(doctor_id), starts_at, ends_at),
    )?;
    let name = name.ok_or_else(|| BookError::Refused("There is no such doctor.".into()))?;
    let doctor = Doctor {
        id: doctor_id,
        name: name.get(0),
    };
    match check_slot(&doctor, &hours, &exceptions, tz, starts_at, ends_at) {
        Some(Unavailable::OnLeave(m)) => Err(BookError::OnLeave(m)),
        Some(Unavailable::Blocked(m)) if !squeeze_in => Err(BookError::Blocked(m)),
        Some(Unavailable::OutsideHours(m)) if !squeeze_in => Err(BookError::OutsideHours(m)),
        _ => Ok(()),
    }
}

/// Who holds the time `starts_at..ends_at` with this doctor (other than appointment `except`): "Dr
/// Alice Smith's 10:30 with J. Doe" when the caller may see it, else just the time asked for.
async fn conflict_holder(
    client: &Client,
    doctor_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    except: i64,
    tz: Tz,
) -> String {
    let row = client
        .query_opt(
            "SELECT a.starts_at, s.full_name, p.given_names, p.family_name
               FROM clinic.appointments a
               JOIN clinic.staff s ON s.id = a.doctor_id
               LEFT JOIN clinic.patients p ON p.id = a.patient_id
              WHERE a.doctor_id = $1 AND a.status <> 'cancelled' AND a.id <> $4
                AND a.starts_at >= $2 AND a.starts_at < $3 AND a.ends_at > $5
              ORDER BY a.starts_at LIMIT 1",
            &[
                &doctor_id,
                &(starts_at - LONGEST),
                &ends_at,
                &except,
                &starts_at,
            ],
        )
        .await;
    match row {
        Ok(Some(r)) => {
            let at: DateTime<Utc> = r.get(0);
            let doctor = doctor_title(r.get(1));
            match (r.get::<_, Option<String>>(2), r.get::<_, Option<String>>(3)) {
                (Some(given), Some(family)) => {
                    format!(
                        "{doctor}'s {} with {}",
                        hm(tz, at),
                        patient_short_name(&given, &family)
                    )
                }
                _ => format!("{doctor}'s {} appointment", hm(tz, at)),
            }
        }
        _ => format!(
            "another appointment at {}-{}",
            hm(tz, starts_at),
            hm(tz, ends_at)
        ),
    }
}

/// A database refusal in the desk's words: the trigger messages are already sentences; constraint
/// names are not, so they are named here.
fn plain(e: &tokio_postgres::Error) -> Option<BookError> {
    let db = e.as_db_error()?;
    let code = db.code();
    let sentence = |m: &str| {
        let m = m.replace('_', " ");
        let mut c = m.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str() + ".")
            .unwrap_or_default()
    };
    Some(if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        if db.message().starts_with("permission denied") {
            BookError::Forbidden("You are not allowed to do that.".into())
        } else {
            BookError::Forbidden(sentence(db.message()))
        }
    } else if *code == SqlState::CHECK_VIOLATION
        && db.constraint() == Some("appointments_doctor_on_leave")
    {
        BookError::OnLeave("The doctor is on leave at that time.".into())
    } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
        match db.constraint() {
            Some(c) if c.contains("patient") => {
                BookError::Refused("There is no such patient.".into())
            }
            Some(c) if c.contains("doctor") => {
                BookError::Refused("There is no such doctor.".into())
            }
            _ => BookError::Refused(sentence(db.message())),
        }
    } else if *code == SqlState::CHECK_VIOLATION || *code == SqlState::RAISE_EXCEPTION {
        match db.constraint() {
            Some(c) if c.starts_with("appointments_reason") => {
                BookError::Refused("The reason is at most 200 characters.".into())
            }
            Some(c) if c.starts_with("appointments_cancel_reason") => {
                BookError::Refused("The cancellation reason is at most 200 characters.".into())
            }
            Some(_) => BookError::Refused("The appointment's times are not valid.".into()),
            None => BookError::Refused(sentence(db.message())),
        }
    } else {
        return None;
    })
}

async fn write_error(
    client: &Client,
    e: tokio_postgres::Error,
    target: Option<(i64, DateTime<Utc>, DateTime<Utc>)>,
    except: i64,
    tz: Tz,
) -> BookError {
    if e.code() == Some(&SqlState::EXCLUSION_VIOLATION) {
        if let Some((doctor, from, to)) = target {
            return BookError::SlotTaken {
                by: conflict_holder(client, doctor, from, to, except, tz).await,
            };
        }
    }
    plain(&e).unwrap_or_else(|| BookError::Db(e.into()))
}

/// An update matched no row: either the version moved on (say who changed it, and to what) or
/// the row is gone or hidden from the caller.
async fn stale(client: &Client, id: i64, tz: Tz) -> BookError {
    let sql = format!(
        "SELECT {APPT_COLS}, s.full_name FROM clinic.appointments a
           LEFT JOIN clinic.staff s ON s.id = COALESCE(a.updated_by, a.status_changed_by, a.booked_by)
          WHERE a.id = $1"
    );
    match client.query_opt(&sql, &[&id]).await {
        Ok(Some(r)) => match appointment_from_row(&r) {
            Ok(current) => BookError::Changed {
                by: r
                    .get::<_, Option<String>>(13)
                    .unwrap_or_else(|| "Someone".into()),
                at: current
                    .updated_at
                    .with_timezone(&tz)
                    .format("%H:%M")
                    .to_string(),
                current: Box::new(current),
            },
            Err(e) => BookError::Db(e),
        },
        Ok(None) => BookError::NotFound,
        Err(e) => BookError::Db(e.into()),
    }
}

/// Book a patient with a doctor. Taken slots come back as [`BookError::SlotTaken`] naming the
/// holder; leave, blocked time and hours outside the rota as their own errors.
pub async fn book(client: &Client, new: &NewAppointment, tz: Tz) -> Result<Appointment, BookError> {
    check_times(new.starts_at, new.ends_at)?;
    let reason = new
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 200) {
        return Err(BookError::Refused(
            "The reason is at most 200 characters.".into(),
        ));
    }
    check_availability(
        client,
        new.doctor_id,
        new.starts_at,
        new.ends_at,
        new.squeeze_in,
        tz,
    )
    .await?;
    let sql = format!(
        "INSERT INTO clinic.appointments AS a (patient_id, doctor_id, starts_at, ends_at, reason)
         VALUES ($1, $2, $3, $4, $5) RETURNING {APPT_COLS}"
    );
    let params: [&(dyn ToSql + Sync); 5] = [
        &new.patient_id,
        &new.doctor_id,
        &new.starts_at,
        &new.ends_at,
        &reason,
    ];
    match write_row(client, &sql, &params).await {
        Ok(Some(r)) => Ok(appointment_from_row(&r)?),
        // INSERT ... RETURNING always returns its row.
        Ok(None) => Err(BookError::Db(DbError::Other(
            "the booking returned no row".into(),
        ))),
        Err(e) => Err(write_error(
            client,
            e,
            Some((new.doctor_id, new.starts_at, new.ends_at)),
            -1,
            tz,
        )
        .await),
    }
}

/// Move an appointment to another time and/or doctor, if nobody changed it since `expected_version`.
pub async fn move_to(
    client: &Client,
    id: i64,
    expected_version: i32,
    to: &MoveTo,
    tz: Tz,
) -> Result<Appointment, BookError> {
    check_times(to.starts_at, to.ends_at)?;
    check_availability(
        client,
        to.doctor_id,
        to.starts_at,
        to.ends_at,
        to.squeeze_in,
        tz,
    )
    .await?;
    let sql = format!(
        "UPDATE clinic.appointments a SET doctor_id = $3, starts_at = $4, ends_at = $5
          WHERE a.id = $1 AND a.version = $2 RETURNING {APPT_COLS}"
    );
    let params: [&(dyn ToSql + Sync); 5] = [
        &id,
        &expected_version,
        &to.doctor_id,
        &to.starts_at,
        &to.ends_at,
    ];
    match write_row(client, &sql, &params).await {
        Ok(Some(r)) => Ok(appointment_from_row(&r)?),
        Ok(None) => Err(stale(client, id, tz).await),
        Err(e) => Err(write_error(
            client,
            e,
            Some((to.doctor_id, to.starts_at, to.ends_at)),
            id,
            tz,
        )
        .await),
    }
}

/// Cancel, with the reason the patient or the clinic gave.
pub async fn cancel(
    client: &Client,
    id: i64,
    expected_version: i32,
    reason: &str,
    tz: Tz,
) -> Result<Appointment, BookError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(BookError::Refused(
            "Say why the appointment is cancelled.".into(),
        ));
    }
    if reason.chars().count() > 200 {
        return Err(BookError::Refused(
            "The cancellation reason is at most 200 characters.".into(),
        ));
    }
    let sql = format!(
        "UPDATE clinic.appointments a SET status = 'cancelled', cancel_reason = $3
          WHERE a.id = $1 AND a.version = $2 RETURNING {APPT_COLS}"
    );
    update_status(client, id, &sql, &[&id, &expected_version, &reason], tz).await
}

/// Move the status on (check in, start, complete, no-show). Cancelling needs a reason: [`cancel`].
pub async fn set_status(
    client: &Client,
    id: i64,
    expected_version: i32,
    next: AppointmentStatus,
    tz: Tz,
) -> Result<Appointment, BookError> {
    if next.needs_reason() {
        return Err(BookError::Refused("A cancellation needs a reason.".into()));
    }
    let sql = format!("UPDATE clinic.appointments a SET status = $3 WHERE a.id = $1 AND a.version = $2 RETURNING {APPT_COLS}");
    update_status(
        client,
        id,
        &sql,
        &[&id, &expected_version, &next.as_str()],
        tz,
    )
    .await
}

/// The desk's one-key action.
pub async fn check_in(
    client: &Client,
    id: i64,
    expected_version: i32,
    tz: Tz,
) -> Result<Appointment, BookError> {
    set_status(
        client,
        id,
        expected_version,
        AppointmentStatus::CheckedIn,
        tz,
    )
    .await
}

async fn update_status(
    client: &Client,
    id: i64,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    tz: Tz,
) -> Result<Appointment, BookError> {
    match write_row(client, sql, params).await {
        Ok(Some(r)) => Ok(appointment_from_row(&r)?),
        Ok(None) => Err(stale(client, id, tz).await),
        Err(e) => Err(write_error(client, e, None, id, tz).await),
    }
}

/// One write to an appointment, retried when the server asks for it. Two desks writing overlapping
/// times at the same instant each add their entry to the exclusion index and then wait for the
/// other's transaction; the deadlock detector aborts one (40P01). Its retry finds the winner's
/// committed row and fails cleanly with the exclusion violation, which becomes SlotTaken.
async fn write_row(
    client: &Client,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<Row>, tokio_postgres::Error> {
    let mut retries = 0;
    loop {
        match client.query_opt(sql, params).await {
            Err(e)
                if retries < 3
                    && (e.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED)
                        || e.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE)) =>
            {
                retries += 1;
                tracing::debug!(retries, "appointment write retried after {e}");
            }
            r => return r,
        }
    }
}

/// Every status the appointment has had, oldest first, with who and when.
pub async fn history(client: &Client, id: i64) -> Result<Vec<StatusChange>, DbError> {
    let rows = client
        .query_typed(
            "SELECT h.from_status, h.to_status, h.changed_at, h.changed_by, s.full_name, h.reason
               FROM clinic.appointment_status_history h
               LEFT JOIN clinic.staff s ON s.id = h.changed_by
              WHERE h.appointment_id = $1
              ORDER BY h.changed_at, h.id",
            &[(&id, ID)],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StatusChange {
                from: r.get::<_, Option<&str>>(0).map(status_of).transpose()?,
                to: status_of(r.get(1))?,
                at: r.get(2),
                by_staff_id: r.get(3),
                by_name: r.get(4),
                reason: r.get(5),
            })
        })
        .collect()
}

/// Today's queue: every appointment starting on clinic date `today` except cancellations, by time,
/// with where each patient is. Waiting times are measured against the server's clock.
pub async fn today_queue(
    client: &Client,
    today: NaiveDate,
    tz: Tz,
) -> Result<Vec<QueueEntry>, DbError> {
    let (from, to) = day_bounds(tz, today);
    let rows = client
        .query_typed(
            "SELECT a.id, a.version, a.patient_id, p.family_name, p.given_names, a.doctor_id, s.full_name,
                    a.starts_at, a.ends_at, a.reason, a.status, a.status_changed_at, now()
               FROM clinic.appointments a
               JOIN clinic.patients p ON p.id = a.patient_id
               JOIN clinic.staff s ON s.id = a.doctor_id
              WHERE a.starts_at >= $1 AND a.starts_at < $2 AND a.status <> 'cancelled'
              ORDER BY a.starts_at, s.full_name, a.id",
            &[(&from, TS), (&to, TS)],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let status = status_of(r.get(10))?;
        let Some(state) = QueueEntry::state_of(status, r.get(11)) else {
            continue;
        };
        let mut e = QueueEntry {
            appointment_id: r.get(0),
            version: r.get(1),
            patient_id: r.get(2),
            patient_name: patient_list_name(r.get(3), r.get(4)),
            doctor_id: r.get(5),
            doctor_name: r.get(6),
            starts_at: r.get(7),
            ends_at: r.get(8),
            reason: r.get(9),
            status,
            state,
            waiting_minutes: None,
        };
        e.waiting_minutes = e.waiting_minutes(r.get(12));
        out.push(e);
    }
    Ok(out)
}
