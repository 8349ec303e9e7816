//! Runs the queue screen's requests against the database.

use deadpool_postgres::Pool;

use crate::app::queue::{Reply, Request};

pub async fn run(_pool: Pool, request: Request) -> Reply {
    match request {}
}
