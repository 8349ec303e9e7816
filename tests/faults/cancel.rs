//! A statement the server stops: the receptionist's login runs with a 1 s statement_timeout, and
//! another session holds the patients table, so the save's duplicate check waits on it and is
//! cancelled by the server (SQLSTATE 57014). The form says so in words on its message line,
//! keeps every field, the connection stays up, and the same key saves once the table is free.

use clinic::domain::staff::Job;

use crate::common::*;
use crate::db::TestDb;
use crate::pty::{config_for, quit, spawn_on};

#[tokio::test(flavor = "multi_thread")]
async fn a_statement_the_server_cancels_is_said_in_words_and_loses_nothing() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let su = db.superuser().await;
    su.batch_execute(&format!(
        "ALTER ROLE {} SET statement_timeout = '1s'",
        rita.user
    ))
    .await
    .expect("a short statement_timeout");
    let (_home, config) = config_for(&db.server_config());
    let rt = tokio::runtime::Handle::current();
    let holder = db.superuser().await;

    tokio::task::spawn_blocking(move || {
        let mut desk = spawn_on(&config);
        desk.sign_in(&rita.user, &rita.password, "(reception)");
        desk.wait_until("live", live);
        desk.send(ESC);
        desk.wait_for("n new patient");
        desk.send("n");
        desk.wait_for("Family name");
        for text in ["Mensah", "\t", "Kofi", "\t", "\t", "03/04/1975", "\t", "m"] {
            desk.send(text);
        }
        rt.block_on(async {
            holder
                .batch_execute("BEGIN; LOCK TABLE clinic.patients IN ACCESS EXCLUSIVE MODE")
                .await
                .expect("the table held");
        });
        desk.send(CTRL_S);
        let said = prose(&wait_said(&desk, "stopped this request"));
        assert!(
            said.contains("Not saved: the duplicate check failed (The database stopped this request before it finished (it took too long, or an administrator cancelled it)"),
            "{said}"
        );
        let screen = desk.screen();
        for typed in ["Mensah", "Kofi", "03/04/1975", "[m "] {
            assert!(screen.contains(typed), "{typed:?} kept:\n{screen}");
        }
        assert!(live(&screen), "a cancelled statement is no lost connection:\n{screen}");

        rt.block_on(async {
            holder.batch_execute("COMMIT").await.expect("the table free");
        });
        desk.send(CTRL_S);
        wait_said(&desk, "Registered MENSAH, Kofi");
        quit(&mut desk);
    })
    .await
    .expect("the session");
    let n: i64 = su
        .query_one(
            "SELECT count(*) FROM clinic.patients WHERE family_name = 'Mensah'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(n, 1);
}
