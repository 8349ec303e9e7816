//! Runs the patients screen's requests against the database.

use deadpool_postgres::Pool;

use crate::app::patients::{Reply, Request};

pub async fn run(_pool: Pool, request: Request) -> Reply {
    match request {}
}
