//! The one form, drawn: every field with its label, its message under it, and a patient field's
//! matches under that; scrolled so the focused field is always in view. Screens put it in a popup
//! or a panel of their own and add what is theirs around it (a title, a hint line).

use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::widgets::{Field, Form, Value};
use crate::ui::theme::Theme;
use crate::ui::widgets::form_field::{FormField, Shown};
use crate::ui::widgets::picker;

/// Columns for a form's labels (with the focus mark) and for its fields (the rest of the line
/// when `None`).
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub label_width: u16,
    pub field_width: Option<u16>,
}

fn widget<'a>(field: &'a Field, focused: bool, layout: Layout, width: u16) -> FormField<'a> {
    let shown = match &field.value {
        Value::Text(input) => Shown::Text(input),
        Value::Patient(p) => Shown::Text(&p.input),
        Value::Choice { .. } => Shown::Choice(field.value()),
    };
    let picked = field.picker().is_some_and(|p| p.picked.is_some());
    FormField {
        label: field.label,
        hint: field.hint.as_deref(),
        required: field.required,
        shown,
        masked: field.secret,
        focused,
        error: field.error.as_deref(),
        warning: field.warning.as_deref(),
        // Picked: say so, so a typed name is not mistaken for a choice.
        mark: picked.then_some("✓ picked"),
        label_width: layout.label_width,
        field_width: layout
            .field_width
            .unwrap_or_else(|| width.saturating_sub(layout.label_width)),
    }
}

/// The lines under field `i` besides its message: a patient field's matches.
fn below(field: &Field, layout: Layout, theme: Theme) -> Vec<Line<'static>> {
    field
        .picker()
        .map(|p| picker::lines(p, usize::from(layout.label_width), theme))
        .unwrap_or_default()
}

/// Rows each field takes, with what is under it.
fn heights<K>(form: &Form<K>, layout: Layout, width: u16, theme: Theme) -> Vec<u16> {
    form.fields
        .iter()
        .map(|f| {
            let extra = u16::try_from(below(f, layout, theme).len()).unwrap_or(0);
            widget(f, false, layout, width).height(width) + extra
        })
        .collect()
}

/// Rows the whole form takes in `width` columns, to size a popup.
pub fn height<K>(form: &Form<K>, layout: Layout, width: u16, theme: Theme) -> u16 {
    heights(form, layout, width, theme).iter().sum()
}

/// Draws the fields into `area`, scrolled so the focused one (with its message) is in view;
/// `active` is false while a popup covers the form (no field then has the focus). Returns where
/// the terminal cursor belongs.
pub fn draw<K>(
    frame: &mut Frame,
    area: Rect,
    form: &Form<K>,
    layout: Layout,
    active: bool,
    theme: Theme,
) -> Option<Position> {
    let heights = heights(form, layout, area.width, theme);
    let tops: Vec<u16> = heights
        .iter()
        .scan(0u16, |top, h| {
            let this = *top;
            *top += h;
            Some(this)
        })
        .collect();
    let total: u16 = heights.iter().sum();
    let focus = form.focus.min(heights.len().saturating_sub(1));
    let focus_bottom =
        tops.get(focus).copied().unwrap_or(0) + heights.get(focus).copied().unwrap_or(0);
    let scroll = focus_bottom
        .saturating_sub(area.height)
        .min(total.saturating_sub(area.height));
    let mut cursor = None;
    for (i, field) in form.fields.iter().enumerate() {
        let Some(y) = tops[i].checked_sub(scroll) else {
            continue;
        };
        if y + heights[i] > area.height {
            break;
        }
        let focused = active && i == form.focus;
        let w = widget(field, focused, layout, area.width);
        let own = w.height(area.width);
        let rect = Rect {
            y: area.y + y,
            height: own,
            ..area
        };
        let at = w.render(frame, rect, theme);
        if focused {
            cursor = at;
        }
        for (n, line) in (own..).zip(below(field, layout, theme)) {
            frame.render_widget(
                Paragraph::new(line),
                Rect {
                    y: area.y + y + n,
                    height: 1,
                    ..area
                },
            );
        }
    }
    if total > area.height + scroll && area.height > 0 {
        let more = Rect {
            y: area.bottom() - 1,
            height: 1,
            ..area
        };
        frame.render_widget(
            Paragraph::new(Line::styled("more fields below ↓", theme.dim())).right_aligned(),
            more,
        );
    }
    cursor
}
