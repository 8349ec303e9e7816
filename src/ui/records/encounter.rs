//! The encounter form (screens.md, "Encounter"): the patient and allergies on top, then S and O,
//! the vitals, A with the diagnoses, P with the prescriptions, and where the draft stands. The
//! section with the cursor gets the height; the popups (diagnosis, prescription, sign) over it.

use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::{labelled_input, patient_header, popup_block};
use crate::app::records::{EncounterForm, Popup, RecordsScreen, Section};
use crate::domain::record::{VitalField, VitalsProblem};
use crate::ui::theme::Theme;
use crate::ui::widgets::form::{self as form_widget, Layout as FormLayout};
use crate::ui::widgets::text_field::TextField;
use crate::ui::widgets::{centered, spinner, truncate};
use crate::ui::ViewEnv;

const LABELS: [&str; 4] = ["S", "O", "A", "P"];

fn rect(area: Rect, y: u16, height: u16) -> Rect {
    Rect {
        y: area.y + y,
        height: height.min(area.height.saturating_sub(y)),
        ..area
    }
}

/// Heights of the four note editors: the focused one gets what is left after the others' two.
fn note_heights(form: &EncounterForm, room: u16) -> [u16; 4] {
    let focused = form.focus.note();
    let small = if room >= 16 { 2 } else { 1 };
    let others = small * if focused.is_some() { 3 } else { 4 };
    let big = room.saturating_sub(others).max(1);
    let mut h = [small; 4];
    match focused {
        Some(i) => h[i] = big,
        None => {
            let each = (room / 4).max(1);
            h = [each; 4];
        }
    }
    h
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    form: &EncounterForm,
    screen: &RecordsScreen,
    env: &ViewEnv,
) -> Option<Position> {
    let theme = env.theme;
    let width = usize::from(area.width);
    let today = screen.now.with_timezone(&screen.tz).date_naive();
    let patient = crate::app::records::PatientLine {
        patient_id: form.patient_id,
        name: form.patient_name.clone(),
        number: form.patient_number,
        date_of_birth: form.date_of_birth,
    };
    let header = patient_header(&patient, Some(&form.allergies), today, width, theme);
    let header_rows = u16::try_from(header.len()).unwrap_or(1);
    frame.render_widget(Paragraph::new(header), rect(area, 0, header_rows));
    let dx_rows = u16::try_from(form.diagnoses.len().clamp(1, 3)).unwrap_or(1);
    let rx_rows = u16::try_from(form.prescriptions.len().clamp(1, 3)).unwrap_or(1);
    let fixed = header_rows + 3 + dx_rows + rx_rows + 1;
    let heights = note_heights(form, area.height.saturating_sub(fixed));
    let mut y = header_rows;
    let mut cursor = None;
    let active = form.popup.is_none();
    for (i, h) in heights.iter().enumerate() {
        if i == 2 {
            cursor = cursor.or(draw_vitals(frame, rect(area, y, 3), form, active, theme));
            y += 3;
        }
        if i == 3 {
            draw_list(
                frame,
                rect(area, y, dx_rows),
                form,
                Section::Diagnoses,
                theme,
            );
            y += dx_rows;
        }
        draw_note(frame, rect(area, y, *h), form, i, active, theme);
        y += h;
    }
    draw_list(
        frame,
        rect(area, y, rx_rows),
        form,
        Section::Prescriptions,
        theme,
    );
    let status = status_words(form, screen, env);
    frame.render_widget(
        Paragraph::new(Line::styled(
            truncate(&status, width),
            if form.save_error.is_some() {
                theme.error()
            } else {
                theme.dim()
            },
        )),
        Rect {
            y: area.bottom().saturating_sub(1),
            height: 1,
            ..area
        },
    );
    match &form.popup {
        Some(popup) => draw_popup(frame, area, form, popup, env),
        None => cursor,
    }
}

fn status_words(form: &EncounterForm, screen: &RecordsScreen, env: &ViewEnv) -> String {
    let hms = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&screen.tz).format("%H:%M:%S").to_string()
    };
    let mut s = if form.signing.in_flight() {
        format!(" {} signing…", spinner(env.now))
    } else if form.saving.in_flight() {
        format!(" {} saving…", spinner(env.now))
    } else if let Some(e) = &form.save_error {
        format!(" NOT SAVED (kept here, trying again): {e}")
    } else if form.savable().is_some() {
        " draft · changes not saved yet".into()
    } else if let Some(at) = form.saved_at {
        format!(" saved {} · draft", hms(at))
    } else {
        " draft".into()
    };
    if let Some(what) = form.part.what() {
        s.push_str(&format!(" · {what}…"));
    }
    s
}

fn draw_note(
    frame: &mut Frame,
    area: Rect,
    form: &EncounterForm,
    i: usize,
    active: bool,
    theme: Theme,
) {
    if area.height == 0 {
        return;
    }
    let focused = active && form.focus.note() == Some(i);
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!(" {} ", LABELS[i]),
            if focused { theme.title() } else { theme.dim() },
        )),
        Rect { width: 3, ..area },
    );
    let mut editor = form.notes[i].clone();
    editor.set_cursor_line_style(Style::new());
    editor.set_cursor_style(if focused {
        Style::new().add_modifier(Modifier::REVERSED)
    } else {
        Style::new()
    });
    editor.set_style(theme.field(focused));
    editor.set_placeholder_style(theme.dim());
    frame.render_widget(
        &editor,
        Rect {
            x: area.x + 3,
            width: area.width.saturating_sub(3),
            ..area
        },
    );
}

/// The vitals in two lines of short fields, and the message of the field with the cursor (or
/// the first one) under them.
fn draw_vitals(
    frame: &mut Frame,
    area: Rect,
    form: &EncounterForm,
    active: bool,
    theme: Theme,
) -> Option<Position> {
    let rows: [&[VitalField]; 2] = [
        &[
            VitalField::Systolic,
            VitalField::Diastolic,
            VitalField::Pulse,
            VitalField::Temperature,
            VitalField::Respiratory,
        ],
        &[VitalField::Spo2, VitalField::Weight, VitalField::Height],
    ];
    let mut cursor = None;
    for (row, fields) in rows.iter().enumerate() {
        let y = area.y + u16::try_from(row).unwrap_or(0);
        if y >= area.bottom() {
            break;
        }
        let mut x = area.x;
        let put = |frame: &mut Frame, x: &mut u16, text: &str, style: Style| {
            let w = u16::try_from(text.chars().count()).unwrap_or(0);
            frame.render_widget(
                Paragraph::new(Span::styled(text.to_string(), style)),
                Rect::new(*x, y, w.min(area.right().saturating_sub(*x)), 1),
            );
            *x += w;
        };
        put(
            frame,
            &mut x,
            if row == 0 { " V " } else { "   " },
            theme.dim(),
        );
        for f in *fields {
            let i = VitalField::ALL.iter().position(|v| v == f).unwrap_or(0);
            let focused = active && form.focus == Section::Vitals(*f);
            let label = match f {
                VitalField::Diastolic => "/".to_string(),
                other => format!("{} ", other.label()),
            };
            if *f != VitalField::Systolic || row > 0 {
                put(frame, &mut x, " ", Style::new());
            }
            put(
                frame,
                &mut x,
                &label,
                if focused { theme.title() } else { Style::new() },
            );
            let w = if matches!(f, VitalField::Weight | VitalField::Height) {
                7
            } else {
                6
            };
            let field = Rect::new(x, y, w.min(area.right().saturating_sub(x)), 1);
            let at = TextField {
                input: &form.vitals[i],
                masked: false,
                focused,
                brackets: true,
            }
            .render(frame, field, theme);
            if focused {
                cursor = at;
            }
            x += w;
            let unit = f.unit();
            if !unit.is_empty() && *f != VitalField::Systolic {
                put(frame, &mut x, unit, theme.dim());
            }
        }
        if row == 1 {
            if let Some(bmi) = form.vitals_input().bmi() {
                put(frame, &mut x, &format!("  BMI {bmi}"), theme.title());
            }
        }
    }
    let focused_problem = match form.focus {
        Section::Vitals(f) => form.problems.iter().find(|(p, _)| *p == f),
        _ => None,
    };
    // The message names its field already ("not a possible pulse: ...").
    if let Some((_, p)) = focused_problem.or(form.problems.first()) {
        let (text, style) = match p {
            VitalsProblem::Error(e) => (format!("   {e}"), theme.error()),
            VitalsProblem::Warning(w) => (format!("   {w}"), theme.warning()),
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                truncate(&text, usize::from(area.width)),
                style,
            )),
            Rect::new(area.x, area.y + 2, area.width, 1),
        );
    }
    cursor
}

fn draw_list(frame: &mut Frame, area: Rect, form: &EncounterForm, which: Section, theme: Theme) {
    let focused = form.popup.is_none() && form.focus == which;
    let width = usize::from(area.width);
    let (label, key, rows, selected): (&str, &str, Vec<String>, usize) = match which {
        Section::Diagnoses => (
            "Dx",
            "Ctrl-D add",
            form.diagnoses
                .iter()
                .map(|d| {
                    format!(
                        "{} {}{}",
                        d.code,
                        d.description,
                        if d.is_primary { " (primary)" } else { "" }
                    )
                })
                .collect(),
            form.diagnoses.selected(),
        ),
        _ => (
            "Rx",
            "Ctrl-P add",
            form.prescriptions.iter().map(|p| p.line()).collect(),
            form.prescriptions.selected(),
        ),
    };
    let height = usize::from(area.height);
    let mut lines = Vec::new();
    if rows.is_empty() {
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {label} "),
                if focused { theme.title() } else { theme.dim() },
            ),
            Span::styled(format!("none yet ({key})"), theme.dim()),
        ]));
    }
    let top = selected.saturating_sub(height.saturating_sub(1));
    for (n, row) in rows.iter().enumerate().skip(top).take(height) {
        let head = if n == top {
            format!(" {label} ")
        } else {
            "    ".into()
        };
        let mut style = Style::new();
        if focused && n == selected {
            style = style.add_modifier(Modifier::REVERSED);
        }
        lines.push(Line::from(vec![
            Span::styled(head, if focused { theme.title() } else { theme.dim() }),
            Span::styled(truncate(row, width.saturating_sub(4)), style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_popup(
    frame: &mut Frame,
    area: Rect,
    form: &EncounterForm,
    popup: &Popup,
    env: &ViewEnv,
) -> Option<Position> {
    let theme = env.theme;
    match popup {
        Popup::Diagnosis {
            input,
            found,
            searching,
            error,
            ..
        } => {
            let boxed = centered(area, 76, 16);
            frame.render_widget(Clear, boxed);
            let block = popup_block("Add a diagnosis (ICD-10-CM)", theme);
            let inner = block.inner(boxed);
            frame.render_widget(block, boxed);
            let cursor = labelled_input(
                frame,
                rect(inner, 0, 1),
                "Code or words ",
                input,
                false,
                theme,
            );
            let width = usize::from(inner.width);
            let mut lines = Vec::new();
            if let Some(e) = error {
                lines.push(Line::styled(truncate(e, width), theme.error()));
            } else if searching.spinning(env.now) {
                lines.push(Line::raw(format!("{} searching…", spinner(env.now))));
            } else if found.is_empty() {
                lines.push(Line::styled(
                    if input.value().trim().is_empty() {
                        "Type a code (E11) or words (type 2 diab)."
                    } else {
                        "No code matches."
                    },
                    theme.dim(),
                ));
            }
            let room = usize::from(inner.height.saturating_sub(2));
            let top = found.selected().saturating_sub(room.saturating_sub(1));
            for (i, c) in found.iter().enumerate().skip(top).take(room) {
                let mut style = if c.billable {
                    Style::new()
                } else {
                    theme.dim()
                };
                if i == found.selected() {
                    style = style.add_modifier(Modifier::REVERSED);
                }
                let tag = if c.billable { "" } else { " (category)" };
                lines.push(Line::styled(
                    truncate(&format!("{:<9}{}{tag}", c.code, c.description), width),
                    style,
                ));
            }
            frame.render_widget(
                Paragraph::new(lines),
                Rect {
                    y: inner.y + 2,
                    height: inner.height.saturating_sub(2),
                    ..inner
                },
            );
            cursor
        }
        Popup::Prescription(rx) => {
            let boxed = centered(area, 72, 20);
            frame.render_widget(Clear, boxed);
            let block = popup_block("Add a prescription", theme);
            let inner = block.inner(boxed);
            frame.render_widget(block, boxed);
            let allergies = if form.allergies.is_empty() {
                Line::styled("No allergies recorded.", theme.dim())
            } else {
                Line::styled(
                    truncate(
                        &format!(
                            "ALLERGIES: {}",
                            form.allergies
                                .iter()
                                .map(|a| a.label())
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                        usize::from(inner.width),
                    ),
                    theme.error(),
                )
            };
            frame.render_widget(Paragraph::new(allergies), rect(inner, 0, 1));
            form_widget::draw(
                frame,
                Rect {
                    y: inner.y + 2,
                    height: inner.height.saturating_sub(2),
                    ..inner
                },
                rx,
                FormLayout {
                    label_width: 14,
                    field_width: None,
                },
                true,
                theme,
            )
        }
        Popup::Allergy(a) => {
            let boxed = centered(area, 64, 11);
            frame.render_widget(Clear, boxed);
            let block = popup_block("Record an allergy", theme);
            let inner = block.inner(boxed);
            frame.render_widget(block, boxed);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    truncate(
                        &format!(
                            "{}: shown on every chart and prescription.",
                            form.patient_name
                        ),
                        usize::from(inner.width),
                    ),
                    theme.dim(),
                )),
                rect(inner, 0, 1),
            );
            form_widget::draw(
                frame,
                Rect {
                    y: inner.y + 2,
                    height: inner.height.saturating_sub(2),
                    ..inner
                },
                a,
                FormLayout {
                    label_width: 11,
                    field_width: None,
                },
                true,
                theme,
            )
        }
        Popup::Sign { input, error } => {
            let boxed = centered(area, 64, 9);
            frame.render_widget(Clear, boxed);
            let block = popup_block("Sign the encounter", theme);
            let inner = block.inner(boxed);
            frame.render_widget(block, boxed);
            frame.render_widget(
                Paragraph::new(vec![
                    Line::raw(truncate(
                        &format!("Sign {}'s encounter as final?", form.patient_name),
                        usize::from(inner.width),
                    )),
                    Line::styled(
                        "It cannot be changed afterwards; corrections are amendments.",
                        theme.dim(),
                    ),
                ]),
                rect(inner, 0, 2),
            );
            let cursor = labelled_input(
                frame,
                rect(inner, 3, 1),
                "Your password ",
                input,
                true,
                theme,
            );
            if let Some(e) = error {
                frame.render_widget(
                    Paragraph::new(Line::styled(
                        truncate(e, usize::from(inner.width)),
                        theme.error(),
                    )),
                    rect(inner, 5, 1),
                );
            }
            cursor
        }
    }
}
