//! The calendar and today's queue driven by Actions without a terminal or a database: replies are
//! built by hand, screens drawn to a TestBackend at 80x24 with the fixed clock (insta snapshots in
//! tests/snapshots/).

#[path = "tui/support.rs"]
#[allow(dead_code)]
mod support;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Tz;
use clinic::app::calendar::{self, CalendarScreen, Reply, Request};
use clinic::app::queue;
use clinic::app::registry::{ScreenId, ScreenReply, ScreenRequest};
use clinic::app::screen::Intent;
use clinic::app::{Action, App, Effect, RequestId};
use clinic::domain::appointment::{AppointmentStatus, CalendarEntry, QueueEntry};
use clinic::domain::live::LiveEvent;
use clinic::domain::patient::PatientHit;
use clinic::domain::schedule::{
    day_bounds, working_periods, DayView, Doctor, DoctorDay, ExceptionKind, ScheduleException,
    WeekView, WorkingHours,
};
use clinic::domain::staff::Job;
use crossterm::event::{KeyCode, KeyModifiers};

use support::*;

const TZ: Tz = New_York;

/// Tuesday 2026-12-01, the fixed "today" (t0 is 09:41 in New York).
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("date")
}

fn local(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    TZ.from_local_datetime(&date.and_hms_opt(h, m, 0).expect("time"))
        .single()
        .expect("an unambiguous time")
        .with_timezone(&Utc)
}

fn doctors() -> Vec<Doctor> {
    [
        (1, "Alice Smith"),
        (2, "Greg House"),
        (3, "Nkechi Okafor"),
        (4, "Zoe Zhang"),
    ]
    .into_iter()
    .map(|(id, name)| Doctor {
        id,
        name: name.into(),
    })
    .collect()
}

fn entry(
    id: i64,
    doctor_id: i64,
    date: NaiveDate,
    (h, m): (u32, u32),
    minutes: i64,
    name: &str,
    status: AppointmentStatus,
) -> CalendarEntry {
    let starts_at = local(date, h, m);
    CalendarEntry {
        id,
        version: 1,
        patient_id: 100 + id,
        patient_name: name.into(),
        doctor_id,
        starts_at,
        ends_at: starts_at + Duration::minutes(minutes),
        reason: Some("Check-up".into()),
        status,
    }
}

fn hours_of(doctor_id: i64) -> Vec<WorkingHours> {
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("time");
    (1..=5)
        .flat_map(|weekday| {
            [(t(9, 0), t(12, 30)), (t(13, 30), t(17, 0))].map(|(starts, ends)| WorkingHours {
                doctor_id,
                weekday,
                starts,
                ends,
                slot_minutes: 15,
            })
        })
        .collect()
}

fn column(
    doctor: &Doctor,
    date: NaiveDate,
    appointments: Vec<CalendarEntry>,
    exceptions: Vec<ScheduleException>,
) -> DoctorDay {
    let hours: Vec<WorkingHours> = hours_of(doctor.id)
        .into_iter()
        .filter(|h| u32::from(h.weekday) == chrono::Datelike::weekday(&date).number_from_monday())
        .collect();
    DoctorDay {
        doctor: doctor.clone(),
        date,
        periods: working_periods(&hours, TZ, date),
        hours,
        has_rota: !hours_of(doctor.id).is_empty(),
        exceptions,
        appointments,
    }
}

/// Four doctors on Tuesday: Alice's morning in every status, Greg's blocked late morning, Dr
/// Okafor on leave, and Dr Zhang on the second page.
fn day_view(date: NaiveDate) -> DayView {
    use AppointmentStatus::*;
    let d = doctors();
    let (starts_at, ends_at) = day_bounds(TZ, date);
    let alice = vec![
        entry(1, 1, date, (9, 0), 15, "Doe, John", InProgress),
        entry(2, 1, date, (9, 15), 15, "Garcia, Luis", CheckedIn),
        entry(3, 1, date, (9, 30), 30, "Wilson, Kate", Scheduled),
        entry(4, 1, date, (10, 15), 15, "Moore, Pat", Cancelled),
    ];
    let greg = vec![
        entry(5, 2, date, (9, 0), 15, "Lee, Amy", Completed),
        entry(6, 2, date, (9, 30), 15, "Brown, Tom", Scheduled),
        entry(7, 2, date, (9, 45), 15, "Moore, Pat", NoShow),
    ];
    let blocked = ScheduleException {
        doctor_id: 2,
        starts_at: local(date, 11, 0),
        ends_at: local(date, 12, 0),
        kind: ExceptionKind::Blocked,
        note: Some("meeting".into()),
    };
    let leave = ScheduleException {
        doctor_id: 3,
        starts_at,
        ends_at,
        kind: ExceptionKind::Leave,
        note: None,
    };
    DayView {
        date,
        starts_at,
        ends_at,
        doctors: vec![
            column(&d[0], date, alice, vec![]),
            column(&d[1], date, greg, vec![blocked]),
            column(&d[2], date, vec![], vec![leave]),
            column(&d[3], date, vec![], vec![]),
        ],
    }
}

fn sign_in(job: Job) -> App {
    let mut app = new_app();
    let request = submit_login(&mut app, login_name(job), "secret");
    app.update(Action::LoginDone {
        request,
        result: Ok(identity(job)),
    });
    app
}

fn day_request(effects: &[Effect]) -> (RequestId, NaiveDate) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Screen(ScreenRequest::Calendar(Request::Day { request, date, tz })) => {
                assert_eq!(*tz, TZ);
                Some((*request, *date))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("expected a day view request in {effects:?}"))
}

/// Signed in as `job` and on the calendar with today's day view loaded.
fn at_calendar(job: Job) -> App {
    let mut app = sign_in(job);
    let effects = press(&mut app, KeyCode::F(3));
    assert_eq!(shell(&app).current, ScreenId::Calendar);
    let (request, date) = day_request(&effects);
    assert_eq!(date, today());
    app.update(Action::Screen(ScreenReply::Calendar(Reply::Day {
        request,
        result: Ok(day_view(date)),
    })));
    app
}

fn calendar(app: &App) -> &CalendarScreen {
    &shell(app).states.calendar
}

macro_rules! assert_screen {
    ($name:expr, $app:expr) => {
        insta::assert_snapshot!($name, render($app));
    };
}

#[test]
fn entering_the_calendar_asks_for_today_and_says_loading() {
    let mut app = sign_in(Job::Receptionist);
    let effects = press(&mut app, KeyCode::F(3));
    let (_, date) = day_request(&effects);
    assert_eq!(date, today());
    assert!(render(&app).contains("loading…"), "{}", render(&app));
}

#[test]
fn snapshot_day_view_with_every_status() {
    let app = at_calendar(Job::Receptionist);
    let screen = render(&app);
    for words in [
        "[in] Doe, John",
        "[ck] Garcia, Luis",
        "[ns] Moore, Pat",
        "-- leave --",
        "## blocked: meeting ##",
        "doctors 1-3 of 4",
    ] {
        assert!(screen.contains(words), "{words:?} missing:\n{screen}");
    }
    assert_screen!("day_view", &app);
}

#[test]
fn a_stale_day_view_is_dropped() {
    let mut app = sign_in(Job::Receptionist);
    let (first, _) = day_request(&press(&mut app, KeyCode::F(3)));
    let (second, date) = day_request(&press(&mut app, KeyCode::Char('>')));
    assert_eq!(date, today() + Duration::days(1));
    assert_ne!(first, second);
    app.update(Action::Screen(ScreenReply::Calendar(Reply::Day {
        request: first,
        result: Ok(day_view(today())),
    })));
    assert!(
        calendar(&app).grid.loaded.is_none(),
        "the superseded answer was used"
    );
    app.update(Action::Screen(ScreenReply::Calendar(Reply::Day {
        request: second,
        result: Ok(day_view(date)),
    })));
    assert!(
        matches!(&calendar(&app).grid.loaded, Some(calendar::Loaded::Day(d)) if d.date == date)
    );
}

#[test]
fn snapshot_week_view_of_one_doctor() {
    let mut app = at_calendar(Job::Receptionist);
    let effects = press(&mut app, KeyCode::Char('w'));
    let (request, week_start) = match effects.as_slice() {
        [Effect::Screen(ScreenRequest::Calendar(Request::Week {
            request,
            doctor_id: 1,
            week_start,
            ..
        }))] => (*request, *week_start),
        other => panic!("expected Alice's week, got {other:?}"),
    };
    assert_eq!(
        week_start,
        NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
    );
    let alice = &doctors()[0];
    let days = week_start
        .iter_days()
        .take(7)
        .map(|date| {
            let appointments = match chrono::Datelike::day(&date) {
                1 => day_view(date).doctors[0].appointments.clone(),
                30 => vec![entry(
                    20,
                    1,
                    date,
                    (9, 30),
                    15,
                    "Khan, Ali",
                    AppointmentStatus::Completed,
                )],
                3 => vec![entry(
                    21,
                    1,
                    date,
                    (10, 0),
                    15,
                    "Ng, Mei",
                    AppointmentStatus::Scheduled,
                )],
                _ => vec![],
            };
            column(alice, date, appointments, vec![])
        })
        .collect();
    app.update(Action::Screen(ScreenReply::Calendar(Reply::Week {
        request,
        result: Ok(WeekView {
            doctor: alice.clone(),
            days,
        }),
    })));
    let screen = render(&app);
    assert!(
        screen.contains("Dr Alice Smith · week of Mon 30 Nov 2026"),
        "{screen}"
    );
    assert_screen!("week_view", &app);
}

fn hit(id: i64, family: &str, given: &str) -> PatientHit {
    PatientHit {
        id,
        patient_number: 10_000 + id,
        family_name: family.into(),
        given_names: given.into(),
        date_of_birth: NaiveDate::from_ymd_opt(1985, 6, 15).expect("date"),
        phone: None,
        email: None,
        next_appointment: None,
        similar: false,
    }
}

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
    type_text(&mut app, "doe j");
    let effects = tick(&mut app, t0() + Duration::milliseconds(500));
    let request = effects
        .iter()
        .find_map(|e| match e {
            Effect::Screen(ScreenRequest::Calendar(Request::SearchPatients {
                request, ..
            })) => Some(*request),
            _ => None,
        })
        .expect("the lookup goes out once typing pauses");
    app.update(Action::Screen(ScreenReply::Calendar(Reply::Patients {
        request,
        result: Ok(vec![hit(1, "Doe", "John"), hit(2, "Doe", "Joanna")]),
    })));
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
    // The cursor starts at 09:30 on Alice's column: Wilson, Kate.
    assert_eq!(press(&mut app, KeyCode::Char('x')), Vec::new());
    assert!(calendar(&app).form.is_some(), "x asks for a reason first");
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
fn doctors_see_their_own_column_and_cannot_book() {
    let mut app = at_calendar(Job::Doctor);
    // The footer offers a doctor their own keys, not the desk's.
    let footer: Vec<&str> = app.footer_hints().iter().map(|(_, what)| *what).collect();
    assert!(
        !footer.contains(&"check in") && !footer.contains(&"move"),
        "{footer:?}"
    );
    assert!(footer.contains(&"start/complete"), "{footer:?}");
    let desk = at_calendar(Job::Receptionist);
    let desk_footer: Vec<&str> = desk.footer_hints().iter().map(|(_, what)| *what).collect();
    assert!(desk_footer.contains(&"check in"), "{desk_footer:?}");
    let screen = render(&app);
    assert!(
        screen.contains("Dr Alice Smith") && !screen.contains("Dr Greg House"),
        "{screen}"
    );
    // 10:00 is free in Alice's column.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    for key in [KeyCode::Enter, KeyCode::Char('b')] {
        assert_eq!(press(&mut app, key), Vec::new());
        assert!(calendar(&app).form.is_none(), "a doctor got a booking form");
        let notice = app.notice.clone().unwrap_or_default();
        assert!(notice.contains("Doctors don't book"), "{notice}");
    }
    // Their own patient, checked in, is theirs to start; a check-in is not theirs to do.
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    assert_eq!(press(&mut app, KeyCode::Char('c')), Vec::new());
    match press(&mut app, KeyCode::Char('s')).as_slice() {
        [Effect::Screen(ScreenRequest::Calendar(Request::SetStatus {
            appointment_id: 2,
            status: AppointmentStatus::InProgress,
            ..
        }))] => {}
        other => panic!("expected Garcia's consultation to start, got {other:?}"),
    }
}

#[test]
fn a_notification_reloads_what_is_shown_and_a_reconnect_says_live() {
    let mut app = at_calendar(Job::Receptionist);
    let effects = app.update(Action::Live(LiveEvent::Reconnected));
    day_request(&effects);
    assert!(render(&app).contains("live"));
    // While that load is on its way, more changes only queue one more load.
    assert_eq!(
        app.update(Action::Live(LiveEvent::Appointment(9))),
        Vec::new()
    );
    let (request, date) = day_request(&effects);
    let effects = app.update(Action::Screen(ScreenReply::Calendar(Reply::Day {
        request,
        result: Ok(day_view(date)),
    })));
    let (request, _) = day_request(&effects);
    app.update(Action::Screen(ScreenReply::Calendar(Reply::Day {
        request,
        result: Ok(day_view(date)),
    })));
    let effects = app.update(Action::Live(LiveEvent::Appointment(9)));
    day_request(&effects);
    app.update(Action::Live(LiveEvent::Lost));
    assert!(render(&app).contains("not live"));
}

fn queue_entries() -> Vec<QueueEntry> {
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
    // Live updates start: what may have been missed is read again.
    let effects = app.update(Action::Live(LiveEvent::Reconnected));
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
    assert!(screen.contains("arrived 09:21 · waiting 20:00"), "{screen}");
    assert_screen!("queue", &app);
    // Wilson is expected: one key checks her in.
    for _ in 0..4 {
        press(&mut app, KeyCode::Down);
    }
    match press(&mut app, KeyCode::Char('c')).as_slice() {
        [Effect::Screen(ScreenRequest::Queue(queue::Request::CheckIn {
            appointment_id: 5,
            version: 1,
            ..
        }))] => {}
        other => panic!("expected Wilson's check-in, got {other:?}"),
    }
    // Another desk's change re-reads the queue by itself.
    let effects = app.update(Action::Live(LiveEvent::Appointment(6)));
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Screen(ScreenRequest::Queue(queue::Request::Load { .. }))
        )),
        "{effects:?}"
    );
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
    press(&mut app, KeyCode::Down);
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(shell(&app).current, ScreenId::Calendar);
    let request = effects
        .iter()
        .find_map(|e| match e {
            Effect::Screen(ScreenRequest::Calendar(Request::Locate {
                request,
                appointment_id: 2,
            })) => Some(*request),
            _ => None,
        })
        .unwrap_or_else(|| panic!("expected the appointment to be located: {effects:?}"));
    let effects = app.update(Action::Screen(ScreenReply::Calendar(Reply::Located {
        request,
        result: Ok(Some(Box::new(entry(
            2,
            1,
            today(),
            (9, 15),
            15,
            "Garcia, Luis",
            AppointmentStatus::CheckedIn,
        )))),
    })));
    day_request(&effects);
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Screen(ScreenRequest::Calendar(Request::Detail {
                appointment_id: 2,
                ..
            }))
        )),
        "{effects:?}"
    );
    assert!(calendar(&app).detail.is_some());
    assert_eq!(
        calendar(&app).grid.time,
        NaiveTime::from_hms_opt(9, 15, 0).expect("time")
    );
}

#[test]
fn admins_read_the_calendar_but_keep_the_doctors_hours() {
    let mut app = at_calendar(Job::Admin);
    assert_eq!(press(&mut app, KeyCode::Char('x')), Vec::new());
    assert!(
        app.notice.clone().unwrap_or_default().contains("read only"),
        "{:?}",
        app.notice
    );
    assert!(calendar(&app).form.is_none());
    match press(&mut app, KeyCode::Char('a')).as_slice() {
        [Effect::Screen(ScreenRequest::Calendar(Request::Availability { doctor_id: 1, .. }))] => {}
        other => panic!("expected Alice's availability, got {other:?}"),
    }
    assert!(calendar(&app)
        .availability
        .as_ref()
        .is_some_and(|p| p.editable));
    assert_eq!(
        app.front(),
        clinic::app::keymap::Place::Panel(clinic::app::registry::Panel::Calendar(
            calendar::Panel::Availability
        ))
    );
    press(&mut app, KeyCode::Char('a'));
    assert!(calendar(&app).form.is_some(), "an admin adds working hours");
}
