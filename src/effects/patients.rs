//! Runs the patients screen's requests against the database, as the signed-in person's own login
//! (so row-level security and column grants decide what comes back), and turns every failure into
//! words for the desk.

use deadpool_postgres::{Object, Pool};

use crate::app::patients::{
    Details, Reply, Request, SaveFailure, SaveTarget, StaleInfo, Summary, SummaryScope,
};
use crate::db::appointments::{self, BookError};
use crate::db::patients::{self, SaveError};
use crate::db::DbError;

pub async fn run(pool: Pool, request: Request) -> Reply {
    match request {
        Request::Search {
            request,
            query,
            limit,
        } => {
            let result = async {
                let client = client(&pool).await?;
                patients::search(&client, &query, limit).await
            }
            .await
            .map_err(|e| words(&e));
            Reply::Found { request, result }
        }
        Request::Summary {
            request,
            patient_id,
            scope,
            around,
        } => {
            let result = summary(&pool, patient_id, scope, around).await;
            Reply::Summary { request, result }
        }
        Request::Duplicates {
            request,
            details,
            exclude,
        } => {
            let result = async {
                let client = client(&pool).await?;
                patients::duplicates(&client, &details, exclude).await
            }
            .await
            .map_err(|e| words(&e));
            Reply::Duplicates { request, result }
        }
        Request::Save {
            request,
            target,
            details,
        } => {
            let result = async {
                let client = client(&pool).await?;
                match target {
                    SaveTarget::New => patients::insert(&client, &details).await,
                    SaveTarget::Existing { id, version } => {
                        patients::update(&client, id, version, &details).await
                    }
                }
            }
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
            let result = async {
                let client = client(&pool).await?;
                appointments::check_in(&client, appointment_id, version, tz).await
            }
            .await
            .map(|a| {
                let time = a.starts_at.with_timezone(&tz).format("%H:%M");
                format!("Checked in for {time}.")
            })
            .map_err(|e: BookError| sentence(&e.to_string()));
            Reply::CheckedIn { request, result }
        }
    }
}

async fn client(pool: &Pool) -> Result<Object, DbError> {
    Ok(pool.get().await?)
}

/// The record (all of it, or only what billing may read), the appointments around today and, for
/// the roles that may see it, the balance. The three reads go out together on one connection.
async fn summary(
    pool: &Pool,
    patient_id: i64,
    scope: SummaryScope,
    around: chrono::DateTime<chrono::Utc>,
) -> Result<Box<Summary>, String> {
    let read = async {
        let client = client(pool).await?;
        let details = async {
            Ok::<_, DbError>(if scope.billing_only {
                patients::get_billing(&client, patient_id)
                    .await?
                    .map(|p| Details::Billing(Box::new(p)))
            } else {
                patients::get(&client, patient_id)
                    .await?
                    .map(|p| Details::Full(Box::new(p)))
            })
        };
        let each = crate::app::patients::APPOINTMENTS_EACH_WAY;
        let appointments = async {
            if scope.billing_only {
                patients::patient_appointments_for_billing(&client, patient_id, around, each).await
            } else {
                patients::patient_appointments(&client, patient_id, around, each).await
            }
        };
        let balance = async {
            if scope.balance {
                patients::open_balance(&client, patient_id).await.map(Some)
            } else {
                Ok(None)
            }
        };
        let (details, appointments, balance) = futures::try_join!(details, appointments, balance)?;
        Ok::<_, DbError>((details, appointments, balance))
    };
    match read.await {
        Ok((Some(details), appointments, balance)) => Ok(Box::new(Summary {
            details,
            appointments,
            balance,
        })),
        Ok((None, ..)) => Err("That patient is not there, or not open to you.".into()),
        Err(e) => Err(words(&e)),
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

/// A database error as a sentence for the desk. What the error says never includes patient data:
/// the db layer's messages are its own words or the server's constraint text.
fn words(e: &DbError) -> String {
    sentence(&e.to_string())
}

fn sentence(text: &str) -> String {
    let mut chars = text.trim().chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}
