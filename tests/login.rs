//! Signing in as a PostgreSQL login: the right password, a wrong one, an unknown user, a login with no
//! job here, a server that is down. Each ends in a session or a sentence, never a crash.

mod support;

use clinic::config::ServerConfig;
use clinic::db;
use clinic::domain::staff::Job;
use clinic::domain::staff::LoginError;
use support::TestDb;

#[tokio::test]
async fn the_right_password_signs_in_with_the_job_from_the_database() {
    let db = TestDb::new().await;
    for (short, job) in [
        ("ada", Job::Admin),
        ("alice", Job::Doctor),
        ("rita", Job::Receptionist),
        ("adam", Job::Accountant),
    ] {
        let login = db.staff(short, job).await;
        let session = db::login(&db.server_config(), &login.user, &login.password)
            .await
            .unwrap_or_else(|e| panic!("{short} signs in: {e}"));
        assert_eq!(session.me.job, job);
        assert_eq!(session.me.login, login.user);
        assert_eq!(Some(session.me.staff_id), login.staff_id);
        // The pool really is theirs: the server sees their login.
        let c = session.pool.get().await.expect("connection");
        let who: String = c
            .query_one("SELECT session_user::text", &[])
            .await
            .expect("q")
            .get(0);
        assert_eq!(who, login.user);
    }
}

#[tokio::test]
async fn a_wrong_password_or_unknown_user_is_the_same_plain_message() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let wrong = db::login(&db.server_config(), &rita.user, "not-it")
        .await
        .expect_err("wrong password");
    assert_eq!(wrong, LoginError::BadCredentials);
    let unknown = db::login(&db.server_config(), "nobody_here", "whatever")
        .await
        .expect_err("unknown user");
    assert_eq!(
        unknown,
        LoginError::BadCredentials,
        "no hint that the user does not exist"
    );
    assert_eq!(unknown.to_string(), "Wrong username or password.");
    let empty = db::login(&db.server_config(), &rita.user, "")
        .await
        .expect_err("empty password");
    assert_eq!(empty, LoginError::BadCredentials);
}

#[tokio::test]
async fn a_login_with_no_job_here_is_told_so() {
    let db = TestDb::new().await;
    let stray = db.login_without_job("stray").await;
    let err = db::login(&db.server_config(), &stray.user, &stray.password)
        .await
        .expect_err("no job");
    assert_eq!(err, LoginError::NoJob);

    // A staff row whose job disagrees with the login's group gives no job either.
    let rita = db.staff("rita", Job::Receptionist).await;
    db.superuser()
        .await
        .execute(
            "UPDATE clinic.staff SET job = 'admin' WHERE login = $1",
            &[&rita.user],
        )
        .await
        .expect("tamper");
    let err = db::login(&db.server_config(), &rita.user, &rita.password)
        .await
        .expect_err("mismatch");
    assert_eq!(err, LoginError::NoJob);

    // A deactivated member of staff can no longer use the app.
    let greg = db.staff("greg", Job::Doctor).await;
    db.superuser()
        .await
        .execute(
            "UPDATE clinic.staff SET active = false WHERE login = $1",
            &[&greg.user],
        )
        .await
        .expect("deactivate");
    let err = db::login(&db.server_config(), &greg.user, &greg.password)
        .await
        .expect_err("inactive");
    assert_eq!(err, LoginError::NoJob);
}

#[tokio::test]
async fn a_server_that_is_down_is_named() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let server = ServerConfig {
        host: "127.0.0.1".into(),
        port: free,
        dbname: "clinic".into(),
        connect_timeout_secs: 2,
        ..ServerConfig::default()
    };
    let err = db::login(&server, "rita", "demo")
        .await
        .expect_err("nothing listens");
    assert_eq!(err, LoginError::Unreachable(format!("127.0.0.1:{free}")));
    assert!(
        err.to_string().contains("Cannot reach the database server"),
        "{err}"
    );
}

#[tokio::test]
async fn several_hosts_are_tried_in_order_and_a_read_only_one_is_passed_over() {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    // The cluster listens on 127.0.0.1 only: the first host refuses, the second signs in, as
    // when the old primary of an HA pair is down.
    let mut server = db.server_config();
    server.host = "127.0.0.2, 127.0.0.1".into();
    let session = db::login(&server, &rita.user, &rita.password)
        .await
        .expect("the second host signs in");
    assert_eq!(session.me.login, rita.user);

    // A server that takes no writes (as a standby) is not kept under read-write, the default...
    db.superuser()
        .await
        .batch_execute(&format!(
            "ALTER ROLE {} SET default_transaction_read_only = on",
            rita.user
        ))
        .await
        .expect("read-only for rita");
    let err = db::login(&server, &rita.user, &rita.password)
        .await
        .expect_err("no writable host");
    assert!(
        matches!(&err, LoginError::Other(m) if m.contains("read-only")),
        "{err:?}"
    );
    // ...and is, under any.
    server.target_session_attrs = clinic::config::TargetSessionAttrs::Any;
    db::login(&server, &rita.user, &rita.password)
        .await
        .expect("any host will do");
}
