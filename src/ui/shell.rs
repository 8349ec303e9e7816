//! The frame around every screen after sign-in: top bar of screens, a notice line, the status bar,
//! and the `:` command line.

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::command_line::CommandLine;
use crate::app::keymap::{Command, Place};
use crate::app::registry::{screens, ScreenId};
use crate::app::screen::Access;
use crate::app::shell::{Connection, Shell};
use crate::app::App;
use crate::ui::theme::Theme;
use crate::ui::widgets::text_field::TextField;
use crate::ui::widgets::{footer, spinner, truncate};
use crate::ui::{View, ViewEnv};

macro_rules! views {
    ($($field:ident: $name:ident => $state:ty;)*) => {
        /// The screen in front, drawn by its own view.
        fn draw_screen(frame: &mut Frame, area: Rect, shell: &Shell, env: &ViewEnv) -> Option<Position> {
            match shell.current {
                $(ScreenId::$name => View::draw(&shell.states.$field, frame, area, env),)*
            }
        }
    };
}

screens!(views);

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    shell: &Shell,
    theme: Theme,
) -> Option<Position> {
    let notice_height = u16::from(app.notice.is_some());
    let [top, body, notice, status] = area.layout(&Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(notice_height),
        Constraint::Length(1),
    ]));
    frame.render_widget(
        Paragraph::new(top_bar(app, shell, theme)).style(theme.bar()),
        top,
    );
    let env = ViewEnv {
        job: shell.me.job,
        access: shell.access(shell.current).unwrap_or(Access::ReadOnly),
        keymap: &app.keymap,
        theme,
        now: app.now,
    };
    // The screen's text field, when one has the focus, gets the terminal cursor.
    let cursor = draw_screen(frame, body, shell, &env);
    if let Some(text) = &app.notice {
        let line = Line::from(vec![
            Span::styled(" ! ", theme.warning()),
            Span::raw(text.clone()),
        ]);
        frame.render_widget(Paragraph::new(line), notice);
    }
    frame.render_widget(
        Paragraph::new(status_bar(app, shell, status.width, theme)).style(theme.bar()),
        status,
    );
    cursor
}

/// Each screen with the first key that reaches it, the current one bracketed.
fn top_bar(app: &App, shell: &Shell, theme: Theme) -> Line<'static> {
    let place = Place::Screen(shell.current);
    let mut spans = vec![Span::raw(" ")];
    for (n, (id, _)) in (1u8..).zip(&shell.screens) {
        let key = app
            .keymap
            .key_for(place, Command::GoTo(n))
            .unwrap_or_default();
        if *id == shell.current {
            spans.push(Span::styled(
                format!("[{key} {}]", id.title()),
                theme.tab_current(),
            ));
        } else {
            spans.push(Span::raw(format!(" {key} {} ", id.title())));
        }
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

/// Clinic, who, connection and clock; the clinic's name gives way first on a narrow terminal.
fn status_bar(app: &App, shell: &Shell, width: u16, theme: Theme) -> Line<'static> {
    let who = format!("{} ({})", shell.me.login, shell.me.job.label());
    let (symbol, style) = match (shell.ping.spinning(app.now), shell.connection) {
        (true, _) => (spinner(app.now), theme.warning()),
        (false, Connection::Connected) => ('●', theme.good()),
        (false, Connection::Reconnecting) => ('◌', theme.warning()),
        (false, Connection::Offline) => ('✕', theme.error()),
    };
    // Live updates only show once they have started, so a session without them reads as before.
    let live = match app.live {
        Some(true) => " · live",
        Some(false) => " · not live",
        None => "",
    };
    let connection = format!("{symbol} {}{live}", shell.connection.label());
    let clock = app
        .now
        .with_timezone(&app.time_zone)
        .format("%a %d %b %H:%M")
        .to_string();
    let right_len =
        who.chars().count() + connection.chars().count() + clock.chars().count() + 6 + 1;
    let clinic_room = usize::from(width).saturating_sub(right_len + 2);
    let clinic = truncate(&app.clinic_name, clinic_room);
    let gap = usize::from(width).saturating_sub(clinic.chars().count() + 1 + right_len);
    Line::from(vec![
        Span::raw(" "),
        Span::raw(clinic),
        Span::raw(" ".repeat(gap)),
        Span::raw(who),
        Span::raw(" · "),
        Span::styled(connection, style),
        Span::raw(" · "),
        Span::raw(clock),
        Span::raw(" "),
    ])
}

/// The `:` prompt takes the footer row; the hints that still fit stay on its right.
pub fn draw_command_line(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    line: &CommandLine,
    theme: Theme,
) -> Option<Position> {
    let hints = footer::line(&app.footer_hints(), area.width.saturating_sub(30), theme);
    let hints_width = u16::try_from(hints.width())
        .unwrap_or(0)
        .min(area.width.saturating_sub(20));
    let [prompt, field, rest] = area.layout(&Layout::horizontal([
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(hints_width),
    ]));
    frame.render_widget(Paragraph::new(Span::styled(":", theme.key())), prompt);
    frame.render_widget(Paragraph::new(hints), rest);
    TextField {
        input: &line.input,
        masked: false,
        focused: true,
        brackets: false,
    }
    .render(frame, field, theme)
}
