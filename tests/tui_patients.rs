//! The patients screen driven through `App::update` with keys and simulated database answers (the
//! Replies the effect runner would send), and drawn at 80x24 with the fixed clock.

#[allow(dead_code)]
#[path = "tui/support.rs"]
mod support;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use clinic::app::keymap::Place;
use clinic::app::patients::{
    Details, FormPopup, LookupFocus, PatientsScreen, Reply, Request, SaveFailure, SaveTarget,
    StaleInfo, Summary,
};
use clinic::app::registry::{ScreenId, ScreenReply, ScreenRequest};
use clinic::app::{Action, App, Effect, Popup, RequestId};
use clinic::domain::appointment::{AppointmentStatus, PatientAppointment};
use clinic::domain::money::{Currency, Money};
use clinic::domain::patient::{
    BillingPatient, DuplicateCandidate, NextAppointment, Patient, PatientField, PatientHit,
    SearchQuery, Sex,
};
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use support::*;

// ---- fixtures -----------------------------------------------------------------------------------

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
        .single()
        .expect("a valid instant")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn hit(id: i64, number: i64, family: &str, given: &str, born: NaiveDate) -> PatientHit {
    PatientHit {
        id,
        patient_number: number,
        family_name: family.into(),
        given_names: given.into(),
        date_of_birth: born,
        phone: None,
        email: None,
        next_appointment: None,
        similar: false,
    }
}

/// The three of the lookup sketch; the clinic is in New York, so 15:30 UTC is 10:30 there.
fn does() -> Vec<PatientHit> {
    let mut john = hit(1, 10231, "Doe", "John", date(1985, 6, 15));
    john.phone = Some("123 456 7890".into());
    john.next_appointment = Some(NextAppointment {
        starts_at: at(1, 15, 30),
        doctor: "Alice Smith".into(),
    });
    let mut joanna = hit(2, 88412, "Doe", "Joanna", date(1990, 2, 1));
    joanna.phone = Some("555 010 2231".into());
    joanna.next_appointment = Some(NextAppointment {
        starts_at: at(3, 16, 0),
        doctor: "Greg House".into(),
    });
    let mut jon = hit(3, 40117, "Dowe", "Jon", date(1984, 11, 30));
    jon.phone = Some("555 010 9911".into());
    jon.similar = true;
    vec![john, joanna, jon]
}

fn john(version: i32) -> Patient {
    Patient {
        id: 1,
        patient_number: 10231,
        family_name: "Doe".into(),
        given_names: "John".into(),
        preferred_name: Some("Johnny".into()),
        date_of_birth: date(1985, 6, 15),
        sex: Sex::Male,
        gender_identity: None,
        phone: Some("123 456 7890".into()),
        email: Some("john.doe@example.com".into()),
        address_line1: Some("123 Main St".into()),
        address_line2: None,
        city: Some("Springfield".into()),
        postcode: Some("12345".into()),
        emergency_contact_name: Some("Jane Doe".into()),
        emergency_contact_phone: Some("555 010 2231".into()),
        insurer: Some("Acme Health".into()),
        insurance_number: Some("AC-123".into()),
        created_at: at(1, 9, 0),
        created_by: Some(1),
        updated_at: at(1, 9, 0),
        updated_by: Some(1),
        version,
    }
}

fn visits() -> Vec<PatientAppointment> {
    let visit =
        |id, starts_at: DateTime<Utc>, doctor: &str, status, reason: &str| PatientAppointment {
            id,
            version: 1,
            starts_at,
            ends_at: starts_at + TimeDelta::minutes(15),
            doctor: doctor.into(),
            status,
            reason: Some(reason.into()),
        };
    vec![
        visit(
            31,
            at(1, 15, 30),
            "Alice Smith",
            AppointmentStatus::Scheduled,
            "check-up",
        ),
        visit(
            32,
            at(15, 14, 0),
            "Greg House",
            AppointmentStatus::Scheduled,
            "results",
        ),
        visit(
            30,
            Utc.with_ymd_and_hms(2026, 11, 3, 14, 0, 0)
                .single()
                .expect("instant"),
            "Alice Smith",
            AppointmentStatus::Completed,
            "flu",
        ),
    ]
}

fn summary_of(patient: Patient) -> Box<Summary> {
    Box::new(Summary {
        details: Details::Full(Box::new(patient)),
        appointments: visits(),
        balance: Some(vec![Money::new(12050, Currency::USD)]),
    })
}

// ---- driving ------------------------------------------------------------------------------------

fn screen(app: &App) -> &PatientsScreen {
    &shell(app).states.patients
}

/// Signed in, the connection proved, on the patients screen.
fn desk(job: Job) -> App {
    let (mut app, _, ping) = signed_in(job);
    app.update(Action::PingDone {
        request: ping,
        ok: true,
    });
    assert_eq!(shell(&app).current, ScreenId::Patients);
    app
}

/// The Search effects among `effects`: (request, query).
fn searches(effects: &[Effect]) -> Vec<(RequestId, SearchQuery)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Screen(ScreenRequest::Patients(Request::Search { request, query, .. })) => {
                Some((*request, query.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Types `text` into the box and lets the pause pass; returns the one search it sent.
fn search_for(app: &mut App, text: &str) -> RequestId {
    type_text(app, text);
    let now = app.now + TimeDelta::milliseconds(200);
    match searches(&tick(app, now)).as_slice() {
        [(request, _)] => *request,
        other => panic!("expected one search, got {other:?}"),
    }
}

fn found(app: &mut App, request: RequestId, hits: Vec<PatientHit>) {
    app.update(Action::Screen(ScreenReply::Patients(Reply::Found {
        request,
        result: Ok(hits),
    })));
}

fn one_patients_effect(effects: Vec<Effect>) -> Request {
    match <[Effect; 1]>::try_from(effects) {
        Ok([Effect::Screen(ScreenRequest::Patients(request))]) => request,
        Ok(other) => panic!("expected a patients effect, got {other:?}"),
        Err(other) => panic!("expected one effect, got {other:?}"),
    }
}

/// Opens John Doe's summary from the lookup and answers it with `patient`.
fn open_john(app: &mut App, patient: Patient) {
    let request = search_for(app, "doe jo");
    found(app, request, does());
    let request = match one_patients_effect(press(app, KeyCode::Enter)) {
        Request::Summary {
            request,
            patient_id: 1,
            ..
        } => request,
        other => panic!("expected John's summary to load, got {other:?}"),
    };
    app.update(Action::Screen(ScreenReply::Patients(Reply::Summary {
        request,
        result: Ok(summary_of(patient)),
    })));
}

/// Types into the form's fields from the focused one on, Tab between them.
fn fill(app: &mut App, values: &[&str]) {
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            press(app, KeyCode::Tab);
        }
        type_text(app, value);
    }
}

fn save(app: &mut App) -> Vec<Effect> {
    ctrl(app, 's')
}

fn field_value(app: &App, field: PatientField) -> String {
    let form = screen(app).form.as_ref().expect("the form is open");
    form.text(field).to_string()
}

/// A new patient, Jane Roe, typed into a fresh form.
fn register_jane(app: &mut App) {
    ctrl(app, 'n');
    assert!(screen(app).form.is_some(), "Ctrl-N opens the form");
    // Family, given, preferred, date of birth, sex.
    fill(app, &["Roe", "Jane", "", "1991-04-02", "f"]);
}

fn duplicate(h: PatientHit, reason: &str) -> DuplicateCandidate {
    DuplicateCandidate {
        patient: h,
        reason: reason.into(),
        score: 1.0,
    }
}

macro_rules! assert_screen {
    ($name:expr, $app:expr) => {
        insta::assert_snapshot!($name, render($app));
    };
}

// ---- the lookup ---------------------------------------------------------------------------------

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

// ---- the form -----------------------------------------------------------------------------------

#[test]
fn n_opens_the_form_from_the_list_and_ctrl_n_from_the_box() {
    let mut app = desk(Job::Receptionist);
    let request = search_for(&mut app, "doe");
    found(&mut app, request, does());
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('n'));
    assert!(screen(&app).form.is_some());
    assert_eq!(
        app.front(),
        Place::Panel(clinic::app::registry::Panel::Patients(
            clinic::app::patients::Panel::Form
        ))
    );
    press(&mut app, KeyCode::Esc);
    assert!(
        screen(&app).form.is_none(),
        "an untouched form closes at once"
    );

    press(&mut app, KeyCode::Char('/'));
    ctrl(&mut app, 'n');
    assert!(screen(&app).form.is_some());
}

#[test]
fn a_date_typed_in_the_lookup_is_carried_into_a_new_form() {
    let mut app = desk(Job::Receptionist);
    type_text(&mut app, "15/06/1985");
    ctrl(&mut app, 'n');
    assert_eq!(field_value(&app, PatientField::DateOfBirth), "15/06/1985");
    assert_eq!(field_value(&app, PatientField::FamilyName), "");
}

#[test]
fn a_bad_date_of_birth_is_named_under_its_field_and_nothing_is_sent() {
    let mut app = desk(Job::Receptionist);
    ctrl(&mut app, 'n');
    fill(&mut app, &["Roe", "Jane", "", "1985-13-45", "f"]);
    assert_eq!(
        save(&mut app),
        Vec::new(),
        "no effect for a form with a bad field"
    );
    let form = screen(&app).form.as_ref().expect("the form stays open");
    assert_eq!(
        form.field(),
        PatientField::DateOfBirth,
        "the focus goes to the field"
    );
    assert!(form
        .error_of(PatientField::DateOfBirth)
        .is_some_and(|e| e.contains("Not a date")));
    assert_eq!(
        field_value(&app, PatientField::DateOfBirth),
        "1985-13-45",
        "kept as typed"
    );
    let drawn = render(&app);
    let lines: Vec<&str> = drawn.lines().collect();
    let field_row = lines
        .iter()
        .position(|l| l.contains("Date of birth"))
        .expect("the field is drawn");
    assert!(
        lines[field_row + 1].contains("! Not a date"),
        "the message is right under the field:\n{drawn}"
    );
}

#[test]
fn esc_on_a_changed_form_asks_and_quitting_asks_too() {
    let mut app = desk(Job::Receptionist);
    register_jane(&mut app);
    assert!(app.has_unsaved_input());
    // Quitting asks first.
    assert_eq!(ctrl(&mut app, 'c'), Vec::new());
    assert!(matches!(app.popup, Some(Popup::Confirm(_))));
    press(&mut app, KeyCode::Char('n'));
    // Esc asks before throwing the form away; n keeps it, y discards it.
    press(&mut app, KeyCode::Esc);
    assert!(
        matches!(&app.popup, Some(Popup::Confirm(c)) if c.title == "Discard the form?"),
        "{:?}",
        app.popup
    );
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(field_value(&app, PatientField::GivenNames), "Jane");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(screen(&app).form.is_none());
    assert!(!app.has_unsaved_input());
}

#[test]
fn likely_duplicates_are_shown_before_saving_and_each_answer_does_what_it_says() {
    let mut app = desk(Job::Receptionist);
    register_jane(&mut app);
    let request = match one_patients_effect(save(&mut app)) {
        Request::Duplicates {
            request,
            details,
            exclude: None,
        } => {
            assert_eq!(details.family_name, "Roe");
            request
        }
        other => panic!("a new patient is checked for duplicates first, got {other:?}"),
    };
    let candidates = vec![
        duplicate(
            hit(7, 10500, "Roe", "Jane", date(1991, 4, 2)),
            "same name and date of birth",
        ),
        duplicate(
            hit(8, 10501, "Rowe", "Janet", date(1991, 4, 2)),
            "similar name and same date of birth",
        ),
    ];
    app.update(Action::Screen(ScreenReply::Patients(Reply::Duplicates {
        request,
        result: Ok(candidates.clone()),
    })));
    assert!(render(&app).contains("same name and date of birth"));

    // Esc: back to the form, untouched.
    press(&mut app, KeyCode::Esc);
    assert!(screen(&app)
        .form
        .as_ref()
        .is_some_and(|f| f.kind.popup.is_none()));
    assert_eq!(field_value(&app, PatientField::FamilyName), "Roe");

    // Enter asks before discarding the form; n returns to the candidates.
    let request = match one_patients_effect(save(&mut app)) {
        Request::Duplicates { request, .. } => request,
        other => panic!("{other:?}"),
    };
    app.update(Action::Screen(ScreenReply::Patients(Reply::Duplicates {
        request,
        result: Ok(candidates.clone()),
    })));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    assert!(render(&app).contains("Open ROWE, Janet (patient 10501) instead?"));
    press(&mut app, KeyCode::Char('n'));
    assert!(app.popup.is_none(), "n closed the question");
    assert!(matches!(
        screen(&app).form.as_ref().and_then(|f| f.kind.popup.as_ref()),
        Some(FormPopup::Duplicates { candidates, .. }) if candidates.selected() == 1
    ));

    // `s` saves anyway, as a new patient.
    let request = match one_patients_effect(press(&mut app, KeyCode::Char('s'))) {
        Request::Save {
            request,
            target: SaveTarget::New,
            details,
        } => {
            assert_eq!(details.given_names, "Jane");
            request
        }
        other => panic!("expected a save, got {other:?}"),
    };
    let mut jane = john(1);
    (
        jane.id,
        jane.patient_number,
        jane.family_name,
        jane.given_names,
    ) = (12, 10502, "Roe".into(), "Jane".into());
    let effects = app.update(Action::Screen(ScreenReply::Patients(Reply::Saved {
        request,
        result: Ok(Box::new(jane)),
    })));
    assert!(screen(&app).form.is_none());
    assert_eq!(
        app.notice.as_deref(),
        Some("Registered ROE, Jane as patient 10502.")
    );
    assert!(matches!(
        one_patients_effect(effects),
        Request::Summary { patient_id: 12, .. }
    ));
}

#[test]
fn opening_the_existing_patient_instead_discards_the_form_only_after_yes() {
    let mut app = desk(Job::Receptionist);
    register_jane(&mut app);
    let request = match one_patients_effect(save(&mut app)) {
        Request::Duplicates { request, .. } => request,
        other => panic!("{other:?}"),
    };
    app.update(Action::Screen(ScreenReply::Patients(Reply::Duplicates {
        request,
        result: Ok(vec![duplicate(
            hit(7, 10500, "Roe", "Jane", date(1991, 4, 2)),
            "same name and date of birth",
        )]),
    })));
    press(&mut app, KeyCode::Enter);
    assert!(screen(&app).form.is_some(), "not before the answer");
    let effects = press(&mut app, KeyCode::Char('y'));
    assert!(screen(&app).form.is_none());
    assert!(matches!(
        one_patients_effect(effects),
        Request::Summary { patient_id: 7, .. }
    ));
}

#[test]
fn a_refused_save_keeps_the_form_and_says_why() {
    let mut app = desk(Job::Receptionist);
    register_jane(&mut app);
    let request = match one_patients_effect(save(&mut app)) {
        Request::Duplicates { request, .. } => request,
        other => panic!("{other:?}"),
    };
    let request = match one_patients_effect(app.update(Action::Screen(ScreenReply::Patients(
        Reply::Duplicates {
            request,
            result: Ok(Vec::new()),
        },
    )))) {
        Request::Save { request, .. } => request,
        other => panic!("no duplicates: straight to the save, got {other:?}"),
    };
    app.update(Action::Screen(ScreenReply::Patients(Reply::Saved {
        request,
        result: Err(SaveFailure::Refused(
            "The database cannot be reached right now (connection closed); your input is kept, try again.".into(),
        )),
    })));
    let form = screen(&app).form.as_ref().expect("still open");
    assert!(!form.busy());
    assert_eq!(field_value(&app, PatientField::FamilyName), "Roe");
    assert!(render(&app).contains("Not saved: The database cannot be reached"));
}

fn stale_john(app: &mut App) -> RequestId {
    open_john(app, john(1));
    press(app, KeyCode::Char('e'));
    assert_eq!(field_value(app, PatientField::FamilyName), "Doe");
    // To the phone, and a new number.
    for _ in 0..6 {
        press(app, KeyCode::Tab);
    }
    assert_eq!(
        screen(app).form.as_ref().map(|f| f.field()),
        Some(PatientField::Phone)
    );
    for _ in 0.."123 456 7890".len() {
        press(app, KeyCode::Backspace);
    }
    type_text(app, "555 010 0000");
    let request = match one_patients_effect(save(app)) {
        Request::Duplicates {
            request,
            exclude: Some(1),
            ..
        } => request,
        other => panic!("a changed phone is checked for duplicates, got {other:?}"),
    };
    let request = match one_patients_effect(app.update(Action::Screen(ScreenReply::Patients(
        Reply::Duplicates {
            request,
            result: Ok(Vec::new()),
        },
    )))) {
        Request::Save {
            request,
            target: SaveTarget::Existing { id: 1, version: 1 },
            ..
        } => request,
        other => panic!("expected a save of version 1, got {other:?}"),
    };
    let mut theirs = john(2);
    theirs.email = Some("jd@example.org".into());
    theirs.updated_at = at(1, 14, 35);
    let differences = vec![
        (
            PatientField::Phone,
            "123 456 7890".to_string(),
            "555 010 0000".to_string(),
        ),
        (
            PatientField::Email,
            "jd@example.org".to_string(),
            "john.doe@example.com".to_string(),
        ),
    ];
    app.update(Action::Screen(ScreenReply::Patients(Reply::Saved {
        request,
        result: Err(SaveFailure::Stale(Box::new(StaleInfo {
            current: theirs,
            changed_by: "Dana Desk".into(),
            changed_at: at(1, 14, 35),
            differences,
        }))),
    })));
    request
}

#[test]
fn a_stale_save_keeps_what_was_typed_shows_who_and_when_and_saves_over_the_new_version() {
    let mut app = desk(Job::Receptionist);
    stale_john(&mut app);
    assert_eq!(field_value(&app, PatientField::Phone), "555 010 0000");
    assert_eq!(
        field_value(&app, PatientField::Email),
        "jd@example.org",
        "a field this desk did not edit takes their value, so saving does not undo it"
    );
    let drawn = render(&app);
    assert!(drawn.contains("Changed by Dana Desk at 09:35"), "{drawn}");
    assert!(
        drawn.contains("555 010 0000") && drawn.contains("jd@example.org"),
        "{drawn}"
    );

    // Keep editing, then Ctrl-S again: the save names their version now.
    press(&mut app, KeyCode::Esc);
    assert!(screen(&app)
        .form
        .as_ref()
        .is_some_and(|f| f.kind.popup.is_none()));
    let effects = save(&mut app);
    let request = match one_patients_effect(effects) {
        Request::Duplicates { request, .. } => request,
        other => panic!("{other:?}"),
    };
    match one_patients_effect(app.update(Action::Screen(ScreenReply::Patients(
        Reply::Duplicates {
            request,
            result: Ok(Vec::new()),
        },
    )))) {
        Request::Save {
            target: SaveTarget::Existing { id: 1, version: 2 },
            details,
            ..
        } => {
            assert_eq!(details.phone.as_deref(), Some("555 010 0000"));
            assert_eq!(details.email.as_deref(), Some("jd@example.org"));
        }
        other => panic!("expected a save over version 2, got {other:?}"),
    }
}

#[test]
fn r_after_a_stale_save_loads_their_version_into_the_form() {
    let mut app = desk(Job::Receptionist);
    stale_john(&mut app);
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(field_value(&app, PatientField::Email), "jd@example.org");
    assert_eq!(field_value(&app, PatientField::Phone), "123 456 7890");
    assert!(
        !app.has_unsaved_input(),
        "the form now matches what is stored"
    );
    let form = screen(&app).form.as_ref().expect("open");
    assert_eq!(form.kind.editing.as_ref().map(|p| p.version), Some(2));
}

// ---- access -------------------------------------------------------------------------------------

#[test]
fn read_only_roles_get_no_register_edit_book_or_check_in() {
    for job in [Job::Doctor, Job::Admin, Job::Accountant] {
        let mut app = desk(job);
        let footer: Vec<&str> = app.footer_hints().into_iter().map(|(_, l)| l).collect();
        assert!(!footer.contains(&"new patient"), "{job}: {footer:?}");
        assert_eq!(ctrl(&mut app, 'n'), Vec::new(), "{job}");
        assert!(screen(&app).form.is_none(), "{job}");

        let request = search_for(&mut app, "doe");
        found(&mut app, request, does());
        press(&mut app, KeyCode::Tab);
        for key in ['n', 'b', 'c'] {
            assert_eq!(
                press(&mut app, KeyCode::Char(key)),
                Vec::new(),
                "{job} {key}"
            );
        }
        let request = match one_patients_effect(press(&mut app, KeyCode::Enter)) {
            Request::Summary { request, scope, .. } => {
                assert_eq!(scope.billing_only, job == Job::Accountant, "{job}");
                assert_eq!(
                    scope.balance,
                    job != Job::Doctor,
                    "{job}: a doctor never asks"
                );
                request
            }
            other => panic!("{other:?}"),
        };
        let details = match job {
            Job::Accountant => Details::Billing(Box::new(BillingPatient {
                id: 1,
                patient_number: 10231,
                family_name: "Doe".into(),
                given_names: "John".into(),
                preferred_name: None,
                date_of_birth: date(1985, 6, 15),
                phone: None,
                email: None,
                address_line1: None,
                address_line2: None,
                city: None,
                postcode: None,
                insurer: Some("Acme Health".into()),
                insurance_number: None,
            })),
            _ => Details::Full(Box::new(john(1))),
        };
        app.update(Action::Screen(ScreenReply::Patients(Reply::Summary {
            request,
            result: Ok(Box::new(Summary {
                details,
                appointments: visits(),
                balance: None,
            })),
        })));
        for key in ['e', 'b', 'c'] {
            assert_eq!(
                press(&mut app, KeyCode::Char(key)),
                Vec::new(),
                "{job} {key}"
            );
        }
        assert!(screen(&app).form.is_none(), "{job}");
        assert_eq!(shell(&app).current, ScreenId::Patients, "{job}");
        let drawn = render(&app);
        assert!(drawn.contains("read only"), "{job}:\n{drawn}");
        assert!(!drawn.contains("Balance"), "{job}:\n{drawn}");
    }
}

#[test]
fn an_accountant_sees_billing_fields_only() {
    let mut app = desk(Job::Accountant);
    let request = search_for(&mut app, "doe");
    found(&mut app, request, does());
    let request = match one_patients_effect(press(&mut app, KeyCode::Enter)) {
        Request::Summary { request, .. } => request,
        other => panic!("{other:?}"),
    };
    app.update(Action::Screen(ScreenReply::Patients(Reply::Summary {
        request,
        result: Ok(Box::new(Summary {
            details: Details::Billing(Box::new(BillingPatient {
                id: 1,
                patient_number: 10231,
                family_name: "Doe".into(),
                given_names: "John".into(),
                preferred_name: None,
                date_of_birth: date(1985, 6, 15),
                phone: Some("123 456 7890".into()),
                email: None,
                address_line1: Some("123 Main St".into()),
                address_line2: None,
                city: Some("Springfield".into()),
                postcode: None,
                insurer: Some("Acme Health".into()),
                insurance_number: Some("AC-123".into()),
            })),
            appointments: Vec::new(),
            balance: Some(vec![Money::new(4000, Currency::USD)]),
        })),
    })));
    let drawn = render(&app);
    assert!(
        drawn.contains("USD 40.00") && drawn.contains("AC-123"),
        "{drawn}"
    );
    assert!(
        !drawn.contains("Emergency") && !drawn.contains("Sex"),
        "{drawn}"
    );
}

// ---- drawn at 80x24 -----------------------------------------------------------------------------

#[test]
fn snapshot_lookup_with_results() {
    let mut app = desk(Job::Receptionist);
    let request = search_for(&mut app, "doe jo");
    found(&mut app, request, does());
    press(&mut app, KeyCode::Down);
    assert_screen!("lookup_with_results", &app);
}

#[test]
fn snapshot_summary() {
    let mut app = desk(Job::Receptionist);
    open_john(&mut app, john(1));
    assert_screen!("summary", &app);
}

#[test]
fn snapshot_form_with_a_field_error() {
    let mut app = desk(Job::Receptionist);
    ctrl(&mut app, 'n');
    fill(
        &mut app,
        &["Roe", "Jane", "", "1985-13-45", "f", "", "555 0"],
    );
    save(&mut app);
    assert_screen!("form_with_a_field_error", &app);
}

#[test]
fn snapshot_duplicates_popup() {
    let mut app = desk(Job::Receptionist);
    register_jane(&mut app);
    let request = match one_patients_effect(save(&mut app)) {
        Request::Duplicates { request, .. } => request,
        other => panic!("{other:?}"),
    };
    let mut same_phone = hit(8, 10501, "Rowe", "Janet", date(1990, 1, 9));
    same_phone.phone = Some("555 010 4477".into());
    app.update(Action::Screen(ScreenReply::Patients(Reply::Duplicates {
        request,
        result: Ok(vec![
            duplicate(
                hit(7, 10500, "Roe", "Jane", date(1991, 4, 2)),
                "same name and date of birth",
            ),
            duplicate(same_phone, "similar name and same phone number"),
        ]),
    })));
    assert_screen!("duplicates_popup", &app);
}

#[test]
fn snapshot_stale_popup() {
    let mut app = desk(Job::Receptionist);
    stale_john(&mut app);
    assert_screen!("stale_popup", &app);
}

#[test]
fn snapshot_read_only_lookup_for_a_doctor() {
    let mut app = desk(Job::Doctor);
    let request = search_for(&mut app, "1985-06-15");
    found(&mut app, request, vec![does().remove(0)]);
    assert_screen!("doctor_lookup", &app);
}

#[test]
fn keys_and_help_follow_the_layer_in_front() {
    let mut app = desk(Job::Receptionist);
    let hints = |app: &App| -> Vec<String> {
        app.footer_hints()
            .into_iter()
            .map(|(k, l)| format!("{k} {l}"))
            .collect()
    };
    // In the box, printable keys are typed, so the footer offers the control-key forms.
    assert_eq!(
        hints(&app)[..2],
        ["Enter open".to_string(), "Ctrl-N new patient".to_string()]
    );
    register_jane(&mut app);
    assert_eq!(
        hints(&app)[..2],
        ["Ctrl-S save".to_string(), "Tab next field".to_string()]
    );
}
