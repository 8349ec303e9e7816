//! The throwaway-cluster harness: one private PostgreSQL cluster per test binary (the same code as
//! `clinic demo`'s), a fresh database per test cloned from a migrated template, and real login roles.
//!
//! The cluster is stopped and its directory removed by a watcher process once the test binary exits,
//! however it exits, so a failing or panicking test leaves nothing behind.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use clinic::config::ServerConfig;
use clinic::db::migrate;
use clinic::demo::cluster::{Cluster, Purpose};
use clinic::domain::staff::Job;
use tokio_postgres::{Client, NoTls};

const TEMPLATE: &str = "clinic_template";

pub struct TestCluster {
    pub cluster: Cluster,
}

static CLUSTER: OnceLock<TestCluster> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(1);

/// The run's cluster, started (and its template migrated) on first use.
pub fn cluster() -> &'static TestCluster {
    CLUSTER.get_or_init(|| {
        // Its own thread and runtime: the caller may be inside any test's runtime.
        std::thread::spawn(start_cluster)
            .join()
            .expect("test cluster starts")
    })
}

fn start_cluster() -> TestCluster {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let root = PathBuf::from(format!("/tmp/clinic-test-{}-{nanos}", std::process::id()));
    let (mut cluster, _) = Cluster::open_or_create(&root, Purpose::Test).expect("initdb");
    cluster.start().expect("postgres starts");
    cluster
        .stop_when_gone(std::process::id(), true)
        .expect("cleanup watcher");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let admin = connect_cfg(cluster.superuser_config("postgres")).await;
        admin
            .batch_execute(&format!("CREATE DATABASE {TEMPLATE}"))
            .await
            .expect("create template");
        let mut t = connect_cfg(cluster.superuser_config(TEMPLATE)).await;
        migrate::migrate(&mut t)
            .await
            .expect("migrations apply to the template");
    });
    TestCluster { cluster }
}

pub async fn connect_cfg(cfg: tokio_postgres::Config) -> Client {
    let (client, conn) = cfg.connect(NoTls).await.expect("connect");
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

/// A staff login made for one test: a real PostgreSQL role in the job's group.
#[derive(Debug, Clone)]
pub struct Login {
    pub user: String,
    pub password: String,
    pub job: Option<Job>,
    pub staff_id: Option<i64>,
}

/// A fresh database for one test, dropped when the test ends.
pub struct TestDb {
    pub name: String,
}

impl TestDb {
    /// A database with every migration applied.
    pub async fn new() -> Self {
        Self::create(Some(TEMPLATE)).await
    }

    /// An empty database (no migrations), for the migration tests.
    pub async fn empty() -> Self {
        Self::create(None).await
    }

    async fn create(template: Option<&str>) -> Self {
        let c = cluster();
        let name = format!("t{}", NEXT_DB.fetch_add(1, Ordering::SeqCst));
        let admin = connect_cfg(c.cluster.superuser_config("postgres")).await;
        let sql = match template {
            Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
            None => format!("CREATE DATABASE {name}"),
        };
        admin
            .batch_execute(&sql)
            .await
            .expect("create test database");
        let db = Self { name };
        if template.is_some() {
            // Database-level grants are not copied from a template.
            db.superuser()
                .await
                .batch_execute(migrate::DATABASE_GRANTS)
                .await
                .expect("database grants");
        }
        db
    }

    pub async fn superuser(&self) -> Client {
        connect_cfg(cluster().cluster.superuser_config(&self.name)).await
    }

    /// Server settings pointing the app at this database.
    pub fn server_config(&self) -> ServerConfig {
        ServerConfig {
            host: "127.0.0.1".into(),
            port: cluster().cluster.port,
            dbname: self.name.clone(),
            ..ServerConfig::default()
        }
    }

    /// Create a staff member with their own login through `clinic.add_staff`, as bootstrap does.
    pub async fn staff(&self, short: &str, job: Job) -> Login {
        let user = format!("{}_{short}", self.name);
        let password = format!("pw-{short}-{}", self.name);
        let su = self.superuser().await;
        let id = clinic::db::staff::add_staff(&su, &user, &password, &title_case(short), job)
            .await
            .expect("add_staff");
        Login {
            user,
            password,
            job: Some(job),
            staff_id: Some(id),
        }
    }

    /// A login role with no job at this clinic (no group, no staff row).
    pub async fn login_without_job(&self, short: &str) -> Login {
        let user = format!("{}_{short}", self.name);
        let password = format!("pw-{short}");
        let verifier = clinic::db::staff::scram_verifier(&password);
        self.superuser()
            .await
            .batch_execute(&format!("CREATE ROLE {user} LOGIN PASSWORD '{verifier}'"))
            .await
            .expect("create bare login");
        Login {
            user,
            password,
            job: None,
            staff_id: None,
        }
    }

    pub fn config_for(&self, login: &Login) -> tokio_postgres::Config {
        let mut cfg = cluster().cluster.superuser_config(&self.name);
        cfg.user(&login.user).password(login.password.as_str());
        cfg
    }

    /// Connect as a staff login, as the app (or psql) would.
    pub async fn connect(&self, login: &Login) -> Client {
        connect_cfg(self.config_for(login)).await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let cfg = cluster().cluster.superuser_config("postgres");
        // Drop runs inside the test's runtime; use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok((client, conn)) = cfg.connect(NoTls).await {
                    tokio::spawn(conn);
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

fn title_case(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The SQLSTATE of a failed statement, e.g. "42501".
pub fn sqlstate(e: &tokio_postgres::Error) -> String {
    e.code()
        .map(|c| c.code().to_string())
        .unwrap_or_else(|| format!("no sqlstate: {e}"))
}

/// Sets the clinic's time zone to one where it is now about noon, so "today's" fixtures (a morning
/// of appointments) have all begun and none crosses midnight, whenever the tests run: check-ins,
/// consultations and no-shows go by the clinic's clock (sql/0009).
pub async fn clinic_at_noon(su: &Client) -> String {
    use chrono::Timelike;
    let hour = i32::try_from(chrono::Utc::now().hour()).unwrap_or(0);
    let ahead = 12 - hour;
    // The Etc zones count the other way: Etc/GMT-5 is five hours ahead of UTC.
    let zone = match ahead {
        0 => "Etc/GMT".to_string(),
        n if n > 0 => format!("Etc/GMT-{n}"),
        n => format!("Etc/GMT+{}", -n),
    };
    su.execute("UPDATE clinic.settings SET time_zone = $1", &[&zone])
        .await
        .expect("set the clinic's zone");
    zone
}

/// `h:m` today at the clinic, as an SQL expression.
pub fn clinic_today(h: u32, m: u32) -> String {
    format!(
        "((clinic.clinic_date(now()) + time '{h:02}:{m:02}') AT TIME ZONE clinic.clinic_time_zone())"
    )
}
