//! Doctors' availability: weekly working hours and exceptions (leave, blocked time). Admins and
//! reception keep them; doctors and accountants read them (sql/0008).

use chrono::{DateTime, Utc};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Row};

use super::conn::{self, Conn};
use super::DbError;
use crate::domain::schedule::{ExceptionKind, ScheduleException, WorkingHours};
use crate::domain::stored::Stored;

const HOURS_COLS: &str =
    "w.id, w.version, w.doctor_id, w.weekday, w.starts, w.ends, w.slot_minutes";
const EXCEPTION_COLS: &str = "x.id, x.version, x.doctor_id, x.starts_at, x.ends_at, x.kind, x.note";

fn hours_from_row(r: &Row) -> Stored<WorkingHours> {
    Stored {
        id: r.get(0),
        version: r.get(1),
        item: WorkingHours {
            doctor_id: r.get(2),
            // The table's CHECKs keep both in range.
            weekday: u8::try_from(r.get::<_, i16>(3)).unwrap_or(0),
            starts: r.get(4),
            ends: r.get(5),
            slot_minutes: u16::try_from(r.get::<_, i16>(6)).unwrap_or(15),
        },
    }
}

fn exception_from_row(r: &Row) -> Result<Stored<ScheduleException>, DbError> {
    let kind: &str = r.get(5);
    Ok(Stored {
        id: r.get(0),
        version: r.get(1),
        item: ScheduleException {
            doctor_id: r.get(2),
            starts_at: r.get(3),
            ends_at: r.get(4),
            kind: ExceptionKind::parse(kind)
                .ok_or_else(|| DbError::Other(format!("unknown exception kind {kind:?}")))?,
            note: r.get(6),
        },
    })
}

fn hours_error(e: tokio_postgres::Error) -> DbError {
    if e.code() == Some(&SqlState::EXCLUSION_VIOLATION) {
        DbError::Conflict("These hours overlap the doctor's other hours on that day.".into())
    } else if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) {
        DbError::Invalid("Only a doctor has working hours and time off.".into())
    } else {
        e.into()
    }
}

/// A change or delete matched no row: someone else changed or removed it since it was read.
async fn stale(client: &Client, table: &str, id: i64) -> DbError {
    let sql = format!("SELECT 1 FROM clinic.{table} WHERE id = $1");
    match client.query_opt(&sql, &[&id]).await {
        Ok(Some(_)) => {
            DbError::Conflict("Someone else changed this since you opened it. Look again.".into())
        }
        Ok(None) => DbError::Conflict("Someone else removed this since you opened it.".into()),
        Err(e) => e.into(),
    }
}

fn check(r: Result<(), String>) -> Result<(), DbError> {
    r.map_err(DbError::Invalid)
}

/// Working hours of one doctor or all doctors, by doctor, weekday and time.
pub async fn working_hours(
    client: &Client,
    doctor_id: Option<i64>,
) -> Result<Vec<Stored<WorkingHours>>, DbError> {
    let sql = format!(
        "SELECT {HOURS_COLS} FROM clinic.working_hours w
          WHERE $1::bigint IS NULL OR w.doctor_id = $1
          ORDER BY w.doctor_id, w.weekday, w.starts"
    );
    let rows = client.query(&sql, &[&doctor_id]).await?;
    Ok(rows.iter().map(hours_from_row).collect())
}

pub async fn add_working_hours(
    client: &Client,
    h: &WorkingHours,
) -> Result<Stored<WorkingHours>, DbError> {
    check(h.check())?;
    let sql = format!(
        "INSERT INTO clinic.working_hours AS w (doctor_id, weekday, starts, ends, slot_minutes)
         VALUES ($1, $2, $3, $4, $5) RETURNING {HOURS_COLS}"
    );
    let row = client
        .query_one(
            &sql,
            &[
                &h.doctor_id,
                &i16::from(h.weekday),
                &h.starts,
                &h.ends,
                &slot_minutes(h)?,
            ],
        )
        .await
        .map_err(hours_error)?;
    Ok(hours_from_row(&row))
}

fn slot_minutes(h: &WorkingHours) -> Result<i16, DbError> {
    i16::try_from(h.slot_minutes)
        .map_err(|_| DbError::Invalid("a slot is 5 to 120 minutes long".into()))
}

pub async fn update_working_hours(
    client: &Client,
    id: i64,
    expected_version: i32,
    h: &WorkingHours,
) -> Result<Stored<WorkingHours>, DbError> {
    check(h.check())?;
    let sql = format!(
        "UPDATE clinic.working_hours w SET doctor_id = $3, weekday = $4, starts = $5, ends = $6, slot_minutes = $7
          WHERE w.id = $1 AND w.version = $2 RETURNING {HOURS_COLS}"
    );
    let row = client
        .query_opt(
            &sql,
            &[
                &id,
                &expected_version,
                &h.doctor_id,
                &i16::from(h.weekday),
                &h.starts,
                &h.ends,
                &slot_minutes(h)?,
            ],
        )
        .await
        .map_err(hours_error)?;
    match row {
        Some(r) => Ok(hours_from_row(&r)),
        None => Err(stale(client, "working_hours", id).await),
    }
}

pub async fn delete_working_hours(
    client: &Client,
    id: i64,
    expected_version: i32,
) -> Result<(), DbError> {
    delete_versioned(client, "working_hours", id, expected_version).await
}

/// Delete row `id` of `table` (one of this module's two, named by a constant) if it is still at
/// `expected_version`; otherwise say who changed it.
async fn delete_versioned(
    client: &Client,
    table: &'static str,
    id: i64,
    expected_version: i32,
) -> Result<(), DbError> {
    let n = client
        .execute(
            &format!("DELETE FROM clinic.{table} WHERE id = $1 AND version = $2"),
            &[&id, &expected_version],
        )
        .await?;
    if n == 0 {
        return Err(stale(client, table, id).await);
    }
    Ok(())
}

/// Replace a doctor's whole week in one transaction, so a half-saved week (Monday added, Tuesday
/// refused) is never visible to the slot finder or anyone else. `read` is the doctor's rows as the
/// caller last read them (id, version): when someone changed, added or removed one meanwhile,
/// nothing is written and the caller is told to look again.
pub async fn replace_week(
    client: &mut Client,
    doctor_id: i64,
    read: &[(i64, i32)],
    hours: &[WorkingHours],
) -> Result<Vec<Stored<WorkingHours>>, DbError> {
    for h in hours {
        check(h.check())?;
        if h.doctor_id != doctor_id {
            return Err(DbError::Invalid(
                "every row of the week must be for the same doctor".into(),
            ));
        }
    }
    let tx = client.transaction().await?;
    // The rows as they are, locked until this transaction ends (a moment: nothing waits on the
    // person), compared with what the form was made from.
    let rows = tx
        .query(
            "SELECT id, version FROM clinic.working_hours WHERE doctor_id = $1 ORDER BY id FOR UPDATE",
            &[&doctor_id],
        )
        .await?;
    let mut now: Vec<(i64, i32)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let mut expected = read.to_vec();
    now.sort_unstable();
    expected.sort_unstable();
    if now != expected {
        return Err(DbError::Conflict(
            "Someone else changed this doctor's hours since you opened them. Look again.".into(),
        ));
    }
    tx.execute(
        "DELETE FROM clinic.working_hours WHERE doctor_id = $1",
        &[&doctor_id],
    )
    .await?;
    let sql = format!(
        "INSERT INTO clinic.working_hours AS w (doctor_id, weekday, starts, ends, slot_minutes)
         VALUES ($1, $2, $3, $4, $5) RETURNING {HOURS_COLS}"
    );
    let mut out = Vec::with_capacity(hours.len());
    for h in hours {
        let row = tx
            .query_one(
                &sql,
                &[
                    &h.doctor_id,
                    &i16::from(h.weekday),
                    &h.starts,
                    &h.ends,
                    &slot_minutes(h)?,
                ],
            )
            .await
            .map_err(hours_error)?;
        out.push(hours_from_row(&row));
    }
    tx.commit().await?;
    Ok(out)
}

/// The working hours the calendar and the slot finder go by: one doctor's, or every active
/// doctor's (a doctor who has left keeps their rows, but offers no slots).
pub async fn active_hours(
    client: &impl Conn,
    doctor_id: Option<i64>,
) -> Result<Vec<WorkingHours>, DbError> {
    let sql =
        format!(
        "SELECT {HOURS_COLS} FROM clinic.working_hours w JOIN clinic.staff s ON s.id = w.doctor_id
          WHERE {} ORDER BY w.doctor_id, w.weekday, w.starts",
        if doctor_id.is_some() { "w.doctor_id = $1" } else { "s.active" }
    );
    // Two statements rather than "$1 IS NULL OR ...", so each gets a plan for its own shape.
    let rows = match doctor_id {
        Some(d) => conn::query(client, &sql, &[(&d, Type::INT8)]).await?,
        None => conn::query(client, &sql, &[]).await?,
    };
    Ok(rows.iter().map(|r| hours_from_row(r).item).collect())
}

/// The exceptions overlapping `from..to` as the calendar uses them (without id and version).
pub async fn exceptions_between(
    client: &impl Conn,
    doctor_id: Option<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ScheduleException>, DbError> {
    Ok(exceptions(client, doctor_id, from, to)
        .await?
        .into_iter()
        .map(|x| x.item)
        .collect())
}

/// Exceptions overlapping `from..to`, for one doctor or all, by start.
pub async fn exceptions(
    client: &impl Conn,
    doctor_id: Option<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Stored<ScheduleException>>, DbError> {
    let sql = format!(
        "SELECT {EXCEPTION_COLS} FROM clinic.schedule_exceptions x
          WHERE tstzrange(x.starts_at, x.ends_at, '[)') && tstzrange($1, $2, '[)')
            AND ($3::bigint IS NULL OR x.doctor_id = $3)
          ORDER BY x.starts_at, x.id"
    );
    // Planned for the range asked: the calendar's views call this on every refresh.
    let rows = conn::query(
        client,
        &sql,
        &[
            (&from, Type::TIMESTAMPTZ),
            (&to, Type::TIMESTAMPTZ),
            (&doctor_id, Type::INT8),
        ],
    )
    .await?;
    rows.iter().map(exception_from_row).collect()
}

fn note(x: &ScheduleException) -> Option<&str> {
    x.note.as_deref().map(str::trim).filter(|n| !n.is_empty())
}

/// Record leave or blocked time. Appointments already in that time stay (the calendar shows them
/// under the exception for rebooking); new ones are refused during leave.
pub async fn add_exception(
    client: &Client,
    x: &ScheduleException,
) -> Result<Stored<ScheduleException>, DbError> {
    check(x.check())?;
    let sql = format!(
        "INSERT INTO clinic.schedule_exceptions AS x (doctor_id, starts_at, ends_at, kind, note)
         VALUES ($1, $2, $3, $4, $5) RETURNING {EXCEPTION_COLS}"
    );
    let row = client
        .query_one(
            &sql,
            &[
                &x.doctor_id,
                &x.starts_at,
                &x.ends_at,
                &x.kind.as_str(),
                &note(x),
            ],
        )
        .await
        .map_err(hours_error)?;
    exception_from_row(&row)
}

pub async fn update_exception(
    client: &Client,
    id: i64,
    expected_version: i32,
    x: &ScheduleException,
) -> Result<Stored<ScheduleException>, DbError> {
    check(x.check())?;
    let sql = format!(
        "UPDATE clinic.schedule_exceptions x SET doctor_id = $3, starts_at = $4, ends_at = $5, kind = $6, note = $7
          WHERE x.id = $1 AND x.version = $2 RETURNING {EXCEPTION_COLS}"
    );
    let row = client
        .query_opt(
            &sql,
            &[
                &id,
                &expected_version,
                &x.doctor_id,
                &x.starts_at,
                &x.ends_at,
                &x.kind.as_str(),
                &note(x),
            ],
        )
        .await
        .map_err(hours_error)?;
    match row {
        Some(r) => exception_from_row(&r),
        None => Err(stale(client, "schedule_exceptions", id).await),
    }
}

pub async fn delete_exception(
    client: &Client,
    id: i64,
    expected_version: i32,
) -> Result<(), DbError> {
    delete_versioned(client, "schedule_exceptions", id, expected_version).await
}
