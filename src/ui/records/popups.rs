//! The screen's own popups: finding a patient, emergency access, amending a signed record.

use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{labelled_input, popup_block};
use crate::app::records::ScreenPopup;
use crate::ui::theme::Theme;
use crate::ui::widgets::form::{self as form_widget, Layout as FormLayout};
use crate::ui::widgets::{centered, picker, truncate};

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    popup: &ScreenPopup,
    minutes: Option<u16>,
    theme: Theme,
) -> Option<Position> {
    match popup {
        ScreenPopup::Find(p) => {
            let boxed = centered(area, 76, 16);
            frame.render_widget(Clear, boxed);
            let b = popup_block("Find a patient", theme);
            let inner = b.inner(boxed);
            frame.render_widget(b, boxed);
            let cursor = labelled_input(
                frame,
                inner,
                "Name, date of birth, number ",
                &p.input,
                false,
                theme,
            );
            let mut lines = picker::lines(p, 2, theme);
            if let Some(e) = &p.error {
                lines.insert(
                    0,
                    Line::styled(truncate(e, usize::from(inner.width)), theme.error()),
                );
            }
            frame.render_widget(
                Paragraph::new(lines),
                Rect {
                    y: inner.y + 2,
                    height: inner.height.saturating_sub(2),
                    ..inner
                },
            );
            cursor
        }
        ScreenPopup::BreakGlass {
            patient,
            reason,
            error,
        } => {
            let boxed = centered(area, 72, 12);
            frame.render_widget(Clear, boxed);
            let b = popup_block("Emergency access", theme);
            let inner = b.inner(boxed);
            frame.render_widget(b, boxed);
            let how_long = minutes.map_or_else(String::new, |m| format!(" for {m} minutes"));
            frame.render_widget(
                Paragraph::new(vec![
                    Line::raw(format!(
                        "{} is not in your care. Open the chart{how_long}?",
                        patient.name
                    )),
                    Line::styled(
                        "Say why. Every read is logged and an administrator reviews it.",
                        theme.warning(),
                    ),
                ])
                .wrap(Wrap { trim: true }),
                Rect {
                    height: 3.min(inner.height),
                    ..inner
                },
            );
            let cursor = labelled_input(
                frame,
                Rect {
                    y: inner.y + 4,
                    ..inner
                },
                "Reason ",
                reason,
                false,
                theme,
            );
            if let Some(e) = error {
                frame.render_widget(
                    Paragraph::new(Line::styled(e.clone(), theme.error()))
                        .wrap(Wrap { trim: true }),
                    Rect {
                        y: inner.y + 6,
                        height: inner.height.saturating_sub(6),
                        ..inner
                    },
                );
            }
            cursor
        }
        ScreenPopup::Amend { form, .. } => {
            let boxed = centered(area, 72, 12);
            frame.render_widget(Clear, boxed);
            let b = popup_block("Amend a signed record", theme);
            let inner = b.inner(boxed);
            frame.render_widget(b, boxed);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "The record stays as it was signed; the amendment is shown under it.",
                    theme.dim(),
                )),
                Rect { height: 1, ..inner },
            );
            form_widget::draw(
                frame,
                Rect {
                    y: inner.y + 2,
                    height: inner.height.saturating_sub(2),
                    ..inner
                },
                form,
                FormLayout {
                    label_width: 12,
                    field_width: None,
                },
                true,
                theme,
            )
        }
    }
}
