//! Booking, cancelling and moving at the desk, and the slot finder.

use chrono::{Duration, NaiveTime};
use clinic::app::calendar::{self, Reply, Request};
use clinic::app::registry::{ScreenId, ScreenReply, ScreenRequest};
use clinic::app::screen::Intent;
use clinic::app::{Action, Effect, Popup};
use clinic::domain::staff::Job;
use crossterm::event::{KeyCode, KeyModifiers};

use crate::common::{
    assert_screen, at_calendar, calendar, day_request, day_view, find_patients, hit, local,
    sign_in, today,
};
use crate::support::*;

#[test]
fn snapshot_booking_refused_because_the_slot_was_just_taken() {
    let mut app = at_calendar(Job::Receptionist);
    // From 09:30 (Wilson) to 10:00, a free slot of Alice's.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        Vec::new(),
        "the form opens without asking anything"
    );
    find_patients(
        &mut app,
        "doe j",
        vec![hit(1, "Doe", "John"), hit(2, "Doe", "Joanna")],
    );
    press(&mut app, KeyCode::Enter);
    let effects = press_with(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let (request, new) = match effects.as_slice() {
        [Effect::Screen(ScreenRequest::Calendar(Request::Book { request, new, .. }))] => {
            (*request, new.clone())
        }
        other => panic!("expected a booking, got {other:?}"),
    };
    assert_eq!((new.patient_id, new.doctor_id), (1, 1));
    assert_eq!(new.starts_at, local(today(), 10, 0));
    assert_eq!(
        new.ends_at - new.starts_at,
        Duration::minutes(15),
        "the doctor's slot length"
    );
    let effects = app.update(Action::Screen(ScreenReply::Calendar(Reply::slot_taken(
        request,
        "That slot was just taken by Dr Alice Smith's 10:00 with J. Doe.",
    ))));
    day_request(&effects);
    let form = calendar(&app).form.as_ref().expect("the form stays open");
    assert_eq!(
        form.value(calendar::form::PATIENT),
        "Doe, John",
        "what was typed is kept"
    );
    assert_eq!(
        form.fields[calendar::form::TIME].error.as_deref(),
        Some("That slot was just taken by Dr Alice Smith's 10:00 with J. Doe.")
    );
    assert_screen!("booking_slot_taken", &app);
}

#[test]
fn a_patient_handed_over_opens_the_booking_form_with_them() {
    let mut app = sign_in(Job::Receptionist);
    let effects = app.follow(Intent::Book {
        patient_id: 42,
        patient_name: "Doe, John".into(),
    });
    assert_eq!(shell(&app).current, ScreenId::Calendar);
    day_request(&effects);
    let form = calendar(&app)
        .form
        .as_ref()
        .expect("the booking form is open");
    let booking = form.booking().expect("a booking form");
    assert_eq!(form.patient(), Some(&(42, "Doe, John".to_string())));
    assert_eq!(form.value(calendar::form::PATIENT), "Doe, John");
    assert_eq!(
        form.focus,
        calendar::form::TIME,
        "the patient is picked: on to the time"
    );
    // The calendar had never loaded: the doctors arrive with the day.
    assert!(booking.doctors.is_empty());
    let (request, date) = day_request(&effects);
    app.update(Action::Screen(ScreenReply::Calendar(Reply::Day {
        request,
        result: Ok(day_view(date)),
    })));
    let form = calendar(&app).form.as_ref().expect("still open");
    assert_eq!(form.booking().map(|b| b.doctors.len()), Some(4));
    assert_eq!(form.value(calendar::form::DOCTOR), "Dr Alice Smith");
}

#[test]
fn cancelling_needs_a_reason() {
    let mut app = at_calendar(Job::Receptionist);
    // The cursor starts at 09:30 on Alice's column: Wilson, Kate. `x` asks first (the wrong row
    // is a slip of the finger), and `n` keeps the appointment.
    assert_eq!(press(&mut app, KeyCode::Char('x')), Vec::new());
    assert!(
        matches!(&app.popup, Some(Popup::Confirm(c)) if c.question.contains("Wilson, Kate")),
        "{:?}",
        app.popup
    );
    press(&mut app, KeyCode::Char('n'));
    assert!(app.popup.is_none() && calendar(&app).form.is_none());
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(press(&mut app, KeyCode::Char('y')), Vec::new());
    assert!(calendar(&app).form.is_some(), "then x asks for a reason");
    assert_eq!(
        press_with(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL),
        Vec::new()
    );
    let error = calendar(&app)
        .form
        .as_ref()
        .and_then(|f| f.fields[0].error.clone());
    assert!(
        error.is_some_and(|e| e.starts_with("Say why")),
        "an empty reason is refused at the field"
    );
    type_text(&mut app, "Patient called");
    match press(&mut app, KeyCode::Enter).as_slice() {
        [Effect::Screen(ScreenRequest::Calendar(Request::Cancel {
            appointment_id: 3,
            version: 1,
            reason,
            ..
        }))] => {
            assert_eq!(reason, "Patient called");
        }
        other => panic!("expected a cancellation, got {other:?}"),
    }
}

#[test]
fn moving_picks_a_new_slot_and_keeps_the_length_and_version() {
    let mut app = at_calendar(Job::Receptionist);
    // Wilson, Kate: Alice 09:30, 30 minutes.
    assert_eq!(press(&mut app, KeyCode::Char('m')), Vec::new());
    assert!(render(&app).contains("Moving Wilson, Kate"));
    // Onto Greg's booked 09:30: refused here, before asking anyone.
    press(&mut app, KeyCode::Right);
    assert_eq!(press(&mut app, KeyCode::Enter), Vec::new());
    assert!(app.notice.clone().unwrap_or_default().contains("taken"));
    // Greg's free 10:00.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    match press(&mut app, KeyCode::Enter).as_slice() {
        [Effect::Screen(ScreenRequest::Calendar(Request::Move {
            appointment_id: 3,
            version: 1,
            to,
            ..
        }))] => {
            assert_eq!(to.doctor_id, 2);
            assert_eq!(to.starts_at, local(today(), 10, 0));
            assert_eq!(to.ends_at - to.starts_at, Duration::minutes(30));
        }
        other => panic!("expected a move, got {other:?}"),
    }
    // Esc abandons a move not yet made.
    let mut app = at_calendar(Job::Receptionist);
    press(&mut app, KeyCode::Char('m'));
    press(&mut app, KeyCode::Esc);
    assert!(calendar(&app).moving.is_none());
}

#[test]
fn the_finder_jumps_to_the_next_free_slot() {
    let mut app = at_calendar(Job::Receptionist);
    let (request, doctor) = match press(&mut app, KeyCode::Char('f')).as_slice() {
        [Effect::Screen(ScreenRequest::Calendar(Request::FindFree {
            request,
            doctor_id,
            from,
            ..
        }))] => {
            assert_eq!(*from, local(today(), 9, 41), "not before now");
            (*request, *doctor_id)
        }
        other => panic!("expected the finder, got {other:?}"),
    };
    assert_eq!(doctor, Some(1));
    let any = match press(&mut app, KeyCode::Char('F')).as_slice() {
        [Effect::Screen(ScreenRequest::Calendar(Request::FindFree { doctor_id, .. }))] => {
            *doctor_id
        }
        other => panic!("expected the finder, got {other:?}"),
    };
    assert_eq!(any, None, "F looks at every doctor");
    // The first finder's answer is stale now; the cursor stays.
    app.update(Action::Screen(ScreenReply::Calendar(Reply::Free {
        request,
        result: Ok(None),
    })));
    assert_eq!(app.notice, None);
    let request = match press(&mut app, KeyCode::Char('F')).as_slice() {
        [Effect::Screen(ScreenRequest::Calendar(Request::FindFree { request, .. }))] => *request,
        other => panic!("{other:?}"),
    };
    let slot = clinic::domain::schedule::Slot {
        starts_at: local(today(), 10, 30),
        doctor_id: 2,
        ends_at: local(today(), 10, 45),
    };
    app.update(Action::Screen(ScreenReply::Calendar(Reply::Free {
        request,
        result: Ok(Some(slot)),
    })));
    let grid = &calendar(&app).grid;
    assert_eq!(
        (grid.col, grid.time),
        (1, NaiveTime::from_hms_opt(10, 30, 0).expect("time"))
    );
    assert!(app
        .notice
        .clone()
        .unwrap_or_default()
        .contains("Dr Greg House, Tue 01 Dec 10:30"));
}
