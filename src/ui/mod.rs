//! Drawing only: reads the app's state, never changes it, never calls the database.

pub mod theme;
pub mod widgets;

pub mod lock;
pub mod login;
pub mod password;
pub mod shell;

pub mod admin;
pub mod billing;
pub mod calendar;
pub mod patients;
pub mod queue;
pub mod records;
pub mod reports;

use chrono::{DateTime, Utc};
use ratatui::layout::{Alignment, Constraint, Layout, Position, Rect};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::keymap::Keymap;
use crate::app::screen::Access;
use crate::app::{App, Mode, Popup};
use crate::domain::staff::Job;
pub use theme::Theme;

/// How a screen is drawn. Every screen's state implements it in its twin module here (ui/x for
/// app/x); the shell draws whichever is in front through the registry.
pub trait View {
    /// Draws into `area`; returns where the terminal cursor belongs when a text field has the
    /// focus.
    fn draw(&self, frame: &mut Frame, area: Rect, env: &ViewEnv) -> Option<Position>;
}

/// What a view may know besides its screen's state.
pub struct ViewEnv<'a> {
    pub job: Job,
    pub access: Access,
    /// The keys as they are now (the config may have moved them), for hints inside a screen.
    pub keymap: &'a Keymap,
    pub theme: Theme,
    pub now: DateTime<Utc>,
}

/// The smallest terminal every screen is laid out for (columns, rows): everything works at 80x24.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// Draw the whole screen for the app's current state; on a terminal smaller than [`MIN_SIZE`], a
/// request to make it larger instead (a screen cut short could hide a warning or a field).
pub fn draw(frame: &mut Frame, app: &App, theme: Theme) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let text = format!(
            "Make the window larger: clinic needs {}x{}, this one is {}x{}.",
            MIN_SIZE.0, MIN_SIZE.1, area.width, area.height
        );
        let message = Paragraph::new(text)
            .style(theme.warning())
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true });
        frame.render_widget(message, area);
        return;
    }
    let [main, footer] = frame.area().layout(&Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(1),
    ]));
    let cursor = match &app.mode {
        Mode::Login(login) => login::draw(frame, main, app, login, theme),
        Mode::Shell(shell) => match &shell.lock {
            Some(lock) => lock::draw(frame, main, app, shell, lock, theme),
            None => {
                let cursor = shell::draw(frame, main, app, shell, theme);
                match &shell.password {
                    Some(change) => password::draw(frame, main, app, shell, change, theme),
                    None => cursor,
                }
            }
        },
    };
    let command_line = app
        .shell()
        .filter(|s| s.lock.is_none())
        .and_then(|s| s.command_line.as_ref());
    let cursor = match command_line {
        Some(line) => shell::draw_command_line(frame, footer, app, line, theme),
        None => {
            widgets::footer::draw(frame, footer, &app.footer_hints(), theme);
            cursor
        }
    };
    match &app.popup {
        Some(Popup::Help(help)) => {
            let text_entry = help.about.is_text_entry();
            widgets::help::draw(frame, main, help, &app.keymap, text_entry, theme);
        }
        Some(Popup::Confirm(confirm)) => {
            widgets::confirm::draw(frame, main, confirm, &app.keymap, theme)
        }
        None => {
            if let Some(position) = cursor {
                frame.set_cursor_position(position);
            }
        }
    }
    if theme.ascii() {
        widgets::ascii::fold(frame.buffer_mut());
    }
}
