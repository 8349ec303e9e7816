//! Screens drawn to a TestBackend at 80x24 with the fixed clock, as insta snapshots.

use chrono::TimeDelta;
use clinic::app::Action;
use clinic::domain::staff::Job;
use clinic::domain::staff::LoginError;
use clinic::ui::Theme;
use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

use super::support::*;

/// Snapshots live in tests/snapshots/ with the rest, not beside this submodule.
macro_rules! assert_screen {
    ($app:expr) => {
        insta::with_settings!({ snapshot_path => "../snapshots" }, {
            insta::assert_snapshot!(render($app));
        })
    };
}

// ---- drawing ------------------------------------------------------------------------------------

#[test]
fn no_color_means_no_colour_at_all() {
    let (mut app, _, _) = signed_in(Job::Receptionist);
    leave_search_box(&mut app);
    press(&mut app, KeyCode::Char('?'));
    let coloured = |buffer: &Buffer| {
        buffer
            .content()
            .iter()
            .any(|c| c.fg != Color::Reset || c.bg != Color::Reset)
    };
    assert!(!coloured(&draw(&app, Theme::plain())));
    assert!(
        coloured(&draw(&app, Theme::colored())),
        "the colour theme should use colour"
    );
}

#[test]
fn snapshot_login_empty() {
    assert_screen!(&new_app());
}

#[test]
fn snapshot_login_with_an_error() {
    let mut app = new_app();
    let request = submit_login(&mut app, "rita", "wrong");
    app.update(Action::LoginDone {
        request,
        result: Err(LoginError::BadCredentials),
    });
    assert_screen!(&app);
}

#[test]
fn snapshot_login_signing_in() {
    let mut app = new_app();
    submit_login(&mut app, "rita", "secret");
    assert_screen!(&app);
}

#[test]
fn snapshot_shell_receptionist() {
    let (mut app, _, ping) = signed_in(Job::Receptionist);
    app.update(Action::PingDone {
        request: ping,
        ok: true,
    });
    assert_screen!(&app);
}

#[test]
fn snapshot_shell_doctor() {
    let (mut app, _, ping) = signed_in(Job::Doctor);
    app.update(Action::PingDone {
        request: ping,
        ok: true,
    });
    press(&mut app, KeyCode::F(4));
    assert_screen!(&app);
}

#[test]
fn snapshot_help_popup() {
    let (mut app, _, ping) = signed_in(Job::Receptionist);
    app.update(Action::PingDone {
        request: ping,
        ok: true,
    });
    leave_search_box(&mut app);
    press(&mut app, KeyCode::Char('?'));
    assert_screen!(&app);
}

#[test]
fn snapshot_lock_screen() {
    let (mut app, _, _) = signed_in(Job::Receptionist);
    tick(&mut app, t0() + TimeDelta::minutes(10));
    type_text(&mut app, "sec");
    assert_screen!(&app);
}

#[test]
fn snapshot_quit_confirm() {
    let (mut app, _, ping) = signed_in(Job::Receptionist);
    app.update(Action::PingDone {
        request: ping,
        ok: true,
    });
    leave_search_box(&mut app);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "cal");
    ctrl(&mut app, 'c');
    assert_screen!(&app);
}

#[test]
fn snapshot_refusal_while_offline() {
    let (mut app, _, ping) = signed_in(Job::Accountant);
    app.update(Action::PingDone {
        request: ping,
        ok: false,
    });
    leave_search_box(&mut app);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "records");
    press(&mut app, KeyCode::Enter);
    assert_screen!(&app);
}

#[test]
fn snapshot_command_line() {
    let (mut app, _, ping) = signed_in(Job::Admin);
    app.update(Action::PingDone {
        request: ping,
        ok: true,
    });
    leave_search_box(&mut app);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "bil");
    assert_screen!(&app);
}
