//! Choosing one's own password: `:password` from any screen, or required before anything else
//! after an administrator reset it. Checked here, sent once, and then the lock screen takes it.

use clinic::app::{Action, Effect};
use clinic::domain::staff::Job;
use crossterm::event::KeyCode;

use crate::support::*;

fn change_effect(effects: &[Effect]) -> (clinic::app::RequestId, String) {
    match effects {
        [Effect::ChangePassword { request, password }] => (*request, password.expose().to_string()),
        other => panic!("expected one password change, got {other:?}"),
    }
}

#[test]
fn a_reset_password_must_be_replaced_before_anything_else() {
    let (mut app, _, _) = signed_in(Job::Receptionist);
    assert!(app.update(Action::MustChangePassword).is_empty());
    let drawn = render(&app);
    assert!(drawn.contains("Your password was reset"), "{drawn}");
    assert_screen_password(&drawn);
    // Esc does not put it off; q is typed, not quit.
    press(&mut app, KeyCode::Esc);
    assert!(shell(&app).password.is_some());
    assert!(render(&app).contains("choose a new one to go on"));
    type_text(&mut app, "rita-quick");
    press(&mut app, KeyCode::Enter);
    assert!(render(&app).contains("Leave the login name out"));
    assert!(shell(&app).password.is_some());
    ctrl(&mut app, 'u');
    type_text(&mut app, "quiet morning 7");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "quiet morning 8");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(render(&app).contains("The two differ"));
    type_text(&mut app, "quiet morning 7");
    // The second field is the focus after a mismatch; the first kept what was typed.
    let (request, sent) = change_effect(&press(&mut app, KeyCode::Enter));
    assert_eq!(sent, "quiet morning 7");
    // A key pressed twice sends nothing more, and Esc does not drop the answer on its way.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    press(&mut app, KeyCode::Esc);
    assert!(shell(&app).password.is_some());
    let effects = app.update(Action::PasswordChanged {
        request,
        result: Ok(()),
    });
    match effects.as_slice() {
        [Effect::HashPassword { password, .. }] => assert_eq!(password.expose(), sent),
        other => panic!("the lock screen takes the new password: {other:?}"),
    }
    assert!(shell(&app).password.is_none());
    assert!(render(&app).contains("Your new password is set"));
}

fn assert_screen_password(drawn: &str) {
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(concat!(env!("CARGO_CRATE_NAME"), "__password_required"), drawn);
    });
}

#[test]
fn anyone_chooses_a_new_password_with_the_command_line_and_may_put_it_off() {
    let (mut app, _, _) = signed_in(Job::Doctor);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "password");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(shell(&app).password.is_some());
    type_text(&mut app, "q?");
    assert!(shell(&app).password.is_some(), "q and ? are typed");
    press(&mut app, KeyCode::Esc);
    assert!(shell(&app).password.is_none(), "Esc keeps the old password");

    // The database's refusal is said at the field; the fields are empty for the retry.
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "password");
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "long enough pw");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "long enough pw");
    let (request, _) = change_effect(&press(&mut app, KeyCode::Enter));
    app.update(Action::PasswordChanged {
        request,
        result: Err("The database cannot be reached right now.".into()),
    });
    let change = shell(&app).password.as_ref().expect("still open");
    assert!(change
        .error
        .as_ref()
        .is_some_and(|(_, e)| e.contains("cannot be reached")));
    assert!(change.new.value().is_empty() && change.again.value().is_empty());
}
