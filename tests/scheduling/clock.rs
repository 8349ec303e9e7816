//! Status changes that match the clock, enforced by the database as each login: no no-show before
//! the start, no check-in or start on another day than the appointment's (the clinic's day), the
//! two undos with their reasons in the history, and the warning about a patient booked with two
//! doctors at once.

use chrono::{Duration, Utc};
use clinic::db::appointments::{self, BookError, NewAppointment};
use clinic::domain::appointment::AppointmentStatus;

use crate::common::{clinic, id, register, started_today, today_at, visit, TZ};
use crate::support::sqlstate;

/// The database's own words for a refusal (the trigger's message), for the assertions.
fn refused(e: &BookError) -> String {
    match e {
        BookError::Refused(m) => m.clone(),
        other => panic!("expected a refusal in words, got {other:?}"),
    }
}

#[tokio::test]
async fn no_show_check_in_and_start_go_by_the_clinics_clock() {
    let c = clinic().await;
    let john = register(&c.desk, "Doe", "John").await;
    let alice = c.db.connect(&c.alice).await;
    let doc = id(&c.alice);

    // Not started yet: no no-show (two hours from now, today or tomorrow).
    let later = appointments::book(
        &c.desk,
        &visit(john, doc, Utc::now() + Duration::hours(2), 15),
        TZ,
    )
    .await
    .expect("book");
    let e = appointments::set_status(
        &c.desk,
        later.id,
        later.version,
        AppointmentStatus::NoShow,
        TZ,
    )
    .await
    .expect_err("no-show before the start");
    assert!(
        refused(&e).contains("once the appointment has started"),
        "{e}"
    );
    // Straight at the database too, whoever asks.
    let raw = c
        .desk
        .execute(
            "UPDATE clinic.appointments SET status = 'no_show' WHERE id = $1",
            &[&later.id],
        )
        .await
        .expect_err("refused");
    assert_eq!(sqlstate(&raw), "23514");

    // Tomorrow's appointment: no check-in today.
    let tomorrow = appointments::book(
        &c.desk,
        &visit(john, doc, today_at(10, 0) + Duration::days(1), 15),
        TZ,
    )
    .await
    .expect("book");
    let e = appointments::check_in(&c.desk, tomorrow.id, tomorrow.version, TZ)
        .await
        .expect_err("check in tomorrow's");
    assert!(refused(&e).contains("only on the day"), "{e}");

    // Yesterday's, checked in (as the owner writes history): the doctor cannot start it today.
    let su = c.db.superuser().await;
    let yesterday: i64 = su
        .query_one(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, status)
             VALUES ($1, $2, $3::timestamptz, $3::timestamptz + interval '15 minutes', 'checked_in') RETURNING id",
            &[&john, &doc, &(today_at(10, 0) - Duration::days(1))],
        )
        .await
        .expect("yesterday's")
        .get(0);
    let raw = alice
        .execute(
            "UPDATE clinic.appointments SET status = 'in_progress' WHERE id = $1",
            &[&yesterday],
        )
        .await
        .expect_err("start yesterday's");
    assert_eq!(sqlstate(&raw), "23514");

    // Today's, started: a no-show is allowed; a check-in of today's is allowed.
    let now = appointments::book(&c.desk, &visit(john, doc, started_today(), 5), TZ)
        .await
        .expect("book");
    appointments::set_status(&c.desk, now.id, now.version, AppointmentStatus::NoShow, TZ)
        .await
        .expect("no-show once started");
    let today = appointments::book(&c.desk, &visit(john, id(&c.greg), today_at(23, 30), 15), TZ)
        .await
        .expect("book");
    appointments::check_in(&c.desk, today.id, today.version, TZ)
        .await
        .expect("check in today's");
}

#[tokio::test]
async fn a_check_in_and_a_same_day_no_show_can_be_taken_back_with_a_reason() {
    let c = clinic().await;
    let john = register(&c.desk, "Doe", "John").await;
    let amy = register(&c.desk, "Lee", "Amy").await;
    let alice = c.db.connect(&c.alice).await;
    let doc = id(&c.alice);

    let a = appointments::book(&c.desk, &visit(john, doc, today_at(23, 0), 15), TZ)
        .await
        .expect("book");
    let a = appointments::check_in(&c.desk, a.id, a.version, TZ)
        .await
        .expect("check in");
    // Without a reason: refused, by the app's function and by the database.
    let e = appointments::take_back(&c.desk, a.id, a.version, "  ", TZ)
        .await
        .expect_err("no reason");
    assert!(refused(&e).contains("Say why"), "{e}");
    let raw = c
        .desk
        .execute(
            "UPDATE clinic.appointments SET status = 'scheduled' WHERE id = $1",
            &[&a.id],
        )
        .await
        .expect_err("no reason");
    assert_eq!(sqlstate(&raw), "23514");
    // The doctor cannot take a check-in back.
    let raw = alice
        .execute(
            "UPDATE clinic.appointments SET status = 'scheduled' WHERE id = $1",
            &[&a.id],
        )
        .await
        .expect_err("not the doctor's step");
    assert_eq!(sqlstate(&raw), "42501");
    let back = appointments::take_back(&c.desk, a.id, a.version, "Checked in the wrong John", TZ)
        .await
        .expect("taken back");
    assert_eq!(back.status, AppointmentStatus::Scheduled);
    assert_eq!(back.status_changed_by, Some(id(&c.rita)), "stamped");

    // A no-show marked too soon, taken back the same day.
    let b = appointments::book(&c.desk, &visit(amy, id(&c.greg), started_today(), 5), TZ)
        .await
        .expect("book");
    let b = appointments::set_status(&c.desk, b.id, b.version, AppointmentStatus::NoShow, TZ)
        .await
        .expect("no-show");
    appointments::take_back(&c.desk, b.id, b.version, "She was in the waiting room", TZ)
        .await
        .expect("no-show taken back");

    // Yesterday's no-show stays one.
    let su = c.db.superuser().await;
    let old: i64 = su
        .query_one(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, status)
             VALUES ($1, $2, $3::timestamptz, $3::timestamptz + interval '15 minutes', 'no_show') RETURNING id",
            &[&amy, &doc, &(today_at(10, 0) - Duration::days(1))],
        )
        .await
        .expect("yesterday's no-show")
        .get(0);
    let e = appointments::take_back(&c.desk, old, 1, "Too late", TZ)
        .await
        .expect_err("another day");
    assert!(refused(&e).contains("only on the day"), "{e}");

    // Each undo is in the history with its reason and who did it.
    for (appointment, from, reason) in [
        (
            a.id,
            AppointmentStatus::CheckedIn,
            "Checked in the wrong John",
        ),
        (
            b.id,
            AppointmentStatus::NoShow,
            "She was in the waiting room",
        ),
    ] {
        let h = appointments::history(&c.desk, appointment)
            .await
            .expect("history");
        let last = h.last().expect("a history");
        assert_eq!(
            (last.from, last.to, last.reason.as_deref(), last.by_staff_id),
            (
                Some(from),
                AppointmentStatus::Scheduled,
                Some(reason),
                Some(id(&c.rita))
            )
        );
    }
}

#[tokio::test]
async fn a_patient_with_another_doctor_then_is_a_warning_that_can_be_overruled() {
    let c = clinic().await;
    let john = register(&c.desk, "Doe", "John").await;
    let with_greg =
        appointments::book(&c.desk, &visit(john, id(&c.greg), today_at(10, 30), 15), TZ)
            .await
            .expect("book with greg");
    let overlapping = NewAppointment {
        overlap_ok: false,
        ..visit(john, id(&c.alice), today_at(10, 40), 15)
    };
    let e = appointments::book(&c.desk, &overlapping, TZ)
        .await
        .expect_err("warned");
    match &e {
        BookError::PatientBusy(what) => {
            assert!(
                what.contains("Dr Greg") && what.contains("10:30-10:45"),
                "{what}"
            );
        }
        other => panic!("expected the warning, got {other:?}"),
    }
    assert!(e.to_string().contains("Book anyway"), "{e}");
    // Once cancelled, the other appointment does not count.
    let booked = appointments::book(
        &c.desk,
        &NewAppointment {
            overlap_ok: true,
            ..overlapping.clone()
        },
        TZ,
    )
    .await
    .expect("booked anyway, as the desk chose");
    assert_eq!(booked.patient_id, john);
    appointments::cancel(&c.desk, with_greg.id, with_greg.version, "Seeing Alice", TZ)
        .await
        .expect("cancel");
    let after = NewAppointment {
        overlap_ok: false,
        ..visit(john, id(&c.greg), today_at(10, 45), 15)
    };
    appointments::book(&c.desk, &after, TZ)
        .await
        .expect_err("still with alice at 10:40-10:55");
}
