//! Booking, moving, cancelling and checking in at the desk.

use clinic::db::appointments::{self, BookError, MoveTo};
use clinic::domain::appointment::AppointmentStatus;

use crate::common::{clinic, id, register, today_at, visit, TZ};
use crate::support::sqlstate;

#[tokio::test]
async fn reception_books_moves_checks_in_and_cancels() {
    let c = clinic().await;
    let john = register(&c.desk, "Doe", "John").await;
    let amy = register(&c.desk, "Lee", "Amy").await;
    let luis = register(&c.desk, "Garcia", "Luis").await;

    let booked = appointments::book(
        &c.desk,
        &visit(john, id(&c.alice), today_at(10, 30), 15),
        TZ,
    )
    .await
    .expect("book");
    assert_eq!(booked.status, AppointmentStatus::Scheduled);
    assert_eq!(booked.status_changed_by, Some(id(&c.rita)));

    // The same slot, and one overlapping it, are taken: the message names who holds it.
    let err = appointments::book(&c.desk, &visit(amy, id(&c.alice), today_at(10, 30), 15), TZ)
        .await
        .expect_err("taken");
    assert!(
        matches!(&err, BookError::SlotTaken { by } if by == "Dr Alice's 10:30 with J. Doe"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "That slot was just taken by Dr Alice's 10:30 with J. Doe."
    );
    let err = appointments::book(&c.desk, &visit(amy, id(&c.alice), today_at(10, 40), 15), TZ)
        .await
        .expect_err("overlap");
    assert!(matches!(err, BookError::SlotTaken { .. }), "{err:?}");
    // Another doctor at the same time is fine.
    appointments::book(&c.desk, &visit(amy, id(&c.greg), today_at(10, 30), 15), TZ)
        .await
        .expect("greg is free");

    // Move with the version read; a second move from the same old version is told who changed it.
    let to = MoveTo {
        doctor_id: id(&c.alice),
        starts_at: today_at(11, 0),
        ends_at: today_at(11, 15),
        squeeze_in: false,
    };
    let moved = appointments::move_to(&c.desk, booked.id, booked.version, &to, TZ)
        .await
        .expect("move");
    assert_eq!(
        (moved.starts_at, moved.version),
        (today_at(11, 0), booked.version + 1)
    );
    let err = appointments::move_to(&c.desk, booked.id, booked.version, &to, TZ)
        .await
        .expect_err("stale");
    assert!(
        matches!(&err, BookError::Changed { by, current, .. } if by == "Rita" && current.version == moved.version),
        "{err:?}"
    );
    // Moving onto someone else's slot is SlotTaken, not a stale version.
    let amys = appointments::book(&c.desk, &visit(amy, id(&c.alice), today_at(10, 30), 15), TZ)
        .await
        .expect("freed");
    let onto = MoveTo {
        starts_at: today_at(10, 30),
        ends_at: today_at(10, 45),
        ..to
    };
    let err = appointments::move_to(&c.desk, booked.id, moved.version, &onto, TZ)
        .await
        .expect_err("onto amy");
    assert!(
        matches!(&err, BookError::SlotTaken { by } if by == "Dr Alice's 10:30 with A. Lee"),
        "{err:?}"
    );

    // Check in; a second desk's late check-in is told, whether its version is stale or not.
    let arrived = appointments::check_in(&c.desk, booked.id, moved.version, TZ)
        .await
        .expect("check in");
    assert_eq!(arrived.status, AppointmentStatus::CheckedIn);
    let err = appointments::check_in(&c.desk, booked.id, moved.version, TZ)
        .await
        .expect_err("stale");
    assert!(matches!(err, BookError::Changed { .. }), "{err:?}");
    let err = appointments::check_in(&c.desk, booked.id, arrived.version, TZ)
        .await
        .expect_err("again");
    assert_eq!(err.to_string(), "The appointment is already checked in.");
    // A checked-in patient can still be moved (the doctor is running late); one in progress cannot.
    let later = MoveTo {
        starts_at: today_at(11, 15),
        ends_at: today_at(11, 30),
        ..to
    };
    let arrived = appointments::move_to(&c.desk, booked.id, arrived.version, &later, TZ)
        .await
        .expect("move arrived");

    // Cancelling needs a reason, then frees the slot.
    let err = appointments::cancel(&c.desk, booked.id, arrived.version, "  ", TZ)
        .await
        .expect_err("no reason");
    assert!(matches!(err, BookError::Refused(_)), "{err:?}");
    let raw = c
        .desk
        .execute("UPDATE clinic.appointments SET status = 'cancelled', cancel_reason = ' ' WHERE id = $1", &[&booked.id])
        .await
        .expect_err("the database wants a reason too");
    assert_eq!(sqlstate(&raw), "23514");
    let cancelled = appointments::cancel(&c.desk, booked.id, arrived.version, "Patient called", TZ)
        .await
        .expect("cancel");
    assert_eq!(cancelled.cancel_reason.as_deref(), Some("Patient called"));
    appointments::book(
        &c.desk,
        &visit(luis, id(&c.alice), today_at(11, 15), 15),
        TZ,
    )
    .await
    .expect("slot free again");
    // A cancelled appointment stays where it was, and its reason stays as given.
    let err = appointments::move_to(&c.desk, booked.id, cancelled.version, &to, TZ)
        .await
        .expect_err("cancelled");
    assert_eq!(err.to_string(), "A cancelled appointment cannot be moved.");
    let raw = c
        .desk
        .execute(
            "UPDATE clinic.appointments SET cancel_reason = 'edited' WHERE id = $1",
            &[&booked.id],
        )
        .await
        .expect_err("reason is history");
    assert_eq!(sqlstate(&raw), "23514");

    let steps: Vec<_> = appointments::history(&c.desk, booked.id)
        .await
        .expect("history")
        .into_iter()
        .map(|h| (h.from, h.to))
        .collect();
    use AppointmentStatus::{Cancelled, CheckedIn, Scheduled};
    assert_eq!(
        steps,
        [
            (None, Scheduled),
            (Some(Scheduled), CheckedIn),
            (Some(CheckedIn), Cancelled)
        ]
    );
    assert_eq!(amys.status, Scheduled);
}
