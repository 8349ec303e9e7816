//! A real PgBouncer (Debian's `pgbouncer` package, which `./dev test` installs) in front of the
//! test cluster, on a free loopback port, with scram-sha-256 and an auth file holding the SCRAM
//! verifiers the superuser reads from pg_authid, so no password is ever written down.
//!
//! It is stopped when the [`Bouncer`] is dropped, and by a watcher once the test binary is gone
//! however it ended; its directory goes with it.
#![allow(dead_code)]

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clinic::config::ServerConfig;
use clinic::demo::cluster::{self, SUPERUSER};

use crate::support::{cluster as test_cluster, Login, TestDb};

/// The pgbouncer binary: `PGBOUNCER`, Debian's /usr/sbin/pgbouncer, or one on PATH.
pub fn binary() -> Option<PathBuf> {
    let from_env = std::env::var_os("PGBOUNCER").map(PathBuf::from);
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("pgbouncer"));
    from_env
        .into_iter()
        .chain(std::iter::once(PathBuf::from("/usr/sbin/pgbouncer")))
        .chain(on_path)
        .find(|p| p.is_file())
}

pub struct Bouncer {
    pub port: u16,
    pub dir: PathBuf,
    child: Child,
}

impl Bouncer {
    /// Start `bin` in `pool_mode` ("session") before the test cluster, admitting `logins` and the
    /// superuser (who may use the admin console, database `pgbouncer`).
    pub async fn start(bin: &Path, db: &TestDb, logins: &[&Login], pool_mode: &str) -> Self {
        let c = &test_cluster().cluster;
        let su = db.superuser().await;
        let mut users: Vec<String> = logins.iter().map(|l| l.user.clone()).collect();
        users.push(SUPERUSER.into());
        let rows = su
            .query(
                "SELECT rolname::text, rolpassword FROM pg_catalog.pg_authid
                  WHERE rolname = ANY($1) ORDER BY rolname",
                &[&users],
            )
            .await
            .expect("read the verifiers");
        assert_eq!(rows.len(), users.len(), "every login has a verifier");
        let mut auth = String::new();
        for r in &rows {
            let (user, verifier): (String, String) = (r.get(0), r.get(1));
            assert!(
                verifier.starts_with("SCRAM-SHA-256$"),
                "{user}: a SCRAM verifier"
            );
            auth.push_str(&format!("\"{user}\" \"{verifier}\"\n"));
        }

        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = PathBuf::from(format!(
            "/tmp/clinic-pgbouncer-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("pgbouncer dir");
        let port = free_port();
        let ini = format!(
            "[databases]\n\
             * = host=127.0.0.1 port={cluster_port}\n\
             [pgbouncer]\n\
             listen_addr = 127.0.0.1\n\
             listen_port = {port}\n\
             unix_socket_dir =\n\
             auth_type = scram-sha-256\n\
             auth_file = {dir}/userlist.txt\n\
             pool_mode = {pool_mode}\n\
             admin_users = {SUPERUSER}\n\
             max_client_conn = 200\n\
             default_pool_size = 20\n\
             logfile = {dir}/pgbouncer.log\n\
             pidfile = {dir}/pgbouncer.pid\n",
            cluster_port = c.port,
            dir = dir.display(),
        );
        write_private(&dir.join("userlist.txt"), &auth);
        write_private(&dir.join("pgbouncer.ini"), &ini);
        let run_as = cluster::service_account().expect("the postgres account");
        if let Some(ra) = run_as {
            for p in [
                dir.clone(),
                dir.join("userlist.txt"),
                dir.join("pgbouncer.ini"),
            ] {
                std::os::unix::fs::chown(&p, Some(ra.uid), Some(ra.gid)).expect("chown");
            }
        }
        // PgBouncer refuses to run as root: under root it runs as postgres, like the cluster.
        let mut cmd = Command::new(bin);
        cmd.arg(dir.join("pgbouncer.ini"))
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(ra) = run_as {
            cmd.uid(ra.uid).gid(ra.gid);
        }
        let mut child = cmd.spawn().expect("pgbouncer starts");
        watch(child.id(), &dir);
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "pgbouncer exited ({status}):\n{}",
                    std::fs::read_to_string(dir.join("pgbouncer.log")).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "pgbouncer listens within 15 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { port, dir, child }
    }

    /// The app's server settings for `db` through this PgBouncer.
    pub fn server_config(&self, db: &TestDb) -> ServerConfig {
        ServerConfig {
            port: self.port,
            ..db.server_config()
        }
    }

    /// Settings for the admin console (`SHOW POOLS`, ...) as the superuser.
    pub fn console_config(&self) -> tokio_postgres::Config {
        let mut cfg = tokio_postgres::Config::new();
        cfg.host("127.0.0.1")
            .port(self.port)
            .user(SUPERUSER)
            .password(test_cluster().cluster.superuser_password())
            .dbname("pgbouncer");
        cfg
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default()
    }
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Stop pgbouncer `pid` and remove `dir` once this test binary is gone, however it ended.
fn watch(pid: u32, dir: &Path) {
    let script = r#"while [ -d "/proc/$0" ]; do sleep 0.5; done
if [ "$(cat "/proc/$1/comm" 2>/dev/null)" = pgbouncer ]; then kill "$1"; sleep 0.2; fi
rm -rf "$2""#;
    let _ = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .arg(std::process::id().to_string())
        .arg(pid.to_string())
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn write_private(path: &Path, text: &str) {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .expect("write pgbouncer file");
    f.write_all(text.as_bytes()).expect("write");
}
