//! The doctor's day: one row per visit with its time, status, patient, the allergy flag, the
//! reason and where the visit stands (waiting since, with you, draft, signed).

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::records::RecordsScreen;
use crate::domain::appointment::{wait_words, AppointmentStatus};
use crate::domain::record::DayVisit;
use crate::ui::theme::Theme;
use crate::ui::widgets::{spinner, truncate};
use crate::ui::ViewEnv;

/// Where the visit stands, in words.
pub fn state_words(v: &DayVisit, screen: &RecordsScreen) -> String {
    let hm =
        |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&screen.tz).format("%H:%M").to_string();
    match (v.status, v.record_id, v.record_signed_at) {
        (_, Some(_), Some(at)) => format!("signed {}", hm(at)),
        (AppointmentStatus::CheckedIn, _, _) => format!(
            "waiting {}",
            wait_words(
                v.status_changed_at
                    .map_or(0, |s| (screen.now - s).num_minutes().max(0))
            )
        ),
        (AppointmentStatus::InProgress, _, _) => "with you · draft".into(),
        (AppointmentStatus::Completed, Some(_), None) => "draft (unsigned) !".into(),
        (AppointmentStatus::Completed, None, _) => "done, no record".into(),
        (AppointmentStatus::NoShow, _, _) => "no-show".into(),
        _ => "expected".into(),
    }
}

fn state_style(v: &DayVisit, theme: Theme) -> Style {
    match (v.status, v.record_signed_at) {
        (_, Some(_)) => theme.dim(),
        (AppointmentStatus::CheckedIn, _) => theme.warning(),
        (AppointmentStatus::InProgress, _) => theme.good(),
        (AppointmentStatus::Completed, None) => theme.error(),
        _ => Style::new(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, screen: &RecordsScreen, env: &ViewEnv) {
    let theme = env.theme;
    let width = usize::from(area.width);
    let mut lines = Vec::new();
    let day = screen
        .day
        .map(|d| d.format("%a %Y-%m-%d").to_string())
        .unwrap_or_default();
    let (waiting, longest) = screen.waiting();
    let mut head = if screen.loaded {
        format!(" {day} · {} booked", screen.visits.len())
    } else {
        format!(" {day} · loading your day…")
    };
    if waiting > 0 {
        head.push_str(&format!(
            " · {waiting} waiting for you (longest {})",
            wait_words(longest.unwrap_or(0))
        ));
    }
    let right = match (screen.loading.spinning(env.now), screen.live) {
        (true, _) => format!("{} loading", spinner(env.now)),
        (false, Some(true)) => "live".into(),
        (false, Some(false)) => "not live (r reloads)".into(),
        (false, None) => String::new(),
    };
    // The live state always shows: the head gives way.
    let head = truncate(&head, width.saturating_sub(right.chars().count() + 1));
    let gap = width.saturating_sub(head.chars().count() + right.chars().count());
    lines.push(Line::from(vec![
        Span::styled(head, theme.title()),
        Span::raw(" ".repeat(gap)),
        Span::styled(right, theme.dim()),
    ]));
    if let Some(e) = &screen.error {
        lines.push(Line::styled(
            truncate(&format!(" {e}"), width),
            theme.error(),
        ));
    }
    if screen.visits.is_empty() && screen.loaded {
        lines.push(Line::raw(" Nobody is booked with you this day."));
    }
    let others: Vec<_> = screen
        .unsigned
        .iter()
        .filter(|u| {
            !screen
                .visits
                .iter()
                .any(|v| v.record_id == Some(u.record_id))
        })
        .collect();
    let room =
        usize::from(area.height).saturating_sub(lines.len() + 1 + usize::from(!others.is_empty()));
    let top = screen
        .visits
        .selected()
        .saturating_sub(room / 2)
        .min(screen.visits.len().saturating_sub(room));
    let flag = if theme.ascii() { "[A]" } else { "⚠A" };
    for (i, v) in screen.visits.iter().enumerate().skip(top).take(room) {
        let selected = i == screen.visits.selected();
        let name = format!("{}, {}", v.family_name, v.given_names);
        let text = format!(
            "{}{} {} {:<22} {:<3} {:<21} ",
            if selected { ">" } else { " " },
            v.starts_at.with_timezone(&screen.tz).format("%H:%M"),
            v.status.symbol(),
            truncate(&name, 22),
            if v.has_allergies { flag } else { "" },
            truncate(v.reason.as_deref().unwrap_or(""), 21),
        );
        let words = state_words(v, screen);
        let rest = width.saturating_sub(text.chars().count());
        let mut style = state_style(v, theme);
        let mut base = Style::new();
        if selected {
            style = style.add_modifier(Modifier::REVERSED);
            base = base.add_modifier(Modifier::REVERSED);
        }
        lines.push(Line::from(vec![
            Span::styled(text, base),
            Span::styled(truncate(&words, rest), style),
        ]));
    }
    if let Some(oldest) = others.first() {
        lines.push(Line::styled(
            truncate(
                &format!(
                    " Unsigned from other days: {} (oldest {} {}, {})",
                    others.len(),
                    oldest
                        .recorded_at
                        .with_timezone(&screen.tz)
                        .format("%Y-%m-%d"),
                    oldest.family_name,
                    oldest.given_names
                ),
                width,
            ),
            theme.warning(),
        ));
    }
    while lines.len() < usize::from(area.height).saturating_sub(1) {
        lines.push(Line::raw(""));
    }
    let status = match screen.starting.what() {
        Some(name) => format!(" starting the consultation with {name}…"),
        None if !screen.visits.is_empty() => format!(
            " {} of {}",
            screen.visits.selected() + 1,
            screen.visits.len()
        ),
        None => String::new(),
    };
    lines.push(Line::styled(status, theme.dim()));
    frame.render_widget(Paragraph::new(lines), area);
}
