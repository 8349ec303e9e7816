//! Booking and running a consultation, step by step.

use crate::common::{err_code, one_i64, one_string, run, sid, Outcome, World};
use crate::support::clinic_today;

#[tokio::test]
async fn appointments_reception_books_the_doctor_runs_the_consultation() {
    let w = World::new().await;
    let (rc, dc, oc) = (
        w.connect(&w.receptionist).await,
        w.connect(&w.doctor).await,
        w.connect(&w.other_doctor).await,
    );
    let (ad, ac) = (w.connect(&w.admin).await, w.connect(&w.accountant).await);
    let (d, r, ps) = (sid(&w.doctor), sid(&w.receptionist), w.p_stranger);

    let a = one_i64(
        &rc,
        &format!(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at)
             VALUES ({ps}, {d}, {}, {}) RETURNING id",
            clinic_today(10, 0),
            clinic_today(10, 15)
        ),
    )
    .await;
    assert_eq!(
        one_i64(
            &rc,
            &format!("SELECT booked_by FROM clinic.appointments WHERE id = {a}")
        )
        .await,
        r
    );
    assert_eq!(
        run(
            &dc,
            &format!("SELECT 1 FROM clinic.appointments WHERE id = {a}")
        )
        .await,
        Outcome::Rows(1)
    );
    assert_eq!(
        run(
            &oc,
            &format!("SELECT 1 FROM clinic.appointments WHERE id = {a}")
        )
        .await,
        Outcome::Rows(0)
    );

    // Doctors cannot book, nor create a relationship by moving someone else's appointment.
    assert_eq!(
        err_code(
            &dc,
            &format!(
                "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at)
                 VALUES ({ps}, {d}, '2030-03-02 10:00+00', '2030-03-02 10:15+00')"
            )
        )
        .await,
        "42501"
    );
    // No double booking.
    assert_eq!(
        err_code(
            &rc,
            &format!(
                "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at)
                 VALUES ({}, {d}, {}, {})",
                w.p_other,
                clinic_today(10, 10),
                clinic_today(10, 25)
            )
        )
        .await,
        "23P01"
    );
    // Reception moves it; the doctor cannot.
    assert_eq!(
        run(
            &rc,
            &format!(
                "UPDATE clinic.appointments SET starts_at = {}, ends_at = {} WHERE id = {a}",
                clinic_today(11, 0),
                clinic_today(11, 15)
            )
        )
        .await,
        Outcome::Rows(1)
    );
    for set in [
        "starts_at = starts_at + interval '1 hour'".to_string(),
        format!("doctor_id = {}", sid(&w.other_doctor)),
        format!("patient_id = {}", w.p_own),
        "reason = 'changed'".to_string(),
    ] {
        assert_eq!(
            err_code(
                &dc,
                &format!("UPDATE clinic.appointments SET {set} WHERE id = {a}")
            )
            .await,
            "42501",
            "doctor: SET {set}"
        );
    }
    // The doctor cannot check in; reception does.
    assert_eq!(
        err_code(
            &dc,
            &format!("UPDATE clinic.appointments SET status = 'checked_in' WHERE id = {a}")
        )
        .await,
        "42501"
    );
    assert_eq!(
        run(
            &rc,
            &format!("UPDATE clinic.appointments SET status = 'checked_in' WHERE id = {a}")
        )
        .await,
        Outcome::Rows(1)
    );
    // Another doctor cannot touch it; the doctor starts and completes it.
    assert_eq!(
        run(
            &oc,
            &format!("UPDATE clinic.appointments SET status = 'in_progress' WHERE id = {a}")
        )
        .await,
        Outcome::Rows(0)
    );
    assert_eq!(
        run(
            &dc,
            &format!("UPDATE clinic.appointments SET status = 'in_progress' WHERE id = {a}")
        )
        .await,
        Outcome::Rows(1)
    );
    assert_eq!(
        run(
            &dc,
            &format!("UPDATE clinic.appointments SET status = 'completed' WHERE id = {a}")
        )
        .await,
        Outcome::Rows(1)
    );
    // A completed appointment cannot be moved, even by reception.
    assert_eq!(
        err_code(
            &rc,
            &format!("UPDATE clinic.appointments SET starts_at = starts_at + interval '1 day' WHERE id = {a}")
        )
        .await,
        "23514"
    );
    // Admin and accountant read, never write.
    for c in [&ad, &ac] {
        assert_eq!(
            run(
                c,
                &format!("SELECT 1 FROM clinic.appointments WHERE id = {a}")
            )
            .await,
            Outcome::Rows(1)
        );
        assert_eq!(
            err_code(c, &format!("UPDATE clinic.appointments SET status = 'cancelled', cancel_reason = 'x' WHERE id = {a}"))
                .await,
            "42501"
        );
    }
    // The history has every step with who did it.
    let history = ad
        .query(
            &format!(
                "SELECT to_status, changed_by FROM clinic.appointment_status_history
                  WHERE appointment_id = {a} ORDER BY id"
            ),
            &[],
        )
        .await
        .expect("history");
    let steps: Vec<(String, Option<i64>)> = history.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(
        steps,
        vec![
            ("scheduled".to_string(), Some(r)),
            ("checked_in".to_string(), Some(r)),
            ("in_progress".to_string(), Some(d)),
            ("completed".to_string(), Some(d)),
        ]
    );
    // Reception cancels another one, with a reason.
    let b = w.appt_other;
    assert_eq!(
        run(
            &rc,
            &format!("UPDATE clinic.appointments SET status = 'cancelled', cancel_reason = 'Patient called' WHERE id = {b}")
        )
        .await,
        Outcome::Rows(1)
    );
    assert_eq!(
        one_string(
            &rc,
            &format!("SELECT reason FROM clinic.appointment_status_history WHERE appointment_id = {b} ORDER BY id DESC LIMIT 1")
        )
        .await,
        "Patient called"
    );
}
