//! `clinic demo`: the whole product on a private PostgreSQL cluster made from the machine's server
//! binaries, seeded with a realistic small clinic.

pub mod cluster;
pub mod seed;
pub mod statements;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use tokio_postgres::NoTls;

use crate::config::{Config, Paths, ServerConfig};
use crate::db::migrate;
use crate::domain::staff::Job;
use cluster::{Cluster, ClusterError, Purpose};

/// The demo database's name inside the private cluster.
pub const DEMO_DB: &str = "clinic";
/// Every demo login's password.
pub const DEMO_PASSWORD: &str = "demo";

/// The demo staff: (login, full name, job). Logins are cluster-wide PostgreSQL roles.
pub const DEMO_STAFF: &[(&str, &str, Job)] = &[
    ("alice", "Alice Smith", Job::Doctor),
    ("greg", "Greg House", Job::Doctor),
    ("okafor", "Nkechi Okafor", Job::Doctor),
    ("rita", "Rita Moreno", Job::Receptionist),
    ("adam", "Adam Fisher", Job::Accountant),
    ("ada", "Ada Lovelace", Job::Admin),
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("demo database: {0}")]
    Db(String),
    /// The demo's data is disposable, so the way out is said with the error.
    #[error("{0}\nThe demo's data is disposable: `clinic demo reset` throws it away and the next `clinic demo` starts afresh.")]
    Migrate(#[from] migrate::MigrateError),
}

impl From<tokio_postgres::Error> for DemoError {
    fn from(e: tokio_postgres::Error) -> Self {
        let text = e.as_db_error().map_or_else(
            || e.to_string(),
            |d| format!("{} ({})", d.message(), d.code().code()),
        );
        if text.contains("extension") && text.contains("is not available") {
            return DemoError::Db(format!(
                "{text}. Install PostgreSQL's contrib modules: sudo apt-get install -y postgresql-contrib"
            ));
        }
        DemoError::Db(text)
    }
}

/// Where the demo cluster lives. Under root it cannot live in root's home (mode 700), which the
/// unprivileged account running the server cannot enter, so it goes to /var/lib/clinic/demo.
/// `CLINIC_DEMO_DIR` overrides it (it must be a directory that account can reach).
pub fn demo_root(paths: &Paths) -> PathBuf {
    if let Some(dir) = std::env::var_os("CLINIC_DEMO_DIR") {
        return PathBuf::from(dir);
    }
    if cluster::running_as_root() {
        PathBuf::from("/var/lib/clinic/demo")
    } else {
        paths.data_dir.join("demo")
    }
}

/// A running demo server.
pub struct DemoServer {
    pub cluster: Cluster,
    /// False when another process (say `clinic demo serve`) already had it running: not ours to stop.
    pub started_here: bool,
}

impl DemoServer {
    /// The app's connection: the unix socket in the cluster's directory.
    pub fn server_config(&self) -> ServerConfig {
        ServerConfig {
            host: self.cluster.socket_dir().display().to_string(),
            port: self.cluster.port,
            dbname: DEMO_DB.into(),
            ..ServerConfig::default()
        }
    }

    /// A ready-to-paste psql command for a demo login, over the loopback port.
    pub fn psql_command(&self, login: &str) -> String {
        format!(
            "PGPASSWORD={DEMO_PASSWORD} psql \"host=127.0.0.1 port={} dbname={DEMO_DB} user={login}\"",
            self.cluster.port
        )
    }

    pub fn stop(&self) -> Result<(), ClusterError> {
        if self.started_here {
            self.cluster.stop()
        } else {
            Ok(())
        }
    }
}

/// Create (first run) or reuse the demo cluster, start it, bring its schema up to date and seed it
/// once. `progress` hears each step as it begins.
pub async fn prepare(
    root: &Path,
    config: &Config,
    progress: &mut dyn FnMut(&str),
) -> Result<DemoServer, DemoError> {
    let (mut cluster, created) = {
        if !root.join("pgdata").exists() {
            progress(&format!(
                "Creating a private PostgreSQL cluster in {}",
                root.display()
            ));
        }
        Cluster::open_or_create(root, Purpose::Demo)?
    };
    progress("Starting PostgreSQL");
    let started_here = cluster.start()?;
    match bring_up_to_date(&cluster, created, config, progress).await {
        Ok(()) => Ok(DemoServer {
            cluster,
            started_here,
        }),
        Err(e) => {
            // Leave nothing running behind a failed start.
            if started_here {
                let _ = cluster.stop();
            }
            Err(e)
        }
    }
}

/// The demo shared: every process that has the demo open holds a lease on its server (a file named
/// by its pid under `users/`), so several `clinic demo` at once (two desks at a training) share one
/// server, which stops when the last of them leaves. Leases are taken and given back under a lock
/// file, so a desk starting as another quits never finds its server stopped under it; a lease whose
/// process died (a kill, a crash) counts for nothing, and a watcher gives it back for it.
pub struct Lease {
    root: PathBuf,
    pid: u32,
}

fn users_dir(root: &Path) -> PathBuf {
    root.join("users")
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DemoError + '_ {
    move |source| {
        DemoError::Cluster(ClusterError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// The lock every lease is taken and given back under (held while the returned file lives).
fn lock(root: &Path) -> Result<std::fs::File, DemoError> {
    std::fs::create_dir_all(root).map_err(io(root))?;
    let path = root.join("users.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io(&path))?;
    file.lock().map_err(io(&path))?;
    Ok(file)
}

fn alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// The processes holding a lease now; the leases of dead ones are swept away.
fn users(root: &Path) -> Vec<u32> {
    let dir = users_dir(root);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut live = Vec::new();
    for entry in entries.flatten() {
        let pid = entry.file_name().to_string_lossy().parse::<u32>().ok();
        match pid {
            Some(pid) if alive(pid) => live.push(pid),
            _ => {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    live.sort_unstable();
    live
}

/// Open the demo for this process: the server started if nobody has it running, and a lease on it
/// until [`Lease::release`] (or the process's end, which a watcher notices).
pub async fn open(
    root: &Path,
    config: &Config,
    progress: &mut dyn FnMut(&str),
) -> Result<(DemoServer, Lease), DemoError> {
    let guard = lock(root)?;
    let server = prepare(root, config, progress).await?;
    let pid = std::process::id();
    let dir = users_dir(root);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let file = dir.join(pid.to_string());
    std::fs::write(&file, "").map_err(io(&file))?;
    drop(guard);
    let lease = Lease {
        root: root.to_path_buf(),
        pid,
    };
    lease.watch()?;
    Ok((server, lease))
}

impl Lease {
    /// How many processes share the demo now, this one included.
    pub fn users(&self) -> usize {
        users(&self.root).len()
    }

    /// Leave behind a watcher (this binary, `clinic demo release --pid N`) that gives the lease
    /// back once this process is gone, however it ended.
    fn watch(&self) -> Result<(), DemoError> {
        let exe = std::env::current_exe().map_err(io(&self.root))?;
        std::process::Command::new(exe)
            .args(["demo", "release", "--pid", &self.pid.to_string()])
            .env("CLINIC_DEMO_DIR", &self.root)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(io(&self.root))?;
        Ok(())
    }

    /// Give the lease back; the last one out stops the server. Returns whether it was stopped.
    pub fn release(self) -> Result<bool, DemoError> {
        release(&self.root, self.pid)
    }
}

/// Give back `pid`'s lease on the demo at `root`; stop the server when nobody else holds one.
pub fn release(root: &Path, pid: u32) -> Result<bool, DemoError> {
    let _guard = lock(root)?;
    let _ = std::fs::remove_file(users_dir(root).join(pid.to_string()));
    if !users(root).is_empty() {
        return Ok(false);
    }
    match Cluster::open(root, Purpose::Demo)? {
        Some(cluster) if cluster.is_running() => {
            cluster.stop()?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// `clinic demo release --pid N`: wait until process N has ended, then give its lease back.
pub fn release_when_gone(root: &Path, pid: u32) -> Result<bool, DemoError> {
    while alive(pid) {
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    if !users_dir(root).join(pid.to_string()).exists() {
        // Given back already, on the way out.
        return Ok(false);
    }
    release(root, pid)
}

/// Migrate the demo database, and on the first run (or after an interrupted one) seed it afresh.
async fn bring_up_to_date(
    cluster: &Cluster,
    created: bool,
    config: &Config,
    progress: &mut dyn FnMut(&str),
) -> Result<(), DemoError> {
    let root = &cluster.root;
    let seeded_marker = root.join("seeded");
    let admin = connect(cluster.superuser_config("postgres")).await?;
    if created || !seeded_marker.exists() {
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {DEMO_DB} WITH (FORCE)"))
            .await?;
        for (login, _, _) in DEMO_STAFF {
            admin
                .batch_execute(&format!("DROP ROLE IF EXISTS {login}"))
                .await?;
        }
        admin
            .batch_execute(&format!("CREATE DATABASE {DEMO_DB}"))
            .await?;
    }
    progress("Applying migrations");
    let mut db = connect(cluster.superuser_config(DEMO_DB)).await?;
    migrate::migrate(&mut db).await?;
    migrate::seed_settings(&db, &config.clinic).await?;
    if !seeded_marker.exists() {
        progress("Creating the demo staff logins");
        for (login, name, job) in DEMO_STAFF {
            crate::db::staff::add_staff(&db, login, DEMO_PASSWORD, name, *job)
                .await
                .map_err(|e| DemoError::Db(e.to_string()))?;
        }
        seed::seed(&db, config, progress).await?;
        statements::write_samples(&db, root).await?;
        std::fs::write(&seeded_marker, "seeded\n").map_err(|source| ClusterError::Io {
            path: seeded_marker.clone(),
            source,
        })?;
    }
    Ok(())
}

/// Throw the demo cluster away (stopping it first if it runs).
pub fn reset(root: &Path) -> Result<bool, DemoError> {
    if !root.exists() {
        return Ok(false);
    }
    if let Some(cluster) = Cluster::open(root, Purpose::Demo)? {
        if cluster.is_running() {
            cluster.stop()?;
        }
    }
    std::fs::remove_dir_all(root).map_err(|source| ClusterError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    Ok(true)
}

async fn connect(cfg: tokio_postgres::Config) -> Result<tokio_postgres::Client, DemoError> {
    let (client, conn) = cfg.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::warn!("demo admin connection ended: {e}");
        }
    });
    Ok(client)
}
