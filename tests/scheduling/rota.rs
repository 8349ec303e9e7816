//! Who keeps the rota, and what leave, working hours and blocked time do to booking.

use clinic::db::appointments::{self, BookError, NewAppointment};
use clinic::db::availability;
use clinic::db::DbError;
use clinic::domain::schedule::{ExceptionKind, ScheduleException};
use clinic::domain::staff::Job;

use crate::common::{at, clinic, hours, id, register, t, visit, TZ};
use crate::support::sqlstate;

#[tokio::test]
async fn reception_and_admins_keep_the_rota_doctors_and_accountants_read_it() {
    let c = clinic().await;
    let ada = c.db.staff("ada", Job::Admin).await;
    let adam = c.db.staff("adam", Job::Accountant).await;
    let doc = id(&c.alice);
    for (n, keeper) in [&c.rita, &ada].into_iter().enumerate() {
        let k = c.db.connect(keeper).await;
        let weekday = u8::try_from(n + 1).expect("weekday");
        let h = availability::add_working_hours(&k, &hours(doc, weekday, t(9, 0), t(12, 0)))
            .await
            .expect("add hours");
        let overlap =
            availability::add_working_hours(&k, &hours(doc, weekday, t(11, 0), t(13, 0))).await;
        assert!(matches!(overlap, Err(DbError::Conflict(_))), "{overlap:?}");
        let touching =
            availability::add_working_hours(&k, &hours(doc, weekday, t(12, 0), t(17, 0)))
                .await
                .expect("afternoon");
        let h = availability::update_working_hours(
            &k,
            h.id,
            h.version,
            &hours(doc, weekday, t(8, 30), t(12, 0)),
        )
        .await
        .expect("update");
        assert_eq!((h.item.starts, h.version), (t(8, 30), 2));
        let stale = availability::update_working_hours(
            &k,
            h.id,
            1,
            &hours(doc, weekday, t(8, 0), t(12, 0)),
        )
        .await;
        assert!(matches!(stale, Err(DbError::Conflict(_))), "{stale:?}");
        availability::delete_working_hours(&k, touching.id, touching.version)
            .await
            .expect("delete");
        let x = ScheduleException {
            doctor_id: doc,
            starts_at: at(8, 12, 0),
            ends_at: at(8, 17, 0),
            kind: ExceptionKind::Blocked,
            note: Some("practice meeting".into()),
        };
        let x = availability::add_exception(&k, &x)
            .await
            .expect("add exception");
        let moved = ScheduleException {
            starts_at: at(8, 13, 0),
            ..x.item.clone()
        };
        let x = availability::update_exception(&k, x.id, x.version, &moved)
            .await
            .expect("update exception");
        availability::delete_exception(&k, x.id, x.version)
            .await
            .expect("delete exception");
    }
    let rows = availability::working_hours(&c.desk, Some(doc))
        .await
        .expect("list");
    assert_eq!(rows.len(), 2);
    // Not a doctor: refused.
    let err =
        availability::add_working_hours(&c.desk, &hours(id(&c.rita), 3, t(9, 0), t(12, 0))).await;
    assert!(matches!(err, Err(DbError::Invalid(_))), "{err:?}");

    let leave = ScheduleException {
        doctor_id: doc,
        starts_at: at(9, 0, 0),
        ends_at: at(10, 0, 0),
        kind: ExceptionKind::Leave,
        note: None,
    };
    for reader in [&c.alice, &adam] {
        let r = c.db.connect(reader).await;
        assert_eq!(
            availability::working_hours(&r, Some(doc))
                .await
                .expect("read")
                .len(),
            2
        );
        let err = availability::add_working_hours(&r, &hours(doc, 4, t(9, 0), t(12, 0))).await;
        assert!(matches!(err, Err(DbError::Forbidden)), "{err:?}");
        let err = availability::add_exception(&r, &leave).await;
        assert!(matches!(err, Err(DbError::Forbidden)), "{err:?}");
        for sql in [
            "INSERT INTO clinic.working_hours (doctor_id, weekday, starts, ends) VALUES ($1, 5, '09:00', '10:00')",
            "UPDATE clinic.working_hours SET slot_minutes = 30 WHERE doctor_id = $1",
            "DELETE FROM clinic.working_hours WHERE doctor_id = $1",
            "INSERT INTO clinic.schedule_exceptions (doctor_id, starts_at, ends_at, kind)
             VALUES ($1, now(), now() + interval '1 hour', 'leave')",
            "UPDATE clinic.schedule_exceptions SET note = 'x' WHERE doctor_id = $1",
            "DELETE FROM clinic.schedule_exceptions WHERE doctor_id = $1",
        ] {
            let e = r.execute(sql, &[&doc]).await.expect_err(sql);
            assert_eq!(sqlstate(&e), "42501", "{} {sql}", reader.user);
        }
    }
    let forced = c
        .db
        .superuser()
        .await
        .query_one(
            "SELECT bool_and(relrowsecurity AND relforcerowsecurity) FROM pg_class
              WHERE oid IN ('clinic.working_hours'::regclass, 'clinic.schedule_exceptions'::regclass)",
            &[],
        )
        .await
        .expect("catalog")
        .get::<_, bool>(0);
    assert!(forced);
}

#[tokio::test]
async fn leave_is_refused_by_the_database_hours_and_blocked_time_by_the_app() {
    let c = clinic().await;
    let john = register(&c.desk, "Doe", "John").await;
    let doc = id(&c.alice);
    for weekday in [1, 2] {
        availability::add_working_hours(&c.desk, &hours(doc, weekday, t(9, 0), t(12, 0)))
            .await
            .expect("hours");
    }
    // Outside hours: refused unless squeezing in.
    let early = visit(john, doc, at(7, 8, 0), 15);
    let err = appointments::book(&c.desk, &early, TZ)
        .await
        .expect_err("early");
    assert!(matches!(err, BookError::OutsideHours(_)), "{err:?}");
    assert!(
        err.to_string().contains("outside Dr Alice's working hours"),
        "{err}"
    );
    appointments::book(
        &c.desk,
        &NewAppointment {
            squeeze_in: true,
            ..early
        },
        TZ,
    )
    .await
    .expect("squeezed in");
    // Blocked time: the same.
    let meeting = ScheduleException {
        doctor_id: doc,
        starts_at: at(7, 11, 0),
        ends_at: at(7, 11, 30),
        kind: ExceptionKind::Blocked,
        note: Some("practice meeting".into()),
    };
    availability::add_exception(&c.desk, &meeting)
        .await
        .expect("block");
    let during = visit(john, doc, at(7, 11, 15), 15);
    let err = appointments::book(&c.desk, &during, TZ)
        .await
        .expect_err("blocked");
    assert!(matches!(err, BookError::Blocked(_)), "{err:?}");
    assert!(err.to_string().contains("(practice meeting)"), "{err}");
    appointments::book(
        &c.desk,
        &NewAppointment {
            squeeze_in: true,
            ..during
        },
        TZ,
    )
    .await
    .expect("urgent");

    // Leave: an appointment already there stays; new ones are refused, squeezed or not, app or psql.
    let kept = appointments::book(&c.desk, &visit(john, doc, at(8, 9, 0), 15), TZ)
        .await
        .expect("before the leave");
    let leave = ScheduleException {
        doctor_id: doc,
        starts_at: at(8, 0, 0),
        ends_at: at(9, 0, 0),
        kind: ExceptionKind::Leave,
        note: Some("conference".into()),
    };
    availability::add_exception(&c.desk, &leave)
        .await
        .expect("leave over an existing booking is recorded");
    let tuesday = NewAppointment {
        squeeze_in: true,
        ..visit(john, doc, at(8, 10, 0), 15)
    };
    let err = appointments::book(&c.desk, &tuesday, TZ)
        .await
        .expect_err("on leave");
    assert!(matches!(err, BookError::OnLeave(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("Dr Alice is on leave from Tue 08 Jan 00:00"),
        "{err}"
    );
    let raw = c
        .desk
        .execute(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at) VALUES ($1, $2, $3, $4)",
            &[&john, &doc, &at(8, 10, 0), &at(8, 10, 15)],
        )
        .await
        .expect_err("the database refuses too");
    assert_eq!(sqlstate(&raw), "23514");
    assert_eq!(
        raw.as_db_error().and_then(|d| d.constraint()),
        Some("appointments_doctor_on_leave")
    );
    let monday_one = appointments::book(&c.desk, &visit(john, doc, at(7, 10, 0), 15), TZ)
        .await
        .expect("monday");
    let raw = c
        .desk
        .execute("UPDATE clinic.appointments SET starts_at = starts_at + interval '1 day', ends_at = ends_at + interval '1 day' WHERE id = $1", &[&monday_one.id])
        .await
        .expect_err("moving into leave");
    assert_eq!(sqlstate(&raw), "23514");
    // The booking that was already there can still be checked in or cancelled.
    appointments::cancel(&c.desk, kept.id, kept.version, "Doctor away", TZ)
        .await
        .expect("cancel under leave");
}
