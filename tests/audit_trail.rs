//! The audit trail as the Admin screen reads it (src/db/audit_trail.rs, sql/0025), by real logins:
//! keyset pages that stay exact while entries arrive, every filter, no clinical text anywhere, only
//! admins, the chunked chain check agreeing with clinic.audit_verify(), and the CSV export (also
//! through `clinic audit export`).

mod support;

use chrono::{NaiveDate, Utc};
use clinic::db::audit_trail::{self, AuditFilter, Cursor, EntryCount, Page};
use clinic::db::DbError;
use clinic::domain::staff::Job;
use support::{sqlstate, Login, TestDb};
use tokio_postgres::Client;

async fn ids(c: &Client, sql: &str) -> Vec<i64> {
    c.query(sql, &[])
        .await
        .expect(sql)
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn add_patient(su: &Client, family: &str) -> i64 {
    su.query_one(
        "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                      emergency_contact_name, emergency_contact_phone, insurer, phone)
         VALUES ($1, 'Test', DATE '1980-01-01', 'female', 'woman', 'Kin', '0123456789', 'Acme', '0201234567')
         RETURNING id",
        &[&family],
    )
    .await
    .expect("a patient")
    .get(0)
}

/// `n` entries by `login`, now, as the superuser writes them straight into the log (sealed later
/// like any other).
async fn write_entries(su: &Client, login: &Login, n: i32, action: &str) {
    su.execute(
        "INSERT INTO clinic.audit_log (at, actor_login, action, table_name, row_id)
         SELECT clock_timestamp(), $1, $2, 'patients', g FROM generate_series(1, $3) g",
        &[&login.user, &action, &n],
    )
    .await
    .expect("entries");
}

/// Every page of `filter`, following `after` cursors from the first.
async fn walk(c: &Client, filter: &AuditFilter, limit: i64) -> Vec<Page> {
    let mut pages = vec![audit_trail::audit_page(c, filter, None, None, limit)
        .await
        .expect("page 1")];
    while let Some(next) = pages.last().and_then(Page::older) {
        let page = audit_trail::audit_page(c, filter, Some(next), None, limit)
            .await
            .expect("next page");
        pages.push(page);
    }
    pages
}

fn page_ids(p: &Page) -> Vec<i64> {
    p.entries.iter().map(|e| e.id).collect()
}

#[tokio::test]
async fn pages_forward_and_back_are_exact_and_stable_while_entries_arrive() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let ada = db.staff("ada", Job::Admin).await;
    let admin = db.connect(&ada).await;
    write_entries(&su, &ada, 60, "test_paging").await;
    let all = ids(
        &su,
        "SELECT id FROM clinic.audit_log ORDER BY at DESC, id DESC",
    )
    .await;
    assert!(all.len() > 60, "{}", all.len());

    // Forward, 7 at a time, with new entries arriving between pages.
    let filter = AuditFilter::default();
    let mut pages = vec![audit_trail::audit_page(&admin, &filter, None, None, 7)
        .await
        .expect("page 1")];
    assert!(!pages[0].has_newer && pages[0].has_older);
    while let Some(next) = pages.last().and_then(Page::older) {
        write_entries(&su, &ada, 3, "arrived_meanwhile").await;
        pages.push(
            audit_trail::audit_page(&admin, &filter, Some(next), None, 7)
                .await
                .expect("next"),
        );
    }
    let seen: Vec<i64> = pages.iter().flat_map(page_ids).collect();
    assert_eq!(
        seen, all,
        "every entry once, newest first, none of the new ones"
    );
    assert!(pages.iter().all(|p| p.entries.len() <= 7));
    let last = pages.last().expect("a last page");
    assert!(!last.has_older && last.has_newer);

    // Back from the last page, page by page: the same pages, page 1 included (now with newer
    // entries above it), then the entries that arrived, up to a full first page of the newest.
    let mut back = pages.len() - 1;
    let mut page = last.clone();
    while back > 0 {
        page = audit_trail::audit_page(&admin, &filter, None, page.newer(), 7)
            .await
            .expect("previous");
        back -= 1;
        assert_eq!(page_ids(&page), page_ids(&pages[back]), "page {back}");
        assert!(page.has_newer && page.has_older);
    }
    let mut top = page;
    while top.has_newer {
        top = audit_trail::audit_page(&admin, &filter, None, top.newer(), 7)
            .await
            .expect("newer");
        assert!(top.entries.iter().all(|e| e.action == "arrived_meanwhile"));
    }
    let newest = ids(
        &su,
        "SELECT id FROM clinic.audit_log ORDER BY at DESC, id DESC LIMIT 7",
    )
    .await;
    assert_eq!(page_ids(&top), newest);

    let here = Some(top.entries[3].cursor());
    let refused = audit_trail::audit_page(&admin, &filter, here, here, 7).await;
    assert!(matches!(refused, Err(DbError::Invalid(_))), "{refused:?}");
    assert!(matches!(
        audit_trail::audit_page(&admin, &filter, None, None, 0).await,
        Err(DbError::Invalid(_))
    ));
}

/// Entries at chosen instants, as the superuser writes them straight into the log (sealed later
/// like any other): (at, login, action, table, patient).
/// (at, login, action, table, patient)
type Entry<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<i64>);

async fn entries_at(su: &Client, rows: &[Entry<'_>]) {
    for (at, login, action, table, patient) in rows {
        su.execute(
            "INSERT INTO clinic.audit_log (at, actor_login, action, table_name, patient_id)
             VALUES ($1::text::timestamptz, $2, $3, $4, $5)",
            &[at, login, action, table, patient],
        )
        .await
        .expect("an entry");
    }
}

#[tokio::test]
async fn every_filter_narrows_the_trail_and_days_are_the_clinics() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let ada = db.staff("ada", Job::Admin).await;
    let admin = db.connect(&ada).await;
    let (p1, p2) = (
        add_patient(&su, "Filtered").await,
        add_patient(&su, "Other").await,
    );
    // Auckland is UTC+13 in January: 10:30 UTC on the 10th is 23:30 there, 11:30 UTC is the 11th.
    su.batch_execute("UPDATE clinic.settings SET time_zone = 'Pacific/Auckland'")
        .await
        .expect("zone");
    let (x, y) = ("xena", "yuri");
    entries_at(
        &su,
        &[
            (
                "2030-01-10 10:30Z",
                x,
                "read",
                Some("medical_records"),
                Some(p1),
            ),
            ("2030-01-10 11:30Z", x, "update", Some("patients"), Some(p1)),
            (
                "2030-01-11 10:59Z",
                y,
                "read",
                Some("medical_records"),
                Some(p2),
            ),
            (
                "2030-01-11 11:00Z",
                y,
                "insert",
                Some("appointments"),
                Some(p1),
            ),
            ("2030-01-12 09:00Z", x, "add_staff", Some("staff"), None),
            ("2030-01-12 09:00Z", x, "rechain", None, None),
        ],
    )
    .await;
    let cases: Vec<(AuditFilter, String)> = vec![
        (
            AuditFilter {
                person: Some(x.into()),
                ..AuditFilter::default()
            },
            "actor_login = 'xena'".into(),
        ),
        (
            AuditFilter {
                patient_id: Some(p1),
                ..AuditFilter::default()
            },
            format!("patient_id = {p1}"),
        ),
        (
            AuditFilter {
                action: Some("read".into()),
                ..AuditFilter::default()
            },
            "action = 'read'".into(),
        ),
        (
            AuditFilter {
                table: Some("patients".into()),
                ..AuditFilter::default()
            },
            "table_name = 'patients'".into(),
        ),
        (
            AuditFilter {
                from: NaiveDate::from_ymd_opt(2030, 1, 11),
                to: NaiveDate::from_ymd_opt(2030, 1, 11),
                ..AuditFilter::default()
            },
            "at >= '2030-01-10 11:00Z' AND at < '2030-01-11 11:00Z'".into(),
        ),
        (
            AuditFilter {
                from: NaiveDate::from_ymd_opt(2030, 1, 12),
                ..AuditFilter::default()
            },
            "at >= '2030-01-11 11:00Z'".into(),
        ),
        (
            AuditFilter {
                person: Some(x.into()),
                action: Some("read".into()),
                table: Some("medical_records".into()),
                patient_id: Some(p1),
                to: NaiveDate::from_ymd_opt(2030, 1, 10),
                ..AuditFilter::default()
            },
            format!(
                "actor_login = 'xena' AND action = 'read' AND table_name = 'medical_records'
                 AND patient_id = {p1} AND at < '2030-01-10 11:00Z'"
            ),
        ),
    ];
    for (filter, sql) in &cases {
        let expected = ids(
            &su,
            &format!("SELECT id FROM clinic.audit_log WHERE {sql} ORDER BY at DESC, id DESC"),
        )
        .await;
        assert!(!expected.is_empty(), "{sql}");
        let got: Vec<i64> = walk(&admin, filter, 2)
            .await
            .iter()
            .flat_map(page_ids)
            .collect();
        assert_eq!(got, expected, "{filter:?}");
        let n = i64::try_from(expected.len()).expect("small");
        assert_eq!(
            audit_trail::count(&admin, filter).await.expect("count"),
            EntryCount::Exact(n)
        );
    }
    // The page names the patient and the person's staff name where there is one.
    let p = audit_trail::audit_page(&admin, &cases[1].0, None, None, 10)
        .await
        .expect("page");
    assert!(p
        .entries
        .iter()
        .all(|e| e.patient_name.as_deref() == Some("Filtered, Test")));
    assert!(p
        .entries
        .iter()
        .all(|e| e.patient_number.is_some() && e.actor_name.is_none()));

    let pickers = audit_trail::pickers(&admin).await.expect("pickers");
    for action in ["read", "update", "insert", "add_staff", "rechain"] {
        assert!(pickers.actions.contains(&action.to_string()), "{pickers:?}");
    }
    assert!(pickers.tables.contains(&"appointments".to_string()));
    assert!(
        pickers.actions.windows(2).all(|w| w[0] < w[1]),
        "sorted, distinct"
    );
    assert!(!pickers.tables.iter().any(String::is_empty));

    // An index serves each filter, with no sort, when the planner is told to avoid scans and
    // sorts it could do without (the test table is too small for it to choose them by cost).
    admin
        .batch_execute(
            "SET enable_seqscan = off; SET enable_sort = off; SET enable_bitmapscan = off",
        )
        .await
        .expect("planner settings");
    let cursor = Some(Cursor {
        at: Utc::now(),
        id: i64::MAX,
    });
    for (filter, _) in &cases {
        let plan = audit_trail::explain_page(&admin, filter, cursor, 50)
            .await
            .expect("plan");
        // The page's LIMIT reads an index range scan of the log directly: no sort under it.
        let lines: Vec<&str> = plan.lines().collect();
        let limit = lines
            .iter()
            .position(|l| l.contains("Limit"))
            .expect("a limit");
        let under = lines.get(limit + 1).copied().unwrap_or_default();
        assert!(
            under.contains("Index Scan") && under.contains("on audit_log"),
            "{filter:?}\n{plan}"
        );
    }
}

#[tokio::test]
async fn no_clinical_text_reaches_a_page_or_an_export() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let ada = db.staff("ada", Job::Admin).await;
    let doc = db.staff("doc", Job::Doctor).await;
    let (admin, doctor) = (db.connect(&ada).await, db.connect(&doc).await);
    let (patient, stranger) = (
        add_patient(&su, "Seen").await,
        add_patient(&su, "Stranger").await,
    );
    su.execute(
        "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, status)
         VALUES ($1, $2, now() - interval '1 day', now() - interval '1 day' + interval '15 minutes', 'completed')",
        &[&patient, &doc.staff_id],
    )
    .await
    .expect("an appointment");
    let record: i64 = doctor
        .query_one(
            "SELECT clinic.save_record(NULL, NULL, $1, 'consultation', 'SECRETSUMMARY of the visit',
                                       'SECRETDIAGNOSIS text', 'SECRETTREATMENT', 'SECRETNOTE body')",
            &[&patient],
        )
        .await
        .expect("a record")
        .get(0);
    doctor
        .execute(
            "SELECT clinic.save_record($1, 1, $2, 'consultation', 'SECRETSUMMARY again',
                                       'SECRETDIAGNOSIS text', 'SECRETTREATMENT', 'SECRETNOTE amended body')",
            &[&record, &patient],
        )
        .await
        .expect("the record saved again");
    doctor
        .execute(
            "SELECT clinic.add_diagnosis($1, 'I10', 'SECRETDXNOTE by the doctor')",
            &[&record],
        )
        .await
        .expect("a coded diagnosis");
    doctor
        .execute("SELECT * FROM clinic.open_chart($1)", &[&patient])
        .await
        .expect("the chart read");
    doctor
        .execute(
            "SELECT clinic.break_glass($1, 'SECRETREASON unconscious in the waiting room', 30)",
            &[&stranger],
        )
        .await
        .expect("the glass broken");
    // Whatever a later migration might put in an entry's detail.
    su.batch_execute(
        "INSERT INTO clinic.audit_log (at, actor_login, action, detail)
         VALUES (now(), 'someone', 'future', '{\"reason\": \"SECRETFUTURE\", \"columns\": [\"SECRET COLUMN\"]}')",
    )
    .await
    .expect("an entry with text in it");

    let pages = walk(&admin, &AuditFilter::default(), 5).await;
    let shown = format!("{pages:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
    let entries: Vec<_> = pages.iter().flat_map(|p| p.entries.clone()).collect();
    let saved = entries
        .iter()
        .find(|e| e.action == "update" && e.table_name.as_deref() == Some("medical_records"))
        .expect("the save's entry");
    assert!(
        saved.summary.contains("columns") && saved.summary.contains("notes"),
        "{saved:?}"
    );
    let glass = entries
        .iter()
        .find(|e| e.action == "break_glass")
        .expect("the emergency's entry");
    assert_eq!(glass.summary, "for 30 minutes");
    assert!(glass.needs_review && glass.patient_id == Some(stranger));
    let future = entries
        .iter()
        .find(|e| e.action == "future")
        .expect("future");
    assert_eq!(future.summary, "2 other details not shown");

    let mut csv = Vec::new();
    let n = audit_trail::export_csv(&admin, &AuditFilter::default(), &mut csv, &mut |_, _| {})
        .await
        .expect("export");
    let csv = String::from_utf8(csv).expect("utf-8");
    assert_eq!(n as usize, entries.len());
    assert!(!csv.contains("SECRET"), "{csv}");
    assert!(csv.contains("for 30 minutes"));
}

fn refused<T: std::fmt::Debug>(what: &str, r: Result<T, DbError>) {
    assert!(matches!(r, Err(DbError::Forbidden)), "{what}: {r:?}");
}

#[tokio::test]
async fn only_admins_read_the_trail_and_check_the_chain() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let ada = db.staff("ada", Job::Admin).await;
    let doc = db.staff("doc", Job::Doctor).await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let acc = db.staff("acc", Job::Accountant).await;
    let admin = db.connect(&ada).await;
    let doctor = db.connect(&doc).await;
    write_entries(&su, &ada, 3, "admin_step").await;
    write_entries(&su, &doc, 2, "doctor_step").await;
    let all = AuditFilter::default();
    for login in [&rita, &acc] {
        let mut c = db.connect(login).await;
        refused(
            "page",
            audit_trail::audit_page(&c, &all, None, None, 10).await,
        );
        refused("count", audit_trail::count(&c, &all).await);
        refused("pickers", audit_trail::pickers(&c).await);
        refused(
            "verify",
            audit_trail::verify_chain(&mut c, &mut |_, _| {}).await,
        );
        let mut sink = Vec::new();
        let e = audit_trail::export_csv(&c, &all, &mut sink, &mut |_, _| {}).await;
        assert!(e.is_err(), "export: {e:?}");
    }
    // A doctor reads their own entries (the database's rule), nobody else's, and checks no chain.
    let own: Vec<_> = walk(&doctor, &all, 50)
        .await
        .into_iter()
        .flat_map(|p| p.entries)
        .collect();
    assert!(
        own.len() >= 2 && own.iter().all(|e| e.actor_login == doc.user),
        "{own:?}"
    );
    let mut doctor = doctor;
    refused(
        "verify",
        audit_trail::verify_chain(&mut doctor, &mut |_, _| {}).await,
    );
    let e = doctor
        .query("SELECT * FROM clinic.audit_verify_range(1, 10)", &[])
        .await
        .expect_err("a doctor verifies nothing");
    assert_eq!(sqlstate(&e), "42501");
    let e = admin
        .query("SELECT * FROM clinic.audit_verify_range(5, 4)", &[])
        .await
        .expect_err("a backwards range");
    assert_eq!(sqlstate(&e), "22023");
}

async fn verify_both(admin: &mut Client) -> (Option<i64>, Vec<(u64, u64)>, String) {
    let mut seen = Vec::new();
    let check =
        audit_trail::verify_chain_in_chunks(admin, 4, &mut |done, of| seen.push((done, of)))
            .await
            .expect("verify");
    let whole: Option<i64> = admin
        .query_one("SELECT clinic.audit_verify()", &[])
        .await
        .expect("audit_verify")
        .get(0);
    assert_eq!(check.broken.as_ref().map(|b| b.id), whole, "{check:?}");
    (whole, seen, check.words(chrono_tz::UTC))
}

async fn tamper(su: &Client, sql: &str) {
    su.batch_execute(&format!(
        "ALTER TABLE clinic.audit_log DISABLE TRIGGER audit_log_no_update; {sql};
         ALTER TABLE clinic.audit_log ENABLE TRIGGER audit_log_no_update;"
    ))
    .await
    .expect("tampered");
}

#[tokio::test]
async fn the_chain_check_in_chunks_agrees_with_audit_verify() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let ada = db.staff("ada", Job::Admin).await;
    let mut admin = db.connect(&ada).await;
    write_entries(&su, &ada, 30, "chained").await;

    let (broken, seen, words) = verify_both(&mut admin).await;
    assert_eq!(broken, None);
    let sealed: i64 = admin
        .query_one("SELECT sealed FROM clinic.audit_status()", &[])
        .await
        .expect("status")
        .get(0);
    let sealed = u64::try_from(sealed).expect("a count");
    assert!(seen.len() >= 8, "chunks of 4: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
    assert_eq!(seen.last(), Some(&(sealed, sealed)));
    assert!(
        words.starts_with(&format!(
            "The audit trail is whole: {sealed} entries, the newest sealed at "
        )),
        "{words}"
    );

    let id_at = |seq: i64| format!("SELECT id FROM clinic.audit_log WHERE seq = {seq}");
    // An entry changed in the middle (in the sixth chunk).
    let victim = ids(&su, &id_at(22)).await[0];
    tamper(
        &su,
        &format!("UPDATE clinic.audit_log SET actor_login = 'nobody' WHERE id = {victim}"),
    )
    .await;
    let (broken, _, words) = verify_both(&mut admin).await;
    assert_eq!(broken, Some(victim));
    assert!(
        words.contains(&format!("broken at entry {victim} (at ")) && words.contains("by nobody"),
        "{words}"
    );
    // A fresh chain for the next breaks.
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let ada = db.staff("ada", Job::Admin).await;
    let mut admin = db.connect(&ada).await;
    write_entries(&su, &ada, 30, "chained").await;
    verify_both(&mut admin).await;
    // Cut off the end: the head remembers the last entry.
    let last = ids(
        &su,
        "SELECT id FROM clinic.audit_log ORDER BY seq DESC LIMIT 1",
    )
    .await[0];
    tamper(
        &su,
        &format!("DELETE FROM clinic.audit_log WHERE id = {last}"),
    )
    .await;
    let (broken, _, words) = verify_both(&mut admin).await;
    assert_eq!(broken, Some(last));
    assert!(words.contains("the entry is gone"), "{words}");
    // Cut out of the middle, on a chunk's edge: the next entry no longer follows.
    let (gone, next) = (ids(&su, &id_at(8)).await[0], ids(&su, &id_at(9)).await[0]);
    tamper(
        &su,
        &format!("DELETE FROM clinic.audit_log WHERE id = {gone}"),
    )
    .await;
    let (broken, _, _) = verify_both(&mut admin).await;
    assert_eq!(broken, Some(next));
}

fn config_file(db: &TestDb, home: &std::path::Path) -> String {
    let server = db.server_config();
    let path = home.join("clinic.toml");
    std::fs::write(
        &path,
        format!(
            "[server]\nhost = \"{}\"\nport = {}\ndbname = \"{}\"\n",
            server.host, server.port, server.dbname
        ),
    )
    .expect("config");
    path.to_str().expect("path").to_string()
}

fn clinic(
    home: &std::path::Path,
    config: &str,
    login: &Login,
    args: &[&str],
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_clinic"))
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("PGPASSWORD", &login.password)
        .stdin(std::process::Stdio::null())
        .args(["--config", config])
        .args(args)
        .args(["-U", &login.user])
        .output()
        .expect("clinic runs")
}

#[tokio::test]
async fn clinic_audit_export_writes_the_filtered_range_as_csv() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let ada = db.staff("ada", Job::Admin).await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let patient = add_patient(&su, "Exported").await;
    let number: i64 = su
        .query_one(
            "SELECT patient_number FROM clinic.patients WHERE id = $1",
            &[&patient],
        )
        .await
        .expect("number")
        .get(0);
    entries_at(
        &su,
        &[
            (
                "2030-05-01 09:00Z",
                "xena",
                "read",
                Some("medical_records"),
                Some(patient),
            ),
            (
                "2030-05-02 09:00Z",
                "xena",
                "read",
                Some("medical_records"),
                Some(patient),
            ),
            (
                "2030-05-02 10:00Z",
                "yuri",
                "read",
                Some("medical_records"),
                Some(patient),
            ),
            (
                "2030-05-03 09:00Z",
                "xena",
                "read",
                Some("medical_records"),
                Some(patient),
            ),
            (
                "2030-05-02 11:00Z",
                "xena",
                "update",
                Some("patients"),
                Some(patient),
            ),
        ],
    )
    .await;
    let home = tempfile::tempdir().expect("home");
    let config = config_file(&db, home.path());
    let file = home.path().join("audit.csv");
    let number = number.to_string();
    let args = [
        "audit",
        "export",
        "--from",
        "2030-05-01",
        "--to",
        "2030-05-02",
        "--person",
        "xena",
        "--patient",
        &number,
        "--action",
        "read",
        "--table",
        "medical_records",
        file.to_str().expect("path"),
    ];
    let out = clinic(home.path(), &config, &ada, &args);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Wrote 2 audit entries"),
        "{out:?}"
    );
    let csv = std::fs::read_to_string(&file).expect("the file");
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        !csv.replace("\r\n", "").contains('\n'),
        "CRLF only: {csv:?}"
    );
    assert_eq!(
        lines[0],
        "id,at,login,name,action,table,row,patient_id,patient_number,patient_name,summary,needs_review"
    );
    assert!(
        lines[1].contains(",2030-05-01T09:00:00+00:00,xena,,read,medical_records,,"),
        "{csv}"
    );
    assert!(
        lines[2].contains(",2030-05-02T09:00:00+00:00,xena,"),
        "oldest first: {csv}"
    );
    assert!(
        lines[1].contains(&format!(",{number},\"Exported, Test\",,no")),
        "{csv}"
    );

    let out = clinic(home.path(), &config, &rita, &args);
    assert!(!out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not allowed"),
        "{out:?}"
    );
    let bad = clinic(
        home.path(),
        &config,
        &ada,
        &[
            "audit",
            "export",
            "--from",
            "2030-05-02",
            "--to",
            "2030-05-01",
            "x.csv",
        ],
    );
    assert!(
        !bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("before"),
        "{bad:?}"
    );
}

#[tokio::test]
async fn clinic_permissions_prints_the_matrix_for_an_admin_only() {
    let db = TestDb::new().await;
    let ada = db.staff("ada", Job::Admin).await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let admin = db.connect(&ada).await;
    let rows = clinic::db::permissions::permission_matrix(&admin)
        .await
        .expect("the matrix");
    let home = tempfile::tempdir().expect("home");
    let config = config_file(&db, home.path());
    let out = clinic(
        home.path(),
        &config,
        &ada,
        &["permissions", "--format", "csv"],
    );
    assert!(out.status.success(), "{out:?}");
    let csv = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(csv, clinic::domain::permissions::to_csv(&rows));
    assert!(
        csv.contains("\r\nclinic_receptionist,table,patients,UPDATE,yes,"),
        "{csv}"
    );
    let out = clinic(home.path(), &config, &ada, &["permissions"]);
    let md = String::from_utf8(out.stdout).expect("utf-8");
    assert!(md.starts_with("## clinic_accountant\n"), "{md}");
    assert!(
        md.contains("| function | clinic.add_staff(text,text,text,text) | EXECUTE | yes |"),
        "{md}"
    );
    let out = clinic(home.path(), &config, &rita, &["permissions"]);
    assert!(!out.status.success(), "{out:?}");
}
