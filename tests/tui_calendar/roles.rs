//! What doctors and admins may do on the calendar.

use clinic::app::calendar::{self, Request};
use clinic::app::registry::ScreenRequest;
use clinic::app::Effect;
use clinic::domain::appointment::AppointmentStatus;
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::{at_calendar, calendar};
use crate::support::*;

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
