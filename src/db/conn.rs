//! The connection the desk's hot reads run on, and whether it keeps their statements prepared.
//!
//! A lookup's statement is a union of a dozen small index probes; sent as an unnamed statement
//! (`query_typed`) PostgreSQL parses and plans it on every call, which costs more than running it.
//! A pooled connection (deadpool's `ClientWrapper`) keeps each statement it has prepared, keyed by
//! its text and parameter types, for as long as the connection lives, so the second call on that
//! connection only binds and executes; after five executions PostgreSQL's plan cache settles on the
//! generic plan when it costs no more than the custom ones (`plan_cache_mode = auto`, the default).
//! A bare `tokio_postgres::Client` (the tests' and the command line's connections, and the
//! benchmark's baseline) plans each call as before.
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

/// Run `sql` with typed parameters: prepared once and reused where the connection keeps
/// statements, else as one unnamed statement (parse, plan and run in one round trip).
pub async fn query(
    conn: &(impl Conn + ?Sized),
    sql: &str,
    params: &[(&(dyn ToSql + Sync), Type)],
) -> Result<Vec<Row>, tokio_postgres::Error> {
    let client = conn.client();
    match conn.statements() {
        Some(cache) => {
            let types: Vec<Type> = params.iter().map(|(_, t)| t.clone()).collect();
            let statement = cache.prepare_typed(client, sql, &types).await?;
            let values: Vec<&(dyn ToSql + Sync)> = params.iter().map(|(v, _)| *v).collect();
            client.query(&statement, &values).await
        }
        None => client.query_typed(sql, params).await,
    }
}
