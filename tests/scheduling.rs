//! Scheduling against a real database, as real logins: booking, moving, cancelling and checking in
//! at the desk; the status machine (all 36 pairs); who-and-when stamps; what doctors may and may not
//! do; who keeps the rota; leave and working hours; the calendar's views, the slot finder and
//! today's queue; desks racing for the same slots; and live updates over LISTEN/NOTIFY.

mod support;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use chrono_tz::Tz;
use clinic::db::appointments::{self, BookError, MoveTo, NewAppointment};
use clinic::db::availability;
use clinic::db::listen;
use clinic::db::DbError;
use clinic::domain::appointment::{AppointmentStatus, QueueState};
use clinic::domain::live::LiveEvent;
use clinic::domain::schedule::{
    day_bounds, local_date, ExceptionKind, ScheduleException, SlotState, WorkingHours,
};
use clinic::domain::staff::Job;
use rand::{Rng, SeedableRng};
use support::{sqlstate, Login, TestDb};
use tokio::sync::{mpsc, Barrier};
use tokio_postgres::Client;

const TZ: Tz = London;

/// 2030-01-07 is a Monday; January in London is UTC, so the numbers read as wall-clock times.
fn at(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, day, h, m, 0)
        .single()
        .expect("instant")
}
fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2030, 1, 7).expect("date")
}
fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("time")
}

fn visit(
    patient_id: i64,
    doctor_id: i64,
    starts_at: DateTime<Utc>,
    minutes: i64,
) -> NewAppointment {
    NewAppointment {
        patient_id,
        doctor_id,
        starts_at,
        ends_at: starts_at + Duration::minutes(minutes),
        reason: Some("Check-up".into()),
        squeeze_in: false,
    }
}

async fn register(desk: &Client, family: &str, given: &str) -> i64 {
    desk.query_one(
        "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex)
         VALUES ($1, $2, '1985-06-15', 'unknown') RETURNING id",
        &[&family, &given],
    )
    .await
    .expect("register a patient")
    .get(0)
}

fn id(l: &Login) -> i64 {
    l.staff_id.expect("staff id")
}

/// A clinic with a receptionist (rita) and two doctors (alice, greg), connected as rita.
struct Clinic {
    db: TestDb,
    rita: Login,
    desk: Client,
    alice: Login,
    greg: Login,
}

async fn clinic() -> Clinic {
    let db = TestDb::new().await;
    let rita = db.staff("rita", Job::Receptionist).await;
    let alice = db.staff("alice", Job::Doctor).await;
    let greg = db.staff("greg", Job::Doctor).await;
    let desk = db.connect(&rita).await;
    Clinic {
        db,
        rita,
        desk,
        alice,
        greg,
    }
}

#[tokio::test]
async fn reception_books_moves_checks_in_and_cancels() {
    let c = clinic().await;
    let john = register(&c.desk, "Doe", "John").await;
    let amy = register(&c.desk, "Lee", "Amy").await;
    let luis = register(&c.desk, "Garcia", "Luis").await;

    let booked = appointments::book(&c.desk, &visit(john, id(&c.alice), at(7, 10, 30), 15), TZ)
        .await
        .expect("book");
    assert_eq!(booked.status, AppointmentStatus::Scheduled);
    assert_eq!(booked.status_changed_by, Some(id(&c.rita)));

    // The same slot, and one overlapping it, are taken: the message names who holds it.
    let err = appointments::book(&c.desk, &visit(amy, id(&c.alice), at(7, 10, 30), 15), TZ)
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
    let err = appointments::book(&c.desk, &visit(amy, id(&c.alice), at(7, 10, 40), 15), TZ)
        .await
        .expect_err("overlap");
    assert!(matches!(err, BookError::SlotTaken { .. }), "{err:?}");
    // Another doctor at the same time is fine.
    appointments::book(&c.desk, &visit(amy, id(&c.greg), at(7, 10, 30), 15), TZ)
        .await
        .expect("greg is free");

    // Move with the version read; a second move from the same old version is told who changed it.
    let to = MoveTo {
        doctor_id: id(&c.alice),
        starts_at: at(7, 11, 0),
        ends_at: at(7, 11, 15),
        squeeze_in: false,
    };
    let moved = appointments::move_to(&c.desk, booked.id, booked.version, &to, TZ)
        .await
        .expect("move");
    assert_eq!(
        (moved.starts_at, moved.version),
        (at(7, 11, 0), booked.version + 1)
    );
    let err = appointments::move_to(&c.desk, booked.id, booked.version, &to, TZ)
        .await
        .expect_err("stale");
    assert!(
        matches!(&err, BookError::Changed { by, current, .. } if by == "Rita" && current.version == moved.version),
        "{err:?}"
    );
    // Moving onto someone else's slot is SlotTaken, not a stale version.
    let amys = appointments::book(&c.desk, &visit(amy, id(&c.alice), at(7, 10, 30), 15), TZ)
        .await
        .expect("freed");
    let onto = MoveTo {
        starts_at: at(7, 10, 30),
        ends_at: at(7, 10, 45),
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
        starts_at: at(7, 11, 15),
        ends_at: at(7, 11, 30),
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
    appointments::book(&c.desk, &visit(luis, id(&c.alice), at(7, 11, 15), 15), TZ)
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
    let mut slot = 0;
    let mut allowed = 0;
    for from in AppointmentStatus::ALL {
        for to in AppointmentStatus::ALL {
            let start = at(7, 8, 0) + Duration::minutes(15 * slot);
            slot += 1;
            let mut a = appointments::book(&c.desk, &visit(john, id(&c.alice), start, 15), TZ)
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
                        SET status = $2, cancel_reason = CASE WHEN $2 = 'cancelled' THEN 'test' ELSE cancel_reason END
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
    assert_eq!(allowed, 7);
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

    let a = appointments::book(&c.desk, &visit(john, id(&c.alice), at(7, 9, 0), 15), TZ)
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

#[tokio::test]
async fn a_doctor_runs_their_own_consultations_and_nothing_else() {
    let c = clinic().await;
    let john = register(&c.desk, "Doe", "John").await;
    let amy = register(&c.desk, "Lee", "Amy").await;
    let alice = c.db.connect(&c.alice).await;
    let mine = appointments::book(&c.desk, &visit(john, id(&c.alice), at(7, 9, 0), 15), TZ)
        .await
        .expect("book");
    let mine = appointments::check_in(&c.desk, mine.id, mine.version, TZ)
        .await
        .expect("check in");
    let gregs = appointments::book(&c.desk, &visit(amy, id(&c.greg), at(7, 9, 0), 15), TZ)
        .await
        .expect("book");
    let gregs = appointments::check_in(&c.desk, gregs.id, gregs.version, TZ)
        .await
        .expect("check in");
    let later = appointments::book(&c.desk, &visit(amy, id(&c.alice), at(7, 10, 0), 15), TZ)
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
    let err = appointments::book(&alice, &visit(john, id(&c.alice), at(7, 11, 0), 15), TZ)
        .await
        .expect_err("book");
    assert!(matches!(err, BookError::Forbidden(_)), "{err:?}");
    let raw = alice
        .execute(
            "INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at) VALUES ($1, $2, $3, $4)",
            &[&john, &id(&c.alice), &at(7, 11, 0), &at(7, 11, 15)],
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
    let day = appointments::day_view(&alice, monday(), TZ)
        .await
        .expect("day view");
    let seen: Vec<i64> = day
        .doctors
        .iter()
        .flat_map(|d| d.appointments.iter().map(|e| e.id))
        .collect();
    assert_eq!(seen, [mine.id, later.id]);
}

fn hours(doctor_id: i64, weekday: u8, starts: NaiveTime, ends: NaiveTime) -> WorkingHours {
    WorkingHours {
        doctor_id,
        weekday,
        starts,
        ends,
        slot_minutes: 15,
    }
}

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

#[tokio::test]
async fn the_calendar_the_slot_finder_and_todays_queue() {
    let c = clinic().await;
    let (alice, greg) = (id(&c.alice), id(&c.greg));
    let john = register(&c.desk, "Doe", "John").await;
    let amy = register(&c.desk, "Lee", "Amy").await;
    availability::add_working_hours(&c.desk, &hours(alice, 1, t(9, 0), t(10, 0)))
        .await
        .expect("alice");
    availability::add_working_hours(
        &c.desk,
        &WorkingHours {
            slot_minutes: 30,
            ..hours(greg, 1, t(9, 0), t(10, 0))
        },
    )
    .await
    .expect("greg");
    let a1 = appointments::book(&c.desk, &visit(john, alice, at(7, 9, 0), 15), TZ)
        .await
        .expect("book");
    appointments::book(&c.desk, &visit(amy, alice, at(7, 9, 15), 15), TZ)
        .await
        .expect("book");
    let g1 = appointments::book(&c.desk, &visit(amy, greg, at(7, 9, 0), 30), TZ)
        .await
        .expect("book");
    appointments::cancel(&c.desk, g1.id, g1.version, "Rebooked", TZ)
        .await
        .expect("cancel");

    let ada = c.db.staff("ada", Job::Admin).await;
    let adam = c.db.staff("adam", Job::Accountant).await;
    // Accountants see who was seen by whom and when, not why (the reason can be clinical): the
    // database refuses them the column, and their calendar comes without it.
    let accounts = c.db.connect(&adam).await;
    let refused = accounts
        .query("SELECT reason FROM clinic.appointments", &[])
        .await
        .expect_err("no reason for billing");
    assert_eq!(sqlstate(&refused), "42501");
    let billing = appointments::day_view(&accounts, monday(), TZ)
        .await
        .expect("billing's day view");
    let reasons: Vec<_> = billing
        .doctors
        .iter()
        .flat_map(|d| &d.appointments)
        .map(|e| e.reason.clone())
        .collect();
    assert_eq!(reasons, [None, None, None]);
    for who in [
        c.db.connect(&c.rita).await,
        c.db.connect(&ada).await,
        accounts,
    ] {
        let day = appointments::day_view(&who, monday(), TZ)
            .await
            .expect("day view");
        let names: Vec<&str> = day.doctors.iter().map(|d| d.doctor.name.as_str()).collect();
        assert_eq!(names, ["Alice", "Greg"], "ordered by name");
        let col = &day.doctors[0];
        let shown: Vec<(&str, AppointmentStatus)> = col
            .appointments
            .iter()
            .map(|e| (e.patient_name.as_str(), e.status))
            .collect();
        assert_eq!(
            shown,
            [
                ("Doe, John", AppointmentStatus::Scheduled),
                ("Lee, Amy", AppointmentStatus::Scheduled)
            ]
        );
        assert_eq!(col.periods.len(), 1);
        assert!(
            matches!(col.slot_state(at(7, 9, 0), at(7, 9, 15)), SlotState::Booked(e) if e.id == a1.id)
        );
        assert!(matches!(
            col.slot_state(at(7, 9, 30), at(7, 9, 45)),
            SlotState::Free
        ));
        assert!(matches!(
            col.slot_state(at(7, 10, 0), at(7, 10, 15)),
            SlotState::Closed
        ));
        assert!(matches!(
            day.doctors[1].slot_state(at(7, 9, 0), at(7, 9, 30)),
            SlotState::Cancelled(_)
        ));
    }
    let week = appointments::week_view(&c.desk, alice, monday(), TZ)
        .await
        .expect("week");
    assert_eq!(week.days.len(), 7);
    assert_eq!(week.days[0].appointments.len(), 2);
    assert_eq!(week.days[0].hours.len(), 1);
    assert!(week.days[1..]
        .iter()
        .all(|d| d.appointments.is_empty() && d.periods.is_empty()));

    // Alice's 09:00 and 09:15 are taken; next is 09:30, 09:45, then next Monday.
    let mine = appointments::find_free_slots(&c.desk, Some(alice), at(7, 0, 0), TZ, 3)
        .await
        .expect("finder");
    let starts: Vec<_> = mine.iter().map(|s| s.starts_at).collect();
    assert_eq!(starts, [at(7, 9, 30), at(7, 9, 45), at(14, 9, 0)]);
    // Any doctor: Greg's cancelled 09:00 is free again; by time, then doctor.
    let any = appointments::find_free_slots(&c.desk, None, at(7, 0, 0), TZ, 4)
        .await
        .expect("finder");
    let got: Vec<_> = any.iter().map(|s| (s.starts_at, s.doctor_id)).collect();
    assert_eq!(
        got,
        [
            (at(7, 9, 0), greg),
            (at(7, 9, 30), alice),
            (at(7, 9, 30), greg),
            (at(7, 9, 45), alice)
        ]
    );

    // Today's queue, with today's real clock (waiting times are measured by the server).
    let nina = c.db.staff("nina", Job::Doctor).await;
    let now = Utc::now();
    let today = local_date(TZ, now);
    let (day_start, day_end) = day_bounds(TZ, today);
    let start = (now - Duration::minutes(40))
        .max(day_start)
        .min(day_end - Duration::minutes(30));
    let mut ids = Vec::new();
    for (k, p) in [john, amy, john, amy, john].into_iter().enumerate() {
        let k = i64::try_from(k).expect("small");
        let s = start + Duration::minutes(5 * k);
        ids.push(
            appointments::book(&c.desk, &visit(p, id(&nina), s, 5), TZ)
                .await
                .expect("book today"),
        );
    }
    let arrived = appointments::check_in(&c.desk, ids[1].id, ids[1].version, TZ)
        .await
        .expect("check in");
    let with = appointments::check_in(&c.desk, ids[2].id, ids[2].version, TZ)
        .await
        .expect("check in");
    appointments::set_status(
        &c.desk,
        with.id,
        with.version,
        AppointmentStatus::InProgress,
        TZ,
    )
    .await
    .expect("with doctor");
    appointments::cancel(&c.desk, ids[3].id, ids[3].version, "Unwell", TZ)
        .await
        .expect("cancel");
    appointments::set_status(
        &c.desk,
        ids[4].id,
        ids[4].version,
        AppointmentStatus::NoShow,
        TZ,
    )
    .await
    .expect("no show");
    let queue = appointments::today_queue(&c.desk, today, TZ)
        .await
        .expect("queue");
    let ours: Vec<_> = queue.iter().filter(|q| q.doctor_id == id(&nina)).collect();
    assert_eq!(ours.len(), 4, "the cancellation is not in the queue");
    assert!(ours.windows(2).all(|w| w[0].starts_at <= w[1].starts_at));
    assert_eq!(ours[0].state, QueueState::Expected);
    assert_eq!(
        ours[1].state,
        QueueState::Arrived {
            since: arrived.status_changed_at
        }
    );
    assert_eq!(ours[1].waiting_minutes, Some(0));
    assert!(matches!(ours[2].state, QueueState::WithDoctor { .. }));
    assert_eq!(ours[3].state, QueueState::NoShow);
    assert_eq!(ours[1].patient_name, "Lee, Amy");
}

/// One desk: its own receptionist login on its own connection.
async fn desks(db: &TestDb, n: usize) -> Vec<Client> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let login = db.staff(&format!("desk{i}"), Job::Receptionist).await;
        out.push(db.connect(&login).await);
    }
    out
}

#[tokio::test]
async fn sixteen_desks_booking_one_slot_exactly_one_wins() {
    let c = clinic().await;
    let doc = id(&c.alice);
    let mut patients = Vec::new();
    for i in 0..16 {
        patients.push(register(&c.desk, &format!("Racer{i}"), "Pat").await);
    }
    let barrier = Arc::new(Barrier::new(16));
    let mut tasks = Vec::new();
    for (desk, patient) in desks(&c.db, 16).await.into_iter().zip(patients) {
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            appointments::book(&desk, &visit(patient, doc, at(7, 10, 30), 15), TZ).await
        }));
    }
    let mut won = Vec::new();
    let mut taken = Vec::new();
    for t in tasks {
        match t.await.expect("task") {
            Ok(a) => won.push(a),
            Err(BookError::SlotTaken { by }) => taken.push(by),
            Err(e) => panic!("unexpected: {e:?}"),
        }
    }
    assert_eq!((won.len(), taken.len()), (1, 15));
    let family: String = c
        .desk
        .query_one(
            "SELECT family_name FROM clinic.patients WHERE id = $1",
            &[&won[0].patient_id],
        )
        .await
        .expect("winner")
        .get(0);
    let expected = format!("Dr Alice's 10:30 with P. {family}");
    assert!(taken.iter().all(|by| *by == expected), "{taken:?}");
}

#[tokio::test]
async fn sixteen_desks_fifty_bookings_each_never_double_book() {
    let c = clinic().await;
    let doctors = [id(&c.alice), id(&c.greg)];
    let mut patients = Vec::new();
    for i in 0..16 {
        patients.push(register(&c.desk, &format!("Desk{i}"), "Pat").await);
    }
    let barrier = Arc::new(Barrier::new(16));
    let mut tasks = Vec::new();
    for (n, (desk, patient)) in desks(&c.db, 16).await.into_iter().zip(patients).enumerate() {
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(n as u64);
            let (mut booked, mut taken) = (0, 0);
            barrier.wait().await;
            for _ in 0..50 {
                // 100 slots: 2 doctors x 50 quarter-hours; some visits are half an hour, so they
                // collide with neighbours too, not only with the same start.
                let slot: i64 = rng.gen_range(0..100);
                let doctor = doctors[usize::from(slot >= 50)];
                let start = at(7, 8, 0) + Duration::minutes(15 * (slot % 50));
                let minutes = if rng.gen_bool(0.3) { 30 } else { 15 };
                match appointments::book(&desk, &visit(patient, doctor, start, minutes), TZ).await {
                    Ok(a) => {
                        booked += 1;
                        // Now and then the patient cancels at once, freeing the slot for others.
                        if rng.gen_bool(0.1) {
                            appointments::cancel(&desk, a.id, a.version, "changed mind", TZ)
                                .await
                                .expect("cancel");
                        }
                    }
                    Err(BookError::SlotTaken { .. }) => taken += 1,
                    Err(e) => panic!("unexpected: {e:?}"),
                }
            }
            (booked, taken)
        }));
    }
    let (mut booked, mut taken) = (0, 0);
    for t in tasks {
        let (b, k) = t.await.expect("task");
        booked += b;
        taken += k;
    }
    assert_eq!(booked + taken, 16 * 50);
    assert!(booked > 0 && taken > 0, "booked {booked}, taken {taken}");
    let su = c.db.superuser().await;
    let overlaps: i64 = su
        .query_one(
            "SELECT count(*) FROM clinic.appointments a JOIN clinic.appointments b
                ON a.doctor_id = b.doctor_id AND a.id < b.id
               AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
             WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'",
            &[],
        )
        .await
        .expect("self-join")
        .get(0);
    assert_eq!(overlaps, 0);
    let rows: i64 = su
        .query_one("SELECT count(*) FROM clinic.appointments", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(rows, booked, "every success is one row, every refusal none");
}

async fn next_event(
    rx: &mut mpsc::UnboundedReceiver<LiveEvent>,
    within: StdDuration,
) -> Option<LiveEvent> {
    tokio::time::timeout(within, rx.recv()).await.ok().flatten()
}

/// Wait for `want`, skipping other events, for at most `within`.
async fn wait_for(
    rx: &mut mpsc::UnboundedReceiver<LiveEvent>,
    want: LiveEvent,
    within: StdDuration,
) -> bool {
    let deadline = Instant::now() + within;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match next_event(rx, left).await {
            Some(e) if e == want => return true,
            Some(_) => {}
            None => return false,
        }
    }
    false
}

#[tokio::test]
async fn other_desks_changes_arrive_live_and_survive_a_dropped_connection() {
    let c = clinic().await;
    let john = register(&c.desk, "Doe", "John").await;
    let listener = c.db.staff("lena", Job::Receptionist).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = listen::spawn_listener(c.db.config_for(&listener), tx);
    assert_eq!(
        next_event(&mut rx, StdDuration::from_secs(5)).await,
        Some(LiveEvent::Reconnected)
    );

    let booked_at = Instant::now();
    let a = appointments::book(&c.desk, &visit(john, id(&c.alice), at(7, 9, 0), 15), TZ)
        .await
        .expect("book");
    assert!(
        wait_for(
            &mut rx,
            LiveEvent::Appointment(a.id),
            StdDuration::from_secs(1)
        )
        .await
    );
    assert!(booked_at.elapsed() < StdDuration::from_secs(1));
    // A check-in is heard too; junk on the channel (any login may NOTIFY) is ignored.
    c.desk
        .batch_execute("NOTIFY clinic_appointments, 'not an id'")
        .await
        .expect("notify");
    appointments::check_in(&c.desk, a.id, a.version, TZ)
        .await
        .expect("check in");
    assert_eq!(
        next_event(&mut rx, StdDuration::from_secs(1)).await,
        Some(LiveEvent::Appointment(a.id))
    );

    // The server drops the listener's connection: it says so, comes back, and hears again.
    let su = c.db.superuser().await;
    let killed: i64 = su
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
              WHERE usename = $1 AND application_name = $2",
            &[&listener.user, &listen::APPLICATION_NAME],
        )
        .await
        .expect("terminate")
        .get(0);
    assert_eq!(killed, 1);
    assert_eq!(
        next_event(&mut rx, StdDuration::from_secs(5)).await,
        Some(LiveEvent::Lost)
    );
    assert_eq!(
        next_event(&mut rx, StdDuration::from_secs(5)).await,
        Some(LiveEvent::Reconnected)
    );
    let b = appointments::book(&c.desk, &visit(john, id(&c.alice), at(7, 9, 30), 15), TZ)
        .await
        .expect("book");
    assert!(
        wait_for(
            &mut rx,
            LiveEvent::Appointment(b.id),
            StdDuration::from_secs(1)
        )
        .await
    );

    // Dropping the receiver stops the task.
    drop(rx);
    tokio::time::timeout(StdDuration::from_secs(5), handle)
        .await
        .expect("listener stops")
        .expect("no panic");
}

fn percentiles(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    let p = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  (n={})",
        p(0.5),
        p(0.95),
        p(0.99),
        ms.len()
    )
}

/// Figures, not a test: `CLINIC_FIGURES_ROWS=10000000 cargo test --test scheduling -- --ignored
/// --nocapture figures`. Loads that many appointments (40 doctors, weekday quarter-hours, nine in
/// ten booked, going back from 2030), then times the calendar's reads as a receptionist and 16
/// desks competing for the same slots.
#[tokio::test]
#[ignore = "figures at scale; minutes of loading"]
async fn figures() {
    let rows: i64 = std::env::var("CLINIC_FIGURES_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let c = clinic().await;
    let su = c.db.superuser().await;
    let load = Instant::now();
    // Bulk load as the owner would: triggers (audit, history, notify) off, plain set-based inserts.
    su.batch_execute(
        "SET session_replication_role = replica;
         INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex)
         SELECT 'Family' || i, 'Given' || i, date '1940-01-01' + (i % 25000), 'unknown'
           FROM generate_series(1, 200000) AS i;
         INSERT INTO clinic.staff (login, full_name, job)
         SELECT 'doc' || i, 'Doctor ' || lpad(i::text, 2, '0'), 'doctor' FROM generate_series(1, 38) AS i;
         INSERT INTO clinic.working_hours (doctor_id, weekday, starts, ends, slot_minutes)
         SELECT s.id, d, '08:00', '18:00', 15 FROM clinic.staff s, generate_series(1, 5) AS d WHERE s.job = 'doctor';",
    )
    .await
    .expect("people and rota");
    // Indexes and the exclusion constraint are dropped for the load and rebuilt after it (a sorted
    // build is far faster than ten million insertions), from their own catalog definitions.
    let rebuild: Vec<String> = su
        .query(
            "SELECT 'ALTER TABLE clinic.appointments ADD CONSTRAINT ' || quote_ident(conname) || ' '
                    || pg_get_constraintdef(oid)
               FROM pg_constraint WHERE conrelid = 'clinic.appointments'::regclass AND contype = 'x'
             UNION ALL
             SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
              WHERE i.indrelid = 'clinic.appointments'::regclass AND NOT i.indisprimary
                AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            &[],
        )
        .await
        .expect("definitions")
        .iter()
        .map(|r| r.get(0))
        .collect();
    su.batch_execute(
        "SET maintenance_work_mem = '512MB';
         DO $$ DECLARE r record; BEGIN
           FOR r IN SELECT conname FROM pg_constraint WHERE conrelid = 'clinic.appointments'::regclass AND contype = 'x' LOOP
             EXECUTE format('ALTER TABLE clinic.appointments DROP CONSTRAINT %I', r.conname);
           END LOOP;
           FOR r IN SELECT i.indexrelid::regclass AS ix FROM pg_index i
                     WHERE i.indrelid = 'clinic.appointments'::regclass AND NOT i.indisprimary
                       AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid) LOOP
             EXECUTE format('DROP INDEX %s', r.ix);
           END LOOP;
         END $$;",
    )
    .await
    .expect("drop indexes for the load");
    let chunk = 1_000_000;
    let mut from = 0;
    while from < rows {
        let to = (from + chunk).min(rows) - 1;
        su.execute(
            "WITH docs AS (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM clinic.staff WHERE job = 'doctor'),
                  r AS (SELECT i, (i % d.n)::int AS d, floor((i / d.n) * 10 / 9)::bigint AS slot, d.ids FROM generate_series($1::bigint, $2::bigint) AS i, docs d)
             INSERT INTO clinic.appointments (patient_id, doctor_id, starts_at, ends_at, reason, status, cancel_reason)
             SELECT 1 + (r.i * 7919) % 200000, r.ids[1 + r.d], t.s, t.s + interval '15 minutes', 'Check-up',
                    CASE WHEN r.i % 14 = 0 THEN 'cancelled' WHEN t.s > now() THEN 'scheduled' ELSE 'completed' END,
                    CASE WHEN r.i % 14 = 0 THEN 'Patient called' END
               FROM r CROSS JOIN LATERAL (
                 SELECT timestamptz '2030-01-07 08:00Z' - (r.slot / 200) * interval '7 days'
                        + ((r.slot % 200) / 40) * interval '1 day' + (r.slot % 40) * interval '15 minutes' AS s) t",
            &[&from, &to],
        )
        .await
        .expect("appointments");
        from = to + 1;
        println!("loaded {from} appointments in {:.0?}", load.elapsed());
    }
    for sql in &rebuild {
        su.batch_execute(sql).await.expect("rebuild index");
    }
    println!("indexes rebuilt at {:.0?}", load.elapsed());
    // Steady state: hint bits set and statistics fresh, as on a clinic's server after autovacuum.
    su.batch_execute("VACUUM ANALYZE").await.expect("analyze");
    let doctors: Vec<i64> = su
        .query(
            "SELECT id FROM clinic.staff WHERE job = 'doctor' ORDER BY id",
            &[],
        )
        .await
        .expect("doctors")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let weeks = (rows / i64::try_from(doctors.len()).expect("few") / 180).max(1);
    println!(
        "{rows} appointments over {} doctors, about {weeks} weeks, loaded in {:.0?}",
        doctors.len(),
        load.elapsed()
    );

    let desk = c.db.connect(&c.rita).await;
    if std::env::var("CLINIC_FIGURES_EXPLAIN").is_ok() {
        let plans = [
            format!("EXPLAIN (ANALYZE, BUFFERS) SELECT a.id, p.family_name FROM clinic.appointments a JOIN clinic.patients p ON p.id = a.patient_id WHERE a.starts_at >= timestamptz '2029-06-03' - interval '8 hours' AND a.starts_at < timestamptz '2029-06-10' AND a.ends_at > timestamptz '2029-06-03' AND a.doctor_id = {}", doctors[3]),
            "EXPLAIN (ANALYZE, BUFFERS) SELECT a.id, p.family_name FROM clinic.appointments a JOIN clinic.patients p ON p.id = a.patient_id WHERE a.starts_at >= timestamptz '2029-06-04' - interval '8 hours' AND a.starts_at < timestamptz '2029-06-05' AND a.ends_at > timestamptz '2029-06-04'".to_string(),
        ];
        // Twice: the second round shows the warm figures.
        for sql in plans.iter().chain(plans.iter()) {
            for r in desk.query(sql.as_str(), &[]).await.expect("explain") {
                println!("{}", r.get::<_, String>(0));
            }
        }
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut week_ms = Vec::new();
    let mut day_ms = Vec::new();
    let mut finder_ms = Vec::new();
    for _ in 0..300 {
        let doctor = doctors[rng.gen_range(0..doctors.len())];
        let week = monday() - Duration::weeks(rng.gen_range(0..weeks));
        let t0 = Instant::now();
        let w = appointments::week_view(&desk, doctor, week, TZ)
            .await
            .expect("week");
        week_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(w.days.len(), 7);
        let day = week + Duration::days(rng.gen_range(0..5));
        let t0 = Instant::now();
        appointments::day_view(&desk, day, TZ).await.expect("day");
        day_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        let t0 = Instant::now();
        appointments::find_free_slots(
            &desk,
            None,
            TZ.from_utc_datetime(&week.and_time(t(8, 0))).to_utc(),
            TZ,
            10,
        )
        .await
        .expect("finder");
        finder_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    println!("week view (one doctor):    {}", percentiles(week_ms));
    println!(
        "day view ({} doctors):     {}",
        doctors.len(),
        percentiles(day_ms)
    );
    println!("next 10 free, any doctor:  {}", percentiles(finder_ms));

    // 16 desks, each trying 50 of the same 100 slots (2 doctors, a fresh week) at once.
    let clients = desks(&c.db, 16).await;
    let barrier = Arc::new(Barrier::new(16));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for (n, desk) in clients.into_iter().enumerate() {
        let (barrier, pair) = (barrier.clone(), [doctors[0], doctors[1]]);
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(n as u64);
            let mut ms = Vec::new();
            let mut won = 0;
            barrier.wait().await;
            for _ in 0..50 {
                let slot: i64 = rng.gen_range(0..100);
                let start = at(14, 8, 0)
                    + Duration::minutes(15 * (slot % 40))
                    + Duration::days(slot / 40 % 2);
                let t0 = Instant::now();
                let r = appointments::book(
                    &desk,
                    &visit(1 + slot, pair[usize::from(slot >= 50)], start, 15),
                    TZ,
                )
                .await;
                ms.push(t0.elapsed().as_secs_f64() * 1000.0);
                match r {
                    Ok(_) => won += 1,
                    Err(BookError::SlotTaken { .. }) => {}
                    Err(e) => panic!("{e:?}"),
                }
            }
            (won, ms)
        }));
    }
    let (mut won, mut ms) = (0, Vec::new());
    for task in tasks {
        let (w, m) = task.await.expect("desk");
        won += w;
        ms.extend(m);
    }
    let took = t0.elapsed();
    let double: i64 = su
        .query_one(
            "SELECT count(*) FROM clinic.appointments a JOIN clinic.appointments b
                ON a.doctor_id = b.doctor_id AND a.id < b.id
               AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
             WHERE a.status <> 'cancelled' AND b.status <> 'cancelled' AND a.starts_at >= $1",
            &[&at(14, 0, 0)],
        )
        .await
        .expect("self-join")
        .get(0);
    println!(
        "booking, 16 desks x 50 tries on 100 slots: {won} booked, {} taken, {:.0} attempts/s, {double} double bookings; per attempt {}",
        800 - won,
        800.0 / took.as_secs_f64(),
        percentiles(ms)
    );
    assert_eq!(double, 0);
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
