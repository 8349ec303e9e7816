//! Thin clients (issue 10, item 8): `clinic --version` names the schema it expects, a database
//! migrated by a newer clinic (or not yet by this one) is refused in words at sign-in and on the
//! command line, and the man pages and completions a package installs are generated.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use clinic::db::migrate::MIGRATIONS;
use clinic::domain::staff::{Job, LoginError};
use support::{Login, TestDb};

fn clinic(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clinic"));
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .stdin(std::process::Stdio::null());
    cmd
}

fn last_migration() -> &'static str {
    let (name, _) = MIGRATIONS.last().expect("migrations");
    name.strip_suffix(".sql").expect("a .sql file")
}

#[test]
fn the_version_names_the_schema_it_expects() {
    let home = tempfile::tempdir().expect("home");
    let out = clinic(home.path()).arg("--version").output().expect("run");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "clinic {} (schema {})\n",
            env!("CARGO_PKG_VERSION"),
            last_migration()
        )
    );
}

/// `clinic generate WHAT DIR` into a new directory of `home`.
fn generate(home: &Path, what: &str) -> std::path::PathBuf {
    let dir = home.join(what);
    let out = clinic(home)
        .args(["generate", what])
        .arg(&dir)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

#[test]
fn man_pages_and_completions_generate() {
    let home = tempfile::tempdir().expect("home");
    let man = generate(home.path(), "man");
    let page = std::fs::read_to_string(man.join("clinic.1")).expect("clinic.1");
    for sub in ["demo", "db", "staff", "billing", "audit"] {
        assert!(page.contains(sub), "clinic.1 names {sub}");
    }
    assert!(
        !page.contains("generate"),
        "the packaging command stays hidden"
    );
    let backup =
        std::fs::read_to_string(man.join("clinic-db-backup.1")).expect("a page per command");
    assert!(backup.contains("pg_dump"), "{backup}");

    let dir = generate(home.path(), "completions");
    for file in ["clinic.bash", "_clinic", "clinic.fish"] {
        let text = std::fs::read_to_string(dir.join(file)).expect(file);
        for word in ["backup", "restore", "staff", "reset-password"] {
            assert!(text.contains(word), "{file} completes {word}");
        }
    }
}

/// `clinic ARGS -U login` with the login's password, against the test database.
fn run_as(home: &Path, db: &TestDb, who: &Login, args: &[&str]) -> Output {
    let server = db.server_config();
    let config = home.join("clinic.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nhost = \"{}\"\nport = {}\ndbname = \"{}\"\nsslmode = \"disable\"\n",
            server.host, server.port, server.dbname
        ),
    )
    .expect("config");
    clinic(home)
        .arg("--config")
        .arg(&config)
        .args(args)
        .args(["-U", &who.user])
        .env("PGPASSWORD", &who.password)
        .output()
        .expect("run clinic")
}

#[tokio::test]
async fn a_database_newer_than_this_clinic_is_refused_with_words() {
    let db = TestDb::new().await;
    let ada = db.staff("ada", Job::Admin).await;
    let adam = db.staff("adam", Job::Accountant).await;
    let home = tempfile::tempdir().expect("home");
    // The schema fits: sign-in and the command line work.
    assert!(
        clinic::db::login(&db.server_config(), &ada.user, &ada.password)
            .await
            .is_ok()
    );
    assert!(run_as(home.path(), &db, &ada, &["staff", "list"])
        .status
        .success());

    // A newer clinic migrated the database.
    let su = db.superuser().await;
    su.execute(
        "INSERT INTO clinic_meta.migrations (name, checksum) VALUES ('9999_from_the_future.sql', 'x')",
        &[],
    )
    .await
    .expect("a newer migration");
    for who in [&ada, &adam] {
        let e = clinic::db::login(&db.server_config(), &who.user, &who.password)
            .await
            .expect_err("refused at sign-in");
        assert_eq!(e, LoginError::UpgradeClinic("9999_from_the_future".into()));
        assert!(e.to_string().starts_with("Upgrade clinic"), "{e}");
    }
    let refused = |out: Output| {
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            err.contains("upgrade clinic") && err.contains("9999_from_the_future"),
            "{err}"
        );
    };
    refused(run_as(home.path(), &db, &ada, &["staff", "list"]));
    refused(run_as(home.path(), &db, &ada, &["audit", "verify"]));
    refused(run_as(home.path(), &db, &adam, &["billing", "aging"]));

    // And a database this clinic has not migrated yet: the words say to migrate it.
    su.batch_execute(&format!(
        "DELETE FROM clinic_meta.migrations WHERE name IN ('9999_from_the_future.sql', '{}.sql')",
        last_migration()
    ))
    .await
    .expect("one migration less");
    let e = clinic::db::login(&db.server_config(), &ada.user, &ada.password)
        .await
        .expect_err("refused");
    assert_eq!(e, LoginError::DatabaseBehind(last_migration().into()));
    let out = run_as(home.path(), &db, &ada, &["staff", "list"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("clinic db migrate"));
}
