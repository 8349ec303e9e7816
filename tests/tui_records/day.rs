//! The doctor's day: home after sign-in, read like a waiting list, and the slips at `s`.

use clinic::app::records::{Panel, Reply, Request};
use clinic::app::registry::{Panel as AnyPanel, ScreenId};
use crossterm::event::KeyCode;

use crate::common::{assert_screen, *};
use crate::support::*;

#[test]
fn the_doctors_day_is_home_and_reads_like_a_waiting_list() {
    let (app, _) = doctors_day();
    assert_eq!(shell(&app).current, ScreenId::Records);
    assert_eq!(screen(&app).day, Some(today()));
    let drawn = render(&app);
    // Who waits and since when, in h:mm; the allergy flag; drafts still to sign.
    assert!(
        drawn.contains("4 booked · 1 waiting for you (longest 0:12)"),
        "{drawn}"
    );
    assert!(drawn.contains("waiting 0:12"), "{drawn}");
    assert!(drawn.contains("⚠A"), "{drawn}");
    assert!(drawn.contains("signed 09:18"), "{drawn}");
    assert!(drawn.contains("Unsigned from other days: 1"), "{drawn}");
    assert_screen!("records_doctors_day", drawn);
}

#[test]
fn the_wait_moves_on_with_the_clock_without_a_reload() {
    let (mut app, _) = doctors_day();
    let later = local(9, 50);
    let effects = tick(&mut app, later);
    assert!(
        requests(&effects).is_empty(),
        "no reload for a minute turning"
    );
    assert!(render(&app).contains("waiting 0:21"), "{}", render(&app));
}

#[test]
fn s_starts_only_a_patient_who_has_arrived_and_twice_is_once() {
    let (mut app, _) = doctors_day();
    // Wilson (expected, not here yet).
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    let effects = press(&mut app, KeyCode::Char('s'));
    assert!(requests(&effects).is_empty());
    assert!(
        render(&app).contains("Wilson, Pat is not checked in yet"),
        "{}",
        render(&app)
    );
    // The footer offers `s` only where it works.
    assert!(!app
        .footer_hints()
        .iter()
        .any(|(_, l)| *l == "start consultation"));

    press(&mut app, KeyCode::Up);
    assert!(app
        .footer_hints()
        .iter()
        .any(|(_, l)| *l == "start consultation"));
    let first = requests(&press(&mut app, KeyCode::Char('s')));
    assert!(matches!(
        first.as_slice(),
        [Request::Start {
            appointment_id: 3,
            ..
        }]
    ));
    let second = requests(&press(&mut app, KeyCode::Char('s')));
    assert!(second.is_empty(), "a second s while starting asks nothing");
    assert!(render(&app).contains("Still starting"), "{}", render(&app));
}

#[test]
fn enter_opens_the_chart_and_esc_comes_back_to_the_day() {
    let (mut app, _) = doctors_day();
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    let effects = press(&mut app, KeyCode::Enter);
    let request = match requests(&effects).as_slice() {
        [Request::Chart {
            request,
            patient_id: 103,
        }] => *request,
        other => panic!("expected the chart of Garcia: {other:?}"),
    };
    reply(
        &mut app,
        Reply::Chart {
            request,
            result: Ok(chart()),
        },
    );
    assert_eq!(
        shell(&app).states.get(ScreenId::Records).panel(),
        Some(AnyPanel::Records(Panel::Chart))
    );
    let drawn = render(&app);
    assert!(
        drawn.contains("ALLERGIES: Penicillin (rash, moderate)"),
        "{drawn}"
    );
    assert!(drawn.contains("DRAFT (unsigned)"), "{drawn}");
    assert_screen!("records_chart", drawn);
    let back = press(&mut app, KeyCode::Esc);
    assert!(screen(&app).chart.is_none());
    assert!(matches!(requests(&back).as_slice(), [Request::Day { .. }]));
}

#[test]
fn a_stale_day_answer_is_dropped() {
    let (mut app, _) = doctors_day();
    let first = requests(&press(&mut app, KeyCode::Char('r')));
    let second = requests(&press(&mut app, KeyCode::Char('r')));
    let (Some(Request::Day { request: old, .. }), Some(Request::Day { request: new, .. })) =
        (first.first(), second.first())
    else {
        panic!("two reloads: {first:?} {second:?}");
    };
    reply(
        &mut app,
        Reply::Day {
            request: *old,
            result: Ok((vec![], vec![])),
        },
    );
    assert_eq!(
        screen(&app).visits.len(),
        4,
        "the stale answer changed nothing"
    );
    reply(
        &mut app,
        Reply::Day {
            request: *new,
            result: Ok((vec![], vec![])),
        },
    );
    assert_eq!(screen(&app).visits.len(), 0);
}

/// As the desk's queue: another desk checks a patient in, and the day reads again by itself; a
/// lost connection says so, and its return reads again.
#[test]
fn the_day_follows_the_desk_live() {
    use clinic::app::Action;
    use clinic::domain::live::LiveEvent;
    let (mut app, _) = doctors_day();
    // After this desk's short wait: every desk heard the change at the same instant.
    app.update(Action::Live(LiveEvent::Appointment(3)));
    let effects = after_refetch_delay(&mut app);
    assert!(
        matches!(requests(&effects).as_slice(), [Request::Day { .. }]),
        "{effects:?}"
    );
    let request = screen(&app).loading.id().expect("reading");
    let mut now_waiting = visits();
    now_waiting[3].status = clinic::domain::appointment::AppointmentStatus::CheckedIn;
    now_waiting[3].status_changed_at = Some(local(9, 40));
    reply(
        &mut app,
        Reply::Day {
            request,
            result: Ok((now_waiting, vec![])),
        },
    );
    assert!(
        render(&app).contains("2 waiting for you"),
        "{}",
        render(&app)
    );
    app.update(Action::Live(LiveEvent::Lost));
    assert!(
        render(&app).contains("not live (r reloads)"),
        "{}",
        render(&app)
    );
    app.update(Action::Live(LiveEvent::Reconnected));
    let back = after_refetch_delay(&mut app);
    assert!(matches!(requests(&back).as_slice(), [Request::Day { .. }]));
}
