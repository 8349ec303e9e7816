//! What the tests share: outcomes and expectations, small SQL helpers, and the [`World`] fixture.

use clinic::domain::staff::Job;
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::support::{clinic_at_noon, clinic_today, sqlstate, Login, TestDb};

// ---------------------------------------------------------------------------------------------
// Outcomes and expectations
// ---------------------------------------------------------------------------------------------

/// What one cell of the matrix expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Succeeds and returns or changes at least one row.
    Allowed,
    /// Refused with SQLSTATE 42501 (missing privilege, a policy's WITH CHECK, or a guard raising it).
    Denied,
    /// Succeeds, but row security leaves no row visible or changed.
    ZeroRows,
    /// Fails with this other SQLSTATE (a constraint or a rule of the data).
    Fails(&'static str),
}
pub use Expect::{Allowed, Denied, Fails, ZeroRows};

/// What actually happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Rows(u64),
    Error(String),
}

impl Outcome {
    pub fn matches(&self, e: Expect) -> bool {
        match (self, e) {
            (Outcome::Rows(n), Allowed) => *n > 0,
            (Outcome::Rows(n), ZeroRows) => *n == 0,
            (Outcome::Error(code), Denied) => code == "42501",
            (Outcome::Error(code), Fails(want)) => code == want,
            _ => false,
        }
    }
}

/// Run one statement (simple protocol, so any statement works) and report rows returned/affected.
pub async fn run(c: &Client, sql: &str) -> Outcome {
    match c.simple_query(sql).await {
        Ok(msgs) => Outcome::Rows(
            msgs.iter()
                .filter_map(|m| match m {
                    SimpleQueryMessage::CommandComplete(n) => Some(*n),
                    _ => None,
                })
                .last()
                .unwrap_or(0),
        ),
        Err(e) => Outcome::Error(sqlstate(&e)),
    }
}

/// [`run`] inside a transaction that is rolled back afterwards.
pub async fn try_sql(c: &Client, sql: &str) -> Outcome {
    c.batch_execute("BEGIN").await.expect("begin");
    let out = run(c, sql).await;
    c.batch_execute("ROLLBACK").await.expect("rollback");
    out
}

/// The server's message for a failing statement (run again, rolled back), for failure reports.
pub async fn why(c: &Client, sql: &str) -> String {
    c.batch_execute("BEGIN").await.expect("begin");
    let r = c.simple_query(sql).await;
    c.batch_execute("ROLLBACK").await.expect("rollback");
    match r {
        Ok(_) => String::new(),
        Err(e) => e
            .as_db_error()
            .map_or_else(|| e.to_string(), |d| format!("({})", d.message())),
    }
}

/// The SQLSTATE of a statement that must fail.
pub async fn err_code(c: &Client, sql: &str) -> String {
    match c.simple_query(sql).await {
        Ok(_) => format!("no error from: {sql}"),
        Err(e) => sqlstate(&e),
    }
}

pub async fn ok(c: &Client, sql: &str) {
    c.batch_execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
}

pub async fn one_i64(c: &Client, sql: &str) -> i64 {
    c.query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        .get(0)
}

pub async fn one_opt_i64(c: &Client, sql: &str) -> Option<i64> {
    c.query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        .get(0)
}

pub async fn one_string(c: &Client, sql: &str) -> String {
    c.query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        .get(0)
}

pub async fn one_bool(c: &Client, sql: &str) -> bool {
    c.query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        .get(0)
}

pub async fn strings(c: &Client, sql: &str) -> Vec<String> {
    c.query(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Wait until some backend of this database is blocked on a lock (so a race is really a race).
pub async fn wait_for_lock_waiter(su: &Client) {
    for _ in 0..400 {
        let waiting = one_i64(
            su,
            "SELECT count(*) FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .await;
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no connection ever waited on a lock");
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// The four jobs in the order of the matrix columns.
pub const JOBS: [Job; 4] = [Job::Admin, Job::Doctor, Job::Receptionist, Job::Accountant];

/// A clinic with one person per job (plus a second doctor) and a few rows of every kind, made as
/// the superuser (which bypasses row security).
pub struct World {
    pub db: TestDb,
    pub admin: Login,
    pub doctor: Login,
    pub other_doctor: Login,
    pub receptionist: Login,
    pub accountant: Login,
    /// Has appointments with `doctor` and records by `doctor`.
    pub p_own: i64,
    /// Seen only by `other_doctor`.
    pub p_other: i64,
    /// No appointment with anyone (but `other_doctor` broke the glass for them).
    pub p_stranger: i64,
    /// `doctor` + `p_own`, checked in.
    pub appt_checked_in: i64,
    /// `doctor` + `p_own`, in progress.
    pub appt_in_progress: i64,
    /// `doctor` + `p_own`, scheduled.
    pub appt_scheduled: i64,
    /// `other_doctor` + `p_other`, scheduled.
    pub appt_other: i64,
    /// `doctor`'s Monday morning.
    pub hours_monday: i64,
    /// `doctor` blocked for a meeting (not leave, so no appointment is refused because of it).
    pub blocked_meeting: i64,
    /// By `doctor` for `p_own`.
    pub record_draft: i64,
    pub record_signed: i64,
    /// The other doctor's draft, for their patient.
    pub record_other: i64,
    /// The [vitals, diagnosis, prescription] ids of each record.
    pub parts_draft: [i64; 3],
    pub parts_signed: [i64; 3],
    pub parts_other: [i64; 3],
    /// Penicillin, on the doctor's patient; latex on the other doctor's.
    pub allergy_own: i64,
    pub allergy_other: i64,
    /// For `p_other`, with one line.
    pub inv_draft: i64,
    pub line_draft: i64,
    /// For `p_own`, issued, with one payment.
    pub inv_issued: i64,
    pub payment_key: &'static str,
}

pub fn sid(l: &Login) -> i64 {
    l.staff_id.expect("staff login has a staff id")
}

pub async fn add_patient(su: &Client, family: &str) -> i64 {
    one_i64(
        su,
        &format!(
            "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                          emergency_contact_name, emergency_contact_phone, insurer, phone)
             VALUES ('{family}', 'Test', DATE '1980-01-01', 'female', 'woman', 'Next of Kin', '0123456789',
                     'Acme Health', '0201234567')
             RETURNING id"
        ),
    )
    .await
}

pub async fn add_appointment(
    su: &Client,
    patient: i64,
    doctor: i64,
    starts: &str,
    status: &str,
) -> i64 {
    one_i64(
        su,
        &format!(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, status, reason)
             VALUES ({patient}, {doctor}, {starts}, {starts} + interval '15 minutes',
                     '{status}', 'Check-up')
             RETURNING id"
        ),
    )
    .await
}

pub async fn add_invoice(su: &Client, patient: i64) -> i64 {
    one_i64(
        su,
        &format!("INSERT INTO clinic.invoices (patient_id, currency) VALUES ({patient}, 'EUR') RETURNING id"),
    )
    .await
}

pub async fn add_line(su: &Client, invoice: i64, qty: i32, unit: i64) -> i64 {
    one_i64(
        su,
        &format!(
            "INSERT INTO clinic.invoice_lines (invoice_id, description, quantity, unit_price_minor)
             VALUES ({invoice}, 'Consultation', {qty}, {unit}) RETURNING id"
        ),
    )
    .await
}

pub async fn issue(su: &Client, invoice: i64) {
    ok(
        su,
        &format!(
            "UPDATE clinic.invoices SET status = 'issued', issued_at = now() WHERE id = {invoice}"
        ),
    )
    .await;
}

impl World {
    pub async fn new() -> World {
        let db = TestDb::new().await;
        let admin = db.staff("ada", Job::Admin).await;
        let doctor = db.staff("doc", Job::Doctor).await;
        let other_doctor = db.staff("oth", Job::Doctor).await;
        let receptionist = db.staff("rita", Job::Receptionist).await;
        // The admin adds the accountant (so the admin, too, has entries of their own in the log).
        let accountant = {
            let user = format!("{}_acc", db.name);
            let password = format!("pw-acc-{}", db.name);
            let ac = db.connect(&admin).await;
            let id = clinic::db::staff::add_staff(&ac, &user, &password, "Acc", Job::Accountant)
                .await
                .expect("the admin adds a colleague");
            Login {
                user,
                password,
                job: Some(Job::Accountant),
                staff_id: Some(id),
            }
        };
        let su = db.superuser().await;
        // The morning's appointments below are today's and have begun, as check-ins,
        // consultations and no-shows need.
        clinic_at_noon(&su).await;

        let p_own = add_patient(&su, "Own").await;
        let p_other = add_patient(&su, "Other").await;
        let p_stranger = add_patient(&su, "Stranger").await;
        let (d, od) = (sid(&doctor), sid(&other_doctor));
        let appt_checked_in =
            add_appointment(&su, p_own, d, &clinic_today(9, 0), "checked_in").await;
        let appt_in_progress =
            add_appointment(&su, p_own, d, &clinic_today(8, 0), "in_progress").await;
        let appt_scheduled =
            add_appointment(&su, p_own, d, &clinic_today(9, 30), "scheduled").await;
        let appt_other = add_appointment(&su, p_other, od, &clinic_today(11, 0), "scheduled").await;
        let hours_monday = one_i64(
            &su,
            &format!(
                "INSERT INTO clinic.working_hours (doctor_id, weekday, starts, ends)
                 VALUES ({d}, 1, '09:00', '12:30') RETURNING id"
            ),
        )
        .await;
        let blocked_meeting = one_i64(
            &su,
            &format!(
                "INSERT INTO clinic.schedule_exceptions (doctor_id, starts_at, ends_at, kind, note)
                 VALUES ({d}, '2030-03-04 13:00+00', '2030-03-04 17:00+00', 'blocked', 'Team meeting')
                 RETURNING id"
            ),
        )
        .await;

        let record_draft = one_i64(
            &su,
            &format!(
                "INSERT INTO clinic.medical_records (patient_id, author_id, summary, diagnosis)
                 VALUES ({p_own}, {d}, 'Draft consultation', 'Pending') RETURNING id"
            ),
        )
        .await;
        let record_signed = one_i64(
            &su,
            &format!(
                "INSERT INTO clinic.medical_records (patient_id, author_id, summary, diagnosis)
                 VALUES ({p_own}, {d}, 'Signed consultation', 'Hypertension') RETURNING id"
            ),
        )
        .await;
        let record_other = one_i64(
            &su,
            &format!(
                "INSERT INTO clinic.medical_records (patient_id, author_id, summary)
                 VALUES ({p_other}, {od}, 'Their draft') RETURNING id"
            ),
        )
        .await;
        // Each encounter's parts: vitals, a coded diagnosis and a prescription, on the draft and
        // on the record signed after them.
        let mut parts = Vec::new();
        for (record, patient) in [
            (record_draft, p_own),
            (record_signed, p_own),
            (record_other, p_other),
        ] {
            parts.push([
                one_i64(
                    &su,
                    &format!(
                        "INSERT INTO clinic.vitals (record_id, patient_id, systolic_mmhg, diastolic_mmhg, pulse_per_min, weight_kg, height_cm)
                         VALUES ({record}, {patient}, 128, 82, 72, 84, 178) RETURNING id"
                    ),
                )
                .await,
                one_i64(
                    &su,
                    &format!(
                        "INSERT INTO clinic.diagnoses (record_id, patient_id, code, is_primary)
                         VALUES ({record}, {patient}, 'I10', true) RETURNING id"
                    ),
                )
                .await,
                one_i64(
                    &su,
                    &format!(
                        "INSERT INTO clinic.prescriptions (record_id, patient_id, drug, strength, form, dose, route, frequency, duration_days, quantity)
                         VALUES ({record}, {patient}, 'Amlodipine', '5 mg', 'tablet', '1', 'oral', 'once daily', 28, 28) RETURNING id"
                    ),
                )
                .await,
            ]);
        }
        ok(
            &su,
            &format!(
                "UPDATE clinic.medical_records SET signed_at = now(), signed_by = {d} WHERE id = {record_signed}"
            ),
        )
        .await;
        let allergy_own = one_i64(
            &su,
            &format!(
                "INSERT INTO clinic.allergies (patient_id, substance, reaction, severity, recorded_by)
                 VALUES ({p_own}, 'Penicillin', 'rash', 'moderate', {d}) RETURNING id"
            ),
        )
        .await;
        let allergy_other = one_i64(
            &su,
            &format!(
                "INSERT INTO clinic.allergies (patient_id, substance, severity, recorded_by)
                 VALUES ({p_other}, 'Latex', 'mild', {od}) RETURNING id"
            ),
        )
        .await;

        // Invoice ids and patient ids deliberately differ (an audit test relies on telling them apart).
        let inv_draft = add_invoice(&su, p_other).await;
        let line_draft = add_line(&su, inv_draft, 1, 4000).await;
        let inv_issued = add_invoice(&su, p_own).await;
        add_line(&su, inv_issued, 2, 2500).await;
        issue(&su, inv_issued).await;
        let payment_key = "00000000-0000-4000-8000-000000000001";
        ok(
            &su,
            &format!(
                "INSERT INTO clinic.payments (invoice_id, amount_minor, method, received_by, idempotency_key)
                 VALUES ({inv_issued}, 1000, 'cash', {}, '{payment_key}')",
                sid(&accountant)
            ),
        )
        .await;

        // The fee schedule's consultation, since the start of 2026.
        ok(
            &su,
            "INSERT INTO clinic.services (code, description, price_minor, currency, valid_from, suggested_for)
             VALUES ('CONSULT', 'Consultation', 5000, 'EUR', '2026-01-01', '{Follow-up}')",
        )
        .await;

        // Something in the audit log by the doctor, and an emergency grant for the admin to review.
        let dc = db.connect(&doctor).await;
        ok(
            &dc,
            &format!("SELECT count(*) FROM clinic.open_chart({p_own})"),
        )
        .await;
        let oc = db.connect(&other_doctor).await;
        ok(
            &oc,
            &format!(
                "SELECT clinic.break_glass({p_stranger}, 'Collapsed in the waiting room', 30)"
            ),
        )
        .await;

        World {
            db,
            admin,
            doctor,
            other_doctor,
            receptionist,
            accountant,
            p_own,
            p_other,
            p_stranger,
            appt_checked_in,
            appt_in_progress,
            appt_scheduled,
            appt_other,
            hours_monday,
            blocked_meeting,
            record_draft,
            record_signed,
            record_other,
            parts_draft: parts[0],
            parts_signed: parts[1],
            parts_other: parts[2],
            allergy_own,
            allergy_other,
            inv_draft,
            line_draft,
            inv_issued,
            payment_key,
        }
    }

    pub fn login(&self, job: Job) -> &Login {
        match job {
            Job::Admin => &self.admin,
            Job::Doctor => &self.doctor,
            Job::Receptionist => &self.receptionist,
            Job::Accountant => &self.accountant,
        }
    }

    /// One connection per job, in the order of [`JOBS`].
    pub async fn clients(&self) -> Vec<Client> {
        let mut out = Vec::new();
        for job in JOBS {
            out.push(self.db.connect(self.login(job)).await);
        }
        out
    }

    pub async fn su(&self) -> Client {
        self.db.superuser().await
    }

    pub async fn connect(&self, l: &Login) -> Client {
        self.db.connect(l).await
    }
}
