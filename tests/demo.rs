//! `clinic demo`'s preparation, end to end on a private cluster of its own: created, migrated,
//! seeded with a realistic clinic, every demo login working, reused on the next run, and shared by
//! two `clinic demo` processes at once.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

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
async fn the_demo_is_created_seeded_reused_and_shared() {
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
    // Waiting and in-consultation patients are today's: on a day nobody works (a Sunday) there
    // are none.
    let open_today = count(
        "SELECT count(*) FROM clinic.working_hours
          WHERE weekday = extract(isodow FROM (now() AT TIME ZONE 'UTC')::date)",
    )
    .await
        > 0;
    let expected: Vec<&str> = [
        "cancelled",
        "checked_in",
        "completed",
        "in_progress",
        "no_show",
        "scheduled",
    ]
    .into_iter()
    .filter(|s| open_today || !matches!(*s, "checked_in" | "in_progress"))
    .collect();
    assert_eq!(statuses, expected, "every status appears");
    assert_eq!(
        count(
            "SELECT count(*) FROM (SELECT doctor_id FROM clinic.appointments
              WHERE status = 'in_progress' GROUP BY doctor_id HAVING count(*) > 1) d"
        )
        .await,
        0,
        "a doctor sees one patient at a time"
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
    // Structured: the completed visits have notes, vitals, coded diagnoses and prescriptions,
    // some patients allergies, and the first doctor a real chart of today.
    let parts = su
        .query_one(
            "SELECT (SELECT count(*) FROM clinic.medical_records WHERE assessment IS NOT NULL),
                    (SELECT count(*) FROM clinic.vitals),
                    (SELECT count(*) FROM clinic.diagnoses),
                    (SELECT count(*) FROM clinic.prescriptions),
                    (SELECT count(*) FROM clinic.allergies WHERE ended_at IS NULL),
                    (SELECT count(*) FROM clinic.medical_records WHERE signed_at IS NULL),
                    (SELECT count(*) FROM clinic.medical_records r JOIN clinic.appointments a ON a.id = r.appointment_id
                      WHERE a.status = 'completed' AND a.starts_at >= now() - interval '90 days'
                        AND (SELECT count(*) FROM clinic.diagnoses d WHERE d.record_id = r.id) = 0)",
            &[],
        )
        .await
        .expect("parts");
    let counts: Vec<i64> = (0..7).map(|i| parts.get(i)).collect();
    assert!(
        counts[0] > 100 && counts[1] > 100 && counts[2] > 100 && counts[3] > 50,
        "{counts:?}"
    );
    assert!(counts[4] > 5, "allergies: {counts:?}");
    assert!(counts[5] > 0, "some drafts wait to be signed: {counts:?}");
    assert_eq!(
        counts[6], 0,
        "every completed consultation is coded: {counts:?}"
    );
    let services: i64 = su
        .query_one(
            "SELECT count(*) FROM clinic.services WHERE valid_to IS NULL OR valid_to >= current_date",
            &[],
        )
        .await
        .expect("services")
        .get(0);
    assert!(services >= 8, "a fee schedule in force: {services}");

    // Five months of books, as the accounts office sees them: drafts, unpaid, part-paid, paid
    // and void invoices, credit notes, money owed in every aging bucket, patient credit from
    // overpayments and a credit note, the desk's and the office's takings by every method, and
    // numbers in issue order without gaps, nothing dated after now.
    let adam = db::login(&server_cfg, "adam", DEMO_PASSWORD)
        .await
        .expect("adam");
    let a = adam.pool.get().await.expect("connection");
    let books = a
        .query_one(
            "SELECT count(*) FILTER (WHERE status = 'draft'),
                    count(*) FILTER (WHERE status = 'issued' AND kind = 'invoice'),
                    count(*) FILTER (WHERE status = 'partially_paid'),
                    count(*) FILTER (WHERE status = 'paid'),
                    count(*) FILTER (WHERE status = 'void'),
                    count(*) FILTER (WHERE kind = 'credit_note' AND status = 'issued'),
                    count(*) FILTER (WHERE kind = 'invoice' AND issued_at < now() - interval '120 days')
               FROM clinic.invoices",
            &[],
        )
        .await
        .expect("books");
    let books: Vec<i64> = (0..7).map(|i| books.get(i)).collect();
    assert!(
        (1..=15).contains(&books[0]) && books[1] > 50 && books[2] > 50 && books[3] > 1000,
        "drafts, unpaid, part-paid, paid: {books:?}"
    );
    assert!(
        (3..=10).contains(&books[4]) && (2..=5).contains(&books[5]),
        "a few void invoices and credit notes: {books:?}"
    );
    assert!(books[6] > 100, "invoices from months back: {books:?}");
    let aging = a
        .query_one(
            "SELECT sum(days_0_30)::bigint, sum(days_31_60)::bigint, sum(days_61_90)::bigint,
                    sum(days_90_plus)::bigint
               FROM clinic.receivables_aging(current_date, $1)",
            &[&config.clinic.currency],
        )
        .await
        .expect("aging");
    let aging: Vec<i64> = (0..4).map(|i| aging.get(i)).collect();
    assert!(
        aging.iter().all(|&b| b > 0),
        "owed in every bucket: {aging:?}"
    );
    let credit = a
        .query_one(
            "SELECT count(*) FILTER (WHERE kind = 'overpayment'), count(*) FILTER (WHERE kind = 'credit_note'),
                    COALESCE(sum(amount_minor), 0)::bigint
               FROM clinic.patient_credit",
            &[],
        )
        .await
        .expect("credit");
    let credit: Vec<i64> = (0..3).map(|i| credit.get(i)).collect();
    assert!(
        (2..=5).contains(&credit[0]) && credit[1] >= 1 && credit[2] > 0,
        "patients' credit: {credit:?}"
    );
    let takings: String = a
        .query_one(
            "SELECT string_agg(DISTINCT p.method || ' by ' || s.job, ', ')
               FROM clinic.payments p JOIN clinic.staff s ON s.id = p.received_by",
            &[],
        )
        .await
        .expect("takings")
        .get(0);
    assert_eq!(
        takings,
        "bank_transfer by accountant, card by receptionist, cash by receptionist, insurance by accountant"
    );
    let numbering = a
        .query_one(
            "SELECT (SELECT count(*) FROM clinic.invoices WHERE issued_at IS NOT NULL AND invoice_number IS NULL),
                    (SELECT count(*) FROM (
                       SELECT number_seq, row_number() OVER (PARTITION BY number_year ORDER BY issued_at, id) AS n
                         FROM clinic.invoices WHERE invoice_number IS NOT NULL) x
                      WHERE number_seq <> n),
                    (SELECT count(*) FROM clinic.payments WHERE received_at > now())
                    + (SELECT count(*) FROM clinic.invoices WHERE issued_at > now())",
            &[],
        )
        .await
        .expect("numbering");
    let numbering: Vec<i64> = (0..3).map(|i| numbering.get(i)).collect();
    assert_eq!(
        numbering,
        [0, 0, 0],
        "unnumbered, out of issue order or with a gap, in the future"
    );
    // The sample statements reconcile against the demo's own invoices: most lines find theirs,
    // and the same transfers as CAMT.053 after the CSV are known already (by their content they
    // are other lines, so they are staged; by number they meet invoices now paid or not).
    let [csv, camt] = clinic::demo::statements::sample_paths(&root);
    let usd = config.currency();
    let layout = config.bank_csv();
    let read = |p: &Path| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let statement =
        clinic::domain::statement::parse(&read(&csv), &layout, usd).expect("csv parses");
    assert_eq!(statement.money_out, 1, "the bank's fee");
    assert!(statement.lines.len() >= 7, "{statement:?}");
    let by_name_lines = statement
        .lines
        .iter()
        .filter(|l| l.reference == "doctor visit")
        .count();
    let by_amount_lines = statement
        .lines
        .iter()
        .filter(|l| l.reference.starts_with("ref "))
        .count();
    let camt_statement =
        clinic::domain::statement::parse(&read(&camt), &layout, usd).expect("camt parses");
    assert_eq!(camt_statement.format, "camt053");
    assert_eq!(camt_statement.lines.len(), statement.lines.len());
    let imported = db::reconcile::import(&**a, "statement-sample.csv", &statement, usd)
        .await
        .expect("adam imports the sample");
    assert_eq!(
        usize::try_from(imported.lines_new).ok(),
        Some(statement.lines.len())
    );
    // Each line finds the invoice it was made from, by the rule it was made for.
    assert_eq!(imported.by_number, 5, "{imported:?}");
    assert_eq!(
        usize::try_from(imported.by_name).ok(),
        Some(by_name_lines),
        "{imported:?}"
    );
    assert_eq!(
        usize::try_from(imported.by_amount).ok(),
        Some(by_amount_lines),
        "{imported:?}"
    );
    let again = db::reconcile::import(&**a, "statement-sample.csv", &statement, usd)
        .await
        .expect("again");
    assert_eq!(
        again.lines_new, 0,
        "the same file twice records nothing twice"
    );
    drop(a);
    drop(adam);
    // Emergency accesses wait for the admin's review, as a clinic's would.
    let ada = db::login(&server_cfg, "ada", DEMO_PASSWORD)
        .await
        .expect("ada");
    let c = ada.pool.get().await.expect("connection");
    let waiting = db::clinic_settings::accesses_to_review(&**c)
        .await
        .expect("the queue");
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    assert!(waiting
        .iter()
        .all(|a| a.minutes == 60 && a.reason.len() > 15));
    drop(c);
    drop(ada);
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
    let server_cfg = again.server_config();
    again.stop().expect("stop");

    // Two desks at once: two `clinic demo serve` on the same directory share one server. The
    // first to quit leaves it running for the second; the last one out stops it.
    let home = tempfile::tempdir().expect("home");
    let mut first = Desk::start(&root, home.path());
    first.wait_for("The demo server is running");
    let mut second = Desk::start(&root, home.path());
    second.wait_for("The demo server is running");
    first.stop();
    first.wait_for("keeps running for the other desks");
    first.exited();
    let rita = db::login(&server_cfg, "rita", DEMO_PASSWORD)
        .await
        .expect("the second desk's server is still up");
    let count: i64 = rita
        .pool
        .get()
        .await
        .expect("conn")
        .query_one("SELECT count(*) FROM clinic.patients", &[])
        .await
        .expect("count")
        .get(0);
    assert!(count >= 2000);
    drop(rita);
    second.stop();
    second.wait_for("Stopped the demo server");
    second.exited();
    let cluster = demo::cluster::Cluster::open(&root, demo::cluster::Purpose::Demo)
        .expect("cluster")
        .expect("still there");
    assert!(!cluster.is_running(), "the last one out stopped the server");
}

/// `clinic demo serve` as its own process, its output read line by line.
struct Desk {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Desk {
    fn start(root: &Path, home: &Path) -> Desk {
        let mut child = Command::new(env!("CARGO_BIN_EXE_clinic"))
            .args(["demo", "serve"])
            .env("CLINIC_DEMO_DIR", root)
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("clinic demo serve");
        let (tx, lines) = mpsc::channel();
        for out in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        Desk {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    fn wait_for(&mut self, needle: &str) {
        while !self.seen.iter().any(|l| l.contains(needle)) {
            match self.lines.recv_timeout(Duration::from_secs(120)) {
                Ok(line) => self.seen.push(line),
                Err(e) => panic!("no {needle:?} ({e}); said:\n{}", self.seen.join("\n")),
            }
        }
    }

    /// What a Ctrl-C at its terminal does.
    fn stop(&mut self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    fn exited(&mut self) {
        let status = self.child.wait().expect("wait");
        assert!(
            status.success(),
            "{status:?}; said:\n{}",
            self.seen.join("\n")
        );
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
