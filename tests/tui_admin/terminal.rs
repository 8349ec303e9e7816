//! End to end, the real binary in a pseudo-terminal against the throwaway cluster: an admin resets
//! a receptionist's password on screen; at her next sign-in she must choose her own, which is
//! what PostgreSQL then accepts (the one the admin typed no longer is); deactivating her ends her
//! open session and refuses her login, in the app and in psql alike.

use clinic::domain::staff::Job;

use crate::db::TestDb;
use crate::pty::{config_for, quit, spawn_on};

const DOWN: &str = "\x1b[B";

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_password_is_replaced_at_sign_in_and_deactivation_locks_the_person_out() {
    let db = TestDb::new().await;
    let admin = db.staff("ad", Job::Admin).await;
    let rita = db.staff("ri", Job::Receptionist).await;
    let (_home, config) = config_for(&db.server_config());
    let (admin_user, admin_password) = (admin.user.clone(), admin.password.clone());
    let rita_user = rita.user.clone();
    let admin_config = config.clone();
    let mut admin_term = tokio::task::spawn_blocking(move || {
        let mut term = spawn_on(&admin_config);
        term.sign_in(&admin_user, &admin_password, "(admin)");
        term.wait_for(&rita_user);
        term.send(DOWN);
        term.send("r");
        term.wait_for("A new password for");
        term.send("temporary pw 1\ttemporary pw 1\r");
        term.wait_for("password is reset");
        term
    })
    .await
    .expect("the admin's terminal");

    let su = db.superuser().await;
    let must: bool = su
        .query_one(
            "SELECT must_change_password FROM clinic.staff WHERE login = $1",
            &[&rita.user],
        )
        .await
        .expect("staff row")
        .get(0);
    assert!(must, "the reset marks her to choose her own");

    let rita_user = rita.user.clone();
    let rita_config = config.clone();
    let rita_term = tokio::task::spawn_blocking(move || {
        let mut term = spawn_on(&rita_config);
        term.sign_in(&rita_user, "temporary pw 1", "(reception)");
        term.wait_for("Your password was reset");
        term.send("my own words 9\tmy own words 9\r");
        term.wait_for("Your new password is set");
        term
    })
    .await
    .expect("rita's terminal");

    let with = |password: &str| {
        let mut cfg = db.config_for(&rita);
        cfg.password(password);
        cfg
    };
    let (new_ok, old_refused) = (
        with("my own words 9")
            .connect(tokio_postgres::NoTls)
            .await
            .is_ok(),
        with("temporary pw 1")
            .connect(tokio_postgres::NoTls)
            .await
            .is_err(),
    );
    assert!(new_ok, "her own password signs her in");
    assert!(old_refused, "the admin's temporary one no longer does");
    let must: bool = su
        .query_one(
            "SELECT must_change_password FROM clinic.staff WHERE login = $1",
            &[&rita.user],
        )
        .await
        .expect("staff row")
        .get(0);
    assert!(!must);

    admin_term = tokio::task::spawn_blocking(move || {
        admin_term.send("d");
        admin_term.wait_for("Deactivate");
        admin_term.send("y");
        admin_term.wait_for("is deactivated");
        admin_term
    })
    .await
    .expect("deactivated");
    // pg_terminate_backend signals the session; it leaves pg_stat_activity as it exits, which on
    // a busy machine takes a moment: wait for it, up to five seconds.
    let mut sessions: i64 = -1;
    for _ in 0..50 {
        sessions = su
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = $1",
                &[&rita.user],
            )
            .await
            .expect("sessions")
            .get(0);
        if sessions == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let left: Vec<String> = su
        .query(
            "SELECT format('%s %s %s %s', pid, state, backend_start, application_name)
               FROM pg_stat_activity WHERE usename = $1",
            &[&rita.user],
        )
        .await
        .expect("sessions")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(sessions, 0, "her open sessions were ended: {left:?}");
    let refused = with("my own words 9")
        .connect(tokio_postgres::NoTls)
        .await
        .err()
        .and_then(|e| e.code().cloned());
    assert_eq!(
        refused.as_ref().map(|c| c.code()),
        Some("28000"),
        "NOLOGIN: refused as psql would be"
    );
    tokio::task::spawn_blocking(move || {
        let (mut a, mut r) = (admin_term, rita_term);
        quit(&mut a);
        quit(&mut r);
    })
    .await
    .expect("both quit");
}
