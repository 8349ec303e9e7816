//! The sign-in screen (screens.md, "Login").

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use crate::app::login::{LoginField, LoginState};
use crate::app::App;
use crate::ui::theme::Theme;
use crate::ui::widgets::text_field::TextField;
use crate::ui::widgets::{spinner, truncate};

const LABEL_WIDTH: u16 = 10;
const FIELD_WIDTH: u16 = 26;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    login: &LoginState,
    theme: Theme,
) -> Option<Position> {
    let block = Block::bordered();
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return None;
    }
    // Name, gap, two fields, gap, message, gap, server, then the notes: centred.
    let notes = u16::try_from(app.login_notes.len()).unwrap_or(0);
    let top = inner.y
        + inner
            .height
            .saturating_sub(9 + notes + u16::from(notes > 0))
            / 2;
    let row = |n: u16| {
        Rect::new(
            inner.x,
            (top + n).min(inner.bottom().saturating_sub(1)),
            inner.width,
            1,
        )
    };
    let width = usize::from(inner.width);
    frame.render_widget(
        Paragraph::new(Line::styled(truncate(&app.clinic_name, width), theme.title()).centered()),
        row(0),
    );
    let form_width = (LABEL_WIDTH + FIELD_WIDTH).min(inner.width);
    let left = inner.x + inner.width.saturating_sub(form_width) / 2;
    let mut cursor = None;
    for (n, field, label, input, masked) in [
        (2, LoginField::Username, "Username", &login.username, false),
        (3, LoginField::Password, "Password", &login.password, true),
    ] {
        let y = row(n).y;
        let focused = login.focus == field;
        let style = if focused { theme.title() } else { theme.dim() };
        frame.render_widget(
            Paragraph::new(Span::styled(label, style)),
            Rect::new(left, y, LABEL_WIDTH.min(form_width), 1),
        );
        let field_area = Rect::new(
            left + LABEL_WIDTH,
            y,
            form_width.saturating_sub(LABEL_WIDTH),
            1,
        );
        let drawn = TextField {
            input,
            masked,
            focused,
            brackets: true,
        }
        .render(frame, field_area, theme);
        cursor = cursor.or(drawn);
    }
    let message = match (login.signing_in.in_flight(), &login.error) {
        (true, _) => Line::from(format!("{} Signing in…", spinner(app.now))),
        (false, Some(error)) => Line::styled(truncate(error, width), theme.error()),
        (false, None) => Line::raw(""),
    };
    frame.render_widget(Paragraph::new(message.centered()), row(5));
    let server = format!("server: {}", app.server_label);
    frame.render_widget(
        Paragraph::new(
            Line::styled(truncate(&server, width.saturating_sub(2)), theme.dim()).centered(),
        ),
        row(8),
    );
    for (n, note) in (10u16..).zip(&app.login_notes) {
        frame.render_widget(
            Paragraph::new(Line::raw(truncate(note, width.saturating_sub(2))).centered()),
            row(n),
        );
    }
    cursor
}
