//! Runs the calendar screen's requests against the database.

use deadpool_postgres::Pool;

use crate::app::calendar::{Reply, Request};

pub async fn run(_pool: Pool, request: Request) -> Reply {
    match request {}
}
