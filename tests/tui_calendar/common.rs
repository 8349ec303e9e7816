//! What the calendar tests share: the clinic's time zone and fixed today, four doctors and their
//! hours, a day view built by hand, and an app signed in and on the calendar.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Tz;
use clinic::app::calendar::{CalendarScreen, Reply, Request};
use clinic::app::registry::{ScreenId, ScreenReply, ScreenRequest};
use clinic::app::{Action, App, Effect, RequestId};
use clinic::domain::appointment::{AppointmentStatus, CalendarEntry};
use clinic::domain::patient::PatientHit;
use clinic::domain::schedule::{
    day_bounds, working_periods, DayView, Doctor, DoctorDay, ExceptionKind, ScheduleException,
    WorkingHours,
};
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::support::*;

pub const TZ: Tz = New_York;

/// Tuesday 2026-12-01, the fixed "today" (t0 is 09:41 in New York).
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("date")
}

pub fn local(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    TZ.from_local_datetime(&date.and_hms_opt(h, m, 0).expect("time"))
        .single()
        .expect("an unambiguous time")
        .with_timezone(&Utc)
}

pub fn doctors() -> Vec<Doctor> {
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

pub fn entry(
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

pub fn hours_of(doctor_id: i64) -> Vec<WorkingHours> {
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

pub fn column(
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
pub fn day_view(date: NaiveDate) -> DayView {
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

pub fn sign_in(job: Job) -> App {
    sign_in_at(job, t0())
}

/// Signed in as `job` with the clock at `now` (the idle lock counts from there).
pub fn sign_in_at(job: Job, now: DateTime<Utc>) -> App {
    let mut app = App::new(&config(), "~/.local/share/clinic/demo (demo)", None, now)
        .expect("valid key bindings");
    let request = submit_login(&mut app, login_name(job), "secret");
    app.update(Action::LoginDone {
        request,
        result: Ok(identity(job)),
    });
    app
}

pub fn day_request(effects: &[Effect]) -> (RequestId, NaiveDate) {
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
pub fn at_calendar(job: Job) -> App {
    at_calendar_at(job, t0())
}

/// As `at_calendar`, with the clock at `now` (on the fixed today).
pub fn at_calendar_at(job: Job, now: DateTime<Utc>) -> App {
    let mut app = sign_in_at(job, now);
    let effects = press(&mut app, KeyCode::F(3));
    assert_eq!(shell(&app).current, ScreenId::Calendar);
    let (request, date) = day_request(&effects);
    assert_eq!(date, today());
    load_day(&mut app, request, day_view(date));
    app
}

/// The answer to a day view request.
pub fn load_day(app: &mut App, request: RequestId, view: DayView) -> Vec<Effect> {
    app.update(Action::Screen(ScreenReply::Calendar(Reply::Day {
        request,
        result: Ok(view),
    })))
}

pub fn calendar(app: &App) -> &CalendarScreen {
    &shell(app).states.calendar
}

/// Draws `$app` and checks it against tests/snapshots/tui_calendar__<name>.snap. Insta names a
/// snapshot after the module that asserts it; these files were named when this target was a
/// single file, so the name is given here in full (the crate's name is the root module's path)
/// along with the directory they are in, and every module keeps using them unchanged.
macro_rules! assert_screen {
    ($name:literal, $app:expr) => {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(concat!(env!("CARGO_CRATE_NAME"), "__", $name), render($app));
        });
    };
}
pub(crate) use assert_screen;

/// A patient as the booking form's lookup finds them (born 1985-06-15).
pub fn hit(id: i64, family: &str, given: &str) -> PatientHit {
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

/// Types `typed` into the booking form's patient field, lets the pause pass, and answers the
/// one lookup that goes out with `hits`.
pub fn find_patients(app: &mut App, typed: &str, hits: Vec<PatientHit>) {
    type_text(app, typed);
    let now = app.now;
    let effects = tick(app, now + Duration::milliseconds(500));
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
        result: Ok(hits),
    })));
}
