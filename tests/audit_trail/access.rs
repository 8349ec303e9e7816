//! No clinical text in any page or export, and only admins read the trail and check the chain.

use super::support::{sqlstate, TestDb};
use super::{add_patient, walk, write_entries};
use clinic::db::audit_trail::{self, AuditFilter};
use clinic::db::DbError;
use clinic::domain::staff::Job;

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
    // The export is itself in the trail: who took how many entries.
    let page = audit_trail::audit_page(
        &admin,
        &AuditFilter {
            action: Some("export_audit".into()),
            ..AuditFilter::default()
        },
        None,
        None,
        10,
    )
    .await
    .expect("the export's own entry");
    let noted: Vec<(&str, &str)> = page
        .entries
        .iter()
        .map(|e| (e.action.as_str(), e.summary.as_str()))
        .collect();
    let expected = format!("{} entries", n);
    assert_eq!(noted, vec![("export_audit", expected.as_str())]);
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
