//! Patients: the lookup (shared by every patient picker), the summary, the duplicate check and
//! registering or editing, as the signed-in person's own login.

use deadpool_postgres::Pool;

use super::{appointments, read, with_client, words, Run};
use crate::app::patients::{
    Details, Reply, Request, SaveFailure, SaveTarget, StaleInfo, Summary, SummaryScope,
    APPOINTMENTS_EACH_WAY,
};
use crate::db::patients::{self, SaveError};
use crate::db::DbError;
use crate::domain::patient::{PatientHit, SearchQuery};

/// Patients matching what was typed, best first: the one lookup behind every picker.
pub async fn search(
    pool: &Pool,
    query: &SearchQuery,
    limit: i64,
) -> Result<Vec<PatientHit>, String> {
    read(pool, async |c| patients::search(c, query, limit).await).await
}

impl Run for Request {
    type Reply = Reply;

    async fn run(self, pool: Pool) -> Reply {
        match self {
            Request::Search {
                request,
                query,
                limit,
            } => Reply::Found {
                request,
                result: search(&pool, &query, limit).await,
            },
            Request::Summary {
                request,
                patient_id,
                scope,
                around,
            } => Reply::Summary {
                request,
                result: summary(&pool, patient_id, scope, around).await,
            },
            Request::Duplicates {
                request,
                details,
                exclude,
            } => Reply::Duplicates {
                request,
                result: read(&pool, async |c| {
                    patients::duplicates(c, &details, exclude).await
                })
                .await,
            },
            Request::Save {
                request,
                target,
                details,
            } => {
                let result = with_client(&pool, async |c| match target {
                    SaveTarget::New => patients::insert(c, &details).await,
                    SaveTarget::Existing { id, version } => {
                        patients::update(c, id, version, &details).await
                    }
                })
                .await
                .map(Box::new)
                .map_err(save_failure);
                Reply::Saved { request, result }
            }
            Request::CheckIn {
                request,
                appointment_id,
                version,
                tz,
            } => {
                let result = appointments::check_in(&pool, appointment_id, version, tz)
                    .await
                    .map(|a| {
                        let time = a.starts_at.with_timezone(&tz).format("%H:%M");
                        format!("Checked in for {time}.")
                    });
                Reply::CheckedIn { request, result }
            }
        }
    }
}

/// The record (all of it, or only what billing may read), the appointments around today and, for
/// the roles that may see it, the balance. The three reads go out together on one connection.
async fn summary(
    pool: &Pool,
    patient_id: i64,
    scope: SummaryScope,
    around: chrono::DateTime<chrono::Utc>,
) -> Result<Box<Summary>, String> {
    let found = read(pool, async |client| {
        let details = async {
            Ok::<_, DbError>(if scope.billing_only {
                patients::get_billing(client, patient_id)
                    .await?
                    .map(|p| Details::Billing(Box::new(p)))
            } else {
                patients::get(client, patient_id)
                    .await?
                    .map(|p| Details::Full(Box::new(p)))
            })
        };
        let each = APPOINTMENTS_EACH_WAY;
        let appointments = async {
            if scope.billing_only {
                patients::patient_appointments_for_billing(client, patient_id, around, each).await
            } else {
                patients::patient_appointments(client, patient_id, around, each).await
            }
        };
        let balance = async {
            if scope.balance {
                patients::open_balance(client, patient_id).await.map(Some)
            } else {
                Ok(None)
            }
        };
        futures::try_join!(details, appointments, balance)
    })
    .await?;
    match found {
        (Some(details), appointments, balance) => Ok(Box::new(Summary {
            details,
            appointments,
            balance,
        })),
        (None, ..) => Err("That patient is not there, or not open to you.".into()),
    }
}

fn save_failure(e: SaveError) -> SaveFailure {
    match e {
        SaveError::Stale {
            current,
            changed_by,
            changed_at,
            differences,
        } => SaveFailure::Stale(Box::new(StaleInfo {
            current: *current,
            changed_by,
            changed_at,
            differences,
        })),
        SaveError::Invalid(field) => SaveFailure::Field(field),
        SaveError::NotFound => SaveFailure::Refused("That patient is not there any more.".into()),
        SaveError::Db(e) => SaveFailure::Refused(words(&e)),
    }
}
