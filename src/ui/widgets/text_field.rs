//! One line of text input, optionally masked, scrolled so the cursor stays in view.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use tui_input::Input;

use crate::ui::theme::Theme;

pub struct TextField<'a> {
    pub input: &'a Input,
    /// Show `*` for every character (passwords).
    pub masked: bool,
    pub focused: bool,
    /// Draw `[` and `]` around the field, as on forms.
    pub brackets: bool,
}

impl TextField<'_> {
    /// Draws the field and returns where the terminal cursor belongs when it has the focus.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: Theme) -> Option<Position> {
        let pad = if self.brackets { 2 } else { 0 };
        let width = usize::from(area.width.saturating_sub(pad));
        if width == 0 {
            return None;
        }
        let (text, scroll, cursor) = if self.masked {
            let len = self.input.value().chars().count();
            let cursor = self.input.cursor();
            let scroll = cursor.saturating_sub(width.saturating_sub(1));
            ("*".repeat(len), scroll, cursor)
        } else {
            let scroll = self.input.visual_scroll(width);
            (
                self.input.value().to_string(),
                scroll,
                self.input.visual_cursor(),
            )
        };
        let visible: String = text.chars().skip(scroll).collect();
        let visible = format!("{visible:<width$}");
        let visible: String = visible.chars().take(width).collect();
        let mut spans = Vec::with_capacity(3);
        if self.brackets {
            spans.push(Span::raw("["));
        }
        spans.push(Span::styled(visible, theme.field(self.focused)));
        if self.brackets {
            spans.push(Span::raw("]"));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        let offset = u16::try_from(cursor.saturating_sub(scroll)).unwrap_or(u16::MAX);
        self.focused.then(|| Position {
            x: area.x + pad / 2 + offset.min(area.width.saturating_sub(pad + 1)),
            y: area.y,
        })
    }
}

/// `label` then a one-line text field after it, focused: where the cursor belongs.
pub fn labelled_input(
    frame: &mut Frame,
    area: Rect,
    label: &str,
    input: &tui_input::Input,
    masked: bool,
    theme: Theme,
) -> Option<Position> {
    let w = u16::try_from(label.chars().count()).unwrap_or(0);
    frame.render_widget(
        ratatui::widgets::Paragraph::new(label.to_string()),
        Rect {
            width: w,
            height: 1,
            ..area
        },
    );
    TextField {
        input,
        masked,
        focused: true,
        brackets: true,
    }
    .render(
        frame,
        Rect {
            x: area.x + w,
            width: area.width.saturating_sub(w),
            height: 1,
            ..area
        },
        theme,
    )
}
