//! A labelled form field with, when it was refused, the reason on the line right under it: the
//! message stays next to what it is about, and what was typed stays in the field.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use tui_input::Input;

use crate::ui::theme::Theme;
use crate::ui::widgets::text_field::TextField;
use crate::ui::widgets::truncate;

pub struct FormField<'a> {
    pub label: &'a str,
    /// Shown after the field, dimmed (e.g. "f/m/i/u").
    pub hint: Option<&'a str>,
    pub required: bool,
    pub input: &'a Input,
    pub focused: bool,
    pub error: Option<&'a str>,
    /// Columns for the focus mark, the label and its required mark.
    pub label_width: u16,
    /// Columns for the field with its brackets; long values scroll inside it.
    pub field_width: u16,
}

impl FormField<'_> {
    /// Rows this field takes: one, plus one for its error.
    pub fn height(&self) -> u16 {
        1 + u16::from(self.error.is_some())
    }

    /// Draws into `area` (its first row, and the second for the error); returns where the cursor
    /// belongs when the field has the focus.
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
        let cursor = TextField {
            input: self.input,
            masked: false,
            focused: self.focused,
            brackets: true,
        }
        .render(frame, row(field_x, field_width, area.y), theme);
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
        if let (Some(error), true) = (self.error, area.height > 1) {
            // Under the field when it fits there, else from under the label: never cut short
            // when the line has room for it.
            let text = format!("! {error}");
            let len = u16::try_from(text.chars().count()).unwrap_or(u16::MAX);
            let x = if field_x + 1 + len <= area.right() {
                field_x + 1
            } else {
                area.x + 2
            };
            let width = area.right().saturating_sub(x);
            frame.render_widget(
                Paragraph::new(Span::styled(
                    truncate(&text, usize::from(width)),
                    theme.error(),
                )),
                row(x, width, area.y + 1),
            );
        }
        cursor
    }
}
