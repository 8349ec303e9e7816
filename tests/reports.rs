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

/// The accounts office's books over the first quarter of 2025 (EUR), every figure worked out by
/// hand in `the_books_reports_give_the_hand_worked_figures`:
/// - A: issued 10 Jan, due 24 Jan, 100.00 consultation; paid 40.00 by card on 5 Feb and 60.00
///   cash on 10 Mar.
/// - B: issued 15 Feb, due 1 Mar, 50.00 ECG; a credit note of 20.00 against it on 5 Mar.
/// - C: issued 20 Mar, due 3 Apr, 30.00 on a line of no service; 10.00 of it paid with the
///   patient's credit on 25 Mar (not money received).
/// - V: issued 5 Jan for 70.00 and voided; D: a draft of 99.99. Neither counts anywhere.
/// - 5.00 of credit paid back in cash on 12 Mar.
/// - A statement imported 3 Mar: 4 lines, 2 matched, 1 not ours, 1 open booked 1 Mar; another
///   imported 1 Feb.
async fn fixed_books(su: &Client) {
    let at =
        |d: &str| format!("((DATE '{d}' + time '10:00') AT TIME ZONE clinic.clinic_time_zone())");
    su.batch_execute(&format!(
        "SET session_replication_role = replica;
         UPDATE clinic.settings SET currency = 'EUR';
         INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex)
         VALUES ('Payer', 'Paula', DATE '1970-05-05', 'female');
         INSERT INTO clinic.services (code, description, price_minor, currency, valid_from)
         VALUES ('CONS', 'Consultation', 10000, 'EUR', DATE '2024-01-01'),
                ('ECG', 'Electrocardiogram', 5000, 'EUR', DATE '2024-01-01');
         CREATE TEMP TABLE inv (tag text, id bigint);
         WITH p AS (SELECT max(id) AS id FROM clinic.patients),
         made AS (
           INSERT INTO clinic.invoices (patient_id, currency, kind, status, issued_at, due_on,
                                        total_minor, paid_minor, credited_minor, void_reason)
           SELECT p.id, 'EUR', 'invoice', v.status, v.issued, v.due, v.total, v.paid, v.credited, v.why
             FROM p, (VALUES
               ('A', 'paid', {a}, DATE '2025-01-24', 10000, 10000, 0, NULL),
               ('B', 'issued', {b}, DATE '2025-03-01', 5000, 0, 2000, NULL),
               ('C', 'partially_paid', {c}, DATE '2025-04-03', 3000, 1000, 0, NULL),
               ('V', 'void', {v}, DATE '2025-01-19', 7000, 0, 0, 'Wrong patient'),
               ('D', 'draft', NULL, NULL, 9999, 0, 0, NULL)
             ) AS v(tag, status, issued, due, total, paid, credited, why)
           RETURNING id, total_minor)
         INSERT INTO inv SELECT CASE total_minor WHEN 10000 THEN 'A' WHEN 5000 THEN 'B'
                                 WHEN 3000 THEN 'C' WHEN 7000 THEN 'V' ELSE 'D' END, id FROM made;
         INSERT INTO clinic.invoices (patient_id, currency, kind, status, issued_at, total_minor,
                                      credits_invoice_id, credit_reason)
         SELECT (SELECT max(id) FROM clinic.patients), 'EUR', 'credit_note', 'issued', {cn}, 2000,
                (SELECT id FROM inv WHERE tag = 'B'), 'Charged twice';
         INSERT INTO clinic.invoice_lines (invoice_id, description, quantity, unit_price_minor, service_id)
         SELECT i.id, l.what, 1, l.price, (SELECT s.id FROM clinic.services s WHERE s.code = l.code)
           FROM inv i JOIN (VALUES ('A', 'Consultation', 10000, 'CONS'), ('B', 'ECG', 5000, 'ECG'),
                                   ('C', 'Extra', 3000, NULL), ('V', 'Consultation', 7000, 'CONS'),
                                   ('D', 'Consultation', 9999, 'CONS'))
                AS l(tag, what, price, code) ON l.tag = i.tag;
         INSERT INTO clinic.payments (invoice_id, kind, amount_minor, applied_minor, method, received_at,
                                      idempotency_key)
         SELECT (SELECT id FROM inv WHERE tag = x.tag), 'payment', x.amount, x.amount, x.method, x.at,
                gen_random_uuid()
           FROM (VALUES ('A', 4000, 'card', {feb5}), ('A', 6000, 'cash', {mar10}),
                        ('C', 1000, 'credit', {mar25})) AS x(tag, amount, method, at);
         INSERT INTO clinic.patient_credit (patient_id, currency, amount_minor, kind, method,
                                            idempotency_key, at)
         VALUES ((SELECT max(id) FROM clinic.patients), 'EUR', -500, 'refunded', 'cash',
                 gen_random_uuid(), {mar12});
         WITH s AS (
           INSERT INTO clinic.bank_statements (source, format, currency, lines_read, imported_at)
           VALUES ('march.csv', 'csv', 'EUR', 4, {mar3}), ('february.csv', 'csv', 'EUR', 1, {feb1})
           RETURNING id, source)
         INSERT INTO clinic.bank_lines (statement_id, line_key, line_no, booked_on, amount_minor,
                                        currency, state)
         SELECT s.id, s.source || n, n, DATE '2025-03-01' + n - 1, 1000 * n, 'EUR',
                (ARRAY['open', 'matched', 'matched', 'not_ours'])[n]
           FROM s, generate_series(1, 4) n
          WHERE s.source = 'march.csv' OR n = 2;
         SET session_replication_role = DEFAULT;",
        a = at("2025-01-10"),
        b = at("2025-02-15"),
        c = at("2025-03-20"),
        v = at("2025-01-05"),
        cn = at("2025-03-05"),
        feb5 = at("2025-02-05"),
        mar10 = at("2025-03-10"),
        mar25 = at("2025-03-25"),
        mar12 = at("2025-03-12"),
        mar3 = at("2025-03-03"),
        feb1 = at("2025-02-01"),
    ))
    .await
    .expect("the fixed books");
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

/// Two doctors' work, as Dr Alice's reports must count it: hers only.
/// - Alice: on 2025-03-03, 3 appointments (2 completed, 1 no-show) and 2 records, both signed;
///   on 2025-03-04, 1 cancelled appointment and 1 unsigned record.
/// - Her diagnoses: E11.9 (chapter 4) on two patients, J06.9 (chapter 10) on one.
/// - Her prescriptions: "Metformin", "metformin " (the same drug as written) and "Amoxicillin".
/// - Greg: one record on 2025-03-03 with J06.9 and "Ibuprofen": never in Alice's figures.
async fn fixed_charts(su: &Client, alice: i64, greg: i64) {
    let at = |d: &str, h: u32| {
        format!("((DATE '{d}' + time '{h:02}:00') AT TIME ZONE clinic.clinic_time_zone())")
    };
    su.batch_execute(&format!(
        "SET session_replication_role = replica;
         INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex)
         SELECT 'Chart' || i, 'Test', DATE '1960-01-01', 'male' FROM generate_series(1, 3) i;
         CREATE TEMP TABLE pat AS
           SELECT row_number() OVER (ORDER BY id) AS n, id FROM clinic.patients WHERE family_name LIKE 'Chart%';
         INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, status, cancel_reason,
                                          status_changed_at)
         SELECT (SELECT id FROM pat WHERE n = x.p), {alice}, x.t, x.t + interval '15 minutes', x.status,
                CASE WHEN x.status = 'cancelled' THEN 'Called' END, x.t
           FROM (VALUES (1, {m9}, 'completed'), (2, {m10}, 'completed'), (3, {m11}, 'no_show'),
                        (1, {t9}, 'cancelled')) AS x(p, t, status);
         CREATE TEMP TABLE rec (tag text, id bigint);
         WITH made AS (
           INSERT INTO clinic.medical_records (patient_id, author_id, kind, recorded_at, summary,
                                               signed_at, signed_by)
           SELECT (SELECT id FROM pat WHERE n = x.p), x.author, 'consultation', x.t, x.tag,
                  CASE WHEN x.signed THEN x.t END, CASE WHEN x.signed THEN x.author END
             FROM (VALUES ('a1', 1, {alice}, {m9}, true), ('a2', 2, {alice}, {m10}, true),
                          ('a3', 3, {alice}, {t9}, false), ('g1', 3, {greg}, {m11}, true))
                  AS x(tag, p, author, t, signed)
           RETURNING id, summary)
         INSERT INTO rec SELECT summary, id FROM made;
         INSERT INTO clinic.diagnoses (record_id, patient_id, code)
         SELECT r.id, m.patient_id, x.code
           FROM (VALUES ('a1', 'E11.9'), ('a2', 'E11.9'), ('a3', 'J06.9'), ('g1', 'J06.9')) AS x(tag, code)
           JOIN rec r ON r.tag = x.tag JOIN clinic.medical_records m ON m.id = r.id;
         INSERT INTO clinic.prescriptions (record_id, patient_id, drug)
         SELECT r.id, m.patient_id, x.drug
           FROM (VALUES ('a1', 'Metformin'), ('a2', 'metformin '), ('a3', 'Amoxicillin'),
                        ('g1', 'Ibuprofen')) AS x(tag, drug)
           JOIN rec r ON r.tag = x.tag JOIN clinic.medical_records m ON m.id = r.id;
         SET session_replication_role = DEFAULT;",
        m9 = at("2025-03-03", 9),
        m10 = at("2025-03-03", 10),
        m11 = at("2025-03-03", 11),
        t9 = at("2025-03-04", 9),
    ))
    .await
    .expect("the fixed charts");
}

#[tokio::test]
async fn a_doctor_s_reports_count_their_own_work_and_nobody_else_runs_them() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let alice = db.staff("alice", Job::Doctor).await;
    let greg = db.staff("greg", Job::Doctor).await;
    fixed_charts(
        &su,
        alice.staff_id.expect("alice"),
        greg.staff_id.expect("greg"),
    )
    .await;
    let alice = db.connect(&alice).await;
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
