//! Pieces shared by screens: text fields, the one form and its fields, the patient picker in a
//! form, list positions, footer hints, the help and confirm popups.

pub mod ascii;
pub mod confirm;
pub mod footer;
pub mod form;
pub mod form_field;
pub mod help;
pub mod list;
pub mod picker;
pub mod text_field;

use chrono::{DateTime, Utc};
use ratatui::layout::{Constraint, Rect};

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// The spinner frame for the app's clock: one step per frame, the same frame for the same time.
pub fn spinner(now: DateTime<Utc>) -> char {
    let frame = crate::app::pending::SPINNER_FRAME.num_milliseconds();
    let step = now
        .timestamp_millis()
        .div_euclid(frame)
        .rem_euclid(SPINNER.len() as i64);
    SPINNER[usize::try_from(step).unwrap_or(0)]
}

/// A popup's frame: bordered, padded, its title in `title_style` (a warning's, or a plain title).
pub fn popup_block(
    title: &str,
    title_style: ratatui::style::Style,
    theme: crate::ui::theme::Theme,
) -> ratatui::widgets::Block<'static> {
    ratatui::widgets::Block::bordered()
        .padding(ratatui::widgets::Padding::horizontal(1))
        .border_style(theme.popup_border())
        .title(ratatui::text::Span::styled(
            format!(" {title} "),
            title_style,
        ))
}

/// A screen's bar of parts: the one in front in brackets (so it reads without colour), the others
/// dimmed, and `right` at the end of the line.
pub fn tab_bar(
    tabs: impl IntoIterator<Item = (String, bool)>,
    right: &str,
    width: usize,
    theme: crate::ui::theme::Theme,
) -> ratatui::text::Line<'static> {
    use ratatui::text::Span;
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (word, current) in tabs {
        let text = if current {
            format!("[{word}]")
        } else {
            format!(" {word} ")
        };
        used += text.chars().count();
        spans.push(Span::styled(
            text,
            if current { theme.title() } else { theme.dim() },
        ));
    }
    let right = truncate(right, width.saturating_sub(used));
    spans.push(Span::raw(
        " ".repeat(width.saturating_sub(used + right.chars().count())),
    ));
    spans.push(Span::styled(right, theme.title()));
    ratatui::text::Line::from(spans)
}

/// A box of at most `width` x `height` in the middle of `area`, never larger than it.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    area.centered(
        Constraint::Length(width.min(area.width)),
        Constraint::Length(height.min(area.height)),
    )
}

/// Cut `text` to `width` columns with an ellipsis, for names that must not push others off a bar.
pub fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut cut: String = text.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

/// Split `text` into lines of at most `width` characters, at spaces where it can.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
