//! The patient picker inside a form: "searching…" while the lookup is out, then the matches under
//! the field with the one Enter would pick marked.

use ratatui::style::Style;
use ratatui::text::Line;

use crate::app::widgets::PatientPicker;
use crate::ui::theme::Theme;

/// The lines under the picker's field, indented to start under the field (`indent` columns in).
pub fn lines(picker: &PatientPicker, indent: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if picker.searching.in_flight() {
        lines.push(Line::styled(
            format!("{:indent$}searching…", ""),
            theme.dim(),
        ));
    }
    for (n, hit) in picker.hits.iter().enumerate() {
        let selected = n == picker.hits.selected();
        let mark = if selected { "> " } else { "  " };
        let text = format!(
            "{:w$}{mark}{}, {}  {}  #{}{}",
            "",
            hit.family_name,
            hit.given_names,
            hit.date_of_birth.format("%Y-%m-%d"),
            hit.patient_number,
            if hit.similar { " (similar)" } else { "" },
            w = indent.saturating_sub(2),
        );
        let style = if selected { theme.key() } else { Style::new() };
        lines.push(Line::styled(text, style));
    }
    if !picker.hits.is_empty() {
        lines.push(Line::styled(
            format!(
                "{:indent$}{} found: ↓↑ choose, Enter picks",
                "",
                picker.hits.len()
            ),
            theme.dim(),
        ));
    }
    lines
}
