//! The app driven by Actions without a terminal, and its screens drawn to ratatui's TestBackend at
//! 80x24 with a fixed clock (insta snapshots in tests/snapshots/).

#[path = "tui/render.rs"]
mod render;
#[path = "tui/reports.rs"]
mod reports;
#[path = "tui/resize.rs"]
mod resize;
#[path = "tui/session.rs"]
mod session;
#[path = "tui/support.rs"]
mod support;

use clinic::app::keymap::{Command, Place, GLOBAL, SHELL};
use clinic::app::registry::ScreenId;
use clinic::app::{Action, App, Effect, Mode, Popup};
use clinic::config::Config;
use clinic::domain::staff::Job;
use clinic::domain::staff::LoginError;
use crossterm::event::{KeyCode, KeyModifiers};

use support::*;

// ---- sign-in ------------------------------------------------------------------------------------

#[test]
fn sign_in_sends_a_login_effect_with_a_fresh_request_id() {
    let mut app = new_app();
    let first = submit_login(&mut app, "rita", "secret");
    assert!(login_state(&app).signing_in.in_flight());
    // Keys still work while it runs: another Enter is a new attempt with a new id.
    let second = match press(&mut app, KeyCode::Enter).as_slice() {
        [Effect::Login { request, .. }] => *request,
        other => panic!("expected a Login effect, got {other:?}"),
    };
    assert_ne!(first, second);
}

#[test]
fn empty_fields_are_refused_without_asking_the_server() {
    let mut app = new_app();
    assert_eq!(press(&mut app, KeyCode::Enter), Vec::new());
    assert_eq!(
        login_state(&app).error.as_deref(),
        Some("Type your username.")
    );
    type_text(&mut app, "rita");
    assert_eq!(press(&mut app, KeyCode::Enter), Vec::new());
    assert_eq!(
        login_state(&app).error.as_deref(),
        Some("Type your password.")
    );
}

#[test]
fn q_and_question_mark_are_typed_into_the_login_fields() {
    let mut app = new_app();
    type_text(&mut app, "q?:");
    assert_eq!(login_state(&app).username.value(), "q?:");
    assert!(app.popup.is_none());
    assert_eq!(
        ctrl(&mut app, 'c'),
        vec![Effect::Quit],
        "login never asks before quitting"
    );
}

#[test]
fn a_failed_sign_in_shows_why_keeps_the_username_and_clears_the_password() {
    let mut app = new_app();
    let request = submit_login(&mut app, "rita", "wrong");
    app.update(Action::LoginDone {
        request,
        result: Err(LoginError::BadCredentials),
    });
    let login = login_state(&app);
    assert_eq!(login.error.as_deref(), Some("Wrong username or password."));
    assert_eq!(login.username.value(), "rita");
    assert_eq!(login.password.value(), "");
    assert!(!login.signing_in.in_flight());
    assert!(render(&app).contains("Wrong username or password."));
}

#[test]
fn a_stale_or_cancelled_sign_in_answer_is_dropped() {
    let mut app = new_app();
    let first = submit_login(&mut app, "rita", "secret");
    let second = match press(&mut app, KeyCode::Enter).as_slice() {
        [Effect::Login { request, .. }] => *request,
        other => panic!("expected a Login effect, got {other:?}"),
    };
    let effects = app.update(Action::LoginDone {
        request: first,
        result: Ok(identity(Job::Receptionist)),
    });
    assert_eq!(effects, Vec::new());
    assert!(
        matches!(app.mode, Mode::Login(_)),
        "the superseded answer signed in"
    );

    // Esc gives up on the running one: its answer no longer counts either.
    press(&mut app, KeyCode::Esc);
    assert!(!login_state(&app).signing_in.in_flight());
    let effects = app.update(Action::LoginDone {
        request: second,
        result: Ok(identity(Job::Receptionist)),
    });
    assert_eq!(effects, Vec::new());
    assert!(matches!(app.mode, Mode::Login(_)));
}

#[test]
fn signing_in_opens_exactly_the_screens_of_the_job() {
    use ScreenId::*;
    let expected = [
        (
            Job::Admin,
            vec![Patients, Calendar, Billing, Admin, Reports],
        ),
        (Job::Doctor, vec![Patients, Calendar, Records, Reports]),
        (
            Job::Receptionist,
            vec![Patients, Calendar, Queue, Billing, Reports],
        ),
        (Job::Accountant, vec![Patients, Billing, Reports]),
    ];
    for (job, screens) in expected {
        let (app, _, _) = signed_in(job);
        let shell = shell(&app);
        let got: Vec<ScreenId> = shell.screens.iter().map(|(s, _)| *s).collect();
        assert_eq!(got, screens, "{job}");
        // A doctor starts on their day, the accounts office on its books, an admin on the staff
        // (with the emergency accesses to review on its bar); everyone else on the first screen
        // of the bar.
        let home = match job {
            Job::Doctor => Records,
            Job::Accountant => Billing,
            Job::Admin => Admin,
            _ => screens[0],
        };
        assert_eq!(shell.current, home, "{job}");
        assert_eq!(shell.me.job, job);
    }
}

// ---- moving between screens ---------------------------------------------------------------------

#[test]
fn function_keys_and_alt_digits_switch_screens_and_refuse_missing_ones() {
    let (mut app, _, _) = signed_in(Job::Receptionist);
    press(&mut app, KeyCode::F(3));
    assert_eq!(shell(&app).current, ScreenId::Calendar);
    press_with(&mut app, KeyCode::Char('4'), KeyModifiers::ALT);
    assert_eq!(shell(&app).current, ScreenId::Billing);
    press_with(&mut app, KeyCode::Char('3'), KeyModifiers::ALT);
    assert_eq!(shell(&app).current, ScreenId::Queue);

    press(&mut app, KeyCode::F(6));
    assert_eq!(
        shell(&app).current,
        ScreenId::Reports,
        "F6 is reception's fifth"
    );
    press(&mut app, KeyCode::F(2));
    assert_eq!(shell(&app).current, ScreenId::Patients);

    let (mut app, _, _) = signed_in(Job::Accountant);
    press_with(&mut app, KeyCode::Char('4'), KeyModifiers::ALT);
    assert_eq!(shell(&app).current, ScreenId::Billing);
    let notice = app.notice.clone().expect("a refusal is explained");
    assert!(notice.contains("No screen 4"), "{notice}");
    // The next key clears the notice.
    press(&mut app, KeyCode::F(2));
    assert_eq!(shell(&app).current, ScreenId::Patients);
    assert_eq!(app.notice, None);
}

#[test]
fn the_command_line_goes_to_screens_by_name_and_refuses_the_ones_the_job_lacks() {
    let (mut app, _, _) = signed_in(Job::Receptionist);
    leave_search_box(&mut app);
    press(&mut app, KeyCode::Char(':'));
    assert_eq!(app.front(), Place::CommandLine);
    type_text(&mut app, "queue");
    press(&mut app, KeyCode::Enter);
    assert_eq!(shell(&app).current, ScreenId::Queue);
    assert!(shell(&app).command_line.is_none());

    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "cal");
    press(&mut app, KeyCode::Enter);
    assert_eq!(shell(&app).current, ScreenId::Calendar);

    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "records");
    press(&mut app, KeyCode::Enter);
    assert_eq!(shell(&app).current, ScreenId::Calendar);
    assert_eq!(
        app.notice.as_deref(),
        Some("Records is not open to reception.")
    );

    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "bil");
    press(&mut app, KeyCode::Tab);
    assert_eq!(
        shell(&app)
            .command_line
            .as_ref()
            .map(|l| l.input.value().to_string()),
        Some("billing".to_string())
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(shell(&app).current, ScreenId::Billing);

    // An unknown word keeps the line open for correcting it.
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "zebra");
    press(&mut app, KeyCode::Enter);
    assert!(shell(&app).command_line.is_some());
    assert!(app.notice.as_deref().is_some_and(|n| n.contains("zebra")));
    press(&mut app, KeyCode::Esc);
    assert!(shell(&app).command_line.is_none());

    let (mut app, _, _) = signed_in(Job::Doctor);
    leave_search_box(&mut app);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "records");
    press(&mut app, KeyCode::Enter);
    assert_eq!(shell(&app).current, ScreenId::Records);
}

// ---- help and footer ----------------------------------------------------------------------------

fn help_names(app: &App) -> Vec<&'static str> {
    match &app.popup {
        Some(Popup::Help(help)) => help
            .sections(&app.keymap)
            .into_iter()
            .flat_map(|(_, bindings)| bindings.iter().map(|b| b.name))
            .collect(),
        other => panic!("expected the help popup, got {other:?}"),
    }
}

#[test]
fn help_lists_exactly_the_bindings_of_the_place_it_was_opened_from() {
    let (mut app, _, _) = signed_in(Job::Receptionist);
    leave_search_box(&mut app);
    press(&mut app, KeyCode::Char('?'));
    let expected: Vec<&str> = ScreenId::Patients
        .bindings()
        .iter()
        .chain(SHELL)
        .chain(GLOBAL)
        .map(|b| b.name)
        .collect();
    assert_eq!(help_names(&app), expected);
    assert!(render(&app).contains("Go to screen 1 of the top bar"));
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.popup, None, "? closes help again");

    // On the login screen `?` is typed, F1 opens the login keys.
    let mut app = new_app();
    press(&mut app, KeyCode::F(1));
    assert_eq!(
        help_names(&app),
        vec![
            "login.sign_in",
            "login.next_field",
            "login.previous_field",
            "help",
            "quit",
            "back"
        ]
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.popup, None);
}

#[test]
fn the_footer_shows_keys_that_work_where_you_are() {
    let app = new_app();
    let hints: Vec<String> = app
        .footer_hints()
        .into_iter()
        .map(|(k, l)| format!("{k} {l}"))
        .collect();
    assert_eq!(
        hints,
        ["Enter sign in", "Tab next field", "F1 help", "Ctrl-C quit"]
    );

    // The doctor's lookup: in its search box printable keys are typed, so only the others show.
    let (mut app, _, _) = signed_in(Job::Doctor);
    press(&mut app, KeyCode::F(2));
    let hints = |app: &App| -> Vec<String> {
        app.footer_hints()
            .into_iter()
            .map(|(k, l)| format!("{k} {l}"))
            .collect()
    };
    assert_eq!(
        hints(&app),
        ["Enter open", "Ctrl-L lock", "F1 help", "Ctrl-C quit"]
    );
    leave_search_box(&mut app);
    assert_eq!(
        hints(&app),
        [
            "Enter open",
            ": go to screen",
            "Ctrl-L lock",
            "? help",
            "q quit"
        ]
    );
}

#[test]
fn key_overrides_from_the_config_drive_keys_help_and_footer() {
    let mut config = config();
    config.keys.insert("quit".into(), "ctrl-q".into());
    config.keys.insert("screen_2".into(), "f9".into());
    let mut app = new_app_with(&config);
    let request = submit_login(&mut app, "rita", "secret");
    app.update(Action::LoginDone {
        request,
        result: Ok(identity(Job::Receptionist)),
    });
    assert_eq!(press(&mut app, KeyCode::Char('q')), Vec::new());
    press(&mut app, KeyCode::F(9));
    assert_eq!(shell(&app).current, ScreenId::Calendar);
    assert!(render(&app).contains("F9 Calendar"));
    // The calendar's own keys fill its footer; the help lists the global ones too, rebound.
    press(&mut app, KeyCode::Char('?'));
    let help = render(&app);
    assert!(help.contains("Ctrl-Q"), "{help}");
    press(&mut app, KeyCode::Esc);
    assert_eq!(ctrl(&mut app, 'q'), vec![Effect::Quit]);

    let mut config = Config::default();
    config.keys.insert("teleport".into(), "f9".into());
    let err = App::new(&config, "x", None, t0())
        .expect_err("unknown action")
        .to_string();
    assert!(err.contains("\"teleport\""), "{err}");
    let mut config = Config::default();
    config.keys.insert("help".into(), "hyper-h".into());
    let err = App::new(&config, "x", None, t0())
        .expect_err("bad key")
        .to_string();
    assert!(err.contains("help") && err.contains("hyper-h"), "{err}");
}

// ---- quitting -----------------------------------------------------------------------------------

#[test]
fn quitting_with_nothing_unsaved_is_immediate() {
    let (mut app, _, _) = signed_in(Job::Receptionist);
    assert!(!app.has_unsaved_input());
    assert_eq!(ctrl(&mut app, 'c'), vec![Effect::Quit]);
    let (mut app, _, _) = signed_in(Job::Receptionist);
    leave_search_box(&mut app);
    assert_eq!(press(&mut app, KeyCode::Char('q')), vec![Effect::Quit]);
}

#[test]
fn quitting_with_unsaved_input_asks_first() {
    let (mut app, _, _) = signed_in(Job::Receptionist);
    leave_search_box(&mut app);
    press(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "pat q");
    assert!(
        app.has_unsaved_input(),
        "typed text in the command line counts as unsaved"
    );

    assert_eq!(ctrl(&mut app, 'c'), Vec::new());
    assert!(matches!(app.popup, Some(Popup::Confirm(_))));
    assert_eq!(app.front(), Place::Confirm);
    // Keys other than the answers do nothing under the popup.
    assert_eq!(press(&mut app, KeyCode::F(3)), Vec::new());
    assert_eq!(ctrl(&mut app, 'c'), Vec::new());
    assert_eq!(shell(&app).current, ScreenId::Patients);

    assert_eq!(press(&mut app, KeyCode::Char('n')), Vec::new());
    assert_eq!(app.popup, None);
    assert_eq!(
        shell(&app)
            .command_line
            .as_ref()
            .map(|l| l.input.value().to_string()),
        Some("pat q".to_string()),
        "saying no keeps the input"
    );

    ctrl(&mut app, 'c');
    assert_eq!(press(&mut app, KeyCode::Esc), Vec::new(), "Esc cancels too");
    assert_eq!(app.popup, None);

    ctrl(&mut app, 'c');
    assert_eq!(press(&mut app, KeyCode::Char('y')), vec![Effect::Quit]);
}

#[test]
fn commands_that_are_not_live_here_are_ignored() {
    let mut app = new_app();
    assert_eq!(app.update(Action::Command(Command::GoTo(2))), Vec::new());
    assert_eq!(app.update(Action::Command(Command::Yes)), Vec::new());
    assert!(matches!(app.mode, Mode::Login(_)));
}
