//! The desk's and the admin's reports (sql/0030) on a small fixed clinic whose figures are worked
//! out by hand below, read by real logins through `db::reports` (what the screen and `clinic
//! report` read): counts of 1 to 4 come hidden, rates resting on them too, and the jobs without
//! the reports are refused by PostgreSQL.
//!
//! The week of Monday 2025-03-03, in the clinic's time zone:
//! - Dr Alice, Monday, 32 slots from 09:00: 20 done, 5 no-shows, 5 cancelled two hours before
//!   (late), 2 cancelled three days before (in time). No working hours entered.
//! - Dr Bob, Tuesday, 6 slots from 09:00: all done; each checked in 5 minutes early and started
//!   5, 10, ... 30 minutes after its time (waits of 10 to 35 minutes). Works Tuesdays 09:00-12:00,
//!   blocked 11:00-12:00.
//! - Patients: 7 registered on 2025-02-10, 3 on 2025-03-04.

mod support;

use clinic::db::reports::figures;
use clinic::domain::report::{Cell, Figures, Period, ReportKind};
use clinic::domain::staff::Job;
use support::{sqlstate, TestDb};
use tokio_postgres::Client;

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().expect("a date")
}

fn week() -> Period {
    Period::custom(day("2025-03-03"), day("2025-03-09")).expect("a week")
}

/// The row whose label is `label`, as its cells.
fn row<'a>(f: &'a Figures, label: &[&str]) -> &'a [Cell] {
    &f.rows
        .iter()
        .find(|r| r.label == label)
        .unwrap_or_else(|| panic!("no row {label:?} in {:#?}", f.rows))
        .cells
}

async fn fixed_clinic(su: &Client, alice: i64, bob: i64) {
    su.batch_execute(&format!(
        "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, created_at)
         SELECT 'Pat' || i, 'Test', DATE '1980-01-01', 'female',
                ((CASE WHEN i <= 7 THEN DATE '2025-02-10' ELSE DATE '2025-03-04' END) + time '10:00')
                  AT TIME ZONE clinic.clinic_time_zone()
           FROM generate_series(1, 10) i;
         WITH slots AS (
           SELECT i, ((DATE '2025-03-03' + time '09:00') AT TIME ZONE clinic.clinic_time_zone())
                     + (i - 1) * interval '15 minutes' AS t
             FROM generate_series(1, 32) i)
         INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, status, cancel_reason,
                                          status_changed_at)
         SELECT (SELECT min(id) FROM clinic.patients) + (i % 10), {alice}, t, t + interval '15 minutes',
                CASE WHEN i <= 20 THEN 'completed' WHEN i <= 25 THEN 'no_show' ELSE 'cancelled' END,
                CASE WHEN i > 25 THEN 'Called' END,
                CASE WHEN i BETWEEN 26 AND 30 THEN t - interval '2 hours'
                     WHEN i > 30 THEN t - interval '3 days' ELSE t END
           FROM slots;
         WITH slots AS (
           SELECT i, ((DATE '2025-03-04' + time '09:00') AT TIME ZONE clinic.clinic_time_zone())
                     + (i - 1) * interval '15 minutes' AS t
             FROM generate_series(1, 6) i),
         made AS (
           INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, status, status_changed_at)
           SELECT (SELECT min(id) FROM clinic.patients) + i, {bob}, t, t + interval '15 minutes', 'completed', t
             FROM slots
           RETURNING id, starts_at)
         INSERT INTO clinic.appointment_status_history (appointment_id, from_status, to_status, changed_at)
         SELECT m.id, 'scheduled', 'checked_in', m.starts_at - interval '5 minutes' FROM made m
         UNION ALL
         SELECT m.id, 'checked_in', 'in_progress',
                m.starts_at + 5 * (row_number() OVER (ORDER BY m.starts_at)) * interval '1 minute'
           FROM made m;
         INSERT INTO clinic.working_hours (doctor_id, weekday, starts, ends) VALUES ({bob}, 2, '09:00', '12:00');
         INSERT INTO clinic.schedule_exceptions (doctor_id, starts_at, ends_at, kind)
         VALUES ({bob}, (DATE '2025-03-04' + time '11:00') AT TIME ZONE clinic.clinic_time_zone(),
                        (DATE '2025-03-04' + time '12:00') AT TIME ZONE clinic.clinic_time_zone(), 'blocked');"
    ))
    .await
    .expect("the fixed clinic");
}

#[tokio::test]
async fn each_report_gives_the_hand_worked_figures_with_small_counts_hidden() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let alice = db.staff("alice", Job::Doctor).await;
    let bob = db.staff("bob", Job::Doctor).await;
    fixed_clinic(
        &su,
        alice.staff_id.expect("alice"),
        bob.staff_id.expect("bob"),
    )
    .await;
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    let ada = db.connect(&db.staff("ada", Job::Admin).await).await;

    for c in [&rita, &ada] {
        let f = figures(c, ReportKind::Appointments, week())
            .await
            .expect("appointments");
        use Cell::{Count, Small};
        // booked, arrived, with dr, done, no-show, cancelled, total
        let monday = [
            Count(0),
            Count(0),
            Count(0),
            Count(20),
            Count(5),
            Count(7),
            Count(32),
        ];
        assert_eq!(row(&f, &["2025-03-03 Mon", "all doctors"]), monday);
        assert_eq!(row(&f, &["2025-03-03 Mon", "Alice"]), monday);
        assert_eq!(row(&f, &["2025-03-04 Tue", "Bob"])[3], Count(6));
        assert_eq!(row(&f, &["all days", "all doctors"])[6], Count(38));
        // A bar for every day of the week, the days without appointments at 0, so the days
        // run evenly along the chart.
        assert_eq!(
            f.bars.iter().map(|b| b.value).collect::<Vec<_>>(),
            [
                Count(32),
                Count(6),
                Count(0),
                Count(0),
                Count(0),
                Count(0),
                Count(0)
            ]
        );
        assert_eq!(f.bars[6].label, "09");

        let f = figures(c, ReportKind::Attendance, week())
            .await
            .expect("no-shows");
        use Cell::{None as Nothing, Permille};
        // appointments, no-shows, rate, late cancellations, rate: the two cancelled in time are
        // not counted; 5 of 30 is 166.7 per mille.
        assert_eq!(
            row(&f, &["Alice"]),
            [Count(30), Count(5), Permille(167), Count(5), Permille(167)]
        );
        assert_eq!(
            row(&f, &["Bob"]),
            [Count(6), Count(0), Permille(0), Count(0), Permille(0)]
        );
        assert_eq!(row(&f, &["Tue"])[0], Count(6));
        assert_eq!(
            row(&f, &["all"]),
            [Count(36), Count(5), Permille(139), Count(5), Permille(139)]
        );

        let f = figures(c, ReportKind::Waiting, week())
            .await
            .expect("waiting");
        // Waits of 10, 15, ... 35 minutes: the median 22.5 and the 90th percentile 32.5, rounded.
        assert_eq!(
            row(&f, &["2025-03-04 Tue"]),
            [Count(6), Cell::Minutes(23), Cell::Minutes(33)]
        );
        assert_eq!(row(&f, &["all days"])[0], Count(6));

        let f = figures(c, ReportKind::Utilisation, week())
            .await
            .expect("utilisation");
        // Bob: 90 minutes booked of 120 worked (180 less the blocked hour); Alice has no hours.
        assert_eq!(
            row(&f, &["2025-03-03", "Bob"]),
            [Count(2), Count(2), Permille(750)]
        );
        assert_eq!(row(&f, &["period", "Alice"])[2], Nothing);

        let f = figures(
            c,
            ReportKind::NewPatients,
            Period::custom(day("2025-02-01"), day("2025-03-31")).expect("two months"),
        )
        .await
        .expect("new patients");
        assert_eq!(row(&f, &["2025-02"]), [Count(7)]);
        assert_eq!(row(&f, &["2025-03"]), [Small]);
        assert_eq!(row(&f, &["all"]), [Count(10)]);
    }
}

#[tokio::test]
async fn jobs_without_the_reports_are_refused_by_the_database() {
    let db = TestDb::new().await;
    let adam = db.connect(&db.staff("adam", Job::Accountant).await).await;
    let greg = db.connect(&db.staff("greg", Job::Doctor).await).await;
    for c in [&adam, &greg] {
        for kind in ReportKind::ALL {
            let e = figures(c, *kind, week()).await.expect_err("refused");
            assert!(e.to_string().contains("not allowed"), "{kind:?}: {e}");
        }
        // The same in psql: the function itself, not only the app's path to it.
        let e = c
            .query(
                "SELECT * FROM clinic.report_attendance(current_date - 30, current_date)",
                &[],
            )
            .await
            .expect_err("refused in psql");
        assert_eq!(sqlstate(&e), "42501");
    }
    let ada = db.connect(&db.staff("ada", Job::Admin).await).await;
    // Nothing on the report's path writes: a report is a read, through a read-only transaction.
    ada.batch_execute("SET default_transaction_read_only = on")
        .await
        .expect("read only");
    figures(&ada, ReportKind::Appointments, week())
        .await
        .expect("a report reads only");
}

/// The Reports screen's own requests (`effects::reports`), as the screen sends them, against the
/// person's own pool: the desk gets the figures `db::reports` gives; an accountant's pool is
/// refused in words; the export writes what it was given into a new file and never over one.
#[tokio::test]
async fn the_screen_s_requests_count_as_the_person_and_export_into_new_files() {
    use clinic::app::reports::{Reply, Request};
    use clinic::app::RequestId;
    use clinic::effects::Run;

    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let adam = db.staff("adam", Job::Accountant).await;
    let pool = |l: &support::Login| {
        clinic::db::connect_as(&db.server_config(), &l.user, &l.password).expect("a pool")
    };
    let alice = db
        .staff("alice", Job::Doctor)
        .await
        .staff_id
        .expect("alice");
    let bob = db.staff("bob", Job::Doctor).await.staff_id.expect("bob");
    fixed_clinic(&db.superuser().await, alice, bob).await;

    let ask = |request| Request::Load {
        request: RequestId(request),
        kind: ReportKind::Waiting,
        period: week(),
    };
    let direct = figures(&db.connect(&rita).await, ReportKind::Waiting, week())
        .await
        .expect("waiting");
    match ask(1).run(pool(&rita)).await {
        Reply::Loaded {
            request,
            result: Ok(f),
        } => {
            assert_eq!(request, RequestId(1));
            assert_eq!(f, direct);
            assert_eq!(row(&f, &["all days"])[0], Cell::Count(6));
        }
        other => panic!("{other:?}"),
    }
    match ask(2).run(pool(&adam)).await {
        Reply::Loaded {
            result: Err(words), ..
        } => assert!(words.contains("not allowed"), "{words}"),
        other => panic!("the accounts office counted the desk's report: {other:?}"),
    }

    let dir = tempfile::tempdir().expect("a folder");
    let export = |request| Request::Export {
        request: RequestId(request),
        dir: dir.path().join("exports"),
        stem: "report-waiting-2025-03-03-2025-03-09".into(),
        csv: direct.csv(),
    };
    let mut written = Vec::new();
    for n in [3, 4] {
        match export(n).run(pool(&rita)).await {
            Reply::Exported {
                result: Ok(path), ..
            } => written.push(path),
            other => panic!("{other:?}"),
        }
    }
    assert_ne!(
        written[0], written[1],
        "the second export did not replace the first"
    );
    for path in &written {
        assert_eq!(std::fs::read_to_string(path).expect("read"), direct.csv());
    }
}
