//! The yes/no popup for steps that cannot be undone; the keys shown come from the keymap.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::confirm::Confirm;
use crate::app::keymap::{Command, Keymap, Place};
use crate::ui::theme::Theme;
use crate::ui::widgets::centered;

fn keys(keymap: &Keymap, command: Command) -> String {
    keymap
        .bindings(Place::Confirm)
        .iter()
        .filter(|b| b.command == command)
        .flat_map(|b| b.keys.iter().map(ToString::to_string))
        .collect::<Vec<_>>()
        .join("/")
}

pub fn draw(frame: &mut Frame, area: Rect, confirm: &Confirm, keymap: &Keymap, theme: Theme) {
    let popup = centered(area, 52, 8);
    let block = Block::bordered()
        .padding(Padding::horizontal(1))
        .border_style(theme.popup_border())
        .title(Span::styled(
            format!(" {} ", confirm.title),
            theme.warning(),
        ));
    let answer = Line::from(vec![
        Span::styled(keys(keymap, Command::Yes), theme.key()),
        Span::raw(format!(" {}     ", confirm.yes)),
        Span::styled(keys(keymap, Command::No), theme.key()),
        Span::raw(format!(" {}", confirm.no)),
    ]);
    let text = vec![
        Line::raw(""),
        Line::raw(confirm.question.clone()),
        Line::raw(""),
        answer,
    ];
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
        popup,
    );
}
