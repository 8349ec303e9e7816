//! The Admin screen's other parts: emergency accesses waiting for review, the clinic's settings.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::admin::AdminScreen;
use crate::ui::theme::Theme;
use crate::ui::widgets::list::{position, scroll_offset};
use crate::ui::widgets::truncate;

use super::staff::when;

pub fn draw_reviews(frame: &mut Frame, area: Rect, state: &AdminScreen, theme: Theme) {
    let part = &state.reviews;
    let width = usize::from(area.width);
    let mut lines = vec![Line::styled(
        format!(
            "   {:<16} {:<18} {:<26} {}",
            "when", "doctor", "patient", "for"
        ),
        theme.dim(),
    )];
    if !part.loaded {
        lines.push(Line::raw(match &part.error {
            Some(e) => format!(" Could not read the emergency accesses: {e}"),
            None => " reading the emergency accesses…".into(),
        }));
    } else if let Some(e) = &part.error {
        lines.push(Line::styled(
            truncate(&format!(" {e}"), width),
            theme.error(),
        ));
    } else if part.rows.is_empty() {
        lines.push(Line::raw(
            " Every emergency access has been reviewed. New ones arrive here.",
        ));
    }
    // The chosen access's stated reason in full, under the list.
    let room = usize::from(area.height).saturating_sub(6);
    let top = scroll_offset(part.rows.selected(), part.rows.len(), room);
    for (i, a) in part.rows.iter().enumerate().skip(top).take(room) {
        let selected = i == part.rows.selected();
        let text = format!(
            "{} {:<16} {:<18} {:<26} {} min",
            if selected { ">" } else { " " },
            a.granted_at
                .with_timezone(&state.tz)
                .format("%Y-%m-%d %H:%M"),
            truncate(&a.doctor_name, 18),
            truncate(&format!("#{} {}", a.patient_number, a.patient_name), 26),
            a.minutes
        );
        lines.push(Line::styled(
            truncate(&text, width),
            if selected {
                theme.field(true)
            } else {
                ratatui::style::Style::new()
            },
        ));
    }
    let list_rows = u16::try_from(lines.len()).unwrap_or(0).min(area.height);
    frame.render_widget(Paragraph::new(lines), area);
    if let Some(a) = part.rows.selected_item() {
        let detail = Rect {
            y: area.y + list_rows + 1,
            height: area.height.saturating_sub(list_rows + 2),
            ..area
        };
        if detail.height > 0 {
            frame.render_widget(
                Paragraph::new(vec![Line::raw(format!(" Reason: \"{}\"", a.reason))])
                    .wrap(Wrap { trim: false }),
                detail,
            );
        }
    }
    footer_line(
        frame,
        area,
        &position(part.rows.selected(), part.rows.len(), false, "to review"),
        theme,
    );
}

pub(super) fn footer_line(frame: &mut Frame, area: Rect, text: &str, theme: Theme) {
    if area.height > 1 {
        let bottom = Rect {
            y: area.bottom() - 1,
            height: 1,
            ..area
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                truncate(&format!("{text} "), usize::from(area.width)),
                theme.dim(),
            ))
            .right_aligned(),
            bottom,
        );
    }
}

pub fn draw_settings(frame: &mut Frame, area: Rect, state: &AdminScreen, theme: Theme) {
    let mut lines = vec![Line::raw("")];
    match (&state.settings, &state.settings_error) {
        (_, Some(e)) => lines.push(Line::styled(
            format!(" Could not read the settings: {e}"),
            theme.error(),
        )),
        (None, None) => lines.push(Line::raw(" reading the settings…")),
        (Some(s), None) => {
            let row = |label: &str, value: String| Line::raw(format!("  {label:<28} {value}"));
            lines.push(Line::styled(
                "  Kept in the database: every desk takes these at sign-in.",
                theme.dim(),
            ));
            lines.push(Line::raw(""));
            lines.push(row("Clinic name", s.clinic_name.clone()));
            lines.push(row("Time zone", s.time_zone.clone()));
            lines.push(row("Currency", s.currency.clone()));
            lines.push(row(
                "Idle lock after at most",
                format!("{} minutes (a desk may lock sooner)", s.idle_lock_minutes),
            ));
            lines.push(row(
                "Emergency access at most",
                format!("{} minutes", s.break_glass_max_minutes),
            ));
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                match (&s.changed_at, &s.changed_by) {
                    (Some(at), Some(by)) => {
                        format!("  Last changed {} by {by}.", when(*at, state.now, state.tz))
                    }
                    _ => "  As `clinic db migrate` took them from the config.".into(),
                },
                theme.dim(),
            ));
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "  Each desk's own: keys, colours and the date format (its config.toml).",
                theme.dim(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}
