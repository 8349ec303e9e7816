//! The staff lifecycle in the database (sql/0023), by real logins: an admin deactivates a person
//! (their open session ends and psql refuses their login), reactivates them, moves them to another
//! job (the group and the staff row together), resets a password (the old one stops working, a
//! new one is asked for at sign-in); nobody else may, reserved names are refused, and the clinic
//! is never left without an active admin.

mod support;

use clinic::db::staff::scram_verifier;
use clinic::domain::staff::Job;
use support::{sqlstate, TestDb};
use tokio_postgres::NoTls;

async fn can_sign_in(db: &TestDb, login: &support::Login, password: &str) -> bool {
    let mut cfg = db.config_for(login);
    cfg.password(password);
    cfg.connect(NoTls).await.is_ok()
}

#[tokio::test]
async fn a_deactivated_person_is_locked_out_of_postgresql_itself() {
    let db = TestDb::new().await;
    let ada = db.staff("ada", Job::Admin).await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let admin = db.connect(&ada).await;
    let open = db.connect(&rita).await;
    open.query_one("SELECT 1", &[]).await.expect("rita reads");
    let rita_id = rita.staff_id.expect("id");

    // Only an admin deactivates.
    let e = open
        .execute("SELECT clinic.deactivate_staff($1)", &[&rita_id])
        .await
        .expect_err("the desk deactivates nobody");
    assert_eq!(sqlstate(&e), "42501");

    let ended: i32 = admin
        .query_one("SELECT clinic.deactivate_staff($1)", &[&rita_id])
        .await
        .expect("deactivated")
        .get(0);
    assert_eq!(ended, 1, "rita's open session");
    assert!(
        open.query_one("SELECT 1", &[]).await.is_err(),
        "her open session is ended"
    );
    assert!(
        !can_sign_in(&db, &rita, &rita.password).await,
        "psql refuses her login"
    );
    let su = db.superuser().await;
    let (active, can_login): (bool, bool) = su
        .query_one(
            "SELECT s.active, r.rolcanlogin FROM clinic.staff s JOIN pg_roles r ON r.rolname = s.login
              WHERE s.id = $1",
            &[&rita_id],
        )
        .await
        .map(|r| (r.get(0), r.get(1)))
        .expect("rita");
    assert_eq!((active, can_login), (false, false));
    let audited: i64 = su
        .query_one(
            "SELECT count(*) FROM clinic.audit_log WHERE action = 'deactivate_staff' AND row_id = $1",
            &[&rita_id],
        )
        .await
        .expect("audit")
        .get(0);
    assert_eq!(audited, 1);

    admin
        .execute("SELECT clinic.reactivate_staff($1)", &[&rita_id])
        .await
        .expect("reactivated");
    assert!(can_sign_in(&db, &rita, &rita.password).await);
}

/// A session that connects while the deactivation is still uncommitted gets in (the login is
/// still LOGIN to everyone else until then); the second step, after the commit, ends it, and
/// refuses to end the sessions of anyone still active.
#[tokio::test]
async fn a_session_that_slipped_in_before_the_commit_is_ended_after_it() {
    let db = TestDb::new().await;
    let ada = db.staff("ada", Job::Admin).await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let tom = db.staff("tom", Job::Receptionist).await;
    let rita_id = rita.staff_id.expect("id");
    let mut admin = db.connect(&ada).await;

    let e = admin
        .execute("SELECT clinic.end_inactive_sessions($1)", &[&tom.staff_id])
        .await
        .expect_err("tom is active");
    assert_eq!(sqlstate(&e), "23514");
    let desk = db.connect(&tom).await;
    let e = desk
        .execute("SELECT clinic.end_inactive_sessions($1)", &[&rita_id])
        .await
        .expect_err("the desk ends nobody's sessions");
    assert_eq!(sqlstate(&e), "42501");

    let step = admin.transaction().await.expect("a transaction");
    step.query_one("SELECT clinic.deactivate_staff($1)", &[&rita_id])
        .await
        .expect("deactivated, not yet committed");
    let slipped_in = db.connect(&rita).await;
    step.commit().await.expect("committed");
    slipped_in
        .query_one("SELECT 1", &[])
        .await
        .expect("the session that slipped in is still there");

    let ended: i32 = admin
        .query_one("SELECT clinic.end_inactive_sessions($1)", &[&rita_id])
        .await
        .expect("ended")
        .get(0);
    assert_eq!(ended, 1);
    assert!(slipped_in.query_one("SELECT 1", &[]).await.is_err());
    assert!(!can_sign_in(&db, &rita, &rita.password).await);
}

#[tokio::test]
async fn the_clinic_keeps_an_active_admin_and_nobody_acts_on_themselves() {
    let db = TestDb::new().await;
    let ada = db.staff("ada", Job::Admin).await;
    let admin = db.connect(&ada).await;
    let ada_id = ada.staff_id.expect("id");
    for sql in [
        "SELECT clinic.deactivate_staff($1)",
        "SELECT clinic.set_staff_job($1, 'doctor')",
    ] {
        let e = admin
            .execute(sql, &[&ada_id])
            .await
            .expect_err("not on oneself");
        assert_eq!(sqlstate(&e), "42501", "{sql}: {e}");
    }
    // With a second admin, the first may be moved or deactivated by the second, not the last.
    let bob = db.staff("bob", Job::Admin).await;
    let second = db.connect(&bob).await;
    second
        .execute("SELECT clinic.set_staff_job($1, 'doctor')", &[&ada_id])
        .await
        .expect("ada to the doctors");
    let e = admin
        .execute(
            "SELECT clinic.deactivate_staff($1)",
            &[&bob.staff_id.expect("id")],
        )
        .await
        .expect_err("ada is no admin now");
    assert_eq!(sqlstate(&e), "42501");
    let su = db.superuser().await;
    let e = su
        .execute(
            "SELECT clinic.deactivate_staff($1)",
            &[&bob.staff_id.expect("id")],
        )
        .await
        .expect_err("the superuser is no clinic admin either");
    assert_eq!(sqlstate(&e), "42501");
    let is_doctor: bool = su
        .query_one(
            "SELECT pg_has_role($1, 'clinic_doctor', 'MEMBER') AND NOT pg_has_role($1, 'clinic_admin', 'MEMBER')",
            &[&ada.user],
        )
        .await
        .expect("roles")
        .get(0);
    assert!(is_doctor, "the group moved with the staff row");
    let job: String = su
        .query_one("SELECT job FROM clinic.staff WHERE id = $1", &[&ada_id])
        .await
        .expect("row")
        .get(0);
    assert_eq!(job, "doctor");
    // Bob is now the last admin: another admin could not deactivate him, and he not himself.
    let e = second
        .execute(
            "SELECT clinic.set_staff_job($1, 'admin')",
            &[&bob.staff_id.expect("id")],
        )
        .await
        .expect_err("not one's own job");
    assert_eq!(sqlstate(&e), "42501");
}

#[tokio::test]
async fn a_reset_password_replaces_the_old_and_is_asked_for_again() {
    let db = TestDb::new().await;
    let ada = db.staff("ada", Job::Admin).await;
    let greg = db.staff("greg", Job::Doctor).await;
    let admin = db.connect(&ada).await;
    let greg_id = greg.staff_id.expect("id");
    admin
        .execute(
            "SELECT clinic.reset_staff_password($1, $2)",
            &[&greg_id, &scram_verifier("temporary-9f2")],
        )
        .await
        .expect("reset");
    assert!(!can_sign_in(&db, &greg, &greg.password).await, "old one");
    assert!(can_sign_in(&db, &greg, "temporary-9f2").await, "new one");
    let su = db.superuser().await;
    let must: bool = su
        .query_one(
            "SELECT must_change_password FROM clinic.staff WHERE id = $1",
            &[&greg_id],
        )
        .await
        .expect("row")
        .get(0);
    assert!(must, "asked for a new one at the next sign-in");
    // Greg chooses his own: the flag goes.
    let mut cfg = db.config_for(&greg);
    cfg.password("temporary-9f2");
    let (g, conn) = cfg.connect(NoTls).await.expect("greg");
    tokio::spawn(conn);
    g.execute(
        "SELECT clinic.change_own_password($1)",
        &[&scram_verifier("his-own-long-one")],
    )
    .await
    .expect("his own");
    assert!(can_sign_in(&db, &greg, "his-own-long-one").await);
    let must: bool = su
        .query_one(
            "SELECT must_change_password FROM clinic.staff WHERE id = $1",
            &[&greg_id],
        )
        .await
        .expect("row")
        .get(0);
    assert!(!must);
    // A plain password is never accepted where a verifier belongs.
    let e = admin
        .execute(
            "SELECT clinic.reset_staff_password($1, 'hunter2')",
            &[&greg_id],
        )
        .await
        .expect_err("not a verifier");
    assert_eq!(sqlstate(&e), "22023");
}

#[tokio::test]
async fn reserved_names_and_other_roles_are_left_alone() {
    let db = TestDb::new().await;
    let ada = db.staff("ada", Job::Admin).await;
    let admin = db.connect(&ada).await;
    for login in [
        "postgres",
        "pg_monitor",
        "clinic_admin",
        "public",
        "pgbouncer",
    ] {
        let e = admin
            .execute(
                "SELECT clinic.add_staff($1, $2, 'Someone', 'doctor')",
                &[&login, &scram_verifier("long enough pw")],
            )
            .await
            .expect_err(login);
        assert_eq!(sqlstate(&e), "22023", "{login}: {e}");
    }
    // A staff row whose login is not a clinic login (made by hand) is not touched.
    let bare = db.login_without_job("bare").await;
    let su = db.superuser().await;
    let id: i64 = su
        .query_one(
            "INSERT INTO clinic.staff (login, full_name, job) VALUES ($1, 'Bare', 'doctor') RETURNING id",
            &[&bare.user],
        )
        .await
        .expect("a hand-made row")
        .get(0);
    let e = admin
        .execute("SELECT clinic.deactivate_staff($1)", &[&id])
        .await
        .expect_err("not a clinic login");
    assert_eq!(sqlstate(&e), "42501", "{e}");
    let can_login: bool = su
        .query_one(
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = $1",
            &[&bare.user],
        )
        .await
        .expect("the role")
        .get(0);
    assert!(can_login, "its login is as it was");
}

/// `clinic staff list|set-job|deactivate|reactivate` for scripts: the same steps as the admin's
/// own login, the same refusals for anyone else.
#[tokio::test]
async fn the_command_line_does_the_same_for_scripts() {
    let db = TestDb::new().await;
    let ada = db.staff("ada", Job::Admin).await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let server = db.server_config();
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join("clinic.toml");
    std::fs::write(
        &config,
        format!(
            "[clinic]\nname = \"Test\"\n\n[server]\nhost = \"{}\"\nport = {}\ndbname = \"{}\"\nsslmode = \"disable\"\n",
            server.host, server.port, server.dbname
        ),
    )
    .expect("config");
    let run = |who: &support::Login, args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_clinic"))
            .arg("--config")
            .arg(&config)
            .arg("staff")
            .args(args)
            .args(["-U", &who.user])
            .env("PGPASSWORD", &who.password)
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run clinic");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, listed, err) = run(&ada, &["list"]);
    assert!(ok, "{err}");
    assert!(
        listed.contains(&rita.user) && listed.contains("receptionist"),
        "{listed}"
    );
    let (ok, _, err) = run(&rita, &["deactivate", &ada.user]);
    assert!(!ok, "the desk deactivates nobody");
    assert!(err.contains("not allowed"), "{err}");
    let (ok, said, err) = run(&ada, &["deactivate", &rita.user]);
    assert!(ok, "{err}");
    assert!(said.contains("deactivated"), "{said}");
    assert!(!can_sign_in(&db, &rita, &rita.password).await);
    let (ok, _, err) = run(&ada, &["reactivate", &rita.user]);
    assert!(ok, "{err}");
    let (ok, said, err) = run(&ada, &["set-job", &rita.user, "accountant"]);
    assert!(ok, "{err}");
    assert!(said.contains("accountant"), "{said}");
    let (_, listed, _) = run(&ada, &["list"]);
    let line = listed
        .lines()
        .find(|l| l.starts_with(&rita.user))
        .expect("rita's line");
    assert!(
        line.contains("accountant") && line.contains("yes"),
        "{line}"
    );
    let (ok, _, err) = run(&ada, &["set-job", "nobody_here", "doctor"]);
    assert!(!ok && err.contains("no staff member"), "{err}");
}

/// An admin cannot gain a role unseen: nobody changes their own job, a second admin's change of it
/// is in the audit trail (who, whom, from and to), and a deactivated admin cannot reactivate
/// themselves, not even from a session that outlived the deactivation.
#[tokio::test]
async fn no_admin_gains_a_role_unseen_or_comes_back_by_themselves() {
    let db = TestDb::new().await;
    let ada = db.staff("ada", Job::Admin).await;
    let bob = db.staff("bob", Job::Admin).await;
    let su = db.superuser().await;
    let (ada_id, bob_id) = (ada.staff_id.expect("id"), bob.staff_id.expect("id"));
    let second = db.connect(&bob).await;
    second
        .execute("SELECT clinic.set_staff_job($1, 'doctor')", &[&ada_id])
        .await
        .expect("bob makes ada a doctor");
    let entry = su
        .query_one(
            "SELECT actor_login, detail FROM clinic.audit_log
              WHERE action = 'set_staff_job' AND row_id = $1",
            &[&ada_id],
        )
        .await
        .expect("the step is in the audit log");
    let (actor, detail): (String, serde_json::Value) = (entry.get(0), entry.get(1));
    assert_eq!(actor, bob.user);
    assert_eq!(detail["to"], "doctor", "{detail}");
    assert_eq!(detail["from"], "admin", "{detail}");

    // Ada (a doctor now) cannot put herself back among the admins, and a session of bob's that
    // outlived his deactivation cannot reactivate him.
    let ada_session = db.connect(&ada).await;
    let e = ada_session
        .execute("SELECT clinic.set_staff_job($1, 'admin')", &[&ada_id])
        .await
        .expect_err("a doctor runs no admin step");
    assert_eq!(sqlstate(&e), "42501");
    su.execute(
        "UPDATE clinic.staff SET active = false WHERE id = $1",
        &[&bob_id],
    )
    .await
    .expect("bob's row deactivated under his open session");
    let e = second
        .execute("SELECT clinic.reactivate_staff($1)", &[&bob_id])
        .await
        .expect_err("not by himself");
    assert_eq!(sqlstate(&e), "42501");
}
