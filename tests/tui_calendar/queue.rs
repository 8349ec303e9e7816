//! Today's queue: one-key check-in, live re-reads, and opening an appointment on the calendar.

use chrono::{Duration, NaiveTime};
use clinic::app::calendar::{Reply, Request};
use clinic::app::queue;
use clinic::app::registry::{ScreenId, ScreenReply, ScreenRequest};
use clinic::app::{Action, Effect};
use clinic::domain::appointment::{AppointmentStatus, QueueEntry};
use clinic::domain::live::LiveEvent;
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::{assert_screen, calendar, day_request, entry, local, sign_in, today};
use crate::support::*;

pub(crate) fn queue_entries() -> Vec<QueueEntry> {
    use AppointmentStatus::*;
    let e = |id, (h, m), name: &str, doctor: (i64, &str), status, changed: (u32, u32)| {
        let starts_at = local(today(), h, m);
        QueueEntry {
            appointment_id: id,
            version: 1,
            patient_id: 100 + id,
            patient_name: name.into(),
            doctor_id: doctor.0,
            doctor_name: doctor.1.into(),
            starts_at,
            ends_at: starts_at + Duration::minutes(15),
            reason: None,
            status,
            state: QueueEntry::state_of(status, local(today(), changed.0, changed.1))
                .expect("in the queue"),
            waiting_minutes: None,
        }
    };
    let alice = (1, "Alice Smith");
    let greg = (2, "Greg House");
    vec![
        e(1, (9, 0), "Lee, Amy", greg, Completed, (9, 14)),
        e(2, (9, 15), "Moore, Pat", alice, NoShow, (9, 30)),
        e(3, (9, 30), "Doe, John", alice, InProgress, (9, 32)),
        e(4, (9, 30), "Garcia, Luis", greg, CheckedIn, (9, 21)),
        e(5, (9, 45), "Wilson, Kate", alice, Scheduled, (8, 0)),
        e(6, (10, 0), "Brown, Tom", greg, Scheduled, (8, 0)),
    ]
}

#[test]
fn snapshot_queue_and_one_key_check_in() {
    let mut app = sign_in(Job::Receptionist);
    let effects = press(&mut app, KeyCode::F(4));
    let request = match effects.as_slice() {
        [Effect::Screen(ScreenRequest::Queue(queue::Request::Load {
            request,
            today: day,
            ..
        }))] => {
            assert_eq!(*day, today());
            *request
        }
        other => panic!("expected the queue to load, got {other:?}"),
    };
    app.update(Action::Screen(ScreenReply::Queue(queue::Reply::Loaded {
        request,
        result: Ok(queue_entries()),
    })));
    // Live updates start: what may have been missed is read again, after this desk's short wait
    // (every desk hears it at once).
    assert_eq!(app.update(Action::Live(LiveEvent::Reconnected)), Vec::new());
    // The sign-in's ping is answered first, so its spinner is not in the picture once the clock
    // has moved on.
    if let Some(request) = shell(&app).ping.id() {
        app.update(Action::PingDone { request, ok: true });
    }
    let effects = after_refetch_delay(&mut app);
    let request = match effects.as_slice() {
        [Effect::Screen(ScreenRequest::Queue(queue::Request::Load { request, .. }))] => *request,
        other => panic!("expected the queue to reload, got {other:?}"),
    };
    app.update(Action::Screen(ScreenReply::Queue(queue::Reply::Loaded {
        request,
        result: Ok(queue_entries()),
    })));
    let screen = render(&app);
    assert!(
        screen.contains("Expected 2   Arrived 1   With doctor 1   Done 1"),
        "{screen}"
    );
    // A wait in hours and minutes, never minutes and seconds.
    assert!(screen.contains("arrived 09:21 · waiting 0:20"), "{screen}");
    // A waiting room's order: who is waiting first, then who is expected, then who is with a
    // doctor; who is done is folded away until asked for.
    let rows: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("Dr "))
        .map(|l| l.get(7..29).unwrap_or("").trim())
        .collect();
    assert_eq!(
        rows,
        ["Garcia, Luis", "Wilson, Kate", "Brown, Tom", "Doe, John"],
        "{screen}"
    );
    assert_screen!("queue", &app);
    press(&mut app, KeyCode::Char('d'));
    let all = render(&app);
    assert!(
        all.contains("Lee, Amy") && all.contains("Moore, Pat"),
        "{all}"
    );
    press(&mut app, KeyCode::Char('d'));
    assert!(!render(&app).contains("Lee, Amy"));
    // Wilson is expected: one key checks her in.
    press(&mut app, KeyCode::Down);
    match press(&mut app, KeyCode::Char('c')).as_slice() {
        [Effect::Screen(ScreenRequest::Queue(queue::Request::CheckIn {
            appointment_id: 5,
            version: 1,
            ..
        }))] => {}
        other => panic!("expected Wilson's check-in, got {other:?}"),
    }
    // Another desk's change re-reads the queue by itself, after this desk's short wait.
    app.update(Action::Live(LiveEvent::Appointment(6)));
    let effects = after_refetch_delay(&mut app);
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Screen(ScreenRequest::Queue(queue::Request::Load { .. }))
        )),
        "{effects:?}"
    );
}

#[test]
fn the_queue_opens_an_appointment_on_the_calendar_with_its_history() {
    let mut app = sign_in(Job::Receptionist);
    let request = match press(&mut app, KeyCode::F(4)).as_slice() {
        [Effect::Screen(ScreenRequest::Queue(queue::Request::Load { request, .. }))] => *request,
        other => panic!("{other:?}"),
    };
    app.update(Action::Screen(ScreenReply::Queue(queue::Reply::Loaded {
        request,
        result: Ok(queue_entries()),
    })));
    // The second row: Wilson, expected after Garcia, who is waiting.
    press(&mut app, KeyCode::Down);
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(shell(&app).current, ScreenId::Calendar);
    let request = effects
        .iter()
        .find_map(|e| match e {
            Effect::Screen(ScreenRequest::Calendar(Request::Locate {
                request,
                appointment_id: 5,
            })) => Some(*request),
            _ => None,
        })
        .unwrap_or_else(|| panic!("expected the appointment to be located: {effects:?}"));
    let effects = app.update(Action::Screen(ScreenReply::Calendar(Reply::Located {
        request,
        result: Ok(Some(Box::new(entry(
            5,
            1,
            today(),
            (9, 45),
            15,
            "Wilson, Kate",
            AppointmentStatus::Scheduled,
        )))),
    })));
    day_request(&effects);
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Screen(ScreenRequest::Calendar(Request::Detail {
                appointment_id: 5,
                ..
            }))
        )),
        "{effects:?}"
    );
    assert!(calendar(&app).detail.is_some());
    assert_eq!(
        calendar(&app).grid.time,
        NaiveTime::from_hms_opt(9, 45, 0).expect("time")
    );
    // Esc closes it and comes back to the queue, on the same row.
    let effects = press(&mut app, KeyCode::Esc);
    assert_eq!(shell(&app).current, ScreenId::Queue);
    let request = match effects.as_slice() {
        [Effect::Screen(ScreenRequest::Queue(queue::Request::Load { request, .. }))] => *request,
        other => panic!("the queue reads itself again, got {other:?}"),
    };
    app.update(Action::Screen(ScreenReply::Queue(queue::Reply::Loaded {
        request,
        result: Ok(queue_entries()),
    })));
    let queue = &shell(&app).states.queue;
    assert_eq!(
        queue.entries.selected_item().map(|e| e.appointment_id),
        Some(5),
        "back on Wilson's row"
    );
}
