//! The form: opening it, field errors, unsaved changes, likely duplicates, refused and stale saves.

use clinic::app::keymap::Place;
use clinic::app::patients::{FormPopup, Reply, Request, SaveFailure, SaveTarget};
use clinic::app::registry::ScreenReply;
use clinic::app::{Action, Popup};
use clinic::domain::patient::PatientField;
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::{
    date, desk, does, duplicate, field_value, fill, found, hit, john, one_patients_effect,
    register_jane, save, screen, search_for, stale_john,
};
use crate::support::*;

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
