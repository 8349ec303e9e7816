//! The app through a real PgBouncer in session mode (docs/deploy.md): signing in with the app's
//! own pool, a patient lookup, a booking, and the live-update listener hearing another desk's
//! booking, each desk still itself (`session_user`) on the server.
//!
//! `./dev test` installs pgbouncer with PostgreSQL's packages. Where it is missing the test says
//! so and passes, except under CI (`CI` set), where it fails: there it must run.

#[path = "support/pgbouncer.rs"]
mod pgbouncer;
mod support;

use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::Europe::London;
use clinic::db::{self, appointments, listen, patients};
use clinic::domain::appointment::NewAppointment;
use clinic::domain::live::LiveEvent;
use clinic::domain::patient::{PatientDraft, SearchQuery};
use clinic::domain::staff::Job;
use pgbouncer::Bouncer;
use support::TestDb;
use tokio::sync::mpsc;

/// Wait for `want`, skipping other events, for at most `within`.
async fn heard(
    rx: &mut mpsc::UnboundedReceiver<LiveEvent>,
    want: LiveEvent,
    within: StdDuration,
) -> bool {
    let deadline = Instant::now() + within;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(e)) if e == want => return true,
            Ok(Some(_)) => {}
            _ => return false,
        }
    }
    false
}

#[tokio::test]
async fn sign_in_lookup_booking_and_live_updates_work_through_pgbouncer_in_session_mode() {
    let Some(bin) = pgbouncer::binary() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "pgbouncer is missing under CI: ./dev test installs it (apt-get install pgbouncer)"
        );
        eprintln!(
            "SKIPPED: pgbouncer is not installed; `./dev test` installs it \
             (or apt-get install pgbouncer)"
        );
        return;
    };
    let db = TestDb::new().await;
    db.superuser()
        .await
        .execute(
            "UPDATE clinic.settings SET time_zone = 'Europe/London'",
            &[],
        )
        .await
        .expect("the clinic's zone");
    let rita = db.staff("rita", Job::Receptionist).await;
    let lena = db.staff("lena", Job::Receptionist).await;
    let alice = db.staff("alice", Job::Doctor).await;
    let bouncer = Bouncer::start(&bin, &db, &[&rita, &lena, &alice], "session").await;
    let server = bouncer.server_config(&db);

    // Sign in with the app's own code, through PgBouncer: the job comes from the database, and
    // the server sees rita herself (the RLS and audit identity), not a pooler's shared login.
    let session = db::login(&server, &rita.user, &rita.password)
        .await
        .unwrap_or_else(|e| panic!("rita signs in through pgbouncer: {e}\n{}", bouncer.log()));
    assert_eq!(session.me.job, Job::Receptionist);
    let desk = session.pool.get().await.expect("a pooled connection");
    let who: String = desk
        .query_one("SELECT session_user::text", &[])
        .await
        .expect("who")
        .get(0);
    assert_eq!(who, rita.user);
    // A wrong password is refused by PgBouncer as the server would refuse it.
    assert_eq!(
        db::login(&server, &rita.user, "not-her-password")
            .await
            .err(),
        Some(clinic::domain::staff::LoginError::BadCredentials)
    );

    // The live-update listener, as lena's desk runs it, on its own connection through PgBouncer.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let listener = listen::spawn_for_server(
        &server,
        db::pool::pg_config(&server, &lena.user, &lena.password),
        tx,
    )
    .expect("listener");
    assert!(
        heard(&mut rx, LiveEvent::Reconnected, StdDuration::from_secs(10)).await,
        "the listener LISTENs through pgbouncer\n{}",
        bouncer.log()
    );

    // Register and look up a patient as the desk does.
    let draft = PatientDraft {
        family_name: "Doe".into(),
        given_names: "John".into(),
        date_of_birth: "1985-06-15".into(),
        sex: "u".into(),
        phone: "+44 20 7946 0000".into(),
        ..PatientDraft::default()
    }
    .validate(Utc::now().date_naive(), "%d/%m/%Y")
    .expect("valid patient");
    let john = patients::insert(&desk, &draft).await.expect("register");
    let hits = patients::search(&desk, &SearchQuery::parse("doe jo", "%d/%m/%Y"), 20)
        .await
        .expect("lookup");
    assert!(hits.iter().any(|h| h.id == john.id), "John Doe is found");

    // Book him with Dr Alice; the booking's NOTIFY reaches lena's listener through PgBouncer.
    let starts_at = Utc
        .with_ymd_and_hms(2030, 1, 7, 9, 0, 0)
        .single()
        .expect("instant");
    let booked = appointments::book(
        &desk,
        &NewAppointment {
            patient_id: john.id,
            doctor_id: alice.staff_id.expect("alice"),
            starts_at,
            ends_at: starts_at + Duration::minutes(15),
            reason: Some("Check-up".into()),
            squeeze_in: true,
            overlap_ok: true,
        },
        London,
    )
    .await
    .expect("book");
    assert!(
        heard(
            &mut rx,
            LiveEvent::Appointment(booked.id),
            StdDuration::from_secs(5)
        )
        .await,
        "lena's desk hears rita's booking"
    );
    // And a NOTIFY sent by hand from another connection is heard too.
    let other = db.connect(&alice).await;
    other
        .batch_execute(&format!(
            "NOTIFY {}, '{}'",
            listen::CHANNEL,
            booked.id + 1000
        ))
        .await
        .expect("notify");
    assert!(
        heard(
            &mut rx,
            LiveEvent::Appointment(booked.id + 1000),
            StdDuration::from_secs(5)
        )
        .await
    );

    // It really went through PgBouncer, in session mode, one pool per login.
    let console = support::connect_cfg(bouncer.console_config()).await;
    let pools = console
        .simple_query("SHOW POOLS")
        .await
        .expect("SHOW POOLS");
    let ours: Vec<(String, String)> = pools
        .iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) if r.get("database") == Some(&*db.name) => {
                Some((
                    r.get("user").unwrap_or_default().to_string(),
                    r.get("pool_mode").unwrap_or_default().to_string(),
                ))
            }
            _ => None,
        })
        .collect();
    for login in [&rita, &lena] {
        assert!(
            ours.contains(&(login.user.clone(), "session".to_string())),
            "{} has a session-mode pool: {ours:?}",
            login.user
        );
    }
    listener.abort();
}
