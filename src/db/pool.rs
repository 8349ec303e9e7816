//! One small pool per logged-in person, built from their own PostgreSQL login.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;

use super::migrate::{self, MigrateError};
use crate::config::{ServerConfig, TargetSessionAttrs};
use crate::domain::staff::{Job, LoginError, StaffIdentity};

/// A logged-in person: their pool and who the database says they are.
#[derive(Clone)]
pub struct Session {
    pub pool: Pool,
    pub me: StaffIdentity,
    /// The clinic's shared settings as the database keeps them (time zone, name, currency, the
    /// idle lock and the emergency-access cap); `None` when they could not be read.
    pub settings: Option<crate::domain::settings::ClinicSettings>,
    /// A reset password: the app asks for a new one before anything else.
    pub must_change_password: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("me", &self.me)
            .finish_non_exhaustive()
    }
}

/// The tokio-postgres settings for one person on the configured server: every host in order, the
/// one port on each, and whether only a primary will do.
pub fn pg_config(server: &ServerConfig, user: &str, password: &str) -> tokio_postgres::Config {
    let mut cfg = tokio_postgres::Config::new();
    for host in server.hosts() {
        cfg.host(host);
    }
    cfg.port(server.port)
        .target_session_attrs(match server.target_session_attrs {
            TargetSessionAttrs::Any => tokio_postgres::config::TargetSessionAttrs::Any,
            TargetSessionAttrs::ReadWrite => tokio_postgres::config::TargetSessionAttrs::ReadWrite,
        })
        .dbname(&server.dbname)
        .user(user)
        .password(password)
        .application_name("clinic")
        .connect_timeout(Duration::from_secs(server.connect_timeout_secs.max(1)));
    notice_dead_servers(&mut cfg);
    cfg
}

/// Notice within about a minute, not the OS's hours, a server that went away without closing
/// its connections (a primary that lost power in a failover): keepalives on an idle connection,
/// and a bound on how long a sent statement may go unacknowledged. A healthy server acknowledges
/// at once however long the statement then runs, so slow reports are not cut short.
pub fn notice_dead_servers(cfg: &mut tokio_postgres::Config) {
    cfg.keepalives(true)
        .keepalives_idle(Duration::from_secs(30))
        .keepalives_interval(Duration::from_secs(10))
        .keepalives_retries(3)
        .tcp_user_timeout(Duration::from_secs(30));
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

/// Why [`connect_one`] did not connect: the TLS settings, or the server (whose SQLSTATE a caller
/// may act on, e.g. a database that does not exist yet). Said in full.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    Tls(String),
    #[error("{}", error_chain(.0))]
    Server(tokio_postgres::Error),
}

impl ConnectError {
    /// The server's SQLSTATE, when it refused.
    pub fn code(&self) -> Option<&SqlState> {
        match self {
            ConnectError::Server(e) => e.code(),
            ConnectError::Tls(_) => None,
        }
    }
}

/// One connection of its own (not pooled) as `user`, with the same hosts and TLS as the pool: the
/// administration commands' (migrate, staff, audit, backup and restore).
pub async fn connect_one(
    server: &ServerConfig,
    user: &str,
    password: &str,
) -> Result<tokio_postgres::Client, ConnectError> {
    let mut cfg = pg_config(server, user, password);
    let fail = ConnectError::Server;
    let client = match super::tls::connector(server, &mut cfg).map_err(ConnectError::Tls)? {
        Some(tls) => {
            let (client, conn) = cfg.connect(tls).await.map_err(fail)?;
            tokio::spawn(drive(conn));
            client
        }
        None => {
            let (client, conn) = cfg.connect(NoTls).await.map_err(fail)?;
            tokio::spawn(drive(conn));
            client
        }
    };
    Ok(client)
}

async fn drive<F: std::future::Future<Output = Result<(), tokio_postgres::Error>>>(conn: F) {
    if let Err(e) = conn.await {
        tracing::warn!("admin connection ended: {e}");
    }
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
    // The clinic's shared settings, and whether this person must choose a new password.
    let settings = super::clinic_settings::read(&**client).await.ok();
    let must_change_password = client
        .query_opt(
            "SELECT must_change_password FROM clinic.staff WHERE login = session_user",
            &[],
        )
        .await
        .ok()
        .flatten()
        .is_some_and(|r| r.get(0));
    let row = row.ok_or(LoginError::NoJob)?;
    // A desk whose binary does not fit the database's schema stops here, in words.
    migrate::check_schema(&client).await.map_err(|e| match e {
        MigrateError::Unknown(name) => LoginError::UpgradeClinic(schema_name(&name)),
        MigrateError::Behind(name) => LoginError::DatabaseBehind(schema_name(&name)),
        MigrateError::Db(e) => classify_connect_error(&e, server),
        other => LoginError::Other(other.to_string()),
    })?;
    // Signed in: noted for the staff list's "last sign-in" (only now, so a refusal is not).
    if row.get::<_, Option<String>>(3).is_some() {
        if let Err(e) = super::clinic_settings::note_sign_in(&**client).await {
            tracing::debug!("last sign-in not recorded: {e}");
        }
    }
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
        settings,
        must_change_password,
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
        // PgBouncer refuses a wrong password with a protocol error ("SASL authentication failed").
        Some(c)
            if *c == SqlState::PROTOCOL_VIOLATION
                && e.as_db_error()
                    .is_some_and(|d| d.message().contains("authentication failed")) =>
        {
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
        // target_session_attrs = read-write, and no host took writes: a standby, or a primary
        // that is mid-failover.
        None if error_chain(e).contains("does not allow writes") => LoginError::Other(format!(
            "the database server at {} is read-only (a standby); sign in again in a minute, \
             or ask whoever runs it which server is the primary",
            server.host
        )),
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
