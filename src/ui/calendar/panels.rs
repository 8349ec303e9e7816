//! The calendar's popups: a form (booking with its patient lookup, cancelling, a date, hours and
//! time off), an appointment with its status history, and a doctor's availability.

use chrono_tz::Tz;
use ratatui::layout::{Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};
use ratatui::Frame;

use crate::app::calendar::form::{weekday_names, FormKind};
use crate::app::calendar::{AvailabilityPanel, Detail, Form, Grid};
use crate::domain::appointment::doctor_title;
use crate::domain::schedule::ExceptionKind;
use crate::ui::theme::Theme;
use crate::ui::widgets::form::{self, Layout};
use crate::ui::widgets::{centered, truncate, wrap};

const LABEL: u16 = 15;

fn popup(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    width: u16,
    height: u16,
    theme: Theme,
) -> Rect {
    let rect = centered(area, width, height);
    let block = Block::bordered()
        .padding(Padding::horizontal(1))
        .border_style(theme.popup_border())
        .title(Span::styled(format!(" {title} "), theme.title()));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    inner
}

/// The label column of the calendar's forms.
const LAYOUT: Layout = Layout {
    label_width: LABEL,
    field_width: None,
};
/// The popup's inner width: 74 columns less the border and the padding.
const INNER: u16 = 70;

/// Draws the form; returns where the terminal cursor belongs (in the focused text field).
pub fn draw_form(frame: &mut Frame, area: Rect, f: &Form, theme: Theme) -> Option<Position> {
    // The lines after the fields: a message about the whole form, then what the keys do.
    let mut after = Vec::new();
    if let Some(e) = &f.error {
        after.push(Line::raw(""));
        for (n, part) in wrap(e, 66).into_iter().enumerate() {
            let mark = if n == 0 { "! " } else { "  " };
            after.push(Line::styled(format!("{mark}{part}"), theme.error()));
        }
    }
    let hint = match (&f.kind, f.saving.in_flight()) {
        (_, true) => "saving…",
        (FormKind::Book(_), false) => "Ctrl-S books · Ctrl-F next free time · Esc closes",
        (FormKind::GoTo | FormKind::Cancel { .. } | FormKind::TakeBack { .. }, false) => {
            "Enter confirms · Esc closes"
        }
        _ => "Ctrl-S saves · Tab next field · Esc closes",
    };
    after.push(Line::raw(""));
    after.push(Line::styled(hint.to_string(), theme.dim()));
    let fields_height = form::height(f, LAYOUT, INNER, theme);
    let after_height = u16::try_from(after.len()).unwrap_or(u16::MAX);
    let height = fields_height.saturating_add(after_height).saturating_add(2);
    let inner = popup(frame, area, &f.title, 74, height, theme);
    let fields = Rect {
        height: inner.height.saturating_sub(after_height),
        ..inner
    };
    let cursor = form::draw(frame, fields, f, LAYOUT, true, theme);
    let rest = Rect {
        y: fields.bottom(),
        height: inner.height.saturating_sub(fields.height),
        ..inner
    };
    frame.render_widget(Paragraph::new(after), rest);
    cursor
}

pub fn draw_detail(frame: &mut Frame, area: Rect, detail: &Detail, grid: &Grid, theme: Theme) {
    let tz = grid.tz;
    let mut lines: Vec<Line> = Vec::new();
    match (&detail.loaded, &detail.error) {
        (_, Some(e)) => lines.push(Line::styled(e.clone(), theme.error())),
        (None, None) => lines.push(Line::raw("loading…")),
        (Some(d), None) => {
            let e = &d.entry;
            let a = &d.appointment;
            lines.push(Line::from(vec![
                Span::styled(e.patient_name.clone(), theme.title()),
                Span::raw("   "),
                Span::raw(format!("{} {}", e.status.symbol(), e.status.word())),
            ]));
            let doctor = grid
                .doctor_name(e.doctor_id)
                .map_or_else(|| format!("doctor #{}", e.doctor_id), doctor_title);
            lines.push(Line::raw(format!(
                "{doctor} · {}-{}",
                e.starts_at.with_timezone(&tz).format("%a %d %b %Y %H:%M"),
                e.ends_at.with_timezone(&tz).format("%H:%M")
            )));
            lines.push(Line::raw(format!(
                "Reason: {}",
                e.reason.as_deref().unwrap_or("-")
            )));
            if let Some(r) = &a.cancel_reason {
                lines.push(Line::raw(format!("Cancelled because: {r}")));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled("History", theme.title()));
            for h in &d.history {
                let what = match h.from {
                    None => format!("booked ({})", h.to.word()),
                    Some(from) => format!("{} → {}", from.word(), h.to.word()),
                };
                let who = h.by_name.clone().unwrap_or_else(|| "the system".into());
                lines.push(Line::raw(format!(
                    " {}  {:<26} {}",
                    h.at.with_timezone(&tz).format("%a %d %b %H:%M"),
                    what,
                    who
                )));
                if let Some(r) = &h.reason {
                    lines.push(Line::styled(format!("     reason: {r}"), theme.dim()));
                }
            }
            if detail.loading.in_flight() {
                lines.push(Line::styled("updating…", theme.dim()));
            }
        }
    }
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let inner = popup(frame, area, "Appointment", 74, height, theme);
    let width = usize::from(inner.width);
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| {
            if l.width() > width {
                Line::raw(truncate(&l.to_string(), width))
            } else {
                l
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

pub fn draw_availability(
    frame: &mut Frame,
    area: Rect,
    panel: &AvailabilityPanel,
    tz: Tz,
    theme: Theme,
) {
    let mut lines: Vec<Line> = Vec::new();
    let mut selected_line = 0;
    let mark = |i: usize| if i == panel.selected { "> " } else { "  " };
    let style = |i: usize| {
        let s = ratatui::style::Style::new();
        if i == panel.selected {
            s.add_modifier(Modifier::REVERSED)
        } else {
            s
        }
    };
    match (&panel.data, &panel.error) {
        (_, Some(e)) => lines.push(Line::styled(e.clone(), theme.error())),
        (None, None) => lines.push(Line::raw("loading…")),
        (Some(data), None) => {
            lines.push(Line::styled("Weekly working hours", theme.title()));
            if data.hours.is_empty() {
                lines.push(Line::styled(
                    "  none set: the doctor is bookable at any time",
                    theme.dim(),
                ));
            }
            let names = weekday_names();
            for (i, h) in data.hours.iter().enumerate() {
                if i == panel.selected {
                    selected_line = lines.len();
                }
                let day = names
                    .get(usize::from(h.item.weekday.saturating_sub(1)))
                    .cloned()
                    .unwrap_or_default();
                lines.push(Line::styled(
                    format!(
                        "{}{day:<10} {}-{}  {} min slots",
                        mark(i),
                        h.item.starts.format("%H:%M"),
                        h.item.ends.format("%H:%M"),
                        h.item.slot_minutes
                    ),
                    style(i),
                ));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled("Time off from today", theme.title()));
            if data.time_off.is_empty() {
                lines.push(Line::styled("  none", theme.dim()));
            }
            for (n, x) in data.time_off.iter().enumerate() {
                let i = data.hours.len() + n;
                if i == panel.selected {
                    selected_line = lines.len();
                }
                let kind = match x.item.kind {
                    ExceptionKind::Leave => "leave  ",
                    ExceptionKind::Blocked => "blocked",
                };
                lines.push(Line::styled(
                    format!(
                        "{}{kind} {} → {}  {}",
                        mark(i),
                        x.item.starts_at.with_timezone(&tz).format("%a %d %b %H:%M"),
                        x.item.ends_at.with_timezone(&tz).format("%a %d %b %H:%M"),
                        x.item.note.as_deref().unwrap_or("")
                    ),
                    style(i),
                ));
            }
        }
    }
    lines.push(Line::raw(""));
    let hint = match (panel.editable, panel.saving.in_flight()) {
        (_, true) => "saving…",
        (true, false) => "a add hours · l add time off · Enter change · d delete · Esc closes",
        (false, _) => "Read only: reception and admins keep the hours. Esc closes.",
    };
    lines.push(Line::styled(hint, theme.dim()));
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let title = format!("Availability: {}", doctor_title(&panel.doctor_name));
    let inner = popup(frame, area, &title, 74, height, theme);
    // Keep the selected row in view when the rows outgrow the screen.
    let room = usize::from(inner.height);
    let scroll = (selected_line + 3).saturating_sub(room);
    frame.render_widget(
        Paragraph::new(lines).scroll((u16::try_from(scroll).unwrap_or(0), 0)),
        inner,
    );
}
