//! The `?` popup: every binding of the place it was opened from, grouped by where it works.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use crate::app::help::HelpState;
use crate::app::keymap::{Command, Keymap, Place};
use crate::ui::theme::Theme;
use crate::ui::widgets::centered;

const KEY_COLUMN: usize = 20;

/// The popup's lines; `text_entry` hides keys that would be typed into the field behind it.
pub fn lines(
    help: &HelpState,
    keymap: &Keymap,
    text_entry: bool,
    theme: Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (title, bindings) in help.sections(keymap) {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(title.to_string(), theme.title()));
        for b in bindings {
            let keys: Vec<String> = b.usable_keys(text_entry).map(ToString::to_string).collect();
            if keys.is_empty() {
                continue;
            }
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(format!("{:<KEY_COLUMN$}", keys.join(", ")), theme.key()),
                Span::raw(b.desc),
            ]));
        }
    }
    lines
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    help: &HelpState,
    keymap: &Keymap,
    text_entry: bool,
    theme: Theme,
) {
    let lines = lines(help, keymap, text_entry, theme);
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let popup = centered(area, 68, height);
    let inner_height = usize::from(popup.height.saturating_sub(2));
    let max_scroll = lines.len().saturating_sub(inner_height);
    let scroll = usize::from(help.scroll).min(max_scroll);
    let close = keymap
        .key_for(Place::Help, Command::Back)
        .unwrap_or_default();
    let mut hint = format!(" {close} close ");
    if max_scroll > 0 {
        let down = keymap
            .key_for(Place::Help, Command::ScrollDown)
            .unwrap_or_default();
        let up = keymap
            .key_for(Place::Help, Command::ScrollUp)
            .unwrap_or_default();
        hint.push_str(&format!("· {down}/{up} scroll "));
    }
    let block = Block::bordered()
        .border_style(theme.popup_border())
        .title(Span::styled(
            format!(" Keys: {} ", help.about.title()),
            theme.title(),
        ))
        .title_bottom(Line::from(hint).right_aligned());
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((u16::try_from(scroll).unwrap_or(0), 0))
            .block(block),
        popup,
    );
}
