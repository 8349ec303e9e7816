//! One small pool per logged-in person, built from their own PostgreSQL login.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;

use super::migrate::{self, MigrateError};
use crate::config::ServerConfig;
use crate::domain::staff::{Job, LoginError, StaffIdentity};

/// A logged-in person: their pool and who the database says they are.
#[derive(Clone)]
pub struct Session {
    pub pool: Pool,
    pub me: StaffIdentity,
    /// The clinic's time zone as the database keeps it (`None` before migration 0009).
    pub time_zone: Option<chrono_tz::Tz>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("me", &self.me)
            .finish_non_exhaustive()
    }
}

/// The tokio-postgres settings for one person on the configured server.
pub fn pg_config(server: &ServerConfig, user: &str, password: &str) -> tokio_postgres::Config {
    let mut cfg = tokio_postgres::Config::new();
    cfg.host(&server.host)
        .port(server.port)
        .dbname(&server.dbname)
        .user(user)
        .password(password)
        .application_name("clinic")
        .connect_timeout(Duration::from_secs(server.connect_timeout_secs.max(1)));
    cfg
}

/// Build a pool for `user` (2-4 connections) without touching the network yet.
pub fn connect_as(server: &ServerConfig, user: &str, password: &str) -> Result<Pool, LoginError> {
    let mut cfg = pg_config(server, user, password);
    let tls = super::tls::connector(server, &mut cfg).map_err(LoginError::Tls)?;
    let mc = ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let mgr = match tls {
        Some(tls) => Manager::from_config(cfg, tls, mc),
        None => Manager::from_config(cfg, NoTls, mc),
    };
    Pool::builder(mgr)
        .max_size(4)
        .build()
        .map_err(|e| LoginError::Other(e.to_string()))
}

/// Sign in: connect as the person's own login and ask the database who they are.
pub async fn login(
    server: &ServerConfig,
    user: &str,
    password: &str,
) -> Result<Session, LoginError> {
    let user = user.trim();
    if user.is_empty() || password.is_empty() {
        return Err(LoginError::BadCredentials);
    }
    let pool = connect_as(server, user, password)?;
    let client = pool.get().await.map_err(|e| match e {
        deadpool_postgres::PoolError::Backend(e) => classify_connect_error(&e, server),
        other => LoginError::Other(other.to_string()),
    })?;
    let row = client
        .query_opt(
            "SELECT staff_id, login, full_name, job FROM clinic.whoami()",
            &[],
        )
        .await
        .map_err(|e| classify_connect_error(&e, server))?;
    // The clinic's clock, when the database knows it: the status rules go by it.
    let time_zone = match client
        .query_opt("SELECT time_zone FROM clinic.settings", &[])
        .await
    {
        Ok(Some(r)) => r.get::<_, String>(0).parse().ok(),
        _ => None,
    };
    let row = row.ok_or(LoginError::NoJob)?;
    // A desk whose binary does not fit the database's schema stops here, in words.
    migrate::check_schema(&client).await.map_err(|e| match e {
        MigrateError::Unknown(name) => LoginError::UpgradeClinic(schema_name(&name)),
        MigrateError::Behind(name) => LoginError::DatabaseBehind(schema_name(&name)),
        MigrateError::Db(e) => classify_connect_error(&e, server),
        other => LoginError::Other(other.to_string()),
    })?;
    drop(client);
    let job: Option<String> = row.get(3);
    let job = job
        .as_deref()
        .and_then(Job::parse)
        .ok_or(LoginError::NoJob)?;
    let me = StaffIdentity {
        staff_id: row.get(0),
        login: row.get(1),
        full_name: row.get(2),
        job,
    };
    Ok(Session {
        pool,
        me,
        time_zone,
    })
}

/// A migration's name as the version line says it (without `.sql`).
fn schema_name(file: &str) -> String {
    file.trim_end_matches(".sql").to_string()
}

fn classify_connect_error(e: &tokio_postgres::Error, server: &ServerConfig) -> LoginError {
    match e.code() {
        Some(c) if *c == SqlState::INVALID_PASSWORD => LoginError::BadCredentials,
        // No pg_hba entry / a role that may not log in: do not tell an attacker which.
        Some(c) if *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            LoginError::BadCredentials
        }
        // No CONNECT on the database, or no schema/function access: a login without a job here.
        Some(c)
            if *c == SqlState::INSUFFICIENT_PRIVILEGE
                || *c == SqlState::INVALID_SCHEMA_NAME
                || *c == SqlState::UNDEFINED_FUNCTION =>
        {
            LoginError::NoJob
        }
        Some(_) => LoginError::Other(
            e.as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string()),
        ),
        None if is_tls_failure(e) => LoginError::Tls(error_chain(e)),
        None => LoginError::Unreachable(format!("{}:{}", server.host, server.port)),
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn is_tls_failure(e: &tokio_postgres::Error) -> bool {
    let text = error_chain(e).to_lowercase();
    text.contains("tls") || text.contains("certificate") || text.contains("ssl")
}

/// One round trip through the pool, bounded by `limit`: a fresh or recycled connection and a
/// query on it. Whether the connection works, for the status bar.
pub async fn ping(pool: &Pool, limit: Duration) -> bool {
    let round_trip = async {
        let client = pool.get().await.ok()?;
        client.query_one("SELECT 1", &[]).await.ok()
    };
    let ok = matches!(tokio::time::timeout(limit, round_trip).await, Ok(Some(_)));
    tracing::debug!(ok, "ping");
    ok
}
