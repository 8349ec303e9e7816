//! The lock screen: nothing of the session shows, only a box asking for the password again.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::lock::{LockReason, LockState};
use crate::app::shell::Shell;
use crate::app::App;
use crate::ui::theme::Theme;
use crate::ui::widgets::text_field::TextField;
use crate::ui::widgets::{centered, spinner, truncate};

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    shell: &Shell,
    lock: &LockState,
    theme: Theme,
) -> Option<Position> {
    frame.render_widget(Clear, area);
    let popup = centered(area, 60, 11);
    let clock = app
        .now
        .with_timezone(&app.time_zone)
        .format(" %H:%M ")
        .to_string();
    let block = Block::bordered()
        .border_style(theme.popup_border())
        .title(Span::styled(" Locked ", theme.warning()))
        .title(Line::from(clock).right_aligned());
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let width = usize::from(inner.width.saturating_sub(2));
    let why = match lock.reason {
        LockReason::Idle { minutes: 1 } => "Locked after a minute without a key.".to_string(),
        LockReason::Idle { minutes } => format!("Locked after {minutes} minutes without a key."),
        LockReason::Asked => "Locked on request.".to_string(),
    };
    let message = match (lock.checking.in_flight(), &lock.error) {
        (true, _) => Line::from(format!("{} Checking…", spinner(app.now))),
        (false, Some(error)) => Line::styled(error.clone(), theme.error()),
        (false, None) => Line::raw(""),
    };
    let text = vec![
        Line::styled(truncate(&app.clinic_name, width), theme.title()),
        Line::raw(""),
        Line::raw(why),
        Line::raw(""),
        Line::raw(""),
        Line::raw(""),
        message,
    ];
    let body = Rect::new(
        inner.x + 1,
        inner.y + 1,
        inner.width.saturating_sub(2),
        inner.height.saturating_sub(1),
    );
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), body);
    let label = format!("Password for {}", truncate(&shell.me.login, 20));
    let label_width = u16::try_from(label.chars().count() + 2).unwrap_or(u16::MAX);
    let y = body.y + 4;
    if y >= inner.bottom() {
        return None;
    }
    frame.render_widget(Paragraph::new(label), Rect::new(body.x, y, body.width, 1));
    let field = Rect::new(
        body.x + label_width.min(body.width),
        y,
        body.width.saturating_sub(label_width).min(26),
        1,
    );
    TextField {
        input: &lock.password,
        masked: true,
        focused: true,
        brackets: true,
    }
    .render(frame, field, theme)
}
