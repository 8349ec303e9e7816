//! The permission matrix and the audit trail, drawn: each a list that says how many rows it has,
//! what it is narrowed to and where the cursor is; the chain check's progress and result in words.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::admin::AdminScreen;
use crate::domain::audit_trail::thousands;
use crate::domain::permissions::ObjectKind;
use crate::ui::theme::Theme;
use crate::ui::widgets::list::scroll_offset;
use crate::ui::widgets::text_field::TextField;
use crate::ui::widgets::{spinner, truncate};

use super::parts::footer_line;

fn selected_style(selected: bool, theme: Theme) -> ratatui::style::Style {
    if selected {
        theme.field(true)
    } else {
        ratatui::style::Style::new()
    }
}

pub fn draw_matrix(
    frame: &mut Frame,
    area: Rect,
    state: &AdminScreen,
    theme: Theme,
) -> Option<Position> {
    let view = &state.matrix;
    let width = usize::from(area.width);
    if area.height < 3 {
        return None;
    }
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" Filter ", theme.title()),
            Span::styled(
                if view.filtering { "" } else { "(/ to type) " },
                theme.dim(),
            ),
        ])),
        Rect { height: 1, ..area },
    );
    let field = Rect {
        x: area.x + 20,
        width: area.width.saturating_sub(21).min(40),
        height: 1,
        ..area
    };
    let cursor = TextField {
        input: &view.filter,
        masked: false,
        focused: view.filtering,
        brackets: true,
    }
    .render(frame, field, theme);
    let mut lines = vec![Line::styled(
        format!(
            "   {:<13} {:<27} {:<7} {:<12} {}",
            "role", "object", "op", "grants", "policies"
        ),
        theme.dim(),
    )];
    let part = &view.part;
    if !part.loaded {
        lines.push(Line::raw(match &part.error {
            Some(e) => format!(" Could not read the permissions: {e}"),
            None => " reading the catalog…".into(),
        }));
    } else if part.rows.is_empty() {
        lines.push(Line::raw(
            " Nothing matches: Esc, then / to change the filter.",
        ));
    }
    let room = usize::from(area.height).saturating_sub(5);
    let top = scroll_offset(part.rows.selected(), part.rows.len(), room);
    for (i, r) in part.rows.iter().enumerate().skip(top).take(room) {
        let selected = i == part.rows.selected();
        let object = match (r.kind, r.security_definer) {
            (ObjectKind::Function, true) => format!("{} (definer)", r.object),
            (ObjectKind::View, _) => format!("{} (view)", r.object),
            _ => r.object.clone(),
        };
        let policies = if r.row_security && r.policies.is_empty() && r.allowed {
            "rls: no policy, no rows".to_string()
        } else {
            r.policies.join(", ")
        };
        let text = format!(
            "{} {:<13} {:<27} {:<7} {:<12} {}",
            if selected { ">" } else { " " },
            truncate(r.job(), 13),
            truncate(&object, 27),
            r.operation,
            truncate(&r.grant_words(), 12),
            policies
        );
        lines.push(Line::styled(
            truncate(&text, width),
            selected_style(selected, theme),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines),
        Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        },
    );
    if let Some(r) = part.rows.selected_item() {
        let mut full = format!(
            "{} {} {}: {}",
            r.job(),
            r.operation,
            r.object,
            r.grant_words()
        );
        if !r.policies.is_empty() {
            full.push_str(&format!(" · policies {}", r.policies.join(", ")));
        }
        detail(frame, area, &full, theme);
    }
    if part.loaded {
        let position = if part.rows.is_empty() {
            format!("0 of {} rows", view.all.len())
        } else {
            format!(
                "{} of {} rows ({} read)",
                part.rows.selected() + 1,
                part.rows.len(),
                view.all.len()
            )
        };
        footer_line(
            frame,
            area,
            &format!("{position} · {}", view.narrowed_to()),
            theme,
        );
    }
    cursor
}

pub fn draw_trail(frame: &mut Frame, area: Rect, state: &AdminScreen, theme: Theme) {
    let view = &state.trail;
    let width = usize::from(area.width);
    // The count and the page first: a long filter is what gets cut at 80 columns.
    let mut head = String::from(" ");
    if let Some(c) = view.count {
        head.push_str(&format!("{} · ", c.words()));
    }
    if view.part.loaded {
        head.push_str(&format!("page {} · ", view.page_no.max(1)));
    }
    head.push_str(&view.filter.words());
    let check = if view.verify.in_flight() {
        let words = view
            .verify_progress
            .get()
            .map(|(_, done, of)| {
                format!(
                    "{} of {} entries checked",
                    thousands(i64::try_from(done).unwrap_or(0)),
                    thousands(i64::try_from(of).unwrap_or(0))
                )
            })
            .unwrap_or_else(|| "sealing what has finished".into());
        Line::raw(format!(
            " {} Checking the chain: {words}…",
            spinner(state.now)
        ))
    } else if view.export.in_flight() {
        let words = view
            .export_progress
            .get()
            .map(|(_, done, of)| {
                format!(
                    "{} of {}",
                    thousands(i64::try_from(done).unwrap_or(0)),
                    thousands(i64::try_from(of).unwrap_or(0))
                )
            })
            .unwrap_or_default();
        Line::raw(format!(
            " {} Exporting: {words} entries written…",
            spinner(state.now)
        ))
    } else {
        match &view.verified {
            Some(w) => Line::styled(
                truncate(&format!(" {w}"), width),
                if w.contains("broken") {
                    theme.error()
                } else {
                    theme.good()
                },
            ),
            None => Line::styled(
                " v checks the whole chain; e exports what is shown as CSV.",
                theme.dim(),
            ),
        }
    };
    let mut lines = vec![
        Line::styled(truncate(&head, width), theme.title()),
        check,
        Line::styled(
            format!(
                "   {:<11} {:<10} {:<16} {:<15} {}",
                "when", "who", "action", "on", "patient · details"
            ),
            theme.dim(),
        ),
    ];
    let part = &view.part;
    if !part.loaded {
        lines.push(Line::raw(match &part.error {
            Some(e) => format!(" Could not read the audit trail: {e}"),
            None => " reading the audit trail…".into(),
        }));
    } else if let Some(e) = &part.error {
        lines.push(Line::styled(
            truncate(&format!(" {e}"), width),
            theme.error(),
        ));
    } else if part.rows.is_empty() {
        lines.push(Line::raw(" No entries match: f changes the filter."));
    }
    let room = usize::from(area.height).saturating_sub(lines.len() + 3);
    let top = scroll_offset(part.rows.selected(), part.rows.len(), room);
    for (i, e) in part.rows.iter().enumerate().skip(top).take(room) {
        let selected = i == part.rows.selected();
        let on = match (&e.table_name, e.row_id) {
            (Some(t), Some(id)) => format!("{t} {id}"),
            (Some(t), None) => t.clone(),
            _ => String::new(),
        };
        let mut about = match (&e.patient_number, &e.patient_name) {
            (Some(n), Some(name)) => format!("#{n} {name}"),
            (Some(n), None) => format!("#{n}"),
            _ => String::new(),
        };
        if !e.summary.is_empty() {
            if !about.is_empty() {
                about.push_str(" · ");
            }
            about.push_str(&e.summary);
        }
        let text = format!(
            "{}{} {:<11} {:<10} {:<16} {:<15} {}",
            if selected { ">" } else { " " },
            if e.needs_review { "!" } else { " " },
            e.at.with_timezone(&state.tz).format("%m-%d %H:%M"),
            truncate(&e.actor_login, 10),
            truncate(&e.action, 16),
            truncate(&on, 15),
            about
        );
        lines.push(Line::styled(
            truncate(&text, width),
            selected_style(selected, theme),
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
    if let Some(e) = part.rows.selected_item() {
        let who = match &e.actor_name {
            Some(name) => format!("{name} ({})", e.actor_login),
            None => e.actor_login.clone(),
        };
        let mut full = format!(
            "#{} {} · {who} · {}",
            e.id,
            e.at.with_timezone(&state.tz).format("%Y-%m-%d %H:%M:%S"),
            e.action
        );
        if let Some(t) = &e.table_name {
            full.push_str(&format!(" on {t}"));
        }
        if let Some(id) = e.row_id {
            full.push_str(&format!(" {id}"));
        }
        if let (Some(n), Some(name)) = (e.patient_number, &e.patient_name) {
            full.push_str(&format!(" · patient #{n} {name}"));
        }
        if !e.summary.is_empty() {
            full.push_str(&format!(" · {}", e.summary));
        }
        detail(frame, area, &full, theme);
    }
    if part.loaded {
        let mut more = Vec::new();
        if view.has_newer {
            more.push("PgUp newer");
        }
        if view.has_older {
            more.push("PgDn older");
        }
        let text = format!(
            "{} of {} on this page{}{} · ! flagged for review",
            part.rows.selected() + 1,
            part.rows.len(),
            if more.is_empty() { "" } else { " · " },
            more.join(" · ")
        );
        footer_line(frame, area, &text, theme);
    }
}

/// The selected row in full, on the two rows above the list's position line.
fn detail(frame: &mut Frame, area: Rect, text: &str, theme: Theme) {
    if area.height < 6 {
        return;
    }
    let lines: Vec<Line> =
        crate::ui::widgets::wrap(text, usize::from(area.width.saturating_sub(2)))
            .into_iter()
            .take(2)
            .map(|l| Line::styled(format!(" {l}"), theme.dim()))
            .collect();
    frame.render_widget(
        Paragraph::new(lines),
        Rect {
            y: area.bottom() - 3,
            height: 2,
            ..area
        },
    );
}
