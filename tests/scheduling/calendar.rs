//! The calendar's day and week views, the slot finder and today's queue.

use chrono::{Duration, Utc};
use clinic::db::appointments;
use clinic::db::availability;
use clinic::domain::appointment::{AppointmentStatus, QueueState};
use clinic::domain::schedule::{day_bounds, local_date, SlotState, WorkingHours};
use clinic::domain::staff::Job;

use crate::common::{at, clinic, hours, id, monday, register, t, visit, TZ};
use crate::support::sqlstate;

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
    // The no-show is the first, at `start`: never after now, even just after midnight.
    let mut ids = Vec::new();
    for (k, p) in [john, john, amy, john, amy].into_iter().enumerate() {
        let k = i64::try_from(k).expect("small");
        let s = start + Duration::minutes(5 * k);
        ids.push(
            appointments::book(&c.desk, &visit(p, id(&nina), s, 5), TZ)
                .await
                .expect("book today"),
        );
    }
    appointments::set_status(
        &c.desk,
        ids[0].id,
        ids[0].version,
        AppointmentStatus::NoShow,
        TZ,
    )
    .await
    .expect("no show");
    let arrived = appointments::check_in(&c.desk, ids[2].id, ids[2].version, TZ)
        .await
        .expect("check in");
    let with = appointments::check_in(&c.desk, ids[3].id, ids[3].version, TZ)
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
    appointments::cancel(&c.desk, ids[4].id, ids[4].version, "Unwell", TZ)
        .await
        .expect("cancel");
    let queue = appointments::today_queue(&c.desk, today, TZ)
        .await
        .expect("queue");
    let ours: Vec<_> = queue.iter().filter(|q| q.doctor_id == id(&nina)).collect();
    assert_eq!(ours.len(), 4, "the cancellation is not in the queue");
    assert!(ours.windows(2).all(|w| w[0].starts_at <= w[1].starts_at));
    assert_eq!(ours[0].state, QueueState::NoShow);
    assert_eq!(ours[1].state, QueueState::Expected);
    assert_eq!(
        ours[2].state,
        QueueState::Arrived {
            since: arrived.status_changed_at
        }
    );
    assert_eq!(ours[2].waiting_minutes, Some(0));
    assert!(matches!(ours[3].state, QueueState::WithDoctor { .. }));
    assert_eq!(ours[2].patient_name, "Lee, Amy");
}
