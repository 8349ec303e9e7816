//! Appointments and the doctors' availability: the calendar's and the queue's requests, and the
//! check-in every screen that checks patients in shares.

use chrono_tz::Tz;
use deadpool_postgres::Pool;
use tokio_postgres::Client;

use super::{patients, read, with_client, words, Run};
use crate::app::calendar::{
    self, AppointmentDetail, AvailabilityData, Request, WriteError, WriteErrorKind, TIME_OFF_AHEAD,
};
use crate::app::queue;
use crate::db::appointments::{self, BookError};
use crate::db::{availability, DbError};
use crate::domain::appointment::Appointment;

/// The desk's check-in, from whichever screen: the appointment as it now is, or why not in words.
pub async fn check_in(
    pool: &Pool,
    appointment_id: i64,
    version: i32,
    tz: Tz,
) -> Result<Appointment, String> {
    with_client(pool, async |c| {
        appointments::check_in(c, appointment_id, version, tz).await
    })
    .await
    .map_err(|e| words(&e))
}

/// A refused write in the desk's words, with what the form can do about it.
fn write_error(e: BookError) -> WriteError {
    let kind = match &e {
        BookError::SlotTaken { .. } => WriteErrorKind::SlotTaken,
        BookError::Blocked(_) | BookError::OutsideHours(_) => WriteErrorKind::SqueezeIn,
        BookError::PatientBusy(_) => WriteErrorKind::PatientBusy,
        BookError::Changed { .. } => WriteErrorKind::Changed,
        _ => WriteErrorKind::Other,
    };
    WriteError {
        kind,
        message: words(&e),
    }
}

/// One write to an appointment on a connection of its own.
async fn write(
    pool: &Pool,
    work: impl AsyncFnOnce(&mut Client) -> Result<Appointment, BookError>,
) -> Result<Box<Appointment>, WriteError> {
    with_client(pool, work)
        .await
        .map(Box::new)
        .map_err(write_error)
}

impl Run for queue::Request {
    type Reply = queue::Reply;

    async fn run(self, pool: Pool) -> queue::Reply {
        match self {
            queue::Request::Load { request, today, tz } => queue::Reply::Loaded {
                request,
                result: read(&pool, async |c| {
                    appointments::today_queue(c, today, tz).await
                })
                .await,
            },
            queue::Request::CheckIn {
                request,
                appointment_id,
                version,
                tz,
            } => queue::Reply::CheckedIn {
                request,
                result: check_in(&pool, appointment_id, version, tz).await,
            },
        }
    }
}

impl Run for Request {
    type Reply = calendar::Reply;

    async fn run(self, pool: Pool) -> calendar::Reply {
        use calendar::Reply;
        match self {
            Request::Day { request, date, tz } => Reply::Day {
                request,
                result: read(&pool, async |c| appointments::day_view(c, date, tz).await).await,
            },
            Request::Week {
                request,
                doctor_id,
                week_start,
                tz,
            } => Reply::Week {
                request,
                result: read(&pool, async |c| {
                    appointments::week_view(c, doctor_id, week_start, tz).await
                })
                .await,
            },
            Request::FindFree {
                request,
                doctor_id,
                from,
                tz,
            } => Reply::Free {
                request,
                result: read(&pool, async |c| {
                    appointments::find_free_slots(c, doctor_id, from, tz, 1).await
                })
                .await
                .map(|slots| slots.into_iter().next()),
            },
            Request::Locate {
                request,
                appointment_id,
            } => Reply::Located {
                request,
                result: read(&pool, async |c| {
                    appointments::entry(c, appointment_id).await
                })
                .await
                .map(|e| e.map(Box::new)),
            },
            Request::Detail {
                request,
                appointment_id,
            } => Reply::Detail {
                request,
                result: read(&pool, async |c| {
                    let (entry, appointment, history) = tokio::try_join!(
                        appointments::entry(c, appointment_id),
                        appointments::get(c, appointment_id),
                        appointments::history(c, appointment_id),
                    )?;
                    Ok(entry.zip(appointment).map(|(entry, appointment)| {
                        Box::new(AppointmentDetail {
                            entry,
                            appointment,
                            history,
                        })
                    }))
                })
                .await,
            },
            Request::SearchPatients {
                request,
                query,
                limit,
            } => Reply::Patients {
                request,
                result: patients::search(&pool, &query, limit).await,
            },
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
            Request::TakeBack {
                request,
                appointment_id,
                version,
                reason,
                tz,
            } => Reply::Written {
                request,
                result: write(&pool, async |c| {
                    appointments::take_back(c, appointment_id, version, &reason, tz).await
                })
                .await,
            },
            Request::Availability {
                request,
                doctor_id,
                from,
            } => Reply::Availability {
                request,
                result: read(&pool, async |c| {
                    let to = from + TIME_OFF_AHEAD;
                    let (hours, time_off) = tokio::try_join!(
                        availability::working_hours(c, Some(doctor_id)),
                        availability::exceptions(c, Some(doctor_id), from, to),
                    )?;
                    Ok::<_, DbError>(AvailabilityData { hours, time_off })
                })
                .await,
            },
            Request::SaveWeek {
                request,
                doctor_id,
                read: expected,
                week,
            } => Reply::AvailabilitySaved {
                request,
                result: read(&pool, async |c| {
                    availability::replace_week(c, doctor_id, &expected, &week)
                        .await
                        .map(drop)
                })
                .await,
            },
            Request::DeleteHours {
                request,
                id,
                version,
            } => Reply::AvailabilitySaved {
                request,
                result: read(&pool, async |c| {
                    availability::delete_working_hours(c, id, version).await
                })
                .await,
            },
            Request::AddTimeOff { request, time_off } => Reply::AvailabilitySaved {
                request,
                result: read(&pool, async |c| {
                    availability::add_exception(c, &time_off).await.map(drop)
                })
                .await,
            },
            Request::DeleteTimeOff {
                request,
                id,
                version,
            } => Reply::AvailabilitySaved {
                request,
                result: read(&pool, async |c| {
                    availability::delete_exception(c, id, version).await
                })
                .await,
            },
        }
    }
}
