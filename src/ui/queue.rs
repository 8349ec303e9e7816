//! Today's queue at the desk: the counts, then one row per appointment with where the patient is
//! and how long they have waited. States are words, so the queue reads without colour.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::queue::QueueScreen;
use crate::app::screen::Access;
use crate::domain::appointment::{doctor_title, wait_words, QueueEntry, QueueState};
use crate::domain::staff::Job;
use crate::ui::theme::Theme;
use crate::ui::widgets::truncate;
use crate::ui::{View, ViewEnv};

/// What this screen holds for `job`.
pub fn purpose(job: Job, access: Access) -> &'static str {
    let _ = (job, access);
    "Today's arrivals: expected, waiting, with a doctor, done; check patients in as they come."
}

/// "arrived 10:21 · waiting 1:05", "with doctor since 10:32", "expected", ...
pub fn state_words(e: &QueueEntry, now: DateTime<Utc>, tz: Tz) -> String {
    let hm = |t: DateTime<Utc>| t.with_timezone(&tz).format("%H:%M").to_string();
    match e.state {
        QueueState::Expected => "expected".into(),
        QueueState::Arrived { since } => format!(
            "arrived {} · waiting {}",
            hm(since),
            wait_words(e.waiting_minutes(now).unwrap_or(0))
        ),
        QueueState::WithDoctor { since } => format!("with doctor since {}", hm(since)),
        QueueState::Done { at } => format!("done {}", hm(at)),
        QueueState::NoShow => "no-show".into(),
    }
}

fn state_style(state: QueueState, theme: Theme) -> Style {
    match state {
        QueueState::Expected => Style::new(),
        QueueState::Arrived { .. } => theme.warning(),
        QueueState::WithDoctor { .. } => theme.good(),
        QueueState::Done { .. } | QueueState::NoShow => theme.dim(),
    }
}

impl View for QueueScreen {
    fn draw(&self, frame: &mut Frame, area: Rect, env: &ViewEnv) -> Option<Position> {
        draw(frame, area, self, env.job, env.access, env.theme);
        None
    }
}

fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &QueueScreen,
    job: Job,
    access: Access,
    theme: Theme,
) {
    let width = usize::from(area.width);
    let c = state.counts();
    let counts = format!(
        " Expected {}   Arrived {}   With doctor {}   Done {}   No-show {}",
        c.expected, c.arrived, c.with_doctor, c.done, c.no_show
    );
    let mut right = Vec::new();
    if state.loading.in_flight() && state.loaded {
        right.push("loading…");
    }
    match state.live {
        Some(true) => right.push("live"),
        Some(false) => right.push("not live (r reloads)"),
        None => {}
    }
    let right = right.join(" · ");
    let gap = width.saturating_sub(counts.chars().count() + right.chars().count() + 1);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(counts, theme.title()),
            Span::raw(" ".repeat(gap)),
            Span::raw(right),
        ]),
        Line::styled(
            format!(" {:<6}{:<23}{:<17}{}", "time", "patient", "doctor", "where"),
            theme.dim(),
        ),
    ];
    let room = usize::from(area.height).saturating_sub(lines.len() + 1);
    if !state.loaded {
        let text = match &state.error {
            Some(e) => format!(" Could not load today's queue: {e}"),
            None => format!(" loading… {}", purpose(job, access)),
        };
        lines.push(Line::raw(text));
    } else if state.entries.is_empty() {
        lines.push(Line::raw(
            if state.counts().done + state.counts().no_show > 0 {
                " Nobody is waiting or expected; everyone else is done (d shows them)."
            } else {
                " Nobody is booked for today."
            },
        ));
    }
    let top = state
        .entries
        .selected()
        .saturating_sub(room / 2)
        .min(state.entries.len().saturating_sub(room));
    for (i, e) in state.entries.iter().enumerate().skip(top).take(room) {
        let selected = i == state.entries.selected();
        let mark = if selected { ">" } else { " " };
        let text = format!(
            "{mark}{:<6}{:<23}{:<17}",
            e.starts_at.with_timezone(&state.tz).format("%H:%M"),
            truncate(&e.patient_name, 22),
            truncate(&doctor_title(&e.doctor_name), 16),
        );
        let words = state_words(e, state.now, state.tz);
        let mut style = state_style(e.state, theme);
        if selected {
            style = style.add_modifier(Modifier::REVERSED);
        }
        let rest = width.saturating_sub(text.chars().count());
        lines.push(Line::from(vec![
            Span::styled(
                text,
                if selected {
                    Style::new().add_modifier(Modifier::REVERSED)
                } else {
                    Style::new()
                },
            ),
            Span::styled(truncate(&words, rest), style),
        ]));
    }
    while lines.len() < usize::from(area.height).saturating_sub(1) {
        lines.push(Line::raw(""));
    }
    let folded = if state.show_done {
        "done shown"
    } else {
        "done folded away"
    };
    let position = if state.entries.is_empty() {
        String::new()
    } else {
        format!(
            "{} of {} · waiting first · {folded} ",
            state.entries.selected() + 1,
            state.entries.len()
        )
    };
    let mut footer = String::new();
    if let Some(p) = state.checking_in.what() {
        footer = format!(" checking in {p}…");
    }
    let gap = width.saturating_sub(footer.chars().count() + position.chars().count());
    lines.push(Line::styled(
        format!("{footer}{}{position}", " ".repeat(gap)),
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), area);
}
