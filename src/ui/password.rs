//! Choosing a new password: a box over the screen with the two hidden fields and, at the field it
//! is about, why a password was refused.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::password::{PasswordChange, PasswordField};
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
    change: &PasswordChange,
    theme: Theme,
) -> Option<Position> {
    let popup = centered(area, 64, 12);
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .border_style(theme.popup_border())
        .title(Span::styled(" New password ", theme.title()));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let body = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let width = usize::from(body.width);
    let why = if change.required {
        "Your password was reset. Choose your own before going on."
    } else {
        "Choose a new password for your clinic login."
    };
    let intro = vec![
        Line::raw(truncate(
            &format!("{why} At least 10 characters, without your login name."),
            width * 2,
        )),
        Line::styled(
            "It leaves this machine only as a SCRAM verifier.",
            theme.dim(),
        ),
    ];
    frame.render_widget(
        Paragraph::new(intro).wrap(Wrap { trim: false }),
        Rect::new(body.x, body.y, body.width, 3.min(body.height)),
    );
    let mut cursor = None;
    let rows = [
        (PasswordField::New, "New password", &change.new, 4u16),
        (PasswordField::Again, "Type it again", &change.again, 6u16),
    ];
    for (field, label, input, dy) in rows {
        let y = body.y + dy;
        if y >= body.bottom() {
            break;
        }
        let focused = change.focus == field && !change.saving.in_flight();
        let mark = if focused { "> " } else { "  " };
        frame.render_widget(
            Paragraph::new(format!("{mark}{label}")),
            Rect::new(body.x, y, 17.min(body.width), 1),
        );
        let at = TextField {
            input,
            masked: true,
            focused,
            brackets: true,
        }
        .render(
            frame,
            Rect::new(body.x + 17, y, body.width.saturating_sub(17).min(30), 1),
            theme,
        );
        if focused {
            cursor = at;
        }
        if let Some((f, error)) = &change.error {
            if *f == field && y + 1 < body.bottom() {
                frame.render_widget(
                    Paragraph::new(Line::styled(
                        truncate(&format!("! {error}"), width.saturating_sub(2)),
                        theme.error(),
                    )),
                    Rect::new(body.x + 2, y + 1, body.width.saturating_sub(2), 1),
                );
            }
        }
    }
    let status = if change.saving.in_flight() {
        format!(
            "{} Setting the password for {}…",
            spinner(app.now),
            shell.me.login
        )
    } else if change.required {
        "Enter sets it · Ctrl-C quits".to_string()
    } else {
        "Enter sets it · Esc keeps the old one".to_string()
    };
    let y = body.y + 9;
    if y < body.bottom() {
        frame.render_widget(
            Paragraph::new(Line::styled(truncate(&status, width), theme.dim())),
            Rect::new(body.x, y, body.width, 1),
        );
    }
    cursor
}
