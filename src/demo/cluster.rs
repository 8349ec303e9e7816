//! A private PostgreSQL cluster made from the machine's own server binaries.
//!
//! `clinic demo` and the test harness both stand on this one piece, so the demo cannot rot without the
//! tests noticing. The cluster listens on a unix socket inside its own directory and on a free
//! loopback port, and only accepts scram-sha-256.
//!
//! PostgreSQL refuses to run as root. When we are root (as CI is), every server process runs as the
//! unprivileged `postgres` account, and the cluster's directory is owned by it and kept outside
//! root's home, which that account cannot traverse.

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rand::distributions::Alphanumeric;
use rand::Rng;

/// The superuser that owns a private cluster. Staff never log in as it.
pub const SUPERUSER: &str = "clinic_super";

const INSTALL_HINT: &str =
    "PostgreSQL's server binaries (initdb, postgres, pg_ctl) were not found. \
Install them with: sudo apt-get install -y postgresql postgresql-contrib \
(or point CLINIC_PG_BIN at the directory that holds initdb)";

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("{INSTALL_HINT}")]
    NotInstalled,
    #[error("running as root needs the unprivileged `postgres` account to run the server; install postgresql (it creates that account) or run as a normal user")]
    NoServiceAccount,
    #[error("{what} failed: {detail}")]
    Command { what: String, detail: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ClusterError + '_ {
    move |source| ClusterError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where the server binaries live.
#[derive(Debug, Clone)]
pub struct Binaries {
    pub bin_dir: PathBuf,
}

impl Binaries {
    /// The server's tools: `CLINIC_PG_BIN`, then the newest Debian/Ubuntu
    /// `/usr/lib/postgresql/N/bin`, then `PATH`.
    pub fn locate() -> Result<Self, ClusterError> {
        Self::find(&["initdb", "pg_ctl", "postgres"]).ok_or(ClusterError::NotInstalled)
    }

    /// The newest PostgreSQL binaries that hold every one of `tools`, looked for as
    /// [`Binaries::locate`] does; `None` when no such directory exists (or `CLINIC_PG_BIN` lacks
    /// one).
    pub fn find(tools: &[&str]) -> Option<Self> {
        let has_all = |dir: &Path| tools.iter().all(|b| dir.join(b).is_file());
        if let Some(dir) = std::env::var_os("CLINIC_PG_BIN").map(PathBuf::from) {
            return has_all(&dir).then_some(Self { bin_dir: dir });
        }
        let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let v = e.file_name().to_str()?.parse::<u32>().ok()?;
                Some((v, e.path().join("bin")))
            })
            .filter(|(_, dir)| has_all(dir))
            .collect();
        versions.sort();
        if let Some((_, dir)) = versions.pop() {
            return Some(Self { bin_dir: dir });
        }
        std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .find(|dir| has_all(dir))
            .map(|bin_dir| Self { bin_dir })
    }

    /// The path of one tool in this directory.
    pub fn tool(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }
}

/// The account the server processes run as when we are root.
#[derive(Debug, Clone, Copy)]
pub struct RunAs {
    pub uid: u32,
    pub gid: u32,
}

/// True when this process runs as root.
pub fn running_as_root() -> bool {
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// The `postgres` account, when we are root; `None` otherwise.
pub fn service_account() -> Result<Option<RunAs>, ClusterError> {
    if !running_as_root() {
        return Ok(None);
    }
    let passwd = fs::read_to_string("/etc/passwd").map_err(io_err(Path::new("/etc/passwd")))?;
    passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 3 && f[0] == "postgres")
        .and_then(|f| {
            Some(RunAs {
                uid: f[2].parse().ok()?,
                gid: f[3].parse().ok()?,
            })
        })
        .map(Some)
        .ok_or(ClusterError::NoServiceAccount)
}

/// Tuning for what the cluster is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Kept across runs: durable settings.
    Demo,
    /// Thrown away after the run: no fsync, many connections.
    Test,
}

/// A private cluster rooted at one directory: `pgdata/`, the socket, `port`, `superuser.secret`,
/// `postgres.log`.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub root: PathBuf,
    pub port: u16,
    bins: Binaries,
    run_as: Option<RunAs>,
    password: String,
    purpose: Purpose,
    /// More postgresql.conf lines, written at each start (e.g. a test's `ssl = on`).
    pub extra_conf: String,
}

impl Cluster {
    /// Open the cluster at `root`, creating it (initdb) when it is not there yet. The flag says
    /// whether it was created now.
    pub fn open_or_create(root: &Path, purpose: Purpose) -> Result<(Self, bool), ClusterError> {
        if let Some(cluster) = Self::open(root, purpose)? {
            return Ok((cluster, false));
        }
        let cluster = Self::create(root, Binaries::locate()?, service_account()?, purpose)?;
        Ok((cluster, true))
    }

    /// Open an existing cluster at `root`; `None` when there is none (or only a half-made one).
    pub fn open(root: &Path, purpose: Purpose) -> Result<Option<Self>, ClusterError> {
        let secret_path = root.join("superuser.secret");
        if !(root.join("pgdata").join("PG_VERSION").is_file() && secret_path.is_file()) {
            return Ok(None);
        }
        let password = fs::read_to_string(&secret_path).map_err(io_err(&secret_path))?;
        let port = fs::read_to_string(root.join("port"))
            .ok()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(0);
        Ok(Some(Self {
            root: root.to_path_buf(),
            port,
            bins: Binaries::locate()?,
            run_as: service_account()?,
            password: password.trim().to_string(),
            purpose,
            extra_conf: String::new(),
        }))
    }

    fn create(
        root: &Path,
        bins: Binaries,
        run_as: Option<RunAs>,
        purpose: Purpose,
    ) -> Result<Self, ClusterError> {
        fs::create_dir_all(root).map_err(io_err(root))?;
        fs::set_permissions(root, fs::Permissions::from_mode(0o700)).map_err(io_err(root))?;
        if let Some(ra) = run_as {
            std::os::unix::fs::chown(root, Some(ra.uid), Some(ra.gid)).map_err(io_err(root))?;
        }
        let pgdata = root.join("pgdata");
        if pgdata.exists() {
            // A half-made cluster from an interrupted first run: start over.
            fs::remove_dir_all(&pgdata).map_err(io_err(&pgdata))?;
        }
        let password: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        let pwfile = root.join("initdb.pw");
        write_private(&pwfile, &password, run_as)?;
        let mut initdb = Command::new(bins.tool("initdb"));
        initdb
            .arg("-D")
            .arg(&pgdata)
            .args(["-U", SUPERUSER, "-E", "UTF8", "--locale=C.UTF-8"])
            .args(["--auth-local=scram-sha-256", "--auth-host=scram-sha-256"])
            .arg(format!("--pwfile={}", pwfile.display()));
        if purpose == Purpose::Test {
            initdb.arg("--no-sync");
        }
        let out = run(initdb, root, run_as, "initdb");
        let _ = fs::remove_file(&pwfile);
        out?;
        let conf = pgdata.join("postgresql.conf");
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(&conf)
            .map_err(io_err(&conf))?;
        writeln!(f, "\ninclude_if_exists = 'clinic.conf'").map_err(io_err(&conf))?;
        let secret_path = root.join("superuser.secret");
        write_private(&secret_path, &password, None)?;
        Ok(Self {
            root: root.to_path_buf(),
            port: 0,
            bins,
            run_as,
            password,
            purpose,
            extra_conf: String::new(),
        })
    }

    pub fn pgdata(&self) -> PathBuf {
        self.root.join("pgdata")
    }

    /// The directory holding the server's unix socket.
    pub fn socket_dir(&self) -> PathBuf {
        self.root.clone()
    }

    pub fn log_file(&self) -> PathBuf {
        self.root.join("postgres.log")
    }

    pub fn superuser_password(&self) -> &str {
        &self.password
    }

    /// Whether a server is running on this cluster's data directory (ours or another process's).
    pub fn is_running(&self) -> bool {
        let mut status = Command::new(self.bins.tool("pg_ctl"));
        status.arg("status").arg("-D").arg(self.pgdata());
        run(status, &self.root, self.run_as, "pg_ctl status").is_ok()
    }

    /// Start the server, on the recorded port when it is still free, else on a new free one.
    /// Returns false when a server was already running (someone else's to stop).
    pub fn start(&mut self) -> Result<bool, ClusterError> {
        if self.is_running() {
            return Ok(false);
        }
        if self.port == 0 || TcpListener::bind(("127.0.0.1", self.port)).is_err() {
            self.port = free_port().map_err(io_err(&self.root))?;
        }
        let port_file = self.root.join("port");
        fs::write(&port_file, self.port.to_string()).map_err(io_err(&port_file))?;
        let mut conf = format!(
            "listen_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\n\
             password_encryption = 'scram-sha-256'\nlogging_collector = off\n",
            self.port,
            self.socket_dir().display()
        );
        if self.purpose == Purpose::Test {
            conf.push_str(
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 300\n",
            );
        }
        conf.push_str(&self.extra_conf);
        let conf_path = self.pgdata().join("clinic.conf");
        write_private(&conf_path, &conf, self.run_as)?;
        let mut start = Command::new(self.bins.tool("pg_ctl"));
        start
            .arg("start")
            .arg("-D")
            .arg(self.pgdata())
            .arg("-l")
            .arg(self.log_file())
            .args(["-w", "-t", "60", "-s"]);
        run(start, &self.root, self.run_as, "starting PostgreSQL").map_err(|e| match e {
            ClusterError::Command { what, detail } => ClusterError::Command {
                what,
                detail: format!("{detail}\n{}", tail(&self.log_file(), 15)),
            },
            other => other,
        })?;
        Ok(true)
    }

    /// Stop the server (fast shutdown: open sessions are ended, nothing is lost).
    pub fn stop(&self) -> Result<(), ClusterError> {
        let mut stop = Command::new(self.bins.tool("pg_ctl"));
        stop.arg("stop")
            .arg("-D")
            .arg(self.pgdata())
            .args(["-m", "fast", "-w", "-s"]);
        run(stop, &self.root, self.run_as, "stopping PostgreSQL").map(|_| ())
    }

    /// Stop the server as a power cut or a crash would (immediate shutdown: sessions are cut
    /// without a checkpoint; the next start recovers from the WAL). For the fault tests.
    pub fn stop_immediate(&self) -> Result<(), ClusterError> {
        let mut stop = Command::new(self.bins.tool("pg_ctl"));
        stop.arg("stop")
            .arg("-D")
            .arg(self.pgdata())
            .args(["-m", "immediate", "-w", "-s"]);
        run(stop, &self.root, self.run_as, "stopping PostgreSQL").map(|_| ())
    }

    /// Leave behind a watcher that stops the server once process `pid` is gone, however it ended
    /// (a panic, a kill, a failed test), and removes the cluster's directory too when `remove`.
    pub fn stop_when_gone(&self, pid: u32, remove: bool) -> Result<(), ClusterError> {
        let script = r#"while [ -d "/proc/$0" ]; do sleep 0.5; done
"$1" stop -D "$2" -m immediate -w -s >/dev/null 2>&1
if [ "$4" = yes ]; then rm -rf "$3"; fi"#;
        let mut watch = Command::new("/bin/sh");
        watch
            .arg("-c")
            .arg(script)
            .arg(pid.to_string())
            .arg(self.bins.tool("pg_ctl"))
            .arg(self.pgdata())
            .arg(&self.root)
            .arg(if remove { "yes" } else { "no" })
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        if let Some(ra) = self.run_as {
            watch.uid(ra.uid).gid(ra.gid);
        }
        watch.spawn().map_err(io_err(&self.root))?;
        Ok(())
    }

    /// Connection settings for the superuser over loopback TCP.
    pub fn superuser_config(&self, dbname: &str) -> tokio_postgres::Config {
        let mut cfg = tokio_postgres::Config::new();
        cfg.host("127.0.0.1")
            .port(self.port)
            .user(SUPERUSER)
            .password(self.password.as_str())
            .dbname(dbname)
            .application_name("clinic");
        cfg
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// Write a file only its owner may read; owned by `run_as` when given.
fn write_private(path: &Path, text: &str, run_as: Option<RunAs>) -> Result<(), ClusterError> {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(io_err(path))?;
    f.write_all(text.as_bytes()).map_err(io_err(path))?;
    if let Some(ra) = run_as {
        std::os::unix::fs::chown(path, Some(ra.uid), Some(ra.gid)).map_err(io_err(path))?;
    }
    Ok(())
}

use std::os::unix::fs::OpenOptionsExt;

fn run(
    mut cmd: Command,
    cwd: &Path,
    run_as: Option<RunAs>,
    what: &str,
) -> Result<String, ClusterError> {
    cmd.current_dir(cwd)
        .stdin(Stdio::null())
        .env("LC_ALL", "C.UTF-8");
    if let Some(ra) = run_as {
        cmd.uid(ra.uid).gid(ra.gid);
    }
    let out = cmd.output().map_err(io_err(cwd))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let mut detail = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if detail.is_empty() {
            detail = String::from_utf8_lossy(&out.stdout).trim().to_string();
        }
        Err(ClusterError::Command {
            what: what.to_string(),
            detail,
        })
    }
}

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
