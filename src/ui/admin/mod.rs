//! Administration, drawn for a thin client: a bar of parts (the count of emergency accesses to
//! review always on it), each part a list that says its position and what it shows, and the
//! forms as popups. Words carry every state, so it reads at 80x24 without colour.

mod parts;
mod staff;
mod trail;

use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::admin::{AdminScreen, Popup, Tab};
use crate::app::widgets::form::Form;
use crate::ui::theme::Theme;
use crate::ui::widgets::form::{self as form_widget, Layout as FormLayout};
use crate::ui::widgets::{centered, popup_block, spinner, tab_bar, truncate};
use crate::ui::{View, ViewEnv};

impl View for AdminScreen {
    fn draw(&self, frame: &mut Frame, area: Rect, env: &ViewEnv) -> Option<Position> {
        let theme = env.theme;
        if area.height == 0 {
            return None;
        }
        let bar = Rect { height: 1, ..area };
        let body = Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        };
        let status = if self.step.in_flight() {
            format!(
                "{} {} ",
                spinner(self.now),
                self.step.what().map_or("", String::as_str)
            )
        } else {
            String::new()
        };
        frame.render_widget(
            Paragraph::new(tab_bar(
                Tab::ALL.iter().map(|t| (self.tab_word(*t), *t == self.tab)),
                &status,
                usize::from(area.width),
                theme,
            )),
            bar,
        );
        match self.tab {
            Tab::Staff => staff::draw(frame, body, self, theme),
            Tab::Reviews => parts::draw_reviews(frame, body, self, theme),
            Tab::Settings => parts::draw_settings(frame, body, self, theme),
            Tab::Permissions => {
                let cursor = trail::draw_matrix(frame, body, self, theme);
                if self.popup.is_none() {
                    return cursor;
                }
            }
            Tab::Audit => trail::draw_trail(frame, body, self, theme),
        }
        self.popup
            .as_ref()
            .and_then(|p| draw_popup(frame, area, p, theme))
    }
}

impl AdminScreen {
    /// A part's name on the bar; the emergency accesses say how many wait for review.
    fn tab_word(&self, tab: Tab) -> String {
        match (tab, self.to_review()) {
            (Tab::Reviews, Some(0)) => "Emergency access (none to review)".into(),
            (Tab::Reviews, Some(n)) => format!("Emergency access ({n} to review)"),
            (tab, _) => tab.title().into(),
        }
    }
}

/// A form in a popup, with the lines about it above its fields.
fn form_popup<K>(
    frame: &mut Frame,
    area: Rect,
    form: &Form<K>,
    about: &[String],
    theme: Theme,
) -> Option<Position> {
    let layout = FormLayout {
        label_width: 19,
        field_width: Some(30),
    };
    let width = 74.min(area.width);
    let about_rows = about
        .iter()
        .map(|a| crate::ui::widgets::wrap(a, usize::from(width.saturating_sub(4))).len())
        .sum::<usize>();
    let about_rows = u16::try_from(about_rows).unwrap_or(0);
    let fields = form_widget::height(form, layout, width.saturating_sub(4), theme);
    let error_rows = u16::from(form.error.is_some() || form.saving.in_flight());
    let boxed = centered(area, width, about_rows + fields + error_rows + 3);
    frame.render_widget(Clear, boxed);
    let block = popup_block(&form.title, theme.title(), theme);
    let inner = block.inner(boxed);
    frame.render_widget(block, boxed);
    let lines: Vec<Line> = about
        .iter()
        .map(|a| Line::styled(a.clone(), theme.dim()))
        .collect();
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }),
        Rect {
            height: about_rows.min(inner.height),
            ..inner
        },
    );
    let top = (about_rows + u16::from(about_rows > 0)).min(inner.height);
    let rest = Rect {
        y: inner.y + top,
        height: inner.height.saturating_sub(top + error_rows),
        ..inner
    };
    let cursor = form_widget::draw(frame, rest, form, layout, true, theme);
    let message = match (&form.error, form.saving.in_flight()) {
        (_, true) => Some(Line::raw("saving…")),
        (Some(e), false) => Some(Line::styled(
            truncate(&format!("! {e}"), usize::from(inner.width)),
            theme.error(),
        )),
        (None, false) => None,
    };
    if let (Some(line), true) = (message, inner.height > 0) {
        frame.render_widget(
            Paragraph::new(line),
            Rect {
                y: inner.bottom() - 1,
                height: 1,
                ..inner
            },
        );
    }
    cursor
}

fn draw_popup(frame: &mut Frame, area: Rect, popup: &Popup, theme: Theme) -> Option<Position> {
    match popup {
        Popup::Staff(form) => {
            let about = staff::form_about(&form.kind);
            form_popup(frame, area, form, &about, theme)
        }
        Popup::Review(form) => {
            let about = vec![
                form.kind.about.clone(),
                "The note is kept in its own table; the audit log itself never changes.".into(),
            ];
            form_popup(frame, area, form, &about, theme)
        }
        Popup::TrailFilter(form) => {
            let about = vec![
                "Every field narrows it further; an empty one does not. Days are the clinic's."
                    .to_string(),
            ];
            form_popup(frame, area, form, &about, theme)
        }
        Popup::Settings(form) => {
            let about = vec![
                "Every desk must agree on these: this desk uses them once saved, every other desk at its next sign-in. Keys, colours and the date format stay in each desk's config.".to_string(),
            ];
            form_popup(frame, area, form, &about, theme)
        }
    }
}
