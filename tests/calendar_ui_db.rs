//! The calendar's and the queue's effects against a real database, as real logins: what the
//! screens ask for (`clinic::effects::{calendar,queue}::run`) and the replies they get.

mod support;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use chrono_tz::Tz;
use clinic::app::calendar::{Reply, Request, WriteErrorKind};
use clinic::app::queue;
use clinic::app::RequestId;
use clinic::domain::appointment::{AppointmentStatus, NewAppointment, QueueState};
use clinic::domain::schedule::{SlotState, WorkingHours};
use clinic::domain::staff::Job;
use clinic::effects::Run;
use deadpool_postgres::Pool;
use support::{Login, TestDb};

const TZ: Tz = London;

/// 2030-01-07 is a Monday; January in London is UTC.
fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2030, 1, 7).expect("date")
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 7, h, m, 0)
        .single()
        .expect("instant")
}

/// Today at the clinic.
fn today() -> NaiveDate {
    Utc::now().with_timezone(&TZ).date_naive()
}

/// A visit today at `h:m` (patients check in on the day), squeezed in: the doctor works Mondays.
fn today_visit(patient_id: i64, doctor_id: i64, h: u32, m: u32) -> NewAppointment {
    let starts_at = TZ
        .from_local_datetime(&today().and_time(NaiveTime::from_hms_opt(h, m, 0).expect("time")))
        .earliest()
        .expect("a local time")
        .with_timezone(&Utc);
    NewAppointment {
        starts_at,
        ends_at: starts_at + Duration::minutes(15),
        squeeze_in: true,
        ..visit(patient_id, doctor_id, h, m)
    }
}

/// A screen's request run as the effect runner runs it.
async fn run<R: Run>(pool: Pool, request: R) -> R::Reply {
    request.run(pool).await
}

fn r(n: u64) -> RequestId {
    RequestId(n)
}

fn pool(db: &TestDb, login: &Login) -> Pool {
    clinic::db::connect_as(&db.server_config(), &login.user, &login.password).expect("a pool")
}

struct Desk {
    db: TestDb,
    rita: Pool,
    alice: i64,
    john: i64,
    amy: i64,
}

/// A receptionist's pool, a doctor with Monday hours 09:00-12:00, and two patients.
async fn desk() -> Desk {
    let db = TestDb::new().await;
    let rita_login = db.staff("rita", Job::Receptionist).await;
    let alice = db.staff("alice", Job::Doctor).await.staff_id.expect("id");
    let rita = pool(&db, &rita_login);
    db.superuser()
        .await
        .execute(
            "UPDATE clinic.settings SET time_zone = 'Europe/London'",
            &[],
        )
        .await
        .expect("the clinic's zone");
    let client = db.connect(&rita_login).await;
    let mut ids = Vec::new();
    for (family, given) in [("Doe", "John"), ("Lee", "Amy")] {
        let row = client
            .query_one(
                "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex)
                 VALUES ($1, $2, '1985-06-15', 'unknown') RETURNING id",
                &[&family, &given],
            )
            .await
            .expect("register");
        ids.push(row.get::<_, i64>(0));
    }
    let hours = WorkingHours {
        doctor_id: alice,
        weekday: 1,
        starts: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
        ends: NaiveTime::from_hms_opt(12, 0, 0).expect("time"),
        slot_minutes: 15,
    };
    let saved = run(
        rita.clone(),
        Request::SaveWeek {
            request: r(1),
            doctor_id: alice,
            read: Vec::new(),
            week: vec![hours],
        },
    )
    .await;
    assert_eq!(
        saved,
        Reply::AvailabilitySaved {
            request: r(1),
            result: Ok(())
        }
    );
    Desk {
        db,
        rita,
        alice,
        john: ids[0],
        amy: ids[1],
    }
}

fn visit(patient_id: i64, doctor_id: i64, h: u32, m: u32) -> NewAppointment {
    NewAppointment {
        patient_id,
        doctor_id,
        starts_at: at(h, m),
        ends_at: at(h, m) + Duration::minutes(15),
        reason: Some("Check-up".into()),
        squeeze_in: false,
        // The desk's warning about a patient booked with two doctors at once has its own test;
        // these visits are about other rules.
        overlap_ok: true,
    }
}

async fn book(pool: &Pool, new: NewAppointment, request: u64) -> Reply {
    run(
        pool.clone(),
        Request::Book {
            request: r(request),
            new,
            tz: TZ,
        },
    )
    .await
}

#[tokio::test]
async fn the_day_view_books_and_the_finder_skips_what_is_taken() {
    let d = desk().await;
    let reply = run(
        d.rita.clone(),
        Request::Availability {
            request: r(2),
            doctor_id: d.alice,
            from: at(0, 0),
        },
    )
    .await;
    match reply {
        Reply::Availability {
            request,
            result: Ok(data),
        } => {
            assert_eq!(request, r(2));
            assert_eq!(data.hours.len(), 1);
            assert!(data.time_off.is_empty());
        }
        other => panic!("{other:?}"),
    }

    let booked = match book(&d.rita, visit(d.john, d.alice, 9, 0), 3).await {
        Reply::Written {
            request,
            result: Ok(a),
        } if request == r(3) => a,
        other => panic!("{other:?}"),
    };
    assert_eq!(booked.status, AppointmentStatus::Scheduled);

    let day = match run(
        d.rita.clone(),
        Request::Day {
            request: r(4),
            date: monday(),
            tz: TZ,
        },
    )
    .await
    {
        Reply::Day {
            request,
            result: Ok(day),
        } if request == r(4) => day,
        other => panic!("{other:?}"),
    };
    let column = day
        .doctors
        .iter()
        .find(|c| c.doctor.id == d.alice)
        .expect("alice's column");
    assert!(
        matches!(column.slot_state(at(9, 0), at(9, 15)), SlotState::Booked(e) if e.patient_name == "Doe, John")
    );
    assert_eq!(column.slot_state(at(9, 15), at(9, 30)), SlotState::Free);
    assert_eq!(column.slot_state(at(12, 0), at(12, 15)), SlotState::Closed);

    let free = run(
        d.rita.clone(),
        Request::FindFree {
            request: r(5),
            doctor_id: Some(d.alice),
            from: at(9, 0),
            tz: TZ,
        },
    )
    .await;
    match free {
        Reply::Free {
            result: Ok(Some(slot)),
            ..
        } => {
            assert_eq!((slot.doctor_id, slot.starts_at), (d.alice, at(9, 15)));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn two_desks_book_the_same_slot_and_the_second_is_told_by_whom() {
    let d = desk().await;
    let rosa_login = d.db.staff("rosa", Job::Receptionist).await;
    let rosa = pool(&d.db, &rosa_login);
    let first = book(&d.rita, visit(d.john, d.alice, 10, 30), 1).await;
    assert!(
        matches!(first, Reply::Written { result: Ok(_), .. }),
        "{first:?}"
    );
    match book(&rosa, visit(d.amy, d.alice, 10, 30), 2).await {
        Reply::Written {
            request,
            result: Err(e),
        } => {
            assert_eq!(request, r(2));
            assert_eq!(e.kind, WriteErrorKind::SlotTaken);
            assert_eq!(
                e.message,
                "That slot was just taken by Dr Alice's 10:30 with J. Doe."
            );
        }
        other => panic!("expected the slot to be taken, got {other:?}"),
    }
    // Outside the hours: refused, with a way to squeeze the patient in.
    match book(&rosa, visit(d.amy, d.alice, 13, 0), 3).await {
        Reply::Written { result: Err(e), .. } => {
            assert_eq!(e.kind, WriteErrorKind::SqueezeIn, "{e:?}")
        }
        other => panic!("{other:?}"),
    }
    let squeezed = NewAppointment {
        squeeze_in: true,
        ..visit(d.amy, d.alice, 13, 0)
    };
    assert!(matches!(
        book(&rosa, squeezed, 4).await,
        Reply::Written { result: Ok(_), .. }
    ));
}

#[tokio::test]
async fn check_in_cancel_with_history_and_the_queue() {
    let d = desk().await;
    let a = match book(&d.rita, today_visit(d.john, d.alice, 9, 30), 1).await {
        Reply::Written { result: Ok(a), .. } => a,
        other => panic!("{other:?}"),
    };
    let b = match book(&d.rita, today_visit(d.amy, d.alice, 9, 45), 2).await {
        Reply::Written { result: Ok(a), .. } => a,
        other => panic!("{other:?}"),
    };

    // The queue's one-key check-in.
    let reply = run(
        d.rita.clone(),
        queue::Request::CheckIn {
            request: r(3),
            appointment_id: a.id,
            version: a.version,
            tz: TZ,
        },
    )
    .await;
    let arrived = match reply {
        queue::Reply::CheckedIn {
            request,
            result: Ok(x),
        } if request == r(3) => x,
        other => panic!("{other:?}"),
    };
    assert_eq!(arrived.status, AppointmentStatus::CheckedIn);
    let entries = match run(
        d.rita.clone(),
        queue::Request::Load {
            request: r(4),
            today: today(),
            tz: TZ,
        },
    )
    .await
    {
        queue::Reply::Loaded {
            request,
            result: Ok(entries),
        } if request == r(4) => entries,
        other => panic!("{other:?}"),
    };
    assert_eq!(entries.len(), 2);
    assert!(
        matches!(entries[0].state, QueueState::Arrived { .. }),
        "{:?}",
        entries[0]
    );
    assert_eq!(entries[1].state, QueueState::Expected);

    // A check-in from a stale version is told in words.
    let again = run(
        d.rita.clone(),
        Request::SetStatus {
            request: r(5),
            appointment_id: a.id,
            version: a.version,
            status: AppointmentStatus::CheckedIn,
            tz: TZ,
        },
    )
    .await;
    assert!(
        matches!(&again, Reply::Written { result: Err(e), .. } if e.kind == WriteErrorKind::Changed),
        "{again:?}"
    );

    // Cancelling needs a reason; with one, the history says who, when and why.
    let cancel = |reason: &str, request| Request::Cancel {
        request: r(request),
        appointment_id: b.id,
        version: b.version,
        reason: reason.into(),
        tz: TZ,
    };
    let refused = run(d.rita.clone(), cancel(" ", 6)).await;
    assert!(
        matches!(&refused, Reply::Written { result: Err(e), .. } if e.message.starts_with("Say why")),
        "{refused:?}"
    );
    let cancelled = run(d.rita.clone(), cancel("Patient called", 7)).await;
    assert!(
        matches!(&cancelled, Reply::Written { result: Ok(x), .. } if x.status == AppointmentStatus::Cancelled),
        "{cancelled:?}"
    );
    let detail = match run(
        d.rita.clone(),
        Request::Detail {
            request: r(8),
            appointment_id: b.id,
        },
    )
    .await
    {
        Reply::Detail {
            result: Ok(Some(detail)),
            ..
        } => detail,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        detail.appointment.cancel_reason.as_deref(),
        Some("Patient called")
    );
    let steps: Vec<_> = detail
        .history
        .iter()
        .map(|h| (h.from, h.to, h.by_name.clone(), h.reason.clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (
                None,
                AppointmentStatus::Scheduled,
                Some("Rita".to_string()),
                None
            ),
            (
                Some(AppointmentStatus::Scheduled),
                AppointmentStatus::Cancelled,
                Some("Rita".to_string()),
                Some("Patient called".to_string())
            ),
        ]
    );
    // The cancelled one leaves the queue.
    match run(
        d.rita.clone(),
        queue::Request::Load {
            request: r(9),
            today: today(),
            tz: TZ,
        },
    )
    .await
    {
        queue::Reply::Loaded {
            result: Ok(entries),
            ..
        } => assert_eq!(entries.len(), 1),
        other => panic!("{other:?}"),
    }
}
