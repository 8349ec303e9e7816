//! The lookup: typing, the debounced search, stale answers, the list and the summary.

use chrono::TimeDelta;
use clinic::app::keymap::Place;
use clinic::app::patients::{LookupFocus, Reply, Request};
use clinic::app::registry::{ScreenId, ScreenReply};
use clinic::app::Action;
use clinic::domain::patient::SearchQuery;
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::{
    date, desk, does, found, hit, john, one_patients_effect, open_john, screen, search_for,
    searches,
};
use crate::support::*;

#[test]
fn the_search_box_has_the_focus_on_entry_and_takes_every_character() {
    let mut app = desk(Job::Receptionist);
    type_text(&mut app, "q?nbc/");
    assert_eq!(screen(&app).lookup.picker.input.value(), "q?nbc/");
    assert!(app.popup.is_none() && screen(&app).form.is_none());
}

#[test]
fn typing_is_debounced_into_one_search_after_the_pause() {
    let mut app = desk(Job::Receptionist);
    type_text(&mut app, "doe j");
    assert!(searches(&tick(&mut app, t0() + TimeDelta::milliseconds(100))).is_empty());
    // Another key within the pause starts it again.
    type_text(&mut app, "o");
    assert!(searches(&tick(&mut app, t0() + TimeDelta::milliseconds(200))).is_empty());
    let sent = searches(&tick(&mut app, t0() + TimeDelta::milliseconds(260)));
    assert_eq!(
        sent.iter().map(|(_, q)| q.clone()).collect::<Vec<_>>(),
        vec![SearchQuery::Name(vec!["doe".into(), "jo".into()])]
    );
    assert_eq!(screen(&app).lookup.picker.reading, Some("name"));
    // Nothing new typed, nothing new sent.
    assert!(searches(&tick(&mut app, t0() + TimeDelta::seconds(1))).is_empty());
}

#[test]
fn the_input_is_read_by_its_shape() {
    let mut app = desk(Job::Receptionist);
    for (typed, reading) in [
        ("1985-06-15", "date of birth"),
        ("15/06/1985", "date of birth"),
        ("555 0102", "phone or number"),
        ("john@", "email"),
        ("muller", "name"),
    ] {
        while !screen(&app).lookup.picker.input.value().is_empty() {
            press(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, typed);
        assert_eq!(screen(&app).lookup.picker.reading, Some(reading), "{typed}");
    }
}

#[test]
fn a_stale_search_answer_is_dropped() {
    let mut app = desk(Job::Receptionist);
    let first = search_for(&mut app, "do");
    let second = search_for(&mut app, "e");
    assert_ne!(first, second);
    found(
        &mut app,
        first,
        vec![hit(9, 1, "Dobbs", "Old", date(1950, 1, 1))],
    );
    assert!(
        screen(&app).lookup.picker.hits.is_empty(),
        "the answer to \"do\" came after \"doe\" was sent"
    );
    found(&mut app, second, does());
    assert_eq!(screen(&app).lookup.picker.hits.len(), 3);
    assert_eq!(screen(&app).lookup.picker.answered.as_deref(), Some("doe"));
    found(&mut app, first, Vec::new());
    assert_eq!(
        screen(&app).lookup.picker.hits.len(),
        3,
        "a late old answer changes nothing"
    );
}

#[test]
fn a_failed_search_says_why_in_words() {
    let mut app = desk(Job::Receptionist);
    let request = search_for(&mut app, "doe");
    app.update(Action::Screen(ScreenReply::Patients(Reply::Found {
        request,
        result: Err("The database cannot be reached right now; try again.".into()),
    })));
    assert!(render(&app).contains("Could not search: The database cannot be reached"));
}

#[test]
fn arrows_and_vim_keys_move_through_the_list_and_enter_opens_the_summary() {
    let mut app = desk(Job::Receptionist);
    let request = search_for(&mut app, "doe");
    found(&mut app, request, does());
    // j is typed while the box has the focus; Down moves into the list.
    type_text(&mut app, "j");
    assert_eq!(screen(&app).lookup.picker.input.value(), "doej");
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Down);
    assert_eq!(screen(&app).lookup.focus, LookupFocus::List);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(
        screen(&app).lookup.picker.hits.selected(),
        2,
        "stops at the last row"
    );
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(screen(&app).lookup.picker.hits.selected(), 1);
    press(&mut app, KeyCode::PageUp);
    assert_eq!(screen(&app).lookup.picker.hits.selected(), 0);
    press(&mut app, KeyCode::Char('j'));
    match one_patients_effect(press(&mut app, KeyCode::Enter)) {
        Request::Summary { patient_id, .. } => assert_eq!(patient_id, 2),
        other => panic!("expected a summary, got {other:?}"),
    }
    assert_eq!(
        app.front(),
        Place::Panel(clinic::app::registry::Panel::Patients(
            clinic::app::patients::Panel::Summary
        ))
    );
    // Esc goes back to the lookup with the query and the selection kept.
    press(&mut app, KeyCode::Esc);
    assert!(screen(&app).summary.is_none());
    assert_eq!(screen(&app).lookup.picker.input.value(), "doe");
    assert_eq!(screen(&app).lookup.picker.hits.selected(), 1);
    // `/` goes back to the box.
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(screen(&app).lookup.focus, LookupFocus::Search);
}

#[test]
fn enter_before_the_answer_opens_a_single_match_when_it_comes() {
    let mut app = desk(Job::Receptionist);
    type_text(&mut app, "10231");
    let request = match searches(&press(&mut app, KeyCode::Enter)).as_slice() {
        [(request, SearchQuery::Digits(d))] if d == "10231" => *request,
        other => panic!("Enter should search at once, got {other:?}"),
    };
    let effects = app.update(Action::Screen(ScreenReply::Patients(Reply::Found {
        request,
        result: Ok(vec![does().remove(0)]),
    })));
    assert!(matches!(
        one_patients_effect(effects),
        Request::Summary { patient_id: 1, .. }
    ));
}

#[test]
fn summary_keys_book_and_check_in() {
    let mut app = desk(Job::Receptionist);
    open_john(&mut app, john(1));
    // The 10:30 today is waiting: `c` checks it in, with its version.
    let request = match one_patients_effect(press(&mut app, KeyCode::Char('c'))) {
        Request::CheckIn {
            request,
            appointment_id: 31,
            version: 1,
            ..
        } => request,
        other => panic!("expected a check-in, got {other:?}"),
    };
    let effects = app.update(Action::Screen(ScreenReply::Patients(Reply::CheckedIn {
        request,
        result: Ok("Checked in for 10:30.".into()),
    })));
    assert_eq!(app.notice.as_deref(), Some("Checked in for 10:30."));
    assert!(
        matches!(one_patients_effect(effects), Request::Summary { .. }),
        "the summary is read again"
    );
    // `b` hands the patient to the calendar.
    press(&mut app, KeyCode::Char('b'));
    assert_eq!(shell(&app).current, ScreenId::Calendar);
}

#[test]
fn the_summary_shows_demographics_appointments_and_balance() {
    let mut app = desk(Job::Receptionist);
    open_john(&mut app, john(1));
    let screen = render(&app);
    for expected in [
        "DOE, John",
        "patient 10231",
        "1985-06-15",
        "john.doe@example.com",
        "Jane Doe, 555 010 2231",
        "Acme Health",
        "USD 120.50",
        "Dr Alice Smith",
        "scheduled",
        "done",
    ] {
        assert!(screen.contains(expected), "{expected} missing:\n{screen}");
    }
}
