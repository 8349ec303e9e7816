//! The doctor's side: the day, a chart, the encounter being written (with its popups). Every
//! allergy is shown at the top of whatever concerns the patient.

mod chart;
mod day;
mod encounter;
mod popups;

use chrono::NaiveDate;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::app::records::{PatientLine, RecordsScreen};
use crate::app::screen::Access;
use crate::domain::record::Allergy;
use crate::domain::staff::Job;
use crate::ui::theme::Theme;
use crate::ui::widgets::truncate;
use crate::ui::{View, ViewEnv};

pub use chart::spark;

/// What this screen holds for `job`.
pub fn purpose(job: Job, access: Access) -> &'static str {
    let _ = (job, access);
    "Your day's consultations and your patients' charts: write, sign and amend records."
}

impl View for RecordsScreen {
    fn draw(&self, frame: &mut Frame, area: Rect, env: &ViewEnv) -> Option<Position> {
        if let Some(form) = &self.encounter {
            return encounter::draw(frame, area, form, self, env);
        }
        match &self.chart {
            Some(view) => chart::draw(frame, area, view, self, env),
            None => day::draw(frame, area, self, env),
        }
        self.popup
            .as_ref()
            .and_then(|p| popups::draw(frame, area, p, self.break_glass_minutes, env.theme))
    }
}

/// "Garcia, Luis · 52 y · #10231 · ALLERGIES: penicillin (rash, moderate)": who, and what they
/// must not be given, heading every view of the patient. When the allergies do not fit beside the
/// name they get a line of their own (never cut: they are what must not be missed).
pub fn patient_header(
    patient: &PatientLine,
    allergies: Option<&[Allergy]>,
    today: NaiveDate,
    width: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let mut head = format!(" {}", patient.name);
    if let Some(years) = patient.date_of_birth.and_then(|b| today.years_since(b)) {
        head.push_str(&format!(" · {years} y"));
    }
    if let Some(n) = patient.number {
        head.push_str(&format!(" · #{n}"));
    }
    // Before the chart is read (or when it may not be) nothing is claimed about allergies.
    let Some(allergies) = allergies else {
        return vec![Line::styled(truncate(&head, width), theme.title())];
    };
    let (words, style) = if allergies.is_empty() {
        ("no allergies recorded".to_string(), theme.dim())
    } else {
        (
            format!(
                "ALLERGIES: {}",
                allergies
                    .iter()
                    .map(Allergy::label)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            theme.error(),
        )
    };
    if head.chars().count() + 3 + words.chars().count() <= width {
        return vec![Line::from(vec![
            Span::styled(format!("{head} · "), theme.title()),
            Span::styled(words, style),
        ])];
    }
    let mut lines = vec![Line::styled(truncate(&head, width), theme.title())];
    lines.extend(
        crate::ui::widgets::wrap(&words, width.saturating_sub(2))
            .into_iter()
            .take(2)
            .map(|l| Line::styled(format!(" {l}"), style)),
    );
    lines
}

pub(super) use crate::ui::widgets::text_field::labelled_input;

/// A popup's frame with a plain title.
pub(super) fn popup_block(title: &str, theme: Theme) -> ratatui::widgets::Block<'static> {
    crate::ui::widgets::popup_block(title, theme.title(), theme)
}
