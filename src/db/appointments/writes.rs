//! Writing appointments: booking, moving, cancelling and status changes, each refused in the
//! desk's words (a taken slot names who holds it) and never silently over someone else's change.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row};

use super::{
    appointment_from_row, doctor, hm, BookError, MoveTo, NewAppointment, APPT_COLS, LONGEST,
};
use crate::db::{availability, DbError};
use crate::domain::appointment::{
    doctor_title, patient_short_name, Appointment, AppointmentStatus,
};
use crate::domain::schedule::{check_slot, Unavailable};

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
    let (doctor, hours, exceptions) = tokio::try_join!(
        doctor(client, doctor_id),
        availability::active_hours(client, Some(doctor_id)),
        availability::exceptions_between(client, Some(doctor_id), starts_at, ends_at),
    )?;
    let doctor = doctor.ok_or_else(|| BookError::Refused("There is no such doctor.".into()))?;
    match check_slot(&doctor, &hours, &exceptions, tz, starts_at, ends_at) {
        Some(Unavailable::OnLeave(m)) => Err(BookError::OnLeave(m)),
        Some(Unavailable::Blocked(m)) if !squeeze_in => Err(BookError::Blocked(m)),
        Some(Unavailable::OutsideHours(m)) if !squeeze_in => Err(BookError::OutsideHours(m)),
        _ => Ok(()),
    }
}

/// The patient's live appointment (booked, here, or with a doctor) that overlaps
/// `starts_at..ends_at`, in words: "Dr Greg House, Tue 01 Dec 10:30-10:45". The same doctor's can
/// never overlap (the exclusion constraint); another doctor's can, and the desk should know.
async fn patient_elsewhere(
    client: &Client,
    new: &NewAppointment,
    tz: Tz,
) -> Result<Option<String>, DbError> {
    let row = client
        .query_opt(
            "SELECT a.starts_at, a.ends_at, s.full_name
               FROM clinic.appointments a JOIN clinic.staff s ON s.id = a.doctor_id
              WHERE a.patient_id = $1 AND a.doctor_id <> $5
                AND a.status IN ('scheduled', 'checked_in', 'in_progress')
                AND a.starts_at >= $2 AND a.starts_at < $3 AND a.ends_at > $4
              ORDER BY a.starts_at LIMIT 1",
            &[
                &new.patient_id,
                &(new.starts_at - LONGEST),
                &new.ends_at,
                &new.starts_at,
                &new.doctor_id,
            ],
        )
        .await?;
    Ok(row.map(|r| {
        let (from, to): (DateTime<Utc>, DateTime<Utc>) = (r.get(0), r.get(1));
        format!(
            "{}, {}-{}",
            doctor_title(r.get(2)),
            from.with_timezone(&tz).format("%a %d %b %H:%M"),
            hm(tz, to)
        )
    }))
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
            Some(c) if c.starts_with("appointments_status_reason") => {
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
    if !new.overlap_ok {
        if let Some(other) = patient_elsewhere(client, new, tz).await? {
            return Err(BookError::PatientBusy(other));
        }
    }
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

/// A reason as the history keeps it: trimmed, not empty, at most 200 characters (the column's
/// check), each refusal in the desk's words.
fn stated_reason<'a>(reason: &'a str, empty: &str, long: &str) -> Result<&'a str, BookError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(BookError::Refused(empty.into()));
    }
    if reason.chars().count() > 200 {
        return Err(BookError::Refused(long.into()));
    }
    Ok(reason)
}

/// Cancel, with the reason the patient or the clinic gave.
pub async fn cancel(
    client: &Client,
    id: i64,
    expected_version: i32,
    reason: &str,
    tz: Tz,
) -> Result<Appointment, BookError> {
    let reason = stated_reason(
        reason,
        "Say why the appointment is cancelled.",
        "The cancellation reason is at most 200 characters.",
    )?;
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
        return Err(BookError::Refused(match next {
            AppointmentStatus::Cancelled => "A cancellation needs a reason.".into(),
            _ => "Taking a status back needs a reason.".into(),
        }));
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

/// Take a status back to scheduled (a check-in by mistake, or a no-show marked too soon the same
/// day), with the reason the history keeps.
pub async fn take_back(
    client: &Client,
    id: i64,
    expected_version: i32,
    reason: &str,
    tz: Tz,
) -> Result<Appointment, BookError> {
    let reason = stated_reason(
        reason,
        "Say why the status is taken back.",
        "The reason is at most 200 characters.",
    )?;
    let sql = format!(
        "UPDATE clinic.appointments a SET status = 'scheduled', status_reason = $3
          WHERE a.id = $1 AND a.version = $2 RETURNING {APPT_COLS}"
    );
    update_status(client, id, &sql, &[&id, &expected_version, &reason], tz).await
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

/// Tries of one write before a deadlock is reported as an error. Each try after a deadlock
/// waits a little longer, at random, so the racers stop meeting.
const WRITE_TRIES: u32 = 10;

/// One write to an appointment, retried when the server asks for it. Overlapping writes of one
/// doctor's bookings queue on advisory locks per quarter hour (sql/0010, sql/0013), so racing desks
/// no longer deadlock on the exclusion index: the second waits for the first's commit and is refused with the exclusion
/// violation, which becomes SlotTaken. A deadlock or serialization failure can still come from
/// elsewhere (a psql session holding locks in another order); it is retried after a short random
/// pause, longer with each try.
async fn write_row(
    client: &Client,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<Row>, tokio_postgres::Error> {
    let mut tries = 1;
    loop {
        match client.query_opt(sql, params).await {
            Err(e)
                if tries < WRITE_TRIES
                    && (e.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED)
                        || e.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE)) =>
            {
                let pause = rand::random::<u64>() % (5 * u64::from(tries)) + 1;
                tracing::debug!(tries, pause, "appointment write retried after {e}");
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                tries += 1;
            }
            r => return r,
        }
    }
}
