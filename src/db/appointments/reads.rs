//! Reading appointments: the calendar's day and week, the free-slot finder, one appointment and
//! its history, and today's queue.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Row};

use super::{
    appointment_from_row, doctor, doctor_from_row, entry_from_row, status_of, APPT_COLS,
    ENTRY_COLS, FINDER_HORIZON_DAYS, ID, LONGEST, TS,
};
use crate::db::conn::{self, Conn};
use crate::db::{availability, DbError};
use crate::domain::appointment::{
    patient_list_name, Appointment, CalendarEntry, QueueEntry, StatusChange,
};
use crate::domain::schedule::{
    day_bounds, free_slots, local_date, working_periods, Busy, DayView, Doctor, DoctorDay,
    ScheduleException, Slot, WeekView, WorkingHours,
};

/// Active doctors (and any inactive one who still has appointments in `from..to`), by name.
async fn doctors_between(
    client: &impl Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Doctor>, DbError> {
    let rows = conn::query(
        client,
        "SELECT s.id, s.full_name FROM clinic.staff s
          WHERE s.job = 'doctor'
            AND (s.active OR EXISTS (SELECT FROM clinic.appointments a WHERE a.doctor_id = s.id
                                        AND a.starts_at >= $1 AND a.starts_at < $2 AND a.ends_at > $3))
          ORDER BY s.full_name, s.id",
        &[(&(from - LONGEST), TS), (&to, TS), (&from, TS)],
    )
    .await?;
    Ok(rows.iter().map(doctor_from_row).collect())
}

/// The doctors the calendar can show, by name.
pub async fn doctors(client: &Client) -> Result<Vec<Doctor>, DbError> {
    let rows = client
        .query_typed("SELECT id, full_name FROM clinic.staff WHERE job = 'doctor' AND active ORDER BY full_name, id", &[])
        .await?;
    Ok(rows.iter().map(doctor_from_row).collect())
}

/// What an accountant may read of an appointment (sql/0003 grants them columns, not rows): no
/// reason, which can be clinical, and no version, since they change nothing.
const ENTRY_COLS_BILLING: &str =
    "a.id, 0, a.patient_id, p.family_name, p.given_names, a.doctor_id, \
     a.starts_at, a.ends_at, NULL::text, a.status";

/// Run an entries query with the full columns, or, when the caller's grants leave some out (42501),
/// with what billing may see. Only such roles pay the second round trip.
async fn entry_rows(
    client: &impl Conn,
    sql: impl Fn(&str) -> String,
    params: &[(&(dyn ToSql + Sync), Type)],
) -> Result<Vec<Row>, DbError> {
    match conn::query(client, &sql(ENTRY_COLS), params).await {
        Err(e) if e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) => {
            Ok(conn::query(client, &sql(ENTRY_COLS_BILLING), params).await?)
        }
        r => Ok(r?),
    }
}

/// Appointments overlapping `from..to` (one doctor's or everyone's the caller may see), by start.
async fn entries_between(
    client: &impl Conn,
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
pub async fn day_view(client: &impl Conn, date: NaiveDate, tz: Tz) -> Result<DayView, DbError> {
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
    client: &impl Conn,
    doctor_id: i64,
    week_start: NaiveDate,
    tz: Tz,
) -> Result<WeekView, DbError> {
    let dates: Vec<NaiveDate> = week_start.iter_days().take(7).collect();
    let (from, _) = day_bounds(tz, week_start);
    let (_, to) = day_bounds(tz, dates.last().copied().unwrap_or(week_start));
    let (doctor, hours, exceptions, entries) = tokio::try_join!(
        doctor(client, doctor_id),
        availability::active_hours(client, Some(doctor_id)),
        availability::exceptions_between(client, Some(doctor_id), from, to),
        entries_between(client, Some(doctor_id), from, to),
    )?;
    let doctor = doctor.ok_or_else(|| DbError::Invalid("there is no such doctor".into()))?;
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
