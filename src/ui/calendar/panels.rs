//! The calendar's popups: a form (booking with its patient lookup, cancelling, a date, hours and
//! time off), an appointment with its status history, and a doctor's availability.

use chrono_tz::Tz;
use ratatui::layout::{Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};
use ratatui::Frame;

use crate::app::calendar::form::{self, FormKind};
use crate::app::calendar::{AvailabilityPanel, Detail, Form, Grid};
use crate::domain::appointment::doctor_title;
use crate::domain::schedule::ExceptionKind;
use crate::ui::theme::Theme;
use crate::ui::widgets::text_field::TextField;
use crate::ui::widgets::{centered, truncate};

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

/// Draws the form; returns where the terminal cursor belongs (in the focused text field).
pub fn draw_form(frame: &mut Frame, area: Rect, f: &Form, theme: Theme) -> Option<Position> {
    // Lay the lines out first, so the box is as tall as what it holds.
    enum Row<'a> {
        Field(usize),
        Text(Line<'a>),
    }
    let mut rows = Vec::new();
    for (i, field) in f.fields.iter().enumerate() {
        rows.push(Row::Field(i));
        if i == form::PATIENT {
            if let Some(b) = f.booking() {
                if b.search.is_some() {
                    rows.push(Row::Text(Line::styled(
                        format!("{:w$}searching…", "", w = usize::from(LABEL)),
                        theme.dim(),
                    )));
                }
                for (n, hit) in b.hits.iter().enumerate() {
                    let mark = if n == b.hit { "> " } else { "  " };
                    let text = format!(
                        "{:w$}{mark}{}, {}  {}  #{}{}",
                        "",
                        hit.family_name,
                        hit.given_names,
                        hit.date_of_birth.format("%Y-%m-%d"),
                        hit.patient_number,
                        if hit.similar { " (similar)" } else { "" },
                        w = usize::from(LABEL) - 2,
                    );
                    let style = if n == b.hit {
                        theme.key()
                    } else {
                        ratatui::style::Style::new()
                    };
                    rows.push(Row::Text(Line::styled(text, style)));
                }
                if !b.hits.is_empty() {
                    rows.push(Row::Text(Line::styled(
                        format!(
                            "{:w$}{} found: ↓↑ choose, Enter picks",
                            "",
                            b.hits.len(),
                            w = usize::from(LABEL)
                        ),
                        theme.dim(),
                    )));
                }
            }
        }
        if let Some(e) = &field.error {
            for (n, part) in wrap(e, 64).into_iter().enumerate() {
                let mark = if n == 0 { "  ! " } else { "    " };
                rows.push(Row::Text(Line::styled(
                    format!("{mark}{part}"),
                    theme.error(),
                )));
            }
        }
    }
    if let Some(e) = &f.error {
        rows.push(Row::Text(Line::raw("")));
        for (n, part) in wrap(e, 66).into_iter().enumerate() {
            let mark = if n == 0 { "! " } else { "  " };
            rows.push(Row::Text(Line::styled(
                format!("{mark}{part}"),
                theme.error(),
            )));
        }
    }
    let hint = match (&f.kind, f.saving.is_some()) {
        (_, true) => "saving…",
        (FormKind::Book(_), false) => "Ctrl-S books · Ctrl-F next free time · Esc closes",
        (FormKind::GoTo | FormKind::Cancel { .. }, false) => "Enter confirms · Esc closes",
        _ => "Ctrl-S saves · Tab next field · Esc closes",
    };
    rows.push(Row::Text(Line::raw("")));
    rows.push(Row::Text(Line::styled(hint.to_string(), theme.dim())));
    let height = u16::try_from(rows.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let inner = popup(frame, area, &f.title, 74, height, theme);
    let mut cursor = None;
    let value_width = inner.width.saturating_sub(LABEL);
    for (y, row) in (inner.y..inner.bottom()).zip(rows) {
        let line_area = Rect::new(inner.x, y, inner.width, 1);
        match row {
            Row::Text(line) => frame.render_widget(Paragraph::new(line), line_area),
            Row::Field(i) => {
                let field = &f.fields[i];
                let focused = i == f.focus;
                let label_style = if focused {
                    theme.key()
                } else {
                    ratatui::style::Style::new()
                };
                let label = format!("{}{}", if focused { "> " } else { "  " }, field.label);
                frame.render_widget(
                    Paragraph::new(Span::styled(label, label_style)),
                    Rect::new(inner.x, y, LABEL, 1),
                );
                let value_area = Rect::new(inner.x + LABEL, y, value_width, 1);
                if field.is_choice() {
                    let text = format!("< {} >", field.value());
                    let style = theme.field(focused);
                    frame.render_widget(Paragraph::new(Span::styled(text, style)), value_area);
                } else {
                    let at = TextField {
                        input: &field.input,
                        masked: false,
                        focused,
                        brackets: true,
                    }
                    .render(frame, value_area, theme);
                    if focused {
                        cursor = at;
                    }
                    if i == form::PATIENT {
                        if let Some((_, _)) = f.booking().and_then(|b| b.patient.as_ref()) {
                            // Picked: say so, so a typed name is not mistaken for a choice.
                            let mark = Rect::new(value_area.right().saturating_sub(10), y, 10, 1);
                            frame.render_widget(
                                Paragraph::new(Span::styled(" ✓ picked ", theme.good())),
                                mark,
                            );
                        }
                    }
                }
            }
        }
    }
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
            if detail.request.is_some() {
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
            let names = form::weekday_names();
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
    let hint = match (
        panel.editable,
        panel.saving.is_some(),
        panel.delete_armed.is_some(),
    ) {
        (_, true, _) => "saving…",
        (true, _, true) => "Press d again to delete this row.",
        (true, _, false) => "a add hours · l add time off · Enter change · d delete · Esc closes",
        (false, _, _) => "Read only: reception and admins keep the hours. Esc closes.",
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

/// Split `text` into lines of at most `width` characters, at spaces where it can.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
