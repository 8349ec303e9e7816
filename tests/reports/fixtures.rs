//! The small fixed data sets the reports' figures are worked out on by hand (tests/reports.rs),
//! loaded as the superuser.

use clinic::domain::staff::Job;
use tokio_postgres::Client;

use super::support::{Login, TestDb};

/// The SQL of an instant: `day` at `hour`:00 in the clinic's time zone.
pub fn at(day: &str, hour: u32) -> String {
    format!("((DATE '{day}' + time '{hour:02}:00') AT TIME ZONE clinic.clinic_time_zone())")
}

/// Drs Alice and Bob and the desk's week of `fixed_clinic`.
pub async fn desk_week(db: &TestDb) {
    let alice = db.staff("alice", Job::Doctor).await;
    let bob = db.staff("bob", Job::Doctor).await;
    fixed_clinic(
        &db.superuser().await,
        alice.staff_id.expect("alice"),
        bob.staff_id.expect("bob"),
    )
    .await;
}

/// Drs Alice and Greg and their work of `fixed_charts`: Alice's login.
pub async fn doctors_work(db: &TestDb) -> Login {
    let alice = db.staff("alice", Job::Doctor).await;
    let greg = db.staff("greg", Job::Doctor).await;
    fixed_charts(
        &db.superuser().await,
        alice.staff_id.expect("alice"),
        greg.staff_id.expect("greg"),
    )
    .await;
    alice
}

/// The desk's week (the module comment of tests/reports.rs tells what is in it).
pub async fn fixed_clinic(su: &Client, alice: i64, bob: i64) {
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
pub async fn fixed_books(su: &Client) {
    let at = |d: &str| at(d, 10);
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

/// Two doctors' work, as Dr Alice's reports must count it: hers only.
/// - Alice: on 2025-03-03, 3 appointments (2 completed, 1 no-show) and 2 records, both signed;
///   on 2025-03-04, 1 cancelled appointment and 1 unsigned record.
/// - Her diagnoses: E11.9 (chapter 4) on two patients, J06.9 (chapter 10) on one.
/// - Her prescriptions: "Metformin", "metformin " (the same drug as written) and "Amoxicillin".
/// - Greg: one record on 2025-03-03 with J06.9 and "Ibuprofen": never in Alice's figures.
pub async fn fixed_charts(su: &Client, alice: i64, greg: i64) {
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
