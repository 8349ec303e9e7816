//! Runs the calendar screen's requests against the database, as the signed-in person (their own
//! pool), and turns every error into the sentence the screen shows.

use deadpool_postgres::Pool;

use crate::app::calendar::{
    AppointmentDetail, AvailabilityData, Reply, Request, WriteError, WriteErrorKind,
};
use crate::db::appointments::{self, BookError};
use crate::db::{availability, patients, DbError};
use crate::domain::appointment::Appointment;

/// How many patients the booking form's lookup lists.
const PATIENT_HITS: i64 = 5;

fn words(e: &DbError) -> String {
    let text = e.to_string();
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn write_error(e: BookError) -> WriteError {
    let kind = match &e {
        BookError::SlotTaken { .. } => WriteErrorKind::SlotTaken,
        BookError::Blocked(_) | BookError::OutsideHours(_) => WriteErrorKind::SqueezeIn,
        BookError::Changed { .. } => WriteErrorKind::Changed,
        _ => WriteErrorKind::Other,
    };
    let message = match &e {
        BookError::Db(db) => words(db),
        other => other.to_string(),
    };
    WriteError { kind, message }
}

async fn write(
    pool: &Pool,
    work: impl AsyncFnOnce(&tokio_postgres::Client) -> Result<Appointment, BookError>,
) -> Result<Box<Appointment>, WriteError> {
    let client = pool
        .get()
        .await
        .map_err(|e| write_error(BookError::Db(e.into())))?;
    work(&client).await.map(Box::new).map_err(write_error)
}

pub async fn run(pool: Pool, request: Request) -> Reply {
    match request {
        Request::Day { request, date, tz } => {
            let result = async {
                let client = pool.get().await?;
                appointments::day_view(&client, date, tz).await
            }
            .await
            .map_err(|e| words(&e));
            Reply::Day { request, result }
        }
        Request::Week {
            request,
            doctor_id,
            week_start,
            tz,
        } => {
            let result = async {
                let client = pool.get().await?;
                appointments::week_view(&client, doctor_id, week_start, tz).await
            }
            .await
            .map_err(|e| words(&e));
            Reply::Week { request, result }
        }
        Request::FindFree {
            request,
            doctor_id,
            from,
            tz,
        } => {
            let result = async {
                let client = pool.get().await?;
                appointments::find_free_slots(&client, doctor_id, from, tz, 1).await
            }
            .await
            .map(|slots| slots.into_iter().next())
            .map_err(|e| words(&e));
            Reply::Free { request, result }
        }
        Request::Locate {
            request,
            appointment_id,
        } => {
            let result = async {
                let client = pool.get().await?;
                appointments::entry(&client, appointment_id).await
            }
            .await
            .map(|e| e.map(Box::new))
            .map_err(|e| words(&e));
            Reply::Located { request, result }
        }
        Request::Detail {
            request,
            appointment_id,
        } => {
            let result = async {
                let client = pool.get().await?;
                let (entry, appointment, history) = tokio::try_join!(
                    appointments::entry(&client, appointment_id),
                    appointments::get(&client, appointment_id),
                    appointments::history(&client, appointment_id),
                )?;
                Ok::<_, DbError>(entry.zip(appointment).map(|(entry, appointment)| {
                    Box::new(AppointmentDetail {
                        entry,
                        appointment,
                        history,
                    })
                }))
            }
            .await
            .map_err(|e| words(&e));
            Reply::Detail { request, result }
        }
        Request::SearchPatients { request, query } => {
            let result = async {
                let client = pool.get().await?;
                patients::search(&client, &query, PATIENT_HITS).await
            }
            .await
            .map_err(|e| words(&e));
            Reply::Patients { request, result }
        }
        Request::Book { request, new, tz } => Reply::Written {
            request,
            result: write(&pool, async |c| appointments::book(c, &new, tz).await).await,
        },
        Request::Move {
            request,
            appointment_id,
            version,
            to,
            tz,
        } => Reply::Written {
            request,
            result: write(&pool, async |c| {
                appointments::move_to(c, appointment_id, version, &to, tz).await
            })
            .await,
        },
        Request::Cancel {
            request,
            appointment_id,
            version,
            reason,
            tz,
        } => Reply::Written {
            request,
            result: write(&pool, async |c| {
                appointments::cancel(c, appointment_id, version, &reason, tz).await
            })
            .await,
        },
        Request::SetStatus {
            request,
            appointment_id,
            version,
            status,
            tz,
        } => Reply::Written {
            request,
            result: write(&pool, async |c| {
                appointments::set_status(c, appointment_id, version, status, tz).await
            })
            .await,
        },
        Request::Availability {
            request,
            doctor_id,
            from,
        } => {
            let result = async {
                let client = pool.get().await?;
                let to = from + crate::app::calendar::TIME_OFF_AHEAD;
                let (hours, time_off) = tokio::try_join!(
                    availability::working_hours(&client, Some(doctor_id)),
                    availability::exceptions(&client, Some(doctor_id), from, to),
                )?;
                Ok::<_, DbError>(AvailabilityData { hours, time_off })
            }
            .await
            .map_err(|e| words(&e));
            Reply::Availability { request, result }
        }
        Request::SaveHours {
            request,
            existing,
            hours,
        } => {
            let result = async {
                let client = pool.get().await?;
                match (existing, hours.first()) {
                    (Some((id, version)), Some(h)) => {
                        availability::update_working_hours(&client, id, version, h).await?;
                    }
                    _ => {
                        for h in &hours {
                            availability::add_working_hours(&client, h).await?;
                        }
                    }
                }
                Ok::<_, DbError>(())
            }
            .await
            .map_err(|e| words(&e));
            Reply::AvailabilitySaved { request, result }
        }
        Request::DeleteHours {
            request,
            id,
            version,
        } => {
            let result = async {
                let client = pool.get().await?;
                availability::delete_working_hours(&client, id, version).await
            }
            .await
            .map_err(|e| words(&e));
            Reply::AvailabilitySaved { request, result }
        }
        Request::AddTimeOff { request, time_off } => {
            let result = async {
                let client = pool.get().await?;
                availability::add_exception(&client, &time_off)
                    .await
                    .map(drop)
            }
            .await
            .map_err(|e| words(&e));
            Reply::AvailabilitySaved { request, result }
        }
        Request::DeleteTimeOff {
            request,
            id,
            version,
        } => {
            let result = async {
                let client = pool.get().await?;
                availability::delete_exception(&client, id, version).await
            }
            .await
            .map_err(|e| words(&e));
            Reply::AvailabilitySaved { request, result }
        }
    }
}
