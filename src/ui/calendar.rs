//! The appointment calendar: doctors (or a week's days) as columns of 15-minute rows, a legend
//! that says every symbol in words, and the forms and panels that open in front of it.
//! Every cell reads without colour: statuses have symbols, hours and time off have words.

mod panels;

use chrono::{Datelike, NaiveTime};
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::calendar::{CalendarScreen, Grid, Loaded};
use crate::app::screen::Access;
use crate::domain::appointment::{doctor_title, AppointmentStatus, CalendarEntry};
use crate::domain::schedule::{DoctorDay, SlotState};
use crate::domain::staff::Job;
use crate::ui::theme::Theme;
use crate::ui::widgets::truncate;
use crate::ui::{View, ViewEnv};

/// The time column: " 09:00".
const TIME_WIDTH: u16 = 6;
/// Narrowest doctor column in the day view; at 80 columns three fit.
const DAY_COLUMN: u16 = 18;
/// Narrowest day column in the week view; at 80 columns seven fit.
const WEEK_COLUMN: u16 = 9;

/// What this screen holds for `job`, before anything has loaded.
pub fn purpose(job: Job, access: Access) -> &'static str {
    match (job, access) {
        (Job::Doctor, _) => {
            "Your appointments by day and week; start and complete your consultations."
        }
        (_, Access::Full) => {
            "Every doctor's day and week: book, move, cancel and check in appointments."
        }
        (_, Access::ReadOnly) => "Every doctor's day and week, to read.",
    }
}

impl View for CalendarScreen {
    fn draw(&self, frame: &mut Frame, area: Rect, env: &ViewEnv) -> Option<Position> {
        draw(frame, area, self, env.access, env.theme)
    }
}

fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &CalendarScreen,
    access: Access,
    theme: Theme,
) -> Option<Position> {
    if area.height < 6 || area.width < 30 {
        return None;
    }
    let grid = &state.grid;
    let columns = grid.columns();
    let min = if grid.week { WEEK_COLUMN } else { DAY_COLUMN };
    let room = area.width.saturating_sub(TIME_WIDTH);
    let fit = usize::from((room / (min + 1)).max(1));
    let shown = fit.min(columns.len().max(1));
    let first = (grid.cursor_col() / shown) * shown;
    let visible: Vec<&DoctorDay> = columns.iter().skip(first).take(shown).copied().collect();
    let width = usize::from(room) / shown.max(1) - 1;

    let mut lines = vec![title_line(
        state,
        first,
        visible.len(),
        columns.len(),
        access,
        usize::from(area.width),
        theme,
    )];
    lines.push(header_line(grid, &visible, width, state.today, theme));
    lines.push(separator(visible.len(), width));

    let rows = grid.rows();
    let legend_height = 2;
    let room_rows = usize::from(area.height).saturating_sub(lines.len() + legend_height);
    let cursor_row = grid.cursor_row();
    // The cursor stays in the middle, so the rows around it are in view without a scroll state.
    let top = cursor_row
        .saturating_sub(room_rows / 2)
        .min(rows.len().saturating_sub(room_rows));
    if state.grid.loaded.is_none() {
        let what = match (&state.load_error, state.loading.in_flight()) {
            (Some(e), _) => format!(" Could not load the calendar: {e}"),
            (None, _) => format!(
                " loading… {}",
                purpose(state.job.unwrap_or(Job::Receptionist), access)
            ),
        };
        lines.push(Line::raw(what));
    } else {
        for (i, time) in rows.iter().enumerate().skip(top).take(room_rows) {
            lines.push(slot_line(
                grid,
                &visible,
                first,
                *time,
                i == cursor_row,
                i == top,
                width,
                theme,
            ));
        }
    }
    while lines.len() < usize::from(area.height) - legend_height {
        lines.push(Line::raw(""));
    }
    lines.extend(legend(state, usize::from(area.width), theme));
    frame.render_widget(Paragraph::new(lines), area);

    if let Some(form) = &state.form {
        return panels::draw_form(frame, area, form, theme);
    }
    if let Some(detail) = &state.detail {
        panels::draw_detail(frame, area, detail, grid, theme);
    } else if let Some(panel) = &state.availability {
        panels::draw_availability(frame, area, panel, grid.tz, theme);
    }
    None
}

fn title_line(
    state: &CalendarScreen,
    first: usize,
    shown: usize,
    total: usize,
    access: Access,
    width: usize,
    theme: Theme,
) -> Line<'static> {
    let grid = &state.grid;
    let today = if grid.date == state.today {
        " (today)"
    } else {
        ""
    };
    let left = match &grid.loaded {
        Some(Loaded::Week(w)) => format!(
            " {} · week of {}",
            doctor_title(&w.doctor.name),
            w.days
                .first()
                .map_or(grid.date, |d| d.date)
                .format("%a %d %b %Y")
        ),
        _ => format!(" {}{today} · day", grid.date.format("%a %d %b %Y")),
    };
    let mut right = Vec::new();
    if state.loading.in_flight() && grid.loaded.is_some() {
        right.push("loading…".to_string());
    }
    if !grid.week && total > shown {
        right.push(format!(
            "doctors {}-{} of {total} ([ ])",
            first + 1,
            first + shown
        ));
    }
    if access == Access::ReadOnly {
        right.push("read only".into());
    }
    match state.live {
        Some(true) => right.push("live".into()),
        Some(false) => right.push("not live".into()),
        None => {}
    }
    let right = right.join(" · ");
    let gap = width.saturating_sub(left.chars().count() + right.chars().count() + 1);
    Line::from(vec![
        Span::styled(left, theme.title()),
        Span::raw(" ".repeat(gap)),
        Span::raw(right),
    ])
}

fn header_line(
    grid: &Grid,
    visible: &[&DoctorDay],
    width: usize,
    today: chrono::NaiveDate,
    theme: Theme,
) -> Line<'static> {
    let mut spans = vec![Span::styled(" time ", theme.dim())];
    for col in visible {
        let name = if grid.week {
            let mark = if col.date == today { "*" } else { "" };
            format!("{} {:02}{mark}", col.date.weekday(), col.date.day())
        } else {
            doctor_title(&col.doctor.name)
        };
        spans.push(Span::raw("│"));
        spans.push(Span::styled(pad(&format!(" {name}"), width), theme.title()));
    }
    Line::from(spans)
}

fn separator(columns: usize, width: usize) -> Line<'static> {
    let mut s = "─".repeat(usize::from(TIME_WIDTH));
    for _ in 0..columns {
        s.push('┼');
        s.push_str(&"─".repeat(width));
    }
    Line::raw(s)
}

fn pad(text: &str, width: usize) -> String {
    let cut = truncate(text, width);
    format!("{cut:<width$}")
}

/// The words a cell shows, and whether it is quiet (free, off hours, a continuation).
fn cell_text(state: SlotState<'_>, starts_here: bool, width: usize) -> (String, bool) {
    let named = |symbol: &str, e: &CalendarEntry| {
        let base = format!("{symbol} {}", e.patient_name);
        match &e.reason {
            Some(r) if base.chars().count() + 3 + r.chars().count() <= width => {
                format!("{base} · {r}")
            }
            _ => base,
        }
    };
    match state {
        SlotState::Booked(e) if starts_here => (named(e.status.symbol(), e), false),
        SlotState::Booked(e) => (format!("  ┊ {}", e.patient_name), true),
        SlotState::Cancelled(e) => (
            format!(
                "{} {}  free",
                AppointmentStatus::Cancelled.symbol(),
                e.patient_name
            ),
            true,
        ),
        SlotState::Leave(x) => (
            match &x.note {
                Some(n) => format!("-- leave: {n} --"),
                None => "-- leave --".into(),
            },
            false,
        ),
        SlotState::Blocked(x) => (
            match &x.note {
                Some(n) => format!("## blocked: {n} ##"),
                None => "## blocked ##".into(),
            },
            false,
        ),
        SlotState::Free => ("free".into(), true),
        SlotState::Closed => ("·".into(), true),
    }
}

fn status_style(status: AppointmentStatus, theme: Theme) -> Style {
    match status {
        AppointmentStatus::CheckedIn => theme.warning(),
        AppointmentStatus::InProgress => theme.good(),
        AppointmentStatus::Completed | AppointmentStatus::Cancelled => theme.dim(),
        AppointmentStatus::NoShow => theme.error(),
        AppointmentStatus::Scheduled => Style::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn slot_line(
    grid: &Grid,
    visible: &[&DoctorDay],
    first: usize,
    time: NaiveTime,
    cursor_row: bool,
    top_row: bool,
    width: usize,
    theme: Theme,
) -> Line<'static> {
    let on_the_hour = time.format("%M").to_string() == "00";
    let label = format!(" {}", time.format("%H:%M"));
    let mut spans = vec![Span::styled(
        label,
        if on_the_hour {
            Style::new()
        } else {
            theme.dim()
        },
    )];
    for (i, col) in visible.iter().enumerate() {
        let (from, to) = grid.span(col.date, time);
        let state = grid.state_at(col, from, to);
        // An appointment is named where it starts, and again at the top of the view.
        let starts_here = match state {
            SlotState::Booked(e) => e.starts_at >= from || top_row,
            _ => true,
        };
        let (text, quiet) = cell_text(state, starts_here, width.saturating_sub(1));
        let cursor = cursor_row && first + i == grid.cursor_col();
        let gutter = if cursor { ">" } else { " " };
        let mut style = match state {
            SlotState::Booked(e) => status_style(e.status, theme),
            SlotState::Leave(_) | SlotState::Blocked(_) => theme.warning(),
            _ if quiet => theme.dim(),
            _ => Style::new(),
        };
        if cursor {
            style = style.add_modifier(Modifier::REVERSED);
        }
        spans.push(Span::raw("│"));
        spans.push(Span::styled(pad(&format!("{gutter}{text}"), width), style));
    }
    Line::from(spans)
}

fn legend(state: &CalendarScreen, width: usize, theme: Theme) -> Vec<Line<'static>> {
    use AppointmentStatus as S;
    if let Some(m) = &state.moving {
        let text = format!(
            " Moving {} ({}): pick a free slot, Enter puts it there, Esc stops.",
            m.patient_name,
            m.starts_at.with_timezone(&state.grid.tz).format("%a %H:%M")
        );
        return vec![
            Line::styled(truncate(&text, width), theme.warning()),
            Line::raw(truncate(
                " Arrows move; < > another day; [ ] more doctors.",
                width,
            )),
        ];
    }
    let mut first = vec![Span::raw(" ")];
    for s in [
        S::Scheduled,
        S::CheckedIn,
        S::InProgress,
        S::Completed,
        S::NoShow,
    ] {
        first.push(Span::styled(s.symbol(), status_style(s, theme)));
        first.push(Span::raw(format!(" {}  ", s.word())));
    }
    let second = format!(
        " {} cancelled  free = open  · off hours  -- leave --  ## blocked ##",
        S::Cancelled.symbol()
    );
    vec![
        Line::from(first),
        Line::styled(truncate(&second, width), theme.dim()),
    ]
}
