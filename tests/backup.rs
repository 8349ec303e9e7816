//! Backups that restore (issue 10, item 6), through the real binary: the demo clinic backed up,
//! restored into a fresh database on the same cluster and onto a new cluster, every table's rows
//! and the audit chain whole; a non-empty target refused.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use clinic::config::Config;
use clinic::db::backup::CLINIC_ROLES;
use clinic::demo::cluster::{Cluster, Purpose, SUPERUSER};
use clinic::demo::{DEMO_PASSWORD, DEMO_STAFF};
use clinic::domain::staff::LoginError;
use support::{cluster, connect_cfg, TestDb};
use tokio_postgres::Client;

/// `clinic --config CONFIG db ARGS -U clinic_super` against `port`/`dbname`, as a script would.
fn clinic_db(home: &Path, port: u16, dbname: &str, password: &str, args: &[&str]) -> Output {
    let config = home.join(format!("{dbname}.toml"));
    std::fs::write(
        &config,
        format!(
            "[server]\nhost = \"127.0.0.1\"\nport = {port}\ndbname = \"{dbname}\"\nsslmode = \"disable\"\n"
        ),
    )
    .expect("config");
    Command::new(env!("CARGO_BIN_EXE_clinic"))
        .arg("--config")
        .arg(&config)
        .arg("db")
        .args(args)
        .args(["-U", SUPERUSER])
        .env("PGPASSWORD", password)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run clinic")
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every table's row count outside PostgreSQL's own schemas, by name, as the superuser sees them.
async fn row_counts(c: &Client) -> Vec<(String, i64)> {
    let tables: Vec<String> = c
        .query(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND n.nspname NOT LIKE 'pg\\_toast%'
              ORDER BY 1",
            &[],
        )
        .await
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut counts = Vec::new();
    for t in tables {
        let n: i64 = c
            .query_one(&format!("SELECT count(*) FROM {t}"), &[])
            .await
            .expect("count")
            .get(0);
        counts.push((t, n));
    }
    counts
}

async fn audit_whole(c: &Client) -> (Option<i64>, i64) {
    let broken: Option<i64> = c
        .query_one("SELECT clinic.audit_verify()", &[])
        .await
        .expect("verify")
        .get(0);
    let sealed: i64 = c
        .query_one(
            "SELECT count(*) FROM clinic.audit_log WHERE seq IS NOT NULL",
            &[],
        )
        .await
        .expect("sealed")
        .get(0);
    (broken, sealed)
}

/// Everything in the database belongs to the clinic's own roles, never to a cluster's superuser,
/// so the dump restores onto another cluster with the roles file alone.
async fn owners_outside_the_clinic(c: &Client) -> Vec<String> {
    let roles: Vec<String> = CLINIC_ROLES.iter().map(|r| (*r).to_string()).collect();
    c.query(
        "WITH owned AS (
           SELECT 'schema ' || nspname AS what, nspowner AS owner FROM pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND nspname NOT LIKE 'pg\\_%'
           UNION ALL
           SELECT 'relation ' || c.oid::regclass, c.relowner FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
           UNION ALL
           SELECT 'function ' || p.oid::regprocedure, p.proowner FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e'))
         SELECT what || ' owned by ' || pg_get_userbyid(owner) FROM owned
          WHERE pg_get_userbyid(owner) <> ALL ($1) ORDER BY 1",
        &[&roles],
    )
    .await
    .expect("owners")
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// The demo clinic in a test database: its staff logins (cluster-wide, so only this test makes
/// them), the seed, and the audit entries sealed into the chain.
async fn seed_demo(db: &TestDb) -> Client {
    let su = db.superuser().await;
    for (login, name, job) in DEMO_STAFF {
        clinic::db::staff::add_staff(&su, login, DEMO_PASSWORD, name, *job)
            .await
            .expect("demo staff");
    }
    clinic::demo::seed::seed(&su, &Config::default(), &mut |_| {})
        .await
        .expect("the demo seed");
    while clinic::db::audit::seal(&su).await.expect("seal") > 0 {}
    su
}

#[tokio::test]
async fn the_demo_backs_up_and_restores_whole_here_and_on_a_new_cluster() {
    let db = TestDb::new().await;
    let su = seed_demo(&db).await;
    let source = row_counts(&su).await;
    assert!(
        source
            .iter()
            .any(|(t, n)| t == "clinic.patients" && *n >= 2000),
        "{source:?}"
    );
    let (broken, sealed) = audit_whole(&su).await;
    assert_eq!(broken, None);
    assert!(sealed > 0, "the seed's audit entries are sealed");
    assert_eq!(owners_outside_the_clinic(&su).await, Vec::<String>::new());

    let home = tempfile::tempdir().expect("home");
    let here = &cluster().cluster;
    let dump = home.path().join("nightly.dump");
    let dump_arg = dump.display().to_string();
    // `clinic db ARGS` as this cluster's superuser, on one of its databases.
    let here_db = |dbname: &str, args: &[&str]| {
        clinic_db(
            home.path(),
            here.port,
            dbname,
            here.superuser_password(),
            args,
        )
    };
    let out = here_db(&db.name, &["backup", &dump_arg]);
    assert!(out.status.success(), "{}", said(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    let tables = source.len();
    assert!(
        err.contains(&format!("table {tables} of {tables}")) && err.contains("table 1 of"),
        "progress per table: {err}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&dump)
        .expect("the dump")
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "only its owner reads a dump");
    let roles = std::fs::read_to_string(home.path().join("nightly.roles.sql")).expect("roles");
    for (login, _, job) in DEMO_STAFF {
        assert!(roles.contains(&format!("CREATE ROLE {login};")), "{roles}");
        assert!(
            roles.contains(&format!("GRANT {} TO {login};", job.group_role())),
            "{roles}"
        );
    }
    assert!(roles.contains("CREATE ROLE clinic_owner;"), "{roles}");
    for never in ["PASSWORD", "SCRAM-SHA-256", SUPERUSER, "GRANTED BY"] {
        assert!(
            !roles.contains(never),
            "{never} in the roles file:\n{roles}"
        );
    }
    // A second backup to the same name never replaces the first.
    let again = here_db(&db.name, &["backup", &dump_arg]);
    assert!(!again.status.success() && said(&again).contains("exists already"));

    // Into a database that does not exist yet on the same cluster: created, restored, whole.
    let restored = format!("{}_restored", db.name);
    let out = here_db(&restored, &["restore", &dump_arg]);
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("table {tables} of {tables}")),
        "{}",
        said(&out)
    );
    let copy = connect_cfg(here.superuser_config(&restored)).await;
    assert_eq!(row_counts(&copy).await, source, "every table's rows");
    assert_eq!(audit_whole(&copy).await, (None, sealed), "the audit chain");
    // The staff sign in to the copy: their logins are the cluster's, CONNECT was granted again.
    let mut server = db.server_config();
    server.dbname = restored.clone();
    let rita = clinic::db::login(&server, "rita", DEMO_PASSWORD)
        .await
        .expect("rita signs in to the restored clinic");
    assert_eq!(rita.me.full_name, "Rita Moreno");
    drop(rita);
    // Restoring twice into it is refused, in words, and leaves it as it was.
    let out = here_db(&restored, &["restore", &dump_arg]);
    assert!(!out.status.success());
    assert!(said(&out).contains("is not empty"), "{}", said(&out));
    assert_eq!(row_counts(&copy).await, source);
    drop(copy);

    // A new cluster, as after losing the server: the roles file makes the clinic's roles, without
    // passwords, and the data restores whole.
    // Where the `postgres` account can reach it when we are root (not under a private temp dir).
    let root = std::path::PathBuf::from(format!(
        "/tmp/clinic-backup-test-{}-new",
        std::process::id()
    ));
    let (mut other, _) = Cluster::open_or_create(&root, Purpose::Test).expect("initdb");
    other.start().expect("the new cluster starts");
    other
        .stop_when_gone(std::process::id(), true)
        .expect("watcher");
    let out = clinic_db(
        home.path(),
        other.port,
        "clinic",
        other.superuser_password(),
        &["restore", &dump_arg],
    );
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("Created the roles"), "{}", said(&out));
    let moved = connect_cfg(other.superuser_config("clinic")).await;
    assert_eq!(row_counts(&moved).await, source, "every table's rows");
    assert_eq!(audit_whole(&moved).await, (None, sealed), "the audit chain");
    let server = clinic::config::ServerConfig {
        port: other.port,
        dbname: "clinic".into(),
        ..db.server_config()
    };
    assert_eq!(
        clinic::db::login(&server, "rita", DEMO_PASSWORD)
            .await
            .expect_err("no password came along"),
        LoginError::BadCredentials
    );
    let _ = other.stop();
}

#[tokio::test]
async fn restore_refuses_a_database_that_is_not_empty() {
    let home = tempfile::tempdir().expect("home");
    let here = &cluster().cluster;
    let file = home.path().join("any.dump");
    std::fs::write(&file, "not looked at").expect("file");
    let file = file.display().to_string();
    let refused = |db: &TestDb, words: &[&str]| {
        let out = clinic_db(
            home.path(),
            here.port,
            &db.name,
            here.superuser_password(),
            &["restore", &file],
        );
        assert!(!out.status.success());
        let text = said(&out);
        assert!(words.iter().all(|w| text.contains(w)), "{words:?}: {text}");
    };
    // A migrated clinic database: the clinic schema is there.
    let clinic = TestDb::new().await;
    refused(
        &clinic,
        &["is not empty", "the schemas clinic and clinic_meta"],
    );
    // Any table of anyone's counts.
    let other = TestDb::empty().await;
    other
        .superuser()
        .await
        .batch_execute("CREATE TABLE public.notes (id int)")
        .await
        .expect("a table");
    refused(&other, &["is not empty", "public.notes"]);
    // An empty one passes that check and then refuses what is no backup.
    refused(&TestDb::empty().await, &["is not a backup"]);
}
