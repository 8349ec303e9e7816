//! What doctors may and may not do with appointments, and that a superuser doing maintenance is
//! not taken for one.

use clinic::db::appointments::{self, BookError};
use clinic::domain::appointment::AppointmentStatus;

use chrono::Utc;
use clinic::domain::schedule::local_date;

use crate::common::{at, clinic, id, register, today_at, visit, TZ};
use crate::support::sqlstate;

#[tokio::test]
async fn a_doctor_runs_their_own_consultations_and_nothing_else() {
    let c = clinic().await;
    let john = register(&c.desk, "Doe", "John").await;
    let amy = register(&c.desk, "Lee", "Amy").await;
    let alice = c.db.connect(&c.alice).await;
    let mine = appointments::book(&c.desk, &visit(john, id(&c.alice), today_at(9, 0), 15), TZ)
        .await
        .expect("book");
    let mine = appointments::check_in(&c.desk, mine.id, mine.version, TZ)
        .await
        .expect("check in");
    let gregs = appointments::book(&c.desk, &visit(amy, id(&c.greg), today_at(9, 0), 15), TZ)
        .await
        .expect("book");
    let gregs = appointments::check_in(&c.desk, gregs.id, gregs.version, TZ)
        .await
        .expect("check in");
    let later = appointments::book(&c.desk, &visit(amy, id(&c.alice), today_at(10, 0), 15), TZ)
        .await
        .expect("book");

    let a = appointments::set_status(
        &alice,
        mine.id,
        mine.version,
        AppointmentStatus::InProgress,
        TZ,
    )
    .await
    .expect("start");
    appointments::set_status(&alice, a.id, a.version, AppointmentStatus::Completed, TZ)
        .await
        .expect("complete");

    // A colleague's appointment is invisible, so not changeable.
    let err = appointments::set_status(
        &alice,
        gregs.id,
        gregs.version,
        AppointmentStatus::InProgress,
        TZ,
    )
    .await
    .expect_err("not hers");
    assert!(matches!(err, BookError::NotFound), "{err:?}");
    let n = alice
        .execute(
            "UPDATE clinic.appointments SET status = 'in_progress' WHERE id = $1",
            &[&gregs.id],
        )
        .await
        .expect("no row matches");
    assert_eq!(n, 0);
    let still = appointments::get(&c.desk, gregs.id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(still.status, AppointmentStatus::CheckedIn);

    // Doctors neither book, nor cancel, nor mark no-shows, nor move.
    let err = appointments::book(&alice, &visit(john, id(&c.alice), today_at(11, 0), 15), TZ)
        .await
        .expect_err("book");
    assert!(matches!(err, BookError::Forbidden(_)), "{err:?}");
    let raw = alice
        .execute(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at) VALUES ($1, $2, $3, $4)",
            &[&john, &id(&c.alice), &today_at(11, 0), &today_at(11, 15)],
        )
        .await
        .expect_err("insert");
    assert_eq!(sqlstate(&raw), "42501");
    let err = appointments::cancel(&alice, later.id, later.version, "busy", TZ)
        .await
        .expect_err("cancel");
    assert!(matches!(err, BookError::Forbidden(_)), "{err:?}");
    let err = appointments::set_status(
        &alice,
        later.id,
        later.version,
        AppointmentStatus::NoShow,
        TZ,
    )
    .await
    .expect_err("ns");
    assert_eq!(
        err.to_string(),
        "A doctor can only start or complete a consultation."
    );
    let raw = alice
        .execute(
            "UPDATE clinic.appointments SET status = 'no_show' WHERE id = $1",
            &[&later.id],
        )
        .await
        .expect_err("no-show");
    assert_eq!(sqlstate(&raw), "42501");
    let raw = alice
        .execute("UPDATE clinic.appointments SET starts_at = starts_at + interval '1 hour' WHERE id = $1", &[&later.id])
        .await
        .expect_err("move");
    assert_eq!(sqlstate(&raw), "42501");

    // Their day shows their own column's appointments only.
    let day = appointments::day_view(&alice, local_date(TZ, Utc::now()), TZ)
        .await
        .expect("day view");
    let seen: Vec<i64> = day
        .doctors
        .iter()
        .flat_map(|d| d.appointments.iter().map(|e| e.id))
        .collect();
    assert_eq!(seen, [mine.id, later.id]);
}

#[tokio::test]
async fn a_superuser_doing_maintenance_is_not_taken_for_a_doctor() {
    let c = clinic().await;
    let su = c.db.superuser().await;
    let john = register(&c.desk, "Doe", "John").await;
    let a = appointments::book(&c.desk, &visit(john, id(&c.alice), at(9, 9, 0), 15), TZ)
        .await
        .expect("book");
    su.execute(
        "UPDATE clinic.appointments SET status = 'cancelled', cancel_reason = 'maintenance' WHERE id = $1",
        &[&a.id],
    )
    .await
    .expect("a superuser may cancel: in every group, but nobody's doctor");
    // A real doctor still may not.
    let b = appointments::book(&c.desk, &visit(john, id(&c.alice), at(9, 10, 0), 15), TZ)
        .await
        .expect("book");
    let alice = c.db.connect(&c.alice).await;
    let refused = alice
        .execute(
            "UPDATE clinic.appointments SET status = 'cancelled', cancel_reason = 'x' WHERE id = $1",
            &[&b.id],
        )
        .await
        .expect_err("a doctor does not cancel");
    assert_eq!(
        refused.code(),
        Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
    );
}
