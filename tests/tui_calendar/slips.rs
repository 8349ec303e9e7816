//! The slips a busy desk makes: a status key on the wrong row or day, the slot pressed late in
//! the day, a booking in the past or over the patient's other visit, a doctor's double tap.

use chrono::{Duration, NaiveDate};
use clinic::app::calendar::{self, Reply, Request, WriteError, WriteErrorKind};
use clinic::app::registry::{ScreenId, ScreenReply, ScreenRequest};
use clinic::app::screen::Intent;
use clinic::app::{Action, App, Effect, Popup};
use clinic::domain::appointment::{Appointment, AppointmentStatus, NewAppointment};
use clinic::domain::schedule::Slot;
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::{
    at_calendar, at_calendar_at, calendar, day_request, day_view, find_patients, hit, load_day,
    local, today,
};
use crate::support::*;

fn tomorrow() -> NaiveDate {
    today() + Duration::days(1)
}

fn status_sent(effects: &[Effect]) -> Option<(i64, AppointmentStatus)> {
    effects.iter().find_map(|e| match e {
        Effect::Screen(ScreenRequest::Calendar(Request::SetStatus {
            appointment_id,
            status,
            ..
        })) => Some((*appointment_id, *status)),
        _ => None,
    })
}

fn confirm_question(app: &App) -> String {
    match &app.popup {
        Some(Popup::Confirm(c)) => c.question.clone(),
        other => panic!("expected a question, got {other:?}"),
    }
}

fn notice(app: &App) -> String {
    app.notice.clone().unwrap_or_default()
}

/// The booking the form sends on Ctrl-S, if it sends one.
fn booking_sent(effects: &[Effect]) -> Option<NewAppointment> {
    effects.iter().find_map(|e| match e {
        Effect::Screen(ScreenRequest::Calendar(Request::Book { new, .. })) => Some(new.clone()),
        _ => None,
    })
}

/// Types a name into the booking form's patient field and picks the one found.
fn pick_patient(app: &mut App, id: i64, family: &str, given: &str) {
    find_patients(app, &family.to_lowercase(), vec![hit(id, family, given)]);
    press(app, KeyCode::Enter);
}

fn form(app: &App) -> &calendar::Form {
    calendar(app)
        .form
        .as_ref()
        .expect("the booking form is open")
}

#[test]
fn a_no_show_asks_first_and_only_once_the_appointment_has_started() {
    // 09:41: the cursor is on Wilson's 09:30, which has started.
    let mut app = at_calendar(Job::Receptionist);
    assert_eq!(
        press(&mut app, KeyCode::Char('n')),
        Vec::new(),
        "n is not a status key"
    );
    assert!(app.popup.is_none());
    assert_eq!(press(&mut app, KeyCode::Char('N')), Vec::new());
    assert!(
        confirm_question(&app).contains("Wilson, Kate"),
        "the question names the patient"
    );
    assert_eq!(press(&mut app, KeyCode::Esc), Vec::new(), "Esc says no");
    assert!(app.popup.is_none());
    press(&mut app, KeyCode::Char('N'));
    assert_eq!(
        status_sent(&press(&mut app, KeyCode::Char('y'))),
        Some((3, AppointmentStatus::NoShow))
    );

    // Tomorrow's 09:30 has not started, and nobody checks in a day early: said, nothing sent.
    let (request, date) = day_request(&press(&mut app, KeyCode::Char('>')));
    assert_eq!(date, tomorrow());
    load_day(&mut app, request, day_view(date));
    assert_eq!(press(&mut app, KeyCode::Char('N')), Vec::new());
    assert!(app.popup.is_none(), "no question for a refused step");
    assert!(
        notice(&app)
            .contains("Not Wed 02 Dec 09:30 yet: mark a no-show once the appointment has started."),
        "{}",
        notice(&app)
    );
    assert_eq!(press(&mut app, KeyCode::Char('c')), Vec::new());
    assert!(
        notice(&app).contains("patients check in on the day"),
        "{}",
        notice(&app)
    );
}

#[test]
fn a_check_in_is_taken_back_with_a_reason() {
    let mut app = at_calendar(Job::Receptionist);
    // 09:15 in Alice's column: Garcia, checked in.
    press(&mut app, KeyCode::Up);
    assert_eq!(press(&mut app, KeyCode::Char('u')), Vec::new());
    assert!(calendar(&app).form.is_some(), "u asks for a reason");
    assert!(render(&app).contains("Garcia, Luis"), "{}", render(&app));
    assert_eq!(ctrl(&mut app, 's'), Vec::new(), "no reason, nothing sent");
    let error = form(&app).fields[0].error.clone().unwrap_or_default();
    assert!(error.starts_with("Say why"), "{error}");
    type_text(&mut app, "checked in the wrong Garcia");
    match ctrl(&mut app, 's').as_slice() {
        [Effect::Screen(ScreenRequest::Calendar(Request::TakeBack {
            appointment_id: 2,
            reason,
            ..
        }))] => assert_eq!(reason, "checked in the wrong Garcia"),
        other => panic!("expected the check-in taken back, got {other:?}"),
    }
    // Wilson is only scheduled: there is nothing to take back.
    let mut app = at_calendar(Job::Receptionist);
    assert_eq!(press(&mut app, KeyCode::Char('u')), Vec::new());
    assert!(calendar(&app).form.is_none());
    assert!(!notice(&app).is_empty(), "says why nothing happened");
}

#[test]
fn late_in_the_day_the_form_takes_the_highlighted_slot_not_the_clock() {
    // 21:30: the day's last row, 16:45, is the one highlighted.
    let late = local(today(), 21, 30);
    let mut app = at_calendar_at(Job::Receptionist, late);
    assert!(render(&app).contains(" 16:45│>free"), "{}", render(&app));
    press(&mut app, KeyCode::Enter);
    assert_eq!(form(&app).value(calendar::form::TIME), "16:45");
    assert_eq!(form(&app).value(calendar::form::DATE), "2026-12-01");
    assert_eq!(form(&app).value(calendar::form::DOCTOR), "Dr Alice Smith");
    press(&mut app, KeyCode::Esc);

    // Tomorrow, on Greg's column, two rows up: 16:15 with Greg.
    let (request, date) = day_request(&press(&mut app, KeyCode::Char('>')));
    load_day(&mut app, request, day_view(date));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Char('b'));
    assert_eq!(form(&app).value(calendar::form::DATE), "2026-12-02");
    assert_eq!(form(&app).value(calendar::form::TIME), "16:15");
    assert_eq!(form(&app).value(calendar::form::DOCTOR), "Dr Greg House");
    pick_patient(&mut app, 1, "Doe", "John");
    let new = booking_sent(&ctrl(&mut app, 's')).expect("a booking goes out");
    assert_eq!(
        (new.doctor_id, new.starts_at),
        (2, local(tomorrow(), 16, 15))
    );
}

#[test]
fn a_time_already_past_is_booked_only_as_a_past_visit() {
    let mut app = at_calendar_at(Job::Receptionist, local(today(), 21, 30));
    press(&mut app, KeyCode::Enter);
    pick_patient(&mut app, 1, "Doe", "John");
    assert_eq!(ctrl(&mut app, 's'), Vec::new(), "16:45 has passed");
    let error = form(&app).fields[calendar::form::TIME]
        .error
        .clone()
        .unwrap_or_default();
    assert!(
        error.starts_with("That time has passed (it is Tue 01 Dec 21:30)")
            && error.contains("record a past visit"),
        "{error}"
    );
    assert_eq!(form(&app).value(calendar::form::PATIENT), "Doe, John");
    // Choose "record a past visit" deliberately: then it is booked as typed.
    while form(&app).focus != calendar::form::VISIT {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Down);
    assert_eq!(
        form(&app).value(calendar::form::VISIT),
        "record a past visit"
    );
    let new = booking_sent(&ctrl(&mut app, 's')).expect("the past visit is recorded");
    assert_eq!(new.starts_at, local(today(), 16, 45));

    // A past visit in the future is a slip too.
    let mut app = at_calendar(Job::Receptionist);
    press(&mut app, KeyCode::PageDown);
    press(&mut app, KeyCode::Enter);
    pick_patient(&mut app, 1, "Doe", "John");
    while form(&app).focus != calendar::form::VISIT {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Down);
    assert_eq!(ctrl(&mut app, 's'), Vec::new());
    assert!(form(&app).fields[calendar::form::VISIT].error.is_some());
}

#[test]
fn the_patients_other_visit_then_is_named_and_a_second_ctrl_s_books_anyway() {
    let mut app = at_calendar(Job::Receptionist);
    press(&mut app, KeyCode::PageDown);
    press(&mut app, KeyCode::Enter);
    pick_patient(&mut app, 1, "Doe", "John");
    let effects = ctrl(&mut app, 's');
    let first = booking_sent(&effects).expect("a booking goes out");
    assert!(
        !first.overlap_ok,
        "the first try does not overrule anything"
    );
    let request = effects
        .iter()
        .find_map(|e| match e {
            Effect::Screen(ScreenRequest::Calendar(Request::Book { request, .. })) => {
                Some(*request)
            }
            _ => None,
        })
        .expect("its request");
    let message = "John Doe is with Dr Greg House at 11:30 then. Book anyway to see two doctors.";
    app.update(Action::Screen(ScreenReply::Calendar(Reply::Written {
        request,
        result: Err(WriteError {
            kind: WriteErrorKind::PatientBusy,
            message: message.into(),
        }),
    })));
    let error = form(&app).fields[calendar::form::TIME]
        .error
        .clone()
        .unwrap_or_default();
    assert_eq!(
        error,
        "John Doe is with Dr Greg House at 11:30 then. Ctrl-S again books anyway."
    );
    let second = booking_sent(&ctrl(&mut app, 's')).expect("the second Ctrl-S books");
    assert!(second.overlap_ok);
    assert_eq!(second.starts_at, first.starts_at);
}

#[test]
fn b_from_a_patient_books_from_now_not_the_last_date_shown() {
    let mut app = at_calendar(Job::Receptionist);
    // The calendar was left a week ahead.
    let (request, date) = day_request(&press(&mut app, KeyCode::Char('}')));
    load_day(&mut app, request, day_view(date));
    let effects = app.follow(Intent::Book {
        patient_id: 42,
        patient_name: "Doe, John".into(),
    });
    assert_eq!(shell(&app).current, ScreenId::Calendar);
    let (_, date) = day_request(&effects);
    assert_eq!(date, today());
    let (request, from) = effects
        .iter()
        .find_map(|e| match e {
            Effect::Screen(ScreenRequest::Calendar(Request::FindFree {
                request, from, ..
            })) => Some((*request, *from)),
            _ => None,
        })
        .expect("the next free slot is looked for");
    assert_eq!(from, t0());
    assert_eq!(form(&app).value(calendar::form::DATE), "2026-12-01");
    app.update(Action::Screen(ScreenReply::Calendar(Reply::Free {
        request,
        result: Ok(Some(Slot {
            starts_at: local(today(), 10, 0),
            doctor_id: 1,
            ends_at: local(today(), 10, 15),
        })),
    })));
    assert_eq!(form(&app).value(calendar::form::TIME), "10:00");
    assert_eq!(form(&app).value(calendar::form::PATIENT), "Doe, John");
}

#[test]
fn a_doctors_double_tap_starts_but_never_completes() {
    let mut app = at_calendar(Job::Doctor);
    let footer: Vec<&str> = app.footer_hints().iter().map(|(_, what)| *what).collect();
    assert!(
        footer.iter().all(|what| !what.contains("book")),
        "a doctor is offered no booking: {footer:?}"
    );
    // 09:15: Garcia, checked in. `s s`: one start, and the second tap waits for it.
    press(&mut app, KeyCode::Up);
    let effects = press(&mut app, KeyCode::Char('s'));
    assert_eq!(
        status_sent(&effects),
        Some((2, AppointmentStatus::InProgress))
    );
    assert_eq!(press(&mut app, KeyCode::Char('s')), Vec::new());
    assert!(app.popup.is_none(), "{:?}", app.popup);
    let request = effects
        .iter()
        .find_map(|e| match e {
            Effect::Screen(ScreenRequest::Calendar(Request::SetStatus { request, .. })) => {
                Some(*request)
            }
            _ => None,
        })
        .expect("its request");
    let started = local(today(), 9, 15);
    let effects = app.update(Action::Screen(ScreenReply::Calendar(Reply::Written {
        request,
        result: Ok(Box::new(Appointment {
            id: 2,
            patient_id: 102,
            doctor_id: 1,
            starts_at: started,
            ends_at: started + Duration::minutes(15),
            reason: None,
            status: AppointmentStatus::InProgress,
            cancel_reason: None,
            status_changed_at: t0(),
            status_changed_by: Some(1),
            updated_at: t0(),
            updated_by: Some(1),
            version: 2,
        })),
    })));
    let (request, _) = day_request(&effects);
    let mut view = day_view(today());
    view.doctors[0].appointments[1].status = AppointmentStatus::InProgress;
    load_day(&mut app, request, view);
    // Now started: `s` asks before completing, and a second `s` is not a yes.
    assert_eq!(press(&mut app, KeyCode::Char('s')), Vec::new());
    assert!(confirm_question(&app).contains("Garcia, Luis"));
    assert_eq!(
        press(&mut app, KeyCode::Char('s')),
        Vec::new(),
        "s is not yes"
    );
    assert!(app.popup.is_some());
    let effects = press(&mut app, KeyCode::Char('y'));
    assert_eq!(
        status_sent(&effects),
        Some((2, AppointmentStatus::Completed)),
        "{effects:?} {:?}",
        app.notice
    );
}
