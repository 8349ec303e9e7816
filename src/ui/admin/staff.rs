//! The staff list: login, name, job, whether they may sign in, and when they last did.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::admin::{AdminScreen, StaffForm};
use crate::domain::staff::StaffRow;
use crate::ui::theme::Theme;
use crate::ui::widgets::list::{position, scroll_offset};
use crate::ui::widgets::truncate;

/// When, in the fewest words: "now" (signed in), "today 08:02", "yesterday 17:40", a date.
pub fn when(at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> String {
    let (at, today) = (at.with_timezone(&tz), now.with_timezone(&tz).date_naive());
    let day = at.date_naive();
    if day == today {
        at.format("today %H:%M").to_string()
    } else if Some(day) == today.pred_opt() {
        at.format("yesterday %H:%M").to_string()
    } else {
        at.format("%Y-%m-%d").to_string()
    }
}

/// Whether they may sign in, in words: deactivated, locked out of PostgreSQL too, a password to
/// choose.
fn state(row: &StaffRow) -> &'static str {
    match (row.active, row.can_log_in, row.must_change_password) {
        (false, _, _) => "deactivated",
        (true, false, _) => "no login",
        (true, true, true) => "reset",
        (true, true, false) => "active",
    }
}

fn last(row: &StaffRow, now: DateTime<Utc>, tz: Tz) -> String {
    match (row.signed_in_since, row.last_sign_in) {
        (Some(_), _) => "signed in now".into(),
        (None, Some(at)) => when(at, now, tz),
        (None, None) => "never".into(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state_: &AdminScreen, theme: Theme) {
    let list = &state_.staff;
    let width = usize::from(area.width);
    let mut lines = vec![Line::styled(
        format!(
            "   {:<10} {:<20} {:<13} {:<11} {}",
            "login", "name", "job", "state", "last sign-in"
        ),
        theme.dim(),
    )];
    let room = usize::from(area.height).saturating_sub(2);
    if !list.loaded {
        lines.push(Line::raw(match &list.error {
            Some(e) => format!(" Could not read the staff: {e}"),
            None => " reading the staff…".into(),
        }));
    } else if let Some(e) = &list.error {
        lines.push(Line::styled(
            truncate(&format!(" {e}"), width),
            theme.error(),
        ));
    }
    let top = scroll_offset(list.rows.selected(), list.rows.len(), room);
    for (i, row) in list.rows.iter().enumerate().skip(top).take(room) {
        let selected = i == list.rows.selected();
        let me = state_.me.as_deref() == Some(row.login.as_str());
        let text = format!(
            "{}{} {:<10} {:<20} {:<13} {:<11} {}",
            if selected { ">" } else { " " },
            if me { "*" } else { " " },
            truncate(&row.login, 10),
            truncate(&row.full_name, 20),
            truncate(&row.job, 13),
            state(row),
            last(row, state_.now, state_.tz)
        );
        let style = if selected {
            theme.field(true)
        } else if !row.active {
            theme.dim()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::styled(truncate(&text, width), style));
    }
    frame.render_widget(Paragraph::new(lines), area);
    if area.height > 1 && list.loaded {
        let bottom = Rect {
            y: area.bottom() - 1,
            height: 1,
            ..area
        };
        let mut text = position(list.rows.selected(), list.rows.len(), false, "people");
        text.push_str(" · * you · reset: chooses a new password at next sign-in ");
        frame.render_widget(
            Paragraph::new(Line::styled(truncate(&text, width), theme.dim())).right_aligned(),
            bottom,
        );
    }
}

/// The lines above a staff form.
pub fn form_about(kind: &StaffForm) -> Vec<String> {
    match kind {
        StaffForm::Add => vec![
            "Their own PostgreSQL login in the job's group; the password leaves this machine only as a SCRAM verifier.".into(),
        ],
        StaffForm::Job { name, .. } => vec![format!(
            "{name}'s group and staff row change together; the audit trail keeps the step."
        )],
        StaffForm::Reset { name, .. } => vec![format!(
            "Tell {name} this password in person: they must choose their own at their next sign-in."
        )],
    }
}
