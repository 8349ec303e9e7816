//! Shared by the tui tests: a fixed clock, an app signed in as any job, key presses, rendering.

use chrono::{DateTime, TimeZone, Utc};
use clinic::app::{Action, App, Effect, Mode, RequestId};
use clinic::config::Config;
use clinic::domain::staff::{Job, StaffIdentity};
use clinic::ui::{self, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 14, 41, 0)
        .single()
        .expect("a valid instant")
}

pub fn config() -> Config {
    let mut config = Config::default();
    config.clinic.time_zone = "America/New_York".into();
    config.session.idle_lock_minutes = 10;
    config
}

pub fn new_app_with(config: &Config) -> App {
    App::new(config, "~/.local/share/clinic/demo (demo)", None, t0()).expect("valid key bindings")
}

pub fn new_app() -> App {
    new_app_with(&config())
}

pub fn press_with(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
    let action = app.action_for_key(&KeyEvent::new(code, modifiers));
    app.update(action)
}

pub fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    press_with(app, code, KeyModifiers::NONE)
}

pub fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    press_with(app, KeyCode::Char(c), KeyModifiers::CONTROL)
}

pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        assert_eq!(
            press(app, KeyCode::Char(c)),
            Vec::new(),
            "typing {c:?} had an effect"
        );
    }
}

pub fn login_name(job: Job) -> &'static str {
    match job {
        Job::Admin => "adam",
        Job::Doctor => "alice",
        Job::Receptionist => "rita",
        Job::Accountant => "abe",
    }
}

pub fn identity(job: Job) -> StaffIdentity {
    StaffIdentity {
        staff_id: 1,
        login: login_name(job).into(),
        full_name: "Somebody".into(),
        job,
    }
}

pub fn login_state(app: &App) -> &clinic::app::login::LoginState {
    match &app.mode {
        Mode::Login(login) => login,
        Mode::Shell(_) => panic!("expected the login screen"),
    }
}

pub fn shell(app: &App) -> &clinic::app::shell::Shell {
    app.shell().expect("expected to be signed in")
}

/// Types a username and password and presses Enter; returns the sign-in's request id.
pub fn submit_login(app: &mut App, user: &str, password: &str) -> RequestId {
    type_text(app, user);
    press(app, KeyCode::Tab);
    type_text(app, password);
    match press(app, KeyCode::Enter).as_slice() {
        [Effect::Login {
            request,
            username,
            password: sent,
        }] => {
            assert_eq!(username, user);
            assert_eq!(sent.expose(), password);
            *request
        }
        other => panic!("expected one Login effect, got {other:?}"),
    }
}

/// Signed in as `job`; returns the app and the request ids of the hash and the first ping.
pub fn signed_in(job: Job) -> (App, RequestId, RequestId) {
    let mut app = new_app();
    let request = submit_login(&mut app, login_name(job), "secret");
    let effects = app.update(Action::LoginDone {
        request,
        result: Ok(identity(job)),
    });
    match effects.as_slice() {
        // Then whatever the home screen loads (a doctor's day).
        [Effect::StartSession { request: started }, Effect::HashPassword {
            request: hash,
            password,
        }, Effect::Ping { request: ping }, rest @ ..]
            if rest.iter().all(|e| matches!(e, Effect::Screen(_))) =>
        {
            assert_eq!(*started, request);
            assert_eq!(password.expose(), "secret");
            (app, *hash, *ping)
        }
        other => panic!("expected session, hash and ping effects, got {other:?}"),
    }
}

pub fn buffer_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (area.top()..area.bottom())
        .map(|y| {
            let line: String = (area.left()..area.right())
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn draw(app: &App, theme: Theme) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("a test terminal");
    terminal
        .draw(|frame| ui::draw(frame, app, theme))
        .expect("drawing");
    terminal.backend().buffer().clone()
}

pub fn render(app: &App) -> String {
    buffer_text(&draw(app, Theme::plain()))
}

/// Every job starts on the patient lookup, whose search box has the focus and takes `:`, `?` and
/// `q` as typed text; Esc leaves the box so they are keys again.
pub fn leave_search_box(app: &mut App) {
    assert_eq!(press(app, KeyCode::Esc), Vec::new());
}

pub fn tick(app: &mut App, at: DateTime<Utc>) -> Vec<Effect> {
    app.update(Action::Tick(at))
}

/// The clock moves on by this desk's wait before a re-read after another desk's change (tests keep
/// the longest, `refetch::LATEST`): what is due then goes out.
#[allow(dead_code)] // The screens' tests use it; tests/tui.rs does not.
pub fn after_refetch_delay(app: &mut App) -> Vec<Effect> {
    let at = app.now + app.refetch_delay;
    tick(app, at)
}

/// Each cell's foreground as a letter (`.` none, `c` cyan, `g` gray, `w` white, `k` black,
/// `y` yellow, `G` green, `r` red), `*` where the colours are reversed.
pub fn colours(buffer: &Buffer) -> String {
    let area = buffer.area;
    (area.top()..area.bottom())
        .map(|y| {
            (area.left()..area.right())
                .map(|x| {
                    let cell = &buffer[(x, y)];
                    if cell.modifier.contains(Modifier::REVERSED) {
                        return '*';
                    }
                    match cell.fg {
                        Color::Reset => '.',
                        Color::Cyan => 'c',
                        Color::Gray => 'g',
                        Color::White => 'w',
                        Color::Black => 'k',
                        Color::LightYellow | Color::Yellow => 'y',
                        Color::LightGreen | Color::Green => 'G',
                        Color::LightRed | Color::Red => 'r',
                        _ => '?',
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
