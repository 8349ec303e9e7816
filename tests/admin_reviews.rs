//! Reviewing emergency accesses (sql/0024), by real logins: a doctor breaks the glass, the admin
//! finds it in the queue (who, which patient, the reason, how long), marks it reviewed with a note
//! kept in its own append-only table, and the queue empties; nobody else reviews, nothing is
//! reviewed twice, and the audit says who reviewed, not what they wrote.

mod support;

use clinic::domain::staff::Job;
use support::{sqlstate, TestDb};

#[tokio::test]
async fn an_emergency_access_is_reviewed_once_by_an_admin_with_a_note() {
    let db = TestDb::new().await;
    let su = db.superuser().await;
    let ada = db.staff("ada", Job::Admin).await;
    let greg = db.staff("greg", Job::Doctor).await;
    let admin = db.connect(&ada).await;
    let doctor = db.connect(&greg).await;
    let patient: i64 = su
        .query_one(
            "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                          emergency_contact_name, emergency_contact_phone, insurer, phone)
             VALUES ('Okoye', 'Ada', DATE '1980-01-01', 'female', 'woman', 'Kin', '0123456789', 'Acme', '0201234567')
             RETURNING id",
            &[],
        )
        .await
        .expect("a patient")
        .get(0);
    doctor
        .execute(
            "SELECT clinic.break_glass($1, 'Collapsed in the waiting room', 30)",
            &[&patient],
        )
        .await
        .expect("the glass broken");

    let queue = admin
        .query("SELECT * FROM clinic.emergency_accesses_to_review()", &[])
        .await
        .expect("the queue");
    assert_eq!(queue.len(), 1);
    let row = &queue[0];
    let access: i64 = row.get("access_id");
    assert_eq!(row.get::<_, String>("doctor_name"), "Greg");
    assert_eq!(row.get::<_, String>("patient_name"), "Okoye, Ada");
    assert_eq!(
        row.get::<_, String>("reason"),
        "Collapsed in the waiting room"
    );
    assert_eq!(row.get::<_, i32>("minutes"), 30);

    let e = doctor
        .execute(
            "SELECT clinic.review_emergency_access($1, 'looks fine to me')",
            &[&access],
        )
        .await
        .expect_err("a doctor reviews nobody's access");
    assert_eq!(sqlstate(&e), "42501");
    let e = admin
        .execute("SELECT clinic.review_emergency_access($1, ' ')", &[&access])
        .await
        .expect_err("a note is needed");
    assert_eq!(sqlstate(&e), "23514");
    admin
        .execute(
            "SELECT clinic.review_emergency_access($1, 'Confirmed with the ward: genuine')",
            &[&access],
        )
        .await
        .expect("reviewed");
    let e = admin
        .execute(
            "SELECT clinic.review_emergency_access($1, 'again')",
            &[&access],
        )
        .await
        .expect_err("once");
    assert_eq!(sqlstate(&e), "23505");
    let left = admin
        .query("SELECT * FROM clinic.emergency_accesses_to_review()", &[])
        .await
        .expect("the queue");
    assert!(left.is_empty(), "the queue is empty once reviewed");

    let (audited, detail): (i64, Option<String>) = su
        .query_one(
            "SELECT count(*), max(detail::text) FROM clinic.audit_log
              WHERE action = 'review_emergency_access' AND row_id = $1 AND patient_id = $2",
            &[&access, &patient],
        )
        .await
        .map(|r| (r.get(0), r.get(1)))
        .expect("audit");
    assert_eq!(audited, 1);
    assert!(
        detail.is_none_or(|d| !d.contains("ward")),
        "the note is not in the audit"
    );
    let e = su
        .execute(
            "UPDATE clinic.emergency_access_reviews SET note = 'rewritten'",
            &[],
        )
        .await
        .expect_err("kept as written, even for the superuser");
    assert_eq!(sqlstate(&e), "23514");
}
