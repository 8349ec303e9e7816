//! The day and week views: loading, every status drawn, a stale answer dropped, one doctor's week,
//! and live notifications reloading what is shown.

use chrono::{Duration, NaiveDate};
use clinic::app::calendar::{self, Reply, Request};
use clinic::app::registry::{ScreenReply, ScreenRequest};
use clinic::app::{Action, Effect};
use clinic::domain::appointment::AppointmentStatus;
use clinic::domain::live::LiveEvent;
use clinic::domain::schedule::WeekView;
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::{
    assert_screen, at_calendar, calendar, column, day_request, day_view, doctors, entry, sign_in,
    today,
};
use crate::support::*;

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

#[test]
fn a_notification_reloads_what_is_shown_and_a_reconnect_says_live() {
    let mut app = at_calendar(Job::Receptionist);
    assert_eq!(app.update(Action::Live(LiveEvent::Reconnected)), Vec::new());
    assert!(render(&app).contains("live"));
    // The re-read goes out after this desk's short wait, not at once.
    let effects = after_refetch_delay(&mut app);
    day_request(&effects);
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
    assert_eq!(
        effects,
        Vec::new(),
        "the load once more waits its moment too"
    );
    let (request, _) = day_request(&after_refetch_delay(&mut app));
    app.update(Action::Screen(ScreenReply::Calendar(Reply::Day {
        request,
        result: Ok(day_view(date)),
    })));
    assert_eq!(after_refetch_delay(&mut app), Vec::new(), "and only once");
    app.update(Action::Live(LiveEvent::Appointment(9)));
    day_request(&after_refetch_delay(&mut app));
    app.update(Action::Live(LiveEvent::Lost));
    assert!(render(&app).contains("not live"));
}
