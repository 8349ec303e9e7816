//! TLS to a real server: a cluster of its own with a self-signed certificate, and each sslmode.

use std::path::{Path, PathBuf};
use std::process::Command;

use clinic::config::{ServerConfig, SslMode};
use clinic::db::{self, migrate};
use clinic::demo::cluster::{self, Cluster, Purpose};
use clinic::domain::staff::Job;
use clinic::domain::staff::LoginError;
use tokio_postgres::NoTls;

struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Ok(Some(c)) = Cluster::open(&self.0, Purpose::Test) {
            let _ = c.stop();
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A test CA and a server certificate it signed for localhost, placed in `pgdata`; returns the CA.
fn make_certificates(pgdata: &Path, work: &Path) -> PathBuf {
    std::fs::create_dir_all(work).expect("work dir");
    let openssl = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(work)
            .stderr(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .status()
            .expect("openssl runs");
        assert!(status.success(), "openssl {args:?}");
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=clinic test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        work.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-out",
        "server.crt",
        "-extfile",
        "ext.cnf",
    ]);
    use std::os::unix::fs::PermissionsExt;
    for f in ["server.key", "server.crt"] {
        std::fs::copy(work.join(f), pgdata.join(f)).expect("copy");
        if let Some(ra) = cluster::service_account().expect("account") {
            std::os::unix::fs::chown(pgdata.join(f), Some(ra.uid), Some(ra.gid)).expect("chown");
        }
    }
    std::fs::set_permissions(
        pgdata.join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .expect("chmod");
    work.join("ca.crt")
}

async fn uses_tls(server: &ServerConfig, user: &str, password: &str) -> Result<bool, LoginError> {
    let session = db::login(server, user, password).await?;
    let c = session
        .pool
        .get()
        .await
        .map_err(|e| LoginError::Other(e.to_string()))?;
    let row = c
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .map_err(|e| LoginError::Other(e.to_string()))?;
    Ok(row.get(0))
}

#[tokio::test]
async fn each_sslmode_does_what_it_says() {
    let root = PathBuf::from(format!("/tmp/clinic-tls-test-{}", std::process::id()));
    let _cleanup = Cleanup(root.clone());
    let (mut c, _) = Cluster::open_or_create(&root, Purpose::Test).expect("initdb");
    let work = PathBuf::from(format!("/tmp/clinic-tls-ca-{}", std::process::id()));
    let _cleanup_ca = Cleanup(work.clone());
    let cert = make_certificates(&c.pgdata(), &work);
    c.extra_conf = "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n".into();
    c.start().expect("start with ssl");

    let (admin, conn) = c
        .superuser_config("postgres")
        .connect(NoTls)
        .await
        .expect("admin");
    tokio::spawn(conn);
    admin
        .batch_execute("CREATE DATABASE clinic")
        .await
        .expect("db");
    let (mut su, conn) = c
        .superuser_config("clinic")
        .connect(NoTls)
        .await
        .expect("su");
    tokio::spawn(conn);
    migrate::migrate(&mut su).await.expect("migrate");
    db::staff::add_staff(&su, "tls_rita", "pw-rita-tls", "Rita", Job::Receptionist)
        .await
        .expect("staff");

    let server = |host: &str, mode: SslMode, root: Option<PathBuf>| ServerConfig {
        host: host.into(),
        port: c.port,
        dbname: "clinic".into(),
        sslmode: mode,
        sslrootcert: root,
        connect_timeout_secs: 5,
        ..ServerConfig::default()
    };
    let login = |s: ServerConfig| async move { uses_tls(&s, "tls_rita", "pw-rita-tls").await };

    assert_eq!(
        login(server("127.0.0.1", SslMode::Disable, None)).await,
        Ok(false)
    );
    assert_eq!(
        login(server("127.0.0.1", SslMode::Prefer, None)).await,
        Ok(true)
    );
    assert_eq!(
        login(server("127.0.0.1", SslMode::Require, None)).await,
        Ok(true)
    );
    // verify-full: the right root and the name on the certificate.
    assert_eq!(
        login(server("localhost", SslMode::VerifyFull, Some(cert.clone()))).await,
        Ok(true)
    );
    // verify-full refuses a server it cannot vouch for: not signed by a trusted root.
    match login(server("localhost", SslMode::VerifyFull, None)).await {
        Err(LoginError::Tls(msg)) => assert!(!msg.is_empty()),
        other => panic!("an unknown issuer must be refused, got {other:?}"),
    }
    // A missing root file is a clear message, not a crash.
    match login(server(
        "localhost",
        SslMode::VerifyFull,
        Some(root.join("nope.pem")),
    ))
    .await
    {
        Err(LoginError::Tls(msg)) => assert!(msg.contains("nope.pem"), "{msg}"),
        other => panic!("expected a Tls error naming the file, got {other:?}"),
    }
    c.stop().expect("stop");
}
