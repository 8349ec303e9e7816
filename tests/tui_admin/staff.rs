//! The staff list and its steps on screen: each form checks its fields before anything is sent,
//! a password travels once (as the database will see only its verifier), deactivating asks first
//! and never touches one's own login, and a refusal keeps what was typed.

use clinic::app::admin::{Popup, Reply, Request, StaffStep};
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::*;
use crate::support::*;

fn down_to(app: &mut clinic::app::App, login: &str) {
    for _ in 0..10 {
        if screen(app)
            .staff
            .rows
            .selected_item()
            .map(|r| r.login.as_str())
            == Some(login)
        {
            return;
        }
        press(app, KeyCode::Down);
    }
    panic!("{login} is not in the list");
}

#[test]
fn the_staff_list_says_who_may_sign_in_and_when() {
    let app = admin_home(Vec::new());
    let drawn = render(&app);
    assert!(drawn.contains("[Staff]"), "{drawn}");
    assert!(
        drawn.contains("Emergency access (none to review)"),
        "{drawn}"
    );
    assert_screen!("admin_staff", drawn);
}

#[test]
fn adding_a_person_checks_every_field_before_anything_is_sent() {
    let mut app = admin_home(Vec::new());
    press(&mut app, KeyCode::Char('a'));
    assert!(matches!(screen(&app).popup, Some(Popup::Staff(_))));
    type_text(&mut app, "Nina");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "nina12345678");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "nina12345678");
    assert_eq!(requests(&ctrl(&mut app, 's')), Vec::new());
    let drawn = render(&app);
    assert!(
        drawn.contains("Lower-case letters, digits and _"),
        "{drawn}"
    );
    assert!(
        drawn.contains("Their name, as colleagues know it."),
        "{drawn}"
    );
    assert!(drawn.contains("Leave the login name out"), "{drawn}");
    assert!(
        !drawn.contains("nina1234"),
        "a password never shows: {drawn}"
    );
    assert_screen!("admin_add_refused", drawn);

    // The focus is on the first refused field; fix each where it is.
    let Some(Popup::Staff(form)) = &screen(&app).popup else {
        panic!("the form stays open");
    };
    assert_eq!(form.focus, 0);
    ctrl(&mut app, 'u');
    type_text(&mut app, "nnurse");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Nina Nurse");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "correct horse 1");
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "correct horse 2");
    assert_eq!(requests(&ctrl(&mut app, 's')), Vec::new());
    assert!(render(&app).contains("The two differ"));
    type_text(&mut app, "correct horse 1");
    let request = match one(&press(&mut app, KeyCode::Enter)) {
        Request::Step {
            request,
            step:
                StaffStep::Add {
                    login,
                    full_name,
                    job,
                    password,
                },
            ..
        } => {
            assert_eq!(
                (login.as_str(), full_name.as_str()),
                ("nnurse", "Nina Nurse")
            );
            assert_eq!(job, Job::Doctor, "Right moved from receptionist to doctor");
            assert_eq!(password.expose(), "correct horse 1");
            assert!(!format!("{password:?}").contains("horse"));
            request
        }
        other => panic!("{other:?}"),
    };
    // Esc while it is on its way keeps the form: its answer must be seen.
    press(&mut app, KeyCode::Esc);
    assert!(screen(&app).popup.is_some());
    assert!(render(&app).contains("Still saving"));
    // A refusal of the database lands at the field it is about; nothing typed is lost.
    reply(
        &mut app,
        Reply::Step {
            request,
            result: Err("\"nnurse\" is a reserved login name.".into()),
        },
    );
    let Some(Popup::Staff(form)) = &screen(&app).popup else {
        panic!("the form stays open");
    };
    assert_eq!(form.focus, 0);
    assert_eq!(form.value(1), "Nina Nurse");
    assert!(form.fields[0]
        .error
        .as_deref()
        .is_some_and(|e| e.contains("reserved")));
    let request = match one(&ctrl(&mut app, 's')) {
        Request::Step { request, .. } => request,
        other => panic!("{other:?}"),
    };
    let effects = reply(
        &mut app,
        Reply::Step {
            request,
            result: Ok("Nina Nurse can sign in as nnurse, as doctor.".into()),
        },
    );
    assert!(screen(&app).popup.is_none());
    assert!(
        matches!(one(&effects), Request::Staff { .. }),
        "the list is read again"
    );
    assert!(render(&app).contains("Nina Nurse can sign in as nnurse"));
}

#[test]
fn esc_asks_before_throwing_a_typed_form_away() {
    let mut app = admin_home(Vec::new());
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "somebody");
    press(&mut app, KeyCode::Esc);
    assert!(screen(&app).popup.is_some(), "asked first");
    assert!(render(&app).contains("Discard the form?"));
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(
        screen(&app).popup.as_ref().map(|_| ()),
        Some(()),
        "no keeps the form"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(screen(&app).popup.is_none());
}

#[test]
fn deactivating_asks_first_and_never_touches_ones_own_login() {
    let mut app = admin_home(Vec::new());
    assert_eq!(requests(&press(&mut app, KeyCode::Char('d'))), Vec::new());
    assert!(render(&app).contains("Nobody deactivates themselves"));
    down_to(&mut app, "rita");
    assert_eq!(requests(&press(&mut app, KeyCode::Char('d'))), Vec::new());
    let drawn = render(&app);
    assert!(drawn.contains("Deactivate Rita Moreno?"), "{drawn}");
    assert_screen!("admin_deactivate_asked", drawn);
    match one(&press(&mut app, KeyCode::Char('y'))) {
        Request::Step {
            step: StaffStep::Deactivate { staff_id },
            name,
            ..
        } => assert_eq!((staff_id, name.as_str()), (2, "Rita Moreno")),
        other => panic!("{other:?}"),
    }
    // A second key while it runs starts nothing.
    assert_eq!(requests(&press(&mut app, KeyCode::Char('e'))), Vec::new());
}

#[test]
fn a_job_and_a_password_change_for_the_selected_person_and_reactivation() {
    let mut app = admin_home(Vec::new());
    down_to(&mut app, "alice");
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Right);
    match one(&ctrl(&mut app, 's')) {
        Request::Step {
            step: StaffStep::SetJob { staff_id, job },
            ..
        } => assert_eq!((staff_id, job), (4, Job::Accountant)),
        other => panic!("{other:?}"),
    }
    let mut app = admin_home(Vec::new());
    down_to(&mut app, "alice");
    press(&mut app, KeyCode::Char('r'));
    type_text(&mut app, "temporary 2026");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "temporary 2026");
    match one(&press(&mut app, KeyCode::Enter)) {
        Request::Step {
            step: StaffStep::ResetPassword { staff_id, password },
            ..
        } => assert_eq!((staff_id, password.expose()), (4, "temporary 2026")),
        other => panic!("{other:?}"),
    }
    // A deactivated person: no job change or reset, but reactivation.
    let mut app = admin_home(Vec::new());
    down_to(&mut app, "greg");
    assert_eq!(requests(&press(&mut app, KeyCode::Char('j'))), Vec::new());
    assert!(render(&app).contains("e reactivates them first"));
    match one(&press(&mut app, KeyCode::Char('e'))) {
        Request::Step {
            step: StaffStep::Reactivate { staff_id },
            ..
        } => assert_eq!(staff_id, 3),
        other => panic!("{other:?}"),
    }
}
