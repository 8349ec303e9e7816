//! Runs the queue screen's requests against the database, as the signed-in person.

use deadpool_postgres::Pool;

use crate::app::queue::{Reply, Request};
use crate::db::appointments::{self, BookError};
use crate::db::DbError;

fn words(text: String) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

pub async fn run(pool: Pool, request: Request) -> Reply {
    match request {
        Request::Load { request, today, tz } => {
            let result = async {
                let client = pool.get().await?;
                appointments::today_queue(&client, today, tz).await
            }
            .await
            .map_err(|e: DbError| words(e.to_string()));
            Reply::Loaded { request, result }
        }
        Request::CheckIn {
            request,
            appointment_id,
            version,
            tz,
        } => {
            let result = async {
                let client = pool.get().await.map_err(|e| BookError::Db(e.into()))?;
                appointments::check_in(&client, appointment_id, version, tz).await
            }
            .await
            .map_err(|e| words(e.to_string()));
            Reply::CheckedIn { request, result }
        }
    }
}
