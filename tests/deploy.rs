//! The files in deploy/ without Docker: a cluster of its own run with deploy/postgresql.conf and
//! deploy/pg_hba.conf and a certificate made by `deploy/start.sh --tls-only`, then the app's own
//! code against it: no connection without TLS, verify-full against the generated CA, the settings
//! docs/deploy.md promises, and no pg_hba line but scram-sha-256 over TLS (and peer for postgres
//! on the socket).

use std::path::{Path, PathBuf};
use std::process::Command;

use clinic::config::{ServerConfig, SslMode};
use clinic::db::{self, migrate};
use clinic::demo::cluster::{self, Cluster, Purpose};
use clinic::domain::staff::{Job, LoginError};
use tokio_postgres::NoTls;

const DEPLOY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy");

struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Ok(Some(c)) = Cluster::open(&self.0, Purpose::Test) {
            let _ = c.stop();
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// deploy/postgresql.conf for a cluster under `root`: its paths moved there, and without the
/// lines the harness sets itself (where to listen) or sizes for a real server (memory).
fn conf_for(root: &Path) -> String {
    let text = std::fs::read_to_string(format!("{DEPLOY}/postgresql.conf")).expect("conf");
    let skip = [
        "listen_addresses",
        "port",
        "unix_socket_directories",
        "shared_buffers",
        "effective_cache_size",
        "max_connections",
    ];
    text.lines()
        .filter(|l| !skip.iter().any(|k| l.starts_with(&format!("{k} ="))))
        .map(|l| {
            l.replace("/etc/clinic/", &format!("{}/", root.display()))
                .replace(
                    "/var/lib/postgresql/data/tls/",
                    &format!("{}/tls/", root.display()),
                )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn server(port: u16, host: &str, sslmode: SslMode, ca: Option<PathBuf>) -> ServerConfig {
    ServerConfig {
        host: host.into(),
        port,
        dbname: "clinic".into(),
        sslmode,
        sslrootcert: ca,
        ..ServerConfig::default()
    }
}

#[tokio::test]
async fn the_deploy_files_allow_only_scram_over_tls() {
    let root = PathBuf::from(format!("/tmp/clinic-deploy-test-{}", std::process::id()));
    let _cleanup = Cleanup(root.clone());
    let (mut c, _) = Cluster::open_or_create(&root, Purpose::Test).expect("initdb");

    let tls = root.join("tls");
    let status = Command::new(format!("{DEPLOY}/start.sh"))
        .args([
            "--tls-only",
            &tls.display().to_string(),
            "localhost,127.0.0.1",
        ])
        .stderr(std::process::Stdio::null())
        .status()
        .expect("start.sh runs");
    assert!(status.success(), "start.sh makes the TLS files");
    std::fs::copy(format!("{DEPLOY}/pg_hba.conf"), root.join("pg_hba.conf")).expect("hba");
    if let Some(ra) = cluster::service_account().expect("account") {
        for p in [
            tls.clone(),
            tls.join("server.key"),
            tls.join("server.crt"),
            root.join("pg_hba.conf"),
        ] {
            std::os::unix::fs::chown(&p, Some(ra.uid), Some(ra.gid)).expect("chown");
        }
    }
    c.extra_conf = conf_for(&root);
    c.start()
        .expect("PostgreSQL starts with deploy/postgresql.conf");

    // The superuser over the socket (scram-sha-256 there for every login but postgres).
    let mut su_cfg = tokio_postgres::Config::new();
    su_cfg
        .host_path(c.socket_dir())
        .port(c.port)
        .user(cluster::SUPERUSER)
        .password(c.superuser_password())
        .dbname("postgres");
    let (admin, conn) = su_cfg
        .connect(NoTls)
        .await
        .expect("superuser on the socket");
    tokio::spawn(conn);
    admin
        .batch_execute("CREATE DATABASE clinic")
        .await
        .expect("db");
    su_cfg.dbname("clinic");
    let (mut su, conn) = su_cfg.connect(NoTls).await.expect("su");
    tokio::spawn(conn);
    migrate::migrate(&mut su).await.expect("migrate");
    db::staff::add_staff(
        &su,
        "deploy_rita",
        "pw-rita-deploy",
        "Rita",
        Job::Receptionist,
    )
    .await
    .expect("staff");

    let ca = tls.join("ca.crt");
    let login = |s: ServerConfig| async move {
        db::login(&s, "deploy_rita", "pw-rita-deploy")
            .await
            .map(|session| session.me.login)
    };
    // No TLS, no entry: refused (without saying why to a stranger).
    assert_eq!(
        login(server(c.port, "127.0.0.1", SslMode::Disable, None)).await,
        Err(LoginError::BadCredentials)
    );
    // verify-full against the generated CA, by name and by address.
    for host in ["localhost", "127.0.0.1"] {
        assert_eq!(
            login(server(c.port, host, SslMode::VerifyFull, Some(ca.clone()))).await,
            Ok("deploy_rita".to_string()),
            "{host}"
        );
    }
    // A wrong password over TLS is a wrong password.
    assert_eq!(
        db::login(
            &server(c.port, "localhost", SslMode::VerifyFull, Some(ca.clone())),
            "deploy_rita",
            "nope"
        )
        .await
        .err(),
        Some(LoginError::BadCredentials)
    );

    for (name, want) in [
        ("ssl", "on"),
        ("ssl_min_protocol_version", "TLSv1.2"),
        ("password_encryption", "scram-sha-256"),
        ("log_connections", "on"),
        ("log_statement", "none"),
    ] {
        let got: String = su
            .query_one("SELECT setting FROM pg_settings WHERE name = $1", &[&name])
            .await
            .expect("setting")
            .get(0);
        assert_eq!(got, want, "{name}");
    }
    // Every pg_hba line: scram-sha-256 over TLS, or on the socket (peer only for postgres).
    let rules = su
        .query(
            "SELECT type, user_name::text, auth_method, error FROM pg_hba_file_rules",
            &[],
        )
        .await
        .expect("hba rules");
    assert!(rules.len() >= 4, "our pg_hba.conf is the one in use");
    for r in &rules {
        let (kind, users, method, error): (String, String, String, Option<String>) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        assert_eq!(error, None);
        let fine = match (kind.as_str(), method.as_str()) {
            ("hostssl", "scram-sha-256" | "reject") | ("local", "scram-sha-256") => true,
            ("local", "peer") => users == "{postgres}",
            _ => false,
        };
        assert!(fine, "pg_hba line {kind} {users} {method}");
    }
    c.stop().expect("stop");
}
