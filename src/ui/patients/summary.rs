//! A patient's summary: demographics, contact, emergency contact, insurer and balance as far as
//! the job may read them, then upcoming and past appointments.

use chrono::NaiveDate;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph, Wrap};
use ratatui::Frame;

use super::Keys;
use crate::app::patients::{Clock, Details, Summary, SummaryView};
use crate::app::screen::Access;
use crate::domain::appointment::{doctor_title, PatientAppointment};
use crate::domain::money::NumberFormat;
use crate::domain::staff::Job;
use crate::ui::theme::Theme;
use crate::ui::widgets::{spinner, truncate};

const LABEL: usize = 11;

pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    view: &SummaryView,
    clock: &Clock,
    (job, access): (Job, Access),
    keys: &Keys,
    theme: Theme,
) {
    let number = view
        .data
        .as_ref()
        .map(|s| format!(" · patient {}", s.details.patient_number()))
        .unwrap_or_default();
    let mut block = Block::bordered()
        .padding(Padding::horizontal(1))
        .title(Line::from(vec![
            Span::raw(" "),
            Span::styled(view.title(), theme.title()),
            Span::raw(format!("{number} ")),
        ]));
    if access == Access::ReadOnly {
        block = block.title(Line::from(" read only ").right_aligned());
    }
    let mut status = Vec::new();
    if view.loading.in_flight() || view.checking_in.in_flight() {
        let doing = if view.checking_in.in_flight() {
            "checking in…"
        } else {
            "loading…"
        };
        status.push(Span::styled(
            format!(" {} {doing} ", spinner(clock.now)),
            theme.warning(),
        ));
    }
    block = block
        .title_bottom(Line::from(vec![
            Span::raw(" "),
            Span::styled(keys.back(), theme.key()),
            Span::raw(" back to the list "),
        ]))
        .title_bottom(Line::from(status).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let mut lines = Vec::new();
    if let Some(error) = &view.error {
        lines.push(Line::from(vec![
            Span::styled("! ", theme.error()),
            Span::raw(error.clone()),
        ]));
        lines.push(Line::raw(""));
    }
    let Some(summary) = &view.data else {
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        return;
    };
    let today = clock.now.with_timezone(&clock.tz).date_naive();
    lines.extend(details(
        summary,
        today,
        (job, clock.number_format),
        theme,
        usize::from(inner.width),
    ));
    let [top, bottom] = inner.layout(&Layout::vertical([
        Constraint::Length(u16::try_from(lines.len() + 1).unwrap_or(u16::MAX)),
        Constraint::Min(0),
    ]));
    frame.render_widget(Paragraph::new(lines), top);
    appointments(frame, bottom, summary, clock, job, theme);
}

fn field(label: &str, value: String, theme: Theme) -> Vec<Span<'static>> {
    vec![
        Span::styled(format!("{label:<LABEL$}"), theme.dim()),
        Span::raw(value),
    ]
}

/// Two label/value pairs on one line, the second starting at the middle.
fn pair(
    left: (&str, String),
    right: Option<(&str, String)>,
    width: usize,
    theme: Theme,
) -> Line<'static> {
    let half = width / 2;
    let left_value = truncate(&left.1, half.saturating_sub(LABEL + 1));
    let mut spans = field(
        left.0,
        format!("{left_value:<w$}", w = half.saturating_sub(LABEL)),
        theme,
    );
    if let Some((label, value)) = right {
        let room = width.saturating_sub(half + LABEL);
        spans.extend(field(label, truncate(&value, room), theme));
    }
    Line::from(spans)
}

fn or_dash(v: Option<&String>) -> String {
    v.filter(|s| !s.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| "-".into())
}

fn joined(parts: &[Option<&String>]) -> String {
    let parts: Vec<&str> = parts
        .iter()
        .flatten()
        .map(|s| s.as_str())
        .filter(|s| !s.trim().is_empty())
        .collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

fn details(
    summary: &Summary,
    today: NaiveDate,
    (job, number_format): (Job, NumberFormat),
    theme: Theme,
    width: usize,
) -> Vec<Line<'static>> {
    let dob = summary.details.date_of_birth();
    let born = match today.years_since(dob) {
        Some(age) => format!("{} (age {age})", dob.format("%Y-%m-%d")),
        None => dob.format("%Y-%m-%d").to_string(),
    };
    let mut lines = Vec::new();
    match &summary.details {
        Details::Full(p) => {
            lines.push(pair(
                ("Born", born),
                Some(("Sex", p.sex.to_string())),
                width,
                theme,
            ));
            lines.push(pair(
                ("Preferred", or_dash(p.preferred_name.as_ref())),
                Some(("Gender", or_dash(p.gender_identity.as_ref()))),
                width,
                theme,
            ));
            lines.push(pair(
                ("Phone", or_dash(p.phone.as_ref())),
                Some(("Email", or_dash(p.email.as_ref()))),
                width,
                theme,
            ));
            let address = joined(&[
                p.address_line1.as_ref(),
                p.address_line2.as_ref(),
                p.city.as_ref(),
                p.postcode.as_ref(),
            ]);
            lines.push(Line::from(field(
                "Address",
                truncate(&address, width - LABEL),
                theme,
            )));
            let emergency = joined(&[
                p.emergency_contact_name.as_ref(),
                p.emergency_contact_phone.as_ref(),
            ]);
            lines.push(Line::from(field(
                "Emergency",
                truncate(&emergency, width - LABEL),
                theme,
            )));
            lines.push(pair(
                ("Insurer", or_dash(p.insurer.as_ref())),
                Some(("Number", or_dash(p.insurance_number.as_ref()))),
                width,
                theme,
            ));
        }
        // Billing reads only the columns granted to it: no sex, gender or emergency contact.
        Details::Billing(p) => {
            lines.push(pair(
                ("Born", born),
                Some(("Preferred", or_dash(p.preferred_name.as_ref()))),
                width,
                theme,
            ));
            lines.push(pair(
                ("Phone", or_dash(p.phone.as_ref())),
                Some(("Email", or_dash(p.email.as_ref()))),
                width,
                theme,
            ));
            let address = joined(&[
                p.address_line1.as_ref(),
                p.address_line2.as_ref(),
                p.city.as_ref(),
                p.postcode.as_ref(),
            ]);
            lines.push(Line::from(field(
                "Address",
                truncate(&address, width - LABEL),
                theme,
            )));
            lines.push(pair(
                ("Insurer", or_dash(p.insurer.as_ref())),
                Some(("Number", or_dash(p.insurance_number.as_ref()))),
                width,
                theme,
            ));
        }
    }
    match (&summary.balance, job) {
        (_, Job::Doctor) | (None, _) => {}
        (Some(balances), _) if balances.is_empty() => {
            lines.push(Line::from(field("Balance", "nothing owed".into(), theme)));
        }
        (Some(balances), _) => {
            let owed: Vec<String> = balances.iter().map(|b| b.display(number_format)).collect();
            let mut spans = field("Balance", owed.join(", "), theme);
            spans.push(Span::styled("  open", theme.warning()));
            lines.push(Line::from(spans));
        }
    }
    lines
}

fn appointments(
    frame: &mut Frame,
    area: Rect,
    summary: &Summary,
    clock: &Clock,
    job: Job,
    theme: Theme,
) {
    // A doctor's login reads only their own appointments (row security): say so, so an empty list
    // is not taken for the patient having none.
    let (upcoming_title, past_title) = if job == Job::Doctor {
        ("Upcoming with you", "Past with you")
    } else {
        ("Upcoming", "Past")
    };
    let today = clock.now.with_timezone(&clock.tz).date_naive();
    let upcoming = summary.upcoming(today, clock.tz);
    let past = summary.past(today, clock.tz);
    let height = usize::from(area.height);
    // Upcoming first (what the desk acts on), at most half the room while the past has rows.
    let up_room = if past.is_empty() {
        height.saturating_sub(1)
    } else {
        (height / 2).saturating_sub(1).max(1)
    };
    let mut lines = vec![Line::styled(upcoming_title, theme.title())];
    lines.extend(rows(&upcoming, up_room, clock, theme, "nothing booked"));
    let past_room = height.saturating_sub(lines.len() + 1);
    lines.push(Line::styled(past_title, theme.title()));
    lines.extend(rows(&past, past_room, clock, theme, "no earlier visits"));
    frame.render_widget(Paragraph::new(lines), area);
}

fn rows(
    list: &[&PatientAppointment],
    room: usize,
    clock: &Clock,
    theme: Theme,
    empty: &str,
) -> Vec<Line<'static>> {
    if list.is_empty() {
        return vec![Line::styled(format!("  {empty}"), theme.dim())];
    }
    let shown = if list.len() > room {
        room.saturating_sub(1)
    } else {
        list.len()
    };
    let mut out: Vec<Line> = list
        .iter()
        .take(shown)
        .map(|a| {
            let local = a.starts_at.with_timezone(&clock.tz);
            let reason = a.reason.clone().unwrap_or_default();
            Line::from(vec![
                Span::raw(format!("  {}  ", local.format("%a %Y-%m-%d %H:%M"))),
                Span::raw(format!("{:<20} ", truncate(&doctor_title(&a.doctor), 20))),
                Span::styled(format!("{:<12}", a.status.word()), theme.title()),
                Span::styled(truncate(&reason, 16), theme.dim()),
            ])
        })
        .collect();
    if shown < list.len() {
        out.push(Line::styled(
            format!("  … {} more", list.len() - shown),
            theme.dim(),
        ));
    }
    out
}
