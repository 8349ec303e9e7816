//! The status machine (all 36 pairs, straight at the database) and the who-and-when stamps that
//! cannot be forged.

use chrono::{DateTime, Duration, Utc};
use clinic::db::appointments::{self, MoveTo, NewAppointment};
use clinic::domain::appointment::AppointmentStatus;

use crate::common::{at, clinic, id, register, today_at, visit, TZ};
use crate::support::sqlstate;

#[tokio::test]
async fn every_status_pair_is_allowed_or_refused_exactly_as_the_domain_says() {
    let c = clinic().await;
    let john = register(&c.desk, "Doe", "John").await;
    use AppointmentStatus::{Cancelled, CheckedIn, Completed, InProgress, NoShow, Scheduled};
    // The path from scheduled to each starting status.
    let path = |s: AppointmentStatus| -> Vec<AppointmentStatus> {
        match s {
            Scheduled => vec![],
            CheckedIn => vec![CheckedIn],
            InProgress => vec![CheckedIn, InProgress],
            Completed => vec![CheckedIn, InProgress, Completed],
            Cancelled => vec![Cancelled],
            NoShow => vec![NoShow],
        }
    };
    let first = (Utc::now() - Duration::minutes(7)).max(today_at(0, 0) + Duration::seconds(1));
    let mut slot = 0;
    let mut allowed = 0;
    for from in AppointmentStatus::ALL {
        for to in AppointmentStatus::ALL {
            // Today, and started (a no-show can be marked once the appointment has begun): 36
            // ten-second visits in the last minutes. (Only in the first six minutes after
            // midnight at the clinic would some still be to come.)
            let start = first + Duration::seconds(10 * slot);
            slot += 1;
            let mut a = appointments::book(
                &c.desk,
                &NewAppointment {
                    ends_at: start + Duration::seconds(10),
                    ..visit(john, id(&c.alice), start, 0)
                },
                TZ,
            )
            .await
            .expect("book");
            for step in path(from) {
                a = match step {
                    Cancelled => appointments::cancel(&c.desk, a.id, a.version, "test", TZ).await,
                    s => appointments::set_status(&c.desk, a.id, a.version, s, TZ).await,
                }
                .unwrap_or_else(|e| panic!("path to {from:?}: {e}"));
            }
            assert_eq!(a.status, from);
            // Straight at the database, so only its own rules decide.
            let r = c
                .desk
                .execute(
                    "UPDATE clinic.appointments
                        SET status = $2, cancel_reason = CASE WHEN $2 = 'cancelled' THEN 'test' ELSE cancel_reason END,
                            status_reason = CASE WHEN $2 = 'scheduled' THEN 'test' ELSE status_reason END
                      WHERE id = $1",
                    &[&a.id, &to.as_str()],
                )
                .await;
            let now: String = c
                .desk
                .query_one(
                    "SELECT status FROM clinic.appointments WHERE id = $1",
                    &[&a.id],
                )
                .await
                .expect("read back")
                .get(0);
            if from.can_move_to(to) {
                assert_eq!(r.expect("allowed"), 1, "{from:?} -> {to:?}");
                assert_eq!(now, to.as_str());
                allowed += 1;
            } else {
                let e = r.expect_err("refused");
                assert_eq!(sqlstate(&e), "23514", "{from:?} -> {to:?}: {e}");
                assert_eq!(
                    now,
                    from.as_str(),
                    "a refused change leaves the row as it was"
                );
            }
        }
    }
    assert_eq!(allowed, 9, "seven steps on and the two undos");
}

#[tokio::test]
async fn history_and_stamps_name_who_and_when_and_cannot_be_forged() {
    let c = clinic().await;
    let john = register(&c.desk, "Doe", "John").await;
    let doctor = c.db.connect(&c.alice).await;
    let before: DateTime<Utc> = c
        .desk
        .query_one("SELECT now()", &[])
        .await
        .expect("now")
        .get(0);

    let a = appointments::book(&c.desk, &visit(john, id(&c.alice), today_at(9, 0), 15), TZ)
        .await
        .expect("book");
    let a = appointments::check_in(&c.desk, a.id, a.version, TZ)
        .await
        .expect("check in");
    let a = appointments::set_status(&doctor, a.id, a.version, AppointmentStatus::InProgress, TZ)
        .await
        .expect("start");
    assert_eq!(
        a.status_changed_by,
        Some(id(&c.alice)),
        "stamped for a doctor too"
    );
    let a = appointments::set_status(&doctor, a.id, a.version, AppointmentStatus::Completed, TZ)
        .await
        .expect("complete");

    let after: DateTime<Utc> = c
        .desk
        .query_one("SELECT now()", &[])
        .await
        .expect("now")
        .get(0);
    for who in [&c.desk, &doctor] {
        let h = appointments::history(who, a.id).await.expect("history");
        let by: Vec<_> = h
            .iter()
            .map(|s| (s.to, s.by_staff_id, s.by_name.clone()))
            .collect();
        use AppointmentStatus::{CheckedIn, Completed, InProgress, Scheduled};
        assert_eq!(
            by,
            [
                (Scheduled, Some(id(&c.rita)), Some("Rita".to_string())),
                (CheckedIn, Some(id(&c.rita)), Some("Rita".to_string())),
                (InProgress, Some(id(&c.alice)), Some("Alice".to_string())),
                (Completed, Some(id(&c.alice)), Some("Alice".to_string())),
            ]
        );
        assert!(h.iter().all(|s| s.at >= before && s.at <= after), "{h:?}");
    }
    // A completed appointment cannot move.
    let to = MoveTo {
        doctor_id: id(&c.alice),
        starts_at: at(7, 12, 0),
        ends_at: at(7, 12, 15),
        squeeze_in: false,
    };
    let err = appointments::move_to(&c.desk, a.id, a.version, &to, TZ)
        .await
        .expect_err("completed");
    assert_eq!(err.to_string(), "A completed appointment cannot be moved.");

    // The desk may write only the booking's own columns: who booked and when come from the session,
    // so naming them is refused outright.
    let forged = c
        .desk
        .query_one(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, booked_by, booked_at,
                                              status_changed_by, status_changed_at, version)
             VALUES ($1, $2, $3, $4, $5, '2001-01-01', $5, '2001-01-01', 42)
             RETURNING booked_by, booked_at, status_changed_by, version",
            &[&john, &id(&c.alice), &at(7, 13, 0), &at(7, 13, 15), &id(&c.alice)],
        )
        .await
        .expect_err("stamps are not the desk's to write");
    assert_eq!(
        forged.code(),
        Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
    );
    let booked = c
        .desk
        .query_one(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at)
             VALUES ($1, $2, $3, $4)
             RETURNING booked_by, booked_at, status_changed_by, version",
            &[&john, &id(&c.alice), &at(7, 13, 0), &at(7, 13, 15)],
        )
        .await
        .expect("insert");
    assert_eq!(booked.get::<_, Option<i64>>(0), Some(id(&c.rita)));
    assert!(booked.get::<_, DateTime<Utc>>(1) >= before);
    assert_eq!(booked.get::<_, Option<i64>>(2), Some(id(&c.rita)));
    assert_eq!(booked.get::<_, i32>(3), 1);
}
