//! `clinic demo`'s preparation, end to end on a private cluster of its own: created, migrated,
//! seeded with a realistic clinic, every demo login working, and reused on the next run.

use std::path::PathBuf;

use clinic::config::Config;
use clinic::db;
use clinic::demo::{self, DEMO_PASSWORD, DEMO_STAFF};

/// Stops and removes the test's demo cluster however the test ends.
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = demo::reset(&self.0);
    }
}

#[tokio::test]
async fn the_demo_is_created_seeded_and_reused() {
    let root = PathBuf::from(format!("/tmp/clinic-demo-test-{}", std::process::id()));
    let _cleanup = Cleanup(root.clone());
    let config = Config::default();
    let mut steps = Vec::new();
    let server = demo::prepare(&root, &config, &mut |s: &str| steps.push(s.to_string()))
        .await
        .expect("demo prepares");
    assert!(
        steps.iter().any(|s| s.contains("Seeding")),
        "progress shown: {steps:?}"
    );

    // Every demo login signs in over the unix socket, as the app does, with its job.
    let server_cfg = server.server_config();
    for (login, name, job) in DEMO_STAFF {
        let session = db::login(&server_cfg, login, DEMO_PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("{login} signs in: {e}"));
        assert_eq!(session.me.job, *job, "{login}");
        assert_eq!(&session.me.full_name, name);
    }
    let wrong = db::login(&server_cfg, "rita", "not-demo")
        .await
        .expect_err("wrong password");
    assert_eq!(wrong, clinic::domain::staff::LoginError::BadCredentials);

    // A realistic small clinic, seen through the receptionist's own login.
    let rita = db::login(&server_cfg, "rita", DEMO_PASSWORD)
        .await
        .expect("rita");
    let c = rita.pool.get().await.expect("connection");
    let count = |sql: &'static str| {
        let c = &c;
        async move { c.query_one(sql, &[]).await.expect(sql).get::<_, i64>(0) }
    };
    assert!(count("SELECT count(*) FROM clinic.patients").await >= 2000);
    assert_eq!(
        count("SELECT count(*) FROM clinic.staff WHERE job = 'doctor'").await,
        3
    );
    let john = c
        .query_one(
            "SELECT sex, date_of_birth::text, phone, email, address_line1 FROM clinic.patients
              WHERE family_name = 'Doe' AND given_names = 'John' AND date_of_birth = '1985-06-15'",
            &[],
        )
        .await
        .expect("the seed's John Doe");
    assert_eq!(john.get::<_, String>(0), "male");
    assert_eq!(john.get::<_, String>(2), "1234567890");
    assert_eq!(john.get::<_, String>(3), "john.doe@example.com");
    assert_eq!(john.get::<_, String>(4), "123 Main St");
    let statuses: Vec<String> = c
        .query(
            "SELECT DISTINCT status FROM clinic.appointments ORDER BY 1",
            &[],
        )
        .await
        .expect("statuses")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        statuses,
        [
            "cancelled",
            "checked_in",
            "completed",
            "in_progress",
            "no_show",
            "scheduled"
        ],
        "every status appears"
    );
    let span = c
        .query_one(
            "SELECT min(starts_at) < now() - interval '40 days', max(starts_at) > now() + interval '40 days'
               FROM clinic.appointments",
            &[],
        )
        .await
        .expect("span");
    assert!(
        span.get::<_, bool>(0) && span.get::<_, bool>(1),
        "past and future appointments"
    );
    assert!(count("SELECT count(*) FROM clinic.invoices").await > 100);
    // Every appointment falls inside its doctor's working hours (the default config's clinic
    // keeps UTC): none on a Sunday morning, none before the doors open.
    assert_eq!(
        count(
            "SELECT count(*) FROM clinic.appointments a
              WHERE NOT EXISTS (
                SELECT FROM clinic.working_hours w
                 WHERE w.doctor_id = a.doctor_id
                   AND w.weekday = extract(isodow FROM a.starts_at AT TIME ZONE 'UTC')
                   AND (a.starts_at AT TIME ZONE 'UTC')::time >= w.starts
                   AND (a.ends_at AT TIME ZONE 'UTC')::time <= w.ends)"
        )
        .await,
        0,
        "appointments outside working hours"
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM clinic.appointments a JOIN clinic.patients p ON p.id = a.patient_id
              WHERE p.patient_number = 10001"
        )
        .await,
        2,
        "John Doe's last visit and his next one"
    );
    drop(c);

    // Records exist, and only a doctor with a care relationship reads them.
    let admin = server.cluster.superuser_config(demo::DEMO_DB);
    let (su, conn) = admin
        .connect(tokio_postgres::NoTls)
        .await
        .expect("superuser");
    tokio::spawn(conn);
    let records: i64 = su
        .query_one("SELECT count(*) FROM clinic.medical_records", &[])
        .await
        .expect("records")
        .get(0);
    assert!(records > 100, "{records} records");
    let chain_ok: Option<i64> = su
        .query_one("SELECT clinic.audit_verify()", &[])
        .await
        .expect("verify")
        .get(0);
    assert_eq!(chain_ok, None, "the seeded audit chain is whole");

    // The next run reuses the cluster and does not seed again.
    server.stop().expect("stop");
    let mut steps = Vec::new();
    let again = demo::prepare(&root, &config, &mut |s: &str| steps.push(s.to_string()))
        .await
        .expect("second run");
    assert!(
        !steps
            .iter()
            .any(|s| s.contains("Seeding") || s.contains("Creating")),
        "{steps:?}"
    );
    let patients_again = db::login(&again.server_config(), "rita", DEMO_PASSWORD)
        .await
        .expect("rita again")
        .pool
        .get()
        .await
        .expect("conn")
        .query_one("SELECT count(*) FROM clinic.patients", &[])
        .await
        .expect("count")
        .get::<_, i64>(0);
    assert!(patients_again >= 2000);
    again.stop().expect("stop");
}
