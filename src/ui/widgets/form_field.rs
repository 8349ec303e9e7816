//! A labelled form field with, when it was refused, the reason right under it: the message stays
//! next to what it is about, and what was typed stays in the field.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use tui_input::Input;

use crate::ui::theme::Theme;
use crate::ui::widgets::text_field::TextField;
use crate::ui::widgets::{truncate, wrap};

/// What the field shows.
#[derive(Debug, Clone, Copy)]
pub enum Shown<'a> {
    Text(&'a Input),
    /// A choice among fixed values, drawn as `< value >`.
    Choice(&'a str),
}

pub struct FormField<'a> {
    pub label: &'a str,
    /// Shown after the field, dimmed (e.g. "f/m/i/u").
    pub hint: Option<&'a str>,
    pub required: bool,
    pub shown: Shown<'a>,
    /// Text shown as dots (a password).
    pub masked: bool,
    pub focused: bool,
    pub error: Option<&'a str>,
    /// Shown like the error when there is none, as a note rather than a refusal.
    pub warning: Option<&'a str>,
    /// A mark over the field's right end (e.g. "✓ picked").
    pub mark: Option<&'a str>,
    /// Columns for the focus mark, the label and its required mark.
    pub label_width: u16,
    /// Columns for the field with its brackets; long values scroll inside it.
    pub field_width: u16,
}

impl FormField<'_> {
    /// The message's lines and where each starts: under the field when it fits on one line
    /// there, else from under the label, wrapped so none of it is cut off.
    fn error_lines(&self, width: u16) -> Vec<(u16, String)> {
        let (error, mark) = match (self.error, self.warning) {
            (Some(e), _) => (e, "!"),
            (None, Some(w)) => (w, "?"),
            (None, None) => return Vec::new(),
        };
        let text = format!("{mark} {error}");
        let field_x = self.label_width.min(width);
        let len = u16::try_from(text.chars().count()).unwrap_or(u16::MAX);
        if field_x + 1 + len <= width {
            return vec![(field_x + 1, text)];
        }
        let room = usize::from(width.saturating_sub(4)).max(10);
        wrap(error, room)
            .into_iter()
            .enumerate()
            .map(|(n, part)| {
                let lead = if n == 0 {
                    format!("{mark} ")
                } else {
                    "  ".to_string()
                };
                (2, format!("{lead}{part}"))
            })
            .collect()
    }

    /// Rows this field takes in `width` columns: one, plus its message's.
    pub fn height(&self, width: u16) -> u16 {
        1 + u16::try_from(self.error_lines(width).len()).unwrap_or(u16::MAX)
    }

    /// Draws into `area` (its first row, and the next ones for the message); returns where the
    /// cursor belongs when the field has the focus.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: Theme) -> Option<Position> {
        if area.height == 0 {
            return None;
        }
        let label_width = self.label_width.min(area.width);
        // The focus also shows as a marker, so it reads without colour or underline.
        let mark = if self.focused { "> " } else { "  " };
        let star = if self.required { " *" } else { "" };
        let row = |x: u16, width: u16, y: u16| Rect {
            x,
            y,
            width,
            height: 1,
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(mark, theme.key()),
                Span::styled(self.label.to_string(), theme.title()),
                Span::raw(star),
            ])),
            row(area.x, label_width, area.y),
        );
        let field_x = area.x + label_width;
        let field_width = self.field_width.min(area.right().saturating_sub(field_x));
        let field = row(field_x, field_width, area.y);
        let cursor = match self.shown {
            Shown::Text(input) => TextField {
                input,
                masked: self.masked,
                focused: self.focused,
                brackets: true,
            }
            .render(frame, field, theme),
            Shown::Choice(value) => {
                frame.render_widget(
                    Paragraph::new(Span::styled(
                        format!("< {value} >"),
                        theme.field(self.focused),
                    )),
                    field,
                );
                None
            }
        };
        if let Some(mark) = self.mark {
            let width = u16::try_from(mark.chars().count() + 2).unwrap_or(0);
            let at = row(field.right().saturating_sub(width), width, area.y);
            frame.render_widget(
                Paragraph::new(Span::styled(format!(" {mark} "), theme.good())),
                at,
            );
        }
        let hint_x = field_x + field_width + 1;
        if let (Some(hint), true) = (self.hint, hint_x < area.right()) {
            let width = area.right() - hint_x;
            frame.render_widget(
                Paragraph::new(Span::styled(
                    truncate(hint, usize::from(width)),
                    theme.dim(),
                )),
                row(hint_x, width, area.y),
            );
        }
        for (n, (x, text)) in (1u16..).zip(self.error_lines(area.width)) {
            if n >= area.height {
                break;
            }
            let x = area.x + x;
            let width = area.right().saturating_sub(x);
            let style = if self.error.is_some() {
                theme.error()
            } else {
                theme.warning()
            };
            frame.render_widget(
                Paragraph::new(Span::styled(truncate(&text, usize::from(width)), style)),
                row(x, width, area.y + n),
            );
        }
        cursor
    }
}
