//! Other desks' changes as a desk follows them: the screen in front re-reads once, after this
//! desk's short wait, however many changes came; a screen behind re-reads only when shown.

use chrono::{DateTime, TimeDelta, Utc};
use clinic::app::queue;
use clinic::app::refetch;
use clinic::app::registry::{ScreenId, ScreenReply, ScreenRequest};
use clinic::app::{Action, App, Effect, RequestId};
use clinic::domain::live::LiveEvent;
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::{at_calendar, calendar, day_request};
use crate::queue::queue_entries;
use crate::support::*;

fn at(ms: i64) -> DateTime<Utc> {
    t0() + TimeDelta::milliseconds(ms)
}

fn queue_loads(effects: &[Effect]) -> Vec<RequestId> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Screen(ScreenRequest::Queue(queue::Request::Load { request, .. })) => {
                Some(*request)
            }
            _ => None,
        })
        .collect()
}

fn calendar_requests(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Screen(ScreenRequest::Calendar(_))))
        .count()
}

/// A receptionist who opened the calendar (loaded, now behind) and is on the queue (loaded).
fn on_queue_with_calendar_behind() -> App {
    let mut app = at_calendar(Job::Receptionist);
    let effects = press(&mut app, KeyCode::F(4));
    assert_eq!(shell(&app).current, ScreenId::Queue);
    let [request] = queue_loads(&effects)[..] else {
        panic!("the queue loads when shown: {effects:?}");
    };
    app.update(Action::Screen(ScreenReply::Queue(queue::Reply::Loaded {
        request,
        result: Ok(queue_entries()),
    })));
    app
}

#[test]
fn a_burst_of_changes_is_one_read_after_the_desk_delay_and_the_front_screen_shows_it() {
    let mut app = on_queue_with_calendar_behind();
    assert_eq!(
        app.refetch_delay,
        refetch::LATEST,
        "tests keep the longest wait"
    );
    // Four changes in the wait: none asks anything by itself.
    for ms in [0, 20, 150, 399] {
        assert_eq!(tick(&mut app, at(ms)), Vec::new());
        assert_eq!(
            app.update(Action::Live(LiveEvent::Appointment(ms))),
            Vec::new(),
            "the change at {ms} ms waits"
        );
    }
    assert!(
        queue_loads(&tick(&mut app, at(399))).is_empty(),
        "not before"
    );
    let effects = tick(&mut app, at(400));
    let [request] = queue_loads(&effects)[..] else {
        panic!("one read for the burst: {effects:?}");
    };
    assert_eq!(
        calendar_requests(&effects),
        0,
        "the calendar is behind: it waits"
    );
    // Another desk cancelled Brown's 10:00: the queue in front shows it.
    let before = render(&app);
    assert!(before.contains("Brown, Tom"), "{before}");
    app.update(Action::Screen(ScreenReply::Queue(queue::Reply::Loaded {
        request,
        result: Ok(queue_entries()
            .into_iter()
            .filter(|e| e.appointment_id != 6)
            .collect()),
    })));
    let after = render(&app);
    assert!(!after.contains("Brown, Tom"), "{after}");
    assert!(
        queue_loads(&tick(&mut app, at(2_000))).is_empty(),
        "the burst was read once"
    );
}

#[test]
fn a_change_heard_while_the_read_is_out_is_read_once_more_after_its_answer() {
    let mut app = on_queue_with_calendar_behind();
    app.update(Action::Live(LiveEvent::Appointment(5)));
    let [request] = queue_loads(&tick(&mut app, at(400)))[..] else {
        panic!("the read after the wait");
    };
    // Two more changes while that read is out: it may predate them.
    assert_eq!(
        app.update(Action::Live(LiveEvent::Appointment(6))),
        Vec::new()
    );
    assert_eq!(
        app.update(Action::Live(LiveEvent::Appointment(4))),
        Vec::new()
    );
    let answered = app.update(Action::Screen(ScreenReply::Queue(queue::Reply::Loaded {
        request,
        result: Ok(queue_entries()),
    })));
    assert!(queue_loads(&answered).is_empty(), "not at once either");
    assert_eq!(
        queue_loads(&tick(&mut app, at(800))).len(),
        1,
        "the last change is read"
    );
    assert!(queue_loads(&tick(&mut app, at(1_600))).is_empty(), "once");
}

#[test]
fn a_screen_behind_reads_when_it_is_shown_and_not_before() {
    let mut app = on_queue_with_calendar_behind();
    app.update(Action::Live(LiveEvent::Appointment(3)));
    let effects = tick(&mut app, at(400));
    assert_eq!(calendar_requests(&effects), 0, "{effects:?}");
    assert!(
        calendar(&app).refetch.behind(),
        "the calendar knows it is behind"
    );
    assert_eq!(
        calendar_requests(&tick(&mut app, at(5_000))),
        0,
        "still not"
    );
    // Shown: it reads what it shows at once (a key never waits on the wait).
    let effects = press(&mut app, KeyCode::F(3));
    day_request(&effects);
    assert!(!calendar(&app).refetch.behind());
}

#[test]
fn a_screen_sent_behind_while_its_read_waited_reads_when_shown_again() {
    let mut app = on_queue_with_calendar_behind();
    press(&mut app, KeyCode::F(3));
    // The calendar's own load is out: a change then waits for its answer.
    app.update(Action::Live(LiveEvent::Appointment(3)));
    press(&mut app, KeyCode::F(4));
    let effects = tick(&mut app, at(400));
    assert_eq!(calendar_requests(&effects), 0, "behind: {effects:?}");
    day_request(&press(&mut app, KeyCode::F(3)));
}
