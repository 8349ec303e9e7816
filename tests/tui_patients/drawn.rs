//! Drawn at 80x24 (insta snapshots in tests/snapshots/), and the keys and help of the layer in
//! front.

use clinic::app::patients::{Reply, Request};
use clinic::app::registry::ScreenReply;
use clinic::app::{Action, App};
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::common::{
    assert_screen, date, desk, does, duplicate, fill, found, hit, john, one_patients_effect,
    open_john, register_jane, save, search_for, stale_john,
};
use crate::support::*;

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
