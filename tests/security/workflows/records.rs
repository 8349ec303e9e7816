//! Chart reads, break-the-glass, and records from draft to signed.

use crate::common::{
    err_code, ok, one_bool, one_i64, one_opt_i64, one_string, run, sid, Outcome, World,
};

#[tokio::test]
async fn chart_reads_are_audited_in_the_same_transaction() {
    let w = World::new().await;
    let dc = w.connect(&w.doctor).await;
    let ad = w.connect(&w.admin).await;
    let p = w.p_own;
    let count_reads = format!(
        "SELECT count(*) FROM clinic.audit_log WHERE action = 'read' AND patient_id = {p} AND actor_login = session_user"
    );
    let before = one_i64(&dc, &count_reads).await;

    // Inside the transaction the entry is already there; roll back and both go together.
    ok(&dc, "BEGIN").await;
    let ids: Vec<i64> = dc
        .query(&format!("SELECT id FROM clinic.open_chart({p})"), &[])
        .await
        .expect("open_chart")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, vec![w.record_draft, w.record_signed]);
    assert_eq!(one_i64(&dc, &count_reads).await, before + 1);
    ok(&dc, "ROLLBACK").await;
    assert_eq!(one_i64(&dc, &count_reads).await, before);

    // Committed: the admin sees who read which patient's chart, and no clinical content.
    ok(&dc, &format!("SELECT count(*) FROM clinic.open_chart({p})")).await;
    assert_eq!(one_i64(&dc, &count_reads).await, before + 1);
    let row = ad
        .query_one(
            &format!(
                "SELECT actor_login, actor_staff_id, table_name, needs_review, detail::text
                   FROM clinic.audit_log WHERE action = 'read' AND patient_id = {p} ORDER BY id DESC LIMIT 1"
            ),
            &[],
        )
        .await
        .expect("admin reads the entry");
    assert_eq!(row.get::<_, String>(0), w.doctor.user);
    assert_eq!(row.get::<_, Option<i64>>(1), Some(sid(&w.doctor)));
    assert_eq!(
        row.get::<_, Option<String>>(2).as_deref(),
        Some("medical_records")
    );
    assert!(!row.get::<_, bool>(3));
    assert_eq!(
        row.get::<_, Option<String>>(4).as_deref(),
        Some(r#"{"access": "care"}"#)
    );

    // Outside the care relationship: refused, and the refusal leaves no read entry.
    assert_eq!(
        err_code(
            &dc,
            &format!("SELECT * FROM clinic.open_chart({})", w.p_stranger)
        )
        .await,
        "42501"
    );
    assert_eq!(
        err_code(
            &dc,
            &format!("SELECT * FROM clinic.open_chart({})", w.p_other)
        )
        .await,
        "42501"
    );
    assert_eq!(
        one_i64(
            &ad,
            &format!("SELECT count(*) FROM clinic.audit_log WHERE action = 'read' AND patient_id IN ({}, {})", w.p_stranger, w.p_other)
        )
        .await,
        0
    );
}

#[tokio::test]
async fn break_the_glass_needs_a_reason_expires_and_is_flagged_for_review() {
    let w = World::new().await;
    let dc = w.connect(&w.doctor).await;
    let ad = w.connect(&w.admin).await;
    let su = w.su().await;
    let ps = w.p_stranger;
    let d = sid(&w.doctor);

    assert_eq!(
        err_code(&dc, &format!("SELECT * FROM clinic.open_chart({ps})")).await,
        "42501"
    );
    for (reason, minutes) in [
        ("because", 30),
        ("   short    ", 30),
        ("Unconscious in the car park", 0),
        ("Unconscious in the car park", 721),
    ] {
        assert_eq!(
            err_code(
                &dc,
                &format!("SELECT clinic.break_glass({ps}, '{reason}', {minutes})")
            )
            .await,
            "23514",
            "{reason:?} for {minutes} minutes"
        );
    }
    assert!(
        one_bool(
            &dc,
            &format!(
                "WITH g AS MATERIALIZED (SELECT clinic.break_glass({ps}, 'Unconscious in the car park', 30) AS until)
                 SELECT until BETWEEN now() + interval '29 minutes' AND now() + interval '31 minutes' FROM g"
            )
        )
        .await
    );
    assert_eq!(
        run(&dc, &format!("SELECT * FROM clinic.open_chart({ps})")).await,
        Outcome::Rows(0)
    );

    // The admin sees the flagged entry and the stated reason.
    let flagged = one_i64(
        &ad,
        &format!(
            "SELECT count(*) FROM clinic.audit_log
              WHERE action = 'break_glass' AND needs_review AND patient_id = {ps} AND actor_staff_id = {d}"
        ),
    )
    .await;
    assert_eq!(flagged, 1);
    assert_eq!(
        one_string(
            &ad,
            &format!("SELECT reason FROM clinic.emergency_access WHERE doctor_id = {d}")
        )
        .await,
        "Unconscious in the car park"
    );

    // Once the grant has expired, the chart is closed again.
    ok(
        &su,
        &format!(
            "UPDATE clinic.emergency_access SET granted_at = now() - interval '2 hours', expires_at = now() - interval '1 hour'
              WHERE doctor_id = {d}"
        ),
    )
    .await;
    assert_eq!(
        err_code(&dc, &format!("SELECT * FROM clinic.open_chart({ps})")).await,
        "42501"
    );
}

/// A grant that expires must not be turned into a permanent care relationship by writing a note
/// while it lasts.
#[tokio::test]
async fn a_note_written_under_break_the_glass_does_not_outlive_the_grant() {
    let w = World::new().await;
    let dc = w.connect(&w.doctor).await;
    let su = w.su().await;
    let (ps, d) = (w.p_stranger, sid(&w.doctor));

    ok(
        &dc,
        &format!("SELECT clinic.break_glass({ps}, 'Unconscious in the car park', 5)"),
    )
    .await;
    let rid = one_i64(
        &dc,
        &format!("SELECT clinic.save_record(NULL, NULL, {ps}, 'note', 'Seen in an emergency', NULL, NULL, NULL)"),
    )
    .await;
    assert!(rid > 0);
    ok(&dc, &format!("SELECT clinic.sign_record({rid})")).await;
    ok(
        &su,
        &format!(
            "UPDATE clinic.emergency_access SET granted_at = now() - interval '2 hours', expires_at = now() - interval '1 hour'
              WHERE doctor_id = {d}"
        ),
    )
    .await;
    assert!(!one_bool(&dc, &format!("SELECT clinic.has_care_relationship({ps})")).await);
    assert_eq!(
        err_code(&dc, &format!("SELECT * FROM clinic.open_chart({ps})")).await,
        "42501"
    );
    assert_eq!(
        err_code(
            &dc,
            &format!("SELECT clinic.save_record(NULL, NULL, {ps}, 'note', 'Still looking', NULL, NULL, NULL)")
        )
        .await,
        "42501"
    );

    // A proper appointment, booked by reception, restores the relationship (and covers that note).
    let rc = w.connect(&w.receptionist).await;
    ok(
        &rc,
        &format!(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at)
             VALUES ({ps}, {d}, '2030-04-01 09:00+00', '2030-04-01 09:15+00')"
        ),
    )
    .await;
    assert_eq!(
        run(&dc, &format!("SELECT * FROM clinic.open_chart({ps})")).await,
        Outcome::Rows(1)
    );
}

#[tokio::test]
async fn records_are_saved_signed_and_then_frozen_for_everyone() {
    let w = World::new().await;
    let dc = w.connect(&w.doctor).await;
    let oc = w.connect(&w.other_doctor).await;
    let su = w.su().await;
    let p = w.p_own;

    let rid = one_i64(
        &dc,
        &format!("SELECT clinic.save_record(NULL, NULL, {p}, 'consultation', 'Cough', 'URTI', 'Rest', 'Two days')"),
    )
    .await;
    // Optimistic concurrency: the version read must be the version saved over.
    assert_eq!(
        one_i64(
            &dc,
            &format!("SELECT clinic.save_record({rid}, 1, {p}, 'consultation', 'Cough', 'URTI', 'Rest and fluids', NULL)")
        )
        .await,
        rid
    );
    assert_eq!(
        err_code(
            &dc,
            &format!("SELECT clinic.save_record({rid}, 1, {p}, 'consultation', 'Cough', 'URTI', 'Stale', NULL)")
        )
        .await,
        "40001"
    );
    // Someone else's draft: not theirs to save or sign.
    assert_eq!(
        err_code(
            &oc,
            &format!("SELECT clinic.save_record({rid}, 2, {p}, 'consultation', 'Mine now', NULL, NULL, NULL)")
        )
        .await,
        "42501"
    );
    assert_eq!(
        err_code(&oc, &format!("SELECT clinic.sign_record({rid})")).await,
        "42501"
    );

    ok(&dc, &format!("SELECT clinic.sign_record({rid})")).await;
    assert_eq!(
        err_code(&dc, &format!("SELECT clinic.sign_record({rid})")).await,
        "42501"
    );
    assert_eq!(
        err_code(
            &dc,
            &format!("SELECT clinic.save_record({rid}, 3, {p}, 'consultation', 'Cough', 'Pneumonia', NULL, NULL)")
        )
        .await,
        "40001"
    );
    // Not even the superuser (or the owner) can change or remove a signed record.
    assert_eq!(
        err_code(
            &su,
            &format!("UPDATE clinic.medical_records SET diagnosis = 'Pneumonia' WHERE id = {rid}")
        )
        .await,
        "42501"
    );
    assert_eq!(
        err_code(
            &su,
            &format!("DELETE FROM clinic.medical_records WHERE id = {rid}")
        )
        .await,
        "42501"
    );
    ok(&su, "SET ROLE clinic_owner").await;
    assert_eq!(
        err_code(
            &su,
            &format!("UPDATE clinic.medical_records SET notes = 'tidied' WHERE id = {rid}")
        )
        .await,
        "42501",
        "the owner, too"
    );
    ok(&su, "RESET ROLE").await;
    assert_eq!(
        one_string(
            &su,
            &format!("SELECT diagnosis FROM clinic.medical_records WHERE id = {rid}")
        )
        .await,
        "URTI"
    );
    // A correction is an amendment pointing at it, and only a signed record can be amended.
    let amendment = one_i64(
        &dc,
        &format!(
            "SELECT clinic.save_record(NULL, NULL, {p}, 'amendment', 'Correction', 'Pneumonia', NULL, NULL, NULL, {rid})"
        ),
    )
    .await;
    assert_eq!(
        one_opt_i64(
            &su,
            &format!("SELECT amends_id FROM clinic.medical_records WHERE id = {amendment}")
        )
        .await,
        Some(rid)
    );
    assert_eq!(
        err_code(
            &dc,
            &format!(
                "SELECT clinic.save_record(NULL, NULL, {p}, 'amendment', 'Correction', NULL, NULL, NULL, NULL, {amendment})"
            )
        )
        .await,
        "23514"
    );
    // Writes are audited by column name, never value.
    let ad = w.connect(&w.admin).await;
    let detail = one_string(
        &ad,
        &format!(
            "SELECT detail::text FROM clinic.audit_log
              WHERE table_name = 'medical_records' AND action = 'update' AND row_id = {rid} ORDER BY id LIMIT 1"
        ),
    )
    .await;
    assert!(
        detail.contains("treatment") && !detail.contains("fluids"),
        "{detail}"
    );
}
