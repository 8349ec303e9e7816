//! Any terminal size at every screen: drawn without a panic, and below the smallest usable size
//! (80x24) a request to make the window larger instead of a screen cut to pieces.

use chrono::TimeDelta;
use clinic::app::{Action, App};
use clinic::domain::staff::Job;
use clinic::ui::{self, Theme};
use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::support::*;

const SIZES: [(u16, u16); 5] = [(1, 1), (20, 5), (79, 24), (80, 24), (400, 120)];

/// The app told of a terminal of `width` x `height` and drawn at it, in both themes.
fn drawn_at(app: &mut App, width: u16, height: u16) -> String {
    app.update(Action::Resized { width, height });
    let mut text = String::new();
    for theme in [Theme::colored(), Theme::plain().ascii_only()] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
        terminal
            .draw(|frame| ui::draw(frame, app, theme))
            .expect("drawing");
        text = buffer_text(terminal.backend().buffer());
    }
    text
}

fn check_every_size(app: &mut App, what: &str) {
    for (w, h) in SIZES {
        let text = drawn_at(app, w, h);
        let asks = text.contains("larger");
        if w < 80 || h < 24 {
            if w >= 20 {
                assert!(
                    asks,
                    "{what} at {w}x{h} does not ask for a larger window:\n{text}"
                );
            }
        } else {
            assert!(!asks, "{what} at {w}x{h} asks for a larger window:\n{text}");
        }
    }
}

#[test]
fn every_screen_of_every_job_draws_at_any_size() {
    let mut app = new_app();
    check_every_size(&mut app, "the login screen");
    for job in [Job::Admin, Job::Doctor, Job::Receptionist, Job::Accountant] {
        let (mut app, _, ping) = signed_in(job);
        app.update(Action::PingDone {
            request: ping,
            ok: true,
        });
        let screens = shell(&app).screens.clone();
        for (i, (screen, _)) in screens.iter().enumerate() {
            let f = u8::try_from(i + 2).expect("a few screens");
            // Esc leaves a text field first, so the function key is a key.
            press(&mut app, KeyCode::Esc);
            press(&mut app, KeyCode::F(f));
            assert_eq!(shell(&app).current, *screen, "{job}");
            check_every_size(&mut app, &format!("{job}'s {screen:?}"));
            press(&mut app, KeyCode::Esc);
            press(&mut app, KeyCode::Char('?'));
            check_every_size(&mut app, &format!("{job}'s {screen:?} with its help"));
            press(&mut app, KeyCode::Esc);
        }
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char(':'));
        type_text(&mut app, "bil");
        check_every_size(&mut app, &format!("{job}'s command line"));
        press(&mut app, KeyCode::Esc);
        tick(&mut app, t0() + TimeDelta::minutes(10));
        check_every_size(&mut app, &format!("{job}'s lock screen"));
    }
}

#[test]
fn a_terminal_too_small_says_how_large_it_must_be() {
    let (mut app, _, _) = signed_in(Job::Receptionist);
    let text = drawn_at(&mut app, 79, 24).replace('\n', " ");
    assert!(
        text.contains("Make the window larger: clinic needs 80x24, this one is 79x24."),
        "{text}"
    );
    // Larger again, the screen is back as it was.
    assert!(drawn_at(&mut app, 80, 24).contains("Patients"));
}
