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

#[path = "reports/charts.rs"]
mod charts;
#[path = "reports/fixtures.rs"]
mod fixtures;
#[allow(dead_code)]
#[path = "tui/support.rs"]
mod screen;
mod support;

use clinic::db::reports::figures;
use clinic::domain::report::{Cell, Figures, Period, ReportKind};
use clinic::domain::staff::Job;
use fixtures::{desk_week, doctors_work, fixed_books, fixed_clinic};
use support::{sqlstate, TestDb};

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

#[tokio::test]
async fn each_report_gives_the_hand_worked_figures_with_small_counts_hidden() {
    let db = TestDb::new().await;
    desk_week(&db).await;
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
    for (c, job) in [(&adam, Job::Accountant), (&greg, Job::Doctor)] {
        let lacks = ReportKind::ALL
            .iter()
            .filter(|k| !ReportKind::for_job(job).contains(k));
        for kind in lacks {
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

#[tokio::test]
async fn the_books_reports_give_the_hand_worked_figures() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    fixed_books(&su).await;
    let adam = db.connect(&db.staff("adam", Job::Accountant).await).await;
    let ada = db.connect(&db.staff("ada", Job::Admin).await).await;
    let march = Period::custom(day("2025-03-01"), day("2025-03-31")).expect("March");
    let quarter = Period::custom(day("2025-01-01"), day("2025-03-31")).expect("Q1");
    let eur = |minor| Cell::Money { minor, exponent: 2 };
    use Cell::{Count, Days, Permille};

    for c in [&adam, &ada] {
        let f = figures(c, ReportKind::Revenue, march)
            .await
            .expect("revenue");
        // Invoiced in March: C's 30.00 on a line of no service, less B's credit note of 20.00.
        assert_eq!(row(&f, &["2025-03", "other lines"]), [eur(3000)]);
        assert_eq!(row(&f, &["2025-03", "credit notes"]), [eur(-2000)]);
        assert_eq!(row(&f, &["2025-03", "invoiced, all services"]), [eur(1000)]);
        // Received: 60.00 cash less 5.00 paid back; the 10.00 of credit used is not money in.
        assert_eq!(row(&f, &["2025-03", "received by cash"]), [eur(5500)]);
        assert_eq!(row(&f, &["2025-03", "received, all methods"]), [eur(5500)]);
        assert!(
            f.rows.iter().all(|r| r.label[1] != "received by credit"),
            "{:#?}",
            f.rows
        );
        assert_eq!(f.bars.len(), 1, "one month: the chart is money by method");
        assert_eq!(
            (f.bars[0].label.as_str(), f.bars[0].value),
            ("cash", eur(5500))
        );
        // Over the quarter the chart is net invoiced per month; the void and the draft count nowhere.
        let q = figures(c, ReportKind::Revenue, quarter)
            .await
            .expect("revenue");
        assert_eq!(
            q.bars.iter().map(|b| b.value).collect::<Vec<_>>(),
            [eur(10000), eur(5000), eur(1000)]
        );
        assert_eq!(row(&q, &["period", "CONS Consultation"]), [eur(10000)]);
        assert_eq!(row(&q, &["period", "received by card"]), [eur(4000)]);

        // 0-30, 31-60, 61-90, over 90, owed, DSO days, collected %.
        let f = figures(c, ReportKind::Receivables, quarter)
            .await
            .expect("receivables");
        // 31 Jan: A's 100.00, 7 days late; billed 100.00 in the 90 days: DSO 90; nothing in yet.
        assert_eq!(
            row(&f, &["2025-01-31"]),
            [
                eur(10000),
                eur(0),
                eur(0),
                eur(0),
                eur(10000),
                Days(90),
                Permille(0)
            ]
        );
        // 28 Feb: A owes 60.00 (35 days late), B 50.00 (due tomorrow); 110.00 x 90 / 150.00 = 66
        // days; 40.00 collected of 50.00 invoiced in February.
        assert_eq!(
            row(&f, &["2025-02-28"]),
            [
                eur(5000),
                eur(6000),
                eur(0),
                eur(0),
                eur(11000),
                Days(66),
                Permille(800)
            ]
        );
        // 31 Mar: B 30.00 after its credit note, C 20.00; 50.00 x 90 / 160.00 = 28 days; 60.00
        // collected against 10.00 net invoiced in March.
        assert_eq!(
            row(&f, &["2025-03-31"]),
            [
                eur(5000),
                eur(0),
                eur(0),
                eur(0),
                eur(5000),
                Days(28),
                Permille(6000)
            ]
        );
        assert_eq!(f.bars.len(), 3);

        let f = figures(c, ReportKind::Reconciliation, march)
            .await
            .expect("reconciliation");
        let waited: i32 = su
            .query_one("SELECT clinic.clinic_date(now()) - DATE '2025-03-01'", &[])
            .await
            .expect("days")
            .get(0);
        let waited = Days(i64::from(waited));
        assert_eq!(
            row(&f, &["2025-03-03", "march.csv"]),
            [Count(4), Count(2), Count(1), Count(1), waited]
        );
        assert_eq!(
            row(&f, &["period", "all statements"])[0],
            Count(4),
            "February's is not in March"
        );
        assert_eq!(f.bars.len(), 1);
    }

    // The desk and the doctors are refused the books, in the app and in psql.
    let rita = db.connect(&db.staff("rita", Job::Receptionist).await).await;
    let greg = db.connect(&db.staff("greg", Job::Doctor).await).await;
    for c in [&rita, &greg] {
        for kind in [
            ReportKind::Revenue,
            ReportKind::Receivables,
            ReportKind::Reconciliation,
        ] {
            let e = figures(c, kind, march).await.expect_err("refused");
            assert!(e.to_string().contains("not allowed"), "{kind:?}: {e}");
        }
        for function in [
            "report_revenue",
            "report_receivables",
            "report_reconciliation",
        ] {
            let e = c
                .query(
                    &format!(
                        "SELECT * FROM clinic.{function}(DATE '2025-03-01', DATE '2025-03-31')"
                    ),
                    &[],
                )
                .await
                .expect_err("refused in psql");
            assert_eq!(sqlstate(&e), "42501", "{function}");
        }
    }
}

#[tokio::test]
async fn a_doctor_s_reports_count_their_own_work_and_nobody_else_runs_them() {
    let db = TestDb::new().await;
    let alice = db.connect(&doctors_work(&db).await).await;
    use Cell::Count;

    let f = figures(&alice, ReportKind::MyDays, week())
        .await
        .expect("my days");
    // appointments, seen, no-shows, cancelled, records, signed
    assert_eq!(
        row(&f, &["2025-03-03 Mon"]),
        [Count(3), Count(2), Count(1), Count(0), Count(2), Count(2)]
    );
    assert_eq!(
        row(&f, &["2025-03-04 Tue"]),
        [Count(1), Count(0), Count(0), Count(1), Count(1), Count(0)]
    );
    assert_eq!(
        row(&f, &["all days"]),
        [Count(4), Count(2), Count(1), Count(1), Count(3), Count(2)]
    );
    assert_eq!(f.bars.len(), 7, "a bar for each day of the week");
    assert_eq!(f.bars[0].value, Count(2));

    // Counts of 1 are shown: the doctor saw these patients.
    let f = figures(&alice, ReportKind::Diagnoses, week())
        .await
        .expect("diagnoses");
    let chapter = |n: &str| {
        f.rows
            .iter()
            .find(|r| r.label[0].trim_start().starts_with(n))
            .map(|r| r.cells.clone())
            .unwrap_or_else(|| panic!("no chapter {n} in {:#?}", f.rows))
    };
    assert_eq!(chapter("4 "), [Count(2), Count(2)]);
    assert_eq!(chapter("10 "), [Count(1), Count(1)], "Greg's J06.9 is his");
    assert_eq!(row(&f, &["all chapters"]), [Count(3), Count(3)]);

    let f = figures(&alice, ReportKind::Prescriptions, week())
        .await
        .expect("prescriptions");
    assert_eq!(row(&f, &["metformin"]), [Count(2), Count(2)]);
    assert_eq!(row(&f, &["amoxicillin"]), [Count(1), Count(1)]);
    assert_eq!(row(&f, &["all drugs"]), [Count(3), Count(3)]);
    assert!(
        f.rows.iter().all(|r| r.label[0] != "ibuprofen"),
        "{:#?}",
        f.rows
    );

    // An admin (who reads no clinical figure), the desk and the accounts office are refused, in
    // the app and in psql.
    for job in [Job::Admin, Job::Receptionist, Job::Accountant] {
        let c = db
            .connect(&db.staff(&format!("x{}", job as u8), job).await)
            .await;
        for kind in [
            ReportKind::MyDays,
            ReportKind::Diagnoses,
            ReportKind::Prescriptions,
        ] {
            let e = figures(&c, kind, week()).await.expect_err("refused");
            assert!(
                e.to_string().contains("not allowed"),
                "{job:?} {kind:?}: {e}"
            );
        }
        for function in [
            "report_my_days",
            "report_my_diagnoses",
            "report_my_prescriptions",
        ] {
            let e = c
                .query(
                    &format!(
                        "SELECT * FROM clinic.{function}(DATE '2025-03-03', DATE '2025-03-09')"
                    ),
                    &[],
                )
                .await
                .expect_err("refused in psql");
            assert_eq!(sqlstate(&e), "42501", "{job:?} {function}");
        }
    }
}

/// Two invoices whose past is not their present, in EUR: E, 80.00 issued 10 Jan and due 29 Jan,
/// paid in full by card on 20 Jan and 30.00 of it refunded on 10 Feb (it owes 30.00 again); F,
/// 40.00 issued 5 Jan, paid in cash on 10 Jan, then credited in full on 5 Feb (the credit note
/// became the patient's credit: F never owed less than nothing).
#[tokio::test]
async fn receivables_count_a_refund_back_and_never_owe_below_nothing() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let at = |d: &str| fixtures::at(d, 10);
    su.batch_execute(&format!(
        "SET session_replication_role = replica;
         UPDATE clinic.settings SET currency = 'EUR';
         INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex)
         VALUES ('Payer', 'Pia', DATE '1970-05-05', 'female');
         CREATE TEMP TABLE inv AS
         WITH made AS (
           INSERT INTO clinic.invoices (patient_id, currency, kind, status, issued_at, due_on,
                                        total_minor, paid_minor, credited_minor)
           SELECT (SELECT max(id) FROM clinic.patients), 'EUR', 'invoice', v.status, v.issued,
                  v.due, v.total, v.paid, 0
             FROM (VALUES ('partially_paid', {e}, DATE '2025-01-29', 8000, 5000),
                          ('paid', {f}, DATE '2025-01-20', 4000, 4000)) AS v(status, issued, due, total, paid)
           RETURNING id, total_minor)
         SELECT CASE total_minor WHEN 8000 THEN 'E' ELSE 'F' END AS tag, id FROM made;
         INSERT INTO clinic.invoices (patient_id, currency, kind, status, issued_at, total_minor,
                                      credits_invoice_id, credit_reason)
         SELECT (SELECT max(id) FROM clinic.patients), 'EUR', 'credit_note', 'issued', {cn}, 4000,
                (SELECT id FROM inv WHERE tag = 'F'), 'Goodwill';
         INSERT INTO clinic.payments (invoice_id, kind, amount_minor, applied_minor, method, received_at,
                                      idempotency_key)
         SELECT (SELECT id FROM inv WHERE tag = x.tag), x.kind, x.amount, x.amount, x.method, x.at,
                gen_random_uuid()
           FROM (VALUES ('E', 'payment', 8000, 'card', {jan20}), ('E', 'refund', -3000, 'card', {feb10}),
                        ('F', 'payment', 4000, 'cash', {jan10})) AS x(tag, kind, amount, method, at);
         SET session_replication_role = DEFAULT;",
        e = at("2025-01-10"),
        f = at("2025-01-05"),
        cn = at("2025-02-05"),
        jan20 = at("2025-01-20"),
        feb10 = at("2025-02-10"),
        jan10 = at("2025-01-10"),
    ))
    .await
    .expect("the books");
    let adam = db.connect(&db.staff("adam", Job::Accountant).await).await;
    let quarter = Period::custom(day("2025-01-01"), day("2025-03-31")).expect("Q1");
    let f = figures(&adam, ReportKind::Receivables, quarter)
        .await
        .expect("receivables");
    let eur = |minor| Cell::Money { minor, exponent: 2 };
    use Cell::{Days, Permille};
    // 0-30, 31-60, 61-90, over 90, owed, DSO days, collected %.
    // 31 Jan: both paid; 120.00 in of 120.00 invoiced.
    assert_eq!(
        row(&f, &["2025-01-31"]),
        [
            eur(0),
            eur(0),
            eur(0),
            eur(0),
            eur(0),
            Days(0),
            Permille(1000)
        ]
    );
    // 28 Feb: E owes the 30.00 given back (30 days after its due date); F nothing, not -40.00.
    // 30.00 x 90 / (120.00 - 40.00) = 34 days. February took in -30.00 against -40.00 invoiced:
    // no rate of a month that invoiced nothing.
    let feb = row(&f, &["2025-02-28"]);
    assert_eq!(
        feb[..6],
        [eur(3000), eur(0), eur(0), eur(0), eur(3000), Days(34)]
    );
    assert!(!matches!(feb[6], Permille(_)), "{feb:?}");
    // 31 Mar: E's 30.00 is 61 days late.
    assert_eq!(
        row(&f, &["2025-03-31"])[..6],
        [eur(0), eur(0), eur(3000), eur(0), eur(3000), Days(34)]
    );
}
