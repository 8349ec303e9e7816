//! The connection the desk's hot reads run on, and whether it keeps their statements prepared.
//!
//! A lookup's statement is a union of a dozen small index probes; sent as an unnamed statement
//! (`query_typed`) PostgreSQL parses and plans it on every call, which costs more than running it.
//! A pooled connection (deadpool's `ClientWrapper`) keeps each statement it has prepared, keyed by
//! its text and parameter types, for as long as the connection lives, so a later call on that
//! connection only binds and executes, on the statement's generic plan ([`query_generic`]). A bare
//! `tokio_postgres::Client` (the tests' and the command line's connections, and the benchmark's
//! baseline) plans each call. Statements whose plan must fit the values ([`query`]) are planned
//! on every call either way.
//!
//! PgBouncer must then run in session mode (docs/deploy.md), where a client keeps its server
//! connection and so its prepared statements.

use deadpool_postgres::StatementCache;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Row};

/// A connection the hot reads accept: its client, and its statement cache when it has one.
pub trait Conn: Sync {
    fn client(&self) -> &Client;
    /// The statements prepared on this connection, when it keeps them.
    fn statements(&self) -> Option<&StatementCache>;
}

impl Conn for Client {
    fn client(&self) -> &Client {
        self
    }
    fn statements(&self) -> Option<&StatementCache> {
        None
    }
}

impl Conn for deadpool_postgres::ClientWrapper {
    fn client(&self) -> &Client {
        self
    }
    fn statements(&self) -> Option<&StatementCache> {
        Some(&self.statement_cache)
    }
}

impl Conn for deadpool_postgres::Client {
    fn client(&self) -> &Client {
        self
    }
    fn statements(&self) -> Option<&StatementCache> {
        Some(&self.statement_cache)
    }
}

/// Run `sql` with typed parameters as one unnamed statement, parsed and planned for these values
/// on every call: for statements whose best plan depends on the values (the calendar's time
/// ranges: at ten million appointments their generic plans take 20-200 ms instead of 3-7).
pub async fn query(
    conn: &(impl Conn + ?Sized),
    sql: &str,
    params: &[(&(dyn ToSql + Sync), Type)],
) -> Result<Vec<Row>, tokio_postgres::Error> {
    conn.client().query_typed(sql, params).await
}

/// Run `sql` with typed parameters, prepared once per connection and executed on its generic plan,
/// where the connection keeps statements; else as [`query`]. For the lookups, whose every probe is
/// an index range that is right whatever was typed: their custom plans cost more to make than to
/// run, yet PostgreSQL's own choice (`plan_cache_mode = auto`) keeps making them, since a generic
/// plan's estimates (no values) look dearer. Measured at a million patients: a full-name lookup
/// 1.9 ms at p50 on the generic plan, 7.3 ms left to `auto`, 12.5 ms planned every call
/// (docs/benchmarks.md).
///
/// The mode is set for this statement alone: `SET`, the statement and `RESET` go out together in
/// one flight (tokio-postgres sends requests in the order they are first polled), so the other
/// statements of the connection keep the server's default.
pub async fn query_generic(
    conn: &(impl Conn + ?Sized),
    sql: &str,
    params: &[(&(dyn ToSql + Sync), Type)],
) -> Result<Vec<Row>, tokio_postgres::Error> {
    let client = conn.client();
    let Some(cache) = conn.statements() else {
        // Planned for the values on this bare connection, but no parallel workers either: a
        // probe under a common first name looks big enough to the planner to start them.
        let (set, rows, reset) = tokio::join!(
            client.simple_query("SET max_parallel_workers_per_gather = 0"),
            client.query_typed(sql, params),
            client.simple_query("RESET max_parallel_workers_per_gather"),
        );
        set?;
        reset?;
        return rows;
    };
    let types: Vec<Type> = params.iter().map(|(_, t)| t.clone()).collect();
    let statement = cache.prepare_typed(client, sql, &types).await?;
    let values: Vec<&(dyn ToSql + Sync)> = params.iter().map(|(v, _)| *v).collect();
    // No parallel workers either: a generic plan guesses a probe's range at 0.5% of the table,
    // enough for the planner to start two workers, which costs 8-10 ms to save nothing.
    let (set, rows, reset) = tokio::join!(
        client.simple_query(
            "SET plan_cache_mode = force_generic_plan; SET max_parallel_workers_per_gather = 0"
        ),
        client.query(&statement, &values),
        client.simple_query("RESET plan_cache_mode; RESET max_parallel_workers_per_gather"),
    );
    set?;
    reset?;
    rows
}
