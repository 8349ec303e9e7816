//! The bottom line: the most useful keys of the place in front, from the keymap.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::ui::theme::Theme;

/// `hints` are (key, label) pairs; whatever does not fit is left off the end, never cut in half.
pub fn line(hints: &[(String, &str)], width: u16, theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1usize;
    for (key, label) in hints {
        let len = key.chars().count() + 1 + label.chars().count() + 3;
        if used + len - 3 > usize::from(width) {
            break;
        }
        used += len;
        spans.push(Span::styled(key.clone(), theme.key()));
        spans.push(Span::raw(format!(" {label}   ")));
    }
    Line::from(spans)
}

pub fn draw(frame: &mut Frame, area: Rect, hints: &[(String, &str)], theme: Theme) {
    frame.render_widget(Paragraph::new(line(hints, area.width, theme)), area);
}
